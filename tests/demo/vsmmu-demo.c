/*
 * vsmmu-demo: host IOMMU faults reaching a guest's SMMUv3 event queue.
 *
 * Starts vsmmu-daemon with an accelerated vSMMU (by default on the
 * embedded emulated host, with two emulated passthrough devices), brings
 * the vSMMU up as Linux's arm-smmu-v3 driver does over qtest, has the
 * host raise a stream of stage-1 faults for both devices, and reads them
 * from the guest event queue: it prints the first few as Linux would log
 * them and ends with a summary (delivered, lost, overflows, events/s,
 * latency p50/p99).  With --daemon-args and --no-inject it drives a
 * daemon on real hardware instead, where the faults come from devices.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3-driver.h"
#include "smmuv3-internal.h"

#define SMMU_BASE   0x0c000000ull
#define RAM_BASE    0x40000000ull
#define RAM_SIZE    (256ull << 20)

static const struct {
    uint32_t psid, vsid;
    const char *bdf;
} devs[] = {
    { 0x1234, 0x08, "0000:00:01.0" },
    { 0x1240, 0x10, "0000:00:02.0" },
};

static int opt_events = 200000;
static int opt_rate;
static int opt_log2size = 15;
static int opt_show = 8;
static int opt_duration = 5;
static gboolean opt_no_inject;
static char *opt_daemon_args;

static GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_INT, &opt_events,
      "host events to raise (default 200000)", "N" },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &opt_rate,
      "events per second, 0 for as fast as the host can (default)", "R" },
    { "log2size", 'q', 0, G_OPTION_ARG_INT, &opt_log2size,
      "guest event queue size, log2 (default 15)", "L" },
    { "show", 's', 0, G_OPTION_ARG_INT, &opt_show,
      "events to print in full (default 8)", "K" },
    { "daemon-args", 0, 0, G_OPTION_ARG_STRING, &opt_daemon_args,
      "vsmmu-daemon options instead of the emulated-host setup", "ARGS" },
    { "no-inject", 0, 0, G_OPTION_ARG_NONE, &opt_no_inject,
      "do not raise events; read what the hardware reports", NULL },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &opt_duration,
      "with --no-inject: seconds to read (default 5)", "S" },
    { NULL }
};

typedef struct Counters {
    int64_t delivered, host_lost, overflow, disabled, abort, unowned;
} Counters;

static Counters query(QTestState *qts)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'query-vsmmu'}");
    JsonArray *arr = json_node_get_array(qtest_qmp_assert_success(rsp));
    JsonObject *c = json_object_get_object_member(
        json_array_get_object_element(arr, 0), "counters");
    Counters v = {
        .delivered = json_object_get_int_member(c, "delivered"),
        .host_lost = json_object_get_int_member(c, "host-lost"),
        .overflow = json_object_get_int_member(c, "guest-overflow-dropped"),
        .disabled = json_object_get_int_member(c, "guest-disabled-dropped"),
        .abort = json_object_get_int_member(c, "guest-abort"),
        .unowned = json_object_get_int_member(c, "dropped-unowned"),
    };

    json_object_unref(rsp);
    return v;
}

static const char *bdf_of(uint32_t vsid)
{
    for (size_t i = 0; i < G_N_ELEMENTS(devs); i++) {
        if (devs[i].vsid == vsid) {
            return devs[i].bdf;
        }
    }
    return "unknown";
}

static const char *type_name(unsigned t)
{
    switch (t) {
    case 0x04: return "C_BAD_STE";
    case 0x06: return "F_STREAM_DISABLED";
    case 0x08: return "C_BAD_SUBSTREAMID";
    case 0x0a: return "C_BAD_CD";
    case 0x10: return "F_TRANSLATION";
    case 0x11: return "F_ADDR_SIZE";
    case 0x12: return "F_ACCESS";
    case 0x13: return "F_PERMISSION";
    default: return "UNKNOWN";
    }
}

/* One entry as Linux's driver reports a stage-1 fault. */
static void print_event(const uint32_t w[8], double t)
{
    unsigned type = w[0] & 0xff;
    uint32_t ssid = w[0] >> 12;
    uint64_t iova = w[4] | (uint64_t)w[5] << 32;
    uint64_t ipa = w[6] | (uint64_t)w[7] << 32;

    printf("[%12.6f] arm-smmu-v3 smmu0: event: %s client: %s sid: 0x%x"
           " ssid: 0x%x iova: 0x%" PRIx64 " ipa: 0x%" PRIx64 "\n",
           t, type_name(type), bdf_of(w[1]), w[1], ssid, iova, ipa);
    printf("[%12.6f] arm-smmu-v3 smmu0: %s %s %s stag: 0x%x\n", t,
           (w[3] >> 1) & 1 ? "priv" : "unpriv",
           (w[3] >> 2) & 1 ? "inst" : "data",
           (w[3] >> 3) & 1 ? "read s1" : "write s1", w[2] & 0xffff);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new(
        "- host SMMU faults delivered to a guest event queue");
    g_autoptr(GError) gerr = NULL;
    g_autofree char *cmdline = NULL;
    QTestState *qts;
    QOSBus bus;
    QSMMUv3 d;
    QSMMUv3Options opts = { .cmdq_log2size = 8, .sid_bits = 16 };
    GArray *lat = g_array_new(FALSE, FALSE, sizeof(double));
    uint32_t *ring;
    unsigned log2;
    uint32_t cons = 0, entries_n;
    int64_t consumed = 0, overflows = 0, shown = 0;
    gint64 t0, t_end, deadline;
    Counters c = { 0 };
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
    log2 = opt_log2size;
    entries_n = 1u << log2;
    cmdline = opt_daemon_args ? g_strdup(opt_daemon_args) : g_strdup_printf(
        "-machine virt -m %llu "
        "-object iommufd,id=iommufd0,x-emulated-host=on "
        "-object iothread,id=io0 "
        "-device arm-smmuv3,primary-bus=pcie.0,accel=on,iothread=io0,"
        "id=smmu0 "
        "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x%x,addr=1,"
        "id=hostdev0 "
        "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x%x,addr=2,"
        "id=hostdev1", RAM_SIZE >> 20, devs[0].psid, devs[1].psid);

    printf("vsmmu-demo: starting vsmmu-daemon %s\n", cmdline);
    qts = qtest_init(cmdline);
    qtest_qos_bus_init(qts, &bus);
    qsmmuv3_init(&d, &bus, SMMU_BASE, RAM_BASE, RAM_SIZE);
    opts.evtq_log2size = log2;
    if (!qsmmuv3_bringup(&d, &opts)) {
        fprintf(stderr, "vsmmu-demo: SMMU bring-up failed\n");
        return 1;
    }
    /* Stage-1 translation with empty tables: every DMA faults. */
    for (size_t i = 0; i < G_N_ELEMENTS(devs); i++) {
        qsmmuv3_ste_s1(&d, devs[i].vsid, i + 1,
                       qsmmuv3_alloc(&d, 4096, 4096));
        if (!qsmmuv3_cfgi_ste(&d, devs[i].vsid)) {
            fprintf(stderr, "vsmmu-demo: CFGI_STE failed\n");
            return 1;
        }
    }
    printf("vsmmu-demo: vSMMU up: event queue %u entries, vSIDs 0x%x and"
           " 0x%x with stage-1 translation\n", entries_n, devs[0].vsid,
           devs[1].vsid);

    ring = g_new(uint32_t, entries_n * 8);
    t0 = g_get_monotonic_time();
    if (!opt_no_inject) {
        JsonObject *rsp = qtest_qmp(qts,
            "{'execute': 'x-vsmmu-host-event-rate', 'arguments': {"
            " 'iommufd': 'iommufd0', 'psids': [%u, %u], 'count': %d,"
            " 'rate': %d, 'addr': 2097152, 'timestamp': true,"
            " 'tag': 'demo'}}", devs[0].psid, devs[1].psid, opt_events,
            opt_rate);

        qtest_qmp_assert_success(rsp);
        json_object_unref(rsp);
        printf("vsmmu-demo: host raising %d stage-1 faults", opt_events);
        if (opt_rate) {
            printf(" at %d/s", opt_rate);
        }
        printf("\n");
    }
    deadline = t0 + (opt_no_inject ? opt_duration : 120) * G_USEC_PER_SEC;

    while (!done) {
        uint32_t prod = qtest_readl(qts, SMMU_BASE + SMMU_PAGE1_OFFSET +
                                    A_EVENTQ_PROD);
        uint32_t avail = ((prod & ((2u << log2) - 1)) -
                          (cons & ((2u << log2) - 1))) & ((2u << log2) - 1);
        bool ovf = FIELD_EX32(prod, EVENTQ_PROD, OVFLG) !=
                   FIELD_EX32(cons, EVENTQ_CONS, OVACKFLG);
        gint64 now;

        while (avail) {
            uint32_t idx = smmu_q_index(cons, log2);
            uint32_t chunk = MIN(avail, entries_n - idx);

            qtest_memread(qts, d.evtq + (uint64_t)idx * SMMU_EVENT_SIZE,
                          ring, chunk * SMMU_EVENT_SIZE);
            now = g_get_monotonic_time();
            for (uint32_t i = 0; i < chunk; i++) {
                uint32_t w[8];
                uint64_t ts;

                for (int k = 0; k < 8; k++) {
                    w[k] = GUINT32_FROM_LE(ring[i * 8 + k]);
                }
                ts = w[6] | (uint64_t)w[7] << 32;
                if (!opt_no_inject && ts) {
                    double us = now - (double)ts / 1000;

                    g_array_append_val(lat, us);
                }
                if (shown < opt_show) {
                    print_event(w, (now - t0) / 1e6);
                    shown++;
                }
                cons = smmu_q_incr(cons, log2);
            }
            consumed += chunk;
            avail -= chunk;
        }
        if (ovf) {
            overflows++;
            cons = FIELD_DP32(cons, EVENTQ_CONS, OVACKFLG,
                              FIELD_EX32(prod, EVENTQ_PROD, OVFLG));
            printf("[%12.6f] arm-smmu-v3 smmu0: EVTQ overflow detected --"
                   " events lost\n", (g_get_monotonic_time() - t0) / 1e6);
        }
        qtest_writel(qts, SMMU_BASE + SMMU_PAGE1_OFFSET + A_EVENTQ_CONS,
                     cons);
        now = g_get_monotonic_time();
        if (opt_no_inject) {
            done = now >= deadline;
            continue;
        }
        c = query(qts);
        done = c.delivered + c.host_lost + c.overflow + c.disabled +
               c.abort + c.unowned == opt_events &&
               consumed == c.delivered;
        if (!done && now >= deadline) {
            fprintf(stderr, "vsmmu-demo: timed out with %" PRId64 " of %d"
                    " events accounted for\n", c.delivered + c.host_lost +
                    c.overflow + c.unowned, opt_events);
            break;
        }
    }
    t_end = g_get_monotonic_time();
    if (opt_no_inject) {
        c = query(qts);
    }

    ok = opt_no_inject || (done && c.delivered + c.host_lost + c.overflow +
                           c.disabled + c.abort + c.unowned == opt_events);
    printf("\nvsmmu-demo summary (%s)\n", opt_daemon_args ?
           "daemon as given" : "embedded emulated host, 2 devices");
    printf("  %-34s %12d\n", "raised by the host SMMU",
           opt_no_inject ? -1 : opt_events);
    printf("  %-34s %12" PRId64 "\n", "delivered to the guest queue",
           c.delivered);
    printf("  %-34s %12" PRId64 "\n", "read by the guest driver", consumed);
    printf("  %-34s %12" PRId64 "\n", "lost in the host vEVENTQ",
           c.host_lost);
    printf("  %-34s %12" PRId64 "\n", "dropped, guest queue full",
           c.overflow);
    printf("  %-34s %12" PRId64 "\n", "dropped, vSID not ours", c.unowned);
    printf("  %-34s %12" PRId64 "\n", "overflows seen by the guest",
           overflows);
    printf("  %-34s %12.0f\n", "events/s (guest view)",
           consumed / ((t_end - t0) / 1e6));
    if (lat->len) {
        double *v = (double *)lat->data;

        qsort(v, lat->len, sizeof(double), cmp_double);
        printf("  %-34s %12.1f\n", "latency p50 (us, host to guest read)",
               v[lat->len / 2]);
        printf("  %-34s %12.1f\n", "latency p99 (us)",
               v[MIN(lat->len - 1, lat->len * 99 / 100)]);
    }
    if (!opt_no_inject) {
        printf("  %-34s %12s\n", "raised = delivered+lost+dropped",
               ok ? "yes" : "NO");
    }
    g_array_free(lat, TRUE);
    g_free(ring);
    qtest_quit(qts);
    return ok ? 0 : 1;
}
