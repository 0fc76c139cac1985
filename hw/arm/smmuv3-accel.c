/*
 * arm-smmuv3,accel=on: nesting host devices behind the vSMMU and
 * delivering host events to the guest event queue.
 *
 * When the first host device (vfio-pci on the SMMU's primary bus)
 * arrives, the vSMMU builds on its iommufd: a nesting-parent HWPT on the
 * IOAS that holds guest RAM (stage 2), an ARM_SMMUV3 vIOMMU on it, and
 * two nested HWPTs for abort and bypass.  Each device then follows its
 * guest STE: abort, bypass, or stage-1 translate through a nested HWPT
 * made from the STE; its vDEVICE (virt_id = vSID) is created at the first
 * STE install.  Guest TLB/ATC/CD invalidations are forwarded through the
 * vIOMMU, batched until the CMD_SYNC that ends them.
 *
 * While the guest has the event queue enabled, a vEVENTQ of depth
 * 1 << EVENTQ_BASE.LOG2SIZE exists; a VeventqReader drains it in an
 * iothread and this file turns each batch of host records into guest
 * event-queue entries (one PROD update and at most one interrupt per
 * batch), after checking the vSID belongs to a device of this vSMMU.
 * Host loss becomes guest-visible overflow (OVFLG).  Records still queued
 * when the vEVENTQ is freed are read and counted (discarded-at-disable).
 *
 * State kept so the kernel sees only changes: the global configuration
 * last applied (SMMUEN, GBPA), each device's installed target (and for
 * stage 1 the STE words of its nested HWPT), and the vEVENTQ's state
 * (none, allocating, live, failed: accel_sync_veventq() is the one place
 * it changes).  The "auto" ID register fields are resolved once, by the
 * first device, and only before the guest has read them.
 *
 * Threads and locks.  The main thread owns the device list, the HWPTs,
 * the vIOMMU, the vEVENTQ life cycle, the applied configuration and the
 * pending invalidations (the command-queue hooks run on it with the
 * device lock, SMMUv3State.mutex, held).  The iothread runs accel_batch()
 * and accel_note_lost(); with the main thread it shares, under
 * SMMUv3AccelState.lock: owned (the vSID bitmap), stats, and the pending
 * lost-event delivery (lost_pending, lost_src, last_lost_notify).  The
 * iothread never calls out of the device model except into the guest
 * event queue (smmuv3_eventq_write_le, with the model's own lock): a loss
 * is reported by scheduling lost_src, an idle (or, within a second of the
 * last report, timeout) source on the main context, whose callback runs
 * the lost-event notifiers on the main thread.  The notifier list is main
 * thread only; fini destroys a pending lost_src after the reader has
 * stopped, so no callback runs on a freed vSMMU.  The reader is stopped
 * (and drained) before the vEVENTQ it reads changes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/iothread.h"
#include "hw/arm/smmuv3-accel.h"
#include "hw/arm/smmuv3-translate.h"
#include "hw/pci/pci-bus.h"
#include "system/host-iommu-device.h"
#include "system/iommufd.h"
#include "system/veventq-reader.h"
#include "trace.h"

#define LOST_NOTIFY_INTERVAL_US G_USEC_PER_SEC

/*
 * Pending invalidations are flushed at CMD_SYNC, or as soon as this many
 * are queued: the architecture lets an invalidation complete any time
 * before the CMD_SYNC that follows it, and a guest that never syncs must
 * not make us grow without bound.
 */
#define ACCEL_INVAL_BATCH_MAX 1024

/* vSIDs are PCI requester IDs: 16 bits. */
#define MAX_VSID 0xffff

/* Host records are handed to the guest as they are. */
G_STATIC_ASSERT(sizeof(struct iommu_vevent_arm_smmuv3) == SMMU_EVENT_SIZE);

/* What a device is attached to, as last installed. */
typedef enum AccelTarget {
    ACCEL_TARGET_NONE,          /* nothing installed yet */
    ACCEL_TARGET_GBPA_ABORT,
    ACCEL_TARGET_GBPA_BYPASS,
    ACCEL_TARGET_ABORT,         /* abort, invalid STE, or stage 2 only */
    ACCEL_TARGET_BYPASS,
    ACCEL_TARGET_S1,            /* a nested HWPT made from ste[] */
} AccelTarget;

static const char *const accel_target_names[] = {
    [ACCEL_TARGET_NONE] = "none",
    [ACCEL_TARGET_GBPA_ABORT] = "gbpa-abort",
    [ACCEL_TARGET_GBPA_BYPASS] = "gbpa-bypass",
    [ACCEL_TARGET_ABORT] = "abort",
    [ACCEL_TARGET_BYPASS] = "bypass",
    [ACCEL_TARGET_S1] = "s1-translate",
};

typedef struct AccelInstall {
    AccelTarget target;
    uint64_t ste[2];            /* ACCEL_TARGET_S1: the nested HWPT's data */
} AccelInstall;

static const char *const accel_veventq_state_names[] = {
    [SMMU_ACCEL_VEVENTQ_NONE] = "none",
    [SMMU_ACCEL_VEVENTQ_ALLOCATING] = "allocating",
    [SMMU_ACCEL_VEVENTQ_LIVE] = "live",
    [SMMU_ACCEL_VEVENTQ_FAILED] = "failed",
};

typedef struct SMMUv3AccelDevice {
    SMMUv3AccelState *accel;
    HostIOMMUDevice *hiod;
    PCIBus *bus;                /* the device's own bus */
    int devfn;
    uint32_t vsid;              /* its requester ID as last numbered */
    uint32_t vdev_id;           /* 0: none yet */
    uint32_t s1_hwpt_id;        /* nested HWPT owned by this device */
    AccelInstall installed;     /* what the host has for it now */
} SMMUv3AccelDevice;

struct SMMUv3AccelState {
    SMMUv3State *s;
    IOMMUFDBackend *be;         /* of the first device; all must share it */
    uint32_t s2_hwpt_id;
    uint32_t viommu_id;
    uint32_t abort_hwpt_id;
    uint32_t bypass_hwpt_id;
    GPtrArray *devices;         /* of SMMUv3AccelDevice *; main thread */
    bool derived;               /* "auto" properties resolved (once) */
    /* The global configuration the devices are installed for. */
    SMMUGlobalConfig applied;
    bool applied_valid;

