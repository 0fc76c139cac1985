/*
 * Unit tests of the SMMUv3 translation table walker (hw/arm/smmuv3-walk.c)
 * from tables built in a fake guest RAM after the VMSAv8-64 formats.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-walk.h"
#include "smmuv3-walk-ram.h"

typedef struct Tables {
    Ram *ram;
    unsigned granule;
    unsigned start;
    unsigned inputsize;
    uint64_t root;
} Tables;

static Tables tables_new(Ram *r, unsigned granule, unsigned start,
                         unsigned inputsize)
{
    unsigned bits = inputsize - ram_level_shift(granule, start);

    return (Tables) {
        .ram = r, .granule = granule, .start = start,
        .inputsize = inputsize, .root = ram_alloc(r, 8ULL << bits),
    };
}

/*
 * Install the leaf descriptor @desc for @ia at @level, creating the
 * tables on the way with the table attributes @tattr.  Returns the
 * address of the descriptor written.
 */
static uint64_t tables_map(Tables *t, uint64_t ia, unsigned level,
                           uint64_t desc, uint64_t tattr)
{
    uint64_t table = t->root;

    for (unsigned l = t->start; ; l++) {
        unsigned shift = ram_level_shift(t->granule, l);
        unsigned bits = l == t->start ? t->inputsize - shift
                                      : t->granule - 3;
        uint64_t slot = table + ((ia >> shift) & ((1ULL << bits) - 1)) * 8;
        uint64_t d;

        if (l == level) {
            ram_w64(t->ram, slot, desc);
            return slot;
        }
        d = ram_r64(t->ram, slot);
        if (!(d & 1)) {
            d = D_TABLE(ram_alloc(t->ram, 1ULL << t->granule)) | tattr;
            ram_w64(t->ram, slot, d);
        }
        table = d & 0x0000fffffffff000ULL & ~((1ULL << t->granule) - 1);
    }
}

static SMMUWalkConfig s1_cfg(unsigned granule, unsigned tsz, uint64_t ttb0)
{
    SMMUWalkConfig cfg = {
        .s1_enabled = true,
        .s1 = {
            .tt = {
                { .ttb = ttb0, .tsz = tsz, .granule = granule },
                { .tsz = tsz, .granule = granule, .epd = true },
            },
            .ips = 48,
            .record = true,
        },
        .oas = 48,
        .stt = true,
    };

    return cfg;
}

static SMMUWalkAccess rd(uint64_t iova)
{
    return (SMMUWalkAccess) { .iova = iova, .priv = true };
}

static SMMUWalkAccess wr(uint64_t iova)
{
    return (SMMUWalkAccess) { .iova = iova, .write = true, .priv = true };
}

static void walk_ok(const SMMUWalkConfig *cfg, Ram *r, SMMUWalkAccess acc,
                    SMMUWalkResult *res)
{
    SMMUWalkFault f;

    if (!smmuv3_walk(cfg, &acc, ram_read, r, res, &f)) {
        g_error("walk of 0x%" PRIx64 " faulted: type %d s2 %d level %u",
                acc.iova, f.type, f.s2, f.level);
    }
}

static SMMUWalkFault walk_fault(const SMMUWalkConfig *cfg, Ram *r,
                                SMMUWalkAccess acc)
{
    SMMUWalkResult res;
    SMMUWalkFault f;

    g_assert_false(smmuv3_walk(cfg, &acc, ram_read, r, &res, &f));
    g_assert_cmphex(f.input_addr, ==, acc.iova);
    g_assert_cmpint(f.rnw, ==, !acc.write);
    g_assert_cmpint(f.pnu, ==, acc.priv);
    g_assert_cmpint(f.ind, ==, acc.instr);
    return f;
}

/*
 * Hand-built tables: VA 0x7f123456fabc with the 48-bit input of each
 * granule, descriptor offsets worked out from the VA's index fields.
 */
static void test_s1_handmade_4k(void)
{
    Ram *r = ram_new();
    uint64_t l0 = RAM_BASE, l1 = l0 + 0x1000, l2 = l0 + 0x2000;
    uint64_t l3 = l0 + 0x3000;
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 16, l0);
    SMMUWalkResult res;

    /* VA[47:39] = 0xfe, [38:30] = 0x48, [29:21] = 0x1a2, [20:12] = 0x16f */
    ram_w64(r, l0 + 0x7f0, D_TABLE(l1));
    ram_w64(r, l1 + 0x240, D_TABLE(l2));
    ram_w64(r, l2 + 0xd10, D_TABLE(l3));
    ram_w64(r, l3 + 0xb78, D_PAGE(0x876543000ULL));
    walk_ok(&cfg, r, rd(0x7f123456fabcULL), &res);
    g_assert_cmphex(res.pa, ==, 0x876543abcULL);
    g_assert_cmphex(res.size, ==, 0x1000);
    g_assert_cmphex(res.hint_size, ==, 0x1000);
    g_assert_cmpuint(res.level, ==, 3);
    g_assert_cmpuint(res.perm, ==, SMMU_WALK_PERM_R | SMMU_WALK_PERM_W |
                                   SMMU_WALK_PERM_X);
    g_assert_cmphex(res.ipa, ==, 0x7f123456fabcULL);
    g_assert_cmpuint(r->reads, ==, 4);
    ram_free(r);
}

static void test_s1_handmade_16k(void)
{
    Ram *r = ram_new();
    uint64_t l0 = RAM_BASE, l1 = l0 + 0x4000, l2 = l0 + 0x8000;
    uint64_t l3 = l0 + 0xc000;
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_16K, 16, l0);
    SMMUWalkResult res;

    /* VA[47] = 0, [46:36] = 0x7f1, [35:25] = 0x11a, [24:14] = 0x15b */
    ram_w64(r, l0, D_TABLE(l1));
    ram_w64(r, l1 + 0x3f88, D_TABLE(l2));
    ram_w64(r, l2 + 0x8d0, D_TABLE(l3));
    ram_w64(r, l3 + 0xad8, D_PAGE(0x876544000ULL));
    walk_ok(&cfg, r, rd(0x7f123456fabcULL), &res);
    g_assert_cmphex(res.pa, ==, 0x876547abcULL);
    g_assert_cmphex(res.size, ==, 0x4000);
    g_assert_cmpuint(r->reads, ==, 4);
    ram_free(r);
}

