/*
 * vfio-pci interrupts (include/hw/vfio/pci-irq.h): per vector an
 * eventfd the host device signals, bound to the guest's MSI through the
 * address space's doorbell (KVM irqfd) or relayed by the main loop.
 *
 * Owns the VFIOPCIIrqs and each vector's eventfd and relay source.
 * Main thread only (no lock): the relay runs from the main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/vfio/pci-irq.h"
#include "trace.h"
#include <glib-unix.h>
#include <poll.h>
#include <sys/eventfd.h>

#define VFIO_PCI_MAX_VECTORS 2048       /* MSI-X's Table Size limit */

typedef struct VFIOPCIVector {
    VFIOPCIIrqs *irqs;
    unsigned index;
    int efd;                    /* -1: not routed */
    int handle;                 /* the doorbell's, or -1: relayed */
    guint relay_src;
    hwaddr addr;
    uint32_t data, devid;
} VFIOPCIVector;

struct VFIOPCIIrqs {
    VFIOPCIDevice *vdev;
    uint32_t index;
    unsigned count;
    VFIOPCIVector *vec;
    uint64_t relayed;
};

VFIOPCIIrqs *vfio_pci_irqs_new(VFIOPCIDevice *vdev, uint32_t index,
                               Error **errp)
{
    const char *name = vdev->hiod.name;
    VFIOPCIIrqs *irqs;
    int n;

    if (!vdev->be || !iommufd_backend_device_has_irqs(vdev->be)) {
        error_setg(errp, "%s: the host device has no VFIO interrupts", name);
        return NULL;
    }
    n = iommufd_backend_device_irq_count(vdev->be, &vdev->hdev, index);
    if (n < 0) {
        error_setg_errno(errp, -n, "%s: no VFIO interrupt index %u", name,
                         index);
        return NULL;
    }
    if (n == 0 || n > VFIO_PCI_MAX_VECTORS) {
        error_setg(errp, "%s: VFIO interrupt index %u has %d vectors"
                   " (1 to %d)", name, index, n, VFIO_PCI_MAX_VECTORS);
        return NULL;
    }
    irqs = g_new0(VFIOPCIIrqs, 1);
    irqs->vdev = vdev;
    irqs->index = index;
    irqs->count = n;
    irqs->vec = g_new0(VFIOPCIVector, n);
    for (int i = 0; i < n; i++) {
        irqs->vec[i] = (VFIOPCIVector) {
            .irqs = irqs, .index = i, .efd = -1, .handle = -1,
        };
    }
    return irqs;
}

unsigned vfio_pci_irqs_count(const VFIOPCIIrqs *irqs)
{
    return irqs->count;
}

static AddressSpace *irqs_as(const VFIOPCIIrqs *irqs)
{
    return irqs->vdev->parent_obj.parent_obj.as;
}

/* One signal (or several, coalesced: an MSI is an edge) to the guest. */
static gboolean relay_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    VFIOPCIVector *vec = opaque;
    uint64_t n;
    MemTxResult r;

    if (read(fd, &n, sizeof(n)) != sizeof(n)) {
        return G_SOURCE_CONTINUE;       /* EAGAIN: nothing pending */
    }
    vec->irqs->relayed++;
    r = address_space_send_msi(irqs_as(vec->irqs), vec->addr, vec->data,
                               vec->devid);
    trace_vfio_pci_irq_relay(vec->irqs->vdev->hiod.name, vec->index, n, r);
    return G_SOURCE_CONTINUE;
}

/* Stop delivering V's eventfd, keep it (the device still signals it). */
static void vector_detach(VFIOPCIVector *vec)
{
    if (vec->handle >= 0) {
        address_space_msi_unbind(irqs_as(vec->irqs), vec->efd, vec->handle);
        vec->handle = -1;
    }
    if (vec->relay_src) {
        g_source_remove(vec->relay_src);
        vec->relay_src = 0;
    }
}

static void vector_attach(VFIOPCIVector *vec)
{
    vec->handle = address_space_msi_bind(irqs_as(vec->irqs), vec->efd,
                                         vec->addr, vec->data, vec->devid);
    if (vec->handle < 0) {
        vec->relay_src = g_unix_fd_add(vec->efd, G_IO_IN, relay_cb, vec);
    }
    trace_vfio_pci_irq_route(vec->irqs->vdev->hiod.name, vec->index,
                             vec->addr, vec->data, vec->devid,
                             vec->handle >= 0);
}

