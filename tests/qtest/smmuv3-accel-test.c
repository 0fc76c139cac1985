/*
 * arm-smmuv3,accel=on end to end, on the embedded emulated host: a
 * Linux-like guest driver (libqos) programs the vSMMU over qtest, host
 * events are injected over QMP, and the guest event queue is checked
 * byte for byte, with the counters of query-vsmmu.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "vsmmu-query.h"
#include "libqos/smmuv3-driver.h"
#include "hw/arm/smmuv3-accel.h"

#define SMMU_BASE   0x0c000000ull
#define RAM_BASE    0x40000000ull
#define RAM_SIZE    (128ull << 20)
#define PSID0       0x1234
#define PSID1       0x1240
#define VSID0       0x08        /* pcie.0, addr 1 */
#define VSID1       0x10        /* pcie.0, addr 2 */

#define CMDLINE \
    "-machine virt -m 128M " \
    "-object iommufd,id=iommufd0,x-emulated-host=on " \
    "-object iothread,id=io0 " \
    "-device arm-smmuv3,primary-bus=pcie.0,accel=on,iothread=io0,id=smmu0 " \
    "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x1234,addr=1," \
    "id=hostdev0 " \
    "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x1240,addr=2," \
    "id=hostdev1"

typedef VSMMUQuery VSMMU;

typedef struct Fixture {
    QTestState *qts;
    QOSBus bus;
    QSMMUv3 d;
} Fixture;

static int64_t member(JsonObject *o, const char *name)
{
    return json_object_has_member(o, name) ?
           json_object_get_int_member(o, name) : -1;
}

static VSMMU query(QTestState *qts)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'query-vsmmu'}");
    JsonArray *arr = json_node_get_array(qtest_qmp_assert_success(rsp));
    JsonObject *o;
    VSMMU v;

    g_assert_cmpuint(json_array_get_length(arr), ==, 1);
    o = json_array_get_object_element(arr, 0);
    /* The emulated host is named wherever a vIOMMU exists. */
    if (member(o, "viommu-id") > 0) {
        g_assert_cmpstr(json_object_get_string_member(o, "kernel"), ==,
                        "emulated");
    }
    g_assert_cmpstr(json_object_get_string_member(o, "iothread"), ==, "io0");
    vsmmu_query_parse(o, &v);
    json_object_unref(rsp);
    return v;
}

/* Host events: the emulated host SMMU raises count events for psid. */
static void inject(QTestState *qts, uint32_t psid, uint64_t addr, bool rnw,
                   bool s2, unsigned count)
{
    JsonObject *rsp = qtest_qmp(qts,
        "{'execute': 'x-vsmmu-inject-host-event', 'arguments': {"
        " 'iommufd': 'iommufd0', 'psid': %u, 'addr': %" PRIu64 ","
        " 'rnw': %s, 's2': %s, 'count': %u}}",
        psid, addr, rnw ? "true" : "false", s2 ? "true" : "false", count);

    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
}

/* Wait (bounded) until all n produced events are accounted for. */
static VSMMU settle(QTestState *qts, int64_t produced)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    VSMMU v;

    do {
        v = query(qts);
        if (vsmmu_query_accounted(&v) == produced) {
            return v;
        }
    } while (g_get_monotonic_time() < deadline);
    g_test_message("delivered %" PRId64 " lost %" PRId64 " overflow %"
                   PRId64 " of %" PRId64, v.delivered, v.host_lost,
                   v.overflow, produced);
    g_assert_not_reached();
}

