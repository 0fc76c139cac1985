/*
 * Arm SMMUv3 model: DMA translation for emulated endpoints.
 *
 * This file owns the path of an emulated device's access through the
 * SMMU: GBPA while SMMUEN is 0, the STE (fetched by hw/arm/smmuv3.c),
 * SubstreamIDs and the CD from linear and 2-level CD tables (through
 * stage 2 when nested), the walk (hw/arm/smmuv3-walk.c), the fault
 * records, and two caches: the configuration cache (the decoded STE and
 * CD of a StreamID/SubstreamID) and the IOTLB (leaf mappings tagged with
 * VMID and ASID), with the CFGI_* and TLBI_* commands that invalidate
 * them.
 *
 * Locking: SMMUv3TransState.lock guards both caches, the generation
 * count and the counters, and nothing else; it is held only for lookups,
 * insertions and invalidations, never across a guest memory access or a
 * call into hw/arm/smmuv3.c.  The command queue invalidates with the
 * device lock (SMMUv3State.mutex) held and takes this lock inside it;
 * translation never takes the device lock while holding this one.  A
 * miss walks with no lock held and inserts its result only if no
 * invalidation ran meanwhile (the generation count did not move), so an
 * invalidation completed by CMD_SYNC is never undone by a walk that read
 * the old tables.  Translation may run in any thread (the main thread
 * for emulated DMA); the device lock is taken only briefly (global
 * configuration, STE fetch, event write), so the accel iothread's event
 * writes are never held up by a walk.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-translate.h"
#include "hw/arm/smmuv3-walk.h"
#include "trace.h"

enum {
    CFG_ABORT,
    CFG_BYPASS,
    CFG_TRANSLATE,
};

/* Which stages made an IOTLB entry. */
enum {
    TLB_S1 = 1,
    TLB_S2 = 2,
};

/* The decoded configuration of one StreamID (and SubstreamID). */
typedef struct SMMUTransCfg {
    uint32_t sid;               /* key: sid, ssv, ssid */
    uint32_t ssid;
    bool ssv;
    uint8_t kind;               /* CFG_* */
    uint8_t privcfg;            /* STE.PRIVCFG */
    uint8_t instcfg;            /* STE.INSTCFG */
    uint16_t asid;
    uint16_t vmid;
    bool tbi[2];                /* CD.TBI0, CD.TBI1 */
    SMMUWalkConfig walk;
} SMMUTransCfg;

typedef struct SMMUIOTLBKey {
    uint64_t iova;              /* aligned to 1 << log2size */
    uint16_t vmid;
    uint16_t asid;              /* 0 without stage 1 */
    uint8_t log2size;
    uint8_t stages;             /* TLB_S1 | TLB_S2 */
    uint8_t pnu;                /* the permissions are for this PnU */
} SMMUIOTLBKey;

typedef struct SMMUIOTLBEntry {
    SMMUIOTLBKey key;           /* first: the entry is its own key */
    uint64_t pa;
    uint64_t ipa;               /* of key.iova */
    uint8_t s1_log2;            /* stage-1 leaf, for VA invalidation */
    uint8_t s2_log2;            /* stage-2 leaf, for IPA invalidation */
    uint8_t perm;               /* SMMU_WALK_PERM_* */
} SMMUIOTLBEntry;

typedef struct SMMUv3TransState {
    GMutex lock;
    GHashTable *cfgs;           /* SMMUTransCfg, keyed by itself */
    GHashTable *iotlb;          /* SMMUIOTLBEntry, keyed by itself */
    uint64_t iotlb_sizes;       /* bit n: an entry of 2^n bytes exists */
    uint64_t gen;               /* bumped by every invalidation */
    SMMUTransStats stats;
} SMMUv3TransState;

/* ---- Caches ------------------------------------------------------------ */

static guint cfg_hash(gconstpointer p)
{
    const SMMUTransCfg *c = p;

    return c->sid * 31u + c->ssid * 2u + c->ssv;
}

static gboolean cfg_equal(gconstpointer a, gconstpointer b)
{
    const SMMUTransCfg *x = a, *y = b;

    return x->sid == y->sid && x->ssid == y->ssid && x->ssv == y->ssv;
}

static guint iotlb_hash(gconstpointer p)
{
    const SMMUIOTLBKey *k = p;
    uint64_t h = k->iova ^ ((uint64_t)k->vmid << 48) ^
                 ((uint64_t)k->asid << 32) ^ k->log2size ^
                 (k->stages << 6) ^ (k->pnu << 8);

    return (guint)(h ^ (h >> 32));
}

static gboolean iotlb_equal(gconstpointer a, gconstpointer b)
{
    const SMMUIOTLBKey *x = a, *y = b;

    return x->iova == y->iova && x->vmid == y->vmid && x->asid == y->asid &&
           x->log2size == y->log2size && x->stages == y->stages &&
           x->pnu == y->pnu;
}

