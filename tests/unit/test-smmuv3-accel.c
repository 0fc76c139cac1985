/*
 * arm-smmuv3,accel=on in process: the accel state machine against the
 * embedded emulated host, deterministic.
 *
 * The vSMMU's iothread is created but never started: its reader's fd
 * source sits in a GMainContext that only the test iterates, so host
 * records stay in the vEVENTQ until the test lets the reader run.  The
 * guest side is the libqos driver over the memory API; kernel calls are
 * counted by the emulated host (its "ioctls").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "accel-fixture.h"
#include "hw/pci/pci-device.h"
#include "smmuv3-internal.h"

#define PSID        ACCEL_FIX_PSID(0)
#define VSID        ACCEL_FIX_VSID(0)     /* pcie.0, addr 1 */

typedef AccelFixture Fixture;

/* A cold-plugged host device, the SMMU up, VSID in stage 1. */
static void setup(Fixture *f, unsigned evtq_log2size)
{
    accel_fixture_setup(f, 1, 8, evtq_log2size);
}

static void teardown(Fixture *f)
{
    accel_fixture_fini(f);
}

static SMMUv3AccelInfo info(Fixture *f)
{
    SMMUv3AccelInfo i;

    smmuv3_accel_get_info((SMMUv3State *)f->smmu, &i);
    /* The test keeps only numbers and static strings. */
    smmuv3_accel_info_free(&i);
    return i;
}

static uint64_t ioctls(Fixture *f)
{
    IOMMUFDEmulatedStats st;

    iommufd_emulated_host_stats(f->host, &st);
    return st.ioctls;
}

static void raise_events(Fixture *f, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        SMMUEventInfo info = {
            .type = SMMU_EVT_F_TRANSLATION, .sid = PSID, .rnw = true,
            .class_ = SMMU_EVT_CLASS_IN, .input_addr = 0x1000 * (i + 1),
        };
        IOMMUFDEmulatedReport r;
        uint64_t evt[4];
        SMMUEvent e;

        smmu_event_build(&e, &info);
        smmu_event_to_dwords(&e, evt);

        g_assert_true(iommufd_emulated_report_event(f->host, evt, &r,
                                                    &error_abort));
    }
}

/* Let the reader run until nothing is pending. */
static void run_iothread(Fixture *f)
{
    while (g_main_context_iteration(iothread_get_context(f->iot), FALSE)) {
    }
}

static void write_cr0(Fixture *f, uint32_t cr0)
{
    g_assert_true(qsmmuv3_write_reg_sync(&f->d, A_CR0, A_CR0ACK, cr0));
}

/* Rewriting what the guest already configured asks nothing of the host. */
static void test_no_churn(void)
{
    Fixture f;
    uint32_t cr0, gbpa;
    uint64_t calls, viommu;
    SMMUv3AccelInfo i;

    setup(&f, 7);
    i = info(&f);
    g_assert_cmpstr(i.veventq_state, ==, "live");
    calls = ioctls(&f);
    cr0 = qsmmuv3_readl(&f.d, A_CR0);
    gbpa = qsmmuv3_readl(&f.d, A_GBPA);

    write_cr0(&f, cr0);
    qsmmuv3_writel(&f.d, A_GBPA, gbpa | R_GBPA_UPDATE_MASK);
    g_assert_true(qsmmuv3_cfgi_ste(&f.d, VSID));
    write_cr0(&f, cr0);
    g_assert_cmpuint(ioctls(&f), ==, calls);
    g_assert_cmpstr(info(&f).veventq_state, ==, "live");

    /* A new stage-1 STE: one nested HWPT, one attach, the old one freed. */
    viommu = info(&f).viommu_id;
    qsmmuv3_ste_s1(&f.d, VSID, 2, qsmmuv3_alloc(&f.d, 4096, 4096));
    g_assert_true(qsmmuv3_cfgi_ste(&f.d, VSID));
    g_assert_cmpuint(ioctls(&f), ==, calls + 3);
    g_assert_cmpuint(info(&f).viommu_id, ==, viommu);

    /* Disabled: GBPA decides; rewriting the same GBPA changes nothing. */
    write_cr0(&f, cr0 & ~R_CR0_SMMUEN_MASK);
    calls = ioctls(&f);
    qsmmuv3_writel(&f.d, A_GBPA, qsmmuv3_readl(&f.d, A_GBPA) |
                   R_GBPA_UPDATE_MASK);
    write_cr0(&f, cr0 & ~R_CR0_SMMUEN_MASK);
    g_assert_cmpuint(ioctls(&f), ==, calls);
    /* ABORT -> bypass is one attach. */
    qsmmuv3_writel(&f.d, A_GBPA, R_GBPA_UPDATE_MASK);
    g_assert_cmpuint(ioctls(&f), ==, calls + 1);
    teardown(&f);
}

