/*
 * vsmmu-daemon on the real Linux iommufd and arm-smmu-v3 driver: /init of
 * the arm64 test-bed VM (tests/arm64/run-daemon-test.sh).
 *
 * Binds QEMU's edu device to vfio-pci and runs the vSMMU scenario of
 * tests/scenario (the same steps scenario-emulated-test runs against the
 * embedded emulated host) with "-device vfio-pci,host=<edu>": faults are
 * edu DMAs programmed through the daemon's x-vfio-pci-region.  After the
 * daemon quit, the device must be free again: its cdev binds to a fresh
 * iommufd of this program and attaches to a new IOAS.
 *
 * libqtest starts the daemon through "/bin/sh -c 'exec DAEMON ARGS'" and
 * the VM has no shell: installed as /bin/sh this program is that shell,
 * for exactly that form (no quoting beyond g_shell_parse_argv's).
 *
 * Also built natively by meson (compile coverage only; it never runs on
 * the host).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-common.h"
#include "qapi/error.h"
#include "system/iommufd.h"
#include "system/vfio-cdev-abi.h"
#include "libqtest.h"
#include "scenario.h"
#include "vmlib.h"
#include "edu-vfio.h"

#include <sys/ioctl.h>
#include <sys/wait.h>

#define DAEMON          "/bin/vsmmu-daemon"
/* edu's registers (BAR0) and a DMA to an IOVA its empty table lacks. */
#define EDU_DMA_SRC     0x80
#define EDU_DMA_DST     0x88
#define EDU_DMA_CNT     0x90
#define EDU_DMA_CMD     0x98
#define EDU_DMA_RUN     0x1
#define EDU_DMA_TO_RAM  0x2     /* edu writes (DMA to the IOVA) */
#define EDU_BUFFER      0x40000
#define VFIO_BAR0       0
#define VFIO_CONFIG     7
static struct {
    char bdf[NAME_MAX + 1];
    char cdev[NAME_MAX + 32];
    Scenario sc;
    bool bus_master;
} t;

/* ---- /bin/sh for libqtest ----------------------------------------------- */

static int mini_shell(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    char **av = NULL;
    int n, first = 0;

    if (argc != 3 || strcmp(argv[1], "-c")) {
        fprintf(stderr, "sh: only \"sh -c 'exec PROG ARGS'\" is supported\n");
        return 2;
    }
    if (!g_shell_parse_argv(argv[2], &n, &av, &err)) {
        fprintf(stderr, "sh: %s\n", err->message);
        return 2;
    }
    if (!strcmp(av[0], "exec")) {
        first = 1;
    }
    if (first >= n) {
        return 0;
    }
    execv(av[first], av + first);
    fprintf(stderr, "sh: %s: %s\n", av[first], strerror(errno));
    return 127;
}

/* ---- helpers ------------------------------------------------------------ */

/* ---- the tests ---------------------------------------------------------- */

static void test_bind_vfio(void *opaque)
{
    edu_bind_vfio(t.bdf, sizeof(t.bdf), t.cdev, sizeof(t.cdev));
    vm_note("edu %s bound to vfio-pci, cdev %s", t.bdf, t.cdev);
}

/*
 * VSMMU_DAEMON_TRACE=P1,P2 (run-vm.sh --append, so no spaces): the
 * daemon's trace events on the console, as " -trace P1 -trace P2".
 */
static char *trace_args(void)
{
    const char *env = g_getenv("VSMMU_DAEMON_TRACE");
    g_auto(GStrv) pats = g_strsplit(env ? env : "", ",", -1);
    GString *s = g_string_new("");

    for (char **p = pats; *p; p++) {
        if (**p) {
            g_string_append_printf(s, " -trace %s", *p);
        }
    }
    return g_string_free(s, FALSE);
}

static char *real_args(Scenario *s)
{
    g_autofree char *trace = trace_args();

    return g_strdup_printf(
        "-machine virt -m %llu -object iommufd,id=iommufd0 "
        "-device arm-smmuv3,primary-bus=pcie.0,accel=on,id=smmu0 "
        "-device vfio-pci,host=%s,iommufd=iommufd0,addr=1,id=hostdev0%s",
        SCENARIO_RAM_SIZE >> 20, t.bdf, trace);
}

