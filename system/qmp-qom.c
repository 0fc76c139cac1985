/*
 * QMP introspection, as QEMU answers it: query-machines, qom-list-types,
 * device-list-properties, qom-list-properties (the type hierarchy of
 * include/qom/object.h) and qom-list, qom-get, qom-set (the composition
 * tree of include/system/qom-tree.h).
 *
 * Nothing here creates an object: introspecting a type reads its class,
 * so it cannot change the trees; qom-set changes only what a type's
 * set_property allows.  Owns no state; main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object.h"
#include "hw/qdev-properties.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/qmp-qom.h"
#include "system/qom-tree.h"

static JsonNode *array_node(JsonArray *arr)
{
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(node, arr);
    return node;
}

/* ---- query-machines ---------------------------------------------- */

static const QmpArg query_machines_args[] = {
    { "compat-props", QMP_ARG_BOOL },
    { NULL }
};

static JsonObject *machine_info(const MachineTypeInfo *mt, bool compat)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", mt->name);
    if (mt->alias) {
        json_object_set_string_member(o, "alias", mt->alias);
    }
    if (mt->is_default) {
        json_object_set_boolean_member(o, "is-default", true);
    }
    json_object_set_int_member(o, "cpu-max", mt->cpu_max);
    json_object_set_boolean_member(o, "hotpluggable-cpus", false);
    json_object_set_boolean_member(o, "numa-mem-supported",
                                   mt->numa_mem_supported);
    json_object_set_boolean_member(o, "deprecated", mt->deprecated);
    if (mt->default_ram_id) {
        json_object_set_string_member(o, "default-ram-id",
                                      mt->default_ram_id);
    }
    json_object_set_boolean_member(o, "acpi", mt->acpi);
    if (compat) {
        /* No machine type of ours changes a device default. */
        json_object_set_array_member(o, "compat-props", json_array_new());
    }
    return o;
}

static JsonNode *qmp_query_machines(JsonObject *args, Error **errp)
{
    bool compat = qmp_arg_bool(args, "compat-props", false);
    JsonArray *arr = json_array_new();

    for (const MachineTypeInfo *mt = machine_types; mt->name; mt++) {
        json_array_add_object_element(arr, machine_info(mt, compat));
    }
    return array_node(arr);
}

/* ---- qom-list-types ---------------------------------------------- */

static const QmpArg qom_list_types_args[] = {
    { "implements", QMP_ARG_STR },
    { "abstract", QMP_ARG_BOOL },
    { NULL }
};

static void type_entry(const TypeInfo *info, void *opaque)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", info->name);
    if (info->abstract) {
        json_object_set_boolean_member(o, "abstract", true);
    }
    if (info->parent) {
        json_object_set_string_member(o, "parent", info->parent);
    }
    json_array_add_object_element(opaque, o);
}

static JsonNode *qmp_qom_list_types(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();

    type_foreach(qmp_arg_str(args, "implements", NULL),
                 qmp_arg_bool(args, "abstract", false), type_entry, arr);
    return array_node(arr);
}

/* ---- device-list-properties, qom-list-properties ----------------- */

static const QmpArg typename_args[] = {
    { "typename", QMP_ARG_STR, .required = true },
    { NULL }
};

static void add_prop_info(JsonArray *arr, const char *name, const char *type,
                          const char *desc, JsonNode *defval)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "type", type);
    if (desc) {
        json_object_set_string_member(o, "description", desc);
    }
    if (defval) {
        json_object_set_member(o, "default-value", defval);
    }
    json_array_add_object_element(arr, o);
}

static void add_qdev_props(JsonArray *arr, const DeviceClass *dc)
{
    for (const Property *p = dc->props; p && p->name; p++) {
        add_prop_info(arr, p->name, p->type_name, p->description,
                      qom_qdev_prop_default(p));
    }
}

/* The properties every instance of TYPE has, base types' included. */
static void add_type_props(JsonArray *arr, const TypeInfo *info)
{
    g_autoptr(GPtrArray) props = type_get_properties(info);

    for (guint i = 0; i < props->len; i++) {
        const TypePropertyInfo *p = g_ptr_array_index(props, i);

        add_prop_info(arr, p->name, p->type, p->description, NULL);
    }
}

/* Type NAME, if it is a BASE: else QEMU's errors (WHAT: "Device"). */
static const TypeInfo *find_class(const char *name, const char *what,
                                  const char *base, Error **errp)
{
    const TypeInfo *info = type_lookup(name);

    if (!info) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "%s '%s' not found",
                  what, name);
        return NULL;
    }
    if (!type_is_a(name, base)) {
        error_setg(errp, "Parameter 'typename' expects %s", base);
        return NULL;
    }
    return info;
}

static JsonNode *qmp_device_list_properties(JsonObject *args, Error **errp)
{
    const char *name = qmp_arg_str(args, "typename", NULL);
    const TypeInfo *info = find_class(name, "Device", TYPE_DEVICE, errp);
    JsonArray *arr;

    if (!info) {
        return NULL;
    }
    if (info->abstract) {
        error_setg(errp, "Parameter 'typename' expects a non-abstract"
                   " device type");
        return NULL;
    }
    /* Without the properties of object and device, as QEMU. */
    arr = json_array_new();
    add_qdev_props(arr, info->class_data);
    return array_node(arr);
}

static JsonNode *qmp_qom_list_properties(JsonObject *args, Error **errp)
{
    const char *name = qmp_arg_str(args, "typename", NULL);
    const TypeInfo *info = find_class(name, "Class", TYPE_OBJECT, errp);
    JsonArray *arr;

    if (!info) {
        return NULL;
    }
    arr = json_array_new();
    add_type_props(arr, info);
    if (!info->abstract && type_is_a(name, TYPE_DEVICE)) {
        add_qdev_props(arr, info->class_data);
    }
    return array_node(arr);
}

