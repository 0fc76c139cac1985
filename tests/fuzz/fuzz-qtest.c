/*
 * Fuzz target: the qtest server, from the byte stream to the commands.
 *
 * Each input is sent as is on a new qtest connection of an in-process
 * daemon (fuzz-daemon.h: the accel=on board, so readl/writel reach the
 * SMMUv3 registers at its MMIO base and the guest RAM at 0x40000000),
 * and the connection is half-closed.  Daemon state carries over between
 * inputs, as it does for a real client; a crash input is replayed on a
 * fresh daemon.
 *
 * Invariants: no crash, hang or sanitizer report; the daemon closes the
 * connection when the client goes.
 *
 * Calls: fuzz_daemon_session(FUZZ_QTEST, ...) only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "fuzz.h"
#include "fuzz-daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_daemon_session(FUZZ_QTEST, data, size);
    return 0;
}
