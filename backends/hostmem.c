/*
 * Memory backends (include/system/hostmem.h).  Owns the backend objects
 * (backends, creation order) and, until the machine takes them, nothing
 * else: the memory is created and mapped when the machine maps the
 * backend, and the address space owns it from then on.  Main thread
 * only: no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/fd-registry.h"
#include "qemu/object-registry.h"
#include "qom/object.h"
#include "system/hostmem.h"
#include "trace.h"
#include <sys/mman.h>
#include <sys/stat.h>

typedef enum { TRI_UNSET, TRI_OFF, TRI_ON } Tristate;

struct HostMemoryBackend {
    char *id;
    const char *type;           /* "memory-backend-ram", ... */
    uint64_t size;
    bool share;
    Tristate dump, merge;       /* unset: the machine's default */
    bool prealloc, reserve;
    char *mem_path;             /* file */
    bool readonly;              /* file */
    bool hugetlb, seal;         /* memfd */
    bool canonical_path;        /* x-use-canonical-path-for-ramblock-id */
    bool discard_data;          /* file; both accepted, meaningless here */
    uint64_t hugetlbsize;       /* memfd, 0: the default huge page size */
    bool mapped;
    bool effective_dump, effective_merge;
};

static GPtrArray *backends;     /* of HostMemoryBackend * */

/* Dump or merge: unset is on until mapped, then what the mapping took. */
static bool tristate_value(Tristate t, bool mapped, bool effective)
{
    return mapped ? effective : t != TRI_OFF;
}

static const char *const backend_types[] = {
    "memory-backend-ram", "memory-backend-memfd", "memory-backend-file",
    NULL
};

static const char *const common_props[] = {
    "size", "share", "dump", "merge", "prealloc", "reserve",
    "x-use-canonical-path-for-ramblock-id", "prealloc-threads", NULL
};
static const char *const file_props[] = {
    "mem-path", "readonly", "discard-data", "align", "pmem", "rom", NULL
};
static const char *const memfd_props[] = {
    "hugetlb", "hugetlbsize", "seal", NULL
};

bool host_memory_backend_type(const char *type)
{
    return g_strv_contains(backend_types, type);
}

static bool prop_known(const char *type, const char *name)
{
    return g_strv_contains(common_props, name) ||
           (!strcmp(type, "memory-backend-file") &&
            g_strv_contains(file_props, name)) ||
           (!strcmp(type, "memory-backend-memfd") &&
            g_strv_contains(memfd_props, name));
}

/* A size: a JSON integer or a string with an optional K/M/G/T suffix. */
static bool opt_get_size(QemuOpts *opts, const char *name, uint64_t *val,
                         Error **errp)
{
    const QemuOpt *opt = qemu_opt_find(opts, name);

    if (!opt) {
        return true;
    }
    if (opt->type == QEMU_OPT_NUMBER && opt->number >= 0) {
        *val = opt->number;
        return true;
    }
    if (opt->type == QEMU_OPT_STRING && qemu_parse_size(opt->str, 1, val)) {
        return true;
    }
    error_setg(errp, "Parameter '%s' expects a size", name);
    return false;
}

static bool opt_get_tristate(QemuOpts *opts, const char *name, Tristate *t,
                             Error **errp)
{
    bool v;

    if (!qemu_opt_find(opts, name)) {
        return true;
    }
    if (!qemu_opt_get_bool(opts, name, &v, errp)) {
        return false;
    }
    *t = v ? TRI_ON : TRI_OFF;
    return true;
}

