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
 * Then the same scenario with the descriptors libvirt passes: this
 * program opens /dev/iommu and the cdev and the daemon inherits them
 * ("-object iommufd,fd=N" and "-device {...,"fd":"M"}" in libvirt's JSON
 * form); the device is unplugged, and plugged again as libvirt hot-plugs
 * it (getfd of the cdev over SCM_RIGHTS, device_add with fd=NAME), then
 * once more onto an iommufd object-added with a /dev/iommu from getfd.  That
 * the daemon works on exactly those open files, and closes the cdev when
 * the device goes, is checked through our own copies of them and through
 * the kernel's one-binding-per-device rule.
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
#include "vsmmu-query.h"
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
#define IOMMU_DEV       "/dev/iommu"
#define CDEV_FDNAME     "hostdev-hostdev0-fd"  /* libvirt's name */

/* One daemon's host device, as real_fault() set it up (Scenario.opaque). */
typedef struct RealDevice {
    bool bus_master;            /* memory space and bus master enabled */
} RealDevice;

static struct {
    char bdf[NAME_MAX + 1];
    char cdev[NAME_MAX + 32];
    Scenario sc;                /* the daemon opens the host device itself */
    RealDevice sc_dev;
    Scenario lv;                /* libvirt's form: descriptors passed */
    RealDevice lv_dev;
    int iommu_fd, cdev_fd;      /* what the libvirt-form daemon inherits */
    int iommu2_fd;              /* our copy of a /dev/iommu passed by getfd */
} t = { .iommu_fd = -1, .cdev_fd = -1, .iommu2_fd = -1 };

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

/* PATH opened for the daemon to inherit (no O_CLOEXEC), as libvirt does. */
static int open_for_daemon(const char *path)
{
    int fd = open(path, O_RDWR);

    VM_ASSERT(fd >= 0, "open %s", path);
    return fd;
}

/*
 * Kernel fact: an open VFIO cdev refuses device ioctls until it is bound
 * to an iommufd (VFIO_DEVICE_BIND_IOMMUFD grants access to that open
 * file only).  So our copy of a descriptor works once the daemon bound
 * the very file we passed it.
 */
static bool cdev_bound(int fd)
{
    struct vfio_device_info info = { .argsz = sizeof(info) };

    return ioctl(fd, VFIO_DEVICE_GET_INFO, &info) == 0;
}

/*
 * Kernel fact: an iommufd device object is found only through the
 * iommufd context (the open /dev/iommu file) it was bound in.  DEV_ID
 * must be the arm-smmu-v3's device in the context behind FD, and in no
 * fresh one.
 */
static void assert_dev_in(int fd, int64_t dev_id)
{
    struct iommu_hw_info info = { .size = sizeof(info), .dev_id = dev_id };
    int fresh = open(IOMMU_DEV, O_RDWR | O_CLOEXEC);

    VM_ASSERT(dev_id > 0, "query-vsmmu shows the device's dev-id");
    VM_ASSERT(fresh >= 0, "open %s", IOMMU_DEV);
    VM_ASSERT_ERRNO(ioctl(fresh, IOMMU_GET_HW_INFO, &info), ENOENT,
                    "kernel fact: dev_id %" PRId64 " is unknown to a fresh"
                    " iommufd", dev_id);
    close(fresh);
    VM_ASSERT(ioctl(fd, IOMMU_GET_HW_INFO, &info) == 0,
              "the daemon's device (dev_id %" PRId64 ") is in the iommufd"
              " it was given (fd %d)", dev_id, fd);
    VM_ASSERT(info.out_data_type == IOMMU_HW_INFO_TYPE_ARM_SMMUV3,
              "behind the real arm-smmu-v3 (hw_info type %u)",
              info.out_data_type);
}

/* How many of process PID's descriptors are open on PATH. */
static unsigned fds_on(pid_t pid, const char *path)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    unsigned n = 0;

    VM_ASSERT(d, "open %s", dir);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *link = g_build_filename(dir, name, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);

        n += target && !strcmp(target, path);
    }
    return n;
}

/*
 * Nobody holds the device: kernel fact, a cdev binds once at a time, so
 * a fresh open binds to a fresh iommufd and attaches to a new IOAS only
 * when every earlier open of it is closed.
 */
