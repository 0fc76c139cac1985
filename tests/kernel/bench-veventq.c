/*
 * vEVENTQ read throughput in the kernel test-bed VM: vsmmu's reader (an
 * IOThread, reads sized from the queue depth) against upstream QEMU's
 * strategy (a main-loop fd handler reading one record per read() per
 * readiness callback), on the same event stream from the real kernel.
 *
 * Two scenarios, each run for both readers on a fresh queue of depth
 * 2^19: "drain" (N events queued, then read) and "live" (a producer
 * thread triggers N events while the reader runs).  Both readers must
 * see every event.  What bounds the live case is printed beside it: the
 * producer's own rate with no reader running ("trigger"), the time the
 * producer took while each reader ran, and the distribution of records
 * per read() (log2 buckets).  The numbers are printed; nothing is
 * asserted about time.  Run with "make bench"; see
 * docs/devel/performance.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "vm-veventq.h"
#include "vmlib.h"
#include <glib-unix.h>

#define DEPTH       (1u << 19)
#define RECORD      (8 + SELFTEST_PAYLOAD)

G_STATIC_ASSERT(sizeof(struct iommufd_vevent_header) +
                sizeof(struct iommu_viommu_event_selftest) == RECORD);

static unsigned n_events = 200000;
static VmNest nest;
static IOThread *iot;

/* Records per read(): bucket k holds sizes 2^k .. 2^(k+1) - 1. */
#define HIST_BUCKETS 18

typedef struct Result {
    double seconds;
    double producer_seconds;    /* live: the producer's N triggers */
    uint64_t reads;
    uint64_t batches;
    uint64_t hist[HIST_BUCKETS];
} Result;

static void hist_add(void *opaque, const VeventqBatch *b)
{
    uint64_t *hist = opaque;

    if (b->n_records) {
        hist[MIN(g_bit_storage(b->n_records) - 1, HIST_BUCKETS - 1)]++;
    }
}

/* "1:12 2-3:40 ..." for the non-empty buckets. */
static char *hist_str(const uint64_t *hist)
{
    GString *s = g_string_new("");

    for (int k = 0; k < HIST_BUCKETS; k++) {
        if (hist[k]) {
            g_string_append_printf(s, "%s%lu-%lu:%" PRIu64, s->len ? " " : "",
                                   1ul << k, (2ul << k) - 1, hist[k]);
        }
    }
    return g_string_free(s, FALSE);
}

/* ---- vsmmu's reader ------------------------------------------------- */

typedef struct Producer {
    unsigned count;
    gint64 usecs;               /* the time its triggers took */
    int failed;
} Producer;

static gpointer producer_thread(gpointer opaque)
{
    Producer *p = opaque;
    gint64 t0 = g_get_monotonic_time();

    for (unsigned i = 0; i < p->count; i++) {
        if (vm_trigger(&nest) != 0) {
            p->failed = 1;
            break;
        }
    }
    p->usecs = g_get_monotonic_time() - t0;
    return NULL;
}

static GThread *producer_start(Producer *p)
{
    *p = (Producer) { .count = n_events };
    return g_thread_new("producer", producer_thread, p);
}

static double producer_join(GThread *t, Producer *p)
{
    g_thread_join(t);
    VM_ASSERT(!p->failed, "producer triggers succeed");
    return p->usecs / 1e6;
}

static Result run_ours(bool live)
{
    VmConsumer c;
    VmQueue q;
    VeventqReaderStats st;
    GThread *t = NULL;
    Producer p;
    Error *err = NULL;
    gint64 t0;
    Result res = { 0 };

    vm_consumer_init(&c);
    c.after_batch = hist_add;
    c.after_opaque = res.hist;
    vm_queue_open(&nest, &q, DEPTH, 0, &c);
    if (live) {
        VM_ASSERT(veventq_reader_start(q.reader, iot, &err), "start");
        t0 = g_get_monotonic_time();
        t = producer_start(&p);
    } else {
        vm_trigger_n(&nest, n_events);
        t0 = g_get_monotonic_time();
        VM_ASSERT(veventq_reader_start(q.reader, iot, &err), "start");
    }
    VM_ASSERT(vm_consumer_wait(&c, n_events), "ours: all events accounted"
              " for (%u records, %" PRIu64 " lost)", c.seqs->len, c.lost);
    res.seconds = (g_get_monotonic_time() - t0) / 1e6;
    if (t) {
        res.producer_seconds = producer_join(t, &p);
    }
    veventq_reader_stop(q.reader);
    veventq_reader_get_stats(q.reader, &st);
    VM_ASSERT(c.seqs->len == n_events && c.lost == 0,
              "ours: every event seen (%u, lost %" PRIu64 ")", c.seqs->len,
              c.lost);
    res.reads = st.reads;
    res.batches = st.batches;
    vm_queue_close(&nest, &q);
    vm_consumer_destroy(&c);
    return res;
}

/* ---- upstream's strategy -------------------------------------------- */

typedef struct Upstream {
    int fd;
    unsigned seen;
    uint64_t reads;
    uint32_t expect_seq;
    bool bad;
} Upstream;

