/*
 * Arm SMMUv3 architecture encodings, declared once for every user.
 *
 * This header owns every bit of the SMMUv3 programming interface that
 * more than one part of vsmmu needs to agree on: the register map and
 * register fields, queue index arithmetic, commands, event records,
 * stream table entries (STE) and context descriptors (CD), with the
 * names of the Arm SMMUv3 architecture specification (IHI 0070).  The
 * model (hw/arm/smmuv3.c), the accel path (hw/arm/smmuv3-accel.c), the
 * emulated host (backends/iommufd-emulated.c), the monitor and the test
 * drivers all use it; nothing else spells an SMMUv3 encoding.
 *
 * It depends on nothing but glib and include/hw/registerfields.h, so any
 * layer may include it.  It holds no state and takes no lock; the name
 * tables of hw/arm/smmuv3-common.c are constant.
 *
 * In-memory structures are declared per word with a pseudo register
 * name: commands and STE/CD per 64-bit word (CMD_0, STE_2, CD_1), event
 * records per 32-bit word (EVT_0 .. EVT_7), as the model stores them.
 * Words are host-endian here; guest memory and the kernel hold them
 * little-endian (smmu_event_from_le() and friends convert).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_SMMUV3_COMMON_H
#define HW_ARM_SMMUV3_COMMON_H

#include "hw/registerfields.h"

/* ==== Registers ========================================================= */

/* ---- Page 0 ---- */

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
REG32(IDR5, 0x14)
    FIELD(IDR5, OAS, 0, 3)
    FIELD(IDR5, GRAN4K, 4, 1)
    FIELD(IDR5, GRAN16K, 5, 1)
    FIELD(IDR5, GRAN64K, 6, 1)
REG32(IIDR, 0x18)
REG32(AIDR, 0x1c)

/* IDR0.TTF: bit 1 AArch64 tables, bit 0 AArch32. */
#define SMMU_IDR0_TTF_AARCH64   2
/* IDR0.TTENDIAN. */
enum {
    SMMU_TTENDIAN_MIXED = 0,
    SMMU_TTENDIAN_LE    = 2,
    SMMU_TTENDIAN_BE    = 3,
};
/* IDR5.OAS (and CD.IPS, STE.S2PS) encodings. */
#define SMMU_OAS_32BIT 0
#define SMMU_OAS_40BIT 2
#define SMMU_OAS_44BIT 4
#define SMMU_OAS_48BIT 5
#define SMMU_OAS_52BIT 6

REG32(CR0, 0x20)
    FIELD(CR0, SMMUEN, 0, 1)
    FIELD(CR0, PRIQEN, 1, 1)
    FIELD(CR0, EVENTQEN, 2, 1)
    FIELD(CR0, CMDQEN, 3, 1)
    FIELD(CR0, ATSCHK, 4, 1)
    FIELD(CR0, VMW, 6, 3)
REG32(CR0ACK, 0x24)
REG32(CR1, 0x28)
    FIELD(CR1, QUEUE_IC, 0, 2)
    FIELD(CR1, QUEUE_OC, 2, 2)
    FIELD(CR1, QUEUE_SH, 4, 2)
    FIELD(CR1, TABLE_IC, 6, 2)
    FIELD(CR1, TABLE_OC, 8, 2)
    FIELD(CR1, TABLE_SH, 10, 2)
REG32(CR2, 0x2c)
    FIELD(CR2, E2H, 0, 1)
    FIELD(CR2, RECINVSID, 1, 1)
    FIELD(CR2, PTM, 2, 1)
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
/* IRQ_CFG2.MEMATTR for an MSI doorbell: Device-nGnRE. */
#define SMMU_MEMATTR_DEVICE_NGNRE 0x1

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

REG64(PRIQ_BASE, 0xc0)
REG32(PRIQ_PROD, 0xc8)
REG32(PRIQ_CONS, 0xcc)
REG64(PRIQ_IRQ_CFG0, 0xd0)
REG32(PRIQ_IRQ_CFG1, 0xd8)
REG32(PRIQ_IRQ_CFG2, 0xdc)

/* CoreSight-style identification registers, 0xfd0..0xffc. */
REG32(PIDR4, 0xfd0)
REG32(CIDR3, 0xffc)

