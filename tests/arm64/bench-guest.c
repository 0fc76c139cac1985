/*
 * bench-guest: /init of the nested arm64 test bed's L1 for
 * "make bench-guest" (tests/arm64/bench-guest.sh): the same L2 scenario
 * under our vsmmu-daemon and under upstream QEMU (Debian's arm64
 * qemu-system-aarch64, in /upstream/ when bench-guest.sh could fetch it),
 * one VMM after the other in this one L1 boot.
 *
 * L1's edu is bound to vfio-pci once and assigned to L2 behind an
 * accel=on SMMUv3 (-object iommufd, -device vfio-pci).  Two runs per
 * VMM, with tests/arm64/guest-init.c as L2's /init:
 *   faults    VSMMU_GUEST_EDU_DMAS=4: four 8-byte DMAs from an IOVA L2's
 *             domain does not map, 2 host faults each (8 raised)
 *   overflow  VSMMU_GUEST_EDU_BURST=176: 176 4-KiB DMAs (1024 faults
 *             each) while L2's event thread cannot run, then the
 *             4-byte faults of its log settling (1 each, L2 says how
 *             many): 180,224 events for L2's 131,072-entry queue, so
 *             that both VMMs overflow it (upstream delivers more slowly
 *             and L1's vEVENTQ holds the rest meanwhile: at 136 DMAs,
 *             the nested bed's own overflow run, it lost none).
 *             VSMMU_BENCH_BURST=N on L1's command line changes N
 * Ours boots L2 from its device tree; upstream refuses accel=on with a
 * device tree, so it boots the same Image through UEFI (-bios, ACPI).
 *
 * Per run this program counts, from L2's own log: faults raised (the
 * DMA sizes), seen by L2's driver (logged + suppressed by its rate
 * limit), lost (raised - seen) and how L2 learnt of it ("EVTQ overflow
 * detected": OVFLG; "EVTQ write aborted": GERROR.EVENTQ_ABT_ERR).  The
 * time is measured here in L1, never in L2: every SAMPLE_MS it samples
 * L1's own arm-smmu-v3 event-queue interrupt count (host faults arriving)
 * and the VMM's threads' CPU time (/proc/PID/task/N/schedstat).  The
 * burst window opens at the sample before the first host fault and
 * closes once no host fault came for QUIET_S and the VMM's non-vCPU
 * threads went idle (the last entry written to L2's queue or dropped;
 * this tail is printed);
 * events/s is the burst's events over that window, and L1 CPU per event
 * the VMM's CPU time in the window over those events (without and with
 * its vCPU threads: L2 spins during the burst).  For ours, query-vsmmu
 * at L2's power-off adds the host-side counters.
 *
 * Results, one line per VMM and run, for bench-guest.sh:
 *   VSMMU-TEST: # bench: vmm=ours|upstream run=faults|overflow KEY=VALUE...
 *   VSMMU-TEST: # bench: vmm=upstream skipped: WHY
 * Each run is also a test: L2 finished and its driver saw the faults.
 * Nothing is asserted on a timing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "vmlib.h"
#include "edu-vfio.h"

#define SAMPLE_MS 20
#define QUIET_S 1.0             /* no host fault this long: burst over */
#define TAIL_MAX_S 120.0        /* the VMM's busy tail after the last one */
#define MAX_SAMPLES 40000       /* 800 s of samples */
#define RUN_TIMEOUT_S 900
#define L2_PREFIX "VSMMU-GUEST: "
#define CONSOLE "/tmp/bench-l2.log"
#define QMP_PATH "/tmp/bench-qmp.sock"
#define UPSTREAM_DIR "/upstream"
#define UPSTREAM_LD UPSTREAM_DIR "/ld-linux-aarch64.so.1"
#define UPSTREAM_BIN UPSTREAM_DIR "/qemu-system-aarch64"
#define EDU_DMAS 4              /* 8-byte DMAs: 2 faults each */
#define EDU_BURST 176           /* 4-KiB DMAs: 1024 faults each */