static void assert_cdev_free(const char *when)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
    Error *err = NULL;
    IOMMUFDBackend *be;
    uint32_t ioas = 0;
    int fd;

    fd = open(t.cdev, O_RDWR | O_CLOEXEC);
    VM_ASSERT(fd >= 0, "open %s %s", t.cdev, when);
    be = iommufd_backend_new("check");
    VM_ASSERT(iommufd_backend_connect(be, &err), "open /dev/iommu: %s",
              err ? error_get_pretty(err) : "?");
    bind.iommufd = be->fd;
    VM_ASSERT(ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0,
              "kernel fact: %s binds to a new iommufd %s", t.cdev, when);
    VM_ASSERT(iommufd_backend_alloc_ioas(be, &ioas, &err), "IOAS_ALLOC: %s",
              err ? error_get_pretty(err) : "?");
    at.pt_id = ioas;
    VM_ASSERT(ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0,
              "attach %s to a new IOAS", t.cdev);
    vm_note("%s: %s bound again (dev_id %u, IOAS %u)", when, t.cdev,
            bind.out_devid, ioas);
    close(fd);
    iommufd_backend_disconnect(be);
    iommufd_backend_free(be);
}

/*
 * The one host device of S's daemon works on the open cdev file CDEV_FD
 * holds, bound in the iommufd context of IOMMU_FD; the daemon holds
 * IOMMU_FDS descriptors on /dev/iommu (every one passed to it) and one
 * on the cdev.
 */
static void assert_device_on(Scenario *s, int cdev_fd, int iommu_fd,
                             unsigned iommu_fds)
{
    pid_t pid = qtest_pid(s->qts);
    VSMMUQuery v = vsmmu_query(s->qts);

    VM_ASSERT(v.ndevices == 1, "one device, got %" PRId64, v.ndevices);
    VM_ASSERT(cdev_bound(cdev_fd), "the daemon bound the cdev it was given:"
              " our copy of that open file works");
    assert_dev_in(iommu_fd, v.dev_id);
    VM_ASSERT(fds_on(pid, IOMMU_DEV) == iommu_fds &&
              fds_on(pid, t.cdev) == 1,
              "the daemon opened neither %s nor %s itself (it holds %u and"
              " %u descriptors on them, want %u and 1)", IOMMU_DEV, t.cdev,
              fds_on(pid, IOMMU_DEV), fds_on(pid, t.cdev), iommu_fds);
    vm_note("device on the passed files: dev-id %" PRId64 ", vIOMMU %"
            PRId64 ", vEVENTQ %" PRId64, v.dev_id, v.viommu_id,
            v.veventq_id);
}

