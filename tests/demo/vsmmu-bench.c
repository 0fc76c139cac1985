/*
 * vsmmu-bench: host record -> guest entry on the embedded emulated host,
 * vsmmu's reader (iothread, batched reads) against a model of upstream
 * QEMU's (the test bed's "upstream" reader in vsmmu-daemon-testbed,
 * tests/testbed/upstream-reader.c: main loop, one record per read, one
 * interrupt per event), in one run, side by side:
 *
 *  1. throughput at saturation: N events raised as fast as the host
 *     can, the guest queue large enough to hold them all;
 *  2. latency p50/p99 at a fixed rate, the guest draining its queue;
 *  3. qtest round-trip latency on the main loop, idle and during a
 *     storm of host events.
 *
 * Numbers are printed; nothing here asserts a timing.  Both readers must
 * account for every event, else the run fails.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "demo-guest.h"
#include "hw/arm/smmuv3-common.h"

static int opt_events = 300000;
static int opt_rate = 100000;
static int opt_storm_rate = 1000000;
static int opt_rtts = 3000;
static char *opt_daemon;

static GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_INT, &opt_events,
      "events for the throughput run (default 300000)", "N" },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &opt_rate,
      "events/s for the latency run (default 100000)", "R" },
    { "storm-rate", 0, 0, G_OPTION_ARG_INT, &opt_storm_rate,
      "events/s during the qtest round-trip run (default 1000000)", "R" },
    { "rtts", 0, 0, G_OPTION_ARG_INT, &opt_rtts,
      "qtest round trips per measurement (default 3000)", "N" },
    { "daemon", 0, 0, G_OPTION_ARG_FILENAME, &opt_daemon,
      "the vsmmu-daemon to run (default $VSMMU_DAEMON, else "
      VSMMU_DEMO_DAEMON ")", "PATH" },
    { NULL }
};

typedef struct Result {
    double throughput;          /* events/s */
    double produced;            /* events/s the host raised them at */
    double lat_p50, lat_p99;    /* us */
    double rtt_idle_p50, rtt_idle_p99, rtt_storm_p50, rtt_storm_p99;
    bool ok;
} Result;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void percentiles(GArray *v, double *p50, double *p99)
{
    double *d = (double *)v->data;

    qsort(d, v->len, sizeof(double), cmp_double);
    *p50 = v->len ? d[v->len / 2] : 0;
    *p99 = v->len ? d[MIN(v->len - 1, v->len * 99 / 100)] : 0;
}

static bool start(DemoGuest *g, bool upstream, unsigned log2size)
{
    g_autofree char *cmd = demo_cmdline(NULL);

    return demo_guest_start_reader(g, cmd, log2size,
                                   upstream ? "upstream" : NULL);
}

/* Wait until count events are accounted for; false on timeout. */
static bool wait_accounted(DemoGuest *g, int64_t count, bool drain,
                           void (*fn)(const uint32_t w[8], void *),
                           void *opaque)
{
    gint64 deadline = g_get_monotonic_time() + 300 * G_USEC_PER_SEC;
    VSMMUQuery c;

    do {
        if (drain) {
            demo_guest_drain(g, fn, opaque);
        }
        c = vsmmu_query(g->qts);
        if (vsmmu_query_accounted(&c) == count &&
            (!drain || g->consumed == c.delivered)) {
            return true;
        }
    } while (g_get_monotonic_time() < deadline);
    fprintf(stderr, "vsmmu-bench: %" PRId64 " of %" PRId64 " events"
            " accounted for\n", vsmmu_query_accounted(&c), count);
    return false;
}

static void record_latency(const uint32_t w[8], void *opaque)
{
    GArray *lat = opaque;
    uint64_t ts = (uint64_t)w[SMMU_EVT_ADDR2_WORD + 1] << 32 |
                  w[SMMU_EVT_ADDR2_WORD];  /* the generator's timestamp */
    double us = g_get_monotonic_time() - (double)ts / 1000;

    g_array_append_val(lat, us);
}

static void rtts(DemoGuest *g, double *p50, double *p99)
{
    GArray *v = g_array_new(FALSE, FALSE, sizeof(double));

    /* Warm up the path (caches, CPU frequency) before measuring. */
    for (int i = 0; i < opt_rtts / 2; i++) {
        qtest_readl(g->qts, DEMO_SMMU_BASE);
    }
    for (int i = 0; i < opt_rtts; i++) {
        gint64 t = g_get_monotonic_time();
        double us;

        qtest_readl(g->qts, DEMO_SMMU_BASE);    /* IDR0 */
        us = g_get_monotonic_time() - t;
        g_array_append_val(v, us);
    }
    percentiles(v, p50, p99);
    g_array_free(v, TRUE);
}

