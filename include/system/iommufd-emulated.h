/*
 * The embedded emulated host: an in-process stand-in for Linux's iommufd
 * and a host SMMUv3, behind the iommufd backend's kernel seam.
 *
 * It exists so that vsmmu's accelerated path can run, be tested and be
 * demonstrated on machines without an SMMUv3.  The user selects it
 * explicitly ("-object iommufd,id=ID,x-emulated-host=on"); nothing falls
 * back to it silently, and query output names it.
 *
 * It implements the ioctls vsmmu issues with the kernel's semantics as
 * observed on Linux 7.3 (docs/devel/emulated-host.rst lists them):
 * object ids from 1, reference counting (EBUSY), EEXIST for a second
 * vEVENTQ of one type, and vEVENTQ descriptors whose read() returns whole
 * records only, 0 when empty, EINVAL for a buffer under 8 bytes or under
 * the first record; tail drop at the depth with a LOST_EVENTS header that
 * stays only while it is last; sequence numbers wrapping at INT_MAX.
 *
 * Host devices are identified by their physical StreamID.  A host event
 * for a device is forwarded to a vEVENTQ as Linux's arm-smmu-v3 driver
 * does: only stage-1, non-stall events of the forwarded types, for a
 * device attached to a nested HWPT of a vIOMMU that has a vDEVICE for it,
 * with the StreamID field replaced by the vDEVICE's virt_id.
 *
 * Thread safe: ioctls, reads and event reports may come from any thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_IOMMUFD_EMULATED_H
#define SYSTEM_IOMMUFD_EMULATED_H

#include "qapi/error.h"
#include "system/iommufd.h"

typedef struct IOMMUFDEmulatedHost IOMMUFDEmulatedHost;

/* The seam implementation; opaque is the IOMMUFDEmulatedHost. */
extern const IOMMUFDKernelOps iommufd_emulated_ops;

IOMMUFDEmulatedHost *iommufd_emulated_host_new(void);
void iommufd_emulated_host_free(IOMMUFDEmulatedHost *host);

/* Override the host SMMUv3 ID registers reported by IOMMU_GET_HW_INFO. */
void iommufd_emulated_host_set_idr(IOMMUFDEmulatedHost *host, int n,
                                   uint32_t value);

/*
 * A host device behind the emulated SMMUv3, with physical StreamID psid,
 * bound to the iommufd: returns its dev_id (as VFIO_DEVICE_BIND_IOMMUFD
 * does).  One binding per psid.
 */
bool iommufd_emulated_bind_device(IOMMUFDEmulatedHost *host, uint32_t psid,
                                  uint32_t *out_dev_id, Error **errp);
/* Attach a bound device to a HWPT (paging, nesting parent or nested). */
bool iommufd_emulated_attach_device(IOMMUFDEmulatedHost *host,
                                    uint32_t dev_id, uint32_t hwpt_id,
                                    Error **errp);
bool iommufd_emulated_detach_device(IOMMUFDEmulatedHost *host,
                                    uint32_t dev_id, Error **errp);
bool iommufd_emulated_unbind_device(IOMMUFDEmulatedHost *host,
                                    uint32_t dev_id, Error **errp);

typedef enum IOMMUFDEmulatedReport {
    EMULATED_REPORT_QUEUED,     /* in the vEVENTQ */
    EMULATED_REPORT_OVERFLOW,   /* vEVENTQ full: dropped, LOST_EVENTS */
    EMULATED_REPORT_HOST_ONLY,  /* not forwarded (host log only) */
} IOMMUFDEmulatedReport;

/*
 * The host SMMUv3 raises event evt (four little-endian 64-bit words in
 * host order, StreamID = psid in word 0 bits [63:32]).  Returns what the
 * kernel would do with it; fails only for an unknown psid.
 */
bool iommufd_emulated_report_event(IOMMUFDEmulatedHost *host,
                                   const uint64_t evt[4],
                                   IOMMUFDEmulatedReport *result,
                                   Error **errp);

/* What became of one event of a batch. */
typedef struct IOMMUFDEmulatedReportInfo {
    IOMMUFDEmulatedReport result;
    uint32_t veventq_id;        /* QUEUED, OVERFLOW: the vEVENTQ's id */
    uint32_t seq;               /* and the sequence number it took */
} IOMMUFDEmulatedReportInfo;

/*
 * The host SMMUv3 raises n events at once, as its event queue holds them
 * when the driver's interrupt thread drains it: the same as n calls of
 * iommufd_emulated_report_event() in order, but under one acquisition of
 * the host's lock, so that a vEVENTQ's reader is woken once for all of
 * them.  info (if not NULL) gets one entry per event.  Returns the number
 * of events reported: n, or the index of the first with an unknown psid
 * (the events after it are not reported; errp says which StreamID).
 */
size_t iommufd_emulated_report_events(IOMMUFDEmulatedHost *host,
                                      const uint64_t (*evts)[4], size_t n,
                                      IOMMUFDEmulatedReportInfo *info,
                                      Error **errp);

/*
 * Queue evt as-is (no forwarding rules, no StreamID rewrite) on the
 * ARM_SMMUV3 vEVENTQ of vIOMMU viommu_id, as a kernel that misbehaved
 * would: for tests of what a VMM does with records it cannot trust.
 */
bool iommufd_emulated_queue_raw(IOMMUFDEmulatedHost *host,
                                uint32_t viommu_id, const uint64_t evt[4],
                                IOMMUFDEmulatedReport *result, Error **errp);

typedef struct IOMMUFDEmulatedStats {
    uint64_t objects;           /* live objects */
    uint64_t open_fds;          /* open vEVENTQ descriptors */
    uint64_t reported;          /* events reported by the host SMMU */
    uint64_t queued;
    uint64_t overflowed;
    uint64_t host_only;
    /* iommufd ioctls and VFIO cdev attach/detach, as a kernel counts them */
    uint64_t ioctls;
} IOMMUFDEmulatedStats;

void iommufd_emulated_host_stats(IOMMUFDEmulatedHost *host,
                                 IOMMUFDEmulatedStats *stats);

#endif /* SYSTEM_IOMMUFD_EMULATED_H */
