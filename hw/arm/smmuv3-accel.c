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
 * Host loss becomes guest-visible overflow (OVFLG).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/iothread.h"
#include "hw/arm/smmuv3-accel.h"
#include "hw/pci/pci-bus.h"
#include "system/host-iommu-device.h"
#include "system/iommufd.h"
#include "system/veventq-reader.h"
#include "trace.h"

#define LOST_NOTIFY_INTERVAL_US G_USEC_PER_SEC

typedef struct SMMUv3AccelDevice {
    SMMUv3AccelState *accel;
    HostIOMMUDevice *hiod;
    int devfn;
    uint32_t vsid;
    uint32_t vdev_id;           /* 0: none yet */
    uint32_t s1_hwpt_id;        /* nested HWPT owned by this device */
} SMMUv3AccelDevice;

struct SMMUv3AccelState {
    SMMUv3State *s;
    IOMMUFDBackend *be;         /* of the first device; all must share it */
    uint32_t s2_hwpt_id;
    uint32_t viommu_id;
    uint32_t abort_hwpt_id;
    uint32_t bypass_hwpt_id;
    GPtrArray *devices;         /* of SMMUv3AccelDevice *; main thread */
    bool derived;               /* "auto" properties taken from a host */

    /* Pending invalidation commands, flushed at CMD_SYNC. */
    GArray *inval;              /* of struct iommu_viommu_arm_smmuv3_invalidate */

    IOThread *iothread;
    bool own_iothread;

    uint32_t veventq_id;
    int veventq_fd;
    uint32_t veventq_depth;
    VeventqReader *reader;
    GSource *upstream_src;      /* x-upstream-reader: main-loop reader */

    /* Shared with the iothread. */
    GMutex lock;
    GHashTable *owned_vsids;    /* vSIDs of our devices */
    SMMUv3AccelStats stats;
    uint64_t lost_unnotified;
    gint64 last_lost_notify;

    /* iothread only */
    SMMUEvent *evts;
    size_t evts_cap;
};

static SMMUv3AccelLostNotify *lost_notifier;

void smmuv3_accel_set_lost_notifier(SMMUv3AccelLostNotify *fn)
{
    lost_notifier = fn;
}

static const char *accel_name(SMMUv3AccelState *accel)
{
    DeviceState *dev = &accel->s->parent_obj;

    return dev->id ? dev->id : TYPE_ARM_SMMUV3;
}

/* ---- host events -> guest event queue (iothread) ------------------------ */

static void accel_note_lost(SMMUv3AccelState *accel, uint64_t lost)
{
    gint64 now = g_get_monotonic_time();
    uint64_t notify = 0, total;

    g_mutex_lock(&accel->lock);
    accel->stats.host_lost += lost;
    accel->lost_unnotified += lost;
    total = accel->stats.host_lost;
    if (now - accel->last_lost_notify >= LOST_NOTIFY_INTERVAL_US) {
        notify = accel->lost_unnotified;
        accel->lost_unnotified = 0;
        accel->last_lost_notify = now;
    }
    g_mutex_unlock(&accel->lock);

    /* The guest sees a loss it could not otherwise know of. */
    smmuv3_eventq_signal_overflow(accel->s);
    trace_smmuv3_accel_host_lost(accel_name(accel), lost, total);
    if (notify && lost_notifier) {
        lost_notifier(accel->s, notify, total);
    }
}

