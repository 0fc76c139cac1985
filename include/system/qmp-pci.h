/*
 * QMP query-pci (system/qmp-pci.c): the PCI topology as the guest
 * programmed it, in QEMU's reply shape.  See docs/interop/qmp.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QMP_PCI_H
#define SYSTEM_QMP_PCI_H

void qmp_register_pci_commands(void);

#endif /* SYSTEM_QMP_PCI_H */
