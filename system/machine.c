/*
 * The board: memory map, PCI root bus, device placement and wiring.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/qdev-properties.h"
#include "qemu/timer.h"
#include "hw/pci/pci-device.h"
#include "system/hostmem.h"
#include "hw/pci-host/ecam-host.h"
#include "system/machine.h"
#include "trace.h"

#define PLATFORM_BUS_SLOTS \
    (VIRT_PLATFORM_BUS_SIZE / VIRT_PLATFORM_BUS_SLOT_SIZE)

QEMU_BUILD_BUG_ON(VIRT_PLATFORM_BUS_NUM_IRQS > 64);

typedef struct MachineDevice {
    DeviceState *dev;
    char *path;
    int slot;                   /* platform-bus slot, or -1 */
    int irq_base;               /* first SPI, or -1 */
    bool platform_irqs;         /* irq_base is in the platform-bus range */
    bool hotplugged;            /* added by device_add */
    int64_t unplug_expires_ns;  /* device_del pending until (virtual) */
    bool released;              /* its slot let it go: remove it */
} MachineDevice;

/* QEMU's: a pending device_del may be repeated after 5 s (pciehp's wait). */
#define UNPLUG_PENDING_NS (5 * NANOSECONDS_PER_SECOND)

/*
 * Every machine type we accept.  virt-11.1 is QEMU 11.1's virt (its
 * memory map, interrupt numbers, iommu=smmuv3), "virt" its alias.
 */
/*
 * QEMU 11.1's versioned virt types: the last six years' releases, those
 * older than three deprecated.  libvirt names one on its command line.
 */
#define VIRT_MACHINE(ver, dep) \
    { .name = "virt-" ver, .board = "virt", \
      .desc = "QEMU " ver " ARM Virtual Machine", .deprecated = dep, \
      .cpu_max = 512, .default_ram_id = "mach-virt.ram", .acpi = true, \
      .numa_mem_supported = true }

const MachineTypeInfo machine_types[] = {
    { .name = "virt-11.1", .alias = "virt", .board = "virt",
      .desc = "QEMU 11.1 ARM Virtual Machine", .is_default = true,
      .cpu_max = 512, .default_ram_id = "mach-virt.ram", .acpi = true,
      .numa_mem_supported = true },
    VIRT_MACHINE("11.0", false), VIRT_MACHINE("10.2", false),
    VIRT_MACHINE("10.1", false), VIRT_MACHINE("10.0", false),
    VIRT_MACHINE("9.2", false), VIRT_MACHINE("9.1", false),
    VIRT_MACHINE("9.0", false), VIRT_MACHINE("8.2", false),
    VIRT_MACHINE("8.1", false), VIRT_MACHINE("8.0", true),
    VIRT_MACHINE("7.2", true), VIRT_MACHINE("7.1", true),
    VIRT_MACHINE("7.0", true), VIRT_MACHINE("6.2", true),
    VIRT_MACHINE("6.1", true), VIRT_MACHINE("6.0", true),
    VIRT_MACHINE("5.2", true), VIRT_MACHINE("5.1", true),
    { .name = "none", .board = "none", .desc = "empty machine",
      .cpu_max = 1, .default_ram_id = "ram" },
    { .name = NULL }
};

const MachineTypeInfo *machine_type_find(const char *name)
{
    for (const MachineTypeInfo *mt = machine_types; mt->name; mt++) {
        if (!strcmp(mt->name, name) ||
            (mt->alias && !strcmp(mt->alias, name))) {
            return mt;
        }
    }
    return NULL;
}

static const MachineTypeInfo *machine_type_default(void)
{
    for (const MachineTypeInfo *mt = machine_types; mt->name; mt++) {
        if (mt->is_default) {
            return mt;
        }
    }
    g_assert_not_reached();
}

/* ---- the machine types in the type hierarchy ---------------------- */

static const TypePropertyInfo virt_machine_props[] = {
    { "iommu", "string", "Set the IOMMU type: none or smmuv3" },
    { NULL }
};

static const char *const virt_machine_interfaces[] = {
    TYPE_HOTPLUG_HANDLER, NULL
};

