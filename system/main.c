/*
 * vsmmu-daemon: hosts vsmmu device models without a VM and serves QEMU's
 * qtest protocol and QMP.  See docs/system/vsmmu-daemon.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/runstate.h"
#include "system/system.h"

int main(int argc, char **argv)
{
    int status = qemu_init(argc, argv);

    if (status < 0) {
        qemu_main_loop_run();
        status = 0;
    }
    qemu_cleanup();
    return status;
}
