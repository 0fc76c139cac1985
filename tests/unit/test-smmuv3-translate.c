/*
 * Tests of the arm-smmuv3 model's translation for emulated endpoints
 * (hw/arm/smmuv3-translate.c), in process.
 *
 * The device sits on a "pcie.0" PCIBus the test owns; the libqos guest
 * driver brings it up over the memory API as Linux would; the test
 * writes STEs, CDs and translation tables in guest RAM from the
 * architecture's formats (descriptor bits from smmuv3-walk-ram.h, which
 * the walker does not use) and calls the bus's PCIIOMMUOps.translate
 * the way an emulated device's DMA does, or smmuv3_translate() for
 * accesses with a SubstreamID.  Fault records are compared byte for
 * byte in the guest event queue against records built with the one
 * encoding (smmu_event_build()).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/arm/smmuv3-translate.h"
#include "libqos/smmuv3-driver.h"
#include "accel-fixture.h"
#include "smmuv3-fixture.h"
#include "smmuv3-walk-ram.h"
#include "system/qmp-vsmmu.h"

#define DRV_RAM     SMMU_FIX_DRV_RAM
#define OUTSIDE_RAM 0x80000000ULL
#define IPA_DELTA   0x30000000ULL   /* nested: IPA = PA - IPA_DELTA */
#define OA          0x0000080000000000ULL   /* an output area above RAM */

typedef struct T {
    SMMUv3Fixture f;
    uint64_t next;              /* allocator over the test's half */
} T;

/* ---- Fixture ----------------------------------------------------------- */

static T *t_new_props(const char *const *props, bool two_level)
{
    T *t = g_new0(T, 1);
    QSMMUv3Options opts = {
        .cmdq_log2size = 6, .evtq_log2size = 5,
        .sid_bits = two_level ? 16 : 8, .two_level = two_level,
    };

    smmuv3_fixture_init(&t->f, props, &opts);
    t->next = RAM_BASE;
    return t;
}

static T *t_new(void)
{
    return t_new_props(NULL, true);
}

static void t_free(T *t)
{
    smmuv3_fixture_fini(&t->f);
    g_free(t);
}

/* Zeroed guest memory of @size bytes aligned to its size. */
static uint64_t t_alloc(T *t, uint64_t size)
{
    uint64_t align = MAX(size, 64);
    uint64_t a = (t->next + align - 1) & ~(align - 1);

    t->next = a + size;
    g_assert_cmphex(t->next, <=, DRV_RAM);
    return a;
}

static void w64(T *t, uint64_t addr, uint64_t v)
{
    smmuv3_fixture_w64(&t->f, addr, v);
}

static uint64_t r64(T *t, uint64_t addr)
{
    return smmuv3_fixture_r64(&t->f, addr);
}

static void cmd(T *t, uint64_t w0, uint64_t w1)
{
    qsmmuv3_cmd(&t->f.d, w0, w1);
    g_assert_true(qsmmuv3_sync(&t->f.d));
}

/* The emulated device's view: PCIIOMMUOps.translate on the bus. */
static bool dma(T *t, uint16_t rid, uint64_t addr, bool write,
                IOMMUTLBEntry *e)
{
    return smmuv3_fixture_dma(&t->f, rid, addr, write, e);
}

static uint64_t dma_ok(T *t, uint16_t rid, uint64_t addr, bool write)
{
    IOMMUTLBEntry e;

    if (!dma(t, rid, addr, write, &e)) {
        g_error("DMA of 0x%" PRIx64 " by 0x%x faulted", addr, rid);
    }
    g_assert_cmphex(e.iova, ==, addr & ~e.addr_mask);
    g_assert_true(e.perm & (write ? IOMMU_WO : IOMMU_RO));
    return e.translated_addr | (addr & e.addr_mask);
}

static void dma_fault(T *t, uint16_t rid, uint64_t addr, bool write)
{
    IOMMUTLBEntry e;

    g_assert_false(dma(t, rid, addr, write, &e));
}

static bool ssid_dma(T *t, uint32_t sid, uint32_t ssid, uint64_t addr,
                     uint64_t *pa)
{
    SMMUTransaction txn = { .sid = sid, .ssv = true, .ssid = ssid,
                            .addr = addr };
    IOMMUTLBEntry e;

    if (!smmuv3_translate(t->f.s, &txn, &e)) {
        return false;
    }
    *pa = e.translated_addr | (addr & e.addr_mask);
    return true;
}

/* ---- Events ------------------------------------------------------------ */

static uint32_t evtq_prod(T *t)
{
    return qsmmuv3_readl(&t->f.d, SMMU_PAGE1_OFFSET + A_EVENTQ_PROD);
}

/* The next record is exactly @info's, byte for byte; consume it. */
static void expect_event(T *t, const SMMUEventInfo *info)
{
    unsigned log2 = t->f.d.opts.evtq_log2size;
    uint8_t want[SMMU_EVENT_SIZE], got[SMMU_EVENT_SIZE];
    QSMMUv3Event ev;
    SMMUEvent e;

    g_assert_cmpuint(smmu_q_used(evtq_prod(t), t->f.d.evtq_cons, log2), ==, 1);
    smmu_event_build(&e, info);
    smmu_event_to_le(&e, want);
    g_assert(address_space_read(t->f.as, t->f.d.evtq +
                                smmu_q_index(t->f.d.evtq_cons, log2) *
                                SMMU_EVENT_SIZE, got, sizeof(got))
             == MEMTX_OK);
    if (memcmp(want, got, sizeof(want))) {
        for (int i = 0; i < SMMU_EVENT_SIZE; i += 4) {
            uint32_t w, g;

            memcpy(&w, want + i, 4);
            memcpy(&g, got + i, 4);
            g_test_message("word %d: want %08x got %08x", i / 4,
                           GUINT32_FROM_LE(w), GUINT32_FROM_LE(g));
        }
        g_assert_not_reached();
    }
    g_assert_cmpuint(qsmmuv3_evtq_consume(&t->f.d, &ev, 1, NULL), ==, 1);
}

static void expect_no_event(T *t)
{
    g_assert_true(smmu_q_empty(evtq_prod(t), t->f.d.evtq_cons,
                               t->f.d.opts.evtq_log2size));
}

/* ---- Tables ------------------------------------------------------------ */

/* One stage's tables: granule, start level, input bits, root. */
typedef struct PT {
    T *t;
    unsigned g;
    unsigned start;
    unsigned isz;
    uint64_t root;              /* PA */
    uint64_t delta;             /* table addresses in descriptors: PA - delta */
} PT;

static PT pt_new(T *t, unsigned g, unsigned isz, uint64_t delta)
{
    unsigned start = 3 - (isz - g - 1) / (g - 3);
    PT pt = { .t = t, .g = g, .start = start, .isz = isz, .delta = delta };

    pt.root = t_alloc(t, MAX(8ULL << (isz - ram_level_shift(g, start)), 64));
    return pt;
}

/* Write the leaf @desc for @ia at @level; returns the slot's PA. */
static uint64_t pt_map(PT *pt, uint64_t ia, unsigned level, uint64_t desc)
{
    uint64_t table = pt->root;

    for (unsigned l = pt->start; ; l++) {
        unsigned shift = ram_level_shift(pt->g, l);
        unsigned bits = l == pt->start ? pt->isz - shift : pt->g - 3;
        uint64_t slot = table + ((ia >> shift) & ((1ULL << bits) - 1)) * 8;
        uint64_t d;

        if (l == level) {
            w64(pt->t, slot, desc);
            return slot;
        }
        d = r64(pt->t, slot);
        if (!(d & 1)) {
            d = D_TABLE(t_alloc(pt->t, 1ULL << pt->g) - pt->delta);
            w64(pt->t, slot, d);
        }
        table = (d & 0x0000fffffffff000ULL & ~((1ULL << pt->g) - 1)) +
                pt->delta;
    }
}

/* CD.TG0 encodings of a granule. */
static unsigned tg0(unsigned g)
{
    return g == 12 ? SMMU_TG0_4K : g == 14 ? SMMU_TG0_16K : SMMU_TG0_64K;
}