static const TypeInfo machine_abstract_types[] = {
    { .name = TYPE_MACHINE, .parent = TYPE_OBJECT, .abstract = true },
    { .name = TYPE_VIRT_MACHINE, .parent = TYPE_MACHINE, .abstract = true,
      .interfaces = virt_machine_interfaces, .props = virt_machine_props },
};

/* The type of machine_types[i], "NAME-machine", set at start-up. */
static TypeInfo machine_type_infos[G_N_ELEMENTS(machine_types) - 1];

static void machine_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(machine_abstract_types); i++) {
        type_register_static(&machine_abstract_types[i]);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(machine_type_infos); i++) {
        const MachineTypeInfo *mt = &machine_types[i];
        TypeInfo *ti = &machine_type_infos[i];

        ti->name = g_strdup_printf("%s-machine", mt->name);
        ti->parent = !strcmp(mt->board, "virt") ? TYPE_VIRT_MACHINE
                                                : TYPE_MACHINE;
        ti->class_data = mt;
        type_register_static(ti);
    }
}

type_init(machine_register_types)

const char *machine_type_qom_name(const MachineTypeInfo *mt)
{
    g_assert(mt >= machine_types &&
             mt < machine_types + G_N_ELEMENTS(machine_type_infos));
    return machine_type_infos[mt - machine_types].name;
}

static struct {
    bool created;
    MachineOptions opts;        /* as created */
    HostMemoryBackend *default_ram; /* the implicit backend of -m */
    const MachineTypeInfo *mtype;
    bool iommu;                 /* iommu=smmuv3 */
    AddressSpace *as;
    PCIHost *pcie_host;         /* virt: the PCIe host, with pcie.0 */
    GPtrArray *devices;         /* of MachineDevice *, creation order */
    unsigned anon_count;
    uint64_t irqs_used;         /* platform-bus SPIs, bit 0 = SPI 112 */
    GMutex gic_lock;
    qemu_irq_handler gic_handler;
    void *gic_opaque;
    guint release_src;          /* main-loop removal of released devices */
    MachineDeviceDeleted *deleted_cb;
    void *deleted_opaque;
} machine;

/* Properties of a full virt machine that libvirt sets; no effect here. */
static const char *const machine_ignored_props[] = {
    "graphics", "its", "ras", NULL
};

void machine_options_init(MachineOptions *mo)
{
    *mo = (MachineOptions) {
        .dump_guest_core = true,
        .mem_merge = true,
        .acpi = "auto",
    };
}

const MachineOptions *machine_get_options(void)
{
    return machine.created ? &machine.opts : NULL;
}

/* Boolean and OnOffAuto machine properties; false: not one of them. */
static bool machine_parse_flag(QemuOpts *opts, const char *name,
                               const char *val, MachineOptions *mo,
                               bool *handled, Error **errp)
{
    static const char *const on_off_auto[] = { "on", "off", "auto", NULL };
    bool *flag = !strcmp(name, "usb") ? &mo->usb :
                 !strcmp(name, "dump-guest-core") ? &mo->dump_guest_core :
                 !strcmp(name, "mem-merge") ? &mo->mem_merge : NULL;

    *handled = true;
    if (flag) {
        return qemu_opt_get_bool(opts, name, flag, errp);
    }
    if (!strcmp(name, "acpi")) {
        if (!g_strv_contains(on_off_auto, val)) {
            error_setg(errp, "Parameter 'acpi' does not accept value '%s'",
                       val);
            return false;
        }
        mo->acpi = !strcmp(val, "on") ? "on" : !strcmp(val, "off") ? "off"
                                                                    : "auto";
        return true;
    }
    *handled = false;
    return true;
}

