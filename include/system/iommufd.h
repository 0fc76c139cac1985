/*
 * The iommufd backend: vsmmu's only path to /dev/iommu.
 *
 * An IOMMUFDBackend ("-object iommufd,id=ID[,fd=N]") owns, or adopts, one
 * iommufd file descriptor.  Users connect/disconnect with a reference
 * count: the first connect opens /dev/iommu (unless an inherited fd was
 * given), the last disconnect closes it (never an inherited fd).
 *
 * Every helper returns true on success and false with *errp set on
 * failure; the message names the ioctl, the ids involved and the cause:
 *
 *   IOMMU_VEVENTQ_ALLOC failed (viommu_id=3 type=1 depth=128): Invalid argument
 *
 * All kernel access (open, ioctl, vEVENTQ read, close) goes through one
 * seam, IOMMUFDKernelOps, so an emulated kernel can stand in for Linux
 * and tests can observe exactly what the helpers pass.  The seam covers
 * the host devices too (IOMMUFDDeviceOps: the VFIO device cdev on Linux,
 * VFIO_DEVICE_BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT, region info and
 * access), so a device model such as vfio-pci is written once for every
 * kernel.
 *
 * Threads: the backend object and the device calls are main thread only;
 * iommufd_backend_read_veventq() may be called from an iothread (the
 * vEVENTQ reader) as long as the fd stays open.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_IOMMUFD_H
#define SYSTEM_IOMMUFD_H

#include "qapi/error.h"
#include "system/iommufd-abi.h"

#define TYPE_IOMMUFD_BACKEND "iommufd"
#define IOMMUFD_NO_PSID UINT32_MAX

typedef struct IOMMUFDBackend IOMMUFDBackend;

/*
 * How the user named a host device: vfio-pci's host=, sysfsdev= and
 * x-emulated-psid= (a device of the emulated host, by physical StreamID).
 * Each kernel accepts the names it understands and refuses the others.
 */
typedef struct IOMMUFDHostDeviceName {
    const char *host;           /* DDDD:BB:DD.F or NULL */
    const char *sysfsdev;       /* sysfs directory or NULL */
    uint32_t psid;              /* IOMMUFD_NO_PSID when not given */
    int fd;                     /* an open VFIO device cdev, or -1 */
} IOMMUFDHostDeviceName;

/* A host device bound to an iommufd through the seam. */
typedef struct IOMMUFDDevice {
    const char *name;           /* owner, for messages: "vfio-pci 'hostdev0'" */
    int fd;                     /* VFIO device cdev; -1 if none */
    uint32_t devid;             /* iommufd device id; 0 while unbound */
    uint32_t host_sid;          /* physical StreamID if known, else ~0 */
    char *path;                 /* for traces: the cdev, or the kernel name */
} IOMMUFDDevice;

/* An mmap()able area of a VFIO region, relative to the region's start. */
typedef struct IOMMUFDRegionArea {
    uint64_t offset;
    uint64_t size;
} IOMMUFDRegionArea;

/*
 * The host-device half of the seam.  The calls with errp fail with it
 * set, naming the device (dev->name), the operation and the cause; the
 * region calls return -errno like the kernel half.
 */
