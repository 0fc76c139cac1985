/*
 * The PCI core's config-space semantics, in process: write masks, RW1C,
 * bounds, BAR sizing and decode (32- and 64-bit, memory enable, bridge
 * windows, host windows, overlaps), bridge bus routing and secondary bus
 * reset, QEMU's multifunction rules, pxb-pcie root buses, and
 * pci_dma_rw() through a trivial test IOMMU (splits, faults,
 * permissions, requester IDs, bus master), and an emulated function's
 * MSI (hw/pci/msi.c) through that IOMMU to a doorbell.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/pci/pci-device.h"
#include "hw/pci/msi.h"
#include "hw/pci-host/ecam-host.h"

#define RAM_BASE    0x40000000ULL
#define RAM_SIZE    (16ULL << 20)
#define ECAM        VIRT_HIGH_PCIE_ECAM_BASE

/* ---- a test function: a 4 KiB BAR0 and a 1 MiB 64-bit prefetchable BAR2 */

typedef struct TestFn {
    PCIDevice parent_obj;
    uint32_t reg;
    unsigned resets;
} TestFn;

static MemTxResult tf_read(void *opaque, hwaddr addr, uint64_t *data,
                           unsigned size)
{
    *data = ((TestFn *)opaque)->reg;
    return MEMTX_OK;
}

static MemTxResult tf_write(void *opaque, hwaddr addr, uint64_t data,
                            unsigned size)
{
    ((TestFn *)opaque)->reg = data;
    return MEMTX_OK;
}

static const MemoryRegionOps tf_ops = {
    .read = tf_read, .write = tf_write,
    .min_access_size = 4, .max_access_size = 4,
};

static bool tf_realize(PCIDevice *d, Error **errp)
{
    pci_register_bar(d, 0, 0, 0x1000, &tf_ops, d);
    pci_register_bar(d, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, 1 << 20, &tf_ops, d);
    pcie_cap_init(d, PCI_EXP_TYPE_ENDPOINT);
    return true;
}

static void tf_reset(PCIDevice *d)
{
    ((TestFn *)d)->resets++;
}

static const Property tf_props[] = {
    DEFINE_PCI_DEVICE_PROPERTIES(),
    DEFINE_PROP_END_OF_LIST(),
};

static const PCIDeviceClass tf_class = {
    .parent_class = {
        .name = "x-test-pci", .instance_size = sizeof(TestFn),
        .props = tf_props, .parent = TYPE_PCI_DEVICE,
        PCI_DEVICE_CLASS_HOOKS,
    },
    .vendor_id = 0x1234, .device_id = 0x5678, .class_id = 0x0880,
    .is_express = true,
    .pci_realize = tf_realize, .pci_reset = tf_reset,
};

static void tf_register(void)
{
    device_class_register(&tf_class.parent_class);
}

type_init(tf_register)

/* ---- fixture ----------------------------------------------------------- */

typedef struct Fixture {
    AddressSpace *as;
    PCIHost *host;
    GPtrArray *devs;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->as = address_space_new("memory");
    g_assert_true(address_space_add_ram(f->as, RAM_BASE, RAM_SIZE,
                                        &error_abort));
    f->host = pcie_host_new(f->as, true, &error_abort);
    f->devs = g_ptr_array_new();
}

static void teardown(Fixture *f, gconstpointer data)
{
    while (f->devs->len) {
        qdev_free(g_ptr_array_steal_index(f->devs, f->devs->len - 1));
    }
    g_ptr_array_free(f->devs, TRUE);
    pcie_host_free(f->host);
    object_registry_clear();
    address_space_free(f->as);
}

/* Create and realize TYPE with "k=v,k=v" properties; NULL on error. */
static DeviceState *add(Fixture *f, const char *type, const char *props,
                        Error **errp)
{
    DeviceState *dev = qdev_new(type, &error_abort);
    g_auto(GStrv) kv = g_strsplit(props ? props : "", ",", -1);

    dev->as = f->as;
    for (int i = 0; kv[i] && *kv[i]; i++) {
        g_auto(GStrv) p = g_strsplit(kv[i], "=", 2);

        if (!strcmp(p[0], "id")) {
            qdev_set_id(dev, p[1]);
        } else {
            g_assert_true(qdev_prop_parse(dev, p[0], p[1], &error_abort));
        }
    }
    if (!qdev_realize(dev, errp)) {
        qdev_free(dev);
        return NULL;
    }
    g_ptr_array_add(f->devs, dev);
    return dev;
}

