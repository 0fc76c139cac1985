/*
 * The iommufd backend object and its ioctl helpers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qom/object.h"
#include "system/iommufd.h"
#include "trace.h"
#include <sys/ioctl.h>

/* ---- The real kernel ------------------------------------------------ */

static int linux_open_dev(void *opaque)
{
    int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

    return fd < 0 ? -errno : fd;
}

static int linux_ioctl(void *opaque, int fd, unsigned long request,
                       void *arg)
{
    return ioctl(fd, request, arg) < 0 ? -errno : 0;
}

static ssize_t linux_read(void *opaque, int fd, void *buf, size_t count)
{
    ssize_t n = read(fd, buf, count);

    return n < 0 ? -errno : n;
}

static int linux_close(void *opaque, int fd)
{
    return close(fd) < 0 ? -errno : 0;
}

const IOMMUFDKernelOps iommufd_linux_ops = {
    .name = "linux",
    .open_dev = linux_open_dev,
    .ioctl = linux_ioctl,
    .read = linux_read,
    .close = linux_close,
    .device = &vfio_cdev_linux_ops,
};

/* ---- Object life cycle ----------------------------------------------- */

IOMMUFDBackend *iommufd_backend_new(const char *id)
{
    IOMMUFDBackend *be = g_new0(IOMMUFDBackend, 1);

    be->id = g_strdup(id ? id : "");
    be->fd = -1;
    be->owned = true;
    be->kops = &iommufd_linux_ops;
    return be;
}

bool iommufd_backend_set_fd(IOMMUFDBackend *be, const char *str,
                            Error **errp)
{
    guint64 fd;
    g_autoptr(GError) gerr = NULL;

    if (be->users) {
        error_setg(errp, "iommufd '%s': cannot set fd while in use", be->id);
        return false;
    }
    if (!g_ascii_string_to_unsigned(str, 10, 0, INT_MAX, &fd, &gerr)) {
        error_setg(errp, "iommufd '%s': invalid fd '%s': %s", be->id, str,
                   gerr->message);
        return false;
    }
    if (fcntl((int)fd, F_GETFD) < 0) {
        error_setg_errno(errp, errno, "iommufd '%s': fd %d is not open",
                         be->id, (int)fd);
        return false;
    }
    be->fd = (int)fd;
    be->owned = false;
    trace_iommufd_backend_set_fd(be->id, be->fd);
    return true;
}

bool iommufd_backend_adopt_fd(IOMMUFDBackend *be, int fd, Error **errp)
{
    if (be->users) {
        close(fd);
        error_setg(errp, "iommufd '%s': cannot set fd while in use", be->id);
        return false;
    }
    be->fd = fd;
    be->owned = false;
    be->close_adopted = true;
    trace_iommufd_backend_set_fd(be->id, be->fd);
    return true;
}

void iommufd_backend_set_kernel(IOMMUFDBackend *be,
                                const IOMMUFDKernelOps *kops, void *opaque)
{
    g_assert(be->users == 0);
    be->kops = kops;
    be->kops_opaque = opaque;
}

void iommufd_backend_free(IOMMUFDBackend *be)
{
    if (!be) {
        return;
    }
    g_assert(be->users == 0);
    if (be->close_adopted && be->fd >= 0) {
        close(be->fd);
    }
    g_free(be->id);
    g_free(be);
}

bool iommufd_backend_connect(IOMMUFDBackend *be, Error **errp)
{
    if (be->owned && be->users == 0) {
        int fd = be->kops->open_dev(be->kops_opaque);

        if (fd < 0) {
            if (fd == -ENOENT) {
                error_setg(errp, "/dev/iommu does not exist"
                           " (is your kernel config missing CONFIG_IOMMUFD?)");
            } else {
                error_setg_errno(errp, -fd, "Failed to open /dev/iommu");
            }
            return false;
        }
        be->fd = fd;
    }
    if (be->users == UINT32_MAX) {
        error_setg(errp, "iommufd '%s': too many connections", be->id);
        return false;
    }
    be->users++;
    trace_iommufd_backend_connect(be->id, be->fd, be->owned, be->users,
                                  be->kops->name);
    return true;
}