static void test_s1_handmade_64k(void)
{
    Ram *r = ram_new();
    uint64_t l1 = RAM_BASE, l2 = l1 + 0x10000, l3 = l1 + 0x20000;
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_64K, 16, l1);
    SMMUWalkResult res;

    /* Level 1 first: VA[47:42] = 0x1f, [41:29] = 0x1891, [28:16] = 0x1456 */
    ram_w64(r, l1 + 0xf8, D_TABLE(l2));
    ram_w64(r, l2 + 0xc488, D_TABLE(l3));
    ram_w64(r, l3 + 0xa2b0, D_PAGE(0x876540000ULL));
    walk_ok(&cfg, r, rd(0x7f123456fabcULL), &res);
    g_assert_cmphex(res.pa, ==, 0x87654fabcULL);
    g_assert_cmphex(res.size, ==, 0x10000);
    g_assert_cmpuint(r->reads, ==, 3);
    ram_free(r);
}

/* Each granule with each start level its input size allows. */
typedef struct LevelCase {
    const char *name;
    unsigned granule;
    unsigned tsz;
    unsigned start;         /* worked out by hand from tsz and granule */
    bool vax;
} LevelCase;

static const LevelCase level_cases[] = {
    { "4k/tsz16-l0", SMMU_WALK_GRAN_4K, 16, 0 },
    { "4k/tsz25-l1", SMMU_WALK_GRAN_4K, 25, 1 },
    { "4k/tsz34-l2", SMMU_WALK_GRAN_4K, 34, 2 },
    { "4k/tsz43-l3", SMMU_WALK_GRAN_4K, 43, 3 },
    { "4k/tsz48-l3", SMMU_WALK_GRAN_4K, 48, 3 },
    { "16k/tsz16-l0", SMMU_WALK_GRAN_16K, 16, 0 },
    { "16k/tsz17-l1", SMMU_WALK_GRAN_16K, 17, 1 },
    { "16k/tsz28-l2", SMMU_WALK_GRAN_16K, 28, 2 },
    { "16k/tsz39-l3", SMMU_WALK_GRAN_16K, 39, 3 },
    { "64k/tsz12-l1-vax", SMMU_WALK_GRAN_64K, 12, 1, true },
    { "64k/tsz16-l1", SMMU_WALK_GRAN_64K, 16, 1 },
    { "64k/tsz22-l2", SMMU_WALK_GRAN_64K, 22, 2 },
    { "64k/tsz36-l3", SMMU_WALK_GRAN_64K, 36, 3 },
    { "64k/tsz47-l3", SMMU_WALK_GRAN_64K, 47, 3 },
};

static bool block_level(unsigned granule, unsigned level)
{
    return level == 2 || (level == 1 && granule == SMMU_WALK_GRAN_4K);
}

static void check_level_case(const LevelCase *c, int half)
{
    unsigned inputsize = 64 - c->tsz;
    uint64_t gsize = 1ULL << c->granule;
    /* The highest page of the half: every index bit set. */
    uint64_t top = half ? UINT64_MAX : (1ULL << inputsize) - 1;
    uint64_t ia = (top & ~(gsize - 1)) | 0x8;
    uint64_t pa = 0x5a5ULL << c->granule;
    Ram *r = ram_new();
    Tables t = tables_new(r, c->granule, c->start, inputsize);
    SMMUWalkConfig cfg = s1_cfg(c->granule, c->tsz, 0);
    SMMUWalkResult res;

    cfg.vax = c->vax;
    cfg.s1.tt[half] = (SMMUWalkTT) {
        .ttb = t.root, .tsz = c->tsz, .granule = c->granule,
    };
    cfg.s1.tt[!half].epd = true;
    g_assert_true(smmuv3_walk_check_cfg(&cfg, &error_abort));

    tables_map(&t, ia, 3, D_PAGE(pa), 0);
    walk_ok(&cfg, r, rd(ia), &res);
    g_assert_cmphex(res.pa, ==, pa | 0x8);
    g_assert_cmphex(res.size, ==, gsize);
    g_assert_cmpuint(res.level, ==, 3);
    g_assert_cmpuint(r->reads, ==, 4 - c->start);

    /* A block at each level that has them, below the top page. */
    for (unsigned l = c->start; l < 3; l++) {
        uint64_t bsize = 1ULL << ram_level_shift(c->granule, l);
        uint64_t bia = (top - bsize) & ~(bsize - 1);
        uint64_t bpa = 3 * bsize;

        if (!block_level(c->granule, l) || bpa >> 48) {
            continue;
        }
        tables_map(&t, bia, l, D_BLOCK(bpa), 0);
        r->reads = 0;
        walk_ok(&cfg, r, rd(bia + bsize - 8), &res);
        g_assert_cmphex(res.pa, ==, bpa + bsize - 8);
        g_assert_cmphex(res.size, ==, bsize);
        g_assert_cmpuint(res.level, ==, l);
        g_assert_cmpuint(r->reads, ==, l - c->start + 1);
    }
    ram_free(r);
}

static void test_s1_levels_ttb0(const void *opaque)
{
    check_level_case(opaque, 0);
}

static void test_s1_levels_ttb1(const void *opaque)
{
    check_level_case(opaque, 1);
}

/* Both halves enabled: the top bits pick the table. */
static void test_s1_ttb_select(void)
{
    Ram *r = ram_new();
    Tables t0 = tables_new(r, SMMU_WALK_GRAN_4K, 1, 39);
    Tables t1 = tables_new(r, SMMU_WALK_GRAN_16K, 0, 48);
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 25, t0.root);
    SMMUWalkResult res;
    SMMUWalkFault f;

    cfg.s1.tt[1] = (SMMUWalkTT) {
        .ttb = t1.root, .tsz = 16, .granule = SMMU_WALK_GRAN_16K,
    };
    tables_map(&t0, 0x1000, 3, D_PAGE(0xa000), 0);
    tables_map(&t1, 0xffff800000001000ULL, 3, D_PAGE(0xb0000), 0);
    walk_ok(&cfg, r, rd(0x1000), &res);
    g_assert_cmphex(res.pa, ==, 0xa000);
    walk_ok(&cfg, r, rd(0xffff800000001000ULL), &res);
    g_assert_cmphex(res.pa, ==, 0xb1000);
    g_assert_cmphex(res.size, ==, 0x4000);

    /* Above TTB0's 39 bits, below TTB1's 48: neither half. */
    f = walk_fault(&cfg, r, rd(1ULL << 39));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
    g_assert_false(f.s2);
    f = walk_fault(&cfg, r, rd(0xfffe000000000000ULL));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);

    /* EPD1: the high half faults without reading a table. */
    cfg.s1.tt[1].epd = true;
    r->reads = 0;
    f = walk_fault(&cfg, r, rd(0xffff800000001000ULL));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
    g_assert_cmpuint(r->reads, ==, 0);
    ram_free(r);
}

