/*
 * vEVENTQ reader: drains an iommufd vEVENTQ file descriptor in an IOThread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/iothread.h"
#include "system/veventq-reader.h"
#include "trace.h"
#include <glib-unix.h>

/*
 * Reads per dispatch before the reader yields to the other sources of
 * its IOThread (e.g. a stop request) while the queue stays non-empty.
 * The fd is still readable, so the next iteration comes back at once.
 */
#define READS_PER_DISPATCH 16

struct VeventqReader {
    VeventqReaderConfig cfg;
    size_t record_len;          /* header + payload */
    size_t capacity;            /* whole records per read() */
    uint8_t *buf;
    size_t buf_len;
    uint32_t *seqs;             /* capacity entries */

    IOThread *iot;              /* set between start and stop */
    /* The rest is used only in the IOThread (or with it not running). */
    GSource *source;
    /*
     * The sequence number of the last event accounted for, delivered or
     * counted as lost.  It starts as the number before 0: the kernel
     * numbers each queue's events from 0.
     */
    uint32_t last_seq;
    bool have_seq;

    GMutex stats_lock;
    VeventqReaderStats stats;
};

uint32_t veventq_seq_gap(uint32_t from, uint32_t to)
{
    return (to - from - 1) & INT_MAX;
}

static void stats_add_read(VeventqReader *r, size_t bytes)
{
    g_mutex_lock(&r->stats_lock);
    r->stats.reads++;
    r->stats.bytes += bytes;
    g_mutex_unlock(&r->stats_lock);
}

VeventqReader *veventq_reader_new(const VeventqReaderConfig *cfg,
                                  Error **errp)
{
    VeventqReader *r;
    size_t cap = cfg->max_buffer ? cfg->max_buffer : VEVENTQ_READER_MAX_BUFFER;
    size_t record_len;

    if (!cfg->be || !cfg->batch_cb) {
        error_setg(errp, "vEVENTQ %u (type %u): a backend and a batch"
                   " callback are required", cfg->veventq_id, cfg->type);
        return NULL;
    }
    if (cfg->fd < 0) {
        error_setg(errp, "vEVENTQ %u (type %u): invalid file descriptor %d",
                   cfg->veventq_id, cfg->type, cfg->fd);
        return NULL;
    }
    if (cfg->payload_size == 0 || cfg->payload_size > VEVENTQ_READER_MAX_BUFFER) {
        error_setg(errp, "vEVENTQ %u (type %u): payload size %zu is out of"
                   " range (1..%u)", cfg->veventq_id, cfg->type,
                   cfg->payload_size, VEVENTQ_READER_MAX_BUFFER);
        return NULL;
    }
    if (cfg->depth == 0) {
        error_setg(errp, "vEVENTQ %u (type %u): depth must be at least 1",
                   cfg->veventq_id, cfg->type);
        return NULL;
    }

    r = g_new0(VeventqReader, 1);
    r->cfg = *cfg;
    record_len = IOMMUFD_VEVENT_HEADER_SIZE + cfg->payload_size;
    cap = MIN(cap, VEVENTQ_READER_MAX_BUFFER);
    r->record_len = record_len;
    r->capacity = MAX(MIN((size_t)cfg->depth, cap / record_len), 1);
    /*
     * capacity records and a trailing LOST_EVENTS header, so that a full
     * queue drains in one read.  The header is smaller than a record: a
     * read still never returns more than capacity records.
     */
    r->buf_len = r->capacity * record_len + IOMMUFD_VEVENT_HEADER_SIZE;
    r->buf = g_malloc(r->buf_len);
    r->seqs = g_new(uint32_t, r->capacity);
    r->last_seq = INT_MAX;
    g_mutex_init(&r->stats_lock);

    trace_veventq_reader_new(cfg->veventq_id, cfg->type, cfg->fd, cfg->depth,
                             record_len, r->capacity);
    return r;
}

size_t veventq_reader_batch_capacity(VeventqReader *r)
{
    return r->capacity;
}

/* Called in the IOThread: leave the source, the queue is dead. */
static void reader_remove_source(VeventqReader *r)
{
    if (r->source) {
        g_source_destroy(r->source);
        g_source_unref(r->source);
        r->source = NULL;
    }
}

static void reader_fail(VeventqReader *r, Error *err)
{
    error_prepend(&err, "vEVENTQ %u (type %u): ", r->cfg.veventq_id,
                  r->cfg.type);
    trace_veventq_reader_error(r->cfg.veventq_id, error_get_pretty(err));
    error_report("%s", error_get_pretty(err));

    g_mutex_lock(&r->stats_lock);
    r->stats.errors++;
    r->stats.failed = true;
    g_mutex_unlock(&r->stats_lock);

    reader_remove_source(r);
    if (r->cfg.error_cb) {
        r->cfg.error_cb(r->cfg.opaque, err);
    }
    error_free(err);
}

