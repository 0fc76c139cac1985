/*
 * guest-init: /init of the L2 guest that vsmmu-daemon runs under KVM in
 * the nested arm64 test bed (tests/arm64/run-guest-test.sh).
 *
 * The console is a trapped PL011 (every character is a VM exit), so it
 * prints results only, one "VSMMU-GUEST: " line each:
 *
 *   VSMMU-GUEST: init                      reached /init
 *   VSMMU-GUEST: edu: BDF N DMAs           with VSMMU_GUEST_EDU_DMAS=N:
 *                                          N 8-byte DMAs of an assigned
 *                                          edu from unmapped IOVA
 *                                          0x100000 (edu-dma.c), before
 *                                          the kernel log is read
 *   VSMMU-GUEST: burst: BDF N DMAs         with VSMMU_GUEST_EDU_BURST=N:
 *                                          N 4-KiB faulting DMAs at
 *                                          SCHED_FIFO 99, busy-waiting,
 *                                          so the driver's event thread
 *                                          cannot drain meanwhile and the
 *                                          event queue overflows; then,
 *                                          past the driver's log rate
 *                                          limit (5 s), 4-byte faults
 *                                          until the kernel has reported
 *                                          every event report it
 *                                          suppressed (evtq_settle)
 *   VSMMU-GUEST: msi: BDF raised N delivered D timeouts T
 *                                          with VSMMU_GUEST_EDU_MSI=N:
 *                                          the assigned edu bound to
 *                                          L2's vfio-pci, its MSI on an
 *                                          eventfd, N interrupts raised
 *                                          one at a time (edu-msi.c)
 *   VSMMU-GUEST: dmesg: TEXT               each kernel log line that
 *                                          mentions an SMMU (after a
 *                                          burst, not the event reports)
 *   VSMMU-GUEST: evtq: logged L suppressed S overflow O
 *                                          events the driver logged
 *                                          ("event 0x.. received"), its
 *                                          rate limit suppressed
 *                                          ("arm_smmu_dump_event: S
 *                                          callbacks suppressed"), and
 *                                          "EVTQ overflow detected" lines
 *   VSMMU-GUEST: bound: DEV                arm-smmu-v3 bound to DEV
 *   VSMMU-GUEST: irq: NAME CHIP            each SMMU interrupt registered,
 *                                          with its controller (GICv3: a
 *                                          wired SPI; ITS-...: an MSI)
 *   VSMMU-GUEST: cpus: N                   CPUs online (PSCI CPU_ON)
 *   VSMMU-GUEST: done
 *
 * then powers off (PSCI SYSTEM_OFF through reboot(RB_POWER_OFF)), or with
 * VSMMU_GUEST_REBOOT=1 on its command line prints "VSMMU-GUEST: reboot"
 * and reboots (PSCI SYSTEM_RESET).
 * Static, libc only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>
#include "edu-dma.h"
#include "edu-msi.h"

#define PREFIX "VSMMU-GUEST: "
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* The kernel log, NUL-terminated (free it), or NULL. */
static char *read_klog(void)
{
    int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), n;
    char *buf;

    if (size <= 0 || !(buf = malloc(size + 1))) {
        return NULL;
    }
    n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

typedef struct EvtqLog {
    int logged;                 /* "event 0x.. received" */
    int suppressed;             /* reports the rate limit swallowed */
    int overflow;               /* "EVTQ overflow detected" */
} EvtqLog;

static void evtq_log_line(EvtqLog *c, const char *line)
{
    const char *p;

    c->logged += strstr(line, "arm-smmu-v3 ") && strstr(line, "event 0x") &&
                 strstr(line, " received:");
    c->overflow += strstr(line, "EVTQ overflow detected") != NULL;
    p = strstr(line, "arm_smmu_dump_event: ");
    if (p && strstr(p, " callbacks suppressed")) {
        c->suppressed += atoi(p + strlen("arm_smmu_dump_event: "));
    }
}

/* A line of the driver's report of one event, or of its rate limit. */
static bool event_report_line(const char *line)
{
    return strstr(line, " received:") || strstr(line, "\t0x") ||
           strstr(line, "event: ") || strstr(line, "\" stag: ") ||
           strstr(line, "callbacks suppressed");
}

/*
 * Print the SMMU lines of the kernel log (with PRINT; with BRIEF not the
 * event reports, too many for the console) and count them.
 */
static bool scan_smmu_dmesg(bool print, bool brief, EvtqLog *c)
{
    char *buf = read_klog(), *line, *save = NULL;

    memset(c, 0, sizeof(*c));
    if (!buf) {
        return false;
    }
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        evtq_log_line(c, line);
        if (print && (strstr(line, "smmu") || strstr(line, "SMMU")) &&
            !(brief && event_report_line(line))) {
            /* Drop the "<6>[    0.123456] " prefix. */
            char *text = strchr(line, ']');

            printf(PREFIX "dmesg: %s\n", text ? text + 2 : line);
        }
    }
    free(buf);
    return true;
}

static void print_smmu_dmesg(bool brief)
{
    EvtqLog c;

    if (!scan_smmu_dmesg(true, brief, &c)) {
        printf(PREFIX "error: cannot read the kernel log\n");
        return;
    }
    printf(PREFIX "evtq: logged %d suppressed %d overflow %d\n", c.logged,
           c.suppressed, c.overflow);
}

static void print_bound(void)
{
    DIR *d = opendir("/sys/bus/platform/drivers/arm-smmu-v3");
    struct dirent *e;

    if (!d) {
        printf(PREFIX "error: no arm-smmu-v3 platform driver in sysfs\n");
        return;
    }
    while ((e = readdir(d))) {
        /* Devices appear as links named after them ("c000000.smmuv3"). */
        if (e->d_type == DT_LNK && strchr(e->d_name, '.')) {
            printf(PREFIX "bound: %s\n", e->d_name);
        }
    }
    closedir(d);
}

