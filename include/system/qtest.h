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

#endif /* SYSTEM_QTEST_H */
