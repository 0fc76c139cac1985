/*
 * The ABI list compiled against a real Linux uAPI header (>= 6.15), given
 * to meson as -Dlinux_headers=DIR.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommufd-abi-list.h"

#ifndef IOMMU_VEVENTQ_ALLOC
#error "the kernel headers given with -Dlinux_headers predate the vEVENTQ"
#endif

const AbiEntry iommufd_abi_kernel[] = { IOMMUFD_ABI_LIST };
const size_t iommufd_abi_kernel_len = sizeof(iommufd_abi_kernel) /
                                      sizeof(iommufd_abi_kernel[0]);
