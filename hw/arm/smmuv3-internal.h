/*
 * Arm SMMUv3 model: register map, field layouts and encodings.
 *
 * Every register offset and bit field the model uses is declared here,
 * once, with the names of the Arm SMMUv3 architecture specification
 * (IHI 0070).  In-memory structures (commands, event records, stream
 * table entries, context descriptors) are declared per 64-bit word
 * (32-bit for event records) with a pseudo register name, e.g. STE_0.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_SMMUV3_INTERNAL_H
#define HW_ARM_SMMUV3_INTERNAL_H

#include "hw/registerfields.h"
#include "hw/arm/smmuv3.h"

/* ---- Page 0 registers -------------------------------------------------- */

REG32(IDR0, 0x0)
    FIELD(IDR0, S2P, 0, 1)
    FIELD(IDR0, S1P, 1, 1)
    FIELD(IDR0, TTF, 2, 2)
    FIELD(IDR0, COHACC, 4, 1)
    FIELD(IDR0, BTM, 5, 1)
    FIELD(IDR0, HTTU, 6, 2)
    FIELD(IDR0, DORMHINT, 8, 1)
    FIELD(IDR0, HYP, 9, 1)
    FIELD(IDR0, ATS, 10, 1)
    FIELD(IDR0, NS1ATS, 11, 1)
    FIELD(IDR0, ASID16, 12, 1)
    FIELD(IDR0, MSI, 13, 1)
    FIELD(IDR0, SEV, 14, 1)
    FIELD(IDR0, ATOS, 15, 1)
    FIELD(IDR0, PRI, 16, 1)
    FIELD(IDR0, VMW, 17, 1)
    FIELD(IDR0, VMID16, 18, 1)
    FIELD(IDR0, CD2L, 19, 1)
    FIELD(IDR0, VATOS, 20, 1)
    FIELD(IDR0, TTENDIAN, 21, 2)
    FIELD(IDR0, STALL_MODEL, 24, 2)
    FIELD(IDR0, TERM_MODEL, 26, 1)
    FIELD(IDR0, STLEVEL, 27, 2)
REG32(IDR1, 0x4)
    FIELD(IDR1, SIDSIZE, 0, 6)
    FIELD(IDR1, SSIDSIZE, 6, 5)
    FIELD(IDR1, PRIQS, 11, 5)
    FIELD(IDR1, EVENTQS, 16, 5)
    FIELD(IDR1, CMDQS, 21, 5)
REG32(IDR2, 0x8)
REG32(IDR3, 0xc)
    FIELD(IDR3, HAD, 2, 1)
    FIELD(IDR3, XNX, 4, 1)
    FIELD(IDR3, RIL, 10, 1)
    FIELD(IDR3, BBML, 11, 2)
REG32(IDR4, 0x10)
REG32(IIDR, 0x18)
REG32(AIDR, 0x1c)
REG32(IDR5, 0x14)
    FIELD(IDR5, OAS, 0, 3)
    FIELD(IDR5, GRAN4K, 4, 1)
    FIELD(IDR5, GRAN16K, 5, 1)
    FIELD(IDR5, GRAN64K, 6, 1)

REG32(CR0, 0x20)
    FIELD(CR0, SMMUEN, 0, 1)
    FIELD(CR0, PRIQEN, 1, 1)
    FIELD(CR0, EVENTQEN, 2, 1)
    FIELD(CR0, CMDQEN, 3, 1)
    FIELD(CR0, ATSCHK, 4, 1)
    FIELD(CR0, VMW, 6, 3)
REG32(CR0ACK, 0x24)
REG32(CR1, 0x28)
REG32(CR2, 0x2c)
REG32(STATUSR, 0x40)
REG32(GBPA, 0x44)
    FIELD(GBPA, SHCFG, 12, 2)
    FIELD(GBPA, ABORT, 20, 1)
    FIELD(GBPA, UPDATE, 31, 1)
REG32(AGBPA, 0x48)
REG32(IRQ_CTRL, 0x50)
    FIELD(IRQ_CTRL, GERROR_IRQEN, 0, 1)
    FIELD(IRQ_CTRL, PRI_IRQEN, 1, 1)
    FIELD(IRQ_CTRL, EVENTQ_IRQEN, 2, 1)
