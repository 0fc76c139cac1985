/*
 * An in-process vsmmu-daemon for the protocol fuzz targets.
 *
 * fuzz_daemon_init() runs qemu_init() once with the accel=on board of
 * tests/qtest/smmuv3-accel-test.c (emulated host, two vfio-pci devices,
 * an IOThread) and QMP and qtest servers on Unix sockets in a private
 * directory.  fuzz_daemon_session() opens one connection, sends the
 * input, half-closes, and runs the main loop until the daemon has
 * answered everything and closed the connection; a helper thread reads
 * the replies so a daemon that writes a lot never blocks on us.
 *
 * This is the daemon's real, stable entry point (a client on its
 * socket), so the harnesses do not depend on how system/qmp.c,
 * system/qtest.c and system/chardev.c split the byte stream.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_FUZZ_FUZZ_DAEMON_H
#define TESTS_FUZZ_FUZZ_DAEMON_H

#include <stddef.h>
#include <stdint.h>

typedef enum FuzzServer {
    FUZZ_QMP,
    FUZZ_QTEST,
} FuzzServer;

void fuzz_daemon_init(void);
/* Returns the number of reply bytes the daemon sent. */
size_t fuzz_daemon_session(FuzzServer server, const uint8_t *data,
                           size_t size);

#endif /* TESTS_FUZZ_FUZZ_DAEMON_H */
