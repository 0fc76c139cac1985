/*
 * MSI capability of emulated PCI functions: the capability's layout and
 * write masks, and the delivery of its one vector as the function's
 * memory write.  See include/hw/pci/msi.h.
 *
 * Owns nothing but the capability's bytes in the function's config
 * arrays and the function's msi_sent count; main thread only, like the
 * config accesses and device models that call it.  The address and data
 * are the guest's: the address is translated by the IOMMU above (whose
 * faults the IOMMU reports) or used as a physical address, never
 * trusted to be a doorbell.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/msi.h"
#include "trace.h"

bool msi_init(PCIDevice *dev, Error **errp)
{
    uint8_t off = pci_add_capability(dev, PCI_CAP_ID_MSI, PCI_MSI_SIZEOF_64);

    if (!off) {
        error_setg(errp, "%s: no room for the MSI capability",
                   dev->parent_obj.klass->name);
        return false;
    }
    dev->msi_cap = off;
    /* One vector capable (MMC 0), 64-bit; only MSI Enable is writable. */
    pci_set_word(dev->config + off + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
    pci_set_word(dev->wmask + off + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
    /* Dword-aligned address (bits 1:0 reserved), 16-bit data. */
    pci_set_long(dev->wmask + off + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    pci_set_long(dev->wmask + off + PCI_MSI_ADDRESS_HI, 0xffffffff);
    pci_set_word(dev->wmask + off + PCI_MSI_DATA_64, 0xffff);
    return true;
}

bool msi_enabled(const PCIDevice *dev)
{
    return dev->msi_cap &&
           (pci_get_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS) &
            PCI_MSI_FLAGS_ENABLE);
}

uint64_t msi_sent(const PCIDevice *dev)
{
    return dev->msi_sent;
}

/* Where the IOMMU above DEV sends a 4-byte write to ADDR; false: none. */
static bool msi_translate(PCIDevice *dev, uint16_t rid, uint64_t *addr)
{
    PCIBus *ibus = pci_device_iommu_bus(dev);

    return !ibus || pci_iommu_translate(ibus, rid, *addr, true, addr, NULL);
}

MemTxResult msi_notify(PCIDevice *dev)
{
    const uint8_t *c = dev->config + dev->msi_cap;
    uint64_t iova, addr;
    uint32_t data;
    uint16_t rid;
    MemTxResult r;

    if (!msi_enabled(dev)) {
        return MEMTX_ERROR;
    }
    rid = pci_requester_id_of(dev);
    iova = pci_get_long(c + PCI_MSI_ADDRESS_LO) |
           (uint64_t)pci_get_long(c + PCI_MSI_ADDRESS_HI) << 32;
    data = pci_get_word(c + PCI_MSI_DATA_64);
    if (!pci_device_bus_master(dev)) {
        trace_pci_msi_blocked(dev->parent_obj.klass->name, rid, iova);
        return MEMTX_ERROR;
    }
    addr = iova;
    if (!msi_translate(dev, rid, &addr)) {
        trace_pci_msi_fault(rid, iova);
        return MEMTX_ERROR;
    }
    r = address_space_send_msi(dev->bus->host->as, addr, data, rid);
    trace_pci_msi(rid, iova, addr, data, r);
    dev->msi_sent += r == MEMTX_OK;
    return r;
}
