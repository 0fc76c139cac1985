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

typedef struct PCIBus PCIBus;
typedef struct HostIOMMUDevice HostIOMMUDevice;

/*
 * What an IOMMU on a bus offers the devices behind it: host devices
 * (vfio-pci) announce themselves so an accelerated vIOMMU can set up
 * nesting for them.
 */
typedef struct PCIIOMMUOps {
    bool (*set_iommu_device)(PCIBus *bus, void *opaque, int devfn,
                             HostIOMMUDevice *hiod, Error **errp);
    void (*unset_iommu_device)(PCIBus *bus, void *opaque, int devfn);
} PCIIOMMUOps;

struct PCIBus {
    char *id;                   /* "pcie.0", "pci.1", ... */
    uint8_t bus_num;            /* the bus number devices on it get */
    DeviceState *iommu;         /* the IOMMU attached to it, or NULL */
    const PCIIOMMUOps *iommu_ops;   /* set by that IOMMU, if it cares */
    void *iommu_opaque;
    uint32_t slots_used;        /* bit n: slot n has a device */
};

/* A PCI requester ID: bus number and devfn, as an SMMU StreamID. */
static inline uint32_t pci_requester_id(uint8_t bus_num, uint8_t devfn)
{
    return ((uint32_t)bus_num << 8) | devfn;
}

#endif /* HW_PCI_PCI_BUS_H */
