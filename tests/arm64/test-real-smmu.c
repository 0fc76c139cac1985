/*
 * test-real-smmu: the real arm-smmu-v3 vEVENTQ producer, driven through
 * vsmmu's iommufd backend.
 *
 * Runs as /init of the arm64 test-bed VM (tests/arm64/run-vm.sh): an arm64
 * Linux guest of qemu-system-aarch64 whose emulated SMMUv3 supports
 * nesting, with QEMU's "edu" PCI device behind it.  The program plays the
 * part of a VMM that gives edu to a guest:
 *
 *   edu -> vfio-pci (driver_override) -> VFIO cdev bound to our iommufd
 *   GET_HW_INFO (must be ARM_SMMUV3), IOAS, nesting-parent HWPT, attach,
 *   vIOMMU (ARM_SMMUV3), vDEVICE (virtual StreamID 0x42), vEVENTQ (64),
 *   the "guest's" stage-1 structures (one CD, an empty level-1 table)
 *   mapped into the IOAS at their IPAs, a nested HWPT from a guest STE
 *   (stage-1 translate, CD pointer), attach,
 *
 * then makes edu DMA to IOVAs with no stage-1 mapping.  The SMMU reports
 * stage-1 translation faults; the kernel forwards them to the vEVENTQ with
 * the StreamID replaced by the virtual one.  Every iommufd ioctl and the
 * vEVENTQ reads go through backends/iommufd.c.
 *
 * Output: the VSMMU-TEST protocol of tests/kernel/vmlib.h, plus the raw
 * records as "VSMMU-TEST: # seq N: w0 w1 w2 w3" (64-bit words, hex).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/iommufd.h"
#include "hw/arm/smmuv3-common.h"
#include "system/vfio-cdev-abi.h"
#include "vmlib.h"
#include "edu-vfio.h"

#include <limits.h>
#include <endian.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#define VIRT_SID            0x42

/* edu registers (BAR0) and its DMA engine. */
#define EDU_REG_DMA_SRC     0x80
#define EDU_REG_DMA_DST     0x88
#define EDU_REG_DMA_CNT     0x90
#define EDU_REG_DMA_CMD     0x98
#define EDU_DMA_RUN         0x1
#define EDU_DMA_TO_RAM      0x2     /* direction: device buffer -> RAM */
#define EDU_BUFFER          0x40000 /* device address of edu's buffer */

/* IOVAs of the two DMAs: nothing is mapped there at stage 1. */
#define IOVA_READ           0x200000ull
#define IOVA_WRITE          0x201000ull
#define DMA_LEN             8

/*
 * IPAs ("guest physical") of the guest's stage-1 structures.  Below the
 * edu's 28-bit reach is irrelevant here (the SMMU fetches them, not edu),
 * but they must avoid the SMMU driver's MSI window at 0x8000000.
 */
#define IPA_CD              0x10000000ull
#define IPA_TT              0x10001000ull
#define IPA_CD_UNMAPPED     0x20000000ull   /* negative control */

#define MAX_RECORDS         64

typedef struct Record {
    uint32_t flags;
    uint32_t seq;
    uint64_t w[4];
} Record;

static struct {
    IOMMUFDBackend *be;
    char bdf[NAME_MAX + 1];
    int devfd;
    uint32_t devid;
    uint64_t bar0_off, cfg_off;
    uint32_t ioas, s2_hwpt, viommu, vdev, veventq, s1_hwpt, bad_hwpt;
    int veventq_fd;
    void *cd, *tt;
    uint32_t next_seq;
    bool ready;             /* the setup steps all passed */
} t = { .devfd = -1, .veventq_fd = -1 };

/* Fail the current test with the backend's message when CALL fails. */
#define BE_OK(call, ...) \
    do { \
        Error *be_err_ = NULL; \
        if (!(call)) { \
            char be_what_[512]; \
            snprintf(be_what_, sizeof(be_what_), __VA_ARGS__); \
            VM_ASSERT(false, "%s: %s", be_what_, \
                      error_get_pretty(be_err_)); \
        } \
        error_free(be_err_); \
    } while (0)
#define ERRP (&be_err_)

