/*
 * SMMUv3 translation table walker for emulated endpoints.
 *
 * A pure translation engine: given a configuration derived from an STE
 * and a CD, an access, and a guest-memory read callback, it walks the
 * AArch64 (VMSAv8-64, little-endian) stage-1 and/or stage-2 tables and
 * returns either the translation or a fault carrying every field the
 * event record needs.  It holds no state and takes no locks: the caller
 * serialises against changes of the tables it reads.
 *
 * See docs/devel/smmuv3-walk.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_SMMUV3_WALK_H
#define HW_ARM_SMMUV3_WALK_H

#include "qapi/error.h"
#include "hw/arm/smmuv3-common.h"

/*
 * Reads @len bytes of guest memory at physical address @addr into @buf.
 * Returns false when @addr .. @addr + @len - 1 is not guest RAM.
 */
typedef bool (*SMMUWalkRead)(void *opaque, uint64_t addr, void *buf,
                             size_t len);

/*
 * Kinds of translation fault, valued as their event types in the SMMUv3
 * encoding, so a fault is recorded as it is (SMMU_WALK_FAULT_NONE: none).
 */
typedef enum SMMUWalkFaultType {
    SMMU_WALK_FAULT_NONE = SMMU_EVT_NONE,
    SMMU_WALK_FAULT_TRANSLATION = SMMU_EVT_F_TRANSLATION,
    SMMU_WALK_FAULT_ADDR_SIZE = SMMU_EVT_F_ADDR_SIZE,
    SMMU_WALK_FAULT_ACCESS = SMMU_EVT_F_ACCESS,
    SMMU_WALK_FAULT_PERMISSION = SMMU_EVT_F_PERMISSION,
    SMMU_WALK_FAULT_WALK_EABT = SMMU_EVT_F_WALK_EABT,
} SMMUWalkFaultType;

/* What a stage-2 fault was translating: the event record's CLASS. */
typedef enum SMMUWalkClass {
    SMMU_WALK_CLASS_CD = SMMU_EVT_CLASS_CD, /* a CD fetch (smmuv3_walk_s2()) */
    SMMU_WALK_CLASS_TT = SMMU_EVT_CLASS_TT, /* a stage-1 table fetch */
    SMMU_WALK_CLASS_IN = SMMU_EVT_CLASS_IN, /* the transaction's address */
} SMMUWalkClass;

/* Granule sizes, as the log2 of their size in bytes. */
#define SMMU_WALK_GRAN_4K   12
#define SMMU_WALK_GRAN_16K  14
#define SMMU_WALK_GRAN_64K  16

/* Result permission bits, for the access's privilege. */
#define SMMU_WALK_PERM_R    (1u << 0)
#define SMMU_WALK_PERM_W    (1u << 1)
#define SMMU_WALK_PERM_X    (1u << 2)

/* One stage-1 translation table (the CD's TTB0 or TTB1 half). */
typedef struct SMMUWalkTT {
    uint64_t ttb;           /* table base: a PA, or an IPA when nested */
    uint8_t tsz;            /* TxSZ: input size is 64 - tsz bits */
    uint8_t granule;        /* SMMU_WALK_GRAN_* */
    bool epd;               /* EPDx: walks of this half fault */
    bool had;               /* HADx: APTable/XNTable/PXNTable ignored */
} SMMUWalkTT;

typedef struct SMMUWalkS1Cfg {
    SMMUWalkTT tt[2];       /* TTB0 (low half), TTB1 (high half) */
    uint8_t ips;            /* CD.IPS, in bits (32 .. 52) */
    bool affd;              /* CD.AFFD: AF == 0 does not fault */
    bool wxn;               /* CD.WXN: writable means not executable */
    bool pan;               /* CD.PAN: no privileged data access to EL0 pages */
    bool record;            /* CD.R: record stage-1 faults */
} SMMUWalkS1Cfg;

typedef struct SMMUWalkS2Cfg {
    uint64_t ttb;           /* S2TTB, a PA */
    uint8_t tsz;            /* S2T0SZ: IPA size is 64 - tsz bits */
    uint8_t sl0;            /* S2SL0, as encoded in the STE */
    uint8_t granule;        /* SMMU_WALK_GRAN_* (from S2TG) */
    uint8_t ps;             /* S2PS, in bits (32 .. 52) */
    bool affd;              /* S2AFFD */
    bool record;            /* S2R: record stage-2 faults */
} SMMUWalkS2Cfg;