/* Records still in the vEVENTQ when the guest disables its queue. */
static void test_discard_at_disable(void)
{
    Fixture f;
    SMMUv3AccelInfo i;
    uint32_t cr0;

    setup(&f, 7);
    cr0 = qsmmuv3_readl(&f.d, A_CR0);
    raise_events(&f, 3);
    run_iothread(&f);
    g_assert_cmpuint(info(&f).stats.delivered, ==, 3);

    /* Two more wait in the host queue: the reader has not run. */
    raise_events(&f, 2);
    write_cr0(&f, cr0 & ~R_CR0_EVENTQEN_MASK);
    i = info(&f);
    g_assert_cmpstr(i.veventq_state, ==, "none");
    g_assert_cmpuint(i.stats.delivered, ==, 3);
    g_assert_cmpuint(i.stats.discarded_at_disable, ==, 2);
    g_assert_cmpuint(i.stats.host_lost, ==, 0);
    teardown(&f);
}

/* A full host queue: its loss is counted with what was left. */
static void test_discard_with_host_loss(void)
{
    Fixture f;
    SMMUv3AccelInfo i;

    setup(&f, 2);               /* guest queue and vEVENTQ of depth 4 */
    raise_events(&f, 7);        /* 4 queued, 3 dropped by the host */
    /* Reset disables the queue too. */
    qdev_reset(f.smmu);
    i = info(&f);
    g_assert_cmpuint(i.stats.delivered, ==, 0);
    g_assert_cmpuint(i.stats.discarded_at_disable, ==, 4);
    g_assert_cmpuint(i.stats.host_lost, ==, 3);
    g_assert_cmpuint(i.stats.delivered + i.stats.discarded_at_disable +
                     i.stats.host_lost, ==, 7);
    teardown(&f);
}

/*
 * A CD invalidation for a StreamID without a vDEVICE (Linux's driver
 * invalidates a CD before installing the STE) is complete at once: the
 * host refuses such a vSID (EIO) and can cache nothing for it.  One for
 * a device with its vDEVICE goes to the host.
 */
static void test_inval_unknown_vsid(void)
{
    Fixture f;
    uint64_t before;

    setup(&f, 7);
    before = info(&f).stats.invalidations;
    qsmmuv3_cmd(&f.d, SMMU_CMD_CFGI_CD | (uint64_t)ACCEL_FIX_VSID(1) << 32,
                0);
    g_assert_true(qsmmuv3_sync(&f.d));
    g_assert_cmphex(qsmmuv3_readl(&f.d, A_GERROR) ^
                    qsmmuv3_readl(&f.d, A_GERRORN), ==, 0);
    g_assert_cmpuint(info(&f).stats.invalidations - before, ==, 0);
    qsmmuv3_cmd(&f.d, SMMU_CMD_CFGI_CD | (uint64_t)ACCEL_FIX_VSID(0) << 32,
                0);
    g_assert_true(qsmmuv3_sync(&f.d));
    g_assert_cmpuint(info(&f).stats.invalidations - before, ==, 1);
    teardown(&f);
}

