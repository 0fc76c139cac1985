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
 *   VSMMU-GUEST: settle: N DMAs            the 4-byte faults evtq_settle
 *                                          made (one event each)
 *   VSMMU-GUEST: msi: BDF raised N delivered D timeouts T
 *                                          with VSMMU_GUEST_EDU_MSI=N:
 *                                          the assigned edu bound to
 *                                          L2's vfio-pci, its MSI on an
 *                                          eventfd, N interrupts raised
 *                                          one at a time (edu-msi.c)
 *   VSMMU-GUEST: dmesg: TEXT               each kernel log line that
 *                                          mentions an SMMU (after a
 *                                          burst, not the event reports
 *                                          nor the GERROR reports)
 *   VSMMU-GUEST: evtq: logged L suppressed S overflow O gerror G aborted A
 *                                          events the driver logged
 *                                          ("event 0x.. received"), its
 *                                          rate limit suppressed
 *                                          ("arm_smmu_dump_event: S
 *                                          callbacks suppressed"),
 *                                          "EVTQ overflow detected" lines
 *                                          (OVFLG), "unexpected global
 *                                          error" lines (GERROR) and
 *                                          "EVTQ write aborted" lines
 *                                          (GERROR.EVENTQ_ABT_ERR)
 *   VSMMU-GUEST: hotplug: ready BDF PORT pciehp=0|1
 *                                          with VSMMU_GUEST_HOTPLUG=1: edu
 *                                          at BDF behind root port PORT,
 *                                          pciehp bound to the port's slot
 *                                          (or not); L1 then device_dels
 *                                          edu and this waits (bounded)
 *                                          for the hot-unplug:
 *   VSMMU-GUEST: hotplug: gone BDF         BDF left /sys/bus/pci/devices
 *                                          and the slot reports no card
 *   VSMMU-GUEST: hotplug-dmesg: TEXT       each pciehp kernel log line
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
#include <limits.h>
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
    int gerror;                 /* "unexpected global error reported" */
    int aborted;                /* "EVTQ write aborted" */
} EvtqLog;

static void evtq_log_line(EvtqLog *c, const char *line)
{
    const char *p;

    c->logged += strstr(line, "arm-smmu-v3 ") && strstr(line, "event 0x") &&
                 strstr(line, " received:");
    c->overflow += strstr(line, "EVTQ overflow detected") != NULL;
    c->gerror += strstr(line, "unexpected global error reported") != NULL;
    c->aborted += strstr(line, "EVTQ write aborted") != NULL;
    p = strstr(line, "arm_smmu_dump_event: ");
    if (p && strstr(p, " callbacks suppressed")) {
        c->suppressed += atoi(p + strlen("arm_smmu_dump_event: "));
    }
}

/*
 * A line of the driver's report of one event, or of its rate limit, or
 * of a GERROR (one per interrupt, not rate limited: an event queue that
 * aborts its writes raises hundreds).
 */
static bool event_report_line(const char *line)
{
    return strstr(line, " received:") || strstr(line, "\t0x") ||
           strstr(line, "event: ") || strstr(line, "\" stag: ") ||
           strstr(line, "callbacks suppressed") ||
           strstr(line, "unexpected global error reported") ||
           strstr(line, "EVTQ write aborted");
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
    printf(PREFIX "evtq: logged %d suppressed %d overflow %d gerror %d"
           " aborted %d\n", c.logged, c.suppressed, c.overflow, c.gerror,
           c.aborted);
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
            printf(PREFIX "settle: %d DMAs\n", round);
            printf(PREFIX "error: edu: cannot settle the event log\n");
            return;
        }
        for (int t = 0; t < 2000 && scan_smmu_dmesg(false, false, &now) &&
                        now.logged == before.logged; t++) {
            nanosleep(&tick, NULL);
        }
        if (now.logged == before.logged + 1 &&
            now.suppressed == before.suppressed) {
            printf(PREFIX "settle: %d DMAs\n", round + 1);
            return;
        }
    }
    printf(PREFIX "settle: 30 DMAs\n");
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

/* ---- hot-unplug (VSMMU_GUEST_HOTPLUG=1) --------------------------------- */

#define PCI_DEVICES "/sys/bus/pci/devices/"

