/*
 * The board: guest address space, PCI root bus, device placement and
 * interrupt wiring.
 *
 * "-machine virt" models the part of QEMU's Arm virt board that an SMMU
 * needs:
 *
 *   RAM              0x40000000, -m bytes (default 128 MiB)
 *   PCIe host        QEMU virt's (include/hw/pci-host/ecam-host.h): ECAM
 *                    at 0x4010000000 (0x3f000000 with highmem=off), MMIO
 *                    windows 0x10000000 and 0x8000000000 (highmem only),
 *                    root bus pcie.0 (bus number 0), host bridge
 *                    function gpex-root at 00.0 (QOM path
 *                    /machine/gpex-root)
 *   iommu=smmuv3     an arm-smmuv3 on pcie.0 at 0x09050000, SPIs 74..,
 *                    QOM path /machine/smmuv3
 *   platform bus     0x0c000000..0x0dffffff: user-created devices with
 *                    an MMIO interface, 0x20000 apart in creation order
 *                    (the lowest free slot); their interrupt lines take
 *                    the lowest free SPIs from 112 on (64 in all)
 *
 * "-machine none" has the same memory map without pcie.0 and without
 * RAM unless -m is given.
 *
 * Device output lines are wired to the board's interrupt controller,
 * whose inputs are the SPI numbers above.  It has no model beyond
 * that: the qtest server observes its inputs ("irq_intercept_in
 * /machine/gic") or a device's outputs ("irq_intercept_out PATH").
 *
 * Device paths, in QEMU's QOM style:
 *   /machine/peripheral/ID             -device or device_add with id=ID
 *   /machine/peripheral-anon/device[N] the same without id (N counts up)
 *   /machine/smmuv3                    the board's own SMMU
 * Lookups also accept a bare ID.
 *
 * Main thread only, except the interrupt lines, which devices may drive
 * from any thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_MACHINE_H
#define SYSTEM_MACHINE_H

#include "hw/qdev-core.h"
#include "hw/pci/pci-bus.h"
#include "qemu/option.h"

#define VIRT_RAM_BASE               0x40000000ULL
#define VIRT_RAM_DEFAULT_SIZE       (128ULL << 20)
#define VIRT_SMMU_BASE              0x09050000ULL
#define VIRT_SMMU_IRQ               74
#define VIRT_PLATFORM_BUS_BASE      0x0c000000ULL
#define VIRT_PLATFORM_BUS_SIZE      0x02000000ULL
#define VIRT_PLATFORM_BUS_SLOT_SIZE 0x20000ULL
#define VIRT_PLATFORM_BUS_IRQ       112
#define VIRT_PLATFORM_BUS_NUM_IRQS  64
/*
 * A wired platform device's MSIs carry device id VIRT_PLATFORM_MSI_DEVID
 * + its first SPI: unique, and above every PCI requester id (the 256
 * buses' 0-0xffff), so it never passes for a PCI function's.  The
 * device tree describes none (IDR0.MSI is 0: Linux takes the wired
 * SPIs); KVM's ITS, with 16 device id bits, drops such MSIs.
 */
#define VIRT_PLATFORM_MSI_DEVID     0x10000
#define MACHINE_GIC_PATH            "/machine/gic"
#define MACHINE_GPEX_ROOT_PATH      "/machine/gpex-root"

/*
 * The machine types -machine accepts, as query-machines and
 * "-machine help" list them: each builds one of the two boards above.
 * The virt ones are named as QEMU 11.1 names them, "virt-5.1" to
 * "virt-11.1" (alias "virt"); all build the same board (vsmmu's virt has
 * none of the per-release compatibility properties: they concern CPUs,
 * firmware tables and devices vsmmu does not have).
 * QEMU's QOM type of machine NAME is "NAME-machine", under the abstract
 * "machine" (and "virt-machine" for the virt ones).
 */
typedef struct MachineTypeInfo {
    const char *name;           /* "virt-11.1", "none" */
    const char *alias;          /* "virt", or NULL */
    const char *board;          /* what it builds: "virt" or "none" */
    const char *desc;           /* for -machine help */
    bool is_default;            /* the machine without -machine */
    bool deprecated;
    int cpu_max;                /* QEMU's figure (a KVM guest's limit) */
    const char *default_ram_id; /* QEMU's id of its RAM backend */
    bool acpi;                  /* it has an "acpi" property */
    bool numa_mem_supported;
} MachineTypeInfo;

