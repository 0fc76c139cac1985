/*
 * Fuzz target: vEVENTQ read() results into the vEVENTQ reader.
 *
 * A fake kernel seam (as in tests/unit/test-veventq-reader.c) serves the
 * reads an input describes, with a pipe as the pollable fd; the reader
 * runs in an IOThread as in the daemon.  An input is a queue set-up byte
 * (payload size, depth, read buffer cap) and then a script: records
 * with the next, a repeated, a wrapping or an arbitrary sequence number,
 * LOST_EVENTS headers anywhere, unknown flags, raw garbage and short
 * tails, read boundaries, and read errors (EINTR, EAGAIN, EIO).
 *
 * Invariants, checked on the reader's counters after it stops:
 * - records delivered and events lost equal what the batch callback saw;
 * - every event is accounted for once: delivered + lost is the number of
 *   sequence numbers from the queue's start to the last one seen (mod
 *   2^31, as sequences wrap at INT_MAX);
 * - a reader that did not fail consumed every read and delivered every
 *   record the script queued, in order.
 *
 * The SMMUv3 accel translator (hw/arm/smmuv3-accel.c) is reached only
 * through a full device graph; fuzz-qmp's daemon carries it.
 *
 * Calls: iommufd_backend_new/set_kernel, veventq_reader_new/start/stop/
 * get_stats/free (backends/veventq-reader.c), iothread_new/start.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/iothread.h"
#include "system/veventq-reader.h"
#include "fuzz.h"
#include <glib-unix.h>

#define MAX_READS   64
#define MAX_READ    4096
#define WAIT_S      20          /* hang guard only */

enum {
    OP_RECORD,          /* next sequence number */
    OP_RECORD_SEQ,      /* u32 sequence */
    OP_RECORD_REPEAT,   /* the previous sequence again */
    OP_LOST,            /* LOST_EVENTS, u8 gap */
    OP_BAD_FLAGS,       /* u32 flags */
    OP_RAW,             /* u8 length, bytes */
    OP_END_READ,        /* the next item starts a new read() */
    OP_ERROR,           /* u8: EINTR, EAGAIN or EIO as a whole read */
    OP_WRAP,            /* jump to INT_MAX - u8 */
    OP_MAX,
};

typedef struct Read {
    GByteArray *data;
    int error;                  /* -errno instead of data */
} Read;

typedef struct Fake {
    GMutex lock;
    GCond cond;
    Read reads[MAX_READS];
    unsigned n_reads, next_read;
    bool drained;               /* a read found nothing left */
    int failed;                 /* error callbacks */
    int pipe[2];
    uint64_t delivered, lost;
    GArray *seqs;               /* delivered sequence numbers */
    bool garbage;               /* raw bytes or unknown flags queued */
} Fake;

static IOThread *iot;

static ssize_t fake_read(void *opaque, int fd, void *buf, size_t count)
{
    Fake *f = opaque;
    ssize_t ret = 0;
    char c;

    g_mutex_lock(&f->lock);
    if (f->next_read < f->n_reads) {
        Read *r = &f->reads[f->next_read++];

        if (r->error) {
            ret = r->error;
        } else {
            /* Linux fails a read that cannot hold the first record. */
            ret = r->data->len > count ? -EINVAL : (ssize_t)r->data->len;
            if (ret > 0) {
                memcpy(buf, r->data->data, ret);
            }
        }
    }
    if (f->next_read == f->n_reads && !ret) {
        if (!f->drained) {
            g_assert_cmpint(read(f->pipe[0], &c, 1), ==, 1);
        }
        f->drained = true;
        g_cond_broadcast(&f->cond);
    }
    g_mutex_unlock(&f->lock);
    return ret;
}

static int fake_open(void *opaque)
{
    return -ENOENT;
}

static int fake_ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
    return -ENOTTY;
}

static int fake_close(void *opaque, int fd)
{
    return 0;
}

static const IOMMUFDKernelOps fake_ops = {
    .name = "fuzz-veventq",
    .open_dev = fake_open,
    .ioctl = fake_ioctl,
    .read = fake_read,
    .close = fake_close,
};

static void on_batch(void *opaque, const VeventqBatch *b)
{
    Fake *f = opaque;

    g_assert_true(b->n_records > 0 || b->lost > 0);
    g_mutex_lock(&f->lock);
    f->delivered += b->n_records;
    f->lost += b->lost;
    g_array_append_vals(f->seqs, b->sequences, b->n_records);
    g_mutex_unlock(&f->lock);
}

static void on_error(void *opaque, const Error *err)
{
    Fake *f = opaque;

    g_mutex_lock(&f->lock);
    f->failed++;
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
}

static void discard_report(const char *line, void *opaque)
{
}

static GByteArray *cur_read(Fake *f)
{
    if (!f->n_reads || f->reads[f->n_reads - 1].error) {
        if (f->n_reads == MAX_READS) {
            return NULL;
        }
        f->reads[f->n_reads++].data = g_byte_array_new();
    }
    return f->reads[f->n_reads - 1].data;
}

static void put_header(GByteArray *a, uint32_t flags, uint32_t seq)
{
    struct iommufd_vevent_header h = { .flags = flags, .sequence = seq };

    g_byte_array_append(a, (const guint8 *)&h, sizeof(h));
}

/*
 * Turn the script into reads; returns the records queued, in order, in
 * *queued.  Stops at MAX_READS reads or MAX_READ bytes per read.
 */
