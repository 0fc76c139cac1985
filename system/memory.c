/*
 * Guest memory: one memfd-backed RAM block, MMIO regions and the MSI
 * doorbell.
 *
 * The RAM block and the MMIO map are set up and changed from the main
 * thread; RAM accesses are lock-free.  AddressSpace.msi_lock guards the
 * doorbell (msi_ops, msi_opaque, msi_base, msi_size) and is held across
 * the doorbell's callbacks, so clearing it waits for them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/memory.h"
#include "trace.h"
#include <sys/mman.h>

struct MemoryRegion {
    char *name;
    hwaddr base;
    uint64_t size;
    const MemoryRegionOps *ops;
    void *opaque;
    void *host;                 /* host mapping (mapped regions), or NULL */
    bool listened;              /* the listener maps it */
};

struct AddressSpace {
    char *name;
    hwaddr ram_base;
    uint64_t ram_size;
    uint8_t *ram;               /* host mapping, NULL without RAM */
    int ram_fd;
    GPtrArray *mmio;            /* of MemoryRegion * */
    const MemoryListener *listener;
    void *listener_opaque;
    GMutex msi_lock;
    const MSIDoorbellOps *msi_ops;      /* NULL: MSIs are RAM stores */
    void *msi_opaque;
    hwaddr msi_base;
    uint64_t msi_size;
};

AddressSpace *address_space_new(const char *name)
{
    AddressSpace *as = g_new0(AddressSpace, 1);

    as->name = g_strdup(name);
    as->ram_fd = -1;
    as->mmio = g_ptr_array_new();
    g_mutex_init(&as->msi_lock);
    return as;
}

static void region_free(MemoryRegion *mr)
{
    g_free(mr->name);
    g_free(mr);
}

void address_space_free(AddressSpace *as)
{
    if (!as) {
        return;
    }
    if (as->ram) {
        munmap(as->ram, as->ram_size);
        if (as->ram_fd >= 0) {
            close(as->ram_fd);
        }
    }
    for (guint i = 0; i < as->mmio->len; i++) {
        region_free(g_ptr_array_index(as->mmio, i));
    }
    g_ptr_array_free(as->mmio, TRUE);
    g_mutex_clear(&as->msi_lock);
    g_free(as->name);
    g_free(as);
}

/* [a, a + alen) and [b, b + blen) overlap; lengths are non-zero. */
static bool ranges_overlap(hwaddr a, uint64_t alen, hwaddr b, uint64_t blen)
{
    return a <= b + (blen - 1) && b <= a + (alen - 1);
}

/* Does [base, base + size) fit the 64-bit space without wrapping? */
static bool range_valid(hwaddr base, uint64_t size)
{
    return size != 0 && base + (size - 1) >= base;
}

static bool ram_range_check(AddressSpace *as, hwaddr base, uint64_t size,
                            Error **errp)
{
    if (as->ram) {
        error_setg(errp, "address space '%s' already has RAM", as->name);
        return false;
    }
    if (!range_valid(base, size) || size > SIZE_MAX) {
        error_setg(errp, "invalid RAM range 0x%" HWADDR_PRIx " size 0x%"
                   PRIx64, base, size);
        return false;
    }
    for (guint i = 0; i < as->mmio->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(as->mmio, i);

        if (ranges_overlap(base, size, mr->base, mr->size)) {
            error_setg(errp, "RAM at 0x%" HWADDR_PRIx " overlaps MMIO region"
                       " '%s'", base, mr->name);
            return false;
        }
    }
    return true;
}

bool address_space_add_ram_mapped(AddressSpace *as, hwaddr base,
                                  uint64_t size, void *host, int fd,
                                  Error **errp)
{
    if (!ram_range_check(as, base, size, errp)) {
        return false;
    }
    as->ram = host;
    as->ram_fd = fd;
    as->ram_base = base;
    as->ram_size = size;
    trace_memory_add_ram(as->name, base, size);
    return true;
}

bool address_space_add_ram(AddressSpace *as, hwaddr base, uint64_t size,
                           Error **errp)
{
    int fd;
    void *host;

    if (!ram_range_check(as, base, size, errp)) {
        return false;
    }
    fd = memfd_create("vsmmu-guest-ram", MFD_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create guest RAM memfd");
        return false;
    }
    if (ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno, "cannot size guest RAM to 0x%" PRIx64
                         " bytes", size);
        close(fd);
        return false;
    }
    host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (host == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map 0x%" PRIx64 " bytes of"
                         " guest RAM", size);
        close(fd);
        return false;
    }
    return address_space_add_ram_mapped(as, base, size, host, fd, errp);
}

