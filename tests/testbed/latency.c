/*
 * Host-side latency of the host-event path, for "make bench": timestamps
 * taken inside vsmmu-daemon-testbed, never carried in an event field.
 *
 *   raise  the generator (host-events.c) calls the emulated host's
 *          iommufd_emulated_report_events() for a batch: every record of
 *          it, with the vEVENTQ and sequence number the call returns
 *   read   the vEVENTQ reader hands the batch holding the record to the
 *          translator (read() has returned and the batch is parsed)
 *   irq    the vSMMU's wired interrupt reaches the interrupt controller
 *          (the machine's GIC observer), for the records of a batch that
 *          raised it; a guest that has not written CONS since the last
 *          one gets none (the SMMU's suppression)
 *   prod   the translator has returned: the entries are in guest RAM and
 *          PROD is published (it is written under the device lock before
 *          the interrupt is sent, so this is an upper bound for PROD by
 *          the interrupt's delivery)
 *
 * None of it is in the product: the timestamps are taken by a reader
 * wrapped around the translator through the vSMMU's test seam
 * (smmuv3_accel_set_test_reader_factory()), either vsmmu's own
 * VeventqReader in the vSMMU's iothread or the upstream model
 * (upstream-reader.c), and by the generator; with no "timed" reader
 * selected (x-testbed-veventq-reader) nothing is recorded.  The logs are
 * joined by (host, vEVENTQ, sequence number) only when x-testbed-latency
 * asks, after the generators have finished: the hot paths only append,
 * one entry per run of consecutive sequence numbers (a batch, usually),
 * so a storm of millions of events logs thousands of entries.  The join
 * counts latencies in a log-linear histogram (16 steps per power of two,
 * so a percentile is within 6.25% of the sample it stands for).
 *
 * Threads: the command, the factory and the registry are main thread
 * only.  A timed reader's log is appended in the thread that runs its
 * batches (the iothread, or the main loop for the upstream model) under
 * its lock, held across the translator, which x-testbed-latency also
 * takes.  A generator's log is its
 * own thread's until it is done (host-events.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/arm/smmuv3-accel.h"
#include "system/iommufd-emulated.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "testbed.h"
#include <json-glib/json-glib.h>

enum { STAGE_READ, STAGE_IRQ, STAGE_PROD, N_STAGES };

static const char *const stage_names[N_STAGES] = {
    [STAGE_READ] = "read", [STAGE_IRQ] = "irq", [STAGE_PROD] = "prod",
};

/* A run of consecutive records of one batch the translator was given. */
typedef struct TimedBatch {
    int64_t t[N_STAGES];        /* ns; t[STAGE_IRQ] 0: none raised */
    uint32_t seq;               /* the first record's sequence number */
    uint32_t n;
    bool more;                  /* the batch goes on in the next entry */
} TimedBatch;

typedef struct TimedReader {
    void *host;                 /* the emulated host, the join's key */
    uint32_t veventq_id;
    VeventqBatchFunc *batch_cb; /* the translator */
    void *opaque;
    bool upstream;
    void *inner;                /* VeventqReader, or the upstream model */
    bool running;

    GMutex lock;
    GArray *batches;            /* of TimedBatch */
} TimedReader;

/* Every timed reader since start-up, stopped ones included; main thread. */
static GPtrArray *readers;
static gint enabled;

/* The batch being translated in this thread, for the GIC observer. */
static __thread TimedBatch *current;

int64_t testbed_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

bool testbed_latency_enabled(void)
{
    return g_atomic_int_get(&enabled);
}

/* ---- the timed reader ----------------------------------------------------- */

static void timed_irq(void *opaque, int spi, int level)
{
    /* Called inside the translator, in its thread. */
    if (level && current && !current->t[STAGE_IRQ]) {
        current->t[STAGE_IRQ] = testbed_now_ns();
    }
}

static void timed_batch(void *opaque, const VeventqBatch *b)
{
    TimedReader *r = opaque;
    TimedBatch tb = { .t[STAGE_READ] = testbed_now_ns(), .n = b->n_records };

    /*
     * The lock is held across the translator: a client that saw the
     * batch counted (query-vsmmu) and asks x-testbed-latency finds it
     * logged.
     */
    g_mutex_lock(&r->lock);
    current = &tb;
    r->batch_cb(r->opaque, b);
    current = NULL;
    tb.t[STAGE_PROD] = testbed_now_ns();
    for (size_t i = 0; i < b->n_records; i += tb.n) {
        tb.seq = b->sequences[i];
        tb.n = 1;
        while (i + tb.n < b->n_records &&
               b->sequences[i + tb.n] == tb.seq + tb.n) {
            tb.n++;
        }
        tb.more = i + tb.n < b->n_records;
        g_array_append_val(r->batches, tb);
    }
    g_mutex_unlock(&r->lock);
}

