/*
 * The QOM composition tree (see include/system/qom-tree.h): nodes and
 * their properties, computed from the machine and the object registry
 * each time they are asked for.
 *
 * Owns nothing that outlives a call.  Main thread only: no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/object-registry.h"
#include "qom/object.h"
#include "hw/pci/pci-device.h"
#include "chardev/char.h"
#include "system/machine.h"
#include "system/qom-tree.h"

/* A link chain longer than this is a loop. */
#define QOM_MAX_LINK_HOPS   8

#define PATH_OBJECTS        "/objects"
#define PATH_CHARDEVS       "/chardevs"
#define PATH_MACHINE        "/machine"
#define PATH_UNATTACHED     "/machine/unattached"
#define PATH_SYSBUS         "/machine/unattached/sysbus"

typedef enum QomKind {
    QOM_CONTAINER,      /* "/", "/objects", "/machine/peripheral", ... */
    QOM_MACHINE,
    QOM_DEVICE,
    QOM_BUS,
    QOM_OBJECT,         /* an -object */
    QOM_CHARDEV,
} QomKind;

struct QomNode {
    QomKind kind;
    char *path;
    const char *type;
    DeviceState *dev;   /* QOM_DEVICE */
    PCIBus *bus;        /* QOM_BUS, NULL for the system bus */
    bool connected;     /* QOM_CHARDEV */
};

static QomNode *node_new(QomKind kind, const char *path, const char *type)
{
    QomNode *n = g_new0(QomNode, 1);

    n->kind = kind;
    n->path = g_strdup(path);
    n->type = type;
    return n;
}

void qom_node_free(QomNode *n)
{
    if (n) {
        g_free(n->path);
        g_free(n);
    }
}

const char *qom_node_path(const QomNode *n)
{
    return n->path;
}

const char *qom_node_type(const QomNode *n)
{
    return n->type;
}

/* ---- paths of the objects links name ----------------------------- */

/* The device whose bus BUS is (a pxb-pcie names its bus by its id). */
static DeviceState *bus_owner(PCIBus *bus)
{
    DeviceState *dev = machine_find_device(bus->id);

    return dev && dev->id && !strcmp(dev->id, bus->id) ? dev : NULL;
}

static char *bus_path(PCIBus *bus)
{
    DeviceState *owner;

    if (bus == machine_pcie0()) {
        return g_strdup_printf(PATH_UNATTACHED "/%s", bus->id);
    }
    owner = bus_owner(bus);
    return owner ? g_strdup_printf("%s/%s", machine_device_path(owner),
                                   bus->id)
                 : NULL;
}

char *qom_id_path(const char *id)
{
    const char *type = object_registry_type(id);
    DeviceState *dev;

    if (!type) {
        return NULL;
    }
    if (!strcmp(type, TYPE_PCI_BUS)) {
        return bus_path(object_registry_lookup(id, TYPE_PCI_BUS));
    }
    if (type_is_a(type, TYPE_USER_CREATABLE)) {
        return g_strdup_printf(PATH_OBJECTS "/%s", id);
    }
    dev = machine_find_device(id);
    return dev ? g_strdup(machine_device_path(dev)) : NULL;
}

/*
 * The path of the bus DEV plugs into: its "bus" link (default pcie.0)
 * for a PCI device, else the system bus; NULL if it names none.
 */
static char *device_bus_path(DeviceState *dev)
{
    const Property *prop = qdev_prop_find(dev->klass, "bus");
    g_autofree char *id = NULL;
    PCIBus *bus;

    if (!type_is_a(dev->klass->name, TYPE_PCI_DEVICE)) {
        return g_strdup(PATH_SYSBUS);
    }
    id = prop && prop->type == PROP_TYPE_LINK ?
         qdev_prop_get_string(dev, prop) : NULL;
    bus = id ? object_registry_lookup(id, TYPE_PCI_BUS) : machine_pcie0();
    return bus ? bus_path(bus) : NULL;
}

/* ---- values ------------------------------------------------------ */

static JsonNode *json_string(const char *s)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_string(node, s ? s : "");
    return node;
}

static JsonNode *json_bool(bool b)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_boolean(node, b);
    return node;
}

static JsonNode *json_int(int64_t v)
{
    JsonNode *node = json_node_new(JSON_NODE_VALUE);

    json_node_set_int(node, v);
    return node;
}

