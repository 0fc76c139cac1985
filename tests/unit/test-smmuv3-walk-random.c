/*
 * Randomized property test of the SMMUv3 walker: random stage-1, stage-2
 * and nested configurations and tables, random accesses, and the
 * walker's answer compared with a reference that never walks a table.
 *
 * While it writes the tables, the generator records each mapping in a
 * flat dictionary keyed by (level, input address >> size), with its
 * output and the permissions worked out from the AP/S2AP/XN tables of
 * the architecture; the reference answers an access by looking its
 * address up at each level.  Every case uses its own seed, drawn from
 * g_test_rand_int() (so --seed reproduces a run) and printed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-walk.h"
#include "smmuv3-walk-ram.h"

#define CASES       150
#define LEAVES      48
#define QUERIES     200

enum { R = SMMU_WALK_PERM_R, W = SMMU_WALK_PERM_W, X = SMMU_WALK_PERM_X };

/* Data permissions of AP[2:1], [AP][privileged]. */
static const uint8_t ap_data[4][2] = {
    { 0, R | W },       /* 00: EL1 read-write */
    { R | W, R | W },   /* 01: read-write at both */
    { 0, R },           /* 10: EL1 read-only */
    { R, R },           /* 11: read-only at both */
};

typedef struct RefMap {
    uint64_t oa;
    uint64_t size;
    uint8_t perm[2];        /* [privileged] */
    bool af;
} RefMap;

typedef struct Gen {
    GRand *rand;
    Ram *ram;
    bool s2;
    bool had;
    unsigned granule, start, inputsize;
    uint64_t root;
    uint64_t top;           /* all-ones top bits of a TTB1 half, or 0 */
    GHashTable *ref;        /* level << 60 | ia >> size -> RefMap */
    GArray *leaves;         /* input addresses mapped */
} Gen;

static unsigned shift_of(unsigned g, unsigned level)
{
    static const unsigned shifts[3][4] = {
        { 39, 30, 21, 12 },         /* 4K */
        { 47, 36, 25, 14 },         /* 16K */
        { 0, 42, 29, 16 },          /* 64K */
    };

    return shifts[(g - 12) / 2][level];
}

static uint64_t ref_key(unsigned level, uint64_t ia, unsigned shift)
{
    return (uint64_t)level << 60 | ia >> shift;
}

static uint64_t rnd64(GRand *r)
{
    return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
}

static bool chance(GRand *r, unsigned one_in)
{
    return g_rand_int_range(r, 0, one_in) == 0;
}

static Gen *gen_new(GRand *rand, Ram *ram, bool s2, unsigned granule,
                    unsigned start, unsigned inputsize, bool high)
{
    Gen *g = g_new0(Gen, 1);
    unsigned bits = inputsize - shift_of(granule, start);

    *g = (Gen) {
        .rand = rand, .ram = ram, .s2 = s2, .granule = granule,
        .start = start, .inputsize = inputsize,
        .root = ram_alloc(ram, 8ULL << bits),
        .top = high ? ~0ULL << inputsize : 0,
        .had = !s2 && chance(rand, 4),
        .ref = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                     g_free),
        .leaves = g_array_new(false, false, sizeof(uint64_t)),
    };
    return g;
}

static void gen_free(Gen *g)
{
    g_hash_table_destroy(g->ref);
    g_array_free(g->leaves, true);
    g_free(g);
}

/* Random table attributes for a new stage-1 table descriptor. */
static uint64_t random_table_attrs(Gen *g)
{
    static const uint64_t bits[] = {
        D_APTABLE_RO, D_APTABLE_NOEL0, D_XNTABLE, D_PXNTABLE,
    };
    uint64_t attrs = 0;

    for (size_t i = 0; !g->s2 && i < G_N_ELEMENTS(bits); i++) {
        if (chance(g->rand, 6)) {
            attrs |= bits[i];
        }
    }
    return attrs;
}