static uint64_t region(Scenario *s, int index, uint64_t off, int size,
                       bool write, uint64_t val)
{
    g_autofree char *value = write ?
        g_strdup_printf(", 'value': %" PRIu64, val) : g_strdup("");
    JsonObject *rsp = scenario_qmp_ok(s, qtest_qmp(s->qts,
        "{'execute': 'x-vfio-pci-region', 'arguments': {'id': 'hostdev0',"
        " 'region': %d, 'offset': %" PRIu64 ", 'size': %d%s}}",
        index, off, size, value), "x-vfio-pci-region");

    val = json_object_get_int_member(
        json_object_get_object_member(rsp, "return"), "value");
    json_object_unref(rsp);
    return val;
}

/*
 * edu DMAs BYTES between its buffer and IOVA, which the guest's empty
 * stage-1 table lacks: the real SMMU records F_TRANSLATION (per 4-byte
 * half), the kernel forwards it to the daemon's vEVENTQ with the vSID.
 */
static void real_fault(Scenario *s, uint64_t iova, bool read, unsigned bytes)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    if (!t.bus_master) {
        uint16_t cmd;

        SC_ASSERT((region(s, VFIO_BAR0, 0, 4, false, 0) & 0xff) == 0xed,
                  "edu identification register through the daemon");
        cmd = region(s, VFIO_CONFIG, 4, 2, false, 0);
        region(s, VFIO_CONFIG, 4, 2, true, cmd | 0x6); /* memory, master */
        t.bus_master = true;
    }
    region(s, VFIO_BAR0, EDU_DMA_SRC, 8, true, read ? iova : EDU_BUFFER);
    region(s, VFIO_BAR0, EDU_DMA_DST, 8, true, read ? EDU_BUFFER : iova);
    region(s, VFIO_BAR0, EDU_DMA_CNT, 8, true, bytes);
    region(s, VFIO_BAR0, EDU_DMA_CMD, 8, true,
           EDU_DMA_RUN | (read ? 0 : EDU_DMA_TO_RAM));
    while (region(s, VFIO_BAR0, EDU_DMA_CMD, 8, false, 0) & EDU_DMA_RUN) {
        SC_ASSERT(g_get_monotonic_time() < deadline, "edu DMA never ended");
        g_usleep(10000);
    }
}

/*
 * A stage-2 fault: point the STE's CD at an IPA past guest RAM, which the
 * daemon never mapped in the IOAS, and have edu DMA.  The real SMMU
 * faults at stage 2 fetching the CD; the kernel logs that itself and
 * forwards nothing.  Then the STE gets its CD back.
 */
static bool real_s2_fault(Scenario *s, uint64_t iova)
{
    uint64_t ste = qsmmuv3_ste_addr(&s->d, SCENARIO_VSID);
    uint64_t w0 = qtest_readq(s->qts, ste);
    uint64_t unmapped = SCENARIO_RAM_BASE + SCENARIO_RAM_SIZE + 0x100000;

    qtest_writeq(s->qts, ste, (w0 & ~(uint64_t)R_STE_0_S1CTXPTR_MASK) | unmapped);
    SC_ASSERT(qsmmuv3_cfgi_ste(&s->d, SCENARIO_VSID),
              "CFGI_STE with the CD at an unmapped IPA");
    real_fault(s, iova, true, 8);
    qtest_writeq(s->qts, ste, w0);
    SC_ASSERT(qsmmuv3_cfgi_ste(&s->d, SCENARIO_VSID),
              "CFGI_STE with the CD back");
    return true;
}

static const ScenarioHost real_host = {
    .kernel = "linux",
    .daemon_args = real_args,
    .fault = real_fault,
    .s2_fault = real_s2_fault,
};

void scenario_fail(const char *file, int line, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vm_assert_failed(file, line, "scenario", "%s", msg);
}

void scenario_note(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vm_note("%s", msg);
}

