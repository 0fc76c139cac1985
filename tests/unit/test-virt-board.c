/*
 * The KVM guest's board, without KVM: the device tree it boots with, the
 * arm64 Image loader's layout, the PL011 and the PCIe host's ECAM.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/arm/boot.h"
#include "hw/arm/virt-fdt.h"
#include "hw/char/pl011.h"
#include "hw/pci-host/ecam-host.h"
#include <libfdt.h>

static const char *const smmu_irqs[] = { "eventq", "priq", "cmdq-sync",
                                         "gerror" };
static const uint64_t mpidrs[] = { 0x80000000, 0x80000001 };

static VirtFdtInfo test_info(VirtFdtSmmu *smmu)
{
    *smmu = (VirtFdtSmmu) {
        .base = 0x09050000, .size = 0x20000, .spi_base = 74, .num_irqs = 4,
        .irq_names = smmu_irqs, .on_pcie0 = true,
    };
    return (VirtFdtInfo) {
        .ram_base = 0x40000000, .ram_size = 256 << 20, .num_cpus = 2,
        .mpidr = mpidrs, .bootargs = "console=ttyAMA0 quiet",
        .initrd_start = 0x42000000, .initrd_end = 0x42001000,
        .num_smmus = 1, .smmus = smmu,
        .ecam_base = VIRT_HIGH_PCIE_ECAM_BASE,
        .ecam_size = VIRT_HIGH_PCIE_ECAM_SIZE, .high_mmio = true,
    };
}

static uint32_t prop_cell(const void *fdt, const char *path,
                          const char *name, int i)
{
    int node = fdt_path_offset(fdt, path), len;
    const fdt32_t *p;

    g_assert_cmpint(node, >=, 0);
    p = fdt_getprop(fdt, node, name, &len);
    g_assert_nonnull(p);
    g_assert_cmpint(len, >=, (i + 1) * 4);
    return fdt32_to_cpu(p[i]);
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name)
{
    return (uint64_t)prop_cell(fdt, path, name, 0) << 32 |
           prop_cell(fdt, path, name, 1);
}

static void test_fdt_nodes(void)
{
    VirtFdtSmmu smmu;
    VirtFdtInfo info = test_info(&smmu);
    g_autofree void *fdt = NULL;
    size_t size;
    int node, len;
    const char *s;
    uint32_t smmu_ph, its_ph;

    fdt = virt_fdt_create(&info, &size, &error_abort);
    g_assert_cmpint(fdt_check_header(fdt), ==, 0);
    g_assert_cmpuint(fdt_totalsize(fdt), ==, size);

    node = fdt_path_offset(fdt, "/chosen");
    s = fdt_getprop(fdt, node, "bootargs", NULL);
    g_assert_cmpstr(s, ==, "console=ttyAMA0 quiet");
    g_assert_cmpstr(fdt_getprop(fdt, node, "stdout-path", NULL), ==,
                    "/pl011@9000000");
    g_assert_cmphex(prop_u64(fdt, "/chosen", "linux,initrd-start"), ==,
                    0x42000000);
    g_assert_cmphex(prop_u64(fdt, "/chosen", "linux,initrd-end"), ==,
                    0x42001000);
    g_assert_cmphex(prop_cell(fdt, "/memory@40000000", "reg", 1), ==,
                    0x40000000);
    g_assert_cmphex(prop_cell(fdt, "/memory@40000000", "reg", 3), ==,
                    256 << 20);
    /* MPIDR affinity, not the vCPU index, with PSCI to start it. */
    g_assert_cmphex(prop_cell(fdt, "/cpus/cpu@1", "reg", 0), ==, 1);
    node = fdt_path_offset(fdt, "/cpus/cpu@1");
    g_assert_cmpstr(fdt_getprop(fdt, node, "enable-method", NULL), ==,
                    "psci");
    node = fdt_path_offset(fdt, "/psci");
    g_assert_cmpstr(fdt_getprop(fdt, node, "method", NULL), ==, "hvc");
    g_assert_cmphex(prop_cell(fdt, "/intc@8010000", "reg", 5), ==,
                    0x080a0000);

    /* The PCIe host sends MSIs to the ITS and DMA through the SMMU. */
    its_ph = prop_cell(fdt, "/intc@8010000/its@7ff0000", "phandle", 0);
    /*
     * GITS_TRANSLATER's page is the first of arm-smmu-v3's software MSI
     * window, so a guest's own doorbell mapping there is 1:1 (the host
     * device's MSIs under the guest's stage 1 need that).
     */
    g_assert_cmphex(prop_cell(fdt, "/intc@8010000/its@7ff0000", "reg", 1) +
                    0x10000, ==, 0x08000000);
    g_assert_cmphex(VIRT_GIC_ITS_TRANSLATER, ==, 0x08000040);
    smmu_ph = prop_cell(fdt, "/smmuv3@9050000", "phandle", 0);
    g_assert_cmpuint(prop_cell(fdt, "/pcie@10000000", "msi-map", 1), ==,
                     its_ph);
    g_assert_cmpuint(prop_cell(fdt, "/pcie@10000000", "iommu-map", 1), ==,
                     smmu_ph);
    /* Every bus's RIDs, identically: 256 buses by default. */
    g_assert_cmphex(prop_cell(fdt, "/pcie@10000000", "msi-map", 3), ==,
                    0x10000);
    g_assert_cmphex(prop_cell(fdt, "/pcie@10000000", "iommu-map", 3), ==,
                    0x10000);
    /* QEMU virt's default: the high ECAM (256 buses), both windows. */
    g_assert_cmphex(prop_u64(fdt, "/pcie@10000000", "reg"), ==,
                    0x4010000000ULL);
    g_assert_cmpuint(prop_cell(fdt, "/pcie@10000000", "bus-range", 1), ==,
                     255);
    node = fdt_path_offset(fdt, "/pcie@10000000");
    g_assert_nonnull(fdt_getprop(fdt, node, "ranges", &len));
    g_assert_cmpint(len, ==, 21 * 4);
    g_assert_cmphex(prop_cell(fdt, "/pcie@10000000", "ranges", 14), ==,
                    0x03000000);
    g_assert_cmphex(prop_cell(fdt, "/pcie@10000000", "ranges", 15), ==,
                    0x80);
    g_assert_cmphex(prop_cell(fdt, "/pcie@10000000", "ranges", 19), ==,
                    0x80);

    /* Each wired SPI under its name, edge-triggered. */
    node = fdt_path_offset(fdt, "/smmuv3@9050000");
    g_assert_cmpstr(fdt_getprop(fdt, node, "compatible", NULL), ==,
                    "arm,smmu-v3");
    g_assert_cmpuint(prop_cell(fdt, "/smmuv3@9050000", "#iommu-cells", 0),
                     ==, 1);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(fdt_stringlist_search(fdt, node, "interrupt-names",
                                              smmu_irqs[i]), ==, i);
        g_assert_cmpuint(prop_cell(fdt, "/smmuv3@9050000", "interrupts",
                                   3 * i + 1), ==, 74 + i);
        g_assert_cmpuint(prop_cell(fdt, "/smmuv3@9050000", "interrupts",
                                   3 * i + 2), ==, 1);
    }
    g_assert_nonnull(fdt_getprop(fdt, node, "dma-coherent", &len));
}