/* The reference's permissions for a leaf under table attributes @tattr. */
static void ref_perm(const Gen *g, uint64_t desc, uint64_t tattr,
                     RefMap *m)
{
    unsigned ap = (desc >> 6) & 3;

    if (g->s2) {
        uint8_t p = (ap & 1 ? R : 0) | (ap & 2 ? W : 0) |
                    (desc & D_UXN ? 0 : X);

        m->perm[0] = m->perm[1] = p;
        return;
    }
    if (g->had) {
        tattr = 0;
    }
    for (int priv = 0; priv < 2; priv++) {
        m->perm[priv] = ap_data[ap][priv];
        if (tattr & D_APTABLE_RO) {
            m->perm[priv] &= ~W;
        }
    }
    if (tattr & D_APTABLE_NOEL0) {
        m->perm[0] = 0;
    }
    if (!(desc & D_UXN) && !(tattr & D_XNTABLE)) {
        m->perm[0] |= X;
    }
    if (!(desc & D_PXN) && !(tattr & D_PXNTABLE) && !(m->perm[0] & W)) {
        m->perm[1] |= X;
    }
}

/*
 * Map @ia (aligned to the leaf size of @level) to @oa with the leaf
 * attributes @attrs (random if NULL), unless it overlaps an existing
 * mapping.
 */
static void gen_map(Gen *g, uint64_t ia, unsigned level, uint64_t oa,
                    const uint64_t *attrs)
{
    uint64_t table = g->root, tattr = 0, desc, slot = 0;
    unsigned shift = shift_of(g->granule, level);
    RefMap *m;

    for (unsigned l = g->start; l <= level; l++) {
        unsigned s = shift_of(g->granule, l);
        unsigned bits = l == g->start ? g->inputsize - s : g->granule - 3;
        uint64_t d;

        slot = table + ((ia >> s) & ((1ULL << bits) - 1)) * 8;
        d = ram_r64(g->ram, slot);
        if (l == level) {
            if (d) {
                return;                     /* taken */
            }
            break;
        }
        if (!d) {
            d = D_TABLE(ram_alloc(g->ram, 1ULL << g->granule)) |
                random_table_attrs(g);
            ram_w64(g->ram, slot, d);
        } else if (!(d & 2)) {
            return;                         /* under a block */
        }
        tattr |= d & (D_APTABLE_RO | D_APTABLE_NOEL0 | D_XNTABLE |
                      D_PXNTABLE);
        table = d & 0x0000fffffffff000ULL & ~((1ULL << g->granule) - 1);
    }

    if (attrs) {
        desc = oa | (level == 3 ? 3 : 1) | *attrs;
    } else {
        desc = oa | (level == 3 ? 3 : 1) | D_AF | (rnd64(g->rand) &
               (3ULL << 6 | D_UXN | (g->s2 ? 0 : D_PXN)));
        if (chance(g->rand, 8)) {
            desc &= ~D_AF;
        }
    }
    ram_w64(g->ram, slot, desc);

    m = g_new0(RefMap, 1);
    m->oa = oa;
    m->size = 1ULL << shift;
    m->af = desc & D_AF;
    ref_perm(g, desc, tattr, m);
    g_hash_table_insert(g->ref, g_memdup2(&(uint64_t) {
                            ref_key(level, ia, shift) }, 8), m);
    g_array_append_val(g->leaves, ia);
}

static unsigned random_leaf_level(Gen *g)
{
    unsigned lo = MAX(g->start, g->granule == SMMU_WALK_GRAN_4K ? 1 : 2);

    if (chance(g->rand, 2) || lo > 2) {
        return 3;
    }
    return g_rand_int_range(g->rand, lo, 3);
}

/* An input address near one of a few regions, so tables are shared. */
static uint64_t random_ia(Gen *g, const uint64_t *regions, uint64_t size)
{
    uint64_t ia = regions[g_rand_int_range(g->rand, 0, 4)] ^
                  (rnd64(g->rand) & ((size << 5) - 1));
    uint64_t mask = g->inputsize < 64 ? (1ULL << g->inputsize) - 1 : ~0ULL;

    return ((ia & mask) | g->top) & ~(size - 1);
}

