/*
 * vsmmu-bench: host record -> guest entry on the embedded emulated host,
 * vsmmu's reader (iothread, batched reads) against a model of upstream
 * QEMU's (the test bed's "upstream" reader in vsmmu-daemon-testbed,
 * tests/testbed/upstream-reader.c: main loop, one record per read, one
 * interrupt per event), in one run, side by side:
 *
 *  1. throughput at saturation: N events raised as fast as the host can,
 *     in batches (as a host SMMU's event queue fills), the guest queue
 *     large enough to hold them all;
 *  2. host-side latency at 10k, 100k and 1M events/s: timestamps taken
 *     inside the daemon by the test bed (tests/testbed/latency.c) when
 *     the host raises a record, when the reader hands it over, when the
 *     interrupt is sent and when PROD is published, p50/p99/p99.9;
 *  3. isolation: two vSMMUs, each with its own iothread; a saturating
 *     storm on one while the other runs at 10k events/s: the quiet one's
 *     p99 and the main loop's qtest round trip, storm against idle.
 *
 * Numbers are printed, with the machine's load average and, for each
 * measured run, the share of CPU time the hypervisor stole (/proc/stat);
 * nothing here asserts a timing.  Every event must be accounted for, else
 * the run fails.  --pin pins the daemon's threads as libvirt's
 * <iothreadpin>/<emulatorpin> would (--pin both: unpinned, then pinned).
 * See docs/devel/performance.rst.
 *
 * Pinning: the iothreads (thread ids from query-iothreads) get the last
 * CPUs this process may use, one each while at least one CPU is left
 * for the rest; everything else of the daemon (main loop, the emulated
 * host's producer threads, which are test scaffolding standing for a
 * host SMMU and its driver's interrupt thread: work a real deployment
 * runs on the host's housekeeping CPUs, not on an iothread's) and this
 * program (the guest's vCPU and the qtest client) get the others.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "demo-guest.h"
#include "hw/arm/smmuv3-common.h"
#include <dirent.h>
#include <sched.h>

static int opt_events = 500000;
static int opt_batch = 256;
static double opt_seconds = 2;
static int opt_quiet_rate = 10000;
static int opt_storm_rate;
static int opt_rounds = 3;
static gint64 opt_poll_max_ns = -1;
static char *opt_pin;
static char *opt_daemon;
static char *opt_only;

static GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_INT, &opt_events,
      "events for the throughput run (default 500000, at most 524288)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &opt_batch,
      "records the host raises per wake-up at saturation (default 256)",
      "B" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &opt_seconds,
      "length of each latency and isolation run (default 2)", "S" },
    { "quiet-rate", 0, 0, G_OPTION_ARG_INT, &opt_quiet_rate,
      "events/s of the quiet vSMMU in the isolation run (default 10000)",
      "R" },
    { "storm-rate", 0, 0, G_OPTION_ARG_INT, &opt_storm_rate,
      "events/s of the storm in the isolation run (default 0: as fast as"
      " the emulated host can)", "R" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds,
      "idle/storm rounds of the isolation run (default 3, at most 9)", "N" },
    { "poll-max-ns", 0, 0, G_OPTION_ARG_INT64, &opt_poll_max_ns,
      "the iothreads' poll-max-ns (default: the daemon's, 32768)", "NS" },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &opt_pin,
      "off (default), on: pin as libvirt would (iothreads on their own"
      " CPUs, the rest elsewhere), both: unpinned then pinned", "MODE" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &opt_only,
      "run only these parts: throughput, latency, isolation (comma"
      " separated; default all)", "LIST" },
    { "daemon", 0, 0, G_OPTION_ARG_FILENAME, &opt_daemon,
      "the vsmmu-daemon to run (default $VSMMU_DAEMON, else "
      VSMMU_DEMO_DAEMON ")", "PATH" },
    { NULL }
};

static const int latency_rates[] = { 10000, 100000, 1000000 };

/*
 * The bench's guest touches the vSMMU (or measures a round trip) this
 * often, as a guest driver acknowledging its event queue would: not
 * spinning, which would take a CPU from the path measured.  Its
 * EVENTQ_PROD/CONS accesses take the event queue's lock briefly, the one
 * the iothread publishes PROD under (see docs/devel/performance.rst).
 */
