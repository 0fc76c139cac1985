/*
 * QMP query-pci: every root bus of the virt machine's PCIe host (pcie.0,
 * then each pxb-pcie bus) with its functions, bridges with the functions
 * behind them, in QEMU's PciInfo shape.  Values are read from config
 * space as the guest sees it (a host device's IDs come from its VFIO
 * config region) and from the core's BAR state (the address a BAR
 * decodes at, -1 while it does not).  Main thread; owns nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci-device.h"
#include "hw/pci/pci-bridge.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/qmp-pci.h"

static const QmpArg no_args[] = { { NULL } };

/* QEMU's descriptions of the classes the virt host has. */
static const struct {
    uint16_t class_id;
    const char *desc;
} class_desc[] = {
    { PCI_CLASS_BRIDGE_HOST, "Host bridge" },
    { PCI_CLASS_BRIDGE_PCI, "PCI bridge" },
    { 0x0100, "SCSI controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0c03, "USB controller" },
};

static JsonArray *pci_bus_devices(PCIBus *bus, unsigned depth);

static JsonObject *range_obj(uint64_t base, uint64_t limit)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "base", (gint64)base);
    json_object_set_int_member(o, "limit", (gint64)limit);
    return o;
}

static uint16_t cfg16(PCIDevice *d, uint32_t off)
{
    return pci_config_read(d, off, 2);
}

static JsonObject *window_obj(PCIDevice *d, PCIBridgeWindow which)
{
    uint64_t base, limit;

    pci_bridge_window(d, which, &base, &limit);
    return range_obj(base, limit);
}

/* A bridge's numbers and windows, decoded as QEMU shows them. */
static JsonObject *bridge_bus_obj(PCIDevice *d)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "number", d->config[PCI_PRIMARY_BUS]);
    json_object_set_int_member(o, "secondary", d->config[PCI_SECONDARY_BUS]);
    json_object_set_int_member(o, "subordinate",
                               d->config[PCI_SUBORDINATE_BUS]);
    json_object_set_object_member(o, "io_range",
                                  window_obj(d, PCI_BRIDGE_WINDOW_IO));
    json_object_set_object_member(o, "memory_range",
                                  window_obj(d, PCI_BRIDGE_WINDOW_MEM));
    json_object_set_object_member(o, "prefetchable_range",
                                  window_obj(d, PCI_BRIDGE_WINDOW_PREF));
    return o;
}

static JsonArray *regions_array(PCIDevice *d)
{
    JsonArray *a = json_array_new();

    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        PCIIORegion *r = &d->io_regions[n];
        JsonObject *o;

        if (!r->size) {
            continue;
        }
        o = json_object_new();
        json_object_set_int_member(o, "bar", n);
        json_object_set_string_member(o, "type", "memory");
        json_object_set_int_member(o, "address", r->mr ? (gint64)r->addr : -1);
        json_object_set_int_member(o, "size", (gint64)r->size);
        json_object_set_boolean_member(o, "prefetch",
                                       r->type & PCI_BASE_ADDRESS_MEM_PREFETCH);
        json_object_set_boolean_member(o, "mem_type_64",
                                       r->type & PCI_BASE_ADDRESS_MEM_TYPE_64);
        json_array_add_object_element(a, o);
    }
    return a;
}

static JsonObject *class_obj(PCIDevice *d)
{
    JsonObject *o = json_object_new();
    uint16_t class_id = cfg16(d, PCI_CLASS_DEVICE);

    for (size_t i = 0; i < G_N_ELEMENTS(class_desc); i++) {
        if (class_desc[i].class_id == class_id) {
            json_object_set_string_member(o, "desc", class_desc[i].desc);
        }
    }
    json_object_set_int_member(o, "class", class_id);
    return o;
}

static JsonObject *id_obj(PCIDevice *d, bool bridge)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "device", cfg16(d, PCI_DEVICE_ID));
    json_object_set_int_member(o, "vendor", cfg16(d, PCI_VENDOR_ID));
    if (!bridge) {
        json_object_set_int_member(o, "subsystem",
                                   cfg16(d, PCI_SUBSYSTEM_ID));
        json_object_set_int_member(o, "subsystem-vendor",
                                   cfg16(d, PCI_SUBSYSTEM_VENDOR_ID));
    }
    return o;
}

static JsonObject *device_obj(PCIDevice *d, unsigned depth)
{
    JsonObject *o = json_object_new();
    bool bridge = (d->config[PCI_HEADER_TYPE] & 0x7f) ==
                  PCI_HEADER_TYPE_BRIDGE;
    uint8_t pin = pci_config_read(d, PCI_INTERRUPT_PIN, 1);

    json_object_set_int_member(o, "bus", pci_bus_num(d->bus));
    json_object_set_int_member(o, "slot", PCI_SLOT(d->devfn));
    json_object_set_int_member(o, "function", PCI_FUNC(d->devfn));
    json_object_set_object_member(o, "class_info", class_obj(d));
    json_object_set_object_member(o, "id", id_obj(d, bridge));
    if (pin) {
        json_object_set_int_member(o, "irq", d->config[PCI_INTERRUPT_LINE]);
    }
    json_object_set_int_member(o, "irq_pin", pin);
    json_object_set_string_member(o, "qdev_id",
                                  d->parent_obj.id ? d->parent_obj.id : "");
    if (bridge && d->sec_bus) {
        JsonObject *b = json_object_new();

        json_object_set_object_member(b, "bus", bridge_bus_obj(d));
        json_object_set_array_member(b, "devices",
                                     pci_bus_devices(d->sec_bus, depth + 1));
        json_object_set_object_member(o, "pci_bridge", b);
    }
    json_object_set_array_member(o, "regions", regions_array(d));
    return o;
}

static JsonArray *pci_bus_devices(PCIBus *bus, unsigned depth)
{
    JsonArray *a = json_array_new();

    /* Bridges nest at most 256 deep: one per bus number. */
    for (int i = 0; depth <= 256 && i < PCI_DEVFN_MAX; i++) {
        if (bus->devices[i]) {
            json_array_add_object_element(a, device_obj(bus->devices[i],
                                                        depth));
        }
    }
    return a;
}

static JsonNode *qmp_query_pci(JsonObject *args, Error **errp)
{
    PCIHost *host = machine_pci_host();
    JsonArray *buses = json_array_new();
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    for (unsigned i = 0; host && i < host->nr_roots; i++) {
        JsonObject *o = json_object_new();

        json_object_set_int_member(o, "bus", pci_bus_num(host->roots[i]));
        json_object_set_array_member(o, "devices",
                                     pci_bus_devices(host->roots[i], 0));
        json_array_add_object_element(buses, o);
    }
    json_node_take_array(node, buses);
    return node;
}

void qmp_register_pci_commands(void)
{
    qmp_register_command_args("query-pci", qmp_query_pci, no_args);
}
