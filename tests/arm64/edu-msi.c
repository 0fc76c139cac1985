/*
 * edu's MSI through the guest's own vfio-pci (see edu-msi.h).
 *
 * edu's registers (QEMU docs/specs/edu.rst): 0x00 identification,
 * 0x24 interrupt status, 0x60 raise interrupt (ORed into the status;
 * with MSI enabled, one MSI per write), 0x64 acknowledge.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "edu-msi.h"
#include "edu-dma.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#define EDU_ID          0x00
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64
#define PCI_COMMAND     0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4

typedef struct EduVfio {
    int dev, iommufd, efd;
    uint64_t bar0, config;      /* region file offsets */
} EduVfio;

static int write_str(const char *path, const char *val)
{
    FILE *f = fopen(path, "w");
    int ok;

    if (!f) {
        return -1;
    }
    ok = fputs(val, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* edu's address in BDF and its VFIO cdev in CDEV, bound to vfio-pci. */
static int bind_vfio(char *bdf, size_t blen, char *cdev, size_t clen,
                     char *err, size_t elen)
{
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *e;
    char path[320];

    bdf[0] = cdev[0] = '\0';
    while (d && !bdf[0] && (e = readdir(d))) {
        if (e->d_name[0] != '.' && strlen(e->d_name) < blen &&
            edu_sysfs_hex(e->d_name, "vendor") == 0x1234 &&
            edu_sysfs_hex(e->d_name, "device") == 0x11e8) {
            snprintf(bdf, blen, "%s", e->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
    if (!bdf[0]) {
        return edu_fail(err, elen, "no edu (1234:11e8) in /sys/bus/pci/devices");
    }
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
             bdf);
    if (write_str(path, "vfio-pci") < 0) {
        return edu_fail(err, elen, "cannot write %s", path);
    }
    write_str("/sys/bus/pci/drivers_probe", bdf);   /* result checked below */
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
    d = opendir(path);
    while (d && (e = readdir(d))) {
        if (!strncmp(e->d_name, "vfio", 4)) {
            snprintf(cdev, clen, "/dev/vfio/devices/%s", e->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
    return cdev[0] ? 0 : edu_fail(err, elen, "vfio-pci did not bind %s", bdf);
}

static int region_offset(int dev, uint32_t index, uint64_t *off)
{
    struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

    if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &info) < 0) {
        return -1;
    }
    *off = info.offset;
    return 0;
}

/* Bound to a new iommufd and attached to an IOAS of its own. */
static int open_vfio(EduVfio *v, const char *cdev, char *err, size_t elen)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
    struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };

    /* An initramfs /dev has only the console: the kernel's nodes. */
    if (access("/dev/iommu", F_OK) < 0) {
        mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    }
    v->dev = open(cdev, O_RDWR | O_CLOEXEC);
    v->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    if (v->dev < 0 || v->iommufd < 0) {
        return edu_fail(err, elen, "cannot open %s or /dev/iommu: %s", cdev,
                    strerror(errno));
    }
    bind.iommufd = v->iommufd;
    if (ioctl(v->dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0 ||
        ioctl(v->iommufd, IOMMU_IOAS_ALLOC, &ioas) < 0) {
        return edu_fail(err, elen, "VFIO_DEVICE_BIND_IOMMUFD/IOAS_ALLOC: %s",
                    strerror(errno));
    }
    at.pt_id = ioas.out_ioas_id;
    if (ioctl(v->dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) < 0) {
        return edu_fail(err, elen, "VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s",
                    strerror(errno));
    }
    if (region_offset(v->dev, VFIO_PCI_BAR0_REGION_INDEX, &v->bar0) < 0 ||
        region_offset(v->dev, VFIO_PCI_CONFIG_REGION_INDEX, &v->config) < 0) {
        return edu_fail(err, elen, "VFIO_DEVICE_GET_REGION_INFO: %s",
                    strerror(errno));
    }
    return 0;
}

/* Memory decode and Bus Master (an MSI is a write), then the vector. */
static int enable_msi(EduVfio *v, char *err, size_t elen)
{
    char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
    struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
    uint16_t cmd = 0;
    int32_t fd;

    if (pread(v->dev, &cmd, 2, v->config + PCI_COMMAND) != 2) {
        return edu_fail(err, elen, "cannot read edu's command register");
    }
    cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    if (pwrite(v->dev, &cmd, 2, v->config + PCI_COMMAND) != 2) {
        return edu_fail(err, elen, "cannot write edu's command register");
    }
    v->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    fd = v->efd;
    *set = (struct vfio_irq_set) {
        .argsz = sizeof(buf), .index = VFIO_PCI_MSI_IRQ_INDEX,
        .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
        .start = 0, .count = 1,
    };
    memcpy(set->data, &fd, sizeof(fd));
    if (v->efd < 0 || ioctl(v->dev, VFIO_DEVICE_SET_IRQS, set) < 0) {
        return edu_fail(err, elen, "VFIO_DEVICE_SET_IRQS (MSI): %s",
                    strerror(errno));
    }
    return 0;
}

static int bar_write(EduVfio *v, uint32_t reg, uint32_t val)
{
    return pwrite(v->dev, &val, 4, v->bar0 + reg) == 4 ? 0 : -1;
}

/* One raise, waited for: the eventfd's count (0: timed out). */
static long raise_one(EduVfio *v, int timeout_ms)
{
    struct pollfd p = { .fd = v->efd, .events = POLLIN };
    uint64_t count = 0;

    if (bar_write(v, EDU_IRQ_RAISE, 1) < 0) {
        return -1;
    }
    if (poll(&p, 1, timeout_ms) == 1 &&
        read(v->efd, &count, sizeof(count)) != sizeof(count)) {
        count = 0;
    }
    bar_write(v, EDU_IRQ_ACK, 1);
    return (long)count;
}

int edu_msi_run(int n, int timeout_ms, EduMsiResult *res, char *err,
                size_t err_len)
{
    static EduVfio v = { .dev = -1, .iommufd = -1, .efd = -1 };
    char cdev[300];
    uint32_t id = 0;

    memset(res, 0, sizeof(*res));
    if (bind_vfio(res->bdf, sizeof(res->bdf), cdev, sizeof(cdev), err,
                  err_len) < 0 || open_vfio(&v, cdev, err, err_len) < 0) {
        return -1;
    }
    if (pread(v.dev, &id, 4, v.bar0 + EDU_ID) != 4 || (id & 0xff) != 0xed) {
        return edu_fail(err, err_len, "BAR0 of %s is not edu's (0x%x)", res->bdf,
                    id);
    }
    if (enable_msi(&v, err, err_len) < 0) {
        return -1;
    }
    for (; res->raised < n; res->raised++) {
        long c = raise_one(&v, timeout_ms);

        if (c < 0) {
            return edu_fail(err, err_len, "cannot write edu's register 0x60");
        }
        res->delivered += c;
        res->timeouts += c == 0;
    }
    return 0;
}