#define GUEST_PERIOD_US 1000
#define N_RATES G_N_ELEMENTS(latency_rates)

static const char *const reader_names[2] = { "vsmmu", "upstream-model" };

/* ---- CPU time (/proc/stat) and pinning ------------------------------- */

/* The machine's CPU time, in ticks, from /proc/stat's "cpu" line. */
typedef struct CpuStat {
    int64_t busy, idle, steal;
} CpuStat;

static CpuStat cpu_stat(void)
{
    g_autofree char *s = NULL;
    int64_t v[8] = { 0 };
    CpuStat c = { 0 };

    if (g_file_get_contents("/proc/stat", &s, NULL, NULL) &&
        sscanf(s, "cpu %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64
               " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64, &v[0], &v[1],
               &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
        /* user nice system idle iowait irq softirq steal */
        c.busy = v[0] + v[1] + v[2] + v[5] + v[6];
        c.idle = v[3] + v[4];
        c.steal = v[7];
    }
    return c;
}

/* What a run saw of the machine: CPU busy and stolen, % of all time. */
typedef struct Steal {
    double busy, steal;
} Steal;

static Steal steal_since(const CpuStat *a)
{
    CpuStat b = cpu_stat();
    double busy = b.busy - a->busy, steal = b.steal - a->steal;
    double all = busy + steal + (b.idle - a->idle);

    return all > 0 ? (Steal) { 100 * busy / all, 100 * steal / all }
                   : (Steal) { 0 };
}

static const char *steal_str(const Steal *st, char *buf, size_t len)
{
    snprintf(buf, len, "busy %.0f%%, steal %.1f%% of CPU time", st->busy,
             st->steal);
    return buf;
}

static bool pinned;             /* this measurement pins */
static cpu_set_t allowed;       /* what this process may use at start */

static void set_affinity(pid_t tid, const cpu_set_t *set, const char *what)
{
    if (sched_setaffinity(tid, sizeof(*set), set) < 0) {
        fprintf(stderr, "vsmmu-bench: cannot pin %s (thread %d): %s\n",
                what, (int)tid, g_strerror(errno));
    }
}

/* The Nth allowed CPU counting from the last (0: the last), or -1. */
static int cpu_from_end(int n)
{
    for (int cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--) {
        if (CPU_ISSET(cpu, &allowed) && n-- == 0) {
            return cpu;
        }
    }
    return -1;
}

/*
 * Pin QTS's daemon as libvirt would: iothread i alone on the (i+1)th CPU
 * from the end while one CPU is left for the rest (else with the
 * highest), the daemon's other threads and this process on the rest.
 * Threads the daemon creates later inherit its main thread's set.
 */
static void pin_daemon(QTestState *qts)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'query-iothreads'}");
    JsonArray *arr = json_object_get_array_member(rsp, "return");
    int n_io = MIN((int)json_array_get_length(arr),
                   CPU_COUNT(&allowed) - 1);
    g_autofree char *dir = g_strdup_printf("/proc/%d/task",
                                           (int)qtest_pid(qts));
    cpu_set_t rest = allowed;
    DIR *d = opendir(dir);
    struct dirent *e;

    for (int i = 0; i < MAX(n_io, 1); i++) {
        CPU_CLR(cpu_from_end(i), &rest);
    }
    while (d && (e = readdir(d))) {
        if (e->d_name[0] != '.') {
            set_affinity(atoi(e->d_name), &rest, "daemon thread");
        }
    }
    if (d) {
        closedir(d);
    }
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        cpu_set_t one;

        CPU_ZERO(&one);
        CPU_SET(cpu_from_end(MIN((int)i, MAX(n_io - 1, 0))), &one);
        set_affinity(json_object_get_int_member(o, "thread-id"), &one,
                     "iothread");
    }
    set_affinity(0, &rest, "vsmmu-bench");
    json_object_unref(rsp);
}

