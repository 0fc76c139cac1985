/*
 * The embedded emulated host: iommufd and a host SMMUv3, in process.
 *
 * See include/system/iommufd-emulated.h and docs/devel/emulated-host.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "hw/arm/smmuv3-common.h"
#include "system/iommufd-emulated.h"
#include "system/iommufd-emulated-pci.h"
#include "system/vfio-cdev-abi.h"
#include "trace.h"
#include <sys/eventfd.h>

#define PAGE_SIZE_4K            4096ULL
#define SMMU_EVT_PAYLOAD_SIZE   sizeof(struct iommu_vevent_arm_smmuv3)

typedef enum ObjType {
    OBJ_DEVICE,
    OBJ_IOAS,
    OBJ_HWPT,
    OBJ_VIOMMU,
    OBJ_VDEVICE,
    OBJ_VEVENTQ,
} ObjType;

static const char *const obj_type_names[] = {
    [OBJ_DEVICE] = "device", [OBJ_IOAS] = "ioas", [OBJ_HWPT] = "hwpt",
    [OBJ_VIOMMU] = "viommu", [OBJ_VDEVICE] = "vdevice",
    [OBJ_VEVENTQ] = "veventq",
};

typedef struct Obj Obj;

typedef struct Mapping {
    uint64_t iova;
    uint64_t length;
} Mapping;

typedef struct Record {
    uint32_t seq;
    uint8_t payload[SMMU_EVT_PAYLOAD_SIZE];
} Record;

/*
 * A vEVENTQ's records, oldest first: a ring that grows by doubling (up to
 * what the depth needs), so that queuing and reading a record costs no
 * allocation once the queue has been that full.
 */
typedef struct RecordRing {
    Record *slots;
    uint32_t cap;               /* 0 or a power of two */
    uint32_t head;              /* index of the oldest */
    uint32_t len;
} RecordRing;

struct Obj {
    ObjType type;
    uint32_t id;
    uint32_t users;             /* references from other objects and fds */
    union {
        struct {                /* OBJ_DEVICE */
            uint32_t psid;
            Obj *attached;      /* HWPT */
            EmulatedPCIFunction *fn;    /* its VFIO regions */
        } dev;
        struct {                /* OBJ_IOAS */
            GArray *maps;       /* of Mapping */
        } ioas;
        struct {                /* OBJ_HWPT */
            Obj *parent;        /* IOAS, or vIOMMU for a nested HWPT */
            bool nest_parent;
            bool nested;
            uint64_t ste[2];
        } hwpt;
        struct {                /* OBJ_VIOMMU */
            Obj *s2_hwpt;
            Obj *veventq_smmu;  /* the ARM_SMMUV3 vEVENTQ, if any */
            uint64_t invalidations;
        } viommu;
        struct {                /* OBJ_VDEVICE */
            Obj *viommu;
            Obj *dev;
            uint64_t virt_id;
        } vdev;
        struct {                /* OBJ_VEVENTQ */
            Obj *viommu;
            uint32_t type;
            uint32_t depth;
            int fd;             /* eventfd; -1 once closed */
            RecordRing records;
            uint32_t next_seq;
            bool lost_pending;  /* a LOST_EVENTS header is last */
            uint32_t lost_seq;
        } veventq;
    };
};

struct IOMMUFDEmulatedHost {
    /*
     * Taken before lock by a report and by close: a report wakes a
     * vEVENTQ's reader (writes its eventfd) after dropping lock, as Linux
     * wakes after its spinlock, so that the reader it wakes does not wait
     * for the reporter; this keeps the eventfd open meanwhile.
     */
    GMutex wake_lock;
    GMutex lock;
    GHashTable *objs;           /* id -> Obj * */
    GHashTable *veventq_fds;    /* fd -> Obj * (OBJ_VEVENTQ) */
    GHashTable *devices;        /* physical StreamID -> Obj * (OBJ_DEVICE) */
    int token_fd;               /* the "iommufd" descriptor, -1 if closed */
    uint32_t idr[6];
    uint32_t iidr;
    uint32_t aidr;
    IOMMUFDEmulatedStats stats;
};

/* Event types Linux's arm-smmu-v3 driver forwards to a vEVENTQ. */
static bool evt_type_forwarded(uint32_t type)
{
    switch (type) {
    case SMMU_EVT_C_BAD_STE:
    case SMMU_EVT_F_STREAM_DISABLED:
    case SMMU_EVT_C_BAD_SUBSTREAMID:
    case SMMU_EVT_C_BAD_CD:
    case SMMU_EVT_F_TRANSLATION:
    case SMMU_EVT_F_ADDR_SIZE:
    case SMMU_EVT_F_ACCESS:
    case SMMU_EVT_F_PERMISSION:
        return true;
    default:
        return false;
    }
}

/* ---- objects ------------------------------------------------------------ */

static Obj *obj_new(IOMMUFDEmulatedHost *host, ObjType type)
{
    Obj *o = g_new0(Obj, 1);

    o->type = type;
    /* Like Linux's object xarray: the lowest free id, from 1. */
    o->id = 1;
    while (g_hash_table_contains(host->objs, GUINT_TO_POINTER(o->id))) {
        o->id++;
    }
    g_hash_table_insert(host->objs, GUINT_TO_POINTER(o->id), o);
    host->stats.objects++;
    return o;
}

static Obj *obj_get(IOMMUFDEmulatedHost *host, uint32_t id, ObjType type)
{
    Obj *o = g_hash_table_lookup(host->objs, GUINT_TO_POINTER(id));

    return o && o->type == type ? o : NULL;
}

static void ref(Obj *o)
{
    if (o) {
        o->users++;
    }
}

static void unref(Obj *o)
{
    if (o) {
        g_assert(o->users > 0);
        o->users--;
    }
}

/* The slot for a new record at the tail, growing the ring if full. */
static Record *ring_push(RecordRing *ring)
{
    if (ring->len == ring->cap) {
        uint32_t cap = ring->cap ? ring->cap * 2 : 64;
        Record *slots = g_new(Record, cap);

        for (uint32_t i = 0; i < ring->len; i++) {
            slots[i] = ring->slots[(ring->head + i) & (ring->cap - 1)];
        }
        g_free(ring->slots);
        ring->slots = slots;
        ring->cap = cap;
        ring->head = 0;
    }
    return &ring->slots[(ring->head + ring->len++) & (ring->cap - 1)];
}