static void setup(Fixture *f, unsigned evtq_log2size)
{
    QSMMUv3Options opts = {
        .cmdq_log2size = 8,
        .evtq_log2size = evtq_log2size,
        .sid_bits = 16,
    };

    f->qts = qtest_init(CMDLINE);
    qtest_qos_bus_init(f->qts, &f->bus);
    qsmmuv3_init(&f->d, &f->bus, SMMU_BASE, RAM_BASE, RAM_SIZE);
    g_assert_true(qsmmuv3_bringup(&f->d, &opts));
    /* Both devices: stage-1 translate with an empty table. */
    qsmmuv3_ste_s1(&f->d, VSID0, 1, qsmmuv3_alloc(&f->d, 4096, 4096));
    qsmmuv3_ste_s1(&f->d, VSID1, 2, qsmmuv3_alloc(&f->d, 4096, 4096));
    g_assert_true(qsmmuv3_cfgi_ste(&f->d, VSID0));
    g_assert_true(qsmmuv3_cfgi_ste(&f->d, VSID1));
}

static void teardown(Fixture *f)
{
    qtest_quit(f->qts);
}

static void test_lifecycle(void)
{
    Fixture f;
    VSMMU v;
    int64_t first;

    f.qts = qtest_init(CMDLINE);
    /*
     * "auto" properties follow the (emulated) host SMMU: 20-bit
     * SubstreamIDs, 48-bit OAS, RIL, no ATS.
     */
    g_assert_cmpuint((qtest_readl(f.qts, SMMU_BASE + 0x4) >> 6) & 0x1f, ==,
                     20);
    g_assert_cmpuint(qtest_readl(f.qts, SMMU_BASE + 0x14) & 0x7, ==, 5);
    g_assert_cmpuint((qtest_readl(f.qts, SMMU_BASE + 0xc) >> 10) & 1, ==, 1);
    g_assert_cmpuint((qtest_readl(f.qts, SMMU_BASE) >> 10) & 1, ==, 0);
    /* Cold-plugged devices brought the vIOMMU; no queue until EVENTQEN. */
    v = query(f.qts);
    g_assert_cmpint(v.viommu_id, >, 0);
    g_assert_cmpint(v.veventq_id, ==, 0);
    g_assert_cmpint(v.ndevices, ==, 2);
    qtest_quit(f.qts);

    setup(&f, 7);
    v = query(f.qts);
    g_assert_cmpint(v.veventq_id, >, 0);
    g_assert_cmpint(v.veventq_depth, ==, 1 << 7);
    first = v.veventq_id;

    /* EVENTQEN off frees it; on again (resized) makes a new one. */
    g_assert_true(qsmmuv3_disable(&f.d));
    g_assert_cmpint(query(f.qts).veventq_id, ==, 0);
    {
        QSMMUv3Options opts = f.d.opts;

        opts.evtq_log2size = 5;
        g_assert_true(qsmmuv3_bringup(&f.d, &opts));
    }
    v = query(f.qts);
    g_assert_cmpint(v.veventq_id, >, 0);
    /* A new queue, with the freed id: hosts hand out the lowest free. */
    g_assert_cmpint(v.veventq_id, ==, first);
    g_assert_cmpint(v.veventq_depth, ==, 1 << 5);

    /* Reset frees the queue; the vIOMMU stays with its devices. */
    json_object_unref(qtest_qmp(f.qts, "{'execute': 'system_reset'}"));
    v = query(f.qts);
    g_assert_cmpint(v.veventq_id, ==, 0);
    g_assert_cmpint(v.viommu_id, >, 0);

    /* The last device to go takes the vIOMMU with it. */
    json_object_unref(qtest_qmp(f.qts, "{'execute': 'device_del',"
                                " 'arguments': {'id': 'hostdev0'}}"));
    g_assert_cmpint(query(f.qts).ndevices, ==, 1);
    json_object_unref(qtest_qmp(f.qts, "{'execute': 'device_del',"
                                " 'arguments': {'id': 'hostdev1'}}"));
    v = query(f.qts);
    g_assert_cmpint(v.ndevices, ==, 0);
    g_assert_cmpint(v.viommu_id, ==, 0);
    teardown(&f);
}

