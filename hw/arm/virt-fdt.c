/*
 * The virt board's device tree for KVM guests, written with libfdt.
 *
 * Owns no state (no lock); see include/hw/arm/virt-fdt.h for the memory
 * map and what is described.  Interrupt specifiers are the GICv3
 * binding's: <type number flags>, type 0 SPI / 1 PPI, flags 1 edge
 * rising / 4 level high.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/virt-fdt.h"
#include "trace.h"
#include <libfdt.h>

#define FDT_BUF_SIZE    (64 * 1024)

#define PHANDLE_GIC     1
#define PHANDLE_ITS     2
#define PHANDLE_CLK     3
#define PHANDLE_SMMU0   4

#define GIC_SPI         0
#define GIC_PPI         1
#define IRQ_EDGE_RISING 1
#define IRQ_LEVEL_HIGH  4

/* Sequential writer: the first libfdt error sticks, later calls no-op. */
typedef struct FdtW {
    void *fdt;
    int err;
    const char *where;
} FdtW;

static void w_check(FdtW *w, int r, const char *where)
{
    if (r < 0 && !w->err) {
        w->err = r;
        w->where = where;
    }
}

static void w_begin(FdtW *w, const char *name)
{
    if (!w->err) {
        w_check(w, fdt_begin_node(w->fdt, name), name);
    }
}

static void w_end(FdtW *w)
{
    if (!w->err) {
        w_check(w, fdt_end_node(w->fdt), "end node");
    }
}

static void w_prop(FdtW *w, const char *name, const void *val, int len)
{
    if (!w->err) {
        w_check(w, fdt_property(w->fdt, name, val, len), name);
    }
}

static void w_str(FdtW *w, const char *name, const char *val)
{
    w_prop(w, name, val, strlen(val) + 1);
}

static void w_u32(FdtW *w, const char *name, uint32_t val)
{
    fdt32_t v = cpu_to_fdt32(val);

    w_prop(w, name, &v, sizeof(v));
}

static void w_u64(FdtW *w, const char *name, uint64_t val)
{
    fdt64_t v = cpu_to_fdt64(val);

    w_prop(w, name, &v, sizeof(v));
}

/* N 32-bit cells. */
static void w_cells(FdtW *w, const char *name, int n, const uint32_t *cells)
{
    fdt32_t v[32];

    g_assert(n <= (int)G_N_ELEMENTS(v));
    for (int i = 0; i < n; i++) {
        v[i] = cpu_to_fdt32(cells[i]);
    }
    w_prop(w, name, v, n * sizeof(v[0]));
}

/* reg = <base size> with #address-cells = #size-cells = 2. */
static void w_reg(FdtW *w, hwaddr base, uint64_t size)
{
    uint32_t c[] = { base >> 32, base, size >> 32, size };

    w_cells(w, "reg", 4, c);
}

static void w_node_at(FdtW *w, const char *name, hwaddr base)
{
    g_autofree char *n = g_strdup_printf("%s@%" PRIx64, name, base);

    w_begin(w, n);
}

static void fdt_root(FdtW *w)
{
    w_str(w, "compatible", "linux,dummy-virt");
    w_str(w, "model", "vsmmu-daemon virt (KVM)");
    w_u32(w, "#address-cells", 2);
    w_u32(w, "#size-cells", 2);
    w_u32(w, "interrupt-parent", PHANDLE_GIC);
}

static void fdt_chosen(FdtW *w, const VirtFdtInfo *info)
{
    g_autofree char *stdout_path =
        g_strdup_printf("/pl011@%" PRIx64, (uint64_t)VIRT_UART_BASE);

    w_begin(w, "chosen");
    if (info->bootargs) {
        w_str(w, "bootargs", info->bootargs);
    }
    w_str(w, "stdout-path", stdout_path);
    if (info->initrd_end > info->initrd_start) {
        w_u64(w, "linux,initrd-start", info->initrd_start);
        w_u64(w, "linux,initrd-end", info->initrd_end);
    }
    w_end(w);
}

static void fdt_cpus(FdtW *w, const VirtFdtInfo *info)
{
    static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";

    w_begin(w, "psci");
    w_prop(w, "compatible", psci_compat, sizeof(psci_compat));
    w_str(w, "method", "hvc");
    w_end(w);

    w_begin(w, "cpus");
    w_u32(w, "#address-cells", 1);
    w_u32(w, "#size-cells", 0);
    for (unsigned i = 0; i < info->num_cpus; i++) {
        /* Aff2..Aff0: fewer than 2^24 vCPUs, so Aff3 is 0. */
        uint32_t reg = info->mpidr[i] & 0xffffff;
        g_autofree char *n = g_strdup_printf("cpu@%x", reg);

        w_begin(w, n);
        w_str(w, "device_type", "cpu");
        w_str(w, "compatible", "arm,arm-v8");
        w_u32(w, "reg", reg);
        w_str(w, "enable-method", "psci");
        w_end(w);
    }
    w_end(w);
}

