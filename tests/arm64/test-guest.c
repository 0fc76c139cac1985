/*
 * test-guest: /init of the nested arm64 test bed's L1 (the emulated
 * host, booted with virtualization=on): vsmmu-daemon runs a real Linux
 * guest (L2) under L1's KVM and that guest's own arm-smmu-v3 driver
 * probes our vSMMU (accel=off, no host devices).
 *
 * Runs
 *   /bin/vsmmu-daemon -accel kvm -machine virt,gic-version=3 -cpu host
 *     -smp 1 -m 256 -kernel /data/Image -initrd /data/l2-initrd.cpio
 *     -append "console=ttyAMA0 quiet panic=-1"
 *     -device arm-smmuv3,primary-bus=pcie.0 -nographic -no-reboot
 * reads L2's console (tests/arm64/guest-init.c prints "VSMMU-GUEST: "
 * lines) and the daemon's stderr, and checks, one VSMMU-TEST result
 * each: L1 has /dev/kvm; the daemon exits 0 when L2 powers off; L2
 * reached /init (and, run once with /dev/kvm hidden, the daemon exits 1
 * naming it); its arm-smmu-v3 driver logged the probe ("oas ..
 * (features 0x..)"), bound to the vSMMU's platform device and
 * registered its event-queue and GERROR interrupts as wired SPIs of the
 * in-kernel GICv3; no SMMU line says
 * "fail" or "error"; every vCPU came online; L2 finished.  A second
 * run adds -no-shutdown, a QMP monitor and -serial file:PATH (L2's
 * lines are read from the file afterwards): L2's power-off must send
 * SHUTDOWN ("guest": true) and STOP while the daemon stays up,
 * query-status must say "shutdown", the daemon's vCPU thread be named
 * "CPU 0/KVM", x-query-kvm count L2's MMIO exits
 * (printed: the cost of a quiet boot in exits), and QMP quit then end it
 * with status 0.  A third, without -no-reboot and with L2's console on
 * -serial chardev:ID (a Unix socket this program listens on), has L2
 * reboot (VSMMU_GUEST_REBOOT=1): it must boot again, its driver bind the
 * reset vSMMU again, and SIGTERM after the second boot end the daemon
 * with status 0.  A fourth binds L1's edu to vfio-pci and assigns it to
 * L2 (-object iommufd -device arm-smmuv3,accel=on -device vfio-pci,...),
 * L2 makes edu DMAs from an IOVA its own domain does not map
 * (VSMMU_GUEST_EDU_DMAS), and L2's driver must log each host fault the
 * vSMMU delivered (query-vsmmu) as event 0x10 / F_TRANSLATION with its
 * StreamID and IOVA, none lost (with VSMMU_GUEST_DEMO=1 on L1's command
 * line, that run alone: make demo-guest).  A fifth overflows L2's
 * event queue (VSMMU_GUEST_EDU_BURST): L2's driver must say so, and
 * every event be counted exactly, L2's log against query-vsmmu and the
 * host vEVENTQ's sequence numbers (with VSMMU_GUEST_OVERFLOW=1 on L1's
 * command line, that run alone).  A sixth puts edu behind a
 * pcie-root-port (a native hot-plug slot) and, once L2 says pciehp is
 * bound to it (VSMMU_GUEST_HOTPLUG), sends device_del over QMP while L2
 * runs: L2 must see the hot-unplug (pciehp's log, edu gone from
 * /sys/bus/pci/devices, the slot empty), L1 get DEVICE_DELETED,
 * query-vsmmu list no vDEVICE any more, and L2 power off cleanly
 * (with VSMMU_GUEST_HOTPLUG=1 on L1's command line, that run alone).
 * The host-device run also has L2 bind
 * edu to its own vfio-pci and raise its MSI (VSMMU_GUEST_EDU_MSI): every
 * interrupt must reach L2's eventfd, L1's host vector must have counted
 * as many (/proc/interrupts, vfio-msi of edu, at L2's power-off) and
 * the daemon must have bound it by irqfd (x-query-kvm msi-routes), so
 * the host's MSI passed L2's stage 1 and L1's ITS, then the vITS.
 * Before the daemon runs, the fault maker
 * is checked on L1's own edu.  Every L2 line is in the log, with the
 * times from the daemon's start to L2's /init and to its exit
 * (measured, never asserted).  VSMMU_DAEMON_TRACE=P1,P2 on L1's kernel
 * command line adds -trace P1 -trace P2 to the daemon, VSMMU_GUEST_SMP=N
 * runs L2 with -smp N (default 1).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <dirent.h>
#include <poll.h>
#include <sys/klog.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "vmlib.h"
#include "edu-dma.h"
#include "edu-vfio.h"

#define L2_TIMEOUT_S 120
#define L2_BURST_TIMEOUT_S 600  /* the overflow run: ~140k events */
#define L2_PREFIX "VSMMU-GUEST: "
#define MAX_LINES 512
#define L2_DEVICE "c000000.smmuv3"      /* first platform-bus slot */
#define QMP_PATH "/tmp/qmp.sock"
#define CONSOLE_FILE "/tmp/l2-console.log"
#define SERIAL_SOCK "/tmp/l2-serial.sock"

/* Assembles lines from one byte stream. */
typedef struct LineBuf {
    char line[1024];
    size_t len;
} LineBuf;

