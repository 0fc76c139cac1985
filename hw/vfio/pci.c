/*
 * vfio-pci: a host PCI device bound to an iommufd.
 *
 * The device is named by host= or sysfsdev= (a VFIO cdev on Linux) or by
 * x-emulated-psid= (a device of the emulated host); the iommufd backend's
 * seam (IOMMUFDDeviceOps) binds it, attaches it and reaches its regions,
 * so this file is the same for every kernel.  The device is attached to
 * an IOAS holding guest RAM at guest-physical addresses and announced to
 * the IOMMU of its bus, which may move it to HWPTs of its own (nesting
 * for an accelerated SMMUv3).
 *
 * In the guest's config space the function is the host's: its header and
 * capabilities are read and written live through the VFIO config region
 * (vendor, device, class, subsystem IDs as the host has them), except
 * the bytes vfio_byte_emulated() names; its memory BARs have the sizes of
 * the VFIO BAR regions and, where the guest maps them, reach those
 * regions, except the MSI-X table and PBA.  The parts of a BAR region
 * the kernel lets be mmap()ed (whole pages, not the MSI-X table and PBA
 * pages) are mapped and become host memory of the BAR, which an
 * accelerator maps for the guest; the rest traps to vfio_bar_rw().
 * x-no-mmap=on traps everything.  The MSI and MSI-X
 * capabilities, table and PBA are emulated (hw/vfio/pci-msi.c) and
 * what the guest enables becomes the host device's VFIO interrupts.
 * I/O BARs, the expansion ROM and INTx are not wired.
 *
 * Main thread only.  vfio_pci_region_access() is the API of the
 * x-vfio-pci-region QMP command (system/qmp-vfio.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/fd-registry.h"
#include "qemu/object-registry.h"
#include "hw/qdev-properties.h"
#include "hw/vfio/pci.h"
#include "hw/vfio/pci-msi.h"
#include "hw/pci/pci-device.h"
#include "system/vfio-cdev-abi.h"
#include "trace.h"
#include <sys/mman.h>

bool host_iommu_device_attach_hwpt(HostIOMMUDevice *hiod, uint32_t hwpt_id,
                                   Error **errp)
{
    if (!hiod->ops->attach_hwpt(hiod, hwpt_id, errp)) {
        return false;
    }
    hiod->hwpt_id = hwpt_id;
    return true;
}

bool host_iommu_device_detach_hwpt(HostIOMMUDevice *hiod, Error **errp)
{
    if (!hiod->ops->detach_hwpt(hiod, errp)) {
        return false;
    }
    hiod->hwpt_id = 0;
    return true;
}

/* ---- the host device, through the backend's seam ---------------------- */

static bool hiod_attach(HostIOMMUDevice *hiod, uint32_t hwpt_id, Error **errp)
{
    VFIOPCIDevice *vdev = hiod->opaque;

    return iommufd_backend_attach_device(vdev->be, &vdev->hdev, hwpt_id,
                                         errp);
}

static bool hiod_detach(HostIOMMUDevice *hiod, Error **errp)
{
    VFIOPCIDevice *vdev = hiod->opaque;

    return iommufd_backend_detach_device(vdev->be, &vdev->hdev, errp);
}

static const HostIOMMUDeviceOps hiod_ops = {
    .attach_hwpt = hiod_attach,
    .detach_hwpt = hiod_detach,
};

static IOMMUFDHostDeviceName host_name(VFIOPCIDevice *vdev)
{
    return (IOMMUFDHostDeviceName) {
        .host = vdev->host,
        .sysfsdev = vdev->sysfsdev,
        .psid = vdev->emulated_psid,
        .fd = vdev->passed_fd,
    };
}

static bool host_bind(VFIOPCIDevice *vdev, Error **errp)
{
    IOMMUFDHostDeviceName name = host_name(vdev);

    if (!iommufd_backend_bind_device(vdev->be, &name, &vdev->hdev, errp)) {
        return false;
    }
    vdev->passed_fd = -1;           /* the bound device (hdev.fd) owns it */
    vdev->hiod.devid = vdev->hdev.devid;
    vdev->hiod.host_sid = vdev->hdev.host_sid;
    vdev->hiod.ops = &hiod_ops;
    trace_vfio_pci_bind(vdev->hiod.name, vdev->hdev.path, vdev->hdev.devid);
    return true;
}