static bool backend_parse(HostMemoryBackend *b, QemuOpts *opts,
                          Error **errp)
{
    const char *path;

    for (guint i = 0; i < qemu_opts_count(opts); i++) {
        const char *name = qemu_opts_nth(opts, i)->name;

        if (strcmp(name, "qom-type") && strcmp(name, "id") &&
            !prop_known(b->type, name)) {
            error_setg(errp, "Property '%s.%s' not found", b->type, name);
            return false;
        }
    }
    b->share = !strcmp(b->type, "memory-backend-memfd");
    if (!opt_get_size(opts, "size", &b->size, errp) ||
        !qemu_opt_get_bool(opts, "share", &b->share, errp) ||
        !opt_get_tristate(opts, "dump", &b->dump, errp) ||
        !opt_get_tristate(opts, "merge", &b->merge, errp) ||
        !qemu_opt_get_bool(opts, "prealloc", &b->prealloc, errp) ||
        !qemu_opt_get_bool(opts, "reserve", &b->reserve, errp) ||
        !qemu_opt_get_bool(opts, "readonly", &b->readonly, errp) ||
        !qemu_opt_get_bool(opts, "hugetlb", &b->hugetlb, errp) ||
        !qemu_opt_get_bool(opts, "seal", &b->seal, errp) ||
        !qemu_opt_get_bool(opts, "x-use-canonical-path-for-ramblock-id",
                           &b->canonical_path, errp) ||
        !qemu_opt_get_bool(opts, "discard-data", &b->discard_data, errp) ||
        !opt_get_size(opts, "hugetlbsize", &b->hugetlbsize, errp)) {
        return false;
    }
    if (!b->size) {
        error_setg(errp, "can't create backend with size 0");
        return false;
    }
    path = qemu_opt_get_str(opts, "mem-path", errp);
    if (!strcmp(b->type, "memory-backend-file") && !path) {
        error_setg(errp, "mem-path property not set");
        return false;
    }
    b->mem_path = g_strdup(path);
    if (b->hugetlbsize && !b->hugetlb) {
        error_setg(errp, "hugepagesize is only valid when hugetlb is"
                   " enabled");
        return false;
    }
    return true;
}

static void backend_free(HostMemoryBackend *b)
{
    g_free(b->id);
    g_free(b->mem_path);
    g_free(b);
}

static HostMemoryBackend *backend_new(const char *type, const char *id)
{
    HostMemoryBackend *b = g_new0(HostMemoryBackend, 1);

    b->id = g_strdup(id);
    b->type = type;
    return b;
}

static bool backend_register(HostMemoryBackend *b, bool object,
                             Error **errp)
{
    if (object && !object_registry_add(b->id, b->type, b, errp)) {
        backend_free(b);
        return false;
    }
    if (!backends) {
        backends = g_ptr_array_new();
    }
    g_ptr_array_add(backends, b);
    trace_hostmem_create(b->type, b->id, b->size, b->share);
    return true;
}

bool host_memory_backend_create(const char *type, const char *id,
                                QemuOpts *opts, Error **errp)
{
    HostMemoryBackend *b = NULL;

    for (int i = 0; backend_types[i]; i++) {
        if (!strcmp(type, backend_types[i])) {
            b = backend_new(backend_types[i], id);
        }
    }
    g_assert(b);

    if (!backend_parse(b, opts, errp)) {
        backend_free(b);
        return false;
    }
    return backend_register(b, true, errp);
}

HostMemoryBackend *host_memory_backend_create_default(const char *id,
                                                     uint64_t size,
                                                     Error **errp)
{
    HostMemoryBackend *b = backend_new("memory-backend-memfd", id);

    b->size = size;
    b->share = true;
    /* The machine's own: listed by query-memdev, not an -object. */
    return backend_register(b, false, errp) ? b : NULL;
}

HostMemoryBackend *host_memory_backend_find(const char *id, Error **errp)
{
    const char *type = object_registry_type(id);

    if (!type || !host_memory_backend_type(type)) {
        error_setg(errp, "No memory backend '%s' found", id);
        return NULL;
    }
    return object_registry_lookup(id, type);
}

uint64_t host_memory_backend_size(const HostMemoryBackend *b)
{
    return b->size;
}

/* ---- the memory ---------------------------------------------------- */

static int memfd_flags(const HostMemoryBackend *b)
{
    int flags = MFD_CLOEXEC | (b->seal ? MFD_ALLOW_SEALING : 0);

    if (b->hugetlb) {
        flags |= MFD_HUGETLB;
        if (b->hugetlbsize) {
            /* log2 of the page size, as MFD_HUGE_* (== MAP_HUGE_SHIFT). */
            flags |= (63 - __builtin_clzll(b->hugetlbsize)) << MAP_HUGE_SHIFT;
        }
    }
    return flags;
}