typedef struct Run {
    char *lines[MAX_LINES];     /* L2's VSMMU-GUEST lines, prefix dropped */
    int nlines;
    int status;                 /* daemon exit status, -1 timeout */
    double t_init, t_exit;      /* seconds from the daemon's start */
    /* Reboot run: L2 reboots; SIGTERM after its second boot. */
    bool reboot;
    bool chardev;               /* L2's console on -serial chardev:ID */
    int serial_fd;              /* our end of that socket */
    bool serial_connected;      /* the daemon connected to it */
    int reboots_seen;
    pid_t pid;
    /* -no-shutdown run, over QMP: */
    bool no_shutdown;
    bool ev_shutdown_guest;     /* SHUTDOWN with "guest":true */
    bool ev_stop;               /* STOP */
    bool alive_when_stopped;    /* the daemon still ran at STOP */
    bool status_shutdown;       /* query-status said "shutdown" then */
    bool vcpu_thread;           /* a thread "CPU 0/KVM" existed then */
    long long mmio_exits;       /* x-query-kvm at STOP, -1 none */
    long long mmio_unassigned;
    /* Host-device run: L1's edu assigned to L2 behind accel=on. */
    char edu_bdf[32];           /* "": none */
    long long delivered, host_lost, overflow_dropped;  /* query-vsmmu */
    long long disabled_dropped, abort_dropped, unowned, discarded;
    long long last_seq;         /* -1: no "last-sequence" */
    long long msi_routes;       /* x-query-kvm at STOP */
    long long slot_maps;        /* ... memory-slot-maps (BARs as slots) */
    long long exits_mapped;     /* ... mmio-exits-mapped */
    long long l1_msis;          /* L1's vfio-msi count of edu at STOP */
    bool burst;                 /* L2 overflows its event queue */
    bool vsmmu_seen;
    int qmp_fd;
    char qmp_buf[4096];         /* a partial QMP line */
    size_t qmp_len;
    /* Hot-unplug run: edu behind a root port, device_del while L2 runs. */
    bool hotplug;
    bool del_sent;              /* at L2's "hotplug: ready" */
    bool del_error;             /* device_del replied with an error */
    bool ev_deleted;            /* DEVICE_DELETED for hostdev0 */
    bool vdevice_after;         /* query-vsmmu still listed a vDEVICE */
} Run;

static void hotplug_guest_line(Run *r, const char *g);
static void hotplug_qmp_line(Run *r, const char *line);

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One line of the daemon's output (L2 console or daemon stderr). */
static void take_line(Run *r, char *line, double t)
{
    char *g = strstr(line, L2_PREFIX);

    line[strcspn(line, "\r")] = '\0';
    if (!g) {
        vm_note("L1 daemon: %s", line);
        return;
    }
    g += strlen(L2_PREFIX);
    vm_note("L2: %s", g);
    hotplug_guest_line(r, g);
    if (!strcmp(g, "init") && r->t_init == 0) {
        r->t_init = t;
    }
    if (r->reboot && !strcmp(g, "reboot") && ++r->reboots_seen == 2) {
        kill(r->pid, SIGTERM);      /* it would reboot for ever */
    }
    if (r->nlines < MAX_LINES) {
        r->lines[r->nlines++] = strdup(g);
    }
}

/* VSMMU_GUEST_SMP=N on L1's kernel command line: -smp N (default 1). */
static const char *guest_smp(void)
{
    const char *smp = getenv("VSMMU_GUEST_SMP");

    return smp ? smp : "1";
}

/* L2 makes this many edu DMAs from an unmapped IOVA (host-device run). */
#define L2_EDU_DMAS "4"
/*
 * The overflow run's burst: more faults than L2's 128-entry event queue
 * holds (the driver's EVTQ_MAX_SZ_SHIFT with 4-KiB pages is 7).  Its
 * console at loglevel=1: the driver's event reports stay in the log.
 */
#define L2_EDU_BURST "136"
/* ... and raises this many MSIs of it through its own vfio-pci. */
#define L2_EDU_MSIS "8"
#define L2_APPEND "console=ttyAMA0 quiet panic=-1"

/* ---- hot-unplug run: the daemon's arguments ---------------------------- */

/* The slot edu sits in: libvirt's root port line. */
static int hotplug_port_argv(const Run *r, char **argv, int n)
{
    if (r->hotplug) {
        argv[n++] = "-device";
        argv[n++] = "pcie-root-port,port=8,chassis=1,slot=1,id=rp1,"
                    "bus=pcie.0,addr=0x2";
    }
    return n;
}

/* L2's console on stdout, live; QMP; stay up at L2's power-off. */
static int hotplug_qmp_argv(const Run *r, char **argv, int n)
{
    if (r->hotplug) {
        argv[n++] = "-no-shutdown";
        argv[n++] = "-qmp";
        argv[n++] = "unix:" QMP_PATH ",server=on,wait=off";
    }
    return n;
}

static char **daemon_argv(const Run *r)
{
    const char *const base[] = {
        "/bin/vsmmu-daemon", "-name", "guest=l2,debug-threads=on",
        "-accel", "kvm", "-machine", "virt,gic-version=3", "-cpu", "host", "-smp", NULL,
        "-m", "256", "-kernel", "/data/Image",
        "-initrd", "/data/l2-initrd.cpio",
        "-append", r->hotplug ? L2_APPEND " VSMMU_GUEST_HOTPLUG=1"
                   : r->reboot ? L2_APPEND " VSMMU_GUEST_REBOOT=1"
                   : r->burst ? "console=ttyAMA0 loglevel=1 panic=-1"
                                " log_buf_len=1M"
                                " VSMMU_GUEST_EDU_BURST=" L2_EDU_BURST
                   : r->edu_bdf[0] ? L2_APPEND
                                     " VSMMU_GUEST_EDU_DMAS=" L2_EDU_DMAS
                                     " VSMMU_GUEST_EDU_MSI=" L2_EDU_MSIS
                   : L2_APPEND,
        "-device", r->edu_bdf[0] ? "arm-smmuv3,primary-bus=pcie.0,accel=on"
                                 : "arm-smmuv3,primary-bus=pcie.0",
    };
    const char *trace = getenv("VSMMU_DAEMON_TRACE");
    char **argv = calloc(64, sizeof(*argv));
    int n = 0;

    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        argv[n++] = base[i] ? (char *)base[i] : (char *)guest_smp();
    }
    if (r->edu_bdf[0]) {
        char *dev = malloc(128);

        snprintf(dev, 128, "vfio-pci,host=%s,iommufd=iommufd0,id=hostdev0%s",
                 r->edu_bdf, r->hotplug ? ",bus=rp1" : "");
        argv[n++] = "-object";
        argv[n++] = "iommufd,id=iommufd0";
        n = hotplug_port_argv(r, argv, n);
        argv[n++] = "-device";
        argv[n++] = dev;
    }
    if (!r->reboot) {
        argv[n++] = "-no-reboot";
    }
    if (r->chardev) {
        /* The daemon connects to our socket: -serial chardev:ID. */
        argv[n++] = "-chardev";
        argv[n++] = "socket,id=serial0,path=" SERIAL_SOCK;
        argv[n++] = "-serial";
        argv[n++] = "chardev:serial0";
    } else if (!r->no_shutdown) {
        argv[n++] = "-nographic";
        n = hotplug_qmp_argv(r, argv, n);
    } else {
        /* The -no-shutdown run also tries the file backend. */
        argv[n++] = "-serial";
        argv[n++] = "file:" CONSOLE_FILE;
        argv[n++] = "-no-shutdown";
        argv[n++] = "-qmp";
        argv[n++] = "unix:" QMP_PATH ",server=on,wait=off";
    }
    if (trace) {
        char *t = strdup(trace), *save = NULL;

        for (char *p = strtok_r(t, ",", &save); p && n < 60;
             p = strtok_r(NULL, ",", &save)) {
            argv[n++] = "-trace";
            argv[n++] = p;
        }
    }
    return argv;
}

