/*
 * VFIO uAPI: the system <linux/vfio.h>, plus vsmmu's definitions of the
 * device cdev ioctls when the system header predates them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_VFIO_CDEV_ABI_H
#define SYSTEM_VFIO_CDEV_ABI_H

#include <linux/vfio.h>
#ifndef VFIO_DEVICE_BIND_IOMMUFD
#include "system/vfio-cdev-abi-defs.h"
#endif

#endif /* SYSTEM_VFIO_CDEV_ABI_H */
