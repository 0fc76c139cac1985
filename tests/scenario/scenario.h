/*
 * One vSMMU scenario, two hosts.
 *
 * The steps below drive vsmmu-daemon like a guest (libqtest + the libqos
 * SMMUv3 driver) and check what the guest sees, byte for byte, and what
 * query-vsmmu says.  They run unchanged against the real Linux iommufd and
 * arm-smmu-v3 driver inside the arm64 VM (tests/arm64/test-daemon.c) and
 * against the embedded emulated host in "make check"
 * (tests/scenario/scenario-emulated-test.c), so any difference between the
 * emulated host and the real driver is a failing test.
 *
 * What differs per host is in ScenarioHost: the daemon's command line,
 * the expected "kernel" of query-vsmmu, and how a device fault is caused.
 * The runner also provides scenario_fail(), the way a failed check ends
 * the current step.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SCENARIO_H
#define TESTS_SCENARIO_H

#include "libqtest.h"
#include "libqos/smmuv3-driver.h"

#define SCENARIO_SMMU_BASE  0x0c000000ull
#define SCENARIO_RAM_BASE   0x40000000ull
#define SCENARIO_RAM_SIZE   (64ull << 20)
#define SCENARIO_VSID       0x08    /* pcie.0, slot 1 */

typedef struct Scenario Scenario;

typedef struct ScenarioHost {
    const char *kernel;         /* query-vsmmu "kernel" with a vIOMMU */
    char *(*daemon_args)(Scenario *s);
    /*
     * The device accesses BYTES bytes at IOVA (a read if READ), which the
     * guest's stage-1 table lacks.  The host SMMU records one
     * F_TRANSLATION per 4 bytes (QEMU's edu splits its DMA so).
     */
    void (*fault)(Scenario *s, uint64_t iova, bool read, unsigned bytes);
    /*
     * A stage-2 fault of the device (the host keeps it); false if this
     * host cannot cause one.
     */
    bool (*s2_fault)(Scenario *s, uint64_t iova);
} ScenarioHost;

struct Scenario {
    const ScenarioHost *host;
    void *opaque;               /* the host's */
    QTestState *qts;
    QOSBus bus;
    QSMMUv3 d;
    int64_t produced;           /* records the host SMMU made for the guest */
    int64_t first_veventq;
    bool exited;
};

/* Provided by the runner: fail the current step. */
void scenario_fail(const char *file, int line, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4) G_GNUC_NORETURN;
/* Provided by the runner: a diagnostic line. */
void scenario_note(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#define SC_ASSERT(cond, ...) \
    do { \
        if (!(cond)) { \
            scenario_fail(__FILE__, __LINE__, "(" #cond ") " __VA_ARGS__); \
        } \
    } while (0)

/* QMP for the hosts' fault hooks: RSP must succeed; the caller unrefs. */
JsonObject *scenario_qmp_ok(Scenario *s, JsonObject *rsp, const char *what);

/* The steps, in order; each needs the previous ones to have passed. */
void scenario_start(Scenario *s);          /* daemon up, one device */
void scenario_bringup(Scenario *s);        /* EVENTQEN: a vEVENTQ */
void scenario_ste_s1(Scenario *s);         /* nested HWPT, vDEVICE */
void scenario_fault(Scenario *s);          /* read and write faults */
/* False (nothing done) if the host cannot cause a stage-2 fault. */
bool scenario_s2_fault(Scenario *s);       /* stays on the host */
void scenario_eventqen_cycle(Scenario *s); /* new vEVENTQ, depth 2 */
void scenario_overflow(Scenario *s);       /* OVFLG, conservation */
void scenario_burst(Scenario *s);          /* 16 records at once */
void scenario_device_del(Scenario *s);     /* vIOMMU and vEVENTQ gone */
void scenario_quit(Scenario *s);           /* daemon exits 0 */

#endif
