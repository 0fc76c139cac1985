/*
 * iommu-testdev's DMA through the virt machine's SMMUv3 (accel=off), as
 * a guest sets it up: libqos's generic PCIe enumeration finds the
 * device and gives it its StreamID, the libqos SMMUv3 driver brings the
 * SMMU up, and the test builds stage-1, stage-2 and nested translation
 * tables in guest RAM.  Each DMA is checked where it lands (qtest memory
 * reads of the translated address and of the untranslated one), by the
 * device's result code, and, for faults, by the event record the guest
 * reads from its event queue.
 *
 * Descriptors are written from the VMSAv8-64 formats, independently of
 * the walker; STE, CD, command and event fields come from
 * include/hw/arm/smmuv3-common.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-generic.h"
#include "libqos/iommu-testdev.h"
#include "libqos/smmuv3-driver.h"
#include "hw/arm/smmuv3-common.h"
#include "hw/pci/pci-regs.h"
#include "hw/misc/iommu-testdev.h"

#define VIRT_SMMU       0x09050000ull
#define RAM_BASE        0x40000000ull
#define RAM_SIZE        (256ull << 20)
/* The driver's queues and stream table; then our tables; then data. */
#define DRV_RAM_SIZE    (32ull << 20)
#define S1_TABLES       0x42000000ull   /* 2 MiB: CD and stage-1 tables */
#define S2_TABLES       0x42200000ull
#define TABLES_END      0x42400000ull

/* Nested: the stage-1 tables and CD sit at IPA = PA + NESTED_IPA_OFF. */
#define NESTED_IPA_OFF  0x1000000000ull

/* VMSAv8-64 descriptors. */
#define D_VALID         (1ull << 0)
#define D_TABLE         (1ull << 1)     /* table, or page at level 3 */
#define D_AF            (1ull << 10)
#define D_AP_RW_ALL     (1ull << 6)     /* AP[2:1] = 01: EL0 and EL1 RW */
#define D_AP_RO_ALL     (3ull << 6)     /* 11: EL0 and EL1 read-only */
#define D_S2AP_RW       (3ull << 6)     /* S2AP[1:0]: read and write */
#define D_S2AP_RO       (1ull << 6)     /* read only */
#define D_OA_MASK       0x0000fffffffff000ull
#define GRANULE         0x1000ull

/* Stage 1: 48-bit VA, 4K granule, levels 0-3.  Stage 2: 39-bit IPA, 1-3. */
#define S1_T0SZ         16
#define S1_START_LEVEL  0
#define S2_T0SZ         25
#define S2_SL0_LEVEL1   1
#define S2_START_LEVEL  1

#define ASID            0x5
#define VMID            0x7
#define DMA_LEN         64

typedef struct Fixture {
    QTestState *qts;
    QOSBus bus;
    QPCIeHost host;
    QSMMUv3 d;
    QPCIeFunc *itd;
    uint32_t sid;
    uint64_t s1_next, s2_next;      /* table allocators */
    uint64_t cd;                    /* the last CD setup_s1() made */
} Fixture;

/* The test device behind a root port: its StreamID carries the bus. */
#define MACHINE_ARGS \
    "-machine virt,iommu=smmuv3 -m 256M " \
    "-device pcie-root-port,port=8,chassis=1,id=rp1,bus=pcie.0,addr=0x2 " \
    "-device iommu-testdev,bus=rp1,id=itd0"

static void fixture_start(Fixture *f)
{
    /* 12 StreamID bits: the buses the tests number, 4096 STEs to write. */
    QSMMUv3Options opts = {
        .cmdq_log2size = 6, .evtq_log2size = 6, .sid_bits = 12,
    };

    memset(f, 0, sizeof(*f));
    f->qts = qtest_init(MACHINE_ARGS);
    qtest_qos_bus_init(f->qts, &f->bus);
    qpcie_init_virt(&f->host, &f->bus);
    g_assert_cmpuint(qpcie_enumerate(&f->host, 0), ==, 3);
    f->itd = qpcie_find(&f->host, IOMMU_TESTDEV_VENDOR_ID,
                        IOMMU_TESTDEV_DEVICE_ID, 0);
    g_assert_nonnull(f->itd);
    g_assert_cmphex(f->itd->bar_addr[0], !=, 0);
    qpcie_enable(f->itd);
    f->sid = qpcie_requester_id(f->itd);
    /* Behind the root port the scan numbered 1: bus 1, device 0. */
    g_assert_cmphex(f->sid, ==, 0x0100);

    qsmmuv3_init(&f->d, &f->bus, VIRT_SMMU, RAM_BASE, DRV_RAM_SIZE);
    g_assert_true(qsmmuv3_bringup(&f->d, &opts));
    f->s1_next = S1_TABLES;
    f->s2_next = S2_TABLES;
}

