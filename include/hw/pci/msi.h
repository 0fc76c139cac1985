/*
 * MSI capability of an emulated PCI function (PCI Local Bus 3.0, 6.8.1):
 * one vector, 64-bit message address, no per-vector masking.  The guest
 * programs address and data and sets MSI Enable; msi_notify() then sends
 * the message as the function's own memory write: refused without bus
 * master enable (in the function and every bridge above it), through the
 * IOMMU of its bus when one translates for it (a fault drops the
 * message; never bypassed), then to the interrupt controller's doorbell
 * with the function's requester ID as the device id (the DT's msi-map is
 * the identity), or as a store to guest RAM when no doorbell is there.
 * Under KVM the doorbell is the in-kernel ITS: KVM_SIGNAL_MSI.
 *
 * Host devices (vfio-pci) do not use this: their MSI/MSI-X are
 * virtualised in hw/vfio/.
 *
 * State: the capability in the function's config space (the PCI core's
 * arrays); main thread only, as config accesses are.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci-device.h"

/* Add the capability (at realize); false with errp set when full. */
bool msi_init(PCIDevice *dev, Error **errp);
/* The guest enabled MSI. */
bool msi_enabled(const PCIDevice *dev);
/*
 * Send the vector if enabled: MEMTX_OK when the message reached the
 * doorbell or RAM, MEMTX_ERROR when disabled, blocked, faulted or
 * refused by the interrupt controller.
 */
MemTxResult msi_notify(PCIDevice *dev);
/* Messages delivered (MEMTX_OK) since realize. */
uint64_t msi_sent(const PCIDevice *dev);

#endif /* HW_PCI_MSI_H */
