/*
 * Shared setup for the in-VM vEVENTQ programs; see vm-veventq.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "vm-veventq.h"
#include "vmlib.h"

/* VM_ASSERT on an Error, with its message. */
#define VM_ASSERT_OK(ok, err, what)                                     \
    do {                                                                \
        bool ok_ = (ok);                                                \
        VM_ASSERT(ok_, "%s: %s", what,                                  \
                  (err) ? error_get_pretty(err) : "?");                 \
    } while (0)

static int test_cmd(VmNest *n, struct iommu_test_cmd *cmd)
{
    cmd->size = sizeof(*cmd);
    return iommufd_backend_ioctl(n->be, IOMMU_TEST_CMD, cmd);
}

void vm_nest_setup(VmNest *n)
{
    struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN };
    struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
    Error *err = NULL;
    int ret;

    memset(n, 0, sizeof(*n));
    n->be = iommufd_backend_new("iommufd0");
    VM_ASSERT_OK(iommufd_backend_connect(n->be, &err), err,
                 "kernel fact: /dev/iommu opens");
    VM_ASSERT_OK(iommufd_backend_alloc_ioas(n->be, &n->ioas_id, &err), err,
                 "kernel fact: IOMMU_IOAS_ALLOC works");

    cmd.id = n->ioas_id;
    ret = test_cmd(n, &cmd);
    VM_ASSERT(ret == 0, "kernel fact: IOMMU_TEST_OP_MOCK_DOMAIN creates a"
              " mock device (%d)", ret);
    n->stdev_id = cmd.mock_domain.out_stdev_id;
    n->hwpt_id = cmd.mock_domain.out_hwpt_id;
    n->idev_id = cmd.mock_domain.out_idev_id;

    VM_ASSERT_OK(iommufd_backend_alloc_hwpt(n->be, n->idev_id, n->ioas_id,
                                            IOMMU_HWPT_ALLOC_NEST_PARENT,
                                            IOMMU_HWPT_DATA_NONE, 0, NULL,
                                            &n->parent_id, &err), err,
                 "kernel fact: the mock device accepts a nesting parent"
                 " HWPT");
    VM_ASSERT_OK(iommufd_backend_alloc_viommu(n->be, n->idev_id,
                                              IOMMU_VIOMMU_TYPE_SELFTEST,
                                              n->parent_id, NULL, 0,
                                              &n->viommu_id, &err), err,
                 "kernel fact: a selftest vIOMMU can be allocated on the"
                 " nesting parent");
    VM_ASSERT_OK(iommufd_backend_alloc_hwpt(n->be, n->idev_id, n->viommu_id,
                                            0, IOMMU_HWPT_DATA_SELFTEST,
                                            sizeof(data), &data,
                                            &n->nested_id, &err), err,
                 "kernel fact: a nested HWPT with selftest data can be"
                 " allocated on the vIOMMU");
}

void vm_nest_add_vdev(VmNest *n, uint64_t virt_id)
{
    Error *err = NULL;

    VM_ASSERT_OK(iommufd_backend_alloc_vdev(n->be, n->idev_id, n->viommu_id,
                                            virt_id, &n->vdev_id, &err), err,
                 "kernel fact: IOMMU_VDEVICE_ALLOC works for the mock"
                 " device");
    n->virt_id = virt_id;
    if (!n->attached) {
        struct iommu_test_cmd cmd = {
            .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
            .id = n->stdev_id,
            .mock_domain_replace = { .pt_id = n->nested_id },
        };
        int ret = test_cmd(n, &cmd);

        VM_ASSERT(ret == 0, "kernel fact: MOCK_DOMAIN_REPLACE attaches the"
                  " mock device to the nested HWPT (%d)", ret);
        n->attached = true;
    }
}

void vm_nest_del_vdev(VmNest *n)
{
    Error *err = NULL;

    VM_ASSERT_OK(iommufd_backend_free_id(n->be, n->vdev_id, &err), err,
                 "kernel fact: a vDEVICE can be destroyed");
    n->vdev_id = 0;
}

