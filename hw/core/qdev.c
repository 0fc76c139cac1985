/*
 * Device model core: type registry, life cycle, MMIO and IRQ plumbing,
 * and the device part of the type hierarchy (the abstract device, bus
 * and PCI types, see include/hw/qdev-core.h and hw/pci/pci-device.h).
 *
 * The class table is written by constructors, read by the main thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci-bus.h"
#include "hw/pci/pci-device.h"
#include "trace.h"

static GHashTable *device_classes;  /* name -> const DeviceClass * */

void device_class_register(const DeviceClass *dc)
{
    TypeInfo *ti = g_new0(TypeInfo, 1);

    if (!device_classes) {
        device_classes = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_assert(dc->instance_size >= sizeof(DeviceState));
    g_assert(!g_hash_table_contains(device_classes, dc->name));
    g_hash_table_insert(device_classes, (gpointer)dc->name, (gpointer)dc);
    /* Lives as long as the class: the program. */
    ti->name = dc->name;
    ti->parent = dc->parent ? dc->parent : TYPE_DEVICE;
    ti->interfaces = dc->interfaces;
    ti->class_data = dc;
    type_register_static(ti);
}

/* ---- the abstract types ------------------------------------------ */

/* What every device has besides its qdev properties, as in QEMU. */
static const TypePropertyInfo device_props[] = {
    { "realized", "bool" },
    { "hotpluggable", "bool" },
    { "hotplugged", "bool" },
    { "parent_bus", "link<bus>" },
    { NULL }
};

static const TypePropertyInfo bus_props[] = {
    { "realized", "bool" },
    { "hotplug-handler", "link<hotplug-handler>" },
    { NULL }
};

static const TypeInfo qdev_abstract_types[] = {
    { .name = TYPE_DEVICE, .parent = TYPE_OBJECT, .abstract = true,
      .props = device_props },
    { .name = TYPE_SYS_BUS_DEVICE, .parent = TYPE_DEVICE, .abstract = true },
    { .name = TYPE_PCI_DEVICE, .parent = TYPE_DEVICE, .abstract = true },
    { .name = TYPE_BUS, .parent = TYPE_OBJECT, .abstract = true,
      .props = bus_props },
    { .name = TYPE_SYSTEM_BUS, .parent = TYPE_BUS },
    { .name = TYPE_PCI_BUS, .parent = TYPE_BUS },
    { .name = TYPE_PCIE_BUS, .parent = TYPE_PCI_BUS },
    { .name = TYPE_HOTPLUG_HANDLER, .parent = TYPE_INTERFACE,
      .abstract = true },
    { .name = INTERFACE_PCIE_DEVICE, .parent = TYPE_INTERFACE,
      .abstract = true },
    { .name = INTERFACE_CONVENTIONAL_PCI_DEVICE, .parent = TYPE_INTERFACE,
      .abstract = true },
};

static void qdev_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qdev_abstract_types); i++) {
        type_register_static(&qdev_abstract_types[i]);
    }
}

type_init(qdev_register_types)

/* ---- classes and instances --------------------------------------- */

