/*
 * The reply of QMP query-vsmmu, parsed once for every client.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "vsmmu-query.h"

static int64_t member(JsonObject *o, const char *name)
{
    return o && json_object_has_member(o, name) ?
           json_object_get_int_member(o, name) : 0;
}

void vsmmu_query_parse(JsonObject *o, VSMMUQuery *q)
{
    JsonArray *devs = json_object_has_member(o, "devices") ?
                      json_object_get_array_member(o, "devices") : NULL;
    JsonObject *dev = devs && json_array_get_length(devs) ?
                      json_array_get_object_element(devs, 0) : NULL;
    JsonObject *c = json_object_has_member(o, "counters") ?
                    json_object_get_object_member(o, "counters") : NULL;

    *q = (VSMMUQuery) {
        .viommu_id = member(o, "viommu-id"),
        .veventq_id = member(o, "veventq-id"),
        .veventq_depth = member(o, "veventq-depth"),
        .ndevices = devs ? json_array_get_length(devs) : 0,
        .vsid = member(dev, "vsid"),
        .hwpt_id = member(dev, "hwpt-id"),
        .vdevice_id = member(dev, "vdevice-id"),
        .dev_id = member(dev, "dev-id"),
        .delivered = member(c, "delivered"),
        .host_lost = member(c, "host-lost"),
        .overflow = member(c, "guest-overflow-dropped"),
        .disabled = member(c, "guest-disabled-dropped"),
        .abort = member(c, "guest-abort"),
        .unowned = member(c, "dropped-unowned"),
        .discarded = member(c, "discarded-at-disable"),
    };
}

VSMMUQuery vsmmu_query(QTestState *qts)
{
    JsonObject *rsp = qtest_qmp(qts, "{'execute': 'query-vsmmu'}");
    JsonArray *arr = json_node_get_array(qtest_qmp_assert_success(rsp));
    VSMMUQuery q;

    g_assert_cmpuint(json_array_get_length(arr), ==, 1);
    vsmmu_query_parse(json_array_get_object_element(arr, 0), &q);
    json_object_unref(rsp);
    return q;
}

int64_t vsmmu_query_accounted(const VSMMUQuery *q)
{
    return q->delivered + q->host_lost + q->overflow + q->disabled +
           q->abort + q->unowned + q->discarded;
}
