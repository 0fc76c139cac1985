/*
 * The test bed's host-event generators, for the emulated host only:
 *   x-vsmmu-inject-host-event  count records for one device, synchronously
 *   x-vsmmu-host-event-rate    a thread raising records at a rate, in
 *                              batches as a host SMMU's event queue
 *                              fills, ending with the event
 *                              X_VSMMU_HOST_EVENTS_DONE
 *   x-vsmmu-host-event-stop    stop the generators with a tag (each ends
 *                              with its X_VSMMU_HOST_EVENTS_DONE)
 *   x-vsmmu-inject-raw-vevent  a record queued as-is on a vEVENTQ, as a
 *                              misbehaving kernel would
 * See docs/system/arm/smmuv3-accel.rst.  Linked only into
 * vsmmu-daemon-testbed, never into the product.
 *
 * Threads: the commands run on the main thread and own the generator
 * list.  Each x-vsmmu-host-event-rate generator thread touches only its
 * Generator (stop and done are atomics; its raise log is the thread's
 * until done is set, the main thread's after), the emulated host (which
 * locks itself) and qmp_send_event() (which queues under the monitor's
 * event lock for the main loop to send).  testbed_generators_cleanup()
 * stops and joins them before the emulated hosts go away.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/arm/smmuv3-common.h"
#include "system/iommufd-emulated.h"
#include "system/qmp.h"
#include "system/qmp-vsmmu.h"
#include "testbed.h"
#include <json-glib/json-glib.h>
#include <sys/prctl.h>

/* ---- arguments ------------------------------------------------------------ */

/* The members every generator takes: which event the host raises. */
#define HOST_EVENT_ARGS \
    { "iommufd", QMP_ARG_STR, .required = true }, \
    { "type", QMP_ARG_UINT, .has_range = true, .max = 0xff }, \
    { "addr", QMP_ARG_UINT }, \
    { "ssid", QMP_ARG_UINT, .has_range = true, .max = 0xfffff }, \
    { "ssv", QMP_ARG_BOOL }, \
    { "rnw", QMP_ARG_BOOL }, \
    { "s2", QMP_ARG_BOOL }, \
    { "stall", QMP_ARG_BOOL }

/* A host event record as the host SMMUv3 would raise it. */
typedef struct HostEvent {
    uint64_t type, addr, ssid;
    bool ssv, rnw, s2, stall;
} HostEvent;

/* Arguments checked against HOST_EVENT_ARGS. */
static void get_event(JsonObject *args, HostEvent *ev)
{
    /* Defaults: a stage-1 F_TRANSLATION on a read at address 0. */
    *ev = (HostEvent) {
        .type = qmp_arg_int(args, "type", SMMU_EVT_F_TRANSLATION),
        .addr = qmp_arg_int(args, "addr", 0),
        .ssid = qmp_arg_int(args, "ssid", 0),
        .ssv = qmp_arg_bool(args, "ssv", false),
        .rnw = qmp_arg_bool(args, "rnw", true),
        .s2 = qmp_arg_bool(args, "s2", false),
        .stall = qmp_arg_bool(args, "stall", false),
    };
}

static void encode(const HostEvent *ev, uint32_t psid, uint64_t ipa,
                   uint64_t evt[4])
{
    SMMUEventInfo info = {
        .type = ev->type, .sid = psid, .ssv = ev->ssv, .ssid = ev->ssid,
        .stall = ev->stall, .rnw = ev->rnw, .s2 = ev->s2,
        .class_ = SMMU_EVT_CLASS_IN,
        .input_addr = ev->addr, .addr2 = ipa,
    };
    SMMUEvent e;

    smmu_event_build(&e, &info);
    smmu_event_to_dwords(&e, evt);
}

/* ---- x-vsmmu-inject-host-event ----------------------------------------------- */

static const QmpArg inject_args[] = {
    HOST_EVENT_ARGS,
    { "psid", QMP_ARG_UINT, .required = true, .has_range = true,
      .max = UINT32_MAX },
    { "count", QMP_ARG_UINT, .has_range = true, .max = 1u << 24 },
    { "ipa", QMP_ARG_UINT },
    { "addr-step", QMP_ARG_UINT, .has_range = true, .max = UINT32_MAX },
    { NULL }
};