/* A QMP command that must succeed. */
static void qmp_ok(JsonObject *rsp, const char *what)
{
    VM_ASSERT(json_object_has_member(rsp, "return"), "%s", what);
    json_object_unref(rsp);
}

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
    RealDevice *dev = s->opaque;

    if (!dev->bus_master) {
        uint16_t cmd;

        SC_ASSERT((region(s, VFIO_BAR0, 0, 4, false, 0) & 0xff) == 0xed,
                  "edu identification register through the daemon");
        cmd = region(s, VFIO_CONFIG, 4, 2, false, 0);
        region(s, VFIO_CONFIG, 4, 2, true, cmd | 0x6); /* memory, master */
        dev->bus_master = true;
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

/*
 * libvirt's command line for the same machine: the descriptors it opened
 * for the daemon, and the host device in its JSON form (a libvirt domain
 * puts it behind a pcie-root-port; here it stays on pcie.0, slot 1, so
 * its vSID is the scenario's without a guest numbering buses).
 */
static char *libvirt_args(Scenario *s)
{
    g_autofree char *trace = trace_args();

    return g_strdup_printf(
        "-machine virt -m %llu -object iommufd,id=iommufd0,fd=%d "
        "-device arm-smmuv3,primary-bus=pcie.0,accel=on,id=smmu0 "
        "-device '{\"driver\":\"vfio-pci\",\"host\":\"%s\","
        "\"id\":\"hostdev0\",\"iommufd\":\"iommufd0\",\"fd\":\"%d\","
        "\"bus\":\"pcie.0\",\"addr\":\"0x1\"}'%s",
        SCENARIO_RAM_SIZE >> 20, t.iommu_fd, t.bdf, t.cdev_fd, trace);
}

static const ScenarioHost libvirt_host = {
    .kernel = "linux",
    .daemon_args = libvirt_args,
    .fault = real_fault,
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
    VM_ASSERT(t.sc.exited, "daemon did not exit (previous test failed)");
    assert_cdev_free("after the daemon exited");
}

/* ---- libvirt's form --------------------------------------------------- */

/*
 * The daemon inherits /dev/iommu and the cdev, opened here: it must
 * work on exactly those files and open neither path itself.
 */
static void test_lv_start(void *opaque)
{
    VM_ASSERT(t.sc.exited, "the first daemon still runs (previous test"
              " failed)");
    t.iommu_fd = open_for_daemon(IOMMU_DEV);
    t.cdev_fd = open_for_daemon(t.cdev);
    VM_ASSERT(!cdev_bound(t.cdev_fd), "kernel fact: an unbound cdev refuses"
              " VFIO_DEVICE_GET_INFO");
    scenario_start(&t.lv);
    assert_device_on(&t.lv, t.cdev_fd, t.iommu_fd, 1);
    /* From here on the daemon's descriptor is the cdev's only one. */
    close(t.cdev_fd);
    t.cdev_fd = -1;
}

static void test_lv_bringup(void *opaque) { scenario_bringup(&t.lv); }
static void test_lv_ste_s1(void *opaque) { scenario_ste_s1(&t.lv); }
static void test_lv_fault(void *opaque) { scenario_fault(&t.lv); }

/*
 * device_del as libvirt sees it: DEVICE_DELETED for hostdev0, and the
 * cdev closed by the daemon (which still runs): the device binds afresh.
 */
static void test_lv_unplug(void *opaque)
{
    JsonObject *ev, *data;

    if (t.cdev_fd >= 0) {       /* left open by a failed start */
        close(t.cdev_fd);
        t.cdev_fd = -1;
    }
    scenario_device_del(&t.lv);
    ev = qtest_qmp_eventwait_ref(t.lv.qts, "DEVICE_DELETED");
    data = json_object_get_object_member(ev, "data");
    VM_ASSERT(!g_strcmp0(json_object_get_string_member(data, "device"),
                         "hostdev0") &&
              !g_strcmp0(json_object_get_string_member(data, "path"),
                         "/machine/peripheral/hostdev0"),
              "DEVICE_DELETED names hostdev0");
    json_object_unref(ev);
    VM_ASSERT(fds_on(qtest_pid(t.lv.qts), t.cdev) == 0,
              "the daemon closed %s at device_del", t.cdev);
    assert_cdev_free("after device_del, the daemon running");
}

/*
 * libvirt's hot-plug: the cdev passed with getfd over the QMP socket
 * (SCM_RIGHTS), device_add in its JSON form naming it, onto iommufd
 * IOMMUFD_ID (on the context of IOMMU_FD, the daemon holding IOMMU_FDS
 * descriptors on /dev/iommu).  The guest's event queue is on, so the
 * new vIOMMU gets its vEVENTQ at once.
 */
static void hotplug(const char *iommufd_id, int iommu_fd, unsigned iommu_fds)
{
    QTestState *qts = t.lv.qts;
    JsonObject *rsp;
    VSMMUQuery v;
    int fd;

    t.lv_dev.bus_master = false;        /* a fresh open of the device */
    fd = open(t.cdev, O_RDWR | O_CLOEXEC);
    VM_ASSERT(fd >= 0, "open %s", t.cdev);
    qmp_ok(qtest_qmp_fds(qts, &fd, 1, "{'execute': 'getfd', 'arguments':"
                         " {'fdname': '" CDEV_FDNAME "'}}"), "getfd");
    qmp_ok(qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                     " {'driver': 'vfio-pci', 'host': '%s', 'id': 'hostdev0',"
                     " 'iommufd': '%s', 'fd': '" CDEV_FDNAME "',"
                     " 'bus': 'pcie.0', 'addr': '0x1'}}", t.bdf, iommufd_id),
           "device_add");
    assert_device_on(&t.lv, fd, iommu_fd, iommu_fds);
    rsp = qtest_qmp(qts, "{'execute': 'closefd', 'arguments':"
                    " {'fdname': '" CDEV_FDNAME "'}}");
    VM_ASSERT(json_object_has_member(rsp, "error"),
              "the device took the named descriptor");
    json_object_unref(rsp);
    close(fd);
    v = vsmmu_query(qts);
    VM_ASSERT(v.viommu_id > 0 && v.veventq_id > 0,
              "hot-plug onto the enabled vSMMU: vIOMMU %" PRId64
              ", vEVENTQ %" PRId64, v.viommu_id, v.veventq_id);
}

