/*
 * A minimal PCIe host bridge's ECAM window: no function behind it.
 *
 * Config reads return all-ones (no device, as a root complex answers
 * for an absent function) and writes are ignored, so a guest's
 * pci-host-ecam-generic driver enumerates an empty bus.  Map it with
 * address_space_add_mmio(..., &ecam_host_ops, NULL, ...).  Stateless:
 * safe from any thread.  A PCIe host with functions (issue 11) replaces
 * it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_HOST_ECAM_HOST_H
#define HW_PCI_HOST_ECAM_HOST_H

#include "system/memory.h"

/* One bus: 32 devices x 8 functions x 4 KiB. */
#define ECAM_BUS_SIZE (1ULL << 20)

extern const MemoryRegionOps ecam_host_ops;

#endif /* HW_PCI_HOST_ECAM_HOST_H */