bool vfio_pci_irqs_prepare(VFIOPCIIrqs *irqs, unsigned n, Error **errp)
{
    VFIOPCIDevice *vdev = irqs->vdev;
    g_autofree int32_t *fds = NULL;
    int r;

    if (n > irqs->count) {
        error_setg(errp, "%s: %u interrupt vectors asked, the host device"
                   " has %u", vdev->hiod.name, n, irqs->count);
        return false;
    }
    fds = g_new(int32_t, MAX(n, 1));
    for (unsigned i = 0; i < n; i++) {
        VFIOPCIVector *vec = &irqs->vec[i];

        if (vec->efd < 0) {
            vec->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        }
        if (vec->efd < 0) {
            error_setg_errno(errp, errno, "%s: vector %u: no eventfd",
                             vdev->hiod.name, i);
            return false;
        }
        fds[i] = vec->efd;
    }
    r = n ? iommufd_backend_device_set_irqs(vdev->be, &vdev->hdev,
                                            irqs->index, 0, n, fds) : 0;
    if (r < 0) {
        error_setg_errno(errp, -r, "%s: VFIO_DEVICE_SET_IRQS of vectors 0-%u",
                         vdev->hiod.name, n - 1);
        return false;
    }
    return true;
}

bool vfio_pci_irqs_route(VFIOPCIIrqs *irqs, unsigned v, hwaddr addr,
                         uint32_t data, uint32_t devid, Error **errp)
{
    VFIOPCIDevice *vdev = irqs->vdev;
    VFIOPCIVector *vec;
    int32_t fd;
    int r;

    if (v >= irqs->count) {
        error_setg(errp, "%s: no interrupt vector %u (%u)", vdev->hiod.name,
                   v, irqs->count);
        return false;
    }
    vec = &irqs->vec[v];
    vector_detach(vec);
    if (vec->efd < 0) {
        vec->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (vec->efd < 0) {
            error_setg_errno(errp, errno, "%s: vector %u: no eventfd",
                             vdev->hiod.name, v);
            return false;
        }
        fd = vec->efd;
        r = iommufd_backend_device_set_irqs(vdev->be, &vdev->hdev,
                                            irqs->index, v, 1, &fd);
        if (r < 0) {
            error_setg_errno(errp, -r, "%s: VFIO_DEVICE_SET_IRQS of vector"
                             " %u", vdev->hiod.name, v);
            close(vec->efd);
            vec->efd = -1;
            return false;
        }
    }
    vec->addr = addr;
    vec->data = data;
    vec->devid = devid;
    vector_attach(vec);
    return true;
}

void vfio_pci_irqs_unroute(VFIOPCIIrqs *irqs, unsigned v)
{
    VFIOPCIVector *vec;
    int32_t none = -1;

    if (v >= irqs->count || irqs->vec[v].efd < 0) {
        return;
    }
    vec = &irqs->vec[v];
    vector_detach(vec);
    iommufd_backend_device_set_irqs(irqs->vdev->be, &irqs->vdev->hdev,
                                    irqs->index, v, 1, &none);
    close(vec->efd);
    vec->efd = -1;
}

void vfio_pci_irqs_mask(VFIOPCIIrqs *irqs, unsigned v)
{
    if (v < irqs->count) {
        vector_detach(&irqs->vec[v]);
    }
}

bool vfio_pci_irqs_pending(const VFIOPCIIrqs *irqs, unsigned v)
{
    const VFIOPCIVector *vec = v < irqs->count ? &irqs->vec[v] : NULL;
    struct pollfd p;

    if (!vec || vec->efd < 0 || vec->handle >= 0 || vec->relay_src) {
        return false;           /* not held back: delivered as it comes */
    }
    p = (struct pollfd) { .fd = vec->efd, .events = POLLIN };
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

bool vfio_pci_irqs_bound(const VFIOPCIIrqs *irqs, unsigned v)
{
    return v < irqs->count && irqs->vec[v].handle >= 0;
}

uint64_t vfio_pci_irqs_relayed(const VFIOPCIIrqs *irqs)
{
    return irqs->relayed;
}

void vfio_pci_irqs_free(VFIOPCIIrqs *irqs)
{
    bool any = false;

    if (!irqs) {
        return;
    }
    for (unsigned i = 0; i < irqs->count; i++) {
        VFIOPCIVector *vec = &irqs->vec[i];

        if (vec->efd >= 0) {
            vector_detach(vec);
            close(vec->efd);
            vec->efd = -1;
            any = true;
        }
    }
    if (any) {
        iommufd_backend_device_set_irqs(irqs->vdev->be, &irqs->vdev->hdev,
                                        irqs->index, 0, 0, NULL);
    }
    g_free(irqs->vec);
    g_free(irqs);
}
