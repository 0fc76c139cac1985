/*
 * PCI buses and the PCIe host they hang from.
 *
 * A PCIHost (the virt machine's, hw/pci-host/ecam-host.c) owns root
 * buses: "pcie.0" (bus number 0) and one per pxb-pcie (its bus_nr).  A
 * bridge (pcie-root-port) adds a secondary bus, named by the bridge's
 * id, whose number is the one the guest programmed in the bridge's
 * secondary bus number register: pci_bus_num() is always the guest's
 * current numbering, so a requester ID (bus number << 8 | devfn) is the
 * one the guest's enumeration gave.
 *
 * Buses are registered by id in the object registry with type
 * TYPE_PCI_BUS, for the bus= and primary-bus= links of other devices.
 * An IOMMU attaches to a bus (primary-bus=ID) and translates the DMA of
 * every device at or below it that has no nearer IOMMU.
 *
 * Main thread only, like the config accesses that change them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_PCI_BUS_H
#define HW_PCI_PCI_BUS_H

#include "hw/qdev-core.h"
#include "system/memory.h"

#define TYPE_PCI_BUS "PCI"

#define PCI_DEVFN_MAX       256
#define PCI_HOST_MAX_ROOTS  32
#define PCI_HOST_MAX_WINDOWS 2

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;
typedef struct PCIHost PCIHost;
typedef struct HostIOMMUDevice HostIOMMUDevice;

/*
 * What an IOMMU on a bus offers the devices behind it.  Host devices
 * (vfio-pci) announce themselves so an accelerated vIOMMU can set up
 * nesting for them; emulated devices' DMA is translated.  bus and devfn
 * name the device (its own bus), whatever bus the IOMMU sits on.
 */
typedef struct PCIIOMMUOps {
    bool (*set_iommu_device)(PCIBus *bus, void *opaque, int devfn,
                             HostIOMMUDevice *hiod, Error **errp);
    void (*unset_iommu_device)(PCIBus *bus, void *opaque, int devfn);
    /*
     * One DMA access by requester_id (bus number << 8 | devfn, as the guest's
     * enumeration numbered it) at addr.  True: *entry holds the mapping that
     * covers addr.  False: a fault, already reported by the IOMMU (event queue).
     */
    bool (*translate)(PCIBus *bus, void *opaque, uint16_t requester_id,
                      uint64_t addr, bool is_write, IOMMUTLBEntry *entry);
    /*
     * The guest renumbered buses below iommu_bus (a bridge's secondary or
     * subordinate bus number changed, or a reset cleared them): the
     * requester IDs of devices there may have changed.  May be NULL.
     */
    void (*requester_ids_changed)(PCIBus *iommu_bus, void *opaque);
    /*
     * The guest-physical address of the MSI doorbell a host device's
     * vectors are routed to (the guest programs IOVAs of its own stage
     * 1), or 0: the address space's doorbell.  May be NULL.
     */
    uint64_t (*get_msi_direct_gpa)(PCIBus *bus, void *opaque, int devfn);
} PCIIOMMUOps;

/*
 * A hot-plug slot's controller (pcie-root-port on its secondary bus):
 * it learns of devices coming and going and decides how a device_del
 * of one of them proceeds.
 */
typedef enum PCIUnplugResult {
    PCI_UNPLUG_NOW,             /* nobody to ask: remove it now */
    PCI_UNPLUG_PENDING,         /* the guest was asked; it releases later */
} PCIUnplugResult;

typedef struct PCIHotplugOps {
    /* DEV was realized on (plugged) or unrealized from (unplugged) BUS. */
    void (*plugged)(PCIBus *bus, void *opaque, PCIDevice *dev);
    void (*unplugged)(PCIBus *bus, void *opaque, PCIDevice *dev);
    /* device_del of DEV: press the attention button, or not. */
    PCIUnplugResult (*unplug_request)(PCIBus *bus, void *opaque,
                                      PCIDevice *dev);
} PCIHotplugOps;