/* Page 1 (the queue PROD/CONS registers) sits 64 KiB above page 0. */
#define SMMU_PAGE1_OFFSET 0x10000
#define SMMU_MMIO_SIZE    0x20000

/* CMDQ_CONS.ERR values. */
typedef enum SMMUCmdError {
    SMMU_CERROR_NONE = 0,
    SMMU_CERROR_ILL = 1,
    SMMU_CERROR_ABT = 2,
    SMMU_CERROR_ATC_INV_SYNC = 3,
} SMMUCmdError;

/* ==== Queues ============================================================
 * A PROD or CONS value holds an index in its low log2size bits and a wrap
 * bit just above; higher bits are flags (OVFLG, OVACKFLG, ERR).
 */
#define SMMU_CMD_SIZE       16
#define SMMU_EVENT_SIZE     32
#define SMMU_STE_SIZE       64
#define SMMU_CD_SIZE        64
#define SMMU_L1STD_SIZE     8

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

/* V advanced by N entries (index and wrap; other bits kept). */
static inline uint32_t smmu_q_advance(uint32_t v, uint32_t n, uint8_t log2size)
{
    uint32_t m = smmu_q_wrap_index_mask(log2size);

    return (v & ~m) | ((v + n) & m);
}

/* Entries used between a producer PROD and a consumer CONS. */
static inline uint32_t smmu_q_used(uint32_t prod, uint32_t cons,
                                   uint8_t log2size)
{
    return (prod - cons) & smmu_q_wrap_index_mask(log2size);
}

/* ==== Commands (16 bytes; two 64-bit words) ============================= */

typedef struct SMMUCmd {
    uint64_t word[2];
} SMMUCmd;

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

/* Word 0: common to all commands. */
FIELD(CMD_0, OPCODE, 0, 8)
FIELD(CMD_0, SSEC, 10, 1)
FIELD(CMD_0, SSV, 11, 1)
/* PREFETCH_*, CFGI_STE*, CFGI_CD*, ATC_INV, PRI_RESP, RESUME, STALL_TERM */
FIELD(CMD_0, SSID, 12, 20)
FIELD(CMD_0, SID, 32, 32)
/* TLBI_*: range invalidation (IDR3.RIL), VMID, ASID */
FIELD(CMD_0, NUM, 12, 5)
FIELD(CMD_0, SCALE, 20, 5)
FIELD(CMD_0, VMID, 32, 16)
FIELD(CMD_0, ASID, 48, 16)
/* ATC_INV */
FIELD(CMD_0, ATC_GLOBAL, 9, 1)
/* PRI_RESP and RESUME */
FIELD(CMD_0, RESP, 12, 2)
/* SYNC */
FIELD(CMD_0, SYNC_CS, 12, 2)
FIELD(CMD_0, SYNC_MSH, 22, 2)
FIELD(CMD_0, SYNC_MSIATTR, 24, 4)
FIELD(CMD_0, SYNC_MSIDATA, 32, 32)

/* Word 1. */
FIELD(CMD_1, LEAF, 0, 1)            /* CFGI_STE, CFGI_CD, TLBI_*VA*, S2_IPA */
FIELD(CMD_1, RANGE, 0, 5)           /* CFGI_STE_RANGE */
FIELD(CMD_1, PREFETCH_SIZE, 0, 5)   /* PREFETCH_ADDR */
FIELD(CMD_1, ATC_SIZE, 0, 6)        /* ATC_INV */
FIELD(CMD_1, PRI_GRPID, 0, 9)       /* PRI_RESP: PRG index */
FIELD(CMD_1, STAG, 0, 16)           /* RESUME */
FIELD(CMD_1, TTL, 8, 2)
FIELD(CMD_1, TG, 10, 2)
FIELD(CMD_1, ADDR, 12, 52)          /* VA[63:12] (TLBI, ATC, PREFETCH) */
FIELD(CMD_1, IPA, 12, 40)           /* IPA[51:12] (TLBI_S2_IPA) */
FIELD(CMD_1, SYNC_MSIADDR, 2, 50)   /* MSI address [51:2] */

