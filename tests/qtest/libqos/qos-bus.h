/*
 * An abstract bus for guest driver models: how a driver reaches device
 * registers, guest memory and interrupt lines, independent of what
 * carries the accesses (qtest here).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LIBQOS_QOS_BUS_H
#define LIBQOS_QOS_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct QOSBus {
    void *opaque;
    uint32_t (*readl)(void *opaque, uint64_t addr);
    void (*writel)(void *opaque, uint64_t addr, uint32_t val);
    uint64_t (*readq)(void *opaque, uint64_t addr);
    void (*writeq)(void *opaque, uint64_t addr, uint64_t val);
    void (*memread)(void *opaque, uint64_t addr, void *buf, size_t len);
    void (*memwrite)(void *opaque, uint64_t addr, const void *buf,
                     size_t len);
    bool (*irq_level)(void *opaque, int n);
} QOSBus;

#endif /* LIBQOS_QOS_BUS_H */