/* ---- qom-list, qom-get ------------------------------------------- */

static const QmpArg qom_list_args[] = {
    { "path", QMP_ARG_STR, .required = true },
    { NULL }
};

static const QmpArg qom_get_args[] = {
    { "path", QMP_ARG_STR, .required = true },
    { "property", QMP_ARG_STR, .required = true },
    { NULL }
};

static QomNode *resolve(const char *path, Error **errp)
{
    bool ambiguous;
    QomNode *n = qom_resolve_path(path, &ambiguous);

    if (!n) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
    }
    return n;
}

static JsonNode *qmp_qom_list(JsonObject *args, Error **errp)
{
    g_autoptr(QomNode) n = resolve(qmp_arg_str(args, "path", NULL), errp);
    g_autoptr(GPtrArray) props = NULL;
    JsonArray *arr;

    if (!n) {
        return NULL;
    }
    props = qom_node_props(n);
    arr = json_array_new();
    for (guint i = 0; i < props->len; i++) {
        QomProp *p = g_ptr_array_index(props, i);

        add_prop_info(arr, p->name, p->type, p->description, NULL);
    }
    return array_node(arr);
}

static JsonNode *qmp_qom_get(JsonObject *args, Error **errp)
{
    g_autoptr(QomNode) n = resolve(qmp_arg_str(args, "path", NULL), errp);
    const char *name = qmp_arg_str(args, "property", NULL);
    g_autoptr(GPtrArray) props = NULL;
    JsonNode *value;

    if (!n) {
        return NULL;
    }
    props = qom_node_props(n);
    for (guint i = 0; i < props->len; i++) {
        QomProp *p = g_ptr_array_index(props, i);

        if (strcmp(p->name, name) != 0) {
            continue;
        }
        value = qom_prop_get(p);
        if (!value) {
            error_setg(errp, "Property '%s' is not readable", name);
        }
        return value;
    }
    error_setg(errp, "Property '%s.%s' not found", qom_node_type(n), name);
    return NULL;
}

static const QmpArg qom_set_args[] = {
    { "path", QMP_ARG_STR, .required = true },
    { "property", QMP_ARG_STR, .required = true },
    { "value", QMP_ARG_ANY, .required = true },
    { NULL }
};

/* NAME among INFO's properties, or NULL. */
static const TypePropertyInfo *find_type_prop(const TypeInfo *info,
                                              const char *name)
{
    g_autoptr(GPtrArray) props = type_get_properties(info);

    for (guint i = 0; i < props->len; i++) {
        const TypePropertyInfo *p = g_ptr_array_index(props, i);

        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

/* NODE as a value of property type TYPE, QEMU's visitor's errors. */
static bool qom_value_from_json(JsonNode *node, const char *type,
                                QomValue *v, Error **errp)
{
    GType gt = JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node)
                                           : G_TYPE_INVALID;

    memset(v, 0, sizeof(*v));
    if (!strcmp(type, "int") && gt == G_TYPE_INT64) {
        v->kind = QOM_VALUE_INT;
        v->i = json_node_get_int(node);
    } else if (!strcmp(type, "bool") && gt == G_TYPE_BOOLEAN) {
        v->kind = QOM_VALUE_BOOL;
        v->b = json_node_get_boolean(node);
    } else if (!strcmp(type, "string") && gt == G_TYPE_STRING) {
        v->kind = QOM_VALUE_STRING;
        v->s = (char *)json_node_get_string(node);
    } else {
        error_setg(errp, "Invalid parameter type for 'value', expected: %s",
                   !strcmp(type, "int") ? "integer" :
                   !strcmp(type, "bool") ? "boolean" : type);
        return false;
    }
    return true;
}

static JsonNode *qmp_qom_set(JsonObject *args, Error **errp)
{
    g_autoptr(QomNode) n = resolve(qmp_arg_str(args, "path", NULL), errp);
    const char *name = qmp_arg_str(args, "property", NULL);
    const TypeInfo *info;
    const TypePropertyInfo *p;
    void *obj;
    QomValue v;

    if (!n) {
        return NULL;
    }
    obj = qom_node_object(n);
    if (!strcmp(name, "type")) {
        error_setg(errp, "Property '%s.type' is not writable",
                   qom_node_type(n));
        return NULL;
    }
    if (!obj) {
        /* Devices, buses, the machine: nothing of theirs is settable. */
        error_setg(errp, "Property '%s.%s' cannot be set: qom-set sets"
                   " -object properties only", qom_node_type(n), name);
        return NULL;
    }
    info = type_lookup(qom_node_type(n));
    p = find_type_prop(info, name);
    if (!p) {
        error_setg(errp, "Property '%s.%s' not found", qom_node_type(n),
                   name);
        return NULL;
    }
    if (!qom_value_from_json(json_object_get_member(args, "value"), p->type,
                             &v, errp)) {
        return NULL;
    }
    type_set_property_value(info, obj, name, &v, errp);
    return NULL;
}

void qmp_register_qom_commands(void)
{
    qmp_register_command_args("query-machines", qmp_query_machines,
                              query_machines_args);
    qmp_register_command_args("qom-list-types", qmp_qom_list_types,
                              qom_list_types_args);
    qmp_register_command_args("device-list-properties",
                              qmp_device_list_properties, typename_args);
    qmp_register_command_args("qom-list-properties",
                              qmp_qom_list_properties, typename_args);
    qmp_register_command_args("qom-list", qmp_qom_list, qom_list_args);
    qmp_register_command_args("qom-get", qmp_qom_get, qom_get_args);
    qmp_register_command_args("qom-set", qmp_qom_set, qom_set_args);
}