static Record *ring_head(RecordRing *ring)
{
    return ring->len ? &ring->slots[ring->head] : NULL;
}

static void ring_pop(RecordRing *ring)
{
    ring->head = (ring->head + 1) & (ring->cap - 1);
    ring->len--;
}

static void veventq_clear(Obj *q)
{
    g_clear_pointer(&q->veventq.records.slots, g_free);
    q->veventq.records = (RecordRing) { 0 };
    q->veventq.lost_pending = false;
}

/* Release what o holds; o must have no users.  Called with the lock. */
static void obj_destroy(IOMMUFDEmulatedHost *host, Obj *o)
{
    g_assert(o->users == 0);
    switch (o->type) {
    case OBJ_DEVICE:
        unref(o->dev.attached);
        emulated_pci_function_free(o->dev.fn);
        g_hash_table_remove(host->devices, GUINT_TO_POINTER(o->dev.psid));
        break;
    case OBJ_IOAS:
        g_array_free(o->ioas.maps, TRUE);
        break;
    case OBJ_HWPT:
        unref(o->hwpt.parent);
        break;
    case OBJ_VIOMMU:
        unref(o->viommu.s2_hwpt);
        break;
    case OBJ_VDEVICE:
        unref(o->vdev.viommu);
        unref(o->vdev.dev);
        break;
    case OBJ_VEVENTQ:
        if (o->veventq.viommu->viommu.veventq_smmu == o) {
            o->veventq.viommu->viommu.veventq_smmu = NULL;
        }
        unref(o->veventq.viommu);
        veventq_clear(o);
        break;
    }
    trace_iommufd_emulated_destroy(obj_type_names[o->type], o->id);
    g_hash_table_remove(host->objs, GUINT_TO_POINTER(o->id));
    host->stats.objects--;
    g_free(o);
}

/* Lookups: g_hash_table_find() predicates and their callers. */
typedef struct VdevKey {
    Obj *viommu;
    Obj *dev;                   /* match this device ... */
    uint64_t virt_id;           /* ... or, when dev is NULL, this id */
} VdevKey;

static gboolean vdev_matches(gpointer id, gpointer value, gpointer data)
{
    const Obj *o = value;
    const VdevKey *key = data;

    return o->type == OBJ_VDEVICE && o->vdev.viommu == key->viommu &&
           (key->dev ? o->vdev.dev == key->dev :
                       o->vdev.virt_id == key->virt_id);
}

/* The vDEVICE of dev in viommu, if any. */
static Obj *find_vdev(IOMMUFDEmulatedHost *host, Obj *viommu, Obj *dev)
{
    VdevKey key = { .viommu = viommu, .dev = dev };

    return g_hash_table_find(host->objs, vdev_matches, &key);
}

static Obj *find_vdev_by_virt_id(IOMMUFDEmulatedHost *host, Obj *viommu,
                                 uint64_t virt_id)
{
    VdevKey key = { .viommu = viommu, .virt_id = virt_id };

    return g_hash_table_find(host->objs, vdev_matches, &key);
}

static Obj *find_device_by_psid(IOMMUFDEmulatedHost *host, uint32_t psid)
{
    return g_hash_table_lookup(host->devices, GUINT_TO_POINTER(psid));
}

/* ---- ioctls (called with the lock held; return 0 or -errno) ------------- */

static int do_ioas_alloc(IOMMUFDEmulatedHost *host,
                         struct iommu_ioas_alloc *cmd)
{
    Obj *o;

    if (cmd->flags) {
        return -EOPNOTSUPP;
    }
    o = obj_new(host, OBJ_IOAS);
    o->ioas.maps = g_array_new(FALSE, FALSE, sizeof(Mapping));
    cmd->out_ioas_id = o->id;
    return 0;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
                           uint64_t blen)
{
    return a <= b + (blen - 1) && b <= a + (alen - 1);
}

static int ioas_add_map(Obj *ioas, uint32_t flags, uint64_t iova,
                        uint64_t length)
{
    Mapping m = { .iova = iova, .length = length };

    if (!(flags & IOMMU_IOAS_MAP_FIXED_IOVA)) {
        /* vsmmu always maps guest RAM at fixed (guest-physical) IOVAs. */
        return -EOPNOTSUPP;
    }
    if (flags & ~(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
                  IOMMU_IOAS_MAP_WRITEABLE)) {
        return -EOPNOTSUPP;
    }
    if (!length || (iova | length) & (PAGE_SIZE_4K - 1) ||
        iova + (length - 1) < iova) {
        return -EINVAL;
    }
    for (guint i = 0; i < ioas->ioas.maps->len; i++) {
        Mapping *o = &g_array_index(ioas->ioas.maps, Mapping, i);

        if (ranges_overlap(iova, length, o->iova, o->length)) {
            return -EEXIST;
        }
    }
    g_array_append_val(ioas->ioas.maps, m);
    return 0;
}

