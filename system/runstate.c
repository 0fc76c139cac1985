/*
 * Run state, main loop and shutdown.  Main thread only: no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "trace.h"

static GMainLoop *main_loop;
static bool shutdown_requested;
static RunState current_state = RUN_STATE_RUNNING;

static const char *const runstate_names[] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
};

const char *runstate_name(RunState state)
{
    g_assert(state < G_N_ELEMENTS(runstate_names));
    return runstate_names[state];
}

RunState runstate_get(void)
{
    return current_state;
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

void runstate_set(RunState state)
{
    if (state != current_state) {
        trace_runstate_set(runstate_name(current_state),
                           runstate_name(state));
        current_state = state;
    }
}

void runstate_set_prelaunch(void)
{
    runstate_set(RUN_STATE_PRELAUNCH);
}

bool vm_start(Error **errp)
{
    if (current_state == RUN_STATE_SHUTDOWN) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return false;
    }
    if (current_state == RUN_STATE_RUNNING) {
        return true;
    }
    runstate_set(RUN_STATE_RUNNING);
    qmp_send_event("RESUME", NULL);
    return true;
}

void vm_stop(void)
{
    if (current_state != RUN_STATE_RUNNING) {
        return;
    }
    runstate_set(RUN_STATE_PAUSED);
    qmp_send_event("STOP", NULL);
}

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
