/*
 * The test bed linked into vsmmu-daemon-testbed (and only there): the
 * host-event generators, the upstream-reader model and the latency
 * timestamps the tests, the demo and the benchmark drive over QMP.  See
 * docs/devel/testing.rst and docs/devel/performance.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_TESTBED_TESTBED_H
#define TESTS_TESTBED_TESTBED_H

#include <json-glib/json-glib.h>
#include "hw/arm/smmuv3-accel.h"
#include "system/iommufd-emulated.h"

/* host-events.c: x-vsmmu-inject-host-event, -host-event-rate, -raw-vevent */
void testbed_register_generators(void);
/* Stop and join the generator threads (before the hosts are freed). */
void testbed_generators_cleanup(void);
/*
 * Add to out what fn makes of the raise log (of TestbedRaised) of every
 * generator that took timestamps and has finished.  Main thread.
 */
typedef JsonObject *TestbedLogFunc(void *host, const char *tag,
                                   GArray *log);
void testbed_generators_foreach_log(TestbedLogFunc *fn, JsonArray *out);

/* upstream-reader.c: x-testbed-veventq-reader, and the model itself */
void testbed_register_reader(void);
void testbed_reader_cleanup(void);
void *testbed_upstream_reader_start(const VeventqReaderConfig *cfg,
                                    IOThread *iot, Error **errp);
void testbed_upstream_reader_stop(void *reader);

/* latency.c: x-testbed-latency */
void testbed_register_latency(void);
/* After qemu_cleanup(). */
void testbed_latency_cleanup(void);
/* The reader seam's factory that takes timestamps around either reader. */
const SMMUv3AccelReaderFactory *testbed_timed_factory(bool upstream);
/* Timed readers selected: generators log what they raise. */
void testbed_latency_enable(bool on);
bool testbed_latency_enabled(void);
int64_t testbed_now_ns(void);  /* CLOCK_MONOTONIC */

/* Records a generator raised and the host queued: seq .. seq + n - 1. */
typedef struct TestbedRaised {
    int64_t t;                  /* testbed_now_ns() when raised */
    uint32_t veventq_id;
    uint32_t seq;
    uint32_t n;
    bool slow;                  /* the raising took long (lock, preempted) */
} TestbedRaised;

/*
 * Append the queued records of one batch raised from t to t_end (when
 * iommufd_emulated_report_events() returned).
 */
void testbed_raise_log_add(GArray *log, int64_t t, int64_t t_end,
                           const IOMMUFDEmulatedReportInfo *info, size_t n);

#endif /* TESTS_TESTBED_TESTBED_H */
