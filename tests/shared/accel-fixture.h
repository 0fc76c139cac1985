/*
 * arm-smmuv3,accel=on in process, for unit tests and benchmarks: guest
 * RAM, a "pcie.0" bus, the embedded emulated host behind an iommufd
 * backend, an IOThread "io0" that is created but never started (whoever
 * uses the fixture decides when its context runs), the vSMMU, host
 * devices, and the libqos guest driver over the memory API.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SHARED_ACCEL_FIXTURE_H
#define TESTS_SHARED_ACCEL_FIXTURE_H

#include "qemu/iothread.h"
#include "hw/arm/smmuv3-accel.h"
#include "system/iommufd-emulated.h"
#include "libqos/smmuv3-driver.h"

#define ACCEL_FIX_MMIO_BASE 0x09050000ULL
#define ACCEL_FIX_RAM_BASE  0x40000000ULL
#define ACCEL_FIX_RAM_SIZE  (64 * 1024 * 1024ULL)
#define ACCEL_FIX_MAX_DEVS  8
/* Device i: physical StreamID 0x1234 + i, at pcie.0 addr i + 1. */
#define ACCEL_FIX_PSID(i)   (0x1234 + (i))
#define ACCEL_FIX_VSID(i)   (((i) + 1) << 3)

typedef struct AccelFixture {
    AddressSpace *as;
    PCIHost *pci;               /* the virt PCIe host: pcie.0 */
    IOMMUFDEmulatedHost *host;
    IOMMUFDBackend *be;
    IOThread *iot;
    DeviceState *smmu;
    DeviceState *vfio[ACCEL_FIX_MAX_DEVS];
    unsigned ndevs;
    QOSBus qos;
    QSMMUv3 d;
} AccelFixture;

/* Everything but host devices; the guest has not touched the SMMU. */
void accel_fixture_init(AccelFixture *f);
/* Cold-plug the next host device. */
void accel_fixture_plug(AccelFixture *f);
/* Unplug host device I. */
void accel_fixture_unplug(AccelFixture *f, unsigned i);
/* init, NDEVS devices, the guest brings the SMMU up, each in stage 1. */
void accel_fixture_setup(AccelFixture *f, unsigned ndevs,
                         unsigned cmdq_log2size, unsigned evtq_log2size);
void accel_fixture_fini(AccelFixture *f);

static inline SMMUv3State *accel_fixture_smmu(AccelFixture *f)
{
    return (SMMUv3State *)f->smmu;
}

#endif /* TESTS_SHARED_ACCEL_FIXTURE_H */