/* No real device has a BAR this large; a kernel saying so is refused. */
#define VFIO_BAR_MAX_SIZE (1ULL << 48)

/* ---- config space: the host's, with the BARs and command emulated ----- */

/*
 * Bytes of the header vsmmu emulates: command (also written to the
 * host), header type (our multifunction bit), BARs (sized from the VFIO
 * regions, placed by the guest in our memory map), expansion ROM (not
 * exposed), interrupt line, and the MSI and MSI-X capabilities past
 * their headers (vfio_msi_config_byte()).  Everything else is the
 * host's, read and written live through the VFIO config region.
 */
static bool vfio_byte_emulated(const VFIOPCIDevice *vdev, uint32_t addr)
{
    return vfio_msi_config_byte(vdev, addr) ||
           (addr >= PCI_COMMAND && addr < PCI_COMMAND + 2) ||
           addr == PCI_HEADER_TYPE ||
           (addr >= PCI_BASE_ADDRESS_0 && addr < PCI_BASE_ADDRESS_0 + 24) ||
           (addr >= PCI_ROM_ADDRESS && addr < PCI_ROM_ADDRESS + 4) ||
           addr == PCI_INTERRUPT_LINE;
}

/* len bytes of the host's config space at addr (all-ones on failure). */
static uint32_t vfio_host_config_read(VFIOPCIDevice *vdev, uint32_t addr,
                                      unsigned len)
{
    uint32_t v = 0;
    ssize_t n;

    if (addr >= vdev->config_region_size ||
        len > vdev->config_region_size - addr) {
        return 0;               /* past the host's header: nothing there */
    }
    n = iommufd_backend_device_region_rw(vdev->be, &vdev->hdev, &v, len,
                                         vdev->config_offset + addr, false);
    if (n != (ssize_t)len) {
        vdev->config_errors++;
        trace_vfio_pci_config_error(vdev->hiod.name, addr, len, "read");
        return len == 4 ? UINT32_MAX : (1u << (8 * len)) - 1;
    }
    return GUINT32_FROM_LE(v);
}

static void vfio_host_config_write(VFIOPCIDevice *vdev, uint32_t addr,
                                   uint32_t val, unsigned len)
{
    uint32_t v = GUINT32_TO_LE(val);
    ssize_t n;

    if (addr >= vdev->config_region_size ||
        len > vdev->config_region_size - addr) {
        return;
    }
    n = iommufd_backend_device_region_rw(vdev->be, &vdev->hdev, &v, len,
                                         vdev->config_offset + addr, true);
    if (n != (ssize_t)len) {
        vdev->config_errors++;
        trace_vfio_pci_config_error(vdev->hiod.name, addr, len, "write");
    }
}

static uint32_t vfio_config_read(PCIDevice *pdev, uint32_t addr,
                                 unsigned len)
{
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)pdev;
    uint32_t emu = pci_default_config_read(pdev, addr, len);
    uint32_t host = 0, mask = 0;

    for (unsigned i = 0; i < len; i++) {
        if (!vfio_byte_emulated(vdev, addr + i)) {
            mask |= 0xffu << (8 * i);
        }
    }
    if (mask) {
        host = vfio_host_config_read(vdev, addr, len);
    }
    return vfio_msi_config_read(vdev, addr, len,
                                (emu & ~mask) | (host & mask));
}

