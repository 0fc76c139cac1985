/*
 * Trace events.
 *
 * Each directory declares its events in a "trace-events" file;
 * scripts/tracetool.py turns it into "trace.h" (one inline
 * trace_NAME() function per event) and "trace.c" (the event table,
 * registered at start-up).  Events are off until enabled by name pattern:
 * "-trace PATTERN" on the daemon's command line, or the VSMMU_TRACE
 * environment variable (patterns separated by commas), for example
 * VSMMU_TRACE='iommufd_*'.  Enabled events print one line each to stderr
 * (or to the file given with -trace file=NAME):
 *
 *   <thread-id>@<seconds>.<microseconds>:<event> <arguments>
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_TRACE_H
#define QEMU_TRACE_H

#include "qapi/error.h"

typedef struct TraceEvent {
    const char *name;
    int dstate;             /* non-zero when enabled; read atomically */
} TraceEvent;

/* Called from generated code. */
void trace_event_register_group(TraceEvent **events);
void trace_event_emit(const TraceEvent *ev, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static inline bool trace_event_get_state(const TraceEvent *ev)
{
    return g_atomic_int_get(&ev->dstate) != 0;
}

/*
 * Enable (or, with a leading '-', disable) every event whose name matches
 * the glob PATTERN ('*' and '?').  Patterns also apply to event groups
 * registered later.  Returns the number of events that matched.
 */
int trace_enable_pattern(const char *pattern);

/*
 * Parse a -trace argument as QEMU does: "PATTERN", "enable=PATTERN",
 * "events=FILE" (one pattern per line, '#' comments) and "file=FILE"
 * (output file), comma separated.  A pattern without wildcards that names
 * no event is reported as a warning.
 */
bool trace_opt_parse(const char *optarg, Error **errp);

/* Apply the VSMMU_TRACE environment variable (done once, lazily). */
void trace_init_from_env(void);

/* Look up an event by exact name (for tests and QMP). */
TraceEvent *trace_event_find(const char *name);
/* Call func for every registered event. */
void trace_event_foreach(void (*func)(TraceEvent *ev, void *opaque),
                         void *opaque);

/* Send output to fp instead of stderr; NULL restores stderr. */
void trace_set_output(FILE *fp);

#endif /* QEMU_TRACE_H */