static int do_ioas_map(IOMMUFDEmulatedHost *host, struct iommu_ioas_map *cmd)
{
    Obj *ioas = obj_get(host, cmd->ioas_id, OBJ_IOAS);

    if (cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    if (!ioas) {
        return -ENOENT;
    }
    if (!cmd->user_va) {
        return -EFAULT;
    }
    return ioas_add_map(ioas, cmd->flags, cmd->iova, cmd->length);
}

static int do_ioas_map_file(IOMMUFDEmulatedHost *host,
                            struct iommu_ioas_map_file *cmd)
{
    Obj *ioas = obj_get(host, cmd->ioas_id, OBJ_IOAS);

    if (!ioas) {
        return -ENOENT;
    }
    if (cmd->fd < 0 || fcntl(cmd->fd, F_GETFD) < 0) {
        return -EBADF;
    }
    return ioas_add_map(ioas, cmd->flags, cmd->iova, cmd->length);
}

static int do_ioas_unmap(IOMMUFDEmulatedHost *host,
                         struct iommu_ioas_unmap *cmd)
{
    Obj *ioas = obj_get(host, cmd->ioas_id, OBJ_IOAS);
    uint64_t unmapped = 0;

    if (!ioas) {
        return -ENOENT;
    }
    if (!cmd->length || cmd->iova + (cmd->length - 1) < cmd->iova) {
        return -EINVAL;
    }
    /* Whole mappings inside the range are removed; none is ENOENT. */
    for (guint i = 0; i < ioas->ioas.maps->len;) {
        Mapping *m = &g_array_index(ioas->ioas.maps, Mapping, i);

        if (m->iova >= cmd->iova &&
            m->iova + (m->length - 1) <= cmd->iova + (cmd->length - 1)) {
            unmapped += m->length;
            g_array_remove_index_fast(ioas->ioas.maps, i);
        } else if (ranges_overlap(cmd->iova, cmd->length, m->iova,
                                  m->length)) {
            /* Splitting a mapping is not supported (nor needed). */
            return -ENOENT;
        } else {
            i++;
        }
    }
    if (!unmapped) {
        return -ENOENT;
    }
    cmd->length = unmapped;
    return 0;
}

/* The kernel's rule for a guest STE in a nested HWPT (STE.Config). */
static int validate_guest_ste(const uint64_t le[2])
{
    SMMUSte ste = { { GUINT64_FROM_LE(le[0]), GUINT64_FROM_LE(le[1]) } };

    /* An invalid STE (V == 0) reads as abort. */
    switch (smmu_ste_config(&ste)) {
    case SMMU_STE_CONFIG_ABORT:
    case SMMU_STE_CONFIG_BYPASS:
    case SMMU_STE_CONFIG_S1:
        return 0;
    default:
        return -EIO;
    }
}

static int do_hwpt_alloc(IOMMUFDEmulatedHost *host,
                         struct iommu_hwpt_alloc *cmd)
{
    Obj *dev = obj_get(host, cmd->dev_id, OBJ_DEVICE);
    Obj *parent = g_hash_table_lookup(host->objs,
                                      GUINT_TO_POINTER(cmd->pt_id));
    Obj *o;

    if (cmd->__reserved || cmd->__reserved2) {
        return -EOPNOTSUPP;
    }
    if (!dev || !parent) {
        return -ENOENT;
    }
    if (parent->type == OBJ_IOAS) {
        if (cmd->flags & ~IOMMU_HWPT_ALLOC_NEST_PARENT) {
            return -EOPNOTSUPP;
        }
        if (cmd->data_type != IOMMU_HWPT_DATA_NONE || cmd->data_len) {
            return -EINVAL;
        }
        o = obj_new(host, OBJ_HWPT);
        o->hwpt.nest_parent = cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
    } else if (parent->type == OBJ_VIOMMU) {
        uint64_t ste[2];
        int ret;

        if (cmd->flags) {
            return -EOPNOTSUPP;
        }
        if (cmd->data_type != IOMMU_HWPT_DATA_ARM_SMMUV3) {
            return -EOPNOTSUPP;
        }
        if (cmd->data_len != sizeof(ste) || !cmd->data_uptr) {
            return -EINVAL;
        }
        memcpy(ste, (void *)(uintptr_t)cmd->data_uptr, sizeof(ste));
        ret = validate_guest_ste(ste);
        if (ret) {
            return ret;
        }
        o = obj_new(host, OBJ_HWPT);
        o->hwpt.nested = true;
        memcpy(o->hwpt.ste, ste, sizeof(ste));
    } else {
        return -EINVAL;
    }
    o->hwpt.parent = parent;
    ref(parent);
    cmd->out_hwpt_id = o->id;
    return 0;
}

static int do_get_hw_info(IOMMUFDEmulatedHost *host,
                          struct iommu_hw_info *cmd)
{
    Obj *dev = obj_get(host, cmd->dev_id, OBJ_DEVICE);
    struct iommu_hw_info_arm_smmuv3 info = { 0 };
    uint32_t len;

    if (cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) {
        return -EOPNOTSUPP;
    }
    if (!dev) {
        return -ENOENT;
    }
    if ((cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE) &&
        cmd->in_data_type != IOMMU_HW_INFO_TYPE_DEFAULT &&
        cmd->in_data_type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3) {
        return -EOPNOTSUPP;
    }
    memcpy(info.idr, host->idr, sizeof(info.idr));
    info.iidr = host->iidr;
    info.aidr = host->aidr;
    len = MIN(cmd->data_len, (uint32_t)sizeof(info));
    if (len) {
        if (!cmd->data_uptr) {
            return -EFAULT;
        }
        memcpy((void *)(uintptr_t)cmd->data_uptr, &info, len);
    }
    cmd->data_len = sizeof(info);
    cmd->out_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
    cmd->out_capabilities = 0;
    cmd->out_max_pasid_log2 = FIELD_EX32(host->idr[1], IDR1, SSIDSIZE);
    return 0;
}

/* SMMUv3 commands a vIOMMU accepts for invalidation. */
static bool cmd_opcode_allowed(unsigned op)
{
    switch (op) {
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
    case SMMU_CMD_ATC_INV:
        return true;
    default:
        return false;
    }
}

static int do_hwpt_invalidate(IOMMUFDEmulatedHost *host,
                              struct iommu_hwpt_invalidate *cmd)
{
    Obj *viommu = obj_get(host, cmd->hwpt_id, OBJ_VIOMMU);
    uint32_t requested = cmd->entry_num;
    const uint8_t *data = (const uint8_t *)(uintptr_t)cmd->data_uptr;

    cmd->entry_num = 0;
    if (cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    if (!viommu) {
        return g_hash_table_contains(host->objs,
                                     GUINT_TO_POINTER(cmd->hwpt_id)) ?
               -EOPNOTSUPP : -ENOENT;
    }
    if (cmd->data_type != IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3) {
        return -EINVAL;
    }
    if (!requested) {
        return 0;
    }
    if (cmd->entry_len < sizeof(struct iommu_viommu_arm_smmuv3_invalidate) ||
        !data) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < requested; i++) {
        SMMUCmd c;

        memcpy(c.word, data + (size_t)i * cmd->entry_len, sizeof(c.word));
        c.word[0] = GUINT64_FROM_LE(c.word[0]);
        if (!cmd_opcode_allowed(smmu_cmd_opcode(&c))) {
            return -EOPNOTSUPP;
        }
        /* As Linux: a per-device command names a vSID with a vDEVICE. */
        if (smmu_cmd_opcode(&c) != SMMU_CMD_TLBI_NH_ALL &&
            smmu_cmd_opcode(&c) != SMMU_CMD_TLBI_NH_ASID &&
            smmu_cmd_opcode(&c) != SMMU_CMD_TLBI_NH_VA &&
            smmu_cmd_opcode(&c) != SMMU_CMD_TLBI_NH_VAA &&
            !find_vdev_by_virt_id(host, viommu,
                                  FIELD_EX64(c.word[0], CMD_0, SID))) {
            return -EIO;
        }
        viommu->viommu.invalidations++;
        cmd->entry_num = i + 1;
    }
    return 0;
}

static int do_viommu_alloc(IOMMUFDEmulatedHost *host,
                           struct iommu_viommu_alloc *cmd)
{
    Obj *dev = obj_get(host, cmd->dev_id, OBJ_DEVICE);
    Obj *hwpt = obj_get(host, cmd->hwpt_id, OBJ_HWPT);
    Obj *o;

    if (cmd->flags || cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    if (cmd->type != IOMMU_VIOMMU_TYPE_ARM_SMMUV3) {
        return -EOPNOTSUPP;
    }
    if (!dev || !hwpt) {
        return -ENOENT;
    }
    if (!hwpt->hwpt.nest_parent) {
        return -EINVAL;
    }
    o = obj_new(host, OBJ_VIOMMU);
    o->viommu.s2_hwpt = hwpt;
    ref(hwpt);
    cmd->out_viommu_id = o->id;
    return 0;
}

static int do_vdevice_alloc(IOMMUFDEmulatedHost *host,
                            struct iommu_vdevice_alloc *cmd)
{
    Obj *viommu = obj_get(host, cmd->viommu_id, OBJ_VIOMMU);
    Obj *dev = obj_get(host, cmd->dev_id, OBJ_DEVICE);
    Obj *o;

    if (!viommu || !dev) {
        return -ENOENT;
    }
    if (cmd->virt_id > UINT32_MAX) {
        return -EINVAL;         /* a StreamID is 32 bits */
    }
    if (find_vdev(host, viommu, dev) ||
        find_vdev_by_virt_id(host, viommu, cmd->virt_id)) {
        return -EEXIST;
    }
    o = obj_new(host, OBJ_VDEVICE);
    o->vdev.viommu = viommu;
    o->vdev.dev = dev;
    o->vdev.virt_id = cmd->virt_id;
    ref(viommu);
    ref(dev);
    cmd->out_vdevice_id = o->id;
    return 0;
}

static int do_veventq_alloc(IOMMUFDEmulatedHost *host,
                            struct iommu_veventq_alloc *cmd)
{
    Obj *viommu;
    Obj *o;
    int fd;

    if (cmd->flags || cmd->__reserved ||
        cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT) {
        return -EOPNOTSUPP;
    }
    if (!cmd->veventq_depth || cmd->veventq_depth > IOMMUFD_VEVENTQ_MAX_DEPTH) {
        return -EINVAL;
    }
    viommu = obj_get(host, cmd->viommu_id, OBJ_VIOMMU);
    if (!viommu) {
        return -ENOENT;
    }
    if (cmd->type != IOMMU_VEVENTQ_TYPE_ARM_SMMUV3) {
        /* Accepted by Linux whatever the vIOMMU type; never fed here. */
        return -EOPNOTSUPP;
    }
    if (viommu->viommu.veventq_smmu) {
        return -EEXIST;
    }
    fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) {
        return -errno;
    }
    o = obj_new(host, OBJ_VEVENTQ);
    o->veventq.viommu = viommu;
    o->veventq.type = cmd->type;
    o->veventq.depth = cmd->veventq_depth;
    o->veventq.fd = fd;
    o->users = 1;               /* the open descriptor */
    ref(viommu);
    viommu->viommu.veventq_smmu = o;
    g_hash_table_insert(host->veventq_fds, GINT_TO_POINTER(fd), o);
    host->stats.open_fds++;
    cmd->out_veventq_id = o->id;
    cmd->out_veventq_fd = fd;
    return 0;
}

static int do_destroy(IOMMUFDEmulatedHost *host, struct iommu_destroy *cmd)
{
    Obj *o = g_hash_table_lookup(host->objs, GUINT_TO_POINTER(cmd->id));

    if (!o || o->type == OBJ_DEVICE) {
        /* Devices go away by unbinding, not IOMMU_DESTROY. */
        return -ENOENT;
    }
    if (o->users) {
        return -EBUSY;
    }
    obj_destroy(host, o);
    return 0;
}

static int emulated_ioctl(void *opaque, int fd, unsigned long request,
                          void *arg)
{
    IOMMUFDEmulatedHost *host = opaque;
    int ret;

    g_mutex_lock(&host->lock);
    host->stats.ioctls++;
    if (fd != host->token_fd || fd < 0) {
        ret = -EBADF;
        goto out;
    }
    switch (request) {
    case IOMMU_IOAS_ALLOC:
        ret = do_ioas_alloc(host, arg);
        break;
    case IOMMU_IOAS_MAP:
        ret = do_ioas_map(host, arg);
        break;
    case IOMMU_IOAS_MAP_FILE:
        ret = do_ioas_map_file(host, arg);
        break;
    case IOMMU_IOAS_UNMAP:
        ret = do_ioas_unmap(host, arg);
        break;
    case IOMMU_HWPT_ALLOC:
        ret = do_hwpt_alloc(host, arg);
        break;
    case IOMMU_GET_HW_INFO:
        ret = do_get_hw_info(host, arg);
        break;
    case IOMMU_HWPT_INVALIDATE:
        ret = do_hwpt_invalidate(host, arg);
        break;
    case IOMMU_VIOMMU_ALLOC:
        ret = do_viommu_alloc(host, arg);
        break;
    case IOMMU_VDEVICE_ALLOC:
        ret = do_vdevice_alloc(host, arg);
        break;
    case IOMMU_VEVENTQ_ALLOC:
        ret = do_veventq_alloc(host, arg);
        break;
    case IOMMU_DESTROY:
        ret = do_destroy(host, arg);
        break;
    default:
        ret = -ENOTTY;
        break;
    }
out:
    g_mutex_unlock(&host->lock);
    trace_iommufd_emulated_ioctl(iommufd_ioctl_name(request), ret);
    return ret;
}

/* ---- the vEVENTQ descriptor --------------------------------------------- */

static bool veventq_empty(Obj *q)
{
    return !q->veventq.records.len && !q->veventq.lost_pending;
}

static void eventfd_set(int fd)
{
    uint64_t v = 1;

    if (write(fd, &v, sizeof(v)) != sizeof(v)) {
        /* Counter saturation cannot happen: one 1 per empty -> not empty. */
        g_assert_not_reached();
    }
}

/*
 * "eventfd readable" follows "queue not empty": a report that makes the
 * queue non-empty sets it (veventq_push() says when), a read that leaves
 * it empty clears it.  A report's deferred wake-up can land after a read
 * emptied the queue: the next read (of nothing) clears it.
 */
static void veventq_clear_if_empty(Obj *q)
{
    uint64_t v;

    if (veventq_empty(q) && q->veventq.fd >= 0 &&
        read(q->veventq.fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
        g_assert_not_reached();
    }
}

static ssize_t emulated_read(void *opaque, int fd, void *buf, size_t count)
{
    IOMMUFDEmulatedHost *host = opaque;
    struct iommufd_vevent_header hdr;
    uint8_t *out = buf;
    size_t done = 0;
    bool was_empty;
    Obj *q;

    g_mutex_lock(&host->lock);
    q = g_hash_table_lookup(host->veventq_fds, GINT_TO_POINTER(fd));
    if (!q) {
        g_mutex_unlock(&host->lock);
        return -EBADF;
    }
    if (count < sizeof(hdr)) {
        g_mutex_unlock(&host->lock);
        return -EINVAL;
    }
    was_empty = veventq_empty(q);
    for (;;) {
        Record *r = ring_head(&q->veventq.records);

        if (r) {
            if (count - done < sizeof(hdr) + sizeof(r->payload)) {
                break;
            }
            hdr.flags = 0;
            hdr.sequence = r->seq;
            memcpy(out + done, &hdr, sizeof(hdr));
            memcpy(out + done + sizeof(hdr), r->payload, sizeof(r->payload));
            done += sizeof(hdr) + sizeof(r->payload);
            ring_pop(&q->veventq.records);
        } else if (q->veventq.lost_pending) {
            if (count - done < sizeof(hdr)) {
                break;
            }
            hdr.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS;
            hdr.sequence = q->veventq.lost_seq;
            memcpy(out + done, &hdr, sizeof(hdr));
            done += sizeof(hdr);
            q->veventq.lost_pending = false;
        } else {
            break;
        }
    }
    veventq_clear_if_empty(q);
    g_mutex_unlock(&host->lock);
    if (done == 0 && !was_empty) {
        return -EINVAL;     /* the first record does not fit */
    }
    return done;
}

static int emulated_open_dev(void *opaque)
{
    IOMMUFDEmulatedHost *host = opaque;
    int fd;

    g_mutex_lock(&host->lock);
    if (host->token_fd >= 0) {
        g_mutex_unlock(&host->lock);
        return -EBUSY;      /* one iommufd per emulated host */
    }
    /* A real descriptor, so the number is unique in the process. */
    fd = eventfd(0, EFD_CLOEXEC);
    if (fd < 0) {
        fd = -errno;
    } else {
        host->token_fd = fd;
    }
    g_mutex_unlock(&host->lock);
    return fd;
}

static void destroy_all(IOMMUFDEmulatedHost *host)
{
    /* Dependents first: repeat until nothing but in-use objects is left. */
    bool progress = true;

    while (progress) {
        GHashTableIter it;
        gpointer v;

        progress = false;
        g_hash_table_iter_init(&it, host->objs);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
            Obj *o = v;

            if (o->users == 0) {
                if (o->type == OBJ_DEVICE && o->dev.attached) {
                    unref(o->dev.attached);
                    o->dev.attached = NULL;
                }
                obj_destroy(host, o);
                progress = true;
                break;
            }
        }
    }
}

static int emulated_close(void *opaque, int fd)
{
    IOMMUFDEmulatedHost *host = opaque;
    Obj *q;
    int ret = 0;

    g_mutex_lock(&host->wake_lock);
    g_mutex_lock(&host->lock);
    q = g_hash_table_lookup(host->veventq_fds, GINT_TO_POINTER(fd));
    if (q) {
        g_hash_table_remove(host->veventq_fds, GINT_TO_POINTER(fd));
        q->veventq.fd = -1;
        unref(q);
        host->stats.open_fds--;
    } else if (fd == host->token_fd && fd >= 0) {
        /* Closing the iommufd destroys what it owns, as in Linux. */
        destroy_all(host);
        host->token_fd = -1;
    } else {
        ret = -EBADF;
    }
    g_mutex_unlock(&host->lock);
    if (ret == 0 && close(fd) < 0) {
        ret = -errno;
    }
    g_mutex_unlock(&host->wake_lock);
    return ret;
}

/*
 * Host devices of the seam: named by physical StreamID (x-emulated-psid),
 * with no VFIO cdev; their VFIO regions are an emulated PCI function's
 * (include/system/iommufd-emulated-pci.h).
 */
static bool emulated_check_name(const IOMMUFDHostDeviceName *name,
                                Error **errp)
{
    if (name->fd >= 0) {
        error_setg(errp, "fd= passes a VFIO device cdev; a device of the"
                   " emulated host has none (use x-emulated-psid=SID)");
        return false;
    }
    if (name->psid == IOMMUFD_NO_PSID || name->host || name->sysfsdev) {
        error_setg(errp, "a device of the emulated host needs"
                   " x-emulated-psid=SID and no host= or sysfsdev=");
        return false;
    }
    return true;
}

static bool emulated_dev_bind(IOMMUFDBackend *be,
                              const IOMMUFDHostDeviceName *name,
                              IOMMUFDDevice *dev, Error **errp)
{
    if (!iommufd_emulated_bind_device(be->kops_opaque, name->psid,
                                      &dev->devid, errp)) {
        return false;
    }
    dev->fd = -1;
    dev->host_sid = name->psid;
    dev->path = g_strdup("emulated");
    return true;
}

static void emulated_dev_unbind(IOMMUFDBackend *be, IOMMUFDDevice *dev)
{
    Error *err = NULL;

    if (!iommufd_emulated_unbind_device(be->kops_opaque, dev->devid, &err)) {
        error_report_err(err);
    }
}

static bool emulated_dev_attach(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                uint32_t pt_id, Error **errp)
{
    return iommufd_emulated_attach_device(be->kops_opaque, dev->devid, pt_id,
                                          errp);
}

static bool emulated_dev_detach(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                Error **errp)
{
    return iommufd_emulated_detach_device(be->kops_opaque, dev->devid, errp);
}

static int emulated_dev_region_info(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                    uint32_t index, uint64_t *size,
                                    uint64_t *offset)
{
    IOMMUFDEmulatedHost *host = be->kops_opaque;
    Obj *o;
    int ret;

    g_mutex_lock(&host->lock);
    host->stats.ioctls++;       /* VFIO_DEVICE_GET_REGION_INFO */
    o = obj_get(host, dev->devid, OBJ_DEVICE);
    ret = o ? emulated_pci_function_region_info(o->dev.fn, index, size,
                                                offset) : -ENODEV;
    g_mutex_unlock(&host->lock);
    return ret;
}

static ssize_t emulated_dev_region_rw(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                      void *buf, size_t count,
                                      uint64_t offset, bool write)
{
    IOMMUFDEmulatedHost *host = be->kops_opaque;
    Obj *o;
    ssize_t ret;

    g_mutex_lock(&host->lock);
    o = obj_get(host, dev->devid, OBJ_DEVICE);
    ret = o ? emulated_pci_function_rw(o->dev.fn, buf, count, offset, write)
            : -ENODEV;
    g_mutex_unlock(&host->lock);
    return ret;
}

static int emulated_dev_mmap_areas(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                                   uint32_t index, IOMMUFDRegionArea *areas,
                                   unsigned max)
{
    uint64_t size, offset;
    int ret = emulated_dev_region_info(be, dev, index, &size, &offset);

    if (ret < 0) {
        return ret;
    }
    if (index != VFIO_PCI_BAR0_REGION_INDEX || !max) {
        return 0;
    }
    areas[0] = (IOMMUFDRegionArea) { 0, size };
    return 1;
}

static void *emulated_dev_mmap(IOMMUFDBackend *be, IOMMUFDDevice *dev,
                               uint64_t offset, uint64_t size, int *err)
{
    IOMMUFDEmulatedHost *host = be->kops_opaque;
    void *p = NULL;
    Obj *o;

    g_mutex_lock(&host->lock);
    o = obj_get(host, dev->devid, OBJ_DEVICE);
    if (o) {
        p = emulated_pci_function_mmap(o->dev.fn, offset, size, err);
    } else {
        *err = -ENODEV;
    }
    g_mutex_unlock(&host->lock);
    return p;
}

static const IOMMUFDDeviceOps emulated_device_ops = {
    .check_name = emulated_check_name,
    .bind = emulated_dev_bind,
    .unbind = emulated_dev_unbind,
    .attach = emulated_dev_attach,
    .detach = emulated_dev_detach,
    .region_info = emulated_dev_region_info,
    .region_rw = emulated_dev_region_rw,
    .region_mmap_areas = emulated_dev_mmap_areas,
    .region_mmap = emulated_dev_mmap,
};

const IOMMUFDKernelOps iommufd_emulated_ops = {
    .name = "emulated",
    .open_dev = emulated_open_dev,
    .ioctl = emulated_ioctl,
    .read = emulated_read,
    .close = emulated_close,
    .device = &emulated_device_ops,
};

/* ---- host side ------------------------------------------------------------ */

/*
 * A host SMMUv3 like the one vsmmu models, but with 48-bit OAS and
 * 20-bit SubstreamIDs.
 */
static void emulated_host_init_idr(uint32_t idr[6])
{
    uint32_t v = 0;

    /* Stage 1 and 2 (nesting), coherent, little-endian AArch64 tables. */
    v = FIELD_DP32(v, IDR0, S2P, 1);
    v = FIELD_DP32(v, IDR0, S1P, 1);
    v = FIELD_DP32(v, IDR0, TTF, SMMU_IDR0_TTF_AARCH64);
    v = FIELD_DP32(v, IDR0, COHACC, 1);
    v = FIELD_DP32(v, IDR0, ASID16, 1);
    v = FIELD_DP32(v, IDR0, VMID16, 1);
    v = FIELD_DP32(v, IDR0, TTENDIAN, SMMU_TTENDIAN_LE);
    v = FIELD_DP32(v, IDR0, STALL_MODEL, 1);
    v = FIELD_DP32(v, IDR0, TERM_MODEL, 1);
    v = FIELD_DP32(v, IDR0, STLEVEL, 1);        /* 2-level stream table */
    idr[0] = v;

    /* 16-bit StreamIDs, 20-bit SubstreamIDs, 2^19-entry queues. */
    v = 0;
    v = FIELD_DP32(v, IDR1, SIDSIZE, 16);
    v = FIELD_DP32(v, IDR1, SSIDSIZE, 20);
    v = FIELD_DP32(v, IDR1, EVENTQS, 19);
    v = FIELD_DP32(v, IDR1, CMDQS, 19);
    idr[1] = v;

    v = 0;
    v = FIELD_DP32(v, IDR3, HAD, 1);
    v = FIELD_DP32(v, IDR3, XNX, 1);
    v = FIELD_DP32(v, IDR3, RIL, 1);
    v = FIELD_DP32(v, IDR3, BBML, 2);
    idr[3] = v;

    v = 0;
    v = FIELD_DP32(v, IDR5, OAS, SMMU_OAS_48BIT);
    v = FIELD_DP32(v, IDR5, GRAN4K, 1);
    v = FIELD_DP32(v, IDR5, GRAN16K, 1);
    v = FIELD_DP32(v, IDR5, GRAN64K, 1);
    idr[5] = v;
}

IOMMUFDEmulatedHost *iommufd_emulated_host_new(void)
{
    IOMMUFDEmulatedHost *host = g_new0(IOMMUFDEmulatedHost, 1);

    g_mutex_init(&host->wake_lock);
    g_mutex_init(&host->lock);
    host->objs = g_hash_table_new(g_direct_hash, g_direct_equal);
    host->veventq_fds = g_hash_table_new(g_direct_hash, g_direct_equal);
    host->devices = g_hash_table_new(g_direct_hash, g_direct_equal);
    host->token_fd = -1;
    emulated_host_init_idr(host->idr);
    host->aidr = 0x2;           /* SMMUv3.2 */
    return host;
}

void iommufd_emulated_host_free(IOMMUFDEmulatedHost *host)
{
    GHashTableIter it;
    gpointer k;

    if (!host) {
        return;
    }
    /* Descriptors the user never closed. */
    g_hash_table_iter_init(&it, host->veventq_fds);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        close(GPOINTER_TO_INT(k));
    }
    g_hash_table_iter_init(&it, host->objs);
    while (g_hash_table_iter_next(&it, NULL, &k)) {
        Obj *o = k;

        if (o->type == OBJ_IOAS) {
            g_array_free(o->ioas.maps, TRUE);
        } else if (o->type == OBJ_VEVENTQ) {
            veventq_clear(o);
        }
        g_free(o);
    }
    if (host->token_fd >= 0) {
        close(host->token_fd);
    }
    g_hash_table_destroy(host->objs);
    g_hash_table_destroy(host->veventq_fds);
    g_hash_table_destroy(host->devices);
    g_mutex_clear(&host->lock);
    g_mutex_clear(&host->wake_lock);
    g_free(host);
}