bool machine_parse_opts(const char *optarg, MachineOptions *mo,
                        Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "type", errp);

    if (!opts) {
        return false;
    }
    for (guint i = 0; i < qemu_opts_count(opts); i++) {
        const QemuOpt *opt = qemu_opts_nth(opts, i);
        const char *val = qemu_opt_get_str(opts, opt->name, errp);
        bool handled;

        if (!val) {
            return false;
        }
        if (!machine_parse_flag(opts, opt->name, val, mo, &handled, errp)) {
            return false;
        }
        if (handled) {
            continue;
        }
        if (!strcmp(opt->name, "type")) {
            const MachineTypeInfo *mt = machine_type_find(val);

            if (!mt) {
                error_setg(errp, "unsupported machine type: \"%s\"", val);
                error_append_hint(errp, "Use -machine help to list"
                                  " supported machines\n");
                return false;
            }
            mo->type = mt->board;
            mo->mtype = mt;
        } else if (!strcmp(opt->name, "memory-backend")) {
            g_free(mo->memory_backend);
            mo->memory_backend = g_strdup(val);
        } else if (!strcmp(opt->name, "iommu")) {
            if (strcmp(val, "smmuv3") != 0 && strcmp(val, "none") != 0) {
                error_setg(errp, "Invalid iommu value");
                error_append_hint(errp, "Valid values are none, smmuv3.\n");
                return false;
            }
            mo->iommu = !strcmp(val, "smmuv3") ? "smmuv3" : NULL;
        } else if (!strcmp(opt->name, "accel")) {
            if (strcmp(val, "qtest") != 0 && strcmp(val, "kvm") != 0) {
                error_setg(errp, "invalid accelerator %s", val);
                return false;
            }
            mo->accel_kvm = !strcmp(val, "kvm");
            mo->accel_qtest = !strcmp(val, "qtest");
        } else if (!strcmp(opt->name, "gic-version")) {
            /* Checked by a KVM guest only (accel/kvm/kvm-all.c). */
            if (!strcmp(val, "host") || !strcmp(val, "max")) {
                mo->gic_version = -1;
            } else if (!strcmp(val, "2") || !strcmp(val, "3") ||
                       !strcmp(val, "4")) {
                mo->gic_version = val[0] - '0';
            } else {
                error_setg(errp, "Invalid gic-version value");
                error_append_hint(errp, "Valid values are 2, 3, 4, host,"
                                  " max.\n");
                return false;
            }
        } else if (!strcmp(opt->name, "highmem")) {
            bool on;

            if (!qemu_opt_get_bool(opts, opt->name, &on, errp)) {
                return false;
            }
            mo->highmem_off = !on;
        } else if (g_strv_contains(machine_ignored_props, opt->name)) {
            trace_machine_prop_ignored(opt->name, val);
        } else {
            error_setg(errp, "Property '%s-machine.%s' not found",
                       (mo->mtype ? mo->mtype : machine_type_default())->name,
                       opt->name);
            return false;
        }
    }
    return true;
}

static MachineDevice *machine_device(DeviceState *dev)
{
    for (guint i = 0; machine.devices && i < machine.devices->len; i++) {
        MachineDevice *md = g_ptr_array_index(machine.devices, i);

        if (md->dev == dev) {
            return md;
        }
    }
    return NULL;
}

/* Output line N of a device, as the interrupt controller sees it. */
static void board_irq(void *opaque, int n, int level)
{
    MachineDevice *md = opaque;
    int spi = md->irq_base + n;
    qemu_irq_handler handler;
    void *handler_opaque;

    trace_machine_irq(spi, level);
    g_mutex_lock(&machine.gic_lock);
    handler = machine.gic_handler;
    handler_opaque = machine.gic_opaque;
    g_mutex_unlock(&machine.gic_lock);
    if (handler) {
        handler(handler_opaque, spi, level);
    }
}

void machine_set_gic_observer(qemu_irq_handler handler, void *opaque)
{
    g_mutex_lock(&machine.gic_lock);
    machine.gic_handler = handler;
    machine.gic_opaque = opaque;
    g_mutex_unlock(&machine.gic_lock);
}

static bool alloc_platform_irqs(MachineDevice *md, Error **errp)
{
    int n = md->dev->num_irqs;
    uint64_t mask = n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;

    for (int i = 0; i + n <= VIRT_PLATFORM_BUS_NUM_IRQS; i++) {
        if (!(machine.irqs_used & (mask << i))) {
            machine.irqs_used |= mask << i;
            md->irq_base = VIRT_PLATFORM_BUS_IRQ + i;
            md->platform_irqs = true;
            return true;
        }
    }
    error_setg(errp, "platform bus: no %d free interrupt lines for '%s'", n,
               md->path);
    return false;
}

