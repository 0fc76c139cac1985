/*
 * vsmmu's own definitions of the subset of the Linux iommufd uAPI it uses.
 *
 * Written from the ABI (structure layouts, constants and ioctl numbers are
 * part of the kernel's stable user interface) for build hosts whose
 * <linux/iommufd.h> predates the vEVENTQ (Linux 6.15).  Do not include
 * this file directly: include "system/iommufd-abi.h", which picks the
 * system header when it is new enough.  tests/unit/test-iommufd-abi.c
 * checks every definition here against a real kernel header.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_IOMMUFD_ABI_DEFS_H
#define SYSTEM_IOMMUFD_ABI_DEFS_H

#include <linux/types.h>
#include <linux/ioctl.h>

#ifndef __aligned_u64
#define __aligned_u64 __u64 __attribute__((aligned(8)))
#endif
#ifndef __aligned_le64
#define __aligned_le64 __le64 __attribute__((aligned(8)))
#endif

#define IOMMUFD_TYPE                (';')

/* Command numbers, relative to IOMMUFD_CMD_BASE. */
#define IOMMUFD_CMD_DESTROY          0x80
#define IOMMUFD_CMD_IOAS_ALLOC       0x81
#define IOMMUFD_CMD_IOAS_MAP         0x85
#define IOMMUFD_CMD_IOAS_UNMAP       0x86
#define IOMMUFD_CMD_HWPT_ALLOC       0x89
#define IOMMUFD_CMD_GET_HW_INFO      0x8a
#define IOMMUFD_CMD_HWPT_INVALIDATE  0x8d
#define IOMMUFD_CMD_IOAS_MAP_FILE    0x8f
#define IOMMUFD_CMD_VIOMMU_ALLOC     0x90
#define IOMMUFD_CMD_VDEVICE_ALLOC    0x91
#define IOMMUFD_CMD_VEVENTQ_ALLOC    0x93

/* IOMMU_DESTROY: destroy any object by id. */
struct iommu_destroy {
    __u32 size;
    __u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/* IOMMU_IOAS_ALLOC: a new I/O address space. */
struct iommu_ioas_alloc {
    __u32 size;
    __u32 flags;
    __u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

enum iommufd_ioas_map_flags {
    IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
    IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
    IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/* IOMMU_IOAS_MAP: map user memory at an IOVA. */
struct iommu_ioas_map {
    __u32 size;
    __u32 flags;
    __u32 ioas_id;
    __u32 __reserved;
    __aligned_u64 user_va;
    __aligned_u64 length;
    __aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/* IOMMU_IOAS_MAP_FILE: map a range of a memfd at an IOVA. */
struct iommu_ioas_map_file {
    __u32 size;
    __u32 flags;
    __u32 ioas_id;
    __s32 fd;
    __aligned_u64 start;
    __aligned_u64 length;
    __aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/* IOMMU_IOAS_UNMAP: unmap an IOVA range. */
struct iommu_ioas_unmap {
    __u32 size;
    __u32 ioas_id;
    __aligned_u64 iova;
    __aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

enum iommufd_hwpt_alloc_flags {
    IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
    IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
    IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
    IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

enum iommu_hwpt_data_type {
    IOMMU_HWPT_DATA_NONE = 0,
    IOMMU_HWPT_DATA_VTD_S1 = 1,
    IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
};

/* Nested HWPT data for ARM SMMUv3: the guest's STE, little-endian. */
struct iommu_hwpt_arm_smmuv3 {
    __aligned_le64 ste[2];
};

/* IOMMU_HWPT_ALLOC: a hardware page table (paging or nested). */
struct iommu_hwpt_alloc {
    __u32 size;
    __u32 flags;
    __u32 dev_id;
    __u32 pt_id;
    __u32 out_hwpt_id;
    __u32 __reserved;
    __u32 data_type;
    __u32 data_len;
    __aligned_u64 data_uptr;
    __u32 fault_id;
    __u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

enum iommu_hw_info_type {
    IOMMU_HW_INFO_TYPE_NONE = 0,
    IOMMU_HW_INFO_TYPE_DEFAULT = 0,
    IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
    IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
};

enum iommufd_hw_info_flags {
    IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

enum iommufd_hw_capabilities {
    IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
    IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
    IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

/* IOMMU_GET_HW_INFO data for ARM SMMUv3: the host SMMU's ID registers. */
struct iommu_hw_info_arm_smmuv3 {
    __u32 flags;
    __u32 __reserved;
    __u32 idr[6];
    __u32 iidr;
    __u32 aidr;
};

/* IOMMU_GET_HW_INFO: what the IOMMU behind a device can do. */
struct iommu_hw_info {
    __u32 size;
    __u32 flags;
    __u32 dev_id;
    __u32 data_len;
    __aligned_u64 data_uptr;
    union {
        __u32 in_data_type;
        __u32 out_data_type;
    };
    __u8 out_max_pasid_log2;
    __u8 __reserved[3];
    __aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

enum iommu_hwpt_invalidate_data_type {
    IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
    IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

/* One SMMUv3 command (two little-endian 64-bit words). */
struct iommu_viommu_arm_smmuv3_invalidate {
    __aligned_le64 cmd[2];
};

/* IOMMU_HWPT_INVALIDATE: cache invalidation through a HWPT or vIOMMU. */
struct iommu_hwpt_invalidate {
    __u32 size;
    __u32 hwpt_id;
    __aligned_u64 data_uptr;
    __u32 data_type;
    __u32 entry_len;
    __u32 entry_num;
    __u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

enum iommu_viommu_type {
    IOMMU_VIOMMU_TYPE_DEFAULT = 0,
    IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
};

/* IOMMU_VIOMMU_ALLOC: a virtual IOMMU on top of a nesting parent HWPT. */
struct iommu_viommu_alloc {
    __u32 size;
    __u32 flags;
    __u32 type;
    __u32 dev_id;
    __u32 hwpt_id;
    __u32 out_viommu_id;
    __u32 data_len;
    __u32 __reserved;
    __aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/* IOMMU_VDEVICE_ALLOC: a device's virtual ID (e.g. vSID) in a vIOMMU. */
struct iommu_vdevice_alloc {
    __u32 size;
    __u32 viommu_id;
    __u32 dev_id;
    __u32 out_vdevice_id;
    __aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

enum iommu_veventq_flag {
    IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0),
};

/* Header of every record read from a vEVENTQ fd. */
struct iommufd_vevent_header {
    __u32 flags;
    __u32 sequence;
};

enum iommu_veventq_type {
    IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
    IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
};

/* Payload of an ARM SMMUv3 vEVENT: one 256-bit event record, LE. */
struct iommu_vevent_arm_smmuv3 {
    __aligned_le64 evt[4];
};

/* IOMMU_VEVENTQ_ALLOC: an event queue of one type on a vIOMMU. */
struct iommu_veventq_alloc {
    __u32 size;
    __u32 flags;
    __u32 viommu_id;
    __u32 type;
    __u32 veventq_depth;
    __u32 out_veventq_id;
    __u32 out_veventq_fd;
    __u32 __reserved;
};
#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

#endif /* SYSTEM_IOMMUFD_ABI_DEFS_H */
