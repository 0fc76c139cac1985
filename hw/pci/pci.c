/*
 * The PCI core: buses, function placement, configuration space, BARs
 * and DMA of emulated functions.
 *
 * Owns each PCIDevice's config arrays and BAR mappings, and each bus's
 * device table.  Everything here runs on the main thread (config
 * accesses come from the ECAM's MMIO dispatch, placement from -device
 * and device_add), so nothing is locked.  Guest values are hostile: every
 * config access is bounds-checked against the function's config size,
 * every BAR address against the windows it must decode in.
 *
 * See include/hw/pci/pci-device.h and docs/devel/pci.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/pci/pci-device.h"
#include "hw/pci/pci-bridge.h"
#include "trace.h"

/* ---- buses --------------------------------------------------------------- */

uint8_t pci_bus_num(const PCIBus *bus)
{
    if (bus->is_root) {
        return bus->root_bus_num;
    }
    return bus->parent_dev->config[PCI_SECONDARY_BUS];
}

PCIBus *pci_root_bus_new(PCIHost *host, const char *id, uint8_t root_num,
                         PCIDevice *parent_dev, Error **errp)
{
    PCIBus *bus;

    if (host->nr_roots == PCI_HOST_MAX_ROOTS) {
        error_setg(errp, "PCI host: no more than %d root buses",
                   PCI_HOST_MAX_ROOTS);
        return NULL;
    }
    for (unsigned i = 0; i < host->nr_roots; i++) {
        if (host->roots[i]->root_bus_num == root_num) {
            error_setg(errp, "PCI host: bus number %u is taken by root bus"
                       " '%s'", root_num, host->roots[i]->id);
            return NULL;
        }
    }
    bus = g_new0(PCIBus, 1);
    bus->id = g_strdup(id);
    bus->host = host;
    bus->parent_dev = parent_dev;
    bus->is_root = true;
    bus->root_bus_num = root_num;
    host->roots[host->nr_roots++] = bus;
    return bus;
}

PCIBus *pci_secondary_bus_new(PCIDevice *bridge, const char *id)
{
    PCIBus *bus = g_new0(PCIBus, 1);

    bus->id = g_strdup(id);
    bus->host = bridge->bus->host;
    bus->parent_dev = bridge;
    /* Behind a PCIe port there is one link: device 0 only. */
    bus->slot0_only = true;
    return bus;
}

bool pci_bus_register(PCIBus *bus, Error **errp)
{
    return object_registry_add(bus->id, TYPE_PCI_BUS, bus, errp);
}

void pci_bus_free(PCIBus *bus)
{
    PCIHost *host;

    if (!bus) {
        return;
    }
    host = bus->host;
    for (int i = 0; i < PCI_DEVFN_MAX; i++) {
        g_assert(!bus->devices[i]);
    }
    if (object_registry_lookup(bus->id, TYPE_PCI_BUS) == bus) {
        object_registry_remove(bus->id);
    }
    for (unsigned i = 0; bus->is_root && i < host->nr_roots; i++) {
        if (host->roots[i] == bus) {
            memmove(&host->roots[i], &host->roots[i + 1],
                    (host->nr_roots - i - 1) * sizeof(host->roots[0]));
            host->nr_roots--;
            break;
        }
    }
    g_free(bus->id);
    g_free(bus);
}

/* The device at BUS_NUM:DEVFN at or below BUS (depth bounded by 256). */
static PCIDevice *bus_find(PCIBus *bus, uint8_t bus_num, int devfn,
                           unsigned depth)
{
    if (depth > 256) {
        return NULL;
    }
    if (pci_bus_num(bus) == bus_num) {
        return bus->devices[devfn];
    }
    for (int i = 0; i < PCI_DEVFN_MAX; i++) {
        PCIDevice *d = bus->devices[i];

        if (d && d->sec_bus && pci_bridge_routes_bus(d, bus_num)) {
            return bus_find(d->sec_bus, bus_num, devfn, depth + 1);
        }
    }
    return NULL;
}

PCIDevice *pci_host_find_device(PCIHost *host, uint8_t bus_num, int devfn)
{
    PCIDevice *found = NULL;

    /* Each root decodes its own number and what its bridges route. */
    for (unsigned i = 0; i < host->nr_roots && !found; i++) {
        found = bus_find(host->roots[i], bus_num, devfn, 0);
    }
    return found;
}