static void feed(Run *r, LineBuf *lb, const char *buf, ssize_t n, double t)
{
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || lb->len == sizeof(lb->line) - 1) {
            lb->line[lb->len] = '\0';
            take_line(r, lb->line, t);
            lb->len = 0;
        } else {
            lb->line[lb->len++] = buf[i];
        }
    }
}

/* Listen on SERIAL_SOCK before the daemon starts (it connects once). */
static int serial_listen(void)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    strcpy(addr.sun_path, SERIAL_SOCK);
    unlink(SERIAL_SOCK);
    VM_ASSERT(fd >= 0 && bind(fd, (struct sockaddr *)&addr,
                              sizeof(addr)) == 0 && listen(fd, 1) == 0,
              "listen on " SERIAL_SOCK);
    return fd;
}

static void qmp_send(Run *r, const char *cmd)
{
    size_t len = strlen(cmd);

    VM_ASSERT(write(r->qmp_fd, cmd, len) == (ssize_t)len, "QMP write");
}

/* Connect to the daemon's QMP socket (it appears once start-up is done). */
static void qmp_connect(Run *r, pid_t pid)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    double t0 = now();

    strcpy(addr.sun_path, QMP_PATH);
    r->qmp_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    VM_ASSERT(r->qmp_fd >= 0, "QMP socket");
    while (connect(r->qmp_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        VM_ASSERT(now() - t0 < 30 && waitpid(pid, NULL, WNOHANG) == 0,
                  "the daemon's QMP socket appears within 30 s");
        usleep(10000);
    }
    qmp_send(r, "{\"execute\":\"qmp_capabilities\"}\n");
}

/* ---- hot-unplug run: L2's and QMP's lines ----------------------------- */

/* L2's pciehp owns the slot: unplug edu while L2 runs. */
static void hotplug_guest_line(Run *r, const char *g)
{
    if (r->hotplug && !r->del_sent && r->qmp_fd >= 0 &&
        !strncmp(g, "hotplug: ready ", 15)) {
        qmp_send(r, "{\"execute\":\"device_del\","
                    "\"arguments\":{\"id\":\"hostdev0\"}}\n");
        r->del_sent = true;
    }
}

static void hotplug_qmp_line(Run *r, const char *line)
{
    if (!r->hotplug) {
        return;
    }
    if (strstr(line, "\"error\"")) {
        vm_note("QMP error: %s", line);
        r->del_error = true;
    }
    if (strstr(line, "\"event\":\"DEVICE_DELETED\"") &&
        strstr(line, "\"device\":\"hostdev0\"")) {
        r->ev_deleted = true;
    }
    if (strstr(line, "\"delivered\":")) {
        r->vdevice_after = strstr(line, "\"vdevice-id\"") != NULL;
    }
}

/* Does PID have a thread named NAME (/proc/PID/task/N/comm)? */
static bool has_thread(pid_t pid, const char *name)
{
    char path[64], comm[32];
    struct dirent *e;
    bool found = false;
    DIR *d;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    d = opendir(path);
    while (d && !found && (e = readdir(d))) {
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/task/%.16s/comm", (int)pid,
                 e->d_name);
        f = fopen(path, "r");
        if (f && fgets(comm, sizeof(comm), f)) {
            comm[strcspn(comm, "\n")] = '\0';
            found = !strcmp(comm, name);
        }
        if (f) {
            fclose(f);
        }
    }
    if (d) {
        closedir(d);
    }
    return found;
}

/* L1's count of BDF's VFIO MSI vector, or -1: no such line. */
static long long l1_vfio_msis(const char *bdf)
{
    char name[64];

    snprintf(name, sizeof(name), "vfio-msi[0](%s)", bdf);
    return vm_irq_count(name);
}