static void account_seq(VeventqReader *r, uint32_t seq, uint64_t *lost,
                        bool lost_header)
{
    uint64_t n;

    if (likely(!lost_header && seq == ((r->last_seq + 1) & INT_MAX))) {
        /* The next one: nothing lost (the usual case). */
        r->last_seq = seq;
        r->have_seq = true;
        return;
    }
    n = veventq_seq_gap(r->last_seq, seq);

    if (lost_header) {
        /* The header carries the number of the last dropped event. */
        n++;
    }
    if (n) {
        trace_veventq_reader_lost(r->cfg.veventq_id, r->last_seq, seq, n,
                                  lost_header);
    }
    *lost += n;
    r->last_seq = seq;
    r->have_seq = true;
}

/*
 * memmove() for one payload.  The SMMUv3 record (32 bytes) gets a copy of
 * known size, which the compiler does in registers (source and
 * destination may overlap: it loads all before it stores).
 */
static inline void pack_payload(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n == 32) {
        uint8_t tmp[32];

        memcpy(tmp, src, sizeof(tmp));
        memcpy(dst, tmp, sizeof(tmp));
    } else {
        memmove(dst, src, n);
    }
}

/*
 * Check the header HDR at offset OFF, with LEFT bytes from there to the
 * end of the read: what the kernel never produces is malformed data.
 */
static bool check_header(VeventqReader *r,
                         const struct iommufd_vevent_header *hdr,
                         size_t off, size_t left, Error **errp)
{
    const size_t hdr_len = IOMMUFD_VEVENT_HEADER_SIZE;

    if (hdr->flags & ~IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
        error_setg(errp, "malformed header at offset %zu: unknown flags"
                   " 0x%x", off, hdr->flags);
        return false;
    }
    if (hdr->sequence > INT_MAX) {
        error_setg(errp, "malformed header at offset %zu: sequence %u"
                   " is above INT_MAX", off, hdr->sequence);
        return false;
    }
    if (r->have_seq && hdr->sequence == r->last_seq) {
        error_setg(errp, "malformed header at offset %zu: sequence %u"
                   " repeats the previous one", off, hdr->sequence);
        return false;
    }
    if (hdr->flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
        /*
         * No payload.  Another record may follow it in the same read
         * (one that arrived while the read was copying), but never a
         * fragment.
         */
        if (left > hdr_len && left - hdr_len < hdr_len) {
            error_setg(errp, "malformed data: LOST_EVENTS header at"
                       " offset %zu is followed by %zu stray bytes", off,
                       left - hdr_len);
            return false;
        }
    } else if (left < r->record_len) {
        error_setg(errp, "malformed data: record at offset %zu has %zu"
                   " bytes, expected %zu (header + %zu-byte payload)",
                   off, left, r->record_len, r->cfg.payload_size);
        return false;
    }
    return true;
}

/* Count the batch of N packed records and LOST losses, and hand it over. */
static void deliver_batch(VeventqReader *r, size_t n, uint64_t lost)
{
    VeventqBatch batch = {
        .payloads = r->buf,
        .sequences = r->seqs,
        .n_records = n,
        .record_size = r->cfg.payload_size,
        .lost = lost,
    };

    g_mutex_lock(&r->stats_lock);
    r->stats.records += n;
    r->stats.lost += lost;
    r->stats.seq_valid = true;
    r->stats.last_seq = r->last_seq;
    r->stats.batches++;
    g_mutex_unlock(&r->stats_lock);

    trace_veventq_reader_batch(r->cfg.veventq_id, n,
                               n ? r->seqs[0] : 0, n ? r->seqs[n - 1] : 0,
                               lost);
    r->cfg.batch_cb(r->cfg.opaque, &batch);
}

/*
 * Parse LEN bytes in r->buf, pack the payloads at the start of the buffer
 * and deliver them as one batch.
 */
static bool reader_parse(VeventqReader *r, size_t len, Error **errp)
{
    const size_t hdr_len = IOMMUFD_VEVENT_HEADER_SIZE;
    const size_t payload_size = r->cfg.payload_size;
    uint8_t *wp = r->buf;
    size_t n = 0, off = 0;
    uint64_t lost = 0;

    while (off < len) {
        struct iommufd_vevent_header hdr;
        size_t left = len - off;

        if (left < hdr_len) {
            error_setg(errp, "malformed data: %zu stray bytes at offset %zu"
                       " of a %zu-byte read", left, off, len);
            return false;
        }
        memcpy(&hdr, r->buf + off, hdr_len);
        if (!check_header(r, &hdr, off, left, errp)) {
            return false;
        }
        if (hdr.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
            account_seq(r, hdr.sequence, &lost, true);
            off += hdr_len;
            continue;
        }
        account_seq(r, hdr.sequence, &lost, false);
        /* Packing in place: wp never passes the record being read. */
        pack_payload(wp, r->buf + off + hdr_len, payload_size);
        wp += payload_size;
        r->seqs[n++] = hdr.sequence;
        off += r->record_len;
    }
    deliver_batch(r, n, lost);
    return true;
}

static const char *cond_name(GIOCondition cond)
{
    if (cond & G_IO_NVAL) {
        return "file descriptor is not open (POLLNVAL)";
    }
    if (cond & G_IO_ERR) {
        return "poll reported an error (POLLERR)";
    }
    return "poll reported a hang-up (POLLHUP)";
}

