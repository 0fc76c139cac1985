/*
 * The emulated host must behave like Linux's iommufd as observed on 7.3
 * (docs/devel/testing.rst, kernel test bed): these tests state each
 * observed fact and check it through the real backend helpers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/iommufd.h"
#include "system/iommufd-emulated.h"
#include "hw/arm/smmuv3-common.h"
#include <poll.h>

#define PSID 0x8
#define VSID 0x42
#define REC_SIZE (sizeof(struct iommufd_vevent_header) + \
                  sizeof(struct iommu_vevent_arm_smmuv3))

typedef struct Fixture {
    IOMMUFDEmulatedHost *host;
    IOMMUFDBackend *be;
    uint32_t dev_id, ioas_id, s2_hwpt, viommu, vdev, nested;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    SMMUSte s1 = smmu_ste_make(SMMU_STE_CONFIG_S1);
    uint64_t ste[2] = { GUINT64_TO_LE(s1.word[0]), 0 };

    f->host = iommufd_emulated_host_new();
    f->be = iommufd_backend_new("iommufd0");
    iommufd_backend_set_kernel(f->be, &iommufd_emulated_ops, f->host);
    g_assert_true(iommufd_backend_connect(f->be, &error_abort));
    g_assert_true(iommufd_emulated_bind_device(f->host, PSID, &f->dev_id,
                                               &error_abort));
    g_assert_true(iommufd_backend_alloc_ioas(f->be, &f->ioas_id,
                                             &error_abort));
    g_assert_true(iommufd_backend_alloc_hwpt(f->be, f->dev_id, f->ioas_id,
                                             IOMMU_HWPT_ALLOC_NEST_PARENT,
                                             IOMMU_HWPT_DATA_NONE, 0, NULL,
                                             &f->s2_hwpt, &error_abort));
    g_assert_true(iommufd_emulated_attach_device(f->host, f->dev_id,
                                                 f->s2_hwpt, &error_abort));
    g_assert_true(iommufd_backend_alloc_viommu(f->be, f->dev_id,
                                               IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
                                               f->s2_hwpt, NULL, 0,
                                               &f->viommu, &error_abort));
    g_assert_true(iommufd_backend_alloc_vdev(f->be, f->dev_id, f->viommu,
                                             VSID, &f->vdev, &error_abort));
    g_assert_true(iommufd_backend_alloc_hwpt(f->be, f->dev_id, f->viommu, 0,
                                             IOMMU_HWPT_DATA_ARM_SMMUV3,
                                             sizeof(ste), ste, &f->nested,
                                             &error_abort));
    g_assert_true(iommufd_emulated_attach_device(f->host, f->dev_id,
                                                 f->nested, &error_abort));
}

static void teardown(Fixture *f, gconstpointer data)
{
    IOMMUFDEmulatedStats st;

    iommufd_backend_disconnect(f->be);
    /* Closing the iommufd destroyed everything but the bound device. */
    iommufd_emulated_host_stats(f->host, &st);
    g_assert_cmpuint(st.open_fds, ==, 0);
    iommufd_backend_free(f->be);
    iommufd_emulated_host_free(f->host);
}

static void report(Fixture *f, uint32_t psid, uint8_t type, bool s2,
                   bool stall, uint64_t addr, IOMMUFDEmulatedReport want)
{
    SMMUEventInfo info = {
        .type = type, .sid = psid, .stall = stall, .s2 = s2,
        .class_ = SMMU_EVT_CLASS_IN, .input_addr = addr,
    };
    IOMMUFDEmulatedReport got;
    SMMUEvent rec;
    uint64_t evt[4];

    smmu_event_build(&rec, &info);
    smmu_event_to_dwords(&rec, evt);

    g_assert_true(iommufd_emulated_report_event(f->host, evt, &got,
                                                &error_abort));
    g_assert_cmpint(got, ==, want);
}

static void alloc_queue(Fixture *f, uint32_t depth, uint32_t *id, int *fd)
{
    g_assert_true(iommufd_backend_alloc_veventq(f->be, f->viommu,
                                                IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
                                                depth, id, fd, &error_abort));
}

