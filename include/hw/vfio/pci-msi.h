/*
 * vfio-pci: the MSI and MSI-X capabilities of a host device, as the
 * guest programs them (hw/vfio/pci-msi.c).
 *
 * The host kernel owns the device's physical MSI and MSI-X registers
 * (VFIO virtualizes them); the guest's view of both capabilities, the
 * MSI-X table and its pending-bit array is emulated here.  What the
 * guest enables and unmasks becomes vectors of the device's VFIO
 * interrupts (hw/vfio/pci-irq.c), delivered to:
 *
 *   address  the guest's, unless the function is behind an IOMMU and
 *            the address space has an MSI doorbell (a KVM guest's
 *            ITS): then the doorbell's guest-physical address, since
 *            what the guest wrote is an IOVA of its own stage 1 that
 *            only the IOMMU could resolve (upstream QEMU's arm-smmuv3
 *            msi-gpa, for the same reason);
 *   data     the guest's (MSI: with the vector number in its low bits);
 *   devid    the function's requester ID under the guest's bus
 *            numbering, which the device tree's msi-map hands to the
 *            ITS unchanged, taken when the vector is (re)routed (a
 *            guest that renumbers buses under an enabled vector must
 *            reprogram it, as Linux enumerates before enabling).
 *
 * Masked vectors keep their eventfds; what they signal meanwhile stays
 * pending (the PBA and the MSI pending bits read it) and is delivered
 * at unmask.  Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_VFIO_PCI_MSI_H
#define HW_VFIO_PCI_MSI_H

#include "hw/vfio/pci-irq.h"

/* What a vector was last given: re-routed only when it changes. */
typedef struct VFIOMSIRoute {
    bool live;                      /* routed (unmasked) */
    hwaddr addr;
    uint32_t data, devid;
} VFIOMSIRoute;

struct VFIOMSIState {
    /* MSI capability: offset (0: none), layout, and what is enabled. */
    uint8_t msi_cap;
    uint8_t msi_size;
    bool msi_64bit, msi_maskbit;
    unsigned msi_max;               /* vectors it offers (1..32) */
    unsigned msi_nvec;              /* vectors enabled now, 0: off */
    VFIOPCIIrqs *msi_irqs;
    VFIOMSIRoute msi_route[32];
    /* MSI-X capability (0: none) and its table and PBA in the BARs. */
    uint8_t msix_cap;
    unsigned msix_entries;          /* the capability's Table Size */
    int msix_table_bar, msix_pba_bar;
    uint32_t msix_table_off, msix_pba_off;
    uint8_t *msix_table;            /* msix_entries * 16 bytes, LE */
    bool msix_on;                   /* MSI-X Enable */
    VFIOPCIIrqs *msix_irqs;
    VFIOMSIRoute *msix_route;       /* msix_entries */
    uint64_t errors;                /* vectors that could not be routed */
};

/*
 * Find the capabilities in the host's config (already copied into the
 * function's) and take over their bytes.  A malformed capability list
 * or table location fails realize.
 */
bool vfio_msi_setup(VFIOPCIDevice *vdev, Error **errp);
/* Whether config byte ADDR is emulated here (not the host's). */
bool vfio_msi_config_byte(const VFIOPCIDevice *vdev, uint32_t addr);
/* A config read: VAL with the emulated pending bits overlaid. */
uint32_t vfio_msi_config_read(VFIOPCIDevice *vdev, uint32_t addr,
                              unsigned len, uint32_t val);
/* After the guest wrote config bytes [ADDR, ADDR + LEN). */
void vfio_msi_config_written(VFIOPCIDevice *vdev, uint32_t addr,
                             unsigned len);
/*
 * An access of BAR N at ADDR that hits the MSI-X table or PBA (true:
 * served here, *DATA read or written) or not (false: the host's BAR).
 * A table page never reaches the host's BAR, so a BAR mapped for the
 * guest's CPUs must keep [vfio_msix_trap_range()) trapping.
 */
bool vfio_msix_bar_access(VFIOPCIDevice *vdev, int n, hwaddr addr,
                          uint64_t *data, unsigned size, bool write);
/* The page-aligned range of BAR N that must trap, or false: none. */
bool vfio_msix_trap_range(const VFIOPCIDevice *vdev, int n, hwaddr *start,
                          uint64_t *size);
/* Everything disabled (device reset, unrealize). */
void vfio_msi_reset(VFIOPCIDevice *vdev);
void vfio_msi_teardown(VFIOPCIDevice *vdev);

#endif /* HW_VFIO_PCI_MSI_H */