static void gen_fill(Gen *g, GArray *targets, unsigned out_bits)
{
    uint64_t regions[4];

    for (int i = 0; i < 4; i++) {
        regions[i] = rnd64(g->rand);
    }
    for (int i = 0; i < LEAVES; i++) {
        unsigned level = random_leaf_level(g);
        uint64_t size = 1ULL << shift_of(g->granule, level);
        uint64_t oa = rnd64(g->rand) & ((1ULL << out_bits) - 1);

        if (targets && targets->len && !chance(g->rand, 3)) {
            oa = g_array_index(targets, uint64_t,
                               g_rand_int_range(g->rand, 0, targets->len)) +
                 (rnd64(g->rand) & 0xfffff);
        }
        gen_map(g, random_ia(g, regions, size), level, oa & ~(size - 1), NULL);
    }
}

/* The reference lookup: the mapping covering @ia, if any. */
static const RefMap *ref_lookup(const Gen *g, uint64_t ia)
{
    for (unsigned l = g->start; l <= 3; l++) {
        uint64_t key = ref_key(l, ia, shift_of(g->granule, l));
        const RefMap *m = g_hash_table_lookup(g->ref, &key);

        if (m) {
            return m;
        }
    }
    return NULL;
}

typedef struct Expect {
    SMMUWalkFaultType type;     /* NONE: translates */
    bool s2;
    uint64_t out, ipa, size;
    uint8_t perm;
} Expect;

static uint8_t needed(const SMMUWalkAccess *acc)
{
    return acc->write ? W : acc->instr ? X : R;
}

/* One stage of the reference; false with @e's fault set if it faults. */
static bool ref_stage(const Gen *g, bool affd, uint64_t ia,
                      const SMMUWalkAccess *acc, Expect *e)
{
    const RefMap *m = NULL;

    e->s2 = g->s2;
    if (g->s2 ? ia >> g->inputsize == 0 :
        (ia & ~((1ULL << g->inputsize) - 1)) == g->top) {
        m = ref_lookup(g, ia);
    }
    if (!m) {
        e->type = SMMU_WALK_FAULT_TRANSLATION;
    } else if (!m->af && !affd) {
        e->type = SMMU_WALK_FAULT_ACCESS;
    } else if (!(m->perm[acc->priv] & needed(acc))) {
        e->type = SMMU_WALK_FAULT_PERMISSION;
    } else {
        e->out = m->oa + (ia & (m->size - 1));
        e->size = MIN(e->size, m->size);
        e->perm &= m->perm[acc->priv];
        return true;
    }
    return false;
}

typedef struct Case {
    GRand *rand;
    Ram *ram;
    SMMUWalkConfig cfg;
    Gen *s1[2];             /* NULL: half disabled */
    Gen *s2;
} Case;

static Expect reference(const Case *c, const SMMUWalkAccess *acc)
{
    Expect e = { .size = UINT64_MAX, .perm = R | W | X, .out = acc->iova };
    const Gen *s1 = c->s1[acc->iova >> 63];

    if (c->cfg.s1_enabled) {
        if (!s1) {
            e.type = SMMU_WALK_FAULT_TRANSLATION;
            return e;
        }
        if (!ref_stage(s1, c->cfg.s1.affd, acc->iova, acc, &e)) {
            return e;
        }
    }
    if (c->cfg.s2_enabled) {
        e.ipa = e.out;
        ref_stage(c->s2, c->cfg.s2.affd, e.ipa, acc, &e);
    }
    return e;
}