/* A CD for TTB0 only (EPD1), 44-bit IPS, R and A set, ASID @asid. */
static void cd_write(T *t, uint64_t addr, const PT *pt, uint16_t asid)
{
    uint64_t w0 = 0;

    w0 = FIELD_DP64(w0, CD_0, T0SZ, 64 - pt->isz);
    w0 = FIELD_DP64(w0, CD_0, TG0, tg0(pt->g));
    w0 = FIELD_DP64(w0, CD_0, EPD1, 1);
    w0 = FIELD_DP64(w0, CD_0, V, 1);
    w0 = FIELD_DP64(w0, CD_0, IPS, SMMU_OAS_44BIT);
    w0 = FIELD_DP64(w0, CD_0, AA64, 1);
    w0 = FIELD_DP64(w0, CD_0, R, 1);
    w0 = FIELD_DP64(w0, CD_0, A, 1);
    w0 = FIELD_DP64(w0, CD_0, ASID, asid);
    w64(t, addr, w0);
    w64(t, addr + 8, (pt->root - pt->delta) & R_CD_1_TTB0_MASK);
    for (int i = 2; i < 8; i++) {
        w64(t, addr + 8 * i, 0);
    }
}

static void ste_write(T *t, uint32_t sid, const SMMUSte *ste)
{
    uint64_t addr = qsmmuv3_ste_addr(&t->f.d, sid);

    for (int i = 0; i < 8; i++) {
        w64(t, addr + 8 * i, ste->word[i]);
    }
}

/* Stage 1 through the CD table at @cdptr. */
static SMMUSte ste_s1(uint64_t cdptr, unsigned cdmax, unsigned fmt,
                      unsigned dss)
{
    SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_S1);

    ste.word[0] |= cdptr & R_STE_0_S1CTXPTR_MASK;
    ste.word[0] = FIELD_DP64(ste.word[0], STE_0, S1CDMAX, cdmax);
    ste.word[0] = FIELD_DP64(ste.word[0], STE_0, S1FMT, fmt);
    ste.word[1] = FIELD_DP64(ste.word[1], STE_1, S1DSS, dss);
    return ste;
}

/* Add stage 2 (4K granule, 40-bit IPA from level 0, S2R) to @ste. */
static void ste_add_s2(SMMUSte *ste, const PT *s2, uint16_t vmid)
{
    uint64_t w2 = 0;

    ste->word[0] = FIELD_DP64(ste->word[0], STE_0, CONFIG,
                              FIELD_EX64(ste->word[0], STE_0, CONFIG) |
                              SMMU_STE_CONFIG_S2_EN);
    w2 = FIELD_DP64(w2, STE_2, S2VMID, vmid);
    w2 = FIELD_DP64(w2, STE_2, S2T0SZ, 64 - s2->isz);
    w2 = FIELD_DP64(w2, STE_2, S2SL0, 2);
    w2 = FIELD_DP64(w2, STE_2, S2TG, SMMU_TG0_4K);
    w2 = FIELD_DP64(w2, STE_2, S2PS, SMMU_OAS_44BIT);
    w2 = FIELD_DP64(w2, STE_2, S2AA64, 1);
    w2 = FIELD_DP64(w2, STE_2, S2R, 1);
    ste->word[2] = w2;
    ste->word[3] = s2->root & R_STE_3_S2TTB_MASK;
}

/* Stage-1 page/block descriptors readable and writable at EL0 and EL1. */
#define S1_PAGE(a)  (D_PAGE(a) | D_AP_RW_ALL)
#define S1_BLOCK(a) (D_BLOCK(a) | D_AP_RW_ALL)
#define S2_PAGE(a)  (D_PAGE(a) | D_S2AP_R | D_S2AP_W)

/* SID @sid in stage 1 with one CD (ASID @asid) over @pt. */
static uint64_t setup_s1(T *t, uint32_t sid, const PT *pt, uint16_t asid)
{
    uint64_t cd = t_alloc(t, SMMU_CD_SIZE);
    SMMUSte ste = ste_s1(cd, 0, 0, 0);

    cd_write(t, cd, pt, asid);
    ste_write(t, sid, &ste);
    return cd;
}

static SMMUEventInfo fault_info(SMMUEventType type, uint32_t sid,
                                uint64_t addr, bool write)
{
    return (SMMUEventInfo) {
        .type = type, .sid = sid, .rnw = !write,
        .class_ = SMMU_EVT_CLASS_IN, .input_addr = addr,
    };
}

/* ---- GBPA and STE abort/bypass ------------------------------------------- */

static void test_gbpa(void)
{
    T *t = t_new();
    IOMMUTLBEntry e;
    SMMUTransStats st;

    /* SMMUEN = 0 with GBPA.ABORT (as the driver left it): abort. */
    g_assert_true(qsmmuv3_disable(&t->f.d));
    g_assert_false(dma(t, 0x10, 0x1234, false, &e));
    qsmmuv3_writel(&t->f.d, A_GBPA, R_GBPA_UPDATE_MASK);
    g_assert_cmphex(dma_ok(t, 0x10, 0x12345678, true), ==, 0x12345678);
    smmuv3_get_trans_stats(t->f.s, &st);
    g_assert_cmpuint(st.aborted, ==, 1);
    g_assert_cmpuint(st.bypassed, ==, 1);
    g_assert_cmpuint(st.events, ==, 0);
    t_free(t);
}

static void test_ste_abort_bypass(void)
{
    T *t = t_new_props(NULL, false);
    SMMUSte bypass = smmu_ste_make(SMMU_STE_CONFIG_BYPASS);

    /* The driver's STEs abort, silently. */
    dma_fault(t, 0x21, 0x1000, false);
    expect_no_event(t);
    ste_write(t, 0x22, &bypass);
    g_assert_cmphex(dma_ok(t, 0x22, 0xabc123, true), ==, 0xabc123);
    t_free(t);
}

/* ---- Stage 1 ----------------------------------------------------------- */

typedef struct GranuleCase {
    unsigned g;
    unsigned isz;
    unsigned block_levels[2];   /* 0: none */
} GranuleCase;

static const GranuleCase granule_cases[] = {
    { 12, 48, { 1, 2 } },
    { 12, 39, { 1, 2 } },
    { 14, 47, { 2, 0 } },
    { 14, 36, { 2, 0 } },
    { 16, 48, { 2, 0 } },
    { 16, 42, { 2, 0 } },
};

/* Pages and blocks of every granule and start level, through the bus. */
static void test_s1_granules(const void *opaque)
{
    const GranuleCase *c = opaque;
    T *t = t_new();
    PT pt = pt_new(t, c->g, c->isz, 0);
    uint64_t va = (1ULL << (c->isz - 1)) + (5ULL << c->g);
    uint32_t sid = 0x0108;

    setup_s1(t, sid, &pt, 1);
    pt_map(&pt, va, 3, S1_PAGE(OA + (7ULL << c->g)));
    g_assert_cmphex(dma_ok(t, sid, va + 0x18, false), ==,
                    OA + (7ULL << c->g) + 0x18);
    for (int i = 0; i < 2 && c->block_levels[i]; i++) {
        unsigned level = c->block_levels[i];
        uint64_t size = 1ULL << ram_level_shift(c->g, level);
        uint64_t bva = (3 * size) % (1ULL << c->isz);
        IOMMUTLBEntry e;

        pt_map(&pt, bva, level, S1_BLOCK(OA + size));
        g_assert_true(dma(t, sid, bva + size - 8, true, &e));
        g_assert_cmphex(e.iova, ==, bva);
        g_assert_cmphex(e.addr_mask, ==, size - 1);
        g_assert_cmphex(e.translated_addr, ==, OA + size);
        g_assert_cmpint(e.perm, ==, IOMMU_RW);
    }
    expect_no_event(t);
    t_free(t);
}

/* Enable TTB1 (T1SZ 16, TG1 encoding @tg1) on @hi in the CD at @cd. */
static uint64_t cd_enable_ttb1(T *t, uint64_t cd, const PT *hi, unsigned tg1)
{
    uint64_t w0 = r64(t, cd);

    w0 = FIELD_DP64(w0, CD_0, EPD1, 0);
    w0 = FIELD_DP64(w0, CD_0, T1SZ, 16);
    w0 = FIELD_DP64(w0, CD_0, TG1, tg1);
    w64(t, cd, w0);
    w64(t, cd + 16, hi->root);
    return w0;
}

