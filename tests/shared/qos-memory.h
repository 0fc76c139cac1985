/*
 * A QOSBus over an in-process AddressSpace: the guest-driver models of
 * tests/qtest/libqos drive device models in unit tests through the memory
 * API, as they drive vsmmu-daemon over qtest.  Every access must succeed
 * (asserted).  Interrupt lines read as low: the devices pulse them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SHARED_QOS_MEMORY_H
#define TESTS_SHARED_QOS_MEMORY_H

#include "system/memory.h"
#include "libqos/qos-bus.h"

void qos_memory_bus_init(QOSBus *bus, AddressSpace *as);

#endif /* TESTS_SHARED_QOS_MEMORY_H */
