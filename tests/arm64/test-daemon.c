/*
 * vsmmu-daemon on the real Linux iommufd and arm-smmu-v3 driver: /init of
 * the arm64 test-bed VM (tests/arm64/run-daemon-test.sh).
 *
 * Binds QEMU's edu device to vfio-pci, starts /bin/vsmmu-daemon with
 * "-device vfio-pci,host=<edu>" through libqtest, and drives it like a
 * guest: query-vsmmu must name the real kernel with a vIOMMU and the
 * device's vSID; the libqos driver brings the vSMMU up (EVENTQEN makes the
 * daemon allocate a real vEVENTQ) and installs a stage-1 STE with an
 * empty table; an edu DMA, programmed through the daemon's
 * x-vfio-pci-region, must fault and land in the guest event queue with
 * the vSID; device_del must drop the vIOMMU and quit must end the daemon
 * with status 0.  Then
 * the device must be free again: its cdev binds to a fresh iommufd of this
 * program and attaches to a new IOAS.
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
#include "qapi/error.h"
#include "system/iommufd.h"
#include "hw/vfio/vfio-cdev-abi.h"
#include "libqtest.h"
#include "libqos/smmuv3-driver.h"
#include "vmlib.h"

#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#define EDU_VENDOR      0x1234
#define EDU_DEVICE      0x11e8
#define DAEMON          "/bin/vsmmu-daemon"
#define SMMU_BASE       0x0c000000ull
#define RAM_BASE        0x40000000ull
#define RAM_SIZE        (64ull << 20)
#define VSID            0x08    /* pcie.0, slot 1: the daemon's BDF 00:01.0 */
#define EVTQ_LOG2       5
/* edu's registers (BAR0) and a DMA to an IOVA its empty table lacks. */
#define EDU_DMA_SRC     0x80
#define EDU_DMA_DST     0x88
#define EDU_DMA_CNT     0x90
#define EDU_DMA_CMD     0x98
#define EDU_DMA_RUN     0x1
#define EDU_BUFFER      0x40000
#define FAULT_IOVA      UINT64_C(0x200000)    /* below edu's 28-bit DMA mask */
#define VFIO_BAR0       0
#define VFIO_CONFIG     7
#define CD0_EPD1        (1ull << 30)
#define CD0_R           (1ull << 45)    /* record faults */
#define CD0_A           (1ull << 46)
#define CD0_ASET        (1ull << 47)
#define EVT_F_TRANSLATION 0x10

static struct {
    char bdf[NAME_MAX + 1];
    char cdev[NAME_MAX + 32];
    QTestState *qts;
    QOSBus bus;
    QSMMUv3 d;
    bool exited;
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

static bool read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    return ok;
}

static bool write_str(const char *path, const char *val)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fputs(val, f) >= 0;
    return (fclose(f) == 0) && ok;
}

static bool find_edu(void)
{
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *e;
    bool found = false;

    while (d && !found && (e = readdir(d))) {
        char path[512], v[32], dv[32];

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
                 e->d_name);
        if (!read_line(path, v, sizeof(v))) {
            continue;
        }
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
                 e->d_name);
        if (read_line(path, dv, sizeof(dv)) &&
            strtoul(v, NULL, 16) == EDU_VENDOR &&
            strtoul(dv, NULL, 16) == EDU_DEVICE) {
            snprintf(t.bdf, sizeof(t.bdf), "%s", e->d_name);
            found = true;
        }
    }
    if (d) {
        closedir(d);
    }
    return found;
}

static int64_t member(JsonObject *o, const char *name)
{
    return o && json_object_has_member(o, name) ?
           json_object_get_int_member(o, name) : 0;
}

/* query-vsmmu's one SMMU, printed as a note; the caller unrefs *rsp. */
static JsonObject *query(JsonObject **rsp, const char *when)
{
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *text = NULL;
    JsonArray *arr;

    *rsp = qtest_qmp(t.qts, "{'execute': 'query-vsmmu'}");
    json_node_set_object(node, *rsp);
    text = json_to_string(node, FALSE);
    vm_note("query-vsmmu (%s): %s", when, text);
    VM_ASSERT(json_object_has_member(*rsp, "return"), "query-vsmmu failed");
    arr = json_object_get_array_member(*rsp, "return");
    VM_ASSERT(json_array_get_length(arr) == 1, "one SMMU expected, got %u",
              json_array_get_length(arr));
    return json_array_get_object_element(arr, 0);
}

