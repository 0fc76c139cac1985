/*
 * The ABI list compiled against vsmmu's own definitions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "system/iommufd-abi-defs.h"
#include "system/vfio-cdev-abi-defs.h"
#include "iommufd-abi-list.h"

const AbiEntry iommufd_abi_ours[] = { IOMMUFD_ABI_LIST };
const size_t iommufd_abi_ours_len = sizeof(iommufd_abi_ours) /
                                    sizeof(iommufd_abi_ours[0]);