/* The contiguous bit widens the IOTLB hint, never the mapping. */
static void test_s1_contig(void)
{
    static const struct {
        unsigned granule, tsz, start, level;
        uint64_t hint;
    } cases[] = {
        { SMMU_WALK_GRAN_4K, 16, 0, 3, 16 * 0x1000 },
        { SMMU_WALK_GRAN_4K, 16, 0, 2, 16 * 0x200000ULL },
        { SMMU_WALK_GRAN_4K, 16, 0, 1, 16 * 0x40000000ULL },
        { SMMU_WALK_GRAN_16K, 16, 0, 3, 128 * 0x4000 },
        { SMMU_WALK_GRAN_16K, 16, 0, 2, 32 * 0x2000000ULL },
        { SMMU_WALK_GRAN_64K, 16, 1, 3, 32 * 0x10000 },
        { SMMU_WALK_GRAN_64K, 16, 1, 2, 32 * 0x20000000ULL },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Ram *r = ram_new();
        Tables t = tables_new(r, cases[i].granule, cases[i].start, 48);
        SMMUWalkConfig cfg = s1_cfg(cases[i].granule, cases[i].tsz, t.root);
        uint64_t size = 1ULL << ram_level_shift(cases[i].granule, cases[i].level);
        uint64_t ia = cases[i].hint * 5;
        uint64_t desc = cases[i].level == 3 ? D_PAGE(cases[i].hint)
                                            : D_BLOCK(cases[i].hint);
        SMMUWalkResult res;

        tables_map(&t, ia, cases[i].level, desc | D_CONT, 0);
        walk_ok(&cfg, r, rd(ia + 4), &res);
        g_assert_cmphex(res.pa, ==, cases[i].hint + 4);
        g_assert_cmphex(res.size, ==, size);
        g_assert_cmphex(res.hint_size, ==, cases[i].hint);
        ram_free(r);
    }
}

/* An invalid descriptor at each level: translation fault there. */
static void test_fault_translation_levels(void)
{
    for (unsigned level = 0; level <= 3; level++) {
        Ram *r = ram_new();
        Tables t = tables_new(r, SMMU_WALK_GRAN_4K, 0, 48);
        SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 16, t.root);
        uint64_t ia = 0x123456789000ULL;
        SMMUWalkAccess acc = { .iova = ia + 0x10, .instr = true };
        SMMUWalkFault f;

        tables_map(&t, ia, level, 0x876543000ULL /* valid bit clear */, 0);
        f = walk_fault(&cfg, r, acc);
        g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
        g_assert_cmpuint(f.level, ==, level);
        g_assert_false(f.s2);
        g_assert_true(f.record);
        g_assert_cmpuint(r->reads, ==, level + 1);

        /* CD.R == 0: the same fault, not to be recorded. */
        cfg.s1.record = false;
        f = walk_fault(&cfg, r, acc);
        g_assert_false(f.record);
        ram_free(r);
    }
}

/* Descriptor types a level does not have. */
static void test_fault_reserved_descriptors(void)
{
    static const struct {
        unsigned granule, start, level;
        uint64_t desc;
    } cases[] = {
        { SMMU_WALK_GRAN_4K, 0, 3, 0x5000 | 1 | D_AF },     /* 0b01 at L3 */
        { SMMU_WALK_GRAN_4K, 0, 0, D_BLOCK(0) },            /* L0 block */
        { SMMU_WALK_GRAN_16K, 0, 1, D_BLOCK(0) },           /* 16K L1 */
        { SMMU_WALK_GRAN_64K, 1, 1, D_BLOCK(0) },           /* 64K L1 */
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Ram *r = ram_new();
        Tables t = tables_new(r, cases[i].granule, cases[i].start, 48);
        SMMUWalkConfig cfg = s1_cfg(cases[i].granule, 16, t.root);
        SMMUWalkFault f;

        tables_map(&t, 0, cases[i].level, cases[i].desc, 0);
        f = walk_fault(&cfg, r, rd(0x40));
        g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
        g_assert_cmpuint(f.level, ==, cases[i].level);
        ram_free(r);
    }
}

