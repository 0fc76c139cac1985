/*
 * QMP for the accelerated vSMMU and the embedded emulated host:
 * query-vsmmu, x-query-emulated-host (what the emulated host holds, for a
 * user who chose it) and the VSMMU_EVENTS_LOST event.  Host-event
 * generators are test scaffolding and live in the test bed
 * (tests/testbed/, vsmmu-daemon-testbed).
 *
 * Main thread only: command handlers, and the lost-event notifier, which
 * the vSMMU runs from the main loop (include/hw/arm/smmuv3-accel.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/arm/smmuv3-accel.h"
#include "hw/arm/smmuv3-translate.h"
#include "system/iommufd-emulated.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/qmp-vsmmu.h"
#include "trace.h"
#include <json-glib/json-glib.h>

/* ---- query-vsmmu ---------------------------------------------------------- */

static JsonArray *vsmmu_devices(const SMMUv3AccelInfo *info)
{
    JsonArray *devs = json_array_new();

    for (guint i = 0; i < info->devices->len; i++) {
        SMMUv3AccelDeviceInfo *d = &g_array_index(info->devices,
                                                  SMMUv3AccelDeviceInfo, i);
        JsonObject *e = json_object_new();

        json_object_set_string_member(e, "name", d->name);
        qmp_set_u64(e, "vsid", d->vsid);
        if (d->host_sid != UINT32_MAX) {
            qmp_set_u64(e, "host-sid", d->host_sid);
        }
        qmp_set_u64(e, "dev-id", d->devid);
        qmp_set_u64(e, "vdevice-id", d->vdev_id);
        qmp_set_u64(e, "hwpt-id", d->hwpt_id);
        json_array_add_object_element(devs, e);
    }
    return devs;
}

static JsonObject *vsmmu_counters(const SMMUv3AccelStats *st)
{
    JsonObject *c = json_object_new();

    qmp_set_u64(c, "delivered", st->delivered);
    qmp_set_u64(c, "host-lost", st->host_lost);
    qmp_set_u64(c, "guest-overflow-dropped", st->guest_overflow_dropped);
    qmp_set_u64(c, "guest-disabled-dropped", st->guest_disabled_dropped);
    qmp_set_u64(c, "guest-abort", st->guest_abort);
    qmp_set_u64(c, "dropped-unowned", st->dropped_unowned);
    qmp_set_u64(c, "discarded-at-disable", st->discarded_at_disable);
    qmp_set_u64(c, "invalidations", st->invalidations);
    qmp_set_u64(c, "inval-early-flushes", st->inval_early_flushes);
    qmp_set_u64(c, "read-errors", st->read_errors);
    qmp_set_u64(c, "batches", st->batches);
    if (st->seq_valid) {
        qmp_set_u64(c, "last-sequence", st->last_seq);
    }
    return c;
}

JsonObject *qmp_vsmmu_translation(SMMUv3State *s)
{
    JsonObject *c = json_object_new();
    SMMUTransStats st;

    smmuv3_get_trans_stats(s, &st);
    qmp_set_u64(c, "translated", st.translated);
    qmp_set_u64(c, "bypassed", st.bypassed);
    qmp_set_u64(c, "aborted", st.aborted);
    qmp_set_u64(c, "faulted", st.faulted);
    qmp_set_u64(c, "events", st.events);
    qmp_set_u64(c, "events-suppressed", st.events_suppressed);
    qmp_set_u64(c, "cfg-hits", st.cfg_hits);
    qmp_set_u64(c, "cfg-misses", st.cfg_misses);
    qmp_set_u64(c, "cfg-evictions", st.cfg_evictions);
    qmp_set_u64(c, "cfg-invalidated", st.cfg_invalidated);
    qmp_set_u64(c, "cfg-entries", st.cfg_entries);
    qmp_set_u64(c, "iotlb-hits", st.iotlb_hits);
    qmp_set_u64(c, "iotlb-misses", st.iotlb_misses);
    qmp_set_u64(c, "iotlb-evictions", st.iotlb_evictions);
    qmp_set_u64(c, "iotlb-invalidated", st.iotlb_invalidated);
    qmp_set_u64(c, "iotlb-entries", st.iotlb_entries);
    return c;
}

