/*
 * vEVENTQ tests against the real Linux iommufd (mock driver), through
 * vsmmu's iommufd backend and vEVENTQ reader.  Runs as /init in the
 * kernel test-bed VM; see docs/devel/testing.rst.
 *
 * Raw ioctls are used only for the mock driver's own commands
 * (IOMMU_TEST_CMD), and even those go through the backend's seam.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "vm-veventq.h"
#include "vmlib.h"

#define VIRT_ID     0x42
#define VIRT_ID2    0x1234

static VmNest nest;
static IOThread *iot;
static bool nest_ok;

static void need_nest(void)
{
    if (!nest_ok) {
        vm_skip_current("the nesting setup failed");
    }
}

static void start_reader(VmQueue *q)
{
    Error *err = NULL;
    bool ok = veventq_reader_start(q->reader, iot, &err);

    VM_ASSERT(ok, "veventq_reader_start: %s", ok ? "" : error_get_pretty(err));
}

static uint32_t seq_at(VmConsumer *c, guint i)
{
    return g_array_index(c->seqs, uint32_t, i);
}

static void test_setup(void *opaque)
{
    Error *err = NULL;

    vm_nest_setup(&nest);
    iot = iothread_new("veventq", &err);
    VM_ASSERT(iot && iothread_start(iot, &err), "iothread: %s",
              err ? error_get_pretty(err) : "");
    nest_ok = true;
    vm_note("ioas %u stdev %u idev %u parent %u viommu %u nested %u",
            nest.ioas_id, nest.stdev_id, nest.idev_id, nest.parent_id,
            nest.viommu_id, nest.nested_id);
}

static void test_alloc(void *opaque)
{
    uint32_t id, id2, bad_id;
    int fd, fd2;
    Error *err = NULL;

    need_nest();
    VM_ASSERT(iommufd_backend_alloc_veventq(nest.be, nest.viommu_id,
                                            IOMMU_VEVENTQ_TYPE_SELFTEST, 16,
                                            &id, &fd, &err),
              "kernel fact: IOMMU_VEVENTQ_ALLOC succeeds: %s",
              err ? error_get_pretty(err) : "");
    VM_ASSERT(id != 0 && fd >= 0, "kernel fact: a vEVENTQ has an id and an"
              " fd (id %u fd %d)", id, fd);
    VM_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC,
              "kernel fact: the vEVENTQ fd is close-on-exec");

    VM_ASSERT(!iommufd_backend_alloc_veventq(nest.be, nest.viommu_id,
                                             IOMMU_VEVENTQ_TYPE_SELFTEST, 16,
                                             &id2, &fd2, &err),
              "kernel fact: a second vEVENTQ of one type is refused");
    VM_ASSERT(strstr(error_get_pretty(err), g_strerror(EEXIST)),
              "kernel fact: ... with EEXIST (%s)", error_get_pretty(err));
    error_free_or_abort(&err);

    VM_ASSERT(!iommufd_backend_alloc_veventq(nest.be, nest.viommu_id,
                                             IOMMU_VEVENTQ_TYPE_SELFTEST, 0,
                                             &id2, &fd2, &err),
              "depth 0 is refused");
    VM_ASSERT(strstr(error_get_pretty(err), "depth must be at least 1"),
              "depth 0 is refused by our pre-check, not the kernel (%s)",
              error_get_pretty(err));
    error_free_or_abort(&err);

    bad_id = nest.viommu_id + 1000;
    VM_ASSERT(!iommufd_backend_alloc_veventq(nest.be, bad_id,
                                             IOMMU_VEVENTQ_TYPE_SELFTEST, 16,
                                             &id2, &fd2, &err),
              "kernel fact: IOMMU_VEVENTQ_ALLOC on an unknown vIOMMU fails");
    VM_ASSERT(strstr(error_get_pretty(err), g_strerror(ENOENT)) &&
              strstr(error_get_pretty(err), "viommu_id="),
              "kernel fact: ... with ENOENT, and the message names the"
              " vIOMMU (%s)", error_get_pretty(err));
    error_free_or_abort(&err);

    /* No vDEVICE yet: nothing can be reported. */
    VM_ASSERT(vm_trigger(&nest) == -ENOENT,
              "kernel fact: TRIGGER_VEVENT without a vDEVICE gives ENOENT");

    iommufd_backend_close_fd(nest.be, fd);
    VM_ASSERT(iommufd_backend_free_id(nest.be, id, &err),
              "kernel fact: the queue is destroyed after close: %s",
              err ? error_get_pretty(err) : "");

    vm_nest_add_vdev(&nest, VIRT_ID);
    VM_ASSERT(vm_trigger(&nest) == -EOPNOTSUPP,
              "kernel fact: TRIGGER_VEVENT with no selftest vEVENTQ gives"
              " EOPNOTSUPP");
}

