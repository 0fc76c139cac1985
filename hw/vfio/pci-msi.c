/*
 * vfio-pci: the guest's MSI and MSI-X of a host device (see
 * include/hw/vfio/pci-msi.h).
 *
 * Owns the VFIOMSIState: the emulated capability bytes live in the
 * function's config (PCIDevice.config, with their write masks), the
 * MSI-X table here; the VFIOPCIIrqs of whichever index is enabled.
 * Main thread only (config and BAR accesses are dispatched there).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/vfio/pci-msi.h"
#include "hw/pci/pci-regs.h"
#include "system/vfio-cdev-abi.h"
#include "trace.h"

#define CAP_LIST_MAX            48          /* 192 bytes / 4 */
#define CAP_FIRST               0x40        /* after the header */
#define PBA_SIZE(entries)       (((uint64_t)(entries) + 63) / 64 * 8)

static PCIDevice *pdev_of(VFIOPCIDevice *vdev)
{
    return &vdev->parent_obj;
}

/* ---- routing ---------------------------------------------------------- */

/*
 * Where the vector's MSI goes.  Behind an IOMMU the guest wrote an IOVA
 * of its own stage 1: the doorbell's guest-physical address instead,
 * the IOMMU's (arm-smmuv3 msi-gpa) or the address space's.
 */
static hwaddr msi_target(VFIOPCIDevice *vdev, uint64_t guest_addr)
{
    PCIDevice *pdev = pdev_of(vdev);
    PCIBus *ibus = pci_device_iommu_bus(pdev);
    uint64_t gpa = 0;
    hwaddr bell;

    if (!ibus) {
        return guest_addr;
    }
    if (ibus->iommu_ops->get_msi_direct_gpa) {
        gpa = ibus->iommu_ops->get_msi_direct_gpa(pdev->bus,
                                                  ibus->iommu_opaque,
                                                  pdev->devfn);
    }
    if (gpa) {
        return gpa;
    }
    return address_space_msi_doorbell(pdev->parent_obj.as, &bell) ? bell
                                                                 : guest_addr;
}

/* Vector V of IRQS to what the guest gave it, if that changed. */
static void vector_sync(VFIOPCIDevice *vdev, const char *kind,
                        VFIOPCIIrqs *irqs, VFIOMSIRoute *rt, unsigned v,
                        bool masked, uint64_t guest_addr, uint32_t data)
{
    VFIOMSIRoute want = {
        .live = !masked,
        .addr = masked ? 0 : msi_target(vdev, guest_addr),
        .data = masked ? 0 : data,
        .devid = masked ? 0 : pci_requester_id_of(pdev_of(vdev)),
    };
    Error *err = NULL;

    if (want.live == rt->live && want.addr == rt->addr &&
        want.data == rt->data && want.devid == rt->devid) {
        return;
    }
    trace_vfio_msi_vector(vdev->hiod.name, kind, v, masked, guest_addr,
                          want.addr, data, want.devid);
    if (masked) {
        vfio_pci_irqs_mask(irqs, v);
    } else if (!vfio_pci_irqs_route(irqs, v, want.addr, data, want.devid,
                                    &err)) {
        vdev->msi->errors++;
        trace_vfio_msi_error(vdev->hiod.name, kind, error_get_pretty(err));
        error_free(err);
        want.live = false;
    }
    *rt = want;
}

/* The VFIO index, its first N vectors given eventfds, or NULL. */
static VFIOPCIIrqs *irqs_enable(VFIOPCIDevice *vdev, const char *kind,
                                uint32_t index, unsigned n)
{
    VFIOPCIIrqs *irqs;
    Error *err = NULL;

    irqs = vfio_pci_irqs_new(vdev, index, &err);
    if (irqs && !vfio_pci_irqs_prepare(irqs, MIN(n, vfio_pci_irqs_count(irqs)),
                                       &err)) {
        vfio_pci_irqs_free(irqs);
        irqs = NULL;
    }
    if (!irqs) {
        vdev->msi->errors++;
        trace_vfio_msi_error(vdev->hiod.name, kind, error_get_pretty(err));
        error_free(err);
    }
    trace_vfio_msi_enable(vdev->hiod.name, kind, n, irqs != NULL);
    return irqs;
}

/* ---- MSI ---------------------------------------------------------------- */

static unsigned msi_data_off(const VFIOMSIState *m)
{
    return m->msi_64bit ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
}