static void bus_foreach(PCIBus *bus, void (*func)(PCIDevice *, void *),
                        void *opaque)
{
    for (int i = 0; i < PCI_DEVFN_MAX; i++) {
        PCIDevice *d = bus->devices[i];

        if (d) {
            func(d, opaque);
            if (d->sec_bus) {
                bus_foreach(d->sec_bus, func, opaque);
            }
        }
    }
}

void pci_host_foreach_device(PCIHost *host,
                             void (*func)(PCIDevice *dev, void *opaque),
                             void *opaque)
{
    for (unsigned i = 0; i < host->nr_roots; i++) {
        /* A pxb-pcie's bus is visited from its own root entry only. */
        bus_foreach(host->roots[i], func, opaque);
    }
}

/* ---- BAR mapping ------------------------------------------------------- */

/* The address BAR n is programmed with, or PCI_BAR_UNMAPPED. */
static uint64_t bar_programmed(PCIDevice *d, int n)
{
    PCIIORegion *r = &d->io_regions[n];
    uint32_t off = PCI_BASE_ADDRESS_0 + 4 * n;
    uint64_t addr = pci_get_long(d->config + off);

    if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        addr |= (uint64_t)pci_get_long(d->config + off + 4) << 32;
    }
    addr &= ~(r->size - 1) & PCI_BASE_ADDRESS_MEM_MASK;
    /* Zero (unassigned) or sizing in progress (wraps past the top). */
    if (!addr || addr + r->size - 1 < addr ||
        (!(r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
         addr + r->size - 1 > UINT32_MAX)) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

static bool in_host_window(PCIHost *host, uint64_t addr, uint64_t size)
{
    for (unsigned i = 0; i < host->nr_windows; i++) {
        const PCIHostWindow *w = &host->windows[i];

        if (addr >= w->base && addr - w->base < w->size &&
            size <= w->size - (addr - w->base)) {
            return true;
        }
    }
    return false;
}

/* Where BAR n decodes now: programmed, enabled and routed to it. */
static uint64_t bar_decodes_at(PCIDevice *d, int n)
{
    PCIIORegion *r = &d->io_regions[n];
    uint64_t addr;

    if (!r->size || !pci_device_memory_enabled(d)) {
        return PCI_BAR_UNMAPPED;
    }
    addr = bar_programmed(d, n);
    if (addr == PCI_BAR_UNMAPPED ||
        !in_host_window(d->bus->host, addr, r->size)) {
        return PCI_BAR_UNMAPPED;
    }
    for (PCIBus *b = d->bus; b && b->parent_dev && !b->is_root;
         b = b->parent_dev->bus) {
        if (!pci_bridge_forwards_mem(b->parent_dev, addr, r->size)) {
            return PCI_BAR_UNMAPPED;
        }
    }
    return addr;
}

static void bar_unmap(PCIDevice *d, PCIIORegion *r)
{
    PCIHost *host = d->bus->host;

    if (r->mr) {
        trace_pci_bar_unmap(r->name, r->addr);
        for (unsigned i = 0; i < r->nr_pieces; i++) {
            address_space_del_mmio(host->as, r->pieces[i].mr);
            r->pieces[i].mr = NULL;
        }
        r->mr = NULL;
        r->addr = PCI_BAR_UNMAPPED;
        host->stats.bar_unmaps++;
    }
}

/* Pass 1: unmap what moved or stopped decoding. */
static void unmap_stale(PCIDevice *d, void *opaque)
{
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        PCIIORegion *r = &d->io_regions[n];

        if (r->mr && bar_decodes_at(d, n) != r->addr) {
            bar_unmap(d, r);
        }
    }
}

/* A piece past the BAR's start: the BAR's ops, at the piece's offset. */
static MemTxResult piece_read(void *opaque, hwaddr addr, uint64_t *data,
                              unsigned size)
{
    PCIBARPiece *p = opaque;

    return p->bar->ops->read(p->bar->opaque, p->offset + addr, data, size);
}