    /* Pending invalidation commands, flushed at CMD_SYNC. */
    GArray *inval;              /* of struct iommu_viommu_arm_smmuv3_invalidate */

    IOThread *iothread;
    bool own_iothread;

    /* The vEVENTQ; main thread.  See accel_sync_veventq(). */
    SMMUv3AccelVeventqState veventq_state;
    uint32_t veventq_id;
    int veventq_fd;
    uint32_t veventq_depth;     /* LIVE: its depth; FAILED: the one tried */
    VeventqReader *reader;
    const SMMUv3AccelReaderFactory *test_factory; /* reader from it */
    void *test_reader;
    bool discarding;            /* draining at disable, see accel_batch */

    /* Shared with the iothread. */
    GMutex lock;
    /* Our devices' vSIDs, one bit each: one load per record to check. */
    uint64_t owned[(MAX_VSID + 1) / 64];
    SMMUv3AccelStats stats;
    gint64 last_lost_notify;    /* of the last delivery */
    uint64_t lost_pending;      /* to report from the main loop */
    uint64_t lost_pending_total;
    GSource *lost_src;          /* main-context idle; NULL if none */

    /* iothread only: owned records gathered from a mixed batch */
    uint8_t *scratch;
};

/* The test seam (smmuv3-accel.h); main thread only. */
static const SMMUv3AccelReaderFactory *test_reader_factory;

void smmuv3_accel_set_test_reader_factory(const SMMUv3AccelReaderFactory *f)
{
    test_reader_factory = f;
}

/* Of SMMUv3AccelLostNotifier *; main thread only. */
static GList *lost_notifiers;

void smmuv3_accel_add_lost_notifier(SMMUv3AccelLostNotifier *n)
{
    lost_notifiers = g_list_append(lost_notifiers, n);
}

void smmuv3_accel_remove_lost_notifier(SMMUv3AccelLostNotifier *n)
{
    lost_notifiers = g_list_remove(lost_notifiers, n);
}

static const char *accel_name(SMMUv3AccelState *accel)
{
    DeviceState *dev = &accel->s->parent_obj;

    return dev->id ? dev->id : TYPE_ARM_SMMUV3;
}

/* ---- lost-event notifiers (main loop) ----------------------------------- */

static gboolean accel_lost_deliver(gpointer opaque)
{
    SMMUv3AccelState *accel = opaque;
    uint64_t lost, total;

    g_mutex_lock(&accel->lock);
    lost = accel->lost_pending;
    total = accel->lost_pending_total;
    accel->lost_pending = 0;
    accel->last_lost_notify = g_get_monotonic_time();
    g_clear_pointer(&accel->lost_src, g_source_unref);
    g_mutex_unlock(&accel->lock);

    for (GList *l = lost_notifiers; l; l = l->next) {
        SMMUv3AccelLostNotifier *n = l->data;

        n->notify(n, accel->s, lost, total);
    }
    return G_SOURCE_REMOVE;
}

/* Main thread, after the reader has stopped. */
static void accel_lost_cancel(SMMUv3AccelState *accel)
{
    g_mutex_lock(&accel->lock);
    if (accel->lost_src) {
        g_source_destroy(accel->lost_src);
        g_clear_pointer(&accel->lost_src, g_source_unref);
    }
    accel->lost_pending = 0;
    g_mutex_unlock(&accel->lock);
}

/* ---- host events -> guest event queue (iothread) ------------------------ */

static void accel_note_lost(SMMUv3AccelState *accel, uint64_t lost)
{
    gint64 now = g_get_monotonic_time();
    gint64 due;
    uint64_t total;

    g_mutex_lock(&accel->lock);
    accel->stats.host_lost += lost;
    total = accel->stats.host_lost;
    accel->lost_pending += lost;
    accel->lost_pending_total = total;
    if (!accel->lost_src) {
        /* Delivered by the main loop, never from here; once a second. */
        due = accel->last_lost_notify + LOST_NOTIFY_INTERVAL_US;
        accel->lost_src = due <= now ? g_idle_source_new() :
                          g_timeout_source_new((due - now + 999) / 1000);
        g_source_set_callback(accel->lost_src, accel_lost_deliver, accel,
                              NULL);
        g_source_attach(accel->lost_src, NULL);
    }
    g_mutex_unlock(&accel->lock);

    /* The guest sees a loss it could not otherwise know of. */
    smmuv3_eventq_signal_overflow(accel->s);
    trace_smmuv3_accel_host_lost(accel_name(accel), lost, total);
}

/*
 * The vEVENTQ is about to be freed (main thread, reader stopped): what is
 * left in it will never reach the guest.  Count it, and host loss as
 * usual, without touching the guest queue.
 */
static void accel_discard_batch(SMMUv3AccelState *accel, const VeventqBatch *b)
{
    g_mutex_lock(&accel->lock);
    accel->stats.host_lost += b->lost;
    accel->stats.discarded_at_disable += b->n_records;
    if (b->n_records) {
        accel->stats.seq_valid = true;
        accel->stats.last_seq = b->sequences[b->n_records - 1];
    }
    g_mutex_unlock(&accel->lock);
    trace_smmuv3_accel_discard(accel_name(accel), b->n_records, b->lost);
}

/* Is SID a device of ours?  accel->lock held. */
static inline bool accel_owns(SMMUv3AccelState *accel, uint32_t sid)
{
    return sid <= MAX_VSID &&
           (accel->owned[sid / 64] >> (sid % 64) & 1);
}

/*
 * The records of B that belong to our devices, in their guest form: B's
 * own buffer when all do (the usual case), else the owned runs gathered
 * into accel->scratch.  Returns how many.
 */
