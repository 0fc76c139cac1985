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
 * Declarative argument checking.  A command lists its members; the
 * dispatcher checks ARGS against the list before calling the handler,
 * with QEMU's wording:
 *   Parameter 'NAME' is missing
 *   Invalid parameter type for 'NAME', expected: integer
 *   Parameter 'NAME' expects a value between MIN and MAX
 *   Parameter 'NAME' is unexpected
 *
 *   static const QmpArg device_del_args[] = {
 *       { "id", QMP_ARG_STR, .required = true },
 *       { "count", QMP_ARG_UINT, .has_range = true, .min = 1, .max = 64 },
 *       { NULL }
 *   };
 *   qmp_register_command_args("device_del", qmp_device_del,
 *                             device_del_args);
 *
 * A member named "*" admits any other member of its type (device_add's
 * properties).  JSON null matches only QMP_ARG_ANY.  Integers are
 * json-glib's gint64: a literal beyond int64 arrives as a number
 * (a double), so QMP_ARG_INT/UINT reject it.  Handlers then read members
 * with the qmp_arg_*() getters, which never emit a json-glib critical.
 */
typedef enum QmpArgType {
    QMP_ARG_STR,
    QMP_ARG_INT,        /* int64; .has_range for [.min, .max] */
    QMP_ARG_UINT,       /* 0..INT64_MAX; .has_range for [.min, .max] */
    QMP_ARG_BOOL,
    QMP_ARG_NUMBER,     /* integer or real */
    QMP_ARG_OBJECT,
    QMP_ARG_ARRAY,
    QMP_ARG_ANY,
} QmpArgType;

typedef struct QmpArg {
    const char *name;   /* NULL ends the list; "*": any other member */
    QmpArgType type;
    bool required;
    bool has_range;
    int64_t min, max;   /* QMP_ARG_INT, QMP_ARG_UINT */
} QmpArg;

/* Check ARGS against SPEC (NULL-name terminated). */
bool qmp_args_check(JsonObject *args, const QmpArg *spec, Error **errp);

/* Member NAME if present with the right type, else DEF. */
const char *qmp_arg_str(JsonObject *args, const char *name,
                        const char *def);
int64_t qmp_arg_int(JsonObject *args, const char *name, int64_t def);
bool qmp_arg_bool(JsonObject *args, const char *name, bool def);
double qmp_arg_number(JsonObject *args, const char *name, double def);
JsonObject *qmp_arg_object(JsonObject *args, const char *name);
JsonArray *qmp_arg_array(JsonObject *args, const char *name);

/* A reply's return value: OBJ (ARR) as a node (the node takes it). */
JsonNode *qmp_object_node(JsonObject *obj);
JsonNode *qmp_array_node(JsonArray *arr);
/* Set member NAME of O to the counter V (QMP integers are int64). */
void qmp_set_u64(JsonObject *o, const char *name, uint64_t v);

/*
 * Register a command; names are unique.  Callable before main() (from a
 * type_init() constructor) or later from the main thread.  With SPEC,
 * the arguments are checked before FUNC runs; without (the older
 * qmp_register_command()), FUNC checks them itself.
 */
void qmp_register_command_args(const char *name, QmpCommandFunc *func,
                               const QmpArg *spec);
void qmp_register_command(const char *name, QmpCommandFunc *func);
bool qmp_command_exists(const char *name);
/* Run registered command NAME in-process (HMP): its return, or NULL. */
JsonNode *qmp_run_command(const char *name, JsonObject *args, Error **errp);

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

/*
 * One QMP conversation, independent of any chardev: what a monitor runs
 * and what a fuzzer can drive in-process.  OUT receives each message the
 * daemon sends (greeting, replies, events once negotiated), one JSON text
 * of LEN bytes without the CRLF.  qmp_session_feed() takes any bytes,
 * split anywhere; each request gets exactly one reply.  Limits: a
 * request over QMP_MAX_REQUEST bytes or QMP_MAX_DEPTH nesting gets one
 * error and is skipped to its end.  Main thread only.
 */
#define QMP_MAX_REQUEST     (16 * 1024 * 1024)
#define QMP_MAX_DEPTH       1024

typedef struct QmpSession QmpSession;
typedef void QmpOutputFunc(const char *json, size_t len, void *opaque);

QmpSession *qmp_session_new(QmpOutputFunc *out, void *opaque);
/*
 * Where the session's passed descriptors come from: TAKE_FD returns the
 * oldest one not yet taken (the caller owns it) or -1.  A monitor on a
 * Unix socket uses what the client sent with SCM_RIGHTS.
 */
typedef int QmpTakeFdFunc(void *opaque);
void qmp_session_set_fd_source(QmpSession *s, QmpTakeFdFunc *take_fd,
                               void *opaque);
/* In a command handler: a descriptor passed to its session, or -1. */
int qmp_take_passed_fd(void);
void qmp_session_feed(QmpSession *s, const char *buf, size_t len);
void qmp_session_free(QmpSession *s);

/* Built-in commands (system/qmp-cmds.c). */
void qmp_register_builtin_commands(void);

#endif /* SYSTEM_QMP_H */