static void build(Fake *f, FuzzInput *in, size_t payload, GArray *queued)
{
    uint32_t seq = 0, prev = INT_MAX;
    uint8_t zero[64] = { 0 };

    while (!fuzz_empty(in)) {
        uint8_t op = fuzz_u8(in) % OP_MAX;
        GByteArray *a;

        if (op == OP_ERROR) {
            static const int errs[] = { -EINTR, -EAGAIN, -EIO };

            if (f->n_reads == MAX_READS) {
                break;
            }
            f->reads[f->n_reads++].error = errs[fuzz_u8(in) % 3];
            continue;
        }
        if (op == OP_END_READ) {
            if (f->n_reads == MAX_READS) {
                break;
            }
            f->reads[f->n_reads++].data = g_byte_array_new();
            continue;
        }
        a = cur_read(f);
        if (!a || a->len > MAX_READ) {
            break;
        }
        switch (op) {
        case OP_RECORD_SEQ:
            seq = fuzz_u32(in);
            /* fall through */
        case OP_RECORD:
        case OP_RECORD_REPEAT:
            if (op == OP_RECORD_REPEAT) {
                seq = prev;
            }
            put_header(a, 0, seq);
            g_byte_array_append(a, zero, payload);
            g_array_append_val(queued, seq);
            prev = seq;
            seq = (seq + 1) & INT_MAX;
            break;
        case OP_LOST:
            seq = (seq + fuzz_u8(in)) & INT_MAX;
            put_header(a, IOMMU_VEVENTQ_FLAG_LOST_EVENTS, seq);
            prev = seq;
            seq = (seq + 1) & INT_MAX;
            break;
        case OP_BAD_FLAGS:
            put_header(a, fuzz_u32(in) | 2, seq);
            f->garbage = true;
            break;
        case OP_RAW: {
            size_t len = fuzz_u8(in);
            const uint8_t *p = fuzz_bytes(in, &len);

            g_byte_array_append(a, p, len);
            f->garbage = true;
            break;
        }
        case OP_WRAP:
            seq = INT_MAX - fuzz_u8(in);
            break;
        }
    }
}

static void wait_done(Fake *f)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_S * G_TIME_SPAN_SECOND;

    g_mutex_lock(&f->lock);
    while (!f->drained && !f->failed) {
        g_assert_true(g_cond_wait_until(&f->cond, &f->lock, deadline));
    }
    g_mutex_unlock(&f->lock);
}

static void check(Fake *f, VeventqReader *r, GArray *queued)
{
    VeventqReaderStats st;

    veventq_reader_get_stats(r, &st);
    g_assert_cmpuint(st.records, ==, f->delivered);
    g_assert_cmpuint(st.lost, ==, f->lost);
    g_assert_cmpuint(st.errors, ==, f->failed);
    g_assert_cmpuint(f->failed, <=, 1);
    if (st.seq_valid) {
        g_assert_cmpuint((st.records + st.lost) & INT_MAX, ==,
                         (st.last_seq + 1) & INT_MAX);
    } else {
        g_assert_cmpuint(st.records + st.lost, ==, 0);
    }
    if (!st.failed) {
        g_assert_cmpuint(f->next_read, ==, f->n_reads);
    }
    if (!st.failed && !f->garbage) {
        g_assert_cmpuint(f->seqs->len, ==, queued->len);
        for (guint i = 0; i < queued->len; i++) {
            g_assert_cmpuint(g_array_index(f->seqs, uint32_t, i), ==,
                             g_array_index(queued, uint32_t, i));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t payloads[] = { 4, 32, 1, 24 };
    FuzzInput in = { data, size };
    uint8_t cfg_byte = fuzz_u8(&in);
    VeventqReaderConfig cfg = {
        .veventq_id = 1,
        .type = 1,
        .payload_size = payloads[cfg_byte & 3],
        .depth = 1 + ((cfg_byte >> 2) & 15),
        .max_buffer = (cfg_byte & 0x40) ? 64 : 0,
        .batch_cb = on_batch,
        .error_cb = on_error,
    };
    g_autoptr(GArray) queued = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    IOMMUFDBackend *be;
    VeventqReader *r;
    Fake f = { 0 };
    char c = 0;

    if (!iot) {
        error_set_sink(discard_report, NULL);
        iot = iothread_new("fuzz-iot", &error_abort);
        g_assert_true(iothread_start(iot, &error_abort));
    }
    g_mutex_init(&f.lock);
    g_cond_init(&f.cond);
    f.seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_assert_true(g_unix_open_pipe(f.pipe, FD_CLOEXEC, NULL));
    build(&f, &in, cfg.payload_size, queued);
    g_assert_cmpint(write(f.pipe[1], &c, 1), ==, 1);

    be = iommufd_backend_new("fuzz-be");
    iommufd_backend_set_kernel(be, &fake_ops, &f);
    cfg.be = be;
    cfg.fd = f.pipe[0];
    cfg.opaque = &f;
    r = veventq_reader_new(&cfg, &error_abort);
    g_assert_true(veventq_reader_start(r, iot, &error_abort));
    wait_done(&f);
    veventq_reader_stop(r);
    check(&f, r, queued);

    veventq_reader_free(r);
    iommufd_backend_free(be);
    for (unsigned i = 0; i < f.n_reads; i++) {
        if (f.reads[i].data) {
            g_byte_array_unref(f.reads[i].data);
        }
    }
    g_array_unref(f.seqs);
    close(f.pipe[0]);
    close(f.pipe[1]);
    g_mutex_clear(&f.lock);
    g_cond_clear(&f.cond);
    return 0;
}
