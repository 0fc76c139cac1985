/*
 * iommu-testdev: QEMU's PCI test device for IOMMU translation.
 *
 * A conventional PCI function (1b36:0005, class "other") with one 4 KiB
 * BAR.  A test programs an IOVA, a length and the guest-physical address
 * it expects the IOVA to reach, arms the doorbell and reads the trigger
 * register: the device writes the pattern 0x12345678 (little-endian,
 * repeated) through pci_dma_rw() - through the IOMMU of its bus, gated
 * by bus master enable - then reads the expected GPA directly from guest
 * memory and compares.  DMA_RESULT says how it went (see
 * include/hw/misc/iommu-testdev.h).  The length is bounded by
 * ITD_DMA_MAX_LEN: a guest value never sizes an unbounded allocation.
 *
 * State: the registers below, main thread only (MMIO dispatch).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/pci-device.h"
#include "hw/misc/iommu-testdev.h"
#include "trace.h"

#define TYPE_IOMMU_TESTDEV "iommu-testdev"
/* Longer requests fail with BAD_LEN (QEMU allocates whatever is asked). */
#define ITD_DMA_MAX_LEN (1u << 20)

typedef struct IOMMUTestDevState {
    PCIDevice parent_obj;
    uint64_t dma_vaddr;
    uint64_t dma_paddr;
    uint32_t dma_len;
    uint32_t dma_result;
    uint32_t dma_attrs;
    bool dma_armed;             /* until a trigger read consumes it */
} IOMMUTestDevState;

static void itd_regs_reset(IOMMUTestDevState *s)
{
    s->dma_vaddr = s->dma_paddr = 0;
    s->dma_len = 0;
    s->dma_result = ITD_DMA_RESULT_IDLE;
    s->dma_attrs = ITD_ATTRS_SPACE_NONSECURE << ITD_ATTRS_SPACE_SHIFT;
    s->dma_armed = false;
}

/* Secure and space must agree when the space is valid and S or NS. */
static bool itd_attrs_bad(uint32_t attrs)
{
    unsigned space = (attrs >> ITD_ATTRS_SPACE_SHIFT) & ITD_ATTRS_SPACE_MASK;
    bool secure = attrs & ITD_ATTRS_SECURE;

    if (!(attrs & ITD_ATTRS_SPACE_VALID) ||
        (space != ITD_ATTRS_SPACE_SECURE &&
         space != ITD_ATTRS_SPACE_NONSECURE)) {
        return false;
    }
    return secure != (space == ITD_ATTRS_SPACE_SECURE);
}

/* Write the pattern at the IOVA, read the GPA back, compare. */
static uint32_t itd_dma(IOMMUTestDevState *s)
{
    PCIDevice *pdev = &s->parent_obj;
    g_autofree uint8_t *wbuf = NULL, *rbuf = NULL;

    if (!s->dma_len || s->dma_len > ITD_DMA_MAX_LEN) {
        return ITD_DMA_ERR_BAD_LEN;
    }
    if (itd_attrs_bad(s->dma_attrs)) {
        return ITD_DMA_ERR_BAD_ATTRS;
    }
    wbuf = g_malloc(s->dma_len);
    rbuf = g_malloc(s->dma_len);
    for (uint32_t i = 0; i < s->dma_len; i++) {
        wbuf[i] = ITD_DMA_WRITE_VAL >> (8 * (i % 4));
    }
    trace_iommu_testdev_dma(s->dma_vaddr, s->dma_paddr, s->dma_len);
    if (pci_dma_rw(pdev, s->dma_vaddr, wbuf, s->dma_len, true) != MEMTX_OK) {
        return ITD_DMA_ERR_TX_FAIL;
    }
    /* The read-back is the checker's, not the device's: no IOMMU. */
    if (address_space_read(pdev->bus->host->as, s->dma_paddr, rbuf,
                           s->dma_len) != MEMTX_OK) {
        return ITD_DMA_ERR_RD_FAIL;
    }
    return memcmp(wbuf, rbuf, s->dma_len) ? ITD_DMA_ERR_MISMATCH
                                          : ITD_DMA_RESULT_OK;
}

static void itd_trigger(IOMMUTestDevState *s)
{
    s->dma_result = s->dma_armed ? itd_dma(s) : ITD_DMA_ERR_NOT_ARMED;
    s->dma_armed = false;
    trace_iommu_testdev_result(s->dma_result);
}