/* After a daemon started: pin it if this measurement pins. */
static void maybe_pin(QTestState *qts)
{
    if (pinned) {
        pin_daemon(qts);
    }
}

static char *iothread_opts(void)
{
    return opt_poll_max_ns < 0 ? g_strdup("") :
           g_strdup_printf(",poll-max-ns=%" PRId64, (int64_t)opt_poll_max_ns);
}

typedef struct Pct {
    double p50, p99, p999;      /* us */
    int64_t samples;
} Pct;

/* One stage of x-testbed-latency's reply ("read", "irq", "prod"). */
static Pct pct_get(JsonObject *gen, const char *stage)
{
    JsonObject *o = json_object_get_object_member(gen, stage);
    Pct p = { .samples = json_object_get_int_member(o, "samples") };

    if (p.samples) {
        p.p50 = json_object_get_int_member(o, "p50-ns") / 1e3;
        p.p99 = json_object_get_int_member(o, "p99-ns") / 1e3;
        p.p999 = json_object_get_int_member(o, "p99.9-ns") / 1e3;
    }
    return p;
}

typedef struct Lat {
    Pct read, irq, prod;
    double batch;               /* records per batch the reader handed over */
    int64_t slow;               /* raised slowly: the host's lock waited */
    Steal steal;                /* over the run */
} Lat;

/* The latencies of the records generator TAG raised. */
static Lat latency_of(QTestState *qts, const char *tag)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'x-testbed-latency'}");
    JsonArray *arr = json_object_get_array_member(rsp, "return");
    Lat l = { { 0 } };

    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *g = json_array_get_object_element(arr, i);

        if (!strcmp(json_object_get_string_member(g, "tag"), tag)) {
            int64_t b = json_object_get_int_member(g, "batches");

            l.read = pct_get(g, "read");
            l.irq = pct_get(g, "irq");
            l.prod = pct_get(g, "prod");
            l.batch = b ? (double)json_object_get_int_member(g, "records") /
                          b : 0;
            l.slow = json_object_get_int_member(g, "raised-slowly");
        }
    }
    json_object_unref(rsp);
    return l;
}

static void start_events_on(QTestState *qts, const char *iommufd,
                            uint32_t psid, int64_t count, int64_t rate,
                            const char *tag)
{
    JsonObject *rsp = qtest_qmp(qts,
        "{'execute': 'x-vsmmu-host-event-rate', 'arguments': {"
        " 'iommufd': '%s', 'psids': [%u], 'count': %" PRId64 ","
        " 'rate': %" PRId64 ", 'batch': %d, 'addr': 2097152,"
        " 'addr-step': 4096, 'tag': '%s'}}", iommufd, psid, count, rate,
        opt_batch, tag);

    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
}

static void start_events(QTestState *qts, uint32_t psid, int64_t count,
                         int64_t rate, const char *tag)
{
    start_events_on(qts, "iommufd0", psid, count, rate, tag);
}

/* query-vsmmu's element i. */
static VSMMUQuery query_nth(QTestState *qts, int i)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'query-vsmmu'}");
    JsonArray *arr = json_object_get_array_member(rsp, "return");
    VSMMUQuery q;

    vsmmu_query_parse(json_array_get_object_element(arr, i), &q);
    json_object_unref(rsp);
    return q;
}

static int64_t batches_nth(QTestState *qts, int i)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'query-vsmmu'}");
    JsonArray *arr = json_object_get_array_member(rsp, "return");
    JsonObject *c = json_object_get_object_member(
        json_array_get_object_element(arr, i), "counters");
    int64_t b = json_object_get_int_member(c, "batches");

    json_object_unref(rsp);
    return b;
}

static bool timed_out(gint64 deadline, const char *what, int64_t got,
                      int64_t want)
{
    if (g_get_monotonic_time() < deadline) {
        return false;
    }
    fprintf(stderr, "vsmmu-bench: %s: %" PRId64 " of %" PRId64 " events"
            " accounted for\n", what, got, want);
    return true;
}

