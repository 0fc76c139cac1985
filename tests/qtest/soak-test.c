/*
 * make soak: the accel path under a long randomized load, on the
 * embedded emulated host (not part of make check; see
 * docs/devel/testing.rst, "Soak").
 *
 * /soak/conservation: bursts of host events (SOAK_EVENTS in all, default
 * 10,000,000) for two devices, and between them, at random, the guest
 * consuming part of its queue or none (guest-queue overflow), EVENTQEN
 * off and on, system_reset with a fresh bring-up, and device_del plus
 * device_add of one host device.  After every step every event the host
 * queued (or dropped at its full vEVENTQ) is in exactly one query-vsmmu
 * counter: delivered, host-lost, dropped (overflow, disabled, abort,
 * unowned) or discarded-at-disable.
 *
 * /soak/churn: SOAK_CYCLES (default 1000) device_del/device_add cycles
 * while a host thread raises events; the daemon's open fds, threads and
 * emulated-host objects are the same at the end as after a short warm-up,
 * and its RSS is printed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "vsmmu-query.h"
#include "hw/arm/smmuv3-common.h"
#include "libqos/smmuv3-driver.h"

#define SMMU_BASE   0x0c000000ull
#define RAM_BASE    0x40000000ull
#define RAM_SIZE    (128ull << 20)
#define PSID0       0x1234
#define PSID1       0x1240
#define VSID0       0x08
#define VSID1       0x10

#define CMDLINE \
    "-machine virt -m 128M " \
    "-object iommufd,id=iommufd0,x-emulated-host=on " \
    "-device arm-smmuv3,primary-bus=pcie.0,accel=on,id=smmu0 " \
    "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x1234,addr=1," \
    "id=hostdev0 " \
    "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x1240,addr=2," \
    "id=hostdev1"

typedef struct Soak {
    QTestState *qts;
    QOSBus bus;
    QSMMUv3 d;
    GRand *rnd;
    int64_t queued;             /* entered a vEVENTQ or dropped at its tail */
    int64_t host_only;
    uint64_t raised;
} Soak;

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = g_getenv(name);

    return v ? g_ascii_strtoull(v, NULL, 10) : dflt;
}

static void qmp_ok(QTestState *qts, const char *cmd)
{
    JsonObject *rsp = qtest_qmp(qts, "%s", cmd);

    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
}

/* A guest boot: the allocator starts over, the SMMU comes up. */
static void bringup(Soak *s)
{
    QSMMUv3Options opts = {
        .cmdq_log2size = 8,
        .evtq_log2size = 10,
        .sid_bits = 8,
    };

    qsmmuv3_init(&s->d, &s->bus, SMMU_BASE, RAM_BASE, RAM_SIZE);
    g_assert_true(qsmmuv3_bringup(&s->d, &opts));
    qsmmuv3_ste_s1(&s->d, VSID0, 1, qsmmuv3_alloc(&s->d, 4096, 4096));
    qsmmuv3_ste_s1(&s->d, VSID1, 2, qsmmuv3_alloc(&s->d, 4096, 4096));
    g_assert_true(qsmmuv3_cfgi_ste(&s->d, VSID0));
    g_assert_true(qsmmuv3_cfgi_ste(&s->d, VSID1));
}

static void burst(Soak *s, uint32_t psid, unsigned count)
{
    JsonObject *rsp = qtest_qmp(s->qts,
        "{'execute': 'x-vsmmu-inject-host-event', 'arguments': {"
        " 'iommufd': 'iommufd0', 'psid': %u, 'addr': 4096, 'count': %u,"
        " 'addr-step': 4}}", psid, count);
    JsonObject *r = json_node_get_object(qtest_qmp_assert_success(rsp));

    s->queued += json_object_get_int_member(r, "queued") +
                 json_object_get_int_member(r, "overflow");
    s->host_only += json_object_get_int_member(r, "host-only");
    s->raised += count;
    json_object_unref(rsp);
}

/* Wait (bounded) until query-vsmmu accounts for all that was queued. */
static void assert_conserved(Soak *s)
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    VSMMUQuery v;

    do {
        v = vsmmu_query(s->qts);
        if (vsmmu_query_accounted(&v) == s->queued) {
            return;
        }
    } while (g_get_monotonic_time() < deadline);
    g_test_message("queued %" PRId64 ": delivered %" PRId64 " lost %"
                   PRId64 " overflow %" PRId64 " disabled %" PRId64
                   " unowned %" PRId64 " discarded %" PRId64, s->queued,
                   v.delivered, v.host_lost, v.overflow, v.disabled,
                   v.unowned, v.discarded);
    g_assert_not_reached();
}

static void toggle_eventq(Soak *s)
{
    uint32_t cr0 = qsmmuv3_readl(&s->d, A_CR0);

    g_assert_true(qsmmuv3_write_reg_sync(&s->d, A_CR0, A_CR0ACK,
                                         cr0 & ~R_CR0_EVENTQEN_MASK));
    g_assert_true(qsmmuv3_write_reg_sync(&s->d, A_CR0, A_CR0ACK, cr0));
}