void smmuv3_trans_init(SMMUv3State *s)
{
    SMMUv3TransState *t = g_new0(SMMUv3TransState, 1);

    g_mutex_init(&t->lock);
    t->cfgs = g_hash_table_new_full(cfg_hash, cfg_equal, NULL, g_free);
    t->iotlb = g_hash_table_new_full(iotlb_hash, iotlb_equal, NULL, g_free);
    s->s_trans = t;
}

void smmuv3_trans_fini(SMMUv3State *s)
{
    SMMUv3TransState *t = s->s_trans;

    if (!t) {
        return;
    }
    g_hash_table_destroy(t->cfgs);
    g_hash_table_destroy(t->iotlb);
    g_mutex_clear(&t->lock);
    g_free(t);
    s->s_trans = NULL;
}

static void iotlb_clear(SMMUv3TransState *t)
{
    t->stats.iotlb_invalidated += g_hash_table_size(t->iotlb);
    g_hash_table_remove_all(t->iotlb);
    t->iotlb_sizes = 0;
}

void smmuv3_trans_flush(SMMUv3State *s)
{
    SMMUv3TransState *t = s->s_trans;

    g_mutex_lock(&t->lock);
    t->stats.cfg_invalidated += g_hash_table_size(t->cfgs);
    g_hash_table_remove_all(t->cfgs);
    iotlb_clear(t);
    t->gen++;
    g_mutex_unlock(&t->lock);
}

void smmuv3_get_trans_stats(SMMUv3State *s, SMMUTransStats *stats)
{
    SMMUv3TransState *t = s->s_trans;

    g_mutex_lock(&t->lock);
    *stats = t->stats;
    stats->iotlb_entries = g_hash_table_size(t->iotlb);
    stats->cfg_entries = g_hash_table_size(t->cfgs);
    g_mutex_unlock(&t->lock);
}

/* Copy the cached configuration for @key into @cfg.  Locked. */
static bool cfg_lookup(SMMUv3TransState *t, const SMMUTransCfg *key,
                       SMMUTransCfg *cfg)
{
    SMMUTransCfg *c = g_hash_table_lookup(t->cfgs, key);

    if (!c) {
        t->stats.cfg_misses++;
        return false;
    }
    t->stats.cfg_hits++;
    *cfg = *c;
    return true;
}

/* Cache @cfg if nothing was invalidated since generation @gen.  Locked. */
static void cfg_insert(SMMUv3TransState *t, const SMMUTransCfg *cfg,
                       uint64_t gen)
{
    if (gen != t->gen) {
        return;
    }
    if (g_hash_table_size(t->cfgs) >= SMMU_CFG_CACHE_MAX_ENTRIES) {
        t->stats.cfg_evictions += g_hash_table_size(t->cfgs);
        g_hash_table_remove_all(t->cfgs);
    }
    g_hash_table_add(t->cfgs, g_memdup2(cfg, sizeof(*cfg)));
}

static unsigned perm_needed(const SMMUWalkAccess *acc)
{
    if (acc->write) {
        return SMMU_WALK_PERM_W;
    }
    return acc->instr ? SMMU_WALK_PERM_X : SMMU_WALK_PERM_R;
}

static void iotlb_key(const SMMUTransCfg *cfg, const SMMUWalkAccess *acc,
                      unsigned log2size, SMMUIOTLBKey *key)
{
    *key = (SMMUIOTLBKey) {
        .iova = acc->iova & ~(MAKE_64BIT_MASK(0, log2size)),
        .vmid = cfg->vmid,
        .asid = cfg->walk.s1_enabled ? cfg->asid : 0,
        .log2size = log2size,
        .stages = (cfg->walk.s1_enabled ? TLB_S1 : 0) |
                  (cfg->walk.s2_enabled ? TLB_S2 : 0),
        .pnu = acc->priv,
    };
}

/*
 * The entry mapping @acc, trying every size an entry has.  An entry
 * without the permission the access needs is no hit: the walk decides
 * the fault.  Locked.
 */
static bool iotlb_lookup(SMMUv3TransState *t, const SMMUTransCfg *cfg,
                         const SMMUWalkAccess *acc, SMMUIOTLBEntry *out)
{
    for (uint64_t sizes = t->iotlb_sizes; sizes; sizes &= sizes - 1) {
        SMMUIOTLBKey key;
        SMMUIOTLBEntry *e;

        iotlb_key(cfg, acc, __builtin_ctzll(sizes), &key);
        e = g_hash_table_lookup(t->iotlb, &key);
        if (e && (e->perm & perm_needed(acc))) {
            t->stats.iotlb_hits++;
            *out = *e;
            return true;
        }
    }
    t->stats.iotlb_misses++;
    return false;
}

static unsigned log2_size(uint64_t size)
{
    return size == UINT64_MAX ? 64 : __builtin_ctzll(size);
}