typedef enum { VMM_OURS, VMM_UPSTREAM } Vmm;

typedef struct Sample {
    double t;                   /* seconds since the VMM started */
    long long irqs;             /* L1's arm-smmu-v3-evtq interrupts */
    long long cpu_ns;           /* the VMM's non-vCPU threads */
    long long vcpu_ns;          /* its vCPU threads ("CPU N/KVM") */
} Sample;

typedef struct Bench {
    Vmm vmm;
    bool burst;
    const char *bdf;
    /* From L2's log. */
    int dmas, settle, logged, suppressed, ovflg, gerror, aborted;
    bool done;
    /* From L1. */
    int status;                 /* VMM exit status, -1 killed */
    double wall_s;
    struct rusage ru;
    int l1_overflow;            /* L1's own "EVTQ overflow detected" */
    long long delivered, dropped, host_lost, last_seq;  /* ours: QMP */
    Sample *s;
    int ns;
} Bench;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *vmm_name(Vmm v)
{
    return v == VMM_OURS ? "ours" : "upstream";
}

/* The overflow run's DMAs: VSMMU_BENCH_BURST, else EDU_BURST. */
static int burst_dmas(void)
{
    const char *n = getenv("VSMMU_BENCH_BURST");

    return n && atoi(n) > 0 && atoi(n) <= 4096 ? atoi(n) : EDU_BURST;
}

static const char *l2_append(const Bench *b)
{
    static char append[192];

    /* Both: loglevel=1 keeps the driver's reports off the console. */
    snprintf(append, sizeof(append), "console=ttyAMA0%s loglevel=1 panic=-1%s",
             b->vmm == VMM_UPSTREAM ? " acpi=force" : "", b->burst ?
             " log_buf_len=4M VSMMU_GUEST_EDU_BURST=" :
             " VSMMU_GUEST_EDU_DMAS=");
    snprintf(append + strlen(append), sizeof(append) - strlen(append), "%d",
             b->burst ? burst_dmas() : EDU_DMAS);
    return append;
}

/* The VMM's command line: the same guest, each VMM's own spelling. */
static char **vmm_argv(const Bench *b)
{
    static char dev[128];
    static char *argv[48];
    const char *common[] = {
        "-smp", "1", "-m", "256", "-cpu", "host",
        "-kernel", "/data/Image", "-initrd", "/data/l2-initrd.cpio",
        "-append", l2_append(b),
        "-object", "iommufd,id=iommufd0",
        "-device", "arm-smmuv3,primary-bus=pcie.0,accel=on",
        "-device", dev, "-serial", "file:" CONSOLE,
    };
    int n = 0;

    snprintf(dev, sizeof(dev), "vfio-pci,host=%s,iommufd=iommufd0", b->bdf);
    if (b->vmm == VMM_OURS) {
        argv[n++] = "/bin/vsmmu-daemon";
        argv[n++] = "-name";
        argv[n++] = "guest=l2,debug-threads=on";
        argv[n++] = "-accel";
        argv[n++] = "kvm";
        argv[n++] = "-machine";
        argv[n++] = "virt,gic-version=3";
        argv[n++] = "-no-shutdown";
        argv[n++] = "-qmp";
        argv[n++] = "unix:" QMP_PATH ",server=on,wait=off";
    } else {
        argv[n++] = UPSTREAM_LD;
        argv[n++] = "--library-path";
        argv[n++] = UPSTREAM_DIR;
        argv[n++] = UPSTREAM_BIN;
        argv[n++] = "-name";
        argv[n++] = "l2,debug-threads=on";
        argv[n++] = "-M";
        argv[n++] = "virt,accel=kvm,gic-version=3";
        argv[n++] = "-bios";
        argv[n++] = UPSTREAM_DIR "/QEMU_EFI.fd";
        argv[n++] = "-nodefaults";
        argv[n++] = "-display";
        argv[n++] = "none";
    }
    argv[n++] = "-no-reboot";
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
        argv[n++] = (char *)common[i];
    }
    argv[n] = NULL;
    return argv;
}

