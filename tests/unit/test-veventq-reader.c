/*
 * Tests for the vEVENTQ reader against a fake kernel seam.
 *
 * The fake kernel implements the vEVENTQ the way Linux does (whole
 * records per read(), 0 when empty, EINVAL when nothing fits, tail drop
 * at depth with a trailing LOST_EVENTS header that a newer event
 * replaces) and can also serve raw, malformed bytes.  A pipe stands in
 * for the pollable fd: it is readable while the fake queue is not empty.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/iothread.h"
#include "system/veventq-reader.h"
#include <glib-unix.h>

#define QUEUE_ID    5
#define QUEUE_TYPE  1
#define PAYLOAD     4u          /* like the selftest record: { u32 virt_id } */
#define RECORD      (8 + PAYLOAD)
#define WAIT_S      30          /* hang guard only */

/* ---- The fake kernel ------------------------------------------------- */

typedef struct Node {
    bool lost;                  /* the LOST_EVENTS header */
    uint32_t seq;
    uint32_t payload;
    GBytes *raw;                /* served as is, if set */
} Node;

typedef struct FakeQueue {
    GMutex lock;
    GQueue nodes;
    uint32_t depth;
    uint32_t num_events;
    uint32_t next_seq;
    Node *lost_node;            /* the LOST header, while it is queued */
    int read_error;             /* next read returns this (-errno) */
    bool sticky_error;          /* ... and every later one */
    int pipe[2];
    bool readable;
    uint64_t reads;
} FakeQueue;

static void node_free(Node *n)
{
    if (n->raw) {
        g_bytes_unref(n->raw);
    }
    g_free(n);
}

/* With fq->lock held. */
static void fake_set_readable(FakeQueue *fq, bool readable)
{
    char c = 0;

    if (readable && !fq->readable && fq->pipe[1] >= 0) {
        g_assert_cmpint(write(fq->pipe[1], &c, 1), ==, 1);
    } else if (!readable && fq->readable) {
        g_assert_cmpint(read(fq->pipe[0], &c, 1), ==, 1);
    }
    fq->readable = readable;
}

static void fake_init(FakeQueue *fq, uint32_t depth)
{
    memset(fq, 0, sizeof(*fq));
    g_mutex_init(&fq->lock);
    g_queue_init(&fq->nodes);
    fq->depth = depth;
    g_assert_true(g_unix_open_pipe(fq->pipe, FD_CLOEXEC, NULL));
}

static void fake_destroy(FakeQueue *fq)
{
    g_queue_clear_full(&fq->nodes, (GDestroyNotify)node_free);
    close(fq->pipe[0]);
    if (fq->pipe[1] >= 0) {
        close(fq->pipe[1]);
    }
    g_mutex_clear(&fq->lock);
}

/* Linux's iommufd_viommu_report_event() + iommufd_vevent_handler(). */
static void fake_report(FakeQueue *fq, uint32_t payload)
{
    Node *n;

    g_mutex_lock(&fq->lock);
    if (fq->num_events == fq->depth) {
        if (!fq->lost_node) {
            fq->lost_node = g_new0(Node, 1);
            fq->lost_node->lost = true;
        } else {
            g_queue_remove(&fq->nodes, fq->lost_node);
        }
        n = fq->lost_node;
    } else {
        if (fq->lost_node) {
            g_queue_remove(&fq->nodes, fq->lost_node);
            node_free(fq->lost_node);
            fq->lost_node = NULL;
        }
        n = g_new0(Node, 1);
        n->payload = payload;
        fq->num_events++;
    }
    n->seq = fq->next_seq;
    fq->next_seq = (fq->next_seq + 1) & INT_MAX;
    g_queue_push_tail(&fq->nodes, n);
    fake_set_readable(fq, true);
    g_mutex_unlock(&fq->lock);
}

/* Queue a node exactly as given (no depth, no sequence rules). */
static void fake_push(FakeQueue *fq, bool lost, uint32_t seq,
                      uint32_t payload)
{
    Node *n = g_new0(Node, 1);

    n->lost = lost;
    n->seq = seq;
    n->payload = payload;
    g_mutex_lock(&fq->lock);
    g_queue_push_tail(&fq->nodes, n);
    if (!lost) {
        fq->num_events++;
    }
    fake_set_readable(fq, true);
    g_mutex_unlock(&fq->lock);
}

static void fake_push_raw(FakeQueue *fq, const void *data, size_t len)
{
    Node *n = g_new0(Node, 1);

    n->raw = g_bytes_new(data, len);
    g_mutex_lock(&fq->lock);
    g_queue_push_tail(&fq->nodes, n);
    fake_set_readable(fq, true);
    g_mutex_unlock(&fq->lock);
}

static size_t node_len(Node *n)
{
    if (n->raw) {
        return g_bytes_get_size(n->raw);
    }
    return n->lost ? 8 : RECORD;
}