static void free_platform_irqs(MachineDevice *md)
{
    int n = md->dev->num_irqs;
    uint64_t mask = n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;

    if (md->platform_irqs) {
        machine.irqs_used &= ~(mask << (md->irq_base -
                                        VIRT_PLATFORM_BUS_IRQ));
        md->platform_irqs = false;
    }
}

static bool alloc_platform_slot(MachineDevice *md, Error **errp)
{
    for (int slot = 0; slot < (int)PLATFORM_BUS_SLOTS; slot++) {
        bool used = false;

        for (guint i = 0; i < machine.devices->len && !used; i++) {
            MachineDevice *other = g_ptr_array_index(machine.devices, i);

            used = other->slot == slot;
        }
        if (!used) {
            md->slot = slot;
            return true;
        }
    }
    error_setg(errp, "platform bus is full: cannot map '%s'", md->path);
    return false;
}

/*
 * Map DEV's MMIO interface and wire its interrupt lines: at BASE and
 * IRQ_BASE when given, in the platform bus otherwise.
 */
static bool machine_place(MachineDevice *md, hwaddr base, int irq_base,
                          Error **errp)
{
    DeviceState *dev = md->dev;

    if (dev->mmio_ops) {
        if (base == (hwaddr)-1) {
            if (dev->mmio_size > VIRT_PLATFORM_BUS_SLOT_SIZE) {
                error_setg(errp, "platform bus: '%s' needs 0x%" PRIx64
                           " bytes of MMIO, a slot has 0x%llx", md->path,
                           dev->mmio_size, VIRT_PLATFORM_BUS_SLOT_SIZE);
                return false;
            }
            if (!alloc_platform_slot(md, errp)) {
                return false;
            }
            base = VIRT_PLATFORM_BUS_BASE +
                   md->slot * VIRT_PLATFORM_BUS_SLOT_SIZE;
        }
        if (!qdev_mmio_map(dev, base, errp)) {
            md->slot = -1;
            return false;
        }
    }
    if (dev->num_irqs) {
        if (irq_base >= 0) {
            md->irq_base = irq_base;
        } else if (!alloc_platform_irqs(md, errp)) {
            qdev_mmio_unmap(dev);
            md->slot = -1;
            return false;
        }
        for (int i = 0; i < dev->num_irqs; i++) {
            qdev_connect_irq(dev, i, board_irq, md);
        }
        dev->msi_devid = VIRT_PLATFORM_MSI_DEVID + md->irq_base;
    }
    trace_machine_place(md->path, dev->mmio ? memory_region_base(dev->mmio)
                        : 0, dev->mmio_size, md->irq_base);
    return true;
}

/*
 * Set one option on DEV.  Key=value options are strings, parsed for the
 * property's type; JSON keeps its types and QEMU types them strictly.
 */
static bool device_set_opt(DeviceState *dev, const QemuOpt *opt, bool json,
                           Error **errp)
{
    switch (opt->type) {
    case QEMU_OPT_BOOL:
        return qdev_prop_set_bool(dev, opt->name, opt->boolean, errp);
    case QEMU_OPT_NUMBER:
        if (opt->number < 0) {
            if (!qdev_prop_find(dev->klass, opt->name)) {
                /* Let the setter report the unknown property. */
                return qdev_prop_set_uint(dev, opt->name, 0, errp);
            }
            error_setg(errp, "Parameter '%s' expects a non-negative integer",
                       opt->name);
            return false;
        }
        return qdev_prop_set_uint(dev, opt->name, opt->number, errp);
    default:
        return json ? qdev_prop_set_str(dev, opt->name, opt->str, errp)
                    : qdev_prop_parse(dev, opt->name, opt->str, errp);
    }
}

static bool device_set_opts(DeviceState *dev, QemuOpts *opts, Error **errp)
{
    for (guint i = 0; i < qemu_opts_count(opts); i++) {
        const QemuOpt *opt = qemu_opts_nth(opts, i);

        if (!strcmp(opt->name, "driver") || !strcmp(opt->name, "id")) {
            continue;
        }
        if (!device_set_opt(dev, opt, qemu_opts_is_json(opts), errp)) {
            return false;
        }
    }
    return true;
}

