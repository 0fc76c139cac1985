/*
 * PCI and PCI Express configuration-space registers, as the PCI Local
 * Bus 3.0, PCI-to-PCI Bridge 1.2 and PCI Express Base specifications
 * define them: offsets, fields and values used by the device models and
 * by the tests that drive them (one declaration for both).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_PCI_PCI_REGS_H
#define HW_PCI_PCI_REGS_H

#define PCI_CONFIG_SPACE_SIZE           0x100
#define PCIE_CONFIG_SPACE_SIZE          0x1000

/* Common header (types 0 and 1). */
#define PCI_VENDOR_ID                   0x00
#define PCI_DEVICE_ID                   0x02
#define PCI_COMMAND                     0x04
#define  PCI_COMMAND_IO                 0x0001
#define  PCI_COMMAND_MEMORY             0x0002
#define  PCI_COMMAND_MASTER             0x0004
#define  PCI_COMMAND_PARITY             0x0040
#define  PCI_COMMAND_SERR               0x0100
#define  PCI_COMMAND_INTX_DISABLE       0x0400
#define PCI_STATUS                      0x06
#define  PCI_STATUS_INTERRUPT           0x0008
#define  PCI_STATUS_CAP_LIST            0x0010
#define  PCI_STATUS_W1C                 0xf900  /* error bits: RW1C */
#define PCI_REVISION_ID                 0x08
#define PCI_CLASS_PROG                  0x09
#define PCI_CLASS_DEVICE                0x0a
#define PCI_CACHE_LINE_SIZE             0x0c
#define PCI_LATENCY_TIMER               0x0d
#define PCI_HEADER_TYPE                 0x0e
#define  PCI_HEADER_TYPE_NORMAL         0x00
#define  PCI_HEADER_TYPE_BRIDGE         0x01
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BIST                        0x0f
#define PCI_BASE_ADDRESS_0              0x10
#define  PCI_BASE_ADDRESS_SPACE_IO      0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define  PCI_BASE_ADDRESS_MEM_MASK      (~0x0fULL)
#define  PCI_BASE_ADDRESS_IO_MASK       (~0x03ULL)
#define PCI_CAPABILITY_LIST             0x34
#define PCI_INTERRUPT_LINE              0x3c
#define PCI_INTERRUPT_PIN               0x3d

/* Type 0. */
#define PCI_NUM_REGIONS                 6
#define PCI_SUBSYSTEM_VENDOR_ID         0x2c
#define PCI_SUBSYSTEM_ID                0x2e
#define PCI_ROM_ADDRESS                 0x30

/* Type 1 (PCI-to-PCI bridge). */
#define PCI_BRIDGE_NUM_REGIONS          2
#define PCI_PRIMARY_BUS                 0x18
#define PCI_SECONDARY_BUS               0x19
#define PCI_SUBORDINATE_BUS             0x1a
#define PCI_SEC_LATENCY_TIMER           0x1b
#define PCI_IO_BASE                     0x1c
#define PCI_IO_LIMIT                    0x1d
#define  PCI_IO_RANGE_TYPE_32           0x01
#define PCI_SEC_STATUS                  0x1e
#define PCI_MEMORY_BASE                 0x20
#define PCI_MEMORY_LIMIT                0x22
#define  PCI_MEMORY_RANGE_MASK          0xfff0
#define PCI_PREF_MEMORY_BASE            0x24
#define PCI_PREF_MEMORY_LIMIT           0x26
#define  PCI_PREF_RANGE_TYPE_64         0x0001
#define  PCI_PREF_RANGE_MASK            0xfff0
#define PCI_PREF_BASE_UPPER32           0x28
#define PCI_PREF_LIMIT_UPPER32          0x2c
#define PCI_IO_BASE_UPPER16             0x30
#define PCI_IO_LIMIT_UPPER16            0x32
#define PCI_ROM_ADDRESS1                0x38
#define PCI_BRIDGE_CONTROL              0x3e
#define  PCI_BRIDGE_CTL_BUS_RESET       0x0040

/* Class codes (base class << 8 | subclass). */
#define PCI_CLASS_BRIDGE_HOST           0x0600
#define PCI_CLASS_BRIDGE_PCI            0x0604
#define PCI_CLASS_OTHERS                0xff00

/* Capabilities. */
#define PCI_CAP_LIST_ID                 0
#define PCI_CAP_LIST_NEXT               1
#define PCI_CAP_ID_MSI                  0x05
#define PCI_CAP_ID_EXP                  0x10
#define PCI_CAP_ID_MSIX                 0x11

/* MSI capability, offsets from its start. */
#define PCI_MSI_FLAGS                   0x02
#define  PCI_MSI_FLAGS_ENABLE           0x0001
#define  PCI_MSI_FLAGS_QMASK            0x000e  /* vectors capable (log2) */
#define  PCI_MSI_FLAGS_QSIZE            0x0070  /* vectors enabled (log2) */
#define  PCI_MSI_FLAGS_64BIT            0x0080
#define  PCI_MSI_FLAGS_MASKBIT          0x0100  /* per-vector masking */
#define PCI_MSI_ADDRESS_LO              0x04
#define PCI_MSI_ADDRESS_HI              0x08    /* 64-bit only */
#define PCI_MSI_DATA_32                 0x08
#define PCI_MSI_DATA_64                 0x0c
#define PCI_MSI_SIZEOF_64               0x10

