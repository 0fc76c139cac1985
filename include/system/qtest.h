/*
 * The qtest server: QEMU's qtest line protocol over a chardev.
 *
 * See docs/interop/qtest.rst for the commands served.  "-accel qtest"
 * makes the virtual clock manual (see qemu/timer.h): it moves only with
 * clock_step and clock_set.
 *
 * Main thread only, except that interrupt lines the server intercepts
 * may be driven from any thread; their "IRQ raise/lower" lines are sent
 * from the main loop in the order the levels changed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include "qapi/error.h"

/* True with "-accel qtest". */
bool qtest_enabled(void);
void qtest_set_enabled(bool enabled);

/*
 * Serve the protocol on chardev SPEC ("unix:PATH[,server=on,wait=off]",
 * "stdio" or "chardev:ID"), logging to LOG ("none", a file name, or
 * NULL for stderr).  One server per daemon.
 */
bool qtest_server_start(const char *spec, const char *log, Error **errp);
void qtest_server_stop(void);

/*
 * An extra command.  WORDS is the request split on spaces (words[0] is
 * the command); append the reply ("OK ..." or "FAIL ...", without the
 * newline) to REPLY.
 */
typedef void QTestCommandFunc(char **words, GString *reply);
void qtest_register_command(const char *name, QTestCommandFunc *func);

/*
 * One qtest conversation, independent of any chardev: what each client
 * connection runs and what a fuzzer can drive in-process.  OUT receives
 * each line the daemon sends (replies to this session, IRQ lines to all
 * sessions), LEN bytes without the newline.  qtest_session_feed() takes
 * any bytes, split anywhere.  Every line gets exactly one reply: "FAIL
 * ..." for an unknown or malformed command, a NUL byte, or a line over
 * QTEST_MAX_LINE (then dropped up to its newline, never buffered).
 * Main thread only.
 */
#define QTEST_MAX_LINE      (16 * 1024 * 1024)    /* as QMP_MAX_REQUEST */

typedef struct QTestSession QTestSession;
typedef void QTestOutputFunc(const char *line, size_t len, void *opaque);

QTestSession *qtest_session_new(QTestOutputFunc *out, void *opaque);
void qtest_session_feed(QTestSession *s, const char *buf, size_t len);
void qtest_session_free(QTestSession *s);

#endif /* SYSTEM_QTEST_H */