bool address_space_get_ram(AddressSpace *as, hwaddr *base, uint64_t *size,
                           int *memfd, void **host)
{
    if (!as->ram) {
        return false;
    }
    if (base) {
        *base = as->ram_base;
    }
    if (size) {
        *size = as->ram_size;
    }
    if (memfd) {
        *memfd = as->ram_fd;
    }
    if (host) {
        *host = as->ram;
    }
    return true;
}

static void listener_add(AddressSpace *as, MemoryRegion *mr)
{
    if (as->listener && mr->host) {
        mr->listened = as->listener->region_add(as->listener_opaque, mr);
        trace_memory_listener_add(as->name, mr->name, mr->listened);
    }
}

static void listener_del(AddressSpace *as, MemoryRegion *mr)
{
    if (as->listener && mr->listened) {
        as->listener->region_del(as->listener_opaque, mr);
    }
    mr->listened = false;
}

void address_space_set_listener(AddressSpace *as, const MemoryListener *l,
                                void *opaque)
{
    for (guint i = 0; i < as->mmio->len; i++) {
        listener_del(as, g_ptr_array_index(as->mmio, i));
    }
    as->listener = l;
    as->listener_opaque = opaque;
    for (guint i = 0; i < as->mmio->len; i++) {
        listener_add(as, g_ptr_array_index(as->mmio, i));
    }
}

MemoryRegion *address_space_add_mmio(AddressSpace *as, const char *name,
                                     hwaddr base, uint64_t size,
                                     const MemoryRegionOps *ops,
                                     void *opaque, Error **errp)
{
    MemoryRegion *mr;

    if (!range_valid(base, size)) {
        error_setg(errp, "MMIO region '%s': invalid range 0x%" HWADDR_PRIx
                   " size 0x%" PRIx64, name, base, size);
        return NULL;
    }
    if (as->ram && ranges_overlap(base, size, as->ram_base, as->ram_size)) {
        error_setg(errp, "MMIO region '%s' at 0x%" HWADDR_PRIx " overlaps"
                   " RAM", name, base);
        return NULL;
    }
    for (guint i = 0; i < as->mmio->len; i++) {
        MemoryRegion *other = g_ptr_array_index(as->mmio, i);

        if (ranges_overlap(base, size, other->base, other->size)) {
            error_setg(errp, "MMIO region '%s' at 0x%" HWADDR_PRIx
                       " overlaps '%s' at 0x%" HWADDR_PRIx, name, base,
                       other->name, other->base);
            return NULL;
        }
    }
    mr = g_new0(MemoryRegion, 1);
    mr->name = g_strdup(name);
    mr->base = base;
    mr->size = size;
    mr->ops = ops;
    mr->opaque = opaque;
    g_ptr_array_add(as->mmio, mr);
    trace_memory_add_mmio(as->name, name, base, size);
    return mr;
}

MemoryRegion *address_space_add_mmio_mapped(AddressSpace *as,
                                            const char *name, hwaddr base,
                                            uint64_t size, void *host,
                                            const MemoryRegionOps *ops,
                                            void *opaque, Error **errp)
{
    long page = sysconf(_SC_PAGESIZE);
    MemoryRegion *mr;

    if (!host || ((base | size | (uintptr_t)host) & (page - 1))) {
        error_setg(errp, "MMIO region '%s': a host mapping needs page-aligned"
                   " base, size and address", name);
        return NULL;
    }
    mr = address_space_add_mmio(as, name, base, size, ops, opaque, errp);
    if (mr) {
        mr->host = host;
        listener_add(as, mr);
    }
    return mr;
}

void *memory_region_host(const MemoryRegion *mr)
{
    return mr->host;
}

void address_space_del_mmio(AddressSpace *as, MemoryRegion *mr)
{
    if (mr && g_ptr_array_remove(as->mmio, mr)) {
        listener_del(as, mr);
        trace_memory_del_mmio(as->name, mr->name, mr->base);
        region_free(mr);
    }
}

hwaddr memory_region_base(const MemoryRegion *mr)
{
    return mr->base;
}

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

const char *address_space_name(const AddressSpace *as)
{
    return as->name;
}

static int compare_base(gconstpointer a, gconstpointer b)
{
    const MemoryRegion *ma = *(MemoryRegion *const *)a;
    const MemoryRegion *mb = *(MemoryRegion *const *)b;

    return ma->base < mb->base ? -1 : ma->base > mb->base;
}

void address_space_foreach_mmio(AddressSpace *as,
                                void (*func)(MemoryRegion *mr, void *opaque),
                                void *opaque)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_copy(as->mmio, NULL, NULL);

    g_ptr_array_sort(sorted, compare_base);
    for (guint i = 0; i < sorted->len; i++) {
        func(g_ptr_array_index(sorted, i), opaque);
    }
}

