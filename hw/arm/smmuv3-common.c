/*
 * Arm SMMUv3 architecture encodings: builders, parsers and name tables.
 *
 * Owns the tables that name commands, event types and STE configs, and
 * the conversions between event records and their in-memory forms.  See
 * include/hw/arm/smmuv3-common.h.  No state: the only mutable data is the
 * "unknown (0x..)" string table, filled once under g_once.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-common.h"

/* ---- names ---------------------------------------------------------------- */

/* Opcodes and event types are 8 bits wide: one table covers both. */
#define SMMU_CODE_MAX 256

static const char *const smmu_cmd_names[SMMU_CODE_MAX] = {
    [SMMU_CMD_PREFETCH_CONFIG] = "CMD_PREFETCH_CONFIG",
    [SMMU_CMD_PREFETCH_ADDR] = "CMD_PREFETCH_ADDR",
    [SMMU_CMD_CFGI_STE] = "CMD_CFGI_STE",
    [SMMU_CMD_CFGI_STE_RANGE] = "CMD_CFGI_STE_RANGE",
    [SMMU_CMD_CFGI_CD] = "CMD_CFGI_CD",
    [SMMU_CMD_CFGI_CD_ALL] = "CMD_CFGI_CD_ALL",
    [SMMU_CMD_TLBI_NH_ALL] = "CMD_TLBI_NH_ALL",
    [SMMU_CMD_TLBI_NH_ASID] = "CMD_TLBI_NH_ASID",
    [SMMU_CMD_TLBI_NH_VA] = "CMD_TLBI_NH_VA",
    [SMMU_CMD_TLBI_NH_VAA] = "CMD_TLBI_NH_VAA",
    [SMMU_CMD_TLBI_EL3_ALL] = "CMD_TLBI_EL3_ALL",
    [SMMU_CMD_TLBI_EL3_VA] = "CMD_TLBI_EL3_VA",
    [SMMU_CMD_TLBI_EL2_ALL] = "CMD_TLBI_EL2_ALL",
    [SMMU_CMD_TLBI_EL2_ASID] = "CMD_TLBI_EL2_ASID",
    [SMMU_CMD_TLBI_EL2_VA] = "CMD_TLBI_EL2_VA",
    [SMMU_CMD_TLBI_EL2_VAA] = "CMD_TLBI_EL2_VAA",
    [SMMU_CMD_TLBI_S12_VMALL] = "CMD_TLBI_S12_VMALL",
    [SMMU_CMD_TLBI_S2_IPA] = "CMD_TLBI_S2_IPA",
    [SMMU_CMD_TLBI_NSNH_ALL] = "CMD_TLBI_NSNH_ALL",
    [SMMU_CMD_ATC_INV] = "CMD_ATC_INV",
    [SMMU_CMD_PRI_RESP] = "CMD_PRI_RESP",
    [SMMU_CMD_RESUME] = "CMD_RESUME",
    [SMMU_CMD_STALL_TERM] = "CMD_STALL_TERM",
    [SMMU_CMD_SYNC] = "CMD_SYNC",
};

static const char *const smmu_event_names[SMMU_CODE_MAX] = {
    [SMMU_EVT_NONE] = "NONE",
    [SMMU_EVT_F_UUT] = "F_UUT",
    [SMMU_EVT_C_BAD_STREAMID] = "C_BAD_STREAMID",
    [SMMU_EVT_F_STE_FETCH] = "F_STE_FETCH",
    [SMMU_EVT_C_BAD_STE] = "C_BAD_STE",
    [SMMU_EVT_F_BAD_ATS_TREQ] = "F_BAD_ATS_TREQ",
    [SMMU_EVT_F_STREAM_DISABLED] = "F_STREAM_DISABLED",
    [SMMU_EVT_F_TRANSL_FORBIDDEN] = "F_TRANSL_FORBIDDEN",
    [SMMU_EVT_C_BAD_SUBSTREAMID] = "C_BAD_SUBSTREAMID",
    [SMMU_EVT_F_CD_FETCH] = "F_CD_FETCH",
    [SMMU_EVT_C_BAD_CD] = "C_BAD_CD",
    [SMMU_EVT_F_WALK_EABT] = "F_WALK_EABT",
    [SMMU_EVT_F_TRANSLATION] = "F_TRANSLATION",
    [SMMU_EVT_F_ADDR_SIZE] = "F_ADDR_SIZE",
    [SMMU_EVT_F_ACCESS] = "F_ACCESS",
    [SMMU_EVT_F_PERMISSION] = "F_PERMISSION",
    [SMMU_EVT_F_TLB_CONFLICT] = "F_TLB_CONFLICT",
    [SMMU_EVT_F_CFG_CONFLICT] = "F_CFG_CONFLICT",
    [SMMU_EVT_E_PAGE_REQUEST] = "E_PAGE_REQUEST",
    [SMMU_EVT_F_VMS_FETCH] = "F_VMS_FETCH",
};

