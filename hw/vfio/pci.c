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
#include "hw/pci/pci-device.h"
#include "trace.h"

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

/* ---- the device -------------------------------------------------------- */

static bool place_on_bus(VFIOPCIDevice *vdev, Error **errp)
{
    const char *bus_id = vdev->bus_id ? vdev->bus_id : "pcie.0";
    PCIBus *bus;
    int slot, devfn;

    bus = object_registry_resolve(TYPE_VFIO_PCI, "bus", bus_id, TYPE_PCI_BUS,
                                  errp);
    if (!bus) {
        return false;
    }
    if (vdev->addr >= 0) {
        devfn = vdev->addr;
        slot = devfn >> 3;
        if (bus->slots_used & (1u << slot)) {
            error_setg(errp, "PCI: slot %d function %d not available for"
                       " vfio-pci, in use by another device", slot,
                       devfn & 7);
            return false;
        }
    } else {
        /* The first free slot; slot 0 is the host bridge's on pcie.0. */
        for (slot = bus->bus_num == 0 ? 1 : 0; slot < 32; slot++) {
            if (!(bus->slots_used & (1u << slot))) {
                break;
            }
        }
        if (slot == 32) {
            error_setg(errp, "PCI: no slot available for vfio-pci on bus"
                       " '%s'", bus_id);
            return false;
        }
        devfn = slot << 3;
    }
    /* Only a placed device owns (and on teardown frees) its slot. */
    bus->slots_used |= 1u << slot;
    vdev->bus = bus;
    vdev->devfn = devfn;
    return true;
}

static void vfio_pci_teardown(VFIOPCIDevice *vdev)
{
    Error *err = NULL;

    if (vdev->iommu_device_set) {
        vdev->bus->iommu_ops->unset_iommu_device(vdev->bus,
                                                 vdev->bus->iommu_opaque,
                                                 vdev->devfn);
        vdev->iommu_device_set = false;
    }
    if (vdev->hiod.hwpt_id &&
        !host_iommu_device_detach_hwpt(&vdev->hiod, &err)) {
        error_report_err(err);
        err = NULL;
    }
    if (vdev->hiod.ioas_id) {
        vfio_iommufd_put_ram_ioas(vdev->be, vdev->parent_obj.as);
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
    if (vdev->bus) {
        vdev->bus->slots_used &= ~(1u << (vdev->devfn >> 3));
        vdev->bus = NULL;
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

static bool vfio_pci_realize(DeviceState *dev, Error **errp)
{
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)dev;
    IOMMUFDHostDeviceName name;

    g_free(vdev->hiod.name);
    vdev->hiod.name = dev->id ? g_strdup_printf("vfio-pci '%s'", dev->id) :
                      g_strdup("vfio-pci");
    vdev->hiod.opaque = vdev;
    vdev->hiod.host_sid = UINT32_MAX;
    vdev->hdev.name = vdev->hiod.name;
    vdev->hdev.host_sid = UINT32_MAX;

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
    if (!place_on_bus(vdev, errp)) {
        goto fail;
    }
    if (!host_bind(vdev, errp)) {
        goto fail;
    }
    vdev->hiod.iommufd = vdev->be;
    if (!vfio_iommufd_get_ram_ioas(vdev->be, dev->as, &vdev->hiod.ioas_id,
                                   errp) ||
        !host_iommu_device_attach_hwpt(&vdev->hiod, vdev->hiod.ioas_id,
                                       errp)) {
        goto fail;
    }
    if (vdev->bus->iommu_ops) {
        if (!vdev->bus->iommu_ops->set_iommu_device(vdev->bus,
                                                    vdev->bus->iommu_opaque,
                                                    vdev->devfn, &vdev->hiod,
                                                    errp)) {
            goto fail;
        }
        vdev->iommu_device_set = true;
    }
    trace_vfio_pci_realize(vdev->hiod.name, vdev->bus->id, vdev->devfn,
                           vdev->hiod.devid, vdev->be->kops->name);
    return true;

fail:
    vfio_pci_teardown(vdev);
    return false;
}

static void vfio_pci_unrealize(DeviceState *dev)
{
    vfio_pci_teardown((VFIOPCIDevice *)dev);
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
    DEFINE_PROP_STRING("host", VFIOPCIDevice, host,
                       "host PCI address DDDD:BB:DD.F of the device"),
    DEFINE_PROP_STRING("sysfsdev", VFIOPCIDevice, sysfsdev,
                       "sysfs path of the host device"),
    DEFINE_PROP_STRING("fd", VFIOPCIDevice, fd_param,
                       "an open VFIO device cdev: a descriptor number, or"
                       " the name given to QMP getfd"),
    DEFINE_PROP_LINK("iommufd", VFIOPCIDevice, iommufd_id, "link<iommufd>",
                     "the iommufd backend to bind the device to"),
    DEFINE_PROP_LINK("bus", VFIOPCIDevice, bus_id, "link<PCI>",
                     "the PCI bus (default pcie.0)"),
    DEFINE_PROP_PCI_DEVFN("addr", VFIOPCIDevice, addr,
                          "slot[.function] on the bus (default: first"
                          " free)"),
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

static const DeviceClass vfio_pci_class = {
    .name = TYPE_VFIO_PCI,
    .desc = "VFIO-based PCI device assignment (iommufd)",
    .category = "misc",
    .parent = TYPE_VFIO_PCI_BASE,
    .instance_size = sizeof(VFIOPCIDevice),
    .user_creatable = true,
    .hotpluggable = true,
    .props = vfio_pci_properties,
    .help_note = "vsmmu binds devices through the iommufd backend only"
                 " (VFIO device cdev).",
    .instance_init = vfio_pci_instance_init,
    .realize = vfio_pci_realize,
    .unrealize = vfio_pci_unrealize,
    .finalize = vfio_pci_finalize,
};

/* ---- region access (the API of x-vfio-pci-region) ---------------------- */

bool vfio_pci_region_access(VFIOPCIDevice *vdev, uint64_t region,
                            uint64_t offset, unsigned size, uint64_t *value,
                            bool write, Error **errp)
{
    const char *id = vdev->parent_obj.id;
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
    device_class_register(&vfio_pci_class);
}

type_init(vfio_pci_register)
