/*
 * vsmmu-demo: host IOMMU faults reaching a guest's SMMUv3 event queue.
 *
 * Starts vsmmu-daemon with an accelerated vSMMU (by default on the
 * embedded emulated host, with two emulated passthrough devices), brings
 * the vSMMU up as Linux's arm-smmu-v3 driver does over qtest, has the
 * host raise a stream of stage-1 faults for both devices, and reads them
 * from the guest event queue: it prints the first few as Linux would log
 * them, with the fields the host SMMU reported, and ends with a summary
 * (delivered, lost, overflows, events/s; latency is measured inside the
 * daemon by "make bench", docs/devel/performance.rst).  With --daemon-args and --no-inject it drives a
 * daemon on real hardware instead, where the faults come from devices.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "demo-guest.h"
#include "hw/arm/smmuv3-common.h"

static int opt_events = 200000;
static int opt_rate;
static int opt_log2size = 15;
static int opt_show = 8;
static int opt_duration = 5;
static gboolean opt_no_inject;
static char *opt_daemon_args;
static char *opt_daemon;

static GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_INT, &opt_events,
      "host events to raise (default 200000)", "N" },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &opt_rate,
      "events per second, 0 for as fast as the host can (default)", "R" },
    { "log2size", 'q', 0, G_OPTION_ARG_INT, &opt_log2size,
      "guest event queue size, log2 (default 15)", "L" },
    { "show", 's', 0, G_OPTION_ARG_INT, &opt_show,
      "events to print in full (default 8)", "K" },
    { "daemon", 0, 0, G_OPTION_ARG_FILENAME, &opt_daemon,
      "the vsmmu-daemon to run (default $VSMMU_DAEMON, else "
      VSMMU_DEMO_DAEMON ")", "PATH" },
    { "daemon-args", 0, 0, G_OPTION_ARG_STRING, &opt_daemon_args,
      "vsmmu-daemon options instead of the emulated-host setup", "ARGS" },
    { "no-inject", 0, 0, G_OPTION_ARG_NONE, &opt_no_inject,
      "do not raise events; read what the hardware reports", NULL },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &opt_duration,
      "with --no-inject: seconds to read (default 5)", "S" },
    { NULL }
};

static const char *bdf_of(uint32_t vsid)
{
    for (size_t i = 0; i < DEMO_NDEVS; i++) {
        if (demo_devs[i].vsid == vsid) {
            return demo_devs[i].bdf;
        }
    }
    return "unknown";
}

/* One entry as Linux's driver reports a stage-1 fault. */
static void print_event(const uint32_t w[8], double t)
{
    SMMUEventInfo e;
    SMMUEvent evt;

    memcpy(evt.word, w, sizeof(evt.word));
    smmu_event_parse(&evt, &e);
    printf("[%12.6f] arm-smmu-v3 smmu0: event: %s client: %s sid: 0x%x"
           " ssid: 0x%x iova: 0x%" PRIx64, t, smmu_event_type_name(e.type),
           bdf_of(e.sid), e.sid, e.ssid, e.input_addr);
    if (e.s2) {
        /* The IPA field is meaningful for stage-2 faults only. */
        printf(" ipa: 0x%" PRIx64, e.addr2);
    }
    printf("\n");
    printf("[%12.6f] arm-smmu-v3 smmu0: %s %s %s stag: 0x%x\n", t,
           e.pnu ? "priv" : "unpriv", e.ind ? "inst" : "data",
           e.rnw ? "read s1" : "write s1", e.stag);
}

typedef struct Consumer {
    gint64 t0;
    int64_t shown;
} Consumer;

static void consume(const uint32_t w[8], void *opaque)
{
    Consumer *c = opaque;
    gint64 now = g_get_monotonic_time();

    if (c->shown < opt_show) {
        print_event(w, (now - c->t0) / 1e6);
        c->shown++;
    }
}