/* The file of a mem-path: a directory gets a new unlinked file in it. */
static int backend_open_path(const HostMemoryBackend *b, Error **errp)
{
    struct stat st;
    int fd;

    if (stat(b->mem_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fd = open(b->mem_path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) {
            error_setg_errno(errp, errno, "can't open backing store %s for"
                             " guest RAM", b->mem_path);
        }
        return fd;
    }
    fd = qemu_open(b->mem_path, (b->readonly ? O_RDONLY : O_RDWR | O_CREAT),
                   errp);
    return fd;
}

/* The file behind the memory, or -1 for anonymous private memory. */
static int backend_file(const HostMemoryBackend *b, Error **errp)
{
    int fd;

    if (b->mem_path) {
        fd = backend_open_path(b, errp);
    } else if (!strcmp(b->type, "memory-backend-ram") && !b->share) {
        return -1;
    } else {
        fd = memfd_create(b->id, memfd_flags(b));
        if (fd < 0) {
            error_setg_errno(errp, errno, "failed to create memfd");
        }
    }
    if (fd < 0) {
        return -2;
    }
    if (!b->readonly && ftruncate(fd, b->size) < 0) {
        error_setg_errno(errp, errno, "can't resize backing store of '%s' to"
                         " %" PRIu64 " bytes", b->id, b->size);
        close(fd);
        return -2;
    }
    if (b->seal &&
        fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) <
        0) {
        error_setg_errno(errp, errno, "failed to add seals");
        close(fd);
        return -2;
    }
    return fd;
}

static void *backend_mmap(const HostMemoryBackend *b, int fd, Error **errp)
{
    int prot = PROT_READ | (b->readonly ? 0 : PROT_WRITE);
    int flags = (b->share ? MAP_SHARED : MAP_PRIVATE) |
                (fd < 0 ? MAP_ANONYMOUS : 0) |
                (b->prealloc ? MAP_POPULATE : 0);
    void *host = mmap(NULL, b->size, prot, flags, fd, 0);

    if (host == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map %" PRIu64 " bytes of"
                         " memory backend '%s'", b->size, b->id);
        return NULL;
    }
    return host;
}

bool host_memory_backend_map(HostMemoryBackend *b, AddressSpace *as,
                             hwaddr base, bool dump, bool merge,
                             Error **errp)
{
    void *host;
    int fd;

    if (b->mapped) {
        error_setg(errp, "memory backend '%s' can't be used multiple times.",
                   b->id);
        return false;
    }
    fd = backend_file(b, errp);
    if (fd == -2) {
        return false;
    }
    host = backend_mmap(b, fd, errp);
    if (!host) {
        goto fail_fd;
    }
    b->effective_dump = b->dump == TRI_UNSET ? dump : b->dump == TRI_ON;
    b->effective_merge = b->merge == TRI_UNSET ? merge : b->merge == TRI_ON;
    /* Best effort, as QEMU: a kernel without KSM refuses MADV_MERGEABLE. */
    madvise(host, b->size, b->effective_dump ? MADV_DODUMP : MADV_DONTDUMP);
    if (b->effective_merge) {
        madvise(host, b->size, MADV_MERGEABLE);
    }
    /* Private pages are not the file's: only the mapping has them. */
    if (!address_space_add_ram_mapped(as, base, b->size, host,
                                      b->share ? fd : -1, errp)) {
        munmap(host, b->size);
        goto fail_fd;
    }
    if (!b->share && fd >= 0) {
        close(fd);
    }
    b->mapped = true;
    return true;

fail_fd:
    if (fd >= 0) {
        close(fd);
    }
    return false;
}

void host_memory_backend_foreach(void (*func)(const HostMemoryBackendInfo *i,
                                              void *opaque), void *opaque)
{
    for (guint i = 0; backends && i < backends->len; i++) {
        HostMemoryBackend *b = g_ptr_array_index(backends, i);
        HostMemoryBackendInfo info = {
            .id = b->id,
            .size = b->size,
            .merge = tristate_value(b->merge, b->mapped, b->effective_merge),
            .dump = tristate_value(b->dump, b->mapped, b->effective_dump),
            .prealloc = b->prealloc,
            .share = b->share,
            .reserve = b->reserve,
        };

        func(&info, opaque);
    }
}

