/*
 * Host devices of the real kernel: VFIO device cdevs behind the iommufd
 * backend's seam (IOMMUFDDeviceOps, include/system/iommufd.h).
 *
 * A device named by host= (a PCI address) or sysfsdev= (its sysfs
 * directory) is found through sysfs (DIR/vfio-dev/vfioN), opened as
 * /dev/vfio/devices/vfioN and bound with VFIO_DEVICE_BIND_IOMMUFD; its
 * attachments and region accesses are ioctls, pread and pwrite on that
 * descriptor, and the regions it allows (VFIO_REGION_INFO_FLAG_MMAP, the
 * sparse-mmap areas) are mmap()ed from it.  Closing the descriptor
 * unbinds it.
 *
 * Owns nothing but the descriptors it opens (IOMMUFDDevice.fd); no
 * state, no locks: main thread only, like every device call of the seam.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/pci-addr.h"
#include "qapi/error.h"
#include "system/iommufd.h"
#include "system/vfio-cdev-abi.h"
#include <sys/ioctl.h>
#include <sys/mman.h>

static bool cdev_check_name(const IOMMUFDHostDeviceName *name, Error **errp)
{
    if (name->psid != IOMMUFD_NO_PSID) {
        error_setg(errp, "x-emulated-psid needs an iommufd with"
                   " x-emulated-host=on");
        return false;
    }
    if (name->fd >= 0) {
        return true;            /* host= then only names it, as QEMU */
    }
    if (!name->host == !name->sysfsdev) {
        error_setg(errp, "No provided host device - Use -device vfio-pci,"
                   "host=DDDD:BB:DD.F or -device vfio-pci,"
                   "sysfsdev=PATH_TO_DEVICE");
        return false;
    }
    return true;
}

/* "0000:00:01.0" from host=, accepting "00:01.0" as QEMU does. */
static char *host_bdf(const char *host)
{
    unsigned dom, bus;
    int devfn;

    if (!qemu_parse_pci_host_addr(host, &dom, &bus, &devfn)) {
        return NULL;
    }
    return g_strdup_printf("%04x:%02x:%02x.%x", dom, bus, devfn >> 3,
                           devfn & 7);
}

static char *sysfs_dir(const IOMMUFDHostDeviceName *name, Error **errp)
{
    g_autofree char *bdf = NULL;

    if (name->sysfsdev) {
        return g_strdup(name->sysfsdev);
    }
    bdf = host_bdf(name->host);
    if (!bdf) {
        error_setg(errp, "Parameter 'host' expects a PCI address"
                   " DDDD:BB:DD.F, not '%s'", name->host);
        return NULL;
    }
    return g_strdup_printf("/sys/bus/pci/devices/%s", bdf);
}

/* The cdev of a PCI device's sysfs directory: /dev/vfio/devices/vfioN. */
static char *find_cdev(const char *sysfs, Error **errp)
{
    g_autofree char *dir = g_build_filename(sysfs, "vfio-dev", NULL);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *name;

    if (!g_file_test(sysfs, G_FILE_TEST_IS_DIR)) {
        error_setg(errp, "no such host device: %s", sysfs);
        return NULL;
    }
    d = g_dir_open(dir, 0, &gerr);
    if (!d) {
        error_setg(errp, "host device %s has no VFIO cdev (%s): is it bound"
                   " to vfio-pci, and is CONFIG_VFIO_DEVICE_CDEV enabled?",
                   sysfs, gerr->message);
        return NULL;
    }
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_prefix(name, "vfio")) {
            return g_build_filename("/dev/vfio/devices", name, NULL);
        }
    }
    error_setg(errp, "host device %s has no VFIO cdev in %s", sysfs, dir);
    return NULL;
}

static bool cdev_bind(IOMMUFDBackend *be, const IOMMUFDHostDeviceName *name,
                      IOMMUFDDevice *dev, Error **errp)
{
    g_autofree char *sysfs = NULL;
    g_autofree char *cdev = NULL;
    struct vfio_device_bind_iommufd bind = {
        .argsz = sizeof(bind),
        .iommufd = be->fd,
    };
    int fd = name->fd;

    if (fd >= 0) {
        cdev = g_strdup_printf("fd %d", fd);     /* passed by the manager */
    } else {
        sysfs = sysfs_dir(name, errp);
        if (!sysfs || !(cdev = find_cdev(sysfs, errp))) {
            return false;
        }
        fd = open(cdev, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            error_setg_errno(errp, errno, "cannot open %s", cdev);
            return false;
        }
    }
    if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
        error_setg_errno(errp, errno, "VFIO_DEVICE_BIND_IOMMUFD failed"
                         " (%s, iommufd '%s')", cdev, be->id);
        if (fd != name->fd) {
            close(fd);
        }
        return false;
    }
    dev->fd = fd;
    dev->devid = bind.out_devid;
    dev->path = g_steal_pointer(&cdev);
    return true;
}

static void cdev_unbind(IOMMUFDBackend *be, IOMMUFDDevice *dev)
{
    if (dev->fd >= 0) {
        close(dev->fd);     /* unbinds the cdev from the iommufd */
    }
}