static void free_queue(Fixture *f, uint32_t id, int fd)
{
    iommufd_backend_close_fd(f->be, fd);
    g_assert_true(iommufd_backend_free_id(f->be, id, &error_abort));
}

static bool readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    g_assert_cmpint(poll(&p, 1, 0), >=, 0);
    return p.revents & POLLIN;
}

static struct iommufd_vevent_header hdr_at(const uint8_t *buf, size_t off)
{
    struct iommufd_vevent_header h;

    memcpy(&h, buf + off, sizeof(h));
    return h;
}

static void test_alloc_rules(Fixture *f, gconstpointer data)
{
    struct iommu_veventq_alloc cmd = {
        .size = sizeof(cmd), .viommu_id = f->viommu,
        .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, .veventq_depth = 8,
    };
    Error *err = NULL;
    uint32_t id, id2;
    int fd, fd2;

    /* Fact: depth above 2^19 is EINVAL. */
    g_assert_false(iommufd_backend_alloc_veventq(f->be, f->viommu, 1,
                                                 (1u << 19) + 1, &id, &fd,
                                                 &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "Invalid argument"));
    error_free_or_abort(&err);
    /* Fact: flags != 0 and type 0 are EOPNOTSUPP. */
    cmd.flags = 1;
    g_assert_cmpint(iommufd_backend_ioctl(f->be, IOMMU_VEVENTQ_ALLOC, &cmd),
                    ==, -EOPNOTSUPP);
    cmd.flags = 0;
    cmd.type = 0;
    g_assert_cmpint(iommufd_backend_ioctl(f->be, IOMMU_VEVENTQ_ALLOC, &cmd),
                    ==, -EOPNOTSUPP);
    /* Fact: a bad vIOMMU id is ENOENT. */
    g_assert_false(iommufd_backend_alloc_veventq(f->be, 999, 1, 8, &id, &fd,
                                                 &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "No such file"));
    error_free_or_abort(&err);

    alloc_queue(f, 1u << 19, &id, &fd);
    /* Fact: a second queue of one type on a vIOMMU is EEXIST. */
    g_assert_false(iommufd_backend_alloc_veventq(f->be, f->viommu, 1, 8,
                                                 &id2, &fd2, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "IOMMU_VEVENTQ_ALLOC failed (viommu_id=4 type=1 depth=8):"
                    " File exists");
    error_free_or_abort(&err);
    /* Fact: destroying the queue while its fd is open is EBUSY. */
    g_assert_false(iommufd_backend_free_id(f->be, id, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "Device or resource busy"));
    error_free_or_abort(&err);
    /* The vIOMMU is in use by the queue. */
    g_assert_false(iommufd_backend_free_id(f->be, f->viommu, &err));
    error_free_or_abort(&err);
    free_queue(f, id, fd);
    /* After close and destroy, a new queue may be made. */
    alloc_queue(f, 8, &id, &fd);
    free_queue(f, id, fd);
}

static void test_read_rules(Fixture *f, gconstpointer data)
{
    uint8_t buf[4096];
    uint32_t id;
    int fd;
    ssize_t n;

    alloc_queue(f, 64, &id, &fd);
    /* Fact: an empty queue reads 0 at once; count < 8 is EINVAL. */
    g_assert_cmpint(iommufd_backend_read_veventq(f->be, fd, buf, 4096), ==, 0);
    g_assert_cmpint(iommufd_backend_read_veventq(f->be, fd, buf, 7), ==,
                    -EINVAL);
    g_assert_cmpint(iommufd_backend_read_veventq(f->be, fd, buf, 0), ==,
                    -EINVAL);
    g_assert_false(readable(fd));

    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0x200000, EMULATED_REPORT_QUEUED);
    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0x201000, EMULATED_REPORT_QUEUED);
    g_assert_true(readable(fd));
    /* Fact: a buffer under the first record is EINVAL, not a short read. */
    g_assert_cmpint(iommufd_backend_read_veventq(f->be, fd, buf, 21), ==,
                    -EINVAL);
    /* Fact: only whole records, as many as fit. */
    n = iommufd_backend_read_veventq(f->be, fd, buf, REC_SIZE + 21);
    g_assert_cmpint(n, ==, REC_SIZE);
    g_assert_cmpuint(hdr_at(buf, 0).sequence, ==, 0);
    g_assert_true(readable(fd));
    n = iommufd_backend_read_veventq(f->be, fd, buf, sizeof(buf));
    g_assert_cmpint(n, ==, REC_SIZE);
    g_assert_cmpuint(hdr_at(buf, 0).sequence, ==, 1);
    g_assert_false(readable(fd));
    free_queue(f, id, fd);
}

