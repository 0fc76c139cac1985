/*
 * The QMP server: QEMU's JSON monitor protocol over chardevs.
 *
 * Commands are registered by name; a handler gets the "arguments" object
 * (empty when the client sent none) and returns the "return" value, or
 * NULL with *errp set, which the client sees as
 *   {"error": {"class": "GenericError", "desc": "<message>"}}
 * A NULL return without error means {}.  Handlers run in the main loop.
 *
 *   static JsonNode *qmp_query_vsmmu(JsonObject *args, Error **errp);
 *   qmp_register_command("query-vsmmu", qmp_query_vsmmu);
 *
 * Test-only commands use the "x-" prefix.  See docs/interop/qmp.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QMP_H
#define SYSTEM_QMP_H

#include "qapi/error.h"
#include <json-glib/json-glib.h>

typedef JsonNode *QmpCommandFunc(JsonObject *args, Error **errp);

/*
 * Register a command; names are unique.  Callable before main() (from a
 * type_init() constructor) or later from the main thread.
 */
void qmp_register_command(const char *name, QmpCommandFunc *func);
bool qmp_command_exists(const char *name);

/*
 * Fail with "Parameter 'NAME' is unexpected" if ARGS has a member not in
 * the NULL-terminated list ALLOWED.
 */
bool qmp_check_args(JsonObject *args, const char *const *allowed,
                    Error **errp);

/*
 * Send event NAME with DATA (may be NULL) to every monitor that has
 * completed capabilities negotiation.  Callable from any thread: the
 * event is timestamped and serialized at once, then sent from the main
 * loop; events from one thread keep their order.  DATA stays owned by
 * the caller, who must not change it concurrently.
 */
void qmp_send_event(const char *name, JsonObject *data);

/* Serve QMP on a declared chardev (-mon, -object monitor-qmp). */
bool qmp_monitor_add(const char *chardev_id, Error **errp);
/* Serve QMP on an inline chardev (-qmp unix:PATH,server=on,wait=off). */
bool qmp_monitor_add_inline(const char *spec, Error **errp);
/* Forget every monitor (after qemu_chardev_cleanup()). */
void qmp_cleanup(void);

/* Built-in commands (system/qmp-cmds.c). */
void qmp_register_builtin_commands(void);

#endif /* SYSTEM_QMP_H */