void iommufd_emulated_host_set_idr(IOMMUFDEmulatedHost *host, int n,
                                   uint32_t value)
{
    g_assert(n >= 0 && n < 6);
    g_mutex_lock(&host->lock);
    host->idr[n] = value;
    g_mutex_unlock(&host->lock);
}

bool iommufd_emulated_bind_device(IOMMUFDEmulatedHost *host, uint32_t psid,
                                  uint32_t *out_dev_id, Error **errp)
{
    Obj *o;

    g_mutex_lock(&host->lock);
    if (find_device_by_psid(host, psid)) {
        g_mutex_unlock(&host->lock);
        error_setg(errp, "emulated host: device with StreamID 0x%x is"
                   " already bound", psid);
        return false;
    }
    o = obj_new(host, OBJ_DEVICE);
    o->dev.psid = psid;
    o->dev.fn = emulated_pci_function_new();
    g_hash_table_insert(host->devices, GUINT_TO_POINTER(psid), o);
    *out_dev_id = o->id;
    g_mutex_unlock(&host->lock);
    trace_iommufd_emulated_bind(psid, *out_dev_id);
    return true;
}

bool iommufd_emulated_attach_device(IOMMUFDEmulatedHost *host,
                                    uint32_t dev_id, uint32_t hwpt_id,
                                    Error **errp)
{
    Obj *dev, *hwpt;

    g_mutex_lock(&host->lock);
    host->stats.ioctls++;       /* VFIO_DEVICE_ATTACH_IOMMUFD_PT */
    dev = obj_get(host, dev_id, OBJ_DEVICE);
    /* An IOAS stands for its automatic paging domain, as in Linux. */
    hwpt = obj_get(host, hwpt_id, OBJ_HWPT);
    if (!hwpt) {
        hwpt = obj_get(host, hwpt_id, OBJ_IOAS);
    }
    if (!dev || !hwpt) {
        g_mutex_unlock(&host->lock);
        error_setg(errp, "emulated host: cannot attach device %u to HWPT %u:"
                   " %s", dev_id, hwpt_id, g_strerror(ENOENT));
        return false;
    }
    if (dev->dev.attached != hwpt) {
        unref(dev->dev.attached);
        dev->dev.attached = hwpt;
        ref(hwpt);
    }
    g_mutex_unlock(&host->lock);
    trace_iommufd_emulated_attach(dev_id, hwpt_id);
    return true;
}