static uint32_t cfg_rd(Fixture *f, unsigned bus, unsigned devfn,
                       unsigned off, unsigned len)
{
    uint64_t v;

    g_assert_cmpint(address_space_cpu_read(f->as, ECAM + (bus << 20) +
                                           (devfn << 12) + off, &v, len),
                    ==, MEMTX_OK);
    return v;
}

static void cfg_wr(Fixture *f, unsigned bus, unsigned devfn, unsigned off,
                   uint32_t v, unsigned len)
{
    g_assert_cmpint(address_space_cpu_write(f->as, ECAM + (bus << 20) +
                                            (devfn << 12) + off, v, len),
                    ==, MEMTX_OK);
}

static uint32_t mmio_rd(Fixture *f, uint64_t addr)
{
    uint64_t v;

    address_space_cpu_read(f->as, addr, &v, 4);
    return v;
}

/* ---- tests ------------------------------------------------------------- */

static void test_masks(Fixture *f, gconstpointer data)
{
    PCIDevice *d = (PCIDevice *)add(f, "x-test-pci", "addr=2", &error_abort);
    unsigned df = PCI_DEVFN(2, 0);

    g_assert_cmphex(cfg_rd(f, 0, df, PCI_VENDOR_ID, 4), ==, 0x56781234);
    cfg_wr(f, 0, df, PCI_VENDOR_ID, 0, 4);
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_VENDOR_ID, 4), ==, 0x56781234);
    /* Command: only the implemented bits stick. */
    cfg_wr(f, 0, df, PCI_COMMAND, 0xffff, 2);
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_COMMAND, 2), ==, 0x0546);
    cfg_wr(f, 0, df, PCI_COMMAND, 0, 2);
    /* Status error bits are RW1C: writing 0 keeps, writing 1 clears. */
    d->config[PCI_STATUS + 1] |= 0x80;      /* detected parity error */
    cfg_wr(f, 0, df, PCI_STATUS, 0, 2);
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_STATUS, 2) & 0x8000, ==, 0x8000);
    cfg_wr(f, 0, df, PCI_STATUS, 0x8000, 2);
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_STATUS, 2) & 0x8000, ==, 0);
    /* The capability list: PCIe, at 0x40, endpoint. */
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
                    ==, PCI_STATUS_CAP_LIST);
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_CAPABILITY_LIST, 1), ==, 0x40);
    g_assert_cmphex(cfg_rd(f, 0, df, 0x40, 2), ==, PCI_CAP_ID_EXP);
    g_assert_cmphex(cfg_rd(f, 0, df, 0x40 + PCI_EXP_FLAGS, 2), ==, 0x0002);
    /* A PCIe function has 4 KiB; the last dword is reachable and 0. */
    g_assert_cmphex(cfg_rd(f, 0, df, 0xffc, 4), ==, 0);
    cfg_wr(f, 0, df, 0xffc, 0xffffffff, 4);
    g_assert_cmphex(cfg_rd(f, 0, df, 0xffc, 4), ==, 0);
    /* Direct accessor bounds: past the end, all-ones and dropped. */
    g_assert_cmphex(pci_config_read(d, 0xffe, 4), ==, 0xffffffff);
    pci_config_write(d, 0x1000, 1, 1);
    g_assert_cmphex(pci_config_read(d, 0x1000, 1), ==, 0xff);
}

