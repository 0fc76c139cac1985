/*
 * iommu-testdev: QEMU's PCI test device for IOMMU translation
 * (1b36:0005, docs/specs/iommu-testdev.rst in QEMU): its BAR0 register
 * interface, shared by the device model and the tests that drive it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_IOMMU_TESTDEV_H
#define HW_MISC_IOMMU_TESTDEV_H

#include "hw/pci/pci-regs.h"

#define IOMMU_TESTDEV_VENDOR_ID     PCI_VENDOR_ID_REDHAT
#define IOMMU_TESTDEV_DEVICE_ID     PCI_DEVICE_ID_REDHAT_TEST

/* BAR0: 32-bit registers, 32-bit accesses only. */
#define ITD_REG_DMA_TRIGGERING      0x00    /* read: run the armed DMA */
#define ITD_REG_DMA_GVA_LO          0x04    /* DMA IOVA [31:0] */
#define ITD_REG_DMA_GVA_HI          0x08    /* DMA IOVA [63:32] */
#define ITD_REG_DMA_LEN             0x0c
#define ITD_REG_DMA_RESULT          0x10
#define ITD_REG_DMA_DBELL           0x14    /* bit 0: arm (1) / disarm (0) */
#define ITD_REG_DMA_ATTRS           0x18
#define ITD_REG_DMA_GPA_LO          0x1c    /* read-back GPA [31:0] */
#define ITD_REG_DMA_GPA_HI          0x20    /* read-back GPA [63:32] */
#define ITD_BAR0_SIZE               0x1000

/* DMA_ATTRS: [0] secure, [2:1] Arm security space, [3] space valid. */
#define ITD_ATTRS_SECURE            0x1u
#define ITD_ATTRS_SPACE_SHIFT       1
#define ITD_ATTRS_SPACE_MASK        0x3u
#define ITD_ATTRS_SPACE_VALID       0x8u
#define ITD_ATTRS_SPACE_SECURE      0
#define ITD_ATTRS_SPACE_NONSECURE   1

#define ITD_DMA_DBELL_ARM           0x1u

/* DMA_RESULT values. */
#define ITD_DMA_RESULT_OK           0x00000000u
#define ITD_DMA_RESULT_IDLE         0xffffffffu
#define ITD_DMA_RESULT_BUSY         0xfffffffeu
#define ITD_DMA_ERR_BAD_LEN         0xdead0001u
#define ITD_DMA_ERR_TX_FAIL         0xdead0002u
#define ITD_DMA_ERR_RD_FAIL         0xdead0003u
#define ITD_DMA_ERR_MISMATCH        0xdead0004u
#define ITD_DMA_ERR_NOT_ARMED       0xdead0005u
#define ITD_DMA_ERR_BAD_ATTRS       0xdead0006u

/* The pattern the DMA writes, little-endian, repeated. */
#define ITD_DMA_WRITE_VAL           0x12345678u

#endif /* HW_MISC_IOMMU_TESTDEV_H */
