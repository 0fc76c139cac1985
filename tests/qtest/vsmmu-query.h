/*
 * The reply of QMP query-vsmmu, parsed once for every client (qtests,
 * the shared scenario, the demo and the benchmark).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_QTEST_VSMMU_QUERY_H
#define TESTS_QTEST_VSMMU_QUERY_H

#include "libqtest.h"

typedef struct VSMMUQuery {
    int64_t viommu_id, veventq_id, veventq_depth, ndevices;
    /* The first device's, 0 without devices. */
    int64_t vsid, hwpt_id, vdevice_id;
    int64_t dev_id;             /* its iommufd device object */
    /* counters */
    int64_t delivered, host_lost, overflow, disabled, abort, unowned;
    int64_t discarded;          /* left in the vEVENTQ when it was freed */
} VSMMUQuery;

/* Fill q from one element of query-vsmmu's list; absent numbers are 0. */
void vsmmu_query_parse(JsonObject *smmu, VSMMUQuery *q);
/* query-vsmmu on a machine with one vSMMU (asserted). */
VSMMUQuery vsmmu_query(QTestState *qts);
/* Host records in any counter: delivered, lost, dropped or discarded. */
int64_t vsmmu_query_accounted(const VSMMUQuery *q);

#endif