/* Output addresses above the effective IPS: address size faults. */
static void test_fault_addr_size(void)
{
    Ram *r = ram_new();
    Tables t = tables_new(r, SMMU_WALK_GRAN_4K, 1, 39);
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 25, t.root);
    SMMUWalkResult res;
    SMMUWalkFault f;
    uint64_t slot;

    cfg.s1.ips = 32;
    tables_map(&t, 0x1000, 3, D_PAGE(0xfffff000), 0);
    walk_ok(&cfg, r, rd(0x1000), &res);
    g_assert_cmphex(res.pa, ==, 0xfffff000);

    slot = tables_map(&t, 0x2000, 3, D_PAGE(0x100000000ULL), 0);
    f = walk_fault(&cfg, r, wr(0x2000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ADDR_SIZE);
    g_assert_cmpuint(f.level, ==, 3);
    g_assert_false(f.s2);

    /* IPS 48 is capped by a 40-bit OAS. */
    cfg.s1.ips = 48;
    cfg.oas = 40;
    ram_w64(r, slot, D_PAGE(0xff00000000ULL));
    walk_ok(&cfg, r, rd(0x2000), &res);
    ram_w64(r, slot, D_PAGE(0x10000000000ULL));
    f = walk_fault(&cfg, r, rd(0x2000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ADDR_SIZE);

    /* A bit of OA[51:48] set with a 48-bit output size. */
    cfg.oas = 48;
    ram_w64(r, slot, D_PAGE(1ULL << 48));
    f = walk_fault(&cfg, r, rd(0x2000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ADDR_SIZE);

    /* A next-level table above IPS faults at the level pointing to it. */
    cfg.s1.ips = 32;
    tables_map(&t, 1ULL << 30, 1, D_TABLE(0x100000000ULL), 0);
    f = walk_fault(&cfg, r, rd(1ULL << 30));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ADDR_SIZE);
    g_assert_cmpuint(f.level, ==, 1);

    /* And so does a TTB above IPS, before any read. */
    cfg.s1.tt[0].ttb = 0x100000000ULL;
    r->reads = 0;
    f = walk_fault(&cfg, r, rd(0x1000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ADDR_SIZE);
    g_assert_cmpuint(r->reads, ==, 0);
    ram_free(r);
}

static void test_fault_access_flag(void)
{
    Ram *r = ram_new();
    Tables t = tables_new(r, SMMU_WALK_GRAN_64K, 2, 42);
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_64K, 22, t.root);
    SMMUWalkResult res;
    SMMUWalkFault f;

    tables_map(&t, 0x10000, 3, D_PAGE(0x70000) & ~D_AF, 0);
    tables_map(&t, 0x20000000, 2, D_BLOCK(0x20000000) & ~D_AF, 0);
    f = walk_fault(&cfg, r, rd(0x10000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ACCESS);
    g_assert_cmpuint(f.level, ==, 3);
    f = walk_fault(&cfg, r, wr(0x20000000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ACCESS);
    g_assert_cmpuint(f.level, ==, 2);

    /* AFFD: AF == 0 is not a fault (no hardware update either). */
    cfg.s1.affd = true;
    walk_ok(&cfg, r, rd(0x10000), &res);
    g_assert_cmphex(res.pa, ==, 0x70000);
    walk_ok(&cfg, r, wr(0x20000004), &res);
    g_assert_cmphex(res.pa, ==, 0x20000004);
    ram_free(r);
}

/* Stage-1 permission checks, leaf and hierarchical. */
static void test_fault_permission(void)
{
    static const struct {
        uint64_t desc_attr, table_attr;
        bool write, priv, instr, had, ok;
        uint8_t perm;
    } cases[] = {
        /* AP[2:1] */
        { D_AP_RO_EL1, 0, true, true, false, false, false, 5 },
        { D_AP_RO_EL1, 0, false, true, false, false, true, 5 },
        { D_AP_RW_EL1, 0, false, false, false, false, false, 4 },
        { D_AP_RO_EL1, 0, false, false, false, false, false, 4 },
        { D_AP_RW_ALL, 0, true, false, false, false, true, 7 },
        { D_AP_RO_ALL, 0, true, false, false, false, false, 5 },
        { D_AP_RO_ALL, 0, false, false, false, false, true, 5 },
        /* XN: UXN for unprivileged, PXN for privileged fetches */
        { D_UXN, 0, false, false, true, false, false, 0 },
        { D_UXN | D_AP_RW_ALL, 0, false, true, true, false, false, 3 },
        { D_PXN, 0, false, true, true, false, false, 3 },
        { D_PXN | D_AP_RO_ALL, 0, false, false, true, false, true, 5 },
        { D_PXN, 0, true, true, true, false, true, 3 },  /* data write */
        /* EL0-writable is never executable at EL1 */
        { D_AP_RW_ALL, 0, false, true, true, false, false, 3 },
        { D_AP_RO_ALL, 0, false, true, true, false, true, 5 },
        /* APTable, XNTable, PXNTable, and HAD ignoring them */
        { D_AP_RW_ALL, D_APTABLE_RO, true, true, false, false, false, 5 },
        { D_AP_RW_ALL, D_APTABLE_RO, true, true, false, true, true, 3 },
        { D_AP_RW_ALL, D_APTABLE_NOEL0, false, false, false, false, false,
          4 },
        { D_AP_RW_ALL, D_APTABLE_NOEL0, false, true, true, false, true, 7 },
        { D_AP_RO_ALL, D_XNTABLE, false, false, true, false, false, 1 },
        { D_AP_RO_ALL, D_XNTABLE, false, false, true, true, true, 5 },
        { 0, D_PXNTABLE, false, true, true, false, false, 3 },
        { 0, D_PXNTABLE, false, true, true, true, true, 7 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Ram *r = ram_new();
        Tables t = tables_new(r, SMMU_WALK_GRAN_4K, 0, 48);
        SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 16, t.root);
        SMMUWalkAccess acc = {
            .iova = 0x7000, .write = cases[i].write, .priv = cases[i].priv,
            .instr = cases[i].instr,
        };
        SMMUWalkResult res;
        SMMUWalkFault f;
        bool ok;

        cfg.s1.tt[0].had = cases[i].had;
        tables_map(&t, 0x7000, 3, D_PAGE(0x9000) | cases[i].desc_attr,
                   cases[i].table_attr);
        ok = smmuv3_walk(&cfg, &acc, ram_read, r, &res, &f);
        g_test_message("case %zu", i);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok) {
            g_assert_cmphex(res.pa, ==, 0x9000);
            g_assert_cmpuint(res.perm, ==, cases[i].perm);
        } else {
            g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_PERMISSION);
            g_assert_false(f.s2);
            g_assert_cmpuint(f.level, ==, 3);
            g_assert_cmpint(f.rnw, ==, !cases[i].write);
            g_assert_cmpint(f.pnu, ==, cases[i].priv);
            g_assert_cmpint(f.ind, ==, cases[i].instr);
        }
        ram_free(r);
    }
}

/*
 * CD.WXN: a region writable at the access's level is not executable.
 * CD.PAN: privileged data accesses to an EL0-accessible region fault.
 */
static void test_wxn_pan(void)
{
    static const struct {
        bool wxn, pan;
        uint64_t ap;
        bool priv, instr, ok;
        uint8_t perm;
    } cases[] = {
        { true, false, D_AP_RW_EL1, true, true, false, 0 },
        { true, false, D_AP_RW_EL1, true, false, true, 3 },
        { true, false, D_AP_RO_EL1, true, true, true, 5 },
        { true, false, D_AP_RW_ALL, false, true, false, 0 },
        { true, false, D_AP_RW_ALL, false, false, true, 3 },
        { false, true, D_AP_RW_ALL, true, false, false, 0 },
        { false, true, D_AP_RW_EL1, true, false, true, 7 },
        { false, true, D_AP_RO_ALL, true, true, true, 4 },
        { false, true, D_AP_RW_ALL, false, false, true, 7 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Ram *r = ram_new();
        Tables t = tables_new(r, SMMU_WALK_GRAN_4K, 0, 48);
        SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 16, t.root);
        SMMUWalkAccess acc = {
            .iova = 0x7000, .priv = cases[i].priv, .instr = cases[i].instr,
        };
        SMMUWalkResult res;
        SMMUWalkFault f;
        bool ok;

        cfg.s1.wxn = cases[i].wxn;
        cfg.s1.pan = cases[i].pan;
        tables_map(&t, 0x7000, 3, D_PAGE(0x9000) | cases[i].ap, 0);
        ok = smmuv3_walk(&cfg, &acc, ram_read, r, &res, &f);
        g_test_message("case %zu", i);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok) {
            g_assert_cmpuint(res.perm, ==, cases[i].perm);
        } else {
            g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_PERMISSION);
        }
        ram_free(r);
    }
}