/* ---- 1. throughput ---------------------------------------------------- */

typedef struct Throughput {
    double rate, produced, batch;
    Steal steal;
    bool ok;
} Throughput;

static Throughput throughput(bool upstream)
{
    Throughput t = { .ok = true };
    gint64 t0, deadline;
    DemoGuest g;
    VSMMUQuery c;
    JsonObject *ev, *data;
    g_autofree char *iot = iothread_opts();
    g_autofree char *cmd = demo_cmdline_iothread(NULL, iot);
    CpuStat cs;

    t.ok = demo_guest_start_reader(&g, cmd, 19, upstream ? "upstream" : NULL);
    maybe_pin(g.qts);
    cs = cpu_stat();
    t0 = g_get_monotonic_time();
    deadline = t0 + 300 * G_USEC_PER_SEC;
    start_events(g.qts, demo_devs[0].psid, opt_events, 0, "throughput");
    do {
        c = vsmmu_query(g.qts);
        if (timed_out(deadline, "throughput", vsmmu_query_accounted(&c),
                      opt_events)) {
            t.ok = false;
            break;
        }
    } while (vsmmu_query_accounted(&c) < opt_events);
    t.rate = opt_events / ((g_get_monotonic_time() - t0) / 1e6);
    t.steal = steal_since(&cs);
    ev = qtest_qmp_eventwait_ref(g.qts, "X_VSMMU_HOST_EVENTS_DONE");
    data = json_object_get_object_member(ev, "data");
    t.produced = opt_events /
                 (json_object_get_int_member(data, "usecs") / 1e6);
    json_object_unref(ev);
    t.batch = (double)c.delivered / MAX(batches_nth(g.qts, 0), 1);
    if (c.delivered != opt_events) {
        fprintf(stderr, "vsmmu-bench: %s reader delivered %" PRId64 " of %d"
                " (lost %" PRId64 ")\n", reader_names[upstream], c.delivered,
                opt_events, c.host_lost);
        t.ok = false;
    }
    demo_guest_stop(&g);
    return t;
}

/* ---- 2. host-side latency ---------------------------------------------- */

static bool latency(bool upstream, int rate, Lat *out)
{
    int64_t n = MAX((int64_t)(rate * opt_seconds), 1000);
    g_autofree char *iot = iothread_opts();
    g_autofree char *cmd = demo_cmdline_iothread(NULL, iot);
    gint64 deadline;
    DemoGuest g;
    VSMMUQuery c;
    CpuStat cs;
    bool ok;

    n = MIN(n, 500000);         /* the 2^19 queue holds a late reader's */
    ok = demo_guest_start_reader(&g, cmd, 19, upstream ? "upstream,timed" :
                                 "vsmmu,timed");
    maybe_pin(g.qts);
    cs = cpu_stat();
    deadline = g_get_monotonic_time() + 300 * G_USEC_PER_SEC;
    start_events(g.qts, demo_devs[0].psid, n, rate, "latency");
    /*
     * A guest consuming as it goes, every GUEST_PERIOD_US (each CONS
     * write re-arms the interrupt), not spinning: a vCPU that polled
     * without pause would take a core from the path being measured.
     */
    for (int i = 0;; i++) {
        demo_guest_ack(&g);
        g_usleep(GUEST_PERIOD_US);
        if (i % 16) {
            continue;
        }
        c = vsmmu_query(g.qts);
        if (vsmmu_query_accounted(&c) >= n) {
            break;
        }
        if (timed_out(deadline, "latency", vsmmu_query_accounted(&c), n)) {
            ok = false;
            break;
        }
    }
    ok &= c.delivered == n;
    json_object_unref(qtest_qmp_eventwait_ref(g.qts,
                                              "X_VSMMU_HOST_EVENTS_DONE"));
    *out = latency_of(g.qts, "latency");
    out->steal = steal_since(&cs);
    demo_guest_stop(&g);
    return ok;
}

/* ---- 3. isolation -------------------------------------------------------- */