static const char *const smmu_ste_config_names[8] = {
    [SMMU_STE_CONFIG_ABORT] = "abort",
    [SMMU_STE_CONFIG_BYPASS] = "bypass",
    [SMMU_STE_CONFIG_S1] = "s1-translate",
    [SMMU_STE_CONFIG_S2] = "s2-translate",
    [SMMU_STE_CONFIG_NESTED] = "nested",
};

/* "unknown (0x7f)" for every 8-bit code, built once. */
static const char *smmu_unknown_name(unsigned code)
{
    static char names[SMMU_CODE_MAX][sizeof("unknown (0xff)")];
    static gsize done;

    if (g_once_init_enter(&done)) {
        for (unsigned i = 0; i < SMMU_CODE_MAX; i++) {
            snprintf(names[i], sizeof(names[i]), "unknown (0x%02x)", i);
        }
        g_once_init_leave(&done, 1);
    }
    return names[code & (SMMU_CODE_MAX - 1)];
}

static const char *smmu_code_name(const char *const *table, unsigned code)
{
    if (code < SMMU_CODE_MAX && table[code]) {
        return table[code];
    }
    /* Wider values cannot come from an 8-bit field; name the low byte. */
    return smmu_unknown_name(code);
}

const char *smmu_cmd_name(unsigned opcode)
{
    return smmu_code_name(smmu_cmd_names, opcode);
}

const char *smmu_event_type_name(unsigned type)
{
    return smmu_code_name(smmu_event_names, type);
}

const char *smmu_ste_config_name(unsigned config)
{
    static const char *const reserved[8] = {
        "reserved (0x0)", "reserved (0x1)", "reserved (0x2)",
        "reserved (0x3)", "reserved (0x4)", "reserved (0x5)",
        "reserved (0x6)", "reserved (0x7)",
    };

    config &= 7;
    return smmu_ste_config_names[config] ? smmu_ste_config_names[config] :
                                           reserved[config];
}

/* ---- commands --------------------------------------------------------------- */

SMMUCmd smmu_cmd_cfgi_ste(uint32_t sid)
{
    SMMUCmd cmd = smmu_cmd_make(SMMU_CMD_CFGI_STE);

    cmd.word[0] = FIELD_DP64(cmd.word[0], CMD_0, SID, sid);
    cmd.word[1] = FIELD_DP64(cmd.word[1], CMD_1, LEAF, 1);
    return cmd;
}

SMMUCmd smmu_cmd_cfgi_cd(uint32_t sid, uint32_t ssid, bool all)
{
    SMMUCmd cmd = smmu_cmd_make(all ? SMMU_CMD_CFGI_CD_ALL : SMMU_CMD_CFGI_CD);

    if (!all) {
        cmd.word[0] = FIELD_DP64(cmd.word[0], CMD_0, SSID, ssid);
    }
    cmd.word[0] = FIELD_DP64(cmd.word[0], CMD_0, SID, sid);
    return cmd;
}

SMMUCmd smmu_cmd_sync(unsigned cs, uint64_t msiaddr, uint32_t msidata)
{
    SMMUCmd cmd = smmu_cmd_make(SMMU_CMD_SYNC);

    cmd.word[0] = FIELD_DP64(cmd.word[0], CMD_0, SYNC_CS, cs);
    cmd.word[0] = FIELD_DP64(cmd.word[0], CMD_0, SYNC_MSIDATA, msidata);
    cmd.word[1] = msiaddr & R_CMD_1_SYNC_MSIADDR_MASK;
    return cmd;
}

/* ---- event records ------------------------------------------------------------ */

void smmu_event_set_addr(SMMUEvent *evt, unsigned word, uint64_t addr)
{
    g_assert(word == SMMU_EVT_ADDR_WORD || word == SMMU_EVT_ADDR2_WORD);
    evt->word[word] = (uint32_t)addr;
    evt->word[word + 1] = (uint32_t)(addr >> 32);
}

uint64_t smmu_event_get_addr(const SMMUEvent *evt, unsigned word)
{
    g_assert(word == SMMU_EVT_ADDR_WORD || word == SMMU_EVT_ADDR2_WORD);
    return evt->word[word] | (uint64_t)evt->word[word + 1] << 32;
}

