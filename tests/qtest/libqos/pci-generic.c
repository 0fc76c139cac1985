/*
 * libqos generic PCIe enumerator (see pci-generic.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>
#include "pci-generic.h"
#include "hw/pci/pci-regs.h"

#define BRIDGE_MEM_ALIGN (1ULL << 20)

static uint64_t cfg_addr(QPCIeHost *h, uint8_t bus, uint8_t devfn,
                         uint16_t off)
{
    g_assert_cmpuint(bus, <, h->ecam_buses);
    g_assert_cmpuint(off, <, 4096);
    return h->ecam + ((uint64_t)bus << 20) + ((uint64_t)devfn << 12) + off;
}

static uint32_t cfg_read(QPCIeHost *h, uint8_t bus, uint8_t devfn,
                         uint16_t off, size_t len)
{
    uint8_t b[4] = { 0 };

    h->bus->memread(h->bus->opaque, cfg_addr(h, bus, devfn, off), b, len);
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void cfg_write(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off,
                      uint32_t v, size_t len)
{
    uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

    h->bus->memwrite(h->bus->opaque, cfg_addr(h, bus, devfn, off), b, len);
}

uint8_t qpcie_readb(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off)
{
    return cfg_read(h, bus, devfn, off, 1);
}

uint16_t qpcie_readw(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off)
{
    return cfg_read(h, bus, devfn, off, 2);
}

uint32_t qpcie_readl(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off)
{
    return cfg_read(h, bus, devfn, off, 4);
}

void qpcie_writeb(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off,
                  uint8_t v)
{
    cfg_write(h, bus, devfn, off, v, 1);
}

void qpcie_writew(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off,
                  uint16_t v)
{
    cfg_write(h, bus, devfn, off, v, 2);
}

void qpcie_writel(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off,
                  uint32_t v)
{
    cfg_write(h, bus, devfn, off, v, 4);
}

void qpcie_init_virt(QPCIeHost *h, QOSBus *bus)
{
    memset(h, 0, sizeof(*h));
    h->bus = bus;
    h->ecam = QPCIE_VIRT_ECAM;
    h->ecam_buses = QPCIE_VIRT_ECAM_BUSES;
    h->mmio = QPCIE_VIRT_MMIO;
    h->mmio_end = QPCIE_VIRT_MMIO + QPCIE_VIRT_MMIO_SIZE;
    h->mmio64 = QPCIE_VIRT_MMIO64;
    h->mmio64_end = QPCIE_VIRT_MMIO64 + QPCIE_VIRT_MMIO64_SIZE;
    h->next_bus = 1;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Size BAR n (all-ones, read back, restore); *is64 for the pair. */
static uint64_t bar_size(QPCIeHost *h, QPCIeFunc *f, int n, bool *is64,
                         bool *pref)
{
    uint16_t off = PCI_BASE_ADDRESS_0 + 4 * n;
    uint32_t orig = qpcie_readl(h, f->bus, f->devfn, off), lo, hi = ~0u;
    uint64_t mask;

    qpcie_writel(h, f->bus, f->devfn, off, 0xffffffff);
    lo = qpcie_readl(h, f->bus, f->devfn, off);
    qpcie_writel(h, f->bus, f->devfn, off, orig);
    *is64 = (lo & 0x7) == PCI_BASE_ADDRESS_MEM_TYPE_64;
    *pref = lo & PCI_BASE_ADDRESS_MEM_PREFETCH;
    if (!lo || (lo & PCI_BASE_ADDRESS_SPACE_IO)) {
        return 0;
    }
    if (*is64) {
        uint32_t orig_hi = qpcie_readl(h, f->bus, f->devfn, off + 4);

        qpcie_writel(h, f->bus, f->devfn, off + 4, 0xffffffff);
        hi = qpcie_readl(h, f->bus, f->devfn, off + 4);
        qpcie_writel(h, f->bus, f->devfn, off + 4, orig_hi);
    }
    mask = ((uint64_t)hi << 32) | (lo & ~0xfu);
    return ~mask + 1;
}

static void assign_bars(QPCIeHost *h, QPCIeFunc *f, int nbars)
{
    for (int n = 0; n < nbars; n++) {
        uint16_t off = PCI_BASE_ADDRESS_0 + 4 * n;
        bool is64, pref;
        uint64_t size = bar_size(h, f, n, &is64, &pref), addr;
        uint64_t *ptr = is64 && pref ? &h->mmio64 : &h->mmio;
        uint64_t end = is64 && pref ? h->mmio64_end : h->mmio_end;

        if (size) {
            addr = align_up(*ptr, size);
            g_assert_cmphex(addr + size, <=, end);
            *ptr = addr + size;
            qpcie_writel(h, f->bus, f->devfn, off, (uint32_t)addr);
            if (is64) {
                qpcie_writel(h, f->bus, f->devfn, off + 4, addr >> 32);
            }
            f->bar_addr[n] = addr;
            f->bar_size[n] = size;
        }
        n += is64;
    }
}

static void scan_bus(QPCIeHost *h, uint8_t bus);

