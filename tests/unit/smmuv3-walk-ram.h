/*
 * A fake guest RAM for the SMMUv3 walker tests: one byte array at a
 * fixed base address, a bump allocator for translation tables, and the
 * walker's read callback, which fails outside the array and counts the
 * reads it serves.  Descriptor encodings are written out from the
 * VMSAv8-64 descriptor formats, independently of the walker.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_SMMUV3_WALK_RAM_H
#define TESTS_UNIT_SMMUV3_WALK_RAM_H

#include "hw/arm/smmuv3-walk.h"

#define RAM_BASE        0x40000000ULL
#define RAM_SIZE        (64ULL << 20)

/* VMSAv8-64 descriptor bits. */
#define D_AF            (1ULL << 10)
#define D_TABLE(a)      ((a) | 3)
#define D_PAGE(a)       ((a) | 3 | D_AF)
#define D_BLOCK(a)      ((a) | 1 | D_AF)
#define D_AP_RW_EL1     (0ULL << 6)     /* AP[2:1] = 00 */
#define D_AP_RW_ALL     (1ULL << 6)     /* 01 */
#define D_AP_RO_EL1     (2ULL << 6)     /* 10 */
#define D_AP_RO_ALL     (3ULL << 6)     /* 11 */
#define D_S2AP_R        (1ULL << 6)     /* S2AP[0] */
#define D_S2AP_W        (2ULL << 6)     /* S2AP[1] */
#define D_CONT          (1ULL << 52)
#define D_PXN           (1ULL << 53)
#define D_UXN           (1ULL << 54)    /* XN at stage 2 */
#define D_PXNTABLE      (1ULL << 59)
#define D_XNTABLE       (1ULL << 60)
#define D_APTABLE_NOEL0 (1ULL << 61)
#define D_APTABLE_RO    (1ULL << 62)

/* Lowest input bit a level indexes (VMSAv8-64: each level strides g-3). */
static inline unsigned ram_level_shift(unsigned granule, unsigned level)
{
    return granule + (3 - level) * (granule - 3);
}

typedef struct Ram {
    uint8_t *mem;
    uint64_t next;          /* allocator: next free offset */
    unsigned reads;         /* reads served, failed ones included */
} Ram;

static inline Ram *ram_new(void)
{
    Ram *r = g_new0(Ram, 1);

    r->mem = g_malloc0(RAM_SIZE);
    return r;
}

static inline void ram_free(Ram *r)
{
    g_free(r->mem);
    g_free(r);
}

static inline bool ram_read(void *opaque, uint64_t addr, void *buf,
                            size_t len)
{
    Ram *r = opaque;

    r->reads++;
    if (addr < RAM_BASE || addr - RAM_BASE > RAM_SIZE - len) {
        return false;
    }
    memcpy(buf, r->mem + (addr - RAM_BASE), len);
    return true;
}

/* A zeroed table of @size bytes, aligned to its size. */
static inline uint64_t ram_alloc(Ram *r, uint64_t size)
{
    uint64_t align = MAX(size, 64);
    uint64_t off = (r->next + align - 1) & ~(align - 1);

    g_assert_cmpuint(off + size, <=, RAM_SIZE);
    r->next = off + size;
    return RAM_BASE + off;
}

static inline void ram_w64(Ram *r, uint64_t addr, uint64_t val)
{
    uint64_t le = GUINT64_TO_LE(val);

    g_assert(addr >= RAM_BASE && addr + 8 <= RAM_BASE + RAM_SIZE);
    memcpy(r->mem + (addr - RAM_BASE), &le, 8);
}

static inline uint64_t ram_r64(Ram *r, uint64_t addr)
{
    uint64_t le;

    g_assert(addr >= RAM_BASE && addr + 8 <= RAM_BASE + RAM_SIZE);
    memcpy(&le, r->mem + (addr - RAM_BASE), 8);
    return GUINT64_FROM_LE(le);
}

#endif /* TESTS_UNIT_SMMUV3_WALK_RAM_H */
