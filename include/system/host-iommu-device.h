/*
 * A host device bound to an iommufd, as an IOMMU model sees it.
 *
 * vfio-pci creates one per assigned device (real hardware through a VFIO
 * cdev, or a device of the embedded emulated host) and hands it to the
 * IOMMU of its bus, which attaches it to the HWPTs it builds (nesting
 * parent, nested, abort, bypass).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_HOST_IOMMU_DEVICE_H
#define SYSTEM_HOST_IOMMU_DEVICE_H

#include "qapi/error.h"
#include "system/iommufd.h"

typedef struct HostIOMMUDevice HostIOMMUDevice;

typedef struct HostIOMMUDeviceOps {
    /* Attach to a HWPT (VFIO_DEVICE_ATTACH_IOMMUFD_PT); replaces any. */
    bool (*attach_hwpt)(HostIOMMUDevice *hiod, uint32_t hwpt_id,
                        Error **errp);
    /* Detach (VFIO_DEVICE_DETACH_IOMMUFD_PT). */
    bool (*detach_hwpt)(HostIOMMUDevice *hiod, Error **errp);
} HostIOMMUDeviceOps;

struct HostIOMMUDevice {
    char *name;                 /* for messages: "vfio-pci 'hostdev0'" */
    IOMMUFDBackend *iommufd;
    uint32_t devid;             /* iommufd device id */
    uint32_t ioas_id;           /* IOAS with guest RAM at guest-physical */
    uint32_t hwpt_id;           /* attached HWPT (or the IOAS), 0 if none */
    uint32_t host_sid;          /* physical StreamID if known, else ~0 */
    const HostIOMMUDeviceOps *ops;
    void *opaque;
};

bool host_iommu_device_attach_hwpt(HostIOMMUDevice *hiod, uint32_t hwpt_id,
                                   Error **errp);
bool host_iommu_device_detach_hwpt(HostIOMMUDevice *hiod, Error **errp);

#endif /* SYSTEM_HOST_IOMMU_DEVICE_H */