/* CPU time of PID's threads, split into vCPU threads and the others. */
static void vmm_cpu(pid_t pid, long long *cpu_ns, long long *vcpu_ns)
{
    char path[96], comm[32];
    DIR *d;
    struct dirent *e;

    *cpu_ns = *vcpu_ns = 0;
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    d = opendir(path);
    while (d && (e = readdir(d))) {
        long long ns = 0;
        FILE *f;

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/%d/task/%.16s/comm", (int)pid,
                 e->d_name);
        comm[0] = '\0';
        if ((f = fopen(path, "r"))) {
            comm[fgets(comm, sizeof(comm), f) ? strcspn(comm, "\n") : 0] = 0;
            fclose(f);
        }
        snprintf(path, sizeof(path), "/proc/%d/task/%.16s/schedstat",
                 (int)pid, e->d_name);
        if ((f = fopen(path, "r"))) {
            ns = fscanf(f, "%lld", &ns) == 1 ? ns : 0;
            fclose(f);
        }
        if (!strncmp(comm, "CPU ", 4) && strstr(comm, "/KVM")) {
            *vcpu_ns += ns;
        } else {
            *cpu_ns += ns;
        }
    }
    if (d) {
        closedir(d);
    }
}

static void sample(Bench *b, pid_t pid, double t)
{
    Sample *s;

    if (b->ns == MAX_SAMPLES) {
        return;
    }
    s = &b->s[b->ns++];
    s->t = t;
    s->irqs = vm_irq_count("arm-smmu-v3-evtq");  /* L1's own SMMU */
    vmm_cpu(pid, &s->cpu_ns, &s->vcpu_ns);
}

/* Kernel log lines of L1 containing NEEDLE. */
static int klog_count(const char *needle)
{
    int size = klogctl(10, NULL, 0), n, count = 0;  /* SIZE_BUFFER */
    char *buf, *p;

    if (size <= 0 || !(buf = malloc(size + 1))) {
        return -1;
    }
    n = klogctl(3, buf, size);                      /* READ_ALL */
    buf[n > 0 ? n : 0] = '\0';
    for (p = buf; (p = strstr(p, needle)); p++) {
        count++;
    }
    free(buf);
    return count;
}

static void qmp_send(int fd, const char *cmd)
{
    size_t len = strlen(cmd);

    VM_ASSERT(write(fd, cmd, len) == (ssize_t)len, "QMP write");
}

/* Ours: at STOP (L2 powered off, -no-shutdown) ask query-vsmmu, quit. */
static void qmp_read(Bench *b, int *fd, char *buf, size_t *len)
{
    ssize_t n = read(*fd, buf + *len, 4095 - *len);
    char *line = buf, *nl;

    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    *len += n;
    buf[*len] = '\0';
    while ((nl = strchr(line, '\n'))) {
        *nl = '\0';
        if (strstr(line, "\"event\":\"STOP\"")) {
            qmp_send(*fd, "{\"execute\":\"query-vsmmu\"}\n");
        }
        if (strstr(line, "\"delivered\":")) {
            vm_note("ours: query-vsmmu: %s", line);
            b->delivered = vm_json_counter(line, "delivered");
            b->dropped = vm_json_counter(line, "guest-overflow-dropped");
            b->host_lost = vm_json_counter(line, "host-lost");
            b->last_seq = vm_json_counter(line, "last-sequence");
            qmp_send(*fd, "{\"execute\":\"quit\"}\n");
        }
        line = nl + 1;
    }
    *len = strlen(line);
    memmove(buf, line, *len + 1);
    if (*len == 4095) {
        *len = 0;
    }
}