static void machine_device_forget(MachineDevice *md)
{
    DeviceState *dev = md->dev;

    if (dev->id && object_registry_lookup(dev->id, NULL) == dev) {
        object_registry_remove(dev->id);
    }
    free_platform_irqs(md);
    g_ptr_array_remove(machine.devices, md);
    qdev_free(dev);
    g_free(md->path);
    g_free(md);
}

/*
 * The device class OPTS name, if the user (PATH NULL) or the board may
 * create it, now (HOTPLUG) or at start-up.
 */
static const DeviceClass *device_class_for(QemuOpts *opts, bool hotplug,
                                           const char *path, Error **errp)
{
    const DeviceClass *dc;
    const char *driver = qemu_opt_get_str(opts, "driver", errp);

    if (!driver) {
        if (!qemu_opt_find(opts, "driver")) {
            error_setg(errp, "Parameter 'driver' is missing");
        }
        return NULL;
    }
    dc = device_class_find(driver);
    if (!dc) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    if (!path && !dc->user_creatable) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device type");
        return NULL;
    }
    if (hotplug && !dc->hotpluggable) {
        error_setg(errp, "Device '%s' can not be hotplugged on this machine",
                   driver);
        return NULL;
    }
    return dc;
}

/*
 * The device's id, which the option parser already checked for form,
 * in *ID (NULL if none); fails if another device or object has it.
 */
static bool device_id_for(QemuOpts *opts, const char **id, Error **errp)
{
    Error *local_err = NULL;

    *id = qemu_opt_get_str(opts, "id", &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        return false;
    }
    if (*id && (machine_find_device(*id) || object_registry_type(*id))) {
        error_setg(errp, "Duplicate ID '%s' for device", *id);
        return false;
    }
    return true;
}

/* Track a realized device under its QOM path. */
static MachineDevice *machine_device_track(DeviceState *dev, const char *id,
                                           const char *path)
{
    MachineDevice *md = g_new0(MachineDevice, 1);

    md->dev = dev;
    md->slot = -1;
    md->irq_base = -1;
    if (path) {
        md->path = g_strdup(path);
    } else if (id) {
        md->path = g_strdup_printf("/machine/peripheral/%s", id);
    } else {
        md->path = g_strdup_printf("/machine/peripheral-anon/device[%u]",
                                   machine.anon_count++);
    }
    g_ptr_array_add(machine.devices, md);
    return md;
}

/*
 * Create, configure, realize and place one device.  PATH is its QOM
 * path when the board creates it; BASE/IRQ_BASE are fixed placements
 * (-1: platform bus).
 */
static DeviceState *machine_device_create(QemuOpts *opts, bool hotplug,
                                          const char *path, hwaddr base,
                                          int irq_base, Error **errp)
{
    const DeviceClass *dc = device_class_for(opts, hotplug, path, errp);
    const char *id;
    MachineDevice *md;
    DeviceState *dev;

    if (!dc || !device_id_for(opts, &id, errp)) {
        return NULL;
    }
    dev = qdev_new(dc->name, errp);
    if (!dev) {
        return NULL;
    }
    qdev_set_id(dev, id);
    dev->as = machine.as;
    dev->hotplugged = hotplug;
    if (!device_set_opts(dev, opts, errp) || !qdev_realize(dev, errp)) {
        qdev_free(dev);
        return NULL;
    }
    md = machine_device_track(dev, id, path);
    md->hotplugged = hotplug;
    if (!machine_place(md, base, irq_base, errp)) {
        machine_device_forget(md);
        return NULL;
    }
    /* A pxb-pcie's id already names its bus; the bus is what links want. */
    if (id && !object_registry_type(id)) {
        object_registry_add(id, dc->name, dev, &error_abort);
    }
    trace_machine_device_add(dc->name, md->path);
    return dev;
}

DeviceState *machine_device_add(QemuOpts *opts, bool hotplug, Error **errp)
{
    g_assert(machine.created);
    return machine_device_create(opts, hotplug, NULL, -1, -1, errp);
}

void machine_set_device_deleted_cb(MachineDeviceDeleted *cb, void *opaque)
{
    machine.deleted_cb = cb;
    machine.deleted_opaque = opaque;
}