/* QMP traffic: note events; at STOP, check the daemon lives, then quit. */
static void qmp_read(Run *r, pid_t pid)
{
    char *line, *nl;
    ssize_t n = read(r->qmp_fd, r->qmp_buf + r->qmp_len,
                     sizeof(r->qmp_buf) - 1 - r->qmp_len);

    if (n <= 0) {
        close(r->qmp_fd);
        r->qmp_fd = -1;
        return;
    }
    r->qmp_len += n;
    r->qmp_buf[r->qmp_len] = '\0';
    line = r->qmp_buf;
    while ((nl = strchr(line, '\n'))) {
        *nl = '\0';
        if (strstr(line, "\"event\"")) {
            vm_note("QMP: %s", line);
        }
        hotplug_qmp_line(r, line);
        if (strstr(line, "\"event\":\"SHUTDOWN\"") &&
            strstr(line, "\"guest\":true")) {
            r->ev_shutdown_guest = true;
        }
        if (strstr(line, "\"event\":\"STOP\"")) {
            r->ev_stop = true;
            r->alive_when_stopped = waitpid(pid, NULL, WNOHANG) == 0;
            r->vcpu_thread = has_thread(pid, "CPU 0/KVM");
            r->l1_msis = r->edu_bdf[0] ? l1_vfio_msis(r->edu_bdf) : -1;
            qmp_send(r, "{\"execute\":\"query-status\"}\n"
                        "{\"execute\":\"x-query-kvm\"}\n");
            if (r->edu_bdf[0]) {
                qmp_send(r, "{\"execute\":\"query-vsmmu\"}\n");
            }
        }
        if (strstr(line, "\"status\":\"shutdown\"")) {
            r->status_shutdown = true;
        }
        if (strstr(line, "\"mmio-exits\":")) {
            vm_note("QMP x-query-kvm: %s", line);
            r->mmio_exits = atoll(strstr(line, "\"mmio-exits\":") + 13);
            r->mmio_unassigned =
                atoll(strstr(line, "\"mmio-unassigned\":") + 18);
            r->msi_routes = vm_json_counter(line, "msi-routes");
            r->slot_maps = vm_json_counter(line, "memory-slot-maps");
            r->exits_mapped = vm_json_counter(line, "mmio-exits-mapped");
            if (!r->edu_bdf[0]) {
                qmp_send(r, "{\"execute\":\"quit\"}\n");
            }
        }
        if (strstr(line, "\"delivered\":")) {
            vm_note("QMP query-vsmmu: %s", line);
            r->vsmmu_seen = true;
            r->delivered = vm_json_counter(line, "delivered");
            r->host_lost = vm_json_counter(line, "host-lost");
            r->overflow_dropped = vm_json_counter(line, "guest-overflow-dropped");
            r->disabled_dropped = vm_json_counter(line, "guest-disabled-dropped");
            r->abort_dropped = vm_json_counter(line, "guest-abort");
            r->unowned = vm_json_counter(line, "dropped-unowned");
            r->discarded = vm_json_counter(line, "discarded-at-disable");
            r->last_seq = vm_json_counter(line, "last-sequence");
            qmp_send(r, "{\"execute\":\"quit\"}\n");
        }
        line = nl + 1;
    }
    /* Keep the partial line; a line longer than the buffer is dropped. */
    r->qmp_len = strlen(line);
    memmove(r->qmp_buf, line, r->qmp_len + 1);
    if (r->qmp_len == sizeof(r->qmp_buf) - 1) {
        r->qmp_len = 0;
    }
}

static void run_daemon(Run *r)
{
    char buf[4096], line[1024];
    LineBuf out = { .len = 0 }, serial = { .len = 0 };
    int pfd[2], status, listen_fd = r->chardev ? serial_listen() : -1;
    double t0 = now();
    int timeout_s = r->burst ? L2_BURST_TIMEOUT_S : L2_TIMEOUT_S;
    pid_t pid;
    ssize_t n;

    r->status = -1;
    r->serial_fd = -1;
    VM_ASSERT(pipe(pfd) == 0, "pipe for the daemon's output");
    fflush(NULL);
    pid = fork();
    VM_ASSERT(pid >= 0, "fork the daemon");
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[0]);
        execv("/bin/vsmmu-daemon", daemon_argv(r));
        _exit(127);
    }
    close(pfd[1]);
    r->pid = pid;
    r->qmp_fd = -1;
    if (r->no_shutdown || r->hotplug) {
        qmp_connect(r, pid);
    }
    for (;;) {
        struct pollfd p[3] = {
            { .fd = pfd[0], .events = POLLIN },
            { .fd = r->qmp_fd, .events = POLLIN },
            { .fd = r->serial_fd >= 0 ? r->serial_fd : listen_fd,
              .events = POLLIN },
        };
        int left = (int)((t0 + timeout_s - now()) * 1000);

        if (left <= 0) {
            vm_note("L2 did not finish within %d s: killing the daemon",
                    timeout_s);
            kill(pid, SIGKILL);
            break;
        }
        if (poll(p, 3, left) <= 0) {
            continue;
        }
        if (r->qmp_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
            qmp_read(r, pid);
        }
        if (p[2].fd >= 0 && (p[2].revents & (POLLIN | POLLHUP))) {
            if (r->serial_fd < 0) {
                r->serial_fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                r->serial_connected = r->serial_fd >= 0;
            } else if ((n = read(r->serial_fd, buf, sizeof(buf))) > 0) {
                feed(r, &serial, buf, n, now() - t0);
            } else {
                close(r->serial_fd);
                r->serial_fd = -2;      /* closed: poll ignores fd < 0 */
            }
        }
        if (!(p[0].revents & (POLLIN | POLLHUP))) {
            continue;
        }
        n = read(pfd[0], buf, sizeof(buf));
        if (n <= 0) {
            break;              /* the daemon closed its output: it ended */
        }
        feed(r, &out, buf, n, now() - t0);
    }
    /* What the serial socket still holds (the daemon has gone). */
    while (r->serial_fd >= 0 && (n = read(r->serial_fd, buf,
                                          sizeof(buf))) > 0) {
        feed(r, &serial, buf, n, now() - t0);
    }
    if (r->serial_fd >= 0) {
        close(r->serial_fd);
    }
    if (listen_fd >= 0) {
        close(listen_fd);
    }
    close(pfd[0]);
    if (r->qmp_fd >= 0) {
        close(r->qmp_fd);
    }
    VM_ASSERT(waitpid(pid, &status, 0) == pid, "reap the daemon");
    r->t_exit = now() - t0;
    if (WIFEXITED(status) && r->t_exit < timeout_s) {
        r->status = WEXITSTATUS(status);
    }
    if (r->no_shutdown) {
        FILE *f = fopen(CONSOLE_FILE, "r");

        VM_ASSERT(f, "-serial file:" CONSOLE_FILE " exists");
        while (fgets(line, sizeof(line), f)) {
            line[strcspn(line, "\n")] = '\0';
            take_line(r, line, 0);
        }
        fclose(f);
        vm_note("timing: daemon start to exit %.2f s (console in a file)",
                r->t_exit);
        return;
    }
    vm_note("timing: daemon start to L2 /init %.2f s, to daemon exit %.2f s",
            r->t_init, r->t_exit);
}