static void fdt_gic_timer(FdtW *w, const VirtFdtInfo *info)
{
    /* Secure and non-secure physical, virtual, hypervisor timer PPIs. */
    uint32_t timer[] = {
        GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
        GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH,
    };
    uint32_t gic_reg[] = {
        VIRT_GIC_DIST_BASE >> 32, VIRT_GIC_DIST_BASE,
        VIRT_GIC_DIST_SIZE >> 32, VIRT_GIC_DIST_SIZE,
        VIRT_GIC_REDIST_BASE >> 32, VIRT_GIC_REDIST_BASE,
        VIRT_GIC_REDIST_SIZE >> 32, VIRT_GIC_REDIST_SIZE,
    };
    uint32_t maint[] = { GIC_PPI, 9, IRQ_LEVEL_HIGH };

    w_begin(w, "timer");
    w_str(w, "compatible", "arm,armv8-timer");
    w_cells(w, "interrupts", G_N_ELEMENTS(timer), timer);
    w_prop(w, "always-on", NULL, 0);
    w_end(w);

    w_node_at(w, "intc", VIRT_GIC_DIST_BASE);
    w_str(w, "compatible", "arm,gic-v3");
    w_u32(w, "#interrupt-cells", 3);
    w_prop(w, "interrupt-controller", NULL, 0);
    w_u32(w, "#address-cells", 2);
    w_u32(w, "#size-cells", 2);
    w_prop(w, "ranges", NULL, 0);
    w_cells(w, "reg", G_N_ELEMENTS(gic_reg), gic_reg);
    w_cells(w, "interrupts", 3, maint);
    w_u32(w, "phandle", PHANDLE_GIC);
    w_node_at(w, "its", VIRT_GIC_ITS_BASE);
    w_str(w, "compatible", "arm,gic-v3-its");
    w_prop(w, "msi-controller", NULL, 0);
    w_u32(w, "#msi-cells", 1);
    w_reg(w, VIRT_GIC_ITS_BASE, VIRT_GIC_ITS_SIZE);
    w_u32(w, "phandle", PHANDLE_ITS);
    w_end(w);
    w_end(w);
}

static void fdt_uart(FdtW *w)
{
    static const char compat[] = "arm,pl011\0arm,primecell";
    static const char clock_names[] = "uartclk\0apb_pclk";
    uint32_t irq[] = { GIC_SPI, VIRT_UART_IRQ, IRQ_LEVEL_HIGH };
    uint32_t clocks[] = { PHANDLE_CLK, PHANDLE_CLK };

    w_begin(w, "apb-pclk");
    w_str(w, "compatible", "fixed-clock");
    w_u32(w, "#clock-cells", 0);
    w_u32(w, "clock-frequency", 24000000);
    w_str(w, "clock-output-names", "clk24mhz");
    w_u32(w, "phandle", PHANDLE_CLK);
    w_end(w);

    w_node_at(w, "pl011", VIRT_UART_BASE);
    w_prop(w, "compatible", compat, sizeof(compat));
    w_reg(w, VIRT_UART_BASE, VIRT_UART_SIZE);
    w_cells(w, "interrupts", 3, irq);
    w_prop(w, "clock-names", clock_names, sizeof(clock_names));
    w_cells(w, "clocks", 2, clocks);
    w_end(w);
}

static void fdt_pcie(FdtW *w, const VirtFdtInfo *info)
{
    uint32_t buses = info->ecam_size / ECAM_BUS_SIZE;
    uint32_t bus_range[] = { 0, buses - 1 };
    uint32_t ranges[] = {
        0x01000000, 0, 0, VIRT_PCIE_PIO_BASE >> 32, VIRT_PCIE_PIO_BASE,
        VIRT_PCIE_PIO_SIZE >> 32, VIRT_PCIE_PIO_SIZE,
        0x02000000, VIRT_PCIE_MMIO_BASE >> 32, VIRT_PCIE_MMIO_BASE,
        VIRT_PCIE_MMIO_BASE >> 32, VIRT_PCIE_MMIO_BASE,
        VIRT_PCIE_MMIO_SIZE >> 32, VIRT_PCIE_MMIO_SIZE,
        0x03000000, VIRT_HIGH_PCIE_MMIO_BASE >> 32,
        (uint32_t)VIRT_HIGH_PCIE_MMIO_BASE,
        VIRT_HIGH_PCIE_MMIO_BASE >> 32, (uint32_t)VIRT_HIGH_PCIE_MMIO_BASE,
        VIRT_HIGH_PCIE_MMIO_SIZE >> 32, (uint32_t)VIRT_HIGH_PCIE_MMIO_SIZE,
    };
    /* The buses' RIDs to ITS device ids / StreamIDs, identically. */
    uint32_t msi_map[] = { 0, PHANDLE_ITS, 0, buses << 8 };
    uint32_t iommu_map[] = { 0, 0, 0, buses << 8 };

    w_node_at(w, "pcie", VIRT_PCIE_MMIO_BASE);
    w_str(w, "compatible", "pci-host-ecam-generic");
    w_str(w, "device_type", "pci");
    w_u32(w, "#address-cells", 3);
    w_u32(w, "#size-cells", 2);
    w_u32(w, "#interrupt-cells", 1);
    w_reg(w, info->ecam_base, info->ecam_size);
    w_cells(w, "bus-range", 2, bus_range);
    w_u32(w, "linux,pci-domain", 0);
    w_prop(w, "dma-coherent", NULL, 0);
    /* The 64-bit window (7 cells) only where the host has it. */
    w_cells(w, "ranges", G_N_ELEMENTS(ranges) - (info->high_mmio ? 0 : 7),
            ranges);
    w_cells(w, "msi-map", 4, msi_map);
    for (unsigned i = 0; i < info->num_smmus; i++) {
        if (info->smmus[i].on_pcie0) {
            iommu_map[1] = PHANDLE_SMMU0 + i;
            w_cells(w, "iommu-map", 4, iommu_map);
            break;
        }
    }
    w_end(w);
}