static MemTxResult piece_write(void *opaque, hwaddr addr, uint64_t data,
                               unsigned size)
{
    PCIBARPiece *p = opaque;

    return p->bar->ops->write(p->bar->opaque, p->offset + addr, data, size);
}

/* Map every piece of R at ADDR, or none (*ERRP: why). */
static bool bar_map_pieces(PCIHost *host, PCIIORegion *r, uint64_t addr,
                           Error **errp)
{
    for (unsigned i = 0; i < r->nr_pieces; i++) {
        PCIBARPiece *p = &r->pieces[i];
        const MemoryRegionOps *ops = p->offset ? &p->ops : r->ops;
        void *opaque = p->offset ? (void *)p : r->opaque;

        p->mr = p->host ?
            address_space_add_mmio_mapped(host->as, r->name, addr + p->offset,
                                          p->size, p->host, ops, opaque,
                                          errp) :
            address_space_add_mmio(host->as, r->name, addr + p->offset,
                                   p->size, ops, opaque, errp);
        if (!p->mr) {
            while (i--) {
                address_space_del_mmio(host->as, r->pieces[i].mr);
                r->pieces[i].mr = NULL;
            }
            return false;
        }
        if (p->host) {
            host->stats.bar_host_maps++;
            trace_pci_bar_map_host(r->name, addr + p->offset, p->size);
        }
    }
    r->mr = r->pieces[0].mr;
    return true;
}

/* Pass 2: map what decodes and is not mapped. */
static void map_wanted(PCIDevice *d, void *opaque)
{
    PCIHost *host = d->bus->host;

    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        PCIIORegion *r = &d->io_regions[n];
        uint64_t addr = bar_decodes_at(d, n);
        Error *err = NULL;

        if (r->mr || addr == PCI_BAR_UNMAPPED) {
            continue;
        }
        if (!bar_map_pieces(host, r, addr, &err)) {
            /* Overlaps another region: stays off until that changes. */
            trace_pci_bar_conflict(r->name, addr, error_get_pretty(err));
            error_free(err);
            host->stats.bar_map_conflicts++;
            continue;
        }
        r->addr = addr;
        host->stats.bar_maps++;
        trace_pci_bar_map(r->name, addr, r->size);
    }
}

void pci_host_update_mappings(PCIHost *host)
{
    if (!host) {
        return;
    }
    pci_host_foreach_device(host, unmap_stale, NULL);
    pci_host_foreach_device(host, map_wanted, NULL);
}

void pci_register_bar(PCIDevice *dev, int n, uint8_t type, uint64_t size,
                      const MemoryRegionOps *ops, void *opaque)
{
    PCIIORegion *r = &dev->io_regions[n];
    uint32_t off = PCI_BASE_ADDRESS_0 + 4 * n;
    uint64_t wmask = ~(size - 1);
    const char *id = dev->parent_obj.id;

    g_assert(n >= 0 && n < PCI_NUM_REGIONS && size >= 16 &&
             !(size & (size - 1)) && !(type & PCI_BASE_ADDRESS_SPACE_IO));
    g_assert(!(type & PCI_BASE_ADDRESS_MEM_TYPE_64) || n + 1 < PCI_NUM_REGIONS);
    r->size = size;
    r->type = type;
    r->ops = ops;
    r->opaque = opaque;
    r->addr = PCI_BAR_UNMAPPED;
    r->name = g_strdup_printf("%s%s%s.bar%d", dev->parent_obj.klass->name,
                              id ? "." : "", id ? id : "", n);
    pci_bar_set_host_areas(dev, n, NULL, 0);
    pci_set_long(dev->config + off, type);
    pci_set_long(dev->wmask + off, (uint32_t)wmask & ~0xfu);
    if (type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        pci_set_long(dev->wmask + off + 4, wmask >> 32);
    } else {
        g_assert(size <= (1ULL << 31));
    }
}

static void bar_add_piece(PCIIORegion *r, uint64_t offset, uint64_t size,
                          void *host)
{
    PCIBARPiece *p = &r->pieces[r->nr_pieces++];

    g_assert(r->nr_pieces <= PCI_BAR_MAX_PIECES);
    *p = (PCIBARPiece) {
        .bar = r, .offset = offset, .size = size, .host = host,
        .ops = *r->ops,
    };
    p->ops.read = piece_read;
    p->ops.write = piece_write;
}