static JsonArray *devices(JsonObject *o)
{
    return json_object_has_member(o, "devices") ?
           json_object_get_array_member(o, "devices") : NULL;
}

/* ---- the tests ---------------------------------------------------------- */

static void test_bind_vfio(void *opaque)
{
    char path[512];
    DIR *d;
    struct dirent *e;

    VM_ASSERT(find_edu(), "edu (%04x:%04x) not in /sys/bus/pci/devices",
              EDU_VENDOR, EDU_DEVICE);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
             t.bdf);
    VM_ASSERT(write_str(path, "vfio-pci"), "write vfio-pci to %s", path);
    write_str("/sys/bus/pci/drivers_probe", t.bdf);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", t.bdf);
    d = opendir(path);
    VM_ASSERT(d, "%s missing: vfio-pci did not bind %s", path, t.bdf);
    while ((e = readdir(d))) {
        if (!strncmp(e->d_name, "vfio", 4)) {
            snprintf(t.cdev, sizeof(t.cdev), "/dev/vfio/devices/%s",
                     e->d_name);
        }
    }
    closedir(d);
    VM_ASSERT(t.cdev[0], "no vfio<N> entry in %s", path);
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

static void test_daemon_start(void *opaque)
{
    g_autofree char *args = NULL;
    JsonObject *rsp, *o, *dev;
    JsonArray *devs;
    gint64 t0 = g_get_monotonic_time();

    VM_ASSERT(t.cdev[0], "edu not bound to vfio-pci (previous test failed)");
    VM_ASSERT(access(DAEMON, X_OK) == 0, "%s missing", DAEMON);
    g_setenv("QTEST_QEMU_BINARY", DAEMON, TRUE);
    args = g_strdup_printf(
        "-machine virt -m %llu -object iommufd,id=iommufd0 "
        "-device arm-smmuv3,primary-bus=pcie.0,accel=on,id=smmu0 "
        "-device vfio-pci,host=%s,iommufd=iommufd0,id=hostdev0%s",
        RAM_SIZE >> 20, t.bdf, trace_args());
    vm_note("starting %s %s", DAEMON, args);
    t.qts = qtest_init(args);
    vm_note("daemon (pid %d) up in %" PRId64 " ms", (int)qtest_pid(t.qts),
            (g_get_monotonic_time() - t0) / 1000);
    o = query(&rsp, "after start");
    VM_ASSERT(json_object_has_member(o, "kernel") &&
              !strcmp(json_object_get_string_member(o, "kernel"), "linux"),
              "query-vsmmu: \"kernel\" must be \"linux\"");
    VM_ASSERT(member(o, "viommu-id") > 0, "query-vsmmu: no viommu-id");
    VM_ASSERT(member(o, "veventq-id") == 0,
              "no vEVENTQ before the guest enables its event queue");
    devs = devices(o);
    VM_ASSERT(devs && json_array_get_length(devs) == 1,
              "query-vsmmu: one device expected");
    dev = json_array_get_object_element(devs, 0);
    VM_ASSERT(member(dev, "vsid") == VSID, "vsid 0x%" PRIx64 ", want 0x%x",
              member(dev, "vsid"), VSID);
    json_object_unref(rsp);
}

