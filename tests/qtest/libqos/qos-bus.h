/*
 * An abstract bus for guest-driver models: MMIO, guest RAM and interrupt
 * lines, so that one driver and one test can run in-process (over the
 * memory API) or against vsmmu-daemon (over qtest).
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
    void (*memwrite)(void *opaque, uint64_t addr, const void *buf, size_t len);
    bool (*irq_level)(void *opaque, int n);
} QOSBus;

#endif /* LIBQOS_QOS_BUS_H */