/* Remove MD and tell (DEVICE_DELETED). */
static void machine_device_remove(MachineDevice *md)
{
    g_autofree char *id = g_strdup(md->dev->id);
    g_autofree char *path = g_strdup(md->path);

    trace_machine_device_removed(path);
    machine_device_forget(md);
    if (machine.deleted_cb) {
        machine.deleted_cb(id, path, machine.deleted_opaque);
    }
}

bool machine_device_del(DeviceState *dev, Error **errp)
{
    MachineDevice *md = machine_device(dev);
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    g_assert(md);
    if (!dev->klass->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hot-unplugging",
                   dev->id ? dev->id : md->path);
        return false;
    }
    if (md->released ||
        (md->unplug_expires_ns && now < md->unplug_expires_ns)) {
        error_setg(errp, "Device %s is already in the process of unplug",
                   dev->id ? dev->id : md->path);
        return false;
    }
    trace_machine_device_del(md->path);
    if (object_is_pci_device(dev) &&
        pci_device_unplug_request((PCIDevice *)dev) == PCI_UNPLUG_PENDING) {
        /* The guest was asked; its slot releases the device later. */
        md->unplug_expires_ns = now + UNPLUG_PENDING_NS;
        return true;
    }
    machine_device_remove(md);
    return true;
}

static gboolean release_cb(gpointer opaque)
{
    machine.release_src = 0;
    for (guint i = 0; machine.devices && i < machine.devices->len; i++) {
        MachineDevice *md = g_ptr_array_index(machine.devices, i);

        if (md->released) {
            machine_device_remove(md);
            i = -1;             /* the array changed: from the start */
        }
    }
    return G_SOURCE_REMOVE;
}

/* PCIHost.release_device: the guest powered DEV's slot off. */
static void machine_pci_release(PCIHost *host, PCIDevice *dev, void *opaque)
{
    MachineDevice *md = machine_device(&dev->parent_obj);

    if (!md || md->released) {
        return;
    }
    trace_machine_device_released(md->path);
    md->released = true;
    if (!machine.release_src) {
        machine.release_src = g_idle_add(release_cb, NULL);
    }
}


DeviceState *machine_find_device(const char *path)
{
    for (guint i = 0; machine.devices && i < machine.devices->len; i++) {
        MachineDevice *md = g_ptr_array_index(machine.devices, i);

        if (!strcmp(md->path, path) ||
            (md->dev->id && !strcmp(md->dev->id, path))) {
            return md->dev;
        }
    }
    return NULL;
}

const char *machine_device_path(DeviceState *dev)
{
    MachineDevice *md = machine_device(dev);

    return md ? md->path : NULL;
}

bool machine_device_hotplugged(DeviceState *dev)
{
    MachineDevice *md = machine_device(dev);

    return md && md->hotplugged;
}

PCIBus *machine_pcie0(void)
{
    return machine.pcie_host ? machine.pcie_host->roots[0] : NULL;
}

const char *machine_get_iommu(void)
{
    return machine.iommu ? "smmuv3" : "none";
}

int machine_device_irq_base(DeviceState *dev)
{
    MachineDevice *md = machine_device(dev);

    return md ? md->irq_base : -1;
}

void machine_foreach_device(void (*func)(DeviceState *dev, void *opaque),
                            void *opaque)
{
    for (guint i = 0; machine.devices && i < machine.devices->len; i++) {
        MachineDevice *md = g_ptr_array_index(machine.devices, i);

        func(md->dev, opaque);
    }
}

void machine_reset(void)
{
    trace_machine_reset();
    for (guint i = 0; machine.devices && i < machine.devices->len; i++) {
        MachineDevice *md = g_ptr_array_index(machine.devices, i);

        qdev_reset(md->dev);
    }
}

bool machine_is_created(void)
{
    return machine.created;
}

const MachineTypeInfo *machine_current_type(void)
{
    return machine.mtype;
}

AddressSpace *machine_address_space(void)
{
    return machine.as;
}

static bool machine_create_smmu(Error **errp)
{
    g_autoptr(QemuOpts) opts = NULL;

    opts = qemu_opts_parse("arm-smmuv3,primary-bus=pcie.0", "driver", errp);
    return opts && machine_device_create(opts, false, "/machine/smmuv3",
                                         VIRT_SMMU_BASE, VIRT_SMMU_IRQ,
                                         errp);
}