/* The first PCI function with these IDs ("0x1234"), its BDF in BDF. */
static bool find_pci(const char *vendor, const char *device, char *bdf,
                     size_t size)
{
    DIR *d = opendir(PCI_DEVICES);
    struct dirent *e;
    bool found = false;

    while (d && !found && (e = readdir(d))) {
        char path[512], v[16] = "", dv[16] = "";
        FILE *f;

        snprintf(path, sizeof(path), PCI_DEVICES "%s/vendor", e->d_name);
        if ((f = fopen(path, "r"))) {
            found = fgets(v, sizeof(v), f) != NULL;
            fclose(f);
        }
        snprintf(path, sizeof(path), PCI_DEVICES "%s/device", e->d_name);
        if (found && (f = fopen(path, "r"))) {
            found = fgets(dv, sizeof(dv), f) != NULL;
            fclose(f);
        }
        found = found && !strncmp(v, vendor, strlen(vendor)) &&
                !strncmp(dv, device, strlen(device));
        if (found) {
            snprintf(bdf, size, "%s", e->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
    return found;
}

/* The bridge above BDF (the parent directory in sysfs), into PORT. */
static bool parent_port(const char *bdf, char *port, size_t size)
{
    char path[512], real[PATH_MAX], *slash;

    snprintf(path, sizeof(path), PCI_DEVICES "%s", bdf);
    if (!realpath(path, real) || !(slash = strrchr(real, '/'))) {
        return false;
    }
    *slash = '\0';
    slash = strrchr(real, '/');
    slash = slash ? slash + 1 : real;
    if (strlen(slash) >= size) {
        return false;
    }
    memcpy(port, slash, strlen(slash) + 1);
    return strchr(port, ':') != NULL;
}

/* PORT's Slot Status (its PCIe capability, read from sysfs), or -1. */
static int slot_status(const char *port)
{
    unsigned char cfg[256];
    char path[512];
    FILE *f;
    size_t n;
    int off;

    snprintf(path, sizeof(path), PCI_DEVICES "%s/config", port);
    if (!(f = fopen(path, "r"))) {
        return -1;
    }
    n = fread(cfg, 1, sizeof(cfg), f);
    fclose(f);
    if (n < sizeof(cfg)) {
        return -1;
    }
    off = cfg[0x34];
    for (int hops = 0; off >= 0x40 && off < 0xfc && hops < 48; hops++) {
        if (cfg[off] == 0x10) {         /* PCI Express, 0x1a: Slot Status */
            return cfg[off + 0x1a] | cfg[off + 0x1b] << 8;
        }
        off = cfg[off + 1];
    }
    return -1;
}

static bool pciehp_bound(const char *port)
{
    DIR *d = opendir("/sys/bus/pci_express/drivers/pciehp");
    struct dirent *e;
    bool found = false;

    while (d && !found && (e = readdir(d))) {
        found = !strncmp(e->d_name, port, strlen(port));
    }
    if (d) {
        closedir(d);
    }
    return found;
}

static void print_pciehp_dmesg(void)
{
    char *buf = read_klog(), *line, *save = NULL;

    for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *text = strchr(line, ']');

        if (strstr(line, "pciehp")) {
            printf(PREFIX "hotplug-dmesg: %s\n", text ? text + 2 : line);
        }
    }
    free(buf);
}

/*
 * Say edu is ready to go, then wait (bounded: 60 s) while L1's
 * device_del presses the slot's attention button, pciehp blinks for its
 * 5 s, removes the device, powers the slot off, and the daemon takes
 * the card away (Presence Detect State clear).
 */
static void hotplug_unplug(void)
{
    struct timespec tick = { 0, 10000000 };
    char bdf[256], port[256], path[512];
    bool gone = false;

    if (!find_pci("0x1234", "0x11e8", bdf, sizeof(bdf)) ||
        !parent_port(bdf, port, sizeof(port))) {
        printf(PREFIX "error: hotplug: no edu behind a port\n");
        return;
    }
    printf(PREFIX "hotplug: ready %s %s pciehp=%d\n", bdf, port,
           pciehp_bound(port));
    snprintf(path, sizeof(path), PCI_DEVICES "%s", bdf);
    for (int t = 0; t < 6000 && !gone; t++) {
        int sta = slot_status(port);

        gone = access(path, F_OK) != 0 && sta >= 0 && !(sta & 0x40);
        if (!gone) {
            nanosleep(&tick, NULL);
        }
    }
    if (gone) {
        printf(PREFIX "hotplug: gone %s\n", bdf);
    } else {
        printf(PREFIX "error: hotplug: %s still there (slot status 0x%x)\n",
               bdf, slot_status(port));
    }
    print_pciehp_dmesg();
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
    if (getenv("VSMMU_GUEST_HOTPLUG")) {
        hotplug_unplug();
    }
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