/* highmem=off: the low ECAM (16 buses) and the 32-bit window only. */
static void test_fdt_low_ecam(void)
{
    VirtFdtSmmu smmu;
    VirtFdtInfo info = test_info(&smmu);
    g_autofree void *fdt = NULL;
    size_t size;
    int len;

    info.ecam_base = VIRT_PCIE_ECAM_BASE;
    info.ecam_size = VIRT_PCIE_ECAM_SIZE;
    info.high_mmio = false;
    fdt = virt_fdt_create(&info, &size, &error_abort);
    g_assert_cmphex(prop_u64(fdt, "/pcie@10000000", "reg"), ==, 0x3f000000);
    g_assert_cmpuint(prop_cell(fdt, "/pcie@10000000", "bus-range", 1), ==,
                     15);
    g_assert_nonnull(fdt_getprop(fdt, fdt_path_offset(fdt, "/pcie@10000000"),
                                 "ranges", &len));
    g_assert_cmpint(len, ==, 14 * 4);
}

static void test_fdt_no_smmu_on_pcie(void)
{
    VirtFdtSmmu smmu;
    VirtFdtInfo info = test_info(&smmu);
    g_autofree void *fdt = NULL;
    size_t size;

    smmu.on_pcie0 = false;
    info.initrd_end = info.initrd_start;
    fdt = virt_fdt_create(&info, &size, &error_abort);
    g_assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/pcie@10000000"),
                              "iommu-map", NULL));
    g_assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"),
                              "linux,initrd-start", NULL));
    g_assert_cmpint(fdt_path_offset(fdt, "/smmuv3@9050000"), >=, 0);
}

static void test_fdt_from_user(void)
{
    VirtFdtSmmu smmu;
    VirtFdtInfo info = test_info(&smmu);
    g_autofree void *base = NULL, *fdt = NULL;
    size_t size, size2;
    uint8_t junk[64] = { 0 };
    Error *err = NULL;

    info.bootargs = "old";
    base = virt_fdt_create(&info, &size, &error_abort);
    info.bootargs = "console=ttyAMA0 rdinit=/init";
    info.initrd_start = 0x44000000;
    info.initrd_end = 0x44200000;
    fdt = virt_fdt_from_user(base, size, &info, &size2, &error_abort);
    g_assert_cmpstr(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"),
                                "bootargs", NULL), ==,
                    "console=ttyAMA0 rdinit=/init");
    g_assert_cmphex(prop_u64(fdt, "/chosen", "linux,initrd-end"), ==,
                    0x44200000);
    g_assert_null(virt_fdt_from_user(junk, sizeof(junk), &info, &size2,
                                     &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "not a flattened"));
    error_free(err);
}