/* One record per read(), once per readiness callback. */
static gboolean upstream_read(gint fd, GIOCondition cond, gpointer opaque)
{
    Upstream *u = opaque;
    struct {
        struct iommufd_vevent_header hdr;
        struct iommu_viommu_event_selftest ev;
    } buf;
    ssize_t n = iommufd_backend_read_veventq(nest.be, fd, &buf, sizeof(buf));

    u->reads++;
    if (n == sizeof(buf)) {
        u->bad |= buf.hdr.sequence != u->expect_seq;
        u->expect_seq++;
        u->seen++;
    } else if (n != 0) {
        u->bad = true;
    }
    return G_SOURCE_CONTINUE;
}

static Result run_upstream(bool live)
{
    Upstream u = { 0 };
    uint32_t id;
    GThread *t = NULL;
    Producer p;
    Error *err = NULL;
    GMainContext *ctx = g_main_context_default();
    GSource *src;
    gint64 t0, deadline;
    Result res = { 0 };

    VM_ASSERT(iommufd_backend_alloc_veventq(nest.be, nest.viommu_id,
                                            IOMMU_VEVENTQ_TYPE_SELFTEST,
                                            DEPTH, &id, &u.fd, &err),
              "alloc: %s", err ? error_get_pretty(err) : "");
    if (!live) {
        vm_trigger_n(&nest, n_events);
    }
    t0 = g_get_monotonic_time();
    src = g_unix_fd_source_new(u.fd, G_IO_IN);
    g_source_set_callback(src, G_SOURCE_FUNC(upstream_read), &u, NULL);
    g_source_attach(src, ctx);
    if (live) {
        t = producer_start(&p);
    }
    deadline = t0 + VM_WAIT_S * G_TIME_SPAN_SECOND;
    while (u.seen < n_events && !u.bad &&
           g_get_monotonic_time() < deadline) {
        g_main_context_iteration(ctx, TRUE);
    }
    res.seconds = (g_get_monotonic_time() - t0) / 1e6;
    g_source_destroy(src);
    g_source_unref(src);
    if (t) {
        res.producer_seconds = producer_join(t, &p);
    }
    VM_ASSERT(u.seen == n_events && !u.bad, "upstream: every event seen, in"
              " order (%u of %u)", u.seen, n_events);
    res.reads = u.reads;
    res.batches = u.seen;
    res.hist[0] = u.seen;       /* one record per read, by construction */
    iommufd_backend_close_fd(nest.be, u.fd);
    VM_ASSERT(iommufd_backend_free_id(nest.be, id, &err), "destroy");
    return res;
}

static void report(const char *scenario, Result ours, Result up)
{
    double r_ours = n_events / ours.seconds;
    double r_up = n_events / up.seconds;
    g_autofree char *h_ours = hist_str(ours.hist);

    vm_note("bench %-5s N=%u depth=%u | vsmmu iothread batched: %.0f ev/s"
            " (%.3f s, %" PRIu64 " reads, %" PRIu64 " batches) | upstream"
            " one-record reads: %.0f ev/s (%.3f s, %" PRIu64 " reads) |"
            " ratio %.2fx", scenario, n_events, DEPTH, r_ours, ours.seconds,
            ours.reads, ours.batches, r_up, up.seconds, up.reads,
            r_ours / r_up);
    vm_note("bench %-5s records per read(), vsmmu: %s (mean %.1f)", scenario,
            h_ours, ours.reads ? (double)n_events / ours.reads : 0);
    if (ours.producer_seconds) {
        vm_note("bench %-5s producer's %u triggers took %.3f s with vsmmu's"
                " reader running, %.3f s with upstream's", scenario,
                n_events, ours.producer_seconds, up.producer_seconds);
    }
}

static void bench_drain(void *opaque)
{
    Result ours = run_ours(false);
    Result up = run_upstream(false);

    report("drain", ours, up);
}

/* The producer alone, nothing reading: what bounds any live reader. */
static void bench_trigger(void *opaque)
{
    Error *err = NULL;
    uint32_t id;
    int fd;
    gint64 t0;
    double s;

    VM_ASSERT(iommufd_backend_alloc_veventq(nest.be, nest.viommu_id,
                                            IOMMU_VEVENTQ_TYPE_SELFTEST,
                                            DEPTH, &id, &fd, &err),
              "alloc: %s", err ? error_get_pretty(err) : "");
    t0 = g_get_monotonic_time();
    vm_trigger_n(&nest, n_events);
    s = (g_get_monotonic_time() - t0) / 1e6;
    vm_note("bench trigger N=%u | the producer alone (TRIGGER_VEVENT"
            " ioctls, no reader): %.0f ev/s (%.3f s, %.2f us each)",
            n_events, n_events / s, s, s * 1e6 / n_events);
    iommufd_backend_close_fd(nest.be, fd);
    VM_ASSERT(iommufd_backend_free_id(nest.be, id, &err), "destroy");
}

static void bench_live(void *opaque)
{
    Result ours = run_ours(true);
    Result up = run_upstream(true);

    report("live", ours, up);
}

static void setup(void *opaque)
{
    Error *err = NULL;

    vm_nest_setup(&nest);
    vm_nest_add_vdev(&nest, 0x42);
    iot = iothread_new("veventq", &err);
    VM_ASSERT(iot && iothread_start(iot, &err), "iothread");
}

int main(int argc, char **argv)
{
    vm_init();
    if (argc > 1) {
        n_events = strtoul(argv[1], NULL, 0);
    }
    if (!vm_run("setup", setup, NULL)) {
        vm_finish();
    }
    vm_run("trigger", bench_trigger, NULL);
    vm_run("drain", bench_drain, NULL);
    vm_run("live", bench_live, NULL);
    vm_finish();
}
