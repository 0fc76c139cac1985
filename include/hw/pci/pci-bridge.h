/*
 * Type-1 (PCI-to-PCI bridge) header semantics, shared by the bridges
 * (pcie-root-port): bus numbers, forwarding windows, secondary bus reset.
 * Used by the PCI core (hw/pci/pci.c); main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_PCI_BRIDGE_H
#define HW_PCI_PCI_BRIDGE_H

#include "hw/pci/pci-device.h"

typedef enum PCIBridgeWindow {
    PCI_BRIDGE_WINDOW_IO,
    PCI_BRIDGE_WINDOW_MEM,
    PCI_BRIDGE_WINDOW_PREF,
} PCIBridgeWindow;

/* A window as its base/limit registers say (empty: base > limit). */
void pci_bridge_window(PCIDevice *bridge, PCIBridgeWindow which,
                       uint64_t *base, uint64_t *limit);

/* Writable bits of the type-1 header (from config_init). */
void pci_bridge_config_init(PCIDevice *bridge);
/* The guest wrote [addr, addr + len) of the bridge's header. */
void pci_bridge_config_written(PCIDevice *bridge, uint32_t addr,
                               unsigned len);
/* Config cycles for BUS_NUM go to the secondary side. */
bool pci_bridge_routes_bus(PCIDevice *bridge, uint8_t bus_num);
/* Memory decode on and [addr, addr + size) inside a memory window. */
bool pci_bridge_forwards_mem(PCIDevice *bridge, uint64_t addr,
                             uint64_t size);
/* Tell the IOMMU above that requester IDs below the bridge changed. */
void pci_bridge_numbers_changed(PCIDevice *bridge);

#endif /* HW_PCI_PCI_BRIDGE_H */
