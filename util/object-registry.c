/*
 * Registry of user-visible objects by id.
 *
 * A GHashTable maps each id to its entry; a GQueue keeps the entries in
 * insertion order for object_registry_foreach(), and each entry holds
 * its own queue link so that removal does not walk the queue.
 *
 * Main thread only (see the header): no lock.
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
    GList link;             /* in order; link.data is the entry */
} Entry;

static GHashTable *by_id;   /* id -> Entry *, owns the entries */
static GQueue order = G_QUEUE_INIT;

static void entry_free(gpointer p)
{
    Entry *e = p;

    g_queue_unlink(&order, &e->link);
    g_free(e->id);
    g_free(e->type);
    g_free(e);
}

static Entry *find(const char *id)
{
    return by_id ? g_hash_table_lookup(by_id, id) : NULL;
}

bool object_registry_add(const char *id, const char *type, void *obj,
                         Error **errp)
{
    Entry *e;

    if (find(id)) {
        error_setg(errp, "Duplicate ID '%s' for %s", id, type);
        return false;
    }
    if (!by_id) {
        by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                      entry_free);
    }
    e = g_new0(Entry, 1);
    e->id = g_strdup(id);
    e->type = g_strdup(type);
    e->obj = obj;
    e->link.data = e;
    g_queue_push_tail_link(&order, &e->link);
    g_hash_table_insert(by_id, e->id, e);
    return true;
}

bool object_registry_remove(const char *id)
{
    return by_id && g_hash_table_remove(by_id, id);
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
    GList *l = order.head;

    while (l) {
        Entry *e = l->data;

        /* FUNC may remove the entry it is given. */
        l = l->next;
        if (!type || strcmp(e->type, type) == 0) {
            func(e->id, e->type, e->obj, opaque);
        }
    }
}

void object_registry_clear(void)
{
    g_clear_pointer(&by_id, g_hash_table_unref);
    g_assert(g_queue_is_empty(&order));
}