/*
 * One read() and its batch.  Returns 1 when records (or a loss) were
 * delivered, 0 when the queue is empty, -1 when the reader has failed.
 */
static int reader_read_once(VeventqReader *r)
{
    Error *err = NULL;
    ssize_t ret;

    do {
        ret = iommufd_backend_read_veventq(r->cfg.be, r->cfg.fd, r->buf,
                                           r->buf_len);
        trace_veventq_reader_read(r->cfg.veventq_id, r->buf_len, ret);
    } while (ret == -EINTR);

    if (ret == 0 || ret == -EAGAIN) {
        /* Drained: the kernel returns 0 on an empty queue. */
        return 0;
    }
    if (ret < 0) {
        error_setg_errno(&err, (int)-ret, "read failed");
    } else if ((size_t)ret > r->buf_len) {
        error_setg(&err, "read returned %zd bytes for a %zu-byte buffer",
                   ret, r->buf_len);
    } else {
        stats_add_read(r, ret);
        reader_parse(r, ret, &err);
    }
    if (err) {
        reader_fail(r, err);
        return -1;
    }
    return 1;
}

static gboolean reader_dispatch(gint fd, GIOCondition cond, gpointer opaque)
{
    VeventqReader *r = opaque;
    Error *err = NULL;

    for (int i = 0; (cond & G_IO_IN) && i < READS_PER_DISPATCH; i++) {
        int ret = reader_read_once(r);

        if (ret < 0) {
            return G_SOURCE_REMOVE;
        }
        if (ret == 0) {
            break;
        }
        if (!r->source) {
            /* The callback called veventq_reader_stop(). */
            return G_SOURCE_REMOVE;
        }
    }

    if (cond & (G_IO_ERR | G_IO_HUP | G_IO_NVAL)) {
        error_setg(&err, "%s", cond_name(cond));
        reader_fail(r, err);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void reader_attach(void *opaque)
{
    VeventqReader *r = opaque;
    GMainContext *ctx = iothread_get_context(r->iot);

    r->source = g_unix_fd_source_new(r->cfg.fd, G_IO_IN | G_IO_ERR | G_IO_HUP);
    g_source_set_callback(r->source, G_SOURCE_FUNC(reader_dispatch), r, NULL);
    g_source_set_name(r->source, "veventq-reader");
    g_source_attach(r->source, ctx);
}

bool veventq_reader_start(VeventqReader *r, IOThread *iot, Error **errp)
{
    if (r->iot) {
        error_setg(errp, "vEVENTQ %u (type %u): reader already started",
                   r->cfg.veventq_id, r->cfg.type);
        return false;
    }
    g_mutex_lock(&r->stats_lock);
    if (r->stats.failed) {
        g_mutex_unlock(&r->stats_lock);
        error_setg(errp, "vEVENTQ %u (type %u): the queue has failed",
                   r->cfg.veventq_id, r->cfg.type);
        return false;
    }
    g_mutex_unlock(&r->stats_lock);

    r->iot = iot;
    iothread_run_sync(iot, reader_attach, r);
    trace_veventq_reader_start(r->cfg.veventq_id, iothread_get_id(iot));
    return true;
}

static void reader_detach(void *opaque)
{
    reader_remove_source(opaque);
}

void veventq_reader_stop(VeventqReader *r)
{
    IOThread *iot = r->iot;

    if (!iot) {
        return;
    }
    /*
     * Destroying the source in the thread that dispatches it: once this
     * returns the callback is not running and cannot run again.
     */
    iothread_run_sync(iot, reader_detach, r);
    r->iot = NULL;
    trace_veventq_reader_stop(r->cfg.veventq_id);
}

uint64_t veventq_reader_drain(VeventqReader *r)
{
    /* Enough reads for a full queue, plus its trailing LOST_EVENTS. */
    size_t max_reads = r->cfg.depth / r->capacity + 2;
    uint64_t before, after;
    bool failed;

    g_assert(!r->iot);
    g_mutex_lock(&r->stats_lock);
    before = r->stats.records;
    failed = r->stats.failed;
    g_mutex_unlock(&r->stats_lock);

    for (size_t i = 0; !failed && i < max_reads; i++) {
        if (reader_read_once(r) <= 0) {
            break;
        }
    }

    g_mutex_lock(&r->stats_lock);
    after = r->stats.records;
    g_mutex_unlock(&r->stats_lock);
    trace_veventq_reader_drain(r->cfg.veventq_id, after - before);
    return after - before;
}

void veventq_reader_free(VeventqReader *r)
{
    if (!r) {
        return;
    }
    g_assert(!r->iot || !iothread_is_current(r->iot));
    veventq_reader_stop(r);
    g_mutex_clear(&r->stats_lock);
    g_free(r->seqs);
    g_free(r->buf);
    g_free(r);
}

void veventq_reader_get_stats(VeventqReader *r, VeventqReaderStats *stats)
{
    g_mutex_lock(&r->stats_lock);
    *stats = r->stats;
    g_mutex_unlock(&r->stats_lock);
}
