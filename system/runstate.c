/*
 * Main loop and shutdown.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "trace.h"

static GMainLoop *main_loop;
static bool shutdown_requested;

void qemu_main_loop_run(void)
{
    if (shutdown_requested) {
        return;
    }
    main_loop = g_main_loop_new(NULL, FALSE);
    g_main_loop_run(main_loop);
    g_clear_pointer(&main_loop, g_main_loop_unref);
}

void qemu_system_shutdown_request(const char *reason)
{
    g_autoptr(JsonObject) data = json_object_new();

    if (shutdown_requested) {
        return;
    }
    trace_qemu_system_shutdown_request(reason);
    shutdown_requested = true;
    /* QEMU's ShutdownCause names: "guest-shutdown", "guest-reset", ... */
    json_object_set_boolean_member(data, "guest",
                                   g_str_has_prefix(reason, "guest-"));
    json_object_set_string_member(data, "reason", reason);
    qmp_send_event("SHUTDOWN", data);
    if (main_loop) {
        g_main_loop_quit(main_loop);
    }
}

bool qemu_shutdown_requested(void)
{
    return shutdown_requested;
}