/* A window [base, end) as the bridge's base/limit registers. */
static void set_windows(QPCIeHost *h, QPCIeFunc *f, uint64_t base,
                        uint64_t end, uint64_t base64, uint64_t end64)
{
    if (end > base) {
        qpcie_writew(h, f->bus, f->devfn, PCI_MEMORY_BASE, base >> 16);
        qpcie_writew(h, f->bus, f->devfn, PCI_MEMORY_LIMIT, (end - 1) >> 16);
    } else {
        qpcie_writew(h, f->bus, f->devfn, PCI_MEMORY_BASE, 0xfff0);
        qpcie_writew(h, f->bus, f->devfn, PCI_MEMORY_LIMIT, 0);
    }
    if (end64 > base64) {
        qpcie_writew(h, f->bus, f->devfn, PCI_PREF_MEMORY_BASE, base64 >> 16);
        qpcie_writel(h, f->bus, f->devfn, PCI_PREF_BASE_UPPER32,
                     base64 >> 32);
        qpcie_writew(h, f->bus, f->devfn, PCI_PREF_MEMORY_LIMIT,
                     (end64 - 1) >> 16);
        qpcie_writel(h, f->bus, f->devfn, PCI_PREF_LIMIT_UPPER32,
                     (end64 - 1) >> 32);
    } else {
        qpcie_writew(h, f->bus, f->devfn, PCI_PREF_MEMORY_BASE, 0xfff0);
        qpcie_writew(h, f->bus, f->devfn, PCI_PREF_MEMORY_LIMIT, 0);
    }
}

/* Number the bridge, scan behind it, fit its windows to what is there. */
static void setup_bridge(QPCIeHost *h, QPCIeFunc *f)
{
    uint64_t base, base64;

    g_assert_cmpuint(h->next_bus, <, h->ecam_buses);
    f->secondary = h->next_bus++;
    qpcie_writeb(h, f->bus, f->devfn, PCI_PRIMARY_BUS, f->bus);
    qpcie_writeb(h, f->bus, f->devfn, PCI_SECONDARY_BUS, f->secondary);
    /* Everything above, while we do not know how deep it goes. */
    qpcie_writeb(h, f->bus, f->devfn, PCI_SUBORDINATE_BUS,
                 h->ecam_buses - 1);
    h->mmio = base = align_up(h->mmio, BRIDGE_MEM_ALIGN);
    h->mmio64 = base64 = align_up(h->mmio64, BRIDGE_MEM_ALIGN);
    scan_bus(h, f->secondary);
    f->subordinate = h->next_bus - 1;
    qpcie_writeb(h, f->bus, f->devfn, PCI_SUBORDINATE_BUS, f->subordinate);
    h->mmio = align_up(h->mmio, BRIDGE_MEM_ALIGN);
    h->mmio64 = align_up(h->mmio64, BRIDGE_MEM_ALIGN);
    set_windows(h, f, base, h->mmio, base64, h->mmio64);
    qpcie_command(f, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
}

static void probe(QPCIeHost *h, uint8_t bus, uint8_t devfn)
{
    QPCIeFunc *f;

    g_assert_cmpuint(h->nfuncs, <, QPCIE_MAX_FUNCS);
    f = &h->funcs[h->nfuncs++];
    memset(f, 0, sizeof(*f));
    f->host = h;
    f->bus = bus;
    f->devfn = devfn;
    f->vendor_id = qpcie_readw(h, bus, devfn, PCI_VENDOR_ID);
    f->device_id = qpcie_readw(h, bus, devfn, PCI_DEVICE_ID);
    f->class_id = qpcie_readw(h, bus, devfn, PCI_CLASS_DEVICE);
    f->header_type = qpcie_readb(h, bus, devfn, PCI_HEADER_TYPE) & 0x7f;
    if (f->header_type == PCI_HEADER_TYPE_BRIDGE) {
        assign_bars(h, f, PCI_BRIDGE_NUM_REGIONS);
        setup_bridge(h, f);
    } else {
        assign_bars(h, f, PCI_NUM_REGIONS);
    }
}

static void scan_bus(QPCIeHost *h, uint8_t bus)
{
    for (int slot = 0; slot < 32; slot++) {
        uint8_t ht;

        if (qpcie_readw(h, bus, PCI_DEVFN(slot, 0), PCI_VENDOR_ID) ==
            0xffff) {
            continue;
        }
        ht = qpcie_readb(h, bus, PCI_DEVFN(slot, 0), PCI_HEADER_TYPE);
        for (int fn = 0; fn < ((ht & PCI_HEADER_TYPE_MULTI_FUNCTION) ? 8 : 1);
             fn++) {
            if (qpcie_readw(h, bus, PCI_DEVFN(slot, fn), PCI_VENDOR_ID) !=
                0xffff) {
                probe(h, bus, PCI_DEVFN(slot, fn));
            }
        }
    }
}

unsigned qpcie_enumerate(QPCIeHost *h, uint8_t root)
{
    unsigned before = h->nfuncs;

    if (h->next_bus <= root) {
        h->next_bus = root + 1;
    }
    scan_bus(h, root);
    return h->nfuncs - before;
}

QPCIeFunc *qpcie_find(QPCIeHost *h, uint16_t vendor, uint16_t device,
                      unsigned index)
{
    for (unsigned i = 0; i < h->nfuncs; i++) {
        QPCIeFunc *f = &h->funcs[i];

        if (f->vendor_id == vendor && f->device_id == device && !index--) {
            return f;
        }
    }
    return NULL;
}

QPCIeFunc *qpcie_find_at(QPCIeHost *h, uint8_t bus, uint8_t devfn)
{
    for (unsigned i = 0; i < h->nfuncs; i++) {
        if (h->funcs[i].bus == bus && h->funcs[i].devfn == devfn) {
            return &h->funcs[i];
        }
    }
    return NULL;
}

void qpcie_command(QPCIeFunc *f, uint16_t set, uint16_t clear)
{
    uint16_t cmd = qpcie_readw(f->host, f->bus, f->devfn, PCI_COMMAND);

    qpcie_writew(f->host, f->bus, f->devfn, PCI_COMMAND,
                 (cmd | set) & ~clear);
}

void qpcie_enable(QPCIeFunc *f)
{
    qpcie_command(f, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
}

uint16_t qpcie_requester_id(const QPCIeFunc *f)
{
    return (uint16_t)f->bus << 8 | f->devfn;
}