/* A table outside guest RAM: external abort on the walk. */
static void test_fault_walk_eabt(void)
{
    Ram *r = ram_new();
    Tables t = tables_new(r, SMMU_WALK_GRAN_4K, 0, 48);
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 16, t.root);
    SMMUWalkFault f;

    tables_map(&t, 0x40000000, 1, D_TABLE(0x200000000ULL), 0);
    cfg.s1.record = false;
    f = walk_fault(&cfg, r, wr(0x40201000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_WALK_EABT);
    g_assert_false(f.s2);
    g_assert_cmpuint(f.level, ==, 2);
    /* VA[29:21] = 1: the second descriptor of the missing table. */
    g_assert_cmphex(f.fetch_pa, ==, 0x200000008ULL);
    g_assert_true(f.record);            /* R does not apply to aborts */

    /* TTB itself outside RAM. */
    cfg.s1.tt[0].ttb = 0x1000;
    f = walk_fault(&cfg, r, rd(0));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_WALK_EABT);
    g_assert_cmpuint(f.level, ==, 0);
    g_assert_cmphex(f.fetch_pa, ==, 0x1000);
    ram_free(r);
}

static void test_check_cfg(void)
{
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 16, RAM_BASE);
    Error *err = NULL;

    g_assert_true(smmuv3_walk_check_cfg(&cfg, &error_abort));
    cfg.s1.tt[0].tsz = 15;
    g_assert_false(smmuv3_walk_check_s1(&cfg, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "T0SZ 15"));
    error_free(err);
    err = NULL;
    cfg.s1.tt[0].tsz = 48;
    g_assert_true(smmuv3_walk_check_s1(&cfg, NULL));
    cfg.stt = false;
    g_assert_false(smmuv3_walk_check_s1(&cfg, NULL));
    cfg.s1.tt[0].tsz = 39;
    g_assert_true(smmuv3_walk_check_s1(&cfg, NULL));

    /* 64K: 47 with STT; 12 only with VAX. */
    cfg.stt = true;
    cfg.s1.tt[0].granule = SMMU_WALK_GRAN_64K;
    cfg.s1.tt[0].tsz = 48;
    g_assert_false(smmuv3_walk_check_s1(&cfg, NULL));
    cfg.s1.tt[0].tsz = 12;
    g_assert_false(smmuv3_walk_check_s1(&cfg, NULL));
    cfg.vax = true;
    g_assert_true(smmuv3_walk_check_s1(&cfg, NULL));
    cfg.s1.tt[0].granule = SMMU_WALK_GRAN_4K;
    g_assert_false(smmuv3_walk_check_s1(&cfg, NULL));

    /* A disabled half is not checked; a reserved TG or IPS is. */
    cfg.s1.tt[0].epd = true;
    g_assert_true(smmuv3_walk_check_s1(&cfg, NULL));
    cfg.s1.tt[1] = (SMMUWalkTT) { .tsz = 16, .granule = 13 };
    g_assert_false(smmuv3_walk_check_s1(&cfg, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "TG1"));
    error_free(err);
    cfg.s1.tt[1].granule = SMMU_WALK_GRAN_16K;
    g_assert_true(smmuv3_walk_check_s1(&cfg, NULL));
    cfg.s1.ips = 50;
    g_assert_false(smmuv3_walk_check_s1(&cfg, NULL));

    /* Field decoders. */
    g_assert_cmpuint(smmuv3_walk_tg0_granule(1), ==, SMMU_WALK_GRAN_64K);
    g_assert_cmpuint(smmuv3_walk_tg0_granule(3), ==, 0);
    g_assert_cmpuint(smmuv3_walk_tg1_granule(2), ==, SMMU_WALK_GRAN_4K);
    g_assert_cmpuint(smmuv3_walk_tg1_granule(0), ==, 0);
    g_assert_cmpuint(smmuv3_walk_ps_bits(3), ==, 42);
    g_assert_cmpuint(smmuv3_walk_ps_bits(7), ==, 0);
}

static SMMUWalkConfig s2_cfg(unsigned granule, unsigned tsz, unsigned sl0,
                             uint64_t ttb)
{
    SMMUWalkConfig cfg = {
        .s2_enabled = true,
        .s2 = {
            .ttb = ttb, .tsz = tsz, .sl0 = sl0, .granule = granule,
            .ps = 48, .record = true,
        },
        .oas = 48,
    };

    return cfg;
}

