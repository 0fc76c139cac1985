/*
 * The PCI function of a device of the embedded emulated host, as its
 * VFIO regions show it: a QEMU "edu" device (1234:11e8, class 00ff,
 * revision 0x10, subsystem 1af4:1100, an MSI capability), the device the
 * arm64 test bed assigns on real hardware.
 *
 *   region 7 (config)  256 bytes at file offset 7 << 40: the header the
 *                      kernel's vfio-pci would show (BARs virtualized:
 *                      a written BAR reads back masked by its size)
 *   region 0 (BAR0)    1 MiB of storage at file offset 0, 32-bit memory
 *                      BAR; zero until written; mmap()able
 *                      (VFIO_REGION_INFO_FLAG_MMAP, no sparse areas)
 *
 * Other regions do not exist (-EINVAL, as VFIO_DEVICE_GET_REGION_INFO
 * for an index without a region).  Accesses must lie inside a region.
 * Not thread safe: the emulated host calls it under its lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_IOMMUFD_EMULATED_PCI_H
#define SYSTEM_IOMMUFD_EMULATED_PCI_H

#include "qemu/osdep.h"

#define EMULATED_PCI_VENDOR_ID      0x1234
#define EMULATED_PCI_DEVICE_ID      0x11e8
#define EMULATED_PCI_CLASS          0x00ff
#define EMULATED_PCI_REVISION       0x10
#define EMULATED_PCI_SUBSYS_VENDOR  0x1af4
#define EMULATED_PCI_SUBSYS_ID      0x1100
#define EMULATED_PCI_BAR0_SIZE      (1u << 20)
#define EMULATED_PCI_CONFIG_SIZE    256u

typedef struct EmulatedPCIFunction EmulatedPCIFunction;

EmulatedPCIFunction *emulated_pci_function_new(void);
void emulated_pci_function_free(EmulatedPCIFunction *fn);
/* VFIO region INDEX: size and file offset; 0 or -EINVAL. */
int emulated_pci_function_region_info(EmulatedPCIFunction *fn,
                                      uint32_t index, uint64_t *size,
                                      uint64_t *offset);
/* pread/pwrite of count bytes at a file offset: count or -EINVAL. */
ssize_t emulated_pci_function_rw(EmulatedPCIFunction *fn, void *buf,
                                 size_t count, uint64_t offset, bool write);
/*
 * mmap() of SIZE bytes of BAR0 at file OFFSET, shared with what
 * emulated_pci_function_rw() reads and writes: the address, or NULL and
 * -errno in *ERR (-EINVAL outside BAR0).  It outlives FN.
 */
void *emulated_pci_function_mmap(EmulatedPCIFunction *fn, uint64_t offset,
                                 uint64_t size, int *err);

#endif /* SYSTEM_IOMMUFD_EMULATED_PCI_H */