/* Cache the walk @res of @acc unless invalidated since @gen.  Locked. */
static void iotlb_insert(SMMUv3TransState *t, const SMMUTransCfg *cfg,
                         const SMMUWalkAccess *acc,
                         const SMMUWalkResult *res, uint64_t gen)
{
    SMMUIOTLBEntry *e;
    unsigned log2 = log2_size(res->size);

    if (gen != t->gen || log2 >= 64) {
        return;
    }
    if (g_hash_table_size(t->iotlb) >= SMMU_IOTLB_MAX_ENTRIES) {
        t->stats.iotlb_evictions += g_hash_table_size(t->iotlb);
        trace_smmuv3_iotlb_evict(g_hash_table_size(t->iotlb));
        g_hash_table_remove_all(t->iotlb);
        t->iotlb_sizes = 0;
    }
    e = g_new0(SMMUIOTLBEntry, 1);
    iotlb_key(cfg, acc, log2, &e->key);
    e->pa = res->pa & ~(res->size - 1);
    e->ipa = res->ipa & ~(res->size - 1);
    e->s1_log2 = log2_size(res->s1_size);
    e->s2_log2 = log2_size(res->s2_size);
    e->perm = res->perm;
    t->iotlb_sizes |= 1ULL << log2;
    trace_smmuv3_iotlb_insert(e->key.vmid, e->key.asid, e->key.iova, log2,
                              e->pa);
    g_hash_table_add(t->iotlb, e);
}

/* ---- Invalidation -------------------------------------------------------- */

/* What one command removes. */
typedef struct SMMUInval {
    unsigned type;              /* SMMU_CMD_* */
    uint32_t sid_lo, sid_hi;    /* CFGI: [lo, hi] */
    uint32_t ssid;
    bool any_vmid;
    uint16_t vmid;
    uint16_t asid;
    uint64_t start, last;       /* TLBI by address: [start, last] */
} SMMUInval;

static gboolean cfg_match(gpointer key, gpointer value, gpointer opaque)
{
    const SMMUTransCfg *c = value;
    const SMMUInval *inv = opaque;

    if (c->sid < inv->sid_lo || c->sid > inv->sid_hi) {
        return false;
    }
    /* CFGI_CD: that CD, and traffic without a SubstreamID (CD 0). */
    return inv->type != SMMU_CMD_CFGI_CD || !c->ssv || c->ssid == inv->ssid;
}

/* Whether the 2^log2 bytes around @a overlap [start, last]. */
static bool span_overlaps(uint64_t a, unsigned log2, const SMMUInval *inv)
{
    uint64_t mask = log2 >= 64 ? UINT64_MAX : MAKE_64BIT_MASK(0, log2);
    uint64_t lo = a & ~mask;

    return lo <= inv->last && (lo | mask) >= inv->start;
}

static gboolean tlb_match(gpointer key, gpointer value, gpointer opaque)
{
    const SMMUIOTLBEntry *e = value;
    const SMMUInval *inv = opaque;
    bool s1 = e->key.stages & TLB_S1;

    if (!inv->any_vmid && e->key.vmid != inv->vmid) {
        return false;
    }
    switch (inv->type) {
    case SMMU_CMD_TLBI_NH_ALL:
        return s1;
    case SMMU_CMD_TLBI_NH_ASID:
        return s1 && e->key.asid == inv->asid;
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
        /* Any ASID: global entries match a VA whatever their ASID. */
        return s1 && span_overlaps(e->key.iova, e->s1_log2, inv);
    case SMMU_CMD_TLBI_S2_IPA:
        return (e->key.stages & TLB_S2) &&
               span_overlaps(e->ipa, e->s2_log2, inv);
    default:    /* TLBI_S12_VMALL, TLBI_NSNH_ALL */
        return true;
    }
}

/*
 * The address range of a TLBI by VA or IPA: one address, or with range
 * invalidation (IDR3.RIL, CMD_1.TG != 0) (NUM + 1) << SCALE granules.
 */
static void inval_range(SMMUv3State *s, const SMMUCmd *cmd, uint64_t addr,
                        SMMUInval *inv)
{
    unsigned tg = FIELD_EX64(cmd->word[1], CMD_1, TG);
    unsigned num = FIELD_EX64(cmd->word[0], CMD_0, NUM);
    unsigned scale = FIELD_EX64(cmd->word[0], CMD_0, SCALE);
    unsigned shift;

    inv->start = addr;
    inv->last = addr;
    if (!tg || !FIELD_EX32(s->idr[3], IDR3, RIL)) {
        return;
    }
    shift = tg == 1 ? 12 : tg == 2 ? 14 : 16;
    shift += scale;
    if (shift >= 64) {
        inv->last = UINT64_MAX;
        return;
    }
    inv->last = addr + (((uint64_t)num + 1) << shift) - 1;
    if (inv->last < addr) {
        inv->last = UINT64_MAX;
    }
}

