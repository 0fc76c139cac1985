/*
 * One vSMMU scenario, two hosts: the steps (see scenario.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "scenario.h"
#include "vsmmu-query.h"
#include "hw/arm/smmuv3-common.h"

#include <sys/wait.h>

#define EVTQ_LOG2       5
#define EVTQ_LOG2_TINY  1       /* a 2-entry guest queue (and vEVENTQ) */
#define FAULT_BYTES     8       /* two records: edu does 4-byte halves */

typedef VSMMUQuery VSMMUState;

static int64_t member(JsonObject *o, const char *name)
{
    return o && json_object_has_member(o, name) ?
           json_object_get_int_member(o, name) : 0;
}

JsonObject *scenario_qmp_ok(Scenario *s, JsonObject *rsp, const char *what)
{
    SC_ASSERT(json_object_has_member(rsp, "return"), "%s failed", what);
    return rsp;
}

static VSMMUState query(Scenario *s, const char *when)
{
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *text = NULL;
    JsonObject *rsp = qtest_qmp(s->qts, "{'execute': 'query-vsmmu'}");
    JsonArray *arr;
    JsonObject *o;
    VSMMUState v;

    json_node_set_object(node, rsp);
    text = json_to_string(node, FALSE);
    scenario_note("query-vsmmu (%s): %s", when, text);
    scenario_qmp_ok(s, rsp, "query-vsmmu");
    arr = json_object_get_array_member(rsp, "return");
    SC_ASSERT(json_array_get_length(arr) == 1, "one SMMU expected");
    o = json_array_get_object_element(arr, 0);
    if (member(o, "viommu-id") > 0) {
        SC_ASSERT(json_object_has_member(o, "kernel") &&
                  !strcmp(json_object_get_string_member(o, "kernel"),
                          s->host->kernel),
                  "query-vsmmu: \"kernel\" must be \"%s\"", s->host->kernel);
    }
    vsmmu_query_parse(o, &v);
    json_object_unref(rsp);
    return v;
}

/* Wait (bounded) until every record the host produced is accounted for. */
static VSMMUState settle(Scenario *s, const char *when)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    VSMMUState v;
    int64_t sum;

    for (;;) {
        v = query(s, when);
        sum = vsmmu_query_accounted(&v);
        if (sum >= s->produced || g_get_monotonic_time() >= deadline) {
            break;
        }
        g_usleep(20000);
    }
    SC_ASSERT(sum == s->produced, "%" PRId64 " records accounted for "
              "(delivered %" PRId64 ", host-lost %" PRId64 ", overflow %"
              PRId64 "), the host produced %" PRId64, sum, v.delivered,
              v.host_lost, v.overflow, s->produced);
    return v;
}

static void fault_bytes(Scenario *s, uint64_t iova, bool read,
                        unsigned bytes)
{
    s->host->fault(s, iova, read, bytes);
    s->produced += bytes / 4;
}

static void fault(Scenario *s, uint64_t iova, bool read)
{
    fault_bytes(s, iova, read, FAULT_BYTES);
}

/* Consume exactly N records (waiting up to 5 s), then check none follow. */
static bool consume(Scenario *s, QSMMUv3Event *ev, size_t n)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    QSMMUv3Event extra;
    bool ovf = false, o;
    size_t got = 0;

    while (got < n && g_get_monotonic_time() < deadline) {
        got += qsmmuv3_evtq_consume(&s->d, ev + got, n - got, &o);
        ovf |= o;
        if (got < n) {
            g_usleep(10000);
        }
    }
    for (size_t i = 0; i < got; i++) {
        scenario_note("guest event %zu: %08x %08x %08x %08x %08x %08x %08x "
                      "%08x", i, ev[i].raw[0], ev[i].raw[1], ev[i].raw[2],
                      ev[i].raw[3], ev[i].raw[4], ev[i].raw[5], ev[i].raw[6],
                      ev[i].raw[7]);
    }
    SC_ASSERT(got == n, "%zu records in the guest event queue, want %zu",
              got, n);
    SC_ASSERT(qsmmuv3_evtq_consume(&s->d, &extra, 1, &o) == 0,
              "a record beyond the %zu expected", n);
    return ovf || o;
}