static void test_explicit_props(void)
{
    static const char cmd[] =
        "-machine virt -m 128M "
        "-object iommufd,id=iommufd0,x-emulated-host=on "
        "-device arm-smmuv3,primary-bus=pcie.0,accel=on,ssidsize=8,oas=44,"
        "ril=off,id=smmu0 "
        "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x1234,addr=1";
    QTestState *qts = qtest_init(cmd);

    /* Values the user gave are kept, whatever the host has. */
    g_assert_cmpuint((qtest_readl(qts, SMMU_BASE + 0x4) >> 6) & 0x1f, ==, 8);
    g_assert_cmpuint(qtest_readl(qts, SMMU_BASE + 0x14) & 0x7, ==, 4);
    g_assert_cmpuint((qtest_readl(qts, SMMU_BASE + 0xc) >> 10) & 1, ==, 0);
    qtest_quit(qts);
}

static void test_delivery(void)
{
    Fixture f;
    QSMMUv3Event ev[8];
    bool ovf;
    size_t n = 0;
    gint64 deadline;
    VSMMU v;

    setup(&f, 7);
    inject(f.qts, PSID0, 0x200000, true, false, 1);
    inject(f.qts, PSID1, 0x201000, false, false, 1);
    /* Stage-2 faults stay on the host. */
    inject(f.qts, PSID0, 0x300000, true, true, 1);
    v = settle(f.qts, 2);
    g_assert_cmpint(v.delivered, ==, 2);

    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (n < 2 && g_get_monotonic_time() < deadline) {
        n += qsmmuv3_evtq_consume(&f.d, ev + n, 8 - n, &ovf);
    }
    g_assert_cmpuint(n, ==, 2);
    /* Byte exact: vSID substituted, every other field as the host had. */
    g_assert_cmphex(ev[0].raw[0], ==, 0x10);
    g_assert_cmphex(ev[0].raw[1], ==, VSID0);
    g_assert_cmphex(ev[0].raw[2], ==, 0);
    g_assert_cmphex(ev[0].raw[3], ==, 0x208);      /* RnW, CLASS=IN */
    g_assert_cmphex(ev[0].addr, ==, 0x200000);
    g_assert_cmphex(ev[0].addr2, ==, 0);
    g_assert_cmphex(ev[1].raw[1], ==, VSID1);
    g_assert_cmphex(ev[1].raw[3], ==, 0x200);      /* write */
    g_assert_cmphex(ev[1].addr, ==, 0x201000);
    g_assert_false(ovf);
    teardown(&f);
}

static void test_overflow(void)
{
    Fixture f;
    QSMMUv3Event ev[16];
    bool ovf = false;
    size_t n;
    VSMMU v;

    /* A 4-entry guest queue (and host vEVENTQ of depth 4). */
    setup(&f, 2);
    inject(f.qts, PSID0, 0x1000, true, false, 10);
    v = settle(f.qts, 10);
    /* Conservation, exactly; the guest got a full queue. */
    g_assert_cmpint(v.delivered, ==, 4);
    g_assert_cmpint(v.host_lost + v.overflow, ==, 6);
    n = qsmmuv3_evtq_consume(&f.d, ev, 16, &ovf);
    g_assert_cmpuint(n, ==, 4);
    /* Either loss is shown to the guest as architected overflow. */
    g_assert_true(ovf);
    if (v.host_lost) {
        /* Host loss is also announced, with the total so far. */
        JsonObject *e = qtest_qmp_eventwait_ref(f.qts, "VSMMU_EVENTS_LOST");
        JsonObject *data = json_object_get_object_member(e, "data");

        g_assert_cmpstr(json_object_get_string_member(data, "id"), ==,
                        "smmu0");
        g_assert_cmpint(json_object_get_int_member(data, "lost"), >, 0);
        g_assert_cmpint(json_object_get_int_member(data, "total"), <=,
                        v.host_lost);
        json_object_unref(e);
    }

    /* After the acknowledgement, new events flow again. */
    inject(f.qts, PSID1, 0x2000, true, false, 1);
    v = settle(f.qts, 11);
    g_assert_cmpint(v.delivered, ==, 5);
    n = qsmmuv3_evtq_consume(&f.d, ev, 16, &ovf);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmphex(ev[0].raw[1], ==, VSID1);
    g_assert_false(ovf);
    teardown(&f);
}

