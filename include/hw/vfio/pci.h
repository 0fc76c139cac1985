/*
 * vfio-pci: a host PCI device assigned through VFIO and bound to an
 * iommufd, or a device of the embedded emulated host, through the iommufd
 * backend's seam.  Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_VFIO_PCI_H
#define HW_VFIO_PCI_H

#include "hw/qdev-core.h"
#include "hw/pci/pci-device.h"
#include "system/host-iommu-device.h"

#define TYPE_VFIO_PCI_BASE "vfio-pci-base"     /* abstract, a pci-device */
#define TYPE_VFIO_PCI "vfio-pci"
#define VFIO_PCI_NO_PSID IOMMUFD_NO_PSID

typedef struct VFIOPCIDevice VFIOPCIDevice;
typedef struct VFIOMSIState VFIOMSIState;     /* hw/vfio/pci-msi.h */

/* A BAR of the host device: VFIO region index at region_offset. */
typedef struct VFIOBar {
    VFIOPCIDevice *vdev;
    int index;
    uint64_t region_offset;
    uint64_t size;              /* 0: not exposed */
    /* Its VFIO region's mmap()ed areas, mapped for the guest. */
    PCIBARHostArea mmaps[PCI_BAR_MAX_HOST_AREAS];
    unsigned nr_mmaps;
} VFIOBar;

struct VFIOPCIDevice {
    PCIDevice parent_obj;       /* bus=, addr=, multifunction= */

    /* properties */
    char *host;                 /* DDDD:BB:DD.F */
    char *sysfsdev;             /* /sys/bus/pci/devices/DDDD:BB:DD.F */
    char *iommufd_id;           /* link<iommufd> */
    uint32_t emulated_psid;     /* x-emulated-psid */
    char *fd_param;             /* fd: a VFIO cdev, number or getfd name */
    bool no_mmap;               /* x-no-mmap: every BAR access trapped */
    int passed_fd;              /* its descriptor until bound, or -1 */

    /* state */
    IOMMUFDBackend *be;
    IOMMUFDDevice hdev;         /* bound through the backend's seam */
    PCIBus *iommu_bus;          /* whose IOMMU it was announced to */
    HostIOMMUDevice hiod;
    uint64_t config_offset;     /* VFIO config region: file offset, size */
    uint32_t config_region_size;
    VFIOBar bars[PCI_NUM_REGIONS];
    uint64_t config_errors;     /* failed config region accesses */
    uint64_t bar_errors;        /* failed BAR region accesses */
    VFIOMSIState *msi;          /* MSI and MSI-X as the guest sees them */
};

/* Guest RAM of as, mapped at guest-physical IOVAs in an IOAS of be. */
bool vfio_iommufd_get_ram_ioas(IOMMUFDBackend *be, AddressSpace *as,
                               uint32_t *ioas_id, Error **errp);
void vfio_iommufd_put_ram_ioas(IOMMUFDBackend *be, AddressSpace *as);

/*
 * One access of size bytes (1, 2, 4 or 8) at offset in VFIO region
 * (0-5 the BARs, 7 the config space) of a bound host device: writes
 * *value when write, else reads into it.  Fails for a device whose
 * kernel has no regions (the emulated host), a missing region or an
 * access outside it.
 */
bool vfio_pci_region_access(VFIOPCIDevice *vdev, uint64_t region,
                            uint64_t offset, unsigned size, uint64_t *value,
                            bool write, Error **errp);

/* Parse "SLOT[.FN]" (hex, as QEMU's addr=) into a devfn. */
bool vfio_pci_parse_addr(const char *str, int *devfn, Error **errp);

#endif /* HW_VFIO_PCI_H */