static ssize_t fake_read(void *opaque, int fd, void *buf, size_t count)
{
    FakeQueue *fq = opaque;
    uint8_t *p = buf;
    size_t done = 0;
    ssize_t ret;
    Node *n;

    g_mutex_lock(&fq->lock);
    g_assert_cmpint(fd, ==, fq->pipe[0]);
    fq->reads++;
    if (fq->read_error) {
        ret = fq->read_error;
        if (!fq->sticky_error) {
            fq->read_error = 0;
        }
        g_mutex_unlock(&fq->lock);
        return ret;
    }
    if (count < 8) {
        g_mutex_unlock(&fq->lock);
        return -EINVAL;
    }
    while ((n = g_queue_peek_head(&fq->nodes))) {
        size_t len = node_len(n);

        if (len > count - done) {
            break;
        }
        if (n->raw) {
            memcpy(p + done, g_bytes_get_data(n->raw, NULL), len);
        } else {
            struct iommufd_vevent_header hdr = {
                .flags = n->lost ? IOMMU_VEVENTQ_FLAG_LOST_EVENTS : 0,
                .sequence = n->seq,
            };

            memcpy(p + done, &hdr, 8);
            if (!n->lost) {
                memcpy(p + done + 8, &n->payload, PAYLOAD);
                fq->num_events--;
            }
        }
        done += len;
        g_queue_pop_head(&fq->nodes);
        if (n == fq->lost_node) {
            fq->lost_node = NULL;
        }
        node_free(n);
    }
    if (done == 0 && !g_queue_is_empty(&fq->nodes)) {
        g_mutex_unlock(&fq->lock);
        return -EINVAL;         /* the first record does not fit */
    }
    fake_set_readable(fq, !g_queue_is_empty(&fq->nodes));
    g_mutex_unlock(&fq->lock);
    return done;
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
    .name = "fake-veventq",
    .open_dev = fake_open,
    .ioctl = fake_ioctl,
    .read = fake_read,
    .close = fake_close,
};

/* ---- The consumer ---------------------------------------------------- */

typedef struct Consumer {
    GMutex lock;
    GCond cond;
    GArray *seqs;               /* uint32_t, every record delivered */
    GArray *payloads;           /* uint32_t */
    GArray *batch_lost;         /* uint64_t per batch */
    uint64_t lost;
    uint64_t batches;
    size_t max_batch;
    int errors;
    char *error_msg;
    int *stopped;               /* callbacks after this is set are bugs */
    VeventqReader *stop_in_cb;  /* stop this reader from the callback */
} Consumer;

static void consumer_init(Consumer *c)
{
    memset(c, 0, sizeof(*c));
    g_mutex_init(&c->lock);
    g_cond_init(&c->cond);
    c->seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    c->payloads = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    c->batch_lost = g_array_new(FALSE, FALSE, sizeof(uint64_t));
}

static void consumer_destroy(Consumer *c)
{
    g_array_unref(c->seqs);
    g_array_unref(c->payloads);
    g_array_unref(c->batch_lost);
    g_free(c->error_msg);
    g_mutex_clear(&c->lock);
    g_cond_clear(&c->cond);
}

static void on_batch(void *opaque, const VeventqBatch *b)
{
    Consumer *c = opaque;
    const uint8_t *p = b->payloads;

    if (c->stopped) {
        g_assert_cmpint(g_atomic_int_get(c->stopped), ==, 0);
    }
    g_assert_cmpuint(b->record_size, ==, PAYLOAD);
    g_assert_true(b->n_records > 0 || b->lost > 0);
    g_mutex_lock(&c->lock);
    for (size_t i = 0; i < b->n_records; i++) {
        uint32_t v;

        memcpy(&v, p + i * b->record_size, sizeof(v));
        g_array_append_val(c->payloads, v);
        g_array_append_val(c->seqs, b->sequences[i]);
    }
    g_array_append_val(c->batch_lost, b->lost);
    c->lost += b->lost;
    c->batches++;
    c->max_batch = MAX(c->max_batch, b->n_records);
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
    if (c->stop_in_cb) {
        veventq_reader_stop(c->stop_in_cb);
    }
}

static void on_error(void *opaque, const Error *err)
{
    Consumer *c = opaque;

    g_mutex_lock(&c->lock);
    c->errors++;
    g_free(c->error_msg);
    c->error_msg = g_strdup(error_get_pretty(err));
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
}

/* Wait until records + lost reach N (or an error happened). */
static void consumer_wait_events(Consumer *c, uint64_t n)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_S * G_TIME_SPAN_SECOND;

    g_mutex_lock(&c->lock);
    while (c->seqs->len + c->lost < n && !c->errors) {
        g_assert_true(g_cond_wait_until(&c->cond, &c->lock, deadline));
    }
    g_mutex_unlock(&c->lock);
}

static void consumer_wait_error(Consumer *c)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_S * G_TIME_SPAN_SECOND;

    g_mutex_lock(&c->lock);
    while (!c->errors) {
        g_assert_true(g_cond_wait_until(&c->cond, &c->lock, deadline));
    }
    g_mutex_unlock(&c->lock);
}

/* ---- Captured error reports ----------------------------------------- */

static GMutex reports_lock;
static GString *reports;

static void capture_report(const char *line, void *opaque)
{
    g_mutex_lock(&reports_lock);
    g_string_append(reports, line);
    g_mutex_unlock(&reports_lock);
}