static void test_soak(void)
{
    Fixture f;
    QSMMUv3Event ev[64];
    GRand *rnd = g_rand_new_with_seed(12345);
    int64_t produced = 0, consumed = 0;
    VSMMU v;
    bool ovf;

    setup(&f, 5);
    /* Bursts of random size, the guest consuming at random speeds. */
    for (int round = 0; round < 40; round++) {
        unsigned burst = g_rand_int_range(rnd, 1, 60);

        inject(f.qts, round & 1 ? PSID1 : PSID0, round << 12, true, false,
               burst);
        produced += burst;
        consumed += qsmmuv3_evtq_consume(&f.d, ev,
                                         g_rand_int_range(rnd, 0, 64), &ovf);
    }
    v = settle(f.qts, produced);
    for (size_t n = 1; n; consumed += n) {
        n = qsmmuv3_evtq_consume(&f.d, ev, 64, &ovf);
    }
    /* What the guest read is exactly what was delivered. */
    g_assert_cmpint(consumed, ==, v.delivered);
    g_assert_cmpint(v.delivered + v.host_lost + v.overflow, ==, produced);
    g_rand_free(rnd);
    teardown(&f);
}

static void test_unowned(void)
{
    Fixture f;
    JsonObject *rsp, *o;
    QSMMUv3Event ev[4];
    int64_t viommu;
    bool ovf;
    VSMMU v;

    setup(&f, 5);
    rsp = qtest_qmp(f.qts, "{'execute': 'query-vsmmu'}");
    o = json_array_get_object_element(
        json_node_get_array(qtest_qmp_assert_success(rsp)), 0);
    viommu = json_object_get_int_member(o, "viommu-id");
    json_object_unref(rsp);
    /*
     * A record naming vSID 0x99, which no device of this vSMMU has (a
     * kernel must never deliver one; we do not trust that), then one for
     * vSID 0x8: only the latter reaches the guest.
     */
    json_object_unref(qtest_qmp(f.qts,
        "{'execute': 'x-vsmmu-inject-raw-vevent', 'arguments': {"
        " 'iommufd': 'iommufd0', 'viommu-id': %" PRId64 ","
        " 'words': [%" PRIu64 ", 0, 4096, 0]}}", viommu,
        (uint64_t)0x99 << 32 | 0x10));
    json_object_unref(qtest_qmp(f.qts,
        "{'execute': 'x-vsmmu-inject-raw-vevent', 'arguments': {"
        " 'iommufd': 'iommufd0', 'viommu-id': %" PRId64 ","
        " 'words': [%" PRIu64 ", 0, 8192, 0]}}", viommu,
        (uint64_t)VSID0 << 32 | 0x10));
    v = settle(f.qts, 2);
    g_assert_cmpint(v.unowned, ==, 1);
    g_assert_cmpint(v.delivered, ==, 1);
    g_assert_cmpuint(qsmmuv3_evtq_consume(&f.d, ev, 4, &ovf), ==, 1);
    g_assert_cmphex(ev[0].raw[1], ==, VSID0);
    g_assert_cmphex(ev[0].addr, ==, 8192);
    teardown(&f);
}

static JsonObject *host_stats(QTestState *qts)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'x-query-emulated-host',"
                                " 'arguments': {'iommufd': 'iommufd0'}}");
    JsonObject *o = json_object_ref(json_node_get_object(
        qtest_qmp_assert_success(rsp)));

    json_object_unref(rsp);
    return o;
}

