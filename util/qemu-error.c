/*
 * Error reporting with command-line locations.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"

static char *progname;
/* -msg: written while parsing the command line, before any thread. */
static bool with_timestamp;
static char *guest_name;
static GMutex sink_lock;
static ErrorSinkFunc sink_func;
static void *sink_opaque;

/* The bottom of every thread's location stack. */
static __thread Location std_loc = { .kind = LOC_NONE };
static __thread Location *cur_loc;

static Location *current(void)
{
    if (!cur_loc) {
        cur_loc = &std_loc;
    }
    return cur_loc;
}

Location *loc_push_none(Location *loc)
{
    loc->kind = LOC_NONE;
    loc->num = 0;
    loc->ptr = NULL;
    loc->prev = current();
    cur_loc = loc;
    return loc;
}

Location *loc_pop(Location *loc)
{
    g_assert(current() == loc && loc->prev);
    cur_loc = loc->prev;
    loc->prev = NULL;
    return loc;
}

void loc_set_none(void)
{
    current()->kind = LOC_NONE;
}

void loc_set_cmdline(char **argv, int idx, int cnt)
{
    Location *loc = current();

    loc->kind = LOC_CMDLINE;
    loc->num = cnt;
    loc->ptr = argv + idx;
}

void loc_set_file(const char *fname, int lno)
{
    Location *loc = current();

    loc->kind = fname ? LOC_FILE : LOC_NONE;
    loc->num = lno;
    loc->ptr = fname;
}

void error_set_progname(const char *name)
{
    const char *slash = strrchr(name, '/');

    g_free(progname);
    progname = g_strdup(slash ? slash + 1 : name);
}

const char *error_get_progname(void)
{
    return progname;
}

void error_set_timestamps(bool on)
{
    with_timestamp = on;
}

void error_set_guest_name(const char *name)
{
    g_free(guest_name);
    guest_name = g_strdup(name);
}

void error_set_sink(ErrorSinkFunc func, void *opaque)
{
    g_mutex_lock(&sink_lock);
    sink_func = func;
    sink_opaque = opaque;
    g_mutex_unlock(&sink_lock);
}

/* Emit one complete chunk of text atomically. */
static void emit(const char *text)
{
    g_mutex_lock(&sink_lock);
    if (sink_func) {
        sink_func(text, sink_opaque);
    } else {
        fputs(text, stderr);
        fflush(stderr);
    }
    g_mutex_unlock(&sink_lock);
}

void error_vprintf(const char *fmt, va_list ap)
{
    g_autofree char *text = g_strdup_vprintf(fmt, ap);

    emit(text);
}

void error_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vprintf(fmt, ap);
    va_end(ap);
}

static void append_location(GString *s)
{
    const Location *loc = current();
    int i;

    switch (loc->kind) {
    case LOC_CMDLINE: {
        char *const *argp = loc->ptr;

        for (i = 0; i < loc->num; i++) {
            g_string_append_printf(s, "%s%s", i ? " " : "", argp[i]);
        }
        g_string_append(s, ": ");
        break;
    }
    case LOC_FILE:
        g_string_append_printf(s, "%s:", (const char *)loc->ptr);
        if (loc->num) {
            g_string_append_printf(s, "%d:", loc->num);
        }
        g_string_append_c(s, ' ');
        break;
    case LOC_NONE:
        break;
    }
}

typedef enum { REPORT_ERROR, REPORT_WARNING, REPORT_INFO } ReportType;

static void vreport(ReportType type, const char *fmt, va_list ap)
{
    GString *s = g_string_new(NULL);

    if (with_timestamp) {
        /* QEMU's: UTC, ISO 8601 with microseconds, then a space. */
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *ts = g_date_time_format_iso8601(now);

        g_string_append_printf(s, "%s ", ts);
    }
    if (guest_name) {
        g_string_append_printf(s, "%s ", guest_name);
    }
    if (progname) {
        g_string_append_printf(s, "%s: ", progname);
    }
    append_location(s);
    switch (type) {
    case REPORT_WARNING:
        g_string_append(s, "warning: ");
        break;
    case REPORT_INFO:
        g_string_append(s, "info: ");
        break;
    case REPORT_ERROR:
        break;
    }
    g_string_append_vprintf(s, fmt, ap);
    g_string_append_c(s, '\n');
    emit(s->str);
    g_string_free(s, TRUE);
}

void error_vreport(const char *fmt, va_list ap)
{
    vreport(REPORT_ERROR, fmt, ap);
}

void warn_vreport(const char *fmt, va_list ap)
{
    vreport(REPORT_WARNING, fmt, ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(REPORT_ERROR, fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(REPORT_WARNING, fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(REPORT_INFO, fmt, ap);
    va_end(ap);
}