static void vsmmu_accel_members(JsonObject *o, const SMMUv3AccelInfo *info)
{
    if (info->kernel) {
        json_object_set_string_member(o, "kernel", info->kernel);
    }
    qmp_set_u64(o, "viommu-id", info->viommu_id);
    qmp_set_u64(o, "veventq-id", info->veventq_id);
    qmp_set_u64(o, "veventq-depth", info->veventq_depth);
    json_object_set_string_member(o, "veventq-state", info->veventq_state);
    qmp_set_u64(o, "inval-pending", info->inval_pending);
    json_object_set_string_member(o, "iothread", info->iothread);
    json_object_set_array_member(o, "devices", vsmmu_devices(info));
    json_object_set_object_member(o, "counters", vsmmu_counters(&info->stats));
}

static void vsmmu_entry(DeviceState *dev, void *opaque)
{
    JsonArray *list = opaque;
    SMMUv3State *s;
    SMMUv3AccelInfo info;
    JsonObject *o;

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
    /* cmdqv=auto resolves to off: vsmmu has no Tegra241 CMDQV. */
    json_object_set_string_member(o, "cmdqv", "off");
    json_object_set_string_member(o, "cmdqv-requested",
                                  s->cmdqv == ON_OFF_AUTO_AUTO ? "auto"
                                                               : "off");
    if (s->pbus) {
        json_object_set_string_member(o, "primary-bus", s->pbus->id);
    }
    json_object_set_object_member(o, "translation", qmp_vsmmu_translation(s));
    smmuv3_accel_get_info(s, &info);
    if (s->accel) {
        vsmmu_accel_members(o, &info);
    }
    smmuv3_accel_info_free(&info);
    json_array_add_object_element(list, o);
}

static const QmpArg no_args[] = { { NULL } };

static JsonNode *qmp_query_vsmmu(JsonObject *args, Error **errp)
{
    JsonArray *list;
    JsonNode *node;

    list = json_array_new();
    machine_foreach_device(vsmmu_entry, list);
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, list);
    return node;
}

/* A lost-event notifier: runs on the main thread (smmuv3-accel.h). */
static void notify_lost(SMMUv3AccelLostNotifier *n, SMMUv3State *s,
                        uint64_t lost, uint64_t total)
{
    JsonObject *data = json_object_new();
    DeviceState *dev = &s->parent_obj;

    if (dev->id) {
        json_object_set_string_member(data, "id", dev->id);
    }
    json_object_set_string_member(data, "path", machine_device_path(dev));
    qmp_set_u64(data, "lost", lost);
    qmp_set_u64(data, "total", total);
    qmp_send_event("VSMMU_EVENTS_LOST", data);
    json_object_unref(data);
}

static SMMUv3AccelLostNotifier lost_notifier = { .notify = notify_lost };

/* ---- the emulated host ----------------------------------------------- */

IOMMUFDEmulatedHost *qmp_vsmmu_emulated_host(JsonObject *args, Error **errp)
{
    const char *id = qmp_arg_str(args, "iommufd", "");
    IOMMUFDBackend *be = object_registry_lookup(id, TYPE_IOMMUFD_BACKEND);

    /* The caller's QmpArg table requires "iommufd" as a string. */
    if (!be) {
        error_setg(errp, "iommufd '%s' not found", id);
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

/* ---- x-query-emulated-host ---------------------------------------------- */

static const QmpArg query_host_args[] = {
    { "iommufd", QMP_ARG_STR, .required = true },
    { NULL }
};

static JsonNode *qmp_x_query_host(JsonObject *args, Error **errp)
{
    IOMMUFDEmulatedHost *host = qmp_vsmmu_emulated_host(args, errp);
    IOMMUFDEmulatedStats st;
    JsonObject *o;

    if (!host) {
        return NULL;
    }
    iommufd_emulated_host_stats(host, &st);
    o = json_object_new();
    qmp_set_u64(o, "objects", st.objects);
    qmp_set_u64(o, "open-fds", st.open_fds);
    qmp_set_u64(o, "reported", st.reported);
    qmp_set_u64(o, "queued", st.queued);
    qmp_set_u64(o, "overflowed", st.overflowed);
    qmp_set_u64(o, "host-only", st.host_only);
    qmp_set_u64(o, "ioctls", st.ioctls);
    return qmp_object_node(o);
}

void qmp_vsmmu_cleanup(void)
{
    smmuv3_accel_remove_lost_notifier(&lost_notifier);
}

void qmp_register_vsmmu_commands(void)
{
    qmp_register_command_args("query-vsmmu", qmp_query_vsmmu, no_args);
    qmp_register_command_args("x-query-emulated-host", qmp_x_query_host,
                              query_host_args);
    smmuv3_accel_add_lost_notifier(&lost_notifier);
}
