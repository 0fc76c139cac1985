/*
 * arm-smmuv3,accel=on in process (see accel-fixture.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/qdev-properties.h"
#include "hw/vfio/pci.h"
#include "hw/pci-host/ecam-host.h"
#include "accel-fixture.h"
#include "qos-memory.h"

static void set_props(DeviceState *dev, const char *const *props)
{
    for (; props[0]; props += 2) {
        g_assert_true(qdev_prop_parse(dev, props[0], props[1], &error_abort));
    }
}

void accel_fixture_init(AccelFixture *f)
{
    static const char *const smmu_props[] = {
        "primary-bus", "pcie.0", "accel", "on", "iothread", "io0", NULL,
    };

    memset(f, 0, sizeof(*f));
    object_registry_clear();
    f->as = address_space_new("memory");
    g_assert_true(address_space_add_ram(f->as, ACCEL_FIX_RAM_BASE,
                                        ACCEL_FIX_RAM_SIZE, &error_abort));
    f->pci = pcie_host_new(f->as, true, &error_abort);
    f->host = iommufd_emulated_host_new();
    f->be = iommufd_backend_new("iommufd0");
    iommufd_backend_set_kernel(f->be, &iommufd_emulated_ops, f->host);
    g_assert_true(iommufd_backend_connect(f->be, &error_abort));
    g_assert_true(object_registry_add("iommufd0", TYPE_IOMMUFD_BACKEND,
                                      f->be, &error_abort));
    f->iot = iothread_new("io0", &error_abort);
    g_assert_true(object_registry_add("io0", TYPE_IOTHREAD, f->iot,
                                      &error_abort));

    f->smmu = qdev_new(TYPE_ARM_SMMUV3, &error_abort);
    f->smmu->as = f->as;
    set_props(f->smmu, smmu_props);
    g_assert_true(qdev_realize(f->smmu, &error_abort));
    g_assert_true(qdev_mmio_map(f->smmu, ACCEL_FIX_MMIO_BASE, &error_abort));
    qos_memory_bus_init(&f->qos, f->as);
    qsmmuv3_init(&f->d, &f->qos, ACCEL_FIX_MMIO_BASE, ACCEL_FIX_RAM_BASE,
                 ACCEL_FIX_RAM_SIZE);
}

static DeviceState *new_vfio(AccelFixture *f, unsigned i)
{
    g_autofree char *psid = g_strdup_printf("0x%x", ACCEL_FIX_PSID(i));
    g_autofree char *addr = g_strdup_printf("%u", i + 1);
    const char *const props[] = {
        "iommufd", "iommufd0", "x-emulated-psid", psid, "addr", addr, NULL,
    };
    DeviceState *dev = qdev_new("vfio-pci", &error_abort);

    dev->as = f->as;
    set_props(dev, props);
    g_assert_true(qdev_realize(dev, &error_abort));
    return dev;
}

void accel_fixture_plug(AccelFixture *f)
{
    unsigned i = 0;

    while (i < ACCEL_FIX_MAX_DEVS && f->vfio[i]) {
        i++;
    }
    g_assert_cmpuint(i, <, ACCEL_FIX_MAX_DEVS);
    f->vfio[i] = new_vfio(f, i);
    f->ndevs++;
}

void accel_fixture_unplug(AccelFixture *f, unsigned i)
{
    g_assert_nonnull(f->vfio[i]);
    qdev_free(f->vfio[i]);
    f->vfio[i] = NULL;
    f->ndevs--;
}

void accel_fixture_setup(AccelFixture *f, unsigned ndevs,
                         unsigned cmdq_log2size, unsigned evtq_log2size)
{
    QSMMUv3Options opts = {
        .cmdq_log2size = cmdq_log2size,
        .evtq_log2size = evtq_log2size,
        .sid_bits = 16,
    };

    accel_fixture_init(f);
    for (unsigned i = 0; i < ndevs; i++) {
        accel_fixture_plug(f);
    }
    g_assert_true(qsmmuv3_bringup(&f->d, &opts));
    for (unsigned i = 0; i < ndevs; i++) {
        qsmmuv3_ste_s1(&f->d, ACCEL_FIX_VSID(i), i + 1,
                       qsmmuv3_alloc(&f->d, 4096, 4096));
        g_assert_true(qsmmuv3_cfgi_ste(&f->d, ACCEL_FIX_VSID(i)));
    }
}

void accel_fixture_fini(AccelFixture *f)
{
    for (unsigned i = 0; i < ACCEL_FIX_MAX_DEVS; i++) {
        if (f->vfio[i]) {
            qdev_free(f->vfio[i]);
        }
    }
    qdev_free(f->smmu);
    pcie_host_free(f->pci);
    object_registry_clear();
    iothread_free(f->iot);
    iommufd_backend_disconnect(f->be);
    iommufd_backend_free(f->be);
    iommufd_emulated_host_free(f->host);
    address_space_free(f->as);
}