static void replug(Soak *s)
{
    qmp_ok(s->qts, "{'execute': 'device_del', 'arguments': {'id': 'hostdev1'}}");
    qmp_ok(s->qts, "{'execute': 'device_add', 'arguments': {'driver':"
           " 'vfio-pci', 'iommufd': 'iommufd0', 'x-emulated-psid': 4672,"
           " 'addr': '2', 'id': 'hostdev1'}}");
    g_assert_true(qsmmuv3_cfgi_ste(&s->d, VSID1));
}

/* One random thing a guest or a user does between bursts. */
static void random_step(Soak *s)
{
    QSMMUv3Event ev[256];

    switch (g_rand_int_range(s->rnd, 0, 10)) {
    case 0:
        toggle_eventq(s);
        break;
    case 1:
        qmp_ok(s->qts, "{'execute': 'system_reset'}");
        bringup(s);
        break;
    case 2:
        replug(s);
        break;
    case 3: case 4:
        break;                  /* the guest does not drain: overflow */
    default:
        for (int i = g_rand_int_range(s->rnd, 0, 40); i > 0; i--) {
            if (!qsmmuv3_evtq_consume(&s->d, ev, G_N_ELEMENTS(ev), NULL)) {
                break;
            }
        }
        break;
    }
}

static void test_conservation(void)
{
    uint64_t target = env_u64("SOAK_EVENTS", 10000000);
    Soak s = { .rnd = g_rand_new_with_seed(env_u64("SOAK_SEED", 1)) };
    gint64 t0 = g_get_monotonic_time();
    VSMMUQuery v;
    unsigned steps = 0;

    s.qts = qtest_init(CMDLINE);
    qtest_qos_bus_init(s.qts, &s.bus);
    bringup(&s);
    while (s.raised < target) {
        unsigned n = g_rand_int_range(s.rnd, 1, 4096);

        burst(&s, g_rand_boolean(s.rnd) ? PSID0 : PSID1,
              MIN(n, target - s.raised));
        random_step(&s);
        assert_conserved(&s);
        steps++;
    }
    v = vsmmu_query(s.qts);
    printf("# soak: %" PRIu64 " raised (%" PRId64 " queued, %" PRId64
           " host-only) in %u steps, %.1f s: delivered %" PRId64
           " host-lost %" PRId64 " overflow %" PRId64 " disabled %" PRId64
           " unowned %" PRId64 " discarded %" PRId64 "\n", s.raised,
           s.queued, s.host_only, steps,
           (g_get_monotonic_time() - t0) / 1e6, v.delivered, v.host_lost,
           v.overflow, v.disabled, v.unowned, v.discarded);
    g_assert_cmpint(s.queued + s.host_only, ==, (int64_t)s.raised);
    g_rand_free(s.rnd);
    qtest_quit(s.qts);
}

/* From /proc/PID/status: "Threads:" and "VmRSS:" (kB). */
static int64_t proc_status(pid_t pid, const char *key)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *text = NULL;
    const char *p;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    p = strstr(text, key);
    g_assert_nonnull(p);
    return g_ascii_strtoll(p + strlen(key), NULL, 10);
}

static int64_t proc_fds(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    int64_t n = 0;

    g_assert_nonnull(d);
    while (g_dir_read_name(d)) {
        n++;
    }
    return n;
}

static int64_t host_objects(QTestState *qts)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'x-query-emulated-host',"
                                " 'arguments': {'iommufd': 'iommufd0'}}");
    int64_t n = json_object_get_int_member(
        json_node_get_object(qtest_qmp_assert_success(rsp)), "objects");

    json_object_unref(rsp);
    return n;
}

static void test_churn(void)
{
    uint64_t cycles = env_u64("SOAK_CYCLES", 1000);
    Soak s = { 0 };
    int64_t fds, threads, rss, objs;
    pid_t pid;

    s.qts = qtest_init(CMDLINE);
    pid = qtest_pid(s.qts);
    qtest_qos_bus_init(s.qts, &s.bus);
    bringup(&s);
    qmp_ok(s.qts, "{'execute': 'x-vsmmu-host-event-rate', 'arguments': {"
           " 'iommufd': 'iommufd0', 'psids': [4660, 4672],"
           " 'count': 1000000000000, 'rate': 1000000, 'tag': 'churn'}}");
    for (int i = 0; i < 10; i++) {
        replug(&s);             /* warm-up: allocations reach steady state */
    }
    fds = proc_fds(pid);
    threads = proc_status(pid, "Threads:");
    rss = proc_status(pid, "VmRSS:");
    objs = host_objects(s.qts);
    for (uint64_t i = 0; i < cycles; i++) {
        replug(&s);
    }
    printf("# churn: %" PRIu64 " cycles: fds %" PRId64 " -> %" PRId64
           ", threads %" PRId64 " -> %" PRId64 ", RSS %" PRId64 " -> %"
           PRId64 " kB, host objects %" PRId64 " -> %" PRId64 "\n", cycles,
           fds, proc_fds(pid), threads, proc_status(pid, "Threads:"), rss,
           proc_status(pid, "VmRSS:"), objs, host_objects(s.qts));
    g_assert_cmpint(proc_fds(pid), ==, fds);
    g_assert_cmpint(proc_status(pid, "Threads:"), ==, threads);
    g_assert_cmpint(host_objects(s.qts), ==, objs);
    qtest_quit(s.qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/soak/conservation", test_conservation);
    g_test_add_func("/soak/churn", test_churn);
    return g_test_run();
}