/* TTB1 for the top of the address space, from the CD's TG1 encoding. */
static void test_s1_ttb1(void)
{
    T *t = t_new();
    PT lo = pt_new(t, 12, 48, 0), hi = pt_new(t, 16, 48, 0);
    uint64_t cd = setup_s1(t, 0x10, &lo, 3);

    cd_enable_ttb1(t, cd, &hi, 3);              /* TG1 0b11: 64K */
    pt_map(&lo, 0x1000, 3, S1_PAGE(OA));
    pt_map(&hi, 0xffffffffffff0000ULL, 3, S1_PAGE(OA + 0x10000));
    g_assert_cmphex(dma_ok(t, 0x10, 0x1008, false), ==, OA + 8);
    g_assert_cmphex(dma_ok(t, 0x10, 0xffffffffffff0010ULL, false), ==,
                    OA + 0x10010);
    t_free(t);
}

/* CD.TBI0/TBI1: the top byte is ignored, VA[55] selects the half. */
static void test_s1_tbi(void)
{
    T *t = t_new();
    PT lo = pt_new(t, 12, 48, 0), hi = pt_new(t, 12, 48, 0);
    uint64_t cd = setup_s1(t, 0x10, &lo, 3);
    uint64_t w0 = cd_enable_ttb1(t, cd, &hi, 2);    /* TG1 0b10: 4K */
    SMMUEventInfo info = fault_info(SMMU_EVT_F_TRANSLATION, 0x10,
                                    0x5a00000000001000ULL, false);

    pt_map(&lo, 0x1000, 3, S1_PAGE(OA));
    pt_map(&hi, 0xfffffffffffff000ULL, 3, S1_PAGE(OA + 0x3000));
    /* Without TBI a tagged address is a translation fault. */
    dma_fault(t, 0x10, 0x5a00000000001000ULL, false);
    expect_event(t, &info);
    w64(t, cd, w0 | R_CD_0_TBI0_MASK | R_CD_0_TBI1_MASK);
    cmd(t, smmu_cmd_cfgi_cd(0x10, 0, false).word[0],
        smmu_cmd_cfgi_cd(0x10, 0, false).word[1]);
    g_assert_cmphex(dma_ok(t, 0x10, 0x5a00000000001010ULL, false), ==,
                    OA + 0x10);
    g_assert_cmphex(dma_ok(t, 0x10, 0x00fffffffffff020ULL, false), ==,
                    OA + 0x3020);
    t_free(t);
}

/* STE.PRIVCFG and INSTCFG override what the device sends. */
static void test_s1_privcfg(void)
{
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    uint64_t addr = qsmmuv3_ste_addr(&t->f.d, 0x10);
    SMMUEventInfo info = fault_info(SMMU_EVT_F_PERMISSION, 0x10, 0x5000,
                                    false);

    setup_s1(t, 0x10, &pt, 1);
    /* AP 0b00: EL1 only.  PCIe DMA is unprivileged. */
    pt_map(&pt, 0x5000, 3, D_PAGE(OA) | D_AP_RW_EL1);
    dma_fault(t, 0x10, 0x5000, false);
    expect_event(t, &info);
    w64(t, addr + 8, FIELD_DP64(r64(t, addr + 8), STE_1, PRIVCFG,
                                SMMU_PRIVCFG_PRIV));
    cmd(t, smmu_cmd_cfgi_ste(0x10).word[0], smmu_cmd_cfgi_ste(0x10).word[1]);
    g_assert_cmphex(dma_ok(t, 0x10, 0x5004, false), ==, OA + 4);

    /* INSTCFG instruction: reads are fetches, refused by UXN at EL0. */
    pt_map(&pt, 0x6000, 3, S1_PAGE(OA) | D_UXN);
    w64(t, addr + 8, FIELD_DP64(0, STE_1, INSTCFG, SMMU_INSTCFG_INSTR));
    cmd(t, smmu_cmd_cfgi_ste(0x10).word[0], smmu_cmd_cfgi_ste(0x10).word[1]);
    g_assert_cmphex(dma_ok(t, 0x10, 0x6000, true), ==, OA);
    dma_fault(t, 0x10, 0x6000, false);
    info = fault_info(SMMU_EVT_F_PERMISSION, 0x10, 0x6000, false);
    info.ind = true;
    expect_event(t, &info);
    t_free(t);
}

/* ---- Stage 2 and nested -------------------------------------------------- */

static void test_s2(void)
{
    T *t = t_new();
    PT s2 = pt_new(t, 12, 40, 0);
    SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_BYPASS);
    SMMUEventInfo info = fault_info(SMMU_EVT_F_PERMISSION, 0x20, 0x7008,
                                    true);

    ste_add_s2(&ste, &s2, 9);
    ste_write(t, 0x20, &ste);
    pt_map(&s2, 0x6000, 3, S2_PAGE(OA + 0x3000));
    pt_map(&s2, 0x7000, 3, D_PAGE(OA + 0x4000) | D_S2AP_R);
    pt_map(&s2, 0x40000000, 1, D_BLOCK(OA + 0x40000000) | D_S2AP_R);
    g_assert_cmphex(dma_ok(t, 0x20, 0x6010, true), ==, OA + 0x3010);
    g_assert_cmphex(dma_ok(t, 0x20, 0x7010, false), ==, OA + 0x4010);
    g_assert_cmphex(dma_ok(t, 0x20, 0x40001000, false), ==,
                    OA + 0x40001000);
    /* S2AP read-only: a stage-2 permission fault with the IPA. */
    dma_fault(t, 0x20, 0x7008, true);
    info.s2 = true;
    info.addr2 = 0x7000;
    expect_event(t, &info);
    /* IPA unmapped. */
    dma_fault(t, 0x20, 0x9000, false);
    info = fault_info(SMMU_EVT_F_TRANSLATION, 0x20, 0x9000, false);
    info.s2 = true;
    info.addr2 = 0x9000;
    expect_event(t, &info);
    t_free(t);
}

/*
 * Nested: stage 2 maps IPA (PA - IPA_DELTA) to PA over the test's RAM
 * with 2M blocks, and OA_IPA.. to OA; CDs and stage-1 tables live in
 * IPA space.
 */
#define OA_IPA      0x8000000000ULL
typedef struct Nested {
    PT s2;
    PT s1;
    uint64_t cd_ipa;
    SMMUSte ste;
} Nested;

static void nested_setup(T *t, Nested *n, uint32_t sid)
{
    n->s2 = pt_new(t, 12, 40, 0);
    for (uint64_t pa = RAM_BASE; pa < DRV_RAM; pa += 2 << 20) {
        pt_map(&n->s2, pa - IPA_DELTA, 2, D_BLOCK(pa) | D_S2AP_R);
    }
    pt_map(&n->s2, OA_IPA, 3, S2_PAGE(OA));
    n->s1 = pt_new(t, 12, 48, IPA_DELTA);
    n->cd_ipa = t_alloc(t, SMMU_CD_SIZE) - IPA_DELTA;
    cd_write(t, n->cd_ipa + IPA_DELTA, &n->s1, 4);
    n->ste = ste_s1(n->cd_ipa, 0, 0, 0);
    ste_add_s2(&n->ste, &n->s2, 5);
    ste_write(t, sid, &n->ste);
}

static void test_nested(void)
{
    T *t = t_new();
    Nested n;
    SMMUEventInfo info;

    nested_setup(t, &n, 0x30);
    pt_map(&n.s1, 0x2000, 3, S1_PAGE(OA_IPA));
    g_assert_cmphex(dma_ok(t, 0x30, 0x2040, true), ==, OA + 0x40);

    /* Stage-1 output not mapped by stage 2: S2, CLASS IN, the IPA. */
    pt_map(&n.s1, 0x3000, 3, S1_PAGE(OA_IPA + 0x5000));
    dma_fault(t, 0x30, 0x3010, false);
    info = fault_info(SMMU_EVT_F_TRANSLATION, 0x30, 0x3010, false);
    info.s2 = true;
    info.addr2 = OA_IPA + 0x5000;
    expect_event(t, &info);

    /* A stage-1 table at an IPA stage 2 does not map: CLASS TT. */
    pt_map(&n.s1, 0x40000000, 2, D_TABLE(0x7000000000ULL));
    dma_fault(t, 0x30, 0x40000000, true);
    info = fault_info(SMMU_EVT_F_TRANSLATION, 0x30, 0x40000000, true);
    info.s2 = true;
    info.class_ = SMMU_EVT_CLASS_TT;
    info.ttrnw = true;
    info.addr2 = 0x7000000000ULL;
    expect_event(t, &info);
    t_free(t);
}

