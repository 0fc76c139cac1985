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
 *   VSMMU-GUEST: dmesg: TEXT               each kernel log line that
 *                                          mentions an SMMU
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
#include <sys/reboot.h>
#include <unistd.h>
#include "edu-dma.h"

#define PREFIX "VSMMU-GUEST: "
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

static void print_smmu_dmesg(void)
{
    int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
    char *buf, *line, *save = NULL;
    int n;

    if (size <= 0 || !(buf = malloc(size + 1))) {
        printf(PREFIX "error: cannot size the kernel log\n");
        return;
    }
    n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
    if (n < 0) {
        printf(PREFIX "error: cannot read the kernel log\n");
        free(buf);
        return;
    }
    buf[n] = '\0';
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strstr(line, "smmu") || strstr(line, "SMMU")) {
            /* Drop the "<6>[    0.123456] " prefix. */
            char *text = strchr(line, ']');

            printf(PREFIX "dmesg: %s\n", text ? text + 2 : line);
        }
    }
    free(buf);
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

/* N DMAs the guest's own SMMU domain does not map: its driver logs them. */
static void edu_faults(const char *count)
{
    int n = atoi(count), done = 0;
    char err[256];
    EduDma e;

    if (edu_dma_open(&e, err, sizeof(err)) < 0) {
        printf(PREFIX "error: edu: %s\n", err);
        return;
    }
    for (; done < n; done++) {
        if (edu_dma_read(&e, 0x100000, 8, 5000, err, sizeof(err)) < 0) {
            printf(PREFIX "error: edu: %s\n", err);
            break;
        }
    }
    printf(PREFIX "edu: %s %d DMAs\n", e.bdf, done);
    edu_dma_close(&e);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf(PREFIX "init\n");
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    if (getenv("VSMMU_GUEST_EDU_DMAS")) {
        edu_faults(getenv("VSMMU_GUEST_EDU_DMAS"));
    }
    print_smmu_dmesg();
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
