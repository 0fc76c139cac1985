/*
 * A small device model in the spirit of QEMU's qdev.
 *
 * A device type is a DeviceClass, registered at start-up with
 * device_class_register() (from a constructor, see type_init()).  An
 * instance is created with qdev_new(), configured through its properties
 * (hw/qdev-properties.h), given its address space, then realized.  The
 * board maps its MMIO region and connects its output interrupt lines.
 *
 * Device files are linked with link_whole so their constructors run.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_QDEV_CORE_H
#define HW_QDEV_CORE_H

#include "qapi/error.h"
#include "qom/object.h"
#include "hw/irq.h"
#include "system/memory.h"

/*
 * The device part of the type hierarchy (qom/object.h), registered by
 * hw/core/qdev.c: "device" and "sys-bus-device" (abstract), "bus" and
 * the main system bus "System", the "hotplug-handler" interface.  Every
 * DeviceClass is a type whose parent is .parent (default "device").
 */
#define TYPE_DEVICE             "device"
#define TYPE_SYS_BUS_DEVICE     "sys-bus-device"
#define TYPE_BUS                "bus"
#define TYPE_SYSTEM_BUS         "System"
#define TYPE_HOTPLUG_HANDLER    "hotplug-handler"

typedef struct DeviceState DeviceState;
typedef struct Property Property;

typedef struct DeviceClass {
    const char *name;           /* type name, e.g. "arm-smmuv3" */
    const char *desc;           /* one line for "-device help" */
    const char *category;       /* e.g. "misc", "storage" */
    const char *parent;         /* parent type; NULL: TYPE_DEVICE ("device") */
    size_t instance_size;       /* >= sizeof(DeviceState), which comes first */
    bool user_creatable;        /* may be given with -device */
    bool hotpluggable;          /* may be added/removed with QMP */
    const Property *props;      /* terminated by DEFINE_PROP_END_OF_LIST() */
    /* Note printed after the property list of "-device TYPE,help". */
    const char *help_note;
    /* QOM interfaces it implements (include/qom/object.h), or NULL. */
    const char *const *interfaces;

    void (*instance_init)(DeviceState *dev);    /* after defaults */
    bool (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev);            /* system reset */
    void (*finalize)(DeviceState *dev);         /* before free */
} DeviceClass;

#define QDEV_MAX_IRQS 8

struct DeviceState {
    const DeviceClass *klass;
    char *id;                   /* user id, or NULL */
    bool realized;
    bool hotplugged;            /* realized by device_add, not at start-up */
    AddressSpace *as;           /* the address space the device DMAs to */
    /* MMIO interface, mapped by the board after realize. */
    const MemoryRegionOps *mmio_ops;
    uint64_t mmio_size;
    MemoryRegion *mmio;
    /* Output interrupt lines, created by the device (see qdev_init_irqs). */
    qemu_irq irqs[QDEV_MAX_IRQS];
    const char *irq_names[QDEV_MAX_IRQS];
    int num_irqs;
    /* Device id of its own MSIs at the interrupt controller (the board). */
    uint32_t msi_devid;
};

/* Register DC, and its type (parent .parent, interfaces .interfaces). */
void device_class_register(const DeviceClass *dc);
const DeviceClass *device_class_find(const char *name);
/* Calls func for every registered class, sorted by name. */
void device_class_foreach(void (*func)(const DeviceClass *dc, void *opaque),
                          void *opaque);

/* The bus a device of DC plugs into: "PCI", "System", or NULL. */
const char *qdev_class_bus_type(const DeviceClass *dc);
/*
 * "-device help" and HMP "device_add help": the user-creatable devices
 * by category, in QEMU's format:
 *   Misc devices:
 *   name "arm-smmuv3", bus System, desc "Arm SMMUv3 (System MMU)"
 */
char *qdev_device_list_help(void);


/*
 * Create an unrealized instance with default property values.  Fails with
 * QEMU's message for an unknown type ("'foo' is not a valid device model
 * name").
 */
DeviceState *qdev_new(const char *type_name, Error **errp);
void qdev_set_id(DeviceState *dev, const char *id);
bool qdev_realize(DeviceState *dev, Error **errp);
void qdev_unrealize(DeviceState *dev);
/* Unrealize if needed, finalize and free. */
void qdev_free(DeviceState *dev);
void qdev_reset(DeviceState *dev);

/* For devices: create n output lines named name[0..n-1] (no handler). */
void qdev_init_irqs(DeviceState *dev, const char *const *names, int n);
/* For boards: connect output line n to a handler. */
void qdev_connect_irq(DeviceState *dev, int n, qemu_irq_handler handler,
                      void *opaque);

/* For boards: map the device's MMIO interface at base in dev->as. */
bool qdev_mmio_map(DeviceState *dev, hwaddr base, Error **errp);
void qdev_mmio_unmap(DeviceState *dev);

#endif /* HW_QDEV_CORE_H */