REG32(IRQ_CTRL_ACK, 0x54)
REG32(GERROR, 0x60)
    FIELD(GERROR, CMDQ_ERR, 0, 1)
    FIELD(GERROR, EVENTQ_ABT_ERR, 2, 1)
    FIELD(GERROR, PRIQ_ABT_ERR, 3, 1)
    FIELD(GERROR, MSI_CMDQ_ABT_ERR, 4, 1)
    FIELD(GERROR, MSI_EVENTQ_ABT_ERR, 5, 1)
    FIELD(GERROR, MSI_PRIQ_ABT_ERR, 6, 1)
    FIELD(GERROR, MSI_GERROR_ABT_ERR, 7, 1)
    FIELD(GERROR, SFM_ERR, 8, 1)
REG32(GERRORN, 0x64)

/* The three MSI configuration registers of each interrupt source. */
REG64(GERROR_IRQ_CFG0, 0x68)
REG32(GERROR_IRQ_CFG1, 0x70)
REG32(GERROR_IRQ_CFG2, 0x74)
REG64(EVENTQ_IRQ_CFG0, 0xb0)
REG32(EVENTQ_IRQ_CFG1, 0xb8)
REG32(EVENTQ_IRQ_CFG2, 0xbc)
/* Layout shared by every *_IRQ_CFG0/2 register. */
    FIELD(IRQ_CFG0, ADDR, 2, 50)
    FIELD(IRQ_CFG2, MEMATTR, 0, 4)
    FIELD(IRQ_CFG2, SH, 4, 2)

REG64(STRTAB_BASE, 0x80)
    FIELD(STRTAB_BASE, ADDR, 6, 46)
    FIELD(STRTAB_BASE, RA, 62, 1)
REG32(STRTAB_BASE_CFG, 0x88)
    FIELD(STRTAB_BASE_CFG, LOG2SIZE, 0, 6)
    FIELD(STRTAB_BASE_CFG, SPLIT, 6, 5)
    FIELD(STRTAB_BASE_CFG, FMT, 16, 2)

REG64(CMDQ_BASE, 0x90)
REG32(CMDQ_PROD, 0x98)
REG32(CMDQ_CONS, 0x9c)
    FIELD(CMDQ_CONS, ERR, 24, 7)
REG64(EVENTQ_BASE, 0xa0)
REG32(EVENTQ_PROD, 0xa8)
    FIELD(EVENTQ_PROD, OVFLG, 31, 1)
REG32(EVENTQ_CONS, 0xac)
    FIELD(EVENTQ_CONS, OVACKFLG, 31, 1)
/* Layout shared by every *Q_BASE register. */
    FIELD(Q_BASE, LOG2SIZE, 0, 5)
    FIELD(Q_BASE, ADDR, 5, 47)
    FIELD(Q_BASE, RA, 62, 1)

/* PRI queue: IDR0.PRI is 0, so these read as zero and ignore writes. */
REG64(PRIQ_BASE, 0xc0)
REG32(PRIQ_PROD, 0xc8)
REG32(PRIQ_CONS, 0xcc)
REG64(PRIQ_IRQ_CFG0, 0xd0)
REG32(PRIQ_IRQ_CFG1, 0xd8)
REG32(PRIQ_IRQ_CFG2, 0xdc)

/* CoreSight-style identification registers, 0xfd0..0xffc. */
REG32(PIDR4, 0xfd0)
REG32(CIDR3, 0xffc)

/* Page 1, at SMMU_PAGE1_OFFSET, carries the queue PROD/CONS registers. */
#define SMMU_PAGE1_OFFSET 0x10000
#define SMMU_MMIO_SIZE    0x20000

/* Queue sizes and StreamID width the model advertises in IDR1. */
#define SMMU_CMDQS          19
#define SMMU_EVENTQS        19
#define SMMU_SIDSIZE        16
#define SMMU_SSIDSIZE_MAX   20

#define SMMU_CMD_SIZE       16
#define SMMU_EVENT_SIZE     32
#define SMMU_STE_SIZE       64
#define SMMU_CD_SIZE        64
#define SMMU_L1STD_SIZE     8

/* Values observed from QEMU's emulated model (see docs/system). */
#define SMMU_GBPA_RESET_VAL 0x00001000
#define SMMU_AIDR_VAL       0x1     /* SMMUv3.1 */

