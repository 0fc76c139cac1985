/*
 * Shared setup for the in-VM vEVENTQ programs (test-veventq, bench-veventq):
 * the mock-driver nesting topology, built through vsmmu's iommufd backend,
 * and a batch consumer for the vEVENTQ reader.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VSMMU_TESTS_KERNEL_VM_VEVENTQ_H
#define VSMMU_TESTS_KERNEL_VM_VEVENTQ_H

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/iothread.h"
#include "system/iommufd.h"
#include "system/veventq-reader.h"
#include "iommufd_test.h"

/* Selftest records: 8-byte header + struct iommu_viommu_event_selftest. */
#define SELFTEST_PAYLOAD sizeof(struct iommu_viommu_event_selftest)

/* A hang guard, never a timing assumption (TCG is slow). */
#define VM_WAIT_S 60

typedef struct VmNest {
    IOMMUFDBackend *be;
    uint32_t ioas_id;
    uint32_t stdev_id;
    uint32_t hwpt_id;           /* the mock domain's paging HWPT */
    uint32_t idev_id;
    uint32_t parent_id;         /* nesting parent HWPT */
    uint32_t viommu_id;
    uint32_t nested_id;
    uint32_t vdev_id;           /* 0 while there is none */
    uint64_t virt_id;
    bool attached;              /* the device is on the nested HWPT */
} VmNest;

/*
 * IOAS, mock device, nesting parent, selftest vIOMMU and nested HWPT.
 * Fails the current test (VM_ASSERT) on any error.
 */
void vm_nest_setup(VmNest *n);
/* vDEVICE with VIRT_ID, then (first time) attach to the nested HWPT. */
void vm_nest_add_vdev(VmNest *n, uint64_t virt_id);
void vm_nest_del_vdev(VmNest *n);
/* One IOMMU_TEST_OP_TRIGGER_VEVENT; 0 or -errno. */
int vm_trigger(VmNest *n);
/* COUNT triggers, each must succeed. */
void vm_trigger_n(VmNest *n, unsigned count);

/* Everything a reader delivered. */
typedef struct VmConsumer {
    GMutex lock;
    GCond cond;
    GArray *seqs;               /* uint32_t */
    GArray *virt_ids;           /* uint32_t */
    uint64_t lost;
    uint64_t batches;
    size_t max_batch;
    int errors;
    /* Called (unlocked) after each batch, in the IOThread. */
    void (*after_batch)(void *opaque, const VeventqBatch *b);
    void *after_opaque;
} VmConsumer;

void vm_consumer_init(VmConsumer *c);
void vm_consumer_destroy(VmConsumer *c);
VeventqBatchFunc vm_consumer_batch;
VeventqErrorFunc vm_consumer_error;
/* Wait until records + lost >= N; false on the hang guard. */
bool vm_consumer_wait(VmConsumer *c, uint64_t n);

typedef struct VmQueue {
    uint32_t id;
    int fd;
    uint32_t depth;
    VeventqReader *reader;
} VmQueue;

/* Allocate a selftest vEVENTQ and a (not started) reader for it. */
void vm_queue_open(VmNest *n, VmQueue *q, uint32_t depth, size_t max_buffer,
                   VmConsumer *c);
/* Stop and free the reader, close the fd, destroy the queue. */
void vm_queue_close(VmNest *n, VmQueue *q);

#endif