/* CMD_SYNC completion signal (CS). */
enum {
    SMMU_SYNC_CS_NONE = 0,
    SMMU_SYNC_CS_IRQ  = 1,
    SMMU_SYNC_CS_SEV  = 2,
};

/* CMD_RESUME / CMD_PRI_RESP response. */
enum {
    SMMU_RESP_TERM  = 0,
    SMMU_RESP_RETRY = 1,
    SMMU_RESP_ABORT = 2,
};

#define SMMU_CFGI_RANGE_ALL 31

/* A zeroed command with OPCODE set. */
static inline SMMUCmd smmu_cmd_make(SMMUCommandType op)
{
    SMMUCmd cmd = { { FIELD_DP64(0, CMD_0, OPCODE, op), 0 } };

    return cmd;
}

static inline SMMUCommandType smmu_cmd_opcode(const SMMUCmd *cmd)
{
    return FIELD_EX64(cmd->word[0], CMD_0, OPCODE);
}

/* CMD_CFGI_STE (leaf) for SID. */
SMMUCmd smmu_cmd_cfgi_ste(uint32_t sid);
/* CMD_CFGI_CD for (SID, SSID), or CMD_CFGI_CD_ALL for SID if ALL. */
SMMUCmd smmu_cmd_cfgi_cd(uint32_t sid, uint32_t ssid, bool all);
/* CMD_SYNC with completion signal CS, MSI to MSIADDR with MSIDATA. */
SMMUCmd smmu_cmd_sync(unsigned cs, uint64_t msiaddr, uint32_t msidata);

/*
 * "CMD_TLBI_NH_VA" for opcode 0x12; "unknown (0x7f)" for an opcode the
 * architecture does not define.  The string is constant.
 */
const char *smmu_cmd_name(unsigned opcode);

/* ==== Event records (32 bytes; eight 32-bit words) ====================== */

typedef struct SMMUEvent {
    uint32_t word[8];
} SMMUEvent;

typedef enum SMMUEventType {
    SMMU_EVT_NONE               = 0x00,
    SMMU_EVT_F_UUT              = 0x01,
    SMMU_EVT_C_BAD_STREAMID     = 0x02,
    SMMU_EVT_F_STE_FETCH        = 0x03,
    SMMU_EVT_C_BAD_STE          = 0x04,
    SMMU_EVT_F_BAD_ATS_TREQ     = 0x05,
    SMMU_EVT_F_STREAM_DISABLED  = 0x06,
    SMMU_EVT_F_TRANSL_FORBIDDEN = 0x07,
    SMMU_EVT_C_BAD_SUBSTREAMID  = 0x08,
    SMMU_EVT_F_CD_FETCH         = 0x09,
    SMMU_EVT_C_BAD_CD           = 0x0a,
    SMMU_EVT_F_WALK_EABT        = 0x0b,
    SMMU_EVT_F_TRANSLATION      = 0x10,
    SMMU_EVT_F_ADDR_SIZE        = 0x11,
    SMMU_EVT_F_ACCESS           = 0x12,
    SMMU_EVT_F_PERMISSION       = 0x13,
    SMMU_EVT_F_TLB_CONFLICT     = 0x20,
    SMMU_EVT_F_CFG_CONFLICT     = 0x21,
    SMMU_EVT_E_PAGE_REQUEST     = 0x24,
    SMMU_EVT_F_VMS_FETCH        = 0x25,
} SMMUEventType;

FIELD(EVT_0, TYPE, 0, 8)
FIELD(EVT_0, SSV, 11, 1)
FIELD(EVT_0, SSID, 12, 20)
FIELD(EVT_1, SID, 0, 32)
FIELD(EVT_2, STAG, 0, 16)
FIELD(EVT_2, STALL, 31, 1)
FIELD(EVT_3, PNU, 1, 1)
FIELD(EVT_3, IND, 2, 1)
FIELD(EVT_3, RNW, 3, 1)
FIELD(EVT_3, NSIPA, 4, 1)
FIELD(EVT_3, S2, 7, 1)
FIELD(EVT_3, CLASS, 8, 2)
FIELD(EVT_3, TTRNW, 12, 1)          /* CLASS == TT: the table access read */
/* Words 4-5: InputAddr[63:0]; words 6-7: IPA[51:12] or FetchAddr[55:3]. */
#define SMMU_EVT_ADDR_WORD  4
#define SMMU_EVT_ADDR2_WORD 6
#define SMMU_EVT_IPA_MASK       MAKE_64BIT_MASK(12, 40)
#define SMMU_EVT_FETCHADDR_MASK MAKE_64BIT_MASK(3, 53)