static size_t accel_owned_records(SMMUv3AccelState *accel,
                                  const VeventqBatch *b, const uint8_t **out)
{
    const uint8_t *p = b->payloads;
    size_t n = 0, run = 0;
    uint8_t *dst = NULL;

    g_mutex_lock(&accel->lock);
    for (size_t i = 0; i < b->n_records; i++) {
        uint32_t sid = smmu_event_le_get_sid(p + i * SMMU_EVENT_SIZE);

        /* The kernel put the vSID there; it must be one of ours. */
        if (accel_owns(accel, sid)) {
            continue;
        }
        trace_smmuv3_accel_unowned(accel_name(accel), sid);
        if (!dst) {
            accel->scratch = g_renew(uint8_t, accel->scratch,
                                     b->n_records * SMMU_EVENT_SIZE);
            dst = accel->scratch;
        }
        memcpy(dst + n * SMMU_EVENT_SIZE, p + run * SMMU_EVENT_SIZE,
               (i - run) * SMMU_EVENT_SIZE);
        n += i - run;
        run = i + 1;
    }
    g_mutex_unlock(&accel->lock);
    if (!dst) {
        *out = p;
        return b->n_records;
    }
    memcpy(dst + n * SMMU_EVENT_SIZE, p + run * SMMU_EVENT_SIZE,
           (b->n_records - run) * SMMU_EVENT_SIZE);
    *out = dst;
    return n + b->n_records - run;
}

static void accel_batch(void *opaque, const VeventqBatch *b)
{
    SMMUv3AccelState *accel = opaque;
    SMMUEventqWriteResult res = { 0 };
    const uint8_t *recs;
    size_t n, unowned;

    if (accel->discarding) {
        accel_discard_batch(accel, b);
        return;
    }
    if (b->lost) {
        accel_note_lost(accel, b->lost);
    }
    n = accel_owned_records(accel, b, &recs);
    unowned = b->n_records - n;
    if (n) {
        smmuv3_eventq_write_le(accel->s, recs, n, &res);
    }
    g_mutex_lock(&accel->lock);
    accel->stats.delivered += res.written;
    accel->stats.guest_overflow_dropped += res.overflow_dropped;
    accel->stats.guest_disabled_dropped += res.disabled_dropped;
    accel->stats.guest_abort += res.abort;
    accel->stats.dropped_unowned += unowned;
    accel->stats.batches++;
    if (b->n_records) {
        accel->stats.seq_valid = true;
        accel->stats.last_seq = b->sequences[b->n_records - 1];
    }
    g_mutex_unlock(&accel->lock);
    trace_smmuv3_accel_batch(accel_name(accel), b->n_records, res.written,
                             res.overflow_dropped, unowned, b->lost);
}

void smmuv3_accel_translate(SMMUv3State *s, const VeventqBatch *b)
{
    accel_batch(s->s_accel, b);
}

static void accel_read_error(void *opaque, const Error *err)
{
    SMMUv3AccelState *accel = opaque;

    g_mutex_lock(&accel->lock);
    accel->stats.read_errors++;
    g_mutex_unlock(&accel->lock);
}

/* ---- vEVENTQ life cycle (main thread, device lock NOT held) -------------- */

static void accel_veventq_set_state(SMMUv3AccelState *accel,
                                    SMMUv3AccelVeventqState state)
{
    trace_smmuv3_accel_veventq_state(accel_name(accel),
                                     accel_veventq_state_names[accel->veventq_state],
                                     accel_veventq_state_names[state]);
    accel->veventq_state = state;
}

/* Account for what is left in the queue, then free whatever exists of it. */
static void accel_release_veventq(SMMUv3AccelState *accel)
{
    Error *err = NULL;

    if (accel->reader) {
        veventq_reader_stop(accel->reader);
        accel->discarding = true;
        veventq_reader_drain(accel->reader);
        accel->discarding = false;
        veventq_reader_free(accel->reader);
        accel->reader = NULL;
    }
    if (accel->test_reader) {
        accel->test_factory->stop(accel->test_reader);
        accel->test_reader = NULL;
        accel->test_factory = NULL;
    }
    if (accel->veventq_id) {
        iommufd_backend_close_fd(accel->be, accel->veventq_fd);
        if (!iommufd_backend_free_id(accel->be, accel->veventq_id, &err)) {
            error_prepend(&err, "arm-smmuv3 '%s': ", accel_name(accel));
            error_report_err(err);
        }
        trace_smmuv3_accel_veventq_free(accel_name(accel), accel->veventq_id);
    }
    accel->veventq_id = 0;
    accel->veventq_fd = -1;
}

/* LIVE -> NONE. */
static void accel_free_veventq(SMMUv3AccelState *accel)
{
    if (accel->veventq_state != SMMU_ACCEL_VEVENTQ_LIVE) {
        return;
    }
    accel_release_veventq(accel);
    accel->veventq_depth = 0;
    accel_veventq_set_state(accel, SMMU_ACCEL_VEVENTQ_NONE);
}

static bool accel_start_reader(SMMUv3AccelState *accel, Error **errp)
{
    VeventqReaderConfig cfg = {
        .be = accel->be,
        .veventq_id = accel->veventq_id,
        .fd = accel->veventq_fd,
        .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
        .payload_size = sizeof(struct iommu_vevent_arm_smmuv3),
        .depth = accel->veventq_depth,
        .max_buffer = SMMUV3_ACCEL_READ_BUFFER,
        .batch_cb = accel_batch,
        .error_cb = accel_read_error,
        .opaque = accel,
    };

    if (test_reader_factory) {
        /* The test seam: the test bed's reader instead of ours. */
        accel->test_factory = test_reader_factory;
        accel->test_reader = test_reader_factory->start(&cfg,
                                                         accel->iothread,
                                                         errp);
        return accel->test_reader != NULL;
    }
    accel->reader = veventq_reader_new(&cfg, errp);
    return accel->reader &&
           veventq_reader_start(accel->reader, accel->iothread, errp);
}

/* NONE -> ALLOCATING -> LIVE, or FAILED (remembering the depth tried). */
static void accel_alloc_veventq(SMMUv3AccelState *accel, uint32_t depth)
{
    Error *err = NULL;

    g_assert(accel->veventq_state == SMMU_ACCEL_VEVENTQ_NONE);
    accel_veventq_set_state(accel, SMMU_ACCEL_VEVENTQ_ALLOCATING);
    accel->veventq_depth = depth;
    if (!iommufd_backend_alloc_veventq(accel->be, accel->viommu_id,
                                       IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, depth,
                                       &accel->veventq_id,
                                       &accel->veventq_fd, &err)) {
        goto failed;
    }
    if (!accel_start_reader(accel, &err)) {
        accel_release_veventq(accel);
        goto failed;
    }
    accel_veventq_set_state(accel, SMMU_ACCEL_VEVENTQ_LIVE);
    trace_smmuv3_accel_veventq_alloc(accel_name(accel), accel->veventq_id,
                                     depth);
    return;

failed:
    accel_veventq_set_state(accel, SMMU_ACCEL_VEVENTQ_FAILED);
    error_prepend(&err, "arm-smmuv3 '%s': host events will not reach the"
                  " guest: ", accel_name(accel));
    error_report_err(err);
}

