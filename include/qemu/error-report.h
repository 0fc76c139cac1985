/*
 * Error reporting to stderr, with the command-line location in the
 * message as QEMU prints it:
 *
 *   vsmmu-daemon: -device arm-smmuv3,accel=on: Property 'x' not found
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_ERROR_REPORT_H
#define QEMU_ERROR_REPORT_H

/*
 * A location the next report refers to.  Locations are per thread: the
 * main thread sets one while it parses a command-line option, an
 * iothread never inherits it.
 */
typedef struct Location {
    enum { LOC_NONE, LOC_CMDLINE, LOC_FILE } kind;
    int num;            /* LOC_CMDLINE: argument count; LOC_FILE: line */
    const void *ptr;    /* LOC_CMDLINE: argv + index; LOC_FILE: name */
    struct Location *prev;
} Location;

Location *loc_push_none(Location *loc);
Location *loc_pop(Location *loc);
void loc_set_none(void);
/* The location is "argv[idx] ... argv[idx + cnt - 1]", joined by spaces. */
void loc_set_cmdline(char **argv, int idx, int cnt);
void loc_set_file(const char *fname, int lno);

/* Program name printed before every report ("vsmmu-daemon: ..."). */
void error_set_progname(const char *name);
const char *error_get_progname(void);
/*
 * -msg timestamp=on: every report starts with the UTC time, as QEMU
 * prints it ("2026-12-02T01:22:40.123456Z "); -msg guest-name=on: with
 * the guest's name (NULL: none).  Set before any thread reports.
 */
void error_set_timestamps(bool on);
void error_set_guest_name(const char *name);

/* Print without prefix, for continuation lines and help text. */
void error_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void error_vprintf(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void error_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);
void warn_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

/*
 * Redirect reports (all threads) to a function instead of stderr; for
 * tests that assert on messages.  NULL restores stderr.  The line passed
 * is complete, including the trailing newline.
 */
typedef void (*ErrorSinkFunc)(const char *line, void *opaque);
void error_set_sink(ErrorSinkFunc func, void *opaque);

/* Report only the first time this call site is reached (thread safe). */
#define error_report_once(fmt, ...)                                 \
    ({                                                              \
        static gsize report_once_;                                  \
        bool first_ = g_once_init_enter(&report_once_);             \
        if (first_) {                                               \
            error_report(fmt, ## __VA_ARGS__);                      \
            g_once_init_leave(&report_once_, 1);                    \
        }                                                           \
        first_;                                                     \
    })

#define warn_report_once(fmt, ...)                                  \
    ({                                                              \
        static gsize report_once_;                                  \
        bool first_ = g_once_init_enter(&report_once_);             \
        if (first_) {                                               \
            warn_report(fmt, ## __VA_ARGS__);                       \
            g_once_init_leave(&report_once_, 1);                    \
        }                                                           \
        first_;                                                     \
    })

#endif /* QEMU_ERROR_REPORT_H */
