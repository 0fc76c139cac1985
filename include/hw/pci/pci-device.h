/*
 * PCI functions: the device model's view of a PCI or PCI Express
 * function, its configuration space, BARs and DMA.
 *
 * A PCI device type is a PCIDeviceClass whose DeviceClass (parent_class,
 * registered with device_class_register()) has .parent = TYPE_PCI_DEVICE
 * and PCI_DEVICE_CLASS_HOOKS, and whose state struct starts with a
 * PCIDevice; its property list
 * starts with DEFINE_PCI_DEVICE_PROPERTIES(): bus=, addr=,
 * multifunction=, as QEMU's.  Realize places the function on its bus,
 * builds a type-0 or type-1 header from the class (IDs, class code,
 * header type) and calls the class's pci_realize, which adds BARs
 * (pci_register_bar) and capabilities (pci_add_capability).
 *
 * Configuration space semantics (pci_config_read / pci_config_write, the
 * ECAM's entry points): per-byte write masks (read-only, read-write,
 * write-1-to-clear), BAR sizing by writing all-ones, the command
 * register's memory-space enable deciding whether BARs decode and its
 * bus-master enable whether the function may DMA (pci_dma_rw).  Reads
 * beyond the function's config space size return all-ones, writes there
 * are dropped.  I/O BARs are not modelled (no device here has one).
 *
 * Main thread only (config accesses, BAR mapping, DMA).
 *
 * In the type hierarchy (qom/object.h): pci-device -> device, abstract;
 * interfaces pci-express-device (a PCI Express function) and
 * conventional-pci-device (a conventional PCI one), one or both
 * implemented by each PCI type.  The buses: "PCI" (TYPE_PCI_BUS) and
 * "PCIE", a PCI bus, the root bus of a PCIe host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_PCI_DEVICE_H
#define HW_PCI_PCI_DEVICE_H

#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci-bus.h"
#include "hw/pci/pci-regs.h"

#define TYPE_PCI_DEVICE                     "pci-device"
#define INTERFACE_PCIE_DEVICE               "pci-express-device"
#define INTERFACE_CONVENTIONAL_PCI_DEVICE   "conventional-pci-device"
#define TYPE_PCIE_BUS                       "PCIE"

#define PCI_BAR_UNMAPPED UINT64_MAX

/* Host memory behind part of a BAR (pci_bar_set_host_areas()). */
typedef struct PCIBARHostArea {
    uint64_t offset;            /* in the BAR, page aligned */
    uint64_t size;              /* page aligned */
    void *host;                 /* page aligned */
} PCIBARHostArea;

#define PCI_BAR_MAX_HOST_AREAS  4
#define PCI_BAR_MAX_PIECES      (2 * PCI_BAR_MAX_HOST_AREAS + 1)

typedef struct PCIIORegion PCIIORegion;

/* One MMIO region of a mapped BAR: host memory, or trapped to its ops. */
typedef struct PCIBARPiece {
    PCIIORegion *bar;
    uint64_t offset, size;      /* in the BAR */
    void *host;                 /* NULL: trapped */
    MemoryRegionOps ops;        /* the BAR's, at offset (offset != 0) */
    MemoryRegion *mr;           /* while mapped */
} PCIBARPiece;

struct PCIIORegion {
    uint64_t size;              /* power of two; 0: BAR not implemented */
    uint8_t type;               /* the BAR's low bits: MEM_TYPE_64, PREFETCH */
    const MemoryRegionOps *ops;
    void *opaque;
    uint64_t addr;              /* where it decodes now, or PCI_BAR_UNMAPPED */
    MemoryRegion *mr;           /* its first piece's region while mapped */
    char *name;
    /* The BAR as regions: one trapped piece unless it has host areas. */
    PCIBARPiece pieces[PCI_BAR_MAX_PIECES];
    unsigned nr_pieces;
};

typedef struct PCIDeviceClass {
    DeviceClass parent_class;
    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    uint8_t revision;
    uint16_t class_id;          /* base class << 8 | subclass */
    uint8_t prog_if;
    bool is_bridge;             /* type-1 header, with a secondary bus */
    bool is_express;            /* 4 KiB config space */
    /* Device part of realize (BARs, capabilities); may be NULL. */
    bool (*pci_realize)(PCIDevice *dev, Error **errp);
    void (*pci_exit)(PCIDevice *dev);
    /* After the config space was reset; may be NULL. */
    void (*pci_reset)(PCIDevice *dev);
    /* Overrides of the config accessors (vfio-pci); NULL: the defaults. */
    uint32_t (*config_read)(PCIDevice *dev, uint32_t addr, unsigned len);
    void (*config_write)(PCIDevice *dev, uint32_t addr, uint32_t val,
                         unsigned len);
} PCIDeviceClass;

struct PCIDevice {
    DeviceState parent_obj;

    /* properties */
    char *bus_id;               /* link<PCI>, default "pcie.0" */
    int32_t addr;               /* devfn, -1: first free slot */
    bool multifunction;