/* EVT_3.CLASS: what the faulting access was. */
enum {
    SMMU_EVT_CLASS_CD = 0,      /* a CD fetch */
    SMMU_EVT_CLASS_TT = 1,      /* a translation table walk */
    SMMU_EVT_CLASS_IN = 2,      /* the input transaction itself */
};

/* Every field of an event record, decoded. */
typedef struct SMMUEventInfo {
    SMMUEventType type;
    uint32_t sid;               /* StreamID */
    bool ssv;
    uint32_t ssid;              /* SubstreamID, if ssv */
    bool stall;
    uint16_t stag;
    bool pnu;                   /* privileged */
    bool ind;                   /* instruction */
    bool rnw;                   /* read */
    bool nsipa;
    bool s2;                    /* stage-2 fault */
    unsigned class_;            /* SMMU_EVT_CLASS_* */
    bool ttrnw;                 /* CLASS == TT: a table read */
    uint64_t input_addr;        /* InputAddr */
    uint64_t addr2;             /* IPA or FetchAddr, in place */
} SMMUEventInfo;

/* Encode INFO into a record (every field, whatever the type). */
void smmu_event_build(SMMUEvent *evt, const SMMUEventInfo *info);
/* Decode every field of EVT. */
void smmu_event_parse(const SMMUEvent *evt, SMMUEventInfo *info);

/* A record of TYPE for StreamID SID, other fields zero. */
void smmu_event_init(SMMUEvent *evt, SMMUEventType type, uint32_t sid);
/* Set the SubstreamID (and SSV). */
void smmu_event_set_ssid(SMMUEvent *evt, uint32_t ssid);
/* Set the 64-bit address at word SMMU_EVT_ADDR_WORD or _ADDR2_WORD. */
void smmu_event_set_addr(SMMUEvent *evt, unsigned word, uint64_t addr);
uint64_t smmu_event_get_addr(const SMMUEvent *evt, unsigned word);

static inline unsigned smmu_event_get_type(const SMMUEvent *evt)
{
    return FIELD_EX32(evt->word[0], EVT_0, TYPE);
}

static inline uint32_t smmu_event_get_sid(const SMMUEvent *evt)
{
    return FIELD_EX32(evt->word[1], EVT_1, SID);
}

/* The StreamID of a record in its guest (little-endian) form. */
static inline uint32_t smmu_event_le_get_sid(const void *rec)
{
    uint32_t w1;

    memcpy(&w1, (const uint8_t *)rec + 4, sizeof(w1));
    return FIELD_EX32(GUINT32_FROM_LE(w1), EVT_1, SID);
}

/* The record as it is in guest memory and the vEVENTQ (32 bytes, LE). */
void smmu_event_from_le(SMMUEvent *evt, const void *rec);
void smmu_event_to_le(const SMMUEvent *evt, void *rec);
/* The record as four 64-bit doublewords (the kernel's evt[4] view). */
void smmu_event_from_dwords(SMMUEvent *evt, const uint64_t dw[4]);
void smmu_event_to_dwords(const SMMUEvent *evt, uint64_t dw[4]);

/*
 * "F_TRANSLATION" for type 0x10; "unknown (0x7f)" for a type the
 * architecture does not define.  The string is constant.
 */
const char *smmu_event_type_name(unsigned type);

/* ==== Stream table ======================================================
 * Level-1 descriptor (2-level tables) and STE (eight 64-bit words).
 */
FIELD(L1STD, SPAN, 0, 5)
FIELD(L1STD, L2PTR, 6, 46)

/* STRTAB_BASE_CFG.FMT */
enum {
    SMMU_STRTAB_FMT_LINEAR = 0,
    SMMU_STRTAB_FMT_2LVL   = 1,
};

typedef struct SMMUSte {
    uint64_t word[8];
} SMMUSte;