/* A guest that never issues CMD_SYNC cannot grow the pending batch. */
static void test_inval_bound(void)
{
    const unsigned n = 2 * 1024 + 10;
    Fixture f;
    SMMUv3AccelInfo i;
    uint64_t calls, before;

    setup(&f, 7);
    calls = ioctls(&f);
    before = info(&f).stats.invalidations;     /* from the bring-up */
    for (unsigned k = 0; k < n; k++) {
        qsmmuv3_cmd(&f.d, SMMU_CMD_TLBI_NH_ASID | (uint64_t)(k & 0xff) << 48,
                    0);
    }
    i = info(&f);
    g_assert_cmpuint(i.inval_pending, ==, 10);
    g_assert_cmpuint(i.stats.inval_early_flushes, ==, 2);
    g_assert_cmpuint(i.stats.invalidations - before, ==, 2048);
    g_assert_cmpuint(ioctls(&f), ==, calls + 2);
    g_assert_true(qsmmuv3_sync(&f.d));
    i = info(&f);
    g_assert_cmpuint(i.inval_pending, ==, 0);
    g_assert_cmpuint(i.stats.invalidations - before, ==, n);
    g_assert_cmpuint(i.stats.inval_early_flushes, ==, 2);
    teardown(&f);
}

/* "auto" ID fields: from the host, unless the guest has read them. */
static void test_idr_fixed(void)
{
    Fixture f;
    uint32_t idr1;

    /* Control: nothing read yet, the host's 20-bit SubstreamIDs. */
    accel_fixture_init(&f);
    accel_fixture_plug(&f);
    g_assert_cmpuint(FIELD_EX32(qsmmuv3_readl(&f.d, A_IDR1), IDR1,
                                SSIDSIZE), ==, 20);
    teardown(&f);

    accel_fixture_init(&f);
    idr1 = qsmmuv3_readl(&f.d, A_IDR1);
    g_assert_cmpuint(FIELD_EX32(idr1, IDR1, SSIDSIZE), !=, 20);
    accel_fixture_plug(&f);
    g_assert_cmphex(qsmmuv3_readl(&f.d, A_IDR1), ==, idr1);
    /* Nor later, with the first device gone and another one arriving. */
    accel_fixture_unplug(&f, 0);
    accel_fixture_plug(&f);
    g_assert_cmphex(qsmmuv3_readl(&f.d, A_IDR1), ==, idr1);
    teardown(&f);
}

/* A vEVENTQ the host refuses is not retried until the guest changes. */
static void test_veventq_failed(void)
{
    Fixture f;
    uint32_t cr0, id, viommu;
    uint64_t calls;
    int fd;

    setup(&f, 7);
    cr0 = qsmmuv3_readl(&f.d, A_CR0);
    write_cr0(&f, cr0 & ~R_CR0_EVENTQEN_MASK);
    /* Someone else holds the vIOMMU's only ARM_SMMUV3 vEVENTQ. */
    viommu = info(&f).viommu_id;
    g_assert_true(iommufd_backend_alloc_veventq(f.be, viommu,
                                                IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
                                                16, &id, &fd, &error_abort));
    write_cr0(&f, cr0);
    g_assert_cmpstr(info(&f).veventq_state, ==, "failed");
    calls = ioctls(&f);
    write_cr0(&f, cr0);
    g_assert_cmpuint(ioctls(&f), ==, calls);
    g_assert_cmpstr(info(&f).veventq_state, ==, "failed");

    /* Off, the other queue gone, on again: live. */
    write_cr0(&f, cr0 & ~R_CR0_EVENTQEN_MASK);
    g_assert_cmpstr(info(&f).veventq_state, ==, "none");
    iommufd_backend_close_fd(f.be, fd);
    g_assert_true(iommufd_backend_free_id(f.be, id, &error_abort));
    write_cr0(&f, cr0);
    g_assert_cmpstr(info(&f).veventq_state, ==, "live");
    teardown(&f);
}

static uint64_t host_objects(Fixture *f)
{
    IOMMUFDEmulatedStats st;

    iommufd_emulated_host_stats(f->host, &st);
    return st.objects;
}

/* The first device's vSID and vDEVICE id, as query-vsmmu shows them. */
static void first_device(Fixture *f, uint32_t *vsid, uint32_t *vdev_id)
{
    SMMUv3AccelInfo i;
    SMMUv3AccelDeviceInfo *d;

    smmuv3_accel_get_info((SMMUv3State *)f->smmu, &i);
    g_assert_cmpuint(i.devices->len, ==, 1);
    d = &g_array_index(i.devices, SMMUv3AccelDeviceInfo, 0);
    *vsid = d->vsid;
    *vdev_id = d->vdev_id;
    smmuv3_accel_info_free(&i);
}