static void accel_batch(void *opaque, const VeventqBatch *b)
{
    SMMUv3AccelState *accel = opaque;
    const uint8_t *p = b->payloads;
    SMMUEventqWriteResult res = { 0 };
    size_t n = 0, unowned = 0;

    if (b->lost) {
        accel_note_lost(accel, b->lost);
    }
    if (b->n_records > accel->evts_cap) {
        accel->evts_cap = b->n_records;
        accel->evts = g_renew(SMMUEvent, accel->evts, accel->evts_cap);
    }
    g_mutex_lock(&accel->lock);
    for (size_t i = 0; i < b->n_records; i++, p += b->record_size) {
        SMMUEvent *e = &accel->evts[n];

        smmu_event_from_le(e, p);
        /* The kernel put the vSID there; it must be one of ours. */
        if (!g_hash_table_contains(accel->owned_vsids,
                                   GUINT_TO_POINTER(smmu_event_get_sid(e)))) {
            trace_smmuv3_accel_unowned(accel_name(accel),
                                       smmu_event_get_sid(e));
            unowned++;
            continue;
        }
        n++;
    }
    g_mutex_unlock(&accel->lock);

    if (n) {
        smmuv3_eventq_write_batch(accel->s, accel->evts, n, &res);
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

/*
 * x-upstream-reader=on: a model of upstream QEMU's vEVENTQ reader, kept
 * only as the baseline of "make bench": a main-loop fd handler reading
 * one record per read() per dispatch, writing one guest entry (and one
 * interrupt) per record.  Everything after the read is our code, so the
 * comparison isolates the reading strategy.
 */
static gboolean upstream_read(gint fd, GIOCondition cond, gpointer opaque)
{
    SMMUv3AccelState *accel = opaque;
    struct {
        struct iommufd_vevent_header hdr;
        struct iommu_vevent_arm_smmuv3 evt;
    } rec;
    uint32_t seqs[1];
    ssize_t n = iommufd_backend_read_veventq(accel->be, fd, &rec,
                                             sizeof(rec));
    VeventqBatch b = {
        .payloads = &rec.evt, .sequences = seqs,
        .record_size = sizeof(rec.evt),
    };

    if (n == sizeof(rec.hdr) &&
        (rec.hdr.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS)) {
        return G_SOURCE_CONTINUE;   /* upstream logs it; nothing else */
    }
    if (n != sizeof(rec)) {
        return G_SOURCE_CONTINUE;
    }
    seqs[0] = rec.hdr.sequence;
    b.n_records = 1;
    accel_batch(accel, &b);
    return G_SOURCE_CONTINUE;
}

static void accel_read_error(void *opaque, const Error *err)
{
    SMMUv3AccelState *accel = opaque;

    g_mutex_lock(&accel->lock);
    accel->stats.read_errors++;
    g_mutex_unlock(&accel->lock);
}

/* ---- vEVENTQ life cycle (main thread, device lock NOT held) -------------- */

static void accel_free_veventq(SMMUv3AccelState *accel)
{
    Error *err = NULL;

    if (!accel->veventq_id) {
        return;
    }
    if (accel->reader) {
        veventq_reader_stop(accel->reader);
        veventq_reader_free(accel->reader);
        accel->reader = NULL;
    }
    if (accel->upstream_src) {
        g_source_destroy(accel->upstream_src);
        g_source_unref(accel->upstream_src);
        accel->upstream_src = NULL;
    }
    iommufd_backend_close_fd(accel->be, accel->veventq_fd);
    if (!iommufd_backend_free_id(accel->be, accel->veventq_id, &err)) {
        error_prepend(&err, "arm-smmuv3 '%s': ", accel_name(accel));
        error_report_err(err);
    }
    trace_smmuv3_accel_veventq_free(accel_name(accel), accel->veventq_id);
    accel->veventq_id = 0;
    accel->veventq_fd = -1;
    accel->veventq_depth = 0;
}

static bool accel_alloc_veventq(SMMUv3AccelState *accel, uint32_t depth,
                                Error **errp)
{
    VeventqReaderConfig cfg = {
        .be = accel->be,
        .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
        .payload_size = sizeof(struct iommu_vevent_arm_smmuv3),
        .depth = depth,
        .batch_cb = accel_batch,
        .error_cb = accel_read_error,
        .opaque = accel,
    };

    if (!iommufd_backend_alloc_veventq(accel->be, accel->viommu_id,
                                       IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, depth,
                                       &accel->veventq_id,
                                       &accel->veventq_fd, errp)) {
        return false;
    }
    accel->veventq_depth = depth;
    if (accel->s->x_upstream_reader) {
        accel->upstream_src = g_unix_fd_source_new(accel->veventq_fd,
                                                   G_IO_IN);
        g_source_set_callback(accel->upstream_src,
                              G_SOURCE_FUNC(upstream_read), accel, NULL);
        g_source_attach(accel->upstream_src, NULL);
        return true;
    }
    cfg.veventq_id = accel->veventq_id;
    cfg.fd = accel->veventq_fd;
    accel->reader = veventq_reader_new(&cfg, errp);
    if (!accel->reader ||
        !veventq_reader_start(accel->reader, accel->iothread, errp)) {
        accel_free_veventq(accel);
        return false;
    }
    trace_smmuv3_accel_veventq_alloc(accel_name(accel), accel->veventq_id,
                                     depth);
    return true;
}

/* Make the vEVENTQ match EVENTQEN and LOG2SIZE. */
static void accel_sync_veventq(SMMUv3AccelState *accel,
                               const SMMUGlobalConfig *cfg)
{
    uint32_t depth = 1u << cfg->eventq_log2size;
    Error *err = NULL;

    if (!accel->viommu_id) {
        return;
    }
    if (accel->veventq_id &&
        (!cfg->eventq_enabled || accel->veventq_depth != depth)) {
        accel_free_veventq(accel);
    }
    if (cfg->eventq_enabled && !accel->veventq_id &&
        !accel_alloc_veventq(accel, depth, &err)) {
        error_prepend(&err, "arm-smmuv3 '%s': host events will not reach"
                      " the guest: ", accel_name(accel));
        error_report_err(err);
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
 * Point the device at what the guest configured for its vSID: the GBPA
 * HWPT while the SMMU is disabled, else per its STE.  locked: the device
 * lock is held (command-queue hooks).
 */
static bool accel_install(SMMUv3AccelDevice *adev, bool locked, Error **errp)
{
    SMMUv3AccelState *accel = adev->accel;
    SMMUGlobalConfig cfg;
    uint32_t hwpt, new_s1 = 0;
    const char *what;

    if (locked) {
        smmuv3_get_global_config_locked(accel->s, &cfg);
    } else {
        smmuv3_get_global_config(accel->s, &cfg);
    }
    if (!cfg.smmu_enabled) {
        hwpt = cfg.gbpa_abort ? accel->abort_hwpt_id : accel->bypass_hwpt_id;
        what = cfg.gbpa_abort ? "gbpa-abort" : "gbpa-bypass";
    } else {
        SMMUSte ste;
        SMMUEvent ev;
        bool valid = locked ?
            smmuv3_get_ste_locked(accel->s, adev->vsid, &ste, &ev) :
            smmuv3_get_ste(accel->s, adev->vsid, &ste, &ev);
        unsigned config = valid ? smmu_ste_config(&ste) :
                          SMMU_STE_CONFIG_ABORT;

        if (valid && !adev->vdev_id &&
            !iommufd_backend_alloc_vdev(accel->be, adev->hiod->devid,
                                        accel->viommu_id, adev->vsid,
                                        &adev->vdev_id, errp)) {
            return false;
        }
        switch (config) {
        case SMMU_STE_CONFIG_BYPASS:
            hwpt = accel->bypass_hwpt_id;
            what = "bypass";
            break;
        case SMMU_STE_CONFIG_S1:
            if (!accel_alloc_nested(accel, adev->hiod->devid, ste.word[0],
                                    ste.word[1], &new_s1, errp)) {
                return false;
            }
            hwpt = new_s1;
            what = "s1-translate";
            break;
        default:
            /* Abort, an invalid STE, or stage 2 (only stage 1 nests). */
            hwpt = accel->abort_hwpt_id;
            what = "abort";
            break;
        }
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
    trace_smmuv3_accel_install_ste(accel_name(accel), adev->vsid, what, hwpt);
    return true;
}

static void accel_install_all(SMMUv3AccelState *accel, bool locked)
{
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);
        Error *err = NULL;

        if (!accel_install(adev, locked, &err)) {
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

    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);
        Error *err = NULL;

        if (adev->vsid < sid || adev->vsid - sid >= num) {
            continue;
        }
        if (!accel_install(adev, true, &err)) {
            error_prepend(&err, "arm-smmuv3 '%s': CFGI_STE vSID 0x%x: ",
                          accel_name(accel), adev->vsid);
            error_report_err(err);
            ret = SMMU_CERROR_ILL;
        }
    }
    return ret;
}

static void accel_queue_inval(SMMUv3AccelState *accel, const SMMUCmd *cmd)
{
    struct iommu_viommu_arm_smmuv3_invalidate e = {
        .cmd = { GUINT64_TO_LE(cmd->word[0]), GUINT64_TO_LE(cmd->word[1]) },
    };

    g_array_append_val(accel->inval, e);
}

static SMMUCmdError accel_cfgi_cd(SMMUv3State *s, uint32_t sid,
                                  uint32_t ssid, bool all, void *opaque)
{
    SMMUv3AccelState *accel = opaque;
    SMMUCmd cmd = smmu_cmd_cfgi_cd(sid, ssid, all);

    if (!accel->viommu_id) {
        return SMMU_CERROR_NONE;
    }
    accel_queue_inval(accel, &cmd);
    return SMMU_CERROR_NONE;
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
    case SMMU_CMD_ATC_INV:
        accel_queue_inval(accel, cmd);
        break;
    case SMMU_CMD_TLBI_NSNH_ALL:
        /*
         * The guest's "everything" is everything of its stage 1 in this
         * vIOMMU's VMID; the host owns stage 2.
         */
        accel_queue_inval(accel, &nh_all);
        break;
    default:
        /* Stage-2 and EL2 invalidations: the guest has neither. */
        trace_smmuv3_accel_inval_ignored(accel_name(accel), type);
        break;
    }
    return SMMU_CERROR_NONE;
}

static SMMUCmdError accel_sync(SMMUv3State *s, void *opaque)
{
    SMMUv3AccelState *accel = opaque;
    uint32_t n = accel->inval->len;
    Error *err = NULL;

    if (!n) {
        return SMMU_CERROR_NONE;
    }
    trace_smmuv3_accel_invalidate(accel_name(accel), n);
    if (!iommufd_backend_invalidate_cache(
            accel->be, accel->viommu_id,
            IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
            sizeof(struct iommu_viommu_arm_smmuv3_invalidate), &n,
            accel->inval->data, &err)) {
        error_prepend(&err, "arm-smmuv3 '%s': ", accel_name(accel));
        error_report_err(err);
        g_array_set_size(accel->inval, 0);
        return SMMU_CERROR_ILL;
    }
    g_array_set_size(accel->inval, 0);
    return SMMU_CERROR_NONE;
}

static void accel_config_changed(SMMUv3State *s, void *opaque)
{
    SMMUv3AccelState *accel = opaque;
    SMMUGlobalConfig cfg;

    if (!accel->viommu_id) {
        return;
    }
    smmuv3_get_global_config(s, &cfg);
    accel_sync_veventq(accel, &cfg);
    accel_install_all(accel, false);
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
 * derive: first take the "auto" properties from the host.
 */
static bool accel_check_host(SMMUv3AccelState *accel, HostIOMMUDevice *hiod,
                             bool derive, Error **errp)
{
    struct iommu_hw_info_arm_smmuv3 info = { 0 };
    uint32_t type = IOMMU_HW_INFO_TYPE_DEFAULT;
    const uint32_t *v = accel->s->idr;
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
    return accel_check_host_idr(hiod->name, v, h, errp);
}

static void accel_free_viommu(SMMUv3AccelState *accel)
{
    uint32_t *ids[] = {
        &accel->bypass_hwpt_id, &accel->abort_hwpt_id, &accel->viommu_id,
        &accel->s2_hwpt_id,
    };

    accel_free_veventq(accel);
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        Error *err = NULL;

        if (*ids[i] && !iommufd_backend_free_id(accel->be, *ids[i], &err)) {
            error_prepend(&err, "arm-smmuv3 '%s': ", accel_name(accel));
            error_report_err(err);
        }
        *ids[i] = 0;
    }
    trace_smmuv3_accel_viommu_free(accel_name(accel));
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

static SMMUv3AccelDevice *accel_find(SMMUv3AccelState *accel, int devfn)
{
    for (guint i = 0; i < accel->devices->len; i++) {
        SMMUv3AccelDevice *adev = g_ptr_array_index(accel->devices, i);

        if (adev->devfn == devfn) {
            return adev;
        }
    }
    return NULL;
}

static bool accel_set_iommu_device(PCIBus *bus, void *opaque, int devfn,
                                   HostIOMMUDevice *hiod, Error **errp)
{
    SMMUv3AccelState *accel = opaque;
    SMMUv3AccelDevice *adev;
    bool first = accel->devices->len == 0;
    bool derive = false;

    if (accel->be && hiod->iommufd != accel->be) {
        error_setg(errp, "%s: devices behind arm-smmuv3 '%s' must share one"
                   " iommufd ('%s')", hiod->name, accel_name(accel),
                   accel->be->id);
        return false;
    }
    if (first) {
        SMMUGlobalConfig cfg;

        smmuv3_get_global_config(accel->s, &cfg);
        /* "auto" follows the host while the guest has not enabled us. */
        derive = !cfg.smmu_enabled && !accel->derived;
    }
    if (!accel_check_host(accel, hiod, derive, errp)) {
        return false;
    }
    accel->derived |= derive;
    if (first && !accel_alloc_viommu(accel, hiod, errp)) {
        return false;
    }
    adev = g_new0(SMMUv3AccelDevice, 1);
    adev->accel = accel;
    adev->hiod = hiod;
    adev->devfn = devfn;
    adev->vsid = pci_requester_id(bus->bus_num, devfn);
    if (!accel_install(adev, false, errp)) {
        g_free(adev);
        if (first) {
            accel_free_viommu(accel);
        }
        return false;
    }
    g_ptr_array_add(accel->devices, adev);
    g_mutex_lock(&accel->lock);
    g_hash_table_add(accel->owned_vsids, GUINT_TO_POINTER(adev->vsid));
    g_mutex_unlock(&accel->lock);
    trace_smmuv3_accel_set_device(accel_name(accel), hiod->name, adev->vsid,
                                  hiod->devid);
    return true;
}

static void accel_unset_iommu_device(PCIBus *bus, void *opaque, int devfn)
{
    SMMUv3AccelState *accel = opaque;
    SMMUv3AccelDevice *adev = accel_find(accel, devfn);
    Error *err = NULL;

    if (!adev) {
        return;
    }
    /* Stop owning its events first, then undo the nesting. */
    g_mutex_lock(&accel->lock);
    g_hash_table_remove(accel->owned_vsids, GUINT_TO_POINTER(adev->vsid));
    g_mutex_unlock(&accel->lock);
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

static const PCIIOMMUOps accel_pci_ops = {
    .set_iommu_device = accel_set_iommu_device,
    .unset_iommu_device = accel_unset_iommu_device,
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
    accel->owned_vsids = g_hash_table_new(g_direct_hash, g_direct_equal);
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
            g_hash_table_destroy(accel->owned_vsids);
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

        accel_unset_iommu_device(s->pbus, accel, adev->devfn);
    }
    if (accel->viommu_id) {
        accel_free_viommu(accel);
    }
    if (accel->own_iothread) {
        iothread_stop(accel->iothread);
        iothread_free(accel->iothread);
    }
    g_free(accel->evts);
    g_mutex_clear(&accel->lock);
    g_hash_table_destroy(accel->owned_vsids);
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
    info->veventq_depth = accel->veventq_depth;
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
