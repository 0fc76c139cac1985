/*
 * arm-smmuv3 in process for the translation tests and benchmarks: 64 MiB
 * of guest RAM at 0x40000000, a "pcie.0" bus the SMMU translates, the
 * SMMU at 0x09050000 and the libqos guest driver over the memory API,
 * which brings it up in the upper half of RAM (the lower half is the
 * caller's, for tables).  Emulated DMA goes through the bus's
 * PCIIOMMUOps.translate, as an emulated device's does.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SHARED_SMMUV3_FIXTURE_H
#define TESTS_SHARED_SMMUV3_FIXTURE_H

#include "hw/arm/smmuv3.h"
#include "libqos/smmuv3-driver.h"

#define SMMU_FIX_MMIO_BASE  0x09050000ULL
#define SMMU_FIX_RAM_BASE   0x40000000ULL
#define SMMU_FIX_RAM_SIZE   (64ULL << 20)
/* The caller's half: [SMMU_FIX_RAM_BASE, SMMU_FIX_DRV_RAM). */
#define SMMU_FIX_DRV_RAM    (SMMU_FIX_RAM_BASE + SMMU_FIX_RAM_SIZE / 2)

typedef struct SMMUv3Fixture {
    AddressSpace *as;
    PCIBus bus;
    DeviceState *dev;
    SMMUv3State *s;
    QOSBus qos;
    QSMMUv3 d;
} SMMUv3Fixture;

/*
 * Realize arm-smmuv3 with PROPS (NULL-terminated name, value pairs,
 * primary-bus added) and bring it up with OPTS.
 */
void smmuv3_fixture_init(SMMUv3Fixture *f, const char *const *props,
                         const QSMMUv3Options *opts);
void smmuv3_fixture_fini(SMMUv3Fixture *f);

/* Little-endian 64-bit guest RAM accesses; abort outside RAM. */
void smmuv3_fixture_w64(SMMUv3Fixture *f, uint64_t addr, uint64_t v);
uint64_t smmuv3_fixture_r64(SMMUv3Fixture *f, uint64_t addr);

/* One emulated DMA translation by REQUESTER_ID through the bus hook. */
bool smmuv3_fixture_dma(SMMUv3Fixture *f, uint16_t requester_id,
                        uint64_t addr, bool write, IOMMUTLBEntry *entry);

#endif /* TESTS_SHARED_SMMUV3_FIXTURE_H */