/*
 * The one place the vEVENTQ changes state: make it match EVENTQEN and
 * LOG2SIZE (cfg, or "none wanted" with cfg NULL, as when the vIOMMU
 * goes).  A LIVE or FAILED queue that already matches is left alone, so
 * rewriting an unchanged configuration costs no kernel call.
 */
static void accel_sync_veventq(SMMUv3AccelState *accel,
                               const SMMUGlobalConfig *cfg)
{
    bool want = cfg && cfg->eventq_enabled && accel->viommu_id;
    uint32_t depth = want ? 1u << cfg->eventq_log2size : 0;

    switch (accel->veventq_state) {
    case SMMU_ACCEL_VEVENTQ_LIVE:
        if (want && accel->veventq_depth == depth) {
            return;
        }
        accel_free_veventq(accel);
        break;
    case SMMU_ACCEL_VEVENTQ_FAILED:
        if (want && accel->veventq_depth == depth) {
            return;     /* retried when the guest asks for something else */
        }
        accel->veventq_depth = 0;
        accel_veventq_set_state(accel, SMMU_ACCEL_VEVENTQ_NONE);
        break;
    case SMMU_ACCEL_VEVENTQ_NONE:
        break;
    case SMMU_ACCEL_VEVENTQ_ALLOCATING:
        g_assert_not_reached();
    }
    if (want) {
        accel_alloc_veventq(accel, depth);
    }
}

/* ---- STE installs ---------------------------------------------------------- */

static bool accel_alloc_nested(SMMUv3AccelState *accel, uint32_t dev_id,
                               uint64_t ste0, uint64_t ste1, uint32_t *id,
                               Error **errp)
{
    struct iommu_hwpt_arm_smmuv3 data = {
        .ste = { GUINT64_TO_LE(ste0), GUINT64_TO_LE(ste1) },
    };

    return iommufd_backend_alloc_hwpt(accel->be, dev_id, accel->viommu_id, 0,
                                      IOMMU_HWPT_DATA_ARM_SMMUV3,
                                      sizeof(data), &data, id, errp);
}

/*
 * What the guest configured for the device's vSID: the GBPA behaviour
 * while the SMMU is disabled, else per its STE.  *ste_valid: the STE could
 * be fetched (the device then needs its vDEVICE).  locked: the device
 * lock is held (command-queue hooks).
 */
static void accel_wanted(SMMUv3AccelDevice *adev, const SMMUGlobalConfig *cfg,
                         bool locked, AccelInstall *want, bool *ste_valid)
{
    SMMUv3State *s = adev->accel->s;
    SMMUSte ste;
    SMMUEvent ev;
    unsigned config;

    memset(want, 0, sizeof(*want));
    *ste_valid = false;
    if (!cfg->smmu_enabled) {
        want->target = cfg->gbpa_abort ? ACCEL_TARGET_GBPA_ABORT :
                                         ACCEL_TARGET_GBPA_BYPASS;
        return;
    }
    *ste_valid = locked ? smmuv3_get_ste_locked(s, adev->vsid, &ste, &ev) :
                          smmuv3_get_ste(s, adev->vsid, &ste, &ev);
    config = *ste_valid ? smmu_ste_config(&ste) : SMMU_STE_CONFIG_ABORT;
    switch (config) {
    case SMMU_STE_CONFIG_BYPASS:
        want->target = ACCEL_TARGET_BYPASS;
        break;
    case SMMU_STE_CONFIG_S1:
        want->target = ACCEL_TARGET_S1;
        want->ste[0] = ste.word[0];
        want->ste[1] = ste.word[1];
        break;
    default:
        /* Abort, an invalid STE, or stage 2 (only stage 1 nests). */
        want->target = ACCEL_TARGET_ABORT;
        break;
    }
}

static uint32_t accel_target_hwpt(SMMUv3AccelState *accel, AccelTarget t)
{
    switch (t) {
    case ACCEL_TARGET_GBPA_BYPASS:
    case ACCEL_TARGET_BYPASS:
        return accel->bypass_hwpt_id;
    default:
        return accel->abort_hwpt_id;
    }
}

/* Attach the device to WANT (a new nested HWPT for stage 1). */
static bool accel_attach(SMMUv3AccelDevice *adev, const AccelInstall *want,
                         Error **errp)
{
    SMMUv3AccelState *accel = adev->accel;
    uint32_t hwpt, new_s1 = 0;

    if (want->target == ACCEL_TARGET_S1) {
        if (!accel_alloc_nested(accel, adev->hiod->devid, want->ste[0],
                                want->ste[1], &new_s1, errp)) {
            return false;
        }
        hwpt = new_s1;
    } else {
        hwpt = accel_target_hwpt(accel, want->target);
    }
    if (!host_iommu_device_attach_hwpt(adev->hiod, hwpt, errp)) {
        if (new_s1) {
            iommufd_backend_free_id(accel->be, new_s1, NULL);
        }
        return false;
    }
    if (adev->s1_hwpt_id) {
        Error *err = NULL;

        if (!iommufd_backend_free_id(accel->be, adev->s1_hwpt_id, &err)) {
            error_report_err(err);
        }
    }
    adev->s1_hwpt_id = new_s1;
    adev->installed = *want;
    trace_smmuv3_accel_install_ste(accel_name(accel), adev->vsid,
                                   accel_target_names[want->target], hwpt);
    return true;
}

/*
 * Make the host follow what the guest configured for the device, for the
 * global configuration CFG.  Nothing is asked of the kernel when that is
 * what is installed already.
 */
