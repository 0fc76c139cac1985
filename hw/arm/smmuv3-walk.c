/*
 * SMMUv3 translation table walker for emulated endpoints.
 *
 * This file owns the AArch64 VMSAv8-64 table walks of an SMMUv3: stage 1
 * (TTB0/TTB1, 4K/16K/64K granules, blocks, pages, AF, AP/XN/PXN and the
 * hierarchical table attributes), stage 2 (S2SL0 start level,
 * concatenated start tables, S2AP, S2 AF, XN) and nested, where every
 * stage-1 table fetch goes through stage 2, plus the validation of the
 * configuration a walk uses.  It reads guest memory only through the
 * caller's callback, holds no state and takes no locks: every function is
 * pure, and the caller serialises against changes of the tables.
 *
 * Faults are returned as SMMUWalkFault, classed as the event record needs
 * (stage, CLASS, InputAddr, IPA, fetch address); the caller encodes the
 * record.  See docs/devel/smmuv3-walk.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-walk.h"

/* Descriptor bits (VMSAv8-64 table, block and page descriptors). */
#define DESC_VALID          (1ULL << 0)
#define DESC_TABLE          (1ULL << 1)     /* table or page, not block */
#define DESC_AP_SHIFT       6               /* AP[2:1], S2AP[1:0] */
#define DESC_AF             (1ULL << 10)
#define DESC_CONTIG         (1ULL << 52)
#define DESC_PXN            (1ULL << 53)    /* XN[0] at stage 2 (XNX) */
#define DESC_XN             (1ULL << 54)    /* UXN at stage 1 */
#define DESC_PXNTABLE       (1ULL << 59)
#define DESC_XNTABLE        (1ULL << 60)
#define DESC_APTABLE_NOEL0  (1ULL << 61)    /* APTable[0] */
#define DESC_APTABLE_RO     (1ULL << 62)    /* APTable[1] */
/* Output address bits [51:12]; bits [51:48] are RES0 for a 48-bit OA. */
#define DESC_OA_MASK        0x000ffffffffff000ULL

#define AP_EL0              1u      /* AP[1]: EL0 access */
#define AP_RO               2u      /* AP[2]: read-only */
#define S2AP_R              1u
#define S2AP_W              2u

#define MAX_LEVEL           3
#define MAX_OA_BITS         48      /* no 52-bit output (FEAT_LPA) */

/* The parameters of one stage's walk, derived from the configuration. */
typedef struct Stage {
    uint64_t ttb;
    unsigned granule;           /* log2 of the granule size */
    unsigned start;             /* start level */
    unsigned inputsize;         /* bits of input address */
    unsigned oasize;            /* effective output size in bits */
    bool s2;
    bool affd;
    bool had;
} Stage;

/* A leaf descriptor and what the walk gathered on the way to it. */
typedef struct Leaf {
    uint64_t desc;
    unsigned level;
    bool no_el0;                /* APTable[0] seen */
    bool ro;                    /* APTable[1] seen */
    bool xn;                    /* XNTable seen */
    bool pxn;                   /* PXNTable seen */
} Leaf;

/* One walk in progress. */
typedef struct Walk {
    const SMMUWalkConfig *cfg;
    const SMMUWalkAccess *acc;
    SMMUWalkRead read;
    void *opaque;
    SMMUWalkFault *fault;
    SMMUWalkClass s2_class;     /* what the current stage-2 walk serves */
    uint64_t s2_ipa;            /* and its input address */
} Walk;

static unsigned stride(unsigned granule)
{
    return granule - 3;
}

/* The lowest input address bit that indexes a table at @level. */
static unsigned level_shift(unsigned granule, unsigned level)
{
    return granule + (MAX_LEVEL - level) * stride(granule);
}

/* Block descriptors exist where a 48-bit OA allows them. */
static bool block_allowed(unsigned granule, unsigned level)
{
    if (level == 2) {
        return true;
    }
    return level == 1 && granule == SMMU_WALK_GRAN_4K;
}