bool iommufd_emulated_detach_device(IOMMUFDEmulatedHost *host,
                                    uint32_t dev_id, Error **errp)
{
    Obj *dev;

    g_mutex_lock(&host->lock);
    host->stats.ioctls++;       /* VFIO_DEVICE_DETACH_IOMMUFD_PT */
    dev = obj_get(host, dev_id, OBJ_DEVICE);
    if (!dev) {
        g_mutex_unlock(&host->lock);
        error_setg(errp, "emulated host: no device %u", dev_id);
        return false;
    }
    unref(dev->dev.attached);
    dev->dev.attached = NULL;
    g_mutex_unlock(&host->lock);
    trace_iommufd_emulated_attach(dev_id, 0);
    return true;
}

bool iommufd_emulated_unbind_device(IOMMUFDEmulatedHost *host,
                                    uint32_t dev_id, Error **errp)
{
    Obj *dev;
    GHashTableIter it;
    gpointer v;

    g_mutex_lock(&host->lock);
    dev = obj_get(host, dev_id, OBJ_DEVICE);
    if (!dev) {
        g_mutex_unlock(&host->lock);
        error_setg(errp, "emulated host: no device %u", dev_id);
        return false;
    }
    /* As in Linux: unbinding removes the device's vDEVICEs. */
    g_hash_table_iter_init(&it, host->objs);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        Obj *o = v;

        if (o->type == OBJ_VDEVICE && o->vdev.dev == dev) {
            obj_destroy(host, o);
            g_hash_table_iter_init(&it, host->objs);
        }
    }
    unref(dev->dev.attached);
    dev->dev.attached = NULL;
    if (dev->users) {
        g_mutex_unlock(&host->lock);
        error_setg(errp, "emulated host: device %u is still in use", dev_id);
        return false;
    }
    obj_destroy(host, dev);
    g_mutex_unlock(&host->lock);
    return true;
}