/* The CD fetch goes through stage 2: its faults are stage 2, CLASS CD. */
static void test_nested_cd_fetch(void)
{
    T *t = t_new();
    Nested n;
    SMMUEventInfo info = fault_info(SMMU_EVT_F_TRANSLATION, 0x31, 0x1000,
                                    false);

    nested_setup(t, &n, 0x31);
    n.ste.word[0] = (n.ste.word[0] & ~R_STE_0_S1CTXPTR_MASK) |
                    0x6000000000ULL;
    ste_write(t, 0x31, &n.ste);
    dma_fault(t, 0x31, 0x1000, false);
    info.s2 = true;
    info.class_ = SMMU_EVT_CLASS_CD;
    info.addr2 = 0x6000000000ULL;
    expect_event(t, &info);

    /* S2R clear: stage-2 faults are not recorded, config ones are. */
    n.ste.word[2] = FIELD_DP64(n.ste.word[2], STE_2, S2R, 0);
    ste_write(t, 0x31, &n.ste);
    cmd(t, smmu_cmd_cfgi_ste(0x31).word[0], smmu_cmd_cfgi_ste(0x31).word[1]);
    dma_fault(t, 0x31, 0x1000, false);
    expect_no_event(t);
    t_free(t);
}

/* ---- SubstreamIDs ---------------------------------------------------------- */

static void test_substreams(void)
{
    static const char *const props[] = { "ssidsize", "12", NULL };
    T *t = t_new_props(props, true);
    PT pt[4];
    uint64_t lin = t_alloc(t, 4 * SMMU_CD_SIZE);
    uint64_t l1_4k = t_alloc(t, 64 * 8), l1_64k = t_alloc(t, 4 * 8);
    uint64_t l2_4k = t_alloc(t, 0x1000), l2_64k = t_alloc(t, 0x10000);
    SMMUSte ste;
    uint64_t pa = 0;

    for (int i = 0; i < 4; i++) {
        pt[i] = pt_new(t, 12, 48, 0);
        pt_map(&pt[i], 0x1000, 3, S1_PAGE(OA + ((uint64_t)i << 20)));
        cd_write(t, lin + i * SMMU_CD_SIZE, &pt[i], 10 + i);
    }
    /* Linear CD table of 4, S1DSS SSID0. */
    ste = ste_s1(lin, 2, SMMU_S1FMT_LINEAR, SMMU_S1DSS_SSID0);
    ste_write(t, 0x40, &ste);
    for (uint32_t ssid = 1; ssid < 4; ssid++) {
        g_assert_true(ssid_dma(t, 0x40, ssid, 0x1008, &pa));
        g_assert_cmphex(pa, ==, OA + ((uint64_t)ssid << 20) + 8);
    }
    g_assert_cmphex(dma_ok(t, 0x40, 0x1008, false), ==, OA + 8);

    /* 2-level, 4K leaves: SSID 0x45 is L1 entry 1, CD 5. */
    w64(t, l1_4k + 8, l2_4k | 1);
    cd_write(t, l2_4k + 5 * SMMU_CD_SIZE, &pt[2], 20);
    ste = ste_s1(l1_4k, 12, SMMU_S1FMT_4K_L2, SMMU_S1DSS_BYPASS);
    ste_write(t, 0x41, &ste);
    g_assert_true(ssid_dma(t, 0x41, 0x45, 0x1000, &pa));
    g_assert_cmphex(pa, ==, OA + (2ULL << 20));
    /* Without a SubstreamID, S1DSS bypass: stage 1 is bypassed. */
    g_assert_cmphex(dma_ok(t, 0x41, 0x1000, false), ==, 0x1000);

    /* 2-level, 64K leaves: SSID 0x805 is L1 entry 2, CD 5. */
    w64(t, l1_64k + 16, l2_64k | 1);
    cd_write(t, l2_64k + 5 * SMMU_CD_SIZE, &pt[3], 30);
    ste = ste_s1(l1_64k, 12, SMMU_S1FMT_64K_L2, SMMU_S1DSS_TERMINATE);
    ste_write(t, 0x42, &ste);
    g_assert_true(ssid_dma(t, 0x42, 0x805, 0x1000, &pa));
    g_assert_cmphex(pa, ==, OA + (3ULL << 20));
    expect_no_event(t);
    t_free(t);
}

static void test_substream_faults(void)
{
    static const char *const props[] = { "ssidsize", "12", NULL };
    T *t = t_new_props(props, true);
    PT pt = pt_new(t, 12, 48, 0);
    uint64_t lin = t_alloc(t, 4 * SMMU_CD_SIZE), l1 = t_alloc(t, 64 * 8);
    SMMUSte ste = ste_s1(lin, 2, SMMU_S1FMT_LINEAR, SMMU_S1DSS_SSID0);
    SMMUEventInfo info = { .sid = 0x50, .ssv = true };
    uint64_t pa = 0;

    cd_write(t, lin, &pt, 1);
    ste_write(t, 0x50, &ste);
    /* Beyond S1CDMax, and SSID 0 while S1DSS gives it to no-SSID traffic. */
    info.type = SMMU_EVT_C_BAD_SUBSTREAMID;
    g_assert_false(ssid_dma(t, 0x50, 4, 0x1000, &pa));
    info.ssid = 4;
    expect_event(t, &info);
    g_assert_false(ssid_dma(t, 0x50, 0, 0x1000, &pa));
    info.ssid = 0;
    expect_event(t, &info);
    /* CD.V clear: C_BAD_CD. */
    g_assert_false(ssid_dma(t, 0x50, 1, 0x1000, &pa));
    info = (SMMUEventInfo) { .type = SMMU_EVT_C_BAD_CD, .sid = 0x50,
                             .ssv = true, .ssid = 1 };
    expect_event(t, &info);

    /* No SubstreamID with S1DSS terminate: F_STREAM_DISABLED. */
    ste = ste_s1(l1, 12, SMMU_S1FMT_4K_L2, SMMU_S1DSS_TERMINATE);
    ste_write(t, 0x51, &ste);
    dma_fault(t, 0x51, 0x1000, false);
    info = (SMMUEventInfo) { .type = SMMU_EVT_F_STREAM_DISABLED, .sid = 0x51 };
    expect_event(t, &info);
    /* An invalid level-1 CD descriptor: C_BAD_SUBSTREAMID. */
    g_assert_false(ssid_dma(t, 0x51, 0x80, 0x1000, &pa));
    info = (SMMUEventInfo) { .type = SMMU_EVT_C_BAD_SUBSTREAMID, .sid = 0x51,
                             .ssv = true, .ssid = 0x80 };
    expect_event(t, &info);
    /* A level-2 table outside RAM: F_CD_FETCH with its address. */
    w64(t, l1 + 2 * 8, OUTSIDE_RAM | 1);
    g_assert_false(ssid_dma(t, 0x51, 0x83, 0x1000, &pa));
    info = (SMMUEventInfo) { .type = SMMU_EVT_F_CD_FETCH, .sid = 0x51,
                             .ssv = true, .ssid = 0x83,
                             .addr2 = OUTSIDE_RAM + 3 * SMMU_CD_SIZE };
    expect_event(t, &info);
    t_free(t);
}

/* ---- Faults ---------------------------------------------------------------- */

