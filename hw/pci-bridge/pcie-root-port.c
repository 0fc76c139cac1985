/*
 * pcie-root-port: a PCI Express root port (QEMU's generic one,
 * 1b36:000c), the bridge libvirt puts each host device behind:
 *
 *   -device '{"driver":"pcie-root-port","port":8,"chassis":1,"id":"pci.1",
 *             "bus":"pcie.0","multifunction":true,"addr":"0x1"}'
 *   -device '{"driver":"vfio-pci","host":"0000:01:00.0","id":"hostdev0",
 *             "bus":"pci.1","addr":"0x0"}'
 *
 * A type-1 header (bus numbers, windows, bridge control: the guest
 * programs them, hw/pci/pci-bridge.c gives them meaning) with a PCIe
 * capability of a root port: port number in the link capabilities,
 * physical slot number (slot=) in the slot capabilities.  Its secondary
 * bus is named by its id and holds device 0 only.  chassis= is kept
 * for query output; nothing routes by it.  No hot plug, no MSI.
 *
 * State: the config space (the PCI core's) and the bus; main thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci-device.h"

#define TYPE_PCIE_ROOT_PORT "pcie-root-port"

typedef struct PCIERootPort {
    PCIDevice parent_obj;
    uint8_t port;
    uint8_t chassis;
    uint16_t slot;
} PCIERootPort;

static bool root_port_realize(PCIDevice *pdev, Error **errp)
{
    PCIERootPort *rp = (PCIERootPort *)pdev;
    DeviceState *dev = &pdev->parent_obj;
    uint8_t cap = pcie_cap_init(pdev, PCI_EXP_TYPE_ROOT_PORT);
    uint8_t *c = pdev->config + cap;
    static unsigned anon;
    g_autofree char *name = NULL;

    pci_set_word(c + PCI_EXP_FLAGS,
                 pci_get_word(c + PCI_EXP_FLAGS) | PCI_EXP_FLAGS_SLOT);
    pci_set_long(c + PCI_EXP_LNKCAP,
                 pci_get_long(c + PCI_EXP_LNKCAP) | (uint32_t)rp->port << 24);
    pci_set_long(c + PCI_EXP_SLTCAP,
                 (uint32_t)rp->slot << PCI_EXP_SLTCAP_PSN_SHIFT);
    pci_set_word(pdev->wmask + cap + PCI_EXP_SLTCTL, 0x1fff);
    pci_set_word(pdev->wmask + cap + PCI_EXP_RTCTL, 0x001f);
    pdev->w1cmask[cap + PCI_EXP_SLTSTA] = 0x1f;
    pci_set_long(pdev->w1cmask + cap + PCI_EXP_RTSTA, 0x00010000);
    name = dev->id ? g_strdup(dev->id)
                   : g_strdup_printf(TYPE_PCIE_ROOT_PORT ".%u", anon++);
    pdev->sec_bus = pci_secondary_bus_new(pdev, name);
    if (dev->id && !pci_bus_register(pdev->sec_bus, errp)) {
        g_clear_pointer(&pdev->sec_bus, pci_bus_free);
        return false;
    }
    return true;
}

static void root_port_exit(PCIDevice *pdev)
{
    g_clear_pointer(&pdev->sec_bus, pci_bus_free);
}

static const Property root_port_props[] = {
    DEFINE_PCI_DEVICE_PROPERTIES(),
    DEFINE_PROP_UINT8("port", PCIERootPort, port, 0,
                      "port number (link capabilities)"),
    DEFINE_PROP_UINT8("chassis", PCIERootPort, chassis, 0,
                      "chassis number"),
    DEFINE_PROP_UINT16("slot", PCIERootPort, slot, 0,
                       "physical slot number (slot capabilities)"),
    DEFINE_PROP_END_OF_LIST(),
};

static const PCIDeviceClass root_port_class = {
    .parent_class = {
        .name = TYPE_PCIE_ROOT_PORT,
        .desc = "PCI Express Root Port",
        .category = "bridge",
        .instance_size = sizeof(PCIERootPort),
        .user_creatable = true,
        .props = root_port_props,
        PCI_DEVICE_CLASS_COMMON,
    },
    .vendor_id = PCI_VENDOR_ID_REDHAT,
    .device_id = PCI_DEVICE_ID_REDHAT_PCIE_RP,
    .class_id = PCI_CLASS_BRIDGE_PCI,
    .is_bridge = true,
    .is_express = true,
    .pci_realize = root_port_realize,
    .pci_exit = root_port_exit,
};

static void root_port_register_types(void)
{
    device_class_register(&root_port_class.parent_class);
}

type_init(root_port_register_types)
