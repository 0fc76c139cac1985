/*
 * The daemon's run state, main loop and shutdown requests.
 *
 * The run state is QEMU's (qapi RunState) as far as a device host has
 * one: "prelaunch" under -S until the first "cont", "running", "paused"
 * after "stop", "shutdown" once a KVM guest powered off under
 * -no-shutdown.  Changes send QEMU's events (RESUME, STOP).  A device
 * host has no vCPU to stop: its device models keep serving qtest, QMP
 * and host events in every state, as QEMU's devices and iothreads do
 * while the VM is stopped.  Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "qapi/error.h"

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
} RunState;

/* QEMU's name of a state ("prelaunch", "running", ...). */
const char *runstate_name(RunState state);
RunState runstate_get(void);
bool runstate_is_running(void);
/* -S: start in prelaunch instead of running (before the main loop). */
void runstate_set_prelaunch(void);
/* Set the state; no event. */
void runstate_set(RunState state);
/*
 * QMP cont: running, with a RESUME event, unless already running.
 *   Resetting the Virtual Machine is required   (after a guest shutdown)
 */
bool vm_start(Error **errp);
/* QMP stop: paused, with a STOP event, if running; else no change. */
void vm_stop(void);

/* Run the glib main loop until a shutdown is requested. */
void qemu_main_loop_run(void);
/*
 * Ask the main loop to return (main thread).  REASON is QEMU's
 * ShutdownCause name ("host-qmp-quit", "host-signal", "guest-shutdown",
 * "guest-reset"), sent in the SHUTDOWN event, whose "guest" member is
 * true for the "guest-" ones.
 */
void qemu_system_shutdown_request(const char *reason);
bool qemu_shutdown_requested(void);

#endif /* SYSTEM_RUNSTATE_H */