/* Every stage-1 fault, its record byte for byte, and CD.R. */
static void test_s1_faults(void)
{
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    uint64_t cd = setup_s1(t, 0x60, &pt, 1);
    SMMUEventInfo info;

    pt_map(&pt, 0x1000, 3, D_PAGE(OA) | D_AP_RO_ALL);
    pt_map(&pt, 0x2000, 3, (D_PAGE(OA) | D_AP_RW_ALL) & ~D_AF);
    pt_map(&pt, 0x3000, 3, S1_PAGE(1ULL << 44));
    pt_map(&pt, 0x40000000, 2, D_TABLE(OUTSIDE_RAM));

    dma_fault(t, 0x60, 0x1008, true);
    info = fault_info(SMMU_EVT_F_PERMISSION, 0x60, 0x1008, true);
    expect_event(t, &info);
    dma_fault(t, 0x60, 0x2008, false);
    info = fault_info(SMMU_EVT_F_ACCESS, 0x60, 0x2008, false);
    expect_event(t, &info);
    dma_fault(t, 0x60, 0x3008, false);
    info = fault_info(SMMU_EVT_F_ADDR_SIZE, 0x60, 0x3008, false);
    expect_event(t, &info);
    dma_fault(t, 0x60, 0x9000, false);
    info = fault_info(SMMU_EVT_F_TRANSLATION, 0x60, 0x9000, false);
    expect_event(t, &info);
    /* Above the 48-bit input range of TTB0, with EPD1. */
    dma_fault(t, 0x60, 1ULL << 48, false);
    info = fault_info(SMMU_EVT_F_TRANSLATION, 0x60, 1ULL << 48, false);
    expect_event(t, &info);
    dma_fault(t, 0x60, 0x40000010, false);
    info = fault_info(SMMU_EVT_F_WALK_EABT, 0x60, 0x40000010, false);
    info.class_ = SMMU_EVT_CLASS_TT;
    info.ttrnw = true;
    info.addr2 = OUTSIDE_RAM;
    expect_event(t, &info);

    /* CD.R clear: translation faults are silent, aborts still recorded. */
    w64(t, cd, FIELD_DP64(r64(t, cd), CD_0, R, 0));
    cmd(t, smmu_cmd_cfgi_cd(0x60, 0, false).word[0],
        smmu_cmd_cfgi_cd(0x60, 0, false).word[1]);
    dma_fault(t, 0x60, 0x9000, false);
    expect_no_event(t);
    dma_fault(t, 0x60, 0x40000010, false);
    expect_event(t, &info);
    t_free(t);
}

static void test_config_faults(void)
{
    T *t = t_new_props(NULL, false);
    PT pt = pt_new(t, 12, 48, 0);
    SMMUSte ste = ste_s1(OUTSIDE_RAM, 0, 0, 0);
    SMMUEventInfo info = { .type = SMMU_EVT_C_BAD_STREAMID, .sid = 0x100 };
    uint64_t cd = t_alloc(t, SMMU_CD_SIZE);

    /* The linear table has 2^8 STEs. */
    dma_fault(t, 0x100, 0x1000, false);
    expect_event(t, &info);
    /* STE.V clear. */
    w64(t, qsmmuv3_ste_addr(&t->f.d, 0x61), 0);
    dma_fault(t, 0x61, 0x1000, false);
    info = (SMMUEventInfo) { .type = SMMU_EVT_C_BAD_STE, .sid = 0x61 };
    expect_event(t, &info);
    /* EL2 StreamWorld without IDR0.HYP. */
    ste = ste_s1(cd, 0, 0, 0);
    ste.word[1] = FIELD_DP64(ste.word[1], STE_1, STRW, SMMU_STRW_EL2);
    cd_write(t, cd, &pt, 1);
    ste_write(t, 0x62, &ste);
    dma_fault(t, 0x62, 0x1000, false);
    info.sid = 0x62;
    expect_event(t, &info);
    /* The CD outside RAM. */
    ste = ste_s1(OUTSIDE_RAM, 0, 0, 0);
    ste_write(t, 0x63, &ste);
    dma_fault(t, 0x63, 0x1000, false);
    info = (SMMUEventInfo) { .type = SMMU_EVT_F_CD_FETCH, .sid = 0x63,
                             .addr2 = OUTSIDE_RAM };
    expect_event(t, &info);
    /* A CD with T0SZ out of range. */
    w64(t, cd, FIELD_DP64(r64(t, cd), CD_0, T0SZ, 8));
    ste = ste_s1(cd, 0, 0, 0);
    ste_write(t, 0x64, &ste);
    dma_fault(t, 0x64, 0x1000, false);
    info = (SMMUEventInfo) { .type = SMMU_EVT_C_BAD_CD, .sid = 0x64 };
    expect_event(t, &info);
    t_free(t);
}

/* F_STE_FETCH: a level-2 stream table outside RAM. */
static void test_ste_fetch(void)
{
    T *t = t_new();
    SMMUEventInfo info = { .type = SMMU_EVT_F_STE_FETCH, .sid = 0x0305 };

    /* SPLIT 8: L1 entry 3, span 9 (256 STEs). */
    w64(t, t->f.d.strtab + 3 * 8, OUTSIDE_RAM | 9);
    dma_fault(t, 0x0305, 0x1000, false);
    info.addr2 = OUTSIDE_RAM + 5 * SMMU_STE_SIZE;
    expect_event(t, &info);
    t_free(t);
}

/* stage=1 and stage=2 refuse the stage they do not have: C_BAD_STE. */
static void test_stage_property(void)
{
    static const char *const s1[] = { "stage", "1", NULL };
    static const char *const s2[] = { "stage", "2", NULL };
    SMMUEventInfo info = { .type = SMMU_EVT_C_BAD_STE, .sid = 0x70 };
    T *t = t_new_props(s1, true);
    PT pt = pt_new(t, 12, 40, 0);
    SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_BYPASS);

    ste_add_s2(&ste, &pt, 1);
    ste_write(t, 0x70, &ste);
    dma_fault(t, 0x70, 0x1000, false);
    expect_event(t, &info);
    t_free(t);

    t = t_new_props(s2, true);
    pt = pt_new(t, 12, 48, 0);
    setup_s1(t, 0x70, &pt, 1);
    dma_fault(t, 0x70, 0x1000, false);
    expect_event(t, &info);
    t_free(t);
}

/* ---- Invalidation ------------------------------------------------------ */

static SMMUCmd tlbi(unsigned op, uint16_t vmid, uint16_t asid, uint64_t addr)
{
    SMMUCmd c = smmu_cmd_make(op);

    c.word[0] = FIELD_DP64(c.word[0], CMD_0, VMID, vmid);
    c.word[0] = FIELD_DP64(c.word[0], CMD_0, ASID, asid);
    c.word[1] = addr & R_CMD_1_ADDR_MASK;
    return c;
}

typedef struct TlbiCase {
    const char *name;
    unsigned op;
    bool s2;                    /* a stage-2 STE, else stage 1 */
} TlbiCase;

static const TlbiCase tlbi_cases[] = {
    { "nh-all", SMMU_CMD_TLBI_NH_ALL, false },
    { "nh-asid", SMMU_CMD_TLBI_NH_ASID, false },
    { "nh-va", SMMU_CMD_TLBI_NH_VA, false },
    { "nh-vaa", SMMU_CMD_TLBI_NH_VAA, false },
    { "s12-vmall", SMMU_CMD_TLBI_S12_VMALL, false },
    { "s12-vmall-s2", SMMU_CMD_TLBI_S12_VMALL, true },
    { "s2-ipa", SMMU_CMD_TLBI_S2_IPA, true },
    { "nsnh-all", SMMU_CMD_TLBI_NSNH_ALL, false },
    { "nsnh-all-s2", SMMU_CMD_TLBI_NSNH_ALL, true },
};

/*
 * A changed leaf is not seen before the TLBI (the IOTLB has the old
 * one), and is after it.
 */