static void fixture_stop(Fixture *f)
{
    qtest_quit(f->qts);
}

/* ---- guest memory ------------------------------------------------------ */

static uint64_t rd64(Fixture *f, uint64_t pa)
{
    uint64_t v;

    qtest_memread(f->qts, pa, &v, sizeof(v));
    return GUINT64_FROM_LE(v);
}

static void wr64(Fixture *f, uint64_t pa, uint64_t v)
{
    uint64_t le = GUINT64_TO_LE(v);

    qtest_memwrite(f->qts, pa, &le, sizeof(le));
}

static void wr_words(Fixture *f, uint64_t pa, const uint64_t *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        wr64(f, pa + 8 * i, w[i]);
    }
}

static uint64_t table_alloc(Fixture *f, uint64_t *next, uint64_t end)
{
    uint64_t pa = *next;

    g_assert_cmphex(pa + GRANULE, <=, end);
    *next += GRANULE;
    qtest_memset(f->qts, pa, 0, GRANULE);
    return pa;
}

static uint64_t s1_alloc(Fixture *f)
{
    return table_alloc(f, &f->s1_next, S2_TABLES);
}

static uint64_t s2_alloc(Fixture *f)
{
    return table_alloc(f, &f->s2_next, TABLES_END);
}

/* True if [pa, pa + len) holds the device's pattern. */
static bool pattern_at(Fixture *f, uint64_t pa, uint32_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);

    qtest_memread(f->qts, pa, buf, len);
    for (uint32_t i = 0; i < len; i++) {
        if (buf[i] != (uint8_t)(ITD_DMA_WRITE_VAL >> (8 * (i % 4)))) {
            return false;
        }
    }
    return true;
}

static bool zero_at(Fixture *f, uint64_t pa, uint32_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);

    qtest_memread(f->qts, pa, buf, len);
    for (uint32_t i = 0; i < len; i++) {
        if (buf[i]) {
            return false;
        }
    }
    return true;
}

/* ---- translation tables ---------------------------------------------- */

/*
 * Map the 4K (leaf_level 3) or 2M (leaf_level 2) page at IN to OUT in
 * the tables rooted at ROOT (a PA).  Table descriptors hold the next
 * table's address plus TBL_OFF (its IPA when nested; new tables come
 * from ALLOC).
 */
static void pt_map(Fixture *f, uint64_t root, unsigned start_level,
                   unsigned leaf_level, uint64_t in, uint64_t out,
                   uint64_t attrs, uint64_t tbl_off,
                   uint64_t (*alloc)(Fixture *))
{
    uint64_t table = root;

    for (unsigned level = start_level; ; level++) {
        unsigned shift = 12 + 9 * (3 - level);
        uint64_t slot = table + ((in >> shift) & 0x1ff) * 8;
        uint64_t desc;

        if (level == leaf_level) {
            desc = (out & D_OA_MASK) | D_VALID | D_AF | attrs;
            if (level == 3) {
                desc |= D_TABLE;
            }
            wr64(f, slot, desc);
            return;
        }
        desc = rd64(f, slot);
        if (!(desc & D_VALID)) {
            desc = (alloc(f) + tbl_off) | D_VALID | D_TABLE;
            wr64(f, slot, desc);
        }
        table = (desc & D_OA_MASK) - tbl_off;
    }
}

static void s1_map(Fixture *f, uint64_t ttb0, uint64_t iova, uint64_t pa,
                   uint64_t tbl_off)
{
    pt_map(f, ttb0, S1_START_LEVEL, 3, iova, pa, D_AP_RW_ALL, tbl_off,
           s1_alloc);
}

static void s2_map(Fixture *f, uint64_t s2ttb, uint64_t ipa, uint64_t pa)
{
    pt_map(f, s2ttb, S2_START_LEVEL, 3, ipa, pa, D_S2AP_RW, 0, s2_alloc);
}

