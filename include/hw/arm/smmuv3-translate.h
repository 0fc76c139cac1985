/*
 * Arm SMMUv3 model: DMA translation for emulated endpoints.
 *
 * hw/arm/smmuv3-translate.c translates the accesses of emulated PCI
 * devices through the guest's stream table, context descriptors and
 * translation tables (hw/arm/smmuv3-walk.c), with a configuration cache
 * and an IOTLB that the guest's CFGI_* and TLBI_* commands invalidate,
 * and reports faults in the guest event queue.  See
 * docs/devel/smmuv3-walk.rst ("The model's translation").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_SMMUV3_TRANSLATE_H
#define HW_ARM_SMMUV3_TRANSLATE_H

#include "hw/arm/smmuv3.h"

/* Bounds of the caches; a full cache is emptied before an insertion. */
#define SMMU_IOTLB_MAX_ENTRIES      4096
#define SMMU_CFG_CACHE_MAX_ENTRIES  256

/* One access of an emulated device, as it reaches the SMMU. */
typedef struct SMMUTransaction {
    uint32_t sid;               /* StreamID */
    bool ssv;                   /* a SubstreamID comes with it */
    uint32_t ssid;
    uint64_t addr;              /* input address */
    bool write;
    bool priv;                  /* PnU as the device sent it */
    bool instr;                 /* InD as the device sent it */
} SMMUTransaction;

/* Counters, cumulative since realize; every access lands in one outcome. */
typedef struct SMMUTransStats {
    uint64_t translated;        /* through stage 1, 2 or both */
    uint64_t bypassed;          /* GBPA or STE bypass */
    uint64_t aborted;           /* GBPA.ABORT or STE abort: no record */
    uint64_t faulted;           /* terminated with a fault */
    uint64_t events;            /* fault records handed to the queue */
    uint64_t events_suppressed; /* faults CD.R or STE.S2R kept silent */
    uint64_t iotlb_hits;
    uint64_t iotlb_misses;
    uint64_t iotlb_evictions;   /* entries dropped because it was full */
    uint64_t iotlb_invalidated; /* entries removed by commands and reset */
    uint64_t cfg_hits;
    uint64_t cfg_misses;
    uint64_t cfg_evictions;
    uint64_t cfg_invalidated;
    unsigned iotlb_entries;     /* now */
    unsigned cfg_entries;       /* now */
} SMMUTransStats;

/* Create and free the caches (realize, unrealize). */
void smmuv3_trans_init(SMMUv3State *s);
void smmuv3_trans_fini(SMMUv3State *s);

/*
 * Translate @txn.  True: @entry holds the mapping that covers
 * txn->addr.  False: the access is terminated; a fault was written to
 * the event queue if the architecture records it.  Any thread; takes the
 * device lock only for short snapshots and for the event write.
 */
bool smmuv3_translate(SMMUv3State *s, const SMMUTransaction *txn,
                      IOMMUTLBEntry *entry);

/*
 * PCIIOMMUOps.translate for the SMMU @opaque: an access without a
 * SubstreamID, PnU and InD clear, StreamID = @requester_id.
 */
bool smmuv3_pci_translate(PCIBus *bus, void *opaque, uint16_t requester_id,
                          uint64_t addr, bool is_write, IOMMUTLBEntry *entry);

/*
 * Apply the CFGI_* or TLBI_* command @cmd to the caches.  Called by the
 * command queue with the device lock held.
 */
void smmuv3_trans_invalidate(SMMUv3State *s, const SMMUCmd *cmd);

/* Empty both caches (device reset). */
void smmuv3_trans_flush(SMMUv3State *s);

void smmuv3_get_trans_stats(SMMUv3State *s, SMMUTransStats *stats);

#endif /* HW_ARM_SMMUV3_TRANSLATE_H */