/* Entries a contiguous-hint run spans. */
static unsigned contig_entries(unsigned granule, unsigned level)
{
    switch (granule) {
    case SMMU_WALK_GRAN_4K:
        return 16;
    case SMMU_WALK_GRAN_16K:
        return level == MAX_LEVEL ? 128 : 32;
    default:
        return 32;
    }
}

static bool granule_valid(unsigned granule)
{
    return granule == SMMU_WALK_GRAN_4K || granule == SMMU_WALK_GRAN_16K ||
           granule == SMMU_WALK_GRAN_64K;
}

static bool ps_valid(unsigned bits)
{
    switch (bits) {
    case 32: case 36: case 40: case 42: case 44: case 48: case 52:
        return true;
    default:
        return false;
    }
}

static unsigned effective_oas(const SMMUWalkConfig *cfg, unsigned ps)
{
    unsigned oas = MIN(cfg->oas ? cfg->oas : MAX_OA_BITS, MAX_OA_BITS);

    return MIN(ps, oas);
}

/* Largest TxSZ: 39, or with small translation tables 48 (47 for 64K). */
static unsigned max_tsz(const SMMUWalkConfig *cfg, unsigned granule)
{
    if (!cfg->stt) {
        return 39;
    }
    return granule == SMMU_WALK_GRAN_64K ? 47 : 48;
}

static unsigned s1_min_tsz(const SMMUWalkConfig *cfg, unsigned granule)
{
    return cfg->vax && granule == SMMU_WALK_GRAN_64K ? 12 : 16;
}

/*
 * Stage-2 start level from S2SL0 and the granule, or -1 if reserved.
 * 4K: 0 -> 2, 1 -> 1, 2 -> 0, 3 -> 3 (with STT); 16K/64K: 3 - SL0, where
 * 16K level 0 and 64K level 0 do not exist without 52-bit addresses.
 */
static int s2_start_level(const SMMUWalkConfig *cfg, unsigned granule,
                          unsigned sl0)
{
    if (granule == SMMU_WALK_GRAN_4K) {
        if (sl0 == 3) {
            return cfg->stt ? 3 : -1;
        }
        return 2 - (int)sl0;
    }
    return sl0 <= 2 ? 3 - (int)sl0 : -1;
}

/* Whether an enabled stage-1 half has a granule and a TxSZ in range. */
static bool s1_tt_valid(const SMMUWalkConfig *cfg, const SMMUWalkTT *tt)
{
    return granule_valid(tt->granule) &&
           tt->tsz >= s1_min_tsz(cfg, tt->granule) &&
           tt->tsz <= max_tsz(cfg, tt->granule);
}

bool smmuv3_walk_check_s1(const SMMUWalkConfig *cfg, Error **errp)
{
    const SMMUWalkS1Cfg *s1 = &cfg->s1;

    if (!cfg->s1_enabled) {
        return true;
    }
    if (!ps_valid(s1->ips)) {
        error_setg(errp, "smmuv3-walk: CD IPS of %u bits is reserved",
                   s1->ips);
        return false;
    }
    for (int i = 0; i < 2; i++) {
        const SMMUWalkTT *tt = &s1->tt[i];

        if (tt->epd) {
            continue;
        }
        if (!granule_valid(tt->granule)) {
            error_setg(errp, "smmuv3-walk: CD TG%d is reserved", i);
            return false;
        }
        if (!s1_tt_valid(cfg, tt)) {
            error_setg(errp, "smmuv3-walk: CD T%dSZ %u is out of range",
                       i, tt->tsz);
            return false;
        }
    }
    return true;
}