static bool cdev_attach(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                        uint32_t pt_id, Error **errp)
{
    struct vfio_device_attach_iommufd_pt attach = {
        .argsz = sizeof(attach),
        .pt_id = pt_id,
    };

    if (ioctl(dev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0) {
        error_setg_errno(errp, errno, "%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT"
                         " failed (devid=%u pt_id=%u)", dev->name,
                         dev->devid, pt_id);
        return false;
    }
    return true;
}

static bool cdev_detach(IOMMUFDBackend *be, IOMMUFDDevice *dev, Error **errp)
{
    struct vfio_device_detach_iommufd_pt detach = {
        .argsz = sizeof(detach),
    };

    if (ioctl(dev->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) < 0) {
        error_setg_errno(errp, errno, "%s: VFIO_DEVICE_DETACH_IOMMUFD_PT"
                         " failed (devid=%u)", dev->name, dev->devid);
        return false;
    }
    return true;
}

static int cdev_region_info(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                            uint32_t index, uint64_t *size, uint64_t *offset)
{
    struct vfio_region_info info = {
        .argsz = sizeof(info),
        .index = index,
    };

    if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0) {
        return -errno;
    }
    *size = info.size;
    *offset = info.offset;
    return 0;
}

static ssize_t cdev_region_rw(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                              void *buf, size_t count, uint64_t offset,
                              bool write)
{
    ssize_t n = write ? pwrite(dev->fd, buf, count, offset)
                      : pread(dev->fd, buf, count, offset);

    return n < 0 ? -errno : n;
}

/* Region INDEX's info with its capability chain (g_free it), or NULL. */
static struct vfio_region_info *region_info_caps(IOMMUFDDevice *dev,
                                                 uint32_t index)
{
    struct vfio_region_info *info = g_malloc0(sizeof(*info));

    info->argsz = sizeof(*info);
    info->index = index;
    if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0) {
        g_free(info);
        return NULL;
    }
    if (info->argsz > sizeof(*info) && info->argsz <= 65536) {
        uint32_t argsz = info->argsz;

        info = g_realloc(info, argsz);
        memset(info, 0, argsz);
        info->argsz = argsz;
        info->index = index;
        if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0 ||
            info->argsz > argsz) {
            g_free(info);
            return NULL;
        }
    }
    return info;
}

/* The sparse-mmap capability of INFO, bounded by its argsz, or NULL. */
static const struct vfio_region_info_cap_sparse_mmap *
region_sparse_cap(const struct vfio_region_info *info)
{
    uint32_t off = info->flags & VFIO_REGION_INFO_FLAG_CAPS ?
                   info->cap_offset : 0;

    /* The chain only goes forward, so it ends. */
    while (off >= sizeof(*info) &&
           off + sizeof(struct vfio_region_info_cap_sparse_mmap) <=
           info->argsz) {
        const struct vfio_info_cap_header *h =
            (const void *)((const uint8_t *)info + off);

        if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
            const struct vfio_region_info_cap_sparse_mmap *sp = (void *)h;

            if (sp->nr_areas > (info->argsz - off - sizeof(*sp)) /
                               sizeof(sp->areas[0])) {
                return NULL;
            }
            return sp;
        }
        if (h->next <= off) {
            break;
        }
        off = h->next;
    }
    return NULL;
}

static int cdev_region_mmap_areas(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                  uint32_t index, IOMMUFDRegionArea *areas,
                                  unsigned max)
{
    g_autofree struct vfio_region_info *info = region_info_caps(dev, index);
    const struct vfio_region_info_cap_sparse_mmap *sp;
    unsigned n = 0;

    if (!info) {
        return -errno;
    }
    if (!(info->flags & VFIO_REGION_INFO_FLAG_MMAP) || !info->size) {
        return 0;
    }
    sp = region_sparse_cap(info);
    if (!sp) {
        if (max) {
            areas[0] = (IOMMUFDRegionArea) { 0, info->size };
        }
        return MIN(max, 1);
    }
    for (uint32_t i = 0; i < sp->nr_areas && n < max; i++) {
        const struct vfio_region_sparse_mmap_area *a = &sp->areas[i];

        if (a->size && a->offset < info->size &&
            a->size <= info->size - a->offset) {
            areas[n++] = (IOMMUFDRegionArea) { a->offset, a->size };
        }
    }
    return n;
}

static void *cdev_region_mmap(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                              uint64_t offset, uint64_t size, int *err)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
                   offset);

    if (p == MAP_FAILED) {
        *err = -errno;
        return NULL;
    }
    return p;
}

static int cdev_irq_count(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                          uint32_t index)
{
    struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };

    if (ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0) {
        return -errno;
    }
    return info.count;
}

static int cdev_set_irqs(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                         uint32_t index, uint32_t start, uint32_t count,
                         const int32_t *fds)
{
    size_t size = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);
    g_autofree struct vfio_irq_set *set = g_malloc0(size);

    set->argsz = size;
    set->flags = (count ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) |
                 VFIO_IRQ_SET_ACTION_TRIGGER;
    set->index = index;
    set->start = start;
    set->count = count;
    if (count) {
        memcpy(set->data, fds, count * sizeof(int32_t));
    }
    return ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, set) < 0 ? -errno : 0;
}

const IOMMUFDDeviceOps vfio_cdev_linux_ops = {
    .check_name = cdev_check_name,
    .bind = cdev_bind,
    .unbind = cdev_unbind,
    .attach = cdev_attach,
    .detach = cdev_detach,
    .region_info = cdev_region_info,
    .region_rw = cdev_region_rw,
    .region_mmap_areas = cdev_region_mmap_areas,
    .region_mmap = cdev_region_mmap,
    .irq_count = cdev_irq_count,
    .set_irqs = cdev_set_irqs,
};