/* Stage 2: a random granule, IPA size and start level S2SL0 can say. */
static void setup_s2(Case *c, bool nested)
{
    static const unsigned grans[] = { 12, 14, 16 };
    unsigned g = grans[g_rand_int_range(c->rand, 0, 3)];
    unsigned inputsize = g_rand_int_range(c->rand, 34, 49);
    unsigned starts[4], n = 0, start;

    for (unsigned s = 0; s <= 2; s++) {
        int bits = (int)inputsize - (int)shift_of(g, s);

        if (shift_of(g, s) && bits >= 1 && bits <= (int)g - 3 + 4 &&
            !(s == 0 && g != SMMU_WALK_GRAN_4K)) {
            starts[n++] = s;
        }
    }
    g_assert_cmpuint(n, >, 0);
    start = starts[g_rand_int_range(c->rand, 0, n)];
    c->s2 = gen_new(c->rand, c->ram, true, g, start, inputsize, false);
    c->cfg.s2_enabled = true;
    c->cfg.s2 = (SMMUWalkS2Cfg) {
        .ttb = c->s2->root, .tsz = 64 - inputsize,
        .sl0 = g == SMMU_WALK_GRAN_4K ? 2 - start : 3 - start,
        .granule = g, .ps = 48, .affd = chance(c->rand, 4), .record = true,
    };
    if (nested) {
        /* Guest RAM at IPA == PA, so stage-1 tables are reachable. */
        uint64_t bsize = 1ULL << shift_of(g, 2);
        uint64_t rw = D_AF | D_S2AP_R | D_S2AP_W;

        for (uint64_t a = RAM_BASE & ~(bsize - 1); a < RAM_BASE + RAM_SIZE;
             a += bsize) {
            gen_map(c->s2, a, 2, a, &rw);
        }
    }
    gen_fill(c->s2, NULL, 48);
}

static void setup_s1(Case *c, GArray *targets, unsigned out_bits)
{
    static const unsigned grans[] = { 12, 14, 16 };

    c->cfg.s1_enabled = true;
    c->cfg.s1.ips = 48;
    c->cfg.s1.affd = chance(c->rand, 4);
    c->cfg.s1.record = true;
    for (int half = 0; half < 2; half++) {
        unsigned g = grans[g_rand_int_range(c->rand, 0, 3)];
        unsigned min = g == SMMU_WALK_GRAN_64K ? 12 : 16;
        unsigned tsz = g_rand_int_range(c->rand, min,
                                        (g == SMMU_WALK_GRAN_64K ? 47 : 48)
                                        + 1);
        unsigned inputsize = 64 - tsz;
        /* Start level: the deepest level whose index reaches the top. */
        unsigned start = 3;

        while (start > 0 && shift_of(g, start - 1) &&
               shift_of(g, start - 1) < inputsize) {
            start--;
        }
        if (chance(c->rand, 8)) {
            c->cfg.s1.tt[half] = (SMMUWalkTT) { .epd = true };
            continue;
        }
        c->s1[half] = gen_new(c->rand, c->ram, false, g, start, inputsize,
                              half);
        c->cfg.s1.tt[half] = (SMMUWalkTT) {
            .ttb = c->s1[half]->root, .tsz = tsz, .granule = g,
            .had = c->s1[half]->had,
        };
        gen_fill(c->s1[half], targets, out_bits);
    }
}

static SMMUWalkAccess random_access(Case *c)
{
    SMMUWalkAccess acc = {
        .write = chance(c->rand, 2), .priv = chance(c->rand, 2),
        .instr = chance(c->rand, 3),
    };
    const Gen *g = c->cfg.s1_enabled ? c->s1[g_rand_int_range(c->rand, 0, 2)]
                                     : c->s2;

    if (g && g->leaves->len && !chance(c->rand, 4)) {
        acc.iova = g_array_index(g->leaves, uint64_t,
                                 g_rand_int_range(c->rand, 0,
                                                  g->leaves->len)) +
                   (rnd64(c->rand) & 0x3ffff8);
    } else {
        acc.iova = rnd64(c->rand);
        if (chance(c->rand, 2)) {
            acc.iova &= (1ULL << 48) - 1;
        }
    }
    return acc;
}

/* Outcomes seen, by expected fault type: the test's own coverage. */
/* By fault type (an event type, 8 bits) and stage. */
static unsigned outcomes[256][2];