static void test_check_s2(void)
{
    static const struct {
        unsigned granule, tsz, sl0;
        bool stt, ok;
    } cases[] = {
        { SMMU_WALK_GRAN_4K, 16, 2, false, true },  /* L0, 9 bits */
        { SMMU_WALK_GRAN_4K, 24, 2, false, true },  /* L0, 1 bit */
        { SMMU_WALK_GRAN_4K, 25, 2, false, false }, /* L0, no bit */
        { SMMU_WALK_GRAN_4K, 16, 1, false, false }, /* L1, 18 bits */
        { SMMU_WALK_GRAN_4K, 21, 1, false, true },  /* L1, 13: 16 tables */
        { SMMU_WALK_GRAN_4K, 20, 1, false, false }, /* L1, 14: 32 tables */
        { SMMU_WALK_GRAN_4K, 30, 0, false, true },  /* L2, 13 bits */
        { SMMU_WALK_GRAN_4K, 39, 0, false, true },
        { SMMU_WALK_GRAN_4K, 40, 0, false, false }, /* T0SZ > 39 */
        { SMMU_WALK_GRAN_4K, 40, 3, false, false }, /* SL0 3: no STT */
        { SMMU_WALK_GRAN_4K, 40, 3, true, true },   /* L3 with STT */
        { SMMU_WALK_GRAN_16K, 16, 2, false, true },  /* L1, 12 bits */
        { SMMU_WALK_GRAN_16K, 17, 2, false, true },
        { SMMU_WALK_GRAN_16K, 24, 1, false, true }, /* L2, 15 bits */
        { SMMU_WALK_GRAN_16K, 23, 1, false, false }, /* L2, 16 bits */
        { SMMU_WALK_GRAN_16K, 16, 3, false, false }, /* reserved */
        { SMMU_WALK_GRAN_64K, 16, 2, false, true },
        { SMMU_WALK_GRAN_64K, 16, 1, false, false }, /* L2, 19 bits */
        { SMMU_WALK_GRAN_64K, 22, 0, false, false },
        { SMMU_WALK_GRAN_64K, 31, 0, false, true }, /* L3, 17 bits */
        { SMMU_WALK_GRAN_64K, 16, 3, false, false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SMMUWalkConfig cfg = s2_cfg(cases[i].granule, cases[i].tsz,
                                    cases[i].sl0, RAM_BASE);
        bool ok;

        cfg.stt = cases[i].stt;
        ok = smmuv3_walk_check_s2(&cfg, NULL);
        g_test_message("case %zu", i);
        g_assert_cmpint(ok, ==, cases[i].ok);
        g_assert_cmpint(smmuv3_walk_check_cfg(&cfg, NULL), ==, ok);
    }
}

/* Stage 2 alone, with concatenated start-level tables. */
static void test_s2_concatenated(void)
{
    static const struct {
        unsigned granule, tsz, sl0, start;
    } cases[] = {
        { SMMU_WALK_GRAN_4K, 24, 1, 1 },    /* 2 tables at L1 */
        { SMMU_WALK_GRAN_4K, 30, 0, 2 },    /* 16 tables at L2 */
        { SMMU_WALK_GRAN_4K, 21, 1, 1 },    /* 16 tables at L1 */
        { SMMU_WALK_GRAN_16K, 24, 1, 2 },   /* 16 tables at L2 */
        { SMMU_WALK_GRAN_64K, 31, 0, 3 },   /* 16 tables at L3 */
        { SMMU_WALK_GRAN_64K, 16, 2, 1 },   /* 64K L1, 6 bits */
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        unsigned inputsize = 64 - cases[i].tsz;
        Ram *r = ram_new();
        Tables t = tables_new(r, cases[i].granule, cases[i].start,
                              inputsize);
        SMMUWalkConfig cfg = s2_cfg(cases[i].granule, cases[i].tsz,
                                    cases[i].sl0, t.root);
        uint64_t gsize = 1ULL << cases[i].granule;
        uint64_t ipa = (1ULL << inputsize) - gsize;     /* last table */
        SMMUWalkResult res;
        SMMUWalkFault f;

        g_assert_true(smmuv3_walk_check_cfg(&cfg, &error_abort));
        tables_map(&t, ipa, 3, D_PAGE(0x80 * gsize) | D_S2AP_R | D_S2AP_W,
                   0);
        tables_map(&t, 0, 3, D_PAGE(0x81 * gsize) | D_S2AP_R, 0);
        walk_ok(&cfg, r, wr(ipa + 0x18), &res);
        g_assert_cmphex(res.pa, ==, 0x80 * gsize + 0x18);
        g_assert_cmphex(res.ipa, ==, ipa + 0x18);
        g_assert_cmphex(res.size, ==, gsize);
        g_assert_cmpuint(r->reads, ==, 4 - cases[i].start);
        walk_ok(&cfg, r, rd(0x20), &res);
        g_assert_cmphex(res.pa, ==, 0x81 * gsize + 0x20);

        /* S2AP read-only: a write is a stage-2 permission fault. */
        f = walk_fault(&cfg, r, wr(0x20));
        g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_PERMISSION);
        g_assert_true(f.s2);
        g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_IN);
        g_assert_cmphex(f.ipa, ==, 0x20);

        /* Beyond the IPA size: stage-2 translation fault. */
        f = walk_fault(&cfg, r, rd(1ULL << inputsize));
        g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
        g_assert_true(f.s2);
        g_assert_cmphex(f.ipa, ==, 1ULL << inputsize);
        ram_free(r);
    }
}

static void test_s2_faults(void)
{
    Ram *r = ram_new();
    Tables t = tables_new(r, SMMU_WALK_GRAN_4K, 1, 40);
    SMMUWalkConfig cfg = s2_cfg(SMMU_WALK_GRAN_4K, 24, 1, t.root);
    SMMUWalkAccess fetch = { .iova = 0x3000, .instr = true };
    SMMUWalkResult res;
    SMMUWalkFault f;
    uint64_t slot;

    /* S2 access flag, with and without S2AFFD; S2R gates recording. */
    slot = tables_map(&t, 0x3000, 3, (D_PAGE(0x5000) & ~D_AF) | D_S2AP_R,
                      0);
    cfg.s2.record = false;
    f = walk_fault(&cfg, r, fetch);
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ACCESS);
    g_assert_true(f.s2);
    g_assert_false(f.record);
    cfg.s2.affd = true;
    walk_ok(&cfg, r, fetch, &res);
    g_assert_cmpuint(res.perm, ==, SMMU_WALK_PERM_R | SMMU_WALK_PERM_X);

    /* S2 XN refuses instruction fetches, not data reads. */
    ram_w64(r, slot, D_PAGE(0x5000) | D_S2AP_R | D_UXN);
    f = walk_fault(&cfg, r, fetch);
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_PERMISSION);
    g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_IN);
    walk_ok(&cfg, r, rd(0x3000), &res);

    /* Write-only S2AP: reads fault. */
    ram_w64(r, slot, D_PAGE(0x5000) | D_S2AP_W);
    f = walk_fault(&cfg, r, rd(0x3000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_PERMISSION);
    walk_ok(&cfg, r, wr(0x3000), &res);

    /* Output above S2PS. */
    cfg.s2.ps = 40;
    ram_w64(r, slot, D_PAGE(1ULL << 40) | D_S2AP_R);
    f = walk_fault(&cfg, r, rd(0x3000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ADDR_SIZE);
    g_assert_true(f.s2);
    g_assert_cmphex(f.ipa, ==, 0x3000);

    /* S2 table outside RAM: external abort, stage 2, CLASS IN. */
    tables_map(&t, 1ULL << 30, 2, D_TABLE(0x1000), 0);
    f = walk_fault(&cfg, r, rd(1ULL << 30));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_WALK_EABT);
    g_assert_true(f.s2);
    g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_IN);
    g_assert_cmphex(f.fetch_pa, ==, 0x1000);
    ram_free(r);
}