/*
 * The storm's vSMMU: its own iothread, a pxb-pcie bus, one device, on its
 * own emulated host (iommufd1).  One emulated host has one lock for all
 * its queues, where Linux has one per vEVENTQ: sharing it would measure
 * the emulated host, not vsmmu.
 */
#define STORM_SMMU_BASE 0x0c020000ull
#define STORM_RAM_BASE  (DEMO_RAM_BASE + DEMO_RAM_SIZE / 2)

static const DemoDevice storm_dev = { 0x2000, 0x808, "0000:08:01.0" };

static char *isolation_cmdline(void)
{
    g_autofree char *iot = iothread_opts();

    return g_strdup_printf(
        "-machine virt -m %llu "
        "-object iommufd,id=iommufd0,x-emulated-host=on "
        "-object iommufd,id=iommufd1,x-emulated-host=on "
        "-object iothread,id=io0%s -object iothread,id=io1%s "
        "-device arm-smmuv3,primary-bus=pcie.0,accel=on,iothread=io0,"
        "id=smmu0 "
        "-device pxb-pcie,id=pci.1,bus_nr=8,bus=pcie.0,addr=0x1f "
        "-device arm-smmuv3,primary-bus=pci.1,accel=on,iothread=io1,"
        "id=smmu1 "
        "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x%x,addr=1,"
        "id=quiet0 "
        "-device vfio-pci,iommufd=iommufd1,x-emulated-psid=0x%x,bus=pci.1,"
        "addr=1,id=storm0", DEMO_RAM_SIZE >> 20, iot, iot, demo_devs[0].psid,
        storm_dev.psid);
}

typedef struct Phase {
    double quiet_p99;           /* raise -> PROD, us */
    double rtt_p50, rtt_p99;    /* qtest readl, us */
    double storm_rate;          /* storm records handled per second */
    Steal steal;
} Phase;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/*
 * The quiet vSMMU's opt_quiet_rate events for opt_seconds, qtest round
 * trips measured meanwhile; want is what smmu0 accounts for at the end.
 */
static bool phase_run(DemoGuest *quiet, const char *tag, int64_t want,
                      Phase *p)
{
    int64_t n = (int64_t)(opt_quiet_rate * opt_seconds);
    GArray *v = g_array_new(FALSE, FALSE, sizeof(double));
    gint64 deadline = g_get_monotonic_time() + 300 * G_USEC_PER_SEC;
    CpuStat cs = cpu_stat();
    VSMMUQuery c;
    bool ok = true;

    start_events(quiet->qts, demo_devs[0].psid, n, opt_quiet_rate, tag);
    for (int i = 0;; i++) {
        gint64 t = g_get_monotonic_time();
        double us;

        qtest_readl(quiet->qts, quiet->base);      /* IDR0 */
        us = g_get_monotonic_time() - t;
        g_array_append_val(v, us);
        g_usleep(GUEST_PERIOD_US);
        if (i % 64) {
            continue;
        }
        c = query_nth(quiet->qts, 0);
        if (vsmmu_query_accounted(&c) >= want) {
            break;
        }
        if (timed_out(deadline, tag, vsmmu_query_accounted(&c), want)) {
            ok = false;
            break;
        }
    }
    qsort(v->data, v->len, sizeof(double), cmp_double);
    p->rtt_p50 = g_array_index(v, double, v->len / 2);
    p->rtt_p99 = g_array_index(v, double, MIN(v->len - 1, v->len * 99 / 100));
    g_array_free(v, TRUE);
    json_object_unref(qtest_qmp_eventwait_ref(quiet->qts,
                                              "X_VSMMU_HOST_EVENTS_DONE"));
    p->quiet_p99 = latency_of(quiet->qts, tag).prod.p99;
    p->steal = steal_since(&cs);
    return ok && c.delivered == want;
}

static int cmp_phase(const void *a, const void *b)
{
    return cmp_double(&((const Phase *)a)->quiet_p99,
                      &((const Phase *)b)->quiet_p99);
}

