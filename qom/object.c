/*
 * The type table: registration, lookup, is-a and iteration (see
 * include/qom/object.h).
 *
 * Owns the name -> TypeInfo table.  No lock: it is written by
 * constructors and the main thread before it is read, and read from the
 * main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object.h"

/* Deeper than any real chain: a longer walk means a loop. */
#define TYPE_MAX_DEPTH  32

static GHashTable *types;           /* name -> const TypeInfo * */

static const TypePropertyInfo object_props[] = {
    { "type", "string" },
    { NULL }
};

static const TypeInfo object_info = {
    .name = TYPE_OBJECT,
    .abstract = true,
    .props = object_props,
};

static const TypeInfo interface_info = {
    .name = TYPE_INTERFACE,
    .abstract = true,
};

/* QOM's containers: "/", "/objects", "/machine/peripheral", ... */
static const TypeInfo container_info = {
    .name = TYPE_CONTAINER,
    .parent = TYPE_OBJECT,
};

/* The interface of every -object type. */
static const TypeInfo user_creatable_info = {
    .name = TYPE_USER_CREATABLE,
    .parent = TYPE_INTERFACE,
    .abstract = true,
};

static void types_init(void)
{
    if (types) {
        return;
    }
    types = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(types, (gpointer)object_info.name,
                        (gpointer)&object_info);
    g_hash_table_insert(types, (gpointer)interface_info.name,
                        (gpointer)&interface_info);
    g_hash_table_insert(types, (gpointer)container_info.name,
                        (gpointer)&container_info);
    g_hash_table_insert(types, (gpointer)user_creatable_info.name,
                        (gpointer)&user_creatable_info);
}

void type_register_static(const TypeInfo *info)
{
    types_init();
    g_assert(info->name && info->parent);
    g_assert(!g_hash_table_contains(types, info->name));
    g_hash_table_insert(types, (gpointer)info->name, (gpointer)info);
}

const TypeInfo *type_lookup(const char *name)
{
    types_init();
    return name ? g_hash_table_lookup(types, name) : NULL;
}

const TypeInfo *type_get_parent(const TypeInfo *info)
{
    return type_lookup(info->parent);
}

GPtrArray *type_get_properties(const TypeInfo *info)
{
    GPtrArray *props = g_ptr_array_new();
    int depth = 0;

    for (const TypeInfo *t = info; t && depth < TYPE_MAX_DEPTH;
         t = type_get_parent(t), depth++) {
        for (const TypePropertyInfo *p = t->props; p && p->name; p++) {
            g_ptr_array_add(props, (gpointer)p);
        }
    }
    return props;
}

bool type_get_property_value(const TypeInfo *info, const void *obj,
                             const char *name, QomValue *v)
{
    int depth = 0;

    for (const TypeInfo *t = info; t && depth < TYPE_MAX_DEPTH;
         t = type_get_parent(t), depth++) {
        if (t->get_property) {
            memset(v, 0, sizeof(*v));
            return obj && t->get_property(obj, name, v);
        }
    }
    return false;
}

bool type_set_property_value(const TypeInfo *info, void *obj,
                             const char *name, const QomValue *v,
                             Error **errp)
{
    int depth = 0;

    for (const TypeInfo *t = info; t && depth < TYPE_MAX_DEPTH;
         t = type_get_parent(t), depth++) {
        if (t->set_property) {
            return t->set_property(obj, name, v, errp);
        }
    }
    error_setg(errp, "Property '%s.%s' cannot be set once the object"
               " exists", info->name, name);
    return false;
}

static bool type_implements(const TypeInfo *info, const char *target,
                            int depth);

/* Is INFO, or one of its ancestors, TARGET or implementing it? */
static bool type_is_a_depth(const TypeInfo *info, const char *target,
                            int depth)
{
    for (; info && depth < TYPE_MAX_DEPTH; depth++) {
        if (!strcmp(info->name, target) ||
            type_implements(info, target, depth)) {
            return true;
        }
        info = type_get_parent(info);
    }
    return false;
}

/* One of INFO's own interfaces is TARGET, or descends from it. */
static bool type_implements(const TypeInfo *info, const char *target,
                            int depth)
{
    for (size_t i = 0; info->interfaces && info->interfaces[i]; i++) {
        if (type_is_a_depth(type_lookup(info->interfaces[i]), target,
                            depth + 1)) {
            return true;
        }
    }
    return false;
}

bool type_is_a(const char *type, const char *target)
{
    return target && type_is_a_depth(type_lookup(type), target, 0);
}

bool type_is_interface(const char *type)
{
    const TypeInfo *info = type_lookup(type);

    for (int depth = 0; info && depth < TYPE_MAX_DEPTH; depth++) {
        if (!strcmp(info->name, TYPE_INTERFACE)) {
            return true;
        }
        info = type_get_parent(info);
    }
    return false;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void type_foreach(const char *implements, bool include_abstract,
                  void (*func)(const TypeInfo *info, void *opaque),
                  void *opaque)
{
    g_autofree const char **names = NULL;
    guint n;

    types_init();
    names = (const char **)g_hash_table_get_keys_as_array(types, &n);
    qsort(names, n, sizeof(*names), compare_names);
    for (guint i = 0; i < n; i++) {
        const TypeInfo *info = g_hash_table_lookup(types, names[i]);

        if ((!include_abstract && info->abstract) ||
            (implements && !type_is_a(info->name, implements))) {
            continue;
        }
        func(info, opaque);
    }
}

/* INFO's parent chain ends at a root within TYPE_MAX_DEPTH. */
static bool type_check_one(const TypeInfo *info, Error **errp)
{
    const TypeInfo *t = info;

    for (int depth = 0; t->parent; depth++) {
        const TypeInfo *parent = type_get_parent(t);

        if (!parent) {
            error_setg(errp, "type '%s': parent '%s' is not registered",
                       t->name, t->parent);
            return false;
        }
        if (depth == TYPE_MAX_DEPTH) {
            error_setg(errp, "type '%s': its parent chain loops",
                       info->name);
            return false;
        }
        t = parent;
    }
    if (type_is_interface(info->name) && !info->abstract) {
        error_setg(errp, "type '%s': an interface must be abstract",
                   info->name);
        return false;
    }
    for (size_t i = 0; info->interfaces && info->interfaces[i]; i++) {
        const char *iface = info->interfaces[i];

        if (!type_lookup(iface)) {
            error_setg(errp, "type '%s': interface '%s' is not registered",
                       info->name, iface);
            return false;
        }
        if (!type_is_interface(iface)) {
            error_setg(errp, "type '%s': '%s' is not an interface",
                       info->name, iface);
            return false;
        }
    }
    return true;
}

bool type_check_hierarchy(Error **errp)
{
    GHashTableIter iter;
    gpointer value;

    types_init();
    g_hash_table_iter_init(&iter, types);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        if (!type_check_one(value, errp)) {
            return false;
        }
    }
    return true;
}
