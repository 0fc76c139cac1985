/*
 * vfio-pci: a host PCI device bound to an iommufd.
 *
 * Real hardware: the device's VFIO cdev (/dev/vfio/devices/vfioN) is
 * bound to the iommufd backend with VFIO_DEVICE_BIND_IOMMUFD and attached
 * to an IOAS holding guest RAM at guest-physical addresses.  With
 * "-object iommufd,...,x-emulated-host=on" the device is instead one of
 * the emulated host's, named by its physical StreamID (x-emulated-psid).
 * Either way it is announced to the IOMMU of its bus, which may move it to
 * HWPTs of its own (nesting for an accelerated SMMUv3).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/object-registry.h"
#include "hw/qdev-properties.h"
#include "hw/vfio/pci.h"
#include "hw/vfio/vfio-cdev-abi.h"
#include "system/iommufd-emulated.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "trace.h"
#include <dirent.h>
#include <sys/ioctl.h>

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

/* ---- real hardware: the VFIO cdev ------------------------------------- */

static bool cdev_attach(HostIOMMUDevice *hiod, uint32_t hwpt_id, Error **errp)
{
    VFIOPCIDevice *vdev = hiod->opaque;
    struct vfio_device_attach_iommufd_pt attach = {
        .argsz = sizeof(attach),
        .pt_id = hwpt_id,
    };
    int ret = ioctl(vdev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);

    trace_vfio_pci_attach(hiod->name, hwpt_id, ret < 0 ? -errno : 0);
    if (ret < 0) {
        error_setg_errno(errp, errno, "%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT"
                         " failed (devid=%u pt_id=%u)", hiod->name,
                         hiod->devid, hwpt_id);
        return false;
    }
    return true;
}

static bool cdev_detach(HostIOMMUDevice *hiod, Error **errp)
{
    VFIOPCIDevice *vdev = hiod->opaque;
    struct vfio_device_detach_iommufd_pt detach = {
        .argsz = sizeof(detach),
    };
    int ret = ioctl(vdev->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);

    trace_vfio_pci_attach(hiod->name, 0, ret < 0 ? -errno : 0);
    if (ret < 0) {
        error_setg_errno(errp, errno, "%s: VFIO_DEVICE_DETACH_IOMMUFD_PT"
                         " failed (devid=%u)", hiod->name, hiod->devid);
        return false;
    }
    return true;
}

static const HostIOMMUDeviceOps cdev_ops = {
    .attach_hwpt = cdev_attach,
    .detach_hwpt = cdev_detach,
};