static int cmp_phase_rtt(const void *a, const void *b)
{
    return cmp_double(&((const Phase *)a)->rtt_p99,
                      &((const Phase *)b)->rtt_p99);
}

/* The median of N phases, figure by figure. */
static Phase phase_median(Phase *p, int n)
{
    Phase m;

    qsort(p, n, sizeof(*p), cmp_phase);
    m = p[n / 2];
    qsort(p, n, sizeof(*p), cmp_phase_rtt);
    m.rtt_p99 = p[n / 2].rtt_p99;
    m.rtt_p50 = p[n / 2].rtt_p50;
    /* Steal and busy: the mean over the rounds. */
    m.steal = (Steal) { 0 };
    for (int i = 0; i < n; i++) {
        m.steal.busy += p[i].steal.busy / n;
        m.steal.steal += p[i].steal.steal / n;
    }
    return m;
}

/* Idle and storm phases alternate, so that both see the same neighbours. */
#define MAX_ROUNDS 9

static bool isolation(Phase *idle, Phase *storm)
{
    g_autofree char *cmd = isolation_cmdline();
    int64_t n = (int64_t)(opt_quiet_rate * opt_seconds), want = 0;
    Phase pi[MAX_ROUNDS], ps[MAX_ROUNDS];
    DemoGuest quiet, noisy;
    QTestState *qts = qtest_init(cmd);
    bool ok;

    maybe_pin(qts);
    demo_select_reader(qts, "vsmmu,timed");
    ok = demo_guest_bringup(&quiet, qts, DEMO_SMMU_BASE, DEMO_RAM_BASE,
                            DEMO_RAM_SIZE / 2, demo_devs, 1, 18);
    ok &= demo_guest_bringup(&noisy, qts, STORM_SMMU_BASE, STORM_RAM_BASE,
                             DEMO_RAM_SIZE / 2, &storm_dev, 1, 15);
    for (int r = 0; r < opt_rounds && ok; r++) {
        g_autofree char *ti = g_strdup_printf("quiet-idle-%d", r);
        g_autofree char *ts = g_strdup_printf("quiet-storm-%d", r);
        VSMMUQuery s0, s1;
        gint64 t0;

        ok &= phase_run(&quiet, ti, want += n, &pi[r]);
        /* A storm with no end: the storm's guest never consumes. */
        start_events_on(qts, "iommufd1", storm_dev.psid, INT64_MAX / 2,
                        opt_storm_rate, "storm");
        g_usleep(200 * 1000);   /* let it reach its steady state */
        s0 = query_nth(qts, 1);
        t0 = g_get_monotonic_time();
        ok &= phase_run(&quiet, ts, want += n, &ps[r]);
        s1 = query_nth(qts, 1);
        ps[r].storm_rate = (vsmmu_query_accounted(&s1) -
                            vsmmu_query_accounted(&s0)) /
                           ((g_get_monotonic_time() - t0) / 1e6);
        json_object_unref(qtest_qmp(qts,
            "{'execute': 'x-vsmmu-host-event-stop',"
            " 'arguments': {'tag': 'storm'}}"));
        json_object_unref(qtest_qmp_eventwait_ref(qts,
                                                  "X_VSMMU_HOST_EVENTS_DONE"));
    }
    if (ok) {
        *idle = phase_median(pi, opt_rounds);
        *storm = phase_median(ps, opt_rounds);
    }
    qtest_quit(qts);
    demo_guest_free(&quiet);
    demo_guest_free(&noisy);
    return ok;
}

/* ---- report --------------------------------------------------------------- */

static void print_loadavg(const char *when)
{
    g_autofree char *s = NULL;
    double l1, l5, l15;

    if (g_file_get_contents("/proc/loadavg", &s, NULL, NULL) &&
        sscanf(s, "%lf %lf %lf", &l1, &l5, &l15) == 3) {
        printf("vsmmu-bench: load average %s: %.2f %.2f %.2f (%d CPUs)\n",
               when, l1, l5, l15, g_get_num_processors());
    }
}