static unsigned msi_mask_off(const VFIOMSIState *m)
{
    return msi_data_off(m) + 4;
}

static void msi_disable(VFIOPCIDevice *vdev)
{
    VFIOMSIState *m = vdev->msi;

    if (m->msi_nvec) {
        trace_vfio_msi_enable(vdev->hiod.name, "MSI", 0, true);
    }
    vfio_pci_irqs_free(m->msi_irqs);
    m->msi_irqs = NULL;
    m->msi_nvec = 0;
    memset(m->msi_route, 0, sizeof(m->msi_route));
}

/* The capability as the guest left it, into the host's vectors. */
static void msi_update(VFIOPCIDevice *vdev)
{
    VFIOMSIState *m = vdev->msi;
    const uint8_t *c = pdev_of(vdev)->config + m->msi_cap;
    uint16_t flags = pci_get_word(c + PCI_MSI_FLAGS);
    unsigned nvec = 0;
    uint64_t addr;
    uint32_t mask;

    if (flags & PCI_MSI_FLAGS_ENABLE) {
        nvec = MIN(1u << ((flags & PCI_MSI_FLAGS_QSIZE) >> 4), m->msi_max);
    }
    if (nvec != m->msi_nvec) {
        msi_disable(vdev);
        if (nvec) {
            m->msi_irqs = irqs_enable(vdev, "MSI", VFIO_PCI_MSI_IRQ_INDEX,
                                      nvec);
            m->msi_nvec = nvec;
        }
    }
    if (!m->msi_irqs) {
        return;
    }
    addr = pci_get_long(c + PCI_MSI_ADDRESS_LO);
    if (m->msi_64bit) {
        addr |= (uint64_t)pci_get_long(c + PCI_MSI_ADDRESS_HI) << 32;
    }
    mask = m->msi_maskbit ? pci_get_long(c + msi_mask_off(m)) : 0;
    nvec = MIN(nvec, vfio_pci_irqs_count(m->msi_irqs));
    for (unsigned v = 0; v < nvec; v++) {
        /* Multiple Message: the vector number in the data's low bits. */
        uint32_t data = (pci_get_word(c + msi_data_off(m)) & ~(nvec - 1)) | v;

        vector_sync(vdev, "MSI", m->msi_irqs, &m->msi_route[v], v,
                    mask & (1u << v), addr, data);
    }
}

