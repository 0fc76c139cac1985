/*
 * Tests for guest memory and MMIO dispatch.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/memory.h"

typedef struct Regs {
    uint64_t last_write;
    unsigned last_size;
    hwaddr last_addr;
    int reads;
} Regs;

static MemTxResult regs_read(void *opaque, hwaddr addr, uint64_t *data,
                             unsigned size)
{
    Regs *r = opaque;

    r->reads++;
    r->last_addr = addr;
    r->last_size = size;
    *data = 0x1000 + addr;
    return MEMTX_OK;
}

static MemTxResult regs_write(void *opaque, hwaddr addr, uint64_t data,
                              unsigned size)
{
    Regs *r = opaque;

    r->last_addr = addr;
    r->last_write = data;
    r->last_size = size;
    return addr == 0x80 ? MEMTX_ERROR : MEMTX_OK;
}

static const MemoryRegionOps regs_ops = {
    .read = regs_read,
    .write = regs_write,
    .min_access_size = 4,
    .max_access_size = 8,
};

static void test_ram_bounds(void)
{
    AddressSpace *as = address_space_new("t");
    uint8_t buf[16];
    uint32_t v32;
    uint64_t v;
    void *host;
    int fd;

    g_assert_true(address_space_add_ram(as, 0x1000, 0x1000, &error_abort));
    g_assert_true(address_space_get_ram(as, NULL, NULL, &fd, &host));
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(address_space_is_ram(as, 0x1000, 0x1000));
    g_assert_true(address_space_is_ram(as, 0x1ff8, 8));
    g_assert_false(address_space_is_ram(as, 0x1ff9, 8));
    g_assert_false(address_space_is_ram(as, 0xfff, 2));
    g_assert_false(address_space_is_ram(as, UINT64_MAX, 2));
    g_assert_false(address_space_is_ram(as, 0x1000, UINT64_MAX));

    g_assert_cmpint(address_space_stq_le(as, 0x1ff8, 0x0102030405060708),
                    ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl_le(as, 0x1ffc, &v32), ==, MEMTX_OK);
    g_assert_cmphex(v32, ==, 0x01020304);
    /* One byte over the end: nothing written, reads as all ones. */
    g_assert_cmpint(address_space_stl_le(as, 0x1ffd, 0), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_ldq_le(as, 0x1ff8, &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x0102030405060708);
    g_assert_cmpint(address_space_read(as, 0x1ffc, buf, 8), ==,
                    MEMTX_DECODE_ERROR);
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(buf[i], ==, 0xff);
    }
    g_assert_cmpint(address_space_set(as, 0x1000, 0xab, 0x1001), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_set(as, 0x1000, 0xab, 0x1000), ==,
                    MEMTX_OK);
    g_assert_cmphex(((uint8_t *)host)[0xfff], ==, 0xab);
    address_space_free(as);
}

