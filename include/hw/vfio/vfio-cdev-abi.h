/*
 * VFIO uAPI: the system <linux/vfio.h>, plus vsmmu's definitions of the
 * device cdev ioctls when the system header predates them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_VFIO_VFIO_CDEV_ABI_H
#define HW_VFIO_VFIO_CDEV_ABI_H

#include <linux/vfio.h>
#ifndef VFIO_DEVICE_BIND_IOMMUFD
#include "hw/vfio/vfio-cdev-abi-defs.h"
#endif

#endif /* HW_VFIO_VFIO_CDEV_ABI_H */