static JsonNode *qmp_x_inject(JsonObject *args, Error **errp)
{
    IOMMUFDEmulatedHost *host = qmp_vsmmu_emulated_host(args, errp);
    uint64_t psid = qmp_arg_int(args, "psid", 0);
    uint64_t count = qmp_arg_int(args, "count", 1);
    uint64_t ipa = qmp_arg_int(args, "ipa", 0);
    uint64_t step = qmp_arg_int(args, "addr-step", 0);
    uint64_t res[3] = { 0 };
    HostEvent ev;
    JsonObject *o;

    if (!host) {
        return NULL;
    }
    get_event(args, &ev);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t evt[4];
        IOMMUFDEmulatedReport r;

        encode(&ev, psid, ipa, evt);
        evt[2] += i * step;     /* a DMA faulting piece by piece */
        if (!iommufd_emulated_report_event(host, evt, &r, errp)) {
            return NULL;
        }
        res[r]++;
    }
    o = json_object_new();
    qmp_set_u64(o, "queued", res[EMULATED_REPORT_QUEUED]);
    qmp_set_u64(o, "overflow", res[EMULATED_REPORT_OVERFLOW]);
    qmp_set_u64(o, "host-only", res[EMULATED_REPORT_HOST_ONLY]);
    return qmp_object_node(o);
}

/* ---- x-vsmmu-host-event-rate ------------------------------------------------- */

typedef struct Generator {
    IOMMUFDEmulatedHost *host;
    GArray *psids;              /* of uint32_t, round robin */
    HostEvent ev;
    uint64_t count;
    uint64_t rate;              /* events/s; 0: as fast as possible */
    uint64_t step;              /* input address step between events */
    uint32_t batch;             /* records raised per wake-up, at most */
    char *tag;
    GThread *thread;
    gint stop;
    gint done;                  /* raising is over and the log final */
    uint64_t res[3];
    GArray *log;                /* of TestbedRaised; NULL: no timestamps */
} Generator;

static GPtrArray *generators;   /* main thread */

typedef uint64_t EventWords[4];

/*
 * A paced generator wakes up at most this often, as a host SMMU's
 * interrupt thread does not run for every record: faster rates raise
 * several records per wake-up.
 */
#define GENERATOR_PERIOD_NS 20000

/*
 * How many of the events from i on to raise now: with a rate, those due
 * (event i is due at t0 + i / rate), after sleeping until the first is
 * and at least GENERATOR_PERIOD_NS since the last wake-up; without, a
 * full batch.
 */
static uint64_t generator_due(Generator *g, int64_t t0, int64_t *last,
                              uint64_t i)
{
    uint64_t n = MIN(g->batch, g->count - i);
    int64_t now, wake;

    if (!g->rate) {
        return n;
    }
    wake = MAX(t0 + (int64_t)(i * 1e9 / g->rate), *last + GENERATOR_PERIOD_NS);
    now = testbed_now_ns();
    if (wake > now) {
        g_usleep((wake - now + 999) / 1000);
        now = testbed_now_ns();
    }
    *last = now;
    return MIN(n, (uint64_t)((now - t0) * (g->rate / 1e9)) + 1 - i);
}

/* Raise evts[0..n) now, as one batch. */
static void generator_raise(Generator *g, EventWords *evts, uint64_t n,
                            IOMMUFDEmulatedReportInfo *info)
{
    int64_t t = testbed_now_ns();
    uint64_t done = 0;

    while (done < n) {
        size_t k = iommufd_emulated_report_events(g->host, evts + done,
                                                  n - done, info + done,
                                                  NULL);

        for (size_t j = 0; j < k; j++) {
            g->res[info[done + j].result]++;
        }
        if (g->log) {
            testbed_raise_log_add(g->log, t, testbed_now_ns(), info + done,
                                  k);
        }
        done += k;
        if (done < n) {
            /* A device unplugged meanwhile: only the host logs it. */
            g->res[EMULATED_REPORT_HOST_ONLY]++;
            done++;
        }
    }
}

