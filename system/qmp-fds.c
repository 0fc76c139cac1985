/*
 * QMP commands for descriptors the manager passes over the monitor
 * socket (SCM_RIGHTS), as libvirt uses them: getfd and closefd (named
 * descriptors), add-fd, remove-fd and query-fdsets (fd sets).  The
 * descriptors live in the fd registry (include/qemu/fd-registry.h).
 *
 * Main thread only (QMP command handlers).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/fd-registry.h"
#include "system/qmp.h"
#include "system/qmp-fds.h"

static const QmpArg fdname_args[] = {
    { "fdname", QMP_ARG_STR, .required = true },
    { NULL }
};

static const QmpArg add_fd_args[] = {
    { "fdset-id", QMP_ARG_INT },
    { "opaque", QMP_ARG_STR },
    { NULL }
};

static const QmpArg remove_fd_args[] = {
    { "fdset-id", QMP_ARG_INT, .required = true },
    { "fd", QMP_ARG_INT },
    { NULL }
};

static int passed_fd(Error **errp)
{
    int fd = qmp_take_passed_fd();

    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
    }
    return fd;
}

static JsonNode *qmp_getfd(JsonObject *args, Error **errp)
{
    int fd = passed_fd(errp);

    if (fd >= 0) {
        fd_registry_add_named(qmp_arg_str(args, "fdname", ""), fd, errp);
    }
    return NULL;
}

static JsonNode *qmp_closefd(JsonObject *args, Error **errp)
{
    fd_registry_close_named(qmp_arg_str(args, "fdname", ""), errp);
    return NULL;
}

static JsonNode *qmp_add_fd(JsonObject *args, Error **errp)
{
    int64_t set_id = qmp_arg_int(args, "fdset-id", -1);
    int64_t set_out;
    JsonObject *ret;
    int fd, fd_out;
    bool ok;

    if (json_object_has_member(args, "fdset-id") && set_id < 0) {
        error_setg(errp, "Parameter 'fdset-id' expects a non-negative"
                   " value");
        return NULL;
    }
    fd = passed_fd(errp);
    if (fd < 0) {
        return NULL;
    }
    ok = fdset_add_fd(fd, set_id, qmp_arg_str(args, "opaque", NULL),
                      &set_out, &fd_out, errp);
    close(fd);                  /* the set holds its own duplicate */
    if (!ok) {
        return NULL;
    }
    ret = json_object_new();
    json_object_set_int_member(ret, "fdset-id", set_out);
    json_object_set_int_member(ret, "fd", fd_out);
    return qmp_object_node(ret);
}

static JsonNode *qmp_remove_fd(JsonObject *args, Error **errp)
{
    fdset_remove_fd(qmp_arg_int(args, "fdset-id", -1),
                    qmp_arg_int(args, "fd", -1), errp);
    return NULL;
}

static void fdset_entry(int64_t set_id, int fd, const char *opaque,
                        void *data)
{
    JsonArray *sets = data;
    guint n = json_array_get_length(sets);
    JsonObject *set = n ? json_array_get_object_element(sets, n - 1) : NULL;
    JsonObject *e = json_object_new();

    if (!set || json_object_get_int_member(set, "fdset-id") != set_id) {
        set = json_object_new();
        json_object_set_int_member(set, "fdset-id", set_id);
        json_object_set_array_member(set, "fds", json_array_new());
        json_array_add_object_element(sets, set);
    }
    json_object_set_int_member(e, "fd", fd);
    if (opaque) {
        json_object_set_string_member(e, "opaque", opaque);
    }
    json_array_add_object_element(json_object_get_array_member(set, "fds"),
                                  e);
}

static JsonNode *qmp_query_fdsets(JsonObject *args, Error **errp)
{
    JsonArray *sets = json_array_new();

    fdset_foreach(fdset_entry, sets);
    return qmp_array_node(sets);
}

void qmp_register_fd_commands(void)
{
    static const QmpArg no_args[] = { { NULL } };

    qmp_register_command_args("getfd", qmp_getfd, fdname_args);
    qmp_register_command_args("closefd", qmp_closefd, fdname_args);
    qmp_register_command_args("add-fd", qmp_add_fd, add_fd_args);
    qmp_register_command_args("remove-fd", qmp_remove_fd, remove_fd_args);
    qmp_register_command_args("query-fdsets", qmp_query_fdsets, no_args);
}
