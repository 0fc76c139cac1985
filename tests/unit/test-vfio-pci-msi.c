/*
 * vfio-pci's MSI and MSI-X emulation (hw/vfio/pci-msi.c) on the embedded
 * emulated host's edu function (its MSI capability), with the test's
 * own VFIO interrupts and, for MSI-X, a capability, table and PBA laid
 * over that function's config space and BAR0: the guest's writes, masks,
 * hostile values and table bounds, and where each vector's MSI goes;
 * and the BAR mapped as host memory around the MSI-X pages, following
 * decode, moves and unplug, with sparse areas and x-no-mmap.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/qdev-properties.h"
#include "hw/vfio/pci-msi.h"
#include "hw/pci-host/ecam-host.h"
#include "system/iommufd-emulated.h"
#include "system/iommufd-emulated-pci.h"
#include "system/vfio-cdev-abi.h"

#define RAM_BASE    0x40000000ULL
#define BAR_ADDR    0x10100000ULL
#define MSI_CAP     0x40
#define MSIX_CAP    0x50
#define MSIX_N      8
#define TABLE       0x1000
#define PBA         0x1800
#define BELL        0x08000040ULL
#define DEVFN       (3 << 3)

/* The host device's VFIO interrupts as the test's kernel keeps them. */
typedef struct FakeIrqs {
    int32_t fd[3][MSIX_N];      /* per VFIO index, -1: none */
    int enables[3];             /* SET_IRQS with eventfds */
    int disables[3];            /* count 0 */
    int last_count[3];
} FakeIrqs;

static FakeIrqs irqs;
static uint32_t overlay_table = TABLE;   /* MSI-X table offset, BIR 0 */
static bool overlay_msix;
static bool overlay_loop;                /* a capability list that cycles */
static bool sparse_areas;                /* BAR0: a sub-page and 2 pages */
static IOMMUFDDeviceOps dev_ops;
static IOMMUFDKernelOps kops;

static int fake_irq_count(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                          uint32_t index)
{
    if (index == VFIO_PCI_MSI_IRQ_INDEX) {
        return 1;
    }
    return index == VFIO_PCI_MSIX_IRQ_INDEX && overlay_msix ? MSIX_N
                                                            : -EINVAL;
}

static int fake_set_irqs(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                         uint32_t index, uint32_t start, uint32_t count,
                         const int32_t *fds)
{
    g_assert_cmpuint(index, <=, VFIO_PCI_MSIX_IRQ_INDEX);
    if (!count) {
        irqs.disables[index]++;
        for (int i = 0; i < MSIX_N; i++) {
            irqs.fd[index][i] = -1;
        }
        return 0;
    }
    g_assert_cmpuint(start + count, <=, fake_irq_count(be, dev, index));
    irqs.enables[index]++;
    irqs.last_count[index] = count;
    for (uint32_t i = 0; i < count; i++) {
        irqs.fd[index][start + i] = fds[i];
    }
    return 0;
}

/* The config bytes of an MSI-X capability chained after edu's MSI. */
static uint8_t overlay_byte(uint32_t off, uint8_t b)
{
    static const uint8_t cap[12] = {
        0x11, 0x00, MSIX_N - 1, 0x00,
        0, 0, 0, 0,                     /* table: set below */
        PBA & 0xff, PBA >> 8, 0, 0,     /* PBA in BAR 0 */
    };

    if (overlay_loop && off == MSI_CAP + 1) {
        return MSI_CAP;                 /* points at itself */
    }
    if (!overlay_msix) {
        return b;
    }
    if (off == MSI_CAP + 1) {
        return MSIX_CAP;
    }
    if (off >= MSIX_CAP + 4 && off < MSIX_CAP + 8) {
        return overlay_table >> (8 * (off - MSIX_CAP - 4));
    }
    return off >= MSIX_CAP && off < MSIX_CAP + 12 ? cap[off - MSIX_CAP] : b;
}

static ssize_t overlay_rw(IOMMUFDBackend *be, IOMMUFDDevice *dev, void *buf,
                          size_t count, uint64_t offset, bool write)
{
    ssize_t n = iommufd_emulated_ops.device->region_rw(be, dev, buf, count,
                                                       offset, write);
    uint64_t base = 0, size = 0;

    iommufd_emulated_ops.device->region_info(be, dev,
                                             VFIO_PCI_CONFIG_REGION_INDEX,
                                             &size, &base);
    if (n > 0 && !write && offset >= base && offset - base < size) {
        for (ssize_t i = 0; i < n; i++) {
            uint8_t *p = (uint8_t *)buf + i;

            *p = overlay_byte(offset - base + i, *p);
        }
    }
    return n;
}

