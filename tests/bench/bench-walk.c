/*
 * make bench: translations per second through the SMMUv3 walker
 * (hw/arm/smmuv3-walk.c), every one a full table walk (an IOTLB miss):
 * stage 1 with four 4K levels, stage 2 alone, and nested (each of the
 * four stage-1 descriptor fetches behind a four-level stage-2 walk).
 * It prints numbers and judges nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-walk.h"
#include "smmuv3-walk-ram.h"

#define PAGES       4096
#define IPA_BASE    0x10000000ULL   /* stage 2 maps it to RAM_BASE */

/*
 * The slot of @ia's level-@level descriptor, creating 4K tables on the
 * way: VA/IPA bits [47:39] [38:30] [29:21] [20:12].  Table addresses in
 * descriptors are @off above the PA (the IPA of stage-1 tables when
 * nested).
 */
static uint64_t table_for(Ram *r, uint64_t root, uint64_t ia, int level,
                          uint64_t off)
{
    uint64_t table = root;

    for (int l = 0; l < level; l++) {
        uint64_t slot = table - off + ((ia >> (39 - 9 * l)) & 0x1ff) * 8;
        uint64_t d = ram_r64(r, slot);

        if (!d) {
            d = D_TABLE(ram_alloc(r, 0x1000) + off);
            ram_w64(r, slot, d);
        }
        table = d & 0x0000fffffffff000ULL;
    }
    return table - off + ((ia >> (39 - 9 * level)) & 0x1ff) * 8;
}

static double run(const char *name, const SMMUWalkConfig *cfg, Ram *r,
                  uint64_t iova_base)
{
    SMMUWalkResult res;
    SMMUWalkFault f;
    uint64_t n = 0;
    gint64 start = g_get_monotonic_time(), elapsed;

    do {
        for (int i = 0; i < 10000; i++, n++) {
            SMMUWalkAccess acc = {
                .iova = iova_base + ((n % PAGES) << 12), .priv = true,
            };

            if (!smmuv3_walk(cfg, &acc, ram_read, r, &res, &f)) {
                g_error("%s: walk of 0x%" PRIx64 " faulted (type %d)",
                        name, acc.iova, f.type);
            }
        }
        elapsed = g_get_monotonic_time() - start;
    } while (elapsed < G_USEC_PER_SEC / 2);
    printf("%-44s %12.0f walks/s  (%u descriptor reads/walk)\n", name,
           n * (double)G_USEC_PER_SEC / elapsed, r->reads / (unsigned)n);
    r->reads = 0;
    return n;
}

int main(void)
{
    Ram *r = ram_new();
    uint64_t s1_root = ram_alloc(r, 0x1000), s2_root = ram_alloc(r, 0x1000);
    SMMUWalkConfig s1 = {
        .s1_enabled = true,
        .s1 = { .tt = { { .ttb = s1_root, .tsz = 16, .granule = 12 },
                        { .epd = true } }, .ips = 48 },
        .oas = 48,
    };
    SMMUWalkConfig s2 = {
        .s2_enabled = true,
        .s2 = { .ttb = s2_root, .tsz = 16, .sl0 = 2, .granule = 12,
                .ps = 48 },
        .oas = 48,
    };
    SMMUWalkConfig nested = s1;
    uint64_t nested_root;

    /* Stage 1 and stage 2 alone: VA/IPA 0x7f0000000000 + page -> page. */
    for (uint64_t i = 0; i < PAGES; i++) {
        uint64_t ia = 0x7f0000000000ULL + (i << 12);

        ram_w64(r, table_for(r, s1_root, ia, 3, 0),
                D_PAGE(0x100000000ULL + (i << 12)));
        ram_w64(r, table_for(r, s2_root, ia, 3, 0),
                D_PAGE(0x100000000ULL + (i << 12)) | D_S2AP_R | D_S2AP_W);
    }
    /* Stage 2 also maps IPA_BASE.. to guest RAM with 4K pages. */
    for (uint64_t off = 0; off < (8ULL << 20); off += 0x1000) {
        ram_w64(r, table_for(r, s2_root, IPA_BASE + off, 3, 0),
                D_PAGE(RAM_BASE + off) | D_S2AP_R);
    }
    /* Nested stage 1 in IPA space: VA 0x1000000000 + page -> IPA. */
    nested_root = ram_alloc(r, 0x1000) - RAM_BASE + IPA_BASE;
    g_assert_cmpuint(r->next, <, 8ULL << 20);
    for (uint64_t i = 0; i < PAGES; i++) {
        uint64_t ia = 0x1000000000ULL + (i << 12);

        ram_w64(r, table_for(r, nested_root, ia, 3, IPA_BASE - RAM_BASE),
                D_PAGE(0x7f0000000000ULL + (i << 12)));
        g_assert_cmpuint(r->next, <, 8ULL << 20);
    }
    nested.s2_enabled = true;
    nested.s2 = s2.s2;
    nested.s1.tt[0].ttb = nested_root;

    g_assert_true(smmuv3_walk_check_cfg(&s1, &error_abort));
    g_assert_true(smmuv3_walk_check_cfg(&nested, &error_abort));
    printf("SMMUv3 walker, IOTLB misses (no IOTLB in the walker):\n");
    r->reads = 0;
    run("stage 1, 4K granule, 4 levels", &s1, r, 0x7f0000000000ULL);
    run("stage 2, 4K granule, 4 levels", &s2, r, 0x7f0000000000ULL);
    run("nested, 4K granules, 4 + 4 levels", &nested, r, 0x1000000000ULL);
    ram_free(r);
    return 0;
}