static void test_lv_hotplug(void *opaque)
{
    VM_ASSERT(t.lv.qts, "no daemon (previous test failed)");
    hotplug("iommufd0", t.iommu_fd, 1);
}

/*
 * A domain without host devices has no iommufd object: libvirt passes
 * /dev/iommu with getfd and object-adds one naming it before the first
 * hot-plug.  The vSMMU has no device left, so it takes the new iommufd.
 */
static void test_lv_object_add(void *opaque)
{
    QTestState *qts = t.lv.qts;

    VM_ASSERT(qts, "no daemon (previous test failed)");
    t.iommu2_fd = open(IOMMU_DEV, O_RDWR | O_CLOEXEC);
    VM_ASSERT(t.iommu2_fd >= 0, "open %s", IOMMU_DEV);
    qmp_ok(qtest_qmp_fds(qts, &t.iommu2_fd, 1, "{'execute': 'getfd',"
                         " 'arguments': {'fdname': 'iommufd1-fd'}}"),
           "getfd of /dev/iommu");
    qmp_ok(qtest_qmp(qts, "{'execute': 'object-add', 'arguments':"
                     " {'qom-type': 'iommufd', 'id': 'iommufd1',"
                     " 'fd': 'iommufd1-fd'}}"), "object-add iommufd1");
    hotplug("iommufd1", t.iommu2_fd, 2);
}

/* object-del closes a /dev/iommu passed with getfd. */
static void test_lv_object_del(void *opaque)
{
    QTestState *qts = t.lv.qts;

    VM_ASSERT(qts, "no daemon (previous test failed)");
    qmp_ok(qtest_qmp(qts, "{'execute': 'object-del', 'arguments':"
                     " {'id': 'iommufd1'}}"), "object-del iommufd1");
    VM_ASSERT(fds_on(qtest_pid(qts), IOMMU_DEV) == 1,
              "object-del closed the passed /dev/iommu (the daemon holds %u"
              " descriptors on it, want the inherited one)",
              fds_on(qtest_pid(qts), IOMMU_DEV));
    close(t.iommu2_fd);
    t.iommu2_fd = -1;
}

static void test_lv_quit(void *opaque)
{
    scenario_quit(&t.lv);
    close(t.iommu_fd);
    t.iommu_fd = -1;
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
    t.sc.opaque = &t.sc_dev;
    t.lv.host = &libvirt_host;
    t.lv.opaque = &t.lv_dev;
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
    run("libvirt: daemon on the inherited /dev/iommu and cdev",
        test_lv_start, NULL);
    run("libvirt: guest event queue gets a real vEVENTQ", test_lv_bringup,
        NULL);
    run("libvirt: stage-1 STE installs a nested HWPT", test_lv_ste_s1, NULL);
    run("libvirt: edu DMA faults reach the guest event queue",
        test_lv_fault, NULL);
    run("libvirt: device_del, DEVICE_DELETED, cdev closed", test_lv_unplug,
        NULL);
    run("libvirt: hot-plug with getfd and device_add fd=", test_lv_hotplug,
        NULL);
    run("libvirt: hot-plugged device's STE installs a nested HWPT",
        test_lv_ste_s1, NULL);
    run("libvirt: hot-plugged device's faults reach the guest",
        test_lv_fault, NULL);
    run("libvirt: hot-unplug, DEVICE_DELETED, cdev closed", test_lv_unplug,
        NULL);
    run("libvirt: object-add iommufd with fd= from getfd, hot-plug on it",
        test_lv_object_add, NULL);
    run("libvirt: STE on the new iommufd installs a nested HWPT",
        test_lv_ste_s1, NULL);
    run("libvirt: faults on the new iommufd reach the guest", test_lv_fault,
        NULL);
    run("libvirt: hot-unplug from the new iommufd", test_lv_unplug, NULL);
    run("libvirt: object-del closes the passed /dev/iommu",
        test_lv_object_del, NULL);
    run("libvirt: quit: daemon exits 0", test_lv_quit, NULL);
    vm_finish();
}