/* A sparse-mmap capability: only what it lists may be mapped. */
static int sparse_mmap_areas(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                             uint32_t index, IOMMUFDRegionArea *areas,
                             unsigned max)
{
    uint64_t page = getpagesize();

    if (!sparse_areas) {
        return iommufd_emulated_ops.device->region_mmap_areas(be, dev, index,
                                                              areas, max);
    }
    g_assert_cmpuint(max, >=, 2);
    areas[0] = (IOMMUFDRegionArea) { 0x10, 0x10 };
    areas[1] = (IOMMUFDRegionArea) { 3 * page, 2 * page };
    return index == VFIO_PCI_BAR0_REGION_INDEX ? 2 : 0;
}

typedef struct Bell {
    int binds, unbinds;
    hwaddr addr;
    uint32_t data, devid;
} Bell;

static bool bell_send(void *opaque, hwaddr addr, uint32_t data,
                      uint32_t devid)
{
    return true;
}

static int bell_bind(void *opaque, int efd, hwaddr addr, uint32_t data,
                     uint32_t devid)
{
    Bell *b = opaque;

    b->binds++;
    b->addr = addr;
    b->data = data;
    b->devid = devid;
    return 1;
}

static void bell_unbind(void *opaque, int efd, int handle)
{
    ((Bell *)opaque)->unbinds++;
}

static const MSIDoorbellOps bell_ops = {
    .send = bell_send, .bind = bell_bind, .unbind = bell_unbind,
};

static bool iommu_set(PCIBus *bus, void *opaque, int devfn,
                      HostIOMMUDevice *hiod, Error **errp)
{
    return true;
}

static void iommu_unset(PCIBus *bus, void *opaque, int devfn)
{
}

static uint64_t msi_gpa;

static uint64_t iommu_msi_gpa(PCIBus *bus, void *opaque, int devfn)
{
    g_assert_cmpint(devfn, ==, DEVFN);
    return msi_gpa;
}

static const PCIIOMMUOps iommu_ops = {
    .set_iommu_device = iommu_set,
    .unset_iommu_device = iommu_unset,
    .get_msi_direct_gpa = iommu_msi_gpa,
};

typedef struct Fixture {
    AddressSpace *as;
    PCIHost *pci;
    DeviceState *host_bridge;
    IOMMUFDEmulatedHost *host;
    IOMMUFDBackend *be;
    DeviceState *dev;
    VFIOPCIDevice *vdev;
    PCIDevice *pdev;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    memset(&irqs, 0xff, sizeof(irqs.fd));
    memset(irqs.enables, 0, sizeof(irqs) - sizeof(irqs.fd));
    overlay_msix = data != NULL;
    overlay_loop = false;
    overlay_table = TABLE;
    sparse_areas = false;
    dev_ops = *iommufd_emulated_ops.device;
    dev_ops.region_rw = overlay_rw;
    dev_ops.region_mmap_areas = sparse_mmap_areas;
    dev_ops.irq_count = fake_irq_count;
    dev_ops.set_irqs = fake_set_irqs;
    kops = iommufd_emulated_ops;
    kops.device = &dev_ops;
    f->as = address_space_new("memory");
    g_assert_true(address_space_add_ram(f->as, RAM_BASE, 16 << 20,
                                        &error_abort));
    f->pci = pcie_host_new(f->as, true, &error_abort);
    f->host_bridge = qdev_new("gpex-root", &error_abort);
    f->host_bridge->as = f->as;
    g_assert_true(qdev_prop_parse(f->host_bridge, "addr", "0", &error_abort));
    g_assert_true(qdev_realize(f->host_bridge, &error_abort));
    f->host = iommufd_emulated_host_new();
    f->be = iommufd_backend_new("iommufd0");
    iommufd_backend_set_kernel(f->be, &kops, f->host);
    g_assert_true(iommufd_backend_connect(f->be, &error_abort));
    g_assert_true(object_registry_add("iommufd0", TYPE_IOMMUFD_BACKEND,
                                      f->be, &error_abort));
}

