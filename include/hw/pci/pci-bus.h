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
#include "system/memory.h"

#define TYPE_PCI_BUS "PCI"

typedef struct PCIBus PCIBus;
typedef struct HostIOMMUDevice HostIOMMUDevice;

/*
 * What an IOMMU on a bus offers the devices behind it: host devices
 * (vfio-pci) announce themselves so an accelerated vIOMMU can set up
 * nesting for them, and emulated devices have their DMA translated.
 */
typedef struct PCIIOMMUOps {
    bool (*set_iommu_device)(PCIBus *bus, void *opaque, int devfn,
                             HostIOMMUDevice *hiod, Error **errp);
    void (*unset_iommu_device)(PCIBus *bus, void *opaque, int devfn);
    /*
     * One DMA access by requester_id (bus number << 8 | devfn, as the guest's
     * enumeration numbered it) at addr.  True: *entry holds the mapping that
     * covers addr.  False: a fault, already reported by the IOMMU (event queue).
     */
    bool (*translate)(PCIBus *bus, void *opaque, uint16_t requester_id,
                      uint64_t addr, bool is_write, IOMMUTLBEntry *entry);
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