JsonNode *qom_qdev_prop_value(DeviceState *dev, const Property *prop)
{
    g_autofree char *s = NULL;

    switch (prop->type) {
    case PROP_TYPE_BOOL:
        return json_bool(qdev_prop_get_uint(dev, prop));
    case PROP_TYPE_STRING:
    case PROP_TYPE_ENUM:
        s = qdev_prop_get_string(dev, prop);
        return json_string(s);
    case PROP_TYPE_LINK: {
        g_autofree char *path = NULL;

        s = qdev_prop_get_string(dev, prop);
        path = s ? qom_id_path(s) : NULL;
        return json_string(path);
    }
    case PROP_TYPE_PCI_DEVFN:
        return json_int((int64_t)qdev_prop_get_uint(dev, prop));
    default:
        return json_int(qdev_prop_get_uint(dev, prop));
    }
}

JsonNode *qom_qdev_prop_default(const Property *prop)
{
    switch (prop->type) {
    case PROP_TYPE_BOOL:
        return json_bool(prop->defval);
    case PROP_TYPE_ENUM:
        return json_string(prop->enum_names[prop->defval]);
    case PROP_TYPE_STRING:
    case PROP_TYPE_LINK:
        return prop->defstr ? json_string(prop->defstr) : NULL;
    case PROP_TYPE_PCI_DEVFN:
        return json_int((int32_t)prop->defval);
    default:
        return json_int(prop->defval);
    }
}

/* ---- properties -------------------------------------------------- */

static void prop_free(gpointer data)
{
    QomProp *p = data;

    g_free(p->name);
    g_free(p->type);
    qom_node_free(p->child);
    g_free(p->link);
    if (p->value) {
        json_node_unref(p->value);
    }
    g_free(p);
}

static QomProp *prop_add(GPtrArray *props, const char *name, const char *type,
                         const char *desc)
{
    QomProp *p = g_new0(QomProp, 1);

    p->name = g_strdup(name);
    p->type = g_strdup(type);
    p->description = desc;
    g_ptr_array_add(props, p);
    return p;
}

static void prop_add_value(GPtrArray *props, const char *name,
                           const char *type, JsonNode *value)
{
    prop_add(props, name, type, NULL)->value = value;
}

static void prop_add_child(GPtrArray *props, const char *name,
                           QomNode *child)
{
    g_autofree char *type = g_strdup_printf("child<%s>", child->type);

    prop_add(props, name, type, NULL)->child = child;
}

static void prop_add_link(GPtrArray *props, const char *name,
                          const char *type, char *path)
{
    prop_add(props, name, type, NULL)->link = path;
}