void iommufd_backend_disconnect(IOMMUFDBackend *be)
{
    g_assert(be->users > 0);
    be->users--;
    if (be->users == 0 && be->owned && be->fd >= 0) {
        be->kops->close(be->kops_opaque, be->fd);
        be->fd = -1;
    }
    trace_iommufd_backend_disconnect(be->id, be->fd, be->users);
}

/* ---- The seam ------------------------------------------------------- */

static const struct {
    unsigned long request;
    const char *name;
} ioctl_names[] = {
    { IOMMU_DESTROY, "IOMMU_DESTROY" },
    { IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC" },
    { IOMMU_IOAS_MAP, "IOMMU_IOAS_MAP" },
    { IOMMU_IOAS_MAP_FILE, "IOMMU_IOAS_MAP_FILE" },
    { IOMMU_IOAS_UNMAP, "IOMMU_IOAS_UNMAP" },
    { IOMMU_HWPT_ALLOC, "IOMMU_HWPT_ALLOC" },
    { IOMMU_GET_HW_INFO, "IOMMU_GET_HW_INFO" },
    { IOMMU_HWPT_INVALIDATE, "IOMMU_HWPT_INVALIDATE" },
    { IOMMU_VIOMMU_ALLOC, "IOMMU_VIOMMU_ALLOC" },
    { IOMMU_VDEVICE_ALLOC, "IOMMU_VDEVICE_ALLOC" },
    { IOMMU_VEVENTQ_ALLOC, "IOMMU_VEVENTQ_ALLOC" },
};

const char *iommufd_ioctl_name(unsigned long request)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ioctl_names); i++) {
        if (ioctl_names[i].request == request) {
            return ioctl_names[i].name;
        }
    }
    return "unknown";
}

int iommufd_backend_ioctl(IOMMUFDBackend *be, unsigned long request,
                          void *arg)
{
    int ret;

    if (be->fd < 0) {
        ret = -EBADF;
    } else {
        ret = be->kops->ioctl(be->kops_opaque, be->fd, request, arg);
    }
    trace_iommufd_backend_ioctl(be->fd, iommufd_ioctl_name(request), ret);
    return ret;
}

ssize_t iommufd_backend_read_veventq(IOMMUFDBackend *be, int veventq_fd,
                                     void *buf, size_t count)
{
    return be->kops->read(be->kops_opaque, veventq_fd, buf, count);
}

void iommufd_backend_close_fd(IOMMUFDBackend *be, int fd)
{
    if (fd >= 0) {
        be->kops->close(be->kops_opaque, fd);
    }
}

/* ---- Host devices ---------------------------------------------------- */

bool iommufd_backend_check_device_name(IOMMUFDBackend *be,
                                       const IOMMUFDHostDeviceName *name,
                                       Error **errp)
{
    return be->kops->device->check_name(name, errp);
}

bool iommufd_backend_bind_device(IOMMUFDBackend *be,
                                 const IOMMUFDHostDeviceName *name,
                                 IOMMUFDDevice *dev, Error **errp)
{
    bool ok = be->kops->device->bind(be, name, dev, errp);

    trace_iommufd_backend_bind_device(be->id, dev->name,
                                      dev->path ? dev->path : "",
                                      dev->devid, ok);
    return ok;
}

void iommufd_backend_unbind_device(IOMMUFDBackend *be, IOMMUFDDevice *dev)
{
    if (dev->devid || dev->fd >= 0) {
        be->kops->device->unbind(be, dev);
    }
    dev->devid = 0;
    dev->fd = -1;
    g_clear_pointer(&dev->path, g_free);
}

bool iommufd_backend_attach_device(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                   uint32_t pt_id, Error **errp)
{
    bool ok = be->kops->device->attach(be, dev, pt_id, errp);

    trace_iommufd_backend_attach_device(dev->name, dev->devid, pt_id, ok);
    return ok;
}

