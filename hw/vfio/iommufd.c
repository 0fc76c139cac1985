/*
 * The IOAS that holds guest RAM for assigned devices: one per iommufd
 * backend and address space, shared by the devices using them, with RAM
 * mapped at guest-physical IOVAs as a VMM must for stage-2 (or plain)
 * translation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/vfio/pci.h"
#include "trace.h"

typedef struct RamIOAS {
    IOMMUFDBackend *be;
    AddressSpace *as;
    uint32_t ioas_id;
    hwaddr base;
    uint64_t size;
    unsigned refs;
} RamIOAS;

static GPtrArray *ram_ioases;   /* of RamIOAS *; main thread only */

static RamIOAS *find(IOMMUFDBackend *be, AddressSpace *as)
{
    for (guint i = 0; ram_ioases && i < ram_ioases->len; i++) {
        RamIOAS *r = g_ptr_array_index(ram_ioases, i);

        if (r->be == be && r->as == as) {
            return r;
        }
    }
    return NULL;
}

bool vfio_iommufd_get_ram_ioas(IOMMUFDBackend *be, AddressSpace *as,
                               uint32_t *ioas_id, Error **errp)
{
    RamIOAS *r = find(be, as);
    Error *local_err = NULL;
    hwaddr base;
    uint64_t size;
    int memfd;
    void *host;

    if (r) {
        r->refs++;
        *ioas_id = r->ioas_id;
        return true;
    }
    if (!address_space_get_ram(as, &base, &size, &memfd, &host)) {
        error_setg(errp, "the machine has no RAM to map for DMA");
        return false;
    }
    r = g_new0(RamIOAS, 1);
    if (!iommufd_backend_alloc_ioas(be, &r->ioas_id, errp)) {
        g_free(r);
        return false;
    }
    /*
     * Map the file (Linux 6.13+); else, and always for private memory
     * (whose pages are not the file's), map through our mapping.
     */
    if (memfd < 0 ||
        !iommufd_backend_map_file_dma(be, r->ioas_id, base, size, memfd, 0,
                                      false, &local_err)) {
        if (local_err) {
            trace_vfio_iommufd_map_file_fallback(error_get_pretty(local_err));
            error_free(local_err);
        }
        if (!iommufd_backend_map_dma(be, r->ioas_id, base, size, host, false,
                                     errp)) {
            iommufd_backend_free_id(be, r->ioas_id, NULL);
            g_free(r);
            return false;
        }
    }
    r->be = be;
    r->as = as;
    r->base = base;
    r->size = size;
    r->refs = 1;
    if (!ram_ioases) {
        ram_ioases = g_ptr_array_new();
    }
    g_ptr_array_add(ram_ioases, r);
    trace_vfio_iommufd_ram_ioas(be->id, r->ioas_id, base, size);
    *ioas_id = r->ioas_id;
    return true;
}

void vfio_iommufd_put_ram_ioas(IOMMUFDBackend *be, AddressSpace *as)
{
    RamIOAS *r = find(be, as);
    Error *err = NULL;

    g_assert(r && r->refs);
    if (--r->refs) {
        return;
    }
    if (!iommufd_backend_unmap_dma(be, r->ioas_id, r->base, r->size, &err) ||
        !iommufd_backend_free_id(be, r->ioas_id, &err)) {
        error_report_err(err);
    }
    g_ptr_array_remove(ram_ioases, r);
    g_free(r);
}
