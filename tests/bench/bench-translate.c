/*
 * make bench: translations per second through the arm-smmuv3 model
 * (hw/arm/smmuv3-translate.c), as an emulated device's DMA asks for
 * them (PCIIOMMUOps.translate on the bus): IOTLB hits, and IOTLB misses
 * that each walk four 4K levels, for stage 1, stage 2 and nested.  The
 * SMMU runs in process, brought up by the libqos driver.  It prints
 * numbers and judges nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-translate.h"
#include "smmuv3-fixture.h"
#include "smmuv3-walk-ram.h"

#define OA          0x0000080000000000ULL
#define IPA_DELTA   0x30000000ULL   /* nested: stage-1 tables at PA - delta */
#define OA_IPA      0x0000008000000000ULL

typedef struct Bench {
    SMMUv3Fixture f;
    uint64_t next;
} Bench;

static uint64_t balloc(Bench *b)
{
    uint64_t a = b->next;

    b->next += 0x1000;
    g_assert_cmphex(b->next, <=, SMMU_FIX_DRV_RAM);
    return a;
}

static void w64(Bench *b, uint64_t addr, uint64_t v)
{
    smmuv3_fixture_w64(&b->f, addr, v);
}

static uint64_t r64(Bench *b, uint64_t addr)
{
    return smmuv3_fixture_r64(&b->f, addr);
}

/*
 * Map @ia at level 3 with 4K tables from @root (a PA); descriptors hold
 * table addresses @delta below their PA.  VA bits [47:39] .. [20:12].
 */
static void map4k(Bench *b, uint64_t root, uint64_t ia, uint64_t desc,
                  uint64_t delta)
{
    uint64_t table = root;

    for (int l = 0; l < 3; l++) {
        uint64_t slot = table + ((ia >> (39 - 9 * l)) & 0x1ff) * 8;
        uint64_t d = r64(b, slot);

        if (!d) {
            d = D_TABLE(balloc(b) - delta);
            w64(b, slot, d);
        }
        table = (d & 0x0000fffffffff000ULL) + delta;
    }
    w64(b, table + ((ia >> 12) & 0x1ff) * 8, desc);
}

static void bench_init(Bench *b)
{
    QSMMUv3Options opts = { .cmdq_log2size = 6, .evtq_log2size = 6,
                            .sid_bits = 16, .two_level = true };

    smmuv3_fixture_init(&b->f, NULL, &opts);
    b->next = RAM_BASE;
}

/* The STE of @sid: stage 1 through the CD at @cd and/or stage 2. */
static void ste(Bench *b, uint32_t sid, uint64_t cd, uint64_t s2root)
{
    uint64_t addr = qsmmuv3_ste_addr(&b->f.d, sid);
    unsigned config = SMMU_STE_CONFIG_BYPASS | (cd ? 1 : 0) |
                      (s2root ? 2 : 0);
    SMMUSte s = smmu_ste_make(config);

    s.word[0] |= cd & R_STE_0_S1CTXPTR_MASK;
    if (s2root) {
        s.word[2] = FIELD_DP64(0, STE_2, S2T0SZ, 24);
        s.word[2] = FIELD_DP64(s.word[2], STE_2, S2SL0, 2);
        s.word[2] = FIELD_DP64(s.word[2], STE_2, S2PS, SMMU_OAS_44BIT);
        s.word[2] = FIELD_DP64(s.word[2], STE_2, S2AA64, 1);
        s.word[3] = s2root;
    }
    for (int i = 0; i < 8; i++) {
        w64(b, addr + 8 * i, s.word[i]);
    }
}

/* A 4K, 48-bit, TTB0-only CD at PA @pa for the table at @ttb0. */
static void cd(Bench *b, uint64_t pa, uint64_t ttb0)
{
    uint64_t w0 = 0;

    w0 = FIELD_DP64(w0, CD_0, T0SZ, 16);
    w0 = FIELD_DP64(w0, CD_0, EPD1, 1);
    w0 = FIELD_DP64(w0, CD_0, V, 1);
    w0 = FIELD_DP64(w0, CD_0, IPS, SMMU_OAS_44BIT);
    w0 = FIELD_DP64(w0, CD_0, AA64, 1);
    w0 = FIELD_DP64(w0, CD_0, ASID, 1);
    w64(b, pa, w0);
    w64(b, pa + 8, ttb0);
}