static void check_access(Case *c, const SMMUWalkAccess *acc)
{
    Expect e = reference(c, acc);
    SMMUWalkResult res;
    SMMUWalkFault f;
    bool ok = smmuv3_walk(&c->cfg, acc, ram_read, c->ram, &res, &f);

    outcomes[e.type][e.s2]++;
    if (ok != (e.type == SMMU_WALK_FAULT_NONE) ||
        (ok ? res.pa != e.out : f.type != e.type || f.s2 != e.s2)) {
        g_test_message("iova 0x%" PRIx64 " w%d p%d i%d: expected type %d "
                       "s2 %d out 0x%" PRIx64, acc->iova, acc->write,
                       acc->priv, acc->instr, e.type, e.s2, e.out);
    }
    if (e.type == SMMU_WALK_FAULT_NONE) {
        g_assert_true(ok);
        g_assert_cmphex(res.pa, ==, e.out);
        g_assert_cmphex(res.size, ==, e.size);
        g_assert_cmpuint(res.perm, ==, e.perm);
        if (c->cfg.s2_enabled) {
            g_assert_cmphex(res.ipa, ==, e.ipa);
        }
        return;
    }
    g_assert_false(ok);
    g_assert_cmpint(f.type, ==, e.type);
    g_assert_cmpint(f.s2, ==, e.s2);
    g_assert_cmphex(f.input_addr, ==, acc->iova);
    if (e.s2) {
        g_assert_cmpint(f.class, ==, SMMU_WALK_CLASS_IN);
        g_assert_cmphex(f.ipa, ==, e.ipa);
    }
}

static void run_case(guint32 seed, int mode)
{
    Case c = {
        .rand = g_rand_new_with_seed(seed), .ram = ram_new(),
        .cfg = { .oas = 48, .stt = true, .vax = true },
    };
    g_autoptr(GArray) targets = NULL;

    g_test_message("seed %u mode %s", seed,
                   mode == 0 ? "s1" : mode == 1 ? "s2" : "nested");
    if (mode >= 1) {
        setup_s2(&c, mode == 2);
        targets = g_array_ref(c.s2->leaves);
    }
    if (mode != 1) {
        setup_s1(&c, targets, mode == 2 ? 64 - c.cfg.s2.tsz : 48);
    }
    g_assert_true(smmuv3_walk_check_cfg(&c.cfg, &error_abort));
    for (int i = 0; i < QUERIES; i++) {
        SMMUWalkAccess acc = random_access(&c);

        check_access(&c, &acc);
    }
    for (int i = 0; i < 2; i++) {
        if (c.s1[i]) {
            gen_free(c.s1[i]);
        }
    }
    if (c.s2) {
        gen_free(c.s2);
    }
    ram_free(c.ram);
    g_rand_free(c.rand);
}

static void test_random(const void *opaque)
{
    int mode = GPOINTER_TO_INT(opaque);

    memset(outcomes, 0, sizeof(outcomes));
    for (int i = 0; i < CASES; i++) {
        run_case(g_test_rand_int(), mode);
    }
    g_test_message("translated %u; s1 faults: translation %u access %u "
                   "permission %u; s2 faults: translation %u access %u "
                   "permission %u",
                   outcomes[SMMU_WALK_FAULT_NONE][0] +
                   outcomes[SMMU_WALK_FAULT_NONE][1],
                   outcomes[SMMU_WALK_FAULT_TRANSLATION][0],
                   outcomes[SMMU_WALK_FAULT_ACCESS][0],
                   outcomes[SMMU_WALK_FAULT_PERMISSION][0],
                   outcomes[SMMU_WALK_FAULT_TRANSLATION][1],
                   outcomes[SMMU_WALK_FAULT_ACCESS][1],
                   outcomes[SMMU_WALK_FAULT_PERMISSION][1]);
    /* The generator must reach every outcome its mode has. */
    g_assert_cmpuint(outcomes[SMMU_WALK_FAULT_NONE][0] +
                     outcomes[SMMU_WALK_FAULT_NONE][1], >, QUERIES);
    g_assert_cmpuint(outcomes[SMMU_WALK_FAULT_TRANSLATION][mode == 1], >, 0);
    g_assert_cmpuint(outcomes[SMMU_WALK_FAULT_ACCESS][mode == 1], >, 0);
    g_assert_cmpuint(outcomes[SMMU_WALK_FAULT_PERMISSION][mode == 1], >, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/smmuv3-walk/random/s1", GINT_TO_POINTER(0),
                         test_random);
    g_test_add_data_func("/smmuv3-walk/random/s2", GINT_TO_POINTER(1),
                         test_random);
    g_test_add_data_func("/smmuv3-walk/random/nested", GINT_TO_POINTER(2),
                         test_random);
    return g_test_run();
}
