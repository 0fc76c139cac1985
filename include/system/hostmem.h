/*
 * Memory backends: -object memory-backend-ram|memfd|file, the guest RAM
 * of "-machine memory-backend=ID" (backends/hostmem.c).
 *
 * A backend is an object with an id (in the object registry, type
 * "memory-backend-ram" etc.), a size and QEMU's properties:
 *
 *   size           bytes (JSON integer, or a K/M/G/T suffixed string)
 *   share          MAP_SHARED (default off; on for memfd)
 *   dump           in core dumps (default: the machine's dump-guest-core)
 *   merge          KSM (default: the machine's mem-merge)
 *   prealloc       fault every page in at start-up
 *   mem-path       (file) the file, or a directory to create it in
 *   hugetlb, hugetlbsize, seal   (memfd)
 *   x-use-canonical-path-for-ramblock-id, discard-data, readonly (file),
 *   reserve        accepted (migration and host-memory accounting only)
 *
 * The memory is mapped when the machine takes the backend as its RAM
 * (host_memory_backend_map()); the address space owns the mapping from
 * then on.  A shared backend hands its file to the address space, so a
 * host device's IOAS maps it by file; a private one is mapped by address
 * only.  Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_HOSTMEM_H
#define SYSTEM_HOSTMEM_H

#include "qemu/option.h"
#include "system/memory.h"

typedef struct HostMemoryBackend HostMemoryBackend;

/* A backend type name ("memory-backend-ram", ...)? */
bool host_memory_backend_type(const char *type);
/* -object TYPE,id=ID,...: create and register it. */
bool host_memory_backend_create(const char *type, const char *id,
                                QemuOpts *opts, Error **errp);
/* The backend with this id, or NULL with an error naming it. */
HostMemoryBackend *host_memory_backend_find(const char *id, Error **errp);
uint64_t host_memory_backend_size(const HostMemoryBackend *b);
/*
 * Map B and make it AS's RAM at BASE.  DUMP and MERGE are the machine's
 * defaults for a backend that did not set them.
 *   memory backend 'ID' can't be used multiple times.
 */
bool host_memory_backend_map(HostMemoryBackend *b, AddressSpace *as,
                             hwaddr base, bool dump, bool merge,
                             Error **errp);
/*
 * The implicit backend QEMU creates for -m without memory-backend=: a
 * shared memfd named ID ("mach-virt.ram"), listed by query-memdev (it is
 * the machine's, not an object: no id in the object registry).
 */
HostMemoryBackend *host_memory_backend_create_default(const char *id,
                                                     uint64_t size,
                                                     Error **errp);

/* query-memdev: FUNC for each backend, in creation order. */
typedef struct HostMemoryBackendInfo {
    const char *id;
    uint64_t size;
    bool merge, dump, prealloc, share, reserve;
} HostMemoryBackendInfo;
void host_memory_backend_foreach(void (*func)(const HostMemoryBackendInfo *i,
                                              void *opaque), void *opaque);
/* Forget one backend (its memory, if mapped, stays the address space's). */
void host_memory_backend_delete(HostMemoryBackend *b);
/* Free every backend (after the machine: its RAM is the machine's). */
void host_memory_backend_cleanup(void);

#endif /* SYSTEM_HOSTMEM_H */
