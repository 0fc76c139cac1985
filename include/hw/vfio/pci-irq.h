/*
 * vfio-pci interrupts: a host device's MSI-X (or MSI) vectors delivered
 * as the guest programmed them.
 *
 * Each vector the guest enables gets an eventfd that the host device's
 * VFIO interrupt signals (VFIO_DEVICE_SET_IRQS).  The eventfd is bound
 * to the guest's MSI (address, data, device id) through the address
 * space's MSI doorbell when it has one there (a KVM guest: irqfd into
 * the in-kernel ITS, no daemon on the path); otherwise the main loop
 * relays each signal with address_space_send_msi().  The caller (the
 * MSI and MSI-X emulation, hw/vfio/pci-msi.c) decides what the guest
 * programmed: for a device behind an IOMMU the address is the
 * doorbell's guest-physical address (as upstream's arm-smmuv3 msi-gpa),
 * not the IOVA the guest wrote, and the device id its requester id as
 * the guest's enumeration numbered it.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_VFIO_PCI_IRQ_H
#define HW_VFIO_PCI_IRQ_H

#include "hw/vfio/pci.h"

typedef struct VFIOPCIIrqs VFIOPCIIrqs;

/* The vectors of VFIO IRQ index INDEX of a bound host device. */
VFIOPCIIrqs *vfio_pci_irqs_new(VFIOPCIDevice *vdev, uint32_t index,
                               Error **errp);
unsigned vfio_pci_irqs_count(const VFIOPCIIrqs *irqs);
/*
 * Give vectors 0..N-1 their eventfds in one VFIO_DEVICE_SET_IRQS (MSI
 * enables all its vectors at once; a later single-vector call cannot
 * grow it), none of them delivered yet.
 */
bool vfio_pci_irqs_prepare(VFIOPCIIrqs *irqs, unsigned n, Error **errp);
/*
 * Vector V to the MSI (ADDR, DATA) of device DEVID, replacing what it
 * had: bound through the doorbell, or relayed.  A signal that came
 * while it was masked is delivered now.
 */
bool vfio_pci_irqs_route(VFIOPCIIrqs *irqs, unsigned v, hwaddr addr,
                         uint32_t data, uint32_t devid, Error **errp);
/* Vector V signals nothing (masked or disabled by the guest). */
void vfio_pci_irqs_unroute(VFIOPCIIrqs *irqs, unsigned v);
/*
 * Masked: V keeps its eventfd (the host device still signals it) but
 * nothing delivers it until the next route; its signals stay pending.
 */
void vfio_pci_irqs_mask(VFIOPCIIrqs *irqs, unsigned v);
/* Whether masked vector V was signalled since (its pending bit). */
bool vfio_pci_irqs_pending(const VFIOPCIIrqs *irqs, unsigned v);
/* Whether vector V is bound in the doorbell (else relayed, if routed). */
bool vfio_pci_irqs_bound(const VFIOPCIIrqs *irqs, unsigned v);
/* Signals the main loop relayed, over all vectors. */
uint64_t vfio_pci_irqs_relayed(const VFIOPCIIrqs *irqs);
/* Disable the index in the host device and free everything. */
void vfio_pci_irqs_free(VFIOPCIIrqs *irqs);

#endif /* HW_VFIO_PCI_IRQ_H */
