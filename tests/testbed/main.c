/*
 * vsmmu-daemon-testbed: vsmmu-daemon plus the test bed (testbed.h), for
 * tests, the demo and the benchmark.  Not installed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/runstate.h"
#include "system/system.h"
#include "testbed.h"

int main(int argc, char **argv)
{
    int status;

    testbed_register_generators();
    testbed_register_reader();
    testbed_register_latency();
    status = qemu_init(argc, argv);
    if (status < 0) {
        qemu_main_loop_run();
        status = 0;
    }
    /* Generators use the emulated hosts qemu_cleanup() frees. */
    testbed_generators_cleanup();
    testbed_reader_cleanup();
    qemu_cleanup();
    testbed_latency_cleanup();
    return status;
}
