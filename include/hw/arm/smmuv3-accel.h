/*
 * arm-smmuv3,accel=on: host devices nested behind the vSMMU through an
 * iommufd vIOMMU, and host events delivered to the guest event queue.
 *
 * See docs/system/arm/smmuv3-accel.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_SMMUV3_ACCEL_H
#define HW_ARM_SMMUV3_ACCEL_H

#include "hw/arm/smmuv3.h"
#include "system/veventq-reader.h"

typedef struct SMMUv3AccelState SMMUv3AccelState;

/*
 * The vEVENTQ reader's buffer: 1638 records a read.  Small enough that a
 * batch stays in the L2 cache from the read through the guest write (a
 * 1 MiB buffer halves the translator's throughput, see
 * docs/devel/performance.rst); a full 2^19 queue still drains in 321
 * reads.
 */
#define SMMUV3_ACCEL_READ_BUFFER (64 * 1024)

/*
 * The vEVENTQ's life: NONE -> ALLOCATING -> LIVE or FAILED; LIVE -> NONE
 * when the guest disables its event queue or resizes it, on reset and
 * with the vIOMMU; FAILED -> NONE when the guest changes what it asked
 * for (so a rewrite of the same configuration does not retry).
 */
typedef enum SMMUv3AccelVeventqState {
    SMMU_ACCEL_VEVENTQ_NONE,
    SMMU_ACCEL_VEVENTQ_ALLOCATING,
    SMMU_ACCEL_VEVENTQ_LIVE,
    SMMU_ACCEL_VEVENTQ_FAILED,
} SMMUv3AccelVeventqState;

/* Counters of the host-event path, cumulative since realize. */
typedef struct SMMUv3AccelStats {
    uint64_t delivered;             /* written to the guest event queue */
    uint64_t host_lost;             /* dropped by the host vEVENTQ */
    uint64_t guest_overflow_dropped; /* guest queue full */
    uint64_t guest_disabled_dropped; /* EVENTQEN off when they arrived */
    uint64_t guest_abort;           /* guest queue outside RAM */
    uint64_t dropped_unowned;       /* vSID not a device of this vSMMU */
    /* left in the vEVENTQ when it was freed (EVENTQEN off, reset, ...) */
    uint64_t discarded_at_disable;
    uint64_t invalidations;         /* commands forwarded to the host */
    uint64_t inval_early_flushes;   /* batches flushed before CMD_SYNC */
    uint64_t read_errors;           /* fatal vEVENTQ read errors */
    uint64_t batches;
    bool seq_valid;
    uint32_t last_seq;              /* last host sequence number seen */
} SMMUv3AccelStats;

typedef struct SMMUv3AccelDeviceInfo {
    char *name;                     /* "vfio-pci 'hostdev0'" */
    uint32_t vsid;
    uint32_t host_sid;              /* ~0 if unknown */
    uint32_t devid;
    uint32_t vdev_id;               /* 0 until the first STE install */
    uint32_t hwpt_id;               /* attached HWPT */
} SMMUv3AccelDeviceInfo;

typedef struct SMMUv3AccelInfo {
    const char *kernel;             /* "linux" or "emulated" */
    uint32_t viommu_id;             /* 0 until a device attaches */
    uint32_t veventq_id;            /* 0 while no vEVENTQ */
    uint32_t veventq_depth;
    const char *veventq_state;      /* "none", "allocating", "live", "failed" */
    uint32_t inval_pending;         /* queued until CMD_SYNC */
    const char *iothread;
    GArray *devices;                /* of SMMUv3AccelDeviceInfo */
    SMMUv3AccelStats stats;
} SMMUv3AccelInfo;

/* Called by arm-smmuv3 realize/unrealize when accel=on. */
bool smmuv3_accel_init(SMMUv3State *s, Error **errp);
void smmuv3_accel_fini(SMMUv3State *s);

/*
 * The translator: what the vSMMU's vEVENTQ reader hands each batch of
 * host records to (ownership check, guest entries, PROD, interrupt).
 * Callers other than that reader (in-process benchmarks and fuzzers) call
 * it where the reader would: one thread at a time, with the vSMMU's own
 * reader not running concurrently.
 */
void smmuv3_accel_translate(SMMUv3State *s, const VeventqBatch *b);

/* A snapshot for query-vsmmu; free with smmuv3_accel_info_free(). */
void smmuv3_accel_get_info(SMMUv3State *s, SMMUv3AccelInfo *info);
void smmuv3_accel_info_free(SMMUv3AccelInfo *info);

/*
 * Lost host events, reported to the notifiers registered here (the
 * monitor registers one, system/qmp-vsmmu.c, for VSMMU_EVENTS_LOST).
 * The iothread reading the vEVENTQ only records the loss under the
 * vSMMU's lock and schedules a main-loop callback: notify always runs on
 * the main thread, at most once a second per vSMMU, with the loss since
 * the previous call and in total; a loss within a second of the last
 * call is reported a second after it, never withheld.  Add and remove on
 * the main thread.
 */
typedef struct SMMUv3AccelLostNotifier SMMUv3AccelLostNotifier;
struct SMMUv3AccelLostNotifier {
    void (*notify)(SMMUv3AccelLostNotifier *n, SMMUv3State *s,
                   uint64_t lost, uint64_t total);
};
void smmuv3_accel_add_lost_notifier(SMMUv3AccelLostNotifier *n);
void smmuv3_accel_remove_lost_notifier(SMMUv3AccelLostNotifier *n);

/*
 * The test seam: an alternative vEVENTQ reader.  While a factory is set,
 * each vEVENTQ a vSMMU allocates is read by factory->start(cfg, iot)
 * instead of a VeventqReader in the vSMMU's iothread; cfg is exactly what
 * that reader would get (cfg->batch_cb delivers a batch to the guest;
 * call it from one thread at a time) and iot is that iothread.  stop()
 * stops and frees what start() returned, before the vEVENTQ fd is
 * closed; records still queued then are not counted as discarded.  Only
 * the test bed (tests/testbed/, vsmmu-daemon-testbed) sets one: the
 * benchmark's model of upstream QEMU's reader, and readers that take
 * latency timestamps around cfg->batch_cb.  Main thread only; applies to
 * the vEVENTQs allocated afterwards.
 */
typedef struct SMMUv3AccelReaderFactory {
    const char *name;
    void *(*start)(const VeventqReaderConfig *cfg, IOThread *iot,
                   Error **errp);
    void (*stop)(void *reader);
} SMMUv3AccelReaderFactory;
void smmuv3_accel_set_test_reader_factory(const SMMUv3AccelReaderFactory *f);

#endif /* HW_ARM_SMMUV3_ACCEL_H */
