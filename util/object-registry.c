/*
 * Registry of user-visible objects by id.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"

typedef struct Entry {
    char *id;
    char *type;
    void *obj;
} Entry;

static GPtrArray *entries;  /* of Entry *, insertion order */

static void entry_free(gpointer p)
{
    Entry *e = p;

    g_free(e->id);
    g_free(e->type);
    g_free(e);
}

static Entry *find(const char *id)
{
    for (guint i = 0; entries && i < entries->len; i++) {
        Entry *e = g_ptr_array_index(entries, i);

        if (strcmp(e->id, id) == 0) {
            return e;
        }
    }
    return NULL;
}

bool object_registry_add(const char *id, const char *type, void *obj,
                         Error **errp)
{
    Entry *e;

    if (find(id)) {
        error_setg(errp, "Duplicate ID '%s' for %s", id, type);
        return false;
    }
    if (!entries) {
        entries = g_ptr_array_new_with_free_func(entry_free);
    }
    e = g_new0(Entry, 1);
    e->id = g_strdup(id);
    e->type = g_strdup(type);
    e->obj = obj;
    g_ptr_array_add(entries, e);
    return true;
}

bool object_registry_remove(const char *id)
{
    Entry *e = find(id);

    return e && g_ptr_array_remove(entries, e);
}

void *object_registry_lookup(const char *id, const char *type)
{
    Entry *e = find(id);

    if (!e || (type && strcmp(e->type, type) != 0)) {
        return NULL;
    }
    return e->obj;
}

const char *object_registry_type(const char *id)
{
    Entry *e = find(id);

    return e ? e->type : NULL;
}

void *object_registry_resolve(const char *owner_type, const char *prop,
                              const char *id, const char *type,
                              Error **errp)
{
    Entry *e = find(id);

    if (!e) {
        error_setg(errp, "Property '%s.%s' can't find value '%s'",
                   owner_type, prop, id);
        return NULL;
    }
    if (strcmp(e->type, type) != 0) {
        error_setg(errp, "Property '%s.%s' expects a %s, '%s' is a %s",
                   owner_type, prop, type, id, e->type);
        return NULL;
    }
    return e->obj;
}

void object_registry_foreach(const char *type,
                             void (*func)(const char *id, const char *type,
                                          void *obj, void *opaque),
                             void *opaque)
{
    for (guint i = 0; entries && i < entries->len; i++) {
        Entry *e = g_ptr_array_index(entries, i);

        if (!type || strcmp(e->type, type) == 0) {
            func(e->id, e->type, e->obj, opaque);
        }
    }
}

void object_registry_clear(void)
{
    g_clear_pointer(&entries, g_ptr_array_unref);
}