/* The table, ended by a NULL name. */
extern const MachineTypeInfo machine_types[];
/* The type named NAME or aliased so, or NULL. */
const MachineTypeInfo *machine_type_find(const char *name);
#define TYPE_MACHINE        "machine"
#define TYPE_VIRT_MACHINE   "virt-machine"
/* Its QOM type name, "NAME-machine" (kept for the program's life). */
const char *machine_type_qom_name(const MachineTypeInfo *mt);
/* The type the machine was created as (NULL before machine_create()). */
const MachineTypeInfo *machine_current_type(void);

typedef struct MachineOptions {
    const char *type;           /* "virt" or "none": the board */
    const MachineTypeInfo *mtype;   /* as named; NULL: the default */
    const char *iommu;          /* "smmuv3" or NULL */
    uint64_t ram_size;
    bool ram_size_set;          /* -m was given */
    bool accel_kvm;             /* accel=kvm (see system/kvm.h) */
    bool accel_qtest;           /* accel=qtest, as -accel qtest */
    int gic_version;            /* 0 not given, -1 host/max, else 2, 3, 4 */
    bool usb;                   /* usb=: no USB controller either way */
    bool dump_guest_core;       /* dump-guest-core=, default on */
    bool mem_merge;             /* mem-merge=, default on */
    const char *acpi;           /* acpi=: "on", "off", "auto" (default) */
    char *memory_backend;       /* memory-backend=: id of the guest RAM */
    bool highmem_off;           /* highmem=off: low ECAM, no 64-bit window */
} MachineOptions;

/* The defaults -machine starts from. */
void machine_options_init(MachineOptions *mo);
/* The options the machine was created with (valid while it exists). */
const MachineOptions *machine_get_options(void);

/*
 * Parse "-machine" arguments into MO: static strings, but
 * memory_backend, which the caller frees.
 */
bool machine_parse_opts(const char *optarg, MachineOptions *mo,
                        Error **errp);
bool machine_create(const MachineOptions *mo, Error **errp);
/* Free every device, then the board. */
void machine_destroy(void);
bool machine_is_created(void);

/* The guest's physical address space (system memory). */
AddressSpace *machine_address_space(void);
/* The virt machine's PCIe host, or NULL ("-machine none"). */
PCIHost *machine_pci_host(void);

/*
 * Create a device from -device / device_add options: "driver", "id",
 * then properties (JSON booleans and numbers typed, strings parsed).
 * The device is realized, mapped, wired and registered by id.
 * HOTPLUG refuses devices that are not hotpluggable.
 */
DeviceState *machine_device_add(QemuOpts *opts, bool hotplug, Error **errp);
/*
 * device_del of a hotpluggable device.  In a PCIe hot-plug slot whose
 * guest driver listens (pcie-root-port), the attention button is
 * pressed and the device stays until the guest powers the slot off;
 * anywhere else it is removed now.  Either way the device-deleted
 * callback runs once it is gone.  Errors:
 *   Device 'ID' does not support hot-unplugging
 *   Device ID is already in the process of unplug   (within 5 s)
 */
bool machine_device_del(DeviceState *dev, Error **errp);
/*
 * Called on the main thread after a device_del'd (or guest-released)
 * device is gone, with its id (or NULL) and QOM path: DEVICE_DELETED.
 */
typedef void MachineDeviceDeleted(const char *id, const char *path,
                                  void *opaque);
void machine_set_device_deleted_cb(MachineDeviceDeleted *cb, void *opaque);

/* The device at a QOM path or with this id, or NULL. */
DeviceState *machine_find_device(const char *path);
/* QOM path of DEV (owned by the board, valid while DEV exists). */
const char *machine_device_path(DeviceState *dev);
/* DEV came with device_add, not -device or the board. */
bool machine_device_hotplugged(DeviceState *dev);
/* The board's root PCIe bus, pcie.0 (NULL for -machine none). */
PCIBus *machine_pcie0(void);
/* The machine's "iommu" property: "smmuv3" or "none". */
const char *machine_get_iommu(void);
/* First interrupt controller input of DEV's lines, or -1 if unwired. */
int machine_device_irq_base(DeviceState *dev);

/* Calls func for every device, in creation order. */
void machine_foreach_device(void (*func)(DeviceState *dev, void *opaque),
                            void *opaque);
/* System reset: qdev_reset() on every device, in creation order. */
void machine_reset(void);

/*
 * Observe the interrupt controller's inputs: handler(opaque, SPI, level)
 * runs in the thread that drives the line.  NULL stops observing.
 */
void machine_set_gic_observer(qemu_irq_handler handler, void *opaque);

#endif /* SYSTEM_MACHINE_H */
