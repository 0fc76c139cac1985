/*
 * A QOSBus over an in-process AddressSpace (see qos-memory.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qos-memory.h"

static uint64_t mem_read(void *opaque, uint64_t addr, unsigned size)
{
    uint64_t v = 0;

    g_assert_cmpint(address_space_cpu_read(opaque, addr, &v, size), ==,
                    MEMTX_OK);
    return v;
}

static void mem_write(void *opaque, uint64_t addr, uint64_t val,
                      unsigned size)
{
    g_assert_cmpint(address_space_cpu_write(opaque, addr, val, size), ==,
                    MEMTX_OK);
}

static uint32_t q_readl(void *opaque, uint64_t addr)
{
    return mem_read(opaque, addr, 4);
}

static void q_writel(void *opaque, uint64_t addr, uint32_t val)
{
    mem_write(opaque, addr, val, 4);
}

static uint64_t q_readq(void *opaque, uint64_t addr)
{
    return mem_read(opaque, addr, 8);
}

static void q_writeq(void *opaque, uint64_t addr, uint64_t val)
{
    mem_write(opaque, addr, val, 8);
}

static void q_memread(void *opaque, uint64_t addr, void *buf, size_t len)
{
    g_assert_cmpint(address_space_read(opaque, addr, buf, len), ==,
                    MEMTX_OK);
}

static void q_memwrite(void *opaque, uint64_t addr, const void *buf,
                       size_t len)
{
    g_assert_cmpint(address_space_write(opaque, addr, buf, len), ==,
                    MEMTX_OK);
}

static bool q_irq_level(void *opaque, int n)
{
    return false;
}

void qos_memory_bus_init(QOSBus *bus, AddressSpace *as)
{
    *bus = (QOSBus) {
        .opaque = as,
        .readl = q_readl, .writel = q_writel,
        .readq = q_readq, .writeq = q_writeq,
        .memread = q_memread, .memwrite = q_memwrite,
        .irq_level = q_irq_level,
    };
}
