/*
 * Named register offsets and bit fields.
 *
 * A device declares each register and each field once:
 *
 *   REG32(CR0, 0x20)
 *       FIELD(CR0, SMMUEN, 0, 1)
 *
 * which defines A_CR0 (byte offset), R_CR0 (32-bit word index),
 * R_CR0_SMMUEN_SHIFT, R_CR0_SMMUEN_LENGTH and R_CR0_SMMUEN_MASK.  Code then
 * reads and writes fields by name:
 *
 *   if (FIELD_EX32(s->cr0, CR0, SMMUEN)) { ... }
 *   val = FIELD_DP32(val, CMDQ_CONS, ERR, SMMU_CERROR_ILL);
 *
 * FIELD() is also used for the words of in-memory structures (commands,
 * event records, table entries), with a pseudo register name per word.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_REGISTERFIELDS_H
#define HW_REGISTERFIELDS_H

/* A mask of length bits starting at bit shift (length >= 1). */
#define MAKE_64BIT_MASK(shift, length) \
    (((~0ULL) >> (64 - (length))) << (shift))

static inline uint32_t extract32(uint32_t value, unsigned start,
                                 unsigned length)
{
    g_assert(length > 0 && length <= 32 - start);
    return (value >> start) & (~0U >> (32 - length));
}

static inline uint64_t extract64(uint64_t value, unsigned start,
                                 unsigned length)
{
    g_assert(length > 0 && length <= 64 - start);
    return (value >> start) & (~0ULL >> (64 - length));
}

static inline uint32_t deposit32(uint32_t value, unsigned start,
                                 unsigned length, uint32_t fieldval)
{
    uint32_t mask;

    g_assert(length > 0 && length <= 32 - start);
    mask = (~0U >> (32 - length)) << start;
    return (value & ~mask) | ((fieldval << start) & mask);
}

static inline uint64_t deposit64(uint64_t value, unsigned start,
                                 unsigned length, uint64_t fieldval)
{
    uint64_t mask;

    g_assert(length > 0 && length <= 64 - start);
    mask = (~0ULL >> (64 - length)) << start;
    return (value & ~mask) | ((fieldval << start) & mask);
}

#define REG32(reg, addr)                                    \
    enum { A_ ## reg = (addr) };                            \
    enum { R_ ## reg = (addr) / 4 };

/* A 64-bit register: A_reg is the offset of its low word. */
#define REG64(reg, addr)                                    \
    enum { A_ ## reg = (addr) };                            \
    enum { R_ ## reg = (addr) / 4 };

#define FIELD(reg, field, shift, length)                                \
    enum { R_ ## reg ## _ ## field ## _SHIFT = (shift) };              \
    enum { R_ ## reg ## _ ## field ## _LENGTH = (length) };            \
    enum { R_ ## reg ## _ ## field ## _MASK =                          \
               MAKE_64BIT_MASK(shift, length) };

#define FIELD_EX32(storage, reg, field)                                 \
    extract32((storage), R_ ## reg ## _ ## field ## _SHIFT,            \
              R_ ## reg ## _ ## field ## _LENGTH)
#define FIELD_EX64(storage, reg, field)                                 \
    extract64((storage), R_ ## reg ## _ ## field ## _SHIFT,            \
              R_ ## reg ## _ ## field ## _LENGTH)
#define FIELD_DP32(storage, reg, field, val)                            \
    deposit32((storage), R_ ## reg ## _ ## field ## _SHIFT,            \
              R_ ## reg ## _ ## field ## _LENGTH, (val))
#define FIELD_DP64(storage, reg, field, val)                            \
    deposit64((storage), R_ ## reg ## _ ## field ## _SHIFT,            \
              R_ ## reg ## _ ## field ## _LENGTH, (val))

#endif /* HW_REGISTERFIELDS_H */