static void fdt_smmu(FdtW *w, const VirtFdtSmmu *smmu, uint32_t phandle)
{
    uint32_t irqs[3 * 8];
    GString *names = g_string_new(NULL);

    g_assert(smmu->num_irqs <= 8);
    for (int i = 0; i < smmu->num_irqs; i++) {
        irqs[3 * i] = GIC_SPI;
        irqs[3 * i + 1] = smmu->spi_base + i;
        irqs[3 * i + 2] = IRQ_EDGE_RISING;
        g_string_append(names, smmu->irq_names[i]);
        g_string_append_c(names, '\0');
    }
    w_node_at(w, "smmuv3", smmu->base);
    w_str(w, "compatible", "arm,smmu-v3");
    w_reg(w, smmu->base, smmu->size);
    w_cells(w, "interrupts", 3 * smmu->num_irqs, irqs);
    w_prop(w, "interrupt-names", names->str, names->len);
    w_prop(w, "dma-coherent", NULL, 0);
    w_u32(w, "#iommu-cells", 1);
    w_u32(w, "phandle", phandle);
    w_end(w);
    g_string_free(names, TRUE);
}

void *virt_fdt_create(const VirtFdtInfo *info, size_t *size, Error **errp)
{
    FdtW w = { .fdt = g_malloc0(FDT_BUF_SIZE) };
    uint32_t mem[] = { info->ram_base >> 32, info->ram_base,
                       info->ram_size >> 32, info->ram_size };

    w_check(&w, fdt_create(w.fdt, FDT_BUF_SIZE), "create");
    if (!w.err) {
        w_check(&w, fdt_finish_reservemap(w.fdt), "reservemap");
    }
    w_begin(&w, "");
    fdt_root(&w);
    fdt_chosen(&w, info);
    w_node_at(&w, "memory", info->ram_base);
    w_str(&w, "device_type", "memory");
    w_cells(&w, "reg", 4, mem);
    w_end(&w);
    fdt_cpus(&w, info);
    fdt_gic_timer(&w, info);
    fdt_uart(&w);
    fdt_pcie(&w, info);
    for (unsigned i = 0; i < info->num_smmus; i++) {
        fdt_smmu(&w, &info->smmus[i], PHANDLE_SMMU0 + i);
    }
    w_end(&w);
    if (!w.err) {
        w_check(&w, fdt_finish(w.fdt), "finish");
    }
    if (w.err) {
        error_setg(errp, "device tree: libfdt error at '%s': %s", w.where,
                   fdt_strerror(w.err));
        g_free(w.fdt);
        return NULL;
    }
    *size = fdt_totalsize(w.fdt);
    trace_virt_fdt_created(info->num_cpus, info->num_smmus, *size);
    return w.fdt;
}

void *virt_fdt_from_user(const void *blob, size_t len,
                         const VirtFdtInfo *info, size_t *size, Error **errp)
{
    size_t bufsize = len + 4096 + (info->bootargs ?
                                   strlen(info->bootargs) : 0);
    g_autofree void *fdt = NULL;
    int chosen, r;

    if (len < sizeof(struct fdt_header) || fdt_check_header(blob) != 0 ||
        fdt_totalsize(blob) > len) {
        error_setg(errp, "not a flattened device tree (bad header)");
        return NULL;
    }
    fdt = g_malloc0(bufsize);
    r = fdt_open_into(blob, fdt, bufsize);
    chosen = r < 0 ? r : fdt_path_offset(fdt, "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND) {
        chosen = fdt_add_subnode(fdt, 0, "chosen");
    }
    r = chosen;
    if (r >= 0 && info->bootargs) {
        r = fdt_setprop_string(fdt, chosen, "bootargs", info->bootargs);
    }
    if (r >= 0 && info->initrd_end > info->initrd_start) {
        r = fdt_setprop_u64(fdt, chosen, "linux,initrd-start",
                            info->initrd_start);
        if (r >= 0) {
            r = fdt_setprop_u64(fdt, chosen, "linux,initrd-end",
                                info->initrd_end);
        }
    }
    if (r >= 0) {
        r = fdt_pack(fdt);
    }
    if (r < 0) {
        error_setg(errp, "cannot set /chosen: %s", fdt_strerror(r));
        return NULL;
    }
    *size = fdt_totalsize(fdt);
    return g_steal_pointer(&fdt);
}
