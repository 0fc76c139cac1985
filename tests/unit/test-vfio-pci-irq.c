/*
 * vfio-pci interrupts (hw/vfio/pci-irq.c) on a fake host device: each
 * vector's eventfd reaches the host device, and its signals reach the
 * guest's MSI, bound in a doorbell or relayed by the main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/vfio/pci-irq.h"

#define RAM_BASE 0x40000000ULL
#define NVEC 4

/* The fake host device: what VFIO_DEVICE_SET_IRQS was told. */
typedef struct FakeDevice {
    int32_t fd[NVEC];           /* -1: vector signals nothing */
    int disables;               /* count 0: the index disabled */
    int set_ret;                /* -errno to fail SET_IRQS */
} FakeDevice;

static FakeDevice fake;

static int fake_irq_count(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                          uint32_t index)
{
    return index == 2 ? NVEC : -EINVAL;     /* MSI-X only */
}

static int fake_set_irqs(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                         uint32_t index, uint32_t start, uint32_t count,
                         const int32_t *fds)
{
    g_assert_cmpuint(index, ==, 2);
    if (fake.set_ret) {
        return fake.set_ret;
    }
    if (!count) {
        fake.disables++;
        for (int i = 0; i < NVEC; i++) {
            fake.fd[i] = -1;
        }
        return 0;
    }
    g_assert_cmpuint(start + count, <=, NVEC);
    for (uint32_t i = 0; i < count; i++) {
        fake.fd[start + i] = fds[i];
    }
    return 0;
}

static const IOMMUFDDeviceOps fake_device_ops = {
    .irq_count = fake_irq_count,
    .set_irqs = fake_set_irqs,
};

static const IOMMUFDKernelOps fake_kernel = {
    .name = "fake",
    .device = &fake_device_ops,
};

typedef struct Bell {
    int binds, unbinds, refuse;
    int efd;
    hwaddr addr;
    uint32_t data, devid;
} Bell;

static bool bell_send(void *opaque, hwaddr addr, uint32_t data,
                      uint32_t devid)
{
    return true;
}

static int bell_bind(void *opaque, int efd, hwaddr addr, uint32_t data,
                     uint32_t devid)
{
    Bell *b = opaque;

    if (b->refuse) {
        return -ENOSPC;
    }
    b->binds++;
    b->efd = efd;
    b->addr = addr;
    b->data = data;
    b->devid = devid;
    return 7;
}

static void bell_unbind(void *opaque, int efd, int handle)
{
    Bell *b = opaque;

    g_assert_cmpint(handle, ==, 7);
    g_assert_cmpint(efd, ==, b->efd);
    b->unbinds++;
}

static const MSIDoorbellOps bell_ops = {
    .send = bell_send, .bind = bell_bind, .unbind = bell_unbind,
};

typedef struct Fixture {
    AddressSpace *as;
    IOMMUFDBackend *be;
    VFIOPCIDevice vdev;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    for (int i = 0; i < NVEC; i++) {
        fake.fd[i] = -1;
    }
    fake.disables = fake.set_ret = 0;
    f->as = address_space_new("memory");
    g_assert_true(address_space_add_ram(f->as, RAM_BASE, 1 << 20,
                                        &error_abort));
    f->be = iommufd_backend_new("iommufd0");
    iommufd_backend_set_kernel(f->be, &fake_kernel, NULL);
    f->vdev.parent_obj.parent_obj.as = f->as;
    f->vdev.be = f->be;
    f->vdev.hiod.name = (char *)"vfio-pci 'hostdev0'";
    f->vdev.hdev.name = f->vdev.hiod.name;
}

static void teardown(Fixture *f, gconstpointer data)
{
    iommufd_backend_free(f->be);
    address_space_free(f->as);
}

static void signal_fd(int fd)
{
    uint64_t one = 1;

    g_assert_cmpint(write(fd, &one, sizeof(one)), ==, sizeof(one));
}

