/*
 * The PCI device type names of the type hierarchy (qom/object.h).
 *
 *   pci-device -> device            abstract: every PCI function
 *   pci-express-device              interface: a PCI Express function
 *   conventional-pci-device         interface: a conventional PCI one
 *
 * A PCI device type sets .parent = TYPE_PCI_DEVICE and implements one
 * or both interfaces.  The buses: "PCI" (TYPE_PCI_BUS) and "PCIE", a PCI
 * bus, the root bus of a PCIe host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_PCI_DEVICE_H
#define HW_PCI_PCI_DEVICE_H

#define TYPE_PCI_DEVICE                     "pci-device"
#define INTERFACE_PCIE_DEVICE               "pci-express-device"
#define INTERFACE_CONVENTIONAL_PCI_DEVICE   "conventional-pci-device"
#define TYPE_PCIE_BUS                       "PCIE"

#endif /* HW_PCI_PCI_DEVICE_H */