bool smmuv3_walk_check_s2(const SMMUWalkConfig *cfg, Error **errp)
{
    const SMMUWalkS2Cfg *s2 = &cfg->s2;
    int start;
    unsigned bits;

    if (!cfg->s2_enabled) {
        return true;
    }
    if (!ps_valid(s2->ps)) {
        error_setg(errp, "smmuv3-walk: STE S2PS of %u bits is reserved",
                   s2->ps);
        return false;
    }
    if (!granule_valid(s2->granule)) {
        error_setg(errp, "smmuv3-walk: STE S2TG is reserved");
        return false;
    }
    if (s2->tsz < 16 || s2->tsz > max_tsz(cfg, s2->granule)) {
        error_setg(errp, "smmuv3-walk: STE S2T0SZ %u is out of range",
                   s2->tsz);
        return false;
    }
    start = s2_start_level(cfg, s2->granule, s2->sl0);
    if (start < 0) {
        error_setg(errp, "smmuv3-walk: STE S2SL0 %u is reserved", s2->sl0);
        return false;
    }
    /* The start level resolves 1 bit to 16 concatenated tables' worth. */
    bits = 64 - s2->tsz;
    if (bits <= level_shift(s2->granule, start) ||
        bits - level_shift(s2->granule, start) > stride(s2->granule) + 4) {
        error_setg(errp, "smmuv3-walk: STE S2SL0 %u is inconsistent with "
                   "S2T0SZ %u", s2->sl0, s2->tsz);
        return false;
    }
    return true;
}

bool smmuv3_walk_check_cfg(const SMMUWalkConfig *cfg, Error **errp)
{
    return smmuv3_walk_check_s1(cfg, errp) && smmuv3_walk_check_s2(cfg, errp);
}

unsigned smmuv3_walk_tg0_granule(unsigned tg0)
{
    static const unsigned g[4] = {
        SMMU_WALK_GRAN_4K, SMMU_WALK_GRAN_64K, SMMU_WALK_GRAN_16K, 0
    };

    return tg0 < 4 ? g[tg0] : 0;
}

unsigned smmuv3_walk_tg1_granule(unsigned tg1)
{
    static const unsigned g[4] = {
        0, SMMU_WALK_GRAN_16K, SMMU_WALK_GRAN_4K, SMMU_WALK_GRAN_64K
    };

    return tg1 < 4 ? g[tg1] : 0;
}

unsigned smmuv3_walk_ps_bits(unsigned ps)
{
    static const unsigned bits[7] = { 32, 36, 40, 42, 44, 48, 52 };

    return ps < 7 ? bits[ps] : 0;
}

/* Fill the fault record for the current stage and return false. */
static bool walk_fault(Walk *w, SMMUWalkFaultType type, bool s2,
                       unsigned level, uint64_t fetch_pa)
{
    SMMUWalkFault *f = w->fault;

    *f = (SMMUWalkFault) {
        .type = type,
        .s2 = s2,
        .class = s2 ? w->s2_class : SMMU_WALK_CLASS_IN,
        .input_addr = w->acc->iova,
        .ipa = s2 ? w->s2_ipa : 0,
        .fetch_pa = fetch_pa,
        .level = level,
        .rnw = !w->acc->write,
        .ind = w->acc->instr,
        .pnu = w->acc->priv,
        .ttrnw = true,
    };
    if (type == SMMU_WALK_FAULT_WALK_EABT) {
        f->record = true;
        if (!s2) {
            f->class = SMMU_WALK_CLASS_TT;
        }
    } else {
        f->record = s2 ? w->cfg->s2.record : w->cfg->s1.record;
    }
    return false;
}

static bool s2_translate(Walk *w, uint64_t ipa, SMMUWalkClass class,
                         SMMUWalkResult *res);

/*
 * Read the 8-byte descriptor at @addr of stage @st.  Stage-1 tables of a
 * nested configuration live in IPA space and are reached through stage
 * 2 (CLASS=TT faults); a read outside guest RAM is an external abort.
 */
static bool fetch_desc(Walk *w, const Stage *st, uint64_t addr,
                       unsigned level, uint64_t *desc)
{
    uint64_t pa = addr;
    uint64_t le;

    if (!st->s2 && w->cfg->s2_enabled) {
        SMMUWalkResult s2res;

        if (!s2_translate(w, addr, SMMU_WALK_CLASS_TT, &s2res)) {
            return false;
        }
        pa = s2res.pa;
    }
    if (!w->read(w->opaque, pa, &le, sizeof(le))) {
        return walk_fault(w, SMMU_WALK_FAULT_WALK_EABT, st->s2, level, pa);
    }
    *desc = GUINT64_FROM_LE(le);
    return true;
}

