/*
 * arm-smmuv3 in process for the translation tests and benchmarks (see
 * smmuv3-fixture.h).  Single-threaded: the caller's thread is the main
 * thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "qos-memory.h"
#include "smmuv3-fixture.h"

void smmuv3_fixture_init(SMMUv3Fixture *f, const char *const *props,
                         const QSMMUv3Options *opts)
{
    memset(f, 0, sizeof(*f));
    object_registry_clear();
    f->as = address_space_new("smmuv3-fixture");
    g_assert(address_space_add_ram(f->as, SMMU_FIX_RAM_BASE,
                                   SMMU_FIX_RAM_SIZE, &error_abort));
    f->bus.id = (char *)"pcie.0";
    g_assert(object_registry_add("pcie.0", TYPE_PCI_BUS, &f->bus,
                                 &error_abort));
    f->dev = qdev_new(TYPE_ARM_SMMUV3, &error_abort);
    g_assert(qdev_prop_parse(f->dev, "primary-bus", "pcie.0", &error_abort));
    for (; props && props[0]; props += 2) {
        g_assert(qdev_prop_parse(f->dev, props[0], props[1], &error_abort));
    }
    f->dev->as = f->as;
    g_assert(qdev_realize(f->dev, &error_abort));
    f->s = (SMMUv3State *)f->dev;
    g_assert(qdev_mmio_map(f->dev, SMMU_FIX_MMIO_BASE, &error_abort));
    qos_memory_bus_init(&f->qos, f->as);
    qsmmuv3_init(&f->d, &f->qos, SMMU_FIX_MMIO_BASE, SMMU_FIX_DRV_RAM,
                 SMMU_FIX_RAM_SIZE / 2);
    g_assert_true(qsmmuv3_bringup(&f->d, opts));
}

void smmuv3_fixture_fini(SMMUv3Fixture *f)
{
    qdev_free(f->dev);
    g_assert_null(f->bus.iommu_ops);
    address_space_free(f->as);
    object_registry_clear();
}

void smmuv3_fixture_w64(SMMUv3Fixture *f, uint64_t addr, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    g_assert(address_space_write(f->as, addr, &v, 8) == MEMTX_OK);
}

uint64_t smmuv3_fixture_r64(SMMUv3Fixture *f, uint64_t addr)
{
    uint64_t v;

    g_assert(address_space_read(f->as, addr, &v, 8) == MEMTX_OK);
    return GUINT64_FROM_LE(v);
}

bool smmuv3_fixture_dma(SMMUv3Fixture *f, uint16_t requester_id,
                        uint64_t addr, bool write, IOMMUTLBEntry *entry)
{
    g_assert_nonnull(f->bus.iommu_ops);
    g_assert_nonnull(f->bus.iommu_ops->translate);
    return f->bus.iommu_ops->translate(&f->bus, f->bus.iommu_opaque,
                                       requester_id, addr, write, entry);
}
