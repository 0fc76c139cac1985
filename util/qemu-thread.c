/*
 * Thread naming (-name debug-threads=on): owns the one switch, written
 * before any thread starts (see include/qemu/thread.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/thread.h"

static bool name_threads;

void qemu_thread_naming(bool enable)
{
    name_threads = enable;
}

bool qemu_thread_naming_enabled(void)
{
    return name_threads;
}