static void vfio_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                              unsigned len)
{
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)pdev;
    bool emulated = false;

    for (unsigned i = 0; i < len; i++) {
        emulated |= vfio_byte_emulated(vdev, addr + i);
    }
    if (!emulated) {
        /* All the host's: one access, as the guest made it. */
        vfio_host_config_write(vdev, addr, val, len);
        return;
    }
    for (unsigned i = 0; i < len; i++) {
        uint32_t a = addr + i;
        uint8_t b = val >> (8 * i);

        /* The command register goes to both: the host must decode too. */
        if (!vfio_byte_emulated(vdev, a) ||
            (a >= PCI_COMMAND && a < PCI_COMMAND + 2)) {
            vfio_host_config_write(vdev, a, b, 1);
        }
    }
    pci_default_config_write(pdev, addr, val, len);
    vfio_msi_config_written(vdev, addr, len);
}

/* ---- BARs: the host's VFIO regions, where the guest maps them ---------- */

static MemTxResult vfio_bar_rw(VFIOBar *bar, hwaddr addr, uint64_t *data,
                               unsigned size, bool write)
{
    VFIOPCIDevice *vdev = bar->vdev;
    uint64_t v = GUINT64_TO_LE(write ? *data : 0);
    ssize_t n;

    if (vfio_msix_bar_access(vdev, bar->index, addr, data, size, write)) {
        return MEMTX_OK;
    }
    n = iommufd_backend_device_region_rw(vdev->be, &vdev->hdev, &v, size,
                                         bar->region_offset + addr, write);
    if (n != (ssize_t)size) {
        vdev->bar_errors++;
        trace_vfio_pci_bar_error(vdev->hiod.name, bar->index, addr, size);
        if (!write) {
            *data = size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
        }
        return MEMTX_ERROR;
    }
    if (!write) {
        *data = GUINT64_FROM_LE(v);
    }
    return MEMTX_OK;
}

static MemTxResult vfio_bar_read(void *opaque, hwaddr addr, uint64_t *data,
                                 unsigned size)
{
    return vfio_bar_rw(opaque, addr, data, size, false);
}

static MemTxResult vfio_bar_write(void *opaque, hwaddr addr, uint64_t data,
                                  unsigned size)
{
    return vfio_bar_rw(opaque, addr, &data, size, true);
}

static const MemoryRegionOps vfio_bar_ops = {
    .read = vfio_bar_read,
    .write = vfio_bar_write,
    .min_access_size = 1,
    .max_access_size = 8,
};