/* Gather the hierarchical attributes of a stage-1 table descriptor. */
static void leaf_note_table(const Stage *st, uint64_t desc, Leaf *leaf)
{
    if (st->s2 || st->had) {
        return;
    }
    leaf->no_el0 |= !!(desc & DESC_APTABLE_NOEL0);
    leaf->ro |= !!(desc & DESC_APTABLE_RO);
    leaf->xn |= !!(desc & DESC_XNTABLE);
    leaf->pxn |= !!(desc & DESC_PXNTABLE);
}

/*
 * Walk stage @st from its start level down to the leaf for input address
 * @ia.  Faults: translation (invalid or reserved descriptor), address
 * size (a next-level table beyond the output size).
 */
static bool lookup(Walk *w, const Stage *st, uint64_t ia, Leaf *leaf)
{
    unsigned level = st->start;
    unsigned bits = st->inputsize - level_shift(st->granule, level);
    uint64_t table = st->ttb & ~((MAX(8ULL << bits, 64)) - 1);

    if (table >> st->oasize) {
        return walk_fault(w, SMMU_WALK_FAULT_ADDR_SIZE, st->s2, level, 0);
    }
    *leaf = (Leaf) { 0 };
    for (;;) {
        unsigned shift = level_shift(st->granule, level);
        uint64_t idx = (ia >> shift) & ((1ULL << bits) - 1);
        uint64_t desc = 0;

        if (!fetch_desc(w, st, table + idx * 8, level, &desc)) {
            return false;
        }
        if (!(desc & DESC_VALID) ||
            (level == MAX_LEVEL && !(desc & DESC_TABLE)) ||
            (!(desc & DESC_TABLE) && !block_allowed(st->granule, level))) {
            return walk_fault(w, SMMU_WALK_FAULT_TRANSLATION, st->s2,
                              level, 0);
        }
        if (level == MAX_LEVEL || !(desc & DESC_TABLE)) {
            leaf->desc = desc;
            leaf->level = level;
            return true;
        }
        table = desc & DESC_OA_MASK & ~((1ULL << st->granule) - 1);
        if (table >> st->oasize) {
            return walk_fault(w, SMMU_WALK_FAULT_ADDR_SIZE, st->s2,
                              level, 0);
        }
        leaf_note_table(st, desc, leaf);
        level++;
        bits = stride(st->granule);
    }
}

/* Stage-1 permissions of @leaf for the access's privilege. */
static unsigned s1_perm(const Walk *w, const Leaf *leaf)
{
    unsigned ap = (leaf->desc >> DESC_AP_SHIFT) & 3;
    unsigned perm = 0;
    bool el0_writable;

    if (leaf->no_el0) {
        ap &= ~AP_EL0;
    }
    if (leaf->ro) {
        ap |= AP_RO;
    }
    el0_writable = (ap & AP_EL0) && !(ap & AP_RO);
    if (w->acc->priv) {
        perm = SMMU_WALK_PERM_R | (ap & AP_RO ? 0 : SMMU_WALK_PERM_W);
        /* PAN: privileged data accesses to EL0-accessible pages fault. */
        if (w->cfg->s1.pan && (ap & AP_EL0)) {
            perm = 0;
        }
        /* A region writable at EL0 is never executable at EL1. */
        if (!(leaf->desc & DESC_PXN) && !leaf->pxn && !el0_writable) {
            perm |= SMMU_WALK_PERM_X;
        }
    } else {
        if (ap & AP_EL0) {
            perm = SMMU_WALK_PERM_R | (ap & AP_RO ? 0 : SMMU_WALK_PERM_W);
        }
        if (!(leaf->desc & DESC_XN) && !leaf->xn) {
            perm |= SMMU_WALK_PERM_X;
        }
    }
    if (w->cfg->s1.wxn && (perm & SMMU_WALK_PERM_W)) {
        perm &= ~SMMU_WALK_PERM_X;
    }
    return perm;
}

/*
 * Stage-2 execute permission.  Without XNX only XN[1] (bit 54) counts;
 * with it XN[1:0] is 0b00 executable at EL1 and EL0, 0b01 at EL0 only,
 * 0b10 at neither, 0b11 at EL1 only.
 */
