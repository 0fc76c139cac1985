/*
 * edu DMA faults from user space (see edu-dma.h).
 *
 * edu's registers (QEMU docs/specs/edu.rst): 0x00 identification
 * (0xRRMM00ed), 0x80/0x88 DMA source/destination (64-bit), 0x90 count,
 * 0x98 command (bit 0 start, cleared when done; bit 1 direction, 0: from
 * RAM to edu).  Its buffer is at edu address 0x40000 (4 KiB).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "edu-dma.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EDU_ID       0x00
#define EDU_DMA_SRC  0x80
#define EDU_DMA_DST  0x88
#define EDU_DMA_CNT  0x90
#define EDU_DMA_CMD  0x98
#define EDU_CMD_START 0x1
#define EDU_BUF      0x40000
#define EDU_BUF_SIZE 4096
#define PCI_COMMAND  0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4

int edu_fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

unsigned long edu_sysfs_hex(const char *bdf, const char *what)
{
    char path[320], buf[32] = "";
    FILE *f;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, what);
    f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    if (!fgets(buf, sizeof(buf), f)) {
        buf[0] = '\0';
    }
    fclose(f);
    return strtoul(buf, NULL, 16);
}

static int find_edu(EduDma *e)
{
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *ent;
    int found = -1;

    if (!d) {
        return -1;
    }
    while (found < 0 && (ent = readdir(d))) {
        char drv[320];

        if (ent->d_name[0] == '.' || strlen(ent->d_name) >= sizeof(e->bdf) ||
            edu_sysfs_hex(ent->d_name, "vendor") !=
            0x1234 || edu_sysfs_hex(ent->d_name, "device") != 0x11e8) {
            continue;
        }
        snprintf(drv, sizeof(drv), "/sys/bus/pci/devices/%s/driver",
                 ent->d_name);
        if (access(drv, F_OK) == 0) {
            continue;           /* bound: its driver owns its DMA */
        }
        memcpy(e->bdf, ent->d_name, strlen(ent->d_name) + 1);
        found = 0;
    }
    closedir(d);
    return found;
}

/* Memory decode (sysfs enable) and Bus Master (config space). */
static int enable(EduDma *e, char *err, size_t len)
{
    char path[128];
    uint16_t cmd;
    int fd;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable", e->bdf);
    fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, "1", 1) != 1) {
        if (fd >= 0) {
            close(fd);
        }
        return edu_fail(err, len, "cannot enable %s (%s)", e->bdf, path);
    }
    close(fd);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", e->bdf);
    fd = open(path, O_RDWR);
    if (fd < 0 || pread(fd, &cmd, 2, PCI_COMMAND) != 2) {
        if (fd >= 0) {
            close(fd);
        }
        return edu_fail(err, len, "cannot read %s's command register", e->bdf);
    }
    cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    if (pwrite(fd, &cmd, 2, PCI_COMMAND) != 2) {
        close(fd);
        return edu_fail(err, len, "cannot set Bus Master on %s", e->bdf);
    }
    close(fd);
    return 0;
}

int edu_dma_open(EduDma *e, char *err, size_t len)
{
    char path[128];
    void *p;
    int fd;

    memset(e, 0, sizeof(*e));
    if (find_edu(e) < 0) {
        return edu_fail(err, len, "no edu (1234:11e8) without a driver in"
                    " /sys/bus/pci/devices");
    }
    if (enable(e, err, len) < 0) {
        return -1;
    }
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0",
             e->bdf);
    fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0) {
        return edu_fail(err, len, "cannot open %s", path);
    }
    e->regs_size = 4096;
    p = mmap(NULL, e->regs_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        return edu_fail(err, len, "cannot map %s", path);
    }
    e->regs = p;
    if ((e->regs[EDU_ID / 4] & 0xff) != 0xed) {
        edu_dma_close(e);
        return edu_fail(err, len, "%s: BAR0 is not edu's (id 0x%08x)", e->bdf,
                    e->regs[EDU_ID / 4]);
    }
    return 0;
}

static void wr64(EduDma *e, unsigned off, uint64_t v)
{
    *(volatile uint64_t *)((volatile char *)e->regs + off) = v;
}

static uint64_t rd64(EduDma *e, unsigned off)
{
    return *(volatile uint64_t *)((volatile char *)e->regs + off);
}

/*
 * Start one DMA and wait for it: sleeping a millisecond at a time, or
 * with SPIN busy-polling the clock, so that a caller at a real-time
 * priority keeps its CPU (the overflow burst starves the guest's own
 * event-queue thread with it).
 */
static int dma_read(EduDma *e, uint64_t iova, uint32_t len, int timeout_ms,
                    bool spin, char *err, size_t err_len)
{
    struct timespec tick = { 0, 1000000 }, t0, t;

    if (!len || len > EDU_BUF_SIZE) {
        return edu_fail(err, err_len, "DMA length %u not in 1..%u", len,
                    EDU_BUF_SIZE);
    }
    wr64(e, EDU_DMA_SRC, iova);
    wr64(e, EDU_DMA_DST, EDU_BUF);
    wr64(e, EDU_DMA_CNT, len);
    wr64(e, EDU_DMA_CMD, EDU_CMD_START);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* edu runs it from a 100 ms timer; the command bit clears then. */
    while (rd64(e, EDU_DMA_CMD) & EDU_CMD_START) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 +
            (t.tv_nsec - t0.tv_nsec) / 1000000 >= timeout_ms) {
            return edu_fail(err, err_len, "%s: DMA from 0x%llx not done after"
                        " %d ms", e->bdf, (unsigned long long)iova,
                        timeout_ms);
        }
        if (!spin) {
            nanosleep(&tick, NULL);
        }
    }
    return 0;
}

int edu_dma_read(EduDma *e, uint64_t iova, uint32_t len, int timeout_ms,
                 char *err, size_t err_len)
{
    return dma_read(e, iova, len, timeout_ms, false, err, err_len);
}

int edu_dma_read_spin(EduDma *e, uint64_t iova, uint32_t len,
                      int timeout_ms, char *err, size_t err_len)
{
    return dma_read(e, iova, len, timeout_ms, true, err, err_len);
}

void edu_dma_close(EduDma *e)
{
    char path[320];
    int fd;

    if (e->regs) {
        munmap((void *)e->regs, e->regs_size);
        e->regs = NULL;
    }
    /* Undo the sysfs enable, so a driver later finds it as it was. */
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable", e->bdf);
    fd = open(path, O_WRONLY);
    if (fd >= 0) {
        if (write(fd, "0", 1) != 1) {
            /* nothing to undo then */
        }
        close(fd);
    }
}
