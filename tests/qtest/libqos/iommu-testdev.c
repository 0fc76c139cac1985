/*
 * libqos driver of iommu-testdev over the QOSBus its host was enumerated
 * on; see iommu-testdev.h.  No state.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqos/iommu-testdev.h"
#include "hw/misc/iommu-testdev.h"

uint32_t qitd_readl(QPCIeFunc *itd, uint32_t reg)
{
    const QOSBus *bus = itd->host->bus;

    return bus->readl(bus->opaque, itd->bar_addr[0] + reg);
}

void qitd_writel(QPCIeFunc *itd, uint32_t reg, uint32_t v)
{
    const QOSBus *bus = itd->host->bus;

    bus->writel(bus->opaque, itd->bar_addr[0] + reg, v);
}

uint32_t qitd_dma(QPCIeFunc *itd, uint64_t iova, uint64_t gpa, uint32_t len)
{
    qitd_writel(itd, ITD_REG_DMA_GVA_LO, (uint32_t)iova);
    qitd_writel(itd, ITD_REG_DMA_GVA_HI, iova >> 32);
    qitd_writel(itd, ITD_REG_DMA_GPA_LO, (uint32_t)gpa);
    qitd_writel(itd, ITD_REG_DMA_GPA_HI, gpa >> 32);
    qitd_writel(itd, ITD_REG_DMA_LEN, len);
    qitd_writel(itd, ITD_REG_DMA_DBELL, ITD_DMA_DBELL_ARM);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_RESULT), ==,
                    ITD_DMA_RESULT_BUSY);
    /* Reading TRIGGERING runs the armed DMA. */
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_TRIGGERING), ==, 0);
    return qitd_readl(itd, ITD_REG_DMA_RESULT);
}