static void test_tlbi(const void *opaque)
{
    const TlbiCase *c = opaque;
    T *t = t_new();
    PT pt = pt_new(t, 12, c->s2 ? 40 : 48, 0);
    uint64_t slot;
    SMMUCmd inv;

    if (c->s2) {
        SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_BYPASS);

        ste_add_s2(&ste, &pt, 7);
        ste_write(t, 0x80, &ste);
        slot = pt_map(&pt, 0x5000, 3, S2_PAGE(OA));
    } else {
        setup_s1(t, 0x80, &pt, 3);
        w64(t, qsmmuv3_ste_addr(&t->f.d, 0x80) + 16,
            FIELD_DP64(0, STE_2, S2VMID, 7));
        slot = pt_map(&pt, 0x5000, 3, S1_PAGE(OA));
    }
    g_assert_cmphex(dma_ok(t, 0x80, 0x5010, false), ==, OA + 0x10);
    w64(t, slot, c->s2 ? S2_PAGE(OA + 0x1000) : S1_PAGE(OA + 0x1000));
    g_assert_cmphex(dma_ok(t, 0x80, 0x5010, false), ==, OA + 0x10);
    inv = tlbi(c->op, 7, 3, 0x5000);
    if (c->op == SMMU_CMD_TLBI_S2_IPA) {
        inv.word[1] = 0x5000 & R_CMD_1_IPA_MASK;
    }
    cmd(t, inv.word[0], inv.word[1]);
    g_assert_cmphex(dma_ok(t, 0x80, 0x5010, false), ==, OA + 0x1010);
    t_free(t);
}

/* Range invalidation: TG 4K, SCALE 1, NUM 1: 4 pages from 0x10000. */
static void test_tlbi_range(void)
{
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    uint64_t slots[6];
    SMMUCmd inv = tlbi(SMMU_CMD_TLBI_NH_VA, 0, 3, 0x10000);

    g_assert_true(FIELD_EX32(qsmmuv3_readl(&t->f.d, A_IDR3), IDR3, RIL));
    setup_s1(t, 0x80, &pt, 3);
    for (int i = 0; i < 6; i++) {
        slots[i] = pt_map(&pt, 0x10000 + i * 0x1000, 3,
                          S1_PAGE(OA + i * 0x1000));
        dma_ok(t, 0x80, 0x10000 + i * 0x1000, false);
        w64(t, slots[i], S1_PAGE(OA + 0x100000 + i * 0x1000));
    }
    inv.word[0] = FIELD_DP64(inv.word[0], CMD_0, NUM, 1);
    inv.word[0] = FIELD_DP64(inv.word[0], CMD_0, SCALE, 1);
    inv.word[1] = FIELD_DP64(inv.word[1], CMD_1, TG, 1);
    cmd(t, inv.word[0], inv.word[1]);
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(dma_ok(t, 0x80, 0x10000 + i * 0x1000, false), ==,
                        OA + 0x100000 + i * 0x1000);
    }
    t_free(t);
}

/* A 2M block invalidated by the address of one of its pages. */
static void test_tlbi_block(void)
{
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    uint64_t slot;
    SMMUCmd inv = tlbi(SMMU_CMD_TLBI_NH_VA, 0, 3, 0x200000 + 0x5000);

    setup_s1(t, 0x80, &pt, 3);
    slot = pt_map(&pt, 0x200000, 2, S1_BLOCK(OA));
    g_assert_cmphex(dma_ok(t, 0x80, 0x3ff000, false), ==, OA + 0x1ff000);
    w64(t, slot, S1_BLOCK(OA + 0x200000));
    g_assert_cmphex(dma_ok(t, 0x80, 0x3ff000, false), ==, OA + 0x1ff000);
    cmd(t, inv.word[0], inv.word[1]);
    g_assert_cmphex(dma_ok(t, 0x80, 0x3ff000, false), ==, OA + 0x3ff000);
    t_free(t);
}

/*
 * Nested, a 2M stage-1 block over 4K stage-2 pages: the IOTLB holds 4K
 * entries, yet TLBI_NH_VA by the block's address removes them all, and
 * TLBI_S2_IPA by one stage-2 page's IPA removes what goes through it.
 */
static void test_tlbi_nested_leaves(void)
{
    T *t = t_new();
    Nested n;
    uint64_t blk, pg;
    SMMUCmd inv = tlbi(SMMU_CMD_TLBI_NH_VA, 5, 4, 0x200000);

    nested_setup(t, &n, 0x30);
    for (uint64_t off = 0; off < 0x200000; off += 0x1000) {
        pt_map(&n.s2, OA_IPA + 0x200000 + off, 3, S2_PAGE(OA + off));
    }
    blk = pt_map(&n.s1, 0x200000, 2, S1_BLOCK(OA_IPA + 0x200000));
    g_assert_cmphex(dma_ok(t, 0x30, 0x3ff000, false), ==, OA + 0x1ff000);
    /* Move the block to the IPAs stage 2 maps 1:1 to OA.. + 0x200000. */
    w64(t, blk, S1_BLOCK(OA_IPA + 0x400000));
    for (uint64_t off = 0; off < 0x200000; off += 0x1000) {
        pt_map(&n.s2, OA_IPA + 0x400000 + off, 3,
               S2_PAGE(OA + 0x200000 + off));
    }
    g_assert_cmphex(dma_ok(t, 0x30, 0x3ff000, false), ==, OA + 0x1ff000);
    cmd(t, inv.word[0], inv.word[1]);
    g_assert_cmphex(dma_ok(t, 0x30, 0x3ff000, false), ==, OA + 0x3ff000);

    /* Stage 2 moves the last page; TLBI_S2_IPA by its IPA. */
    pg = pt_map(&n.s2, OA_IPA + 0x5ff000, 3, S2_PAGE(OA + 0x7000));
    g_assert_cmphex(dma_ok(t, 0x30, 0x3ff000, false), ==, OA + 0x3ff000);
    inv = tlbi(SMMU_CMD_TLBI_S2_IPA, 5, 0, 0);
    inv.word[1] = (OA_IPA + 0x5ff000) & R_CMD_1_IPA_MASK;
    cmd(t, inv.word[0], inv.word[1]);
    g_assert_cmphex(dma_ok(t, 0x30, 0x3ff000, false), ==, OA + 0x7000);
    g_assert_cmphex(r64(t, pg), ==, S2_PAGE(OA + 0x7000));
    t_free(t);
}

typedef struct CfgiCase {
    const char *name;
    unsigned op;
    unsigned range;
} CfgiCase;

static const CfgiCase cfgi_cases[] = {
    { "ste", SMMU_CMD_CFGI_STE, 0 },
    { "ste-range", SMMU_CMD_CFGI_STE_RANGE, 4 },
    { "all", SMMU_CMD_CFGI_STE_RANGE, SMMU_CFGI_RANGE_ALL },
    { "cd", SMMU_CMD_CFGI_CD, 0 },
    { "cd-all", SMMU_CMD_CFGI_CD_ALL, 0 },
};

/* A changed CD (new ASID and tables) is seen after its CFGI only. */
static void test_cfgi(const void *opaque)
{
    const CfgiCase *c = opaque;
    T *t = t_new();
    PT a = pt_new(t, 12, 48, 0), b = pt_new(t, 12, 48, 0);
    uint64_t cd = setup_s1(t, 0x93, &a, 1);
    SMMUCmd inv = smmu_cmd_make(c->op);

    pt_map(&a, 0x1000, 3, S1_PAGE(OA));
    pt_map(&b, 0x1000, 3, S1_PAGE(OA + 0x7000));
    g_assert_cmphex(dma_ok(t, 0x93, 0x1000, false), ==, OA);
    cd_write(t, cd, &b, 2);
    g_assert_cmphex(dma_ok(t, 0x93, 0x1000, false), ==, OA);
    inv.word[0] = FIELD_DP64(inv.word[0], CMD_0, SID, 0x93);
    inv.word[1] = FIELD_DP64(inv.word[1], CMD_1, RANGE, c->range);
    if (c->op == SMMU_CMD_CFGI_STE_RANGE) {
        /* A range that holds 0x93 but does not start there. */
        inv.word[0] = FIELD_DP64(inv.word[0], CMD_0, SID, 0x90);
    }
    cmd(t, inv.word[0], inv.word[1]);
    g_assert_cmphex(dma_ok(t, 0x93, 0x1000, false), ==, OA + 0x7000);
    t_free(t);
}

/* Without IDR0.HYP the EL2 invalidations are illegal commands. */
static void test_tlbi_el2_illegal(void)
{
    T *t = t_new();
    SMMUCmd c = smmu_cmd_make(SMMU_CMD_TLBI_EL2_ALL);

    qsmmuv3_cmd(&t->f.d, c.word[0], c.word[1]);
    g_assert_false(qsmmuv3_sync(&t->f.d));
    g_assert_cmpuint(FIELD_EX32(qsmmuv3_readl(&t->f.d, A_CMDQ_CONS),
                                CMDQ_CONS, ERR), ==, SMMU_CERROR_ILL);
    t_free(t);
}

