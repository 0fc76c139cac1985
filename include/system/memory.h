/*
 * Guest memory and MMIO dispatch.
 *
 * One AddressSpace models the guest's physical address space: a RAM
 * block backed by a memfd (so it can later be mapped for device DMA
 * through iommufd) and MMIO regions served by device models.
 *
 * Devices never touch guest RAM through host pointers: every access goes
 * through address_space_read()/address_space_write() (or the ld/st
 * helpers), which check that the whole range lies inside RAM and return
 * MEMTX_DECODE_ERROR otherwise.  A device turns that into its
 * architected abort (e.g. SMMU GERROR bits); no host memory outside the
 * guest RAM mapping is ever accessed.
 *
 * A device's message-signalled interrupt (MSI) is a 32-bit write of its
 * data to its address, tagged with the device id the interrupt
 * controller sees: address_space_send_msi().  When an interrupt
 * controller outside the daemon owns the target (the in-kernel ITS of a
 * KVM guest) it registers an MSI doorbell over its translation register
 * and receives those writes; elsewhere an MSI is a store to guest RAM
 * (what a qtest guest polls).
 *
 * RAM accesses and MSIs are safe from any thread (the doorbell lock
 * guards the doorbell).  The MMIO map and the doorbell are changed, and
 * MMIO dispatched, from the main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include "qapi/error.h"

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,            /* the target signalled an error */
    MEMTX_DECODE_ERROR = 2,     /* nothing at that address */
} MemTxResult;

/*
 * MMIO callbacks.  addr is relative to the region's base; size is 1, 2,
 * 4 or 8 and within [min_access_size, max_access_size]; the access is
 * naturally aligned when the region asks for it.  Accesses outside the
 * allowed sizes or alignment are refused by the dispatcher with
 * MEMTX_DECODE_ERROR (reads as 0) before reaching the device.
 */
typedef struct MemoryRegionOps {
    MemTxResult (*read)(void *opaque, hwaddr addr, uint64_t *data,
                        unsigned size);
    MemTxResult (*write)(void *opaque, hwaddr addr, uint64_t data,
                         unsigned size);
    unsigned min_access_size;   /* 0 means 1 */
    unsigned max_access_size;   /* 0 means 8 */
    bool unaligned;             /* allow unaligned accesses */
} MemoryRegionOps;

/*
 * An IOMMU's answer for one DMA access (include/hw/pci/pci-bus.h,
 * PCIIOMMUOps.translate): the mapping that covers the address.
 */
typedef enum IOMMUAccessFlags {
    IOMMU_NONE = 0, IOMMU_RO = 1, IOMMU_WO = 2, IOMMU_RW = 3,
} IOMMUAccessFlags;

typedef struct IOMMUTLBEntry {
    uint64_t iova;              /* input address of the mapping, aligned */
    uint64_t translated_addr;   /* its output (guest-physical) address */
    uint64_t addr_mask;         /* mapping size - 1 (e.g. 0xfff) */
    IOMMUAccessFlags perm;
} IOMMUTLBEntry;

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;

AddressSpace *address_space_new(const char *name);
void address_space_free(AddressSpace *as);

/*
 * Add RAM of size bytes at base, backed by a new memfd.  At most one RAM
 * block per address space.  The memory is zeroed.
 */
bool address_space_add_ram(AddressSpace *as, hwaddr base, uint64_t size,
                           Error **errp);
/*
 * Adopt SIZE bytes the caller mapped at HOST as RAM at BASE (a memory
 * backend's).  FD is the file behind a shared mapping, or -1 (anonymous
 * or private memory); the address space unmaps HOST and closes FD when
 * freed, and on failure leaves both to the caller.
 */
bool address_space_add_ram_mapped(AddressSpace *as, hwaddr base,
                                  uint64_t size, void *host, int fd,
                                  Error **errp);
/*
 * RAM geometry and backing, for mapping it into an IOAS.  *FD is the
 * file whose pages the guest sees (a shared memfd or file), or -1 when
 * only the mapping (*HOST) has them: private memory is mapped by
 * address, never by file.
 */
bool address_space_get_ram(AddressSpace *as, hwaddr *base, uint64_t *size,
                           int *memfd, void **host);

/* Map an MMIO region; it must not overlap RAM or another region. */
MemoryRegion *address_space_add_mmio(AddressSpace *as, const char *name,
                                     hwaddr base, uint64_t size,
                                     const MemoryRegionOps *ops,
                                     void *opaque, Error **errp);
void address_space_del_mmio(AddressSpace *as, MemoryRegion *mr);
/*
 * An MMIO region that is also host memory: HOST maps its SIZE bytes (a
 * host device's BAR, mmap()ed from its VFIO region).  The daemon's own
 * accesses still go through OPS; the listener (an accelerator) may map
 * HOST for the guest's CPUs, whose accesses then never exit.  BASE,
 * SIZE and HOST are page aligned.
 */
MemoryRegion *address_space_add_mmio_mapped(AddressSpace *as,
                                            const char *name, hwaddr base,
                                            uint64_t size, void *host,
                                            const MemoryRegionOps *ops,
                                            void *opaque, Error **errp);
/* The host mapping of a region, or NULL (a trapped-only region). */
void *memory_region_host(const MemoryRegion *mr);