static void test_bars(Fixture *f, gconstpointer data)
{
    TestFn *t = (TestFn *)add(f, "x-test-pci", "addr=2", &error_abort);
    unsigned df = PCI_DEVFN(2, 0);

    /* Sizing: all-ones reads the size mask with the type bits. */
    cfg_wr(f, 0, df, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_BASE_ADDRESS_0, 4), ==, 0xfffff000);
    cfg_wr(f, 0, df, PCI_BASE_ADDRESS_0 + 8, 0xffffffff, 4);
    cfg_wr(f, 0, df, PCI_BASE_ADDRESS_0 + 12, 0xffffffff, 4);
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_BASE_ADDRESS_0 + 8, 4), ==,
                    0xfff0000c);
    g_assert_cmphex(cfg_rd(f, 0, df, PCI_BASE_ADDRESS_0 + 12, 4), ==,
                    0xffffffff);
    /* Sizing patterns never decode, even with memory on. */
    cfg_wr(f, 0, df, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_null(t->parent_obj.io_regions[0].mr);
    g_assert_null(t->parent_obj.io_regions[2].mr);

    /* BAR0 in the 32-bit window, BAR2 in the 64-bit one. */
    cfg_wr(f, 0, df, PCI_BASE_ADDRESS_0, 0x10001000, 4);
    cfg_wr(f, 0, df, PCI_BASE_ADDRESS_0 + 8, 0x00100000, 4);
    cfg_wr(f, 0, df, PCI_BASE_ADDRESS_0 + 12, 0x80, 4);
    t->reg = 0xabcd;
    g_assert_cmphex(mmio_rd(f, 0x10001000), ==, 0xabcd);
    g_assert_cmphex(mmio_rd(f, 0x8000100000ULL), ==, 0xabcd);
    /* Memory decode off: both gone; unclaimed reads are all-ones. */
    cfg_wr(f, 0, df, PCI_COMMAND, 0, 2);
    g_assert_cmphex(mmio_rd(f, 0x10001000), ==, 0xffffffff);
    g_assert_cmphex(mmio_rd(f, 0x8000100000ULL), ==, 0xffffffff);
    cfg_wr(f, 0, df, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(mmio_rd(f, 0x10001000), ==, 0xabcd);
    /* Outside every host window (here: RAM's range): not decoded. */
    cfg_wr(f, 0, df, PCI_BASE_ADDRESS_0, 0x40000000, 4);
    g_assert_null(t->parent_obj.io_regions[0].mr);
    g_assert_cmphex(mmio_rd(f, 0x40000000), ==, 0);
    g_assert_cmpuint(f->host->stats.bar_map_conflicts, ==, 0);
}

/* Two functions claiming one range: the second stays off until it moves. */
static void test_bar_overlap(Fixture *f, gconstpointer data)
{
    TestFn *a = (TestFn *)add(f, "x-test-pci", "addr=2", &error_abort);
    TestFn *b = (TestFn *)add(f, "x-test-pci", "addr=3", &error_abort);

    a->reg = 0xa;
    b->reg = 0xb;
    cfg_wr(f, 0, PCI_DEVFN(2, 0), PCI_BASE_ADDRESS_0, 0x10000000, 4);
    cfg_wr(f, 0, PCI_DEVFN(3, 0), PCI_BASE_ADDRESS_0, 0x10000000, 4);
    cfg_wr(f, 0, PCI_DEVFN(2, 0), PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    cfg_wr(f, 0, PCI_DEVFN(3, 0), PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(mmio_rd(f, 0x10000000), ==, 0xa);
    g_assert_null(b->parent_obj.io_regions[0].mr);
    g_assert_cmpuint(f->host->stats.bar_map_conflicts, >=, 1);
    /* a moves away: b gets its place in the same update. */
    cfg_wr(f, 0, PCI_DEVFN(2, 0), PCI_BASE_ADDRESS_0, 0x10002000, 4);
    g_assert_cmphex(mmio_rd(f, 0x10000000), ==, 0xb);
    g_assert_cmphex(mmio_rd(f, 0x10002000), ==, 0xa);
}

static void test_multifunction(Fixture *f, gconstpointer data)
{
    Error *err = NULL;

    g_assert_nonnull(add(f, "x-test-pci", "addr=4", &error_abort));
    g_assert_null(add(f, "x-test-pci", "addr=4.1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: single function device"
                    " can't be populated in function 4.1");
    error_free_or_abort(&err);
    g_assert_nonnull(add(f, "x-test-pci", "addr=5.2", &error_abort));
    g_assert_null(add(f, "x-test-pci", "addr=5", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: 5.0 indicates single"
                    " function, but 5.2 is already populated.");
    error_free_or_abort(&err);
    g_assert_nonnull(add(f, "x-test-pci", "addr=5,multifunction=on",
                         &error_abort));
    g_assert_cmphex(cfg_rd(f, 0, PCI_DEVFN(5, 0), PCI_HEADER_TYPE, 1), ==,
                    0x80);
    g_assert_null(add(f, "x-test-pci", "addr=4", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: slot 4 function 0 not"
                    " available for x-test-pci, in use by x-test-pci,id=");
    error_free_or_abort(&err);
    /* Automatic: the first slot whose function 0 is free. */
    g_assert_cmpint(((PCIDevice *)add(f, "x-test-pci", NULL,
                                      &error_abort))->devfn, ==,
                    PCI_DEVFN(0, 0));
}

static void test_bridge(Fixture *f, gconstpointer data)
{
    PCIDevice *rp = (PCIDevice *)add(f, "pcie-root-port", "addr=1,id=rp1",
                                     &error_abort);
    TestFn *t;
    Error *err = NULL;

    g_assert_null(add(f, "x-test-pci", "bus=rp1,addr=1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI: slot 1 is not valid for"
                    " x-test-pci, parent device only allows plugging into"
                    " slot 0.");
    error_free_or_abort(&err);
    t = (TestFn *)add(f, "x-test-pci", "bus=rp1", &error_abort);
    g_assert_cmphex(cfg_rd(f, 0, PCI_DEVFN(1, 0), PCI_HEADER_TYPE, 1), ==, 1);
    /* Not numbered: nothing routes to it. */
    g_assert_cmphex(cfg_rd(f, 0, 0, PCI_VENDOR_ID, 2), ==, 0xffff);
    g_assert_cmphex(pci_requester_id_of(&t->parent_obj), ==, 0x0000);
    cfg_wr(f, 0, rp->devfn, PCI_SECONDARY_BUS, 3, 1);
    g_assert_cmphex(cfg_rd(f, 3, 0, PCI_VENDOR_ID, 2), ==, 0xffff);
    cfg_wr(f, 0, rp->devfn, PCI_SUBORDINATE_BUS, 4, 1);
    g_assert_cmphex(cfg_rd(f, 3, 0, PCI_VENDOR_ID, 2), ==, 0x1234);
    g_assert_cmphex(cfg_rd(f, 4, 0, PCI_VENDOR_ID, 2), ==, 0xffff);
    g_assert_cmphex(pci_requester_id_of(&t->parent_obj), ==, 0x0300);

    /* A BAR below decodes only inside the bridge's window, decode on. */
    cfg_wr(f, 3, 0, PCI_BASE_ADDRESS_0, 0x10100000, 4);
    cfg_wr(f, 3, 0, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_null(t->parent_obj.io_regions[0].mr);
    cfg_wr(f, 0, rp->devfn, PCI_MEMORY_BASE, 0x1010, 2);
    cfg_wr(f, 0, rp->devfn, PCI_MEMORY_LIMIT, 0x1010, 2);
    g_assert_null(t->parent_obj.io_regions[0].mr);
    cfg_wr(f, 0, rp->devfn, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_nonnull(t->parent_obj.io_regions[0].mr);
    cfg_wr(f, 0, rp->devfn, PCI_MEMORY_LIMIT, 0x1000, 2);  /* empty */
    g_assert_null(t->parent_obj.io_regions[0].mr);
    cfg_wr(f, 0, rp->devfn, PCI_MEMORY_LIMIT, 0x1010, 2);
    g_assert_nonnull(t->parent_obj.io_regions[0].mr);
    /* The 64-bit BAR through the prefetchable window. */
    cfg_wr(f, 3, 0, PCI_BASE_ADDRESS_0 + 8, 0, 4);
    cfg_wr(f, 3, 0, PCI_BASE_ADDRESS_0 + 12, 0x80, 4);
    g_assert_null(t->parent_obj.io_regions[2].mr);
    cfg_wr(f, 0, rp->devfn, PCI_PREF_MEMORY_BASE, 0, 2);
    cfg_wr(f, 0, rp->devfn, PCI_PREF_BASE_UPPER32, 0x80, 4);
    cfg_wr(f, 0, rp->devfn, PCI_PREF_MEMORY_LIMIT, 0, 2);
    cfg_wr(f, 0, rp->devfn, PCI_PREF_LIMIT_UPPER32, 0x80, 4);
    g_assert_nonnull(t->parent_obj.io_regions[2].mr);

    /* Secondary bus reset: the function below is back as realized. */
    g_assert_cmpuint(t->resets, ==, 0);
    cfg_wr(f, 0, rp->devfn, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET, 2);
    cfg_wr(f, 0, rp->devfn, PCI_BRIDGE_CONTROL, 0, 2);
    g_assert_cmpuint(t->resets, ==, 1);
    g_assert_cmphex(cfg_rd(f, 3, 0, PCI_BASE_ADDRESS_0, 4), ==, 0);
    g_assert_null(t->parent_obj.io_regions[0].mr);
    /* Resetting the port clears its numbers: nothing routes again. */
    qdev_reset(&rp->parent_obj);
    g_assert_cmphex(cfg_rd(f, 3, 0, PCI_VENDOR_ID, 2), ==, 0xffff);
}

static void test_pxb(Fixture *f, gconstpointer data)
{
    PCIDevice *pxb = (PCIDevice *)add(f, "pxb-pcie", "id=pci.1,bus_nr=8",
                                      &error_abort);
    Error *err = NULL;

    g_assert_cmphex(cfg_rd(f, 0, pxb->devfn, PCI_DEVICE_ID, 2), ==,
                    PCI_DEVICE_ID_REDHAT_PXB_PCIE);
    g_assert_cmphex(cfg_rd(f, 0, pxb->devfn, PCI_CLASS_DEVICE, 2), ==,
                    PCI_CLASS_BRIDGE_HOST);
    add(f, "x-test-pci", "bus=pci.1,addr=2", &error_abort);
    g_assert_cmphex(cfg_rd(f, 8, PCI_DEVFN(2, 0), PCI_VENDOR_ID, 2), ==,
                    0x1234);
    g_assert_null(add(f, "pxb-pcie", "id=pci.2,bus_nr=8", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "PCI host: bus number 8 is"
                    " taken by root bus 'pci.1'");
    error_free_or_abort(&err);
    g_assert_cmpuint(f->host->nr_roots, ==, 2);
}

/* ---- DMA through a test IOMMU ---------------------------------------- */

#define IOVA_BASE   0x100000ULL     /* 4 KiB pages to RAM_BASE + iova */
#define IOVA_HOLE   0x103000ULL     /* unmapped page: a fault */
#define IOVA_RO     0x104000ULL     /* read-only page */

typedef struct TestIOMMU {
    unsigned calls;
    uint16_t last_rid;
} TestIOMMU;

static bool test_translate(PCIBus *bus, void *opaque, uint16_t rid,
                           uint64_t addr, bool is_write, IOMMUTLBEntry *e)
{
    TestIOMMU *t = opaque;
    uint64_t page = addr & ~0xfffULL;

    t->calls++;
    t->last_rid = rid;
    if (page == IOVA_HOLE) {
        return false;
    }
    *e = (IOMMUTLBEntry) {
        .iova = page, .translated_addr = RAM_BASE + page, .addr_mask = 0xfff,
        .perm = page == IOVA_RO ? IOMMU_RO : IOMMU_RW,
    };
    return true;
}

static const PCIIOMMUOps test_iommu_ops = { .translate = test_translate };
/* An IOMMU for host devices only: no translate hook. */
static const PCIIOMMUOps host_only_ops = { .translate = NULL };

static void test_dma(Fixture *f, gconstpointer data)
{
    PCIDevice *rp = (PCIDevice *)add(f, "pcie-root-port", "addr=1,id=rp1",
                                     &error_abort);
    PCIDevice *d = (PCIDevice *)add(f, "x-test-pci", "bus=rp1",
                                    &error_abort);
    PCIBus *root = f->host->roots[0];
    TestIOMMU t = { 0 };
    uint8_t buf[0x2000], back[0x2000];

    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 7;
    }
    /* No bus master: refused, nothing written. */
    g_assert_cmpint(pci_dma_rw(d, RAM_BASE, buf, 16, true), ==, MEMTX_ERROR);
    g_assert_cmpuint(f->host->stats.dma_blocked, ==, 1);
    pci_config_write(d, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    /* The bridge above must master too. */
    g_assert_cmpint(pci_dma_rw(d, RAM_BASE, buf, 16, true), ==, MEMTX_ERROR);
    pci_config_write(rp, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    /* No IOMMU: straight to guest memory. */
    g_assert_cmpint(pci_dma_rw(d, RAM_BASE + 0x10, buf, 16, true), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_read(f->as, RAM_BASE + 0x10, back, 16), ==,
                    MEMTX_OK);
    g_assert_cmpmem(buf, 16, back, 16);

    /* An IOMMU that cannot translate it is not bypassed. */
    root->iommu_ops = &host_only_ops;
    memset(back, 0, 16);
    g_assert_cmpint(address_space_write(f->as, RAM_BASE + 0x10, back, 16),
                    ==, MEMTX_OK);
    g_assert_cmpint(pci_dma_rw(d, RAM_BASE + 0x10, buf, 16, true), ==,
                    MEMTX_ERROR);
    g_assert_cmpuint(f->host->stats.dma_untranslated, ==, 1);
    g_assert_cmpint(address_space_read(f->as, RAM_BASE + 0x10, buf + 0x100,
                                       16), ==, MEMTX_OK);
    g_assert_cmpmem(back, 16, buf + 0x100, 16);

    root->iommu_ops = &test_iommu_ops;
    root->iommu_opaque = &t;
    pci_config_write(rp, PCI_SECONDARY_BUS, 5, 1);
    /* 0x1800 bytes from mid-page: two pieces, each translated. */
    g_assert_cmpint(pci_dma_rw(d, IOVA_BASE + 0x800, buf, 0x1800, true), ==,
                    MEMTX_OK);
    g_assert_cmpuint(t.calls, ==, 2);
    g_assert_cmphex(t.last_rid, ==, 0x0500);
    g_assert_cmpint(address_space_read(f->as, RAM_BASE + IOVA_BASE + 0x800,
                                       back, 0x1800), ==, MEMTX_OK);
    g_assert_cmpmem(buf, 0x1800, back, 0x1800);
    /* Read back through the IOMMU. */
    memset(back, 0, sizeof(back));
    g_assert_cmpint(pci_dma_rw(d, IOVA_BASE + 0x800, back, 0x1800, false),
                    ==, MEMTX_OK);
    g_assert_cmpmem(buf, 0x1800, back, 0x1800);
    /* Into the hole: the pieces before it are written, then a fault. */
    t.calls = 0;
    g_assert_cmpint(pci_dma_rw(d, IOVA_HOLE - 0x10, buf, 0x20, true), ==,
                    MEMTX_ERROR);
    g_assert_cmpuint(t.calls, ==, 2);
    g_assert_cmpuint(f->host->stats.dma_faults, ==, 1);
    /* A write to a read-only mapping is refused; a read is not. */
    g_assert_cmpint(pci_dma_rw(d, IOVA_RO, buf, 4, true), ==, MEMTX_ERROR);
    g_assert_cmpint(pci_dma_rw(d, IOVA_RO, back, 4, false), ==, MEMTX_OK);
    /* Renumbered: the IOMMU sees the new requester ID. */
    pci_config_write(rp, PCI_SECONDARY_BUS, 9, 1);
    g_assert_cmpint(pci_dma_rw(d, IOVA_BASE, back, 4, false), ==, MEMTX_OK);
    g_assert_cmphex(t.last_rid, ==, 0x0900);
    root->iommu_ops = NULL;
}

/* ---- MSI of an emulated function --------------------------------------- */

#define DOORBELL    (RAM_BASE + IOVA_BASE + 0x40)   /* translated IOVA_BASE */

typedef struct TestDoorbell {
    unsigned sends;
    hwaddr addr;
    uint32_t data, devid;
} TestDoorbell;

static bool db_send(void *opaque, hwaddr addr, uint32_t data, uint32_t devid)
{
    TestDoorbell *db = opaque;

    db->sends++;
    db->addr = addr;
    db->data = data;
    db->devid = devid;
    return true;
}

static const MSIDoorbellOps db_ops = { .send = db_send };

static void msi_program(PCIDevice *d, uint64_t addr, uint16_t data)
{
    pci_config_write(d, d->msi_cap + PCI_MSI_ADDRESS_LO, (uint32_t)addr, 4);
    pci_config_write(d, d->msi_cap + PCI_MSI_ADDRESS_HI, addr >> 32, 4);
    pci_config_write(d, d->msi_cap + PCI_MSI_DATA_64, data, 2);
}

/* pcie-root-port's MSI: enable, bus master, the IOMMU, the doorbell. */
static void test_msi(Fixture *f, gconstpointer data)
{
    PCIDevice *rp = (PCIDevice *)add(f, "pcie-root-port", "addr=1,id=rp1",
                                     &error_abort);
    PCIBus *root = f->host->roots[0];
    TestIOMMU t = { 0 };
    TestDoorbell db = { 0 };
    uint32_t v = 0;

    g_assert_cmphex(rp->msi_cap, !=, 0);
    g_assert_cmphex(pci_config_read(rp, rp->msi_cap, 1), ==, PCI_CAP_ID_MSI);
    /* Not enabled: nothing sent. */
    msi_program(rp, RAM_BASE + 0x100, 0x55);
    g_assert_cmpint(msi_notify(rp), ==, MEMTX_ERROR);
    pci_config_write(rp, rp->msi_cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE,
                     2);
    g_assert_true(msi_enabled(rp));
    /* Enabled, no bus master: dropped. */
    g_assert_cmpint(msi_notify(rp), ==, MEMTX_ERROR);
    pci_config_write(rp, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    /* No IOMMU, no doorbell: a store to RAM. */
    g_assert_cmpint(msi_notify(rp), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl_le(f->as, RAM_BASE + 0x100, &v), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0x55);

    /* Through the IOMMU to a doorbell, the port's requester ID as devid. */
    root->iommu_ops = &test_iommu_ops;
    root->iommu_opaque = &t;
    g_assert_true(address_space_set_msi_doorbell(f->as, DOORBELL, 4, &db_ops,
                                                 &db, &error_abort));
    msi_program(rp, IOVA_BASE + 0x40, 0x1234);
    g_assert_cmpint(msi_notify(rp), ==, MEMTX_OK);
    g_assert_cmpuint(db.sends, ==, 1);
    g_assert_cmphex(db.addr, ==, DOORBELL);
    g_assert_cmphex(db.data, ==, 0x1234);
    g_assert_cmphex(db.devid, ==, PCI_DEVFN(1, 0));
    g_assert_cmphex(t.last_rid, ==, PCI_DEVFN(1, 0));
    /* An IOVA the IOMMU does not map, or maps read-only: dropped. */
    msi_program(rp, IOVA_HOLE, 0x1234);
    g_assert_cmpint(msi_notify(rp), ==, MEMTX_ERROR);
    msi_program(rp, IOVA_RO, 0x1234);
    g_assert_cmpint(msi_notify(rp), ==, MEMTX_ERROR);
    g_assert_cmpuint(db.sends, ==, 1);
    g_assert_cmpuint(msi_sent(rp), ==, 2);
    /* An IOMMU without translate is never bypassed. */
    root->iommu_ops = &host_only_ops;
    msi_program(rp, DOORBELL, 0x1234);
    g_assert_cmpint(msi_notify(rp), ==, MEMTX_ERROR);
    g_assert_cmpuint(db.sends, ==, 1);
    root->iommu_ops = NULL;
    address_space_clear_msi_doorbell(f->as);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/pci/config/masks", test_masks);
    ADD("/pci/bar/decode", test_bars);
    ADD("/pci/bar/overlap", test_bar_overlap);
    ADD("/pci/multifunction", test_multifunction);
    ADD("/pci/bridge", test_bridge);
    ADD("/pci/pxb-pcie", test_pxb);
    ADD("/pci/dma", test_dma);
    ADD("/pci/msi", test_msi);
#undef ADD
    return g_test_run();
}