static void test_sid_rewrite(Fixture *f, gconstpointer data)
{
    uint8_t buf[REC_SIZE];
    uint64_t w[4];
    uint32_t id;
    int fd;

    alloc_queue(f, 8, &id, &fd);
    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0x200004, EMULATED_REPORT_QUEUED);
    g_assert_cmpint(iommufd_backend_read_veventq(f->be, fd, buf, sizeof(buf)),
                    ==, REC_SIZE);
    memcpy(w, buf + 8, sizeof(w));
    /* Only the StreamID field changes: physical 0x8 becomes vSID 0x42. */
    g_assert_cmphex(GUINT64_FROM_LE(w[0]), ==, 0x0000004200000010ull);
    g_assert_cmphex(GUINT64_FROM_LE(w[1]), ==, 2ull << 40);
    g_assert_cmphex(GUINT64_FROM_LE(w[2]), ==, 0x200004);
    g_assert_cmphex(GUINT64_FROM_LE(w[3]), ==, 0);

    /* Not forwarded: stage 2, stall, an event type Linux keeps. */
    report(f, PSID, SMMU_EVT_F_TRANSLATION, true, false, 0, EMULATED_REPORT_HOST_ONLY);
    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, true, 0, EMULATED_REPORT_HOST_ONLY);
    report(f, PSID, SMMU_EVT_F_TLB_CONFLICT, false, false, 0, EMULATED_REPORT_HOST_ONLY);
    g_assert_false(readable(fd));
    free_queue(f, id, fd);

    /* No queue: host only.  Unknown StreamID: an error. */
    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0, EMULATED_REPORT_HOST_ONLY);
    {
        SMMUEvent rec;
        uint64_t evt[4];
        Error *err = NULL;

        smmu_event_init(&rec, SMMU_EVT_F_TRANSLATION, 0x99);
        smmu_event_to_dwords(&rec, evt);

        g_assert_false(iommufd_emulated_report_event(f->host, evt, NULL,
                                                     &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "emulated host: no device with StreamID 0x99");
        error_free(err);
    }
}