static void test_storm_teardown(void)
{
    Fixture f;
    JsonObject *st;
    VSMMU v;
    bool ovf;
    QSMMUv3Event ev[64];

    setup(&f, 10);
    /* A storm from a host thread while the guest and QMP tear down. */
    json_object_unref(qtest_qmp(f.qts,
        "{'execute': 'x-vsmmu-host-event-rate', 'arguments': {"
        " 'iommufd': 'iommufd0', 'psids': [4660, 4672], 'count': 200000,"
        " 'rate': 0, 'tag': 'storm'}}"));
    qsmmuv3_evtq_consume(&f.d, ev, 64, &ovf);
    json_object_unref(qtest_qmp(f.qts, "{'execute': 'system_reset'}"));
    json_object_unref(qtest_qmp(f.qts, "{'execute': 'device_del',"
                                " 'arguments': {'id': 'hostdev0'}}"));
    {
        JsonObject *done = qtest_qmp_eventwait_ref(f.qts,
                                                   "X_VSMMU_HOST_EVENTS_DONE");

        g_assert_cmpint(json_object_get_int_member(
            json_object_get_object_member(done, "data"), "produced"), ==,
            200000);
        json_object_unref(done);
    }
    /*
     * Once hostdev0 is unbound the host has no device for its StreamID
     * (its events are refused); nothing is counted twice.
     */
    st = host_stats(f.qts);
    v = query(f.qts);
    g_assert_cmpint(json_object_get_int_member(st, "reported"), <=, 200000);
    g_assert_cmpint(vsmmu_query_accounted(&v), <=,
                    json_object_get_int_member(st, "queued") +
                    json_object_get_int_member(st, "overflowed"));
    json_object_unref(st);
    json_object_unref(qtest_qmp(f.qts, "{'execute': 'device_del',"
                                " 'arguments': {'id': 'hostdev1'}}"));
    /* Everything is gone on the host: no object, no open vEVENTQ fd. */
    st = host_stats(f.qts);
    g_assert_cmpint(json_object_get_int_member(st, "objects"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(st, "open-fds"), ==, 0);
    json_object_unref(st);
    teardown(&f);
}

static void qmp_ok(QTestState *qts, const char *cmd)
{
    JsonObject *rsp = qtest_qmp(qts, "%s", cmd);

    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
}

static int64_t batches(QTestState *qts)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'query-vsmmu'}");
    JsonArray *arr = json_node_get_array(qtest_qmp_assert_success(rsp));
    JsonObject *c = json_object_get_object_member(
        json_array_get_object_element(arr, 0), "counters");
    int64_t n = json_object_get_int_member(c, "batches");

    json_object_unref(rsp);
    return n;
}

/* Events the host vEVENTQ dropped (inject's "overflow") for psid. */
static int64_t inject_lossy(QTestState *qts, uint32_t psid, unsigned count)
{
    JsonObject *rsp = qtest_qmp(qts,
        "{'execute': 'x-vsmmu-inject-host-event', 'arguments': {"
        " 'iommufd': 'iommufd0', 'psid': %u, 'count': %u}}", psid, count);
    int64_t lost = json_object_get_int_member(
        json_node_get_object(qtest_qmp_assert_success(rsp)), "overflow");

    json_object_unref(rsp);
    return lost;
}

static void assert_lost_event(QTestState *qts)
{
    JsonObject *e = qtest_qmp_eventwait_ref(qts, "VSMMU_EVENTS_LOST");
    JsonObject *data = json_object_get_object_member(e, "data");

    g_assert_cmpstr(json_object_get_string_member(data, "id"), ==, "smmu0");
    g_assert_nonnull(json_object_get_string_member(data, "path"));
    g_assert_cmpint(json_object_get_int_member(data, "lost"), >, 0);
    g_assert_cmpint(json_object_get_int_member(data, "total"), >=,
                    json_object_get_int_member(data, "lost"));
    json_object_unref(e);
}

/*
 * Host loss reaches the monitor as VSMMU_EVENTS_LOST (sent from the main
 * loop), also while devices come and go on the main thread.
 */