/* A CD for TTB0 (an IPA when nested), recording translation faults. */
static void cd_write(Fixture *f, uint64_t cd_pa, uint64_t ttb0)
{
    uint64_t cd[8] = { 0 };

    cd[0] = FIELD_DP64(cd[0], CD_0, T0SZ, S1_T0SZ);
    cd[0] = FIELD_DP64(cd[0], CD_0, TG0, SMMU_TG0_4K);
    cd[0] = FIELD_DP64(cd[0], CD_0, EPD1, 1);
    cd[0] = FIELD_DP64(cd[0], CD_0, V, 1);
    cd[0] = FIELD_DP64(cd[0], CD_0, IPS, SMMU_OAS_44BIT);
    cd[0] = FIELD_DP64(cd[0], CD_0, AA64, 1);
    cd[0] = FIELD_DP64(cd[0], CD_0, R, 1);
    cd[0] = FIELD_DP64(cd[0], CD_0, ASID, ASID);
    cd[1] = ttb0 & R_CD_1_TTB0_MASK;
    wr_words(f, cd_pa, cd, 8);
}

/* The STE for SID: CONFIG, the CD pointer, the stage-2 table. */
static void ste_write(Fixture *f, uint32_t sid, unsigned config,
                      uint64_t cdptr, uint64_t s2ttb)
{
    SMMUSte ste = smmu_ste_make(config);

    if (config & SMMU_STE_CONFIG_S1_EN) {
        ste.word[0] |= cdptr & R_STE_0_S1CTXPTR_MASK;
    }
    if (config & SMMU_STE_CONFIG_S2_EN) {
        ste.word[2] = FIELD_DP64(ste.word[2], STE_2, S2VMID, VMID);
        ste.word[2] = FIELD_DP64(ste.word[2], STE_2, S2T0SZ, S2_T0SZ);
        ste.word[2] = FIELD_DP64(ste.word[2], STE_2, S2SL0, S2_SL0_LEVEL1);
        ste.word[2] = FIELD_DP64(ste.word[2], STE_2, S2TG, SMMU_TG0_4K);
        ste.word[2] = FIELD_DP64(ste.word[2], STE_2, S2PS, SMMU_OAS_44BIT);
        ste.word[2] = FIELD_DP64(ste.word[2], STE_2, S2AA64, 1);
        ste.word[2] = FIELD_DP64(ste.word[2], STE_2, S2R, 1);
        ste.word[3] = s2ttb & R_STE_3_S2TTB_MASK;
    }
    wr_words(f, qsmmuv3_ste_addr(&f->d, sid), ste.word, 8);
    g_assert_true(qsmmuv3_cfgi_ste(&f->d, sid));
}

/* Stage 1 only: a CD and empty tables; returns TTB0. */
static uint64_t setup_s1(Fixture *f)
{
    uint64_t ttb0;

    f->cd = s1_alloc(f);
    ttb0 = s1_alloc(f);
    cd_write(f, f->cd, ttb0);
    ste_write(f, f->sid, SMMU_STE_CONFIG_S1, f->cd, 0);
    return ttb0;
}

/* Stage 2 only: an empty table; returns its address. */
static uint64_t setup_s2(Fixture *f)
{
    uint64_t s2ttb = s2_alloc(f);

    ste_write(f, f->sid, SMMU_STE_CONFIG_S2, 0, s2ttb);
    return s2ttb;
}

/*
 * Nested: the CD and the stage-1 tables at IPAs that stage 2 maps (one
 * 2 MiB block) onto S1_TABLES; returns the stage-2 root.
 */
static uint64_t setup_nested(Fixture *f, uint64_t *ttb0_pa)
{
    uint64_t s2ttb = s2_alloc(f);
    uint64_t cd = s1_alloc(f);

    *ttb0_pa = s1_alloc(f);
    cd_write(f, cd, *ttb0_pa + NESTED_IPA_OFF);
    pt_map(f, s2ttb, S2_START_LEVEL, 2, S1_TABLES + NESTED_IPA_OFF,
           S1_TABLES, D_S2AP_RW, 0, s2_alloc);
    ste_write(f, f->sid, SMMU_STE_CONFIG_NESTED, cd + NESTED_IPA_OFF, s2ttb);
    return s2ttb;
}