/* "0000:00:01.0" from host=, accepting "00:01.0" as QEMU does. */
static char *host_bdf(const char *host)
{
    unsigned dom, bus;
    int devfn;

    if (!qdev_parse_pci_host_addr(host, &dom, &bus, &devfn)) {
        return NULL;
    }
    return g_strdup_printf("%04x:%02x:%02x.%x", dom, bus, devfn >> 3,
                           devfn & 7);
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

static bool cdev_bind(VFIOPCIDevice *vdev, Error **errp)
{
    g_autofree char *sysfs = NULL;
    g_autofree char *cdev = NULL;
    struct vfio_device_bind_iommufd bind = {
        .argsz = sizeof(bind),
        .iommufd = vdev->be->fd,
    };

    if (vdev->sysfsdev) {
        sysfs = g_strdup(vdev->sysfsdev);
    } else {
        g_autofree char *bdf = host_bdf(vdev->host);

        if (!bdf) {
            error_setg(errp, "Parameter 'host' expects a PCI address"
                       " DDDD:BB:DD.F, not '%s'", vdev->host);
            return false;
        }
        sysfs = g_strdup_printf("/sys/bus/pci/devices/%s", bdf);
    }
    cdev = find_cdev(sysfs, errp);
    if (!cdev) {
        return false;
    }
    vdev->fd = open(cdev, O_RDWR | O_CLOEXEC);
    if (vdev->fd < 0) {
        error_setg_errno(errp, errno, "cannot open %s", cdev);
        return false;
    }
    if (ioctl(vdev->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
        error_setg_errno(errp, errno, "VFIO_DEVICE_BIND_IOMMUFD failed"
                         " (%s, iommufd '%s')", cdev, vdev->be->id);
        close(vdev->fd);
        vdev->fd = -1;
        return false;
    }
    vdev->hiod.devid = bind.out_devid;
    vdev->hiod.ops = &cdev_ops;
    trace_vfio_pci_bind(vdev->hiod.name, cdev, bind.out_devid);
    return true;
}

/* ---- the embedded emulated host ---------------------------------------- */

static bool emulated_attach(HostIOMMUDevice *hiod, uint32_t hwpt_id,
                            Error **errp)
{
    VFIOPCIDevice *vdev = hiod->opaque;

    return iommufd_emulated_attach_device(vdev->be->kops_opaque, hiod->devid,
                                          hwpt_id, errp);
}

static bool emulated_detach(HostIOMMUDevice *hiod, Error **errp)
{
    VFIOPCIDevice *vdev = hiod->opaque;

    return iommufd_emulated_detach_device(vdev->be->kops_opaque, hiod->devid,
                                          errp);
}

static const HostIOMMUDeviceOps emulated_ops = {
    .attach_hwpt = emulated_attach,
    .detach_hwpt = emulated_detach,
};

static bool emulated_bind(VFIOPCIDevice *vdev, Error **errp)
{
    if (!iommufd_emulated_bind_device(vdev->be->kops_opaque,
                                      vdev->emulated_psid, &vdev->hiod.devid,
                                      errp)) {
        return false;
    }
    vdev->hiod.ops = &emulated_ops;
    vdev->hiod.host_sid = vdev->emulated_psid;
    trace_vfio_pci_bind(vdev->hiod.name, "emulated", vdev->hiod.devid);
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
    if (vdev->hiod.devid && vdev->emulated &&
        !iommufd_emulated_unbind_device(vdev->be->kops_opaque,
                                        vdev->hiod.devid, &err)) {
        error_report_err(err);
    }
    vdev->hiod.devid = 0;
    if (vdev->fd >= 0) {
        close(vdev->fd);    /* unbinds the cdev from the iommufd */
        vdev->fd = -1;
    }
    if (vdev->be) {
        iommufd_backend_disconnect(vdev->be);
        vdev->be = NULL;
    }
    if (vdev->bus) {
        vdev->bus->slots_used &= ~(1u << (vdev->devfn >> 3));
        vdev->bus = NULL;
    }
}

static bool vfio_pci_realize(DeviceState *dev, Error **errp)
{
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)dev;
    bool have_psid = vdev->emulated_psid != VFIO_PCI_NO_PSID;

    g_free(vdev->hiod.name);
    vdev->hiod.name = dev->id ? g_strdup_printf("vfio-pci '%s'", dev->id) :
                      g_strdup("vfio-pci");
    vdev->hiod.opaque = vdev;
    vdev->hiod.host_sid = UINT32_MAX;

    if (!vdev->iommufd_id) {
        error_setg(errp, "vfio-pci needs an iommufd backend"
                   " (iommufd=ID of an -object iommufd)");
        return false;
    }
    vdev->be = object_registry_resolve(TYPE_VFIO_PCI, "iommufd",
                                       vdev->iommufd_id,
                                       TYPE_IOMMUFD_BACKEND, errp);
    if (!vdev->be) {
        return false;
    }
    vdev->emulated = vdev->be->kops == &iommufd_emulated_ops;
    if (vdev->emulated) {
        if (!have_psid || vdev->host || vdev->sysfsdev) {
            error_setg(errp, "a device of the emulated host needs"
                       " x-emulated-psid=SID and no host= or sysfsdev=");
            vdev->be = NULL;
            return false;
        }
    } else if (have_psid) {
        error_setg(errp, "x-emulated-psid needs an iommufd with"
                   " x-emulated-host=on");
        vdev->be = NULL;
        return false;
    } else if (!vdev->host == !vdev->sysfsdev) {
        error_setg(errp, "No provided host device - Use -device vfio-pci,"
                   "host=DDDD:BB:DD.F or -device vfio-pci,"
                   "sysfsdev=PATH_TO_DEVICE");
        vdev->be = NULL;
        return false;
    }
    if (!iommufd_backend_connect(vdev->be, errp)) {
        vdev->be = NULL;
        return false;
    }
    if (!place_on_bus(vdev, errp)) {
        goto fail;
    }
    if (!(vdev->emulated ? emulated_bind(vdev, errp) :
                           cdev_bind(vdev, errp))) {
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
                           vdev->hiod.devid, vdev->emulated);
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

    vdev->fd = -1;
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

static const DeviceClass vfio_pci_class = {
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
    .realize = vfio_pci_realize,
    .unrealize = vfio_pci_unrealize,
    .finalize = vfio_pci_finalize,
};

/*
 * x-vfio-pci-region: one read or write of a VFIO region of an assigned
 * device (the test beds have no guest CPU to reach its BARs).
 *   {"id": DEV, "region": N, "offset": OFF, "size": 1|2|4|8[, "value": V]}
 * writes V when given, else reads; returns {"value": V}.  Region numbers
 * are VFIO's (0-5 the BARs, 7 the config space).
 */
static bool region_arg(JsonObject *args, const char *name, bool required,
                       uint64_t *val, Error **errp)
{
    JsonNode *n = json_object_get_member(args, name);

    if (!n) {
        if (required) {
            error_setg(errp, "Parameter '%s' is missing", name);
        }
        return !required;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_INT64 ||
        json_node_get_int(n) < 0) {
        error_setg(errp, "Invalid parameter type for '%s', expected: "
                   "non-negative integer", name);
        return false;
    }
    *val = json_node_get_int(n);
    return true;
}

static JsonNode *qmp_x_vfio_pci_region(JsonObject *args, Error **errp)
{
    static const char *const allowed[] = {
        "id", "region", "offset", "size", "value", NULL
    };
    struct vfio_region_info info = { .argsz = sizeof(info) };
    uint64_t region = 0, offset = 0, size = 0, value = 0;
    bool write = json_object_has_member(args, "value");
    VFIOPCIDevice *vdev;
    DeviceState *dev;
    JsonObject *ret;
    JsonNode *node, *id;
    ssize_t n;

    if (!qmp_check_args(args, allowed, errp) ||
        !region_arg(args, "region", true, &region, errp) ||
        !region_arg(args, "offset", true, &offset, errp) ||
        !region_arg(args, "size", true, &size, errp) ||
        !region_arg(args, "value", false, &value, errp)) {
        return NULL;
    }
    id = json_object_get_member(args, "id");
    if (!id || !JSON_NODE_HOLDS_VALUE(id) ||
        json_node_get_value_type(id) != G_TYPE_STRING ||
        !(dev = machine_find_device(json_node_get_string(id))) ||
        strcmp(dev->klass->name, TYPE_VFIO_PCI)) {
        error_setg(errp, "'id' must name a vfio-pci device");
        return NULL;
    }
    vdev = (VFIOPCIDevice *)dev;
    if (vdev->fd < 0) {
        error_setg(errp, "%s is not a host device", dev->id);
        return NULL;
    }
    if (size != 1 && size != 2 && size != 4 && size != 8) {
        error_setg(errp, "'size' must be 1, 2, 4 or 8");
        return NULL;
    }
    info.index = region;
    if (region > UINT32_MAX ||
        ioctl(vdev->fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0) {
        error_setg_errno(errp, errno, "%s: no VFIO region %" PRIu64,
                         dev->id, region);
        return NULL;
    }
    if (offset > info.size || size > info.size - offset) {
        error_setg(errp, "%s: offset 0x%" PRIx64 " outside region %" PRIu64
                   " (0x%llx bytes)", dev->id, offset, region,
                   (unsigned long long)info.size);
        return NULL;
    }
    value = GUINT64_TO_LE(value);
    n = write ? pwrite(vdev->fd, &value, size, info.offset + offset)
              : pread(vdev->fd, &value, size, info.offset + offset);
    if (n != (ssize_t)size) {
        error_setg_errno(errp, n < 0 ? errno : EIO, "%s: %s of region %"
                         PRIu64 " at 0x%" PRIx64, dev->id,
                         write ? "write" : "read", region, offset);
        return NULL;
    }
    value = GUINT64_FROM_LE(value);
    ret = json_object_new();
    json_object_set_int_member(ret, "value", (gint64)value);
    node = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(node, ret);
    return node;
}

static void vfio_pci_register(void)
{
    device_class_register(&vfio_pci_class);
    qmp_register_command("x-vfio-pci-region", qmp_x_vfio_pci_region);
}

type_init(vfio_pci_register)
