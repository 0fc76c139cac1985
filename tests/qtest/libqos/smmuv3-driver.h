/*
 * A guest driver for the Arm SMMUv3, over a QOSBus.
 *
 * It brings the SMMU up the way Linux's arm-smmu-v3 driver does (probe
 * the ID registers, place the queues and the stream table in guest RAM,
 * program the bases, enable with the CR0/CR0ACK handshake, configure
 * interrupts, invalidate, enable translation), installs STEs and CDs,
 * issues commands, and consumes the event queue, acknowledging
 * overflows as Linux does.  Guest RAM comes from a bump allocator over
 * the RAM range the test gives.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LIBQOS_SMMUV3_DRIVER_H
#define LIBQOS_SMMUV3_DRIVER_H

#include "qos-bus.h"

typedef struct QSMMUv3Event {
    unsigned type;
    uint32_t sid;
    bool ssv;
    uint32_t ssid;
    uint64_t addr;              /* words 4-5 */
    uint64_t addr2;             /* words 6-7 (IPA, fetch address) */
    uint32_t raw[8];
} QSMMUv3Event;

typedef struct QSMMUv3Options {
    unsigned cmdq_log2size;     /* entries: 1 << log2size */
    unsigned evtq_log2size;
    unsigned sid_bits;          /* StreamIDs the stream table covers */
    bool two_level;             /* 2-level stream table, SPLIT 8 */
    uint64_t evtq_msi_addr;     /* 0: wired interrupts */
    uint32_t evtq_msi_data;
    uint64_t gerror_msi_addr;
    uint32_t gerror_msi_data;
} QSMMUv3Options;

typedef struct QSMMUv3 {
    QOSBus *bus;
    uint64_t base;              /* MMIO page 0 */
    uint64_t ram_next;
    uint64_t ram_end;
    uint32_t idr[6];
    QSMMUv3Options opts;
    uint64_t strtab;
    uint64_t cmdq;
    uint64_t evtq;
    uint32_t cmdq_prod;         /* our copy of CMDQ_PROD */
    uint32_t evtq_cons;         /* our copy of EVENTQ_CONS */
    uint64_t overflows;         /* OVFLG changes seen */
} QSMMUv3;

void qsmmuv3_init(QSMMUv3 *d, QOSBus *bus, uint64_t mmio_base,
                  uint64_t ram_base, uint64_t ram_size);
/* Zeroed, aligned guest memory from the bump allocator. */
uint64_t qsmmuv3_alloc(QSMMUv3 *d, uint64_t size, uint64_t align);

uint32_t qsmmuv3_readl(QSMMUv3 *d, uint64_t off);
void qsmmuv3_writel(QSMMUv3 *d, uint64_t off, uint32_t val);
/* Write REG and wait for ACK to read back the same value. */
bool qsmmuv3_write_reg_sync(QSMMUv3 *d, uint64_t reg, uint64_t ack,
                            uint32_t val);

/* Read the ID registers; false if the SMMU lacks what we need. */
bool qsmmuv3_probe(QSMMUv3 *d);
/* The whole bring-up; false if a handshake or a command fails. */
bool qsmmuv3_bringup(QSMMUv3 *d, const QSMMUv3Options *opts);
/* Clear CR0 (and IRQ_CTRL) with the handshakes. */
bool qsmmuv3_disable(QSMMUv3 *d);

/* Queue one command (without waiting). */
void qsmmuv3_cmd(QSMMUv3 *d, uint64_t w0, uint64_t w1);
/* Queue CMD_SYNC and wait for it; false on a command error. */
bool qsmmuv3_sync(QSMMUv3 *d);
/* CFGI_STE for SID, then CMD_SYNC. */
bool qsmmuv3_cfgi_ste(QSMMUv3 *d, uint32_t sid);

/* Guest address of the STE for SID (allocating level-2 tables). */
uint64_t qsmmuv3_ste_addr(QSMMUv3 *d, uint32_t sid);
void qsmmuv3_ste_abort(QSMMUv3 *d, uint32_t sid);
void qsmmuv3_ste_bypass(QSMMUv3 *d, uint32_t sid);
/* Stage-1 translation with one CD (ASID, TTB0); returns the CD address. */
uint64_t qsmmuv3_ste_s1(QSMMUv3 *d, uint32_t sid, uint16_t asid,
                        uint64_t ttb0);

/*
 * Consume up to MAX records.  An overflow (PROD.OVFLG differing from our
 * OVACKFLG) is acknowledged and counted in d->overflows; *overflow (if
 * not NULL) says whether one was seen in this call.
 */
size_t qsmmuv3_evtq_consume(QSMMUv3 *d, QSMMUv3Event *out, size_t max,
                            bool *overflow);

#endif /* LIBQOS_SMMUV3_DRIVER_H */