static void test_overflow(Fixture *f, gconstpointer data)
{
    uint8_t buf[4096];
    struct iommufd_vevent_header h;
    uint32_t id;
    int fd;
    ssize_t n;

    alloc_queue(f, 2, &id, &fd);
    /* Fact: depth 2, three events: seq 0, 1, then LOST_EVENTS seq 2. */
    for (int i = 0; i < 3; i++) {
        report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, i << 12,
               i < 2 ? EMULATED_REPORT_QUEUED : EMULATED_REPORT_OVERFLOW);
    }
    n = iommufd_backend_read_veventq(f->be, fd, buf, sizeof(buf));
    g_assert_cmpint(n, ==, 2 * REC_SIZE + 8);
    g_assert_cmpuint(hdr_at(buf, 0).sequence, ==, 0);
    g_assert_cmpuint(hdr_at(buf, REC_SIZE).sequence, ==, 1);
    h = hdr_at(buf, 2 * REC_SIZE);
    g_assert_cmpuint(h.flags, ==, IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
    g_assert_cmpuint(h.sequence, ==, 2);

    /* Fact: ten into depth 2: seq 3, 4, LOST with the last dropped, 12. */
    for (int i = 0; i < 10; i++) {
        report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0,
               i < 2 ? EMULATED_REPORT_QUEUED : EMULATED_REPORT_OVERFLOW);
    }
    /* Fact: the LOST header alone can be read with count 8 once last. */
    n = iommufd_backend_read_veventq(f->be, fd, buf, 2 * REC_SIZE);
    g_assert_cmpint(n, ==, 2 * REC_SIZE);
    g_assert_cmpuint(hdr_at(buf, 0).sequence, ==, 3);
    g_assert_cmpuint(hdr_at(buf, REC_SIZE).sequence, ==, 4);
    n = iommufd_backend_read_veventq(f->be, fd, buf, 8);
    g_assert_cmpint(n, ==, 8);
    h = hdr_at(buf, 0);
    g_assert_cmpuint(h.flags, ==, IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
    g_assert_cmpuint(h.sequence, ==, 12);

    /*
     * Fact: when a slot frees while the LOST header is last, the next
     * event replaces it and only a gap remains.
     */
    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0, EMULATED_REPORT_QUEUED); /* 13 */
    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0, EMULATED_REPORT_QUEUED); /* 14 */
    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0, EMULATED_REPORT_OVERFLOW); /* 15 */
    n = iommufd_backend_read_veventq(f->be, fd, buf, REC_SIZE);
    g_assert_cmpuint(hdr_at(buf, 0).sequence, ==, 13);
    report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0, EMULATED_REPORT_QUEUED); /* 16 */
    n = iommufd_backend_read_veventq(f->be, fd, buf, sizeof(buf));
    g_assert_cmpint(n, ==, 2 * REC_SIZE);
    g_assert_cmpuint(hdr_at(buf, 0).sequence, ==, 14);
    g_assert_cmpuint(hdr_at(buf, 0).flags, ==, 0);
    g_assert_cmpuint(hdr_at(buf, REC_SIZE).sequence, ==, 16);
    g_assert_cmpuint(hdr_at(buf, REC_SIZE).flags, ==, 0);
    free_queue(f, id, fd);
}

static void test_depth1_storm(Fixture *f, gconstpointer data)
{
    uint8_t buf[4096];
    IOMMUFDEmulatedStats st;
    uint32_t id;
    int fd;

    alloc_queue(f, 1, &id, &fd);
    /* Fact: depth 1 and 100000 events: seq 0, then LOST seq 99999. */
    for (int i = 0; i < 100000; i++) {
        report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0,
               i == 0 ? EMULATED_REPORT_QUEUED : EMULATED_REPORT_OVERFLOW);
    }
    g_assert_cmpint(iommufd_backend_read_veventq(f->be, fd, buf, sizeof(buf)),
                    ==, REC_SIZE + 8);
    g_assert_cmpuint(hdr_at(buf, 0).sequence, ==, 0);
    g_assert_cmpuint(hdr_at(buf, REC_SIZE).flags, ==,
                     IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
    g_assert_cmpuint(hdr_at(buf, REC_SIZE).sequence, ==, 99999);
    iommufd_emulated_host_stats(f->host, &st);
    g_assert_cmpuint(st.queued, ==, 1);
    g_assert_cmpuint(st.overflowed, ==, 99999);
    free_queue(f, id, fd);
}

static void encode_evt(uint32_t psid, bool s2, uint64_t addr,
                       uint64_t evt[4])
{
    SMMUEventInfo info = {
        .type = SMMU_EVT_F_TRANSLATION, .sid = psid, .s2 = s2,
        .class_ = SMMU_EVT_CLASS_IN, .input_addr = addr,
    };
    SMMUEvent rec;

    smmu_event_build(&rec, &info);
    smmu_event_to_dwords(&rec, evt);
}