/* The IOTLB stays within its bound and keeps translating right. */
static void test_iotlb_bounded(void)
{
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    unsigned n = SMMU_IOTLB_MAX_ENTRIES + 100;
    SMMUTransStats st;

    setup_s1(t, 0x10, &pt, 1);
    for (unsigned i = 0; i < 512; i++) {
        pt_map(&pt, (uint64_t)i << 12, 3, S1_PAGE(OA + ((uint64_t)i << 12)));
    }
    /* Eight VMIDs' worth of the same 512 pages: distinct entries. */
    for (unsigned i = 0; i < n; i++) {
        uint64_t va = (uint64_t)(i % 512) << 12;

        if (i % 512 == 0) {
            uint64_t ste = qsmmuv3_ste_addr(&t->f.d, 0x10);

            w64(t, ste + 16, FIELD_DP64(0, STE_2, S2VMID, i / 512));
            cmd(t, smmu_cmd_cfgi_ste(0x10).word[0],
                smmu_cmd_cfgi_ste(0x10).word[1]);
        }
        g_assert_cmphex(dma_ok(t, 0x10, va, false), ==, OA + va);
    }
    smmuv3_get_trans_stats(t->f.s, &st);
    g_assert_cmpuint(st.iotlb_entries, <=, SMMU_IOTLB_MAX_ENTRIES);
    g_assert_cmpuint(st.iotlb_evictions, >=, SMMU_IOTLB_MAX_ENTRIES);
    g_assert_cmpuint(st.iotlb_misses, ==, n);
    /* Hits are counted and are right. */
    g_assert_cmphex(dma_ok(t, 0x10, 0x1000, false), ==, OA + 0x1000);
    smmuv3_get_trans_stats(t->f.s, &st);
    g_assert_cmpuint(st.iotlb_hits, ==, 1);
    g_assert_cmpuint(st.translated, ==, n + 1);
    t_free(t);
}

/* Reset empties both caches. */
static void test_reset_flushes(void)
{
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    SMMUTransStats st;

    setup_s1(t, 0x10, &pt, 1);
    pt_map(&pt, 0x1000, 3, S1_PAGE(OA));
    g_assert_cmphex(dma_ok(t, 0x10, 0x1000, false), ==, OA);
    smmuv3_get_trans_stats(t->f.s, &st);
    g_assert_cmpuint(st.iotlb_entries, ==, 1);
    g_assert_cmpuint(st.cfg_entries, ==, 1);
    qdev_reset(t->f.dev);
    smmuv3_get_trans_stats(t->f.s, &st);
    g_assert_cmpuint(st.iotlb_entries, ==, 0);
    g_assert_cmpuint(st.cfg_entries, ==, 0);
    t_free(t);
}

static uint64_t json_u64(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_int_member(o, name);
}

/* query-vsmmu's "translation" member reports the model's counters. */
static void test_qmp_counters(void)
{
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    g_autoptr(JsonObject) o = NULL;
    SMMUTransStats st;

    setup_s1(t, 0x10, &pt, 1);
    pt_map(&pt, 0x1000, 3, S1_PAGE(OA));
    g_assert_cmphex(dma_ok(t, 0x10, 0x1000, false), ==, OA);
    g_assert_cmphex(dma_ok(t, 0x10, 0x1008, true), ==, OA + 8);
    dma_fault(t, 0x10, 0x7000, false);
    smmuv3_get_trans_stats(t->f.s, &st);
    o = qmp_vsmmu_translation(t->f.s);

    g_assert_cmpuint(json_u64(o, "translated"), ==, 2);
    g_assert_cmpuint(json_u64(o, "faulted"), ==, 1);
    g_assert_cmpuint(json_u64(o, "translated") + json_u64(o, "bypassed") +
                     json_u64(o, "aborted") + json_u64(o, "faulted"), ==, 3);
    g_assert_cmpuint(json_u64(o, "events") +
                     json_u64(o, "events-suppressed"), ==, 1);
    g_assert_cmpuint(json_u64(o, "iotlb-hits"), ==, 1);
    g_assert_cmpuint(json_u64(o, "iotlb-entries"), ==, 1);
    g_assert_cmpuint(json_u64(o, "cfg-misses"), ==, 1);
    g_assert_cmpuint(json_u64(o, "cfg-hits"), ==, 2);
    g_assert_cmpuint(json_u64(o, "cfg-entries"), ==, 1);
    /* Every member is the model's own counter. */
    g_assert_cmpuint(json_u64(o, "events"), ==, st.events);
    g_assert_cmpuint(json_u64(o, "iotlb-misses"), ==, st.iotlb_misses);
    g_assert_cmpuint(json_u64(o, "iotlb-evictions"), ==, st.iotlb_evictions);
    g_assert_cmpuint(json_u64(o, "iotlb-invalidated"), ==,
                     st.iotlb_invalidated);
    g_assert_cmpuint(json_u64(o, "cfg-evictions"), ==, st.cfg_evictions);
    g_assert_cmpuint(json_u64(o, "cfg-invalidated"), ==, st.cfg_invalidated);
    g_assert_cmpuint(json_object_get_size(o), ==, 16);
    t_free(t);
}

/*
 * Randomized: remap a page and invalidate it with a random command that
 * covers it (by VA, by range, by ASID, by VMID, everything); the next
 * access must see the new page, and every other page its own, against
 * a reference kept by the test.  The seed is printed.
 */
#define RND_PAGES   48

static SMMUCmd random_covering_tlbi(GRand *rnd, uint64_t va)
{
    static const unsigned ops[] = {
        SMMU_CMD_TLBI_NH_VA, SMMU_CMD_TLBI_NH_VAA, SMMU_CMD_TLBI_NH_ASID,
        SMMU_CMD_TLBI_NH_ALL, SMMU_CMD_TLBI_S12_VMALL, SMMU_CMD_TLBI_NSNH_ALL,
    };
    unsigned op = ops[g_rand_int_range(rnd, 0, G_N_ELEMENTS(ops))];
    SMMUCmd c = tlbi(op, 0, 1, va);

    if (op <= SMMU_CMD_TLBI_NH_VAA && g_rand_boolean(rnd)) {
        unsigned scale = g_rand_int_range(rnd, 0, 5);
        unsigned num = g_rand_int_range(rnd, 0, 32);
        uint64_t pages = (uint64_t)(num + 1) << scale;
        /* A range that holds va, not wrapping below 0. */
        uint64_t below = MIN(pages, (va >> 12) + 1);
        uint64_t start = va - ((uint64_t)g_rand_int_range(rnd, 0, below) << 12);

        c.word[0] = FIELD_DP64(c.word[0], CMD_0, NUM, num);
        c.word[0] = FIELD_DP64(c.word[0], CMD_0, SCALE, scale);
        c.word[1] = (start & R_CMD_1_ADDR_MASK) |
                    FIELD_DP64(0, CMD_1, TG, 1);
    }
    return c;
}

static void test_random_invalidate(void)
{
    guint32 seed = g_test_rand_int();
    GRand *rnd = g_rand_new_with_seed(seed);
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    uint64_t va[RND_PAGES], slot[RND_PAGES], oa[RND_PAGES];

    g_test_message("seed %u", seed);
    setup_s1(t, 0x10, &pt, 1);
    for (int i = 0; i < RND_PAGES; i++) {
        /* Distinct pages, clustered so that ranges cover several. */
        va[i] = ((uint64_t)g_rand_int_range(rnd, 0, 16) << 30) +
                ((uint64_t)i << 12) * (1 + g_rand_int_range(rnd, 0, 2) *
                                       RND_PAGES);
        oa[i] = OA + ((uint64_t)g_rand_int_range(rnd, 0, 1 << 20) << 12);
        slot[i] = pt_map(&pt, va[i], 3, S1_PAGE(oa[i]));
    }
    for (int step = 0; step < 1500; step++) {
        int i = g_rand_int_range(rnd, 0, RND_PAGES);

        if (g_rand_int_range(rnd, 0, 4) == 0) {
            SMMUCmd c = random_covering_tlbi(rnd, va[i]);

            oa[i] = OA + ((uint64_t)g_rand_int_range(rnd, 0, 1 << 20) << 12);
            w64(t, slot[i], S1_PAGE(oa[i]));
            cmd(t, c.word[0], c.word[1]);
        }
        g_assert_cmphex(dma_ok(t, 0x10, va[i] + 8, g_rand_boolean(rnd)),
                        ==, oa[i] + 8);
    }
    expect_no_event(t);
    g_rand_free(rnd);
    t_free(t);
}