/*
 * Told of every mapped region as it comes and goes, main thread;
 * region_add() returns whether the listener maps it (else its accesses
 * keep trapping to OPS).  One listener per address space; setting one
 * replays the regions already there, NULL removes it.
 */
typedef struct MemoryListener {
    bool (*region_add)(void *opaque, MemoryRegion *mr);
    void (*region_del)(void *opaque, MemoryRegion *mr);
} MemoryListener;

void address_space_set_listener(AddressSpace *as, const MemoryListener *l,
                                void *opaque);
hwaddr memory_region_base(const MemoryRegion *mr);
uint64_t memory_region_size(const MemoryRegion *mr);
const char *memory_region_name(const MemoryRegion *mr);
const char *address_space_name(const AddressSpace *as);
/* Calls func for every MMIO region, by base address (info mtree). */
void address_space_foreach_mmio(AddressSpace *as,
                                void (*func)(MemoryRegion *mr, void *opaque),
                                void *opaque);
/* The region containing addr, or NULL. */
MemoryRegion *address_space_find_mmio(AddressSpace *as, hwaddr addr);

/*
 * Whole-range access to guest RAM (device DMA, qtest read/write).
 * MEMTX_DECODE_ERROR if any byte of [addr, addr + len) is outside RAM, in
 * which case nothing is read or written (a read fills buf with 0xff).
 */
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               uint64_t len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, uint64_t len);
MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              uint64_t len);

/* True if [addr, addr + len) lies entirely in RAM. */
bool address_space_is_ram(AddressSpace *as, hwaddr addr, uint64_t len);

typedef enum AddressSpaceRun {
    AS_RUN_RAM,
    AS_RUN_MMIO,
    AS_RUN_UNMAPPED,
} AddressSpaceRun;

/*
 * The length (1..LEN, LEN > 0) of the range at ADDR that is all RAM, all
 * one MMIO region (*MR), or all unmapped, and which of them (*KIND): for
 * bulk accesses that must not go byte by byte through what is not MMIO.
 */
uint64_t address_space_run(AddressSpace *as, hwaddr addr, uint64_t len,
                           AddressSpaceRun *kind, MemoryRegion **mr);

/* Little-endian loads and stores in RAM. */
MemTxResult address_space_ldl_le(AddressSpace *as, hwaddr addr,
                                 uint32_t *val);
MemTxResult address_space_ldq_le(AddressSpace *as, hwaddr addr,
                                 uint64_t *val);
MemTxResult address_space_stl_le(AddressSpace *as, hwaddr addr,
                                 uint32_t val);
MemTxResult address_space_stq_le(AddressSpace *as, hwaddr addr,
                                 uint64_t val);

/*
 * A CPU-style access of size 1, 2, 4 or 8 bytes (the qtest
 * readb..readq/writeb..writeq commands): MMIO regions are dispatched,
 * RAM is accessed little-endian.
 */
MemTxResult address_space_cpu_read(AddressSpace *as, hwaddr addr,
                                   uint64_t *val, unsigned size);
MemTxResult address_space_cpu_write(AddressSpace *as, hwaddr addr,
                                    uint64_t val, unsigned size);

/*
 * MSI doorbells.  send() delivers one MSI (false: the controller refused
 * it, e.g. no such device id).  bind() makes every signal of eventfd EFD
 * deliver that MSI without the daemon (KVM irqfd); it returns a handle
 * >= 0 for unbind(), or -errno, and then the caller relays EFD itself
 * with address_space_send_msi().  Both run under the doorbell lock.
 */
typedef struct MSIDoorbellOps {
    bool (*send)(void *opaque, hwaddr addr, uint32_t data, uint32_t devid);
    int (*bind)(void *opaque, int efd, hwaddr addr, uint32_t data,
                uint32_t devid);
    void (*unbind)(void *opaque, int efd, int handle);
} MSIDoorbellOps;

/* At most one doorbell per address space, over [base, base + size). */
bool address_space_set_msi_doorbell(AddressSpace *as, hwaddr base,
                                    uint64_t size, const MSIDoorbellOps *ops,
                                    void *opaque, Error **errp);
/* Where the doorbell is (its base in *BASE), or false: none. */
bool address_space_msi_doorbell(AddressSpace *as, hwaddr *base);
/* Remove it; returns once no send() or bind() runs any more. */
void address_space_clear_msi_doorbell(AddressSpace *as);
/*
 * One MSI from device DEVID: to the doorbell when it covers ADDR
 * (MEMTX_ERROR if it refused), else a 32-bit little-endian store to RAM
 * (MEMTX_DECODE_ERROR outside RAM, the device's MSI abort).
 */
MemTxResult address_space_send_msi(AddressSpace *as, hwaddr addr,
                                   uint32_t data, uint32_t devid);
/*
 * Have EFD deliver that MSI through the doorbell covering ADDR: a handle
 * >= 0, or -ENOENT (no doorbell there) or the doorbell's -errno; then
 * relay it.  address_space_msi_unbind() takes the handle back.
 */
int address_space_msi_bind(AddressSpace *as, int efd, hwaddr addr,
                           uint32_t data, uint32_t devid);
void address_space_msi_unbind(AddressSpace *as, int efd, int handle);

#endif /* SYSTEM_MEMORY_H */
