/*
 * The daemon's main loop and shutdown requests.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

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