static void inval_decode_cfgi(const SMMUCmd *cmd, unsigned type,
                              SMMUInval *inv)
{
    uint32_t sid = FIELD_EX64(cmd->word[0], CMD_0, SID);

    inv->sid_lo = inv->sid_hi = sid;
    inv->ssid = FIELD_EX64(cmd->word[0], CMD_0, SSID);
    if (type == SMMU_CMD_CFGI_STE_RANGE) {
        unsigned range = FIELD_EX64(cmd->word[1], CMD_1, RANGE);
        uint64_t n = 2ULL << range;

        inv->sid_lo = sid & ~(uint32_t)(n - 1);
        inv->sid_hi = inv->sid_lo + (uint32_t)(n - 1);
    }
}

static void inval_decode_tlbi(SMMUv3State *s, const SMMUCmd *cmd,
                              unsigned type, SMMUInval *inv)
{
    inv->asid = FIELD_EX64(cmd->word[0], CMD_0, ASID);
    inv->vmid = FIELD_EX64(cmd->word[0], CMD_0, VMID);
    /* Without stage 2 there are no VMIDs: entries carry 0. */
    if (!FIELD_EX32(s->idr[0], IDR0, S2P)) {
        inv->vmid = 0;
    }
    inv->any_vmid = type == SMMU_CMD_TLBI_NSNH_ALL;
    if (type == SMMU_CMD_TLBI_NH_VA || type == SMMU_CMD_TLBI_NH_VAA) {
        inval_range(s, cmd, cmd->word[1] & R_CMD_1_ADDR_MASK, inv);
    } else if (type == SMMU_CMD_TLBI_S2_IPA) {
        inval_range(s, cmd, cmd->word[1] & R_CMD_1_IPA_MASK, inv);
    }
}

void smmuv3_trans_invalidate(SMMUv3State *s, const SMMUCmd *cmd)
{
    SMMUv3TransState *t = s->s_trans;
    unsigned type = smmu_cmd_opcode(cmd);
    SMMUInval inv = { .type = type };
    unsigned removed;

    g_mutex_lock(&t->lock);
    switch (type) {
    case SMMU_CMD_CFGI_STE:
    case SMMU_CMD_CFGI_STE_RANGE:
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
        inval_decode_cfgi(cmd, type, &inv);
        removed = g_hash_table_foreach_remove(t->cfgs, cfg_match, &inv);
        t->stats.cfg_invalidated += removed;
        break;
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
    case SMMU_CMD_TLBI_S12_VMALL:
    case SMMU_CMD_TLBI_S2_IPA:
    case SMMU_CMD_TLBI_NSNH_ALL:
        inval_decode_tlbi(s, cmd, type, &inv);
        removed = g_hash_table_foreach_remove(t->iotlb, tlb_match, &inv);
        t->stats.iotlb_invalidated += removed;
        break;
    default:
        g_mutex_unlock(&t->lock);
        return;
    }
    t->gen++;
    g_mutex_unlock(&t->lock);
    trace_smmuv3_trans_invalidate(smmu_cmd_name(type), inv.sid_lo, inv.vmid,
                                  inv.asid, inv.start, inv.last, removed);
}

/* ---- Configuration ------------------------------------------------------- */

/* The outcome of a failed translation step. */
typedef struct SMMUTransFault {
    SMMUEvent evt;
    bool record;
} SMMUTransFault;

/* A configuration error: always recorded. */
static bool config_fault(SMMUTransFault *tf, SMMUEventType type,
                         const SMMUTransaction *txn, const char *why)
{
    trace_smmuv3_config_error(txn->sid, smmu_event_type_name(type), why);
    smmu_event_init(&tf->evt, type, txn->sid);
    if (txn->ssv) {
        smmu_event_set_ssid(&tf->evt, txn->ssid);
    }
    tf->record = true;
    return false;
}

/* The record of walker fault @f for @txn, made as @acc. */
static void walk_event(const SMMUTransaction *txn, const SMMUWalkAccess *acc,
                       const SMMUWalkFault *f, SMMUTransFault *tf)
{
    SMMUEventInfo info = {
        .type = (SMMUEventType)f->type,
        .sid = txn->sid,
        .ssv = txn->ssv,
        .ssid = txn->ssid,
        .pnu = acc->priv,
        .ind = acc->instr,
        .rnw = !acc->write,
        .s2 = f->s2,
        .class_ = f->class,
        .ttrnw = f->class == SMMU_WALK_CLASS_TT && f->ttrnw,
        .input_addr = txn->addr,
    };

    if (f->type == SMMU_WALK_FAULT_WALK_EABT) {
        info.addr2 = f->fetch_pa & SMMU_EVT_FETCHADDR_MASK;
    } else if (f->s2) {
        info.addr2 = f->ipa & SMMU_EVT_IPA_MASK;
    }
    smmu_event_build(&tf->evt, &info);
    tf->record = f->record;
}

static bool trans_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
    SMMUv3State *s = opaque;

    return address_space_read(s->parent_obj.as, addr, buf, len) == MEMTX_OK;
}