FIELD(STE_0, V, 0, 1)
FIELD(STE_0, CONFIG, 1, 3)
FIELD(STE_0, S1FMT, 4, 2)
FIELD(STE_0, S1CTXPTR, 6, 46)       /* S1ContextPtr[51:6], in place */
FIELD(STE_0, S1CDMAX, 59, 5)
FIELD(STE_1, S1DSS, 0, 2)
FIELD(STE_1, S1CIR, 2, 2)
FIELD(STE_1, S1COR, 4, 2)
FIELD(STE_1, S1CSH, 6, 2)
FIELD(STE_1, MEV, 19, 1)
FIELD(STE_1, S1STALLD, 27, 1)
FIELD(STE_1, EATS, 28, 2)
FIELD(STE_1, STRW, 30, 2)
FIELD(STE_1, SHCFG, 44, 2)
FIELD(STE_1, PRIVCFG, 48, 2)
FIELD(STE_1, INSTCFG, 50, 2)
FIELD(STE_2, S2VMID, 0, 16)
FIELD(STE_2, S2T0SZ, 32, 6)
FIELD(STE_2, S2SL0, 38, 2)
FIELD(STE_2, S2IR0, 40, 2)
FIELD(STE_2, S2OR0, 42, 2)
FIELD(STE_2, S2SH0, 44, 2)
FIELD(STE_2, S2TG, 46, 2)
FIELD(STE_2, S2PS, 48, 3)
FIELD(STE_2, S2AA64, 51, 1)
FIELD(STE_2, S2ENDI, 52, 1)
FIELD(STE_2, S2AFFD, 53, 1)
FIELD(STE_2, S2PTW, 54, 1)
FIELD(STE_2, S2HD, 55, 1)
FIELD(STE_2, S2HA, 56, 1)
FIELD(STE_2, S2S, 57, 1)
FIELD(STE_2, S2R, 58, 1)
FIELD(STE_3, S2TTB, 4, 48)          /* S2TTB[51:4], in place */

/* STE.Config: bit 2 set means "not abort"; bits 1:0 enable stage 2, 1. */
enum {
    SMMU_STE_CONFIG_ABORT  = 0,
    SMMU_STE_CONFIG_BYPASS = 4,
    SMMU_STE_CONFIG_S1     = 5,
    SMMU_STE_CONFIG_S2     = 6,
    SMMU_STE_CONFIG_NESTED = 7,
};
#define SMMU_STE_CONFIG_TRANSLATE   4   /* the "not abort" bit */
#define SMMU_STE_CONFIG_S1_EN       1
#define SMMU_STE_CONFIG_S2_EN       2

/* STE.S1Fmt */
enum {
    SMMU_S1FMT_LINEAR   = 0,
    SMMU_S1FMT_4K_L2    = 1,    /* level-2 tables of 2^6 CDs */
    SMMU_S1FMT_64K_L2   = 2,    /* level-2 tables of 2^10 CDs */
};

/* Level-1 CD table descriptor (2-level CD tables, 8 bytes). */
#define SMMU_L1CD_SIZE      8
FIELD(L1CD, V, 0, 1)
FIELD(L1CD, L2PTR, 12, 40)          /* L2Ptr[51:12], in place */

/* STE.S1DSS: traffic without a SubstreamID. */
enum {
    SMMU_S1DSS_TERMINATE = 0,
    SMMU_S1DSS_BYPASS    = 1,
    SMMU_S1DSS_SSID0     = 2,
};

/* STE.PRIVCFG and STE.INSTCFG: 0 and 1 use the incoming attribute. */
enum {
    SMMU_PRIVCFG_UNPRIV = 2,
    SMMU_PRIVCFG_PRIV   = 3,
};
enum {
    SMMU_INSTCFG_DATA   = 2,
    SMMU_INSTCFG_INSTR  = 3,
};

/* STE.EATS */
enum {
    SMMU_EATS_ABORT = 0,
    SMMU_EATS_TRANS = 1,
    SMMU_EATS_S1CHK = 2,
};

/* STE.STRW */
enum {
    SMMU_STRW_NSEL1 = 0,
    SMMU_STRW_EL2   = 2,
};

