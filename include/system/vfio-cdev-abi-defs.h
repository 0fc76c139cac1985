/*
 * vsmmu's own definitions of the VFIO device cdev ioctls that bind a
 * device to an iommufd (Linux 6.6+), for build hosts whose <linux/vfio.h>
 * predates them.  Written from the ABI; tests/unit/test-iommufd-abi.c
 * checks them against a real kernel header.  Include
 * "system/vfio-cdev-abi.h" instead of this file.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_VFIO_CDEV_ABI_DEFS_H
#define SYSTEM_VFIO_CDEV_ABI_DEFS_H

#include <linux/types.h>
#include <linux/ioctl.h>

#ifndef __aligned_u64
#define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif

#ifndef VFIO_TYPE
#define VFIO_TYPE   (';')
#define VFIO_BASE   100
#endif

/* Bind the device to an iommufd; out_devid names it in iommufd ioctls. */
struct vfio_device_bind_iommufd {
    __u32 argsz;
    __u32 flags;
    __s32 iommufd;
    __u32 out_devid;
    __aligned_u64 token_uuid_ptr;
};
#define VFIO_DEVICE_BIND_FLAG_TOKEN (1 << 0)
#define VFIO_DEVICE_BIND_IOMMUFD    _IO(VFIO_TYPE, VFIO_BASE + 18)

/* Attach the device to an IOAS or HWPT. */
struct vfio_device_attach_iommufd_pt {
    __u32 argsz;
    __u32 flags;
    __u32 pt_id;
    __u32 pasid;
};
#define VFIO_DEVICE_ATTACH_PASID        (1 << 0)
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT   _IO(VFIO_TYPE, VFIO_BASE + 19)

/* Detach it again. */
struct vfio_device_detach_iommufd_pt {
    __u32 argsz;
    __u32 flags;
    __u32 pasid;
};
#define VFIO_DEVICE_DETACH_PASID        (1 << 0)
#define VFIO_DEVICE_DETACH_IOMMUFD_PT   _IO(VFIO_TYPE, VFIO_BASE + 20)

#endif /* SYSTEM_VFIO_CDEV_ABI_DEFS_H */