/* BAR n from VFIO region n and the host's BAR register; *n64: it is 64-bit. */
static bool vfio_bar_setup(VFIOPCIDevice *vdev, int n, bool *n64,
                           Error **errp)
{
    PCIDevice *pdev = &vdev->parent_obj;
    VFIOBar *bar = &vdev->bars[n];
    uint32_t raw = pci_get_long(pdev->config + PCI_BASE_ADDRESS_0 + 4 * n);
    uint64_t size = 0, off = 0;
    uint8_t type;

    *n64 = false;
    if (iommufd_backend_device_region_info(vdev->be, &vdev->hdev, n, &size,
                                           &off) < 0 || !size ||
        (raw & PCI_BASE_ADDRESS_SPACE_IO)) {
        /* Absent, or an I/O BAR (not modelled): reads as 0. */
        pci_set_long(pdev->config + PCI_BASE_ADDRESS_0 + 4 * n, 0);
        return true;
    }
    type = raw & (PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
    *n64 = type & PCI_BASE_ADDRESS_MEM_TYPE_64;
    if (size > VFIO_BAR_MAX_SIZE) {
        error_setg(errp, "%s: BAR %d: region of 0x%" PRIx64 " bytes",
                   vdev->hiod.name, n, size);
        return false;
    }
    size = MAX(size, 16);
    size = size & (size - 1) ? 1ULL << (64 - __builtin_clzll(size)) : size;
    if ((*n64 && n == PCI_NUM_REGIONS - 1) ||
        (!*n64 && size > (1ULL << 31))) {
        error_setg(errp, "%s: BAR %d: a %s BAR of 0x%" PRIx64 " bytes",
                   vdev->hiod.name, n, *n64 ? "64-bit" : "32-bit", size);
        return false;
    }
    bar->vdev = vdev;
    bar->index = n;
    bar->region_offset = off;
    bar->size = size;
    pci_register_bar(pdev, n, type, size, &vfio_bar_ops, bar);
    trace_vfio_pci_bar(vdev->hiod.name, n, size, type);
    return true;
}

/* Map [lo, hi) of BAR n's region for the guest, if it is a page or more. */
static void vfio_bar_mmap_area(VFIOPCIDevice *vdev, VFIOBar *bar,
                               uint64_t lo, uint64_t hi)
{
    PCIBARHostArea *a = &bar->mmaps[bar->nr_mmaps];
    uint64_t prev_end = bar->nr_mmaps ?
                        a[-1].offset + a[-1].size : 0;
    void *host;
    int err = 0;

    if (lo >= hi) {
        return;
    }
    if (bar->nr_mmaps == PCI_BAR_MAX_HOST_AREAS || lo < prev_end) {
        trace_vfio_pci_bar_trapped(vdev->hiod.name, bar->index, lo, hi - lo,
                                   "too many or unordered areas");
        return;
    }
    host = iommufd_backend_device_region_mmap(vdev->be, &vdev->hdev,
                                              bar->region_offset + lo,
                                              hi - lo, &err);
    if (!host) {
        trace_vfio_pci_bar_trapped(vdev->hiod.name, bar->index, lo, hi - lo,
                                   g_strerror(-err));
        return;
    }
    *a = (PCIBARHostArea) { .offset = lo, .size = hi - lo, .host = host };
    bar->nr_mmaps++;
    trace_vfio_pci_bar_mmap(vdev->hiod.name, bar->index, lo, hi - lo);
}

/*
 * The areas of BAR n's region the kernel lets us mmap(), whole pages
 * only and without the MSI-X table and PBA pages, become host memory of
 * the BAR; everything else stays trapped (vfio_bar_rw()).
 */
static void vfio_bar_mmap(VFIOPCIDevice *vdev, int n)
{
    VFIOBar *bar = &vdev->bars[n];
    IOMMUFDRegionArea areas[PCI_BAR_MAX_HOST_AREAS];
    uint64_t page = sysconf(_SC_PAGESIZE);
    hwaddr tlo = 0;
    uint64_t tsize = 0;
    int nr;

    if (!bar->size || vdev->no_mmap) {
        return;
    }
    nr = iommufd_backend_device_region_mmap_areas(vdev->be, &vdev->hdev, n,
                                                  areas, G_N_ELEMENTS(areas));
    if (!vfio_msix_trap_range(vdev, n, &tlo, &tsize)) {
        tsize = 0;
    }
    for (int i = 0; i < nr; i++) {
        uint64_t lo = QEMU_ALIGN_UP(areas[i].offset, page);
        uint64_t hi = (areas[i].offset + areas[i].size) / page * page;

        hi = MIN(hi, bar->size);
        if (tsize) {
            vfio_bar_mmap_area(vdev, bar, lo, MIN(hi, tlo));
            lo = MAX(lo, tlo + tsize);
        }
        vfio_bar_mmap_area(vdev, bar, lo, hi);
    }
    if (bar->nr_mmaps) {
        pci_bar_set_host_areas(&vdev->parent_obj, n, bar->mmaps,
                               bar->nr_mmaps);
    }
}

static void vfio_bar_munmap(VFIOPCIDevice *vdev)
{
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        VFIOBar *bar = &vdev->bars[n];

        for (unsigned i = 0; i < bar->nr_mmaps; i++) {
            munmap(bar->mmaps[i].host, bar->mmaps[i].size);
        }
        bar->nr_mmaps = 0;
    }
}