/*
 * Translations of @pages pages from @va by @sid, each @reuse times in a
 * row before the next page: reuse 1 over more pages than the IOTLB holds
 * makes every one a miss.
 */
static void run(Bench *b, const char *name, uint16_t sid, uint64_t va,
                unsigned pages, unsigned reuse)
{
    SMMUTransStats before, after;
    gint64 start, elapsed;
    uint64_t n = 0;
    IOMMUTLBEntry e;

    smmuv3_get_trans_stats(b->f.s, &before);
    start = g_get_monotonic_time();
    do {
        for (int i = 0; i < 10000; i++, n++) {
            uint64_t a = va + ((n / reuse) % pages) * 0x1000;

            if (!smmuv3_fixture_dma(&b->f, sid, a, false, &e)) {
                g_error("%s: 0x%" PRIx64 " faulted", name, a);
            }
        }
        elapsed = g_get_monotonic_time() - start;
    } while (elapsed < G_USEC_PER_SEC / 2);
    smmuv3_get_trans_stats(b->f.s, &after);
    printf("%-40s %11.0f translations/s  (IOTLB hits %5.1f%%)\n", name,
           n * (double)G_USEC_PER_SEC / elapsed,
           100.0 * (after.iotlb_hits - before.iotlb_hits) /
           (double)(after.iotlb_misses + after.iotlb_hits -
                    before.iotlb_misses - before.iotlb_hits));
}

int main(void)
{
    Bench b;
    unsigned pages = 4 * SMMU_IOTLB_MAX_ENTRIES;
    uint64_t s1root, s2root, nroot, cdpa, ncd;

    bench_init(&b);
    s1root = balloc(&b);
    s2root = balloc(&b);
    cdpa = balloc(&b);
    /* Stage 2: IPA (PA - IPA_DELTA) -> PA for the tables, OA_IPA.. -> OA. */
    for (uint64_t pa = RAM_BASE; pa < RAM_BASE + (24 << 20); pa += 0x1000) {
        map4k(&b, s2root, pa - IPA_DELTA,
              D_PAGE(pa) | D_S2AP_R | D_S2AP_W, 0);
    }
    for (uint64_t i = 0; i < pages; i++) {
        map4k(&b, s1root, i << 12, D_PAGE(OA + (i << 12)) | D_AP_RW_ALL, 0);
        map4k(&b, s2root, OA_IPA + (i << 12),
              D_PAGE(OA + (i << 12)) | D_S2AP_R | D_S2AP_W, 0);
    }
    cd(&b, cdpa, s1root);
    ste(&b, 0x10, cdpa, 0);
    ste(&b, 0x20, 0, s2root);
    /* Nested: the CD and stage-1 tables in IPA space. */
    nroot = balloc(&b);
    ncd = balloc(&b);
    for (uint64_t i = 0; i < pages; i++) {
        map4k(&b, nroot, i << 12, D_PAGE(OA_IPA + (i << 12)) | D_AP_RW_ALL,
              IPA_DELTA);
    }
    g_assert_cmphex(b.next, <=, RAM_BASE + (24 << 20));
    cd(&b, ncd, nroot - IPA_DELTA);
    ste(&b, 0x30, ncd - IPA_DELTA, s2root);

    printf("arm-smmuv3 translation of emulated DMA (PCIIOMMUOps.translate),"
           " IOTLB of %u entries:\n", SMMU_IOTLB_MAX_ENTRIES);
    run(&b, "stage 1, IOTLB hit", 0x10, 0, 64, 1);
    run(&b, "stage 1, IOTLB miss, 4 levels", 0x10, 0, pages, 1);
    run(&b, "stage 2, IOTLB hit", 0x20, OA_IPA, 64, 1);
    run(&b, "stage 2, IOTLB miss, 4 levels", 0x20, OA_IPA, pages, 1);
    run(&b, "nested, IOTLB hit", 0x30, 0, 64, 1);
    run(&b, "nested, IOTLB miss, 4 + 4x4 + 4 levels", 0x30, 0, pages, 1);
    smmuv3_fixture_fini(&b.f);
    return 0;
}