/*
 * What the guest must read for a FAULT_BYTES access at IOVA, record I:
 * F_TRANSLATION, the vSID, RnW for a read, CLASS=IN, the address of the
 * 4-byte half, nothing else.
 */
static void check_event(const QSMMUv3Event *ev, uint64_t iova, bool read,
                        unsigned i)
{
    const SMMUEventInfo info = {
        .type = SMMU_EVT_F_TRANSLATION, .sid = SCENARIO_VSID,
        .rnw = read, .class_ = SMMU_EVT_CLASS_IN, .input_addr = iova + 4 * i,
    };
    SMMUEvent want;

    smmu_event_build(&want, &info);
    for (int w = 0; w < 8; w++) {
        SC_ASSERT(ev->raw[w] == want.word[w], "record %u (%s at 0x%" PRIx64
                  "): word %d is 0x%08x, want 0x%08x", i,
                  read ? "read" : "write", iova, w, ev->raw[w],
                  want.word[w]);
    }
}

void scenario_start(Scenario *s)
{
    g_autofree char *args = s->host->daemon_args(s);
    VSMMUState v;

    scenario_note("starting the daemon: %s", args);
    s->qts = qtest_init(args);
    v = query(s, "after start");
    SC_ASSERT(v.viommu_id > 0, "the cold-plugged device brought a vIOMMU");
    SC_ASSERT(v.veventq_id == 0,
              "no vEVENTQ before the guest enables its event queue");
    SC_ASSERT(v.ndevices == 1, "one device expected, got %" PRId64,
              v.ndevices);
    SC_ASSERT(v.vsid == SCENARIO_VSID, "vsid 0x%" PRIx64 ", want 0x%x",
              v.vsid, SCENARIO_VSID);
}

static void bringup(Scenario *s, unsigned evtq_log2)
{
    QSMMUv3Options opts = {
        .cmdq_log2size = 8,
        .evtq_log2size = evtq_log2,
        .sid_bits = 8,         /* 256 STEs: qtest writes the table */
    };
    VSMMUState v;

    SC_ASSERT(qsmmuv3_bringup(&s->d, &opts), "vSMMU bring-up over qtest");
    v = query(s, "after EVENTQEN");
    SC_ASSERT(v.veventq_id > 0, "EVENTQEN allocated a vEVENTQ");
    SC_ASSERT(v.veventq_depth == 1 << evtq_log2,
              "veventq-depth %" PRId64 ", want %d (the guest's queue)",
              v.veventq_depth, 1 << evtq_log2);
}

void scenario_bringup(Scenario *s)
{
    SC_ASSERT(s->qts, "no daemon (previous step failed)");
    qtest_qos_bus_init(s->qts, &s->bus);
    qsmmuv3_init(&s->d, &s->bus, SCENARIO_SMMU_BASE, SCENARIO_RAM_BASE,
                 SCENARIO_RAM_SIZE);
    bringup(s, EVTQ_LOG2);
    s->first_veventq = query(s, "vEVENTQ id").veventq_id;
}

static void ste_s1(Scenario *s)
{
    uint64_t cd;
    VSMMUState v;

    cd = qsmmuv3_ste_s1(&s->d, SCENARIO_VSID, 1,
                        qsmmuv3_alloc(&s->d, 4096, 4096));
    /*
     * The real SMMU reports a stage-1 fault only when the CD asks for it
     * (R); A and ASET as Linux sets them, and no TTB1 walks.
     */
    /* Record faults (R, A), shared ASID set, no TTB1 walks. */
    qtest_writeq(s->qts, cd, qtest_readq(s->qts, cd) | R_CD_0_R_MASK |
                 R_CD_0_A_MASK | R_CD_0_ASET_MASK | R_CD_0_EPD1_MASK);
    SC_ASSERT(qsmmuv3_cfgi_ste(&s->d, SCENARIO_VSID),
              "CFGI_STE + CMD_SYNC for vSID 0x%x", SCENARIO_VSID);
    v = query(s, "after stage-1 STE");
    SC_ASSERT(v.ndevices == 1, "device vanished");
    SC_ASSERT(v.hwpt_id > 0, "a nested HWPT from the guest STE is attached");
    SC_ASSERT(v.vdevice_id > 0, "the device has a vDEVICE for its vSID");
    SC_ASSERT(v.veventq_id > 0, "vEVENTQ vanished");
}

