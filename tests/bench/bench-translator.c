/*
 * The translator's ceiling, in process (no sockets, no daemon): batches
 * of vEVENTQ records go through the vEVENTQ reader (parse, sequence
 * accounting, packing) and the SMMUv3 accel translator (vSID ownership,
 * guest entries in guest RAM, one PROD publication and one interrupt
 * decision per batch), exactly as in vsmmu-daemon, beside a plain
 * parse-and-memcpy loop over the same buffers in the same run: the
 * memory limit of this machine for the same bytes.
 *
 * A bench kernel seam stands for the host: each read() returns the next
 * batch of records (what the kernel's copy_to_user costs is in our
 * figure), and before it the "guest" consumes everything (EVENTQ_CONS =
 * EVENTQ_PROD), so every record is written and none overflows.
 *
 * It prints; it judges nothing (see docs/devel/performance.rst).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "accel-fixture.h"
#include "smmuv3-internal.h"

#define RECORD      (IOMMUFD_VEVENT_HEADER_SIZE + SMMU_EVENT_SIZE)
#define EVENTS      (1u << 24)      /* per measurement */
#define ROUNDS      3               /* the best of, for a ceiling */

typedef struct BenchHost {
    AccelFixture *f;
    uint8_t *records;           /* one batch, headers included */
    size_t per_read;
    uint32_t next_seq;
    bool pending;               /* a batch is ready for the next read */
} BenchHost;

/* The guest has read everything so far. */
static void guest_consume(AccelFixture *f)
{
    uint32_t prod = qsmmuv3_readl(&f->d, SMMU_PAGE1_OFFSET + A_EVENTQ_PROD);

    qsmmuv3_writel(&f->d, SMMU_PAGE1_OFFSET + A_EVENTQ_CONS,
                   prod & ~R_EVENTQ_PROD_OVFLG_MASK);
}

static ssize_t bench_read(void *opaque, int fd, void *buf, size_t count)
{
    BenchHost *h = opaque;
    size_t n = MIN(h->per_read, count / RECORD);
    uint8_t *p = buf;

    /* A batch, then "empty", as a drained kernel queue answers. */
    h->pending = !h->pending;
    if (h->pending) {
        return 0;
    }
    guest_consume(h->f);
    memcpy(buf, h->records, n * RECORD);
    for (size_t i = 0; i < n; i++, p += RECORD) {
        uint32_t seq = GUINT32_TO_LE(h->next_seq);

        memcpy(p + 4, &seq, sizeof(seq));
        h->next_seq = (h->next_seq + 1) & INT_MAX;
    }
    return n * RECORD;
}

static const IOMMUFDKernelOps bench_ops = {
    .name = "bench",
    .read = bench_read,
};

static void fill_records(BenchHost *h, unsigned ndevs)
{
    h->records = g_malloc0(h->per_read * RECORD);
    for (size_t i = 0; i < h->per_read; i++) {
        SMMUEventInfo info = {
            .type = SMMU_EVT_F_TRANSLATION, .sid = ACCEL_FIX_VSID(i % ndevs),
            .rnw = true, .class_ = SMMU_EVT_CLASS_IN,
            .input_addr = 0x100000 + i * 0x1000,
        };
        SMMUEvent e;

        smmu_event_build(&e, &info);
        smmu_event_to_le(&e, h->records + i * RECORD +
                         IOMMUFD_VEVENT_HEADER_SIZE);
    }
}

static void translate(void *opaque, const VeventqBatch *b)
{
    smmuv3_accel_translate(opaque, b);
}

/* Ours: EVENTS records through the reader and the translator; ns. */
static gint64 run_ours(AccelFixture *f, BenchHost *h, uint32_t depth)
{
    IOMMUFDBackend *be = iommufd_backend_new("bench");
    VeventqReaderConfig cfg = {
        .be = be, .veventq_id = 1, .fd = 0,
        .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
        .payload_size = SMMU_EVENT_SIZE, .depth = depth,
        .max_buffer = SMMUV3_ACCEL_READ_BUFFER,
        .batch_cb = translate, .opaque = accel_fixture_smmu(f),
    };
    VeventqReader *r;
    gint64 best = 0;

    iommufd_backend_set_kernel(be, &bench_ops, h);
    r = veventq_reader_new(&cfg, &error_abort);
    h->per_read = veventq_reader_batch_capacity(r);
    fill_records(h, f->ndevs);
    veventq_reader_drain(r);                /* warm up */
    for (int round = 0; round < ROUNDS; round++) {
        gint64 t0 = g_get_monotonic_time(), t;
        uint64_t done = 0;

        while (done < EVENTS) {
            done += veventq_reader_drain(r);
        }
        t = (g_get_monotonic_time() - t0) * 1000 * (gint64)EVENTS /
            (gint64)done;
        best = round ? MIN(best, t) : t;
    }
    veventq_reader_free(r);
    iommufd_backend_free(be);
    return best;
}

