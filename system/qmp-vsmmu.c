/*
 * QMP for the accelerated vSMMU and the embedded emulated host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/arm/smmuv3-accel.h"
#include "system/iommufd-emulated.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/qmp-vsmmu.h"
#include "trace.h"
#include <json-glib/json-glib.h>

/* ---- query-vsmmu ---------------------------------------------------------- */

static void add_u64(JsonObject *o, const char *name, uint64_t v)
{
    json_object_set_int_member(o, name, (gint64)v);
}

static void vsmmu_entry(DeviceState *dev, void *opaque)
{
    JsonArray *list = opaque;
    SMMUv3State *s;
    SMMUv3AccelInfo info;
    JsonObject *o, *c;
    JsonArray *devs;

    if (strcmp(dev->klass->name, TYPE_ARM_SMMUV3) != 0) {
        return;
    }
    s = (SMMUv3State *)dev;
    o = json_object_new();
    json_object_set_string_member(o, "path", machine_device_path(dev));
    if (dev->id) {
        json_object_set_string_member(o, "id", dev->id);
    }
    json_object_set_boolean_member(o, "accel", s->accel);
    if (s->pbus) {
        json_object_set_string_member(o, "primary-bus", s->pbus->id);
    }
    smmuv3_accel_get_info(s, &info);
    if (s->accel) {
        if (info.kernel) {
            json_object_set_string_member(o, "kernel", info.kernel);
        }
        add_u64(o, "viommu-id", info.viommu_id);
        add_u64(o, "veventq-id", info.veventq_id);
        add_u64(o, "veventq-depth", info.veventq_depth);
        json_object_set_string_member(o, "veventq-state", info.veventq_state);
        add_u64(o, "inval-pending", info.inval_pending);
        json_object_set_string_member(o, "iothread", info.iothread);
        devs = json_array_new();
        for (guint i = 0; i < info.devices->len; i++) {
            SMMUv3AccelDeviceInfo *d = &g_array_index(info.devices,
                                                      SMMUv3AccelDeviceInfo,
                                                      i);
            JsonObject *e = json_object_new();

            json_object_set_string_member(e, "name", d->name);
            add_u64(e, "vsid", d->vsid);
            if (d->host_sid != UINT32_MAX) {
                add_u64(e, "host-sid", d->host_sid);
            }
            add_u64(e, "dev-id", d->devid);
            add_u64(e, "vdevice-id", d->vdev_id);
            add_u64(e, "hwpt-id", d->hwpt_id);
            json_array_add_object_element(devs, e);
        }
        json_object_set_array_member(o, "devices", devs);
        c = json_object_new();
        add_u64(c, "delivered", info.stats.delivered);
        add_u64(c, "host-lost", info.stats.host_lost);
        add_u64(c, "guest-overflow-dropped",
                info.stats.guest_overflow_dropped);
        add_u64(c, "guest-disabled-dropped",
                info.stats.guest_disabled_dropped);
        add_u64(c, "guest-abort", info.stats.guest_abort);
        add_u64(c, "dropped-unowned", info.stats.dropped_unowned);
        add_u64(c, "discarded-at-disable", info.stats.discarded_at_disable);
        add_u64(c, "invalidations", info.stats.invalidations);
        add_u64(c, "inval-early-flushes", info.stats.inval_early_flushes);
        add_u64(c, "read-errors", info.stats.read_errors);
        add_u64(c, "batches", info.stats.batches);
        if (info.stats.seq_valid) {
            add_u64(c, "last-sequence", info.stats.last_seq);
        }
        json_object_set_object_member(o, "counters", c);
    }
    smmuv3_accel_info_free(&info);
    json_array_add_object_element(list, o);
}

static JsonNode *qmp_query_vsmmu(JsonObject *args, Error **errp)
{
    static const char *const allowed[] = { NULL };
    JsonArray *list;
    JsonNode *node;

    if (!qmp_check_args(args, allowed, errp)) {
        return NULL;
    }
    list = json_array_new();
    machine_foreach_device(vsmmu_entry, list);
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, list);
    return node;
}

