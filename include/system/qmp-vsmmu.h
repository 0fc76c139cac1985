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
#include "hw/arm/smmuv3.h"
#include "system/iommufd-emulated.h"
#include <json-glib/json-glib.h>

void qmp_register_vsmmu_commands(void);
/* Unregister what the commands registered (before devices go away). */
void qmp_vsmmu_cleanup(void);

/*
 * The "translation" member of @s's query-vsmmu element: the counters of
 * its translation for emulated endpoints (hw/arm/smmuv3-translate.h).
 */
JsonObject *qmp_vsmmu_translation(SMMUv3State *s);

/*
 * The emulated host of the iommufd named by args' "iommufd" member, or
 * NULL with an error naming it when it is missing or not emulated.
 */
IOMMUFDEmulatedHost *qmp_vsmmu_emulated_host(JsonObject *args, Error **errp);

#endif /* SYSTEM_QMP_VSMMU_H */
