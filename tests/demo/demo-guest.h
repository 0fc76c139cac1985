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
    uint64_t base;              /* the SMMU's MMIO page 0 */
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
/* The same, IOT_EXTRA appended to io0's options (",poll-max-ns=0"). */
char *demo_cmdline_iothread(const char *smmu_extra, const char *iot_extra);
/* Start the daemon with cmdline and bring the vSMMU up; false on error. */
bool demo_guest_start(DemoGuest *g, const char *cmdline, unsigned log2size);
/*
 * The same, the vEVENTQ read by the test bed's reader (NULL: vsmmu's),
 * named as demo_select_reader() takes it.
 */
bool demo_guest_start_reader(DemoGuest *g, const char *cmdline,
                             unsigned log2size, const char *reader);
void demo_guest_stop(DemoGuest *g);
/*
 * x-testbed-veventq-reader: "vsmmu" or "upstream", with ",timed" the
 * test bed's latency timestamps around it (x-testbed-latency).
 */
void demo_select_reader(QTestState *qts, const char *reader);
/*
 * Bring up the vSMMU at base on a running daemon (qts), its queues in
 * guest RAM [ram_base, +ram_size), devs[0..n) in stage 1: for a second
 * vSMMU of one daemon.  demo_guest_start() does this for the first.
 */
bool demo_guest_bringup(DemoGuest *g, QTestState *qts, uint64_t base,
                        uint64_t ram_base, uint64_t ram_size,
                        const DemoDevice *devs, int n, unsigned log2size);
void demo_guest_free(DemoGuest *g);   /* what bringup allocated */
/*
 * Consume everything without reading it (CONS = PROD, overflow
 * acknowledged): one read and one write, which re-arms the interrupt.
 */
void demo_guest_ack(DemoGuest *g);
/*
 * One pass over the event queue: call fn for each new entry (host-endian
 * words), acknowledge overflow, write CONS.  Returns the entries read.
 */
size_t demo_guest_drain(DemoGuest *g,
                        void (*fn)(const uint32_t w[8], void *opaque),
                        void *opaque);
/*
 * Start the host event generator (x-vsmmu-host-event-rate): count stage-1
 * translation faults, round robin over the two devices, event i at IOVA
 * 0x200000 + i * 4 KiB; rate per second, 0 as fast as the host can.
 */
void demo_start_events(QTestState *qts, int64_t count, int64_t rate);

#endif