typedef struct IOMMUFDDeviceOps {
    /* Refuse a name this kernel cannot bind (before any resource). */
    bool (*check_name)(const IOMMUFDHostDeviceName *name, Error **errp);
    /*
     * Find and open the device (or use name->fd, which dev->fd then
     * owns) and bind it to be (sets fd, devid).  On failure name->fd
     * stays the caller's.
     */
    bool (*bind)(IOMMUFDBackend *be, const IOMMUFDHostDeviceName *name,
                 IOMMUFDDevice *dev, Error **errp);
    /* Undo bind. */
    void (*unbind)(IOMMUFDBackend *be, IOMMUFDDevice *dev);
    /* Attach to a HWPT or IOAS (replaces any); detach from it. */
    bool (*attach)(IOMMUFDBackend *be, IOMMUFDDevice *dev, uint32_t pt_id,
                   Error **errp);
    bool (*detach)(IOMMUFDBackend *be, IOMMUFDDevice *dev, Error **errp);
    /*
     * VFIO region index (VFIO_DEVICE_GET_REGION_INFO): its size and file
     * offset; 0 or -errno.  NULL when the kernel's devices have none.
     */
    int (*region_info)(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                       uint32_t index, uint64_t *size, uint64_t *offset);
    /* count bytes at a file offset (pread/pwrite): bytes or -errno. */
    ssize_t (*region_rw)(IOMMUFDBackend *be, IOMMUFDDevice *dev, void *buf,
                         size_t count, uint64_t offset, bool write);
    /*
     * The parts of region INDEX the device lets be mmap()ed
     * (VFIO_REGION_INFO_FLAG_MMAP: the whole region, or only the areas
     * of its VFIO_REGION_INFO_CAP_SPARSE_MMAP capability), as offsets
     * inside the region: up to MAX into AREAS, their number or -errno.
     * NULL when none can be.
     */
    int (*region_mmap_areas)(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                             uint32_t index, IOMMUFDRegionArea *areas,
                             unsigned max);
    /*
     * SIZE bytes at file OFFSET, mapped shared and read-write: the
     * address (munmap() it), or NULL and -errno in *ERR.
     */
    void *(*region_mmap)(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                         uint64_t offset, uint64_t size, int *err);
    /*
     * Interrupts (VFIO_DEVICE_GET_IRQ_INFO / SET_IRQS), NULL when the
     * kernel's devices have none: the vectors of IRQ index INDEX
     * (VFIO_PCI_MSIX_IRQ_INDEX...), or -errno; vectors START.. signal
     * the COUNT eventfds FDS (-1: none; COUNT 0 disables the index),
     * 0 or -errno.
     */
    int (*irq_count)(IOMMUFDBackend *be, IOMMUFDDevice *dev, uint32_t index);
    int (*set_irqs)(IOMMUFDBackend *be, IOMMUFDDevice *dev, uint32_t index,
                    uint32_t start, uint32_t count, const int32_t *fds);
} IOMMUFDDeviceOps;

/*
 * The kernel seam.  Each call returns >= 0 on success or a negative errno,
 * never touching errno itself as a result channel.
 */
typedef struct IOMMUFDKernelOps {
    /* Shown in traces and query output: "linux", "emulated", ... */
    const char *name;
    /* Open the iommufd device; returns a file descriptor. */
    int (*open_dev)(void *opaque);
    /* One iommufd ioctl on fd; returns 0. */
    int (*ioctl)(void *opaque, int fd, unsigned long request, void *arg);
    /* read() on a vEVENTQ fd; returns the byte count (0: nothing queued). */
    ssize_t (*read)(void *opaque, int fd, void *buf, size_t count);
    /* close() a descriptor obtained through this seam. */
    int (*close)(void *opaque, int fd);
    /* Host devices bound to this kernel's iommufds. */
    const IOMMUFDDeviceOps *device;
} IOMMUFDKernelOps;

/* The real kernel: /dev/iommu, ioctl(2), read(2), close(2). */
extern const IOMMUFDKernelOps iommufd_linux_ops;
/* Its host devices: VFIO device cdevs (backends/vfio-cdev.c). */
extern const IOMMUFDDeviceOps vfio_cdev_linux_ops;

struct IOMMUFDBackend {
    char *id;
    int fd;                 /* -1 while not connected */
    bool owned;             /* false when the fd was inherited (fd=N) */
    bool close_adopted;     /* an adopted fd the backend closes at free */
    uint32_t users;
    const IOMMUFDKernelOps *kops;
    void *kops_opaque;
};