static void test_in_order(void *opaque)
{
    VmConsumer c;
    VmQueue q;
    VeventqReaderStats st;

    need_nest();
    vm_consumer_init(&c);
    vm_queue_open(&nest, &q, 64, 0, &c);
    start_reader(&q);
    vm_trigger_n(&nest, 40);
    VM_ASSERT(vm_consumer_wait(&c, 40), "40 events arrive through the"
              " reader (%u records, %" PRIu64 " lost)", c.seqs->len, c.lost);
    veventq_reader_stop(q.reader);
    VM_ASSERT(c.seqs->len == 40 && c.lost == 0,
              "kernel fact: nothing is lost below the depth (%u, %" PRIu64
              ")", c.seqs->len, c.lost);
    for (guint i = 0; i < 40; i++) {
        VM_ASSERT(seq_at(&c, i) == i, "kernel fact: a new queue numbers its"
                  " events from 0, in order (record %u has seq %u)", i,
                  seq_at(&c, i));
        VM_ASSERT(g_array_index(c.virt_ids, uint32_t, i) == VIRT_ID,
                  "kernel fact: the selftest record carries the vDEVICE's"
                  " virt_id (got 0x%x)",
                  g_array_index(c.virt_ids, uint32_t, i));
    }
    veventq_reader_get_stats(q.reader, &st);
    VM_ASSERT(st.bytes == 40 * (8 + SELFTEST_PAYLOAD),
              "kernel fact: selftest records are 12 bytes, unpadded"
              " (%" PRIu64 " bytes for 40)", st.bytes);
    VM_ASSERT(st.last_seq == 39 && st.seq_valid, "last seq %u", st.last_seq);
    vm_queue_close(&nest, &q);
    vm_consumer_destroy(&c);
}

static void test_empty_reads(void *opaque)
{
    VmConsumer c;
    VmQueue q;
    uint8_t buf[64];
    ssize_t n;

    need_nest();
    vm_consumer_init(&c);
    vm_queue_open(&nest, &q, 4, 0, &c);
    n = iommufd_backend_read_veventq(nest.be, q.fd, buf, sizeof(buf));
    VM_ASSERT(n == 0, "kernel fact: read() of an empty vEVENTQ returns 0 at"
              " once (got %zd)", n);
    n = iommufd_backend_read_veventq(nest.be, q.fd, buf, 4);
    VM_ASSERT(n == -EINVAL, "kernel fact: read() with count < 8 gives EINVAL"
              " (got %zd)", n);
    vm_trigger_n(&nest, 1);
    n = iommufd_backend_read_veventq(nest.be, q.fd, buf, 10);
    VM_ASSERT(n == -EINVAL, "kernel fact: read() with count below the first"
              " record gives EINVAL (got %zd)", n);

    /* The reader picks up the record still queued, then sees empty. */
    start_reader(&q);
    VM_ASSERT(vm_consumer_wait(&c, 1), "the queued record arrives");
    n = iommufd_backend_read_veventq(nest.be, q.fd, buf, sizeof(buf));
    VM_ASSERT(n == 0, "kernel fact: drained queue reads 0 (%zd)", n);
    VM_ASSERT(c.errors == 0, "read() == 0 is not an error for the reader");
    vm_queue_close(&nest, &q);
    vm_consumer_destroy(&c);
}

/* Overflow at DEPTH: COUNT events queued before the reader starts. */
static void overflow_case(uint32_t depth, unsigned count)
{
    VmConsumer c;
    VmQueue q;
    VeventqReaderStats st;

    vm_consumer_init(&c);
    vm_queue_open(&nest, &q, depth, 0, &c);
    vm_trigger_n(&nest, count);
    start_reader(&q);
    VM_ASSERT(vm_consumer_wait(&c, count), "depth %u: %u events accounted"
              " for (%u records, %" PRIu64 " lost)", depth, count,
              c.seqs->len, c.lost);
    veventq_reader_stop(q.reader);
    VM_ASSERT(c.seqs->len == depth,
              "kernel fact: tail drop keeps the first depth=%u events (%u)",
              depth, c.seqs->len);
    VM_ASSERT(c.lost == count - depth,
              "kernel fact: every dropped event takes a sequence number and"
              " the LOST_EVENTS header carries the last one: depth %u,"
              " %u events, %" PRIu64 " counted lost", depth, count, c.lost);
    for (guint i = 0; i < depth; i++) {
        VM_ASSERT(seq_at(&c, i) == i, "kept records are seq 0..depth-1");
    }
    veventq_reader_get_stats(q.reader, &st);
    VM_ASSERT(st.last_seq == count - 1, "kernel fact: the LOST_EVENTS header"
              " has the last dropped sequence (%u)", st.last_seq);
    vm_note("depth %u: %u events -> %u records + %" PRIu64 " lost in %"
            PRIu64 " batches, %" PRIu64 " reads", depth, count, c.seqs->len,
            c.lost, st.batches, st.reads);
    vm_queue_close(&nest, &q);
    vm_consumer_destroy(&c);
}