/* The host's header into our config, then the emulated parts over it. */
static bool vfio_config_setup(VFIOPCIDevice *vdev, Error **errp)
{
    PCIDevice *pdev = &vdev->parent_obj;
    uint64_t size = 0, off = 0;
    uint32_t copy;
    uint8_t mf;
    int ret;

    ret = iommufd_backend_device_region_info(vdev->be, &vdev->hdev,
                                             VFIO_PCI_CONFIG_REGION_INDEX,
                                             &size, &off);
    if (ret < 0 || size < PCI_CONFIG_SPACE_SIZE) {
        error_setg_errno(errp, ret < 0 ? -ret : EINVAL, "%s: no VFIO config"
                         " region", vdev->hiod.name);
        return false;
    }
    vdev->config_offset = off;
    vdev->config_region_size = MIN(size, pdev->config_size);
    copy = vdev->config_region_size;
    if (iommufd_backend_device_region_rw(vdev->be, &vdev->hdev, pdev->config,
                                         copy, off, false) != (ssize_t)copy) {
        error_setg(errp, "%s: cannot read its config space", vdev->hiod.name);
        return false;
    }
    mf = pdev->multifunction ? PCI_HEADER_TYPE_MULTI_FUNCTION : 0;
    pdev->config[PCI_HEADER_TYPE] =
        (pdev->config[PCI_HEADER_TYPE] & ~PCI_HEADER_TYPE_MULTI_FUNCTION) | mf;
    pci_set_word(pdev->config + PCI_COMMAND, 0);
    pci_set_long(pdev->config + PCI_ROM_ADDRESS, 0);
    pdev->config[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        bool n64;

        if (!vfio_bar_setup(vdev, n, &n64, errp)) {
            return false;
        }
        n += n64;
    }
    if (!vfio_msi_setup(vdev, errp)) {
        return false;
    }
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        vfio_bar_mmap(vdev, n);
    }
    trace_vfio_pci_config(vdev->hiod.name,
                          pci_get_word(pdev->config + PCI_VENDOR_ID),
                          pci_get_word(pdev->config + PCI_DEVICE_ID), size);
    return true;
}

/* ---- the device -------------------------------------------------------- */

static void vfio_pci_teardown(VFIOPCIDevice *vdev)
{
    PCIDevice *pdev = &vdev->parent_obj;
    Error *err = NULL;

    vfio_msi_teardown(vdev);
    vfio_bar_munmap(vdev);
    if (vdev->iommu_bus) {
        vdev->iommu_bus->iommu_ops->unset_iommu_device(
            pdev->bus, vdev->iommu_bus->iommu_opaque, pdev->devfn);
        vdev->iommu_bus = NULL;
    }
    if (vdev->hiod.hwpt_id &&
        !host_iommu_device_detach_hwpt(&vdev->hiod, &err)) {
        error_report_err(err);
        err = NULL;
    }
    if (vdev->hiod.ioas_id) {
        vfio_iommufd_put_ram_ioas(vdev->be, pdev->parent_obj.as);
        vdev->hiod.ioas_id = 0;
    }
    if (vdev->be) {
        iommufd_backend_unbind_device(vdev->be, &vdev->hdev);
    }
    vdev->hiod.devid = 0;
    if (vdev->be) {
        iommufd_backend_disconnect(vdev->be);
        vdev->be = NULL;
    }
    if (vdev->passed_fd >= 0) {
        close(vdev->passed_fd);
        vdev->passed_fd = -1;
    }
}

/*
 * fd=: the VFIO cdev the manager opened (libvirt opens it, as it may
 * not be reachable from the daemon's mount namespace).  The device owns
 * it from here on, as in QEMU, whether inherited or passed with getfd.
 */
static bool take_passed_fd(VFIOPCIDevice *vdev, Error **errp)
{
    bool owned;
    int fd;

    if (!vdev->fd_param) {
        return true;
    }
    fd = qemu_fd_param(vdev->fd_param, &owned, errp);
    if (fd < 0) {
        return false;
    }
    vdev->passed_fd = fd;
    return true;
}

static bool vfio_pci_connect(VFIOPCIDevice *vdev, Error **errp)
{
    IOMMUFDHostDeviceName name;

    if (!vdev->iommufd_id) {
        error_setg(errp, "vfio-pci needs an iommufd backend"
                   " (iommufd=ID of an -object iommufd)");
        return false;
    }
    vdev->be = object_registry_resolve(TYPE_VFIO_PCI, "iommufd",
                                       vdev->iommufd_id,
                                       TYPE_IOMMUFD_BACKEND, errp);
    if (!vdev->be || !take_passed_fd(vdev, errp)) {
        vdev->be = NULL;
        vfio_pci_teardown(vdev);
        return false;
    }
    name = host_name(vdev);
    if (!iommufd_backend_check_device_name(vdev->be, &name, errp) ||
        !iommufd_backend_connect(vdev->be, errp)) {
        vdev->be = NULL;
        vfio_pci_teardown(vdev);
        return false;
    }
    return true;
}