int vm_trigger(VmNest *n)
{
    struct iommu_test_cmd cmd = {
        .op = IOMMU_TEST_OP_TRIGGER_VEVENT,
        .trigger_vevent = { .dev_id = n->idev_id },
    };

    return test_cmd(n, &cmd);
}

void vm_trigger_n(VmNest *n, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        int ret = vm_trigger(n);

        VM_ASSERT(ret == 0, "kernel fact: TRIGGER_VEVENT succeeds with a"
                  " vDEVICE, an attached device and a selftest vEVENTQ"
                  " (trigger %u: %d)", i, ret);
    }
}

void vm_consumer_init(VmConsumer *c)
{
    memset(c, 0, sizeof(*c));
    g_mutex_init(&c->lock);
    g_cond_init(&c->cond);
    c->seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    c->virt_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
}

void vm_consumer_destroy(VmConsumer *c)
{
    g_array_unref(c->seqs);
    g_array_unref(c->virt_ids);
    g_mutex_clear(&c->lock);
    g_cond_clear(&c->cond);
}

void vm_consumer_batch(void *opaque, const VeventqBatch *b)
{
    VmConsumer *c = opaque;
    const struct iommu_viommu_event_selftest *ev = b->payloads;

    g_mutex_lock(&c->lock);
    for (size_t i = 0; i < b->n_records; i++) {
        g_array_append_val(c->seqs, b->sequences[i]);
        g_array_append_val(c->virt_ids, ev[i].virt_id);
    }
    c->lost += b->lost;
    c->batches++;
    c->max_batch = MAX(c->max_batch, b->n_records);
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
    if (c->after_batch) {
        c->after_batch(c->after_opaque, b);
    }
}

void vm_consumer_error(void *opaque, const Error *err)
{
    VmConsumer *c = opaque;

    vm_note("reader error: %s", error_get_pretty(err));
    g_mutex_lock(&c->lock);
    c->errors++;
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
}

bool vm_consumer_wait(VmConsumer *c, uint64_t n)
{
    gint64 deadline = g_get_monotonic_time() + VM_WAIT_S * G_TIME_SPAN_SECOND;
    bool ok = true;

    g_mutex_lock(&c->lock);
    while (c->seqs->len + c->lost < n && !c->errors) {
        if (!g_cond_wait_until(&c->cond, &c->lock, deadline)) {
            ok = false;
            break;
        }
    }
    ok = ok && !c->errors;
    g_mutex_unlock(&c->lock);
    return ok;
}

void vm_queue_open(VmNest *n, VmQueue *q, uint32_t depth, size_t max_buffer,
                   VmConsumer *c)
{
    VeventqReaderConfig cfg = {
        .be = n->be,
        .type = IOMMU_VEVENTQ_TYPE_SELFTEST,
        .payload_size = SELFTEST_PAYLOAD,
        .depth = depth,
        .max_buffer = max_buffer,
        .batch_cb = vm_consumer_batch,
        .error_cb = vm_consumer_error,
        .opaque = c,
    };
    Error *err = NULL;

    memset(q, 0, sizeof(*q));
    VM_ASSERT_OK(iommufd_backend_alloc_veventq(n->be, n->viommu_id,
                                               IOMMU_VEVENTQ_TYPE_SELFTEST,
                                               depth, &q->id, &q->fd, &err),
                 err, "kernel fact: IOMMU_VEVENTQ_ALLOC of a selftest queue"
                 " works on a selftest vIOMMU");
    q->depth = depth;
    cfg.veventq_id = q->id;
    cfg.fd = q->fd;
    q->reader = veventq_reader_new(&cfg, &err);
    VM_ASSERT_OK(q->reader != NULL, err, "veventq_reader_new");
}

void vm_queue_close(VmNest *n, VmQueue *q)
{
    Error *err = NULL;

    veventq_reader_free(q->reader);
    q->reader = NULL;
    iommufd_backend_close_fd(n->be, q->fd);
    q->fd = -1;
    VM_ASSERT_OK(iommufd_backend_free_id(n->be, q->id, &err), err,
                 "kernel fact: IOMMU_DESTROY of a vEVENTQ works once its fd"
                 " is closed");
}
