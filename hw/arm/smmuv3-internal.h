/*
 * Arm SMMUv3 model: the implementation choices of "arm-smmuv3".
 *
 * The architecture's encodings (registers, commands, events, STE, CD)
 * are in include/hw/arm/smmuv3-common.h.  This header holds only what
 * this model chooses within them: the queue sizes and StreamID width it
 * advertises and its reset values.  Used by hw/arm/smmuv3.c and the
 * model's own tests.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_SMMUV3_INTERNAL_H
#define HW_ARM_SMMUV3_INTERNAL_H

#include "hw/arm/smmuv3-common.h"

/* Queue sizes and StreamID width the model advertises in IDR1. */
#define SMMU_CMDQS          19
#define SMMU_EVENTQS        19
#define SMMU_SIDSIZE        16
#define SMMU_SSIDSIZE_MAX   20

/* Values observed from QEMU's emulated model (see docs/system). */
#define SMMU_GBPA_RESET_VAL 0x00001000
#define SMMU_AIDR_VAL       0x1     /* SMMUv3.1 */

#endif /* HW_ARM_SMMUV3_INTERNAL_H */