/*
 * Queue one event on q with the kernel's tail drop; the StreamID field
 * becomes virt_id.  Called with the lock held; *wake is set when the
 * queue went from empty to not empty (its eventfd is to be set).
 */
static IOMMUFDEmulatedReport veventq_push(IOMMUFDEmulatedHost *host, Obj *q,
                                          const uint64_t evt[4],
                                          uint64_t virt_id, uint32_t *out_seq,
                                          bool *wake)
{
    bool was_empty = veventq_empty(q);
    uint32_t seq = q->veventq.next_seq;
    IOMMUFDEmulatedReport res;

    q->veventq.next_seq = (seq + 1) & INT_MAX;
    *out_seq = seq;
    if (q->veventq.records.len >= q->veventq.depth) {
        /* Tail drop; the LOST_EVENTS header moves to the tail. */
        q->veventq.lost_pending = true;
        q->veventq.lost_seq = seq;
        res = EMULATED_REPORT_OVERFLOW;
        host->stats.overflowed++;
    } else {
        Record *r = ring_push(&q->veventq.records);
        SMMUEvent e;

        /* A newer event replaces a trailing LOST header (a gap stays). */
        q->veventq.lost_pending = false;
        smmu_event_from_dwords(&e, evt);
        e.word[1] = FIELD_DP32(e.word[1], EVT_1, SID, virt_id);
        r->seq = seq;
        smmu_event_to_le(&e, r->payload);
        res = EMULATED_REPORT_QUEUED;
        host->stats.queued++;
    }
    *wake = was_empty && !veventq_empty(q) && q->veventq.fd >= 0;
    return res;
}