struct PCIBus {
    char *id;                   /* "pcie.0", "pci.1", ... */
    PCIHost *host;
    /*
     * NULL for pcie.0; the bridge for a secondary bus; the pxb-pcie for
     * its root bus.
     */
    PCIDevice *parent_dev;
    bool is_root;               /* pcie.0 and pxb-pcie buses */
    uint8_t root_bus_num;       /* root buses: their fixed number */
    bool slot0_only;            /* behind a PCIe port: device 0 only */
    DeviceState *iommu;         /* the IOMMU attached to it, or NULL */
    const PCIIOMMUOps *iommu_ops;   /* set by that IOMMU, if it cares */
    void *iommu_opaque;
    const PCIHotplugOps *hotplug_ops;   /* a hot-plug slot's, or NULL */
    void *hotplug_opaque;
    PCIDevice *devices[PCI_DEVFN_MAX];
};

/* Every event of the host accounted for (query-pci shows none of it). */
typedef struct PCIHostStats {
    uint64_t config_reads, config_writes;
    uint64_t config_unclaimed;  /* no function there: all-ones / dropped */
    uint64_t bar_maps, bar_unmaps;
    uint64_t bar_map_conflicts; /* enabled BAR overlapping another region */
    uint64_t bar_host_maps;     /* host-memory pieces of BARs mapped */
    uint64_t dma_ok, dma_blocked, dma_faults, dma_errors;
    uint64_t dma_untranslated;  /* its IOMMU has no translate: refused */
} PCIHostStats;

typedef struct PCIHostWindow {
    hwaddr base;                /* PCI address == CPU address */
    uint64_t size;
} PCIHostWindow;

struct PCIHost {
    AddressSpace *as;           /* where BARs are mapped; DMA target */
    PCIBus *roots[PCI_HOST_MAX_ROOTS];  /* [0]: pcie.0, then pxb buses */
    unsigned nr_roots;
    PCIHostWindow windows[PCI_HOST_MAX_WINDOWS];    /* MMIO windows */
    unsigned nr_windows;
    bool mapping_update;        /* pci_host_update_mappings() running */
    PCIHostStats stats;
    /*
     * The board's: the guest released DEV from its hot-plug slot (powered
     * the slot off), remove it.  Called from config writes and resets:
     * the board removes it later, on the main loop.  May be NULL.
     */
    void (*release_device)(PCIHost *host, PCIDevice *dev, void *opaque);
    void *release_opaque;
};

/* A PCI requester ID: bus number and devfn, as an SMMU StreamID. */
static inline uint32_t pci_requester_id(uint8_t bus_num, uint8_t devfn)
{
    return ((uint32_t)bus_num << 8) | devfn;
}

/* The bus number the guest's enumeration gives BUS now. */
uint8_t pci_bus_num(const PCIBus *bus);

/*
 * A bus (not registered): a root bus of HOST numbered ROOT_NUM
 * (PARENT_DEV NULL or the pxb-pcie), or the secondary bus of bridge
 * PARENT_DEV.  pci_bus_register() names it in the object registry.
 */
PCIBus *pci_root_bus_new(PCIHost *host, const char *id, uint8_t root_num,
                         PCIDevice *parent_dev, Error **errp);
PCIBus *pci_secondary_bus_new(PCIDevice *bridge, const char *id);
bool pci_bus_register(PCIBus *bus, Error **errp);
/* Unregister (if registered) and free; the bus must be empty. */
void pci_bus_free(PCIBus *bus);

/* The function at BUS_NUM:DEVFN behind HOST, as an ECAM access finds it. */
PCIDevice *pci_host_find_device(PCIHost *host, uint8_t bus_num, int devfn);
/* Calls func for every device behind HOST, bus by bus, depth first. */
void pci_host_foreach_device(PCIHost *host,
                             void (*func)(PCIDevice *dev, void *opaque),
                             void *opaque);
/*
 * Re-evaluate every BAR: mapped iff memory decode is on in the device and
 * in every bridge above it, the BAR is programmed, inside the windows of
 * those bridges and inside a host MMIO window.
 */
void pci_host_update_mappings(PCIHost *host);

/*
 * device_del of DEV: what the hot-plug slot it sits in decides
 * (PCI_UNPLUG_NOW when its bus is no hot-plug slot, e.g. pcie.0).
 */
PCIUnplugResult pci_device_unplug_request(PCIDevice *dev);
/* A hot-plug slot's: the guest let DEV go (see PCIHost.release_device). */
void pci_host_release_device(PCIDevice *dev);

#endif /* HW_PCI_PCI_BUS_H */
