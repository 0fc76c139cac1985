/*
 * libqos: a generic PCIe enumerator for the virt machine's host, as a
 * guest (or QEMU's libqos generic-pcihost) drives it: ECAM config
 * accessors, a depth-first bus scan that numbers bridges, sizes every
 * memory BAR and assigns it from the host's MMIO windows, and programs
 * each bridge's windows around what it put behind it.
 *
 * It runs over a QOSBus (qtest or the in-process memory API), knows
 * nothing of vsmmu's internals and reads every fact from config space.
 * Prefetchable 64-bit BARs go to the 64-bit window (through the bridges'
 * prefetchable windows), every other memory BAR to the 32-bit one.
 * I/O BARs are left unassigned.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LIBQOS_PCI_GENERIC_H
#define LIBQOS_PCI_GENERIC_H

#include "qos-bus.h"

#define QPCIE_MAX_FUNCS 64

/* QEMU virt's host (the default, highmem=on). */
#define QPCIE_VIRT_ECAM         0x4010000000ULL
#define QPCIE_VIRT_ECAM_BUSES   256
#define QPCIE_VIRT_MMIO         0x10000000ULL
#define QPCIE_VIRT_MMIO_SIZE    0x2eff0000ULL
#define QPCIE_VIRT_MMIO64       0x8000000000ULL
#define QPCIE_VIRT_MMIO64_SIZE  0x8000000000ULL

typedef struct QPCIeHost QPCIeHost;

typedef struct QPCIeFunc {
    QPCIeHost *host;
    uint8_t bus;
    uint8_t devfn;
    uint16_t vendor_id, device_id;
    uint16_t class_id;          /* base class << 8 | subclass */
    uint8_t header_type;        /* without the multifunction bit */
    uint64_t bar_addr[6];       /* as assigned; 0 if none */
    uint64_t bar_size[6];
    uint8_t secondary, subordinate;     /* bridges */
} QPCIeFunc;

struct QPCIeHost {
    QOSBus *bus;
    uint64_t ecam;
    unsigned ecam_buses;
    uint64_t mmio, mmio_end;        /* allocation pointer, window end */
    uint64_t mmio64, mmio64_end;
    unsigned next_bus;
    QPCIeFunc funcs[QPCIE_MAX_FUNCS];
    unsigned nfuncs;
};

/* The virt machine's host, default layout. */
void qpcie_init_virt(QPCIeHost *h, QOSBus *bus);

uint8_t qpcie_readb(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off);
uint16_t qpcie_readw(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off);
uint32_t qpcie_readl(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off);
void qpcie_writeb(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off,
                  uint8_t v);
void qpcie_writew(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off,
                  uint16_t v);
void qpcie_writel(QPCIeHost *h, uint8_t bus, uint8_t devfn, uint16_t off,
                  uint32_t v);

/*
 * Scan from root bus ROOT (0 for pcie.0; a pxb-pcie's bus_nr for its
 * bus, as firmware that knows it would): returns the functions found.
 * Bus numbers continue from the last scan.
 */
unsigned qpcie_enumerate(QPCIeHost *h, uint8_t root);

/* The INDEXth function with these IDs, or NULL. */
QPCIeFunc *qpcie_find(QPCIeHost *h, uint16_t vendor, uint16_t device,
                      unsigned index);
/* The function at BUS:DEVFN as enumerated, or NULL. */
QPCIeFunc *qpcie_find_at(QPCIeHost *h, uint8_t bus, uint8_t devfn);

/* Set or clear command register bits of F. */
void qpcie_command(QPCIeFunc *f, uint16_t set, uint16_t clear);
/* Memory decode and bus mastering on (qpci_device_enable). */
void qpcie_enable(QPCIeFunc *f);

uint16_t qpcie_requester_id(const QPCIeFunc *f);

#endif /* LIBQOS_PCI_GENERIC_H */