static char *take_reports(void)
{
    char *s;

    g_mutex_lock(&reports_lock);
    s = g_strdup(reports->str);
    g_string_truncate(reports, 0);
    g_mutex_unlock(&reports_lock);
    return s;
}

static int count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

/* ---- Fixture ----------------------------------------------------------- */

typedef struct Fixture {
    FakeQueue fq;
    Consumer c;
    IOMMUFDBackend *be;
    IOThread *iot;
    VeventqReader *r;
} Fixture;

static void fixture_setup_full(Fixture *f, uint32_t depth, size_t max_buffer,
                               bool start)
{
    VeventqReaderConfig cfg = {
        .veventq_id = QUEUE_ID,
        .type = QUEUE_TYPE,
        .payload_size = PAYLOAD,
        .depth = depth,
        .max_buffer = max_buffer,
        .batch_cb = on_batch,
        .error_cb = on_error,
    };

    fake_init(&f->fq, depth);
    consumer_init(&f->c);
    f->be = iommufd_backend_new("be0");
    iommufd_backend_set_kernel(f->be, &fake_ops, &f->fq);
    f->iot = iothread_new("reader-iot", &error_abort);
    g_assert_true(iothread_start(f->iot, &error_abort));
    cfg.be = f->be;
    cfg.fd = f->fq.pipe[0];
    cfg.opaque = &f->c;
    f->r = veventq_reader_new(&cfg, &error_abort);
    if (start) {
        g_assert_true(veventq_reader_start(f->r, f->iot, &error_abort));
    }
    g_free(take_reports());
}

static void fixture_setup(Fixture *f, uint32_t depth)
{
    fixture_setup_full(f, depth, 0, true);
}

static void fixture_teardown(Fixture *f)
{
    veventq_reader_free(f->r);
    iothread_free(f->iot);
    iommufd_backend_free(f->be);
    consumer_destroy(&f->c);
    fake_destroy(&f->fq);
}

typedef struct Flush {
    GMutex lock;
    GCond cond;
    bool done;
} Flush;

static gboolean flush_cb(gpointer opaque)
{
    Flush *fl = opaque;

    g_mutex_lock(&fl->lock);
    fl->done = true;
    g_cond_signal(&fl->cond);
    g_mutex_unlock(&fl->lock);
    return G_SOURCE_REMOVE;
}

/*
 * Wait for a low-priority idle source to run in the IOThread: glib runs
 * it only in an iteration where no higher-priority source (such as a
 * readable vEVENTQ fd) is ready, so afterwards the reader has had its
 * chance to read whatever is queued.
 */
static void flush_iothread(IOThread *iot)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_S * G_TIME_SPAN_SECOND;
    GSource *src = g_idle_source_new();
    Flush fl = { .done = false };

    g_mutex_init(&fl.lock);
    g_cond_init(&fl.cond);
    g_source_set_priority(src, G_PRIORITY_LOW);
    g_source_set_callback(src, flush_cb, &fl, NULL);
    g_source_attach(src, iothread_get_context(iot));
    g_source_unref(src);
    g_mutex_lock(&fl.lock);
    while (!fl.done) {
        g_assert_true(g_cond_wait_until(&fl.cond, &fl.lock, deadline));
    }
    g_mutex_unlock(&fl.lock);
    g_mutex_clear(&fl.lock);
    g_cond_clear(&fl.cond);
}

static uint32_t seq_at(Consumer *c, guint i)
{
    return g_array_index(c->seqs, uint32_t, i);
}

/* ---- Tests ------------------------------------------------------------- */

