/*
 * vEVENTQ reader: drains an iommufd vEVENTQ file descriptor in an IOThread.
 *
 * The reader knows the vEVENTQ read() protocol (8-byte headers, whole
 * records, sequence numbers that wrap from INT_MAX to 0, the trailing
 * LOST_EVENTS header) but nothing about what a record means.  It hands
 * the payloads to its user in batches: all the records of one read(),
 * packed without their headers, with their sequence numbers and the
 * exact number of events the kernel dropped since the previous batch.
 * A user such as the SMMUv3 translator writes a whole batch into the
 * guest queue and then publishes PROD and raises its interrupt once.
 *
 * Threading: veventq_reader_new/start/stop/drain/free and get_stats are
 * called from the controlling thread; the callbacks run in the IOThread.  No
 * callback runs after veventq_reader_stop() has returned.  stop() may
 * also be called from inside a callback; free() must not.
 *
 * The caller owns the vEVENTQ (its id and fd): it closes the fd and frees
 * the id after veventq_reader_stop().
 *
 * See docs/devel/veventq-reader.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_VEVENTQ_READER_H
#define SYSTEM_VEVENTQ_READER_H

#include "qapi/error.h"
#include "qemu/iothread.h"
#include "system/iommufd.h"

/* Default and largest read buffer; it always holds at least one record. */
#define VEVENTQ_READER_MAX_BUFFER   (1u << 20)

typedef struct VeventqReader VeventqReader;

/* One batch: the records of one read(), in queue order. */
typedef struct VeventqBatch {
    /* n_records payloads of record_size bytes each, headers stripped */
    const void *payloads;
    /* the kernel's sequence number of each record */
    const uint32_t *sequences;
    size_t n_records;
    size_t record_size;
    /*
     * Events the kernel dropped since the previous batch: gaps in the
     * sequence before and between these records, and a LOST_EVENTS
     * header that ended this read.  Each dropped event is counted once,
     * in exactly one batch.  A batch may have lost > 0 and no records
     * (the queue overflowed and nothing newer has arrived yet).
     */
    uint64_t lost;
} VeventqBatch;

/*
 * Called in the IOThread for every batch (n_records > 0 or lost > 0).
 * The batch is valid only during the call.
 */
typedef void VeventqBatchFunc(void *opaque, const VeventqBatch *batch);

/*
 * Called once in the IOThread when the queue fails (read error, POLLERR
 * or POLLHUP, malformed data), after the failure was reported with
 * error_report().  The reader has stopped polling by then; err is valid
 * only during the call.
 */
typedef void VeventqErrorFunc(void *opaque, const Error *err);

typedef struct VeventqReaderConfig {
    IOMMUFDBackend *be;         /* reads go through its kernel seam */
    uint32_t veventq_id;        /* for messages and traces */
    int fd;                     /* the vEVENTQ fd (not owned) */
    uint32_t type;              /* IOMMU_VEVENTQ_TYPE_*, for messages */
    size_t payload_size;        /* bytes after each header, > 0 */
    uint32_t depth;             /* the queue's depth, > 0 */
    size_t max_buffer;          /* read buffer cap; 0: the default */
    VeventqBatchFunc *batch_cb;
    VeventqErrorFunc *error_cb; /* may be NULL */
    void *opaque;
} VeventqReaderConfig;

/* A consistent snapshot of the counters. */
typedef struct VeventqReaderStats {
    uint64_t records;           /* records delivered */
    uint64_t bytes;             /* bytes read, headers included */
    uint64_t reads;             /* read() calls that returned data */
    uint64_t batches;           /* batch callbacks */
    uint64_t lost;              /* events the kernel dropped */
    uint64_t errors;            /* fatal errors (0 or 1) */
    bool seq_valid;             /* a record or LOST header was seen */
    uint32_t last_seq;          /* the last sequence number seen */
    bool failed;                /* the queue hit a fatal error */
} VeventqReaderStats;

/*
 * Create a reader for the queue described by CFG (copied).  The read
 * buffer holds min(depth, cap / record) records, where a record is the
 * header plus payload_size and cap is max_buffer (at most
 * VEVENTQ_READER_MAX_BUFFER), but always at least one; plus room for a
 * trailing LOST_EVENTS header.
 */
VeventqReader *veventq_reader_new(const VeventqReaderConfig *cfg,
                                  Error **errp);

/* Register the fd in IOT's context; records are delivered from then on. */
bool veventq_reader_start(VeventqReader *r, IOThread *iot, Error **errp);

/*
 * Unregister the fd (inside the IOThread, through iothread_run_sync()).
 * When it returns no callback is running or will run.  Idempotent.
 */
void veventq_reader_stop(VeventqReader *r);

/*
 * After veventq_reader_stop(): read what is left in the queue, in the
 * calling thread, handing it to the batch callback as usual (losses
 * included), until the queue is empty or it has read as much as a full
 * queue holds (records that keep arriving meanwhile are left).  For a
 * user that is about to destroy the queue and must account for every
 * record in it.  Returns the number of records delivered.
 */
uint64_t veventq_reader_drain(VeventqReader *r);

/* Stop (if needed) and free.  Not from inside a callback. */
void veventq_reader_free(VeventqReader *r);

void veventq_reader_get_stats(VeventqReader *r, VeventqReaderStats *stats);

/* Records one read() can return (the buffer size in records). */
size_t veventq_reader_batch_capacity(VeventqReader *r);

/*
 * The number of events between two sequence numbers, exclusive: how many
 * were dropped when FROM is followed by TO.  Sequences wrap from INT_MAX
 * to 0.
 */
uint32_t veventq_seq_gap(uint32_t from, uint32_t to);

#endif /* SYSTEM_VEVENTQ_READER_H */