const DeviceClass *device_class_find(const char *name)
{
    return device_classes ? g_hash_table_lookup(device_classes, name) : NULL;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void device_class_foreach(void (*func)(const DeviceClass *dc, void *opaque),
                          void *opaque)
{
    g_autofree const char **names = NULL;
    guint n;

    if (!device_classes) {
        return;
    }
    names = (const char **)g_hash_table_get_keys_as_array(device_classes,
                                                          &n);
    qsort(names, n, sizeof(*names), compare_names);
    for (guint i = 0; i < n; i++) {
        func(g_hash_table_lookup(device_classes, names[i]), opaque);
    }
}

/* QEMU's categories, in the order its device list prints them. */
static const struct {
    const char *category;
    const char *heading;
} device_categories[] = {
    { "bridge", "Controller/Bridge/Hub" },
    { "usb", "USB" },
    { "storage", "Storage" },
    { "network", "Network" },
    { "input", "Input" },
    { "display", "Display" },
    { "sound", "Sound" },
    { "misc", "Misc" },
    { "cpu", "CPU" },
    { "watchdog", "Watchdog" },
    { NULL, "Uncategorized" },
};

const char *qdev_class_bus_type(const DeviceClass *dc)
{
    if (type_is_a(dc->name, TYPE_PCI_DEVICE)) {
        return TYPE_PCI_BUS;
    }
    return type_is_a(dc->name, TYPE_SYS_BUS_DEVICE) ? TYPE_SYSTEM_BUS
                                                    : NULL;
}

static bool category_is(const DeviceClass *dc, size_t i)
{
    const char *cat = device_categories[i].category;

    if (cat) {
        return dc->category && !strcmp(dc->category, cat);
    }
    for (size_t j = 0; j < i; j++) {
        if (dc->category && !strcmp(dc->category,
                                    device_categories[j].category)) {
            return false;
        }
    }
    return true;
}

typedef struct ListHelp {
    GString *out;
    size_t category;
    bool any;
} ListHelp;

static void list_help_one(const DeviceClass *dc, void *opaque)
{
    ListHelp *lh = opaque;
    const char *bus = qdev_class_bus_type(dc);

    if (!dc->user_creatable || !category_is(dc, lh->category)) {
        return;
    }
    if (!lh->any) {
        g_string_append_printf(lh->out, "%s%s devices:\n",
                               lh->out->len ? "\n" : "",
                               device_categories[lh->category].heading);
        lh->any = true;
    }
    g_string_append_printf(lh->out, "name \"%s\"", dc->name);
    if (bus) {
        g_string_append_printf(lh->out, ", bus %s", bus);
    }
    if (dc->desc) {
        g_string_append_printf(lh->out, ", desc \"%s\"", dc->desc);
    }
    g_string_append_c(lh->out, '\n');
}

char *qdev_device_list_help(void)
{
    ListHelp lh = { .out = g_string_new(NULL) };

    for (lh.category = 0; lh.category < G_N_ELEMENTS(device_categories);
         lh.category++) {
        lh.any = false;
        device_class_foreach(list_help_one, &lh);
    }
    return g_string_free(lh.out, FALSE);
}

DeviceState *qdev_new(const char *type_name, Error **errp)
{
    const DeviceClass *dc = device_class_find(type_name);
    DeviceState *dev;

    if (!dc) {
        error_setg(errp, "'%s' is not a valid device model name", type_name);
        return NULL;
    }
    dev = g_malloc0(dc->instance_size);
    dev->klass = dc;
    qdev_prop_set_defaults(dev);
    if (dc->instance_init) {
        dc->instance_init(dev);
    }
    trace_qdev_new(dc->name, dev);
    return dev;
}

void qdev_set_id(DeviceState *dev, const char *id)
{
    g_free(dev->id);
    dev->id = g_strdup(id);
}

bool qdev_realize(DeviceState *dev, Error **errp)
{
    g_assert(!dev->realized);
    if (dev->klass->realize && !dev->klass->realize(dev, errp)) {
        return false;
    }
    dev->realized = true;
    trace_qdev_realize(dev->klass->name, dev->id ? dev->id : "");
    return true;
}

void qdev_unrealize(DeviceState *dev)
{
    if (!dev->realized) {
        return;
    }
    qdev_mmio_unmap(dev);
    if (dev->klass->unrealize) {
        dev->klass->unrealize(dev);
    }
    dev->realized = false;
    trace_qdev_unrealize(dev->klass->name, dev->id ? dev->id : "");
}

void qdev_free(DeviceState *dev)
{
    if (!dev) {
        return;
    }
    qdev_unrealize(dev);
    if (dev->klass->finalize) {
        dev->klass->finalize(dev);
    }
    for (int i = 0; i < dev->num_irqs; i++) {
        qemu_free_irq(dev->irqs[i]);
    }
    qdev_prop_free_values(dev);
    g_free(dev->id);
    g_free(dev);
}

void qdev_reset(DeviceState *dev)
{
    if (dev->realized && dev->klass->reset) {
        dev->klass->reset(dev);
    }
}

void qdev_init_irqs(DeviceState *dev, const char *const *names, int n)
{
    g_assert(dev->num_irqs + n <= QDEV_MAX_IRQS);
    for (int i = 0; i < n; i++) {
        dev->irq_names[dev->num_irqs] = names[i];
        dev->irqs[dev->num_irqs] = qemu_allocate_irq(NULL, NULL,
                                                     dev->num_irqs);
        dev->num_irqs++;
    }
}

void qdev_connect_irq(DeviceState *dev, int n, qemu_irq_handler handler,
                      void *opaque)
{
    g_assert(n >= 0 && n < dev->num_irqs);
    qemu_irq_set_handler(dev->irqs[n], handler, opaque);
}

bool qdev_mmio_map(DeviceState *dev, hwaddr base, Error **errp)
{
    g_autofree char *name = NULL;

    g_assert(dev->as && dev->mmio_ops && !dev->mmio);
    name = g_strdup_printf("%s%s%s", dev->klass->name, dev->id ? "." : "",
                           dev->id ? dev->id : "");
    dev->mmio = address_space_add_mmio(dev->as, name, base, dev->mmio_size,
                                       dev->mmio_ops, dev, errp);
    return dev->mmio != NULL;
}

void qdev_mmio_unmap(DeviceState *dev)
{
    if (dev->mmio) {
        address_space_del_mmio(dev->as, dev->mmio);
        dev->mmio = NULL;
    }
}