void pci_bar_set_host_areas(PCIDevice *dev, int n,
                            const PCIBARHostArea *areas, unsigned count)
{
    PCIIORegion *r = &dev->io_regions[n];
    uint64_t page = sysconf(_SC_PAGESIZE), end = 0;

    g_assert(n >= 0 && n < PCI_NUM_REGIONS && r->size && !r->mr &&
             count <= PCI_BAR_MAX_HOST_AREAS);
    r->nr_pieces = 0;
    for (unsigned i = 0; i < count; i++) {
        const PCIBARHostArea *a = &areas[i];

        g_assert(!((a->offset | a->size | (uintptr_t)a->host) & (page - 1)));
        g_assert(a->size && a->offset >= end && a->offset < r->size &&
                 a->size <= r->size - a->offset);
        if (a->offset > end) {
            bar_add_piece(r, end, a->offset - end, NULL);
        }
        bar_add_piece(r, a->offset, a->size, a->host);
        end = a->offset + a->size;
    }
    if (end < r->size) {
        bar_add_piece(r, end, r->size - end, NULL);
    }
}

/* ---- capabilities ------------------------------------------------------ */

uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size)
{
    uint8_t off = dev->cap_next, *prev;

    if (off + size > PCI_CONFIG_SPACE_SIZE) {
        return 0;
    }
    /* Append to the list: after the last capability's next pointer. */
    prev = &dev->config[PCI_CAPABILITY_LIST];
    while (*prev) {
        prev = &dev->config[*prev + PCI_CAP_LIST_NEXT];
    }
    *prev = off;
    dev->config[off + PCI_CAP_LIST_ID] = cap_id;
    dev->config[off + PCI_CAP_LIST_NEXT] = 0;
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    dev->cap_next = QEMU_ALIGN_UP(off + size, 4);
    return off;
}

uint8_t pcie_cap_init(PCIDevice *dev, uint8_t type)
{
    uint8_t off = pci_add_capability(dev, PCI_CAP_ID_EXP, PCI_EXP_CAP_SIZEOF);
    uint8_t *c = dev->config + off, *w = dev->wmask + off;
    uint16_t flags = PCI_EXP_FLAGS_VERS2 | type << PCI_EXP_FLAGS_TYPE_SHIFT;

    g_assert(off);
    dev->pcie_cap = off;
    pci_set_word(c + PCI_EXP_FLAGS, flags);
    /* 256-byte max payload (bits 2:0 = 1), role-based error reporting. */
    pci_set_long(c + PCI_EXP_DEVCAP, 0x1 | 1u << 15);
    /* Device control: error reporting enables, payload, read request. */
    pci_set_word(w + PCI_EXP_DEVCTL, 0x7fff);
    /* Link: x1 at 2.5 GT/s, up; link control writable. */
    pci_set_long(c + PCI_EXP_LNKCAP, 0x1 | 1u << 4);
    pci_set_word(w + PCI_EXP_LNKCTL, 0x0fff);
    pci_set_word(c + PCI_EXP_LNKSTA, 0x1 | 1u << 4);
    pci_set_word(w + PCI_EXP_DEVCTL2, 0xffff);
    pci_set_word(w + PCI_EXP_LNKCTL2, 0xffff);
    dev->w1cmask[off + PCI_EXP_DEVSTA] = 0x0f;
    return off;
}

/* ---- requester ID, IOMMU, command register ------------------------------- */

uint16_t pci_requester_id_of(PCIDevice *dev)
{
    return pci_requester_id(pci_bus_num(dev->bus), dev->devfn);
}

PCIBus *pci_device_iommu_bus(PCIDevice *dev)
{
    /* pcie.0 has no parent; a pxb-pcie's bus continues at the pxb. */
    for (PCIBus *b = dev->bus; b; b = b->parent_dev ? b->parent_dev->bus
                                                    : NULL) {
        if (b->iommu_ops) {
            return b;
        }
    }
    return NULL;
}

static uint16_t command_of(PCIDevice *d)
{
    return pci_get_word(d->config + PCI_COMMAND);
}