static gpointer generator_run(gpointer opaque)
{
    Generator *g = opaque;
    size_t np = g->psids->len;
    g_autofree EventWords *enc = g_new(EventWords, np);
    g_autofree EventWords *evts = g_new(EventWords, g->batch);
    g_autofree IOMMUFDEmulatedReportInfo *info =
        g_new(IOMMUFDEmulatedReportInfo, g->batch);
    int64_t t0 = testbed_now_ns(), last = t0 - GENERATOR_PERIOD_NS;
    uint64_t i = 0;

    /* Paced wake-ups as exact as the kernel's timers allow. */
    prctl(PR_SET_TIMERSLACK, 1000UL);
    for (size_t k = 0; k < np; k++) {
        encode(&g->ev, g_array_index(g->psids, uint32_t, k), 0, enc[k]);
    }
    while (i < g->count && !g_atomic_int_get(&g->stop)) {
        uint64_t n = generator_due(g, t0, &last, i);

        for (uint64_t k = 0; k < n; k++) {
            memcpy(evts[k], enc[(i + k) % np], sizeof(evts[k]));
            evts[k][2] += (i + k) * g->step;
        }
        generator_raise(g, evts, n, info);
        i += n;
    }
    {
        JsonObject *data = json_object_new();

        json_object_set_string_member(data, "tag", g->tag);
        qmp_set_u64(data, "produced", i);
        qmp_set_u64(data, "queued", g->res[EMULATED_REPORT_QUEUED]);
        qmp_set_u64(data, "overflow", g->res[EMULATED_REPORT_OVERFLOW]);
        qmp_set_u64(data, "host-only", g->res[EMULATED_REPORT_HOST_ONLY]);
        qmp_set_u64(data, "usecs", (testbed_now_ns() - t0) / 1000);
        /*
         * Done (the log is final) before the event: a client that got
         * the event finds the log in x-testbed-latency.  The thread still
         * reads g; generator_free() joins it first.
         */
        g_atomic_int_set(&g->done, 1);
        qmp_send_event("X_VSMMU_HOST_EVENTS_DONE", data);
        json_object_unref(data);
    }
    return NULL;
}

static void generator_free(Generator *g)
{
    g_atomic_int_set(&g->stop, 1);
    g_thread_join(g->thread);
    g_array_free(g->psids, TRUE);
    if (g->log) {
        g_array_free(g->log, TRUE);
    }
    g_free(g->tag);
    g_free(g);
}

void testbed_generators_foreach_log(TestbedLogFunc *fn, JsonArray *out)
{
    for (guint i = 0; generators && i < generators->len; i++) {
        Generator *g = g_ptr_array_index(generators, i);

        /* A generator still running keeps its log to itself. */
        if (g->log && g_atomic_int_get(&g->done)) {
            json_array_add_object_element(out, fn(g->host, g->tag, g->log));
        }
    }
}

static const QmpArg rate_args[] = {
    HOST_EVENT_ARGS,
    { "psids", QMP_ARG_ARRAY, .required = true },
    { "count", QMP_ARG_UINT, .required = true },
    { "rate", QMP_ARG_UINT, .has_range = true, .max = 100000000 },
    { "batch", QMP_ARG_UINT, .has_range = true, .min = 1, .max = 65536 },
    { "addr-step", QMP_ARG_UINT, .has_range = true, .max = UINT32_MAX },
    { "tag", QMP_ARG_STR },
    { NULL }
};

