/*
 * The virt machine's PCIe host: ECAM decode to the functions of its
 * buses, its MMIO windows and root bus.
 *
 * Owns the PCIHost (root bus list, windows, counters) and the ECAM
 * region.  Main thread only: ECAM accesses are MMIO dispatched there.
 * See include/hw/pci-host/ecam-host.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci-host/ecam-host.h"
#include "hw/pci/pci-device.h"
#include "trace.h"

typedef struct ECAMHost {
    PCIHost pci;                /* first: ecam_host_ops get a PCIHost */
    MemoryRegion *ecam;
    hwaddr ecam_base;
    uint64_t ecam_size;
} ECAMHost;

static PCIDevice *ecam_decode(PCIHost *host, hwaddr addr, uint32_t *reg)
{
    *reg = addr & 0xfff;
    return pci_host_find_device(host, addr >> 20, (addr >> 12) & 0xff);
}

static MemTxResult ecam_host_read(void *opaque, hwaddr addr, uint64_t *data,
                                  unsigned size)
{
    PCIHost *host = opaque;
    uint32_t reg;
    PCIDevice *d = ecam_decode(host, addr, &reg);

    host->stats.config_reads++;
    if (!d) {
        host->stats.config_unclaimed++;
        *data = (UINT64_C(1) << (size * 8)) - 1;
        trace_ecam_host_unclaimed(addr >> 20, (addr >> 15) & 0x1f,
                                  (addr >> 12) & 7, reg, size);
        return MEMTX_OK;
    }
    *data = pci_config_read(d, reg, size);
    trace_ecam_host_read(addr >> 20, (addr >> 15) & 0x1f, (addr >> 12) & 7,
                         reg, size, *data);
    return MEMTX_OK;
}

static MemTxResult ecam_host_write(void *opaque, hwaddr addr, uint64_t data,
                                   unsigned size)
{
    PCIHost *host = opaque;
    uint32_t reg;
    PCIDevice *d = ecam_decode(host, addr, &reg);

    host->stats.config_writes++;
    if (!d) {
        host->stats.config_unclaimed++;
        return MEMTX_OK;
    }
    trace_ecam_host_write(addr >> 20, (addr >> 15) & 0x1f, (addr >> 12) & 7,
                          reg, size, data);
    pci_config_write(d, reg, data, size);
    return MEMTX_OK;
}

const MemoryRegionOps ecam_host_ops = {
    .read = ecam_host_read,
    .write = ecam_host_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

PCIHost *pcie_host_new(AddressSpace *as, bool highmem, Error **errp)
{
    ECAMHost *h = g_new0(ECAMHost, 1);
    PCIBus *root;

    h->pci.as = as;
    h->ecam_base = highmem ? VIRT_HIGH_PCIE_ECAM_BASE : VIRT_PCIE_ECAM_BASE;
    h->ecam_size = highmem ? VIRT_HIGH_PCIE_ECAM_SIZE : VIRT_PCIE_ECAM_SIZE;
    h->pci.windows[h->pci.nr_windows++] = (PCIHostWindow) {
        VIRT_PCIE_MMIO_BASE, VIRT_PCIE_MMIO_SIZE };
    if (highmem) {
        h->pci.windows[h->pci.nr_windows++] = (PCIHostWindow) {
            VIRT_HIGH_PCIE_MMIO_BASE, VIRT_HIGH_PCIE_MMIO_SIZE };
    }
    h->ecam = address_space_add_mmio(as, "pcie-ecam", h->ecam_base,
                                     h->ecam_size, &ecam_host_ops, &h->pci,
                                     errp);
    if (!h->ecam) {
        g_free(h);
        return NULL;
    }
    root = pci_root_bus_new(&h->pci, "pcie.0", 0, NULL, &error_abort);
    if (!pci_bus_register(root, errp)) {
        pcie_host_free(&h->pci);
        return NULL;
    }
    return &h->pci;
}

void pcie_host_free(PCIHost *host)
{
    ECAMHost *h = (ECAMHost *)host;

    if (!host) {
        return;
    }
    while (host->nr_roots) {
        pci_bus_free(host->roots[host->nr_roots - 1]);
    }
    address_space_del_mmio(host->as, h->ecam);
    g_free(h);
}

void pcie_host_ecam(const PCIHost *host, hwaddr *base, uint64_t *size)
{
    const ECAMHost *h = (const ECAMHost *)host;

    *base = h->ecam_base;
    *size = h->ecam_size;
}