static void test_ram_errors(void)
{
    AddressSpace *as = address_space_new("t");
    Error *err = NULL;

    g_assert_false(address_space_add_ram(as, 0, 0, &err));
    error_free_or_abort(&err);
    g_assert_false(address_space_add_ram(as, UINT64_MAX - 10, 0x100, &err));
    error_free_or_abort(&err);
    g_assert_false(address_space_get_ram(as, NULL, NULL, NULL, NULL));
    g_assert_true(address_space_add_ram(as, 0, 0x1000, &error_abort));
    g_assert_false(address_space_add_ram(as, 0x2000, 0x1000, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "address space 't' already has RAM");
    error_free_or_abort(&err);
    address_space_free(as);
}

static void test_mmio_overlap(void)
{
    AddressSpace *as = address_space_new("t");
    Regs regs = { 0 };
    Error *err = NULL;
    MemoryRegion *a;

    g_assert_true(address_space_add_ram(as, 0x40000000, 0x10000,
                                        &error_abort));
    a = address_space_add_mmio(as, "a", 0x9000000, 0x1000, &regs_ops, &regs,
                               &error_abort);
    g_assert_nonnull(a);
    g_assert_cmphex(memory_region_base(a), ==, 0x9000000);
    g_assert_cmphex(memory_region_size(a), ==, 0x1000);
    g_assert_cmpstr(memory_region_name(a), ==, "a");

    g_assert_null(address_space_add_mmio(as, "b", 0x9000fff, 0x10,
                                         &regs_ops, &regs, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "MMIO region 'b' at 0x9000fff overlaps 'a' at 0x9000000");
    error_free_or_abort(&err);
    g_assert_null(address_space_add_mmio(as, "c", 0x3ffffff0, 0x20,
                                         &regs_ops, &regs, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "MMIO region 'c' at 0x3ffffff0 overlaps RAM");
    error_free_or_abort(&err);
    g_assert_null(address_space_add_mmio(as, "d", 0x100, 0, &regs_ops,
                                         &regs, &err));
    error_free_or_abort(&err);
    /* Adjacent is fine. */
    g_assert_nonnull(address_space_add_mmio(as, "e", 0x9001000, 0x1000,
                                            &regs_ops, &regs, &error_abort));
    g_assert_true(address_space_find_mmio(as, 0x9000fff) == a);
    g_assert_null(address_space_find_mmio(as, 0x8ffffff));
    address_space_del_mmio(as, a);
    g_assert_null(address_space_find_mmio(as, 0x9000000));
    g_assert_nonnull(address_space_add_mmio(as, "b", 0x9000fff, 0x1,
                                            &regs_ops, &regs, &error_abort));
    address_space_free(as);
}

static void test_mmio_dispatch(void)
{
    AddressSpace *as = address_space_new("t");
    Regs regs = { 0 };
    uint64_t v;

    address_space_add_mmio(as, "r", 0x10000, 0x100, &regs_ops, &regs,
                           &error_abort);
    g_assert_cmpint(address_space_cpu_read(as, 0x10008, &v, 4), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0x1008);
    g_assert_cmphex(regs.last_addr, ==, 8);
    g_assert_cmpuint(regs.last_size, ==, 4);
    g_assert_cmpint(address_space_cpu_write(as, 0x10010, 0x1122334455,
                                            4), ==, MEMTX_OK);
    /* Data is truncated to the access size. */
    g_assert_cmphex(regs.last_write, ==, 0x22334455);
    g_assert_cmpint(address_space_cpu_write(as, 0x10080, 1, 8), ==,
                    MEMTX_ERROR);

    /* Too small, unaligned, or past the end: refused, device untouched. */
    regs.reads = 0;
    g_assert_cmpint(address_space_cpu_read(as, 0x10000, &v, 2), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0);
    g_assert_cmpint(address_space_cpu_read(as, 0x10004, &v, 8), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_cpu_read(as, 0x10002, &v, 4), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_cpu_read(as, 0x100fc, &v, 8), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(regs.reads, ==, 0);
    g_assert_cmpint(address_space_cpu_write(as, 0x10001, 0, 4), ==,
                    MEMTX_DECODE_ERROR);
    /* Nothing mapped. */
    g_assert_cmpint(address_space_cpu_read(as, 0x20000, &v, 4), ==,
                    MEMTX_DECODE_ERROR);
    address_space_free(as);
}

static void test_cpu_ram(void)
{
    AddressSpace *as = address_space_new("t");
    uint64_t v;

    address_space_add_ram(as, 0, 0x1000, &error_abort);
    g_assert_cmpint(address_space_cpu_write(as, 0x10, 0x8877665544332211,
                                            8), ==, MEMTX_OK);
    g_assert_cmpint(address_space_cpu_read(as, 0x10, &v, 1), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x11);
    g_assert_cmpint(address_space_cpu_read(as, 0x11, &v, 2), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x3322);
    g_assert_cmpint(address_space_cpu_read(as, 0x14, &v, 4), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x88776655);
    g_assert_cmpint(address_space_cpu_write(as, 0x10, 0xaa, 1), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_cpu_read(as, 0x10, &v, 8), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x88776655443322aa);
    g_assert_cmpint(address_space_cpu_read(as, 0xffc, &v, 8), ==,
                    MEMTX_DECODE_ERROR);
    address_space_free(as);
}

typedef struct Doorbell {
    unsigned sent, bound, unbound;
    hwaddr addr;
    uint32_t data, devid;
    int efd;
} Doorbell;

/* Refuses device id 0xdead (an ITS without that device). */
static bool doorbell_send(void *opaque, hwaddr addr, uint32_t data,
                          uint32_t devid)
{
    Doorbell *d = opaque;

    d->sent++;
    d->addr = addr;
    d->data = data;
    d->devid = devid;
    return devid != 0xdead;
}

static int doorbell_bind(void *opaque, int efd, hwaddr addr, uint32_t data,
                         uint32_t devid)
{
    Doorbell *d = opaque;

    d->efd = efd;
    d->addr = addr;
    d->data = data;
    d->devid = devid;
    return 40 + d->bound++;
}

static void doorbell_unbind(void *opaque, int efd, int handle)
{
    Doorbell *d = opaque;

    g_assert_cmpint(efd, ==, d->efd);
    g_assert_cmpint(handle, ==, 40);
    d->unbound++;
}

static const MSIDoorbellOps doorbell_ops = {
    .send = doorbell_send,
    .bind = doorbell_bind,
    .unbind = doorbell_unbind,
};

/* MSIs reach the doorbell over its range, RAM elsewhere. */
static void test_msi_doorbell(void)
{
    AddressSpace *as = address_space_new("t");
    Doorbell d = { 0 };
    Error *err = NULL;
    uint32_t v;

    address_space_add_ram(as, 0x1000, 0x1000, &error_abort);
    /* No doorbell: a store to RAM, an abort outside it. */
    g_assert_cmpint(address_space_send_msi(as, 0x1040, 0x12345678, 7), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_ldl_le(as, 0x1040, &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x12345678);
    g_assert_cmpint(address_space_send_msi(as, 0x8040, 1, 7), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_msi_bind(as, 5, 0x8040, 1, 7), ==,
                    -ENOENT);

    g_assert_true(address_space_set_msi_doorbell(as, 0x8000, 0x100,
                                                 &doorbell_ops, &d,
                                                 &error_abort));
    g_assert_false(address_space_set_msi_doorbell(as, 0x9000, 0x100,
                                                  &doorbell_ops, &d, &err));
    error_free_or_abort(&err);
    g_assert_cmpint(address_space_send_msi(as, 0x8040, 0x2a, 0x10), ==,
                    MEMTX_OK);
    g_assert_cmpuint(d.sent, ==, 1);
    g_assert_cmphex(d.addr, ==, 0x8040);
    g_assert_cmphex(d.data, ==, 0x2a);
    g_assert_cmphex(d.devid, ==, 0x10);
    g_assert_cmpint(address_space_send_msi(as, 0x80ff, 1, 0xdead), ==,
                    MEMTX_ERROR);
    g_assert_cmpuint(d.sent, ==, 2);
    /* Just past the doorbell: RAM rules again (nothing there). */
    g_assert_cmpint(address_space_send_msi(as, 0x8100, 1, 0x10), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_send_msi(as, 0x1044, 9, 0x10), ==,
                    MEMTX_OK);
    g_assert_cmpuint(d.sent, ==, 2);

    g_assert_cmpint(address_space_msi_bind(as, 5, 0x8040, 0x33, 0x11), ==,
                    40);
    g_assert_cmpint(d.efd, ==, 5);
    g_assert_cmphex(d.data, ==, 0x33);
    g_assert_cmphex(d.devid, ==, 0x11);
    address_space_msi_unbind(as, 5, 40);
    g_assert_cmpuint(d.unbound, ==, 1);

    address_space_clear_msi_doorbell(as);
    g_assert_cmpint(address_space_send_msi(as, 0x8040, 1, 0x10), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(d.sent, ==, 2);
    address_space_msi_unbind(as, 5, 40);
    g_assert_cmpuint(d.unbound, ==, 1);
    address_space_free(as);
}

typedef struct Listener {
    MemoryRegion *added[4];
    unsigned nadded, ndeleted;
    bool refuse;
} Listener;

static bool listener_add(void *opaque, MemoryRegion *mr)
{
    Listener *l = opaque;

    g_assert_cmpuint(l->nadded, <, G_N_ELEMENTS(l->added));
    l->added[l->nadded++] = mr;
    return !l->refuse;
}

static void listener_del(void *opaque, MemoryRegion *mr)
{
    Listener *l = opaque;

    l->ndeleted++;
}

static const MemoryListener listener_ops = {
    .region_add = listener_add,
    .region_del = listener_del,
};

/* Mapped regions reach the listener; trapped ones and refusals do not. */
static void test_mmio_mapped(void)
{
    AddressSpace *as = address_space_new("t");
    long page = sysconf(_SC_PAGESIZE);
    g_autofree uint8_t *buf = g_malloc(4 * page);
    uint8_t *host = (uint8_t *)(((uintptr_t)buf + page - 1) & ~(page - 1));
    Regs regs = { 0 };
    Listener l = { 0 };
    MemoryRegion *a, *b, *c;
    Error *err = NULL;
    uint64_t v;

    g_assert_null(address_space_add_mmio_mapped(as, "odd", 0x10000, 0x800,
                                                host, &regs_ops, &regs,
                                                &err));
    error_free_or_abort(&err);
    a = address_space_add_mmio_mapped(as, "a", 0x10000, page, host,
                                      &regs_ops, &regs, &error_abort);
    g_assert_true(memory_region_host(a) == host);
    /* Set after a region exists: replayed. */
    address_space_set_listener(as, &listener_ops, &l);
    g_assert_cmpuint(l.nadded, ==, 1);
    g_assert_true(l.added[0] == a);
    b = address_space_add_mmio(as, "b", 0x20000, 0x100, &regs_ops, &regs,
                               &error_abort);
    g_assert_null(memory_region_host(b));
    g_assert_cmpuint(l.nadded, ==, 1);
    l.refuse = true;
    c = address_space_add_mmio_mapped(as, "c", 0x30000, page, host + page,
                                      &regs_ops, &regs, &error_abort);
    g_assert_cmpuint(l.nadded, ==, 2);
    /* The daemon's own accesses still go through the ops. */
    g_assert_cmpint(address_space_cpu_read(as, 0x10008, &v, 4), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0x1008);
    address_space_del_mmio(as, c);      /* refused: nothing to undo */
    address_space_del_mmio(as, b);
    g_assert_cmpuint(l.ndeleted, ==, 0);
    address_space_del_mmio(as, a);
    g_assert_cmpuint(l.ndeleted, ==, 1);
    address_space_set_listener(as, NULL, NULL);
    address_space_free(as);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/ram/bounds", test_ram_bounds);
    g_test_add_func("/memory/ram/errors", test_ram_errors);
    g_test_add_func("/memory/mmio/overlap", test_mmio_overlap);
    g_test_add_func("/memory/mmio/dispatch", test_mmio_dispatch);
    g_test_add_func("/memory/cpu-ram", test_cpu_ram);
    g_test_add_func("/memory/msi-doorbell", test_msi_doorbell);
    g_test_add_func("/memory/mmio/mapped", test_mmio_mapped);
    return g_test_run();
}