IOMMUFDBackend *iommufd_backend_new(const char *id);
/*
 * Adopt an inherited, already open iommufd descriptor (the "fd" property).
 * STR is a decimal descriptor number.  Only valid before the first
 * connect.  The backend never closes an adopted descriptor.
 */
bool iommufd_backend_set_fd(IOMMUFDBackend *be, const char *str,
                            Error **errp);
/*
 * Adopt an open iommufd descriptor the backend owns from now on (fd=NAME
 * of a descriptor passed with QMP getfd): closed when the backend is
 * freed, or at once on failure.
 */
bool iommufd_backend_adopt_fd(IOMMUFDBackend *be, int fd, Error **errp);
/* Replace the kernel seam (before the first connect). */
void iommufd_backend_set_kernel(IOMMUFDBackend *be,
                                const IOMMUFDKernelOps *kops, void *opaque);
/* Free the backend; it must have no users left. */
void iommufd_backend_free(IOMMUFDBackend *be);

bool iommufd_backend_connect(IOMMUFDBackend *be, Error **errp);
void iommufd_backend_disconnect(IOMMUFDBackend *be);

/* The seam itself: one ioctl on the backend's fd; 0 or -errno. */
int iommufd_backend_ioctl(IOMMUFDBackend *be, unsigned long request,
                          void *arg);
/* Read from a vEVENTQ fd through the seam: bytes read, or -errno. */
ssize_t iommufd_backend_read_veventq(IOMMUFDBackend *be, int veventq_fd,
                                     void *buf, size_t count);
/* Close a descriptor returned by a helper (e.g. a vEVENTQ fd). */
void iommufd_backend_close_fd(IOMMUFDBackend *be, int fd);

/* Name of an iommufd ioctl request ("IOMMU_IOAS_ALLOC"), or "unknown". */
const char *iommufd_ioctl_name(unsigned long request);

bool iommufd_backend_alloc_ioas(IOMMUFDBackend *be, uint32_t *out_ioas_id,
                                Error **errp);
/* Map host memory at a fixed IOVA, readable and (unless readonly) writable. */
bool iommufd_backend_map_dma(IOMMUFDBackend *be, uint32_t ioas_id,
                             uint64_t iova, uint64_t size, void *vaddr,
                             bool readonly, Error **errp);
/* Map [start, start + size) of a memfd at a fixed IOVA. */
bool iommufd_backend_map_file_dma(IOMMUFDBackend *be, uint32_t ioas_id,
                                  uint64_t iova, uint64_t size, int mfd,
                                  uint64_t start, bool readonly,
                                  Error **errp);
/* Unmap an IOVA range; a range with nothing mapped (ENOENT) is success. */
bool iommufd_backend_unmap_dma(IOMMUFDBackend *be, uint32_t ioas_id,
                               uint64_t iova, uint64_t size, Error **errp);
/*
 * Allocate a HWPT for dev_id on pt_id (an IOAS for a paging or nesting
 * parent HWPT; a nesting parent HWPT or vIOMMU for a nested one).
 * data_type/data_len/data describe the driver-specific nested data.
 */
bool iommufd_backend_alloc_hwpt(IOMMUFDBackend *be, uint32_t dev_id,
                                uint32_t pt_id, uint32_t flags,
                                uint32_t data_type, uint32_t data_len,
                                void *data, uint32_t *out_hwpt_id,
                                Error **errp);
/*
 * IOMMU_GET_HW_INFO.  *type: in, the requested type or 0 for the
 * default; out, the type of the data written (at most len bytes).
 * caps and max_pasid_log2 may be NULL.
 */
bool iommufd_backend_get_device_info(IOMMUFDBackend *be, uint32_t dev_id,
                                     uint32_t *type, void *data,
                                     uint32_t len, uint64_t *caps,
                                     uint8_t *max_pasid_log2, Error **errp);