static bool part(const char *name)
{
    g_auto(GStrv) v = opt_only ? g_strsplit(opt_only, ",", -1) : NULL;

    return !v || g_strv_contains((const char *const *)v, name);
}

static void print_pct_row(const char *label, const Pct *a, const Pct *b)
{
    printf("  %-24s %8.1f %8.1f %8.1f   %8.1f %8.1f %8.1f\n", label,
           a->p50, a->p99, a->p999, b->p50, b->p99, b->p999);
}

/* Everything one measurement (pinned or not) gives. */
typedef struct Results {
    Throughput tp[2];
    Lat lat[N_RATES][2];
    Phase idle, storm;
    bool ok;
} Results;

static void measure(Results *res)
{
    res->ok = true;
    for (int r = 0; r < 2 && part("throughput"); r++) {
        res->tp[r] = throughput(r);
        res->ok &= res->tp[r].ok;
    }
    for (size_t i = 0; i < N_RATES && part("latency"); i++) {
        for (int r = 0; r < 2; r++) {
            res->ok &= latency(r, latency_rates[i], &res->lat[i][r]);
        }
    }
    if (part("isolation")) {
        res->ok &= isolation(&res->idle, &res->storm);
    }
}

static void report_throughput(const Throughput *tp)
{
    char b0[64], b1[64];

    printf("1. throughput at saturation, %d events, host batches of %d\n",
           opt_events, opt_batch);
    printf("  %-40s %14s %14s %8s\n", "", reader_names[0], reader_names[1],
           "ratio");
    printf("  %-40s %14.0f %14.0f %7.1fx\n", "end to end (events/s)",
           tp[0].rate, tp[1].rate, tp[0].rate / tp[1].rate);
    printf("  %-40s %14.0f %14.0f\n", "host raised them at (events/s)",
           tp[0].produced, tp[1].produced);
    printf("  %-40s %14.1f %14.1f\n", "records per batch (reader)",
           tp[0].batch, tp[1].batch);
    printf("  machine: %s / %s\n", steal_str(&tp[0].steal, b0, sizeof(b0)),
           steal_str(&tp[1].steal, b1, sizeof(b1)));
}

static void report_latency(Lat lat[N_RATES][2])
{
    char b0[64], b1[64];

    printf("\n2. host-side latency (us), from the host raising the record"
           " to:\n");
    printf("  %-24s %26s   %26s\n", "", reader_names[0], reader_names[1]);
    printf("  %-24s %8s %8s %8s   %8s %8s %8s\n", "", "p50", "p99", "p99.9",
           "p50", "p99", "p99.9");
    for (size_t i = 0; i < N_RATES; i++) {
        printf("  at %d events/s (records per batch %.1f / %.1f; raised"
               " slowly %" PRId64 " / %" PRId64 ")\n", latency_rates[i],
               lat[i][0].batch, lat[i][1].batch, lat[i][0].slow,
               lat[i][1].slow);
        print_pct_row("  read by the reader", &lat[i][0].read,
                      &lat[i][1].read);
        print_pct_row("  interrupt sent", &lat[i][0].irq, &lat[i][1].irq);
        print_pct_row("  PROD published", &lat[i][0].prod, &lat[i][1].prod);
        printf("    machine: %s / %s\n",
               steal_str(&lat[i][0].steal, b0, sizeof(b0)),
               steal_str(&lat[i][1].steal, b1, sizeof(b1)));
    }
}