static void test_overflow_depth1(void *opaque)
{
    need_nest();
    overflow_case(1, 1000);
}

static void test_overflow_depth2(void *opaque)
{
    need_nest();
    overflow_case(2, 10);
}

static void test_overflow_depth8(void *opaque)
{
    need_nest();
    overflow_case(8, 100);
}

/* Trigger from the reader's callback, between two of its reads. */
static void trigger_once(void *opaque, const VeventqBatch *b)
{
    int *todo = opaque;

    if (*todo) {
        (*todo)--;
        g_assert(vm_trigger(&nest) == 0);
    }
}

/*
 * Overflow, then new events: once after the LOST_EVENTS header was read,
 * once when a newer event replaced it (only a gap remains).  Each dropped
 * event is counted once.
 */
static void test_overflow_then_new(void *opaque)
{
    VmConsumer c;
    VmQueue q;
    int todo = 0;

    need_nest();
    vm_consumer_init(&c);
    /* One record per read, so the callback runs between reads. */
    vm_queue_open(&nest, &q, 2, 8 + SELFTEST_PAYLOAD, &c);
    c.after_batch = trigger_once;
    c.after_opaque = &todo;

    vm_trigger_n(&nest, 10);            /* 0, 1 kept; LOST 9 */
    start_reader(&q);
    VM_ASSERT(vm_consumer_wait(&c, 10), "phase 1 accounted for");
    VM_ASSERT(c.seqs->len == 2 && c.lost == 8, "phase 1: 2 records, 8 lost"
              " (%u, %" PRIu64 ")", c.seqs->len, c.lost);
    vm_trigger_n(&nest, 2);             /* 10, 11 after the read header */
    VM_ASSERT(vm_consumer_wait(&c, 12), "phase 2 accounted for");
    VM_ASSERT(c.lost == 8, "kernel fact: an event after a read LOST_EVENTS"
              " header follows it without a gap (lost %" PRIu64 ")", c.lost);

    veventq_reader_stop(q.reader);
    vm_trigger_n(&nest, 5);             /* 12, 13 kept; 14..16 dropped */
    todo = 1;                           /* 17 replaces the LOST header */
    start_reader(&q);
    VM_ASSERT(vm_consumer_wait(&c, 18), "phase 3 accounted for");
    veventq_reader_stop(q.reader);
    VM_ASSERT(c.seqs->len == 7, "phase 3: records %u", c.seqs->len);
    VM_ASSERT(seq_at(&c, 4) == 12 && seq_at(&c, 5) == 13 &&
              seq_at(&c, 6) == 17,
              "kernel fact: a newer event replaces a trailing LOST_EVENTS"
              " header and only a gap remains (seq %u %u %u)",
              seq_at(&c, 4), seq_at(&c, 5), seq_at(&c, 6));
    VM_ASSERT(c.lost == 11, "the gap is counted once: 8 + 3 lost (got %"
              PRIu64 ")", c.lost);
    vm_queue_close(&nest, &q);
    vm_consumer_destroy(&c);
}

/* Trigger from another thread while the IOThread sleeps in poll(). */
typedef struct Waker {
    VmConsumer *c;
    unsigned count;
    bool ok;
} Waker;

static gpointer waker_thread(gpointer opaque)
{
    Waker *w = opaque;

    w->ok = true;
    for (unsigned i = 0; i < w->count && w->ok; i++) {
        /* One at a time: the reader must wake up for each. */
        w->ok = vm_trigger(&nest) == 0 && vm_consumer_wait(w->c, i + 1);
    }
    return NULL;
}