static void print_irqs(void)
{
    FILE *f = fopen("/proc/interrupts", "r");
    char line[512];

    if (!f) {
        printf(PREFIX "error: cannot open /proc/interrupts\n");
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        char *name = strstr(line, "arm-smmu-v3-");
        char *tok, *save = NULL, *chip = NULL;

        if (!name) {
            continue;
        }
        name[strcspn(name, " \n")] = '\0';
        /* "IRQ:  count...  CHIP  HWIRQ  TYPE  NAME": the first word */
        /* after the per-CPU counts is the controller. */
        strtok_r(line, " ", &save);
        while ((tok = strtok_r(NULL, " ", &save)) &&
               strspn(tok, "0123456789") == strlen(tok)) {
        }
        chip = tok ? tok : "?";
        printf(PREFIX "irq: %s %s\n", name, chip);
    }
    fclose(f);
}

/*
 * The driver logs at most 10 events in 5 s (DEFAULT_RATELIMIT_*) and
 * says how many it suppressed only at its first report after that
 * window.  Until a window passes with nothing but our own probe: wait
 * the window out, make one 4-byte fault (one event), and wait (bounded)
 * until the driver has logged it.  Then every event it received is in
 * the log, logged or counted as suppressed.
 */
static void evtq_settle(EduDma *e)
{
    struct timespec past_ratelimit = { 6, 0 }, tick = { 0, 10000000 };
    EvtqLog before, now = { 0 };
    char err[256];

    for (int round = 0; round < 30; round++) {
        nanosleep(&past_ratelimit, NULL);
        if (!scan_smmu_dmesg(false, false, &before) ||
            edu_dma_read(e, 0x100000, 4, 5000, err, sizeof(err)) < 0) {
            printf(PREFIX "error: edu: cannot settle the event log\n");
            return;
        }
        for (int t = 0; t < 2000 && scan_smmu_dmesg(false, false, &now) &&
                        now.logged == before.logged; t++) {
            nanosleep(&tick, NULL);
        }
        if (now.logged == before.logged + 1 &&
            now.suppressed == before.suppressed) {
            return;
        }
    }
    printf(PREFIX "error: the event log did not settle\n");
}

/*
 * N DMAs the guest's own SMMU domain does not map: its driver logs them.
 * BURST overflows L2's event queue: N 4-KiB DMAs back to back at
 * SCHED_FIFO 99, busy-waiting, so the driver's threaded event handler
 * (SCHED_FIFO 50) cannot run on this vCPU until they are done; then the
 * log is let settle.
 */
static void edu_faults(const char *count, bool burst)
{
    struct sched_param rt = { .sched_priority = 99 }, other = { 0 };
    int n = atoi(count), done = 0;
    char err[256];
    EduDma e;

    if (edu_dma_open(&e, err, sizeof(err)) < 0) {
        printf(PREFIX "error: edu: %s\n", err);
        return;
    }
    if (burst && sched_setscheduler(0, SCHED_FIFO, &rt) < 0) {
        printf(PREFIX "error: cannot run at SCHED_FIFO 99\n");
    }
    for (; done < n; done++) {
        if ((burst ? edu_dma_read_spin(&e, 0x100000, 4096, 5000, err,
                                       sizeof(err))
                   : edu_dma_read(&e, 0x100000, 8, 5000, err,
                                  sizeof(err))) < 0) {
            break;
        }
    }
    if (burst) {
        sched_setscheduler(0, SCHED_OTHER, &other);
    }
    if (done < n) {
        printf(PREFIX "error: edu: %s\n", err);
    }
    printf(PREFIX "%s: %s %d DMAs\n", burst ? "burst" : "edu", e.bdf, done);
    if (burst) {
        evtq_settle(&e);
    }
    edu_dma_close(&e);
}

/*
 * The assigned edu's MSI, delivered to L2's vfio-pci: N raises, each
 * waited for (5 s) on the vector's eventfd.  After the DMA faults (they
 * need edu without a driver).
 */
static void edu_msi(const char *count)
{
    EduMsiResult res;
    char err[256];

    if (edu_msi_run(atoi(count), 5000, &res, err, sizeof(err)) < 0) {
        printf(PREFIX "error: msi: %s\n", err);
    }
    printf(PREFIX "msi: %s raised %d delivered %ld timeouts %d\n", res.bdf,
           res.raised, res.delivered, res.timeouts);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf(PREFIX "init\n");
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    if (getenv("VSMMU_GUEST_EDU_DMAS")) {
        edu_faults(getenv("VSMMU_GUEST_EDU_DMAS"), false);
    }
    if (getenv("VSMMU_GUEST_EDU_BURST")) {
        edu_faults(getenv("VSMMU_GUEST_EDU_BURST"), true);
    }
    if (getenv("VSMMU_GUEST_EDU_MSI")) {
        edu_msi(getenv("VSMMU_GUEST_EDU_MSI"));
    }
    print_smmu_dmesg(getenv("VSMMU_GUEST_EDU_BURST") != NULL);
    print_bound();
    print_irqs();
    printf(PREFIX "cpus: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    printf(PREFIX "done\n");
    if (getenv("VSMMU_GUEST_REBOOT")) {
        printf(PREFIX "reboot\n");
    }
    fflush(stdout);
    sync();
    reboot(getenv("VSMMU_GUEST_REBOOT") ? RB_AUTOBOOT : RB_POWER_OFF);
    printf(PREFIX "error: power-off returned\n");
    for (;;) {
        pause();
    }
}