static MemTxResult itd_read(void *opaque, hwaddr addr, uint64_t *data,
                            unsigned size)
{
    IOMMUTestDevState *s = opaque;

    switch (addr) {
    case ITD_REG_DMA_TRIGGERING:
        itd_trigger(s);
        *data = 0;
        break;
    case ITD_REG_DMA_GVA_LO:
        *data = (uint32_t)s->dma_vaddr;
        break;
    case ITD_REG_DMA_GVA_HI:
        *data = s->dma_vaddr >> 32;
        break;
    case ITD_REG_DMA_GPA_LO:
        *data = (uint32_t)s->dma_paddr;
        break;
    case ITD_REG_DMA_GPA_HI:
        *data = s->dma_paddr >> 32;
        break;
    case ITD_REG_DMA_LEN:
        *data = s->dma_len;
        break;
    case ITD_REG_DMA_RESULT:
        *data = s->dma_result;
        break;
    case ITD_REG_DMA_ATTRS:
        *data = s->dma_attrs;
        break;
    default:
        *data = 0;
        break;
    }
    return MEMTX_OK;
}

static void set_half(uint64_t *reg, bool high, uint32_t v)
{
    *reg = high ? (*reg & UINT32_MAX) | (uint64_t)v << 32
                : (*reg & ~(uint64_t)UINT32_MAX) | v;
}

static MemTxResult itd_write(void *opaque, hwaddr addr, uint64_t data,
                             unsigned size)
{
    IOMMUTestDevState *s = opaque;
    uint32_t v = data;

    switch (addr) {
    case ITD_REG_DMA_GVA_LO:
    case ITD_REG_DMA_GVA_HI:
        set_half(&s->dma_vaddr, addr == ITD_REG_DMA_GVA_HI, v);
        break;
    case ITD_REG_DMA_GPA_LO:
    case ITD_REG_DMA_GPA_HI:
        set_half(&s->dma_paddr, addr == ITD_REG_DMA_GPA_HI, v);
        break;
    case ITD_REG_DMA_LEN:
        s->dma_len = v;
        break;
    case ITD_REG_DMA_RESULT:
        s->dma_result = v;
        break;
    case ITD_REG_DMA_DBELL:
        s->dma_armed = v & ITD_DMA_DBELL_ARM;
        s->dma_result = s->dma_armed ? ITD_DMA_RESULT_BUSY
                                     : ITD_DMA_RESULT_IDLE;
        break;
    case ITD_REG_DMA_ATTRS:
        s->dma_attrs = v;
        break;
    default:
        break;
    }
    return MEMTX_OK;
}

static const MemoryRegionOps itd_bar0_ops = {
    .read = itd_read,
    .write = itd_write,
    .min_access_size = 4,
    .max_access_size = 4,
};

static bool itd_realize(PCIDevice *pdev, Error **errp)
{
    IOMMUTestDevState *s = (IOMMUTestDevState *)pdev;

    itd_regs_reset(s);
    pci_register_bar(pdev, 0, 0, ITD_BAR0_SIZE, &itd_bar0_ops, s);
    return true;
}

static void itd_reset(PCIDevice *pdev)
{
    itd_regs_reset((IOMMUTestDevState *)pdev);
}

static const Property itd_props[] = {
    DEFINE_PCI_DEVICE_PROPERTIES(),
    DEFINE_PROP_END_OF_LIST(),
};

static const PCIDeviceClass itd_class = {
    .parent_class = {
        .name = TYPE_IOMMU_TESTDEV,
        .desc = "A test device for IOMMU",
        .category = "misc",
        .instance_size = sizeof(IOMMUTestDevState),
        .user_creatable = true,
        .props = itd_props,
        PCI_DEVICE_CLASS_COMMON,
    },
    .vendor_id = IOMMU_TESTDEV_VENDOR_ID,
    .device_id = IOMMU_TESTDEV_DEVICE_ID,
    .class_id = PCI_CLASS_OTHERS,
    .pci_realize = itd_realize,
    .pci_reset = itd_reset,
};

static void itd_register_types(void)
{
    device_class_register(&itd_class.parent_class);
}

type_init(itd_register_types)