bool pci_device_memory_enabled(PCIDevice *dev)
{
    return command_of(dev) & PCI_COMMAND_MEMORY;
}

bool pci_device_bus_master(PCIDevice *dev)
{
    for (PCIDevice *d = dev; d; d = d->bus->is_root ? NULL
                                                    : d->bus->parent_dev) {
        if (!(command_of(d) & PCI_COMMAND_MASTER)) {
            return false;
        }
    }
    return true;
}

/* ---- DMA ------------------------------------------------------------------- */

static MemTxResult dma_direct(PCIDevice *dev, uint64_t addr, void *buf,
                              uint64_t len, bool is_write)
{
    AddressSpace *as = dev->bus->host->as;

    return is_write ? address_space_write(as, addr, buf, len)
                    : address_space_read(as, addr, buf, len);
}

bool pci_iommu_translate(PCIBus *ibus, uint16_t rid, uint64_t addr,
                         bool is_write, uint64_t *pa, uint64_t *room)
{
    IOMMUTLBEntry e = { 0 };

    if (!ibus->iommu_ops->translate ||
        !ibus->iommu_ops->translate(ibus, ibus->iommu_opaque, rid, addr,
                                    is_write, &e) ||
        !(e.perm & (is_write ? IOMMU_WO : IOMMU_RO))) {
        return false;
    }
    *pa = (e.translated_addr & ~e.addr_mask) | (addr & e.addr_mask);
    if (room) {
        *room = e.addr_mask - (addr & e.addr_mask) + 1;
    }
    return true;
}

MemTxResult pci_dma_rw(PCIDevice *dev, uint64_t addr, void *buf,
                       uint64_t len, bool is_write)
{
    PCIHost *host = dev->bus->host;
    PCIBus *ibus = pci_device_iommu_bus(dev);
    uint16_t rid = pci_requester_id_of(dev);
    uint8_t *p = buf;

    if (!pci_device_bus_master(dev)) {
        host->stats.dma_blocked++;
        trace_pci_dma_blocked(dev->parent_obj.klass->name, rid, addr);
        return MEMTX_ERROR;
    }
    if (!ibus) {
        MemTxResult res = dma_direct(dev, addr, buf, len, is_write);

        host->stats.dma_ok += res == MEMTX_OK;
        host->stats.dma_errors += res != MEMTX_OK;
        return res;
    }
    if (!ibus->iommu_ops->translate) {
        /* An IOMMU is there but cannot translate it: never bypass it. */
        host->stats.dma_untranslated++;
        trace_pci_dma_untranslated(rid, addr, ibus->id);
        return MEMTX_ERROR;
    }
    while (len) {
        uint64_t chunk, pa;
        MemTxResult res;

        if (!pci_iommu_translate(ibus, rid, addr, is_write, &pa, &chunk)) {
            host->stats.dma_faults++;
            trace_pci_dma_fault(rid, addr, is_write);
            return MEMTX_ERROR;
        }
        chunk = MIN(len, chunk);
        trace_pci_dma_translated(rid, addr, pa, chunk, is_write);
        res = dma_direct(dev, pa, p, chunk, is_write);
        if (res != MEMTX_OK) {
            host->stats.dma_errors++;
            return res;
        }
        p += chunk;
        addr += chunk;
        len -= chunk;
    }
    host->stats.dma_ok++;
    return MEMTX_OK;
}

/* ---- config space ---------------------------------------------------------- */

uint32_t pci_default_config_read(PCIDevice *dev, uint32_t addr,
                                 unsigned len)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < len; i++) {
        v |= (uint32_t)dev->config[addr + i] << (8 * i);
    }
    return v;
}

static bool range_hits(uint32_t addr, unsigned len, uint32_t reg,
                       unsigned reg_len)
{
    return addr < reg + reg_len && reg < addr + len;
}

