/*
 * vfio-pci on the embedded emulated host and its error paths.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/qdev-properties.h"
#include "hw/vfio/pci.h"
#include "hw/pci-host/ecam-host.h"
#include "system/iommufd-emulated.h"

typedef struct Fixture {
    AddressSpace *as;
    PCIHost *pci;
    PCIBus *bus;                /* pcie.0 */
    DeviceState *host_bridge;   /* 00.0 */
    IOMMUFDEmulatedHost *host;
    IOMMUFDBackend *be;
    /* What the bus's IOMMU was told. */
    int set_calls, unset_calls, last_devfn;
    HostIOMMUDevice *last_hiod;
    bool refuse;
} Fixture;

static bool fake_set(PCIBus *bus, void *opaque, int devfn,
                     HostIOMMUDevice *hiod, Error **errp)
{
    Fixture *f = opaque;

    if (f->refuse) {
        error_setg(errp, "refused by the test IOMMU");
        return false;
    }
    f->set_calls++;
    f->last_devfn = devfn;
    f->last_hiod = hiod;
    return true;
}

static void fake_unset(PCIBus *bus, void *opaque, int devfn)
{
    Fixture *f = opaque;

    f->unset_calls++;
    g_assert_cmpint(devfn, ==, f->last_devfn);
}

static const PCIIOMMUOps fake_iommu_ops = {
    .set_iommu_device = fake_set,
    .unset_iommu_device = fake_unset,
};

static void setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    f->as = address_space_new("memory");
    g_assert_true(address_space_add_ram(f->as, 0x40000000, 16 << 20,
                                        &error_abort));
    f->pci = pcie_host_new(f->as, true, &error_abort);
    f->bus = f->pci->roots[0];
    f->host_bridge = qdev_new("gpex-root", &error_abort);
    f->host_bridge->as = f->as;
    g_assert_true(qdev_prop_parse(f->host_bridge, "addr", "0", &error_abort));
    g_assert_true(qdev_realize(f->host_bridge, &error_abort));
    f->host = iommufd_emulated_host_new();
    f->be = iommufd_backend_new("iommufd0");
    iommufd_backend_set_kernel(f->be, &iommufd_emulated_ops, f->host);
    /* The -object keeps a connection, as the daemon's does. */
    g_assert_true(iommufd_backend_connect(f->be, &error_abort));
    g_assert_true(object_registry_add("iommufd0", TYPE_IOMMUFD_BACKEND,
                                      f->be, &error_abort));
}

/* Functions on pcie.0 besides the host bridge. */
static unsigned bus_used(Fixture *f)
{
    unsigned n = 0;

    for (int i = 1; i < PCI_DEVFN_MAX; i++) {
        n += f->bus->devices[i] != NULL;
    }
    return n;
}

static void teardown(Fixture *f, gconstpointer data)
{
    qdev_free(f->host_bridge);
    pcie_host_free(f->pci);
    object_registry_clear();
    iommufd_backend_disconnect(f->be);
    iommufd_backend_free(f->be);
    iommufd_emulated_host_free(f->host);
    address_space_free(f->as);
}

static DeviceState *new_vfio(Fixture *f, const char *const *props)
{
    DeviceState *dev = qdev_new("vfio-pci", &error_abort);

    dev->as = f->as;
    for (; props && props[0]; props += 2) {
        g_assert_true(qdev_prop_parse(dev, props[0], props[1], &error_abort));
    }
    return dev;
}