/* Tell the IOMMU translating the device's bus about it, if it cares. */
static bool vfio_pci_announce(VFIOPCIDevice *vdev, Error **errp)
{
    PCIDevice *pdev = &vdev->parent_obj;
    PCIBus *ibus = pci_device_iommu_bus(pdev);

    if (!ibus || !ibus->iommu_ops->set_iommu_device) {
        return true;
    }
    if (!ibus->iommu_ops->set_iommu_device(pdev->bus, ibus->iommu_opaque,
                                           pdev->devfn, &vdev->hiod, errp)) {
        return false;
    }
    vdev->iommu_bus = ibus;
    return true;
}

static bool vfio_pci_realize(PCIDevice *pdev, Error **errp)
{
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)pdev;
    DeviceState *dev = &pdev->parent_obj;

    g_free(vdev->hiod.name);
    vdev->hiod.name = dev->id ? g_strdup_printf("vfio-pci '%s'", dev->id) :
                      g_strdup("vfio-pci");
    vdev->hiod.opaque = vdev;
    vdev->hiod.host_sid = UINT32_MAX;
    vdev->hdev.name = vdev->hiod.name;
    vdev->hdev.host_sid = UINT32_MAX;

    if (!vfio_pci_connect(vdev, errp)) {
        return false;
    }
    if (!host_bind(vdev, errp)) {
        goto fail;
    }
    vdev->hiod.iommufd = vdev->be;
    if (!iommufd_backend_device_has_regions(vdev->be)) {
        error_setg(errp, "%s: its kernel gives no VFIO regions",
                   vdev->hiod.name);
        goto fail;
    }
    if (!vfio_config_setup(vdev, errp)) {
        goto fail;
    }
    if (!vfio_iommufd_get_ram_ioas(vdev->be, dev->as, &vdev->hiod.ioas_id,
                                   errp) ||
        !host_iommu_device_attach_hwpt(&vdev->hiod, vdev->hiod.ioas_id,
                                       errp) ||
        !vfio_pci_announce(vdev, errp)) {
        goto fail;
    }
    trace_vfio_pci_realize(vdev->hiod.name, pdev->bus->id, pdev->devfn,
                           vdev->hiod.devid, vdev->be->kops->name);
    return true;

fail:
    vfio_pci_teardown(vdev);
    return false;
}

static void vfio_pci_exit(PCIDevice *pdev)
{
    vfio_pci_teardown((VFIOPCIDevice *)pdev);
}

/* Config is back as realized: interrupts off, the MSI-X table masked. */
static void vfio_pci_reset(PCIDevice *pdev)
{
    vfio_msi_reset((VFIOPCIDevice *)pdev);
}

static void vfio_pci_instance_init(DeviceState *dev)
{
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)dev;

    vdev->hdev.fd = -1;
    vdev->passed_fd = -1;
}

static void vfio_pci_finalize(DeviceState *dev)
{
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)dev;

    g_free(vdev->hiod.name);
}

static const Property vfio_pci_properties[] = {
    DEFINE_PCI_DEVICE_PROPERTIES(),
    DEFINE_PROP_STRING("host", VFIOPCIDevice, host,
                       "host PCI address DDDD:BB:DD.F of the device"),
    DEFINE_PROP_STRING("sysfsdev", VFIOPCIDevice, sysfsdev,
                       "sysfs path of the host device"),
    DEFINE_PROP_STRING("fd", VFIOPCIDevice, fd_param,
                       "an open VFIO device cdev: a descriptor number, or"
                       " the name given to QMP getfd"),
    DEFINE_PROP_LINK("iommufd", VFIOPCIDevice, iommufd_id, "link<iommufd>",
                     "the iommufd backend to bind the device to"),
    DEFINE_PROP_BOOL("x-no-mmap", VFIOPCIDevice, no_mmap, false,
                     "trap every BAR access instead of mapping the host's"
                     " BARs into the guest"),
    DEFINE_PROP_UINT32("x-emulated-psid", VFIOPCIDevice, emulated_psid,
                       VFIO_PCI_NO_PSID,
                       "physical StreamID of a device of the emulated host"),
    DEFINE_PROP_END_OF_LIST(),
};

