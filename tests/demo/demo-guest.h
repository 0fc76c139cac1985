/*
 * The guest side shared by vsmmu-demo and vsmmu-bench: start
 * vsmmu-daemon, bring the vSMMU up over qtest like Linux, put the
 * devices in stage-1 translation, and drain the event queue in
 * whole-ring chunks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_DEMO_DEMO_GUEST_H
#define TESTS_DEMO_DEMO_GUEST_H

#include "libqtest.h"
#include "vsmmu-query.h"
#include "libqos/smmuv3-driver.h"

#define DEMO_SMMU_BASE  0x0c000000ull
#define DEMO_RAM_BASE   0x40000000ull
#define DEMO_RAM_SIZE   (256ull << 20)
#define DEMO_NDEVS      2

typedef struct DemoDevice {
    uint32_t psid, vsid;
    const char *bdf;
} DemoDevice;

extern const DemoDevice demo_devs[DEMO_NDEVS];

typedef struct DemoGuest {
    QTestState *qts;
    QOSBus bus;
    QSMMUv3 d;
    unsigned log2size;
    uint32_t cons;
    uint32_t *ring;
    int64_t consumed;
    int64_t overflows;
} DemoGuest;


/*
 * The daemon to drive: path (from --daemon) if not NULL, else
 * $VSMMU_DAEMON, else the one configured at build time (VSMMU_DEMO_DAEMON,
 * the installed location).  Makes libqtest start it; on error (not an
 * executable) prints why, naming the program, and returns NULL.
 */
const char *demo_set_daemon(const char *prog, const char *path);
/* The emulated-host command line; extra is appended to the SMMU's. */
char *demo_cmdline(const char *smmu_extra);
/* Start the daemon with cmdline and bring the vSMMU up; false on error. */
bool demo_guest_start(DemoGuest *g, const char *cmdline, unsigned log2size);
/* The same, the vEVENTQ read by the test bed's reader (NULL: vsmmu's). */
bool demo_guest_start_reader(DemoGuest *g, const char *cmdline,
                             unsigned log2size, const char *reader);
void demo_guest_stop(DemoGuest *g);
/*
 * One pass over the event queue: call fn for each new entry (host-endian
 * words), acknowledge overflow, write CONS.  Returns the entries read.
 */
size_t demo_guest_drain(DemoGuest *g,
                        void (*fn)(const uint32_t w[8], void *opaque),
                        void *opaque);
/* Start the host event generator (x-vsmmu-host-event-rate). */
void demo_start_events(QTestState *qts, int64_t count, int64_t rate,
                       bool timestamp);

#endif
