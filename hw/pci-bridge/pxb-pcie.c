/*
 * pxb-pcie: an extra PCIe root bus ("PCI expander bridge").
 *
 * libvirt puts each accelerated SMMUv3 on its own pxb-pcie bus:
 *
 *   -device '{"driver":"pxb-pcie","bus_nr":252,"id":"pci.1","bus":"pcie.0"}'
 *   -device '{"driver":"arm-smmuv3","primary-bus":"pci.1",...}'
 *
 * As in QEMU, the expander is a function on its parent bus (1b36:000b,
 * class host bridge, a type-0 header without BARs) and provides a root
 * bus of the same PCIe host, named by its id, numbered bus_nr: the
 * host's ECAM reaches bus bus_nr and the buses its bridges route.  Its
 * state is its config space (the PCI core's) and the bus; main thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci-device.h"

#define TYPE_PXB_PCIE "pxb-pcie"

typedef struct PXBState {
    PCIDevice parent_obj;
    uint8_t bus_nr;
    PCIBus *pci_bus;            /* the root bus it provides */
} PXBState;

static bool pxb_pcie_realize(PCIDevice *pdev, Error **errp)
{
    PXBState *s = (PXBState *)pdev;
    DeviceState *dev = &pdev->parent_obj;
    PCIBus *parent_bus = pdev->bus;

    if (!dev->id) {
        error_setg(errp, "pxb-pcie: an id is required, it names the bus");
        return false;
    }
    if (!parent_bus->is_root) {
        error_setg(errp, "pxb-pcie '%s': it plugs into a root bus, not"
                   " '%s'", dev->id, parent_bus->id);
        return false;
    }
    if (s->bus_nr <= pci_bus_num(parent_bus)) {
        error_setg(errp, "pxb-pcie '%s': bus_nr %u must be above the number"
                   " of its parent bus '%s' (%u)", dev->id, s->bus_nr,
                   parent_bus->id, pci_bus_num(parent_bus));
        return false;
    }
    s->pci_bus = pci_root_bus_new(parent_bus->host, dev->id, s->bus_nr,
                                  pdev, errp);
    if (!s->pci_bus) {
        return false;
    }
    if (!pci_bus_register(s->pci_bus, errp)) {
        g_clear_pointer(&s->pci_bus, pci_bus_free);
        return false;
    }
    return true;
}

static void pxb_pcie_exit(PCIDevice *pdev)
{
    PXBState *s = (PXBState *)pdev;

    g_clear_pointer(&s->pci_bus, pci_bus_free);
}

static const Property pxb_pcie_props[] = {
    DEFINE_PCI_DEVICE_PROPERTIES(),
    DEFINE_PROP_UINT8("bus_nr", PXBState, bus_nr, 0,
                      "number of the bus it provides"),
    DEFINE_PROP_END_OF_LIST(),
};

static const PCIDeviceClass pxb_pcie_class = {
    .parent_class = {
        .name = TYPE_PXB_PCIE,
        .desc = "PCI Express Expander Bridge",
        .category = "bridge",
        .instance_size = sizeof(PXBState),
        .user_creatable = true,
        .props = pxb_pcie_props,
        PCI_DEVICE_CLASS_COMMON,
    },
    .vendor_id = PCI_VENDOR_ID_REDHAT,
    .device_id = PCI_DEVICE_ID_REDHAT_PXB_PCIE,
    .class_id = PCI_CLASS_BRIDGE_HOST,
    .pci_realize = pxb_pcie_realize,
    .pci_exit = pxb_pcie_exit,
};

static void pxb_pcie_register_types(void)
{
    device_class_register(&pxb_pcie_class.parent_class);
}

type_init(pxb_pcie_register_types)
