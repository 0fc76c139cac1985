/*
 * edu's MSI from a guest's own user space: QEMU's edu device bound to
 * the guest's vfio-pci (VFIO cdev + iommufd, attached to an IOAS of
 * its own), its one MSI vector on an eventfd (VFIO_DEVICE_SET_IRQS),
 * and edu made to raise interrupts (its register 0x60) one at a time,
 * each waited for and acknowledged (0x64).  Used by L2 of the nested
 * bed (tests/arm64/guest-init.c), where edu is a host device assigned
 * by vsmmu-daemon.  libc only, static, no GLib.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_ARM64_EDU_MSI_H
#define TESTS_ARM64_EDU_MSI_H

#include <stddef.h>

typedef struct EduMsiResult {
    char bdf[32];               /* DDDD:BB:DD.F */
    int raised;                 /* interrupts edu was told to raise */
    long delivered;             /* eventfd counts read */
    int timeouts;               /* raises not seen within the timeout */
} EduMsiResult;

/*
 * Bind edu to vfio-pci and raise N interrupts, waiting at most
 * TIMEOUT_MS for each: 0, or -1 with a message in ERR.  The vector is
 * left enabled (the VFIO device open) so that the host's view of it
 * can still be read when the guest powers off.
 */
int edu_msi_run(int n, int timeout_ms, EduMsiResult *res, char *err,
                size_t err_len);

#endif
