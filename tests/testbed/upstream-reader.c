/*
 * A model of upstream QEMU's vEVENTQ reader, the baseline of "make bench"
 * (docs/devel/performance.rst): a main-loop fd handler reading one record
 * per read() per dispatch and handing it to the vSMMU as a batch of one
 * (one guest entry and one interrupt per record).  Everything after the
 * read is vsmmu's code, so the comparison isolates the reading strategy.
 *
 * It plugs into the vSMMU's test seam (smmuv3_accel_set_test_reader_
 * factory(), include/hw/arm/smmuv3-accel.h), selected with the test-bed
 * command x-testbed-veventq-reader {"reader": "upstream"|"vsmmu",
 * "timed": BOOL}; it applies to the vEVENTQs allocated afterwards.  With
 * "timed", either reader is wrapped by latency.c's, which takes the
 * host-side timestamps.
 *
 * Main thread only: the command, the factory and the fd handler.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include "qapi/error.h"
#include "hw/arm/smmuv3-accel.h"
#include "system/qmp.h"
#include "testbed.h"
#include <json-glib/json-glib.h>

typedef struct UpstreamReader {
    VeventqReaderConfig cfg;
    GSource *src;
    uint8_t *rec;               /* one header and one payload */
} UpstreamReader;

static gboolean upstream_read(gint fd, GIOCondition cond, gpointer opaque)
{
    UpstreamReader *r = opaque;
    struct iommufd_vevent_header hdr;
    size_t len = sizeof(hdr) + r->cfg.payload_size;
    ssize_t n = iommufd_backend_read_veventq(r->cfg.be, fd, r->rec, len);
    uint32_t seqs[1];
    VeventqBatch b = {
        .payloads = r->rec + sizeof(hdr), .sequences = seqs,
        .record_size = r->cfg.payload_size,
    };

    memcpy(&hdr, r->rec, sizeof(hdr));
    if (n == sizeof(hdr) && (hdr.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS)) {
        return G_SOURCE_CONTINUE;   /* upstream logs it; nothing else */
    }
    if (n != (ssize_t)len) {
        return G_SOURCE_CONTINUE;
    }
    seqs[0] = hdr.sequence;
    b.n_records = 1;
    r->cfg.batch_cb(r->cfg.opaque, &b);
    return G_SOURCE_CONTINUE;
}

void *testbed_upstream_reader_start(const VeventqReaderConfig *cfg,
                                    IOThread *iot, Error **errp)
{
    UpstreamReader *r = g_new0(UpstreamReader, 1);

    r->cfg = *cfg;
    r->rec = g_malloc0(sizeof(struct iommufd_vevent_header) +
                       cfg->payload_size);
    r->src = g_unix_fd_source_new(cfg->fd, G_IO_IN);
    g_source_set_callback(r->src, G_SOURCE_FUNC(upstream_read), r, NULL);
    g_source_attach(r->src, NULL);
    return r;
}

void testbed_upstream_reader_stop(void *opaque)
{
    UpstreamReader *r = opaque;

    g_source_destroy(r->src);
    g_source_unref(r->src);
    g_free(r->rec);
    g_free(r);
}

static const SMMUv3AccelReaderFactory upstream_factory = {
    .name = "upstream",
    .start = testbed_upstream_reader_start,
    .stop = testbed_upstream_reader_stop,
};

static const QmpArg reader_args[] = {
    { "reader", QMP_ARG_STR, .required = true },
    { "timed", QMP_ARG_BOOL },
    { NULL }
};

static JsonNode *qmp_x_testbed_reader(JsonObject *args, Error **errp)
{
    const char *name = qmp_arg_str(args, "reader", "");
    bool timed = qmp_arg_bool(args, "timed", false);
    bool upstream = !strcmp(name, "upstream");

    if (upstream || !strcmp(name, "vsmmu")) {
        smmuv3_accel_set_test_reader_factory(
            timed ? testbed_timed_factory(upstream) :
            upstream ? &upstream_factory : NULL);
        testbed_latency_enable(timed);
    } else {
        error_setg(errp, "Parameter 'reader' expects 'upstream' or 'vsmmu',"
                   " not '%s'", name);
        return NULL;
    }
    return NULL;
}

void testbed_register_reader(void)
{
    qmp_register_command_args("x-testbed-veventq-reader",
                              qmp_x_testbed_reader, reader_args);
}

void testbed_reader_cleanup(void)
{
    smmuv3_accel_set_test_reader_factory(NULL);
}