static void test_lost_event(void)
{
    Fixture f;

    /* A host vEVENTQ of depth 4 cannot hold a burst of 100000. */
    setup(&f, 2);
    g_assert_cmpint(inject_lossy(f.qts, PSID0, 100000), >, 0);
    assert_lost_event(f.qts);

    /* A storm from a host thread, device_del/device_add meanwhile. */
    json_object_unref(qtest_qmp(f.qts,
        "{'execute': 'x-vsmmu-host-event-rate', 'arguments': {"
        " 'iommufd': 'iommufd0', 'psids': [4660, 4672], 'count': 2000000,"
        " 'rate': 0, 'tag': 'churn'}}"));
    for (int i = 0; i < 5; i++) {
        qmp_ok(f.qts,
            "{'execute': 'device_del', 'arguments': {'id': 'hostdev1'}}");
        qmp_ok(f.qts,
            "{'execute': 'device_add', 'arguments': {'driver': 'vfio-pci',"
            " 'iommufd': 'iommufd0', 'x-emulated-psid': 4672, 'addr': '2',"
            " 'id': 'hostdev1'}}");
    }
    g_assert_cmpint(inject_lossy(f.qts, PSID0, 100000), >, 0);
    assert_lost_event(f.qts);
    teardown(&f);
}

/*
 * On a started daemon: select the test bed's reader with reader_cmd, then
 * bring the vSMMU up (event queue 2^log2size), VSID0 in stage 1.
 */
static void bringup_with_reader(Fixture *f, const char *reader_cmd,
                                unsigned log2size)
{
    QSMMUv3Options opts = {
        .cmdq_log2size = 8, .evtq_log2size = log2size, .sid_bits = 16,
    };

    qmp_ok(f->qts, reader_cmd);
    qtest_qos_bus_init(f->qts, &f->bus);
    qsmmuv3_init(&f->d, &f->bus, SMMU_BASE, RAM_BASE, RAM_SIZE);
    g_assert_true(qsmmuv3_bringup(&f->d, &opts));
    qsmmuv3_ste_s1(&f->d, VSID0, 1, qsmmuv3_alloc(&f->d, 4096, 4096));
    g_assert_true(qsmmuv3_cfgi_ste(&f->d, VSID0));
}

/* The test seam: the test bed's model of upstream's reader delivers. */
static void test_upstream_reader(void)
{
    Fixture f;
    QSMMUv3Event ev[4];
    bool ovf = false;
    VSMMU v;

    f.qts = qtest_init(CMDLINE);
    bringup_with_reader(&f, "{'execute': 'x-testbed-veventq-reader',"
                        " 'arguments': {'reader': 'upstream'}}", 4);
    inject(f.qts, PSID0, 0x3000, true, false, 3);
    v = settle(f.qts, 3);
    g_assert_cmpint(v.delivered, ==, 3);
    /* One read, one batch per record: the upstream strategy. */
    g_assert_cmpint(batches(f.qts), ==, 3);
    g_assert_cmpuint(qsmmuv3_evtq_consume(&f.d, ev, 4, &ovf), ==, 3);
    g_assert_cmphex(ev[2].addr, ==, 0x3000);
    teardown(&f);
}

/* A generator's count events for PSID0 in batches of 100, to its end. */
static void generate_and_wait(QTestState *qts, int count, const char *tag)
{
    json_object_unref(qtest_qmp(qts,
        "{'execute': 'x-vsmmu-host-event-rate', 'arguments': {"
        " 'iommufd': 'iommufd0', 'psids': [%u], 'count': %d,"
        " 'batch': 100, 'tag': '%s'}}", PSID0, count, tag));
    json_object_unref(qtest_qmp_eventwait_ref(qts,
                                              "X_VSMMU_HOST_EVENTS_DONE"));
}

/* x-testbed-latency's stage NAME of generator entry g: checked, samples. */
static int64_t check_stage(JsonObject *g, const char *name, int64_t *p50)
{
    JsonObject *o = json_object_get_object_member(g, name);
    int64_t n = json_object_get_int_member(o, "samples");

    if (n) {
        int64_t a = json_object_get_int_member(o, "p50-ns");
        int64_t b = json_object_get_int_member(o, "p99-ns");
        int64_t c = json_object_get_int_member(o, "p99.9-ns");
        int64_t m = json_object_get_int_member(o, "max-ns");

        g_assert_cmpint(a, <=, b);
        g_assert_cmpint(b, <=, c);
        g_assert_cmpint(c, <=, m);
        *p50 = a;
    }
    return n;
}

