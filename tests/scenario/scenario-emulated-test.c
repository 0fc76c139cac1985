/*
 * The vSMMU scenario (scenario.h) on the embedded emulated host, in
 * "make check": the daemon with "-object iommufd,x-emulated-host=on" and
 * a vfio-pci device with the physical StreamID the real edu has in the
 * arm64 VM.  Faults are injected with x-vsmmu-inject-host-event carrying
 * the fields the real arm-smmu-v3 reports for edu's DMA: F_TRANSLATION,
 * RnW for a read, the IOVA of each 4-byte piece, CLASS=IN; all records of
 * one DMA in one command (addr-step), back to back as the real SMMU
 * raises them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "scenario.h"

#define PSID    0x08    /* edu's StreamID on the arm64 test bed */

static Scenario sc;

void scenario_fail(const char *file, int line, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_assertion_message(G_LOG_DOMAIN, file, line, "scenario", msg);
    abort();
}

void scenario_note(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_test_message("%s", msg);
}

static char *emulated_args(Scenario *s)
{
    return g_strdup_printf(
        "-machine virt -m %llu "
        "-object iommufd,id=iommufd0,x-emulated-host=on "
        "-device arm-smmuv3,primary-bus=pcie.0,accel=on,id=smmu0 "
        "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=%u,addr=1,"
        "id=hostdev0", SCENARIO_RAM_SIZE >> 20, PSID);
}

/* One access of BYTES at ADDR: a record per 4 bytes, back to back. */
static void inject(Scenario *s, uint64_t addr, unsigned bytes, bool rnw,
                   bool s2)
{
    json_object_unref(scenario_qmp_ok(s, qtest_qmp(s->qts,
        "{'execute': 'x-vsmmu-inject-host-event', 'arguments': {"
        " 'iommufd': 'iommufd0', 'psid': %u, 'type': 16,"
        " 'addr': %" PRIu64 ", 'addr-step': 4, 'count': %u,"
        " 'rnw': %s, 's2': %s}}",
        PSID, addr, bytes / 4, rnw ? "true" : "false",
        s2 ? "true" : "false"),
        "x-vsmmu-inject-host-event"));
}

static void emulated_fault(Scenario *s, uint64_t iova, bool read,
                           unsigned bytes)
{
    inject(s, iova, bytes, read, false);
}

/* As the real SMMU faults fetching an unmapped CD: S2, once per half. */
static bool emulated_s2_fault(Scenario *s, uint64_t iova)
{
    inject(s, iova, 8, true, true);
    return true;
}

static const ScenarioHost emulated = {
    .kernel = "emulated",
    .daemon_args = emulated_args,
    .fault = emulated_fault,
    .s2_fault = emulated_s2_fault,
};

static void step_start(void) { scenario_start(&sc); }
static void step_bringup(void) { scenario_bringup(&sc); }
static void step_ste_s1(void) { scenario_ste_s1(&sc); }
static void step_fault(void) { scenario_fault(&sc); }
static void step_s2_fault(void) { g_assert_true(scenario_s2_fault(&sc)); }
static void step_eventqen(void) { scenario_eventqen_cycle(&sc); }
static void step_overflow(void) { scenario_overflow(&sc); }
static void step_burst(void) { scenario_burst(&sc); }
static void step_device_del(void) { scenario_device_del(&sc); }
static void step_quit(void) { scenario_quit(&sc); }

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    sc.host = &emulated;
    g_test_add_func("/scenario/emulated/start", step_start);
    g_test_add_func("/scenario/emulated/eventqen", step_bringup);
    g_test_add_func("/scenario/emulated/ste-s1", step_ste_s1);
    g_test_add_func("/scenario/emulated/fault", step_fault);
    g_test_add_func("/scenario/emulated/s2-fault", step_s2_fault);
    g_test_add_func("/scenario/emulated/eventqen-cycle", step_eventqen);
    g_test_add_func("/scenario/emulated/overflow", step_overflow);
    g_test_add_func("/scenario/emulated/burst", step_burst);
    g_test_add_func("/scenario/emulated/device-del", step_device_del);
    g_test_add_func("/scenario/emulated/quit", step_quit);
    return g_test_run();
}
