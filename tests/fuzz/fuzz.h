/*
 * Helpers shared by the fuzz targets: reading an input as a script.
 *
 * Each target defines LLVMFuzzerTestOneInput().  A FuzzInput hands out
 * the input's bytes in order; past the end every value reads as 0 and
 * fuzz_empty() is true, so a script simply stops.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct FuzzInput {
    const uint8_t *data;
    size_t size;
} FuzzInput;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline int fuzz_empty(const FuzzInput *in)
{
    return in->size == 0;
}

/* Up to *len bytes (fewer at the end of the input); *len is updated. */
static inline const uint8_t *fuzz_bytes(FuzzInput *in, size_t *len)
{
    const uint8_t *p = in->data;

    if (*len > in->size) {
        *len = in->size;
    }
    in->data += *len;
    in->size -= *len;
    return p;
}

static inline uint64_t fuzz_uint(FuzzInput *in, size_t n)
{
    uint64_t v = 0;
    size_t len = n;
    const uint8_t *p = fuzz_bytes(in, &len);

    for (size_t i = 0; i < len; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static inline uint8_t fuzz_u8(FuzzInput *in)
{
    return fuzz_uint(in, 1);
}

static inline uint16_t fuzz_u16(FuzzInput *in)
{
    return fuzz_uint(in, 2);
}

static inline uint32_t fuzz_u32(FuzzInput *in)
{
    return fuzz_uint(in, 4);
}

static inline uint64_t fuzz_u64(FuzzInput *in)
{
    return fuzz_uint(in, 8);
}

#endif /* TESTS_FUZZ_FUZZ_H */
