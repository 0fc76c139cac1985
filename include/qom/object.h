/*
 * The type hierarchy, as QOM has it: every type the daemon knows (device
 * models, buses, -object types, machine types, the abstract types above
 * them and the interfaces they implement) is one TypeInfo, named, with
 * its parent and its interfaces.  qom-list-types, device-list-properties
 * and qom-list-properties answer from this one table.
 *
 *   object                         abstract, the root
 *   interface                      abstract, the root of the interfaces
 *   device -> object               abstract (hw/core/qdev.c)
 *   sys-bus-device -> device       abstract
 *   pci-device -> device           abstract
 *   ...
 *
 * A type is registered once, from a type_init() constructor or at start-
 * up, before the table is read; constructors run in any order, so a
 * parent may be registered after its children.  type_check_hierarchy()
 * says whether every parent and interface is known (a unit test runs it).
 *
 * The table is written before main() or from the main thread, and read
 * from the main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include "qapi/error.h"

#define TYPE_OBJECT             "object"
#define TYPE_INTERFACE          "interface"
#define TYPE_CONTAINER          "container"
#define TYPE_USER_CREATABLE     "user-creatable"

/* A property every instance of a type has (qom-list-properties). */
typedef struct TypePropertyInfo {
    const char *name;           /* NULL ends a list */
    const char *type;           /* "bool", "string", "link<PCI>", ... */
    const char *description;    /* or NULL */
} TypePropertyInfo;

/* A property's value, as a type's get_property reads it. */
typedef enum QomValueKind {
    QOM_VALUE_BOOL, QOM_VALUE_INT, QOM_VALUE_STRING,
} QomValueKind;

typedef struct QomValue {
    QomValueKind kind;
    bool b;
    int64_t i;
    char *s;                    /* QOM_VALUE_STRING: the caller frees it */
} QomValue;

typedef struct TypeInfo {
    const char *name;
    /* NULL only for "object" and "interface"; an interface's is one. */
    const char *parent;
    bool abstract;
    /* Interfaces this type implements (its parents' count too). */
    const char *const *interfaces;      /* NULL terminated, or NULL */
    /*
     * Its own properties, beyond its parent's (NULL: none); a device's
     * qdev properties are its DeviceClass's.
     */
    const TypePropertyInfo *props;
    /*
     * qom-get of an instance (an -object: what the object registry
     * holds for its id): read property NAME of OBJ into *V, false if
     * NAME is write-only.  NULL: its nearest ancestor's; none, every
     * property is write-only.
     */
    bool (*get_property)(const void *obj, const char *name, QomValue *v);
    /*
     * qom-set of an instance: write property NAME of OBJ, typed as its
     * TypePropertyInfo says, or fail with an error naming the cause.
     * NULL: its nearest ancestor's; none, no property can be set once
     * the object exists.
     */
    bool (*set_property)(void *obj, const char *name, const QomValue *v,
                         Error **errp);
    /* What the type is made of, for its layer: e.g. its DeviceClass. */
    const void *class_data;
} TypeInfo;

/* Run FN at start-up, before main(): where types register themselves. */
#define type_init(fn) \
    static void __attribute__((constructor)) fn##_ctor(void) { fn(); }

/* Register INFO, kept by pointer; names are unique. */
void type_register_static(const TypeInfo *info);
const TypeInfo *type_lookup(const char *name);
/* The parent type of INFO, or NULL for a root. */
const TypeInfo *type_get_parent(const TypeInfo *info);
/*
 * Every property instances of INFO have: its own, then its ancestors'
 * (up to "object"'s "type").  An array of const TypePropertyInfo *.
 */
GPtrArray *type_get_properties(const TypeInfo *info);
/*
 * Read property NAME of OBJ, an instance of INFO, with the nearest
 * get_property of INFO's chain; false if it is not readable.
 */
bool type_get_property_value(const TypeInfo *info, const void *obj,
                             const char *name, QomValue *v);

/*
 * Write property NAME of OBJ, an instance of INFO, with the nearest
 * set_property of INFO's chain; without one:
 *   Property 'TYPE.NAME' cannot be set once the object exists
 */
bool type_set_property_value(const TypeInfo *info, void *obj,
                             const char *name, const QomValue *v,
                             Error **errp);

/*
 * Is TYPE a TARGET: TARGET itself, an ancestor, or an interface that
 * TYPE or an ancestor implements (QEMU's object_class_dynamic_cast()).
 * False if either is unknown.
 */
bool type_is_a(const char *type, const char *target);
/* Is TYPE an interface (TYPE_INTERFACE among its ancestors)? */
bool type_is_interface(const char *type);

/*
 * Call FUNC for every type, sorted by name: with IMPLEMENTS, only those
 * that are one (type_is_a()); without INCLUDE_ABSTRACT, only concrete
 * ones.
 */
void type_foreach(const char *implements, bool include_abstract,
                  void (*func)(const TypeInfo *info, void *opaque),
                  void *opaque);

/*
 * Every parent and interface named is registered, interfaces descend
 * from "interface", and no chain loops; else the first fault, e.g.
 *   type 'arm-smmuv3': parent 'arm-smmu' is not registered
 */
bool type_check_hierarchy(Error **errp);

#endif /* QOM_OBJECT_H */