static void image_header(uint8_t *h, uint64_t text_offset,
                         uint64_t image_size, uint64_t flags)
{
    memset(h, 0, ARM64_IMAGE_HEADER_SIZE);
    for (int i = 0; i < 8; i++) {
        h[8 + i] = text_offset >> (8 * i);
        h[16 + i] = image_size >> (8 * i);
        h[24 + i] = flags >> (8 * i);
    }
    memcpy(h + 56, "ARM\x64", 4);
}

static void test_image_parse(void)
{
    uint8_t h[ARM64_IMAGE_HEADER_SIZE];
    uint64_t off, size;
    Error *err = NULL;

    image_header(h, 0, 0x1000000, 2);
    g_assert_true(arm64_image_parse(h, sizeof(h), &off, &size, &error_abort));
    g_assert_cmphex(off, ==, 0);
    g_assert_cmphex(size, ==, 0x1000000);
    /* Before Linux 3.17: no image_size, text_offset 0x80000. */
    image_header(h, 0x1234, 0, 0);
    g_assert_true(arm64_image_parse(h, sizeof(h), &off, &size, &error_abort));
    g_assert_cmphex(off, ==, 0x80000);
    g_assert_cmphex(size, ==, sizeof(h));
    image_header(h, 0, 0x1000000, 1);
    g_assert_false(arm64_image_parse(h, sizeof(h), &off, &size, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "big-endian"));
    g_clear_pointer(&err, error_free);
    h[56] = 'X';
    g_assert_false(arm64_image_parse(h, sizeof(h), &off, &size, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "not an arm64 Image"));
    error_free(err);
}

static char *write_tmp(const void *data, size_t len)
{
    g_autoptr(GError) gerr = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("test-virt-board-XXXXXX", &path, &gerr);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, data, len), ==, (ssize_t)len);
    close(fd);
    return path;
}

static void test_boot_layout(void)
{
    uint8_t h[ARM64_IMAGE_HEADER_SIZE], rd[3000] = { 0x5a };
    g_autofree char *kpath = NULL, *rpath = NULL;
    ArmBootInfo bi = { .ram_base = 0x40000000, .ram_size = 64 << 20 };
    AddressSpace *as = address_space_new("test");
    uint8_t dtb[16] = { 0xd0 }, back[16];
    Error *err = NULL;

    image_header(h, 0x10000, 0x2345678, 0);
    kpath = write_tmp(h, sizeof(h));
    rpath = write_tmp(rd, sizeof(rd));
    bi.kernel_filename = kpath;
    bi.initrd_filename = rpath;
    g_assert_true(arm_boot_prepare(&bi, &error_abort));
    g_assert_cmphex(bi.kernel_addr, ==, 0x40010000);
    /* Past image_size (bss included), 2 MiB aligned. */
    g_assert_cmphex(bi.initrd_addr, ==, 0x42400000);
    g_assert_cmphex(bi.dtb_addr, ==, 0x42600000);
    g_assert_true(address_space_add_ram(as, 0x40000000, 64 << 20,
                                        &error_abort));
    g_assert_true(arm_boot_load(&bi, as, dtb, sizeof(dtb), &error_abort));
    g_assert_cmpint(address_space_read(as, bi.dtb_addr, back, sizeof(back)),
                    ==, MEMTX_OK);
    g_assert_cmpmem(back, sizeof(back), dtb, sizeof(dtb));
    g_assert_cmpint(address_space_read(as, bi.initrd_addr, back, 1), ==,
                    MEMTX_OK);
    g_assert_cmphex(back[0], ==, 0x5a);
    arm_boot_info_clear(&bi);

    /* Kernel, initrd and a 2 MiB device tree do not fit in 38 MiB. */
    bi.ram_size = 38 << 20;
    g_assert_false(arm_boot_prepare(&bi, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "too small"));
    error_free(err);
    arm_boot_info_clear(&bi);
    address_space_free(as);
    unlink(kpath);
    unlink(rpath);
}

typedef struct UartTest {
    GString *tx;
    int level;
} UartTest;

static void uart_sink(void *opaque, const uint8_t *buf, size_t len)
{
    UartTest *t = opaque;

    g_string_append_len(t->tx, (const char *)buf, len);
}

static void uart_irq(void *opaque, int n, int level)
{
    UartTest *t = opaque;

    t->level = level;
}