static bool accel_install(SMMUv3AccelDevice *adev, const SMMUGlobalConfig *cfg,
                          bool locked, Error **errp)
{
    SMMUv3AccelState *accel = adev->accel;
    AccelInstall want;
    bool ste_valid;

    accel_wanted(adev, cfg, locked, &want, &ste_valid);
    if (ste_valid && !adev->vdev_id &&
        !iommufd_backend_alloc_vdev(accel->be, adev->hiod->devid,
                                    accel->viommu_id, adev->vsid,
                                    &adev->vdev_id, errp)) {
        return false;
    }
    if (adev->installed.target == want.target &&
        (want.target != ACCEL_TARGET_S1 ||
         (adev->installed.ste[0] == want.ste[0] &&
          adev->installed.ste[1] == want.ste[1]))) {
        trace_smmuv3_accel_install_unchanged(accel_name(accel), adev->vsid,
                                             accel_target_names[want.target]);
        return true;
    }
    return accel_attach(adev, &want, errp);
}

static void accel_install_all(SMMUv3AccelState *accel,
                              const SMMUGlobalConfig *cfg)
{
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);
        Error *err = NULL;

        if (!accel_install(adev, cfg, false, &err)) {
            error_prepend(&err, "arm-smmuv3 '%s': vSID 0x%x: ",
                          accel_name(accel), adev->vsid);
            error_report_err(err);
        }
    }
}

/* ---- command-queue hooks (device lock held) ------------------------------- */

static SMMUCmdError accel_cfgi_ste(SMMUv3State *s, uint32_t sid, uint64_t num,
                                   void *opaque)
{
    SMMUv3AccelState *accel = opaque;
    SMMUCmdError ret = SMMU_CERROR_NONE;
    SMMUGlobalConfig cfg;

    smmuv3_get_global_config_locked(s, &cfg);
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);
        Error *err = NULL;

        if (adev->vsid < sid || adev->vsid - sid >= num) {
            continue;
        }
        if (!accel_install(adev, &cfg, true, &err)) {
            error_prepend(&err, "arm-smmuv3 '%s': CFGI_STE vSID 0x%x: ",
                          accel_name(accel), adev->vsid);
            error_report_err(err);
            ret = SMMU_CERROR_ILL;
        }
    }
    return ret;
}

/* Send the pending invalidations to the host. */
static SMMUCmdError accel_flush_inval(SMMUv3AccelState *accel)
{
    uint32_t n = accel->inval->len;
    Error *err = NULL;
    bool ok;

    if (!n) {
        return SMMU_CERROR_NONE;
    }
    trace_smmuv3_accel_invalidate(accel_name(accel), n);
    ok = iommufd_backend_invalidate_cache(
            accel->be, accel->viommu_id,
            IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
            sizeof(struct iommu_viommu_arm_smmuv3_invalidate), &n,
            accel->inval->data, &err);
    g_array_set_size(accel->inval, 0);
    g_mutex_lock(&accel->lock);
    accel->stats.invalidations += n;
    g_mutex_unlock(&accel->lock);
    if (!ok) {
        error_prepend(&err, "arm-smmuv3 '%s': ", accel_name(accel));
        error_report_err(err);
        return SMMU_CERROR_ILL;
    }
    return SMMU_CERROR_NONE;
}

/* Queue one invalidation for the next CMD_SYNC, or flush a full batch. */
static SMMUCmdError accel_queue_inval(SMMUv3AccelState *accel,
                                      const SMMUCmd *cmd)
{
    struct iommu_viommu_arm_smmuv3_invalidate e = {
        .cmd = { GUINT64_TO_LE(cmd->word[0]), GUINT64_TO_LE(cmd->word[1]) },
    };

    g_array_append_val(accel->inval, e);
    if (accel->inval->len < ACCEL_INVAL_BATCH_MAX) {
        return SMMU_CERROR_NONE;
    }
    g_mutex_lock(&accel->lock);
    accel->stats.inval_early_flushes++;
    g_mutex_unlock(&accel->lock);
    return accel_flush_inval(accel);
}

/*
 * Whether the host knows VSID: a vDEVICE exists for it.  Linux refuses
 * (EIO) a CD or ATC invalidation naming any other vSID, and can hold
 * nothing for it: Linux's own driver invalidates a CD before it installs
 * the STE that makes the vDEVICE.
 */
static bool accel_vsid_known(SMMUv3AccelState *accel, uint32_t vsid)
{
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);

        if (adev->vsid == vsid && adev->vdev_id) {
            return true;
        }
    }
    return false;
}

static SMMUCmdError accel_cfgi_cd(SMMUv3State *s, uint32_t sid,
                                  uint32_t ssid, bool all, void *opaque)
{
    SMMUv3AccelState *accel = opaque;
    SMMUCmd cmd = smmu_cmd_cfgi_cd(sid, ssid, all);

    if (!accel->viommu_id || !accel_vsid_known(accel, sid)) {
        trace_smmuv3_accel_inval_ignored(accel_name(accel), SMMU_CMD_CFGI_CD);
        return SMMU_CERROR_NONE;
    }
    return accel_queue_inval(accel, &cmd);
}

static SMMUCmdError accel_invalidate(SMMUv3State *s, unsigned type,
                                     const SMMUCmd *cmd, void *opaque)
{
    SMMUv3AccelState *accel = opaque;
    SMMUCmd nh_all = smmu_cmd_make(SMMU_CMD_TLBI_NH_ALL);

    if (!accel->viommu_id) {
        return SMMU_CERROR_NONE;
    }
    switch (type) {
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
        return accel_queue_inval(accel, cmd);
    case SMMU_CMD_ATC_INV:
        if (!accel_vsid_known(accel, FIELD_EX64(cmd->word[0], CMD_0, SID))) {
            trace_smmuv3_accel_inval_ignored(accel_name(accel), type);
            return SMMU_CERROR_NONE;
        }
        return accel_queue_inval(accel, cmd);
    case SMMU_CMD_TLBI_NSNH_ALL:
        /*
         * The guest's "everything" is everything of its stage 1 in this
         * vIOMMU's VMID; the host owns stage 2.
         */
        return accel_queue_inval(accel, &nh_all);
    default:
        /* Stage-2 and EL2 invalidations: the guest has neither. */
        trace_smmuv3_accel_inval_ignored(accel_name(accel), type);
        return SMMU_CERROR_NONE;
    }
}

static SMMUCmdError accel_sync(SMMUv3State *s, void *opaque)
{
    return accel_flush_inval(opaque);
}

/* Devices need re-installing when what decides their target changed. */
static bool accel_global_changed(const SMMUGlobalConfig *a,
                                 const SMMUGlobalConfig *b)
{
    return a->smmu_enabled != b->smmu_enabled ||
           (!b->smmu_enabled && a->gbpa_abort != b->gbpa_abort);
}