void scenario_ste_s1(Scenario *s)
{
    SC_ASSERT(s->qts && s->d.evtq, "no vSMMU (previous step failed)");
    ste_s1(s);
}

/* A read and a write the empty stage-1 table lacks: four exact records. */
void scenario_fault(Scenario *s)
{
    QSMMUv3Event ev[4];
    VSMMUState v;

    SC_ASSERT(s->qts && s->d.evtq, "no vSMMU (previous step failed)");
    fault(s, 0x200000, true);
    fault(s, 0x201000, false);
    v = settle(s, "after read and write faults");
    SC_ASSERT(v.delivered == s->produced, "all %" PRId64 " delivered, got %"
              PRId64, s->produced, v.delivered);
    SC_ASSERT(!consume(s, ev, 4), "no overflow");
    check_event(&ev[0], 0x200000, true, 0);
    check_event(&ev[1], 0x200000, true, 1);
    check_event(&ev[2], 0x201000, false, 0);
    check_event(&ev[3], 0x201000, false, 1);
}

/*
 * A stage-2 fault stays on the host; a stage-1 fault after it arrives
 * alone (records are delivered in order).
 */
bool scenario_s2_fault(Scenario *s)
{
    QSMMUv3Event ev[2];
    VSMMUState v;

    SC_ASSERT(s->qts && s->d.evtq, "no vSMMU (previous step failed)");
    if (!s->host->s2_fault || !s->host->s2_fault(s, 0x300000)) {
        return false;
    }
    fault(s, 0x202000, true);
    v = settle(s, "after stage-2 and stage-1 faults");
    SC_ASSERT(v.delivered == s->produced, "the stage-1 records delivered");
    consume(s, ev, 2);
    check_event(&ev[0], 0x202000, true, 0);
    check_event(&ev[1], 0x202000, true, 1);
    return true;
}

/*
 * EVENTQEN off frees the vEVENTQ (query-vsmmu shows none); on again with
 * a 2-entry guest queue allocates a new one of that depth.  (The whole SMMU goes off and on, as
 * a driver resizing its queue does; the STE is installed again.)
 */
void scenario_eventqen_cycle(Scenario *s)
{
    VSMMUState v;

    SC_ASSERT(s->qts && s->d.evtq, "no vSMMU (previous step failed)");
    SC_ASSERT(qsmmuv3_disable(&s->d), "CR0 off");
    v = query(s, "after EVENTQEN off");
    SC_ASSERT(v.veventq_id == 0, "EVENTQEN off freed the vEVENTQ");
    SC_ASSERT(v.viommu_id > 0, "the vIOMMU stays with its device");
    bringup(s, EVTQ_LOG2_TINY);
    /*
     * bringup() checked the new depth.  Linux hands out the lowest free
     * object id, so the new vEVENTQ gets the freed one (and the emulated
     * host must do the same: the daemon may not tell queues apart by id).
     */
    v = query(s, "after EVENTQEN on");
    SC_ASSERT(v.veventq_id == s->first_veventq,
              "the new vEVENTQ has the freed id %" PRId64 ", got %" PRId64,
              s->first_veventq, v.veventq_id);
    ste_s1(s);
}

/*
 * Three 2-record faults into a 2-entry guest queue (and a depth-2
 * vEVENTQ): the first two records arrive, the other four are lost on the
 * host or dropped at the full guest queue (which share depends on the
 * reader's timing), and the guest sees OVFLG.  After it acknowledged,
 * records flow again.
 */