int main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new(
        "- host SMMU faults delivered to a guest event queue");
    g_autoptr(GError) gerr = NULL;
    g_autofree char *cmdline = NULL;
    const char *daemon;
    Consumer con = { 0 };
    DemoGuest g;
    VSMMUQuery c = { 0 };
    gint64 t_end, deadline;
    int64_t overflows_seen = 0;
    bool done = false, ok;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
        fprintf(stderr, "vsmmu-demo: %s\n", gerr->message);
        return 2;
    }
    if (opt_log2size < 1 || opt_log2size > 19 || opt_events < 0 ||
        opt_rate < 0) {
        fprintf(stderr, "vsmmu-demo: --log2size must be 1..19, --events"
                " and --rate >= 0\n");
        return 2;
    }
    cmdline = opt_daemon_args ? g_strdup(opt_daemon_args) :
              demo_cmdline(NULL);
    daemon = demo_set_daemon("vsmmu-demo", opt_daemon);
    if (!daemon) {
        return 2;
    }
    printf("vsmmu-demo: starting %s %s\n", daemon, cmdline);
    if (!demo_guest_start(&g, cmdline, opt_log2size)) {
        fprintf(stderr, "vsmmu-demo: SMMU bring-up failed\n");
        return 1;
    }
    printf("vsmmu-demo: vSMMU up: event queue %u entries, vSIDs 0x%x and"
           " 0x%x with stage-1 translation\n", 1u << opt_log2size,
           demo_devs[0].vsid, demo_devs[1].vsid);

    con.t0 = g_get_monotonic_time();
    if (!opt_no_inject) {
        demo_start_events(g.qts, opt_events, opt_rate);
        printf("vsmmu-demo: host raising %d stage-1 faults", opt_events);
        if (opt_rate) {
            printf(" at %d/s", opt_rate);
        }
        printf("\n");
    }
    deadline = con.t0 + (opt_no_inject ? opt_duration : 120) *
               G_USEC_PER_SEC;
    while (!done) {
        gint64 now;

        demo_guest_drain(&g, consume, &con);
        if (g.overflows != overflows_seen) {
            overflows_seen = g.overflows;
            printf("[%12.6f] arm-smmu-v3 smmu0: EVTQ overflow detected --"
                   " events lost\n", (g_get_monotonic_time() - con.t0) / 1e6);
        }
        now = g_get_monotonic_time();
        if (opt_no_inject) {
            done = now >= deadline;
            continue;
        }
        c = vsmmu_query(g.qts);
        done = vsmmu_query_accounted(&c) == opt_events && g.consumed == c.delivered;
        if (!done && now >= deadline) {
            fprintf(stderr, "vsmmu-demo: timed out with %" PRId64 " of %d"
                    " events accounted for\n", vsmmu_query_accounted(&c),
                    opt_events);
            break;
        }
    }
    t_end = g_get_monotonic_time();
    if (opt_no_inject) {
        c = vsmmu_query(g.qts);
    }

    ok = opt_no_inject || (done && vsmmu_query_accounted(&c) == opt_events);
    printf("\nvsmmu-demo summary (%s)\n", opt_daemon_args ?
           "daemon as given" : "embedded emulated host, 2 devices");
    if (!opt_no_inject) {
        printf("  %-34s %12d\n", "raised by the host SMMU", opt_events);
    }
    printf("  %-34s %12" PRId64 "\n", "delivered to the guest queue",
           c.delivered);
    printf("  %-34s %12" PRId64 "\n", "read by the guest driver",
           g.consumed);
    printf("  %-34s %12" PRId64 "\n", "lost in the host vEVENTQ",
           c.host_lost);
    printf("  %-34s %12" PRId64 "\n", "dropped, guest queue full",
           c.overflow);
    printf("  %-34s %12" PRId64 "\n", "dropped, vSID not ours", c.unowned);
    printf("  %-34s %12" PRId64 "\n", "overflows seen by the guest",
           g.overflows);
    printf("  %-34s %12.0f\n", "events/s (guest view)",
           g.consumed / ((t_end - con.t0) / 1e6));
    if (!opt_no_inject) {
        printf("  %-34s %12s\n", "raised = delivered+lost+dropped",
               ok ? "yes" : "NO");
    }
    demo_guest_stop(&g);
    return ok ? 0 : 1;
}