/* CR0, GBPA or reset: follow the new global configuration. */
static void accel_config_changed(SMMUv3State *s, void *opaque)
{
    SMMUv3AccelState *accel = opaque;
    SMMUGlobalConfig cfg;

    if (!accel->viommu_id) {
        return;
    }
    smmuv3_get_global_config(s, &cfg);
    accel_sync_veventq(accel, &cfg);
    if (!accel->applied_valid || accel_global_changed(&accel->applied, &cfg)) {
        accel_install_all(accel, &cfg);
    }
    accel->applied = cfg;
    accel->applied_valid = true;
}

static const SMMUv3AccelOps accel_ops = {
    .cfgi_ste = accel_cfgi_ste,
    .cfgi_cd = accel_cfgi_cd,
    .invalidate = accel_invalidate,
    .sync = accel_sync,
    .config_changed = accel_config_changed,
};

/* ---- host devices (PCIIOMMUOps, main thread) ------------------------------ */

/* How a vSMMU ID register field must relate to the host's. */
typedef enum HostIdrRule {
    IDR_AT_MOST,        /* vSMMU <= host (a size or a feature bit) */
    IDR_SUBSET,         /* vSMMU bits all set in the host's */
    IDR_ENDIAN,         /* host mixed-endian (0), or the same as vSMMU */
} HostIdrRule;

typedef struct HostIdrCheck {
    const char *name;
    unsigned idr;
    unsigned shift, length;
    HostIdrRule rule;
} HostIdrCheck;

#define HOST_IDR(n, field, rule) \
    { #field, n, R_IDR ## n ## _ ## field ## _SHIFT, \
      R_IDR ## n ## _ ## field ## _LENGTH, rule }

static const HostIdrCheck host_idr_checks[] = {
    HOST_IDR(0, STLEVEL, IDR_AT_MOST),
    HOST_IDR(0, TTENDIAN, IDR_ENDIAN),
    HOST_IDR(0, TTF, IDR_SUBSET),
    HOST_IDR(0, ATS, IDR_AT_MOST),
    HOST_IDR(1, SIDSIZE, IDR_AT_MOST),
    HOST_IDR(1, SSIDSIZE, IDR_AT_MOST),
    HOST_IDR(3, RIL, IDR_AT_MOST),
    HOST_IDR(5, OAS, IDR_AT_MOST),
    HOST_IDR(5, GRAN4K, IDR_AT_MOST),
    HOST_IDR(5, GRAN16K, IDR_AT_MOST),
    HOST_IDR(5, GRAN64K, IDR_AT_MOST),
};

static bool host_idr_ok(const HostIdrCheck *c, uint32_t want, uint32_t host)
{
    switch (c->rule) {
    case IDR_AT_MOST:
        return want <= host;
    case IDR_SUBSET:
        return (want & host) == want;
    case IDR_ENDIAN:
        return host == SMMU_TTENDIAN_MIXED || host == want;
    }
    g_assert_not_reached();
}

static bool accel_check_host_idr(const char *name, const uint32_t *v,
                                 const uint32_t *h, Error **errp)
{
    for (size_t i = 0; i < G_N_ELEMENTS(host_idr_checks); i++) {
        const HostIdrCheck *c = &host_idr_checks[i];
        uint32_t want = extract32(v[c->idr], c->shift, c->length);
        uint32_t host = extract32(h[c->idr], c->shift, c->length);

        if (!host_idr_ok(c, want, host)) {
            error_setg(errp, "%s: host SMMUv3 %s is %u, the vSMMU needs %u",
                       name, c->name, host, want);
            return false;
        }
    }
    return true;
}

/*
 * The vSMMU must not promise the guest more than the host SMMU does.
 * derive: first take the "auto" properties from the host, if the guest
 * has not read the ID registers yet (smmuv3_apply_host_idr() refuses
 * otherwise, and they keep the model's defaults).
 */
static bool accel_check_host(SMMUv3AccelState *accel, HostIOMMUDevice *hiod,
                             bool derive, Error **errp)
{
    struct iommu_hw_info_arm_smmuv3 info = { 0 };
    uint32_t type = IOMMU_HW_INFO_TYPE_DEFAULT;
    uint32_t v[6];
    const uint32_t *h = info.idr;

    if (!iommufd_backend_get_device_info(hiod->iommufd, hiod->devid, &type,
                                         &info, sizeof(info), NULL, NULL,
                                         errp)) {
        return false;
    }
    if (type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3) {
        error_setg(errp, "%s: the host IOMMU is not an SMMUv3 (hw_info type"
                   " %u)", hiod->name, type);
        return false;
    }
    if (derive) {
        smmuv3_apply_host_idr(accel->s, h);
    }
    smmuv3_get_idr(accel->s, v);
    return accel_check_host_idr(hiod->name, v, h, errp);
}

static void accel_free_viommu(SMMUv3AccelState *accel)
{
    uint32_t *ids[] = {
        &accel->bypass_hwpt_id, &accel->abort_hwpt_id, &accel->viommu_id,
        &accel->s2_hwpt_id,
    };

    accel_sync_veventq(accel, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        Error *err = NULL;

        if (*ids[i] && !iommufd_backend_free_id(accel->be, *ids[i], &err)) {
            error_prepend(&err, "arm-smmuv3 '%s': ", accel_name(accel));
            error_report_err(err);
        }
        *ids[i] = 0;
    }
    trace_smmuv3_accel_viommu_free(accel_name(accel));
    accel->applied_valid = false;
    accel->be = NULL;
}

static bool accel_alloc_viommu(SMMUv3AccelState *accel, HostIOMMUDevice *hiod,
                               Error **errp)
{
    uint64_t abort_ste0 = smmu_ste_make(SMMU_STE_CONFIG_ABORT).word[0];
    uint64_t bypass_ste0 = smmu_ste_make(SMMU_STE_CONFIG_BYPASS).word[0];
    SMMUGlobalConfig cfg;

    accel->be = hiod->iommufd;
    if (!iommufd_backend_alloc_hwpt(accel->be, hiod->devid, hiod->ioas_id,
                                    IOMMU_HWPT_ALLOC_NEST_PARENT,
                                    IOMMU_HWPT_DATA_NONE, 0, NULL,
                                    &accel->s2_hwpt_id, errp) ||
        !iommufd_backend_alloc_viommu(accel->be, hiod->devid,
                                      IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
                                      accel->s2_hwpt_id, NULL, 0,
                                      &accel->viommu_id, errp) ||
        !accel_alloc_nested(accel, hiod->devid, abort_ste0, 0,
                            &accel->abort_hwpt_id, errp) ||
        !accel_alloc_nested(accel, hiod->devid, bypass_ste0, 0,
                            &accel->bypass_hwpt_id, errp)) {
        accel_free_viommu(accel);
        return false;
    }
    trace_smmuv3_accel_viommu_alloc(accel_name(accel), accel->viommu_id,
                                    accel->s2_hwpt_id);
    /* The guest may have enabled its event queue already (hot plug). */
    smmuv3_get_global_config(accel->s, &cfg);
    accel_sync_veventq(accel, &cfg);
    return true;
}

static bool accel_vsid_used(SMMUv3AccelState *accel, uint32_t vsid,
                            SMMUv3AccelDevice *except)
{
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);

        if (adev != except && adev->vsid == vsid) {
            return true;
        }
    }
    return false;
}