bool iommufd_backend_detach_device(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                   Error **errp)
{
    bool ok = be->kops->device->detach(be, dev, errp);

    trace_iommufd_backend_attach_device(dev->name, dev->devid, 0, ok);
    return ok;
}

bool iommufd_backend_device_has_regions(IOMMUFDBackend *be)
{
    return be->kops->device->region_info && be->kops->device->region_rw;
}

int iommufd_backend_device_region_info(IOMMUFDBackend *be,
                                       IOMMUFDDevice *dev, uint32_t index,
                                       uint64_t *size, uint64_t *offset)
{
    g_assert(iommufd_backend_device_has_regions(be));
    return be->kops->device->region_info(be, dev, index, size, offset);
}

ssize_t iommufd_backend_device_region_rw(IOMMUFDBackend *be,
                                         IOMMUFDDevice *dev, void *buf,
                                         size_t count, uint64_t offset,
                                         bool write)
{
    g_assert(iommufd_backend_device_has_regions(be));
    return be->kops->device->region_rw(be, dev, buf, count, offset, write);
}

int iommufd_backend_device_region_mmap_areas(IOMMUFDBackend *be,
                                             IOMMUFDDevice *dev,
                                             uint32_t index,
                                             IOMMUFDRegionArea *areas,
                                             unsigned max)
{
    if (!be->kops->device || !be->kops->device->region_mmap_areas ||
        !be->kops->device->region_mmap) {
        return 0;
    }
    return be->kops->device->region_mmap_areas(be, dev, index, areas, max);
}

void *iommufd_backend_device_region_mmap(IOMMUFDBackend *be,
                                         IOMMUFDDevice *dev, uint64_t offset,
                                         uint64_t size, int *err)
{
    if (!be->kops->device || !be->kops->device->region_mmap) {
        *err = -ENODEV;
        return NULL;
    }
    return be->kops->device->region_mmap(be, dev, offset, size, err);
}

bool iommufd_backend_device_has_irqs(IOMMUFDBackend *be)
{
    return be->kops->device && be->kops->device->irq_count &&
           be->kops->device->set_irqs;
}

int iommufd_backend_device_irq_count(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                     uint32_t index)
{
    g_assert(iommufd_backend_device_has_irqs(be));
    return be->kops->device->irq_count(be, dev, index);
}

int iommufd_backend_device_set_irqs(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                    uint32_t index, uint32_t start,
                                    uint32_t count, const int32_t *fds)
{
    int r;

    g_assert(iommufd_backend_device_has_irqs(be));
    r = be->kops->device->set_irqs(be, dev, index, start, count, fds);
    trace_iommufd_backend_set_irqs(dev->name, index, start, count, r);
    return r;
}

/* ---- Helpers -------------------------------------------------------- */

/*
 * Common argument checks.  A helper called on a backend nobody connected
 * is a caller bug, but one that must not reach the kernel with fd -1.
 */
static bool check_connected(IOMMUFDBackend *be, const char *ioctl_name,
                            Error **errp)
{
    if (be->fd < 0) {
        error_setg(errp, "%s: iommufd '%s' is not connected", ioctl_name,
                   be->id);
        return false;
    }
    return true;
}