MemoryRegion *address_space_find_mmio(AddressSpace *as, hwaddr addr)
{
    for (guint i = 0; i < as->mmio->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(as->mmio, i);

        if (addr >= mr->base && addr - mr->base < mr->size) {
            return mr;
        }
    }
    return NULL;
}

bool address_space_is_ram(AddressSpace *as, hwaddr addr, uint64_t len)
{
    uint64_t off;

    if (!as->ram || addr < as->ram_base) {
        return false;
    }
    off = addr - as->ram_base;
    return off <= as->ram_size && len <= as->ram_size - off;
}

uint64_t address_space_run(AddressSpace *as, hwaddr addr, uint64_t len,
                           AddressSpaceRun *kind, MemoryRegion **mr)
{
    uint64_t run = len;

    *mr = address_space_find_mmio(as, addr);
    if (*mr) {
        *kind = AS_RUN_MMIO;
        return MIN(len, (*mr)->size - (addr - (*mr)->base));
    }
    if (as->ram && addr >= as->ram_base && addr - as->ram_base < as->ram_size) {
        *kind = AS_RUN_RAM;
        return MIN(len, as->ram_size - (addr - as->ram_base));
    }
    /* Unmapped up to the next RAM or MMIO start. */
    *kind = AS_RUN_UNMAPPED;
    if (as->ram && as->ram_base > addr) {
        run = MIN(run, as->ram_base - addr);
    }
    for (guint i = 0; i < as->mmio->len; i++) {
        MemoryRegion *r = g_ptr_array_index(as->mmio, i);

        if (r->base > addr) {
            run = MIN(run, r->base - addr);
        }
    }
    return run;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               uint64_t len)
{
    if (!address_space_is_ram(as, addr, len)) {
        memset(buf, 0xff, len);
        trace_memory_access_error(as->name, "read", addr, len);
        return MEMTX_DECODE_ERROR;
    }
    memcpy(buf, as->ram + (addr - as->ram_base), len);
    return MEMTX_OK;
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, uint64_t len)
{
    if (!address_space_is_ram(as, addr, len)) {
        trace_memory_access_error(as->name, "write", addr, len);
        return MEMTX_DECODE_ERROR;
    }
    memcpy(as->ram + (addr - as->ram_base), buf, len);
    return MEMTX_OK;
}

MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              uint64_t len)
{
    if (!address_space_is_ram(as, addr, len)) {
        trace_memory_access_error(as->name, "set", addr, len);
        return MEMTX_DECODE_ERROR;
    }
    memset(as->ram + (addr - as->ram_base), c, len);
    return MEMTX_OK;
}

MemTxResult address_space_ldl_le(AddressSpace *as, hwaddr addr,
                                 uint32_t *val)
{
    uint32_t v;
    MemTxResult r = address_space_read(as, addr, &v, sizeof(v));

    *val = GUINT32_FROM_LE(v);
    return r;
}

MemTxResult address_space_ldq_le(AddressSpace *as, hwaddr addr,
                                 uint64_t *val)
{
    uint64_t v;
    MemTxResult r = address_space_read(as, addr, &v, sizeof(v));

    *val = GUINT64_FROM_LE(v);
    return r;
}

MemTxResult address_space_stl_le(AddressSpace *as, hwaddr addr,
                                 uint32_t val)
{
    uint32_t v = GUINT32_TO_LE(val);

    return address_space_write(as, addr, &v, sizeof(v));
}

MemTxResult address_space_stq_le(AddressSpace *as, hwaddr addr,
                                 uint64_t val)
{
    uint64_t v = GUINT64_TO_LE(val);

    return address_space_write(as, addr, &v, sizeof(v));
}

static bool mmio_access_ok(const MemoryRegion *mr, hwaddr off, unsigned size)
{
    unsigned min = mr->ops->min_access_size ? mr->ops->min_access_size : 1;
    unsigned max = mr->ops->max_access_size ? mr->ops->max_access_size : 8;

    if (size < min || size > max || off + size > mr->size) {
        return false;
    }
    return mr->ops->unaligned || (off & (size - 1)) == 0;
}