static void notify_lost(SMMUv3State *s, uint64_t lost, uint64_t total)
{
    JsonObject *data = json_object_new();
    DeviceState *dev = &s->parent_obj;

    if (dev->id) {
        json_object_set_string_member(data, "id", dev->id);
    }
    json_object_set_string_member(data, "path", machine_device_path(dev));
    add_u64(data, "lost", lost);
    add_u64(data, "total", total);
    qmp_send_event("VSMMU_EVENTS_LOST", data);
    json_object_unref(data);
}

/* ---- arguments ------------------------------------------------------------ */

static bool get_uint(JsonObject *args, const char *name, uint64_t max,
                     uint64_t *val, bool required, Error **errp)
{
    JsonNode *n = json_object_get_member(args, name);
    gint64 v;

    if (!n) {
        if (required) {
            error_setg(errp, "Parameter '%s' is missing", name);
            return false;
        }
        return true;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_INT64) {
        error_setg(errp, "Invalid parameter type for '%s', expected: integer",
                   name);
        return false;
    }
    v = json_node_get_int(n);
    if (v < 0 || (uint64_t)v > max) {
        error_setg(errp, "Parameter '%s' expects a value between 0 and %"
                   PRIu64, name, max);
        return false;
    }
    *val = v;
    return true;
}

static bool get_bool(JsonObject *args, const char *name, bool *val,
                     Error **errp)
{
    JsonNode *n = json_object_get_member(args, name);

    if (!n) {
        return true;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
        error_setg(errp, "Invalid parameter type for '%s', expected: boolean",
                   name);
        return false;
    }
    *val = json_node_get_boolean(n);
    return true;
}

static IOMMUFDEmulatedHost *get_host(JsonObject *args, Error **errp)
{
    IOMMUFDBackend *be;
    const char *id;

    if (!json_object_has_member(args, "iommufd")) {
        error_setg(errp, "Parameter 'iommufd' is missing");
        return NULL;
    }
    id = json_object_get_string_member(args, "iommufd");
    be = id ? object_registry_lookup(id, TYPE_IOMMUFD_BACKEND) : NULL;
    if (!be) {
        error_setg(errp, "iommufd '%s' not found", id ? id : "");
        return NULL;
    }
    if (be->kops != &iommufd_emulated_ops) {
        error_setg(errp, "iommufd '%s' is not on the emulated host"
                   " (x-emulated-host=on): host events come from the"
                   " hardware", id);
        return NULL;
    }
    return be->kops_opaque;
}

/* A host event record as the host SMMUv3 would raise it. */
typedef struct HostEvent {
    uint64_t type, addr, ssid;
    bool ssv, rnw, s2, stall;
} HostEvent;

static bool get_event(JsonObject *args, HostEvent *ev, Error **errp)
{
    /* Defaults: a stage-1 F_TRANSLATION on a read at address 0. */
    *ev = (HostEvent) { .type = 0x10, .rnw = true };
    return get_uint(args, "type", 0xff, &ev->type, false, errp) &&
           get_uint(args, "addr", UINT64_MAX, &ev->addr, false, errp) &&
           get_uint(args, "ssid", 0xfffff, &ev->ssid, false, errp) &&
           get_bool(args, "ssv", &ev->ssv, errp) &&
           get_bool(args, "rnw", &ev->rnw, errp) &&
           get_bool(args, "s2", &ev->s2, errp) &&
           get_bool(args, "stall", &ev->stall, errp);
}

static void encode(const HostEvent *ev, uint32_t psid, uint64_t ipa,
                   uint64_t evt[4])
{
    evt[0] = ev->type | ((uint64_t)ev->ssv << 11) | (ev->ssid << 12) |
             ((uint64_t)psid << 32);
    /* Word 3 of the record: RnW [3], S2 [7], CLASS [9:8] = IN (2). */
    evt[1] = ((uint64_t)ev->stall << 31) | ((uint64_t)ev->rnw << 35) |
             ((uint64_t)ev->s2 << 39) | (2ull << 40);
    evt[2] = ev->addr;
    evt[3] = ipa;
}

/* ---- x-vsmmu-inject-host-event ----------------------------------------------- */

