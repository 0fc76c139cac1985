/*
 * Type-1 header semantics: bus numbers programmed by the guest, the
 * memory windows a bridge forwards, secondary bus reset.
 *
 * No state of its own: everything lives in the bridge's config space
 * (owned by hw/pci/pci.c).  Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/pci-bridge.h"
#include "trace.h"

void pci_bridge_config_init(PCIDevice *b)
{
    uint8_t *c = b->config, *w = b->wmask;

    w[PCI_PRIMARY_BUS] = 0xff;
    w[PCI_SECONDARY_BUS] = 0xff;
    w[PCI_SUBORDINATE_BUS] = 0xff;
    w[PCI_SEC_LATENCY_TIMER] = 0xff;
    /* 32-bit I/O window, 64-bit prefetchable window. */
    c[PCI_IO_BASE] = c[PCI_IO_LIMIT] = PCI_IO_RANGE_TYPE_32;
    w[PCI_IO_BASE] = w[PCI_IO_LIMIT] = 0xf0;
    pci_set_long(w + PCI_IO_BASE_UPPER16, 0xffffffff);
    pci_set_word(w + PCI_MEMORY_BASE, PCI_MEMORY_RANGE_MASK);
    pci_set_word(w + PCI_MEMORY_LIMIT, PCI_MEMORY_RANGE_MASK);
    pci_set_word(c + PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_TYPE_64);
    pci_set_word(c + PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
    pci_set_word(w + PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_MASK);
    pci_set_word(w + PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_MASK);
    pci_set_long(w + PCI_PREF_BASE_UPPER32, 0xffffffff);
    pci_set_long(w + PCI_PREF_LIMIT_UPPER32, 0xffffffff);
    pci_set_word(b->w1cmask + PCI_SEC_STATUS, PCI_STATUS_W1C);
    /* Parity, SERR, ISA, VGA, master abort, secondary bus reset. */
    pci_set_word(w + PCI_BRIDGE_CONTROL, 0x007f);
}

bool pci_bridge_routes_bus(PCIDevice *b, uint8_t bus_num)
{
    uint8_t sec = b->config[PCI_SECONDARY_BUS];
    uint8_t sub = b->config[PCI_SUBORDINATE_BUS];

    /* Secondary 0: not configured, routes nothing. */
    return sec && bus_num >= sec && bus_num <= sub;
}

static bool window_holds(uint64_t base, uint64_t limit, uint64_t addr,
                         uint64_t size)
{
    return base <= limit && addr >= base && addr <= limit &&
           size - 1 <= limit - addr;
}

void pci_bridge_window(PCIDevice *b, PCIBridgeWindow which, uint64_t *base,
                       uint64_t *limit)
{
    const uint8_t *c = b->config;

    switch (which) {
    case PCI_BRIDGE_WINDOW_IO:
        *base = (uint64_t)(c[PCI_IO_BASE] & 0xf0) << 8 |
                (uint64_t)pci_get_word(c + PCI_IO_BASE_UPPER16) << 16;
        *limit = (uint64_t)(c[PCI_IO_LIMIT] & 0xf0) << 8 | 0xfff |
                 (uint64_t)pci_get_word(c + PCI_IO_LIMIT_UPPER16) << 16;
        break;
    case PCI_BRIDGE_WINDOW_MEM:
        *base = (uint64_t)(pci_get_word(c + PCI_MEMORY_BASE) &
                           PCI_MEMORY_RANGE_MASK) << 16;
        *limit = (uint64_t)(pci_get_word(c + PCI_MEMORY_LIMIT) &
                            PCI_MEMORY_RANGE_MASK) << 16 | 0xfffff;
        break;
    case PCI_BRIDGE_WINDOW_PREF:
        *base = (uint64_t)(pci_get_word(c + PCI_PREF_MEMORY_BASE) &
                           PCI_PREF_RANGE_MASK) << 16 |
                (uint64_t)pci_get_long(c + PCI_PREF_BASE_UPPER32) << 32;
        *limit = ((uint64_t)(pci_get_word(c + PCI_PREF_MEMORY_LIMIT) &
                             PCI_PREF_RANGE_MASK) << 16 | 0xfffff) |
                 (uint64_t)pci_get_long(c + PCI_PREF_LIMIT_UPPER32) << 32;
        break;
    }
}

bool pci_bridge_forwards_mem(PCIDevice *b, uint64_t addr, uint64_t size)
{
    uint64_t base, limit;

    if (!pci_device_memory_enabled(b)) {
        return false;
    }
    pci_bridge_window(b, PCI_BRIDGE_WINDOW_MEM, &base, &limit);
    if (window_holds(base, limit, addr, size)) {
        return true;
    }
    pci_bridge_window(b, PCI_BRIDGE_WINDOW_PREF, &base, &limit);
    return window_holds(base, limit, addr, size);
}

void pci_bridge_numbers_changed(PCIDevice *b)
{
    PCIBus *ibus = NULL;

    /* The IOMMU translating the secondary side is the one above it. */
    for (PCIBus *bus = b->bus; bus && !ibus;
         bus = bus->parent_dev ? bus->parent_dev->bus : NULL) {
        if (bus->iommu_ops) {
            ibus = bus;
        }
    }
    trace_pci_bridge_numbers(b->parent_obj.id ? b->parent_obj.id : "",
                             b->config[PCI_PRIMARY_BUS],
                             b->config[PCI_SECONDARY_BUS],
                             b->config[PCI_SUBORDINATE_BUS]);
    if (ibus && ibus->iommu_ops->requester_ids_changed) {
        ibus->iommu_ops->requester_ids_changed(ibus, ibus->iommu_opaque);
    }
}

/* Reset everything below, deepest last (each resets its own bus). */
static void secondary_bus_reset(PCIDevice *b)
{
    for (int i = 0; i < PCI_DEVFN_MAX; i++) {
        PCIDevice *d = b->sec_bus->devices[i];

        if (d) {
            qdev_reset(&d->parent_obj);
            if (d->sec_bus) {
                secondary_bus_reset(d);
            }
        }
    }
}

static bool hits(uint32_t addr, unsigned len, uint32_t reg, unsigned n)
{
    return addr < reg + n && reg < addr + len;
}

void pci_bridge_config_written(PCIDevice *b, uint32_t addr, unsigned len)
{
    if (hits(addr, len, PCI_PRIMARY_BUS, 3)) {
        pci_bridge_numbers_changed(b);
    }
    if (hits(addr, len, PCI_BRIDGE_CONTROL, 1) && b->sec_bus &&
        (b->config[PCI_BRIDGE_CONTROL] & PCI_BRIDGE_CTL_BUS_RESET)) {
        trace_pci_bridge_bus_reset(b->sec_bus->id);
        secondary_bus_reset(b);
    }
    if (hits(addr, len, PCI_MEMORY_BASE, PCI_IO_BASE_UPPER16 -
             PCI_MEMORY_BASE) || hits(addr, len, PCI_BRIDGE_CONTROL, 1)) {
        pci_host_update_mappings(b->bus->host);
    }
}