static void *timed_start(const VeventqReaderConfig *cfg, IOThread *iot,
                         bool upstream, Error **errp)
{
    TimedReader *r = g_new0(TimedReader, 1);
    VeventqReaderConfig inner = *cfg;

    r->host = cfg->be->kops_opaque;
    r->veventq_id = cfg->veventq_id;
    r->batch_cb = cfg->batch_cb;
    r->opaque = cfg->opaque;
    r->upstream = upstream;
    g_mutex_init(&r->lock);
    r->batches = g_array_new(FALSE, FALSE, sizeof(TimedBatch));
    inner.batch_cb = timed_batch;
    inner.opaque = r;
    if (upstream) {
        r->inner = testbed_upstream_reader_start(&inner, iot, errp);
    } else {
        VeventqReader *vr = veventq_reader_new(&inner, errp);

        if (vr && !veventq_reader_start(vr, iot, errp)) {
            g_clear_pointer(&vr, veventq_reader_free);
        }
        r->inner = vr;
    }
    if (!r->inner) {
        g_array_free(r->batches, TRUE);
        g_mutex_clear(&r->lock);
        g_free(r);
        return NULL;
    }
    r->running = true;
    g_ptr_array_add(readers, r);
    return r;
}

static void *timed_start_vsmmu(const VeventqReaderConfig *cfg, IOThread *iot,
                               Error **errp)
{
    return timed_start(cfg, iot, false, errp);
}

static void *timed_start_upstream(const VeventqReaderConfig *cfg,
                                  IOThread *iot, Error **errp)
{
    return timed_start(cfg, iot, true, errp);
}

/* Stop reading; the log stays for x-testbed-latency. */
static void timed_stop(void *opaque)
{
    TimedReader *r = opaque;

    if (r->upstream) {
        testbed_upstream_reader_stop(r->inner);
    } else {
        veventq_reader_free(r->inner);
    }
    r->inner = NULL;
    r->running = false;
}

/* At exit, after the vSMMUs (and so every reader) have gone. */
static void timed_free(gpointer opaque)
{
    TimedReader *r = opaque;

    g_assert(!r->running);
    g_array_free(r->batches, TRUE);
    g_mutex_clear(&r->lock);
    g_free(r);
}

static const SMMUv3AccelReaderFactory timed_vsmmu_factory = {
    .name = "vsmmu-timed",
    .start = timed_start_vsmmu,
    .stop = timed_stop,
};

static const SMMUv3AccelReaderFactory timed_upstream_factory = {
    .name = "upstream-timed",
    .start = timed_start_upstream,
    .stop = timed_stop,
};

const SMMUv3AccelReaderFactory *testbed_timed_factory(bool upstream)
{
    return upstream ? &timed_upstream_factory : &timed_vsmmu_factory;
}

void testbed_latency_enable(bool on)
{
    if (!readers) {
        readers = g_ptr_array_new_with_free_func(timed_free);
    }
    g_atomic_int_set(&enabled, on);
    machine_set_gic_observer(on ? timed_irq : NULL, NULL);
}

/* ---- the generator's log -------------------------------------------------- */

/*
 * A batch whose raising took longer than this waited for the host's lock
 * (a read in progress) or was preempted inside the host: counted.  Its
 * records count from t all the same (they were raised then).
 */
#define RAISE_SLOW_NS 20000

void testbed_raise_log_add(GArray *log, int64_t t, int64_t t_end,
                           const IOMMUFDEmulatedReportInfo *info, size_t n)
{
    bool slow = t_end - t > RAISE_SLOW_NS;

    TestbedRaised *last = NULL;

    for (size_t i = 0; i < n; i++) {
        if (info[i].result != EMULATED_REPORT_QUEUED) {
            last = NULL;
            continue;
        }
        if (last && last->veventq_id == info[i].veventq_id &&
            last->seq + last->n == info[i].seq) {
            last->n++;
        } else {
            TestbedRaised e = {
                .t = t, .veventq_id = info[i].veventq_id, .seq = info[i].seq,
                .n = 1, .slow = slow,
            };

            g_array_append_val(log, e);
            last = &g_array_index(log, TestbedRaised, log->len - 1);
        }
    }
}

/* ---- x-testbed-latency ---------------------------------------------------- */

/* Log-linear: 16 buckets per power of two of nanoseconds, up to 2^40. */
#define HIST_SUB 16
#define HIST_BUCKETS (41 * HIST_SUB)

typedef struct Hist {
    uint64_t count[HIST_BUCKETS];
    uint64_t total;
    int64_t max;
} Hist;

static unsigned hist_bucket(int64_t v)
{
    unsigned e;

    if (v < HIST_SUB) {
        return MAX(v, 0);
    }
    e = g_bit_storage(v) - 5;   /* v >> e has 5 bits: 16..31 */
    return MIN((e + 1) * HIST_SUB + ((v >> e) - HIST_SUB),
               HIST_BUCKETS - 1);
}

