/*
 * QMP introspection (system/qmp-qom.c): query-machines, qom-list-types,
 * device-list-properties, qom-list-properties, qom-list, qom-get; and
 * the human monitor (system/hmp.c): human-monitor-command.  See
 * docs/interop/qmp.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QMP_QOM_H
#define SYSTEM_QMP_QOM_H

void qmp_register_qom_commands(void);
void qmp_register_hmp_commands(void);

#endif /* SYSTEM_QMP_QOM_H */
