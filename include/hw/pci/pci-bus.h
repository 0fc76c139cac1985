/*
 * A PCI bus as far as vsmmu needs one: something an IOMMU attaches to
 * (primary-bus=ID) and host devices sit on (bus=ID), identified by its id
 * in the object registry with type TYPE_PCI_BUS.
 *
 * The board creates "pcie.0" (bus number 0) for -machine virt; pxb-pcie
 * devices add buses with their own numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_PCI_BUS_H
#define HW_PCI_PCI_BUS_H

#include "hw/qdev-core.h"

#define TYPE_PCI_BUS "PCI"

typedef struct PCIBus {
    char *id;                   /* "pcie.0", "pci.1", ... */
    uint8_t bus_num;            /* the bus number devices on it get */
    DeviceState *iommu;         /* the IOMMU attached to it, or NULL */
} PCIBus;

/* A PCI requester ID: bus number and devfn, as an SMMU StreamID. */
static inline uint32_t pci_requester_id(uint8_t bus_num, uint8_t devfn)
{
    return ((uint32_t)bus_num << 8) | devfn;
}

#endif /* HW_PCI_PCI_BUS_H */