/* IDR5.OAS encodings. */
#define SMMU_OAS_44BIT 4
#define SMMU_OAS_48BIT 5

/* ---- Queue index arithmetic ----------------------------------------------
 * A PROD or CONS value holds an index in its low log2size bits and a wrap
 * bit just above; higher bits are flags (OVFLG, OVACKFLG, ERR).
 */
static inline uint32_t smmu_q_wrap_index_mask(uint8_t log2size)
{
    return (2U << log2size) - 1;
}

static inline uint32_t smmu_q_index(uint32_t v, uint8_t log2size)
{
    return v & ((1U << log2size) - 1);
}

static inline bool smmu_q_empty(uint32_t prod, uint32_t cons,
                                uint8_t log2size)
{
    uint32_t m = smmu_q_wrap_index_mask(log2size);

    return (prod & m) == (cons & m);
}

static inline bool smmu_q_full(uint32_t prod, uint32_t cons,
                               uint8_t log2size)
{
    uint32_t m = smmu_q_wrap_index_mask(log2size);

    return ((prod ^ cons) & m) == (1U << log2size);
}

static inline uint32_t smmu_q_incr(uint32_t v, uint8_t log2size)
{
    uint32_t m = smmu_q_wrap_index_mask(log2size);

    return (v & ~m) | ((v + 1) & m);
}

/* ---- Commands (16 bytes; two 64-bit words, little-endian) -------------- */

FIELD(CMD_0, OPCODE, 0, 8)
FIELD(CMD_0, SSEC, 10, 1)
FIELD(CMD_0, SSV, 11, 1)
FIELD(CMD_0, SSID, 12, 20)
FIELD(CMD_0, NUM, 12, 5)
FIELD(CMD_0, SCALE, 20, 5)
FIELD(CMD_0, SID, 32, 32)
FIELD(CMD_0, VMID, 32, 16)
FIELD(CMD_0, ASID, 48, 16)
FIELD(CMD_0, SYNC_CS, 12, 2)
FIELD(CMD_0, SYNC_MSH, 22, 2)
FIELD(CMD_0, SYNC_MSIATTR, 24, 4)
FIELD(CMD_0, SYNC_MSIDATA, 32, 32)
FIELD(CMD_1, LEAF, 0, 1)
FIELD(CMD_1, RANGE, 0, 5)
FIELD(CMD_1, TTL, 8, 2)
FIELD(CMD_1, TG, 10, 2)
FIELD(CMD_1, ADDR, 12, 52)
FIELD(CMD_1, SYNC_MSIADDR, 2, 50)

typedef enum SMMUCommandType {
    SMMU_CMD_PREFETCH_CONFIG = 0x01,
    SMMU_CMD_PREFETCH_ADDR   = 0x02,
    SMMU_CMD_CFGI_STE        = 0x03,
    SMMU_CMD_CFGI_STE_RANGE  = 0x04,   /* CFGI_ALL is Range == 31 */
    SMMU_CMD_CFGI_CD         = 0x05,
    SMMU_CMD_CFGI_CD_ALL     = 0x06,
    SMMU_CMD_TLBI_NH_ALL     = 0x10,
    SMMU_CMD_TLBI_NH_ASID    = 0x11,
    SMMU_CMD_TLBI_NH_VA      = 0x12,
    SMMU_CMD_TLBI_NH_VAA     = 0x13,
    SMMU_CMD_TLBI_EL3_ALL    = 0x18,
    SMMU_CMD_TLBI_EL3_VA     = 0x1a,
    SMMU_CMD_TLBI_EL2_ALL    = 0x20,
    SMMU_CMD_TLBI_EL2_ASID   = 0x21,
    SMMU_CMD_TLBI_EL2_VA     = 0x22,
    SMMU_CMD_TLBI_EL2_VAA    = 0x23,
    SMMU_CMD_TLBI_S12_VMALL  = 0x28,
    SMMU_CMD_TLBI_S2_IPA     = 0x2a,
    SMMU_CMD_TLBI_NSNH_ALL   = 0x30,
    SMMU_CMD_ATC_INV         = 0x40,
    SMMU_CMD_PRI_RESP        = 0x41,
    SMMU_CMD_RESUME          = 0x44,
    SMMU_CMD_STALL_TERM      = 0x45,
    SMMU_CMD_SYNC            = 0x46,
} SMMUCommandType;

