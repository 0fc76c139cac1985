/*
 * libqos driver of iommu-testdev (hw/misc/iommu-testdev.c): its BAR0
 * registers and one armed DMA, for a function the generic PCIe
 * enumerator (pci-generic.h) found and gave BAR0.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_QTEST_LIBQOS_IOMMU_TESTDEV_H
#define TESTS_QTEST_LIBQOS_IOMMU_TESTDEV_H

#include "libqos/pci-generic.h"

uint32_t qitd_readl(QPCIeFunc *itd, uint32_t reg);
void qitd_writel(QPCIeFunc *itd, uint32_t reg, uint32_t v);
/*
 * Arm a DMA of LEN bytes written at IOVA and read back at GPA (asserting
 * the result reads BUSY until the trigger), trigger it: the result code.
 */
uint32_t qitd_dma(QPCIeFunc *itd, uint64_t iova, uint64_t gpa, uint32_t len);

#endif