static bool s2_exec(const Walk *w, const Leaf *leaf)
{
    bool xn1 = leaf->desc & DESC_XN;
    bool xn0 = leaf->desc & DESC_PXN;

    if (!w->cfg->xnx) {
        return !xn1;
    }
    return w->acc->priv ? xn1 == xn0 : !xn1;
}

static unsigned s2_perm(const Walk *w, const Leaf *leaf)
{
    unsigned s2ap = (leaf->desc >> DESC_AP_SHIFT) & 3;

    return (s2ap & S2AP_R ? SMMU_WALK_PERM_R : 0) |
           (s2ap & S2AP_W ? SMMU_WALK_PERM_W : 0) |
           (s2_exec(w, leaf) ? SMMU_WALK_PERM_X : 0);
}

/* The permission an access of @class needs. */
static unsigned needed_perm(const Walk *w, SMMUWalkClass class)
{
    if (class != SMMU_WALK_CLASS_IN) {
        return SMMU_WALK_PERM_R;        /* table and CD fetches */
    }
    if (w->acc->write) {
        return SMMU_WALK_PERM_W;
    }
    return w->acc->instr ? SMMU_WALK_PERM_X : SMMU_WALK_PERM_R;
}

/*
 * Check the leaf found for @ia and describe the mapping in @res:
 * address size, then access flag, then permission, in the
 * architecture's priority order.
 */
static bool finish_leaf(Walk *w, const Stage *st, const Leaf *leaf,
                        uint64_t ia, SMMUWalkClass class,
                        SMMUWalkResult *res)
{
    uint64_t size = 1ULL << level_shift(st->granule, leaf->level);
    uint64_t oa = leaf->desc & DESC_OA_MASK & ~(size - 1);
    unsigned perm;

    if (oa >> st->oasize) {
        return walk_fault(w, SMMU_WALK_FAULT_ADDR_SIZE, st->s2,
                          leaf->level, 0);
    }
    if (!(leaf->desc & DESC_AF) && !st->affd) {
        return walk_fault(w, SMMU_WALK_FAULT_ACCESS, st->s2, leaf->level, 0);
    }
    perm = st->s2 ? s2_perm(w, leaf) : s1_perm(w, leaf);
    if (!(perm & needed_perm(w, class))) {
        return walk_fault(w, SMMU_WALK_FAULT_PERMISSION, st->s2,
                          leaf->level, 0);
    }
    res->pa = oa | (ia & (size - 1));
    res->size = size;
    res->hint_size = size;
    if (leaf->desc & DESC_CONTIG) {
        res->hint_size *= contig_entries(st->granule, leaf->level);
    }
    res->perm = perm;
    res->level = leaf->level;
    return true;
}

static void s2_stage(const SMMUWalkConfig *cfg, Stage *st)
{
    const SMMUWalkS2Cfg *s2 = &cfg->s2;

    *st = (Stage) {
        .ttb = s2->ttb,
        .granule = s2->granule,
        .start = s2_start_level(cfg, s2->granule, s2->sl0),
        .inputsize = 64 - s2->tsz,
        .oasize = effective_oas(cfg, s2->ps),
        .s2 = true,
        .affd = s2->affd,
    };
}

/* Stage-2 translation of @ipa, serving @class. */
static bool s2_translate(Walk *w, uint64_t ipa, SMMUWalkClass class,
                         SMMUWalkResult *res)
{
    Stage st;
    Leaf leaf;

    w->s2_class = class;
    w->s2_ipa = ipa;
    /* A configuration that failed smmuv3_walk_check_s2() walks nothing. */
    if (!smmuv3_walk_check_s2(w->cfg, NULL)) {
        return walk_fault(w, SMMU_WALK_FAULT_TRANSLATION, true, 0, 0);
    }
    s2_stage(w->cfg, &st);
    if (ipa >> st.inputsize) {
        return walk_fault(w, SMMU_WALK_FAULT_TRANSLATION, true, st.start, 0);
    }
    if (!lookup(w, &st, ipa, &leaf)) {
        return false;
    }
    return finish_leaf(w, &st, &leaf, ipa, class, res);
}