/* CMD_SYNC completion signal (CS). */
enum {
    SMMU_SYNC_CS_NONE = 0,
    SMMU_SYNC_CS_IRQ  = 1,
    SMMU_SYNC_CS_SEV  = 2,
};

#define SMMU_CFGI_RANGE_ALL 31

/* ---- Event records (32 bytes; eight 32-bit words) ---------------------- */

FIELD(EVT_0, TYPE, 0, 8)
FIELD(EVT_0, SSV, 11, 1)
FIELD(EVT_0, SSID, 12, 20)
FIELD(EVT_1, SID, 0, 32)
FIELD(EVT_2, STAG, 0, 16)
FIELD(EVT_2, STALL, 31, 1)
FIELD(EVT_3, PNU, 1, 1)
FIELD(EVT_3, IND, 2, 1)
FIELD(EVT_3, RNW, 3, 1)
FIELD(EVT_3, S2, 7, 1)
FIELD(EVT_3, CLASS, 8, 2)
/* Words 4-5: input address; words 6-7: IPA or fetch address. */
#define SMMU_EVT_ADDR_WORD  4
#define SMMU_EVT_ADDR2_WORD 6

/* ---- Stream table --------------------------------------------------------
 * Level-1 descriptor (2-level tables) and STE (eight 64-bit words).
 */
FIELD(L1STD, SPAN, 0, 5)
FIELD(L1STD, L2PTR, 6, 46)

enum {
    SMMU_STRTAB_FMT_LINEAR = 0,
    SMMU_STRTAB_FMT_2LVL   = 1,
};

FIELD(STE_0, V, 0, 1)
FIELD(STE_0, CONFIG, 1, 3)
FIELD(STE_0, S1FMT, 4, 2)
FIELD(STE_0, S1CTXPTR, 6, 46)
FIELD(STE_0, S1CDMAX, 59, 5)
FIELD(STE_1, S1DSS, 0, 2)
FIELD(STE_1, EATS, 28, 2)
FIELD(STE_1, STRW, 30, 2)
FIELD(STE_2, S2VMID, 0, 16)
FIELD(STE_2, S2T0SZ, 32, 6)
FIELD(STE_2, S2SL0, 38, 2)
FIELD(STE_2, S2TG, 46, 2)
FIELD(STE_2, S2PS, 48, 3)
FIELD(STE_2, S2AA64, 51, 1)
FIELD(STE_3, S2TTB, 4, 48)

/* STE.Config: bit 2 set means "not abort"; bits 1:0 enable stage 2, 1. */
enum {
    SMMU_STE_CONFIG_ABORT  = 0,
    SMMU_STE_CONFIG_BYPASS = 4,
    SMMU_STE_CONFIG_S1     = 5,
    SMMU_STE_CONFIG_S2     = 6,
    SMMU_STE_CONFIG_NESTED = 7,
};

/* ---- Context descriptor (eight 64-bit words) --------------------------- */

FIELD(CD_0, T0SZ, 0, 6)
FIELD(CD_0, TG0, 6, 2)
FIELD(CD_0, EPD0, 14, 1)
FIELD(CD_0, ENDI, 15, 1)
FIELD(CD_0, V, 31, 1)
FIELD(CD_0, IPS, 32, 3)
FIELD(CD_0, AA64, 41, 1)
FIELD(CD_0, ASID, 48, 16)
FIELD(CD_1, TTB0, 4, 48)

#define SMMU_CD_TG_RESERVED 3

/* Highest output address for an IDR5.OAS/IPS encoding, or 0 if reserved. */
static inline unsigned smmu_oas_bits(unsigned enc)
{
    static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };

    return enc < G_N_ELEMENTS(bits) ? bits[enc] : 0;
}

/* ---- Event record helpers (host-endian words) -------------------------- */

static inline void smmu_event_set_addr(SMMUEvent *e, unsigned word,
                                       uint64_t addr)
{
    e->word[word] = (uint32_t)addr;
    e->word[word + 1] = (uint32_t)(addr >> 32);
}

#endif /* HW_ARM_SMMUV3_INTERNAL_H */
