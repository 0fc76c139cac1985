/*
 * QMP commands of the accelerated vSMMU and the embedded emulated host:
 * query-vsmmu, x-query-emulated-host, and the VSMMU_EVENTS_LOST event.
 * See docs/system/arm/smmuv3-accel.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QMP_VSMMU_H
#define SYSTEM_QMP_VSMMU_H

#include "qapi/error.h"
#include "system/iommufd-emulated.h"
#include <json-glib/json-glib.h>

void qmp_register_vsmmu_commands(void);
/* Unregister what the commands registered (before devices go away). */
void qmp_vsmmu_cleanup(void);

/*
 * The emulated host of the iommufd named by args' "iommufd" member, or
 * NULL with an error naming it when it is missing or not emulated.
 */
IOMMUFDEmulatedHost *qmp_vsmmu_emulated_host(JsonObject *args, Error **errp);

#endif /* SYSTEM_QMP_VSMMU_H */