/*
 * Pick the stage-1 table for @iova: top bits all zero select TTB0, all
 * one TTB1; anything else, or a disabled half, is a translation fault.
 */
static bool s1_stage(Walk *w, uint64_t iova, Stage *st)
{
    const SMMUWalkS1Cfg *s1 = &w->cfg->s1;
    bool high = iova >> 63;
    const SMMUWalkTT *tt = &s1->tt[high];
    unsigned inputsize = 64 - MIN(tt->tsz, 64);
    uint64_t top, ones;

    /* A half that fails smmuv3_walk_check_s1() walks nothing. */
    if (tt->epd || !s1_tt_valid(w->cfg, tt)) {
        return walk_fault(w, SMMU_WALK_FAULT_TRANSLATION, false, 0, 0);
    }
    top = iova >> inputsize;
    ones = UINT64_MAX >> inputsize;
    if (top != (high ? ones : 0)) {
        return walk_fault(w, SMMU_WALK_FAULT_TRANSLATION, false, 0, 0);
    }
    *st = (Stage) {
        .ttb = tt->ttb,
        .granule = tt->granule,
        .start = MAX_LEVEL -
                 (inputsize - tt->granule - 1) / stride(tt->granule),
        .inputsize = inputsize,
        .oasize = effective_oas(w->cfg, s1->ips),
        .affd = s1->affd,
        .had = tt->had,
    };
    return true;
}

static bool s1_translate(Walk *w, SMMUWalkResult *res)
{
    Stage st;
    Leaf leaf;

    if (!s1_stage(w, w->acc->iova, &st) ||
        !lookup(w, &st, w->acc->iova, &leaf)) {
        return false;
    }
    return finish_leaf(w, &st, &leaf, w->acc->iova, SMMU_WALK_CLASS_IN,
                       res);
}

bool smmuv3_walk(const SMMUWalkConfig *cfg, const SMMUWalkAccess *acc,
                 SMMUWalkRead read, void *opaque,
                 SMMUWalkResult *res, SMMUWalkFault *fault)
{
    Walk w = {
        .cfg = cfg, .acc = acc, .read = read, .opaque = opaque,
        .fault = fault, .s2_class = SMMU_WALK_CLASS_IN,
    };
    SMMUWalkResult s1res = {
        .pa = acc->iova, .size = UINT64_MAX, .hint_size = UINT64_MAX,
        .perm = SMMU_WALK_PERM_R | SMMU_WALK_PERM_W | SMMU_WALK_PERM_X,
    };
    SMMUWalkResult s2res;

    if (cfg->s1_enabled && !s1_translate(&w, &s1res)) {
        return false;
    }
    if (!cfg->s2_enabled) {
        *res = s1res;
        res->ipa = acc->iova;
        res->s1_size = s1res.size;
        res->s2_size = UINT64_MAX;
        return true;
    }
    if (!s2_translate(&w, s1res.pa, SMMU_WALK_CLASS_IN, &s2res)) {
        return false;
    }
    /* Aligned ranges on both stages: the smaller one maps linearly. */
    *res = (SMMUWalkResult) {
        .pa = s2res.pa,
        .ipa = s1res.pa,
        .size = MIN(s1res.size, s2res.size),
        .hint_size = MIN(s1res.hint_size, s2res.hint_size),
        .s1_size = s1res.size,
        .s2_size = s2res.size,
        .perm = s1res.perm & s2res.perm,
        .level = s2res.level,
    };
    return true;
}

bool smmuv3_walk_s2(const SMMUWalkConfig *cfg, uint64_t ipa,
                    const SMMUWalkAccess *acc, SMMUWalkClass class,
                    SMMUWalkRead read, void *opaque,
                    SMMUWalkResult *res, SMMUWalkFault *fault)
{
    Walk w = {
        .cfg = cfg, .acc = acc, .read = read, .opaque = opaque,
        .fault = fault,
    };

    g_assert(cfg->s2_enabled);
    if (!s2_translate(&w, ipa, class, res)) {
        return false;
    }
    res->ipa = ipa;
    res->s1_size = UINT64_MAX;
    res->s2_size = res->size;
    return true;
}