/*
 * Start or stop owning the events of VSID for ADEV.  Before the guest
 * numbers the buses, devices behind two bridges may share a vSID: it
 * stays owned while one of them has it.
 */
static void accel_own(SMMUv3AccelState *accel, SMMUv3AccelDevice *adev,
                      bool own)
{
    uint32_t vsid = adev->vsid;
    uint64_t bit = 1ull << (vsid % 64);

    g_assert(vsid <= MAX_VSID);
    if (!own && accel_vsid_used(accel, vsid, adev)) {
        return;
    }
    g_mutex_lock(&accel->lock);
    if (own) {
        accel->owned[vsid / 64] |= bit;
    } else {
        accel->owned[vsid / 64] &= ~bit;
    }
    g_mutex_unlock(&accel->lock);
}

static SMMUv3AccelDevice *accel_find(SMMUv3AccelState *accel, PCIBus *bus,
                                     int devfn)
{
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);

        if (adev->bus == bus && adev->devfn == devfn) {
            return adev;
        }
    }
    return NULL;
}

/* The vSID the guest's numbering gives the device now. */
static uint32_t accel_current_vsid(SMMUv3AccelDevice *adev)
{
    return pci_requester_id(pci_bus_num(adev->bus), adev->devfn);
}

/*
 * The guest renumbered a bus: a device whose requester ID changed gets
 * its events under the new vSID, loses the vDEVICE of the old one (a
 * vDEVICE's virt_id is fixed), and is installed again for what the
 * guest configured at the new vSID (a new vDEVICE when its STE is
 * valid).
 */
static void accel_requester_ids_changed(PCIBus *iommu_bus, void *opaque)
{
    SMMUv3AccelState *accel = opaque;
    SMMUGlobalConfig cfg;

    smmuv3_get_global_config(accel->s, &cfg);
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);
        uint32_t vsid = accel_current_vsid(adev);
        Error *err = NULL;

        if (vsid == adev->vsid) {
            continue;
        }
        trace_smmuv3_accel_renumber(accel_name(accel), adev->hiod->name,
                                    adev->vsid, vsid);
        accel_own(accel, adev, false);
        if (adev->vdev_id &&
            !iommufd_backend_free_id(accel->be, adev->vdev_id, &err)) {
            error_report_err(err);
            err = NULL;
        }
        adev->vdev_id = 0;
        adev->vsid = vsid;
        accel_own(accel, adev, true);
        if (!accel_install(adev, &cfg, false, &err)) {
            error_prepend(&err, "arm-smmuv3 '%s': vSID 0x%x: ",
                          accel_name(accel), adev->vsid);
            error_report_err(err);
        }
    }
}

static bool accel_set_iommu_device(PCIBus *bus, void *opaque, int devfn,
                                   HostIOMMUDevice *hiod, Error **errp)
{
    SMMUv3AccelState *accel = opaque;
    SMMUv3AccelDevice *adev;
    bool first = accel->devices->len == 0;
    SMMUGlobalConfig cfg;
    bool derive;

    if (accel->be && hiod->iommufd != accel->be) {
        error_setg(errp, "%s: devices behind arm-smmuv3 '%s' must share one"
                   " iommufd ('%s')", hiod->name, accel_name(accel),
                   accel->be->id);
        return false;
    }
    smmuv3_get_global_config(accel->s, &cfg);
    /*
     * "auto" is resolved once, by the first device accepted: from its
     * host while the guest has neither read the ID registers nor enabled
     * the SMMU, else the model's defaults stay for good.
     */
    derive = first && !accel->derived && !cfg.smmu_enabled;
    if (!accel_check_host(accel, hiod, derive, errp)) {
        return false;
    }
    accel->derived = true;
    if (first && !accel_alloc_viommu(accel, hiod, errp)) {
        return false;
    }
    adev = g_new0(SMMUv3AccelDevice, 1);
    adev->accel = accel;
    adev->hiod = hiod;
    adev->bus = bus;
    adev->devfn = devfn;
    adev->vsid = accel_current_vsid(adev);
    if (!accel_install(adev, &cfg, false, errp)) {
        g_free(adev);
        if (first) {
            accel_free_viommu(accel);
        }
        return false;
    }
    g_ptr_array_add(accel->devices, adev);
    accel->applied = cfg;
    accel->applied_valid = true;
    accel_own(accel, adev, true);
    trace_smmuv3_accel_set_device(accel_name(accel), hiod->name, adev->vsid,
                                  hiod->devid);
    return true;
}