static Result run(bool upstream)
{
    Result r = { .ok = true };
    DemoGuest g;
    VSMMUQuery c;
    gint64 t0;

    /* 1. Saturation: 2^19 entries hold every event; nothing consumes. */
    r.ok &= start(&g, upstream, 19);
    t0 = g_get_monotonic_time();
    demo_start_events(g.qts, opt_events, 0, false);
    r.ok &= wait_accounted(&g, opt_events, false, NULL, NULL);
    r.throughput = opt_events / ((g_get_monotonic_time() - t0) / 1e6);
    {
        JsonObject *ev = qtest_qmp_eventwait_ref(g.qts,
                                                 "X_VSMMU_HOST_EVENTS_DONE");
        JsonObject *data = json_object_get_object_member(ev, "data");

        r.produced = opt_events /
                     (json_object_get_int_member(data, "usecs") / 1e6);
        json_object_unref(ev);
    }
    c = vsmmu_query(g.qts);
    if (c.delivered != opt_events) {
        fprintf(stderr, "vsmmu-bench: %s reader delivered %" PRId64 " of %d"
                " (lost %" PRId64 ")\n", upstream ? "upstream-model" :
                "vsmmu", c.delivered, opt_events, c.host_lost);
        r.ok = false;
    }
    demo_guest_stop(&g);

    /* 2. Latency at a fixed rate, the guest draining. */
    {
        GArray *lat = g_array_new(FALSE, FALSE, sizeof(double));
        int64_t n = MAX(opt_rate, 1000);

        r.ok &= start(&g, upstream, 15);
        demo_start_events(g.qts, n, opt_rate, true);
        r.ok &= wait_accounted(&g, n, true, record_latency, lat);
        percentiles(lat, &r.lat_p50, &r.lat_p99);
        g_array_free(lat, TRUE);
        demo_guest_stop(&g);
    }

    /* 3. qtest round trips, idle and during a storm. */
    r.ok &= start(&g, upstream, 19);
    rtts(&g, &r.rtt_idle_p50, &r.rtt_idle_p99);
    demo_start_events(g.qts, (int64_t)opt_storm_rate * 30, opt_storm_rate,
                      false);
    rtts(&g, &r.rtt_storm_p50, &r.rtt_storm_p99);
    demo_guest_stop(&g);
    return r;
}

int main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new(
        "- vsmmu's host-event path against upstream's strategy");
    g_autoptr(GError) gerr = NULL;
    Result ours, up;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr) ||
        opt_events <= 0 || opt_rate <= 0 || opt_storm_rate <= 0 ||
        opt_rtts <= 0) {
        fprintf(stderr, "vsmmu-bench: %s\n", gerr ? gerr->message :
                "counts and rates must be positive");
        return 2;
    }
    if (!demo_set_daemon("vsmmu-bench", opt_daemon)) {
        return 2;
    }
    ours = run(false);
    up = run(true);

    printf("\nvsmmu-bench: host record -> guest entry, embedded emulated"
           " host, %d events\n", opt_events);
    printf("  %-40s %14s %14s %8s\n", "", "vsmmu", "upstream-model",
           "ratio");
    printf("  %-40s %14.0f %14.0f %7.1fx\n", "throughput (events/s)",
           ours.throughput, up.throughput, ours.throughput / up.throughput);
    g_autofree char *lat_label = g_strdup_printf("latency p50 at %d/s (us)",
                                                 opt_rate);
    g_autofree char *storm_label = g_strdup_printf(
        "qtest RTT p99, storm %d/s (us)", opt_storm_rate);

    printf("  %-40s %14.0f %14.0f\n", "  host raised them at (events/s)",
           ours.produced, up.produced);
    printf("  %-40s %14.1f %14.1f %7.2fx\n", lat_label,
           ours.lat_p50, up.lat_p50, up.lat_p50 / ours.lat_p50);
    printf("  %-40s %14.1f %14.1f %7.2fx\n", "latency p99 (us)",
           ours.lat_p99, up.lat_p99, up.lat_p99 / ours.lat_p99);
    printf("  %-40s %14.1f %14.1f\n", "qtest RTT p99 idle (us)",
           ours.rtt_idle_p99, up.rtt_idle_p99);
    printf("  %-40s %14.1f %14.1f\n", storm_label,
           ours.rtt_storm_p99, up.rtt_storm_p99);
    printf("  %-40s %13.2fx %13.2fx\n", "storm / idle RTT p99",
           ours.rtt_storm_p99 / ours.rtt_idle_p99,
           up.rtt_storm_p99 / up.rtt_idle_p99);
    printf("  %-40s %14s %14s\n", "every event accounted for",
           ours.ok ? "yes" : "NO", up.ok ? "yes" : "NO");
    return ours.ok && up.ok ? 0 : 1;
}