static void expect_realize_error(Fixture *f, const char *const *props,
                                 const char *msg)
{
    DeviceState *dev = new_vfio(f, props);
    Error *err = NULL;
    IOMMUFDEmulatedStats st;

    g_assert_false(qdev_realize(dev, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    qdev_free(dev);
    /* Nothing left behind. */
    iommufd_emulated_host_stats(f->host, &st);
    g_assert_cmpuint(st.objects, ==, 0);
    g_assert_cmpuint(bus_used(f), ==, 0);
    g_assert_cmpuint(f->be->users, ==, 1);
}

static void test_emulated(Fixture *f, gconstpointer data)
{
    static const char *const props[] = {
        "iommufd", "iommufd0", "x-emulated-psid", "0x8", "addr", "0x3", NULL,
    };
    DeviceState *dev = new_vfio(f, props);
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)dev;
    IOMMUFDEmulatedStats st;

    f->bus->iommu_ops = &fake_iommu_ops;
    f->bus->iommu_opaque = f;
    g_assert_true(qdev_realize(dev, &error_abort));
    g_assert_cmpstr(vdev->be->kops->name, ==, "emulated");
    g_assert_cmpint(vdev->hdev.fd, ==, -1);
    g_assert_cmpint(vdev->parent_obj.devfn, ==, 3 << 3);
    g_assert_true(f->bus->devices[3 << 3] == &vdev->parent_obj);
    g_assert_cmpuint(vdev->hiod.host_sid, ==, 8);
    /* Bound, and attached to the RAM IOAS until an IOMMU moves it. */
    g_assert_cmpuint(vdev->hiod.devid, !=, 0);
    g_assert_cmpuint(vdev->hiod.ioas_id, !=, 0);
    g_assert_cmpuint(vdev->hiod.hwpt_id, ==, vdev->hiod.ioas_id);
    g_assert_cmpint(f->set_calls, ==, 1);
    g_assert_cmpint(f->last_devfn, ==, 3 << 3);
    g_assert_true(f->last_hiod == &vdev->hiod);
    iommufd_emulated_host_stats(f->host, &st);
    g_assert_cmpuint(st.objects, ==, 2);        /* device + IOAS */

    qdev_free(dev);
    g_assert_cmpint(f->unset_calls, ==, 1);
    iommufd_emulated_host_stats(f->host, &st);
    g_assert_cmpuint(st.objects, ==, 0);
    g_assert_cmpuint(bus_used(f), ==, 0);
    g_assert_cmpuint(f->be->users, ==, 1);
}

static void test_shared_ioas(Fixture *f, gconstpointer data)
{
    static const char *const p1[] = {
        "iommufd", "iommufd0", "x-emulated-psid", "8", NULL,
    };
    static const char *const p2[] = {
        "iommufd", "iommufd0", "x-emulated-psid", "16", NULL,
    };
    DeviceState *d1 = new_vfio(f, p1), *d2 = new_vfio(f, p2);

    g_assert_true(qdev_realize(d1, &error_abort));
    g_assert_true(qdev_realize(d2, &error_abort));
    /* Automatic slots: 1 and 2 (slot 0 is the host bridge's). */
    g_assert_cmpint(((VFIOPCIDevice *)d1)->parent_obj.devfn, ==, 1 << 3);
    g_assert_cmpint(((VFIOPCIDevice *)d2)->parent_obj.devfn, ==, 2 << 3);
    g_assert_cmpuint(((VFIOPCIDevice *)d1)->hiod.ioas_id, ==,
                     ((VFIOPCIDevice *)d2)->hiod.ioas_id);
    qdev_free(d1);
    qdev_free(d2);
}

static void test_errors(Fixture *f, gconstpointer data)
{
    int nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
    g_autofree char *fdstr = g_strdup_printf("%d", nullfd);
    IOMMUFDBackend *real = iommufd_backend_new("real0");

    g_assert_true(iommufd_backend_set_fd(real, fdstr, &error_abort));
    g_assert_true(object_registry_add("real0", TYPE_IOMMUFD_BACKEND, real,
                                      &error_abort));

    expect_realize_error(f, (const char *const[]){ NULL },
        "vfio-pci needs an iommufd backend (iommufd=ID of an -object"
        " iommufd)");
    expect_realize_error(f, (const char *const[]){ "iommufd", "nope", NULL },
        "Property 'vfio-pci.iommufd' can't find value 'nope'");
    expect_realize_error(f, (const char *const[]){ "iommufd", "pcie.0",
                                                   NULL },
        "Property 'vfio-pci.iommufd' expects a iommufd, 'pcie.0' is a PCI");
    expect_realize_error(f, (const char *const[]){ "iommufd", "iommufd0",
                                                   NULL },
        "a device of the emulated host needs x-emulated-psid=SID and no"
        " host= or sysfsdev=");
    expect_realize_error(f, (const char *const[]){ "iommufd", "real0",
                                                   "x-emulated-psid", "8",
                                                   NULL },
        "x-emulated-psid needs an iommufd with x-emulated-host=on");
    expect_realize_error(f, (const char *const[]){ "iommufd", "real0", NULL },
        "No provided host device - Use -device vfio-pci,host=DDDD:BB:DD.F or"
        " -device vfio-pci,sysfsdev=PATH_TO_DEVICE");
    expect_realize_error(f, (const char *const[]){ "iommufd", "real0",
                                                   "host", "zz", NULL },
        "Parameter 'host' expects a PCI address DDDD:BB:DD.F, not 'zz'");
    /* Never truncated into another device's address (issue 10 row 10). */
    expect_realize_error(f, (const char *const[]){ "iommufd", "real0",
                                                   "host",
                                                   "0000:00:100000001.0",
                                                   NULL },
        "Parameter 'host' expects a PCI address DDDD:BB:DD.F, not"
        " '0000:00:100000001.0'");
    expect_realize_error(f, (const char *const[]){ "iommufd", "real0",
                                                   "host",
                                                   "100000000:00:01.0",
                                                   NULL },
        "Parameter 'host' expects a PCI address DDDD:BB:DD.F, not"
        " '100000000:00:01.0'");
    expect_realize_error(f, (const char *const[]){ "iommufd", "real0",
                                                   "sysfsdev",
                                                   "/nonexistent/dev", NULL },
        "no such host device: /nonexistent/dev");
    expect_realize_error(f, (const char *const[]){ "iommufd", "iommufd0",
                                                   "x-emulated-psid", "8",
                                                   "bus", "pci.9", NULL },
        "Property 'vfio-pci.bus' can't find value 'pci.9'");

    /* A slot can hold one device; a psid can be bound once. */
    {
        static const char *const p[] = {
            "iommufd", "iommufd0", "x-emulated-psid", "8", "addr", "4", NULL,
        };
        DeviceState *d = new_vfio(f, p);
        DeviceState *d2 = new_vfio(f, p);
        Error *err = NULL;

        g_assert_true(qdev_realize(d, &error_abort));
        g_assert_false(qdev_realize(d2, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, "PCI: slot 4 function 0"
                        " not available for vfio-pci, in use by"
                        " vfio-pci,id=");
        error_free_or_abort(&err);
        qdev_free(d2);
        d2 = new_vfio(f, (const char *const[]){ "iommufd", "iommufd0",
                                                "x-emulated-psid", "8",
                                                NULL });
        g_assert_false(qdev_realize(d2, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, "emulated host: device"
                        " with StreamID 0x8 is already bound");
        error_free_or_abort(&err);
        qdev_free(d2);
        g_assert_cmpuint(bus_used(f), ==, 1);
        g_assert_nonnull(f->bus->devices[4 << 3]);
        qdev_free(d);
    }

    /* The bus's IOMMU may refuse a device: everything is undone. */
    f->bus->iommu_ops = &fake_iommu_ops;
    f->bus->iommu_opaque = f;
    f->refuse = true;
    expect_realize_error(f, (const char *const[]){ "iommufd", "iommufd0",
                                                   "x-emulated-psid", "8",
                                                   NULL },
        "refused by the test IOMMU");
    g_assert_cmpint(f->unset_calls, ==, 0);

    object_registry_remove("real0");
    iommufd_backend_free(real);
    close(nullfd);
}

/* addr= is range-checked when set, before any truncation (issue 10). */
static void test_addr_parse(void)
{
    static const struct {
        const char *str;
        int devfn;      /* -1: refused */
    } cases[] = {
        { "0x1f.7", 0xff }, { "a", 0x50 }, { "3", 0x18 }, { "00.0", 0 },
        { "1.8", -1 }, { "", -1 }, { "1.", -1 }, { ".1", -1 }, { "0x20", -1 },
        { "0x100000001", -1 }, { "1.0x100000000", -1 },
        { "100000000000000000001", -1 }, { "-1", -1 }, { " 1", -1 },
        { "1.-1", -1 }, { "1.0 ", -1 }, { "0x", -1 }, { "g", -1 },
    };
    DeviceState *dev = qdev_new("vfio-pci", &error_abort);
    VFIOPCIDevice *vdev = (VFIOPCIDevice *)dev;
    Error *err = NULL;

    g_assert_cmpint(vdev->parent_obj.addr, ==, -1);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        bool ok = qdev_prop_parse(dev, "addr", cases[i].str, &err);
        g_autofree char *msg = NULL;

        if (cases[i].devfn >= 0) {
            g_assert_null(err);
            g_assert_true(ok);
            g_assert_cmpint(vdev->parent_obj.addr, ==, cases[i].devfn);
            continue;
        }
        g_assert_false(ok);
        msg = g_strdup_printf("Property 'vfio-pci.addr' doesn't take value"
                              " '%s'", cases[i].str);
        g_assert_cmpstr(error_get_pretty(err), ==, msg);
        error_free_or_abort(&err);
        /* A refused value leaves the last good one. */
        g_assert_cmpint(vdev->parent_obj.addr, ==, 0);
    }
    /* From JSON, the devfn number. */
    g_assert_true(qdev_prop_set_uint(dev, "addr", 0x21, &error_abort));
    g_assert_cmpint(vdev->parent_obj.addr, ==, 0x21);
    g_assert_false(qdev_prop_set_uint(dev, "addr", 256, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'addr' expects a value between -1 and 255");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_set_bool(dev, "addr", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'addr', expected: string");
    error_free_or_abort(&err);
    qdev_free(dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-pci/addr-parse", test_addr_parse);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/vfio-pci/emulated", test_emulated);
    ADD("/vfio-pci/shared-ioas", test_shared_ioas);
    ADD("/vfio-pci/errors", test_errors);
#undef ADD
    return g_test_run();
}