/*
 * The test bed's latency timestamps account for every record exactly
 * once, through either reader, and only when a timed reader is selected.
 * (Times are never asserted: only their order.)
 */
static void test_timed_reader(gconstpointer data)
{
    bool upstream = GPOINTER_TO_INT(data);
    int64_t read_p50 = 0, prod_p50 = 0;
    JsonObject *rsp, *g;
    JsonArray *arr;
    Fixture f;
    VSMMU v;

    f.qts = qtest_init(CMDLINE);
    /* Not timed: the generator logs nothing, the report is empty. */
    generate_and_wait(f.qts, 10, "untimed");
    rsp = qtest_qmp(f.qts, "{'execute': 'x-testbed-latency'}");
    g_assert_cmpuint(json_array_get_length(
        json_object_get_array_member(rsp, "return")), ==, 0);
    json_object_unref(rsp);

    bringup_with_reader(&f, upstream ?
                        "{'execute': 'x-testbed-veventq-reader',"
                        " 'arguments': {'reader': 'upstream', 'timed': true}}"
                        : "{'execute': 'x-testbed-veventq-reader',"
                        " 'arguments': {'reader': 'vsmmu', 'timed': true}}",
                        12);
    generate_and_wait(f.qts, 4000, "t");
    v = settle(f.qts, 4000);
    g_assert_cmpint(v.delivered, ==, 4000);

    rsp = qtest_qmp(f.qts, "{'execute': 'x-testbed-latency'}");
    arr = json_object_get_array_member(rsp, "return");
    g_assert_cmpuint(json_array_get_length(arr), ==, 1);
    g = json_array_get_object_element(arr, 0);
    g_assert_cmpstr(json_object_get_string_member(g, "tag"), ==, "t");
    g_assert_cmpint(json_object_get_int_member(g, "raised"), ==, 4000);
    g_assert_cmpint(json_object_get_int_member(g, "records"), ==, 4000);
    if (upstream) {
        g_assert_cmpint(json_object_get_int_member(g, "batches"), ==, 4000);
    } else {
        g_assert_cmpint(json_object_get_int_member(g, "batches"), ==,
                        batches(f.qts));
    }
    g_assert_cmpint(check_stage(g, "read", &read_p50), ==, 4000);
    g_assert_cmpint(check_stage(g, "prod", &prod_p50), ==, 4000);
    /* PROD is published after the read, record by record. */
    g_assert_cmpint(read_p50, <=, prod_p50);
    /*
     * The guest never consumed: one interrupt, for the records of the
     * first batch (one record upstream, one read's worth for vsmmu).
     */
    {
        int64_t unused;
        int64_t irq = check_stage(g, "irq", &unused);

        g_assert_cmpint(irq, >=, 1);
        g_assert_cmpint(irq, <=, upstream ? 1 :
                        SMMUV3_ACCEL_READ_BUFFER / (8 + SMMU_EVENT_SIZE));
    }
    json_object_unref(rsp);
    teardown(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3-accel/lifecycle", test_lifecycle);
    g_test_add_func("/smmuv3-accel/explicit-props", test_explicit_props);
    g_test_add_func("/smmuv3-accel/delivery", test_delivery);
    g_test_add_func("/smmuv3-accel/overflow", test_overflow);
    g_test_add_func("/smmuv3-accel/soak", test_soak);
    g_test_add_func("/smmuv3-accel/unowned", test_unowned);
    g_test_add_func("/smmuv3-accel/storm-teardown", test_storm_teardown);
    g_test_add_func("/smmuv3-accel/lost-event", test_lost_event);
    g_test_add_func("/smmuv3-accel/upstream-reader", test_upstream_reader);
    g_test_add_data_func("/smmuv3-accel/timed-reader/vsmmu",
                         GINT_TO_POINTER(false), test_timed_reader);
    g_test_add_data_func("/smmuv3-accel/timed-reader/upstream",
                         GINT_TO_POINTER(true), test_timed_reader);
    return g_test_run();
}