void pci_default_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                              unsigned len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    uint32_t bars_end = pc->is_bridge ? PCI_BASE_ADDRESS_0 + 8
                                      : PCI_BASE_ADDRESS_0 + 24;

    for (unsigned i = 0; i < len; i++) {
        uint8_t b = val >> (8 * i), wm = dev->wmask[addr + i];
        uint8_t w1c = dev->w1cmask[addr + i];

        dev->config[addr + i] = (dev->config[addr + i] & ~wm) | (b & wm);
        dev->config[addr + i] &= ~(b & w1c);
    }
    if (pc->is_bridge) {
        pci_bridge_config_written(dev, addr, len);
    }
    if (range_hits(addr, len, PCI_COMMAND, 2) ||
        range_hits(addr, len, PCI_BASE_ADDRESS_0,
                   bars_end - PCI_BASE_ADDRESS_0)) {
        pci_host_update_mappings(dev->bus->host);
    }
}

uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);

    g_assert(len == 1 || len == 2 || len == 4);
    if (addr >= dev->config_size || len > dev->config_size - addr) {
        return len == 4 ? UINT32_MAX : (1u << (8 * len)) - 1;
    }
    return pc->config_read ? pc->config_read(dev, addr, len)
                           : pci_default_config_read(dev, addr, len);
}

void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);

    g_assert(len == 1 || len == 2 || len == 4);
    if (addr >= dev->config_size || len > dev->config_size - addr) {
        return;
    }
    if (pc->config_write) {
        pc->config_write(dev, addr, val, len);
    } else {
        pci_default_config_write(dev, addr, val, len);
    }
}

/* The header every function starts with, from its class. */
static void config_init(PCIDevice *d, PCIDeviceClass *pc)
{
    uint8_t *c = d->config, *w = d->wmask;

    pci_set_word(c + PCI_VENDOR_ID, pc->vendor_id);
    pci_set_word(c + PCI_DEVICE_ID, pc->device_id);
    c[PCI_REVISION_ID] = pc->revision;
    c[PCI_CLASS_PROG] = pc->prog_if;
    pci_set_word(c + PCI_CLASS_DEVICE, pc->class_id);
    c[PCI_HEADER_TYPE] = (pc->is_bridge ? PCI_HEADER_TYPE_BRIDGE
                                        : PCI_HEADER_TYPE_NORMAL) |
                         (d->multifunction ? PCI_HEADER_TYPE_MULTI_FUNCTION
                                           : 0);
    pci_set_word(w + PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    w[PCI_CACHE_LINE_SIZE] = 0xff;
    w[PCI_INTERRUPT_LINE] = 0xff;
    if (pc->is_bridge) {
        pci_bridge_config_init(d);
    } else {
        pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, pc->subsystem_vendor_id);
        pci_set_word(c + PCI_SUBSYSTEM_ID, pc->subsystem_id);
    }
    d->cap_next = 0x40;
}

/* ---- placement ------------------------------------------------------------- */

/* A free devfn on BUS for D (auto: function 0 of the first free slot). */
static bool pick_devfn(PCIDevice *d, PCIBus *bus, Error **errp)
{
    const char *type = d->parent_obj.klass->name;
    int devfn = d->addr, slot;

    if (devfn < 0) {
        for (slot = 0; slot < (bus->slot0_only ? 1 : 32); slot++) {
            if (!bus->devices[PCI_DEVFN(slot, 0)]) {
                break;
            }
        }
        if (slot == (bus->slot0_only ? 1 : 32)) {
            error_setg(errp, "PCI: no slot/function available for %s, all"
                       " in use or reserved", type);
            return false;
        }
        devfn = PCI_DEVFN(slot, 0);
    } else if (bus->slot0_only && PCI_SLOT(devfn)) {
        error_setg(errp, "PCI: slot %d is not valid for %s, parent device"
                   " only allows plugging into slot 0.", PCI_SLOT(devfn),
                   type);
        return false;
    } else if (bus->devices[devfn]) {
        error_setg(errp, "PCI: slot %d function %d not available for %s, in"
                   " use by %s,id=%s", PCI_SLOT(devfn), PCI_FUNC(devfn),
                   type, bus->devices[devfn]->parent_obj.klass->name,
                   bus->devices[devfn]->parent_obj.id ?: "");
        return false;
    }
    d->devfn = devfn;
    return true;
}

