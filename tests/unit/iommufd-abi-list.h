/*
 * Every iommufd and VFIO cdev uAPI item vsmmu defines itself, as X-macros, so that one
 * list is compiled against two headers and compared.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef IOMMUFD_ABI_LIST_H
#define IOMMUFD_ABI_LIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct AbiEntry {
    const char *what;       /* "struct x", "struct x.field", "CONST" */
    uint64_t size;          /* sizeof, or the constant's value */
    uint64_t offset;        /* offsetof for fields, else 0 */
} AbiEntry;

#define ABI_S(s)      { "struct " #s, sizeof(struct s), 0 },
#define ABI_F(s, f)   { "struct " #s "." #f, sizeof(((struct s *)0)->f), \
                        offsetof(struct s, f) },
#define ABI_C(c)      { #c, (uint64_t)(c), 0 },

#define IOMMUFD_ABI_LIST                                            \
    ABI_C(IOMMUFD_TYPE)                                             \
    ABI_C(IOMMU_DESTROY) ABI_C(IOMMU_IOAS_ALLOC) ABI_C(IOMMU_IOAS_MAP) \
    ABI_C(IOMMU_IOAS_MAP_FILE) ABI_C(IOMMU_IOAS_UNMAP)              \
    ABI_C(IOMMU_HWPT_ALLOC) ABI_C(IOMMU_GET_HW_INFO)                \
    ABI_C(IOMMU_HWPT_INVALIDATE) ABI_C(IOMMU_VIOMMU_ALLOC)          \
    ABI_C(IOMMU_VDEVICE_ALLOC) ABI_C(IOMMU_VEVENTQ_ALLOC)           \
    ABI_S(iommu_destroy) ABI_F(iommu_destroy, size)                 \
    ABI_F(iommu_destroy, id)                                        \
    ABI_S(iommu_ioas_alloc) ABI_F(iommu_ioas_alloc, size)           \
    ABI_F(iommu_ioas_alloc, flags) ABI_F(iommu_ioas_alloc, out_ioas_id) \
    ABI_C(IOMMU_IOAS_MAP_FIXED_IOVA) ABI_C(IOMMU_IOAS_MAP_WRITEABLE) \
    ABI_C(IOMMU_IOAS_MAP_READABLE)                                  \
    ABI_S(iommu_ioas_map) ABI_F(iommu_ioas_map, size)               \
    ABI_F(iommu_ioas_map, flags) ABI_F(iommu_ioas_map, ioas_id)     \
    ABI_F(iommu_ioas_map, __reserved) ABI_F(iommu_ioas_map, user_va) \
    ABI_F(iommu_ioas_map, length) ABI_F(iommu_ioas_map, iova)       \
    ABI_S(iommu_ioas_map_file) ABI_F(iommu_ioas_map_file, size)     \
    ABI_F(iommu_ioas_map_file, flags) ABI_F(iommu_ioas_map_file, ioas_id) \
    ABI_F(iommu_ioas_map_file, fd) ABI_F(iommu_ioas_map_file, start) \
    ABI_F(iommu_ioas_map_file, length) ABI_F(iommu_ioas_map_file, iova) \
    ABI_S(iommu_ioas_unmap) ABI_F(iommu_ioas_unmap, size)           \
    ABI_F(iommu_ioas_unmap, ioas_id) ABI_F(iommu_ioas_unmap, iova)  \
    ABI_F(iommu_ioas_unmap, length)                                 \
    ABI_C(IOMMU_HWPT_ALLOC_NEST_PARENT)                             \
    ABI_C(IOMMU_HWPT_ALLOC_DIRTY_TRACKING)                          \
    ABI_C(IOMMU_HWPT_FAULT_ID_VALID) ABI_C(IOMMU_HWPT_ALLOC_PASID)  \
    ABI_C(IOMMU_HWPT_DATA_NONE) ABI_C(IOMMU_HWPT_DATA_VTD_S1)       \
    ABI_C(IOMMU_HWPT_DATA_ARM_SMMUV3)                               \
    ABI_S(iommu_hwpt_arm_smmuv3) ABI_F(iommu_hwpt_arm_smmuv3, ste)  \
    ABI_S(iommu_hwpt_alloc) ABI_F(iommu_hwpt_alloc, size)           \
    ABI_F(iommu_hwpt_alloc, flags) ABI_F(iommu_hwpt_alloc, dev_id)  \
    ABI_F(iommu_hwpt_alloc, pt_id) ABI_F(iommu_hwpt_alloc, out_hwpt_id) \
    ABI_F(iommu_hwpt_alloc, __reserved) ABI_F(iommu_hwpt_alloc, data_type) \
    ABI_F(iommu_hwpt_alloc, data_len) ABI_F(iommu_hwpt_alloc, data_uptr) \
    ABI_F(iommu_hwpt_alloc, fault_id) ABI_F(iommu_hwpt_alloc, __reserved2) \
    ABI_C(IOMMU_HW_INFO_TYPE_NONE) ABI_C(IOMMU_HW_INFO_TYPE_DEFAULT) \
    ABI_C(IOMMU_HW_INFO_TYPE_INTEL_VTD)                             \
    ABI_C(IOMMU_HW_INFO_TYPE_ARM_SMMUV3)                            \
    ABI_C(IOMMU_HW_INFO_FLAG_INPUT_TYPE)                            \
    ABI_C(IOMMU_HW_CAP_DIRTY_TRACKING) ABI_C(IOMMU_HW_CAP_PCI_PASID_EXEC) \
    ABI_C(IOMMU_HW_CAP_PCI_PASID_PRIV)                              \
    ABI_S(iommu_hw_info_arm_smmuv3)                                 \
    ABI_F(iommu_hw_info_arm_smmuv3, flags)                          \
    ABI_F(iommu_hw_info_arm_smmuv3, __reserved)                     \
    ABI_F(iommu_hw_info_arm_smmuv3, idr)                            \
    ABI_F(iommu_hw_info_arm_smmuv3, iidr)                           \
    ABI_F(iommu_hw_info_arm_smmuv3, aidr)                           \
    ABI_S(iommu_hw_info) ABI_F(iommu_hw_info, size)                 \
    ABI_F(iommu_hw_info, flags) ABI_F(iommu_hw_info, dev_id)        \
    ABI_F(iommu_hw_info, data_len) ABI_F(iommu_hw_info, data_uptr)  \
    ABI_F(iommu_hw_info, in_data_type)                              \
    ABI_F(iommu_hw_info, out_data_type)                             \
    ABI_F(iommu_hw_info, out_max_pasid_log2)                        \
    ABI_F(iommu_hw_info, __reserved)                                \
    ABI_F(iommu_hw_info, out_capabilities)                          \
    ABI_C(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1)                        \
    ABI_C(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3)                  \
    ABI_S(iommu_viommu_arm_smmuv3_invalidate)                       \
    ABI_F(iommu_viommu_arm_smmuv3_invalidate, cmd)                  \
    ABI_S(iommu_hwpt_invalidate) ABI_F(iommu_hwpt_invalidate, size) \
    ABI_F(iommu_hwpt_invalidate, hwpt_id)                           \
    ABI_F(iommu_hwpt_invalidate, data_uptr)                         \
    ABI_F(iommu_hwpt_invalidate, data_type)                         \
    ABI_F(iommu_hwpt_invalidate, entry_len)                         \
    ABI_F(iommu_hwpt_invalidate, entry_num)                         \
    ABI_F(iommu_hwpt_invalidate, __reserved)                        \
    ABI_C(IOMMU_VIOMMU_TYPE_DEFAULT) ABI_C(IOMMU_VIOMMU_TYPE_ARM_SMMUV3) \
    ABI_S(iommu_viommu_alloc) ABI_F(iommu_viommu_alloc, size)       \
    ABI_F(iommu_viommu_alloc, flags) ABI_F(iommu_viommu_alloc, type) \
    ABI_F(iommu_viommu_alloc, dev_id) ABI_F(iommu_viommu_alloc, hwpt_id) \
    ABI_F(iommu_viommu_alloc, out_viommu_id)                        \
    ABI_F(iommu_viommu_alloc, data_len)                             \
    ABI_F(iommu_viommu_alloc, __reserved)                           \
    ABI_F(iommu_viommu_alloc, data_uptr)                            \
    ABI_S(iommu_vdevice_alloc) ABI_F(iommu_vdevice_alloc, size)     \
    ABI_F(iommu_vdevice_alloc, viommu_id)                           \
    ABI_F(iommu_vdevice_alloc, dev_id)                              \
    ABI_F(iommu_vdevice_alloc, out_vdevice_id)                      \
    ABI_F(iommu_vdevice_alloc, virt_id)                             \
    ABI_C(IOMMU_VEVENTQ_FLAG_LOST_EVENTS)                           \
    ABI_S(iommufd_vevent_header) ABI_F(iommufd_vevent_header, flags) \
    ABI_F(iommufd_vevent_header, sequence)                          \
    ABI_C(IOMMU_VEVENTQ_TYPE_DEFAULT) ABI_C(IOMMU_VEVENTQ_TYPE_ARM_SMMUV3) \
    ABI_S(iommu_vevent_arm_smmuv3) ABI_F(iommu_vevent_arm_smmuv3, evt) \
    ABI_S(iommu_veventq_alloc) ABI_F(iommu_veventq_alloc, size)     \
    ABI_F(iommu_veventq_alloc, flags)                               \
    ABI_F(iommu_veventq_alloc, viommu_id)                           \
    ABI_F(iommu_veventq_alloc, type)                                \
    ABI_F(iommu_veventq_alloc, veventq_depth)                       \
    ABI_F(iommu_veventq_alloc, out_veventq_id)                      \
    ABI_F(iommu_veventq_alloc, out_veventq_fd)                      \
    ABI_F(iommu_veventq_alloc, __reserved)                          \
    ABI_C(VFIO_DEVICE_BIND_IOMMUFD) ABI_C(VFIO_DEVICE_BIND_FLAG_TOKEN) \
    ABI_S(vfio_device_bind_iommufd)                                 \
    ABI_F(vfio_device_bind_iommufd, argsz)                          \
    ABI_F(vfio_device_bind_iommufd, flags)                          \
    ABI_F(vfio_device_bind_iommufd, iommufd)                        \
    ABI_F(vfio_device_bind_iommufd, out_devid)                      \
    ABI_F(vfio_device_bind_iommufd, token_uuid_ptr)                 \
    ABI_C(VFIO_DEVICE_ATTACH_IOMMUFD_PT) ABI_C(VFIO_DEVICE_ATTACH_PASID) \
    ABI_S(vfio_device_attach_iommufd_pt)                            \
    ABI_F(vfio_device_attach_iommufd_pt, argsz)                     \
    ABI_F(vfio_device_attach_iommufd_pt, flags)                     \
    ABI_F(vfio_device_attach_iommufd_pt, pt_id)                     \
    ABI_F(vfio_device_attach_iommufd_pt, pasid)                     \
    ABI_C(VFIO_DEVICE_DETACH_IOMMUFD_PT) ABI_C(VFIO_DEVICE_DETACH_PASID) \
    ABI_S(vfio_device_detach_iommufd_pt)                            \
    ABI_F(vfio_device_detach_iommufd_pt, argsz)                     \
    ABI_F(vfio_device_detach_iommufd_pt, flags)                     \
    ABI_F(vfio_device_detach_iommufd_pt, pasid)

extern const AbiEntry iommufd_abi_ours[];
extern const AbiEntry iommufd_abi_kernel[];
extern const size_t iommufd_abi_ours_len;
extern const size_t iommufd_abi_kernel_len;

#endif