static void test_bringup(void *opaque)
{
    QSMMUv3Options opts = {
        .cmdq_log2size = 8,
        .evtq_log2size = EVTQ_LOG2,
        .sid_bits = 8,         /* 256 STEs: qtest writes the table (TCG) */
    };
    JsonObject *rsp, *o;

    VM_ASSERT(t.qts, "no daemon (previous test failed)");
    qtest_qos_bus_init(t.qts, &t.bus);
    qsmmuv3_init(&t.d, &t.bus, SMMU_BASE, RAM_BASE, RAM_SIZE);
    VM_ASSERT(qsmmuv3_bringup(&t.d, &opts), "vSMMU bring-up over qtest");
    o = query(&rsp, "after EVENTQEN");
    VM_ASSERT(member(o, "veventq-id") > 0,
              "kernel fact: the real kernel allocated a vEVENTQ");
    VM_ASSERT(member(o, "veventq-depth") == 1 << EVTQ_LOG2,
              "veventq-depth %" PRId64 ", want %d",
              member(o, "veventq-depth"), 1 << EVTQ_LOG2);
    json_object_unref(rsp);
}

static void test_ste_s1(void *opaque)
{
    JsonObject *rsp, *o;
    JsonArray *devs;
    uint64_t cd;

    VM_ASSERT(t.qts && t.d.evtq, "no vSMMU (previous test failed)");
    cd = qsmmuv3_ste_s1(&t.d, VSID, 1, qsmmuv3_alloc(&t.d, 4096, 4096));
    /*
     * The real SMMU reports a stage-1 fault only when the CD asks for it
     * (R); A and ASET as Linux sets them, and no TTB1 walks.
     */
    qtest_writeq(t.qts, cd, qtest_readq(t.qts, cd) | CD0_R | CD0_A |
                 CD0_ASET | CD0_EPD1);
    VM_ASSERT(qsmmuv3_cfgi_ste(&t.d, VSID),
              "CFGI_STE + CMD_SYNC for vSID 0x%x", VSID);
    o = query(&rsp, "after stage-1 STE");
    devs = devices(o);
    VM_ASSERT(devs && json_array_get_length(devs) == 1, "device vanished");
    VM_ASSERT(member(json_array_get_object_element(devs, 0), "hwpt-id") > 0,
              "kernel fact: a nested HWPT from the guest STE is attached");
    VM_ASSERT(member(json_array_get_object_element(devs, 0), "vdevice-id") > 0,
              "kernel fact: the device has a vDEVICE for its vSID");
    VM_ASSERT(member(o, "veventq-id") > 0, "vEVENTQ vanished");
    json_object_unref(rsp);
}

static uint64_t region(int index, uint64_t off, int size, bool write,
                       uint64_t val)
{
    g_autofree char *value = write ?
        g_strdup_printf(", 'value': %" PRIu64, val) : g_strdup("");
    JsonObject *rsp = qtest_qmp(t.qts,
        "{'execute': 'x-vfio-pci-region', 'arguments': {'id': 'hostdev0',"
        " 'region': %d, 'offset': %" PRIu64 ", 'size': %d%s}}",
        index, off, size, value);
    JsonObject *ret;

    VM_ASSERT(json_object_has_member(rsp, "return"),
              "x-vfio-pci-region %d at 0x%" PRIx64 " failed", index, off);
    ret = json_object_get_object_member(rsp, "return");
    val = json_object_get_int_member(ret, "value");
    json_object_unref(rsp);
    return val;
}

/*
 * edu reads 8 bytes at an IOVA the guest's empty stage-1 table lacks: the
 * real SMMU records F_TRANSLATION, the kernel forwards it to the daemon's
 * vEVENTQ with the vSID, and the daemon puts it in the guest event queue.
 */