static void teardown(Fixture *f, gconstpointer data)
{
    if (f->dev) {
        qdev_free(f->dev);
    }
    qdev_free(f->host_bridge);
    pcie_host_free(f->pci);
    object_registry_clear();
    iommufd_backend_disconnect(f->be);
    iommufd_backend_free(f->be);
    iommufd_emulated_host_free(f->host);
    address_space_free(f->as);
}

static DeviceState *new_dev(Fixture *f)
{
    DeviceState *dev = qdev_new("vfio-pci", &error_abort);

    dev->as = f->as;
    g_assert_true(qdev_prop_parse(dev, "iommufd", "iommufd0", &error_abort));
    g_assert_true(qdev_prop_parse(dev, "x-emulated-psid", "8", &error_abort));
    g_assert_true(qdev_prop_parse(dev, "addr", "3", &error_abort));
    return dev;
}

static void realize(Fixture *f)
{
    f->dev = new_dev(f);
    g_assert_true(qdev_realize(f->dev, &error_abort));
    f->vdev = (VFIOPCIDevice *)f->dev;
    f->pdev = &f->vdev->parent_obj;
    /* BAR0 at BAR_ADDR, decoding. */
    pci_config_write(f->pdev, PCI_BASE_ADDRESS_0, BAR_ADDR, 4);
    pci_config_write(f->pdev, PCI_COMMAND, PCI_COMMAND_MEMORY |
                     PCI_COMMAND_MASTER, 2);
}

static uint64_t host_config(VFIOPCIDevice *vdev, uint32_t off, unsigned size)
{
    uint64_t v;

    g_assert_true(vfio_pci_region_access(vdev, 7, off, size, &v, false,
                                         &error_abort));
    return v;
}

static void signal_fd(int fd)
{
    uint64_t one = 1;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, &one, sizeof(one)), ==, sizeof(one));
}