static void test_daemon_start(void *opaque)
{
    VM_ASSERT(t.cdev[0], "edu not bound to vfio-pci (previous test failed)");
    VM_ASSERT(access(DAEMON, X_OK) == 0, "%s missing", DAEMON);
    g_setenv("QTEST_QEMU_BINARY", DAEMON, TRUE);
    scenario_start(&t.sc);
}

static void test_bringup(void *opaque) { scenario_bringup(&t.sc); }
static void test_ste_s1(void *opaque) { scenario_ste_s1(&t.sc); }
static void test_fault(void *opaque) { scenario_fault(&t.sc); }
static void test_eventqen(void *opaque) { scenario_eventqen_cycle(&t.sc); }
static void test_overflow(void *opaque) { scenario_overflow(&t.sc); }
static void test_burst(void *opaque) { scenario_burst(&t.sc); }
static void test_device_del(void *opaque) { scenario_device_del(&t.sc); }
static void test_quit(void *opaque) { scenario_quit(&t.sc); }

static void test_s2_fault(void *opaque)
{
    if (!scenario_s2_fault(&t.sc)) {
        vm_skip_current("no stage-2 fault on the real host yet");
    }
}

/* With the daemon gone the device must bind and attach afresh. */
static void test_released(void *opaque)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
    Error *err = NULL;
    IOMMUFDBackend *be;
    uint32_t ioas = 0;
    int fd;

    VM_ASSERT(t.sc.exited, "daemon did not exit (previous test failed)");
    fd = open(t.cdev, O_RDWR | O_CLOEXEC);
    VM_ASSERT(fd >= 0, "open %s after the daemon exited", t.cdev);
    be = iommufd_backend_new("check");
    VM_ASSERT(iommufd_backend_connect(be, &err), "open /dev/iommu: %s",
              err ? error_get_pretty(err) : "?");
    bind.iommufd = be->fd;
    VM_ASSERT(ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0,
              "kernel fact: %s binds to a new iommufd once the daemon is "
              "gone", t.cdev);
    VM_ASSERT(iommufd_backend_alloc_ioas(be, &ioas, &err), "IOAS_ALLOC: %s",
              err ? error_get_pretty(err) : "?");
    at.pt_id = ioas;
    VM_ASSERT(ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0,
              "attach %s to a new IOAS", t.cdev);
    vm_note("after the daemon: %s bound again (dev_id %u, IOAS %u)",
            t.cdev, bind.out_devid, ioas);
    close(fd);
    iommufd_backend_disconnect(be);
    iommufd_backend_free(be);
}

/* vm_run() with the step's duration in the log (TCG is slow). */
static void run(const char *name, vm_test_fn fn, void *opaque)
{
    gint64 t0 = g_get_monotonic_time();

    vm_run(name, fn, opaque);
    vm_note("(%s: %" PRId64 " ms)", name,
            (g_get_monotonic_time() - t0) / 1000);
}

int main(int argc, char **argv)
{
    if (!strcmp(g_path_get_basename(argv[0]), "sh")) {
        return mini_shell(argc, argv);
    }
    vm_init();
    t.sc.host = &real_host;
    run("edu bound to vfio-pci", test_bind_vfio, NULL);
    run("daemon starts on the real iommufd", test_daemon_start, NULL);
    run("guest event queue gets a real vEVENTQ", test_bringup, NULL);
    run("stage-1 STE installs a nested HWPT", test_ste_s1, NULL);
    run("edu DMA faults reach the guest event queue exactly", test_fault,
        NULL);
    run("stage-2 fault stays on the host", test_s2_fault, NULL);
    run("EVENTQEN off and on makes a new vEVENTQ", test_eventqen, NULL);
    run("guest event queue overflow", test_overflow, NULL);
    run("a 16-record burst is accounted for", test_burst, NULL);
    run("device_del frees vDEVICE, vEVENTQ and vIOMMU",
        test_device_del, NULL);
    run("quit: daemon exits 0", test_quit, NULL);
    run("device free for a new iommufd", test_released, NULL);
    vm_finish();
}
