/*
 * The virt machine's PCIe host (QEMU's gpex, pci-host-ecam-generic):
 * ECAM config space, MMIO windows, root bus pcie.0.
 *
 * At QEMU virt's addresses:
 *
 *   0x0000000010000000  32-bit MMIO window (0x2eff0000 bytes)
 *   0x000000003eff0000  I/O window (64 KiB; no I/O BARs are modelled)
 *   0x000000003f000000  ECAM, buses 0..15 (16 MiB)     highmem=off
 *   0x0000004010000000  ECAM, buses 0..255 (256 MiB)   highmem=on (default)
 *   0x0000008000000000  64-bit MMIO window (512 GiB)   highmem=on
 *
 * As in QEMU, one ECAM is mapped: the high one unless highmem=off.  PCI
 * addresses equal CPU addresses in both MMIO windows.  An ECAM access
 * decodes bus (addr >> 20), devfn (addr >> 12 & 0xff) and register
 * (addr & 0xfff); no function there reads all-ones, writes are dropped.
 * Accesses are 1, 2 or 4 bytes, naturally aligned.
 *
 * Main thread only (MMIO dispatch, board set-up).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_HOST_ECAM_HOST_H
#define HW_PCI_HOST_ECAM_HOST_H

#include "hw/pci/pci-bus.h"

#define VIRT_PCIE_MMIO_BASE         0x10000000ULL
#define VIRT_PCIE_MMIO_SIZE         0x2eff0000ULL
#define VIRT_PCIE_PIO_BASE          0x3eff0000ULL
#define VIRT_PCIE_PIO_SIZE          0x00010000ULL
#define VIRT_PCIE_ECAM_BASE         0x3f000000ULL
#define VIRT_PCIE_ECAM_SIZE         0x01000000ULL
#define VIRT_HIGH_PCIE_ECAM_BASE    0x4010000000ULL
#define VIRT_HIGH_PCIE_ECAM_SIZE    0x10000000ULL
#define VIRT_HIGH_PCIE_MMIO_BASE    0x8000000000ULL
#define VIRT_HIGH_PCIE_MMIO_SIZE    0x8000000000ULL

/* One bus: 32 devices x 8 functions x 4 KiB. */
#define ECAM_BUS_SIZE (1ULL << 20)

/* The ECAM window's callbacks; opaque is the PCIHost. */
extern const MemoryRegionOps ecam_host_ops;

/*
 * The host on AS: its ECAM mapped (high unless !highmem), its windows,
 * and root bus "pcie.0" registered.  Devices on it are created by the
 * board afterwards (the host bridge function, gpex-root, at 00.0).
 */
PCIHost *pcie_host_new(AddressSpace *as, bool highmem, Error **errp);
/* Unmap and free; every device must be gone. */
void pcie_host_free(PCIHost *host);
/* The ECAM window's base and size as mapped. */
void pcie_host_ecam(const PCIHost *host, hwaddr *base, uint64_t *size);

#endif /* HW_PCI_HOST_ECAM_HOST_H */