/* ---- the device and the event queue -------------------------------- */

/* Exactly one record in the event queue, decoded. */
static SMMUEventInfo one_event(Fixture *f)
{
    QSMMUv3Event e[4];
    SMMUEventInfo info;
    SMMUEvent evt;
    bool ovf;

    g_assert_cmpuint(qsmmuv3_evtq_consume(&f->d, e, G_N_ELEMENTS(e), &ovf),
                     ==, 1);
    g_assert_false(ovf);
    memcpy(evt.word, e[0].raw, sizeof(evt.word));
    smmu_event_parse(&evt, &info);
    return info;
}

/*
 * The record a translation fault of the device's write left: TYPE for
 * its StreamID at INPUT; a stage-2 fault (S2) also has CLASS_ and the IPA.
 */
static SMMUEventInfo expect_fault(Fixture *f, unsigned type, bool s2,
                                  unsigned class_, uint64_t input,
                                  uint64_t ipa)
{
    SMMUEventInfo ev = one_event(f);

    g_assert_cmphex(ev.type, ==, type);
    g_assert_cmphex(ev.sid, ==, f->sid);
    g_assert_false(ev.rnw);
    g_assert_cmphex(ev.input_addr, ==, input);
    g_assert_cmpint(ev.s2, ==, s2);
    if (s2) {
        g_assert_cmpuint(ev.class_, ==, class_);
        g_assert_cmphex(ev.addr2 & SMMU_EVT_IPA_MASK, ==, ipa);
    }
    return ev;
}

static void assert_no_event(Fixture *f)
{
    QSMMUv3Event e;

    g_assert_cmpuint(qsmmuv3_evtq_consume(&f->d, &e, 1, NULL), ==, 0);
}

/* A successful DMA: the bytes at PA, none at the untranslated address. */
static void assert_dma_lands(Fixture *f, uint64_t iova, uint64_t pa)
{
    g_assert_true(zero_at(f, pa, DMA_LEN));
    g_assert_cmphex(qitd_dma(f->itd, iova, pa, DMA_LEN), ==,
                    ITD_DMA_RESULT_OK);
    g_assert_true(pattern_at(f, pa, DMA_LEN));
    g_assert_true(zero_at(f, iova, DMA_LEN));
    assert_no_event(f);
}

/* ---- tests -------------------------------------------------------------- */

#define IOVA            0x4a000000ull
#define IPA             0x4c000000ull
#define PA              0x4b000000ull

static void test_s1(void)
{
    Fixture f;
    uint64_t ttb0;

    fixture_start(&f);
    ttb0 = setup_s1(&f);
    s1_map(&f, ttb0, IOVA, PA, 0);
    assert_dma_lands(&f, IOVA, PA);
    /* An offset within the page keeps its offset. */
    assert_dma_lands(&f, IOVA + 0x840, PA + 0x840);
    fixture_stop(&f);
}

static void test_s2(void)
{
    Fixture f;
    uint64_t s2ttb;

    fixture_start(&f);
    s2ttb = setup_s2(&f);
    s2_map(&f, s2ttb, IPA, PA + 0x2000);
    assert_dma_lands(&f, IPA, PA + 0x2000);
    fixture_stop(&f);
}

static void test_nested(void)
{
    Fixture f;
    uint64_t s2ttb, ttb0;

    fixture_start(&f);
    s2ttb = setup_nested(&f, &ttb0);
    s1_map(&f, ttb0, IOVA, IPA, NESTED_IPA_OFF);
    s2_map(&f, s2ttb, IPA, PA + 0x4000);
    assert_dma_lands(&f, IOVA, PA + 0x4000);
    /* Nothing at the IPA taken as a PA either. */
    g_assert_true(zero_at(&f, IPA, DMA_LEN));
    fixture_stop(&f);
}

/* One counter of query-vsmmu's "translation" object (one vSMMU). */
static int64_t trans_counter(Fixture *f, const char *name)
{
    JsonObject *rsp = qtest_qmp(f->qts, "{'execute': 'query-vsmmu'}");
    JsonArray *arr = json_node_get_array(qtest_qmp_assert_success(rsp));
    JsonObject *t;
    int64_t v;

    g_assert_cmpuint(json_array_get_length(arr), ==, 1);
    t = json_object_get_object_member(json_array_get_object_element(arr, 0),
                                      "translation");
    g_assert_nonnull(t);
    v = json_object_get_int_member(t, name);
    json_object_unref(rsp);
    return v;
}