bool iommufd_emulated_queue_raw(IOMMUFDEmulatedHost *host,
                                uint32_t viommu_id, const uint64_t evt[4],
                                IOMMUFDEmulatedReport *result, Error **errp)
{
    Obj *viommu;
    SMMUEvent e;
    uint32_t seq;
    bool wake;

    g_mutex_lock(&host->lock);
    viommu = obj_get(host, viommu_id, OBJ_VIOMMU);
    if (!viommu || !viommu->viommu.veventq_smmu) {
        g_mutex_unlock(&host->lock);
        error_setg(errp, "emulated host: vIOMMU %u has no ARM_SMMUV3"
                   " vEVENTQ", viommu_id);
        return false;
    }
    host->stats.reported++;
    /* The record is already the guest's: it keeps its StreamID. */
    smmu_event_from_dwords(&e, evt);
    *result = veventq_push(host, viommu->viommu.veventq_smmu, evt,
                           smmu_event_get_sid(&e), &seq, &wake);
    if (wake) {
        eventfd_set(viommu->viommu.veventq_smmu->veventq.fd);
    }
    g_mutex_unlock(&host->lock);
    return true;
}

/*
 * Where a device's events go, as its attachment decides: the vEVENTQ and
 * the virt_id of its vDEVICE, or q NULL for "host only".  Valid while the
 * lock is held.
 */
