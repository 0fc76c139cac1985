/*
 * Common includes and helpers for every vsmmu source file.
 *
 * Every .c file includes this header first, as in QEMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_OSDEP_H
#define QEMU_OSDEP_H

#include "config-host.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib.h>

#ifndef likely
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define QEMU_BUILD_BUG_ON(x) _Static_assert(!(x), "not expecting: " #x)

/* Guest physical address. */
typedef uint64_t hwaddr;
#define HWADDR_PRIx PRIx64

/* The struct of type TYPE whose member MEMBER is at PTR. */
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

#define QEMU_ALIGN_UP(n, m) (((n) + (m) - 1) / (m) * (m))

#endif /* QEMU_OSDEP_H */