/*
 * Stage-2 XN[1:0] with XNX: 0b00 executable at EL1 and EL0, 0b01 at EL0
 * only, 0b10 at neither, 0b11 at EL1 only.  Without XNX, bit 53 is
 * ignored.
 */
static void test_s2_xnx(void)
{
    static const struct {
        uint64_t xn;
        bool el1, el0;
    } cases[] = {
        { 0, true, true },
        { D_PXN, false, true },
        { D_UXN, false, false },
        { D_UXN | D_PXN, true, false },
    };
    Ram *r = ram_new();
    Tables t = tables_new(r, SMMU_WALK_GRAN_4K, 1, 40);
    SMMUWalkConfig cfg = s2_cfg(SMMU_WALK_GRAN_4K, 24, 1, t.root);
    uint64_t slot = tables_map(&t, 0x3000, 3, 0, 0);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SMMUWalkAccess el1 = { .iova = 0x3000, .instr = true, .priv = true };
        SMMUWalkAccess el0 = { .iova = 0x3000, .instr = true };
        SMMUWalkResult res;
        SMMUWalkFault f;

        ram_w64(r, slot, D_PAGE(0x5000) | D_S2AP_R | cases[i].xn);
        cfg.xnx = true;
        g_assert_cmpint(smmuv3_walk(&cfg, &el1, ram_read, r, &res, &f), ==,
                        cases[i].el1);
        g_assert_cmpint(smmuv3_walk(&cfg, &el0, ram_read, r, &res, &f), ==,
                        cases[i].el0);
        cfg.xnx = false;
        g_assert_cmpint(smmuv3_walk(&cfg, &el1, ram_read, r, &res, &f), ==,
                        !(cases[i].xn & D_UXN));
    }
    ram_free(r);
}

/*
 * Nested: stage-1 tables at IPAs 0x10000000.. that stage 2 maps to RAM,
 * IPA 0x10000000 + off -> PA RAM_BASE + off, with 4K pages.
 */
typedef struct Nested {
    Ram *ram;
    Tables s2;
    SMMUWalkConfig cfg;
    uint64_t s1_ttb;        /* IPA */
} Nested;

#define NESTED_IPA_BASE 0x10000000ULL

static uint64_t nested_s1_table(Nested *n)
{
    uint64_t pa = ram_alloc(n->ram, 0x1000);
    uint64_t ipa = NESTED_IPA_BASE + (pa - RAM_BASE);

    tables_map(&n->s2, ipa, 3, D_PAGE(pa) | D_S2AP_R, 0);
    return ipa;
}

static void nested_init(Nested *n)
{
    n->ram = ram_new();
    n->s2 = tables_new(n->ram, SMMU_WALK_GRAN_4K, 1, 40);
    n->s1_ttb = nested_s1_table(n);
    n->cfg = s1_cfg(SMMU_WALK_GRAN_4K, 25, n->s1_ttb);
    n->cfg.s2_enabled = true;
    n->cfg.s2 = s2_cfg(SMMU_WALK_GRAN_4K, 24, 1, n->s2.root).s2;
}

/* Write a stage-1 descriptor at an IPA (through our own s2 map). */
static void nested_w64(Nested *n, uint64_t ipa, uint64_t val)
{
    ram_w64(n->ram, RAM_BASE + (ipa - NESTED_IPA_BASE), val);
}