static const char *last_component(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

/* The devices whose path is PARENT/NAME, as children of PARENT. */
typedef struct DeviceChildren {
    const char *parent;
    GPtrArray *props;
} DeviceChildren;

static void device_child(DeviceState *dev, void *opaque)
{
    DeviceChildren *dc = opaque;
    const char *path = machine_device_path(dev);
    const char *name = last_component(path);
    size_t plen = strlen(dc->parent);
    QomNode *child;

    if (strncmp(path, dc->parent, plen) || path[plen] != '/' ||
        name != path + plen + 1) {
        return;
    }
    child = node_new(QOM_DEVICE, path, dev->klass->name);
    child->dev = dev;
    prop_add_child(dc->props, name, child);
}

/* BUS as the child NAME of its owner (bus_path() is never NULL here). */
static void add_bus_child(GPtrArray *props, PCIBus *bus)
{
    g_autofree char *path = bus_path(bus);
    QomNode *n = node_new(QOM_BUS, path, TYPE_PCIE_BUS);

    n->bus = bus;
    prop_add_child(props, bus->id, n);
}

static void add_device_children(GPtrArray *props, const char *parent)
{
    DeviceChildren dc = { .parent = parent, .props = props };

    machine_foreach_device(device_child, &dc);
}

static void add_container(GPtrArray *props, const char *parent,
                          const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/%s", parent, name);

    prop_add_child(props, name, node_new(QOM_CONTAINER, path,
                                         TYPE_CONTAINER));
}

static void object_child(const char *id, const char *type, void *obj,
                         void *opaque)
{
    g_autofree char *path = NULL;

    if (!type_is_a(type, TYPE_USER_CREATABLE)) {
        return;
    }
    path = g_strdup_printf(PATH_OBJECTS "/%s", id);
    prop_add_child(opaque, id, node_new(QOM_OBJECT, path, type));
}

static void chardev_child(const char *id, const char *type, bool connected,
                          void *opaque)
{
    g_autofree char *path = g_strdup_printf(PATH_CHARDEVS "/%s", id);
    QomNode *n = node_new(QOM_CHARDEV, path, type);

    n->connected = connected;
    prop_add_child(opaque, id, n);
}

static void container_props(const QomNode *n, GPtrArray *props)
{
    if (!strcmp(n->path, "/")) {
        const MachineTypeInfo *mt = machine_current_type();

        if (mt) {
            prop_add_child(props, "machine",
                           node_new(QOM_MACHINE, PATH_MACHINE,
                                    machine_type_qom_name(mt)));
        }
        add_container(props, "", "chardevs");
        add_container(props, "", "objects");
        return;
    }
    if (!strcmp(n->path, PATH_CHARDEVS)) {
        qemu_chardev_foreach(chardev_child, props);
        return;
    }
    if (!strcmp(n->path, PATH_OBJECTS)) {
        object_registry_foreach(NULL, object_child, props);
        return;
    }
    if (!strcmp(n->path, PATH_UNATTACHED)) {
        QomNode *sysbus = node_new(QOM_BUS, PATH_SYSBUS, TYPE_SYSTEM_BUS);

        prop_add_child(props, "sysbus", sysbus);
        if (machine_pcie0()) {
            add_bus_child(props, machine_pcie0());
        }
    }
    add_device_children(props, n->path);
}

static void machine_props(GPtrArray *props)
{
    const MachineTypeInfo *mt = machine_current_type();

    if (!strcmp(mt->board, "virt")) {
        prop_add_value(props, "iommu", "string",
                       json_string(machine_get_iommu()));
    }
    add_container(props, PATH_MACHINE, "peripheral");
    add_container(props, PATH_MACHINE, "peripheral-anon");
    add_container(props, PATH_MACHINE, "unattached");
    add_device_children(props, PATH_MACHINE);
}

static void device_props(const QomNode *n, GPtrArray *props)
{
    DeviceState *dev = n->dev;
    const DeviceClass *dc = dev->klass;
    PCIBus *own_bus;

    prop_add_value(props, "realized", "bool", json_bool(dev->realized));
    prop_add_value(props, "hotpluggable", "bool",
                   json_bool(dc->hotpluggable));
    prop_add_value(props, "hotplugged", "bool",
                   json_bool(machine_device_hotplugged(dev)));
    prop_add_link(props, "parent_bus", "link<bus>", device_bus_path(dev));
    for (const Property *p = dc->props; p && p->name; p++) {
        QomProp *qp = prop_add(props, p->name, p->type_name, p->description);
        g_autofree char *id = NULL;

        if (p->type == PROP_TYPE_LINK) {
            id = qdev_prop_get_string(dev, p);
            qp->link = id ? qom_id_path(id) : NULL;
        } else {
            qp->value = qom_qdev_prop_value(dev, p);
        }
    }
    own_bus = dev->id ? object_registry_lookup(dev->id, TYPE_PCI_BUS) : NULL;
    if (own_bus && bus_owner(own_bus) == dev) {
        add_bus_child(props, own_bus);
    }
}

static JsonNode *qom_value_node(QomValue *v)
{
    g_autofree char *s = v->s;

    switch (v->kind) {
    case QOM_VALUE_BOOL:
        return json_bool(v->b);
    case QOM_VALUE_INT:
        return json_int(v->i);
    default:
        return json_string(s);
    }
}

/*
 * Properties its type declares (qom-list-properties), with the values
 * its get_property reads; the others are write-only.
 */
static void object_props(const QomNode *n, GPtrArray *props)
{
    const TypeInfo *info = type_lookup(n->type);
    g_autoptr(GPtrArray) tprops = type_get_properties(info);
    const void *obj = object_registry_lookup(last_component(n->path),
                                             n->type);

    for (guint i = 0; i < tprops->len; i++) {
        const TypePropertyInfo *p = g_ptr_array_index(tprops, i);
        QomValue v;

        if (!strcmp(p->name, "type")) {
            continue;
        }
        prop_add(props, p->name, p->type, p->description)->value =
            type_get_property_value(info, obj, p->name, &v) ?
            qom_value_node(&v) : NULL;
    }
}

void *qom_node_object(const QomNode *n)
{
    if (n->kind != QOM_OBJECT) {
        return NULL;
    }
    return object_registry_lookup(last_component(n->path), n->type);
}

GPtrArray *qom_node_props(const QomNode *n)
{
    GPtrArray *props = g_ptr_array_new_with_free_func(prop_free);

    prop_add_value(props, "type", "string", json_string(n->type));
    switch (n->kind) {
    case QOM_CONTAINER:
        container_props(n, props);
        break;
    case QOM_MACHINE:
        machine_props(props);
        break;
    case QOM_DEVICE:
        device_props(n, props);
        break;
    case QOM_BUS:
        prop_add_value(props, "realized", "bool", json_bool(true));
        prop_add_link(props, "hotplug-handler", "link<hotplug-handler>",
                      NULL);
        break;
    case QOM_OBJECT:
        object_props(n, props);
        break;
    case QOM_CHARDEV:
        if (!strcmp(n->type, "chardev-socket")) {
            prop_add_value(props, "connected", "bool",
                           json_bool(n->connected));
        }
        break;
    }
    return props;
}

JsonNode *qom_prop_get(const QomProp *p)
{
    if (p->child) {
        return json_string(p->child->path);
    }
    if (g_str_has_prefix(p->type, "link<")) {
        return json_string(p->link);
    }
    return p->value ? json_node_copy(p->value) : NULL;
}

/* ---- resolution -------------------------------------------------- */

static QomNode *node_copy(const QomNode *n)
{
    QomNode *c = node_new(n->kind, n->path, n->type);

    c->dev = n->dev;
    c->bus = n->bus;
    c->connected = n->connected;
    return c;
}

static QomNode *resolve_abs(const char *path, int hops);

/* The node property NAME of N leads to (child or link), or NULL. */
static QomNode *node_step(const QomNode *n, const char *name, int hops)
{
    g_autoptr(GPtrArray) props = qom_node_props(n);

    for (guint i = 0; i < props->len; i++) {
        QomProp *p = g_ptr_array_index(props, i);

        if (strcmp(p->name, name) != 0) {
            continue;
        }
        if (p->child) {
            return node_copy(p->child);
        }
        return p->link && hops < QOM_MAX_LINK_HOPS ?
               resolve_abs(p->link, hops + 1) : NULL;
    }
    return NULL;
}

static QomNode *resolve_abs(const char *path, int hops)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    QomNode *n = node_new(QOM_CONTAINER, "/", TYPE_CONTAINER);

    for (int i = 1; parts[i] && n; i++) {
        QomNode *next;

        if (!parts[i][0]) {
            continue;           /* "//" and a trailing "/" */
        }
        next = node_step(n, parts[i], hops);
        qom_node_free(n);
        n = next;
    }
    return n;
}

