/*
 * The device tree of a KVM guest on the virt board.
 *
 * The memory map is QEMU virt's (low memory map, GICv3), except the
 * distributor and ITS:
 *
 *   0x07ff0000  GIC ITS (128 KiB: its translation frame, GITS_TRANSLATER's
 *               page, at 0x08000000)
 *   0x08010000  GIC distributor (64 KiB)
 *   0x080a0000  GIC redistributors, 128 KiB per vCPU (up to 123)
 *   0x09000000  PL011 UART, SPI 1
 *   0x09050000  arm-smmuv3 of -machine virt,iommu=smmuv3, SPIs 74..
 *   0x0c000000  platform bus (-device arm-smmuv3, SPIs 112..)
 *   0x10000000  PCIe 32-bit MMIO window (0x2eff0000 bytes)
 *   0x3eff0000  PCIe I/O window (64 KiB)
 *   0x3f000000  PCIe ECAM, buses 0..15 (16 MiB), with highmem=off
 *   0x40000000  RAM
 *   0x4010000000  PCIe ECAM, buses 0..255 (256 MiB)
 *   0x8000000000  PCIe 64-bit MMIO window (512 GiB)
 *
 * (the PCIe host's addresses: include/hw/pci-host/ecam-host.h).
 *
 * Why the ITS moved: a host device's physical MSI address is an IOVA the
 * host kernel picks in its software MSI window (arm-smmu-v3's 0x08000000,
 * the window's first page mapping the host ITS in the nesting parent
 * stage 2), and with nesting the guest's stage 1 translates it first.
 * Linux maps its own doorbell page at the first page of that same window
 * in any domain iommufd or VFIO manages for the guest's user space, so
 * with GITS_TRANSLATER's page at 0x08000000 that mapping is 1:1 and the
 * host's MSI write reaches the host ITS (docs/system/vsmmu-daemon.rst,
 * "Host-device interrupts").
 *
 * virt_fdt_create() describes it with libfdt: memory, CPUs (PSCI
 * enable-method), PSCI 0.2+ through HVC, GICv3 and its ITS, the arch
 * timer's PPIs, the PL011 (clocked by a fixed 24 MHz apb_pclk), /chosen,
 * the PCIe host (pci-host-ecam-generic) with msi-map to the ITS and
 * iommu-map to the SMMUv3 on pcie.0 (every bus's requester ids as ITS
 * device ids and StreamIDs, identically), and every SMMUv3 with its
 * wired SPIs by name.  Pure: no state, any thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_VIRT_FDT_H
#define HW_ARM_VIRT_FDT_H

#include "qapi/error.h"
#include "hw/pci-host/ecam-host.h"

#define VIRT_GIC_DIST_BASE          0x08010000ULL
#define VIRT_GIC_DIST_SIZE          0x00010000ULL
#define VIRT_GIC_ITS_BASE           0x07ff0000ULL
#define VIRT_GIC_ITS_SIZE           0x00020000ULL
/* GITS_TRANSLATER, the doorbell every MSI writes its event id to. */
#define VIRT_GIC_ITS_TRANSLATER     (VIRT_GIC_ITS_BASE + 0x10040ULL)
#define VIRT_GIC_REDIST_BASE        0x080a0000ULL
#define VIRT_GIC_REDIST_SIZE        0x00f60000ULL
#define VIRT_GIC_REDIST_STRIDE      0x00020000ULL
#define VIRT_MAX_CPUS \
    ((unsigned)(VIRT_GIC_REDIST_SIZE / VIRT_GIC_REDIST_STRIDE))
#define VIRT_UART_BASE              0x09000000ULL
#define VIRT_UART_SIZE              0x00001000ULL
#define VIRT_UART_IRQ               1
#define VIRT_GIC_NR_SPIS            256

typedef struct VirtFdtSmmu {
    hwaddr base;
    uint64_t size;
    int spi_base;                   /* line i is SPI spi_base + i */
    int num_irqs;
    const char *const *irq_names;   /* "eventq", "gerror", ... */
    bool on_pcie0;                  /* translates pcie.0 (iommu-map) */
} VirtFdtSmmu;

typedef struct VirtFdtInfo {
    hwaddr ram_base;
    uint64_t ram_size;
    unsigned num_cpus;
    const uint64_t *mpidr;          /* num_cpus MPIDR_EL1 values */
    const char *bootargs;           /* or NULL */
    hwaddr initrd_start, initrd_end;    /* equal: no initrd */
    unsigned num_smmus;
    const VirtFdtSmmu *smmus;
    hwaddr ecam_base;               /* the PCIe host's ECAM as mapped */
    uint64_t ecam_size;
    bool high_mmio;                 /* the 64-bit MMIO window exists */
} VirtFdtInfo;

/* A new flattened device tree (g_free it); its size in *SIZE. */
void *virt_fdt_create(const VirtFdtInfo *info, size_t *size, Error **errp);
/*
 * A copy of a user's device tree (-dtb) with /chosen's bootargs and
 * initrd range set from INFO, as QEMU does.
 */
void *virt_fdt_from_user(const void *blob, size_t len,
                         const VirtFdtInfo *info, size_t *size, Error **errp);

#endif /* HW_ARM_VIRT_FDT_H */