typedef struct SMMUWalkConfig {
    bool s1_enabled;
    bool s2_enabled;        /* both: nested */
    SMMUWalkS1Cfg s1;
    SMMUWalkS2Cfg s2;
    /* What the SMMU implements (from its ID registers). */
    uint8_t oas;            /* SMMU_IDR5.OAS, in bits: caps IPS/S2PS */
    bool vax;               /* SMMU_IDR5.VAX: 52-bit VA with 64K */
    bool stt;               /* SMMU_IDR3.STT: small translation tables */
    bool xnx;               /* SMMU_IDR3.XNX: stage-2 XN[1:0] (TTS2UXN) */
} SMMUWalkConfig;

typedef struct SMMUWalkAccess {
    uint64_t iova;          /* input address */
    bool write;             /* RnW == 0 */
    bool priv;              /* PnU */
    bool instr;             /* InD (reads only; writes are data) */
} SMMUWalkAccess;

typedef struct SMMUWalkResult {
    uint64_t pa;            /* output address of the access's iova */
    uint64_t ipa;           /* stage-1 output when nested, else iova */
    uint64_t size;          /* size of the mapping (page or block) */
    uint64_t hint_size;     /* >= size: the contiguous range, a hint */
    uint64_t s1_size;       /* the stage-1 leaf's size; UINT64_MAX: none */
    uint64_t s2_size;       /* the stage-2 leaf's size; UINT64_MAX: none */
    uint8_t perm;           /* SMMU_WALK_PERM_*, for the access's PnU */
    uint8_t level;          /* leaf level of the last stage walked */
} SMMUWalkResult;

typedef struct SMMUWalkFault {
    SMMUWalkFaultType type;
    bool s2;                /* the fault is a stage-2 fault */
    SMMUWalkClass class;    /* meaningful when s2 */
    uint64_t input_addr;    /* the transaction's input address */
    uint64_t ipa;           /* stage-2 faults: the IPA being translated */
    uint64_t fetch_pa;      /* WALK_EABT: the descriptor's address */
    uint8_t level;          /* the level at which the walk stopped */
    bool rnw;
    bool ind;
    bool pnu;
    bool ttrnw;             /* CLASS == TT: the table access was a read */
    bool record;            /* R/S2R allow recording (always for EABT) */
} SMMUWalkFault;

/*
 * Validate the stage-1 (CD) or stage-2 (STE) part of @cfg.  Returns
 * false with @errp set when that part is ILLEGAL: the caller raises
 * C_BAD_CD (stage 1) or C_BAD_STE (stage 2).  A stage that is not
 * enabled is valid.  smmuv3_walk() and smmuv3_walk_s2() expect a
 * configuration that passed these checks.
 */
bool smmuv3_walk_check_s1(const SMMUWalkConfig *cfg, Error **errp);
bool smmuv3_walk_check_s2(const SMMUWalkConfig *cfg, Error **errp);
bool smmuv3_walk_check_cfg(const SMMUWalkConfig *cfg, Error **errp);

/*
 * Translate @acc through every enabled stage.  Returns true with @res
 * filled, or false with @fault filled.  With no stage enabled the
 * access passes through unchanged.
 */
bool smmuv3_walk(const SMMUWalkConfig *cfg, const SMMUWalkAccess *acc,
                 SMMUWalkRead read, void *opaque,
                 SMMUWalkResult *res, SMMUWalkFault *fault);

/*
 * Translate @ipa through stage 2 alone, on behalf of @acc, as @class:
 * SMMU_WALK_CLASS_CD for the caller's CD (or CD table) fetch, which is
 * checked as a data read.  @cfg->s2_enabled must be set.
 */
bool smmuv3_walk_s2(const SMMUWalkConfig *cfg, uint64_t ipa,
                    const SMMUWalkAccess *acc, SMMUWalkClass class,
                    SMMUWalkRead read, void *opaque,
                    SMMUWalkResult *res, SMMUWalkFault *fault);

/*
 * Field decoders for the caller.  They return 0 for a reserved value.
 */
unsigned smmuv3_walk_tg0_granule(unsigned tg0);   /* CD.TG0, STE.S2TG */
unsigned smmuv3_walk_tg1_granule(unsigned tg1);   /* CD.TG1 */
unsigned smmuv3_walk_ps_bits(unsigned ps);        /* CD.IPS, STE.S2PS */

#endif /* HW_ARM_SMMUV3_WALK_H */