static void need_setup(void)
{
    if (!t.ready) {
        vm_skip_current("an earlier setup step failed");
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- VFIO access to edu ------------------------------------------------ */

static uint64_t region_offset(uint32_t index, uint64_t min_size)
{
    struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

    VM_ASSERT(ioctl(t.devfd, VFIO_DEVICE_GET_REGION_INFO, &info) == 0,
              "VFIO_DEVICE_GET_REGION_INFO of region %u of %s", index, t.bdf);
    VM_ASSERT(info.size >= min_size,
              "region %u of %s is %llu bytes, expected at least %llu", index,
              t.bdf, (unsigned long long)info.size,
              (unsigned long long)min_size);
    return info.offset;
}

static void bar_write32(uint64_t reg, uint32_t val)
{
    VM_ASSERT(pwrite(t.devfd, &val, 4, (off_t)(t.bar0_off + reg)) == 4,
              "write edu register 0x%" PRIx64 " through VFIO", reg);
}

static uint32_t bar_read32(uint64_t reg)
{
    uint32_t val = 0;

    VM_ASSERT(pread(t.devfd, &val, 4, (off_t)(t.bar0_off + reg)) == 4,
              "read edu register 0x%" PRIx64 " through VFIO", reg);
    return val;
}

/* One edu DMA of DMA_LEN bytes; returns when edu reports it finished. */
static void edu_dma(uint64_t src, uint64_t dst, bool to_ram)
{
    int64_t deadline = now_ms() + 5000;

    bar_write32(EDU_REG_DMA_SRC, (uint32_t)src);
    bar_write32(EDU_REG_DMA_SRC + 4, (uint32_t)(src >> 32));
    bar_write32(EDU_REG_DMA_DST, (uint32_t)dst);
    bar_write32(EDU_REG_DMA_DST + 4, (uint32_t)(dst >> 32));
    bar_write32(EDU_REG_DMA_CNT, DMA_LEN);
    bar_write32(EDU_REG_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
    while (bar_read32(EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
        VM_ASSERT(now_ms() < deadline,
                  "edu DMA (src 0x%" PRIx64 " dst 0x%" PRIx64 ") did not "
                  "finish within 5 s", src, dst);
        usleep(10000);
    }
}

static void attach(uint32_t pt_id, const char *what)
{
    struct vfio_device_attach_iommufd_pt at = {
        .argsz = sizeof(at), .pt_id = pt_id,
    };

    VM_ASSERT(ioctl(t.devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0,
              "VFIO_DEVICE_ATTACH_IOMMUFD_PT of %s to %s (id %u)", t.bdf,
              what, pt_id);
}

/* ---- vEVENTQ ------------------------------------------------------------ */

/*
 * Collect records until WANT have arrived or QUIET_MS pass without one.
 * Returns the number stored in REC.
 */
static int collect(Record *rec, int max, int want, int quiet_ms)
{
    uint8_t buf[4096];
    const size_t hsz = sizeof(struct iommufd_vevent_header);
    const size_t rsz = sizeof(struct iommu_vevent_arm_smmuv3);
    int n = 0;

    while (n < want) {
        struct pollfd pfd = { .fd = t.veventq_fd, .events = POLLIN };
        int pr = poll(&pfd, 1, quiet_ms);
        ssize_t len;

        VM_ASSERT(pr >= 0, "poll on the vEVENTQ fd");
        if (pr == 0) {
            break;
        }
        len = iommufd_backend_read_veventq(t.be, t.veventq_fd, buf,
                                           sizeof(buf));
        VM_ASSERT(len >= 0, "iommufd_backend_read_veventq: %s",
                  strerror((int)-len));
        VM_ASSERT(len > 0, "vEVENTQ fd polled readable but read 0 bytes");
        for (size_t off = 0; off < (size_t)len;) {
            struct iommufd_vevent_header h;
            Record *r = &rec[n];

            VM_ASSERT(off + hsz <= (size_t)len,
                      "vEVENTQ read of %zd bytes ends inside a header", len);
            memcpy(&h, buf + off, hsz);
            off += hsz;
            VM_ASSERT(!(h.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS),
                      "vEVENTQ reports lost events (seq %u)", h.sequence);
            VM_ASSERT(off + rsz <= (size_t)len,
                      "vEVENTQ read of %zd bytes ends inside a record", len);
            VM_ASSERT(n < max, "more than %d vEVENTs", max);
            r->flags = h.flags;
            r->seq = h.sequence;
            memcpy(r->w, buf + off, rsz);
            off += rsz;
            for (int i = 0; i < 4; i++) {
                r->w[i] = le64toh(r->w[i]);
            }
            vm_note("seq %u: %016" PRIx64 " %016" PRIx64 " %016" PRIx64
                    " %016" PRIx64, r->seq, r->w[0], r->w[1], r->w[2],
                    r->w[3]);
            n++;
        }
    }
    return n;
}

/* ---- the tests ----------------------------------------------------------- */

static void test_bind_vfio(void *opaque)
{
    char cdev[NAME_MAX + 32];

    edu_bind_vfio(t.bdf, sizeof(t.bdf), cdev, sizeof(cdev));
    vm_note("edu is %s", t.bdf);
    t.devfd = open(cdev, O_RDWR | O_CLOEXEC);
    VM_ASSERT(t.devfd >= 0, "open %s", cdev);
    vm_note("VFIO cdev %s", cdev);
}

static void test_bind_iommufd(void *opaque)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    struct iommu_hw_info_arm_smmuv3 info;
    uint32_t type = 0;
    uint64_t caps = 0;
    uint16_t cmd = 0;
    uint32_t id;

    VM_ASSERT(t.devfd >= 0, "no VFIO device (previous test failed)");
    t.be = iommufd_backend_new("iommufd0");
    BE_OK(iommufd_backend_connect(t.be, ERRP), "connect iommufd backend");
    bind.iommufd = t.be->fd;
    VM_ASSERT(ioctl(t.devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind) == 0,
              "VFIO_DEVICE_BIND_IOMMUFD of %s", t.bdf);
    t.devid = bind.out_devid;
    memset(&info, 0, sizeof(info));
    BE_OK(iommufd_backend_get_device_info(t.be, t.devid, &type, &info,
                                          sizeof(info), &caps, NULL, ERRP),
          "GET_HW_INFO of dev_id %u", t.devid);
    vm_note("dev_id %u hw_info type %u caps 0x%" PRIx64 " idr0 0x%08x "
            "idr3 0x%08x iidr 0x%08x aidr 0x%08x", t.devid, type, caps,
            info.idr[0], info.idr[3], info.iidr, info.aidr);
    VM_ASSERT(type == IOMMU_HW_INFO_TYPE_ARM_SMMUV3,
              "kernel fact: GET_HW_INFO type is ARM_SMMUV3 (%u), got %u",
              IOMMU_HW_INFO_TYPE_ARM_SMMUV3, type);

    /* edu's registers, and bus mastering so that its DMA reaches the SMMU. */
    t.bar0_off = region_offset(VFIO_PCI_BAR0_REGION_INDEX, 0x100);
    t.cfg_off = region_offset(VFIO_PCI_CONFIG_REGION_INDEX, 0x40);
    VM_ASSERT(pread(t.devfd, &cmd, 2, (off_t)(t.cfg_off + PCI_COMMAND)) == 2,
              "read PCI_COMMAND of %s", t.bdf);
    cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    VM_ASSERT(pwrite(t.devfd, &cmd, 2, (off_t)(t.cfg_off + PCI_COMMAND)) == 2,
              "enable memory and bus mastering of %s", t.bdf);
    id = bar_read32(0);
    VM_ASSERT((id & 0xff) == 0xed, "edu identification register reads "
              "0x%08x through VFIO, expected 0x??????ed", id);
}

static void test_viommu(void *opaque)
{
    VM_ASSERT(t.be && t.devid, "device not bound (previous test failed)");
    BE_OK(iommufd_backend_alloc_ioas(t.be, &t.ioas, ERRP), "IOAS");
    BE_OK(iommufd_backend_alloc_hwpt(t.be, t.devid, t.ioas,
                                     IOMMU_HWPT_ALLOC_NEST_PARENT,
                                     IOMMU_HWPT_DATA_NONE, 0, NULL,
                                     &t.s2_hwpt, ERRP),
          "nesting-parent HWPT on IOAS %u", t.ioas);
    attach(t.s2_hwpt, "the nesting-parent HWPT");
    BE_OK(iommufd_backend_alloc_viommu(t.be, t.devid,
                                       IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
                                       t.s2_hwpt, NULL, 0, &t.viommu, ERRP),
          "ARM_SMMUV3 vIOMMU (EOPNOTSUPP means no CANWBS/S2FWB: the IORT "
          "override did not apply)");
    BE_OK(iommufd_backend_alloc_vdev(t.be, t.devid, t.viommu, VIRT_SID,
                                     &t.vdev, ERRP),
          "vDEVICE 0x%x", VIRT_SID);
    BE_OK(iommufd_backend_alloc_veventq(t.be, t.viommu,
                                        IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 64,
                                        &t.veventq, &t.veventq_fd, ERRP),
          "ARM_SMMUV3 vEVENTQ of depth 64");
    vm_note("ioas %u s2_hwpt %u viommu %u vdev %u veventq %u (fd %d)",
            t.ioas, t.s2_hwpt, t.viommu, t.vdev, t.veventq, t.veventq_fd);
}

static void *guest_page(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

    VM_ASSERT(p != MAP_FAILED, "mmap of a guest page");
    memset(p, 0, 4096);
    return p;
}

/* The guest's STE: stage 1 through the CD at CD_IPA, WB-cached, IS. */
static uint32_t nested_hwpt(uint64_t cd_ipa)
{
    SMMUSte s1 = smmu_ste_make(SMMU_STE_CONFIG_S1);
    struct iommu_hwpt_arm_smmuv3 ste;
    uint32_t id = 0;

    s1.word[0] |= cd_ipa & R_STE_0_S1CTXPTR_MASK;
    s1.word[1] = FIELD_DP64(s1.word[1], STE_1, S1CIR, SMMU_CACHE_WBRA);
    s1.word[1] = FIELD_DP64(s1.word[1], STE_1, S1COR, SMMU_CACHE_WBRA);
    s1.word[1] = FIELD_DP64(s1.word[1], STE_1, S1CSH, SMMU_SH_ISH);
    ste.ste[0] = htole64(s1.word[0]);
    ste.ste[1] = htole64(s1.word[1]);

    BE_OK(iommufd_backend_alloc_hwpt(t.be, t.devid, t.viommu, 0,
                                     IOMMU_HWPT_DATA_ARM_SMMUV3, sizeof(ste),
                                     &ste, &id, ERRP),
          "nested HWPT (STE S1 translate, CD at IPA 0x%" PRIx64 ")",
          cd_ipa);
    return id;
}

/*
 * CD word 0: a 39-bit TTB0 walk (4K granule, WB, inner shareable), no
 * TTB1, 40-bit IPS, AArch64, faults recorded (R) and aborted (A), ASID 1.
 */
static uint64_t cd0_stage1(void)
{
    uint64_t v = 0;

    v = FIELD_DP64(v, CD_0, T0SZ, 25);
    v = FIELD_DP64(v, CD_0, TG0, SMMU_TG0_4K);
    v = FIELD_DP64(v, CD_0, IR0, SMMU_CACHE_WBRA);
    v = FIELD_DP64(v, CD_0, OR0, SMMU_CACHE_WBRA);
    v = FIELD_DP64(v, CD_0, SH0, SMMU_SH_ISH);
    v = FIELD_DP64(v, CD_0, EPD1, 1);
    v = FIELD_DP64(v, CD_0, V, 1);
    v = FIELD_DP64(v, CD_0, IPS, SMMU_OAS_40BIT);
    v = FIELD_DP64(v, CD_0, AA64, 1);
    v = FIELD_DP64(v, CD_0, R, 1);
    v = FIELD_DP64(v, CD_0, A, 1);
    v = FIELD_DP64(v, CD_0, ASET, 1);
    v = FIELD_DP64(v, CD_0, ASID, 1);
    return v;
}

static SMMUEventInfo record_info(const Record *r)
{
    SMMUEventInfo info;
    SMMUEvent e;

    smmu_event_from_dwords(&e, r->w);
    smmu_event_parse(&e, &info);
    return info;
}

static void test_nested(void *opaque)
{
    uint64_t *cd;

    VM_ASSERT(t.veventq_fd >= 0, "no vEVENTQ (previous test failed)");
    /* The guest's stage 1: one CD, and an empty level-1 table for TTB0. */
    t.cd = guest_page();
    t.tt = guest_page();
    cd = t.cd;
    cd[0] = htole64(cd0_stage1());
    cd[1] = htole64(IPA_TT & R_CD_1_TTB0_MASK);
    cd[3] = htole64(0xff);              /* MAIR: attr 0 normal WB */
    BE_OK(iommufd_backend_map_dma(t.be, t.ioas, IPA_CD, 4096, t.cd, false,
                                  ERRP), "map the CD at IPA 0x%llx",
          IPA_CD);
    BE_OK(iommufd_backend_map_dma(t.be, t.ioas, IPA_TT, 4096, t.tt, false,
                                  ERRP), "map the stage-1 table at IPA "
          "0x%llx", IPA_TT);
    t.s1_hwpt = nested_hwpt(IPA_CD);
    attach(t.s1_hwpt, "the nested HWPT");
    vm_note("nested hwpt %u attached; CD 0x%016" PRIx64 " 0x%016" PRIx64,
            t.s1_hwpt, le64toh(cd[0]), le64toh(cd[1]));
    t.ready = true;
}

static void test_faults(void *opaque)
{
    Record rec[MAX_RECORDS];
    int n, nread = 0, nwrite = 0;

    need_setup();
    edu_dma(IOVA_READ, EDU_BUFFER, false);          /* RAM -> edu: a read */
    edu_dma(EDU_BUFFER, IOVA_WRITE, true);          /* edu -> RAM: a write */
    n = collect(rec, MAX_RECORDS, MAX_RECORDS, 1500);
    VM_ASSERT(n > 0, "no vEVENT within 1.5 s of two faulting DMAs");
    for (int i = 0; i < n; i++) {
        const Record *r = &rec[i];
        SMMUEventInfo e = record_info(r);
        uint64_t iova = e.input_addr;

        VM_ASSERT(r->seq == t.next_seq, "record %d has sequence %u, "
                  "expected %u", i, r->seq, t.next_seq);
        t.next_seq++;
        VM_ASSERT(e.type == SMMU_EVT_F_TRANSLATION,
                  "seq %u: event type %s, expected F_TRANSLATION",
                  r->seq, smmu_event_type_name(e.type));
        VM_ASSERT(e.sid == VIRT_SID,
                  "seq %u: StreamID 0x%x, expected the virtual SID 0x%x",
                  r->seq, e.sid, VIRT_SID);
        VM_ASSERT(!e.s2 && !e.stall,
                  "seq %u: S2 or stall set in 0x%016" PRIx64, r->seq,
                  r->w[1]);
        if (iova >= IOVA_READ && iova < IOVA_READ + DMA_LEN) {
            VM_ASSERT(e.rnw, "seq %u: RnW clear for the DMA "
                      "read at 0x%" PRIx64, r->seq, iova);
            nread++;
        } else if (iova >= IOVA_WRITE && iova < IOVA_WRITE + DMA_LEN) {
            VM_ASSERT(!e.rnw, "seq %u: RnW set for the DMA "
                      "write at 0x%" PRIx64, r->seq, iova);
            nwrite++;
        } else {
            VM_ASSERT(false, "seq %u: unexpected IOVA 0x%" PRIx64, r->seq,
                      iova);
        }
    }
    VM_ASSERT(nread > 0, "no record for the DMA read at 0x%llx", IOVA_READ);
    VM_ASSERT(nwrite > 0, "no record for the DMA write at 0x%llx",
              IOVA_WRITE);
    vm_note("%d records: %d for the read, %d for the write", n, nread,
            nwrite);
}

/*
 * Did the kernel log an event containing NEEDLE since KMSG was opened and
 * moved to its end?  Shows that the DMA really faulted when nothing is
 * forwarded.
 */
static bool kmsg_has(int kmsg, const char *needle)
{
    char rec[2048];
    bool found = false;
    ssize_t n;

    /* One record per read; EPIPE: records were overwritten, go on. */
    for (;;) {
        n = read(kmsg, rec, sizeof(rec) - 1);
        if (n < 0 && errno == EPIPE) {
            continue;
        }
        if (n <= 0) {
            return found;
        }
        rec[n] = '\0';
        found = found || strstr(rec, needle) != NULL;
    }
}

static void test_negative(void *opaque)
{
    Record rec[MAX_RECORDS];
    int kmsg, n;

    need_setup();
    kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    VM_ASSERT(kmsg >= 0, "open /dev/kmsg");
    VM_ASSERT(lseek(kmsg, 0, SEEK_END) >= 0, "seek to the end of /dev/kmsg");
    t.bad_hwpt = nested_hwpt(IPA_CD_UNMAPPED);
    attach(t.bad_hwpt, "the nested HWPT with an unmapped CD");
    edu_dma(IOVA_READ, EDU_BUFFER, false);
    n = collect(rec, MAX_RECORDS, 1, 1000);
    VM_ASSERT(n == 0, "kernel fact: a stage-2 fault on the CD fetch is not "
              "forwarded, but %d vEVENT(s) arrived (first: %s)", n,
              n ? smmu_event_type_name(record_info(&rec[0]).type) : "none");
    VM_ASSERT(kmsg_has(kmsg, "CD fetch"), "the DMA did not fault: no "
              "'CD fetch' event in the kernel log (the negative control "
              "proves nothing)");
    close(kmsg);
    attach(t.s1_hwpt, "the nested HWPT");
}

static void test_busy(void *opaque)
{
    struct iommu_destroy d = { .size = sizeof(d), .id = t.veventq };
    int ret;

    need_setup();
    ret = iommufd_backend_ioctl(t.be, IOMMU_DESTROY, &d);
    VM_ASSERT(ret == -EBUSY, "kernel fact: IOMMU_DESTROY of vEVENTQ %u with "
              "its fd open is EBUSY, got %d (%s)", t.veventq, ret,
              ret ? strerror(-ret) : "success");
}

static void test_teardown(void *opaque)
{
    struct vfio_device_detach_iommufd_pt det = { .argsz = sizeof(det) };
    uint32_t ids[7];
    int nids = 0;

    need_setup();
    iommufd_backend_close_fd(t.be, t.veventq_fd);
    t.veventq_fd = -1;
    VM_ASSERT(ioctl(t.devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &det) == 0,
              "VFIO_DEVICE_DETACH_IOMMUFD_PT of %s", t.bdf);
    ids[nids++] = t.veventq;
    ids[nids++] = t.s1_hwpt;
    ids[nids++] = t.bad_hwpt;
    ids[nids++] = t.vdev;
    ids[nids++] = t.viommu;
    ids[nids++] = t.s2_hwpt;
    for (int i = 0; i < nids; i++) {
        if (ids[i]) {
            BE_OK(iommufd_backend_free_id(t.be, ids[i], ERRP),
                  "destroy object %u", ids[i]);
        }
    }
    BE_OK(iommufd_backend_unmap_dma(t.be, t.ioas, IPA_CD, 0x2000, ERRP),
          "unmap the guest structures");
    BE_OK(iommufd_backend_free_id(t.be, t.ioas, ERRP), "destroy IOAS %u",
          t.ioas);
    ids[nids++] = t.ioas;
    for (int i = 0; i < nids; i++) {
        struct iommu_destroy d = { .size = sizeof(d), .id = ids[i] };
        int ret;

        if (!ids[i]) {
            continue;
        }
        ret = iommufd_backend_ioctl(t.be, IOMMU_DESTROY, &d);
        VM_ASSERT(ret == -ENOENT, "object %u still exists after teardown "
                  "(IOMMU_DESTROY returned %d)", ids[i], ret);
    }
    VM_ASSERT(close(t.devfd) == 0, "close the VFIO device");
    t.devfd = -1;
    iommufd_backend_disconnect(t.be);
    iommufd_backend_free(t.be);
    t.be = NULL;
}

int main(void)
{
    vm_init();
    vm_run("edu bound to vfio-pci", test_bind_vfio, NULL);
    vm_run("VFIO cdev bound to iommufd, GET_HW_INFO is ARM_SMMUV3",
           test_bind_iommufd, NULL);
    vm_run("nesting parent, vIOMMU, vDEVICE 0x42, vEVENTQ depth 64",
           test_viommu, NULL);
    vm_run("nested HWPT from a guest STE attached", test_nested, NULL);
    vm_run("stage-1 faults arrive as ARM_SMMUV3 vEVENTs with the vSID",
           test_faults, NULL);
    vm_run("stage-2 fault on the CD fetch is not forwarded",
           test_negative, NULL);
    vm_run("vEVENTQ destroy with its fd open is EBUSY", test_busy, NULL);
    vm_run("teardown leaves no objects", test_teardown, NULL);
    vm_finish();
}
