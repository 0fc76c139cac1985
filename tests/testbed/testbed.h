/*
 * The test bed linked into vsmmu-daemon-testbed (and only there): the
 * host-event generators and the upstream-reader model the tests, the demo
 * and the benchmark drive over QMP.  See docs/devel/testing.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_TESTBED_TESTBED_H
#define TESTS_TESTBED_TESTBED_H

/* host-events.c: x-vsmmu-inject-host-event, -host-event-rate, -raw-vevent */
void testbed_register_generators(void);
/* Stop and join the generator threads (before the hosts are freed). */
void testbed_generators_cleanup(void);

/* upstream-reader.c: x-testbed-veventq-reader */
void testbed_register_reader(void);
void testbed_reader_cleanup(void);

#endif /* TESTS_TESTBED_TESTBED_H */