static JsonNode *qmp_x_inject(JsonObject *args, Error **errp)
{
    static const char *const allowed[] = {
        "iommufd", "psid", "type", "addr", "ssid", "ssv", "rnw", "s2",
        "stall", "count", "ipa", "addr-step", NULL,
    };
    IOMMUFDEmulatedHost *host;
    uint64_t psid, count = 1, ipa = 0, step = 0;
    uint64_t res[3] = { 0 };
    HostEvent ev;
    JsonObject *o;
    JsonNode *node;

    if (!qmp_check_args(args, allowed, errp) ||
        !(host = get_host(args, errp)) ||
        !get_uint(args, "psid", UINT32_MAX, &psid, true, errp) ||
        !get_uint(args, "count", 1u << 24, &count, false, errp) ||
        !get_uint(args, "ipa", UINT64_MAX, &ipa, false, errp) ||
        !get_uint(args, "addr-step", UINT32_MAX, &step, false, errp) ||
        !get_event(args, &ev, errp)) {
        return NULL;
    }
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
    add_u64(o, "queued", res[EMULATED_REPORT_QUEUED]);
    add_u64(o, "overflow", res[EMULATED_REPORT_OVERFLOW]);
    add_u64(o, "host-only", res[EMULATED_REPORT_HOST_ONLY]);
    node = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(node, o);
    return node;
}

/* ---- x-vsmmu-host-event-rate ------------------------------------------------- */

typedef struct Generator {
    IOMMUFDEmulatedHost *host;
    GArray *psids;              /* of uint32_t, round robin */
    HostEvent ev;
    uint64_t count;
    uint64_t rate;              /* events/s; 0: as fast as possible */
    bool timestamp;             /* IPA word = CLOCK_MONOTONIC ns */
    char *tag;
    GThread *thread;
    gint stop;
    gint done;                  /* the thread has finished */
    uint64_t res[3];
} Generator;

static GPtrArray *generators;   /* main thread */

static gpointer generator_run(gpointer opaque)
{
    Generator *g = opaque;
    gint64 t0 = g_get_monotonic_time();
    uint64_t i;

    for (i = 0; i < g->count && !g_atomic_int_get(&g->stop); i++) {
        uint32_t psid = g_array_index(g->psids, uint32_t, i % g->psids->len);
        uint64_t evt[4];
        IOMMUFDEmulatedReport r = EMULATED_REPORT_HOST_ONLY;

        if (g->rate) {
            /* Pace: event i is due at t0 + i / rate. */
            gint64 due = t0 + (gint64)(i * G_USEC_PER_SEC / g->rate);
            gint64 now = g_get_monotonic_time();

            if (due > now) {
                g_usleep(due - now);
            }
        }
        encode(&g->ev, psid,
               g->timestamp ? (uint64_t)g_get_monotonic_time() * 1000 : 0,
               evt);
        iommufd_emulated_report_event(g->host, evt, &r, NULL);
        g->res[r]++;
    }
    {
        JsonObject *data = json_object_new();

        json_object_set_string_member(data, "tag", g->tag);
        add_u64(data, "produced", i);
        add_u64(data, "queued", g->res[EMULATED_REPORT_QUEUED]);
        add_u64(data, "overflow", g->res[EMULATED_REPORT_OVERFLOW]);
        add_u64(data, "host-only", g->res[EMULATED_REPORT_HOST_ONLY]);
        add_u64(data, "usecs", g_get_monotonic_time() - t0);
        qmp_send_event("X_VSMMU_HOST_EVENTS_DONE", data);
        json_object_unref(data);
    }
    g_atomic_int_set(&g->done, 1);
    return NULL;
}

static void generator_free(Generator *g)
{
    g_atomic_int_set(&g->stop, 1);
    g_thread_join(g->thread);
    g_array_free(g->psids, TRUE);
    g_free(g->tag);
    g_free(g);
}