/* The access as the STE's PRIVCFG and INSTCFG present it. */
static SMMUWalkAccess trans_access(const SMMUTransCfg *cfg,
                                   const SMMUTransaction *txn)
{
    SMMUWalkAccess acc = {
        .iova = txn->addr, .write = txn->write, .priv = txn->priv,
        .instr = txn->instr,
    };

    if (cfg->privcfg == SMMU_PRIVCFG_UNPRIV ||
        cfg->privcfg == SMMU_PRIVCFG_PRIV) {
        acc.priv = cfg->privcfg == SMMU_PRIVCFG_PRIV;
    }
    if (cfg->instcfg == SMMU_INSTCFG_DATA ||
        cfg->instcfg == SMMU_INSTCFG_INSTR) {
        acc.instr = cfg->instcfg == SMMU_INSTCFG_INSTR;
    }
    /* Writes are data accesses. */
    acc.instr &= !acc.write;
    /* Top-byte ignore: the walk and the IOTLB see VA[55] extended. */
    if (cfg->walk.s1_enabled && cfg->tbi[extract64(txn->addr, 55, 1)]) {
        acc.iova = (uint64_t)((int64_t)(txn->addr << 8) >> 8);
    }
    return acc;
}

/*
 * Read @n words of a CD or level-1 CD descriptor at @addr: an IPA
 * translated by stage 2 (CLASS CD) when nested.  Faults: stage-2 faults
 * of the fetch, F_CD_FETCH for an abort.
 */
static bool cd_read(SMMUv3State *s, const SMMUTransCfg *cfg,
                    const SMMUTransaction *txn, uint64_t addr,
                    uint64_t *words, unsigned n, SMMUTransFault *tf)
{
    SMMUWalkAccess acc = trans_access(cfg, txn);
    uint64_t le[8];

    if (cfg->walk.s2_enabled) {
        SMMUWalkResult res;
        SMMUWalkFault f;

        if (!smmuv3_walk_s2(&cfg->walk, addr, &acc, SMMU_WALK_CLASS_CD,
                            trans_read, s, &res, &f)) {
            walk_event(txn, &acc, &f, tf);
            return false;
        }
        addr = res.pa;
    }
    if (!trans_read(s, addr, le, n * 8)) {
        config_fault(tf, SMMU_EVT_F_CD_FETCH, txn, "fetch outside guest RAM");
        smmu_event_set_addr(&tf->evt, SMMU_EVT_ADDR2_WORD,
                            addr & SMMU_EVT_FETCHADDR_MASK);
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        words[i] = GUINT64_FROM_LE(le[i]);
    }
    return true;
}

/*
 * The SubstreamID whose CD @txn uses, or with *bypass stage 1 bypassed
 * (STE.S1DSS).  Faults: C_BAD_SUBSTREAMID, F_STREAM_DISABLED.
 */
static bool cd_ssid(const SMMUSte *ste, const SMMUTransaction *txn,
                    uint32_t *ssid, bool *bypass, SMMUTransFault *tf)
{
    unsigned cdmax = FIELD_EX64(ste->word[0], STE_0, S1CDMAX);
    unsigned dss = FIELD_EX64(ste->word[1], STE_1, S1DSS);

    *bypass = false;
    *ssid = 0;
    if (!cdmax) {
        return !txn->ssv ||
               config_fault(tf, SMMU_EVT_C_BAD_SUBSTREAMID, txn,
                            "SubstreamID with S1CDMax 0");
    }
    if (!txn->ssv) {
        switch (dss) {
        case SMMU_S1DSS_TERMINATE:
            return config_fault(tf, SMMU_EVT_F_STREAM_DISABLED, txn,
                                "no SubstreamID and S1DSS terminate");
        case SMMU_S1DSS_BYPASS:
            *bypass = true;
            return true;
        default:
            return true;        /* SSID0 */
        }
    }
    if ((uint64_t)txn->ssid >> cdmax) {
        return config_fault(tf, SMMU_EVT_C_BAD_SUBSTREAMID, txn,
                            "SubstreamID beyond S1CDMax");
    }
    if (!txn->ssid && dss == SMMU_S1DSS_SSID0) {
        return config_fault(tf, SMMU_EVT_C_BAD_SUBSTREAMID, txn,
                            "SubstreamID 0 with S1DSS SSID0");
    }
    *ssid = txn->ssid;
    return true;
}

/* The address of CD @ssid, through the level-1 table of 2-level formats. */
static bool cd_addr(SMMUv3State *s, const SMMUTransCfg *cfg,
                    const SMMUSte *ste, const SMMUTransaction *txn,
                    uint32_t ssid, uint64_t *addr, SMMUTransFault *tf)
{
    uint64_t ptr = ste->word[0] & R_STE_0_S1CTXPTR_MASK;
    unsigned fmt = FIELD_EX64(ste->word[0], STE_0, S1FMT);
    unsigned split;
    uint64_t l1;

    if (!FIELD_EX64(ste->word[0], STE_0, S1CDMAX) ||
        fmt == SMMU_S1FMT_LINEAR) {
        *addr = ptr + (uint64_t)ssid * SMMU_CD_SIZE;
        return true;
    }
    split = fmt == SMMU_S1FMT_4K_L2 ? 6 : 10;
    if (!cd_read(s, cfg, txn, ptr + (uint64_t)(ssid >> split) *
                 SMMU_L1CD_SIZE, &l1, 1, tf)) {
        return false;
    }
    if (!FIELD_EX64(l1, L1CD, V)) {
        return config_fault(tf, SMMU_EVT_C_BAD_SUBSTREAMID, txn,
                            "invalid level-1 CD descriptor");
    }
    *addr = (l1 & R_L1CD_L2PTR_MASK) +
            (uint64_t)(ssid & MAKE_64BIT_MASK(0, split)) * SMMU_CD_SIZE;
    return true;
}

