/*
 * QEMU's edu device in the arm64 test-bed VM, handed to vfio-pci.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_ARM64_EDU_VFIO_H
#define TESTS_ARM64_EDU_VFIO_H

#include <stddef.h>

#define EDU_VENDOR  0x1234
#define EDU_DEVICE  0x11e8

/*
 * Find edu in /sys/bus/pci/devices, bind it to vfio-pci (driver_override,
 * drivers_probe) and return its PCI address and VFIO cdev path
 * (/dev/vfio/devices/vfioN).  Failures fail the current vmlib test.
 */
void edu_bind_vfio(char *bdf, size_t bdf_len, char *cdev, size_t cdev_len);

#endif
