/*
 * QMP commands of assigned host devices (system/qmp-vfio.c):
 * x-vfio-pci-region.  See docs/interop/qmp.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QMP_VFIO_H
#define SYSTEM_QMP_VFIO_H

void qmp_register_vfio_commands(void);

#endif /* SYSTEM_QMP_VFIO_H */