static JsonNode *qmp_x_rate(JsonObject *args, Error **errp)
{
    g_autofree Generator *g = g_new0(Generator, 1);
    JsonArray *arr = qmp_arg_array(args, "psids");

    if (!(g->host = qmp_vsmmu_emulated_host(args, errp))) {
        return NULL;
    }
    g->count = qmp_arg_int(args, "count", 0);
    g->rate = qmp_arg_int(args, "rate", 0);
    g->batch = qmp_arg_int(args, "batch", 256);
    g->step = qmp_arg_int(args, "addr-step", 0);
    get_event(args, &g->ev);
    if (!json_array_get_length(arr)) {
        error_setg(errp, "Parameter 'psids' expects a non-empty array of"
                   " StreamIDs");
        return NULL;
    }
    g->psids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *e = json_array_get_element(arr, i);
        gint64 v;

        if (!JSON_NODE_HOLDS_VALUE(e) ||
            json_node_get_value_type(e) != G_TYPE_INT64 ||
            (v = json_node_get_int(e)) < 0 || v > UINT32_MAX) {
            g_array_free(g->psids, TRUE);
            error_setg(errp, "Parameter 'psids' expects StreamIDs");
            return NULL;
        }
        g_array_append_val(g->psids, (uint32_t){ (uint32_t)v });
    }
    g->tag = g_strdup(qmp_arg_str(args, "tag", ""));
    if (!generators) {
        generators = g_ptr_array_new();
    }
    /* Reap the generators that have finished, but keep their logs. */
    for (guint i = 0; i < generators->len;) {
        Generator *old = g_ptr_array_index(generators, i);

        if (g_atomic_int_get(&old->done) && !old->log) {
            g_ptr_array_remove_index_fast(generators, i);
            generator_free(old);
        } else {
            i++;
        }
    }
    if (testbed_latency_enabled()) {
        g->log = g_array_new(FALSE, FALSE, sizeof(TestbedRaised));
    }
    g->thread = g_thread_new("vsmmu-host-events", generator_run, g);
    g_ptr_array_add(generators, g_steal_pointer(&g));
    return NULL;
}

static const QmpArg stop_args[] = {
    { "tag", QMP_ARG_STR, .required = true },
    { NULL }
};

static JsonNode *qmp_x_stop(JsonObject *args, Error **errp)
{
    const char *tag = qmp_arg_str(args, "tag", "");

    for (guint i = 0; generators && i < generators->len; i++) {
        Generator *g = g_ptr_array_index(generators, i);

        if (!strcmp(g->tag, tag)) {
            g_atomic_int_set(&g->stop, 1);
        }
    }
    return NULL;
}

/* ---- x-vsmmu-inject-raw-vevent -------------------------------------------- */

static const QmpArg inject_raw_args[] = {
    { "iommufd", QMP_ARG_STR, .required = true },
    { "viommu-id", QMP_ARG_UINT, .required = true, .has_range = true,
      .max = UINT32_MAX },
    { "words", QMP_ARG_ARRAY, .required = true },
    { NULL }
};

static JsonNode *qmp_x_inject_raw(JsonObject *args, Error **errp)
{
    IOMMUFDEmulatedHost *host = qmp_vsmmu_emulated_host(args, errp);
    uint64_t viommu_id = qmp_arg_int(args, "viommu-id", 0), evt[4];
    JsonArray *arr = qmp_arg_array(args, "words");
    IOMMUFDEmulatedReport r;
    JsonObject *o;

    if (!host) {
        return NULL;
    }
    if (json_array_get_length(arr) != 4) {
        error_setg(errp, "Parameter 'words' expects the record's four"
                   " 64-bit words");
        return NULL;
    }
    for (int i = 0; i < 4; i++) {
        JsonNode *e = json_array_get_element(arr, i);

        if (!JSON_NODE_HOLDS_VALUE(e) ||
            json_node_get_value_type(e) != G_TYPE_INT64) {
            error_setg(errp, "Parameter 'words' expects integers");
            return NULL;
        }
        evt[i] = (uint64_t)json_node_get_int(e);
    }
    if (!iommufd_emulated_queue_raw(host, viommu_id, evt, &r, errp)) {
        return NULL;
    }
    o = json_object_new();
    json_object_set_boolean_member(o, "queued", r == EMULATED_REPORT_QUEUED);
    return qmp_object_node(o);
}

void testbed_generators_cleanup(void)
{
    if (generators) {
        for (guint i = 0; i < generators->len; i++) {
            generator_free(g_ptr_array_index(generators, i));
        }
        g_clear_pointer(&generators, g_ptr_array_unref);
    }
}

void testbed_register_generators(void)
{
    qmp_register_command_args("x-vsmmu-inject-host-event", qmp_x_inject,
                              inject_args);
    qmp_register_command_args("x-vsmmu-host-event-rate", qmp_x_rate,
                              rate_args);
    qmp_register_command_args("x-vsmmu-host-event-stop", qmp_x_stop,
                              stop_args);
    qmp_register_command_args("x-vsmmu-inject-raw-vevent", qmp_x_inject_raw,
                              inject_raw_args);
}
