/*
 * Arm SMMUv3 model ("arm-smmuv3"): public state and interfaces.
 *
 * The model implements the non-secure programming interface a Linux
 * arm-smmu-v3 driver uses: ID registers, CR0/CR0ACK, GBPA, interrupts
 * (wired lines and MSI), GERROR, the stream table, the command queue and
 * the event queue.  The DMA of emulated endpoints is translated by
 * hw/arm/smmuv3-translate.c (PCIIOMMUOps.translate), whatever accel says;
 * with accel=on (hw/arm/smmuv3-accel.c) host hardware translates for
 * host devices and host faults reach the guest through
 * smmuv3_eventq_write_batch().
 *
 * See docs/system/arm/smmuv3.rst and docs/devel/smmuv3.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_SMMUV3_H
#define HW_ARM_SMMUV3_H

#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci-bus.h"
#include "hw/arm/smmuv3-common.h"

#define TYPE_ARM_SMMU "arm-smmu"       /* abstract, a sys-bus-device */
#define TYPE_ARM_SMMUV3 "arm-smmuv3"

/* Output interrupt lines, in QEMU's order. */
typedef enum SMMUIrq {
    SMMU_IRQ_EVTQ = 0,          /* "eventq" */
    SMMU_IRQ_PRIQ = 1,          /* "priq" (never raised: no PRI queue) */
    SMMU_IRQ_CMD_SYNC = 2,      /* "cmdq-sync" */
    SMMU_IRQ_GERROR = 3,        /* "gerror" */
    SMMU_NUM_IRQ = 4,
} SMMUIrq;

typedef struct SMMUQueue {
    uint64_t base;              /* *Q_BASE as written */
    uint32_t prod;              /* PROD register (index, wrap, OVFLG) */
    uint32_t cons;              /* CONS register (index, wrap, ERR/OVACKFLG) */
    uint8_t log2size;           /* effective: capped at the IDR1 maximum */
    uint8_t entry_size;
} SMMUQueue;

/* Event-queue counters, cumulative since realize. */
typedef struct SMMUEventqStats {
    uint64_t written;           /* entries written to guest memory */
    uint64_t overflow_dropped;  /* lost because the guest queue was full */
    uint64_t disabled_dropped;  /* lost because EVENTQEN was 0 */
    uint64_t abort;             /* lost to a write outside guest RAM */
    uint64_t overflow_signalled; /* OVFLG toggles */
    uint64_t irqs;              /* notifications sent (wired or MSI) */
} SMMUEventqStats;

/* The outcome of one smmuv3_eventq_write_batch() call. */
typedef struct SMMUEventqWriteResult {
    size_t written;
    size_t overflow_dropped;
    size_t disabled_dropped;
    size_t abort;
    bool overflow_signalled;    /* OVFLG toggled by this batch */
    bool notified;              /* this batch sent an interrupt */
} SMMUEventqWriteResult;

/* Command-queue counters (see smmuv3_get_cmdq_stats()). */
typedef struct SMMUCmdqStats {
    uint64_t executed;          /* commands consumed */
    uint64_t sync;
    uint64_t cfgi;
    uint64_t tlbi;              /* TLBI_* and ATC_INV */
    uint64_t prefetch;
    uint64_t errors;            /* CERROR_ILL and CERROR_ABT */
} SMMUCmdqStats;

typedef struct SMMUv3State SMMUv3State;

/*
 * Hooks the accel mode plugs into the command queue.  Each is optional
 * and is called from the thread processing the command queue (the main
 * thread), with the device lock held: it must not call back into the
 * device's locking functions (smmuv3_eventq_write_batch(),
 * smmuv3_get_ste()...).  A non-zero return fails the command with that
 * CMDQ_CONS.ERR value; the queue then stops as for any command error.
 */
typedef struct SMMUv3AccelOps {
    /*
     * CFGI_STE (num == 1), CFGI_STE_RANGE and CFGI_ALL: StreamIDs
     * [sid, sid + num) changed configuration.
     */
    SMMUCmdError (*cfgi_ste)(SMMUv3State *s, uint32_t sid, uint64_t num,
                             void *opaque);
    /* CFGI_CD (all_ssids false) and CFGI_CD_ALL. */
    SMMUCmdError (*cfgi_cd)(SMMUv3State *s, uint32_t sid, uint32_t ssid,
                            bool all_ssids, void *opaque);
    /* TLBI_* and ATC_INV, as fetched; type is CMD_0.OPCODE. */
    SMMUCmdError (*invalidate)(SMMUv3State *s, unsigned type,
                               const SMMUCmd *cmd, void *opaque);
    /* CMD_SYNC, before it completes: flush batched invalidations. */
    SMMUCmdError (*sync)(SMMUv3State *s, void *opaque);
    /*
     * Called WITHOUT the device lock, from the main thread, after a guest
     * write to CR0 or GBPA and after reset: the global configuration
     * (SMMUEN, EVENTQEN, GBPA) may have changed.  Read it with
     * smmuv3_get_global_config().
     */
    void (*config_changed)(SMMUv3State *s, void *opaque);
} SMMUv3AccelOps;