static bool size_valid(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

MemTxResult address_space_cpu_read(AddressSpace *as, hwaddr addr,
                                   uint64_t *val, unsigned size)
{
    MemoryRegion *mr;
    MemTxResult r;

    g_assert(size_valid(size));
    *val = 0;
    mr = address_space_find_mmio(as, addr);
    if (mr) {
        hwaddr off = addr - mr->base;

        if (!mr->ops->read || !mmio_access_ok(mr, off, size)) {
            trace_memory_mmio_invalid(mr->name, "read", off, size);
            return MEMTX_DECODE_ERROR;
        }
        r = mr->ops->read(mr->opaque, off, val, size);
        trace_memory_mmio_read(mr->name, off, *val, size, r);
        return r;
    }
    if (size == 8) {
        return address_space_ldq_le(as, addr, val);
    } else {
        uint8_t b[4] = { 0 };

        r = address_space_read(as, addr, b, size);
        *val = b[0] | (b[1] << 8) | ((uint32_t)b[2] << 16) |
               ((uint32_t)b[3] << 24);
        return r;
    }
}

MemTxResult address_space_cpu_write(AddressSpace *as, hwaddr addr,
                                    uint64_t val, unsigned size)
{
    MemoryRegion *mr;
    uint64_t le;

    g_assert(size_valid(size));
    mr = address_space_find_mmio(as, addr);
    if (mr) {
        hwaddr off = addr - mr->base;
        MemTxResult r;

        if (!mr->ops->write || !mmio_access_ok(mr, off, size)) {
            trace_memory_mmio_invalid(mr->name, "write", off, size);
            return MEMTX_DECODE_ERROR;
        }
        if (size < 8) {
            val &= (UINT64_C(1) << (size * 8)) - 1;
        }
        r = mr->ops->write(mr->opaque, off, val, size);
        trace_memory_mmio_write(mr->name, off, val, size, r);
        return r;
    }
    le = GUINT64_TO_LE(val);
    return address_space_write(as, addr, &le, size);
}

/* ---- MSIs ---------------------------------------------------------------- */

bool address_space_set_msi_doorbell(AddressSpace *as, hwaddr base,
                                    uint64_t size, const MSIDoorbellOps *ops,
                                    void *opaque, Error **errp)
{
    bool ok = false;

    if (!range_valid(base, size)) {
        error_setg(errp, "invalid MSI doorbell range 0x%" HWADDR_PRIx
                   " size 0x%" PRIx64, base, size);
        return false;
    }
    g_mutex_lock(&as->msi_lock);
    if (as->msi_ops) {
        error_setg(errp, "address space '%s' already has an MSI doorbell",
                   as->name);
    } else {
        as->msi_ops = ops;
        as->msi_opaque = opaque;
        as->msi_base = base;
        as->msi_size = size;
        ok = true;
    }
    g_mutex_unlock(&as->msi_lock);
    if (ok) {
        trace_memory_msi_doorbell(as->name, base, size);
    }
    return ok;
}

bool address_space_msi_doorbell(AddressSpace *as, hwaddr *base)
{
    bool ok;

    g_mutex_lock(&as->msi_lock);
    ok = as->msi_ops != NULL;
    *base = ok ? as->msi_base : 0;
    g_mutex_unlock(&as->msi_lock);
    return ok;
}

void address_space_clear_msi_doorbell(AddressSpace *as)
{
    g_mutex_lock(&as->msi_lock);
    as->msi_ops = NULL;
    as->msi_opaque = NULL;
    g_mutex_unlock(&as->msi_lock);
}

/* msi_lock held. */
static bool doorbell_covers(AddressSpace *as, hwaddr addr)
{
    return as->msi_ops && addr >= as->msi_base &&
           addr - as->msi_base < as->msi_size;
}

MemTxResult address_space_send_msi(AddressSpace *as, hwaddr addr,
                                   uint32_t data, uint32_t devid)
{
    MemTxResult r;

    g_mutex_lock(&as->msi_lock);
    if (doorbell_covers(as, addr)) {
        r = as->msi_ops->send(as->msi_opaque, addr, data, devid) ?
            MEMTX_OK : MEMTX_ERROR;
        g_mutex_unlock(&as->msi_lock);
    } else {
        g_mutex_unlock(&as->msi_lock);
        r = address_space_stl_le(as, addr, data);
    }
    trace_memory_msi(as->name, addr, data, devid, r);
    return r;
}

int address_space_msi_bind(AddressSpace *as, int efd, hwaddr addr,
                           uint32_t data, uint32_t devid)
{
    int r = -ENOENT;

    g_mutex_lock(&as->msi_lock);
    if (doorbell_covers(as, addr)) {
        r = as->msi_ops->bind ? as->msi_ops->bind(as->msi_opaque, efd, addr,
                                                  data, devid)
                              : -ENOTSUP;
    }
    g_mutex_unlock(&as->msi_lock);
    trace_memory_msi_bind(as->name, efd, addr, data, devid, r);
    return r;
}

void address_space_msi_unbind(AddressSpace *as, int efd, int handle)
{
    g_mutex_lock(&as->msi_lock);
    if (as->msi_ops && as->msi_ops->unbind && handle >= 0) {
        as->msi_ops->unbind(as->msi_opaque, efd, handle);
    }
    g_mutex_unlock(&as->msi_lock);
}