static int qmp_connect(pid_t pid)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    double t0 = now();

    strcpy(addr.sun_path, QMP_PATH);
    VM_ASSERT(fd >= 0, "QMP socket");
    while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        VM_ASSERT(now() - t0 < 60 && waitpid(pid, NULL, WNOHANG) == 0,
                  "the daemon's QMP socket appears within 60 s");
        usleep(20000);
    }
    qmp_send(fd, "{\"execute\":\"qmp_capabilities\"}\n");
    return fd;
}

static pid_t spawn(Bench *b, int *out_fd)
{
    int pfd[2];
    pid_t pid;

    unlink(CONSOLE);
    unlink(QMP_PATH);
    VM_ASSERT(pipe(pfd) == 0, "pipe for the VMM's output");
    fflush(NULL);
    pid = fork();
    VM_ASSERT(pid >= 0, "fork the VMM");
    if (pid == 0) {
        char **argv = vmm_argv(b);

        dup2(pfd[1], STDOUT_FILENO);
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[0]);
        close(STDIN_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    *out_fd = pfd[0];
    return pid;
}

/* The VMM's own output (its errors), as notes; false at its end. */
static bool vmm_output(const Bench *b, int fd, char *acc, size_t *len)
{
    ssize_t n = read(fd, acc + *len, 1023 - *len);
    char *line = acc, *nl;

    if (n <= 0) {
        return false;
    }
    *len += n;
    acc[*len] = '\0';
    while ((nl = strchr(line, '\n'))) {
        *nl = '\0';
        vm_note("%s: %s", vmm_name(b->vmm), line);
        line = nl + 1;
    }
    *len = strlen(line);
    memmove(acc, line, *len + 1);
    if (*len == 1023) {
        *len = 0;
    }
    return true;
}

/* Run the VMM to its end, sampling L1 every SAMPLE_MS. */
static void run_vmm(Bench *b)
{
    char out[1024], qbuf[4096];
    size_t olen = 0, qlen = 0;
    int out_fd, qmp_fd = -1, status = 0, l1_before = klog_count(
        "EVTQ overflow detected");
    double t0 = now(), next = 0;
    pid_t pid = spawn(b, &out_fd);

    b->status = -1;
    if (b->vmm == VMM_OURS) {
        qmp_fd = qmp_connect(pid);
    }
    for (;;) {
        struct pollfd p[2] = {
            { .fd = out_fd, .events = POLLIN },
            { .fd = qmp_fd, .events = POLLIN },
        };
        double t = now() - t0;

        if (t >= next) {
            sample(b, pid, t);
            next = t + SAMPLE_MS / 1000.0;
        }
        if (t > RUN_TIMEOUT_S) {
            vm_note("%s: no end within %d s: killed", vmm_name(b->vmm),
                    RUN_TIMEOUT_S);
            kill(pid, SIGKILL);
            break;
        }
        if (poll(p, 2, SAMPLE_MS) <= 0) {
            continue;
        }
        if (qmp_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
            qmp_read(b, &qmp_fd, qbuf, &qlen);
        }
        if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
            !vmm_output(b, out_fd, out, &olen)) {
            break;              /* the VMM closed its output: it ended */
        }
    }
    close(out_fd);
    if (qmp_fd >= 0) {
        close(qmp_fd);
    }
    VM_ASSERT(wait4(pid, &status, 0, &b->ru) == pid, "reap the VMM");
    b->wall_s = now() - t0;
    if (WIFEXITED(status)) {
        b->status = WEXITSTATUS(status);
    }
    b->l1_overflow = klog_count("EVTQ overflow detected") - l1_before;
}

