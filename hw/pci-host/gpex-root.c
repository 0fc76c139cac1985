/*
 * gpex-root: the host bridge function at 00:00.0 of the virt machine's
 * PCIe host, as QEMU's (1b36:0008, class host bridge).  The board
 * creates it; users cannot.  No state beyond its config space (owned by
 * the PCI core).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/pci-device.h"

static const Property gpex_root_props[] = {
    DEFINE_PCI_DEVICE_PROPERTIES(),
    DEFINE_PROP_END_OF_LIST(),
};

static const PCIDeviceClass gpex_root_class = {
    .parent_class = {
        .name = "gpex-root",
        .desc = "QEMU generic PCIe host bridge",
        .category = "bridge",
        .instance_size = sizeof(PCIDevice),
        .props = gpex_root_props,
        PCI_DEVICE_CLASS_COMMON,
    },
    .vendor_id = PCI_VENDOR_ID_REDHAT,
    .device_id = PCI_DEVICE_ID_REDHAT_PCIE_HOST,
    .class_id = PCI_CLASS_BRIDGE_HOST,
    .is_express = true,
};

static void gpex_root_register_types(void)
{
    device_class_register(&gpex_root_class.parent_class);
}

type_init(gpex_root_register_types)