/* The global state accel mode follows. */
typedef struct SMMUGlobalConfig {
    bool smmu_enabled;          /* CR0ACK.SMMUEN */
    bool eventq_enabled;        /* CR0ACK.EVENTQEN */
    uint8_t eventq_log2size;    /* effective EVENTQ_BASE.LOG2SIZE */
    bool gbpa_abort;            /* GBPA.ABORT */
} SMMUGlobalConfig;

struct SMMUv3State {
    DeviceState parent_obj;

    /* Properties. */
    bool accel;
    int ats;                    /* OnOffAuto */
    int ril;                    /* OnOffAuto */
    int cmdqv;                  /* OnOffAuto; only off (auto resolves to it) */
    int ssidsize;               /* index in "auto", "0".."20" */
    int oas;                    /* index in the OasMode names */
    char *stage;
    uint64_t msi_gpa;
    char *primary_bus;
    uint8_t bus_num;
    bool smmu_per_bus;
    uint8_t identifier;
    char *iothread;

    /* Set at realize. */
    PCIBus *pbus;
    void *iothread_obj;
    uint32_t idr[6];            /* changes only under mutex, see idr_observed */
    uint32_t iidr;
    uint32_t aidr;

    /*
     * The device lock: everything below is protected by mutex, except
     * the event queue's state after evtq_lock.
     */
    GMutex mutex;
    /*
     * The guest has read an ID register: idr[] is fixed from then on
     * (accel "auto" properties are resolved only before).  Never cleared.
     */
    bool idr_observed;
    uint32_t cr[3];
    uint32_t cr0ack;            /* written under both locks */
    uint32_t statusr;
    uint32_t gbpa;
    uint32_t irq_ctrl;          /* written under both locks */
    uint32_t gerror;
    uint32_t gerrorn;
    uint64_t gerror_irq_cfg0;
    uint32_t gerror_irq_cfg1;
    uint32_t gerror_irq_cfg2;
    uint64_t strtab_base;
    uint32_t strtab_base_cfg;
    SMMUQueue cmdq;
    SMMUCmdqStats cmdq_stats;

    /*
     * The event queue's state, under evtq_lock, so that its writer (an
     * iothread) never waits for the MMIO of unrelated registers.  It
     * nests inside mutex, never the reverse: MMIO of the event-queue
     * registers, CR0 and IRQ_CTRL takes it with mutex held; the writer
     * takes it alone, and mutex only after dropping it (to raise
     * GERROR).  cr0ack and irq_ctrl (above), eventq.base, .log2size,
     * .cons and eventq_irq_cfg* are written with both locks held, so
     * either lock is enough to read them; eventq.prod, the notification
     * state and the counters need evtq_lock.
     */
    GMutex evtq_lock;
    SMMUQueue eventq;
    uint64_t eventq_irq_cfg0;
    uint32_t eventq_irq_cfg1;
    uint32_t eventq_irq_cfg2;
    /* An event-queue notification is outstanding (see coalescing). */
    bool eventq_notified;
    /* A notification was coalesced away since then. */
    bool eventq_suppressed;
    SMMUEventqStats eventq_stats;

    const SMMUv3AccelOps *accel_ops;
    void *accel_opaque;

    /* accel=on: host devices, vIOMMU, vEVENTQ (hw/arm/smmuv3-accel.c). */
    struct SMMUv3AccelState *s_accel;
    /* Emulated endpoints: caches (hw/arm/smmuv3-translate.c, own lock). */
    struct SMMUv3TransState *s_trans;
};