/*
 * Guest RAM: memory-backend=ID, whose size -m must then match, else the
 * implicit backend QEMU names after the machine type ("mach-virt.ram").
 */
static bool machine_create_ram(const MachineOptions *mo, uint64_t ram_size,
                               Error **errp)
{
    HostMemoryBackend *b;

    if (mo->memory_backend) {
        b = host_memory_backend_find(mo->memory_backend, errp);
        if (!b) {
            return false;
        }
        if (mo->ram_size_set && host_memory_backend_size(b) != ram_size) {
            error_setg(errp, "Machine memory size does not match the size of"
                       " the memory backend");
            error_append_hint(errp, "-m is 0x%" PRIx64 " bytes, memory"
                              " backend '%s' 0x%" PRIx64 "\n", ram_size,
                              mo->memory_backend,
                              host_memory_backend_size(b));
            return false;
        }
    } else {
        b = host_memory_backend_create_default(
                machine.mtype->default_ram_id,
                ram_size, errp);
        if (!b) {
            return false;
        }
        machine.default_ram = b;
    }
    return host_memory_backend_map(b, machine.as, VIRT_RAM_BASE,
                                   mo->dump_guest_core, mo->mem_merge, errp);
}

/* The PCIe host, pcie.0 and its host bridge function at 00.0. */
static bool machine_create_pcie(const MachineOptions *mo, Error **errp)
{
    g_autoptr(QemuOpts) opts = NULL;

    machine.pcie_host = pcie_host_new(machine.as, !mo->highmem_off, errp);
    if (!machine.pcie_host) {
        return false;
    }
    machine.pcie_host->release_device = machine_pci_release;
    opts = qemu_opts_parse("gpex-root,bus=pcie.0,addr=0", "driver", errp);
    return opts && machine_device_create(opts, false, MACHINE_GPEX_ROOT_PATH,
                                         -1, -1, errp);
}

PCIHost *machine_pci_host(void)
{
    return machine.pcie_host;
}

bool machine_create(const MachineOptions *mo, Error **errp)
{
    bool virt = !mo->type || !strcmp(mo->type, "virt");
    uint64_t ram_size = mo->ram_size_set ? mo->ram_size
                                         : VIRT_RAM_DEFAULT_SIZE;

    g_assert(!machine.created);
    if (mo->iommu && !virt) {
        error_setg(errp, "Property 'none-machine.iommu' not found");
        return false;
    }
    machine.mtype = mo->mtype ? mo->mtype : machine_type_default();
    machine.iommu = mo->iommu != NULL;
    machine.as = address_space_new("system");
    machine.devices = g_ptr_array_new();
    machine.opts = *mo;
    machine.created = true;
    if ((virt || mo->ram_size_set || mo->memory_backend) &&
        !machine_create_ram(mo, ram_size, errp)) {
        goto fail;
    }
    if (virt && !machine_create_pcie(mo, errp)) {
        goto fail;
    }
    if (mo->iommu && !machine_create_smmu(errp)) {
        goto fail;
    }
    trace_machine_create(virt ? "virt" : "none", ram_size);
    return true;

fail:
    machine_destroy();
    return false;
}

void machine_destroy(void)
{
    if (!machine.created) {
        return;
    }
    /* Newest first: a device may link to an older one. */
    while (machine.devices->len) {
        machine_device_forget(g_ptr_array_index(machine.devices,
                                                machine.devices->len - 1));
    }
    g_ptr_array_free(machine.devices, TRUE);
    machine.devices = NULL;
    if (machine.release_src) {
        g_source_remove(machine.release_src);
        machine.release_src = 0;
    }
    g_clear_pointer(&machine.pcie_host, pcie_host_free);
    g_clear_pointer(&machine.as, address_space_free);
    g_clear_pointer(&machine.default_ram, host_memory_backend_delete);
    machine.anon_count = 0;
    machine.irqs_used = 0;
    machine_set_gic_observer(NULL, NULL);
    machine.mtype = NULL;
    machine.iommu = false;
    machine.created = false;
}
