/*
 * Named descriptors and fd sets (include/qemu/fd-registry.h).  Owns
 * every descriptor it holds: named ones, in their monitor's namespace,
 * until taken, closed or released with it; set members until removed.
 * Main thread only: no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/fd-registry.h"
#include "trace.h"

typedef struct FdSetEntry {
    int fd;
    char *opaque;
} FdSetEntry;

typedef struct FdSet {
    int64_t id;
    GArray *fds;                /* of FdSetEntry */
} FdSet;

/* owner -> its namespace, a GHashTable of name -> GINT_TO_POINTER(fd) */
static GHashTable *owners;
static const void *cur_owner;   /* whose names are used now */
static GPtrArray *fdsets;       /* of FdSet *, ascending id */

static void close_named(gpointer value)
{
    close(GPOINTER_TO_INT(value));
}

const void *fd_registry_set_owner(const void *owner)
{
    const void *old = cur_owner;

    cur_owner = owner;
    return old;
}

void fd_registry_release(const void *owner)
{
    if (owners) {
        g_hash_table_remove(owners, owner);
    }
}

/* The current owner's names, created if CREATE, else NULL if none. */
static GHashTable *names(bool create)
{
    GHashTable *t;

    if (!owners) {
        owners = g_hash_table_new_full(NULL, NULL, NULL,
                                       (GDestroyNotify)g_hash_table_unref);
    }
    t = g_hash_table_lookup(owners, cur_owner);
    if (!t && create) {
        t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                  close_named);
        g_hash_table_insert(owners, (gpointer)cur_owner, t);
    }
    return t;
}

bool fd_registry_add_named(const char *name, int fd, Error **errp)
{
    GHashTable *named;

    if (g_ascii_isdigit(name[0])) {
        close(fd);
        error_setg(errp, "Parameter 'fdname' expects a name not starting"
                   " with a digit");
        return false;
    }
    named = names(true);
    if (!g_hash_table_contains(named, name) &&
        g_hash_table_size(named) >= FD_REGISTRY_MAX_NAMED) {
        close(fd);
        error_setg(errp, "too many named file descriptors (%d); close some"
                   " with closefd", FD_REGISTRY_MAX_NAMED);
        return false;
    }
    g_hash_table_replace(named, g_strdup(name), GINT_TO_POINTER(fd));
    trace_fd_registry_named(name, fd);
    return true;
}

bool fd_registry_close_named(const char *name, Error **errp)
{
    GHashTable *named = names(false);

    if (!named || !g_hash_table_remove(named, name)) {
        error_setg(errp, "File descriptor named '%s' not found", name);
        return false;
    }
    return true;
}

int qemu_fd_param(const char *str, bool *owned, Error **errp)
{
    GHashTable *named = names(false);
    gpointer key, value;
    guint64 n;

    *owned = false;
    if (g_ascii_isdigit(str[0])) {
        if (!g_ascii_string_to_unsigned(str, 10, 0, INT_MAX, &n, NULL)) {
            error_setg(errp, "Invalid file descriptor number '%s'", str);
            return -1;
        }
        if (fcntl((int)n, F_GETFD) < 0) {
            error_setg_errno(errp, errno, "file descriptor %d is not open",
                             (int)n);
            return -1;
        }
        return (int)n;
    }
    if (!named || !g_hash_table_steal_extended(named, str, &key, &value)) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   str);
        return -1;
    }
    g_free(key);
    *owned = true;
    trace_fd_registry_take(str, GPOINTER_TO_INT(value));
    return GPOINTER_TO_INT(value);
}

/* ---- fd sets ------------------------------------------------------- */

static FdSet *fdset_find(int64_t id)
{
    for (guint i = 0; fdsets && i < fdsets->len; i++) {
        FdSet *set = g_ptr_array_index(fdsets, i);

        if (set->id == id) {
            return set;
        }
    }
    return NULL;
}

static FdSet *fdset_new(int64_t id)
{
    FdSet *set = g_new0(FdSet, 1);
    guint i;

    if (!fdsets) {
        fdsets = g_ptr_array_new();
    }
    if (id < 0) {
        /* The lowest unused id, as QEMU picks it. */
        for (id = 0; fdset_find(id); id++) {
            continue;
        }
    }
    set->id = id;
    set->fds = g_array_new(FALSE, FALSE, sizeof(FdSetEntry));
    for (i = 0; i < fdsets->len; i++) {
        if (((FdSet *)g_ptr_array_index(fdsets, i))->id > id) {
            break;
        }
    }
    g_ptr_array_insert(fdsets, i, set);
    return set;
}