static void msi_setup(VFIOPCIDevice *vdev, uint8_t cap)
{
    PCIDevice *pdev = pdev_of(vdev);
    VFIOMSIState *m = vdev->msi;
    uint16_t flags = pci_get_word(pdev->config + cap + PCI_MSI_FLAGS);
    uint8_t *wm = pdev->wmask + cap;

    m->msi_cap = cap;
    m->msi_64bit = flags & PCI_MSI_FLAGS_64BIT;
    m->msi_maskbit = flags & PCI_MSI_FLAGS_MASKBIT;
    m->msi_max = 1u << MIN((flags & PCI_MSI_FLAGS_QMASK) >> 1, 5);
    m->msi_size = msi_data_off(m) + 2 + (m->msi_maskbit ? 10 : 0);
    /* Off, nothing programmed; the guest writes Enable, MME, message. */
    memset(pdev->config + cap + PCI_MSI_FLAGS + 2, 0, m->msi_size - 4);
    pci_set_word(pdev->config + cap + PCI_MSI_FLAGS,
                 flags & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
    pci_set_word(wm + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_long(wm + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (m->msi_64bit) {
        pci_set_long(wm + PCI_MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(wm + msi_data_off(m), 0xffff);
    if (m->msi_maskbit) {
        pci_set_long(wm + msi_mask_off(m),
                     m->msi_max == 32 ? 0xffffffff : (1u << m->msi_max) - 1);
    }
}

/* ---- MSI-X -------------------------------------------------------------- */

static uint16_t msix_flags(VFIOPCIDevice *vdev)
{
    return pci_get_word(pdev_of(vdev)->config + vdev->msi->msix_cap +
                        PCI_MSIX_FLAGS);
}

static void msix_sync_entry(VFIOPCIDevice *vdev, unsigned v)
{
    VFIOMSIState *m = vdev->msi;
    const uint8_t *e = m->msix_table + v * PCI_MSIX_ENTRY_SIZE;
    bool masked = (msix_flags(vdev) & PCI_MSIX_FLAGS_MASKALL) ||
                  (pci_get_long(e + PCI_MSIX_ENTRY_CTRL) &
                   PCI_MSIX_ENTRY_MASKED);
    uint64_t addr = pci_get_long(e) | (uint64_t)pci_get_long(e + 4) << 32;

    if (m->msix_irqs && v < vfio_pci_irqs_count(m->msix_irqs)) {
        vector_sync(vdev, "MSI-X", m->msix_irqs, &m->msix_route[v], v,
                    masked, addr, pci_get_long(e + PCI_MSIX_ENTRY_DATA));
    }
}

static void msix_update(VFIOPCIDevice *vdev)
{
    VFIOMSIState *m = vdev->msi;
    bool on = msix_flags(vdev) & PCI_MSIX_FLAGS_ENABLE;

    if (on != m->msix_on) {
        vfio_pci_irqs_free(m->msix_irqs);
        m->msix_irqs = NULL;
        memset(m->msix_route, 0, m->msix_entries * sizeof(*m->msix_route));
        m->msix_on = on;
        /*
         * Every entry gets its eventfd now: a kernel without dynamic
         * MSI-X allocation cannot grow the index later.
         */
        if (on) {
            m->msix_irqs = irqs_enable(vdev, "MSI-X",
                                       VFIO_PCI_MSIX_IRQ_INDEX,
                                       m->msix_entries);
        } else {
            trace_vfio_msi_enable(vdev->hiod.name, "MSI-X", 0, true);
        }
    }
    for (unsigned v = 0; m->msix_irqs && v < m->msix_entries; v++) {
        msix_sync_entry(vdev, v);
    }
}

static void msix_table_reset(VFIOMSIState *m)
{
    memset(m->msix_table, 0, m->msix_entries * PCI_MSIX_ENTRY_SIZE);
    for (unsigned v = 0; v < m->msix_entries; v++) {
        pci_set_long(m->msix_table + v * PCI_MSIX_ENTRY_SIZE +
                     PCI_MSIX_ENTRY_CTRL, PCI_MSIX_ENTRY_MASKED);
    }
}

/* The table or PBA at OFF (SIZE bytes) fits in BAR BIR of the device. */
static bool msix_range_ok(VFIOPCIDevice *vdev, const char *what, int bir,
                          uint64_t off, uint64_t size, Error **errp)
{
    uint64_t bar = bir < PCI_NUM_REGIONS ? vdev->bars[bir].size : 0;

    if (!bar || off > bar || size > bar - off) {
        error_setg(errp, "%s: MSI-X %s at 0x%" PRIx64 " (0x%" PRIx64
                   " bytes) is not inside BAR %d", vdev->hiod.name, what,
                   off, size, bir);
        return false;
    }
    return true;
}

static bool msix_setup(VFIOPCIDevice *vdev, uint8_t cap, Error **errp)
{
    PCIDevice *pdev = pdev_of(vdev);
    VFIOMSIState *m = vdev->msi;
    const uint8_t *c = pdev->config + cap;
    uint32_t table = pci_get_long(c + PCI_MSIX_TABLE);
    uint32_t pba = pci_get_long(c + PCI_MSIX_PBA);

    m->msix_entries = (pci_get_word(c + PCI_MSIX_FLAGS) &
                       PCI_MSIX_FLAGS_QSIZE) + 1;
    m->msix_table_bar = table & PCI_MSIX_BIR;
    m->msix_table_off = table & ~PCI_MSIX_BIR;
    m->msix_pba_bar = pba & PCI_MSIX_BIR;
    m->msix_pba_off = pba & ~PCI_MSIX_BIR;
    if (!msix_range_ok(vdev, "table", m->msix_table_bar, m->msix_table_off,
                       (uint64_t)m->msix_entries * PCI_MSIX_ENTRY_SIZE, errp) ||
        !msix_range_ok(vdev, "PBA", m->msix_pba_bar, m->msix_pba_off,
                       PBA_SIZE(m->msix_entries), errp)) {
        return false;
    }
    m->msix_cap = cap;
    m->msix_table = g_malloc(m->msix_entries * PCI_MSIX_ENTRY_SIZE);
    m->msix_route = g_new0(VFIOMSIRoute, m->msix_entries);
    msix_table_reset(m);
    pci_set_word(pdev->config + cap + PCI_MSIX_FLAGS,
                 pci_get_word(c + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE);
    pci_set_word(pdev->wmask + cap + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    return true;
}

/* ---- config space ------------------------------------------------------- */

bool vfio_msi_setup(VFIOPCIDevice *vdev, Error **errp)
{
    PCIDevice *pdev = pdev_of(vdev);
    uint8_t cap;

    vdev->msi = g_new0(VFIOMSIState, 1);
    if (!(pci_get_word(pdev->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return true;
    }
    cap = pdev->config[PCI_CAPABILITY_LIST] & ~3;
    for (int n = 0; cap; n++) {
        uint8_t id = pdev->config[cap + PCI_CAP_LIST_ID];

        if (n == CAP_LIST_MAX || cap < CAP_FIRST) {
            error_setg(errp, "%s: malformed capability list at 0x%x",
                       vdev->hiod.name, cap);
            return false;
        }
        if (id == PCI_CAP_ID_MSI && !vdev->msi->msi_cap &&
            cap <= PCI_CONFIG_SPACE_SIZE - 24) {
            msi_setup(vdev, cap);
        } else if (id == PCI_CAP_ID_MSIX && !vdev->msi->msix_cap &&
                   cap <= PCI_CONFIG_SPACE_SIZE - PCI_MSIX_SIZEOF &&
                   !msix_setup(vdev, cap, errp)) {
            return false;
        }
        cap = pdev->config[cap + PCI_CAP_LIST_NEXT] & ~3;
    }
    trace_vfio_msi_caps(vdev->hiod.name, vdev->msi->msi_cap,
                        vdev->msi->msi_max, vdev->msi->msix_cap,
                        vdev->msi->msix_entries);
    return true;
}

static bool in_range(uint32_t addr, uint32_t start, uint32_t len)
{
    return addr >= start && addr < start + len;
}

bool vfio_msi_config_byte(const VFIOPCIDevice *vdev, uint32_t addr)
{
    const VFIOMSIState *m = vdev->msi;

    return m && ((m->msi_cap && in_range(addr, m->msi_cap + PCI_MSI_FLAGS,
                                         m->msi_size - 2)) ||
                 (m->msix_cap && in_range(addr, m->msix_cap + PCI_MSIX_FLAGS,
                                          PCI_MSIX_SIZEOF - 2)));
}

uint32_t vfio_msi_config_read(VFIOPCIDevice *vdev, uint32_t addr,
                              unsigned len, uint32_t val)
{
    VFIOMSIState *m = vdev->msi;
    uint32_t pend_reg, pending = 0;

    if (!m || !m->msi_maskbit) {
        return val;
    }
    pend_reg = m->msi_cap + msi_mask_off(m) + 4;
    if (addr >= pend_reg + 4 || addr + len <= pend_reg) {
        return val;
    }
    for (unsigned v = 0; m->msi_irqs && v < m->msi_nvec; v++) {
        pending |= (uint32_t)vfio_pci_irqs_pending(m->msi_irqs, v) << v;
    }
    for (unsigned i = 0; i < len; i++) {
        if (in_range(addr + i, pend_reg, 4)) {
            val &= ~(0xffu << (8 * i));
            val |= ((pending >> (8 * (addr + i - pend_reg))) & 0xff) << (8 * i);
        }
    }
    return val;
}

void vfio_msi_config_written(VFIOPCIDevice *vdev, uint32_t addr,
                             unsigned len)
{
    VFIOMSIState *m = vdev->msi;

    if (!m) {
        return;
    }
    if (m->msi_cap && addr < m->msi_cap + m->msi_size &&
        addr + len > m->msi_cap) {
        msi_update(vdev);
    }
    if (m->msix_cap && addr < m->msix_cap + PCI_MSIX_FLAGS + 2u &&
        addr + len > m->msix_cap + PCI_MSIX_FLAGS + 0u) {
        msix_update(vdev);
    }
}

/* ---- the table and PBA in the BAR --------------------------------------- */

static uint8_t pba_byte(VFIOMSIState *m, uint32_t i)
{
    uint8_t b = 0;

    for (unsigned bit = 0; bit < 8 && m->msix_irqs; bit++) {
        unsigned v = i * 8 + bit;

        if (v < m->msix_entries && vfio_pci_irqs_pending(m->msix_irqs, v)) {
            b |= 1u << bit;
        }
    }
    return b;
}

static void table_write(VFIOPCIDevice *vdev, uint32_t off, uint64_t data,
                        unsigned size)
{
    VFIOMSIState *m = vdev->msi;
    uint32_t end = m->msix_entries * PCI_MSIX_ENTRY_SIZE;

    /* DWORD or aligned QWORD accesses only (PCI 3.0, 6.8.2). */
    if ((size != 4 && size != 8) || (off & (size - 1)) || off >= end ||
        size > end - off) {
        trace_vfio_msix_bad_access(vdev->hiod.name, off, size);
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        m->msix_table[off + i] = data >> (8 * i);
    }
    msix_sync_entry(vdev, off / PCI_MSIX_ENTRY_SIZE);
    if (size == 8 &&
        (off + 4) / PCI_MSIX_ENTRY_SIZE != off / PCI_MSIX_ENTRY_SIZE) {
        msix_sync_entry(vdev, (off + 4) / PCI_MSIX_ENTRY_SIZE);
    }
}

bool vfio_msix_bar_access(VFIOPCIDevice *vdev, int n, hwaddr addr,
                          uint64_t *data, unsigned size, bool write)
{
    VFIOMSIState *m = vdev->msi;
    uint64_t tlen, plen;
    bool in_table, in_pba;
    uint64_t v = 0;

    if (!m || !m->msix_cap) {
        return false;
    }
    tlen = (uint64_t)m->msix_entries * PCI_MSIX_ENTRY_SIZE;
    plen = PBA_SIZE(m->msix_entries);
    in_table = n == m->msix_table_bar && addr < m->msix_table_off + tlen &&
               addr + size > m->msix_table_off;
    in_pba = n == m->msix_pba_bar && addr < m->msix_pba_off + plen &&
             addr + size > m->msix_pba_off;
    if (!in_table && !in_pba) {
        return false;
    }
    if (write) {
        if (in_table && addr >= m->msix_table_off) {
            table_write(vdev, addr - m->msix_table_off, *data, size);
        }
        return true;            /* the PBA is read-only */
    }
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = addr + i;
        uint8_t b = 0;

        if (in_table && a >= m->msix_table_off &&
            a - m->msix_table_off < tlen) {
            b = m->msix_table[a - m->msix_table_off];
        } else if (in_pba && a >= m->msix_pba_off &&
                   a - m->msix_pba_off < plen) {
            b = pba_byte(m, a - m->msix_pba_off);
        }
        v |= (uint64_t)b << (8 * i);
    }
    *data = v;
    return true;
}

bool vfio_msix_trap_range(const VFIOPCIDevice *vdev, int n, hwaddr *start,
                          uint64_t *size)
{
    const VFIOMSIState *m = vdev->msi;
    uint64_t page = sysconf(_SC_PAGESIZE);
    uint64_t lo = UINT64_MAX, hi = 0;

    if (!m || !m->msix_cap) {
        return false;
    }
    if (n == m->msix_table_bar) {
        lo = m->msix_table_off;
        hi = lo + (uint64_t)m->msix_entries * PCI_MSIX_ENTRY_SIZE;
    }
    if (n == m->msix_pba_bar) {
        lo = MIN(lo, m->msix_pba_off);
        hi = MAX(hi, m->msix_pba_off + PBA_SIZE(m->msix_entries));
    }
    if (lo >= hi) {
        return false;
    }
    *start = lo / page * page;
    *size = QEMU_ALIGN_UP(hi, page) - *start;
    return true;
}

void vfio_msi_reset(VFIOPCIDevice *vdev)
{
    VFIOMSIState *m = vdev->msi;

    if (!m) {
        return;
    }
    msi_disable(vdev);
    if (m->msix_cap) {
        vfio_pci_irqs_free(m->msix_irqs);
        m->msix_irqs = NULL;
        m->msix_on = false;
        memset(m->msix_route, 0, m->msix_entries * sizeof(*m->msix_route));
        msix_table_reset(m);
    }
}

void vfio_msi_teardown(VFIOPCIDevice *vdev)
{
    VFIOMSIState *m = vdev->msi;

    if (!m) {
        return;
    }
    vfio_msi_reset(vdev);
    g_free(m->msix_table);
    g_free(m->msix_route);
    g_free(m);
    vdev->msi = NULL;
}
