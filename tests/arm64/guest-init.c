/*
 * guest-init: /init of the L2 guest that vsmmu-daemon runs under KVM in
 * the nested arm64 test bed (tests/arm64/run-guest-test.sh).
 *
 * The console is a trapped PL011 (every character is a VM exit), so it
 * prints results only, one "VSMMU-GUEST: " line each:
 *
 *   VSMMU-GUEST: init                      reached /init
 *   VSMMU-GUEST: dmesg: TEXT               each kernel log line that
 *                                          mentions an SMMU
 *   VSMMU-GUEST: bound: DEV                arm-smmu-v3 bound to DEV
 *   VSMMU-GUEST: irq: NAME                 each SMMU interrupt registered
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

        if (name) {
            name[strcspn(name, " \n")] = '\0';
            printf(PREFIX "irq: %s\n", name);
        }
    }
    fclose(f);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf(PREFIX "init\n");
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
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