/*
 * A host device behind a root port: its vSID is what the guest's
 * numbering gives it, and follows a renumbering with a new vDEVICE.
 */
static void test_renumber(void)
{
    QSMMUv3Options opts = { .cmdq_log2size = 8, .evtq_log2size = 8,
                            .sid_bits = 16 };
    static const uint8_t numbers[] = { 1, 2, 1 };
    DeviceState *rp, *vfio;
    uint32_t vsid, vdev, last_vdev;
    uint64_t objects = 0;
    Fixture f;

    accel_fixture_init(&f);
    rp = qdev_new("pcie-root-port", &error_abort);
    rp->as = f.as;
    qdev_set_id(rp, "rp1");
    g_assert_true(qdev_prop_parse(rp, "addr", "0x10", &error_abort));
    g_assert_true(qdev_realize(rp, &error_abort));
    vfio = qdev_new("vfio-pci", &error_abort);
    vfio->as = f.as;
    g_assert_true(qdev_prop_parse(vfio, "iommufd", "iommufd0", &error_abort));
    g_assert_true(qdev_prop_parse(vfio, "x-emulated-psid", "0x1234",
                                  &error_abort));
    g_assert_true(qdev_prop_parse(vfio, "bus", "rp1", &error_abort));
    g_assert_true(qdev_realize(vfio, &error_abort));
    first_device(&f, &vsid, &vdev);
    g_assert_cmphex(vsid, ==, 0x0000);

    g_assert_true(qsmmuv3_bringup(&f.d, &opts));
    for (unsigned i = 1; i <= 2; i++) {
        qsmmuv3_ste_s1(&f.d, i << 8, i, qsmmuv3_alloc(&f.d, 4096, 4096));
        g_assert_true(qsmmuv3_cfgi_ste(&f.d, i << 8));
    }
    first_device(&f, &vsid, &vdev);
    g_assert_cmphex(vsid, ==, 0x0000);

    /*
     * The guest numbers the port 1, then 2, then 1 again: each time the
     * vSID follows, the device is installed for the new vSID's STE with a
     * vDEVICE of that virt_id (a host fault reaches the guest under it),
     * and no kernel object is left behind.
     */
    for (unsigned i = 0; i < G_N_ELEMENTS(numbers); i++) {
        QSMMUv3Event ev;

        pci_config_write((PCIDevice *)rp, PCI_SUBORDINATE_BUS, numbers[i], 1);
        pci_config_write((PCIDevice *)rp, PCI_SECONDARY_BUS, numbers[i], 1);
        first_device(&f, &vsid, &vdev);
        g_assert_cmphex(vsid, ==, numbers[i] << 8);
        g_assert_cmpuint(vdev, !=, 0);
        if (!i) {
            objects = host_objects(&f);
        }
        g_assert_cmpuint(host_objects(&f), ==, objects);
        raise_events(&f, 1);
        run_iothread(&f);
        g_assert_cmpuint(qsmmuv3_evtq_consume(&f.d, &ev, 1, NULL), ==, 1);
        g_assert_cmphex(ev.sid, ==, numbers[i] << 8);
    }
    /* The subordinate number alone changes no requester ID. */
    pci_config_write((PCIDevice *)rp, PCI_SUBORDINATE_BUS, 9, 1);
    first_device(&f, &vsid, &last_vdev);
    g_assert_cmpuint(last_vdev, ==, vdev);
    g_assert_cmphex(vsid, ==, 0x0100);
    qdev_free(vfio);
    qdev_free(rp);
    accel_fixture_fini(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3-accel/no-churn", test_no_churn);
    g_test_add_func("/smmuv3-accel/discard-at-disable",
                    test_discard_at_disable);
    g_test_add_func("/smmuv3-accel/discard-with-host-loss",
                    test_discard_with_host_loss);
    g_test_add_func("/smmuv3-accel/inval-bound", test_inval_bound);
    g_test_add_func("/smmuv3-accel/inval-unknown-vsid",
                    test_inval_unknown_vsid);
    g_test_add_func("/smmuv3-accel/idr-fixed", test_idr_fixed);
    g_test_add_func("/smmuv3-accel/veventq-failed", test_veventq_failed);
    g_test_add_func("/smmuv3-accel/renumber", test_renumber);
    return g_test_run();
}