static JsonNode *qmp_x_rate(JsonObject *args, Error **errp)
{
    static const char *const allowed[] = {
        "iommufd", "psids", "type", "addr", "ssid", "ssv", "rnw", "s2",
        "stall", "count", "rate", "timestamp", "tag", NULL,
    };
    g_autofree Generator *g = g_new0(Generator, 1);
    JsonNode *n;
    JsonArray *arr;

    if (!qmp_check_args(args, allowed, errp) ||
        !(g->host = get_host(args, errp)) ||
        !get_uint(args, "count", UINT64_MAX, &g->count, true, errp) ||
        !get_uint(args, "rate", 100000000, &g->rate, false, errp) ||
        !get_bool(args, "timestamp", &g->timestamp, errp) ||
        !get_event(args, &g->ev, errp)) {
        return NULL;
    }
    n = json_object_get_member(args, "psids");
    if (!n || !JSON_NODE_HOLDS_ARRAY(n) ||
        !json_array_get_length(arr = json_node_get_array(n))) {
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
    g->tag = g_strdup(json_object_has_member(args, "tag") ?
                      json_object_get_string_member(args, "tag") : "");
    if (!generators) {
        generators = g_ptr_array_new();
    }
    /* Reap the generators that have finished. */
    for (guint i = 0; i < generators->len;) {
        Generator *old = g_ptr_array_index(generators, i);

        if (g_atomic_int_get(&old->done)) {
            g_ptr_array_remove_index_fast(generators, i);
            generator_free(old);
        } else {
            i++;
        }
    }
    g->thread = g_thread_new("vsmmu-host-events", generator_run, g);
    g_ptr_array_add(generators, g_steal_pointer(&g));
    return NULL;
}

/* ---- x-vsmmu-inject-raw-vevent -------------------------------------------- */

static JsonNode *qmp_x_inject_raw(JsonObject *args, Error **errp)
{
    static const char *const allowed[] = {
        "iommufd", "viommu-id", "words", NULL,
    };
    IOMMUFDEmulatedHost *host;
    IOMMUFDEmulatedReport r;
    uint64_t viommu_id, evt[4];
    JsonNode *n;
    JsonArray *arr;
    JsonObject *o;
    JsonNode *node;

    if (!qmp_check_args(args, allowed, errp) ||
        !(host = get_host(args, errp)) ||
        !get_uint(args, "viommu-id", UINT32_MAX, &viommu_id, true, errp)) {
        return NULL;
    }
    n = json_object_get_member(args, "words");
    if (!n || !JSON_NODE_HOLDS_ARRAY(n) ||
        json_array_get_length(arr = json_node_get_array(n)) != 4) {
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
    node = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(node, o);
    return node;
}

/* ---- x-query-emulated-host ---------------------------------------------- */

static JsonNode *qmp_x_query_host(JsonObject *args, Error **errp)
{
    static const char *const allowed[] = { "iommufd", NULL };
    IOMMUFDEmulatedHost *host;
    IOMMUFDEmulatedStats st;
    JsonObject *o;
    JsonNode *node;

    if (!qmp_check_args(args, allowed, errp) ||
        !(host = get_host(args, errp))) {
        return NULL;
    }
    iommufd_emulated_host_stats(host, &st);
    o = json_object_new();
    add_u64(o, "objects", st.objects);
    add_u64(o, "open-fds", st.open_fds);
    add_u64(o, "reported", st.reported);
    add_u64(o, "queued", st.queued);
    add_u64(o, "overflowed", st.overflowed);
    add_u64(o, "host-only", st.host_only);
    add_u64(o, "ioctls", st.ioctls);
    node = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(node, o);
    return node;
}

void qmp_vsmmu_cleanup(void)
{
    if (generators) {
        for (guint i = 0; i < generators->len; i++) {
            generator_free(g_ptr_array_index(generators, i));
        }
        g_clear_pointer(&generators, g_ptr_array_unref);
    }
    smmuv3_accel_set_lost_notifier(NULL);
}

void qmp_register_vsmmu_commands(void)
{
    qmp_register_command("query-vsmmu", qmp_query_vsmmu);
    qmp_register_command("x-vsmmu-inject-host-event", qmp_x_inject);
    qmp_register_command("x-vsmmu-host-event-rate", qmp_x_rate);
    qmp_register_command("x-query-emulated-host", qmp_x_query_host);
    qmp_register_command("x-vsmmu-inject-raw-vevent", qmp_x_inject_raw);
    smmuv3_accel_set_lost_notifier(notify_lost);
}