/* Stage 1 of @cfg from the context descriptor @cd. */
static void cd_decode(const SMMUCd *cd, SMMUTransCfg *cfg)
{
    const uint64_t *w = cd->word;
    SMMUWalkS1Cfg *s1 = &cfg->walk.s1;

    cfg->walk.s1_enabled = true;
    cfg->asid = FIELD_EX64(w[0], CD_0, ASID);
    s1->tt[0] = (SMMUWalkTT) {
        .ttb = w[1] & R_CD_1_TTB0_MASK,
        .tsz = FIELD_EX64(w[0], CD_0, T0SZ),
        .granule = smmuv3_walk_tg0_granule(FIELD_EX64(w[0], CD_0, TG0)),
        .epd = FIELD_EX64(w[0], CD_0, EPD0),
        .had = FIELD_EX64(w[1], CD_1, HAD0),
    };
    s1->tt[1] = (SMMUWalkTT) {
        .ttb = w[2] & R_CD_2_TTB1_MASK,
        .tsz = FIELD_EX64(w[0], CD_0, T1SZ),
        .granule = smmuv3_walk_tg1_granule(FIELD_EX64(w[0], CD_0, TG1)),
        .epd = FIELD_EX64(w[0], CD_0, EPD1),
        .had = FIELD_EX64(w[2], CD_2, HAD1),
    };
    s1->ips = smmuv3_walk_ps_bits(FIELD_EX64(w[0], CD_0, IPS));
    s1->affd = FIELD_EX64(w[0], CD_0, AFFD);
    s1->wxn = FIELD_EX64(w[0], CD_0, WXN);
    s1->pan = FIELD_EX64(w[0], CD_0, PAN);
    s1->record = FIELD_EX64(w[0], CD_0, R);
    cfg->tbi[0] = FIELD_EX64(w[0], CD_0, TBI0);
    cfg->tbi[1] = FIELD_EX64(w[0], CD_0, TBI1);
}

/* Fetch, check and decode the CD @txn uses into @cfg. */
static bool cd_fetch(SMMUv3State *s, const SMMUSte *ste,
                     const SMMUTransaction *txn, SMMUTransCfg *cfg,
                     SMMUTransFault *tf)
{
    Error *err = NULL;
    uint32_t ssid;
    bool bypass;
    uint64_t addr = 0;
    SMMUCd cd;

    if (!cd_ssid(ste, txn, &ssid, &bypass, tf)) {
        return false;
    }
    if (bypass) {
        return true;
    }
    if (!cd_addr(s, cfg, ste, txn, ssid, &addr, tf) ||
        !cd_read(s, cfg, txn, addr, cd.word, 8, tf)) {
        return false;
    }
    trace_smmuv3_get_cd(txn->sid, ssid, addr);
    if (!FIELD_EX64(cd.word[0], CD_0, V)) {
        return config_fault(tf, SMMU_EVT_C_BAD_CD, txn, "CD.V is 0");
    }
    if (!FIELD_EX64(cd.word[0], CD_0, AA64)) {
        return config_fault(tf, SMMU_EVT_C_BAD_CD, txn,
                            "AArch32 translation tables not implemented");
    }
    if (FIELD_EX64(cd.word[0], CD_0, ENDI)) {
        return config_fault(tf, SMMU_EVT_C_BAD_CD, txn,
                            "big-endian translation tables not implemented");
    }
    cd_decode(&cd, cfg);
    if (!smmuv3_walk_check_s1(&cfg->walk, &err)) {
        config_fault(tf, SMMU_EVT_C_BAD_CD, txn, error_get_pretty(err));
        error_free(err);
        return false;
    }
    return true;
}

/* Stage 2 of @cfg from the STE. */
static void ste_decode_s2(const SMMUSte *ste, SMMUTransCfg *cfg)
{
    uint64_t w2 = ste->word[2];

    cfg->walk.s2_enabled = true;
    cfg->walk.s2 = (SMMUWalkS2Cfg) {
        .ttb = ste->word[3] & R_STE_3_S2TTB_MASK,
        .tsz = FIELD_EX64(w2, STE_2, S2T0SZ),
        .sl0 = FIELD_EX64(w2, STE_2, S2SL0),
        .granule = smmuv3_walk_tg0_granule(FIELD_EX64(w2, STE_2, S2TG)),
        .ps = smmuv3_walk_ps_bits(FIELD_EX64(w2, STE_2, S2PS)),
        .affd = FIELD_EX64(w2, STE_2, S2AFFD),
        .record = FIELD_EX64(w2, STE_2, S2R),
    };
}

