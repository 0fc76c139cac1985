/*
 * vfio-pci: a host PCI device assigned through VFIO and bound to an
 * iommufd, or a device of the embedded emulated host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_VFIO_PCI_H
#define HW_VFIO_PCI_H

#include "hw/qdev-core.h"
#include "hw/pci/pci-bus.h"
#include "system/host-iommu-device.h"

#define TYPE_VFIO_PCI "vfio-pci"
#define VFIO_PCI_NO_PSID UINT32_MAX

typedef struct VFIOPCIDevice {
    DeviceState parent_obj;

    /* properties */
    char *host;                 /* DDDD:BB:DD.F */
    char *sysfsdev;             /* /sys/bus/pci/devices/DDDD:BB:DD.F */
    char *iommufd_id;           /* link<iommufd> */
    char *bus_id;               /* link<PCI>, default "pcie.0" */
    int32_t addr;               /* devfn, -1 (default): first free slot */
    uint32_t emulated_psid;     /* x-emulated-psid */

    /* state */
    IOMMUFDBackend *be;
    PCIBus *bus;
    int devfn;
    int fd;                     /* VFIO device cdev, -1 if emulated */
    bool emulated;
    bool iommu_device_set;      /* announced to the bus's IOMMU */
    HostIOMMUDevice hiod;
} VFIOPCIDevice;

/* Guest RAM of as, mapped at guest-physical IOVAs in an IOAS of be. */
bool vfio_iommufd_get_ram_ioas(IOMMUFDBackend *be, AddressSpace *as,
                               uint32_t *ioas_id, Error **errp);
void vfio_iommufd_put_ram_ioas(IOMMUFDBackend *be, AddressSpace *as);

#endif /* HW_VFIO_PCI_H */