static void test_dma_fault(void *opaque)
{
    QSMMUv3Event ev[8];
    gint64 deadline;
    size_t n = 0;
    uint16_t cmd;
    JsonObject *rsp;

    VM_ASSERT(t.qts && t.d.evtq, "no vSMMU (previous test failed)");
    VM_ASSERT((region(VFIO_BAR0, 0, 4, false, 0) & 0xff) == 0xed,
              "edu identification register through the daemon");
    cmd = region(VFIO_CONFIG, 4, 2, false, 0);
    region(VFIO_CONFIG, 4, 2, true, cmd | 0x6);    /* memory, bus master */
    region(VFIO_BAR0, EDU_DMA_SRC, 8, true, FAULT_IOVA);
    region(VFIO_BAR0, EDU_DMA_DST, 8, true, EDU_BUFFER);
    region(VFIO_BAR0, EDU_DMA_CNT, 8, true, 8);
    region(VFIO_BAR0, EDU_DMA_CMD, 8, true, EDU_DMA_RUN);
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (region(VFIO_BAR0, EDU_DMA_CMD, 8, false, 0) & EDU_DMA_RUN) {
        VM_ASSERT(g_get_monotonic_time() < deadline, "edu DMA never ended");
        g_usleep(10000);
    }
    while (n == 0 && g_get_monotonic_time() < deadline) {
        n = qsmmuv3_evtq_consume(&t.d, ev, G_N_ELEMENTS(ev), NULL);
        if (!n) {
            g_usleep(10000);
        }
    }
    query(&rsp, "after edu DMA");
    json_object_unref(rsp);
    VM_ASSERT(n > 0, "no event in the guest event queue within 5 s");
    for (size_t i = 0; i < n; i++) {
        vm_note("guest event %zu: %08x %08x %08x %08x %08x %08x %08x %08x",
                i, ev[i].raw[0], ev[i].raw[1], ev[i].raw[2], ev[i].raw[3],
                ev[i].raw[4], ev[i].raw[5], ev[i].raw[6], ev[i].raw[7]);
    }
    VM_ASSERT(ev[0].type == EVT_F_TRANSLATION, "type 0x%x, want "
              "F_TRANSLATION", ev[0].type);
    VM_ASSERT(ev[0].sid == VSID, "StreamID 0x%x, want the vSID 0x%x",
              ev[0].sid, VSID);
    VM_ASSERT(ev[0].addr == FAULT_IOVA, "address 0x%" PRIx64 ", want 0x%"
              PRIx64, ev[0].addr, FAULT_IOVA);
}

static void test_device_del(void *opaque)
{
    JsonObject *rsp, *o;
    JsonArray *devs;

    VM_ASSERT(t.qts, "no daemon (previous test failed)");
    rsp = qtest_qmp(t.qts, "{'execute': 'device_del',"
                    " 'arguments': {'id': 'hostdev0'}}");
    VM_ASSERT(json_object_has_member(rsp, "return"), "device_del failed");
    json_object_unref(rsp);
    o = query(&rsp, "after device_del");
    devs = devices(o);
    VM_ASSERT(!devs || json_array_get_length(devs) == 0,
              "device still listed");
    VM_ASSERT(member(o, "viommu-id") == 0,
              "the last device took the vIOMMU with it");
    VM_ASSERT(member(o, "veventq-id") == 0, "vEVENTQ left behind");
    json_object_unref(rsp);
}

static void test_quit(void *opaque)
{
    siginfo_t si = { 0 };
    int status;

    VM_ASSERT(t.qts, "no daemon (previous test failed)");
    /* Still alive?  (Peek only: libqtest reaps it.) */
    VM_ASSERT(waitid(P_PID, qtest_pid(t.qts), &si,
                     WEXITED | WNOHANG | WNOWAIT) == 0, "waitid");
    VM_ASSERT(si.si_pid == 0, "daemon already gone before quit: %s %d",
              si.si_code == CLD_EXITED ? "exit status" : "signal",
              si.si_status);
    qtest_qmp_send(t.qts, "{'execute': 'quit'}");
    status = qtest_wait_exit(t.qts);
    t.exited = true;
    VM_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "daemon exit status 0x%x, want a normal exit with 0", status);
    qtest_quit(t.qts);
    t.qts = NULL;
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

    VM_ASSERT(t.exited, "daemon did not exit (previous test failed)");
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
    run("edu bound to vfio-pci", test_bind_vfio, NULL);
    run("daemon starts on the real iommufd", test_daemon_start, NULL);
    run("guest event queue gets a real vEVENTQ", test_bringup, NULL);
    run("stage-1 STE installs a nested HWPT", test_ste_s1, NULL);
    run("edu DMA fault reaches the guest event queue", test_dma_fault,
           NULL);
    run("device_del frees vDEVICE, vEVENTQ and vIOMMU",
           test_device_del, NULL);
    run("quit: daemon exits 0", test_quit, NULL);
    run("device free for a new iommufd", test_released, NULL);
    vm_finish();
}