/* Read everything queued; check the sequence numbers are first, first+1.. */
static size_t read_all_in_order(Fixture *f, int fd, uint32_t first)
{
    g_autofree uint8_t *buf = g_malloc(512 * REC_SIZE);
    size_t total = 0;
    ssize_t n;

    while ((n = iommufd_backend_read_veventq(f->be, fd, buf,
                                             512 * REC_SIZE)) > 0) {
        g_assert_cmpint(n % REC_SIZE, ==, 0);
        for (ssize_t off = 0; off < n; off += REC_SIZE) {
            uint64_t w[4];

            g_assert_cmpuint(hdr_at(buf, off).flags, ==, 0);
            g_assert_cmpuint(hdr_at(buf, off).sequence, ==, first + total);
            memcpy(w, buf + off + 8, sizeof(w));
            /* The records keep their order: address = sequence. */
            g_assert_cmphex(GUINT64_FROM_LE(w[2]), ==, (first + total) << 12);
            total++;
        }
    }
    g_assert_cmpint(n, ==, 0);
    return total;
}

/*
 * A batch is the same as its events reported one by one, in order; the
 * reader is woken once for it; an unknown StreamID stops it there.
 */
static void test_batch(Fixture *f, gconstpointer data)
{
    uint64_t evts[300][4];
    IOMMUFDEmulatedReportInfo info[300];
    IOMMUFDEmulatedStats st;
    Error *err = NULL;
    uint32_t id;
    int fd;

    alloc_queue(f, 200, &id, &fd);
    /* 100 events, the 50th of stage 2 (host only). */
    for (int i = 0, a = 0; i < 100; i++) {
        encode_evt(PSID, i == 49, i == 49 ? 0 : (uint64_t)a++ << 12,
                   evts[i]);
    }
    g_assert_cmpuint(iommufd_emulated_report_events(f->host, evts, 100, info,
                                                    &error_abort), ==, 100);
    for (int i = 0; i < 100; i++) {
        g_assert_cmpint(info[i].result, ==, i == 49 ?
                        EMULATED_REPORT_HOST_ONLY : EMULATED_REPORT_QUEUED);
        if (i != 49) {
            g_assert_cmpuint(info[i].veventq_id, ==, id);
            g_assert_cmpuint(info[i].seq, ==, i < 49 ? i : i - 1);
        }
    }
    g_assert_true(readable(fd));
    g_assert_cmpuint(read_all_in_order(f, fd, 0), ==, 99);
    g_assert_false(readable(fd));

    /* 300 into depth 200: the ring grows, then tail drop from the 201st. */
    for (int i = 0; i < 300; i++) {
        encode_evt(PSID, false, (uint64_t)(99 + i) << 12, evts[i]);
    }
    g_assert_cmpuint(iommufd_emulated_report_events(f->host, evts, 300, info,
                                                    NULL), ==, 300);
    g_assert_cmpint(info[199].result, ==, EMULATED_REPORT_QUEUED);
    g_assert_cmpint(info[200].result, ==, EMULATED_REPORT_OVERFLOW);
    g_assert_cmpuint(info[299].seq, ==, 99 + 299);
    {
        uint8_t buf[REC_SIZE * 200 + 8];
        ssize_t n = iommufd_backend_read_veventq(f->be, fd, buf, sizeof(buf));

        g_assert_cmpint(n, ==, 200 * REC_SIZE + 8);
        g_assert_cmpuint(hdr_at(buf, 199 * REC_SIZE).sequence, ==, 99 + 199);
        g_assert_cmpuint(hdr_at(buf, 200 * REC_SIZE).flags, ==,
                         IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
        g_assert_cmpuint(hdr_at(buf, 200 * REC_SIZE).sequence, ==, 99 + 299);
    }

    /* An unknown StreamID in the middle: the ones before it are reported. */
    encode_evt(PSID, false, 399ull << 12, evts[0]);
    encode_evt(0x99, false, 0, evts[1]);
    encode_evt(PSID, false, 400ull << 12, evts[2]);
    g_assert_cmpuint(iommufd_emulated_report_events(f->host, evts, 3, info,
                                                    &err), ==, 1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "emulated host: no device with StreamID 0x99");
    error_free(err);
    g_assert_cmpuint(read_all_in_order(f, fd, 399), ==, 1);
    iommufd_emulated_host_stats(f->host, &st);
    g_assert_cmpuint(st.reported, ==, 100 + 300 + 1);
    g_assert_cmpuint(st.queued, ==, 99 + 200 + 1);
    g_assert_cmpuint(st.overflowed, ==, 100);
    g_assert_cmpuint(st.host_only, ==, 1);
    free_queue(f, id, fd);
}

/*
 * Reads and reports interleaved: the queue's ring wraps, and grows (from
 * 64 slots) while wrapped, keeping the order.
 */
static void test_ring_wrap(Fixture *f, gconstpointer data)
{
    uint8_t buf[REC_SIZE * 7];
    uint64_t evt[4];
    uint32_t id, next = 0, seen = 0;
    int fd;

    alloc_queue(f, 100, &id, &fd);
    for (int round = 0; round < 40; round++) {
        for (int i = 0; i < 16; i++, next++) {
            encode_evt(PSID, false, (uint64_t)next << 12, evt);
            g_assert_true(iommufd_emulated_report_event(f->host, evt, NULL,
                                                        &error_abort));
        }
        for (int i = 0; i < 2; i++) {
            ssize_t n = iommufd_backend_read_veventq(f->be, fd, buf,
                                                     sizeof(buf));

            g_assert_cmpint(n, ==, sizeof(buf));
            for (int k = 0; k < 7; k++, seen++) {
                g_assert_cmpuint(hdr_at(buf, k * REC_SIZE).sequence, ==,
                                 seen);
            }
        }
    }
    g_assert_cmpuint(read_all_in_order(f, fd, seen), ==, next - seen);
    free_queue(f, id, fd);
}

static void test_vdevice_rules(Fixture *f, gconstpointer data)
{
    Error *err = NULL;
    uint32_t id, dev2;

    /* One vDEVICE per device and per virt_id in a vIOMMU. */
    g_assert_false(iommufd_backend_alloc_vdev(f->be, f->dev_id, f->viommu,
                                              0x43, &id, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "File exists"));
    error_free_or_abort(&err);
    g_assert_true(iommufd_emulated_bind_device(f->host, 0x10, &dev2,
                                               &error_abort));
    g_assert_false(iommufd_backend_alloc_vdev(f->be, dev2, f->viommu, VSID,
                                              &id, &err));
    error_free_or_abort(&err);
    /* A re-created vDEVICE with a new virt_id rewrites to the new one. */
    g_assert_true(iommufd_backend_free_id(f->be, f->vdev, &error_abort));
    g_assert_true(iommufd_backend_alloc_vdev(f->be, f->dev_id, f->viommu,
                                             0x77, &f->vdev, &error_abort));
    {
        uint8_t buf[REC_SIZE];
        uint64_t w0;
        uint32_t qid;
        int fd;

        alloc_queue(f, 4, &qid, &fd);
        report(f, PSID, SMMU_EVT_F_TRANSLATION, false, false, 0, EMULATED_REPORT_QUEUED);
        g_assert_cmpint(iommufd_backend_read_veventq(f->be, fd, buf,
                                                     sizeof(buf)), ==,
                        REC_SIZE);
        memcpy(&w0, buf + 8, sizeof(w0));
        g_assert_cmphex(GUINT64_FROM_LE(w0) >> 32, ==, 0x77);
        free_queue(f, qid, fd);
    }
    /* A StreamID is 32 bits. */
    g_assert_false(iommufd_backend_alloc_vdev(f->be, dev2, f->viommu,
                                              1ull << 32, &id, &err));
    error_free_or_abort(&err);
}

static void test_hwpt_rules(Fixture *f, gconstpointer data)
{
    SMMUSte s2 = smmu_ste_make(SMMU_STE_CONFIG_S2);
    uint64_t ste[2] = { GUINT64_TO_LE(s2.word[0]), 0 };
    Error *err = NULL;
    uint32_t id, n = 1;
    struct iommu_viommu_arm_smmuv3_invalidate cmd = {
        .cmd = {
            GUINT64_TO_LE(smmu_cmd_make(SMMU_CMD_PREFETCH_CONFIG).word[0]), 0
        },
    };

    g_assert_false(iommufd_backend_alloc_hwpt(f->be, f->dev_id, f->viommu, 0,
                                              IOMMU_HWPT_DATA_ARM_SMMUV3,
                                              sizeof(ste), ste, &id, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "Input/output error"));
    error_free_or_abort(&err);
    /* A vIOMMU needs a nesting parent. */
    g_assert_true(iommufd_backend_alloc_hwpt(f->be, f->dev_id, f->ioas_id, 0,
                                             IOMMU_HWPT_DATA_NONE, 0, NULL,
                                             &id, &error_abort));
    g_assert_false(iommufd_backend_alloc_viommu(f->be, f->dev_id,
                                                IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
                                                id, NULL, 0, &id, &err));
    error_free_or_abort(&err);
    /* Invalidation: only TLBI/ATC/CFGI_CD commands; stops at the first. */
    g_assert_false(iommufd_backend_invalidate_cache(
        f->be, f->viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        sizeof(cmd), &n, &cmd, &err));
    g_assert_cmpuint(n, ==, 0);
    error_free_or_abort(&err);
    cmd.cmd[0] = GUINT64_TO_LE(smmu_cmd_make(SMMU_CMD_TLBI_NH_VA).word[0]);
    n = 1;
    g_assert_true(iommufd_backend_invalidate_cache(
        f->be, f->viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        sizeof(cmd), &n, &cmd, &error_abort));
    g_assert_cmpuint(n, ==, 1);
}

static void test_hw_info(Fixture *f, gconstpointer data)
{
    struct iommu_hw_info_arm_smmuv3 info;
    uint32_t type = 0;
    uint8_t pasid = 0;

    g_assert_true(iommufd_backend_get_device_info(f->be, f->dev_id, &type,
                                                  &info, sizeof(info), NULL,
                                                  &pasid, &error_abort));
    g_assert_cmpuint(type, ==, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
    /* The ID register words, as the spec's field positions give them. */
    g_assert_cmphex(info.idr[0], ==, 0x0d44101b);
    g_assert_cmphex(info.idr[1], ==, 0x02730510);
    g_assert_cmphex(info.idr[3], ==, 0x00001414);
    g_assert_cmphex(info.idr[5], ==, 0x00000075);
    g_assert_cmpuint(FIELD_EX32(info.idr[1], IDR1, SIDSIZE), ==, 16);
    g_assert_cmpuint(pasid, ==, 20);
}

static void test_map(Fixture *f, gconstpointer data)
{
    static uint8_t ram[3 * 4096] __attribute__((aligned(4096)));
    Error *err = NULL;

    g_assert_true(iommufd_backend_map_dma(f->be, f->ioas_id, 0x40000000,
                                          0x2000, ram, false, &error_abort));
    /* Overlap: EEXIST. */
    g_assert_false(iommufd_backend_map_dma(f->be, f->ioas_id, 0x40001000,
                                           0x1000, ram, false, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "File exists"));
    error_free_or_abort(&err);
    g_assert_true(iommufd_backend_unmap_dma(f->be, f->ioas_id, 0x40000000,
                                            0x2000, &error_abort));
    /* Nothing mapped: the backend treats ENOENT as success. */
    g_assert_true(iommufd_backend_unmap_dma(f->be, f->ioas_id, 0x40000000,
                                            0x2000, &error_abort));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/iommufd-emulated/veventq/alloc-rules", test_alloc_rules);
    ADD("/iommufd-emulated/veventq/read-rules", test_read_rules);
    ADD("/iommufd-emulated/veventq/sid-rewrite", test_sid_rewrite);
    ADD("/iommufd-emulated/veventq/overflow", test_overflow);
    ADD("/iommufd-emulated/veventq/depth1-storm", test_depth1_storm);
    ADD("/iommufd-emulated/veventq/batch", test_batch);
    ADD("/iommufd-emulated/veventq/ring-wrap", test_ring_wrap);
    ADD("/iommufd-emulated/vdevice-rules", test_vdevice_rules);
    ADD("/iommufd-emulated/hwpt-rules", test_hwpt_rules);
    ADD("/iommufd-emulated/hw-info", test_hw_info);
    ADD("/iommufd-emulated/map", test_map);
#undef ADD
    return g_test_run();
}