static void test_wakeup(void *opaque)
{
    VmConsumer c;
    VmQueue q;
    Waker w;
    GThread *t;

    need_nest();
    vm_consumer_init(&c);
    vm_queue_open(&nest, &q, 64, 0, &c);
    start_reader(&q);
    w = (Waker) { .c = &c, .count = 200 };
    t = g_thread_new("waker", waker_thread, &w);
    g_thread_join(t);
    veventq_reader_stop(q.reader);
    VM_ASSERT(w.ok, "kernel fact: poll() in the IOThread wakes up for an"
              " event triggered by another thread (%u of 200 seen)",
              c.seqs->len);
    VM_ASSERT(c.seqs->len == 200 && c.lost == 0 && c.batches == 200,
              "one batch per wake-up (%u records, %" PRIu64 " batches)",
              c.seqs->len, c.batches);
    vm_queue_close(&nest, &q);
    vm_consumer_destroy(&c);
}

static void test_destroy_busy(void *opaque)
{
    uint32_t id;
    int fd;
    Error *err = NULL;
    g_autofree char *idstr = NULL;

    need_nest();
    VM_ASSERT(iommufd_backend_alloc_veventq(nest.be, nest.viommu_id,
                                            IOMMU_VEVENTQ_TYPE_SELFTEST, 4,
                                            &id, &fd, &err), "alloc: %s",
              err ? error_get_pretty(err) : "");
    VM_ASSERT(!iommufd_backend_free_id(nest.be, id, &err),
              "kernel fact: IOMMU_DESTROY of a vEVENTQ with its fd open"
              " fails");
    idstr = g_strdup_printf("id=%u", id);
    VM_ASSERT(strstr(error_get_pretty(err), g_strerror(EBUSY)) &&
              strstr(error_get_pretty(err), idstr),
              "kernel fact: ... with EBUSY, and the message names the id"
              " (%s)", error_get_pretty(err));
    error_free_or_abort(&err);
    iommufd_backend_close_fd(nest.be, fd);
    VM_ASSERT(iommufd_backend_free_id(nest.be, id, &err),
              "kernel fact: IOMMU_DESTROY works after close: %s",
              err ? error_get_pretty(err) : "");
}

static void test_vdev_recreate(void *opaque)
{
    VmConsumer c;
    VmQueue q;

    need_nest();
    vm_consumer_init(&c);
    vm_queue_open(&nest, &q, 16, 0, &c);
    start_reader(&q);
    vm_trigger_n(&nest, 3);
    VM_ASSERT(vm_consumer_wait(&c, 3), "events with the first vDEVICE");

    vm_nest_del_vdev(&nest);
    vm_nest_add_vdev(&nest, VIRT_ID2);
    vm_trigger_n(&nest, 3);
    VM_ASSERT(vm_consumer_wait(&c, 6), "events with the new vDEVICE");
    veventq_reader_stop(q.reader);
    for (guint i = 0; i < 6; i++) {
        VM_ASSERT(i >= 3 || g_array_index(c.virt_ids, uint32_t, i) == VIRT_ID,
                  "kernel fact: events carry the vDEVICE's virt_id (record"
                  " %u: 0x%x)", i, g_array_index(c.virt_ids, uint32_t, i));
        VM_ASSERT(seq_at(&c, i) == i, "kernel fact: re-creating the vDEVICE"
                  " does not reset the queue's sequence (record %u: %u)", i,
                  seq_at(&c, i));
    }
    /*
     * Observed on 7.3.4: after IOMMU_DESTROY of the vDEVICE and a new one
     * with another virt_id, the mock driver still reports the old virt_id.
     * Not understood yet, so not asserted; printed for the record.
     */
    vm_note("virt_id after re-creating the vDEVICE (0x%x): 0x%x",
            VIRT_ID2, g_array_index(c.virt_ids, uint32_t, 5));
    VM_ASSERT(c.lost == 0, "no loss");
    vm_queue_close(&nest, &q);
    vm_consumer_destroy(&c);
}

int main(int argc, char **argv)
{
    vm_init();
    vm_run("setup", test_setup, NULL);
    vm_run("alloc_veventq", test_alloc, NULL);
    vm_run("in_order", test_in_order, NULL);
    vm_run("empty_reads", test_empty_reads, NULL);
    vm_run("overflow_depth1", test_overflow_depth1, NULL);
    vm_run("overflow_depth2", test_overflow_depth2, NULL);
    vm_run("overflow_depth8", test_overflow_depth8, NULL);
    vm_run("overflow_then_new_events", test_overflow_then_new, NULL);
    vm_run("wakeup_from_other_thread", test_wakeup, NULL);
    vm_run("destroy_busy", test_destroy_busy, NULL);
    vm_run("vdevice_recreate", test_vdev_recreate, NULL);
    vm_finish();
}
