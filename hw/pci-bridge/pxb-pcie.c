/*
 * pxb-pcie: an extra PCIe root bus ("PCI expander bridge").
 *
 * libvirt puts each accelerated SMMUv3 on its own pxb-pcie bus:
 *
 *   -device '{"driver":"pxb-pcie","bus_nr":252,"id":"pci.1","bus":"pcie.0"}'
 *   -device '{"driver":"arm-smmuv3","primary-bus":"pci.1",...}'
 *
 * The device registers a PCIBus named by its id, with bus number bus_nr,
 * for the primary-bus and bus links of other devices.  It has no
 * registers and no interrupts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci-bus.h"
#include "hw/pci/pci-device.h"

#define TYPE_PXB_PCIE "pxb-pcie"

typedef struct PXBState {
    DeviceState parent_obj;
    uint8_t bus_nr;
    char *bus;                  /* link<PCI>: the bus it plugs into */
    int32_t addr;               /* devfn on that bus; checked, not modelled */
    PCIBus *pci_bus;            /* the bus it provides */
} PXBState;

static bool pxb_pcie_realize(DeviceState *dev, Error **errp)
{
    PXBState *s = (PXBState *)dev;
    const char *parent = s->bus ? s->bus : "pcie.0";
    PCIBus *parent_bus;

    if (!dev->id) {
        error_setg(errp, "pxb-pcie: an id is required, it names the bus");
        return false;
    }
    parent_bus = object_registry_resolve(TYPE_PXB_PCIE, "bus", parent,
                                         TYPE_PCI_BUS, errp);
    if (!parent_bus) {
        return false;
    }
    if (s->bus_nr <= parent_bus->bus_num) {
        error_setg(errp, "pxb-pcie '%s': bus_nr %u must be above the number"
                   " of its parent bus '%s' (%u)", dev->id, s->bus_nr,
                   parent_bus->id, parent_bus->bus_num);
        return false;
    }
    s->pci_bus = g_new0(PCIBus, 1);
    s->pci_bus->id = g_strdup(dev->id);
    s->pci_bus->bus_num = s->bus_nr;
    if (!object_registry_add(dev->id, TYPE_PCI_BUS, s->pci_bus, errp)) {
        g_free(s->pci_bus->id);
        g_clear_pointer(&s->pci_bus, g_free);
        return false;
    }
    return true;
}

static void pxb_pcie_unrealize(DeviceState *dev)
{
    PXBState *s = (PXBState *)dev;

    object_registry_remove(s->pci_bus->id);
    g_free(s->pci_bus->id);
    g_clear_pointer(&s->pci_bus, g_free);
}

static const Property pxb_pcie_props[] = {
    DEFINE_PROP_UINT8("bus_nr", PXBState, bus_nr, 0,
                      "number of the bus it provides"),
    DEFINE_PROP_LINK("bus", PXBState, bus, "link<PCI>",
                     "the bus it plugs into (default pcie.0)"),
    DEFINE_PROP_PCI_DEVFN("addr", PXBState, addr,
                          "slot and function on that bus (not modelled)"),
    DEFINE_PROP_END_OF_LIST(),
};

static const char *const pxb_pcie_interfaces[] = {
    INTERFACE_CONVENTIONAL_PCI_DEVICE, NULL
};

static const DeviceClass pxb_pcie_class = {
    .name = TYPE_PXB_PCIE,
    .desc = "PCI Express Expander Bridge",
    .category = "bridge",
    .parent = TYPE_PCI_DEVICE,
    .interfaces = pxb_pcie_interfaces,
    .instance_size = sizeof(PXBState),
    .user_creatable = true,
    .props = pxb_pcie_props,
    .realize = pxb_pcie_realize,
    .unrealize = pxb_pcie_unrealize,
};

static void pxb_pcie_register_types(void)
{
    device_class_register(&pxb_pcie_class);
}

type_init(pxb_pcie_register_types)