/* QEMU's rules: functions > 0 need function 0 to say multifunction. */
static bool check_multifunction(PCIDevice *d, PCIBus *bus, Error **errp)
{
    int slot = PCI_SLOT(d->devfn);
    PCIDevice *f0 = bus->devices[PCI_DEVFN(slot, 0)];

    if (PCI_FUNC(d->devfn)) {
        if (f0 && !f0->multifunction) {
            error_setg(errp, "PCI: single function device can't be"
                       " populated in function %x.%x", slot,
                       PCI_FUNC(d->devfn));
            return false;
        }
        return true;
    }
    for (int fn = 1; fn < 8 && !d->multifunction; fn++) {
        if (bus->devices[PCI_DEVFN(slot, fn)]) {
            error_setg(errp, "PCI: %x.0 indicates single function, but"
                       " %x.%x is already populated.", slot, slot, fn);
            return false;
        }
    }
    return true;
}

bool object_is_pci_device(const DeviceState *dev)
{
    return dev->klass->realize == pci_qdev_realize;
}

static void config_free(PCIDevice *d)
{
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        g_clear_pointer(&d->io_regions[n].name, g_free);
        memset(&d->io_regions[n], 0, sizeof(d->io_regions[n]));
    }
    g_clear_pointer(&d->config, g_free);
    g_clear_pointer(&d->wmask, g_free);
    g_clear_pointer(&d->w1cmask, g_free);
    g_clear_pointer(&d->config_reset, g_free);
}

bool pci_qdev_realize(DeviceState *dev, Error **errp)
{
    PCIDevice *d = (PCIDevice *)dev;
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    PCIBus *bus;

    bus = object_registry_resolve(dev->klass->name, "bus",
                                  d->bus_id ? d->bus_id : "pcie.0",
                                  TYPE_PCI_BUS, errp);
    if (!bus || !pick_devfn(d, bus, errp) ||
        !check_multifunction(d, bus, errp)) {
        return false;
    }
    d->bus = bus;
    d->config_size = pc->is_express ? PCIE_CONFIG_SPACE_SIZE
                                    : PCI_CONFIG_SPACE_SIZE;
    d->config = g_malloc0(d->config_size);
    d->wmask = g_malloc0(d->config_size);
    d->w1cmask = g_malloc0(d->config_size);
    config_init(d, pc);
    if (pc->pci_realize && !pc->pci_realize(d, errp)) {
        config_free(d);
        d->bus = NULL;
        return false;
    }
    d->config_reset = g_memdup2(d->config, d->config_size);
    bus->devices[d->devfn] = d;
    trace_pci_realize(dev->klass->name, bus->id, PCI_SLOT(d->devfn),
                      PCI_FUNC(d->devfn));
    if (bus->hotplug_ops) {
        bus->hotplug_ops->plugged(bus, bus->hotplug_opaque, d);
    }
    return true;
}

void pci_qdev_unrealize(DeviceState *dev)
{
    PCIDevice *d = (PCIDevice *)dev;
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        bar_unmap(d, &d->io_regions[n]);
    }
    d->bus->devices[d->devfn] = NULL;
    if (pc->pci_exit) {
        pc->pci_exit(d);
    }
    config_free(d);
    if (d->bus->hotplug_ops) {
        d->bus->hotplug_ops->unplugged(d->bus, d->bus->hotplug_opaque, d);
    }
    d->bus = NULL;
}

PCIUnplugResult pci_device_unplug_request(PCIDevice *dev)
{
    PCIBus *bus = dev->bus;

    if (!bus->hotplug_ops) {
        return PCI_UNPLUG_NOW;
    }
    return bus->hotplug_ops->unplug_request(bus, bus->hotplug_opaque, dev);
}

void pci_host_release_device(PCIDevice *dev)
{
    PCIHost *host = dev->bus->host;

    trace_pci_release(dev->parent_obj.klass->name, dev->bus->id);
    if (host->release_device) {
        host->release_device(host, dev, host->release_opaque);
    }
}

/* Back to the config as realized; BARs stop decoding. */
void pci_qdev_reset(DeviceState *dev)
{
    PCIDevice *d = (PCIDevice *)dev;
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    memcpy(d->config, d->config_reset, d->config_size);
    if (pc->pci_reset) {
        pc->pci_reset(d);
    }
    if (pc->is_bridge) {
        pci_bridge_numbers_changed(d);
    }
    pci_host_update_mappings(d->bus->host);
}