/*
 * Write N event records to the guest event queue.  Thread safe; meant to
 * be called from iothreads, with neither lock held.  It takes the event
 * queue's lock (evtq_lock), not the device lock, so it completes while
 * the main thread holds the device lock for other registers; the device
 * lock is taken, after the event queue's, only to raise GERROR.
 *
 * Records go at EVENTQ_PROD with wrap, 32 bytes each, little-endian; the
 * new PROD is published once, and at most one interrupt is sent for the
 * batch: MSI (EVENTQ_IRQ_CFG1 data to the EVENTQ_IRQ_CFG0 address, if
 * non-zero) or else the "eventq" line, only if IRQ_CTRL.EVENTQ_IRQEN, and
 * coalesced: none while an earlier notification has not been followed by
 * a guest write of EVENTQ_CONS.
 *
 * A record that does not fit (queue full) is dropped, and EVENTQ_PROD.OVFLG
 * is toggled if the guest has acknowledged the previous overflow
 * (EVENTQ_CONS.OVACKFLG == OVFLG).  With EVENTQEN clear nothing is
 * written.  A write outside guest RAM sets GERROR.EVENTQ_ABT_ERR and
 * drops the record.
 *
 * Returns the number of records written; RES (optional) gets the details.
 */
size_t smmuv3_eventq_write_batch(SMMUv3State *s, const SMMUEvent *evts,
                                 size_t n, SMMUEventqWriteResult *res);

/*
 * The same writer for records already in their guest form (N entries of
 * 32 bytes, little-endian, back to back), as the host delivers them: each
 * contiguous run of queue slots is written with one guest-memory access.
 */
size_t smmuv3_eventq_write_le(SMMUv3State *s, const void *entries, size_t n,
                              SMMUEventqWriteResult *res);

/*
 * Show a loss the guest could not otherwise see (host vEVENTQ overflow)
 * as an event-queue overflow: toggle OVFLG if the previous overflow was
 * acknowledged, and notify.  Returns true if OVFLG was toggled.  Thread
 * safe.
 */
bool smmuv3_eventq_signal_overflow(SMMUv3State *s);

/* Snapshots of the counters.  Thread safe. */
void smmuv3_get_eventq_stats(SMMUv3State *s, SMMUEventqStats *stats);
void smmuv3_get_cmdq_stats(SMMUv3State *s, SMMUCmdqStats *stats);

/*
 * Fetch and validate the STE for StreamID SID from the stream table the
 * guest programmed (linear or 2-level).  On failure, fills EVENT with the
 * architected record (C_BAD_STREAMID, F_STE_FETCH, C_BAD_STE) and returns
 * false.  Thread safe; guest memory is read through the bounds-checked
 * memory API.
 */
bool smmuv3_get_ste(SMMUv3State *s, uint32_t sid, SMMUSte *ste,
                    SMMUEvent *event);

/*
 * Fetch and validate the context descriptor SSID of the stage-1 STE
 * (Config S1 or nested).  On failure fills EVENT (C_BAD_SUBSTREAMID,
 * F_CD_FETCH, C_BAD_CD) and returns false.  Thread safe.
 */
bool smmuv3_get_cd(SMMUv3State *s, uint32_t sid, const SMMUSte *ste,
                   uint32_t ssid, SMMUCd *cd, SMMUEvent *event);

/* As smmuv3_get_ste(), for hooks that run with the device lock held. */
bool smmuv3_get_ste_locked(SMMUv3State *s, uint32_t sid, SMMUSte *ste,
                           SMMUEvent *event);

/* A snapshot of SMMUEN, EVENTQEN, the event queue size and GBPA.ABORT. */
void smmuv3_get_global_config(SMMUv3State *s, SMMUGlobalConfig *cfg);
void smmuv3_get_global_config_locked(SMMUv3State *s, SMMUGlobalConfig *cfg);

/*
 * accel=on: set the ID register fields of properties left "auto" (ats,
 * ril, ssidsize, oas) from the host SMMU's ID registers.  Only before the
 * guest has looked: once the guest has read any of IDR0..IDR5 the ID
 * registers never change again (not even across reset), and this returns
 * false without changing them.  Accel mode calls it once, for the first
 * host device.
 */
bool smmuv3_apply_host_idr(SMMUv3State *s, const uint32_t host[6]);

/* A snapshot of IDR0..IDR5, under the device lock. */
void smmuv3_get_idr(SMMUv3State *s, uint32_t idr[6]);

/* Install (or, with NULL, remove) the accel hooks.  Main thread. */
void smmuv3_set_accel_ops(SMMUv3State *s, const SMMUv3AccelOps *ops,
                          void *opaque);

#endif /* HW_ARM_SMMUV3_H */