/* The memory limit: parse each header, copy each payload into a ring. */
static gint64 memcpy_round(const BenchHost *h, uint8_t *ring, uint32_t depth)
{
    uint32_t prod = 0, last = INT_MAX, bad = 0;
    uint64_t done = 0;
    gint64 t0 = g_get_monotonic_time();

    while (done < EVENTS) {
        const uint8_t *p = h->records;

        for (size_t i = 0; i < h->per_read; i++, p += RECORD) {
            struct iommufd_vevent_header hdr;

            memcpy(&hdr, p, sizeof(hdr));
            bad += hdr.flags != 0 || hdr.sequence == last;
            last = hdr.sequence;
            memcpy(ring + (size_t)prod * SMMU_EVENT_SIZE,
                   p + IOMMUFD_VEVENT_HEADER_SIZE, SMMU_EVENT_SIZE);
            prod = (prod + 1) & (depth - 1);
        }
        done += h->per_read;
    }
    t0 = g_get_monotonic_time() - t0;
    /* Keep the loop's work observable. */
    g_assert_cmpuint(bad + ring[0] + 1, >, 0);
    return t0 * 1000 * (gint64)EVENTS / (gint64)done;
}

static gint64 run_memcpy(const BenchHost *h, uint32_t depth)
{
    uint8_t *ring = g_malloc0((size_t)depth * SMMU_EVENT_SIZE);
    gint64 best = memcpy_round(h, ring, depth);

    for (int round = 1; round < ROUNDS; round++) {
        best = MIN(best, memcpy_round(h, ring, depth));
    }
    g_free(ring);
    return best;
}

static void bench_one(unsigned ndevs, unsigned log2size)
{
    AccelFixture f;
    BenchHost h = { .f = &f };
    SMMUv3AccelInfo info;
    gint64 ours, base;
    double ev_ours, ev_base;

    accel_fixture_setup(&f, ndevs, 8, log2size);
    ours = run_ours(&f, &h, 1u << log2size);
    base = run_memcpy(&h, 1u << log2size);
    smmuv3_accel_get_info(accel_fixture_smmu(&f), &info);
    smmuv3_accel_info_free(&info);
    /* Every record was ours and fitted: the figure is of real work. */
    g_assert_cmpuint(info.stats.guest_overflow_dropped, ==, 0);
    g_assert_cmpuint(info.stats.dropped_unowned, ==, 0);
    g_assert_cmpuint(info.stats.delivered, >=, (uint64_t)ROUNDS * EVENTS);

    ev_ours = 1e9 * EVENTS / ours;
    ev_base = 1e9 * EVENTS / base;
    printf("%7u  2^%-4u %6zu  %9.1fM %7.2f  %9.1fM %7.2f  %5.2fx\n", ndevs,
           log2size, h.per_read, ev_ours / 1e6, (double)ours / EVENTS,
           ev_base / 1e6, (double)base / EVENTS, ev_base / ev_ours);
    g_free(h.records);
    accel_fixture_fini(&f);
}

int main(int argc, char **argv)
{
    static const unsigned devs[] = { 1, 2, 4 };
    static const unsigned sizes[] = { 8, 15, 19 };

    printf("translator ceiling: vEVENTQ records -> guest event queue, in"
           " process, best of %d runs of %u events\n", ROUNDS, EVENTS);
    printf("devices  queue  batch      ours ev/s   ns/ev  memcpy ev/s"
           "   ns/ev  memcpy/ours\n");
    for (size_t i = 0; i < G_N_ELEMENTS(devs); i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(sizes); j++) {
            bench_one(devs[i], sizes[j]);
        }
    }
    return 0;
}