/* STE checks beyond smmuv3_get_ste()'s, for a translating STE. */
static const char *ste_invalid(const SMMUSte *ste, unsigned config)
{
    if ((config & SMMU_STE_CONFIG_S1_EN) &&
        FIELD_EX64(ste->word[1], STE_1, STRW) != SMMU_STRW_NSEL1) {
        return "STE.STRW selects EL2 but IDR0.HYP is 0";
    }
    if ((config & SMMU_STE_CONFIG_S1_EN) &&
        FIELD_EX64(ste->word[0], STE_0, S1CDMAX) &&
        (FIELD_EX64(ste->word[1], STE_1, S1DSS) == 3 ||
         FIELD_EX64(ste->word[0], STE_0, S1FMT) == 3)) {
        return "reserved S1DSS or S1Fmt";
    }
    if ((config & SMMU_STE_CONFIG_S2_EN) &&
        FIELD_EX64(ste->word[2], STE_2, S2ENDI)) {
        return "big-endian stage 2 tables not implemented";
    }
    return NULL;
}

/* The walker's view of what this SMMU implements. */
static void cfg_idr(const uint32_t idr[6], SMMUTransCfg *cfg)
{
    cfg->walk.oas = smmu_oas_bits(FIELD_EX32(idr[5], IDR5, OAS));
    cfg->walk.xnx = FIELD_EX32(idr[3], IDR3, XNX);
    /* IDR5.VAX and IDR3.STT are 0. */
}

/* Decode the configuration of @txn's stream (and substream) into @cfg. */
static bool cfg_fetch(SMMUv3State *s, const SMMUTransaction *txn,
                      SMMUTransCfg *cfg, SMMUTransFault *tf)
{
    Error *err = NULL;
    uint32_t idr[6];
    unsigned config;
    const char *why;
    SMMUSte ste;

    if (!smmuv3_get_ste(s, txn->sid, &ste, &tf->evt)) {
        if (txn->ssv) {
            smmu_event_set_ssid(&tf->evt, txn->ssid);
        }
        tf->record = true;
        return false;
    }
    smmuv3_get_idr(s, idr);
    config = smmu_ste_config(&ste);
    cfg->kind = config == SMMU_STE_CONFIG_ABORT ? CFG_ABORT :
                config == SMMU_STE_CONFIG_BYPASS ? CFG_BYPASS : CFG_TRANSLATE;
    if (cfg->kind != CFG_TRANSLATE) {
        return true;
    }
    why = ste_invalid(&ste, config);
    if (why) {
        return config_fault(tf, SMMU_EVT_C_BAD_STE, txn, why);
    }
    cfg_idr(idr, cfg);
    cfg->privcfg = FIELD_EX64(ste.word[1], STE_1, PRIVCFG);
    cfg->instcfg = FIELD_EX64(ste.word[1], STE_1, INSTCFG);
    if (FIELD_EX32(idr[0], IDR0, S2P)) {
        cfg->vmid = FIELD_EX64(ste.word[2], STE_2, S2VMID);
    }
    if (config & SMMU_STE_CONFIG_S2_EN) {
        ste_decode_s2(&ste, cfg);
        if (!smmuv3_walk_check_s2(&cfg->walk, &err)) {
            config_fault(tf, SMMU_EVT_C_BAD_STE, txn, error_get_pretty(err));
            error_free(err);
            return false;
        }
    }
    return !(config & SMMU_STE_CONFIG_S1_EN) ||
           cd_fetch(s, &ste, txn, cfg, tf);
}

/* ---- Translation ----------------------------------------------------------- */

static void entry_fill(IOMMUTLBEntry *entry, uint64_t iova, uint64_t pa,
                       unsigned log2, unsigned perm)
{
    uint64_t mask = MAKE_64BIT_MASK(0, log2);

    *entry = (IOMMUTLBEntry) {
        .iova = iova & ~mask,
        .translated_addr = pa & ~mask,
        .addr_mask = mask,
        .perm = (perm & SMMU_WALK_PERM_R ? IOMMU_RO : 0) |
                (perm & SMMU_WALK_PERM_W ? IOMMU_WO : 0),
    };
}

/* Bypass: the input address is the output, read and write. */
static bool bypass(SMMUv3TransState *t, const SMMUTransaction *txn,
                   IOMMUTLBEntry *entry, const char *why)
{
    trace_smmuv3_translate_bypass(txn->sid, txn->addr, why);
    entry_fill(entry, txn->addr, txn->addr, 12,
               SMMU_WALK_PERM_R | SMMU_WALK_PERM_W);
    g_mutex_lock(&t->lock);
    t->stats.bypassed++;
    g_mutex_unlock(&t->lock);
    return true;
}