#define CHECK_OUT(ptr, ioctl_name, errp)                                \
    do {                                                                \
        if (!(ptr)) {                                                   \
            error_setg(errp, "%s: %s must not be NULL", ioctl_name,     \
                       #ptr);                                           \
            return false;                                               \
        }                                                               \
    } while (0)

bool iommufd_backend_alloc_ioas(IOMMUFDBackend *be, uint32_t *out_ioas_id,
                                Error **errp)
{
    struct iommu_ioas_alloc alloc = { .size = sizeof(alloc), .flags = 0 };
    int ret;

    CHECK_OUT(out_ioas_id, "IOMMU_IOAS_ALLOC", errp);
    if (!check_connected(be, "IOMMU_IOAS_ALLOC", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_IOAS_ALLOC, &alloc);
    trace_iommufd_backend_alloc_ioas(be->fd, alloc.out_ioas_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_IOAS_ALLOC failed");
        return false;
    }
    *out_ioas_id = alloc.out_ioas_id;
    return true;
}

static bool check_range(const char *ioctl_name, uint32_t ioas_id,
                        uint64_t iova, uint64_t size, Error **errp)
{
    if (size == 0) {
        error_setg(errp, "%s (ioas_id=%u iova=0x%" PRIx64 "): size is 0",
                   ioctl_name, ioas_id, iova);
        return false;
    }
    if (iova + size - 1 < iova) {
        error_setg(errp, "%s (ioas_id=%u iova=0x%" PRIx64 " size=0x%" PRIx64
                   "): range wraps around the address space",
                   ioctl_name, ioas_id, iova, size);
        return false;
    }
    return true;
}

static uint32_t map_flags(bool readonly)
{
    uint32_t flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE;

    if (!readonly) {
        flags |= IOMMU_IOAS_MAP_WRITEABLE;
    }
    return flags;
}

bool iommufd_backend_map_dma(IOMMUFDBackend *be, uint32_t ioas_id,
                             uint64_t iova, uint64_t size, void *vaddr,
                             bool readonly, Error **errp)
{
    struct iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = map_flags(readonly),
        .ioas_id = ioas_id,
        .user_va = (uintptr_t)vaddr,
        .length = size,
        .iova = iova,
    };
    int ret;

    if (!check_range("IOMMU_IOAS_MAP", ioas_id, iova, size, errp)) {
        return false;
    }
    CHECK_OUT(vaddr, "IOMMU_IOAS_MAP", errp);
    if (!check_connected(be, "IOMMU_IOAS_MAP", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_IOAS_MAP, &map);
    trace_iommufd_backend_map_dma(be->fd, ioas_id, iova, size, vaddr,
                                  readonly, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_IOAS_MAP failed (ioas_id=%u"
                         " iova=0x%" PRIx64 " size=0x%" PRIx64 ")",
                         ioas_id, iova, size);
        return false;
    }
    return true;
}

bool iommufd_backend_map_file_dma(IOMMUFDBackend *be, uint32_t ioas_id,
                                  uint64_t iova, uint64_t size, int mfd,
                                  uint64_t start, bool readonly,
                                  Error **errp)
{
    struct iommu_ioas_map_file map = {
        .size = sizeof(map),
        .flags = map_flags(readonly),
        .ioas_id = ioas_id,
        .fd = mfd,
        .start = start,
        .length = size,
        .iova = iova,
    };
    int ret;

    if (!check_range("IOMMU_IOAS_MAP_FILE", ioas_id, iova, size, errp)) {
        return false;
    }
    if (mfd < 0) {
        error_setg(errp, "IOMMU_IOAS_MAP_FILE (ioas_id=%u): invalid file"
                   " descriptor %d", ioas_id, mfd);
        return false;
    }
    if (!check_connected(be, "IOMMU_IOAS_MAP_FILE", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_IOAS_MAP_FILE, &map);
    trace_iommufd_backend_map_file_dma(be->fd, ioas_id, iova, size, mfd,
                                       start, readonly, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_IOAS_MAP_FILE failed (ioas_id=%u"
                         " iova=0x%" PRIx64 " size=0x%" PRIx64 " fd=%d"
                         " start=0x%" PRIx64 ")",
                         ioas_id, iova, size, mfd, start);
        return false;
    }
    return true;
}

bool iommufd_backend_unmap_dma(IOMMUFDBackend *be, uint32_t ioas_id,
                               uint64_t iova, uint64_t size, Error **errp)
{
    struct iommu_ioas_unmap unmap = {
        .size = sizeof(unmap),
        .ioas_id = ioas_id,
        .iova = iova,
        .length = size,
    };
    int ret;

    if (!check_range("IOMMU_IOAS_UNMAP", ioas_id, iova, size, errp) ||
        !check_connected(be, "IOMMU_IOAS_UNMAP", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_IOAS_UNMAP, &unmap);
    if (ret == -ENOENT) {
        /* Nothing was mapped there: the range is unmapped, as asked. */
        trace_iommufd_backend_unmap_dma_non_exist(be->fd, ioas_id, iova, size);
        return true;
    }
    trace_iommufd_backend_unmap_dma(be->fd, ioas_id, iova, size, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_IOAS_UNMAP failed (ioas_id=%u"
                         " iova=0x%" PRIx64 " size=0x%" PRIx64 ")",
                         ioas_id, iova, size);
        return false;
    }
    return true;
}

bool iommufd_backend_alloc_hwpt(IOMMUFDBackend *be, uint32_t dev_id,
                                uint32_t pt_id, uint32_t flags,
                                uint32_t data_type, uint32_t data_len,
                                void *data, uint32_t *out_hwpt_id,
                                Error **errp)
{
    struct iommu_hwpt_alloc alloc = {
        .size = sizeof(alloc),
        .flags = flags,
        .dev_id = dev_id,
        .pt_id = pt_id,
        .data_type = data_type,
        .data_len = data_len,
        .data_uptr = (uintptr_t)data,
    };
    int ret;

    CHECK_OUT(out_hwpt_id, "IOMMU_HWPT_ALLOC", errp);
    if (data_len && !data) {
        error_setg(errp, "IOMMU_HWPT_ALLOC (dev_id=%u pt_id=%u): data_len=%u"
                   " but no data", dev_id, pt_id, data_len);
        return false;
    }
    if (data_type == IOMMU_HWPT_DATA_NONE && data_len) {
        error_setg(errp, "IOMMU_HWPT_ALLOC (dev_id=%u pt_id=%u): data_len=%u"
                   " with data type NONE", dev_id, pt_id, data_len);
        return false;
    }
    if (!check_connected(be, "IOMMU_HWPT_ALLOC", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_HWPT_ALLOC, &alloc);
    trace_iommufd_backend_alloc_hwpt(be->fd, dev_id, pt_id, flags, data_type,
                                     data_len, alloc.out_hwpt_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_HWPT_ALLOC failed (dev_id=%u"
                         " pt_id=%u flags=0x%x data_type=%u data_len=%u)",
                         dev_id, pt_id, flags, data_type, data_len);
        return false;
    }
    *out_hwpt_id = alloc.out_hwpt_id;
    return true;
}

bool iommufd_backend_get_device_info(IOMMUFDBackend *be, uint32_t dev_id,
                                     uint32_t *type, void *data,
                                     uint32_t len, uint64_t *caps,
                                     uint8_t *max_pasid_log2, Error **errp)
{
    struct iommu_hw_info info = {
        .size = sizeof(info),
        .dev_id = dev_id,
        .data_len = len,
        .data_uptr = (uintptr_t)data,
    };
    int ret;

    CHECK_OUT(type, "IOMMU_GET_HW_INFO", errp);
    if (len && !data) {
        error_setg(errp, "IOMMU_GET_HW_INFO (dev_id=%u): len=%u but no"
                   " buffer", dev_id, len);
        return false;
    }
    if (!check_connected(be, "IOMMU_GET_HW_INFO", errp)) {
        return false;
    }
    if (*type) {
        info.flags |= IOMMU_HW_INFO_FLAG_INPUT_TYPE;
        info.in_data_type = *type;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_GET_HW_INFO, &info);
    trace_iommufd_backend_get_device_info(be->fd, dev_id, info.out_data_type,
                                          info.data_len,
                                          info.out_capabilities, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_GET_HW_INFO failed (dev_id=%u"
                         " type=%u len=%u)", dev_id, *type, len);
        return false;
    }
    *type = info.out_data_type;
    if (caps) {
        *caps = info.out_capabilities;
    }
    if (max_pasid_log2) {
        *max_pasid_log2 = info.out_max_pasid_log2;
    }
    return true;
}

bool iommufd_backend_invalidate_cache(IOMMUFDBackend *be, uint32_t id,
                                      uint32_t data_type, uint32_t entry_len,
                                      uint32_t *entry_num, void *data,
                                      Error **errp)
{
    struct iommu_hwpt_invalidate cache = {
        .size = sizeof(cache),
        .hwpt_id = id,
        .data_type = data_type,
        .entry_len = entry_len,
        .data_uptr = (uintptr_t)data,
    };
    uint32_t requested;
    int ret;

    CHECK_OUT(entry_num, "IOMMU_HWPT_INVALIDATE", errp);
    requested = *entry_num;
    if (requested && (!data || !entry_len)) {
        error_setg(errp, "IOMMU_HWPT_INVALIDATE (id=%u): %u entries of %u"
                   " bytes without data", id, requested, entry_len);
        return false;
    }
    if (!check_connected(be, "IOMMU_HWPT_INVALIDATE", errp)) {
        return false;
    }
    cache.entry_num = requested;
    ret = iommufd_backend_ioctl(be, IOMMU_HWPT_INVALIDATE, &cache);
    trace_iommufd_backend_invalidate_cache(be->fd, id, data_type, entry_len,
                                           requested, cache.entry_num, ret);
    if (ret && cache.entry_num >= requested) {
        /*
         * A failure means at least one entry was not handled; a count the
         * kernel left as we passed it (failure before the driver ran, e.g.
         * ENOTTY or ENOENT) means none was.
         */
        cache.entry_num = 0;
    }
    *entry_num = cache.entry_num;
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_HWPT_INVALIDATE failed (id=%u"
                         " data_type=%u entry_len=%u entry_num=%u,"
                         " processed %u)", id, data_type, entry_len,
                         requested, cache.entry_num);
        return false;
    }
    if (cache.entry_num != requested) {
        error_setg(errp, "IOMMU_HWPT_INVALIDATE (id=%u data_type=%u"
                   " entry_len=%u) processed %u of %u entries",
                   id, data_type, entry_len, cache.entry_num, requested);
        return false;
    }
    return true;
}

bool iommufd_backend_alloc_viommu(IOMMUFDBackend *be, uint32_t dev_id,
                                  uint32_t viommu_type, uint32_t hwpt_id,
                                  void *data, uint32_t data_len,
                                  uint32_t *out_viommu_id, Error **errp)
{
    struct iommu_viommu_alloc alloc = {
        .size = sizeof(alloc),
        .type = viommu_type,
        .dev_id = dev_id,
        .hwpt_id = hwpt_id,
        .data_len = data_len,
        .data_uptr = (uintptr_t)data,
    };
    int ret;

    CHECK_OUT(out_viommu_id, "IOMMU_VIOMMU_ALLOC", errp);
    if (data_len && !data) {
        error_setg(errp, "IOMMU_VIOMMU_ALLOC (dev_id=%u hwpt_id=%u):"
                   " data_len=%u but no data", dev_id, hwpt_id, data_len);
        return false;
    }
    if (!check_connected(be, "IOMMU_VIOMMU_ALLOC", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_VIOMMU_ALLOC, &alloc);
    trace_iommufd_backend_alloc_viommu(be->fd, dev_id, viommu_type, hwpt_id,
                                       data_len, alloc.out_viommu_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_VIOMMU_ALLOC failed (dev_id=%u"
                         " type=%u hwpt_id=%u)", dev_id, viommu_type,
                         hwpt_id);
        return false;
    }
    *out_viommu_id = alloc.out_viommu_id;
    return true;
}

bool iommufd_backend_alloc_vdev(IOMMUFDBackend *be, uint32_t dev_id,
                                uint32_t viommu_id, uint64_t virt_id,
                                uint32_t *out_vdev_id, Error **errp)
{
    struct iommu_vdevice_alloc alloc = {
        .size = sizeof(alloc),
        .viommu_id = viommu_id,
        .dev_id = dev_id,
        .virt_id = virt_id,
    };
    int ret;

    CHECK_OUT(out_vdev_id, "IOMMU_VDEVICE_ALLOC", errp);
    if (!check_connected(be, "IOMMU_VDEVICE_ALLOC", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_VDEVICE_ALLOC, &alloc);
    trace_iommufd_backend_alloc_vdev(be->fd, dev_id, viommu_id, virt_id,
                                     alloc.out_vdevice_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_VDEVICE_ALLOC failed (dev_id=%u"
                         " viommu_id=%u virt_id=0x%" PRIx64 ")",
                         dev_id, viommu_id, virt_id);
        return false;
    }
    *out_vdev_id = alloc.out_vdevice_id;
    return true;
}

bool iommufd_backend_alloc_veventq(IOMMUFDBackend *be, uint32_t viommu_id,
                                   uint32_t type, uint32_t depth,
                                   uint32_t *out_veventq_id,
                                   int *out_veventq_fd, Error **errp)
{
    struct iommu_veventq_alloc alloc = {
        .size = sizeof(alloc),
        .flags = 0,
        .viommu_id = viommu_id,
        .type = type,
        .veventq_depth = depth,
    };
    int ret;

    CHECK_OUT(out_veventq_id, "IOMMU_VEVENTQ_ALLOC", errp);
    CHECK_OUT(out_veventq_fd, "IOMMU_VEVENTQ_ALLOC", errp);
    if (depth == 0) {
        error_setg(errp, "IOMMU_VEVENTQ_ALLOC (viommu_id=%u type=%u): depth"
                   " must be at least 1 event", viommu_id, type);
        return false;
    }
    if (!check_connected(be, "IOMMU_VEVENTQ_ALLOC", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_VEVENTQ_ALLOC, &alloc);
    trace_iommufd_backend_alloc_veventq(be->fd, viommu_id, type, depth,
                                        alloc.out_veventq_id,
                                        (int)alloc.out_veventq_fd, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_VEVENTQ_ALLOC failed"
                         " (viommu_id=%u type=%u depth=%u)",
                         viommu_id, type, depth);
        return false;
    }
    if (alloc.out_veventq_fd > INT_MAX) {
        /* A success with no usable fd: give the queue back. */
        error_setg(errp, "IOMMU_VEVENTQ_ALLOC (viommu_id=%u type=%u"
                   " depth=%u) returned invalid fd %u", viommu_id, type,
                   depth, alloc.out_veventq_fd);
        iommufd_backend_free_id(be, alloc.out_veventq_id, NULL);
        return false;
    }
    *out_veventq_id = alloc.out_veventq_id;
    *out_veventq_fd = (int)alloc.out_veventq_fd;
    return true;
}

bool iommufd_backend_free_id(IOMMUFDBackend *be, uint32_t id, Error **errp)
{
    struct iommu_destroy des = { .size = sizeof(des), .id = id };
    int ret;

    if (!check_connected(be, "IOMMU_DESTROY", errp)) {
        return false;
    }
    ret = iommufd_backend_ioctl(be, IOMMU_DESTROY, &des);
    trace_iommufd_backend_free_id(be->fd, id, ret);
    if (ret == -EBUSY) {
        error_setg_errno(errp, -ret, "IOMMU_DESTROY failed (id=%u): object"
                         " is still in use", id);
        return false;
    }
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_DESTROY failed (id=%u)", id);
        return false;
    }
    return true;
}

/* ---- the type (-object iommufd) ----------------------------------- */

static const char *const iommufd_interfaces[] = {
    TYPE_USER_CREATABLE, NULL
};

/* Its -object options; write-only, as QEMU's "fd". */
static const TypePropertyInfo iommufd_props[] = {
    { "fd", "string", "file descriptor of an open /dev/iommu" },
    { "x-emulated-host", "bool",
      "use the embedded emulated host instead of /dev/iommu" },
    { NULL }
};

static const TypeInfo iommufd_info = {
    .name = TYPE_IOMMUFD_BACKEND,
    .parent = TYPE_OBJECT,
    .interfaces = iommufd_interfaces,
    .props = iommufd_props,
};

static void iommufd_register_types(void)
{
    type_register_static(&iommufd_info);
}

type_init(iommufd_register_types)
