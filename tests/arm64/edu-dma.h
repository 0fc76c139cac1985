/*
 * edu DMA faults from a guest's own user space: QEMU's edu device, left
 * without a driver, DMAs to IOVAs its IOMMU domain does not map.
 *
 * With no driver bound, Linux gives the device's group its default
 * domain (a strict DMA domain with nothing mapped), so every DMA edu
 * makes is translated by the guest's own stage 1 and faults: the
 * guest's arm-smmu-v3 driver logs "event 0x10 received" (F_TRANSLATION)
 * with the StreamID and IOVA.  Used by the nested bed in L1 (edu behind
 * QEMU's emulated SMMU) and in L2 (edu assigned to the guest).
 * libc only, static, no GLib.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_ARM64_EDU_DMA_H
#define TESTS_ARM64_EDU_DMA_H

#include <stddef.h>
#include <stdint.h>

/* Format a message into ERR (LEN bytes); returns -1. */
int edu_fail(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A hex sysfs attribute of PCI function BDF ("vendor", ...), 0 if none. */
unsigned long edu_sysfs_hex(const char *bdf, const char *what);

typedef struct EduDma {
    char bdf[32];               /* DDDD:BB:DD.F */
    volatile uint32_t *regs;    /* BAR0, mmap()ed from sysfs resource0 */
    size_t regs_size;
} EduDma;

/*
 * Find edu (1234:11e8) without a driver in /sys/bus/pci/devices, enable
 * it (memory decode), set Bus Master in its config space and map BAR0.
 * 0, or -1 with a message in ERR.
 */
int edu_dma_open(EduDma *e, char *err, size_t err_len);
/*
 * One DMA of LEN bytes (at most 4096) from device address IOVA into
 * edu's buffer, waiting (bounded by TIMEOUT_MS) for edu to finish it:
 * 0, or -1 with a message in ERR.  Faulting reads complete too.
 */
int edu_dma_read(EduDma *e, uint64_t iova, uint32_t len, int timeout_ms,
                 char *err, size_t err_len);
/*
 * The same, busy-waiting instead of sleeping: the CPU stays with the
 * caller (at SCHED_FIFO, nothing of lower priority runs meanwhile).
 */
int edu_dma_read_spin(EduDma *e, uint64_t iova, uint32_t len,
                      int timeout_ms, char *err, size_t err_len);
void edu_dma_close(EduDma *e);

#endif
