/*
 * Fuzz target: the QMP server, from the byte stream to the commands.
 *
 * Each input is sent on a new QMP connection of an in-process daemon
 * (fuzz-daemon.h: the accel=on board with the emulated host, so
 * x-vsmmu-inject-host-event and friends reach the vEVENTQ reader and the
 * SMMUv3 accel translator), after qmp_capabilities, and the connection
 * is half-closed.  Daemon state carries over between inputs, as it does
 * for a real client; a crash input is replayed on a fresh daemon.
 *
 * Invariants: no crash, hang or sanitizer report; the daemon greets
 * and answers, and closes the connection when the client goes.
 *
 * Calls: fuzz_daemon_session(FUZZ_QMP, ...) only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "fuzz.h"
#include "fuzz-daemon.h"

#define NEGOTIATE "{\"execute\": \"qmp_capabilities\"}\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree uint8_t *buf = g_malloc(strlen(NEGOTIATE) + size);

    memcpy(buf, NEGOTIATE, strlen(NEGOTIATE));
    memcpy(buf + strlen(NEGOTIATE), data, size);
    /* At least the greeting and the capabilities reply. */
    g_assert_cmpuint(fuzz_daemon_session(FUZZ_QMP, buf,
                                         strlen(NEGOTIATE) + size), >, 0);
    return 0;
}