static uint64_t uart_read(PL011State *s, hwaddr addr)
{
    uint64_t v;

    g_assert_cmpint(pl011_ops.read(s, addr, &v, 4), ==, MEMTX_OK);
    return v;
}

static void uart_write(PL011State *s, hwaddr addr, uint64_t v)
{
    g_assert_cmpint(pl011_ops.write(s, addr, v, 4), ==, MEMTX_OK);
}

static void test_pl011(void)
{
    UartTest t = { .tx = g_string_new(NULL) };
    qemu_irq irq = qemu_allocate_irq(uart_irq, &t, 0);
    PL011State *s = pl011_new("uart", irq, uart_sink, &t);
    static const uint8_t id[] = { 0x11, 0x10, 0x34, 0x00,
                                  0x0d, 0xf0, 0x05, 0xb1 };

    /* The AMBA bus matches the driver by these. */
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(uart_read(s, 0xfe0 + 4 * i), ==, id[i]);
    }
    uart_write(s, 0x000, 'o');
    uart_write(s, 0x000, 'k');
    g_assert_cmpstr(t.tx->str, ==, "ok");
    g_assert_cmphex(uart_read(s, 0x018) & 0xf0, ==, 0x90); /* TXFE RXFE */

    /* Receive with the FIFO on and RX interrupts unmasked. */
    uart_write(s, 0x02c, 1 << 4);
    uart_write(s, 0x038, 1 << 4);
    g_assert_cmpint(t.level, ==, 0);
    g_assert_cmpuint(pl011_receive(s, (const uint8_t *)"hi", 2), ==, 2);
    g_assert_cmpint(t.level, ==, 1);
    g_assert_cmphex(uart_read(s, 0x040), ==, 1 << 4);
    g_assert_cmphex(uart_read(s, 0x018) & (1 << 4), ==, 0);
    g_assert_cmphex(uart_read(s, 0x000), ==, 'h');
    g_assert_cmphex(uart_read(s, 0x000), ==, 'i');
    g_assert_cmpint(t.level, ==, 0);
    g_assert_cmphex(uart_read(s, 0x018) & (1 << 4), ==, 1 << 4);
    /* TX interrupt: the FIFO is always empty. */
    uart_write(s, 0x038, 1 << 5);
    g_assert_cmpint(t.level, ==, 1);
    pl011_reset(s);
    g_assert_cmpint(t.level, ==, 0);
    /* Without the FIFO one byte fits. */
    g_assert_cmpuint(pl011_receive(s, (const uint8_t *)"ab", 2), ==, 1);

    pl011_free(s);
    qemu_free_irq(irq);
    g_string_free(t.tx, TRUE);
}

/* The ECAM decodes bus/devfn/register; an absent function reads ~0. */
static void test_ecam(void)
{
    AddressSpace *as = address_space_new("memory");
    PCIHost *host = pcie_host_new(as, true, &error_abort);
    DeviceState *hb = qdev_new("gpex-root", &error_abort);
    hwaddr base;
    uint64_t size, v;

    pcie_host_ecam(host, &base, &size);
    g_assert_cmphex(base, ==, VIRT_HIGH_PCIE_ECAM_BASE);
    g_assert_cmphex(size, ==, 256 * ECAM_BUS_SIZE);
    hb->as = as;
    g_assert_true(qdev_realize(hb, &error_abort));
    g_assert_cmpint(address_space_cpu_read(as, base, &v, 4), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x00081b36);
    g_assert_cmpint(address_space_cpu_read(as, base + 0xa, &v, 2), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0x0600);
    /* Device 1, function 0: nothing. */
    g_assert_cmpint(address_space_cpu_read(as, base + 0x8000, &v, 4), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0xffffffff);
    /* Bus 1 has no bridge routing to it. */
    g_assert_cmpint(address_space_cpu_read(as, base + ECAM_BUS_SIZE, &v, 2),
                    ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xffff);
    g_assert_cmpuint(host->stats.config_unclaimed, ==, 2);
    /* A PCIe function without extended capabilities: 0 at 0x100. */
    g_assert_cmpint(address_space_cpu_read(as, base + 0x100, &v, 4), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0);
    qdev_free(hb);
    pcie_host_free(host);
    address_space_free(as);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virt-board/fdt/nodes", test_fdt_nodes);
    g_test_add_func("/virt-board/fdt/low-ecam", test_fdt_low_ecam);
    g_test_add_func("/virt-board/fdt/no-smmu-on-pcie",
                    test_fdt_no_smmu_on_pcie);
    g_test_add_func("/virt-board/fdt/from-user", test_fdt_from_user);
    g_test_add_func("/virt-board/boot/image-parse", test_image_parse);
    g_test_add_func("/virt-board/boot/layout", test_boot_layout);
    g_test_add_func("/virt-board/pl011", test_pl011);
    g_test_add_func("/virt-board/ecam", test_ecam);
    return g_test_run();
}
