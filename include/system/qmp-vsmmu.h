/*
 * QMP commands of the accelerated vSMMU and the embedded emulated host:
 * query-vsmmu, x-vsmmu-inject-host-event, x-vsmmu-host-event-rate, and
 * the VSMMU_EVENTS_LOST event.  See docs/system/arm/smmuv3-accel.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QMP_VSMMU_H
#define SYSTEM_QMP_VSMMU_H

void qmp_register_vsmmu_commands(void);
/* Stop event generators (before devices and hosts go away). */
void qmp_vsmmu_cleanup(void);

#endif /* SYSTEM_QMP_VSMMU_H */