void smmu_event_init(SMMUEvent *evt, SMMUEventType type, uint32_t sid)
{
    memset(evt, 0, sizeof(*evt));
    evt->word[0] = FIELD_DP32(0, EVT_0, TYPE, type);
    evt->word[1] = FIELD_DP32(0, EVT_1, SID, sid);
}

void smmu_event_set_ssid(SMMUEvent *evt, uint32_t ssid)
{
    evt->word[0] = FIELD_DP32(evt->word[0], EVT_0, SSV, 1);
    evt->word[0] = FIELD_DP32(evt->word[0], EVT_0, SSID, ssid);
}

void smmu_event_build(SMMUEvent *evt, const SMMUEventInfo *info)
{
    uint32_t w3 = 0;

    smmu_event_init(evt, info->type, info->sid);
    if (info->ssv) {
        smmu_event_set_ssid(evt, info->ssid);
    }
    evt->word[2] = FIELD_DP32(evt->word[2], EVT_2, STAG, info->stag);
    evt->word[2] = FIELD_DP32(evt->word[2], EVT_2, STALL, info->stall);
    w3 = FIELD_DP32(w3, EVT_3, PNU, info->pnu);
    w3 = FIELD_DP32(w3, EVT_3, IND, info->ind);
    w3 = FIELD_DP32(w3, EVT_3, RNW, info->rnw);
    w3 = FIELD_DP32(w3, EVT_3, NSIPA, info->nsipa);
    w3 = FIELD_DP32(w3, EVT_3, S2, info->s2);
    w3 = FIELD_DP32(w3, EVT_3, CLASS, info->class_);
    w3 = FIELD_DP32(w3, EVT_3, TTRNW, info->ttrnw);
    evt->word[3] = w3;
    smmu_event_set_addr(evt, SMMU_EVT_ADDR_WORD, info->input_addr);
    smmu_event_set_addr(evt, SMMU_EVT_ADDR2_WORD, info->addr2);
}

void smmu_event_parse(const SMMUEvent *evt, SMMUEventInfo *info)
{
    const uint32_t *w = evt->word;

    *info = (SMMUEventInfo) {
        .type = FIELD_EX32(w[0], EVT_0, TYPE),
        .sid = FIELD_EX32(w[1], EVT_1, SID),
        .ssv = FIELD_EX32(w[0], EVT_0, SSV),
        .ssid = FIELD_EX32(w[0], EVT_0, SSID),
        .stall = FIELD_EX32(w[2], EVT_2, STALL),
        .stag = FIELD_EX32(w[2], EVT_2, STAG),
        .pnu = FIELD_EX32(w[3], EVT_3, PNU),
        .ind = FIELD_EX32(w[3], EVT_3, IND),
        .rnw = FIELD_EX32(w[3], EVT_3, RNW),
        .nsipa = FIELD_EX32(w[3], EVT_3, NSIPA),
        .s2 = FIELD_EX32(w[3], EVT_3, S2),
        .class_ = FIELD_EX32(w[3], EVT_3, CLASS),
        .ttrnw = FIELD_EX32(w[3], EVT_3, TTRNW),
        .input_addr = smmu_event_get_addr(evt, SMMU_EVT_ADDR_WORD),
        .addr2 = smmu_event_get_addr(evt, SMMU_EVT_ADDR2_WORD),
    };
}

void smmu_event_from_le(SMMUEvent *evt, const void *rec)
{
    uint32_t le[8];

    memcpy(le, rec, sizeof(le));
    for (int i = 0; i < 8; i++) {
        evt->word[i] = GUINT32_FROM_LE(le[i]);
    }
}

void smmu_event_to_le(const SMMUEvent *evt, void *rec)
{
    uint32_t le[8];

    for (int i = 0; i < 8; i++) {
        le[i] = GUINT32_TO_LE(evt->word[i]);
    }
    memcpy(rec, le, sizeof(le));
}

void smmu_event_from_dwords(SMMUEvent *evt, const uint64_t dw[4])
{
    for (int i = 0; i < 4; i++) {
        evt->word[2 * i] = (uint32_t)dw[i];
        evt->word[2 * i + 1] = (uint32_t)(dw[i] >> 32);
    }
}

void smmu_event_to_dwords(const SMMUEvent *evt, uint64_t dw[4])
{
    for (int i = 0; i < 4; i++) {
        dw[i] = evt->word[2 * i] | (uint64_t)evt->word[2 * i + 1] << 32;
    }
}