typedef struct PartialMatch {
    const char *tail;           /* "/" + the partial path */
    QomNode *found;
    int count;
} PartialMatch;

/* Every node under N (children only, not links), depth first. */
static void partial_walk(const QomNode *n, PartialMatch *m)
{
    g_autoptr(GPtrArray) props = qom_node_props(n);

    for (guint i = 0; i < props->len && m->count < 2; i++) {
        QomProp *p = g_ptr_array_index(props, i);

        if (!p->child) {
            continue;
        }
        if (g_str_has_suffix(p->child->path, m->tail)) {
            if (!m->count++) {
                m->found = node_copy(p->child);
            }
        }
        partial_walk(p->child, m);
    }
}

QomNode *qom_resolve_path(const char *path, bool *ambiguous)
{
    g_autofree char *tail = NULL;
    g_autoptr(QomNode) root = NULL;
    PartialMatch m = { 0 };

    *ambiguous = false;
    if (path[0] == '/') {
        return resolve_abs(path, 0);
    }
    if (!path[0]) {
        return NULL;
    }
    tail = g_strdup_printf("/%s", path);
    m.tail = tail;
    root = node_new(QOM_CONTAINER, "/", TYPE_CONTAINER);
    partial_walk(root, &m);
    if (m.count > 1) {
        *ambiguous = true;
        qom_node_free(m.found);
        return NULL;
    }
    return m.found;
}