/*
 * query-vsmmu's translation counters follow the device's DMA: a first
 * access to a page misses the IOTLB, a second one hits it, a fault is
 * counted with the event it recorded.
 */
static void test_counters(void)
{
    Fixture f;
    uint64_t ttb0;
    int64_t hits, misses, faulted, events, translated;

    fixture_start(&f);
    ttb0 = setup_s1(&f);
    s1_map(&f, ttb0, IOVA, PA, 0);
    misses = trans_counter(&f, "iotlb-misses");
    translated = trans_counter(&f, "translated");
    assert_dma_lands(&f, IOVA, PA);
    g_assert_cmpint(trans_counter(&f, "iotlb-misses"), >, misses);
    g_assert_cmpint(trans_counter(&f, "translated"), >, translated);

    misses = trans_counter(&f, "iotlb-misses");
    hits = trans_counter(&f, "iotlb-hits");
    assert_dma_lands(&f, IOVA + 0x100, PA + 0x100);
    g_assert_cmpint(trans_counter(&f, "iotlb-misses"), ==, misses);
    g_assert_cmpint(trans_counter(&f, "iotlb-hits"), >, hits);
    g_assert_cmpint(trans_counter(&f, "iotlb-entries"), >=, 1);

    faulted = trans_counter(&f, "faulted");
    events = trans_counter(&f, "events");
    g_assert_cmphex(qitd_dma(f.itd, IOVA + GRANULE, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    expect_fault(&f, SMMU_EVT_F_TRANSLATION, false, 0, IOVA + GRANULE, 0);
    g_assert_cmpint(trans_counter(&f, "faulted"), ==, faulted + 1);
    g_assert_cmpint(trans_counter(&f, "events"), ==, events + 1);
    fixture_stop(&f);
}

/* Stage 1, unmapped IOVA: F_TRANSLATION as the write saw it. */
static void test_s1_fault(void)
{
    Fixture f;
    SMMUEventInfo ev;
    uint64_t ttb0;

    fixture_start(&f);
    ttb0 = setup_s1(&f);
    s1_map(&f, ttb0, IOVA, PA, 0);
    g_assert_cmphex(qitd_dma(f.itd, IOVA + GRANULE, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    ev = expect_fault(&f, SMMU_EVT_F_TRANSLATION, false, 0, IOVA + GRANULE, 0);
    g_assert_false(ev.ssv);
    g_assert_false(ev.pnu);
    g_assert_true(zero_at(&f, PA, DMA_LEN));
    /* The mapped page still works after the fault. */
    assert_dma_lands(&f, IOVA, PA);
    fixture_stop(&f);
}

/* Without CD.R a translation fault aborts the DMA but is not recorded. */
static void test_s1_fault_unrecorded(void)
{
    Fixture f;
    SMMUCmd c;
    uint64_t ttb0;

    fixture_start(&f);
    ttb0 = setup_s1(&f);
    s1_map(&f, ttb0, IOVA, PA, 0);
    wr64(&f, f.cd, rd64(&f, f.cd) & ~R_CD_0_R_MASK);
    c = smmu_cmd_cfgi_cd(f.sid, 0, true);
    qsmmuv3_cmd(&f.d, c.word[0], c.word[1]);
    g_assert_true(qsmmuv3_sync(&f.d));
    g_assert_cmphex(qitd_dma(f.itd, IOVA + GRANULE, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    assert_no_event(&f);
    assert_dma_lands(&f, IOVA, PA);
    fixture_stop(&f);
}

/*
 * A DMA across two IOVA pages mapped to distant PAs is split at the
 * page boundary: each half lands in its own page (and the device, which
 * reads its expected PA back contiguously, reports the mismatch).
 */
static void test_s1_split(void)
{
    Fixture f;
    uint64_t ttb0;
    const uint64_t pa2 = PA + 0x3000;
    const uint32_t half = DMA_LEN / 2;

    fixture_start(&f);
    ttb0 = setup_s1(&f);
    s1_map(&f, ttb0, IOVA, PA, 0);
    s1_map(&f, ttb0, IOVA + GRANULE, pa2, 0);
    g_assert_cmphex(qitd_dma(f.itd, IOVA + GRANULE - half,
                             PA + GRANULE - half, DMA_LEN),
                    ==, ITD_DMA_ERR_MISMATCH);
    g_assert_true(pattern_at(&f, PA + GRANULE - half, half));
    g_assert_true(pattern_at(&f, pa2, half));
    g_assert_true(zero_at(&f, PA + GRANULE, half));
    g_assert_true(zero_at(&f, IOVA + GRANULE - half, DMA_LEN));
    assert_no_event(&f);
    fixture_stop(&f);
}

/* A read-only page at stage 1, then at stage 2: F_PERMISSION, no write. */
static void test_permission_faults(void)
{
    Fixture f;
    uint64_t ttb0, s2ttb;

    fixture_start(&f);
    ttb0 = setup_s1(&f);
    pt_map(&f, ttb0, S1_START_LEVEL, 3, IOVA, PA, D_AP_RO_ALL, 0, s1_alloc);
    g_assert_cmphex(qitd_dma(f.itd, IOVA, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    expect_fault(&f, SMMU_EVT_F_PERMISSION, false, 0, IOVA, 0);
    g_assert_true(zero_at(&f, PA, DMA_LEN));

    s2ttb = s2_alloc(&f);
    pt_map(&f, s2ttb, S2_START_LEVEL, 3, IPA, PA, D_S2AP_RO, 0, s2_alloc);
    ste_write(&f, f.sid, SMMU_STE_CONFIG_S2, 0, s2ttb);
    g_assert_cmphex(qitd_dma(f.itd, IPA, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    expect_fault(&f, SMMU_EVT_F_PERMISSION, true, SMMU_EVT_CLASS_IN, IPA, IPA);
    g_assert_true(zero_at(&f, PA, DMA_LEN));
    fixture_stop(&f);
}

/* Stage 2 only, unmapped IPA: S2, CLASS IN, the IPA. */
static void test_s2_fault(void)
{
    Fixture f;
    uint64_t s2ttb;

    fixture_start(&f);
    s2ttb = setup_s2(&f);
    s2_map(&f, s2ttb, IPA, PA);
    g_assert_cmphex(qitd_dma(f.itd, IPA + 3 * GRANULE, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    expect_fault(&f, SMMU_EVT_F_TRANSLATION, true, SMMU_EVT_CLASS_IN,
                 IPA + 3 * GRANULE, IPA + 3 * GRANULE);
    fixture_stop(&f);
}

/*
 * Nested, stage 1 maps the IOVA to an IPA stage 2 does not map: the
 * record has the IOVA as input and the IPA that faulted; then a stage-1
 * table stage 2 cannot reach: CLASS TT.
 */
static void test_nested_s2_fault(void)
{
    Fixture f;
    SMMUEventInfo ev;
    uint64_t ttb0;
    const uint64_t iova2 = IOVA + (1ull << 39);     /* another L0 entry */

    fixture_start(&f);
    setup_nested(&f, &ttb0);
    s1_map(&f, ttb0, IOVA, IPA, NESTED_IPA_OFF);
    g_assert_cmphex(qitd_dma(f.itd, IOVA, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    expect_fault(&f, SMMU_EVT_F_TRANSLATION, true, SMMU_EVT_CLASS_IN, IOVA,
                 IPA);

    /* A level-1 table at an IPA outside stage 2's block. */
    wr64(&f, ttb0 + ((iova2 >> 39) & 0x1ff) * 8,
         (0x43000000ull + NESTED_IPA_OFF) | D_VALID | D_TABLE);
    g_assert_cmphex(qitd_dma(f.itd, iova2, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    ev = expect_fault(&f, SMMU_EVT_F_TRANSLATION, true, SMMU_EVT_CLASS_TT,
                      iova2, 0x43000000ull + NESTED_IPA_OFF);
    g_assert_true(ev.ttrnw);
    fixture_stop(&f);
}

/* Nested, the CD at an IPA stage 2 does not map: S2, CLASS CD. */
static void test_nested_cd_fault(void)
{
    Fixture f;
    uint64_t s2ttb;
    const uint64_t cd_ipa = 0x43000000ull + NESTED_IPA_OFF;

    fixture_start(&f);
    s2ttb = s2_alloc(&f);
    s2_map(&f, s2ttb, IPA, PA);
    ste_write(&f, f.sid, SMMU_STE_CONFIG_NESTED, cd_ipa, s2ttb);
    g_assert_cmphex(qitd_dma(f.itd, IOVA, PA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    expect_fault(&f, SMMU_EVT_F_TRANSLATION, true, SMMU_EVT_CLASS_CD, IOVA,
                 cd_ipa);
    g_assert_true(zero_at(&f, PA, DMA_LEN));
    fixture_stop(&f);
}

/* A reserved STE.Config: C_BAD_STE for the device's StreamID. */
static void test_bad_ste(void)
{
    Fixture f;
    SMMUEventInfo ev;
    SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_ABORT);

    fixture_start(&f);
    ste.word[0] = FIELD_DP64(ste.word[0], STE_0, CONFIG, 1);
    wr_words(&f, qsmmuv3_ste_addr(&f.d, f.sid), ste.word, 8);
    g_assert_true(qsmmuv3_cfgi_ste(&f.d, f.sid));
    g_assert_cmphex(qitd_dma(f.itd, IOVA, IOVA, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    ev = one_event(&f);
    g_assert_cmphex(ev.type, ==, SMMU_EVT_C_BAD_STE);
    g_assert_cmphex(ev.sid, ==, f.sid);
    g_assert_true(zero_at(&f, IOVA, DMA_LEN));
    fixture_stop(&f);
}

/*
 * The guest renumbers the root port's secondary bus: the device's DMA
 * now carries the new bus number and uses that StreamID's STE.
 */
static void test_root_port_sid(void)
{
    Fixture f;
    QPCIeFunc *rp;
    SMMUEventInfo ev;
    uint64_t ttb0;
    const uint32_t new_sid = 0x0500;

    fixture_start(&f);
    ttb0 = setup_s1(&f);
    s1_map(&f, ttb0, IOVA, PA, 0);
    assert_dma_lands(&f, IOVA, PA);

    rp = qpcie_find_at(&f.host, 0, PCI_DEVFN(2, 0));
    g_assert_nonnull(rp);
    qpcie_writeb(&f.host, 0, rp->devfn, PCI_SUBORDINATE_BUS, 5);
    qpcie_writeb(&f.host, 0, rp->devfn, PCI_SECONDARY_BUS, 5);
    g_assert_cmphex(qpcie_readw(&f.host, 5, 0, PCI_VENDOR_ID), ==,
                    IOMMU_TESTDEV_VENDOR_ID);
    /* 0x500's STE is still Linux's abort: no record, no write. */
    g_assert_cmphex(qitd_dma(f.itd, IOVA + 0x100, PA + 0x100, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    assert_no_event(&f);
    /* A bad STE there names the new StreamID. */
    {
        SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_ABORT);

        ste.word[0] = FIELD_DP64(ste.word[0], STE_0, CONFIG, 2);
        wr_words(&f, qsmmuv3_ste_addr(&f.d, new_sid), ste.word, 8);
        g_assert_true(qsmmuv3_cfgi_ste(&f.d, new_sid));
    }
    g_assert_cmphex(qitd_dma(f.itd, IOVA + 0x100, PA + 0x100, DMA_LEN), ==,
                    ITD_DMA_ERR_TX_FAIL);
    ev = one_event(&f);
    g_assert_cmphex(ev.type, ==, SMMU_EVT_C_BAD_STE);
    g_assert_cmphex(ev.sid, ==, new_sid);
    /*
     * The same CD installed for the new StreamID (one ASID, one set of
     * tables: the IOTLB is tagged by ASID, not StreamID).
     */
    ste_write(&f, new_sid, SMMU_STE_CONFIG_S1, f.cd, 0);
    qtest_memset(f.qts, PA, 0, DMA_LEN);
    assert_dma_lands(&f, IOVA, PA);
    fixture_stop(&f);
}

static void tlbi_nh_va(Fixture *f, uint64_t iova)
{
    SMMUCmd c = smmu_cmd_make(SMMU_CMD_TLBI_NH_VA);

    c.word[0] = FIELD_DP64(c.word[0], CMD_0, ASID, ASID);
    c.word[1] = FIELD_DP64(c.word[1], CMD_1, ADDR, iova >> 12);
    c.word[1] = FIELD_DP64(c.word[1], CMD_1, LEAF, 1);
    qsmmuv3_cmd(&f->d, c.word[0], c.word[1]);
    g_assert_true(qsmmuv3_sync(&f->d));
}

/*
 * A leaf changed under a cached translation: the model keeps using the
 * IOTLB entry (docs/system/arm/smmuv3.rst: a table change is seen only
 * after its invalidation) until TLBI_NH_VA + CMD_SYNC.
 */
static void test_invalidation(void)
{
    Fixture f;
    uint64_t ttb0;
    const uint64_t pa1 = PA + 0x8000, pa2 = PA + 0x9000;

    fixture_start(&f);
    ttb0 = setup_s1(&f);
    s1_map(&f, ttb0, IOVA, pa1, 0);
    assert_dma_lands(&f, IOVA, pa1);
    qtest_memset(f.qts, pa1, 0, DMA_LEN);

    s1_map(&f, ttb0, IOVA, pa2, 0);
    assert_dma_lands(&f, IOVA, pa1);
    g_assert_true(zero_at(&f, pa2, DMA_LEN));

    tlbi_nh_va(&f, IOVA);
    qtest_memset(f.qts, pa1, 0, DMA_LEN);
    assert_dma_lands(&f, IOVA, pa2);
    g_assert_true(zero_at(&f, pa1, DMA_LEN));
    fixture_stop(&f);
}

/* The same for a stage-2 leaf: TLBI_S2_IPA + CMD_SYNC. */
static void test_s2_invalidation(void)
{
    Fixture f;
    SMMUCmd c = smmu_cmd_make(SMMU_CMD_TLBI_S2_IPA);
    uint64_t s2ttb;
    const uint64_t pa1 = PA + 0xa000, pa2 = PA + 0xb000;

    fixture_start(&f);
    s2ttb = setup_s2(&f);
    s2_map(&f, s2ttb, IPA, pa1);
    assert_dma_lands(&f, IPA, pa1);
    qtest_memset(f.qts, pa1, 0, DMA_LEN);
    s2_map(&f, s2ttb, IPA, pa2);
    assert_dma_lands(&f, IPA, pa1);

    c.word[0] = FIELD_DP64(c.word[0], CMD_0, VMID, VMID);
    c.word[1] = FIELD_DP64(c.word[1], CMD_1, IPA, IPA >> 12);
    c.word[1] = FIELD_DP64(c.word[1], CMD_1, LEAF, 1);
    qsmmuv3_cmd(&f.d, c.word[0], c.word[1]);
    g_assert_true(qsmmuv3_sync(&f.d));
    qtest_memset(f.qts, pa1, 0, DMA_LEN);
    assert_dma_lands(&f, IPA, pa2);
    g_assert_true(zero_at(&f, pa1, DMA_LEN));
    fixture_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iommu-testdev/smmuv3/s1", test_s1);
    g_test_add_func("/iommu-testdev/smmuv3/s2", test_s2);
    g_test_add_func("/iommu-testdev/smmuv3/nested", test_nested);
    g_test_add_func("/iommu-testdev/smmuv3/counters", test_counters);
    g_test_add_func("/iommu-testdev/smmuv3/s1-fault", test_s1_fault);
    g_test_add_func("/iommu-testdev/smmuv3/s1-fault-unrecorded",
                    test_s1_fault_unrecorded);
    g_test_add_func("/iommu-testdev/smmuv3/s1-split", test_s1_split);
    g_test_add_func("/iommu-testdev/smmuv3/permission-faults",
                    test_permission_faults);
    g_test_add_func("/iommu-testdev/smmuv3/s2-fault", test_s2_fault);
    g_test_add_func("/iommu-testdev/smmuv3/nested-s2-fault",
                    test_nested_s2_fault);
    g_test_add_func("/iommu-testdev/smmuv3/nested-cd-fault",
                    test_nested_cd_fault);
    g_test_add_func("/iommu-testdev/smmuv3/bad-ste", test_bad_ste);
    g_test_add_func("/iommu-testdev/smmuv3/root-port-sid",
                    test_root_port_sid);
    g_test_add_func("/iommu-testdev/smmuv3/invalidation", test_invalidation);
    g_test_add_func("/iommu-testdev/smmuv3/s2-invalidation",
                    test_s2_invalidation);
    return g_test_run();
}