/* The smallest value of bucket b. */
static int64_t hist_value(unsigned b)
{
    unsigned e;

    if (b < HIST_SUB) {
        return b;
    }
    e = b / HIST_SUB - 1;
    return (int64_t)(HIST_SUB + b % HIST_SUB) << e;
}

static void hist_add(Hist *h, int64_t v, uint64_t n)
{
    h->count[hist_bucket(v)] += n;
    h->total += n;
    h->max = MAX(h->max, v);
}

/* The value below which a fraction q of the samples lie. */
static int64_t hist_quantile(const Hist *h, double q)
{
    uint64_t want = (uint64_t)(q * h->total), seen = 0;

    for (unsigned b = 0; b < HIST_BUCKETS; b++) {
        seen += h->count[b];
        if (seen > want) {
            return MIN(hist_value(b), h->max);
        }
    }
    return h->max;
}

typedef struct Join {
    Hist lat[N_STAGES];
    uint64_t records, batches;
    uint64_t slow;              /* records raised slowly, RAISE_SLOW_NS */
} Join;

/*
 * The records of r raised by the generator whose runs for r's queue are
 * raised[0..n): both logs are in sequence order, so one merge pass over
 * the two lists of runs, counting the overlap of each pair.
 */
static void join_reader(Join *j, TimedReader *r, const TestbedRaised *raised,
                        size_t n)
{
    size_t k = 0;
    bool counted = false;       /* this batch has one of ours */

    g_mutex_lock(&r->lock);
    for (guint bi = 0; bi < r->batches->len && k < n; bi++) {
        const TimedBatch *b = &g_array_index(r->batches, TimedBatch, bi);
        uint64_t lo = b->seq, hi = lo + b->n;

        while (k < n && raised[k].seq + (uint64_t)raised[k].n <= lo) {
            k++;
        }
        for (size_t m = k; m < n && raised[m].seq < hi; m++) {
            uint64_t c = MIN(hi, raised[m].seq + (uint64_t)raised[m].n) -
                         MAX(lo, raised[m].seq);

            for (int s = 0; s < N_STAGES; s++) {
                if (b->t[s]) {
                    hist_add(&j->lat[s], b->t[s] - raised[m].t, c);
                }
            }
            j->slow += raised[m].slow ? c : 0;
            j->records += c;
            j->batches += !counted;
            counted = true;
        }
        counted &= b->more;
    }
    g_mutex_unlock(&r->lock);
}

static JsonObject *percentiles(const Hist *h)
{
    JsonObject *o = json_object_new();

    qmp_set_u64(o, "samples", h->total);
    if (h->total) {
        qmp_set_u64(o, "p50-ns", hist_quantile(h, 0.5));
        qmp_set_u64(o, "p99-ns", hist_quantile(h, 0.99));
        qmp_set_u64(o, "p99.9-ns", hist_quantile(h, 0.999));
        qmp_set_u64(o, "max-ns", h->max);
    }
    return o;
}

/* The latencies of the records one generator raised. */
static JsonObject *join_generator(void *host, const char *tag, GArray *log)
{
    JsonObject *o = json_object_new();
    g_autofree Join *j = g_new0(Join, 1);
    g_autoptr(GArray) mine = g_array_new(FALSE, FALSE, sizeof(TestbedRaised));
    uint64_t raised = 0;

    for (guint k = 0; k < log->len; k++) {
        raised += g_array_index(log, TestbedRaised, k).n;
    }
    for (guint i = 0; readers && i < readers->len; i++) {
        TimedReader *r = g_ptr_array_index(readers, i);

        if (r->host != host) {
            continue;
        }
        g_array_set_size(mine, 0);
        for (guint k = 0; k < log->len; k++) {
            TestbedRaised *e = &g_array_index(log, TestbedRaised, k);

            if (e->veventq_id == r->veventq_id) {
                g_array_append_val(mine, *e);
            }
        }
        join_reader(j, r, (TestbedRaised *)mine->data, mine->len);
    }
    json_object_set_string_member(o, "tag", tag);
    qmp_set_u64(o, "raised", raised);
    qmp_set_u64(o, "records", j->records);
    qmp_set_u64(o, "batches", j->batches);
    qmp_set_u64(o, "raised-slowly", j->slow);
    for (int s = 0; s < N_STAGES; s++) {
        json_object_set_object_member(o, stage_names[s],
                                      percentiles(&j->lat[s]));
    }
    return o;
}

static JsonNode *qmp_x_testbed_latency(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();
    JsonNode *node;

    testbed_generators_foreach_log(join_generator, arr);
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, arr);
    return node;
}

void testbed_register_latency(void)
{
    qmp_register_command("x-testbed-latency", qmp_x_testbed_latency);
}

/* After qemu_cleanup(): the machine has dropped the observer. */
void testbed_latency_cleanup(void)
{
    g_clear_pointer(&readers, g_ptr_array_unref);
}