void host_memory_backend_delete(HostMemoryBackend *b)
{
    if (object_registry_lookup(b->id, b->type) == b) {
        object_registry_remove(b->id);
    }
    g_ptr_array_remove(backends, b);
    backend_free(b);
}

void host_memory_backend_cleanup(void)
{
    while (backends && backends->len) {
        host_memory_backend_delete(g_ptr_array_index(backends, 0));
    }
    g_clear_pointer(&backends, g_ptr_array_unref);
}

/* ---- the types (-object memory-backend-*) -------------------------- */

static const char *const backend_interfaces[] = {
    TYPE_USER_CREATABLE, NULL
};

static const TypePropertyInfo backend_qom_props[] = {
    { "size", "size", "size of the memory region in bytes" },
    { "share", "bool", "mark the memory as private or shared" },
    { "dump", "bool", "include in core dumps" },
    { "merge", "bool", "mark as mergeable (KSM)" },
    { "prealloc", "bool", "preallocate memory" },
    { "reserve", "bool", "reserve swap space (or huge pages)" },
    { "x-use-canonical-path-for-ramblock-id", "bool", NULL },
    { NULL }
};

static const TypePropertyInfo memfd_qom_props[] = {
    { "hugetlb", "bool", "use huge pages" },
    { "hugetlbsize", "size", "huge page size" },
    { "seal", "bool", "seal growing and shrinking" },
    { NULL }
};

static const TypePropertyInfo file_qom_props[] = {
    { "mem-path", "string", "file, /dev/fdset/N or directory" },
    { "readonly", "bool", "map read-only" },
    { "discard-data", "bool", NULL },
    { NULL }
};

/*
 * qom-get, as QEMU reads them: dump and merge unset are the machine's
 * defaults (on) until the machine maps the backend, then what it took.
 */
static bool backend_get_property(const void *obj, const char *name,
                                 QomValue *v)
{
    const HostMemoryBackend *b = obj;

    v->kind = QOM_VALUE_BOOL;
    if (!strcmp(name, "size") || !strcmp(name, "hugetlbsize")) {
        v->kind = QOM_VALUE_INT;
        v->i = name[0] == 's' ? b->size : b->hugetlbsize;
    } else if (!strcmp(name, "mem-path")) {
        v->kind = QOM_VALUE_STRING;
        v->s = g_strdup(b->mem_path ? b->mem_path : "");
    } else if (!strcmp(name, "share")) {
        v->b = b->share;
    } else if (!strcmp(name, "dump")) {
        v->b = tristate_value(b->dump, b->mapped, b->effective_dump);
    } else if (!strcmp(name, "merge")) {
        v->b = tristate_value(b->merge, b->mapped, b->effective_merge);
    } else if (!strcmp(name, "prealloc")) {
        v->b = b->prealloc;
    } else if (!strcmp(name, "reserve")) {
        v->b = b->reserve;
    } else if (!strcmp(name, "readonly")) {
        v->b = b->readonly;
    } else if (!strcmp(name, "hugetlb")) {
        v->b = b->hugetlb;
    } else if (!strcmp(name, "seal")) {
        v->b = b->seal;
    } else if (!strcmp(name, "discard-data")) {
        v->b = b->discard_data;
    } else if (!strcmp(name, "x-use-canonical-path-for-ramblock-id")) {
        v->b = b->canonical_path;
    } else {
        return false;
    }
    return true;
}

static const TypeInfo backend_qom_types[] = {
    { .name = "memory-backend", .parent = TYPE_OBJECT, .abstract = true,
      .interfaces = backend_interfaces, .props = backend_qom_props,
      .get_property = backend_get_property },
    { .name = "memory-backend-ram", .parent = "memory-backend" },
    { .name = "memory-backend-memfd", .parent = "memory-backend",
      .props = memfd_qom_props },
    { .name = "memory-backend-file", .parent = "memory-backend",
      .props = file_qom_props },
};

static void hostmem_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(backend_qom_types); i++) {
        type_register_static(&backend_qom_types[i]);
    }
}

type_init(hostmem_register_types)