    /* state */
    PCIBus *bus;
    int devfn;
    uint32_t config_size;
    uint8_t *config;            /* what the guest reads */
    uint8_t *wmask;             /* bits the guest may write */
    uint8_t *w1cmask;           /* bits the guest clears by writing 1 */
    uint8_t *config_reset;      /* config as realized, restored at reset */
    uint8_t cap_next;           /* next free offset for a capability */
    uint8_t pcie_cap;           /* offset of the PCIe capability, or 0 */
    uint8_t msi_cap;            /* offset of the MSI capability (msi.h) */
    uint64_t msi_sent;          /* MSIs delivered (hw/pci/msi.c) */
    PCIIORegion io_regions[PCI_NUM_REGIONS];
    PCIBus *sec_bus;            /* bridges: the bus behind */
};

#define PCI_DEVICE_GET_CLASS(dev) \
    container_of((dev)->parent_obj.klass, PCIDeviceClass, parent_class)

bool pci_qdev_realize(DeviceState *dev, Error **errp);
void pci_qdev_unrealize(DeviceState *dev);
void pci_qdev_reset(DeviceState *dev);

/*
 * The DeviceClass hooks every PCI device type has (its .parent is
 * TYPE_PCI_DEVICE or a type below it).
 */
#define PCI_DEVICE_CLASS_HOOKS \
    .realize = pci_qdev_realize, \
    .unrealize = pci_qdev_unrealize, \
    .reset = pci_qdev_reset

#define DEFINE_PCI_DEVICE_PROPERTIES() \
    DEFINE_PROP_LINK("bus", PCIDevice, bus_id, "link<PCI>", \
                     "the PCI bus it plugs into (default pcie.0)"), \
    DEFINE_PROP_PCI_DEVFN("addr", PCIDevice, addr, \
                          "slot[.function] on the bus (default: first" \
                          " free)"), \
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false, \
                     "on/off: other functions may share its slot")

/* True if dev is (a subtype of) a PCI device. */
bool object_is_pci_device(const DeviceState *dev);

/* Config space entry points (the ECAM): bounds-checked, len 1, 2 or 4. */
uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len);
void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len);
/* The default semantics, for overriding classes to fall back on. */
uint32_t pci_default_config_read(PCIDevice *dev, uint32_t addr,
                                 unsigned len);
void pci_default_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                              unsigned len);

/* Little-endian helpers on a config byte array. */
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    pci_set_word(p, v);
    pci_set_word(p + 2, v >> 16);
}

static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | (uint16_t)p[1] << 8;
}

static inline uint32_t pci_get_long(const uint8_t *p)
{
    return pci_get_word(p) | (uint32_t)pci_get_word(p + 2) << 16;
}

/*
 * BAR n of SIZE bytes (a power of two, >= 16), TYPE its low bits
 * (PCI_BASE_ADDRESS_MEM_TYPE_64 takes BAR n + 1 too,
 * PCI_BASE_ADDRESS_MEM_PREFETCH), served by ops/opaque where the guest
 * maps it.
 */
void pci_register_bar(PCIDevice *dev, int n, uint8_t type, uint64_t size,
                      const MemoryRegionOps *ops, void *opaque);
/*
 * Host memory behind COUNT (<= PCI_BAR_MAX_HOST_AREAS) areas of BAR n,
 * ascending and disjoint: while the BAR decodes, each is an MMIO region
 * with that memory (address_space_add_mmio_mapped(), which an
 * accelerator maps for the guest) and the rest of the BAR stays trapped
 * to its ops.  The daemon's own accesses always go through the ops.
 * COUNT 0 makes the whole BAR trapped again.  Takes effect at the BAR's
 * next mapping; call it while the BAR is unmapped (at realize).
 */
void pci_bar_set_host_areas(PCIDevice *dev, int n,
                            const PCIBARHostArea *areas, unsigned count);
/* Add a capability of SIZE bytes; returns its offset (or 0 when full). */
uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size);
/* The PCIe capability (version 2) of a function of port type TYPE. */
uint8_t pcie_cap_init(PCIDevice *dev, uint8_t type);

/* The function's requester ID under the guest's current numbering. */
uint16_t pci_requester_id_of(PCIDevice *dev);
/* The nearest bus at or above dev's with an IOMMU, or NULL. */
PCIBus *pci_device_iommu_bus(PCIDevice *dev);
/*
 * ADDR of requester RID through the IOMMU of IBUS: true with the
 * physical address in *PA and the bytes from there to the end of its
 * mapping in *ROOM (may be NULL); false when IBUS's IOMMU has no
 * translate hook, or has no mapping permitting the access (a fault,
 * which the IOMMU reports).
 */
bool pci_iommu_translate(PCIBus *ibus, uint16_t rid, uint64_t addr,
                         bool is_write, uint64_t *pa, uint64_t *room);
/* Memory decoding and bus mastering, as the guest enabled them. */
bool pci_device_memory_enabled(PCIDevice *dev);
bool pci_device_bus_master(PCIDevice *dev);

/*
 * DMA by an emulated function: no DMA without bus master enable (in the
 * function and every bridge above it: MEMTX_ERROR, nothing accessed);
 * through the IOMMU of its bus (split at mapping boundaries; a fault,
 * reported by the IOMMU, stops the access with MEMTX_ERROR); refused
 * (MEMTX_ERROR) when that IOMMU has no translate hook, never bypassing
 * it; straight to guest memory when no IOMMU is above.
 */
MemTxResult pci_dma_rw(PCIDevice *dev, uint64_t addr, void *buf,
                       uint64_t len, bool is_write);

#endif /* HW_PCI_PCI_DEVICE_H */