static void run_loop(void)
{
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

static uint32_t ram_word(Fixture *f, hwaddr a)
{
    uint32_t v;

    g_assert_cmpint(address_space_ldl_le(f->as, a, &v), ==, MEMTX_OK);
    return v;
}

/* edu's MSI: programmed, enabled, relayed; hostile flags; disabled. */
static void test_msi(Fixture *f, gconstpointer data)
{
    realize(f);
    g_assert_cmphex(f->vdev->msi->msi_cap, ==, MSI_CAP);
    g_assert_cmpuint(f->vdev->msi->msi_max, ==, 1);
    /* Header from the host; flags ours: 64-bit, off. */
    g_assert_cmphex(pci_config_read(f->pdev, MSI_CAP, 2), ==, 0x0005);
    g_assert_cmphex(pci_config_read(f->pdev, MSI_CAP + 2, 2), ==, 0x0080);
    pci_config_write(f->pdev, MSI_CAP + 4, RAM_BASE + 0x103, 4);
    pci_config_write(f->pdev, MSI_CAP + 8, 0, 4);
    pci_config_write(f->pdev, MSI_CAP + 12, 0xffff0041, 4);
    /* Address bits 1:0 and the extended data are read-only 0. */
    g_assert_cmphex(pci_config_read(f->pdev, MSI_CAP + 4, 4), ==,
                    RAM_BASE + 0x100);
    g_assert_cmphex(pci_config_read(f->pdev, MSI_CAP + 12, 4), ==, 0x0041);
    g_assert_cmpint(irqs.enables[VFIO_PCI_MSI_IRQ_INDEX], ==, 0);
    /* Enable with every flag bit set: 64-bit stays, MME clamps to 1. */
    pci_config_write(f->pdev, MSI_CAP + 2, 0xffff, 2);
    g_assert_cmphex(pci_config_read(f->pdev, MSI_CAP + 2, 2), ==, 0x00f1);
    g_assert_cmpint(irqs.enables[VFIO_PCI_MSI_IRQ_INDEX], ==, 1);
    g_assert_cmpint(irqs.last_count[VFIO_PCI_MSI_IRQ_INDEX], ==, 1);
    /* Nothing of it reached the host's own capability. */
    g_assert_cmphex(host_config(f->vdev, MSI_CAP + 2, 2), ==, 0x0080);
    g_assert_cmphex(host_config(f->vdev, MSI_CAP + 4, 4), ==, 0);
    signal_fd(irqs.fd[VFIO_PCI_MSI_IRQ_INDEX][0]);
    run_loop();
    g_assert_cmphex(ram_word(f, RAM_BASE + 0x100), ==, 0x41);
    /* Reprogrammed while enabled: the next signal follows. */
    pci_config_write(f->pdev, MSI_CAP + 12, 0x42, 2);
    signal_fd(irqs.fd[VFIO_PCI_MSI_IRQ_INDEX][0]);
    run_loop();
    g_assert_cmphex(ram_word(f, RAM_BASE + 0x100), ==, 0x42);
    g_assert_cmpint(irqs.enables[VFIO_PCI_MSI_IRQ_INDEX], ==, 1);
    /* Off: the index is disabled in the host device. */
    pci_config_write(f->pdev, MSI_CAP + 2, 0, 2);
    g_assert_cmpint(irqs.disables[VFIO_PCI_MSI_IRQ_INDEX], ==, 1);
    g_assert_cmpint(irqs.fd[VFIO_PCI_MSI_IRQ_INDEX][0], ==, -1);
    /* Enabled again, then a device reset turns it off. */
    pci_config_write(f->pdev, MSI_CAP + 2, 1, 2);
    g_assert_cmpint(irqs.enables[VFIO_PCI_MSI_IRQ_INDEX], ==, 2);
    qdev_reset(f->dev);
    g_assert_cmpint(irqs.disables[VFIO_PCI_MSI_IRQ_INDEX], ==, 2);
    g_assert_cmphex(pci_config_read(f->pdev, MSI_CAP + 2, 2), ==, 0x0080);
    g_assert_cmpuint(f->vdev->msi->errors, ==, 0);
}

/*
 * Behind an IOMMU with a doorbell: the guest's IOVA is replaced by the
 * doorbell's address and the device id is the requester ID.
 */
static void test_msi_doorbell(Fixture *f, gconstpointer data)
{
    Bell b = { 0 };

    g_assert_true(address_space_set_msi_doorbell(f->as, BELL, 4, &bell_ops,
                                                 &b, &error_abort));
    realize(f);
    /* No IOMMU: the guest's address as written (here RAM), relayed. */
    pci_config_write(f->pdev, MSI_CAP + 4, RAM_BASE + 0x300, 4);
    pci_config_write(f->pdev, MSI_CAP + 12, 0x21, 2);
    pci_config_write(f->pdev, MSI_CAP + 2, 1, 2);
    g_assert_cmpint(b.binds, ==, 0);
    signal_fd(irqs.fd[VFIO_PCI_MSI_IRQ_INDEX][0]);
    run_loop();
    g_assert_cmphex(ram_word(f, RAM_BASE + 0x300), ==, 0x21);
    pci_config_write(f->pdev, MSI_CAP + 2, 0, 2);
    /* Behind an IOMMU, what the guest wrote is an IOVA. */
    f->pci->roots[0]->iommu_ops = &iommu_ops;
    pci_config_write(f->pdev, MSI_CAP + 4, 0x08000040, 4);
    pci_config_write(f->pdev, MSI_CAP + 2, 1, 2);
    g_assert_cmpint(b.binds, ==, 1);
    g_assert_cmphex(b.addr, ==, BELL);
    g_assert_cmphex(b.data, ==, 0x21);
    g_assert_cmphex(b.devid, ==, DEVFN);
    pci_config_write(f->pdev, MSI_CAP + 4, 0xfffff040, 4);  /* another */
    g_assert_cmpint(b.binds, ==, 1);                /* the same route */
    pci_config_write(f->pdev, MSI_CAP + 12, 0x22, 2);
    g_assert_cmpint(b.binds, ==, 2);
    g_assert_cmpint(b.unbinds, ==, 1);
    g_assert_cmphex(b.data, ==, 0x22);
    pci_config_write(f->pdev, MSI_CAP + 2, 0, 2);
    g_assert_cmpint(b.unbinds, ==, 2);
    /* The IOMMU names its doorbell (arm-smmuv3 msi-gpa=): that one. */
    msi_gpa = RAM_BASE + 0x400;
    pci_config_write(f->pdev, MSI_CAP + 2, 1, 2);
    g_assert_cmpint(b.binds, ==, 2);                /* not the bell's */
    signal_fd(irqs.fd[VFIO_PCI_MSI_IRQ_INDEX][0]);
    run_loop();
    g_assert_cmphex(ram_word(f, RAM_BASE + 0x400), ==, 0x22);
    msi_gpa = 0;
    qdev_free(f->dev);
    f->dev = NULL;
    address_space_clear_msi_doorbell(f->as);
}

static MemTxResult bar_write(Fixture *f, hwaddr off, uint64_t v, unsigned n)
{
    return address_space_cpu_write(f->as, BAR_ADDR + off, v, n);
}

static uint64_t bar_read(Fixture *f, hwaddr off, unsigned n)
{
    uint64_t v = 0;

    g_assert_cmpint(address_space_cpu_read(f->as, BAR_ADDR + off, &v, n), ==,
                    MEMTX_OK);
    return v;
}

static void entry_program(Fixture *f, unsigned e, hwaddr addr, uint32_t data)
{
    bar_write(f, TABLE + e * 16, addr, 4);
    bar_write(f, TABLE + e * 16 + 4, addr >> 32, 4);
    bar_write(f, TABLE + e * 16 + 8, data, 4);
}

/* MSI-X: table writes trap, masks hold signals pending, bounds. */
static void test_msix(Fixture *f, gconstpointer data)
{
    int32_t *fd = irqs.fd[VFIO_PCI_MSIX_IRQ_INDEX];
    hwaddr msg = RAM_BASE + 0x200;
    uint64_t host;

    realize(f);
    g_assert_cmphex(f->vdev->msi->msix_cap, ==, MSIX_CAP);
    g_assert_cmpuint(f->vdev->msi->msix_entries, ==, MSIX_N);
    g_assert_cmphex(pci_config_read(f->pdev, MSIX_CAP + 2, 2), ==, 7);
    /* Every entry starts masked, zero. */
    g_assert_cmphex(bar_read(f, TABLE + 2 * 16 + 12, 4), ==, 1);
    g_assert_cmphex(bar_read(f, TABLE + 2 * 16, 8), ==, 0);
    entry_program(f, 2, msg, 0x77);
    /* Table Size is read-only; Enable with Function Mask: all held. */
    pci_config_write(f->pdev, MSIX_CAP + 2, 0xffff, 2);
    g_assert_cmphex(pci_config_read(f->pdev, MSIX_CAP + 2, 2), ==, 0xc007);
    g_assert_cmpint(irqs.enables[VFIO_PCI_MSIX_IRQ_INDEX], ==, 1);
    g_assert_cmpint(irqs.last_count[VFIO_PCI_MSIX_IRQ_INDEX], ==, MSIX_N);
    bar_write(f, TABLE + 2 * 16 + 12, 0, 4);        /* entry unmasked */
    signal_fd(fd[2]);
    run_loop();
    g_assert_cmphex(ram_word(f, msg), ==, 0);
    g_assert_cmphex(bar_read(f, PBA, 8), ==, 1u << 2);
    /* Function Mask off: the pending signal is delivered. */
    pci_config_write(f->pdev, MSIX_CAP + 2, 0x8000, 2);
    run_loop();
    g_assert_cmphex(ram_word(f, msg), ==, 0x77);
    g_assert_cmphex(bar_read(f, PBA, 8), ==, 0);
    /* Entry masked: held pending until unmasked. */
    address_space_stl_le(f->as, msg, 0);
    bar_write(f, TABLE + 2 * 16 + 12, 1, 4);
    signal_fd(fd[2]);
    run_loop();
    g_assert_cmphex(ram_word(f, msg), ==, 0);
    g_assert_cmphex(bar_read(f, PBA, 4), ==, 1u << 2);
    bar_write(f, PBA, 0, 4);                        /* read-only */
    g_assert_cmphex(bar_read(f, PBA, 4), ==, 1u << 2);
    bar_write(f, TABLE + 2 * 16 + 8, 0x78, 4);
    bar_write(f, TABLE + 2 * 16 + 12, 0, 4);
    run_loop();
    g_assert_cmphex(ram_word(f, msg), ==, 0x78);
    /* A QWORD write of address low and high (entry 5). */
    bar_write(f, TABLE + 5 * 16, msg + 4, 8);
    bar_write(f, TABLE + 5 * 16 + 8, 0x55, 4);
    bar_write(f, TABLE + 5 * 16 + 12, 0, 4);
    signal_fd(fd[5]);
    run_loop();
    g_assert_cmphex(ram_word(f, msg + 4), ==, 0x55);
    /* Hostile accesses: byte, word and misaligned writes are dropped. */
    bar_write(f, TABLE + 5 * 16 + 8, 0xee, 1);
    bar_write(f, TABLE + 5 * 16 + 8, 0xeeee, 2);
    bar_write(f, TABLE + 5 * 16 + 4, ~0ULL, 8);
    g_assert_cmphex(bar_read(f, TABLE + 5 * 16 + 8, 4), ==, 0x55);
    g_assert_cmphex(bar_read(f, TABLE + 5 * 16 + 4, 4), ==, 0);
    g_assert_cmphex(bar_read(f, TABLE + 5 * 16 + 8, 1), ==, 0x55);
    /* The last entry's end; past it is the host's BAR again. */
    bar_write(f, TABLE + (MSIX_N - 1) * 16 + 8, 0x99, 4);
    g_assert_cmphex(bar_read(f, TABLE + (MSIX_N - 1) * 16 + 8, 4), ==, 0x99);
    bar_write(f, TABLE + MSIX_N * 16, 0x1234, 4);
    g_assert_true(vfio_pci_region_access(f->vdev, 0, TABLE + MSIX_N * 16, 4,
                                         &host, false, &error_abort));
    g_assert_cmphex(host, ==, 0x1234);
    /* No table write reached the host's BAR. */
    g_assert_true(vfio_pci_region_access(f->vdev, 0, TABLE + 2 * 16 + 8, 4,
                                         &host, false, &error_abort));
    g_assert_cmphex(host, ==, 0);
    /* MSI-X off: the index is disabled; reset masks every entry. */
    pci_config_write(f->pdev, MSIX_CAP + 2, 0, 2);
    g_assert_cmpint(irqs.disables[VFIO_PCI_MSIX_IRQ_INDEX], ==, 1);
    qdev_reset(f->dev);
    pci_config_write(f->pdev, PCI_BASE_ADDRESS_0, BAR_ADDR, 4);
    pci_config_write(f->pdev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(bar_read(f, TABLE + 2 * 16 + 12, 4), ==, 1);
    g_assert_cmphex(bar_read(f, TABLE + 2 * 16 + 8, 4), ==, 0);
    g_assert_cmpuint(f->vdev->msi->errors, ==, 0);
}

/* The pages a mapped BAR must keep trapping. */
static void test_msix_trap_range(Fixture *f, gconstpointer data)
{
    hwaddr start;
    uint64_t size;

    realize(f);
    g_assert_true(vfio_msix_trap_range(f->vdev, 0, &start, &size));
    /* Table 0x1000-0x107f and PBA 0x1800-0x1807: one 4-KiB page. */
    g_assert_cmphex(start, ==, TABLE & ~(getpagesize() - 1));
    g_assert_cmphex(start + size, ==,
                    QEMU_ALIGN_UP(PBA + 8, (unsigned)getpagesize()));
    g_assert_false(vfio_msix_trap_range(f->vdev, 1, &start, &size));
}

/* What an accelerator's listener would map as memory slots. */
typedef struct Slots {
    int adds, dels;
    MemoryRegion *last;
} Slots;

static bool slots_add(void *opaque, MemoryRegion *mr)
{
    Slots *sl = opaque;

    g_assert_nonnull(memory_region_host(mr));
    sl->adds++;
    sl->last = mr;
    return true;
}

static void slots_del(void *opaque, MemoryRegion *mr)
{
    ((Slots *)opaque)->dels++;
}

static const MemoryListener slots_listener = {
    .region_add = slots_add, .region_del = slots_del,
};

/* The host memory mapped at A, or NULL: trapped (or nothing there). */
static void *host_at(Fixture *f, hwaddr a)
{
    MemoryRegion *mr = address_space_find_mmio(f->as, a);

    return mr ? memory_region_host(mr) : NULL;
}

static uint64_t bar0_host_word(Fixture *f, uint64_t off)
{
    uint64_t v;

    g_assert_true(vfio_pci_region_access(f->vdev, 0, off, 4, &v, false,
                                         &error_abort));
    return v;
}

/* edu's BAR0 is mapped whole; it follows decode and BAR moves. */
static void test_bar_mmap(Fixture *f, gconstpointer data)
{
    Slots sl = { 0 };
    uint32_t *host;
    uint64_t v;

    address_space_set_listener(f->as, &slots_listener, &sl);
    realize(f);
    host = host_at(f, BAR_ADDR);
    g_assert_nonnull(host);
    g_assert_true(host_at(f, BAR_ADDR + EMULATED_PCI_BAR0_SIZE - 1) == host);
    g_assert_cmpint(sl.adds, ==, 1);
    g_assert_cmphex(memory_region_size(sl.last), ==, EMULATED_PCI_BAR0_SIZE);
    g_assert_cmpuint(f->pci->stats.bar_host_maps, ==, 1);
    /* The guest's stores through the mapping are the device's. */
    host[0x40 / 4] = 0x12345678;
    g_assert_cmphex(bar0_host_word(f, 0x40), ==, 0x12345678);
    /* The daemon's own accesses still go through the ops. */
    g_assert_cmpint(address_space_cpu_read(f->as, BAR_ADDR + 0x40, &v, 4),
                    ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x12345678);
    /* Decode off: gone; on: back. */
    pci_config_write(f->pdev, PCI_COMMAND, 0, 2);
    g_assert_null(address_space_find_mmio(f->as, BAR_ADDR));
    g_assert_cmpint(sl.dels, ==, 1);
    pci_config_write(f->pdev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_nonnull(host_at(f, BAR_ADDR));
    g_assert_cmpint(sl.adds, ==, 2);
    /* Moved: unmapped from the old address, mapped at the new one. */
    pci_config_write(f->pdev, PCI_BASE_ADDRESS_0, BAR_ADDR + (2 << 20), 4);
    g_assert_null(address_space_find_mmio(f->as, BAR_ADDR));
    g_assert_nonnull(host_at(f, BAR_ADDR + (2 << 20)));
    g_assert_cmpint(sl.dels, ==, 2);
    g_assert_cmpint(sl.adds, ==, 3);
    /* Unplugged: unmapped. */
    qdev_free(f->dev);
    f->dev = NULL;
    g_assert_null(address_space_find_mmio(f->as, BAR_ADDR + (2 << 20)));
    g_assert_cmpint(sl.dels, ==, 3);
    address_space_set_listener(f->as, NULL, NULL);
}

/* A guest BAR over another region: refused whole, no piece left over. */
static void test_bar_mmap_conflict(Fixture *f, gconstpointer data)
{
    static const MemoryRegionOps none = { 0 };
    hwaddr other = BAR_ADDR + (4 << 20);
    MemoryRegion *mr;

    realize(f);
    mr = address_space_add_mmio(f->as, "other", other + 0x3000, 0x1000,
                                &none, NULL, &error_abort);
    pci_config_write(f->pdev, PCI_BASE_ADDRESS_0, other, 4);
    g_assert_null(address_space_find_mmio(f->as, other));
    g_assert_null(address_space_find_mmio(f->as, BAR_ADDR));
    g_assert_cmpuint(f->pci->stats.bar_map_conflicts, >=, 1);
    address_space_del_mmio(f->as, mr);
    pci_config_write(f->pdev, PCI_COMMAND, 0, 2);
    pci_config_write(f->pdev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_nonnull(host_at(f, other));
}

/* MSI-X: its table and PBA page stay trapped, the rest is mapped. */
static void test_bar_mmap_msix(Fixture *f, gconstpointer data)
{
    uint64_t page = getpagesize();
    hwaddr tlo = TABLE / page * page, thi = QEMU_ALIGN_UP(PBA + 8, page);
    uint64_t v;

    realize(f);
    g_assert_null(host_at(f, BAR_ADDR + TABLE));
    g_assert_null(host_at(f, BAR_ADDR + PBA));
    g_assert_nonnull(address_space_find_mmio(f->as, BAR_ADDR + TABLE));
    g_assert_nonnull(host_at(f, BAR_ADDR + thi));
    if (tlo) {
        g_assert_nonnull(host_at(f, BAR_ADDR));
    }
    /* A trapped piece past the BAR's start reaches the right offset. */
    g_assert_cmpint(address_space_cpu_write(f->as, BAR_ADDR + tlo + 0x20,
                                            0xabcd, 4), ==, MEMTX_OK);
    if (tlo + 0x20 < TABLE) {
        g_assert_cmphex(bar0_host_word(f, tlo + 0x20), ==, 0xabcd);
    }
    /* Vector 0's control word: masked at reset, from the emulated table. */
    g_assert_cmpint(address_space_cpu_read(f->as, BAR_ADDR + TABLE + 12,
                                           &v, 4), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 1);
    g_assert_cmpint(address_space_cpu_write(f->as, BAR_ADDR + thi + 8, 0x77,
                                            4), ==, MEMTX_OK);
    g_assert_cmphex(bar0_host_word(f, thi + 8), ==, 0x77);
}

/* Only whole pages of the sparse areas are mapped; x-no-mmap: none. */
static void test_bar_mmap_sparse(Fixture *f, gconstpointer data)
{
    uint64_t page = getpagesize();
    DeviceState *dev;

    sparse_areas = true;
    realize(f);
    g_assert_null(host_at(f, BAR_ADDR));
    g_assert_null(host_at(f, BAR_ADDR + 2 * page));
    g_assert_nonnull(host_at(f, BAR_ADDR + 3 * page));
    g_assert_nonnull(host_at(f, BAR_ADDR + 5 * page - 1));
    g_assert_null(host_at(f, BAR_ADDR + 5 * page));
    g_assert_nonnull(address_space_find_mmio(f->as, BAR_ADDR + 5 * page));
    qdev_free(f->dev);
    f->dev = NULL;

    sparse_areas = false;
    dev = new_dev(f);
    g_assert_true(qdev_prop_parse(dev, "x-no-mmap", "on", &error_abort));
    g_assert_true(qdev_realize(dev, &error_abort));
    f->dev = dev;
    f->vdev = (VFIOPCIDevice *)dev;
    f->pdev = &f->vdev->parent_obj;
    pci_config_write(f->pdev, PCI_BASE_ADDRESS_0, BAR_ADDR, 4);
    pci_config_write(f->pdev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_nonnull(address_space_find_mmio(f->as, BAR_ADDR));
    g_assert_null(host_at(f, BAR_ADDR));
    g_assert_cmpuint(f->pci->stats.bar_host_maps, ==, 1);
}

/* A host whose table lies outside its BAR, or whose list cycles. */
static void test_malformed(Fixture *f, gconstpointer data)
{
    DeviceState *dev;
    Error *err = NULL;

    overlay_table = 0x100000 - 0x40;        /* 0x80 bytes, 1 MiB BAR */
    dev = new_dev(f);
    g_assert_false(qdev_realize(dev, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "vfio-pci: MSI-X table at"
                    " 0xfffc0 (0x80 bytes) is not inside BAR 0");
    error_free_or_abort(&err);
    qdev_free(dev);
    overlay_table = TABLE | 5;              /* BIR 5: no such BAR */
    dev = new_dev(f);
    g_assert_false(qdev_realize(dev, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "vfio-pci: MSI-X table at"
                    " 0x1000 (0x80 bytes) is not inside BAR 5");
    error_free_or_abort(&err);
    qdev_free(dev);
    overlay_msix = false;
    overlay_loop = true;
    dev = new_dev(f);
    g_assert_false(qdev_realize(dev, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "vfio-pci: malformed"
                    " capability list at 0x40");
    error_free_or_abort(&err);
    qdev_free(dev);
}

int main(int argc, char **argv)
{
    static const int msix = 1;

    g_test_init(&argc, &argv, NULL);
#define ADD(path, d, fn) g_test_add(path, Fixture, d, setup, fn, teardown)
    ADD("/vfio-pci-msi/msi", NULL, test_msi);
    ADD("/vfio-pci-msi/msi-doorbell", NULL, test_msi_doorbell);
    ADD("/vfio-pci-msi/msix", &msix, test_msix);
    ADD("/vfio-pci-msi/msix-trap-range", &msix, test_msix_trap_range);
    ADD("/vfio-pci-msi/malformed", &msix, test_malformed);
    ADD("/vfio-pci-msi/bar-mmap", NULL, test_bar_mmap);
    ADD("/vfio-pci-msi/bar-mmap-conflict", NULL, test_bar_mmap_conflict);
    ADD("/vfio-pci-msi/bar-mmap-msix", &msix, test_bar_mmap_msix);
    ADD("/vfio-pci-msi/bar-mmap-sparse", NULL, test_bar_mmap_sparse);
#undef ADD
    return g_test_run();
}