static void test_config(void)
{
    IOMMUFDBackend *be = iommufd_backend_new("be0");
    VeventqReaderConfig cfg = {
        .be = be, .veventq_id = 7, .type = 1, .fd = 3, .payload_size = 32,
        .depth = 4, .batch_cb = on_batch,
    };
    VeventqReaderConfig bad;
    VeventqReader *r;
    Error *err = NULL;

    bad = cfg;
    bad.depth = 0;
    g_assert_null(veventq_reader_new(&bad, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "vEVENTQ 7 (type 1): depth must be at least 1");
    error_free_or_abort(&err);
    bad = cfg;
    bad.payload_size = 0;
    g_assert_null(veventq_reader_new(&bad, &err));
    error_free_or_abort(&err);
    bad = cfg;
    bad.fd = -1;
    g_assert_null(veventq_reader_new(&bad, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "invalid file descriptor"));
    error_free_or_abort(&err);

    /* Buffer sizing: min(depth, cap / record), at least one record. */
    r = veventq_reader_new(&cfg, &error_abort);
    g_assert_cmpuint(veventq_reader_batch_capacity(r), ==, 4);
    veventq_reader_free(r);
    cfg.depth = 1u << 19;
    r = veventq_reader_new(&cfg, &error_abort);
    g_assert_cmpuint(veventq_reader_batch_capacity(r), ==, (1u << 20) / 40);
    veventq_reader_free(r);
    cfg.max_buffer = 10;
    r = veventq_reader_new(&cfg, &error_abort);
    g_assert_cmpuint(veventq_reader_batch_capacity(r), ==, 1);
    veventq_reader_free(r);
    cfg.max_buffer = 64u << 20;     /* capped */
    r = veventq_reader_new(&cfg, &error_abort);
    g_assert_cmpuint(veventq_reader_batch_capacity(r), ==, (1u << 20) / 40);
    veventq_reader_free(r);
    iommufd_backend_free(be);
}

static void test_seq_gap(void)
{
    g_assert_cmpuint(veventq_seq_gap(0, 1), ==, 0);
    g_assert_cmpuint(veventq_seq_gap(3, 7), ==, 3);
    g_assert_cmpuint(veventq_seq_gap(INT_MAX, 0), ==, 0);
    g_assert_cmpuint(veventq_seq_gap(INT_MAX - 1, 0), ==, 1);
    g_assert_cmpuint(veventq_seq_gap(INT_MAX, 2), ==, 2);
    g_assert_cmpuint(veventq_seq_gap(INT_MAX - 2, 1), ==, 3);
}

static void test_in_order(void)
{
    Fixture f;
    VeventqReaderStats st;

    fixture_setup(&f, 64);
    for (uint32_t i = 0; i < 10; i++) {
        fake_report(&f.fq, 0x100 + i);
    }
    consumer_wait_events(&f.c, 10);
    flush_iothread(f.iot);
    g_assert_cmpuint(f.c.seqs->len, ==, 10);
    for (guint i = 0; i < 10; i++) {
        g_assert_cmpuint(seq_at(&f.c, i), ==, i);
        g_assert_cmpuint(g_array_index(f.c.payloads, uint32_t, i), ==,
                         0x100 + i);
    }
    g_assert_cmpuint(f.c.lost, ==, 0);

    veventq_reader_get_stats(f.r, &st);
    g_assert_cmpuint(st.records, ==, 10);
    g_assert_cmpuint(st.batches, ==, f.c.batches);
    g_assert_cmpuint(st.bytes, ==, 10 * RECORD);
    g_assert_cmpuint(st.lost, ==, 0);
    g_assert_cmpuint(st.errors, ==, 0);
    g_assert_true(st.seq_valid);
    g_assert_cmpuint(st.last_seq, ==, 9);
    g_assert_false(st.failed);
    fixture_teardown(&f);
}

/* Records queued before start arrive in one batch; no reports. */
static void test_queued_before_start(void)
{
    Fixture f;
    g_autofree char *rep = NULL;

    fixture_setup_full(&f, 64, 0, false);
    for (uint32_t i = 0; i < 20; i++) {
        fake_report(&f.fq, i);
    }
    g_assert_true(veventq_reader_start(f.r, f.iot, &error_abort));
    consumer_wait_events(&f.c, 20);
    g_assert_cmpuint(f.c.batches, ==, 1);
    g_assert_cmpuint(f.c.max_batch, ==, 20);
    rep = take_reports();
    g_assert_cmpstr(rep, ==, "");
    fixture_teardown(&f);
}

/* A buffer of 10 records: 95 queued records come in batches of <= 10. */
static void test_batch_bounded(void)
{
    Fixture f;
    VeventqReaderStats st;

    fixture_setup_full(&f, 1000, 10 * RECORD, false);
    g_assert_cmpuint(veventq_reader_batch_capacity(f.r), ==, 10);
    for (uint32_t i = 0; i < 95; i++) {
        fake_report(&f.fq, i);
    }
    g_assert_true(veventq_reader_start(f.r, f.iot, &error_abort));
    consumer_wait_events(&f.c, 95);
    g_assert_cmpuint(f.c.max_batch, ==, 10);
    g_assert_cmpuint(f.c.batches, ==, 10);
    for (guint i = 0; i < 95; i++) {
        g_assert_cmpuint(seq_at(&f.c, i), ==, i);
    }
    veventq_reader_get_stats(f.r, &st);
    g_assert_cmpuint(st.reads, ==, 10);
    fixture_teardown(&f);
}

/*
 * Overflow as Linux does it: depth 2, ten events while nobody reads:
 * seq 0, 1 and a LOST_EVENTS header with seq 9: 8 lost, reported in the
 * same batch as the two records.
 */
static void test_overflow_trailing_lost(void)
{
    Fixture f;

    fixture_setup_full(&f, 2, 0, false);
    for (uint32_t i = 0; i < 10; i++) {
        fake_report(&f.fq, i);
    }
    g_assert_true(veventq_reader_start(f.r, f.iot, &error_abort));
    consumer_wait_events(&f.c, 10);
    g_assert_cmpuint(f.c.seqs->len, ==, 2);
    g_assert_cmpuint(f.c.lost, ==, 8);
    g_assert_cmpuint(f.c.batches, ==, 1);

    /* The next event follows the LOST header: no further loss. */
    fake_report(&f.fq, 10);
    consumer_wait_events(&f.c, 11);
    flush_iothread(f.iot);
    g_assert_cmpuint(seq_at(&f.c, 2), ==, 10);
    g_assert_cmpuint(f.c.lost, ==, 8);
    fixture_teardown(&f);
}

/*
 * Overflow then a newer event before the reader looks: the LOST header is
 * replaced and only a gap remains; counted once.
 */
static void test_overflow_then_gap(void)
{
    Fixture f;

    fixture_setup_full(&f, 2, 0, false);
    for (uint32_t i = 0; i < 5; i++) {
        fake_report(&f.fq, i);          /* 0, 1 queued; 2..4 dropped */
    }
    g_mutex_lock(&f.fq.lock);
    /* Free a slot as a reader would, keeping the LOST header last. */
    node_free(g_queue_pop_head(&f.fq.nodes));
    f.fq.num_events--;
    g_mutex_unlock(&f.fq.lock);
    fake_report(&f.fq, 5);              /* replaces the LOST header */
    g_assert_true(veventq_reader_start(f.r, f.iot, &error_abort));
    consumer_wait_events(&f.c, 6);
    flush_iothread(f.iot);
    /* seq 0 was taken by hand: seen 1, 5; lost 0 (before 1) + 2, 3, 4 */
    g_assert_cmpuint(f.c.seqs->len, ==, 2);
    g_assert_cmpuint(seq_at(&f.c, 0), ==, 1);
    g_assert_cmpuint(seq_at(&f.c, 1), ==, 5);
    g_assert_cmpuint(f.c.lost, ==, 4);
    fixture_teardown(&f);
}

/*
 * Scripted combinations, each read separately: LOST header, then a
 * record right after it, a gap, a LOST header, a gap after a LOST header.
 */
static void test_gap_lost_combos(void)
{
    static const struct {
        bool lost;
        uint32_t seq;
        uint64_t total_lost;        /* expected after this node */
    } script[] = {
        { false, 0, 0 },
        { false, 1, 0 },
        { true, 5, 4 },             /* 2, 3, 4, 5 */
        { false, 6, 4 },            /* right after the header: no loss */
        { false, 9, 6 },            /* 7, 8 */
        { true, 12, 9 },            /* 10, 11, 12 */
        { false, 15, 11 },          /* 13, 14: a gap after a header */
        { true, 16, 12 },           /* one dropped */
        { true, 18, 14 },           /* a second header, read separately */
        { false, 19, 14 },
    };
    Fixture f;
    VeventqReaderStats st;
    uint64_t records = 0;

    fixture_setup(&f, 64);
    for (size_t i = 0; i < G_N_ELEMENTS(script); i++) {
        records += !script[i].lost;
        fake_push(&f.fq, script[i].lost, script[i].seq, 0xa0 + i);
        consumer_wait_events(&f.c, records + script[i].total_lost);
        flush_iothread(f.iot);
        g_assert_cmpuint(f.c.lost, ==, script[i].total_lost);
    }
    veventq_reader_get_stats(f.r, &st);
    g_assert_cmpuint(st.lost, ==, 14);
    g_assert_cmpuint(st.records, ==, 6);
    g_assert_cmpuint(st.last_seq, ==, 19);
    fixture_teardown(&f);
}

/* The same combinations, all in one read. */
static void test_gap_lost_one_read(void)
{
    Fixture f;

    fixture_setup_full(&f, 64, 0, false);
    fake_push(&f.fq, false, 0, 0);
    fake_push(&f.fq, true, 3, 0);       /* 1, 2, 3 */
    fake_push(&f.fq, false, 4, 0);      /* a record after the header */
    fake_push(&f.fq, false, 7, 0);      /* 5, 6 */
    fake_push(&f.fq, true, 8, 0);       /* 8 */
    g_assert_true(veventq_reader_start(f.r, f.iot, &error_abort));
    consumer_wait_events(&f.c, 9);
    flush_iothread(f.iot);
    g_assert_cmpuint(f.c.batches, ==, 1);
    g_assert_cmpuint(f.c.seqs->len, ==, 3);
    g_assert_cmpuint(f.c.lost, ==, 6);
    fixture_teardown(&f);
}

/* Sequence wrap: INT_MAX is followed by 0, without a false loss. */
static void test_wrap(void)
{
    Fixture f;
    VeventqReaderStats st;

    fixture_setup(&f, 64);
    /* Everything before INT_MAX - 2 was dropped (one LOST header). */
    fake_push(&f.fq, true, INT_MAX - 3, 0);
    consumer_wait_events(&f.c, INT_MAX - 2);
    g_assert_cmpuint(f.c.lost, ==, INT_MAX - 2);

    fake_push(&f.fq, false, INT_MAX - 2, 1);
    fake_push(&f.fq, false, INT_MAX - 1, 2);
    fake_push(&f.fq, false, INT_MAX, 3);
    fake_push(&f.fq, false, 0, 4);
    fake_push(&f.fq, false, 1, 5);
    consumer_wait_events(&f.c, (uint64_t)INT_MAX - 2 + 5);
    flush_iothread(f.iot);
    g_assert_cmpuint(f.c.lost, ==, INT_MAX - 2);
    g_assert_cmpuint(seq_at(&f.c, 2), ==, INT_MAX);
    g_assert_cmpuint(seq_at(&f.c, 3), ==, 0);

    /* A second overflow up to INT_MAX, then a gap across the wrap. */
    fake_push(&f.fq, true, INT_MAX, 0); /* 2 .. INT_MAX dropped */
    consumer_wait_events(&f.c, (uint64_t)INT_MAX - 2 + 5 + INT_MAX - 1);
    fake_push(&f.fq, false, 2, 6);      /* 0, 1 dropped across the wrap */
    consumer_wait_events(&f.c, (uint64_t)INT_MAX - 2 + 5 + INT_MAX - 1 + 3);
    flush_iothread(f.iot);
    g_assert_cmpuint(f.c.lost, ==, (uint64_t)INT_MAX - 2 + INT_MAX - 1 + 2);
    veventq_reader_get_stats(f.r, &st);
    g_assert_cmpuint(st.last_seq, ==, 2);
    g_assert_cmpuint(st.lost, ==, f.c.lost);
    fixture_teardown(&f);
}

/* A LOST_EVENTS header exactly at the wrap, then the record after it. */
static void test_lost_at_wrap(void)
{
    Fixture f;

    fixture_setup(&f, 64);
    fake_push(&f.fq, true, INT_MAX - 1, 0);
    consumer_wait_events(&f.c, INT_MAX);
    fake_push(&f.fq, true, INT_MAX, 0);         /* one more dropped */
    consumer_wait_events(&f.c, (uint64_t)INT_MAX + 1);
    fake_push(&f.fq, false, 0, 9);              /* follows it: no loss */
    consumer_wait_events(&f.c, (uint64_t)INT_MAX + 2);
    fake_push(&f.fq, true, 1, 0);               /* 1 dropped */
    fake_push(&f.fq, false, 3, 9);              /* 2 dropped */
    consumer_wait_events(&f.c, (uint64_t)INT_MAX + 5);
    flush_iothread(f.iot);
    g_assert_cmpuint(f.c.lost, ==, (uint64_t)INT_MAX + 1 + 2);
    g_assert_cmpuint(f.c.seqs->len, ==, 2);
    fixture_teardown(&f);
}

static void empty_read_pulse(FakeQueue *fq)
{
    g_mutex_lock(&fq->lock);
    fake_set_readable(fq, true);        /* readable, but nothing queued */
    g_mutex_unlock(&fq->lock);
}

/* Readiness with an empty queue (read() returns 0): no batch, no error. */
static void test_empty_read(void)
{
    Fixture f;
    VeventqReaderStats st;

    fixture_setup(&f, 8);
    empty_read_pulse(&f.fq);
    flush_iothread(f.iot);
    veventq_reader_get_stats(f.r, &st);
    g_assert_cmpuint(f.c.batches, ==, 0);
    g_assert_cmpuint(st.reads, ==, 0);
    g_assert_false(st.seq_valid);
    g_assert_cmpuint(f.fq.reads, >=, 1);
    fake_report(&f.fq, 1);
    consumer_wait_events(&f.c, 1);
    fixture_teardown(&f);
}

/* EINTR is retried, EAGAIN means drained. */
static void test_eintr_eagain(void)
{
    Fixture f;
    g_autofree char *rep = NULL;

    fixture_setup_full(&f, 8, 0, false);
    fake_report(&f.fq, 1);
    f.fq.read_error = -EINTR;
    g_assert_true(veventq_reader_start(f.r, f.iot, &error_abort));
    consumer_wait_events(&f.c, 1);

    g_mutex_lock(&f.fq.lock);
    f.fq.read_error = -EAGAIN;
    fake_set_readable(&f.fq, true);
    g_mutex_unlock(&f.fq.lock);
    flush_iothread(f.iot);
    fake_report(&f.fq, 2);
    consumer_wait_events(&f.c, 2);
    g_assert_cmpint(f.c.errors, ==, 0);
    rep = take_reports();
    g_assert_cmpstr(rep, ==, "");
    fixture_teardown(&f);
}

/*
 * A fatal condition: reported once with the queue id and cause, the error
 * callback runs once, polling stops, the counters stay readable.
 */
static void check_fatal(Fixture *f, const char *cause)
{
    g_autofree char *rep = NULL;
    g_autofree char *want = NULL;
    VeventqReaderStats st;
    uint64_t reads;

    consumer_wait_error(&f->c);
    flush_iothread(f->iot);
    want = g_strdup_printf("vEVENTQ %d (type %d): %s", QUEUE_ID, QUEUE_TYPE,
                           cause);
    g_assert_cmpint(f->c.errors, ==, 1);
    g_assert_cmpstr(f->c.error_msg, ==, want);
    rep = take_reports();
    g_assert_cmpint(count_lines(rep), ==, 1);
    g_assert_nonnull(strstr(rep, want));

    veventq_reader_get_stats(f->r, &st);
    g_assert_true(st.failed);
    g_assert_cmpuint(st.errors, ==, 1);

    /* Still readable, but nobody polls any more. */
    g_mutex_lock(&f->fq.lock);
    reads = f->fq.reads;
    g_mutex_unlock(&f->fq.lock);
    if (f->fq.pipe[1] >= 0) {
        fake_report(&f->fq, 77);
    }
    flush_iothread(f->iot);
    g_mutex_lock(&f->fq.lock);
    g_assert_cmpuint(f->fq.reads, ==, reads);
    g_mutex_unlock(&f->fq.lock);
    g_assert_cmpint(f->c.errors, ==, 1);
    g_free(take_reports());
    g_assert_false(veventq_reader_start(f->r, f->iot, NULL));
}

static void test_read_error(void)
{
    Fixture f;

    fixture_setup(&f, 8);
    fake_report(&f.fq, 1);
    consumer_wait_events(&f.c, 1);
    g_mutex_lock(&f.fq.lock);
    f.fq.read_error = -EIO;
    f.fq.sticky_error = true;
    g_mutex_unlock(&f.fq.lock);
    fake_report(&f.fq, 2);
    check_fatal(&f, "read failed: Input/output error");
    g_assert_cmpuint(f.c.seqs->len, ==, 1);
    fixture_teardown(&f);
}

static void test_hangup(void)
{
    Fixture f;

    fixture_setup(&f, 8);
    g_mutex_lock(&f.fq.lock);
    close(f.fq.pipe[1]);
    f.fq.pipe[1] = -1;
    g_mutex_unlock(&f.fq.lock);
    check_fatal(&f, "poll reported a hang-up (POLLHUP)");
    fixture_teardown(&f);
}

static void test_bad_flags(void)
{
    Fixture f;
    struct iommufd_vevent_header hdr = { .flags = 0x6, .sequence = 1 };
    uint8_t rec[RECORD] = { 0 };

    fixture_setup_full(&f, 8, 0, false);
    fake_report(&f.fq, 1);              /* seq 0: good */
    memcpy(rec, &hdr, sizeof(hdr));
    fake_push_raw(&f.fq, rec, sizeof(rec));
    g_assert_true(veventq_reader_start(f.r, f.iot, &error_abort));
    check_fatal(&f, "malformed header at offset 12: unknown flags 0x6");
    fixture_teardown(&f);
}

static void test_short_record(void)
{
    Fixture f;
    struct iommufd_vevent_header hdr = { .sequence = 0 };
    uint8_t rec[10] = { 0 };

    fixture_setup(&f, 8);
    memcpy(rec, &hdr, sizeof(hdr));
    fake_push_raw(&f.fq, rec, sizeof(rec));
    check_fatal(&f, "malformed data: record at offset 0 has 10 bytes,"
                " expected 12 (header + 4-byte payload)");
    fixture_teardown(&f);
}

static void test_lost_with_payload(void)
{
    Fixture f;
    struct iommufd_vevent_header hdr = {
        .flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS, .sequence = 3,
    };
    uint8_t rec[RECORD] = { 0 };

    fixture_setup(&f, 8);
    memcpy(rec, &hdr, sizeof(hdr));
    fake_push_raw(&f.fq, rec, sizeof(rec));
    check_fatal(&f, "malformed data: LOST_EVENTS header at offset 0 is"
                " followed by 4 stray bytes");
    fixture_teardown(&f);
}

static void test_bad_sequence(void)
{
    Fixture f;
    struct iommufd_vevent_header hdr = { .sequence = 0x80000000u };
    uint8_t rec[RECORD] = { 0 };

    fixture_setup(&f, 8);
    memcpy(rec, &hdr, sizeof(hdr));
    fake_push_raw(&f.fq, rec, sizeof(rec));
    check_fatal(&f, "malformed header at offset 0: sequence 2147483648 is"
                " above INT_MAX");
    fixture_teardown(&f);
}

static void test_repeated_sequence(void)
{
    Fixture f;

    fixture_setup(&f, 8);
    fake_push(&f.fq, false, 0, 1);
    consumer_wait_events(&f.c, 1);
    fake_push(&f.fq, false, 0, 1);
    check_fatal(&f, "malformed header at offset 0: sequence 0 repeats the"
                " previous one");
    fixture_teardown(&f);
}

/* The kernel rejects a buffer smaller than the first record. */
static void test_record_does_not_fit(void)
{
    Fixture f;
    /* More than the 20-byte buffer (one record + a LOST header). */
    uint8_t big[2 * RECORD] = { 0 };

    fixture_setup_full(&f, 1, 0, true);
    fake_push_raw(&f.fq, big, sizeof(big));
    check_fatal(&f, "read failed: Invalid argument");
    fixture_teardown(&f);
}

/* Stop from inside the batch callback: no further callback. */
static void test_stop_in_callback(void)
{
    Fixture f;

    fixture_setup_full(&f, 1000, 5 * RECORD, false);
    f.c.stop_in_cb = f.r;
    for (uint32_t i = 0; i < 50; i++) {
        fake_report(&f.fq, i);
    }
    g_assert_true(veventq_reader_start(f.r, f.iot, &error_abort));
    consumer_wait_events(&f.c, 5);
    flush_iothread(f.iot);
    g_assert_cmpuint(f.c.batches, ==, 1);
    g_assert_cmpuint(f.c.seqs->len, ==, 5);
    veventq_reader_stop(f.r);           /* idempotent */
    fixture_teardown(&f);
}

/* Stop and free while a producer thread hammers the queue. */
typedef struct Storm {
    FakeQueue *fq;
    int stop;
    uint64_t produced;
} Storm;

static gpointer storm_thread(gpointer opaque)
{
    Storm *s = opaque;

    while (!g_atomic_int_get(&s->stop)) {
        fake_report(s->fq, (uint32_t)s->produced++);
    }
    return NULL;
}

static void test_stop_during_storm(void)
{
    for (int round = 0; round < 20; round++) {
        Fixture f;
        Storm s;
        GThread *t;
        int stopped = 0;

        fixture_setup(&f, 64 + round);
        f.c.stopped = &stopped;
        s = (Storm) { .fq = &f.fq };
        t = g_thread_new("storm", storm_thread, &s);
        consumer_wait_events(&f.c, 1000);

        veventq_reader_stop(f.r);
        g_atomic_int_set(&stopped, 1);  /* any callback now fails */
        veventq_reader_free(f.r);
        f.r = NULL;
        /* Let the producer keep the fd readable for a while longer. */
        flush_iothread(f.iot);
        g_atomic_int_set(&s.stop, 1);
        g_thread_join(t);
        g_assert_cmpint(f.c.errors, ==, 0);
        fixture_teardown(&f);
    }
}

/* Under a storm every event is either delivered or counted lost, once. */
static void test_storm_exact(void)
{
    Fixture f;
    Storm s;
    GThread *t;
    VeventqReaderStats st;

    fixture_setup(&f, 16);
    s = (Storm) { .fq = &f.fq };
    t = g_thread_new("storm", storm_thread, &s);
    consumer_wait_events(&f.c, 200000);
    g_atomic_int_set(&s.stop, 1);
    g_thread_join(t);
    consumer_wait_events(&f.c, s.produced);
    flush_iothread(f.iot);

    veventq_reader_get_stats(f.r, &st);
    g_assert_cmpuint(st.records + st.lost, ==, s.produced);
    g_assert_cmpuint(f.c.seqs->len + f.c.lost, ==, s.produced);
    for (guint i = 0; i < f.c.seqs->len; i++) {
        /* payload = production index = sequence (no wrap here) */
        g_assert_cmpuint(seq_at(&f.c, i), ==,
                         g_array_index(f.c.payloads, uint32_t, i));
        if (i) {
            g_assert_cmpuint(seq_at(&f.c, i), >, seq_at(&f.c, i - 1));
        }
    }
    g_assert_cmpuint(f.c.max_batch, <=, 16);
    g_test_message("storm: %" PRIu64 " produced, %" PRIu64 " delivered, %"
                   PRIu64 " lost, %" PRIu64 " batches", s.produced,
                   st.records, st.lost, st.batches);
    fixture_teardown(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    reports = g_string_new(NULL);
    error_set_sink(capture_report, NULL);

    g_test_add_func("/veventq-reader/config", test_config);
    g_test_add_func("/veventq-reader/seq-gap", test_seq_gap);
    g_test_add_func("/veventq-reader/in-order", test_in_order);
    g_test_add_func("/veventq-reader/queued-before-start",
                    test_queued_before_start);
    g_test_add_func("/veventq-reader/batch-bounded", test_batch_bounded);
    g_test_add_func("/veventq-reader/overflow/trailing-lost",
                    test_overflow_trailing_lost);
    g_test_add_func("/veventq-reader/overflow/then-gap",
                    test_overflow_then_gap);
    g_test_add_func("/veventq-reader/loss/combos", test_gap_lost_combos);
    g_test_add_func("/veventq-reader/loss/one-read", test_gap_lost_one_read);
    g_test_add_func("/veventq-reader/wrap", test_wrap);
    g_test_add_func("/veventq-reader/wrap-lost", test_lost_at_wrap);
    g_test_add_func("/veventq-reader/empty-read", test_empty_read);
    g_test_add_func("/veventq-reader/eintr-eagain", test_eintr_eagain);
    g_test_add_func("/veventq-reader/fatal/read-error", test_read_error);
    g_test_add_func("/veventq-reader/fatal/hangup", test_hangup);
    g_test_add_func("/veventq-reader/fatal/bad-flags", test_bad_flags);
    g_test_add_func("/veventq-reader/fatal/short-record", test_short_record);
    g_test_add_func("/veventq-reader/fatal/lost-with-payload",
                    test_lost_with_payload);
    g_test_add_func("/veventq-reader/fatal/bad-sequence", test_bad_sequence);
    g_test_add_func("/veventq-reader/fatal/repeated-sequence",
                    test_repeated_sequence);
    g_test_add_func("/veventq-reader/fatal/does-not-fit",
                    test_record_does_not_fit);
    g_test_add_func("/veventq-reader/stop/in-callback",
                    test_stop_in_callback);
    g_test_add_func("/veventq-reader/stop/during-storm",
                    test_stop_during_storm);
    g_test_add_func("/veventq-reader/storm-exact", test_storm_exact);
    return g_test_run();
}