/* Terminate @txn; write the record of @tf when it is recorded. */
static bool terminate(SMMUv3State *s, const SMMUTransaction *txn,
                      const SMMUTransFault *tf)
{
    SMMUv3TransState *t = s->s_trans;
    unsigned type = tf ? smmu_event_get_type(&tf->evt) : 0;

    trace_smmuv3_translate_fault(txn->sid, txn->ssid, txn->addr,
                                 tf ? smmu_event_type_name(type) : "abort",
                                 tf && tf->record);
    g_mutex_lock(&t->lock);
    if (!tf) {
        t->stats.aborted++;
    } else {
        t->stats.faulted++;
        t->stats.events += tf->record;
        t->stats.events_suppressed += !tf->record;
    }
    g_mutex_unlock(&t->lock);
    if (tf && tf->record) {
        smmuv3_eventq_write_batch(s, &tf->evt, 1, NULL);
    }
    return false;
}

/* The configuration of @txn, from the cache or fetched. */
static bool trans_cfg(SMMUv3State *s, const SMMUTransaction *txn,
                      SMMUTransCfg *cfg, SMMUTransFault *tf)
{
    SMMUv3TransState *t = s->s_trans;
    uint64_t gen;
    bool hit;

    *cfg = (SMMUTransCfg) {
        .sid = txn->sid, .ssv = txn->ssv, .ssid = txn->ssv ? txn->ssid : 0,
    };
    g_mutex_lock(&t->lock);
    hit = cfg_lookup(t, cfg, cfg);
    gen = t->gen;
    g_mutex_unlock(&t->lock);
    if (hit) {
        return true;
    }
    if (!cfg_fetch(s, txn, cfg, tf)) {
        return false;
    }
    g_mutex_lock(&t->lock);
    cfg_insert(t, cfg, gen);
    g_mutex_unlock(&t->lock);
    return true;
}

/* Stages 1 and/or 2 for @txn under @cfg: IOTLB, else a walk. */
static bool trans_walk(SMMUv3State *s, const SMMUTransaction *txn,
                       const SMMUTransCfg *cfg, IOMMUTLBEntry *entry)
{
    SMMUv3TransState *t = s->s_trans;
    SMMUWalkAccess acc = trans_access(cfg, txn);
    SMMUIOTLBEntry e;
    SMMUWalkResult res;
    SMMUWalkFault f;
    SMMUTransFault tf;
    uint64_t gen;
    bool hit;

    g_mutex_lock(&t->lock);
    hit = iotlb_lookup(t, cfg, &acc, &e);
    gen = t->gen;
    if (hit) {
        t->stats.translated++;
    }
    g_mutex_unlock(&t->lock);
    if (hit) {
        entry_fill(entry, txn->addr, e.pa, e.key.log2size, e.perm);
        return true;
    }
    if (!smmuv3_walk(&cfg->walk, &acc, trans_read, s, &res, &f)) {
        walk_event(txn, &acc, &f, &tf);
        return terminate(s, txn, &tf);
    }
    g_mutex_lock(&t->lock);
    iotlb_insert(t, cfg, &acc, &res, gen);
    t->stats.translated++;
    g_mutex_unlock(&t->lock);
    entry_fill(entry, txn->addr, res.pa, MIN(log2_size(res.size), 63),
               res.perm);
    return true;
}

bool smmuv3_translate(SMMUv3State *s, const SMMUTransaction *txn,
                      IOMMUTLBEntry *entry)
{
    SMMUGlobalConfig g;
    SMMUTransCfg cfg;
    SMMUTransFault tf;

    smmuv3_get_global_config(s, &g);
    if (!g.smmu_enabled) {
        return g.gbpa_abort ? terminate(s, txn, NULL)
                            : bypass(s->s_trans, txn, entry, "GBPA");
    }
    if (!trans_cfg(s, txn, &cfg, &tf)) {
        return terminate(s, txn, &tf);
    }
    switch (cfg.kind) {
    case CFG_ABORT:
        return terminate(s, txn, NULL);
    case CFG_BYPASS:
        return bypass(s->s_trans, txn, entry, "STE bypass");
    }
    if (!cfg.walk.s1_enabled && !cfg.walk.s2_enabled) {
        return bypass(s->s_trans, txn, entry, "S1DSS bypass");
    }
    if (!trans_walk(s, txn, &cfg, entry)) {
        return false;
    }
    trace_smmuv3_translate(txn->sid, txn->ssid, txn->addr, txn->write,
                           entry->translated_addr, entry->addr_mask);
    return true;
}

bool smmuv3_pci_translate(PCIBus *bus, void *opaque, uint16_t requester_id,
                          uint64_t addr, bool is_write, IOMMUTLBEntry *entry)
{
    SMMUTransaction txn = {
        .sid = requester_id, .addr = addr, .write = is_write,
    };

    return smmuv3_translate(opaque, &txn, entry);
}