/* The STE of CONFIG with V set, other fields zero. */
static inline SMMUSte smmu_ste_make(unsigned config)
{
    SMMUSte ste = { { 0 } };

    ste.word[0] = FIELD_DP64(ste.word[0], STE_0, V, 1);
    ste.word[0] = FIELD_DP64(ste.word[0], STE_0, CONFIG, config);
    return ste;
}

/* STE.Config, with an invalid STE (V == 0) reading as abort. */
static inline unsigned smmu_ste_config(const SMMUSte *ste)
{
    if (!FIELD_EX64(ste->word[0], STE_0, V)) {
        return SMMU_STE_CONFIG_ABORT;
    }
    return FIELD_EX64(ste->word[0], STE_0, CONFIG);
}

/* "abort", "bypass", "s1-translate", ...; "reserved (0x1)" otherwise. */
const char *smmu_ste_config_name(unsigned config);

/* ==== Context descriptor (eight 64-bit words) =========================== */

typedef struct SMMUCd {
    uint64_t word[8];
} SMMUCd;

FIELD(CD_0, T0SZ, 0, 6)
FIELD(CD_0, TG0, 6, 2)
FIELD(CD_0, IR0, 8, 2)
FIELD(CD_0, OR0, 10, 2)
FIELD(CD_0, SH0, 12, 2)
FIELD(CD_0, EPD0, 14, 1)
FIELD(CD_0, ENDI, 15, 1)
FIELD(CD_0, T1SZ, 16, 6)
FIELD(CD_0, TG1, 22, 2)
FIELD(CD_0, IR1, 24, 2)
FIELD(CD_0, OR1, 26, 2)
FIELD(CD_0, SH1, 28, 2)
FIELD(CD_0, EPD1, 30, 1)
FIELD(CD_0, V, 31, 1)
FIELD(CD_0, IPS, 32, 3)
FIELD(CD_0, AFFD, 35, 1)
FIELD(CD_0, WXN, 36, 1)
FIELD(CD_0, UWXN, 37, 1)
FIELD(CD_0, TBI0, 38, 1)
FIELD(CD_0, TBI1, 39, 1)
FIELD(CD_0, PAN, 40, 1)
FIELD(CD_0, AA64, 41, 1)
FIELD(CD_0, HD, 42, 1)
FIELD(CD_0, HA, 43, 1)
FIELD(CD_0, S, 44, 1)
FIELD(CD_0, R, 45, 1)
FIELD(CD_0, A, 46, 1)
FIELD(CD_0, ASET, 47, 1)
FIELD(CD_0, ASID, 48, 16)
FIELD(CD_1, TTB0, 4, 48)            /* TTB0[51:4], in place */
FIELD(CD_1, HAD0, 63, 1)
FIELD(CD_2, TTB1, 4, 48)            /* TTB1[51:4], in place */
FIELD(CD_2, HAD1, 63, 1)
FIELD(CD_3, MAIR, 0, 64)            /* MAIR0 (low) and MAIR1 (high) */
FIELD(CD_4, AMAIR, 0, 64)

/* CD.TG0 and STE.S2TG granule encodings (CD.TG1 differs). */
enum {
    SMMU_TG0_4K  = 0,
    SMMU_TG0_64K = 1,
    SMMU_TG0_16K = 2,
};
#define SMMU_CD_TG_RESERVED 3

/* Cacheability (IR0/OR0, STE S1CIR/S1COR) and shareability (SH0). */
enum {
    SMMU_CACHE_NC   = 0,
    SMMU_CACHE_WBRA = 1,        /* write-back, read/write-allocate */
    SMMU_CACHE_WT   = 2,
    SMMU_CACHE_WB   = 3,
};
enum {
    SMMU_SH_NSH = 0,
    SMMU_SH_OSH = 2,
    SMMU_SH_ISH = 3,
};

/* Highest output address for an IDR5.OAS/IPS encoding, or 0 if reserved. */
static inline unsigned smmu_oas_bits(unsigned enc)
{
    static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };

    return enc < G_N_ELEMENTS(bits) ? bits[enc] : 0;
}

#endif /* HW_ARM_SMMUV3_COMMON_H */
