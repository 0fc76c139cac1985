/*
 * The QOM composition tree, as qom-list, qom-get and "info qom-tree"
 * see it: built on demand from the machine and the object registry, so
 * it cannot go stale and introspection cannot change it.
 *
 *   /                                  container
 *     chardevs                         container: the chardevs
 *       ID                             chardev-socket, chardev-stdio
 *     objects                          container: the -object instances
 *       ID                             iommufd, iothread, monitor-qmp
 *     machine                          virt-11.1-machine, none-machine
 *       peripheral                     container: -device/device_add id=ID
 *         ID
 *       peripheral-anon                container: the same without id
 *         device[N]
 *       unattached                     container
 *         sysbus                       System, the main system bus
 *         pcie.0                       PCIE (virt only)
 *       smmuv3                         iommu=smmuv3's arm-smmuv3
 *
 * A device's properties are "type", "realized", "hotpluggable",
 * "hotplugged", "parent_bus" (link<bus>) and its qdev properties, a link
 * property naming the object's path; a pxb-pcie has its bus as child.
 * Paths resolve as QEMU's object_resolve_path() does: absolute, through
 * link properties, or partial (a unique trailing match, e.g. "smmuv3").
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QOM_TREE_H
#define SYSTEM_QOM_TREE_H

#include "hw/qdev-properties.h"
#include <json-glib/json-glib.h>

typedef struct QomNode QomNode;

typedef struct QomProp {
    char *name;
    char *type;                 /* "bool", "child<PCIE>", "link<PCI>", ... */
    const char *description;    /* or NULL */
    QomNode *child;             /* a child<> property: the child */
    char *link;                 /* a link<>: the target's path, or NULL */
    JsonNode *value;            /* other properties; NULL: not readable */
} QomProp;

/*
 * The node at PATH, or NULL (*AMBIGUOUS set if a partial path matched
 * more than one).  Free with qom_node_free().
 */
QomNode *qom_resolve_path(const char *path, bool *ambiguous);
void qom_node_free(QomNode *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QomNode, qom_node_free)

const char *qom_node_path(const QomNode *n);
const char *qom_node_type(const QomNode *n);

/* The -object instance N is (what its type's get_property reads), or NULL. */
void *qom_node_object(const QomNode *n);

/* N's properties, in QEMU's order (of QomProp *, freed with the array). */
GPtrArray *qom_node_props(const QomNode *n);
/* What qom-get returns for P: its value, a child's or link's path. */
JsonNode *qom_prop_get(const QomProp *p);

/* The path of the object registered as ID (a link's target), or NULL. */
char *qom_id_path(const char *id);

/* A qdev property's current value and default, typed as QOM has them. */
JsonNode *qom_qdev_prop_value(DeviceState *dev, const Property *prop);
/* NULL when it has none (a string or link without default). */
JsonNode *qom_qdev_prop_default(const Property *prop);

#endif /* SYSTEM_QOM_TREE_H */
