/*
 * The iommufd uAPI: the system's <linux/iommufd.h> when it has the
 * vEVENTQ (CONFIG_LINUX_IOMMUFD_VEVENTQ, found by meson), else vsmmu's own
 * definitions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_IOMMUFD_ABI_H
#define SYSTEM_IOMMUFD_ABI_H

#ifdef CONFIG_LINUX_IOMMUFD_VEVENTQ
#include <linux/iommufd.h>
#else
#include "system/iommufd-abi-defs.h"
#endif

/* Size of a vEVENTQ record header, the unit of the read() protocol. */
#define IOMMUFD_VEVENT_HEADER_SIZE  sizeof(struct iommufd_vevent_header)
/* Largest depth the kernel accepts for IOMMU_VEVENTQ_ALLOC (observed). */
#define IOMMUFD_VEVENTQ_MAX_DEPTH   (1u << 19)

#endif /* SYSTEM_IOMMUFD_ABI_H */