static void accel_unset_iommu_device(PCIBus *bus, void *opaque, int devfn)
{
    SMMUv3AccelState *accel = opaque;
    SMMUv3AccelDevice *adev = accel_find(accel, bus, devfn);
    Error *err = NULL;

    if (!adev) {
        return;
    }
    /* Stop owning its events first, then undo the nesting. */
    accel_own(accel, adev, false);
    if (!host_iommu_device_attach_hwpt(adev->hiod, adev->hiod->ioas_id,
                                       &err)) {
        error_report_err(err);
        err = NULL;
    }
    if (adev->s1_hwpt_id &&
        !iommufd_backend_free_id(accel->be, adev->s1_hwpt_id, &err)) {
        error_report_err(err);
        err = NULL;
    }
    if (adev->vdev_id &&
        !iommufd_backend_free_id(accel->be, adev->vdev_id, &err)) {
        error_report_err(err);
    }
    trace_smmuv3_accel_unset_device(accel_name(accel), adev->hiod->name,
                                    adev->vsid);
    g_ptr_array_remove(accel->devices, adev);
    g_free(adev);
    if (accel->devices->len == 0) {
        accel_free_viommu(accel);
    }
}

/* Emulated endpoints behind an accelerated SMMU: the model translates. */
static bool accel_translate(PCIBus *bus, void *opaque, uint16_t requester_id,
                            uint64_t addr, bool is_write, IOMMUTLBEntry *entry)
{
    SMMUv3AccelState *accel = opaque;

    return smmuv3_pci_translate(bus, accel->s, requester_id, addr, is_write,
                                entry);
}

/* msi-gpa=, upstream's doorbell for host devices' MSIs (0: the board's). */
static uint64_t accel_msi_direct_gpa(PCIBus *bus, void *opaque, int devfn)
{
    SMMUv3AccelState *accel = opaque;

    return accel->s->msi_gpa;
}

static const PCIIOMMUOps accel_pci_ops = {
    .set_iommu_device = accel_set_iommu_device,
    .unset_iommu_device = accel_unset_iommu_device,
    .translate = accel_translate,
    .requester_ids_changed = accel_requester_ids_changed,
    .get_msi_direct_gpa = accel_msi_direct_gpa,
};

/* ---- life cycle ------------------------------------------------------------ */

bool smmuv3_accel_init(SMMUv3State *s, Error **errp)
{
    SMMUv3AccelState *accel = g_new0(SMMUv3AccelState, 1);
    DeviceState *dev = &s->parent_obj;

    accel->s = s;
    accel->veventq_fd = -1;
    accel->devices = g_ptr_array_new();
    accel->inval = g_array_new(FALSE, FALSE,
                               sizeof(struct iommu_viommu_arm_smmuv3_invalidate));
    accel->last_lost_notify = g_get_monotonic_time() -
                              LOST_NOTIFY_INTERVAL_US;
    g_mutex_init(&accel->lock);
    if (s->iothread_obj) {
        accel->iothread = s->iothread_obj;
    } else {
        /* A vSMMU without iothread= gets a private one. */
        static unsigned private_count;
        g_autofree char *id = g_strdup_printf("%s-events-%u",
                                              dev->id ? dev->id : "smmuv3",
                                              private_count++);

        accel->iothread = iothread_new(id, errp);
        if (!accel->iothread ||
            !iothread_start(accel->iothread, errp)) {
            if (accel->iothread) {
                iothread_free(accel->iothread);
            }
            g_mutex_clear(&accel->lock);
            g_array_free(accel->inval, TRUE);
            g_ptr_array_free(accel->devices, TRUE);
            g_free(accel);
            return false;
        }
        accel->own_iothread = true;
    }
    s->s_accel = accel;
    smmuv3_set_accel_ops(s, &accel_ops, accel);
    s->pbus->iommu_ops = &accel_pci_ops;
    s->pbus->iommu_opaque = accel;
    return true;
}

void smmuv3_accel_fini(SMMUv3State *s)
{
    SMMUv3AccelState *accel = s->s_accel;

    if (s->pbus && s->pbus->iommu_opaque == accel) {
        s->pbus->iommu_ops = NULL;
        s->pbus->iommu_opaque = NULL;
    }
    smmuv3_set_accel_ops(s, NULL, NULL);
    /* Devices should have gone first; if not, undo what they left. */
    while (accel->devices->len) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, 0);

        accel_unset_iommu_device(adev->bus, accel, adev->devfn);
    }
    if (accel->viommu_id) {
        accel_free_viommu(accel);
    }
    if (accel->own_iothread) {
        iothread_stop(accel->iothread);
        iothread_free(accel->iothread);
    }
    accel_lost_cancel(accel);
    g_free(accel->scratch);
    g_mutex_clear(&accel->lock);
    g_array_free(accel->inval, TRUE);
    g_ptr_array_free(accel->devices, TRUE);
    g_free(accel);
    s->s_accel = NULL;
}

void smmuv3_accel_get_info(SMMUv3State *s, SMMUv3AccelInfo *info)
{
    SMMUv3AccelState *accel = s->s_accel;

    memset(info, 0, sizeof(*info));
    info->devices = g_array_new(FALSE, TRUE, sizeof(SMMUv3AccelDeviceInfo));
    if (!accel) {
        return;
    }
    info->kernel = accel->be ? accel->be->kops->name : NULL;
    info->viommu_id = accel->viommu_id;
    info->veventq_id = accel->veventq_id;
    info->veventq_depth = accel->veventq_state == SMMU_ACCEL_VEVENTQ_LIVE ?
                          accel->veventq_depth : 0;
    info->veventq_state = accel_veventq_state_names[accel->veventq_state];
    info->inval_pending = accel->inval->len;
    info->iothread = iothread_get_id(accel->iothread);
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);
        SMMUv3AccelDeviceInfo d = {
            .name = g_strdup(adev->hiod->name),
            .vsid = adev->vsid,
            .host_sid = adev->hiod->host_sid,
            .devid = adev->hiod->devid,
            .vdev_id = adev->vdev_id,
            .hwpt_id = adev->hiod->hwpt_id,
        };

        g_array_append_val(info->devices, d);
    }
    g_mutex_lock(&accel->lock);
    info->stats = accel->stats;
    g_mutex_unlock(&accel->lock);
    if (accel->reader) {
        VeventqReaderStats rs;

        veventq_reader_get_stats(accel->reader, &rs);
        info->stats.read_errors = MAX(info->stats.read_errors, rs.errors);
    }
}

void smmuv3_accel_info_free(SMMUv3AccelInfo *info)
{
    if (info->devices) {
        for (guint i = 0; i < info->devices->len; i++) {
            g_free(g_array_index(info->devices, SMMUv3AccelDeviceInfo,
                                 i).name);
        }
        g_array_free(info->devices, TRUE);
        info->devices = NULL;
    }
}