static void report_isolation(const Phase *idle, const Phase *storm)
{
    g_autofree char *rate = opt_storm_rate ?
        g_strdup_printf("%d events/s", opt_storm_rate) :
        g_strdup("saturation");
    char b0[64], b1[64];

    printf("\n3. isolation: two vSMMUs, own iothreads; quiet one at %d"
           " events/s, storm at %s (median of %d rounds)\n", opt_quiet_rate,
           rate, opt_rounds);
    printf("  %-40s %10s %10s %8s\n", "", "idle", "storm", "ratio");
    printf("  %-40s %10.1f %10.1f %7.2fx\n", "quiet p99 raise -> PROD (us)",
           idle->quiet_p99, storm->quiet_p99,
           storm->quiet_p99 / idle->quiet_p99);
    printf("  %-40s %10.1f %10.1f %7.2fx\n", "main loop qtest RTT p99 (us)",
           idle->rtt_p99, storm->rtt_p99, storm->rtt_p99 / idle->rtt_p99);
    printf("  %-40s %10.1f %10.1f\n", "main loop qtest RTT p50 (us)",
           idle->rtt_p50, storm->rtt_p50);
    printf("  %-40s %10s %10.0f\n", "storm: records handled (events/s)", "",
           storm->storm_rate);
    printf("  machine: idle %s; storm %s\n",
           steal_str(&idle->steal, b0, sizeof(b0)),
           steal_str(&storm->steal, b1, sizeof(b1)));
}

static void report(Results *res, const char *how)
{
    printf("\nvsmmu-bench: host record -> guest entry, embedded emulated"
           " host, %s\n\n", how);
    if (part("throughput")) {
        report_throughput(res->tp);
    }
    if (part("latency")) {
        report_latency(res->lat);
    }
    if (part("isolation")) {
        report_isolation(&res->idle, &res->storm);
    }
}

/* How pinned runs place threads, for the report. */
static char *pin_plan(void)
{
    int n = CPU_COUNT(&allowed);

    if (n < 2) {
        return g_strdup("one CPU: pinning changes nothing");
    }
    if (n < 3) {
        return g_strdup_printf("iothread(s) on CPU %d, the rest (main loop,"
                               " emulated host, this guest) elsewhere; with"
                               " two iothreads they share it",
                               cpu_from_end(0));
    }
    return g_strdup_printf("io0 on CPU %d, io1 on CPU %d, the rest (main"
                           " loop, emulated host, this guest) on the other"
                           " %d", cpu_from_end(0), cpu_from_end(1), n - 2);
}

int main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new(
        "- vsmmu's host-event path against upstream's strategy");
    g_autoptr(GError) gerr = NULL;
    static Results res[2];
    const char *pin = opt_pin;
    bool runs[2], ok = true;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr) ||
        opt_events <= 0 || opt_events > (1 << 19) || opt_batch <= 0 ||
        opt_batch > 65536 || opt_seconds <= 0 || opt_quiet_rate <= 0 ||
        opt_storm_rate < 0 || opt_rounds < 1 || opt_rounds > MAX_ROUNDS) {
        fprintf(stderr, "vsmmu-bench: %s\n", gerr ? gerr->message :
                "--events must be 1..524288, --batch 1..65536, --rounds"
                " 1..9, --seconds and --quiet-rate positive, --storm-rate"
                " not negative");
        return 2;
    }
    pin = opt_pin ? opt_pin : "off";
    if (strcmp(pin, "off") && strcmp(pin, "on") && strcmp(pin, "both")) {
        fprintf(stderr, "vsmmu-bench: --pin must be off, on or both\n");
        return 2;
    }
    runs[0] = strcmp(pin, "on") != 0;
    runs[1] = strcmp(pin, "off") != 0;
    if (!demo_set_daemon("vsmmu-bench", opt_daemon)) {
        return 2;
    }
    if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0) {
        CPU_ZERO(&allowed);
        CPU_SET(0, &allowed);
    }
    print_loadavg("at start");
    for (int p = 0; p < 2; p++) {
        if (runs[p]) {
            pinned = p;
            measure(&res[p]);
            ok &= res[p].ok;
            set_affinity(0, &allowed, "vsmmu-bench");
        }
    }
    for (int p = 0; p < 2; p++) {
        g_autofree char *plan = p ? pin_plan() : NULL;
        g_autofree char *how = g_strdup_printf("%s%s", p ? "pinned: " :
                                               "unpinned", p ? plan : "");

        if (runs[p]) {
            report(&res[p], how);
        }
    }
    printf("\n");
    print_loadavg("at end");
    printf("  %-40s %s\n", "every event accounted for", ok ? "yes" : "NO");
    return ok ? 0 : 1;
}