/* Run ARGV with stdout and stderr into OUT (SIZE bytes); exit status. */
static int run_capture(char *const argv[], char *out, size_t size)
{
    int pfd[2], status;
    size_t len = 0;
    ssize_t n;
    pid_t pid;

    VM_ASSERT(pipe(pfd) == 0, "pipe");
    fflush(NULL);
    pid = fork();
    VM_ASSERT(pid >= 0, "fork");
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    while ((n = read(pfd[0], out + len, size - 1 - len)) > 0) {
        len += n;
    }
    out[len] = '\0';
    close(pfd[0]);
    VM_ASSERT(waitpid(pid, &status, 0) == pid, "reap");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Without /dev/kvm the daemon names what is missing and exits 1. */
static void test_no_dev_kvm(void *opaque)
{
    static const Run plain;
    const char *want = "vsmmu-daemon: -accel kvm: cannot open /dev/kvm:"
                       " No such file or directory";
    char out[4096];
    struct stat st;
    int status;

    VM_ASSERT(stat("/dev/kvm", &st) == 0, "stat /dev/kvm");
    VM_ASSERT(unlink("/dev/kvm") == 0, "hide /dev/kvm");
    status = run_capture(daemon_argv(&plain), out, sizeof(out));
    VM_ASSERT(mknod("/dev/kvm", S_IFCHR | 0666, st.st_rdev) == 0,
              "restore /dev/kvm (%u:%u)", major(st.st_rdev),
              minor(st.st_rdev));
    vm_note("without /dev/kvm: %s", strtok(out, "\n") ?: "(nothing)");
    VM_ASSERT(status == 1 && !strncmp(out, want, strlen(want)),
              "the daemon exits 1 with '%s' (status %d)", want, status);
}

static int count_lines(const Run *r, const char *line)
{
    int n = 0;

    for (int i = 0; i < r->nlines; i++) {
        n += !strcmp(r->lines[i], line);
    }
    return n;
}

static bool has_line(const Run *r, const char *prefix, const char *needle)
{
    for (int i = 0; i < r->nlines; i++) {
        if (!strncmp(r->lines[i], prefix, strlen(prefix)) &&
            (!needle || strstr(r->lines[i], needle))) {
            return true;
        }
    }
    return false;
}

/* Kernel log lines that contain NEEDLE and, if given, NEEDLE2. */
static int klog_count(const char *needle, const char *needle2)
{
    int size = klogctl(10, NULL, 0), n, count = 0;  /* SIZE_BUFFER */
    char *buf, *line, *save = NULL;

    if (size <= 0 || !(buf = malloc(size + 1))) {
        return -1;
    }
    n = klogctl(3, buf, size);                      /* READ_ALL */
    if (n < 0) {
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        count += strstr(line, needle) && (!needle2 || strstr(line, needle2));
    }
    free(buf);
    return count;
}

/*
 * The fault maker L2 runs (edu-dma.c), first on L1's own edu behind
 * QEMU's emulated SMMU: unbound, its DMA domain maps nothing, so a DMA
 * from IOVA 0x100000 must make L1's arm-smmu-v3 driver log
 * F_TRANSLATION events for that IOVA.
 */
static void test_edu_faults_l1(void *opaque)
{
    char err[256];
    EduDma e;
    int before = klog_count("event 0x10 received", NULL), events, lines;

    VM_ASSERT(edu_dma_open(&e, err, sizeof(err)) == 0, "%s", err);
    vm_note("edu %s: BAR0 mapped, memory and Bus Master enabled", e.bdf);
    VM_ASSERT(edu_dma_read(&e, 0x100000, 8, 2000, err, sizeof(err)) == 0,
              "%s", err);
    edu_dma_close(&e);
    events = klog_count("event 0x10 received", NULL) - before;
    lines = klog_count("F_TRANSLATION", "iova: 0x100000");
    vm_note("L1 driver: %d event 0x10 lines, %d F_TRANSLATION at IOVA"
            " 0x100000", events, lines);
    VM_ASSERT(events > 0 && lines > 0, "an 8-byte edu DMA from an unmapped"
              " IOVA made L1's arm-smmu-v3 driver report F_TRANSLATION at"
              " iova 0x100000 (%d events, %d lines)", events, lines);
}

static void test_kvm(void *opaque)
{
    VM_ASSERT(access("/dev/kvm", R_OK | W_OK) == 0,
              "L1 booted with virtualization=on offers /dev/kvm");
}

static void test_power_off(void *opaque)
{
    const Run *r = opaque;

    VM_ASSERT(r->status == 0, "vsmmu-daemon exits 0 when L2 powers off"
              " (status %d, -1: killed at the timeout)", r->status);
}

static void test_init(void *opaque)
{
    VM_ASSERT(has_line(opaque, "init", NULL), "L2 printed its /init marker");
}

static void test_probe(void *opaque)
{
    const Run *r = opaque;
    bool found = false;

    for (int i = 0; i < r->nlines && !found; i++) {
        const char *l = r->lines[i];

        /* Linux 7.3 prints "oas 44-bit (features 0x...)", older "ias ..". */
        found = !strncmp(l, "dmesg: arm-smmu-v3 ", 19) &&
                strstr(l, "oas ") && strstr(l, "(features 0x");
    }
    VM_ASSERT(found, "L2's arm-smmu-v3 driver logged the probe of our"
              " registers (\"oas N-bit (features 0x...)\")");
}

static void test_bound(void *opaque)
{
    VM_ASSERT(has_line(opaque, "bound: " L2_DEVICE, NULL),
              "L2's arm-smmu-v3 driver bound to " L2_DEVICE " (probe,"
              " queues, stream table and enable all succeeded)");
}

static void test_irqs(void *opaque)
{
    VM_ASSERT(has_line(opaque, "irq: arm-smmu-v3-evtq ", NULL) &&
              has_line(opaque, "irq: arm-smmu-v3-gerror ", NULL),
              "L2 requested the vSMMU's event-queue and GERROR interrupts");
    /* IDR0.MSI is 0 (QEMU's model): the driver takes the wired lines. */
    VM_ASSERT(has_line(opaque, "irq: arm-smmu-v3-evtq GICv3", NULL) &&
              has_line(opaque, "irq: arm-smmu-v3-gerror GICv3", NULL),
              "both are wired SPIs of the in-kernel GICv3 (IDR0.MSI is 0,"
              " so msi-parent goes unused)");
}

static void test_no_errors(void *opaque)
{
    const Run *r = opaque;

    VM_ASSERT(has_line(r, "dmesg: arm-smmu-v3 ", NULL),
              "L2 logged arm-smmu-v3 lines to judge");
    for (int i = 0; i < r->nlines; i++) {
        const char *l = r->lines[i];

        VM_ASSERT(strncmp(l, "error:", 6) != 0 &&
                  (strncmp(l, "dmesg:", 6) != 0 ||
                   (!strstr(l, "fail") && !strstr(l, "error"))),
                  "no SMMU error in L2: '%s'", l);
    }
}

static void test_cpus(void *opaque)
{
    char want[32];

    snprintf(want, sizeof(want), "cpus: %s", guest_smp());
    VM_ASSERT(has_line(opaque, want, NULL), "L2 brought every vCPU online"
              " (-smp %s, PSCI CPU_ON)", guest_smp());
}

static void test_done(void *opaque)
{
    VM_ASSERT(has_line(opaque, "done", NULL), "L2 finished its checks");
}

static void test_no_shutdown(void *opaque)
{
    const Run *r = opaque;

    VM_ASSERT(has_line(r, "done", NULL), "L2 ran to power-off again");
    VM_ASSERT(r->ev_shutdown_guest, "-no-shutdown: QMP SHUTDOWN with"
              " \"guest\": true at L2's power-off");
    VM_ASSERT(r->ev_stop && r->alive_when_stopped, "-no-shutdown: QMP STOP"
              " while the daemon stays up");
    VM_ASSERT(r->status_shutdown, "query-status says \"shutdown\" then");
    VM_ASSERT(r->vcpu_thread, "the vCPU thread is named \"CPU 0/KVM\"");
    VM_ASSERT(r->mmio_exits > 0, "x-query-kvm counted L2's MMIO exits");
    /* The device tree describes exactly what the daemon models. */
    VM_ASSERT(r->mmio_unassigned == 0, "L2 accessed no MMIO address"
              " without a device (%lld did)", r->mmio_unassigned);
    VM_ASSERT(r->status == 0, "QMP quit then ends the paused daemon with"
              " status 0 (status %d)", r->status);
}

static void test_reboot(void *opaque)
{
    const Run *r = opaque;

    VM_ASSERT(r->serial_connected && count_lines(r, "done") == 2,
              "L2's console reached us over -serial chardev:ID (a socket"
              " the daemon connected to)");
    VM_ASSERT(r->reboots_seen == 2, "L2 rebooted and booted again (PSCI"
              " SYSTEM_RESET: devices reset, images reloaded, vCPUs"
              " re-initialized)");
    VM_ASSERT(count_lines(r, "init") == 2 &&
              count_lines(r, "bound: " L2_DEVICE) == 2,
              "both boots reached /init and bound arm-smmu-v3 to "
              L2_DEVICE " (the reset SMMU probes again)");
    VM_ASSERT(r->status == 0, "SIGTERM then ends the daemon with status 0"
              " (status %d)", r->status);
}

static void test_bind_edu(void *opaque)
{
    Run *r = opaque;
    char cdev[64];

    edu_bind_vfio(r->edu_bdf, sizeof(r->edu_bdf), cdev, sizeof(cdev));
    vm_note("edu %s bound to vfio-pci (%s), to be L2's", r->edu_bdf, cdev);
}

/* L2 line count: lines starting with PREFIX and containing NEEDLE. */
static int count_with(const Run *r, const char *prefix, const char *needle)
{
    int n = 0;

    for (int i = 0; i < r->nlines; i++) {
        n += !strncmp(r->lines[i], prefix, strlen(prefix)) &&
             (!needle || strstr(r->lines[i], needle));
    }
    return n;
}

/*
 * L2 with L1's edu assigned (accel=on, vfio-pci): edu DMAs from an IOVA
 * its own SMMU domain does not map fault in the host SMMU, come back
 * through iommufd's vEVENTQ and reach L2's own driver as event 0x10,
 * with L2's StreamID for edu (00:01.0: 0x8) and the IOVA; every event
 * the vSMMU delivered was logged by L2, none lost.
 */
static void test_l2_faults(void *opaque)
{
    const Run *r = opaque;
    int events = count_with(r, "dmesg: arm-smmu-v3 ", "event 0x10 received");
    int decoded = count_with(r, "dmesg: arm-smmu-v3 ", "F_TRANSLATION");

    VM_ASSERT(has_line(r, "edu: ", " " L2_EDU_DMAS " DMAs"),
              "L2 made " L2_EDU_DMAS " DMAs with its assigned edu (config"
              " space, BAR0 and Bus Master through vfio-pci)");
    vm_note("L2 driver: %d event 0x10, %d F_TRANSLATION; query-vsmmu"
            " delivered %lld, host-lost %lld, overflow-dropped %lld",
            events, decoded, r->delivered, r->host_lost,
            r->overflow_dropped);
    VM_ASSERT(events >= atoi(L2_EDU_DMAS), "L2's arm-smmu-v3 driver"
              " received the host faults as event 0x10 (%d)", events);
    VM_ASSERT(has_line(r, "dmesg: arm-smmu-v3 ", "sid: 0x8 ") &&
              has_line(r, "dmesg: arm-smmu-v3 ", "iova: 0x100000"),
              "with L2's StreamID for edu (0x8) and the IOVA (0x100000)");
    VM_ASSERT(r->vsmmu_seen && r->delivered == events && decoded == events,
              "every event the vSMMU delivered (query-vsmmu: %lld) was"
              " logged by L2 (%d), decoded (%d)", r->delivered, events,
              decoded);
    VM_ASSERT(r->host_lost == 0 && r->overflow_dropped == 0,
              "none lost on the way (host-lost %lld, overflow %lld)",
              r->host_lost, r->overflow_dropped);
    /*
     * edu's BAR0 (1 MiB, mmap()able, no MSI-X) is a KVM memory slot: L2's
     * register accesses of its DMAs never exited to the daemon.
     */
    VM_ASSERT(r->slot_maps >= 1 && r->exits_mapped == 0, "edu's BAR0 was"
              " mapped into L2 as a memory slot (x-query-kvm"
              " memory-slot-maps %lld) and none of L2's accesses to it"
              " exited (mmio-exits-mapped %lld)", r->slot_maps,
              r->exits_mapped);
    /* Its invalidations, CD ones before the STE included, all complete. */
    VM_ASSERT(!has_line(r, "dmesg: arm-smmu-v3 ", "CMDQ error"),
              "L2's command queue never stopped on an error");
    VM_ASSERT(r->status == 0, "QMP quit ends the daemon with status 0"
              " (status %d)", r->status);
}

/*
 * The assigned edu's MSI: raised by L2 through its own vfio-pci, taken
 * by L1's vfio-pci (host vector), bound by the daemon into an irqfd
 * route to the in-kernel vITS with edu's requester id, and delivered to
 * L2's eventfd, every one of them.
 */
static void test_l2_msi(void *opaque)
{
    const Run *r = opaque;
    int n = atoi(L2_EDU_MSIS);
    char want[64];

    snprintf(want, sizeof(want), " raised %d delivered %d timeouts 0", n, n);
    for (int i = 0; i < r->nlines; i++) {
        if (!strncmp(r->lines[i], "msi: ", 5)) {
            vm_note("L2: %s; L1 vfio-msi count %lld, msi-routes %lld",
                    r->lines[i], r->l1_msis, r->msi_routes);
        }
    }
    VM_ASSERT(!has_line(r, "error: msi: ", ""), "L2 bound edu to its"
              " vfio-pci and enabled its MSI (no \"error: msi:\" line)");
    VM_ASSERT(has_line(r, "msi: ", want), "every MSI edu raised reached"
              " L2's eventfd (%s)", want);
    VM_ASSERT(r->l1_msis == n, "L1's vfio-pci took as many from the device"
              " (vfio-msi of %s: %lld)", r->edu_bdf, r->l1_msis);
    VM_ASSERT(r->msi_routes == 1, "the daemon bound the vector by irqfd"
              " (x-query-kvm msi-routes %lld)", r->msi_routes);
}

/* "evtq: logged L suppressed S overflow O" from L2 (-1s if missing). */
static void l2_evtq_counts(const Run *r, int *logged, int *suppressed,
                           int *overflow)
{
    *logged = *suppressed = *overflow = -1;
    for (int i = 0; i < r->nlines; i++) {
        sscanf(r->lines[i], "evtq: logged %d suppressed %d overflow %d",
               logged, suppressed, overflow);
    }
}

/*
 * L2 overflows its event queue: a burst of faults while its event thread
 * cannot run.  The vSMMU drops what no longer fits, counts it and
 * toggles OVFLG; L2's driver sees the toggle ("EVTQ overflow detected").
 * Every event is accounted for, exactly: L2 received (logged plus what
 * its rate limit suppressed) what the vSMMU delivered, and delivered
 * plus dropped is what the host raised (the vEVENTQ's sequence numbers,
 * from 0: last-sequence + 1).
 */
static void test_l2_overflow(void *opaque)
{
    const Run *r = opaque;
    int logged, suppressed, overflow;
    long long received, raised = r->last_seq + 1;

    l2_evtq_counts(r, &logged, &suppressed, &overflow);
    received = (long long)logged + suppressed;
    vm_note("L2 overflow: logged %d, suppressed %d, overflow messages %d",
            logged, suppressed, overflow);
    if (r->vsmmu_seen) {
        vm_note("query-vsmmu: delivered %lld, guest-overflow-dropped %lld,"
                " host-lost %lld, last-sequence %lld", r->delivered,
                r->overflow_dropped, r->host_lost, r->last_seq);
    } else {
        vm_note("no query-vsmmu reply (the daemon never stopped)");
    }
    VM_ASSERT(has_line(r, "burst: ", " " L2_EDU_BURST " DMAs"),
              "L2 made its " L2_EDU_BURST " back-to-back faulting DMAs");
    VM_ASSERT(r->vsmmu_seen && r->last_seq >= 0 && logged >= 0,
              "query-vsmmu at L2's power-off and L2's counts were read");
    VM_ASSERT(overflow >= 1, "L2's driver saw OVFLG toggle (\"EVTQ"
              " overflow detected -- events lost\")");
    VM_ASSERT(r->overflow_dropped > 0, "the vSMMU counted the events the"
              " full guest queue could not take (%lld)", r->overflow_dropped);
    VM_ASSERT(received == r->delivered, "L2 received every event the vSMMU"
              " delivered: %d logged + %d suppressed == %lld delivered",
              logged, suppressed, r->delivered);
    VM_ASSERT(r->host_lost == 0 && r->disabled_dropped == 0 &&
              r->abort_dropped == 0 && r->unowned == 0 && r->discarded == 0,
              "no event went another way (host-lost %lld, disabled %lld,"
              " abort %lld, unowned %lld, discarded %lld)", r->host_lost,
              r->disabled_dropped, r->abort_dropped, r->unowned,
              r->discarded);
    VM_ASSERT(received + r->overflow_dropped == raised, "exact conservation:"
              " L2 received %lld + overflow-dropped %lld == %lld the host"
              " raised (last-sequence + 1)", received, r->overflow_dropped,
              raised);
    VM_ASSERT(r->status == 0, "QMP quit ends the daemon with status 0"
              " (status %d)", r->status);
}

/*
 * device_del of edu in its root port while L2 runs: the attention
 * button, pciehp's 5 s and power-off, then the daemon's unplug.
 */
static void test_hotplug(void *opaque)
{
    const Run *r = opaque;

    VM_ASSERT(has_line(r, "hotplug: ready ", " pciehp=1"),
              "L2 found edu behind the root port, pciehp bound to its slot");
    VM_ASSERT(r->del_sent && !r->del_error,
              "device_del sent over QMP while L2 ran, no error");
    VM_ASSERT(has_line(r, "hotplug-dmesg: ", "utton"),
              "L2's pciehp logged the attention button");
    VM_ASSERT(has_line(r, "hotplug: gone ", ""),
              "edu left L2's /sys/bus/pci/devices and the slot is empty");
    VM_ASSERT(r->ev_deleted, "L1 got DEVICE_DELETED for hostdev0");
    VM_ASSERT(r->vsmmu_seen && !r->vdevice_after,
              "query-vsmmu at L2's power-off lists no vDEVICE");
    VM_ASSERT(!has_line(r, "error: ", ""), "no error in L2");
    VM_ASSERT(has_line(r, "done", "") && r->ev_shutdown_guest,
              "L2 finished and powered off");
    VM_ASSERT(r->status == 0, "QMP quit ends the daemon with status 0"
              " (status %d)", r->status);
}

int main(void)
{
    static Run r, paused = { .no_shutdown = true, .mmio_exits = -1 },
               rebooted = {
        .reboot = true, .chardev = true,
    }, assigned = { .no_shutdown = true, .mmio_exits = -1 },
       overflowed = { .no_shutdown = true, .mmio_exits = -1, .burst = true },
       unplugged = { .hotplug = true, .mmio_exits = -1 };

    vm_init();
    /* VSMMU_GUEST_OVERFLOW=1 on L1's command line: that run alone. */
    if (getenv("VSMMU_GUEST_OVERFLOW")) {
        if (vm_run("L1's edu bound to vfio-pci", test_bind_edu,
                   &overflowed)) {
            run_daemon(&overflowed);
            vm_run("L2's event queue overflows, every event counted",
                   test_l2_overflow, &overflowed);
        }
        vm_finish();
    }
    /* VSMMU_GUEST_HOTPLUG=1 on L1's command line: that run alone. */
    if (getenv("VSMMU_GUEST_HOTPLUG")) {
        if (vm_run("L1's edu bound to vfio-pci", test_bind_edu, &unplugged)) {
            run_daemon(&unplugged);
            vm_run("device_del: L2 sees the PCIe hot-unplug", test_hotplug,
                   &unplugged);
        }
        vm_finish();
    }
    /* make demo-guest: only the host-device run, for a person. */
    if (getenv("VSMMU_GUEST_DEMO")) {
        if (vm_run("L1's edu bound to vfio-pci", test_bind_edu, &assigned)) {
            run_daemon(&assigned);
            vm_run("L2's driver logs the host faults", test_l2_faults,
                   &assigned);
            vm_run("the assigned edu's MSIs reach L2", test_l2_msi,
                   &assigned);
        }
        vm_finish();
    }
    vm_run("L1 has KVM", test_kvm, NULL);
    vm_run("edu DMA faults reach L1's driver", test_edu_faults_l1, NULL);
    vm_run("no /dev/kvm: a clear error", test_no_dev_kvm, NULL);
    run_daemon(&r);
    vm_run("daemon exits 0 at L2 power-off", test_power_off, &r);
    vm_run("L2 reached init", test_init, &r);
    vm_run("L2 arm-smmu-v3 probed the vSMMU", test_probe, &r);
    vm_run("L2 arm-smmu-v3 bound", test_bound, &r);
    vm_run("L2 requested the SMMU interrupts", test_irqs, &r);
    vm_run("no SMMU errors in L2", test_no_errors, &r);
    vm_run("L2 runs on every vCPU", test_cpus, &r);
    vm_run("L2 finished", test_done, &r);
    /* Again with -no-shutdown: power-off pauses, QMP quit ends it. */
    run_daemon(&paused);
    vm_run("no-shutdown pauses at L2 power-off", test_no_shutdown, &paused);
    /* Without -no-reboot a guest reset reboots it. */
    run_daemon(&rebooted);
    vm_run("L2 reboots through a system reset", test_reboot, &rebooted);
    /* L1's edu, assigned to L2 behind the accelerated vSMMU. */
    if (vm_run("L1's edu bound to vfio-pci", test_bind_edu, &assigned)) {
        run_daemon(&assigned);
        vm_run("L2's driver logs the host faults", test_l2_faults,
               &assigned);
        vm_run("the assigned edu's MSIs reach L2", test_l2_msi, &assigned);
        /* Again, with a burst that overflows L2's event queue. */
        memcpy(overflowed.edu_bdf, assigned.edu_bdf,
               sizeof(overflowed.edu_bdf));
        run_daemon(&overflowed);
        vm_run("L2's event queue overflows, every event counted",
               test_l2_overflow, &overflowed);
        /* Again, edu behind a root port: device_del while L2 runs. */
        memcpy(unplugged.edu_bdf, assigned.edu_bdf,
               sizeof(unplugged.edu_bdf));
        run_daemon(&unplugged);
        vm_run("device_del: L2 sees the PCIe hot-unplug", test_hotplug,
               &unplugged);
    }
    vm_finish();
}