/* No doorbell at the address: the main loop relays each signal. */
static void test_relay(Fixture *f, gconstpointer data)
{
    VFIOPCIIrqs *irqs = vfio_pci_irqs_new(&f->vdev, 2, &error_abort);
    hwaddr msi = RAM_BASE + 0x100;
    uint32_t v;

    g_assert_cmpuint(vfio_pci_irqs_count(irqs), ==, NVEC);
    g_assert_true(vfio_pci_irqs_route(irqs, 1, msi, 0x41, 0x8, &error_abort));
    g_assert_false(vfio_pci_irqs_bound(irqs, 1));
    g_assert_cmpint(fake.fd[1], >=, 0);
    g_assert_cmpint(fake.fd[0], ==, -1);
    /* Two signals before the loop runs: one edge, one MSI. */
    signal_fd(fake.fd[1]);
    signal_fd(fake.fd[1]);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_assert_cmpint(address_space_ldl_le(f->as, msi, &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x41);
    g_assert_cmpuint(vfio_pci_irqs_relayed(irqs), ==, 1);
    /* Reprogrammed: the same eventfd, the new message. */
    g_assert_true(vfio_pci_irqs_route(irqs, 1, msi + 4, 0x42, 0x8,
                                      &error_abort));
    signal_fd(fake.fd[1]);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_assert_cmpint(address_space_ldl_le(f->as, msi + 4, &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x42);
    g_assert_cmpuint(vfio_pci_irqs_relayed(irqs), ==, 2);
    vfio_pci_irqs_unroute(irqs, 1);
    g_assert_cmpint(fake.fd[1], ==, -1);
    vfio_pci_irqs_free(irqs);
    g_assert_cmpint(fake.disables, ==, 0);   /* nothing left to disable */
}

/* A doorbell there: bound (irqfd), the daemon never relays. */
static void test_bound(Fixture *f, gconstpointer data)
{
    hwaddr bell_addr = 0x08090040;
    Bell b = { 0 };
    VFIOPCIIrqs *irqs;

    g_assert_true(address_space_set_msi_doorbell(f->as, bell_addr, 4,
                                                 &bell_ops, &b,
                                                 &error_abort));
    irqs = vfio_pci_irqs_new(&f->vdev, 2, &error_abort);
    g_assert_true(vfio_pci_irqs_route(irqs, 3, bell_addr, 0x21, 0x8,
                                      &error_abort));
    g_assert_true(vfio_pci_irqs_bound(irqs, 3));
    g_assert_cmpint(b.binds, ==, 1);
    g_assert_cmpint(b.efd, ==, fake.fd[3]);
    g_assert_cmphex(b.data, ==, 0x21);
    g_assert_cmphex(b.devid, ==, 0x8);
    signal_fd(fake.fd[3]);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_assert_cmpuint(vfio_pci_irqs_relayed(irqs), ==, 0);
    /* A doorbell that cannot bind (no routes left): relayed instead. */
    b.refuse = 1;
    g_assert_true(vfio_pci_irqs_route(irqs, 2, bell_addr, 0x22, 0x8,
                                      &error_abort));
    g_assert_false(vfio_pci_irqs_bound(irqs, 2));
    vfio_pci_irqs_free(irqs);
    g_assert_cmpint(b.unbinds, ==, 1);
    g_assert_cmpint(fake.disables, ==, 1);
    address_space_clear_msi_doorbell(f->as);
}

static void test_errors(Fixture *f, gconstpointer data)
{
    VFIOPCIIrqs *irqs;
    Error *err = NULL;

    g_assert_null(vfio_pci_irqs_new(&f->vdev, 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "vfio-pci 'hostdev0': no"
                    " VFIO interrupt index 1: Invalid argument");
    error_free(err);
    err = NULL;
    irqs = vfio_pci_irqs_new(&f->vdev, 2, &error_abort);
    g_assert_false(vfio_pci_irqs_route(irqs, NVEC, RAM_BASE, 0, 0, &err));
    error_free_or_abort(&err);
    fake.set_ret = -EBUSY;
    g_assert_false(vfio_pci_irqs_route(irqs, 0, RAM_BASE, 0, 0, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "VFIO_DEVICE_SET_IRQS"));
    error_free(err);
    vfio_pci_irqs_free(irqs);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/vfio-pci-irq/relay", Fixture, NULL, setup, test_relay,
               teardown);
    g_test_add("/vfio-pci-irq/bound", Fixture, NULL, setup, test_bound,
               teardown);
    g_test_add("/vfio-pci-irq/errors", Fixture, NULL, setup, test_errors,
               teardown);
    return g_test_run();
}
