/*
 * A minimal PCIe host's ECAM window: every function absent.
 *
 * Owns no state (hence no lock): reads return all-ones, writes are
 * dropped.  See include/hw/pci-host/ecam-host.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci-host/ecam-host.h"
#include "trace.h"

static MemTxResult ecam_host_read(void *opaque, hwaddr addr, uint64_t *data,
                                  unsigned size)
{
    *data = size == 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
    trace_ecam_host_read(addr >> 20, (addr >> 15) & 0x1f, (addr >> 12) & 7,
                         addr & 0xfff, size);
    return MEMTX_OK;
}

static MemTxResult ecam_host_write(void *opaque, hwaddr addr, uint64_t data,
                                   unsigned size)
{
    return MEMTX_OK;
}

const MemoryRegionOps ecam_host_ops = {
    .read = ecam_host_read,
    .write = ecam_host_write,
    .min_access_size = 1,
    .max_access_size = 4,
};