static void test_nested(void)
{
    Nested n;
    uint64_t l2, l3;
    SMMUWalkResult res;
    SMMUWalkFault f;

    nested_init(&n);
    /* S1 (39-bit, start L1): VA 0x40201000 -> IPA 0x80005000. */
    l2 = nested_s1_table(&n);
    l3 = nested_s1_table(&n);
    nested_w64(&n, n.s1_ttb + 1 * 8, D_TABLE(l2));
    nested_w64(&n, l2 + 1 * 8, D_TABLE(l3));
    nested_w64(&n, l3 + 1 * 8, D_PAGE(0x80005000ULL) | D_AP_RW_ALL);
    /* S2: IPA 0x80005000 -> PA 0x9000000 with a 2M block, read-write. */
    tables_map(&n.s2, 0x80000000ULL, 2,
               D_BLOCK(0x9000000ULL) | D_S2AP_R | D_S2AP_W, 0);

    n.ram->reads = 0;
    walk_ok(&n.cfg, n.ram, wr(0x40201abc), &res);
    g_assert_cmphex(res.ipa, ==, 0x80005abcULL);
    g_assert_cmphex(res.pa, ==, 0x9005abcULL);
    g_assert_cmphex(res.size, ==, 0x1000);      /* min(4K, 2M) */
    g_assert_cmpuint(res.perm, ==, SMMU_WALK_PERM_R | SMMU_WALK_PERM_W);
    /* 3 S1 descriptors, each behind a 3-level S2 walk, then 2 S2 reads. */
    g_assert_cmpuint(n.ram->reads, ==, 3 * 4 + 2);

    /* A stage-1 table IPA that stage 2 does not map: S2, CLASS TT. */
    nested_w64(&n, n.s1_ttb + 2 * 8, D_TABLE(0x20000000ULL));
    f = walk_fault(&n.cfg, n.ram, rd(0x80000000ULL + 0x3008));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
    g_assert_true(f.s2);
    g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_TT);
    g_assert_cmphex(f.ipa, ==, 0x20000000ULL);  /* VA[29:21] = 0 */
    g_assert_true(f.ttrnw);

    /* The final IPA unmapped: S2, CLASS IN, IPA of the access. */
    nested_w64(&n, l3 + 2 * 8, D_PAGE(0xa0000000ULL) | D_AP_RW_ALL);
    f = walk_fault(&n.cfg, n.ram, wr(0x40202010));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
    g_assert_true(f.s2);
    g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_IN);
    g_assert_cmphex(f.ipa, ==, 0xa0000010ULL);
    g_assert_cmphex(f.input_addr, ==, 0x40202010);

    /* Stage-2 read-only for the final write: S2 permission, CLASS IN. */
    tables_map(&n.s2, 0xa0000000ULL, 3, D_PAGE(0x7000) | D_S2AP_R, 0);
    f = walk_fault(&n.cfg, n.ram, wr(0x40202010));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_PERMISSION);
    g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_IN);

    /* A stage-1 fault in a nested walk is a stage-1 fault. */
    f = walk_fault(&n.cfg, n.ram, wr(0x40203000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
    g_assert_false(f.s2);
    g_assert_cmpuint(f.level, ==, 3);
    ram_free(n.ram);
}

static void test_nested_table_faults(void)
{
    Nested n;
    uint64_t l2;
    SMMUWalkFault f;
    SMMUWalkResult res;
    SMMUWalkAccess cd = { .iova = 0x1234, .write = true };
    uint64_t slot;

    nested_init(&n);
    l2 = nested_s1_table(&n);
    nested_w64(&n, n.s1_ttb, D_TABLE(l2));

    /* A write-only stage-2 page holding a stage-1 table. */
    slot = tables_map(&n.s2, l2, 3, D_PAGE(RAM_BASE + l2 - NESTED_IPA_BASE)
                      | D_S2AP_W, 0);
    f = walk_fault(&n.cfg, n.ram, wr(0x1000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_PERMISSION);
    g_assert_true(f.s2);
    g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_TT);
    g_assert_cmphex(f.ipa, ==, l2);
    g_assert_false(f.rnw);              /* the transaction's, a write */
    g_assert_true(f.ttrnw);             /* the table access, a read */

    /* S2 AF clear on it. */
    ram_w64(n.ram, slot,
            (D_PAGE(RAM_BASE + l2 - NESTED_IPA_BASE) & ~D_AF) | D_S2AP_R);
    f = walk_fault(&n.cfg, n.ram, rd(0x1000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_ACCESS);
    g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_TT);

    /* Stage 2 maps it outside RAM: stage-1 walk external abort. */
    ram_w64(n.ram, slot, D_PAGE(0x3000) | D_S2AP_R);
    f = walk_fault(&n.cfg, n.ram, rd(0x1000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_WALK_EABT);
    g_assert_false(f.s2);
    g_assert_cmphex(f.fetch_pa, ==, 0x3000);

    /* The caller's CD fetch through stage 2: CLASS CD, checked as read. */
    g_assert_true(smmuv3_walk_s2(&n.cfg, n.s1_ttb + 0x40, &cd,
                                 SMMU_WALK_CLASS_CD, ram_read, n.ram, &res,
                                 &f));
    g_assert_cmphex(res.pa, ==, RAM_BASE + (n.s1_ttb - NESTED_IPA_BASE) + 0x40);
    g_assert_false(smmuv3_walk_s2(&n.cfg, 0x30000000ULL, &cd,
                                  SMMU_WALK_CLASS_CD, ram_read, n.ram, &res,
                                  &f));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
    g_assert_true(f.s2);
    g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_CD);
    g_assert_cmphex(f.ipa, ==, 0x30000000ULL);
    g_assert_cmphex(f.input_addr, ==, 0x1234);
    ram_free(n.ram);
}

/* A configuration that fails the checks walks nothing: it faults. */
static void test_unchecked_cfg(void)
{
    Ram *r = ram_new();
    SMMUWalkConfig cfg = s1_cfg(SMMU_WALK_GRAN_4K, 13, RAM_BASE);
    SMMUWalkFault f;

    g_assert_false(smmuv3_walk_check_cfg(&cfg, NULL));
    f = walk_fault(&cfg, r, rd(0x1000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
    g_assert_false(f.s2);
    g_assert_cmpuint(r->reads, ==, 0);

    cfg = s2_cfg(SMMU_WALK_GRAN_4K, 16, 0, RAM_BASE);   /* 27 bits at L2 */
    g_assert_false(smmuv3_walk_check_cfg(&cfg, NULL));
    f = walk_fault(&cfg, r, rd(0x1000));
    g_assert_cmpint(f.type, ==, SMMU_WALK_FAULT_TRANSLATION);
    g_assert_true(f.s2);
    g_assert_cmpuint(r->reads, ==, 0);
    ram_free(r);
}

/* No stage: the access passes through. */
static void test_bypass(void)
{
    SMMUWalkConfig cfg = { .oas = 48 };
    SMMUWalkResult res;

    walk_ok(&cfg, NULL, wr(0x123456), &res);
    g_assert_cmphex(res.pa, ==, 0x123456);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3-walk/s1/handmade-4k", test_s1_handmade_4k);
    g_test_add_func("/smmuv3-walk/s1/handmade-16k", test_s1_handmade_16k);
    g_test_add_func("/smmuv3-walk/s1/handmade-64k", test_s1_handmade_64k);
    for (size_t i = 0; i < G_N_ELEMENTS(level_cases); i++) {
        g_autofree char *p0 = g_strdup_printf("/smmuv3-walk/s1/ttb0/%s",
                                              level_cases[i].name);
        g_autofree char *p1 = g_strdup_printf("/smmuv3-walk/s1/ttb1/%s",
                                              level_cases[i].name);

        g_test_add_data_func(p0, &level_cases[i], test_s1_levels_ttb0);
        g_test_add_data_func(p1, &level_cases[i], test_s1_levels_ttb1);
    }
    g_test_add_func("/smmuv3-walk/s1/ttb-select", test_s1_ttb_select);
    g_test_add_func("/smmuv3-walk/s1/contig", test_s1_contig);
    g_test_add_func("/smmuv3-walk/fault/translation-levels",
                    test_fault_translation_levels);
    g_test_add_func("/smmuv3-walk/fault/reserved-descriptors",
                    test_fault_reserved_descriptors);
    g_test_add_func("/smmuv3-walk/fault/addr-size", test_fault_addr_size);
    g_test_add_func("/smmuv3-walk/fault/access-flag", test_fault_access_flag);
    g_test_add_func("/smmuv3-walk/fault/permission", test_fault_permission);
    g_test_add_func("/smmuv3-walk/fault/wxn-pan", test_wxn_pan);
    g_test_add_func("/smmuv3-walk/fault/walk-eabt", test_fault_walk_eabt);
    g_test_add_func("/smmuv3-walk/check/s1", test_check_cfg);
    g_test_add_func("/smmuv3-walk/check/s2", test_check_s2);
    g_test_add_func("/smmuv3-walk/s2/concatenated", test_s2_concatenated);
    g_test_add_func("/smmuv3-walk/s2/faults", test_s2_faults);
    g_test_add_func("/smmuv3-walk/s2/xnx", test_s2_xnx);
    g_test_add_func("/smmuv3-walk/nested/translate", test_nested);
    g_test_add_func("/smmuv3-walk/nested/table-faults",
                    test_nested_table_faults);
    g_test_add_func("/smmuv3-walk/check/unchecked-walk", test_unchecked_cfg);
    g_test_add_func("/smmuv3-walk/bypass", test_bypass);
    return g_test_run();
}