/* MSI-X capability, offsets from its start, and its table entries. */
#define PCI_MSIX_FLAGS                  0x02
#define  PCI_MSIX_FLAGS_QSIZE           0x07ff  /* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL         0x4000
#define  PCI_MSIX_FLAGS_ENABLE          0x8000
#define PCI_MSIX_TABLE                  0x04    /* offset | BIR */
#define PCI_MSIX_PBA                    0x08    /* offset | BIR */
#define  PCI_MSIX_BIR                   0x7
#define PCI_MSIX_SIZEOF                 0x0c
#define PCI_MSIX_ENTRY_SIZE             16
#define  PCI_MSIX_ENTRY_DATA            8
#define  PCI_MSIX_ENTRY_CTRL            12
#define  PCI_MSIX_ENTRY_MASKED          0x1

/* PCI Express capability (version 2), offsets from its start. */
#define PCI_EXP_FLAGS                   0x02
#define  PCI_EXP_FLAGS_VERS2            0x0002
#define  PCI_EXP_FLAGS_TYPE_SHIFT       4
#define  PCI_EXP_FLAGS_SLOT             0x0100
#define  PCI_EXP_TYPE_ENDPOINT          0x0
#define  PCI_EXP_TYPE_ROOT_PORT         0x4
#define  PCI_EXP_TYPE_RC_END            0x9
#define PCI_EXP_DEVCAP                  0x04
#define PCI_EXP_DEVCTL                  0x08
#define PCI_EXP_DEVSTA                  0x0a
#define PCI_EXP_LNKCAP                  0x0c
#define PCI_EXP_LNKCTL                  0x10
#define  PCI_EXP_LNKCAP_DLLLARC         0x00100000  /* DLL active reporting */
#define PCI_EXP_LNKSTA                  0x12
#define  PCI_EXP_LNKSTA_DLLLA           0x2000  /* data link layer active */
#define PCI_EXP_SLTCAP                  0x14
#define  PCI_EXP_SLTCAP_ABP             0x00000001  /* attention button */
#define  PCI_EXP_SLTCAP_PCP             0x00000002  /* power controller */
#define  PCI_EXP_SLTCAP_AIP             0x00000008  /* attention indicator */
#define  PCI_EXP_SLTCAP_PIP             0x00000010  /* power indicator */
#define  PCI_EXP_SLTCAP_HPC             0x00000040  /* hot-plug capable */
#define  PCI_EXP_SLTCAP_PSN_SHIFT       19
#define PCI_EXP_SLTCTL                  0x18
#define  PCI_EXP_SLTCTL_ABPE            0x0001  /* attention button enable */
#define  PCI_EXP_SLTCTL_PFDE            0x0002
#define  PCI_EXP_SLTCTL_MRLSCE          0x0004
#define  PCI_EXP_SLTCTL_PDCE            0x0008  /* presence changed enable */
#define  PCI_EXP_SLTCTL_CCIE            0x0010  /* command completed enable */
#define  PCI_EXP_SLTCTL_HPIE            0x0020  /* hot-plug interrupt enable */
#define  PCI_EXP_SLTCTL_AIC             0x00c0  /* attention indicator */
#define  PCI_EXP_SLTCTL_PIC             0x0300  /* power indicator */
#define  PCI_EXP_SLTCTL_IND_ON          0x1     /* indicator values */
#define  PCI_EXP_SLTCTL_IND_BLINK       0x2
#define  PCI_EXP_SLTCTL_IND_OFF         0x3
#define  PCI_EXP_SLTCTL_AIC_SHIFT       6
#define  PCI_EXP_SLTCTL_PIC_SHIFT       8
#define  PCI_EXP_SLTCTL_PCC             0x0400  /* power controller: 1 off */
#define  PCI_EXP_SLTCTL_EIC             0x0800
#define  PCI_EXP_SLTCTL_DLLSCE          0x1000  /* DLL state changed enable */
#define PCI_EXP_SLTSTA                  0x1a
#define  PCI_EXP_SLTSTA_ABP             0x0001  /* attention button pressed */
#define  PCI_EXP_SLTSTA_PFD             0x0002
#define  PCI_EXP_SLTSTA_MRLSC           0x0004
#define  PCI_EXP_SLTSTA_PDC             0x0008  /* presence detect changed */
#define  PCI_EXP_SLTSTA_CC              0x0010  /* command completed */
#define  PCI_EXP_SLTSTA_PDS             0x0040  /* presence detect state */
#define  PCI_EXP_SLTSTA_DLLSC           0x0100  /* DLL state changed */
#define PCI_EXP_RTCTL                   0x1c
#define PCI_EXP_RTSTA                   0x20
#define PCI_EXP_DEVCAP2                 0x24
#define PCI_EXP_DEVCTL2                 0x28
#define PCI_EXP_LNKCTL2                 0x30
#define PCI_EXP_SLTCTL2                 0x38
#define PCI_EXP_CAP_SIZEOF              0x3c

/* IDs. */
#define PCI_VENDOR_ID_REDHAT            0x1b36
#define PCI_DEVICE_ID_REDHAT_TEST       0x0005
#define PCI_DEVICE_ID_REDHAT_PCIE_HOST  0x0008
#define PCI_DEVICE_ID_REDHAT_PXB_PCIE   0x000b
#define PCI_DEVICE_ID_REDHAT_PCIE_RP    0x000c

#define PCI_SLOT(devfn)                 (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)                 ((devfn) & 0x07)
#define PCI_DEVFN(slot, func)           ((((slot) & 0x1f) << 3) | ((func) & 7))

#endif /* HW_PCI_PCI_REGS_H */