static void fdset_free(FdSet *set)
{
    for (guint i = 0; i < set->fds->len; i++) {
        FdSetEntry *e = &g_array_index(set->fds, FdSetEntry, i);

        close(e->fd);
        g_free(e->opaque);
    }
    g_array_free(set->fds, TRUE);
    g_ptr_array_remove(fdsets, set);
    g_free(set);
}

bool fdset_add_fd(int fd, int64_t set_id, const char *opaque,
                  int64_t *set_id_out, int *fd_out, Error **errp)
{
    FdSet *set = set_id >= 0 ? fdset_find(set_id) : NULL;
    FdSetEntry e;

    if (!set && fdsets && fdsets->len >= FD_REGISTRY_MAX_SETS) {
        error_setg(errp, "too many fd sets (%d)", FD_REGISTRY_MAX_SETS);
        return false;
    }
    if (set && set->fds->len >= FD_REGISTRY_MAX_PER_SET) {
        error_setg(errp, "fd set %" PRId64 " is full (%d descriptors)",
                   set_id, FD_REGISTRY_MAX_PER_SET);
        return false;
    }
    e.fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (e.fd < 0) {
        error_setg_errno(errp, errno, "cannot duplicate file descriptor %d",
                         fd);
        return false;
    }
    e.opaque = g_strdup(opaque);
    if (!set) {
        set = fdset_new(set_id);
    }
    g_array_append_val(set->fds, e);
    *set_id_out = set->id;
    *fd_out = e.fd;
    trace_fdset_add_fd(set->id, e.fd);
    return true;
}

bool fdset_remove_fd(int64_t set_id, int64_t fd, Error **errp)
{
    FdSet *set = fdset_find(set_id);

    if (set && fd < 0) {
        fdset_free(set);
        return true;
    }
    for (guint i = 0; set && i < set->fds->len; i++) {
        FdSetEntry *e = &g_array_index(set->fds, FdSetEntry, i);

        if (e->fd == fd) {
            close(e->fd);
            g_free(e->opaque);
            g_array_remove_index(set->fds, i);
            if (!set->fds->len) {
                fdset_free(set);
            }
            return true;
        }
    }
    if (fd >= 0) {
        error_setg(errp, "File descriptor named 'fdset-id:%" PRId64
                   ", fd:%" PRId64 "' not found", set_id, fd);
    } else {
        error_setg(errp, "File descriptor named 'fdset-id:%" PRId64
                   "' not found", set_id);
    }
    return false;
}

void fdset_foreach(void (*func)(int64_t set_id, int fd, const char *opaque,
                                void *data), void *data)
{
    for (guint i = 0; fdsets && i < fdsets->len; i++) {
        FdSet *set = g_ptr_array_index(fdsets, i);

        for (guint j = 0; j < set->fds->len; j++) {
            FdSetEntry *e = &g_array_index(set->fds, FdSetEntry, j);

            func(set->id, e->fd, e->opaque, data);
        }
    }
}

static const char *access_name(int mode)
{
    return mode == O_RDONLY ? "ro" : mode == O_WRONLY ? "wo" : "rw";
}

static int fdset_open(const char *path, int flags, Error **errp)
{
    const char *num = path + strlen("/dev/fdset/");
    int want = flags & O_ACCMODE;
    guint64 id;
    FdSet *set;

    if (!g_ascii_string_to_unsigned(num, 10, 0, INT64_MAX, &id, NULL) ||
        !(set = fdset_find(id))) {
        error_setg(errp, "Could not open '%s': No such fd set", path);
        return -1;
    }
    for (guint i = 0; i < set->fds->len; i++) {
        FdSetEntry *e = &g_array_index(set->fds, FdSetEntry, i);
        int fl = fcntl(e->fd, F_GETFL);
        int dup;

        if (fl < 0 || (fl & O_ACCMODE) != want) {
            continue;
        }
        dup = fcntl(e->fd, F_DUPFD_CLOEXEC, 3);
        if (dup < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", path);
        }
        return dup;
    }
    error_setg(errp, "Could not open '%s': no descriptor of the set has"
               " access mode %s", path, access_name(want));
    return -1;
}

int qemu_open(const char *path, int flags, Error **errp)
{
    int fd;

    if (g_str_has_prefix(path, "/dev/fdset/")) {
        return fdset_open(path, flags, errp);
    }
    fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
    }
    return fd;
}

void fd_registry_clear(void)
{
    g_clear_pointer(&owners, g_hash_table_unref);
    cur_owner = NULL;
    while (fdsets && fdsets->len) {
        fdset_free(g_ptr_array_index(fdsets, 0));
    }
    g_clear_pointer(&fdsets, g_ptr_array_unref);
}
