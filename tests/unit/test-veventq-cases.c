/*
 * The shared vEVENTQ cases (tests/shared/veventq-cases.c) against the
 * embedded emulated host.  The kernel test bed runs the same cases
 * against Linux.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/iommufd.h"
#include "system/iommufd-emulated.h"
#include "hw/arm/smmuv3-common.h"
#include "veventq-cases.h"

#define PSID 0x8
#define VSID 0x42

typedef struct Emu {
    IOMMUFDEmulatedHost *host;
    IOMMUFDBackend *be;
    uint32_t dev_id, viommu, veventq_id;
    int fd;
} Emu;

static bool emu_alloc(void *opaque, uint32_t depth)
{
    Emu *e = opaque;
    SMMUSte s1 = smmu_ste_make(SMMU_STE_CONFIG_S1);
    uint64_t ste[2] = { GUINT64_TO_LE(s1.word[0]), 0 };
    uint32_t ioas, s2, vdev, nested;

    e->host = iommufd_emulated_host_new();
    e->be = iommufd_backend_new("iommufd0");
    iommufd_backend_set_kernel(e->be, &iommufd_emulated_ops, e->host);
    return iommufd_backend_connect(e->be, &error_abort) &&
        iommufd_emulated_bind_device(e->host, PSID, &e->dev_id,
                                     &error_abort) &&
        iommufd_backend_alloc_ioas(e->be, &ioas, &error_abort) &&
        iommufd_backend_alloc_hwpt(e->be, e->dev_id, ioas,
                                   IOMMU_HWPT_ALLOC_NEST_PARENT,
                                   IOMMU_HWPT_DATA_NONE, 0, NULL, &s2,
                                   &error_abort) &&
        iommufd_backend_alloc_viommu(e->be, e->dev_id,
                                     IOMMU_VIOMMU_TYPE_ARM_SMMUV3, s2, NULL,
                                     0, &e->viommu, &error_abort) &&
        iommufd_backend_alloc_veventq(e->be, e->viommu,
                                      IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, depth,
                                      &e->veventq_id, &e->fd,
                                      &error_abort) &&
        iommufd_backend_alloc_vdev(e->be, e->dev_id, e->viommu, VSID, &vdev,
                                   &error_abort) &&
        iommufd_backend_alloc_hwpt(e->be, e->dev_id, e->viommu, 0,
                                   IOMMU_HWPT_DATA_ARM_SMMUV3, sizeof(ste),
                                   ste, &nested, &error_abort) &&
        iommufd_emulated_attach_device(e->host, e->dev_id, nested,
                                       &error_abort);
}

static bool emu_report(void *opaque, unsigned n)
{
    Emu *e = opaque;
    SMMUEventInfo info = {
        .type = SMMU_EVT_F_TRANSLATION, .sid = PSID, .input_addr = 0x200000,
    };
    SMMUEvent rec;
    uint64_t evt[4];

    smmu_event_build(&rec, &info);
    smmu_event_to_dwords(&rec, evt);

    for (unsigned i = 0; i < n; i++) {
        if (!iommufd_emulated_report_event(e->host, evt, NULL, NULL)) {
            return false;
        }
    }
    return true;
}

static ssize_t emu_read(void *opaque, void *buf, size_t count)
{
    Emu *e = opaque;

    return iommufd_backend_read_veventq(e->be, e->fd, buf, count);
}

static bool emu_check_payload(void *opaque, const void *payload)
{
    SMMUEvent rec;

    smmu_event_from_le(&rec, payload);
    return smmu_event_get_sid(&rec) == VSID;
}

static void emu_release(void *opaque)
{
    Emu *e = opaque;

    iommufd_backend_close_fd(e->be, e->fd);
    g_assert_true(iommufd_backend_free_id(e->be, e->veventq_id,
                                          &error_abort));
    iommufd_backend_disconnect(e->be);
    iommufd_backend_free(e->be);
    iommufd_emulated_host_free(e->host);
}

static void run_case(gconstpointer data)
{
    const VeventqCase *c = data;
    Emu e = { 0 };
    VeventqHarness h = {
        .opaque = &e,
        .record_size = sizeof(struct iommufd_vevent_header) +
                       sizeof(struct iommu_vevent_arm_smmuv3),
        .alloc = emu_alloc,
        .report = emu_report,
        .read = emu_read,
        .check_payload = emu_check_payload,
        .release = emu_release,
    };
    char *why = NULL;
    bool ok = veventq_case_run(c, &h, &why);

    if (!ok) {
        g_test_message("%s", why);
    }
    free(why);
    g_assert_true(ok);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < veventq_cases_len; i++) {
        g_autofree char *path = g_strdup_printf("/veventq-cases/emulated/%s",
                                                veventq_cases[i].name);

        g_test_add_data_func(path, &veventq_cases[i], run_case);
    }
    return g_test_run();
}