/* L2's VSMMU-GUEST lines from its console file: the counts. */
static void read_l2(Bench *b)
{
    FILE *f = fopen(CONSOLE, "r");
    char line[1024];

    b->logged = b->suppressed = -1;
    VM_ASSERT(f, "L2's console file " CONSOLE " exists");
    while (fgets(line, sizeof(line), f)) {
        char *g = strstr(line, L2_PREFIX), bdf[32];

        if (!g) {
            continue;
        }
        g += strlen(L2_PREFIX);
        g[strcspn(g, "\r\n")] = '\0';
        vm_note("%s L2: %s", vmm_name(b->vmm), g);
        sscanf(g, "edu: %31s %d DMAs", bdf, &b->dmas);
        sscanf(g, "burst: %31s %d DMAs", bdf, &b->dmas);
        sscanf(g, "settle: %d DMAs", &b->settle);
        sscanf(g, "evtq: logged %d suppressed %d overflow %d gerror %d"
               " aborted %d", &b->logged, &b->suppressed, &b->ovflg,
               &b->gerror, &b->aborted);
        b->done |= !strcmp(g, "done");
    }
    fclose(f);
}

/* The burst window: [open, close] sample indices; false if none. */
static bool burst_window(const Bench *b, int *open, int *last_fault,
                         int *close)
{
    const Sample *s = b->s;
    int first = -1, last = -1, k;

    for (int i = 1; i < b->ns; i++) {
        if (s[i].irqs == s[i - 1].irqs) {
            continue;
        }
        if (first < 0) {
            first = i;
        } else if (s[i].t - s[last].t > QUIET_S) {
            break;              /* a later, separate activity */
        }
        last = i;
    }
    if (first < 0) {
        return false;
    }
    /*
     * Then while the VMM's non-vCPU threads stay busy (over 1/4 of a
     * CPU; bounded): a VMM behind the host is still reading its
     * vEVENTQ and writing L2's queue.  L2's reads of its queue are
     * exits to the vCPU threads, not counted here.
     */
    for (k = last + 1; k < b->ns && s[k].t - s[last].t <= TAIL_MAX_S &&
         s[k].cpu_ns - s[k - 1].cpu_ns > (s[k].t - s[k - 1].t) * 0.25e9; k++) {
    }
    *open = first - 1;
    *last_fault = last;
    *close = k < b->ns ? k : b->ns - 1;
    return true;
}

/* One line per second of the window and its tail, for the log. */
static void timeline(const Bench *b, int open, int close)
{
    const Sample *s = b->s;
    int from = open;

    for (int i = open + 1; i <= close; i++) {
        if (s[i].t - s[from].t < 1.0 && i < close) {
            continue;
        }
        vm_note("%s timeline: %.2f-%.2f s: L1 evtq irqs +%lld, VMM %.0f ms"
                " (vCPU %.0f ms)", vmm_name(b->vmm), s[from].t, s[i].t,
                s[i].irqs - s[from].irqs,
                (s[i].cpu_ns - s[from].cpu_ns) / 1e6,
                (s[i].vcpu_ns - s[from].vcpu_ns) / 1e6);
        from = i;
    }
}

static void report(const Bench *b)
{
    long long raised = b->burst ? (long long)b->dmas * 1024 + b->settle
                                : (long long)b->dmas * 2;
    long long window_events = b->burst ? (long long)b->dmas * 1024 : raised;
    long long seen = (long long)b->logged + b->suppressed;
    double win = 0, tail = 0, cpu = 0, all = 0, total;
    int o, l, c;
    char extra[160] = "";

    if (burst_window(b, &o, &l, &c)) {
        win = b->s[c].t - b->s[o].t;
        tail = b->s[c].t - b->s[l].t;
        timeline(b, o, c);
        cpu = (b->s[c].cpu_ns - b->s[o].cpu_ns) / 1e3;
        all = cpu + (b->s[c].vcpu_ns - b->s[o].vcpu_ns) / 1e3;
    }
    total = (b->ru.ru_utime.tv_sec + b->ru.ru_stime.tv_sec) * 1e6 +
            b->ru.ru_utime.tv_usec + b->ru.ru_stime.tv_usec;
    if (b->vmm == VMM_OURS) {
        snprintf(extra, sizeof(extra), " delivered=%lld overflow_dropped=%lld"
                 " host_lost=%lld last_sequence=%lld", b->delivered,
                 b->dropped, b->host_lost, b->last_seq);
    }
    vm_note("bench: vmm=%s run=%s dmas=%d raised=%lld seen=%lld logged=%d"
            " suppressed=%d lost=%lld ovflg=%d gerror=%d aborted=%d"
            " l1_overflow=%d window_s=%.3f tail_s=%.3f window_events=%lld"
            " events_per_s=%.0f cpu_us_per_event=%.2f"
            " cpu_all_us_per_event=%.2f process_cpu_s=%.2f wall_s=%.2f"
            " status=%d%s", vmm_name(b->vmm),
            b->burst ? "overflow" : "faults", b->dmas, raised, seen, b->logged,
            b->suppressed, raised - seen, b->ovflg, b->gerror, b->aborted,
            b->l1_overflow, win, tail, window_events,
            win > 0 ? window_events / win : 0, cpu / window_events,
            all / window_events, total / 1e6, b->wall_s, b->status, extra);
}