typedef struct Route {
    Obj *dev;
    Obj *q;
    uint64_t virt_id;
} Route;

/*
 * Routes looked up during one report, by psid; the lock is held.  And the
 * eventfds to set once it is dropped.
 */
#define ROUTE_CACHE 4

typedef struct RouteCache {
    Route routes[ROUTE_CACHE];
    uint32_t psids[ROUTE_CACHE];
    unsigned n, next;
    int wake_fds[ROUTE_CACHE];
    unsigned n_wake;
} RouteCache;

static bool route_lookup(IOMMUFDEmulatedHost *host, RouteCache *c,
                         uint32_t psid, Route *out)
{
    Obj *dev, *hwpt, *vdev;
    unsigned slot;

    for (unsigned i = 0; i < c->n; i++) {
        if (c->psids[i] == psid) {
            *out = c->routes[i];
            return true;
        }
    }
    dev = find_device_by_psid(host, psid);
    if (!dev) {
        return false;
    }
    *out = (Route) { .dev = dev };
    hwpt = dev->dev.attached;
    if (hwpt && hwpt->type == OBJ_HWPT && hwpt->hwpt.nested) {
        Obj *viommu = hwpt->hwpt.parent;

        vdev = find_vdev(host, viommu, dev);
        if (vdev && viommu->viommu.veventq_smmu) {
            out->q = viommu->viommu.veventq_smmu;
            out->virt_id = vdev->vdev.virt_id;
        }
    }
    slot = c->n < ROUTE_CACHE ? c->n++ : c->next++ % ROUTE_CACHE;
    c->psids[slot] = psid;
    c->routes[slot] = *out;
    return true;
}

/* One event, the lock held; false for an unknown psid. */
static bool report_one(IOMMUFDEmulatedHost *host, RouteCache *c,
                       const uint64_t evt[4], IOMMUFDEmulatedReportInfo *out,
                       Error **errp)
{
    SMMUEventInfo info;
    SMMUEvent e;
    Route rt;

    smmu_event_from_dwords(&e, evt);
    smmu_event_parse(&e, &info);
    if (!route_lookup(host, c, info.sid, &rt)) {
        error_setg(errp, "emulated host: no device with StreamID 0x%x",
                   info.sid);
        return false;
    }
    host->stats.reported++;
    *out = (IOMMUFDEmulatedReportInfo) { .result = EMULATED_REPORT_HOST_ONLY };
    if (rt.q && evt_type_forwarded(info.type) && !info.stall && !info.s2) {
        bool wake;

        out->result = veventq_push(host, rt.q, evt, rt.virt_id, &out->seq,
                                   &wake);
        out->veventq_id = rt.q->id;
        if (wake && c->n_wake < ROUTE_CACHE) {
            c->wake_fds[c->n_wake++] = rt.q->veventq.fd;
        } else if (wake) {
            eventfd_set(rt.q->veventq.fd);      /* at once, then */
        }
    } else {
        host->stats.host_only++;
    }
    trace_iommufd_emulated_report(info.sid, info.type, out->result);
    return true;
}

size_t iommufd_emulated_report_events(IOMMUFDEmulatedHost *host,
                                      const uint64_t (*evts)[4], size_t n,
                                      IOMMUFDEmulatedReportInfo *info,
                                      Error **errp)
{
    RouteCache cache = { .n = 0 };
    IOMMUFDEmulatedReportInfo one;
    size_t i;

    g_mutex_lock(&host->wake_lock);
    g_mutex_lock(&host->lock);
    for (i = 0; i < n; i++) {
        if (!report_one(host, &cache, evts[i], info ? &info[i] : &one,
                        errp)) {
            break;
        }
    }
    g_mutex_unlock(&host->lock);
    for (unsigned k = 0; k < cache.n_wake; k++) {
        eventfd_set(cache.wake_fds[k]);
    }
    g_mutex_unlock(&host->wake_lock);
    return i;
}

bool iommufd_emulated_report_event(IOMMUFDEmulatedHost *host,
                                   const uint64_t evt[4],
                                   IOMMUFDEmulatedReport *result,
                                   Error **errp)
{
    IOMMUFDEmulatedReportInfo info;

    if (!iommufd_emulated_report_events(host, (const uint64_t (*)[4])evt, 1,
                                        &info, errp)) {
        return false;
    }
    if (result) {
        *result = info.result;
    }
    return true;
}

void iommufd_emulated_host_stats(IOMMUFDEmulatedHost *host,
                                 IOMMUFDEmulatedStats *stats)
{
    g_mutex_lock(&host->lock);
    *stats = host->stats;
    g_mutex_unlock(&host->lock);
}
