/*
 * Trace event registry, pattern matching and output.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace.h"
#include "qemu/error-report.h"
#include <sys/syscall.h>
#include <sys/time.h>

static GMutex trace_lock;
static GPtrArray *trace_groups;     /* of TraceEvent ** (NULL terminated) */
static GPtrArray *trace_patterns;   /* of char *, applied in order */
static FILE *trace_out;
static bool trace_env_done;

static bool pattern_apply(TraceEvent *ev, const char *pattern)
{
    bool enable = true;

    if (pattern[0] == '-') {
        enable = false;
        pattern++;
    }
    if (!g_pattern_match_simple(pattern, ev->name)) {
        return false;
    }
    g_atomic_int_set(&ev->dstate, enable);
    return true;
}

/* Called with trace_lock held. */
static void env_patterns_locked(void)
{
    const char *env;

    if (trace_env_done) {
        return;
    }
    trace_env_done = true;
    env = g_getenv("VSMMU_TRACE");
    if (env && *env) {
        g_auto(GStrv) pats = g_strsplit(env, ",", -1);

        if (!trace_patterns) {
            trace_patterns = g_ptr_array_new_with_free_func(g_free);
        }
        for (char **p = pats; *p; p++) {
            g_strstrip(*p);
            if (**p) {
                g_ptr_array_add(trace_patterns, g_strdup(*p));
            }
        }
    }
}

void trace_event_register_group(TraceEvent **events)
{
    g_mutex_lock(&trace_lock);
    if (!trace_groups) {
        trace_groups = g_ptr_array_new();
    }
    g_ptr_array_add(trace_groups, events);
    env_patterns_locked();
    for (guint i = 0; trace_patterns && i < trace_patterns->len; i++) {
        for (TraceEvent **ev = events; *ev; ev++) {
            pattern_apply(*ev, g_ptr_array_index(trace_patterns, i));
        }
    }
    g_mutex_unlock(&trace_lock);
}

void trace_init_from_env(void)
{
    g_mutex_lock(&trace_lock);
    if (!trace_env_done) {
        env_patterns_locked();
        for (guint i = 0; trace_patterns && i < trace_patterns->len; i++) {
            for (guint g = 0; trace_groups && g < trace_groups->len; g++) {
                for (TraceEvent **ev = g_ptr_array_index(trace_groups, g);
                     *ev; ev++) {
                    pattern_apply(*ev, g_ptr_array_index(trace_patterns, i));
                }
            }
        }
    }
    g_mutex_unlock(&trace_lock);
}

int trace_enable_pattern(const char *pattern)
{
    int matched = 0;

    g_mutex_lock(&trace_lock);
    env_patterns_locked();
    if (!trace_patterns) {
        trace_patterns = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(trace_patterns, g_strdup(pattern));
    for (guint g = 0; trace_groups && g < trace_groups->len; g++) {
        for (TraceEvent **ev = g_ptr_array_index(trace_groups, g); *ev; ev++) {
            matched += pattern_apply(*ev, pattern);
        }
    }
    g_mutex_unlock(&trace_lock);
    return matched;
}

TraceEvent *trace_event_find(const char *name)
{
    TraceEvent *found = NULL;

    g_mutex_lock(&trace_lock);
    for (guint g = 0; !found && trace_groups && g < trace_groups->len; g++) {
        for (TraceEvent **ev = g_ptr_array_index(trace_groups, g); *ev; ev++) {
            if (strcmp((*ev)->name, name) == 0) {
                found = *ev;
                break;
            }
        }
    }
    g_mutex_unlock(&trace_lock);
    return found;
}

void trace_event_foreach(void (*func)(TraceEvent *ev, void *opaque),
                         void *opaque)
{
    g_mutex_lock(&trace_lock);
    for (guint g = 0; trace_groups && g < trace_groups->len; g++) {
        for (TraceEvent **ev = g_ptr_array_index(trace_groups, g); *ev; ev++) {
            func(*ev, opaque);
        }
    }
    g_mutex_unlock(&trace_lock);
}

void trace_set_output(FILE *fp)
{
    g_mutex_lock(&trace_lock);
    trace_out = fp;
    g_mutex_unlock(&trace_lock);
}

static bool enable_checked(const char *pattern, Error **errp)
{
    const char *name = pattern[0] == '-' ? pattern + 1 : pattern;

    if (!*name) {
        error_setg(errp, "empty trace event pattern");
        return false;
    }
    if (trace_enable_pattern(pattern) == 0 && !strpbrk(name, "*?")) {
        warn_report("trace event '%s' does not exist", name);
    }
    return true;
}

static bool load_events_file(const char *fname, Error **errp)
{
    g_autofree char *contents = NULL;
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(fname, &contents, NULL, &gerr)) {
        error_setg(errp, "cannot read trace events file '%s': %s",
                   fname, gerr->message);
        return false;
    }
    lines = g_strsplit(contents, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *line = g_strstrip(*l);

        if (!*line || line[0] == '#') {
            continue;
        }
        if (!enable_checked(line, errp)) {
            return false;
        }
    }
    return true;
}

bool trace_opt_parse(const char *optarg, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(optarg, ",", -1);

    for (char **p = parts; *p; p++) {
        const char *opt = *p;

        if (g_str_has_prefix(opt, "enable=")) {
            if (!enable_checked(opt + strlen("enable="), errp)) {
                return false;
            }
        } else if (g_str_has_prefix(opt, "events=")) {
            if (!load_events_file(opt + strlen("events="), errp)) {
                return false;
            }
        } else if (g_str_has_prefix(opt, "file=")) {
            const char *fname = opt + strlen("file=");
            FILE *fp = fopen(fname, "w");

            if (!fp) {
                error_setg_errno(errp, errno, "cannot open trace file '%s'",
                                 fname);
                return false;
            }
            setvbuf(fp, NULL, _IOLBF, 0);
            trace_set_output(fp);
        } else if (strchr(opt, '=')) {
            error_setg(errp, "Invalid parameter '%.*s'",
                       (int)(strchr(opt, '=') - opt), opt);
            return false;
        } else if (p == parts) {
            /* A bare pattern is allowed as the first (implied) key. */
            if (!enable_checked(opt, errp)) {
                return false;
            }
        } else {
            error_setg(errp, "Invalid parameter '%s'", opt);
            return false;
        }
    }
    return true;
}

void trace_event_emit(const TraceEvent *ev, const char *fmt, ...)
{
    struct timeval tv;
    va_list ap;
    GString *line = g_string_new(NULL);

    gettimeofday(&tv, NULL);
    g_string_append_printf(line, "%ld@%lld.%06ld:%s ",
                           (long)syscall(SYS_gettid), (long long)tv.tv_sec,
                           (long)tv.tv_usec, ev->name);
    va_start(ap, fmt);
    g_string_append_vprintf(line, fmt, ap);
    va_end(ap);
    g_string_append_c(line, '\n');

    g_mutex_lock(&trace_lock);
    fputs(line->str, trace_out ? trace_out : stderr);
    g_mutex_unlock(&trace_lock);
    g_string_free(line, TRUE);
}