/*
 * Threads: an emulated device's DMA in one thread (half of it faulting,
 * so it writes events), host-style event batches in another, while the
 * main thread invalidates everything over and over.  Every translation
 * is right and every access and record is accounted for.
 */
#define THR_ROUNDS  4000

static gpointer thr_dma(gpointer opaque)
{
    T *t = opaque;

    for (int i = 0; i < THR_ROUNDS; i++) {
        uint64_t va = (uint64_t)(i % 16) << 12;

        g_assert_cmphex(dma_ok(t, 0x10, va, i & 1), ==, OA + va);
        dma_fault(t, 0x10, 0x100000 + va, false);
    }
    return NULL;
}

static gpointer thr_events(gpointer opaque)
{
    T *t = opaque;
    SMMUEvent e;

    smmu_event_init(&e, SMMU_EVT_F_TRANSLATION, 0x99);
    for (int i = 0; i < THR_ROUNDS; i++) {
        smmuv3_eventq_write_batch(t->f.s, &e, 1, NULL);
    }
    return NULL;
}

static void test_threads(void)
{
    T *t = t_new();
    PT pt = pt_new(t, 12, 48, 0);
    SMMUCmd all = smmu_cmd_make(SMMU_CMD_TLBI_NSNH_ALL);
    SMMUCmd cfgi = smmu_cmd_make(SMMU_CMD_CFGI_STE_RANGE);
    SMMUTransStats st;
    SMMUEventqStats ev;
    GThread *a, *b;

    setup_s1(t, 0x10, &pt, 1);
    for (uint64_t i = 0; i < 16; i++) {
        pt_map(&pt, i << 12, 3, S1_PAGE(OA + (i << 12)));
    }
    cfgi.word[1] = SMMU_CFGI_RANGE_ALL;
    a = g_thread_new("dma", thr_dma, t);
    b = g_thread_new("events", thr_events, t);
    for (int i = 0; i < 200; i++) {
        cmd(t, all.word[0], all.word[1]);
        cmd(t, cfgi.word[0], cfgi.word[1]);
    }
    g_thread_join(a);
    g_thread_join(b);
    smmuv3_get_trans_stats(t->f.s, &st);
    smmuv3_get_eventq_stats(t->f.s, &ev);
    g_assert_cmpuint(st.translated, ==, THR_ROUNDS);
    g_assert_cmpuint(st.faulted, ==, THR_ROUNDS);
    g_assert_cmpuint(st.events, ==, THR_ROUNDS);
    g_assert_cmpuint(ev.written + ev.overflow_dropped, ==, 2 * THR_ROUNDS);
    t_free(t);
}

/* ---- accel=on: emulated endpoints are translated by the model --------- */

static void test_accel_emulated(void)
{
    AccelFixture f;
    SMMUv3State *s;
    IOMMUTLBEntry e;
    PCIBus *bus;
    uint64_t cd, root;
    uint64_t tables[3];

    accel_fixture_setup(&f, 1, 6, 6);
    s = accel_fixture_smmu(&f);
    /* Stage-1 tables for VA 0x1000 -> OA with 4K pages, by the driver. */
    root = qsmmuv3_alloc(&f.d, 0x1000, 0x1000);
    for (int i = 0; i < 3; i++) {
        tables[i] = qsmmuv3_alloc(&f.d, 0x1000, 0x1000);
    }
    /* VA 0x1000: index 0 at levels 0 to 2, 1 at level 3. */
    for (int i = 0; i < 4; i++) {
        uint64_t at = i ? tables[i - 1] + (i == 3 ? 8 : 0) : root;
        uint64_t le = GUINT64_TO_LE(i < 3 ? D_TABLE(tables[i]) : S1_PAGE(OA));

        g_assert(address_space_write(f.as, at, &le, 8) == MEMTX_OK);
    }
    cd = qsmmuv3_ste_s1(&f.d, 0x0010, 1, root);
    g_assert_cmphex(cd, !=, 0);
    bus = f.pci->roots[0];
    g_assert_nonnull(bus->iommu_ops->translate);
    g_assert_true(bus->iommu_ops->translate(bus, bus->iommu_opaque,
                                            0x0010, 0x1234, true, &e));
    g_assert_cmphex(e.translated_addr | (0x1234 & e.addr_mask), ==,
                    OA + 0x234);
    g_assert_true(s->accel);
    accel_fixture_fini(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3-translate/gbpa", test_gbpa);
    g_test_add_func("/smmuv3-translate/ste-abort-bypass",
                    test_ste_abort_bypass);
    for (size_t i = 0; i < G_N_ELEMENTS(granule_cases); i++) {
        g_autofree char *p = g_strdup_printf(
            "/smmuv3-translate/s1/granule-%uk-%ubit",
            1u << (granule_cases[i].g - 10), granule_cases[i].isz);

        g_test_add_data_func(p, &granule_cases[i], test_s1_granules);
    }
    g_test_add_func("/smmuv3-translate/s1/ttb1", test_s1_ttb1);
    g_test_add_func("/smmuv3-translate/s1/tbi", test_s1_tbi);
    g_test_add_func("/smmuv3-translate/s1/privcfg", test_s1_privcfg);
    g_test_add_func("/smmuv3-translate/s2", test_s2);
    g_test_add_func("/smmuv3-translate/nested", test_nested);
    g_test_add_func("/smmuv3-translate/nested/cd-fetch",
                    test_nested_cd_fetch);
    g_test_add_func("/smmuv3-translate/substreams", test_substreams);
    g_test_add_func("/smmuv3-translate/substreams/faults",
                    test_substream_faults);
    g_test_add_func("/smmuv3-translate/faults/s1", test_s1_faults);
    g_test_add_func("/smmuv3-translate/faults/config", test_config_faults);
    g_test_add_func("/smmuv3-translate/faults/ste-fetch", test_ste_fetch);
    g_test_add_func("/smmuv3-translate/stage-property", test_stage_property);
    for (size_t i = 0; i < G_N_ELEMENTS(tlbi_cases); i++) {
        g_autofree char *p = g_strdup_printf("/smmuv3-translate/tlbi/%s",
                                             tlbi_cases[i].name);

        g_test_add_data_func(p, &tlbi_cases[i], test_tlbi);
    }
    g_test_add_func("/smmuv3-translate/tlbi/range", test_tlbi_range);
    g_test_add_func("/smmuv3-translate/tlbi/block", test_tlbi_block);
    g_test_add_func("/smmuv3-translate/tlbi/nested-leaves",
                    test_tlbi_nested_leaves);
    g_test_add_func("/smmuv3-translate/tlbi/el2-illegal",
                    test_tlbi_el2_illegal);
    for (size_t i = 0; i < G_N_ELEMENTS(cfgi_cases); i++) {
        g_autofree char *p = g_strdup_printf("/smmuv3-translate/cfgi/%s",
                                             cfgi_cases[i].name);

        g_test_add_data_func(p, &cfgi_cases[i], test_cfgi);
    }
    g_test_add_func("/smmuv3-translate/iotlb/bounded", test_iotlb_bounded);
    g_test_add_func("/smmuv3-translate/random/invalidate",
                    test_random_invalidate);
    g_test_add_func("/smmuv3-translate/threads", test_threads);
    g_test_add_func("/smmuv3-translate/reset", test_reset_flushes);
    g_test_add_func("/smmuv3-translate/qmp-counters", test_qmp_counters);
    g_test_add_func("/smmuv3-translate/accel-on/emulated-endpoint",
                    test_accel_emulated);
    return g_test_run();
}