/*
 * Invalidate caches through a HWPT or vIOMMU id.  *entry_num: in, the
 * number of entries of entry_len bytes at data; out, the number the
 * kernel processed.  Fewer processed than requested is an error.
 */
bool iommufd_backend_invalidate_cache(IOMMUFDBackend *be, uint32_t id,
                                      uint32_t data_type, uint32_t entry_len,
                                      uint32_t *entry_num, void *data,
                                      Error **errp);
bool iommufd_backend_alloc_viommu(IOMMUFDBackend *be, uint32_t dev_id,
                                  uint32_t viommu_type, uint32_t hwpt_id,
                                  void *data, uint32_t data_len,
                                  uint32_t *out_viommu_id, Error **errp);
bool iommufd_backend_alloc_vdev(IOMMUFDBackend *be, uint32_t dev_id,
                                uint32_t viommu_id, uint64_t virt_id,
                                uint32_t *out_vdev_id, Error **errp);
/*
 * IOMMU_VEVENTQ_ALLOC: an event queue of the given type and depth (number
 * of records, > 0) on a vIOMMU.  Returns the queue's object id and a new
 * file descriptor to read records from; the caller closes the fd (with
 * iommufd_backend_close_fd()) before freeing the id.
 */
bool iommufd_backend_alloc_veventq(IOMMUFDBackend *be, uint32_t viommu_id,
                                   uint32_t type, uint32_t depth,
                                   uint32_t *out_veventq_id,
                                   int *out_veventq_fd, Error **errp);
/*
 * Host devices, through the seam's IOMMUFDDeviceOps (main thread).
 * check_name before connecting; bind after; every attach/detach and
 * region access of a bound device goes through these.
 */
bool iommufd_backend_check_device_name(IOMMUFDBackend *be,
                                       const IOMMUFDHostDeviceName *name,
                                       Error **errp);
bool iommufd_backend_bind_device(IOMMUFDBackend *be,
                                 const IOMMUFDHostDeviceName *name,
                                 IOMMUFDDevice *dev, Error **errp);
void iommufd_backend_unbind_device(IOMMUFDBackend *be, IOMMUFDDevice *dev);
bool iommufd_backend_attach_device(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                   uint32_t pt_id, Error **errp);
bool iommufd_backend_detach_device(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                   Error **errp);
/* Whether this kernel's devices have VFIO regions at all. */
bool iommufd_backend_device_has_regions(IOMMUFDBackend *be);
/* 0 or -errno. */
int iommufd_backend_device_region_info(IOMMUFDBackend *be,
                                       IOMMUFDDevice *dev, uint32_t index,
                                       uint64_t *size, uint64_t *offset);
/* Bytes transferred or -errno. */
ssize_t iommufd_backend_device_region_rw(IOMMUFDBackend *be,
                                         IOMMUFDDevice *dev, void *buf,
                                         size_t count, uint64_t offset,
                                         bool write);

/* As the seam's; 0 areas when the kernel maps none. */
int iommufd_backend_device_region_mmap_areas(IOMMUFDBackend *be,
                                             IOMMUFDDevice *dev,
                                             uint32_t index,
                                             IOMMUFDRegionArea *areas,
                                             unsigned max);
void *iommufd_backend_device_region_mmap(IOMMUFDBackend *be,
                                         IOMMUFDDevice *dev, uint64_t offset,
                                         uint64_t size, int *err);

/* Whether this kernel's devices have interrupts; then as the seam. */
bool iommufd_backend_device_has_irqs(IOMMUFDBackend *be);
int iommufd_backend_device_irq_count(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                     uint32_t index);
int iommufd_backend_device_set_irqs(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                    uint32_t index, uint32_t start,
                                    uint32_t count, const int32_t *fds);

/* IOMMU_DESTROY of any object id. */
bool iommufd_backend_free_id(IOMMUFDBackend *be, uint32_t id, Error **errp);

#endif /* SYSTEM_IOMMUFD_H */