void scenario_overflow(Scenario *s)
{
    QSMMUv3Event ev[2];
    VSMMUState before, v;

    SC_ASSERT(s->qts && s->d.evtq, "no vSMMU (previous step failed)");
    before = query(s, "before overflow");
    fault(s, 0x210000, true);
    fault(s, 0x211000, true);
    fault(s, 0x212000, true);
    v = settle(s, "after overflow");
    scenario_note("overflow: delivered %" PRId64 ", host-lost %" PRId64
                  ", guest-overflow-dropped %" PRId64,
                  v.delivered - before.delivered,
                  v.host_lost - before.host_lost,
                  v.overflow - before.overflow);
    SC_ASSERT(v.delivered - before.delivered == 2,
              "a full guest queue: 2 delivered, got %" PRId64,
              v.delivered - before.delivered);
    SC_ASSERT((v.host_lost - before.host_lost) +
              (v.overflow - before.overflow) == 4,
              "the other 4 records lost on the host or dropped");
    SC_ASSERT(consume(s, ev, 2), "the guest sees OVFLG");
    check_event(&ev[0], 0x210000, true, 0);
    check_event(&ev[1], 0x210000, true, 1);

    before = v;
    fault(s, 0x213000, false);
    v = settle(s, "after the overflow was acknowledged");
    SC_ASSERT(v.delivered - before.delivered == 2,
              "records flow again after the acknowledgement");
    SC_ASSERT(!consume(s, ev, 2), "no new overflow");
    check_event(&ev[0], 0x213000, false, 0);
    check_event(&ev[1], 0x213000, false, 1);
}

/*
 * A burst: one 64-byte read, 16 records back to back into the depth-2
 * vEVENTQ and 2-entry guest queue.  Whether the host vEVENTQ overflows
 * (the kernel's lost-events record) or the reader keeps up and the guest
 * queue drops them depends on when the reader's thread runs: assert the
 * conservation and OVFLG, and log the split.
 */
void scenario_burst(Scenario *s)
{
    QSMMUv3Event ev[2];
    VSMMUState before, v;

    SC_ASSERT(s->qts && s->d.evtq, "no vSMMU (previous step failed)");
    before = query(s, "before burst");
    fault_bytes(s, 0x220000, true, 64);
    v = settle(s, "after burst");
    scenario_note("burst: delivered %" PRId64 ", host-lost %" PRId64
                  ", guest-overflow-dropped %" PRId64,
                  v.delivered - before.delivered,
                  v.host_lost - before.host_lost,
                  v.overflow - before.overflow);
    SC_ASSERT(v.delivered - before.delivered == 2,
              "a full guest queue: 2 delivered, got %" PRId64,
              v.delivered - before.delivered);
    SC_ASSERT(consume(s, ev, 2), "the guest sees OVFLG");
    check_event(&ev[0], 0x220000, true, 0);
    check_event(&ev[1], 0x220000, true, 1);
}

void scenario_device_del(Scenario *s)
{
    VSMMUState v;

    SC_ASSERT(s->qts, "no daemon (previous step failed)");
    json_object_unref(scenario_qmp_ok(s, qtest_qmp(s->qts,
        "{'execute': 'device_del', 'arguments': {'id': 'hostdev0'}}"),
        "device_del"));
    v = query(s, "after device_del");
    SC_ASSERT(v.ndevices == 0, "device still listed");
    SC_ASSERT(v.viommu_id == 0, "the last device took the vIOMMU with it");
    SC_ASSERT(v.veventq_id == 0, "vEVENTQ left behind");
}

void scenario_quit(Scenario *s)
{
    siginfo_t si = { 0 };
    int status;

    SC_ASSERT(s->qts, "no daemon (previous step failed)");
    /* Still alive?  (Peek only: libqtest reaps it.) */
    SC_ASSERT(waitid(P_PID, qtest_pid(s->qts), &si,
                     WEXITED | WNOHANG | WNOWAIT) == 0, "waitid");
    SC_ASSERT(si.si_pid == 0, "daemon already gone before quit: %s %d",
              si.si_code == CLD_EXITED ? "exit status" : "signal",
              si.si_status);
    qtest_qmp_send(s->qts, "{'execute': 'quit'}");
    status = qtest_wait_exit(s->qts);
    s->exited = true;
    SC_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "daemon exit status 0x%x, want a normal exit with 0", status);
    qtest_quit(s->qts);
    s->qts = NULL;
}