static void test_bind(void *opaque)
{
    char *bdf = opaque, cdev[64];

    edu_bind_vfio(bdf, 32, cdev, sizeof(cdev));
    vm_note("edu %s bound to vfio-pci (%s), to be L2's", bdf, cdev);
}

static void test_run(void *opaque)
{
    Bench *b = opaque;

    b->s = calloc(MAX_SAMPLES, sizeof(*b->s));
    VM_ASSERT(b->s, "room for the samples");
    run_vmm(b);
    read_l2(b);
    report(b);
    free(b->s);
    VM_ASSERT(b->done, "L2 ran to its end under %s", vmm_name(b->vmm));
    VM_ASSERT(b->dmas == (b->burst ? burst_dmas() : EDU_DMAS) &&
              b->logged > 0, "L2 made its DMAs (%d) and its driver logged"
              " the faults (%d)", b->dmas, b->logged);
    VM_ASSERT(b->status == 0, "the VMM exited 0 (status %d)", b->status);
}

/* Is upstream QEMU in this initramfs, and does it run? */
static bool upstream_usable(char *why, size_t len)
{
    char *argv[] = { UPSTREAM_LD, "--library-path", UPSTREAM_DIR,
                     UPSTREAM_BIN, "--version", NULL };
    int status;
    pid_t pid;

    if (access(UPSTREAM_BIN, R_OK) != 0) {
        snprintf(why, len, "not in L1's initramfs (bench-guest.sh could not"
                 " fetch it)");
        return false;
    }
    chmod(UPSTREAM_LD, 0755);       /* run-vm.sh --file makes it 0644 */
    fflush(NULL);
    if ((pid = fork()) == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, len, UPSTREAM_BIN " --version fails in L1");
        return false;
    }
    return true;
}

int main(void)
{
    static char bdf[32];
    static Bench runs[] = {
        { .vmm = VMM_OURS }, { .vmm = VMM_OURS, .burst = true },
        { .vmm = VMM_UPSTREAM }, { .vmm = VMM_UPSTREAM, .burst = true },
    };
    static const char *const names[] = {
        "ours: the fault run", "ours: the overflow run",
        "upstream: the fault run", "upstream: the overflow run",
    };
    char why[160];
    bool upstream;

    vm_init();
    if (!vm_run("L1's edu bound to vfio-pci", test_bind, bdf)) {
        vm_finish();
    }
    upstream = upstream_usable(why, sizeof(why));
    for (int i = 0; i < 4; i++) {
        runs[i].bdf = bdf;
        if (runs[i].vmm == VMM_UPSTREAM && !upstream) {
            vm_note("bench: vmm=upstream run=%s skipped: %s",
                    runs[i].burst ? "overflow" : "faults", why);
            vm_skip(names[i], "%s", why);
            continue;
        }
        vm_run(names[i], test_run, &runs[i]);
    }
    vm_finish();
}