/* As in QEMU, the concrete type sits on an abstract base. */
static const char *const vfio_pci_base_interfaces[] = {
    INTERFACE_PCIE_DEVICE, INTERFACE_CONVENTIONAL_PCI_DEVICE, NULL
};

static const TypeInfo vfio_pci_base_info = {
    .name = TYPE_VFIO_PCI_BASE,
    .parent = TYPE_PCI_DEVICE,
    .abstract = true,
    .interfaces = vfio_pci_base_interfaces,
};

static const PCIDeviceClass vfio_pci_class = {
    .parent_class = {
        .name = TYPE_VFIO_PCI,
        .desc = "VFIO-based PCI device assignment (iommufd)",
        .category = "misc",
        .instance_size = sizeof(VFIOPCIDevice),
        .user_creatable = true,
        .hotpluggable = true,
        .props = vfio_pci_properties,
        .help_note = "vsmmu binds devices through the iommufd backend only"
                     " (VFIO device cdev).",
        .instance_init = vfio_pci_instance_init,
        .finalize = vfio_pci_finalize,
        .parent = TYPE_VFIO_PCI_BASE,
        PCI_DEVICE_CLASS_HOOKS,
    },
    .is_express = true,
    .pci_realize = vfio_pci_realize,
    .pci_exit = vfio_pci_exit,
    .pci_reset = vfio_pci_reset,
    .config_read = vfio_config_read,
    .config_write = vfio_config_write,
};

/* ---- region access (the API of x-vfio-pci-region) ---------------------- */

bool vfio_pci_region_access(VFIOPCIDevice *vdev, uint64_t region,
                            uint64_t offset, unsigned size, uint64_t *value,
                            bool write, Error **errp)
{
    const char *id = vdev->parent_obj.parent_obj.id;
    uint64_t rsize = 0, roff = 0, v;
    ssize_t n;
    int ret;

    if (!vdev->be || !iommufd_backend_device_has_regions(vdev->be)) {
        error_setg(errp, "%s is not a host device", id);
        return false;
    }
    if (size != 1 && size != 2 && size != 4 && size != 8) {
        error_setg(errp, "'size' must be 1, 2, 4 or 8");
        return false;
    }
    ret = region > UINT32_MAX ? -EINVAL :
          iommufd_backend_device_region_info(vdev->be, &vdev->hdev, region,
                                             &rsize, &roff);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "%s: no VFIO region %" PRIu64, id,
                         region);
        return false;
    }
    if (offset > rsize || size > rsize - offset) {
        error_setg(errp, "%s: offset 0x%" PRIx64 " outside region %" PRIu64
                   " (0x%" PRIx64 " bytes)", id, offset, region, rsize);
        return false;
    }
    v = GUINT64_TO_LE(write ? *value : 0);
    n = iommufd_backend_device_region_rw(vdev->be, &vdev->hdev, &v, size,
                                         roff + offset, write);
    if (n != (ssize_t)size) {
        error_setg_errno(errp, n < 0 ? -n : EIO, "%s: %s of region %"
                         PRIu64 " at 0x%" PRIx64, id,
                         write ? "write" : "read", region, offset);
        return false;
    }
    if (!write) {
        *value = GUINT64_FROM_LE(v);
    }
    return true;
}

static void vfio_pci_register(void)
{
    type_register_static(&vfio_pci_base_info);
    device_class_register(&vfio_pci_class.parent_class);
}

type_init(vfio_pci_register)
