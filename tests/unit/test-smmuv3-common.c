/*
 * Tests for the SMMUv3 encodings (hw/arm/smmuv3-common.c).
 *
 * Every expected value here is written out from the bit positions of
 * the Arm SMMUv3 specification (IHI 0070), not computed with the
 * macros under test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/smmuv3-common.h"

/*
 * F_TRANSLATION, StreamID 0x1234, SubstreamID 5, a read of the input
 * transaction (CLASS IN) at 0x800012345000 with IPA 0x40000000.
 */
static const SMMUEventInfo f_translation = {
    .type = SMMU_EVT_F_TRANSLATION, .sid = 0x1234, .ssv = true, .ssid = 5,
    .rnw = true, .class_ = SMMU_EVT_CLASS_IN,
    .input_addr = 0x800012345000ull, .addr2 = 0x40000000,
};

static const uint32_t f_translation_words[8] = {
    0x00005810,     /* type 0x10 [7:0], SSV [11], SubstreamID [31:12] */
    0x00001234,     /* StreamID [63:32] */
    0x00000000,     /* STAG, Stall */
    0x00000208,     /* RnW [99], CLASS [105:104] = 0b10 */
    0x12345000, 0x00008000,     /* InputAddr [191:128] */
    0x40000000, 0x00000000,     /* IPA [255:192] */
};

static void test_event_build(void)
{
    SMMUEvent e;

    smmu_event_build(&e, &f_translation);
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(e.word[i], ==, f_translation_words[i]);
    }
}

static void test_event_fields(void)
{
    SMMUEventInfo info = {
        .type = SMMU_EVT_F_PERMISSION, .sid = 0xffffffff, .stall = true,
        .stag = 0xbeef, .pnu = true, .ind = true, .nsipa = true,
        .s2 = true, .class_ = SMMU_EVT_CLASS_TT, .ttrnw = true,
    };
    SMMUEventInfo back;
    SMMUEvent e;

    smmu_event_build(&e, &info);
    g_assert_cmphex(e.word[0], ==, 0x13);           /* no SSV */
    g_assert_cmphex(e.word[1], ==, 0xffffffff);
    g_assert_cmphex(e.word[2], ==, 0x8000beef);     /* Stall [95], STAG */
    /*
     * PnU [97], InD [98], NSIPA [100], S2 [103], CLASS [105:104] = 1,
     * TTRnW [108]
     */
    g_assert_cmphex(e.word[3], ==, 0x1196);
    smmu_event_parse(&e, &back);
    g_assert_true(back.ttrnw);
}

static void test_event_parse(void)
{
    SMMUEventInfo info;
    SMMUEvent e;

    memcpy(e.word, f_translation_words, sizeof(e.word));
    smmu_event_parse(&e, &info);
    g_assert_cmpuint(info.type, ==, f_translation.type);
    g_assert_cmphex(info.sid, ==, f_translation.sid);
    g_assert_true(info.ssv);
    g_assert_cmphex(info.ssid, ==, f_translation.ssid);
    g_assert_true(info.rnw);
    g_assert_false(info.stall || info.pnu || info.ind || info.s2 ||
                   info.nsipa);
    g_assert_cmpuint(info.stag, ==, 0);
    g_assert_cmpuint(info.class_, ==, SMMU_EVT_CLASS_IN);
    g_assert_cmphex(info.input_addr, ==, f_translation.input_addr);
    g_assert_cmphex(info.addr2, ==, f_translation.addr2);
    g_assert_cmpuint(smmu_event_get_type(&e), ==, 0x10);
    g_assert_cmphex(smmu_event_get_sid(&e), ==, 0x1234);
}

static void test_event_le(void)
{
    static const uint8_t bytes[32] = {
        0x10, 0x58, 0x00, 0x00, 0x34, 0x12, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00,
        0x00, 0x50, 0x34, 0x12, 0x00, 0x80, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00,
    };
    uint8_t out[32];
    uint64_t dw[4];
    SMMUEvent e, back;

    smmu_event_from_le(&e, bytes);
    g_assert_cmpmem(e.word, sizeof(e.word), f_translation_words,
                    sizeof(f_translation_words));
    smmu_event_to_le(&e, out);
    g_assert_cmpmem(out, sizeof(out), bytes, sizeof(bytes));

    /* The kernel's four doublewords: StreamID in dword 0 [63:32]. */
    smmu_event_to_dwords(&e, dw);
    g_assert_cmphex(dw[0], ==, 0x0000123400005810ull);
    g_assert_cmphex(dw[1], ==, 0x0000020800000000ull);
    g_assert_cmphex(dw[2], ==, 0x0000800012345000ull);
    g_assert_cmphex(dw[3], ==, 0x0000000040000000ull);
    smmu_event_from_dwords(&back, dw);
    g_assert_cmpmem(back.word, sizeof(back.word), e.word, sizeof(e.word));
}

static void test_event_helpers(void)
{
    SMMUEvent e;

    smmu_event_init(&e, SMMU_EVT_C_BAD_CD, 0x42);
    smmu_event_set_ssid(&e, 0xfffff);
    smmu_event_set_addr(&e, SMMU_EVT_ADDR2_WORD, 0x1122334455667788ull);
    g_assert_cmphex(e.word[0], ==, 0xfffff80a);
    g_assert_cmphex(e.word[1], ==, 0x42);
    g_assert_cmphex(e.word[6], ==, 0x55667788);
    g_assert_cmphex(e.word[7], ==, 0x11223344);
    g_assert_cmphex(smmu_event_get_addr(&e, SMMU_EVT_ADDR2_WORD), ==,
                    0x1122334455667788ull);
    g_assert_cmphex(smmu_event_get_addr(&e, SMMU_EVT_ADDR_WORD), ==, 0);
}

static void test_cmd_sync(void)
{
    SMMUCmd c = smmu_cmd_sync(SMMU_SYNC_CS_IRQ, 0x80000040, 0xcafe);

    /* Opcode 0x46, CS [13:12] = 0b01 (SIG_IRQ), MSIData [63:32]. */
    g_assert_cmphex(c.word[0], ==, 0x0000cafe00001046ull);
    /* MSIAddr [115:66]: the address in place, bits [1:0] clear. */
    g_assert_cmphex(c.word[1], ==, 0x80000040ull);

    c = smmu_cmd_sync(SMMU_SYNC_CS_SEV, 0x80000043, 0);
    g_assert_cmphex(c.word[0], ==, 0x2046);
    g_assert_cmphex(c.word[1], ==, 0x80000040ull);
    g_assert_cmpuint(smmu_cmd_opcode(&c), ==, 0x46);
}

static void test_cmd_cfgi(void)
{
    SMMUCmd c = smmu_cmd_cfgi_ste(0x42);

    g_assert_cmphex(c.word[0], ==, 0x0000004200000003ull);
    g_assert_cmphex(c.word[1], ==, 1);              /* Leaf */

    c = smmu_cmd_cfgi_cd(7, 3, false);
    g_assert_cmphex(c.word[0], ==, 0x0000000700003005ull);
    g_assert_cmphex(c.word[1], ==, 0);
    c = smmu_cmd_cfgi_cd(9, 3, true);               /* SSID ignored */
    g_assert_cmphex(c.word[0], ==, 0x0000000900000006ull);

    c = smmu_cmd_make(SMMU_CMD_CFGI_STE_RANGE);
    c.word[1] = FIELD_DP64(c.word[1], CMD_1, RANGE, SMMU_CFGI_RANGE_ALL);
    g_assert_cmphex(c.word[0], ==, 0x04);
    g_assert_cmphex(c.word[1], ==, 0x1f);
}

static void test_cmd_tlbi(void)
{
    uint64_t w0 = smmu_cmd_make(SMMU_CMD_TLBI_NH_VA).word[0];
    uint64_t w1 = 0;

    w0 = FIELD_DP64(w0, CMD_0, ASID, 0xabcd);
    w0 = FIELD_DP64(w0, CMD_0, VMID, 0x1234);
    w0 = FIELD_DP64(w0, CMD_0, NUM, 0x1f);
    w0 = FIELD_DP64(w0, CMD_0, SCALE, 0x1f);
    w1 = FIELD_DP64(w1, CMD_1, LEAF, 1);
    w1 = FIELD_DP64(w1, CMD_1, TTL, 3);
    w1 = FIELD_DP64(w1, CMD_1, TG, 1);
    w1 |= 0xffff800000201000ull & R_CMD_1_ADDR_MASK;
    /* ASID [63:48], VMID [47:32], SCALE [24:20], NUM [16:12], 0x12. */
    g_assert_cmphex(w0, ==, 0xabcd123401f1f012ull);
    /* Address [63:12], TG [11:10], TTL [9:8], Leaf [0]. */
    g_assert_cmphex(w1, ==, 0xffff800000201701ull);
    g_assert_cmphex(R_CMD_1_IPA_MASK, ==, 0x000ffffffffff000ull);
}

static void test_ste(void)
{
    SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_S1);

    g_assert_cmphex(ste.word[0], ==, 0xb);          /* V, Config 0b101 */
    g_assert_cmphex(smmu_ste_make(SMMU_STE_CONFIG_BYPASS).word[0], ==, 0x9);
    g_assert_cmphex(smmu_ste_make(SMMU_STE_CONFIG_ABORT).word[0], ==, 0x1);
    g_assert_cmpuint(smmu_ste_config(&ste), ==, SMMU_STE_CONFIG_S1);
    ste.word[0] &= ~1ull;
    g_assert_cmpuint(smmu_ste_config(&ste), ==, SMMU_STE_CONFIG_ABORT);

    g_assert_cmphex(R_STE_0_S1CTXPTR_MASK, ==, 0x000fffffffffffc0ull);
    g_assert_cmphex(R_STE_0_S1CDMAX_MASK, ==, 0xf800000000000000ull);
    g_assert_cmphex(R_STE_0_S1FMT_MASK, ==, 0x30);
    g_assert_cmphex(R_STE_1_EATS_MASK, ==, 0x30000000);
    g_assert_cmphex(R_STE_1_STRW_MASK, ==, 0xc0000000);
    g_assert_cmphex(R_STE_1_S1CSH_MASK, ==, 0xc0);
    g_assert_cmphex(R_STE_2_S2T0SZ_MASK, ==, 0x3full << 32);
    g_assert_cmphex(R_STE_2_S2SL0_MASK, ==, 0x3ull << 38);
    g_assert_cmphex(R_STE_2_S2TG_MASK, ==, 0x3ull << 46);
    g_assert_cmphex(R_STE_2_S2PS_MASK, ==, 0x7ull << 48);
    g_assert_cmphex(R_STE_2_S2AA64_MASK, ==, 1ull << 51);
    g_assert_cmphex(R_STE_2_S2ENDI_MASK, ==, 1ull << 52);
    g_assert_cmphex(R_STE_2_S2AFFD_MASK, ==, 1ull << 53);
    g_assert_cmphex(R_STE_2_S2R_MASK, ==, 1ull << 58);
    g_assert_cmphex(R_STE_3_S2TTB_MASK, ==, 0x000ffffffffffff0ull);

    g_assert_cmpstr(smmu_ste_config_name(SMMU_STE_CONFIG_S1), ==,
                    "s1-translate");
    g_assert_cmpstr(smmu_ste_config_name(1), ==, "reserved (0x1)");
}

static void test_cd(void)
{
    uint64_t w0 = 0;

    w0 = FIELD_DP64(w0, CD_0, T0SZ, 16);
    w0 = FIELD_DP64(w0, CD_0, TG0, SMMU_TG0_4K);
    w0 = FIELD_DP64(w0, CD_0, IR0, SMMU_CACHE_WBRA);
    w0 = FIELD_DP64(w0, CD_0, OR0, SMMU_CACHE_WBRA);
    w0 = FIELD_DP64(w0, CD_0, SH0, SMMU_SH_ISH);
    w0 = FIELD_DP64(w0, CD_0, EPD1, 1);
    w0 = FIELD_DP64(w0, CD_0, V, 1);
    w0 = FIELD_DP64(w0, CD_0, IPS, SMMU_OAS_44BIT);
    w0 = FIELD_DP64(w0, CD_0, AA64, 1);
    w0 = FIELD_DP64(w0, CD_0, R, 1);
    w0 = FIELD_DP64(w0, CD_0, A, 1);
    w0 = FIELD_DP64(w0, CD_0, ASET, 1);
    w0 = FIELD_DP64(w0, CD_0, ASID, 0x42);
    /*
     * ASID [63:48], ASET [47], A [46], R [45], AA64 [41], IPS [34:32],
     * V [31], EPD1 [30], SH0 [13:12], OR0 [11:10], IR0 [9:8], T0SZ [5:0].
     */
    g_assert_cmphex(w0, ==, 0x0042e204c0003510ull);

    g_assert_cmphex(R_CD_0_TG1_MASK, ==, 0xc00000);
    g_assert_cmphex(R_CD_0_T1SZ_MASK, ==, 0x3f0000);
    g_assert_cmphex(R_CD_0_ENDI_MASK, ==, 0x8000);
    g_assert_cmphex(R_CD_0_EPD0_MASK, ==, 0x4000);
    g_assert_cmphex(R_CD_0_AFFD_MASK, ==, 1ull << 35);
    g_assert_cmphex(R_CD_0_HD_MASK, ==, 1ull << 42);
    g_assert_cmphex(R_CD_0_HA_MASK, ==, 1ull << 43);
    g_assert_cmphex(R_CD_0_S_MASK, ==, 1ull << 44);
    g_assert_cmphex(R_CD_1_TTB0_MASK, ==, 0x000ffffffffffff0ull);
    g_assert_cmphex(R_CD_2_TTB1_MASK, ==, 0x000ffffffffffff0ull);
    g_assert_cmphex(FIELD_EX64(0x0011223344556677ull, CD_3, MAIR), ==,
                    0x0011223344556677ull);
}

static void test_queue(void)
{
    /* 4 entries: index [1:0], wrap [2], flags above. */
    g_assert_true(smmu_q_empty(0x80000005, 0x5, 2));
    g_assert_true(smmu_q_full(0x4, 0x0, 2));
    g_assert_false(smmu_q_full(0x3, 0x0, 2));
    g_assert_cmphex(smmu_q_incr(0x3, 2), ==, 0x4);
    g_assert_cmphex(smmu_q_incr(0x7, 2), ==, 0x0);
    g_assert_cmphex(smmu_q_incr(0x80000007, 2), ==, 0x80000000);
    g_assert_cmpuint(smmu_q_index(0x7, 2), ==, 3);
    g_assert_cmpuint(smmu_oas_bits(SMMU_OAS_44BIT), ==, 44);
    g_assert_cmpuint(smmu_oas_bits(SMMU_OAS_48BIT), ==, 48);
    g_assert_cmpuint(smmu_oas_bits(7), ==, 0);
}

static const struct {
    unsigned code;
    const char *name;
} cmd_names[] = {
    { 0x01, "CMD_PREFETCH_CONFIG" }, { 0x02, "CMD_PREFETCH_ADDR" },
    { 0x03, "CMD_CFGI_STE" }, { 0x04, "CMD_CFGI_STE_RANGE" },
    { 0x05, "CMD_CFGI_CD" }, { 0x06, "CMD_CFGI_CD_ALL" },
    { 0x10, "CMD_TLBI_NH_ALL" }, { 0x11, "CMD_TLBI_NH_ASID" },
    { 0x12, "CMD_TLBI_NH_VA" }, { 0x13, "CMD_TLBI_NH_VAA" },
    { 0x18, "CMD_TLBI_EL3_ALL" }, { 0x1a, "CMD_TLBI_EL3_VA" },
    { 0x20, "CMD_TLBI_EL2_ALL" }, { 0x21, "CMD_TLBI_EL2_ASID" },
    { 0x22, "CMD_TLBI_EL2_VA" }, { 0x23, "CMD_TLBI_EL2_VAA" },
    { 0x28, "CMD_TLBI_S12_VMALL" }, { 0x2a, "CMD_TLBI_S2_IPA" },
    { 0x30, "CMD_TLBI_NSNH_ALL" }, { 0x40, "CMD_ATC_INV" },
    { 0x41, "CMD_PRI_RESP" }, { 0x44, "CMD_RESUME" },
    { 0x45, "CMD_STALL_TERM" }, { 0x46, "CMD_SYNC" },
}, event_names[] = {
    { 0x00, "NONE" },
    { 0x01, "F_UUT" }, { 0x02, "C_BAD_STREAMID" }, { 0x03, "F_STE_FETCH" },
    { 0x04, "C_BAD_STE" }, { 0x05, "F_BAD_ATS_TREQ" },
    { 0x06, "F_STREAM_DISABLED" }, { 0x07, "F_TRANSL_FORBIDDEN" },
    { 0x08, "C_BAD_SUBSTREAMID" }, { 0x09, "F_CD_FETCH" },
    { 0x0a, "C_BAD_CD" }, { 0x0b, "F_WALK_EABT" },
    { 0x10, "F_TRANSLATION" }, { 0x11, "F_ADDR_SIZE" },
    { 0x12, "F_ACCESS" }, { 0x13, "F_PERMISSION" },
    { 0x20, "F_TLB_CONFLICT" }, { 0x21, "F_CFG_CONFLICT" },
    { 0x24, "E_PAGE_REQUEST" }, { 0x25, "F_VMS_FETCH" },
};

/* Every 8-bit code has a name; exactly the listed ones are known. */
static void check_names(const char *(*fn)(unsigned), const void *list,
                        size_t n)
{
    const typeof(cmd_names[0]) *l = list;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    size_t known = 0;

    for (size_t i = 0; i < n; i++) {
        g_assert_cmpstr(fn(l[i].code), ==, l[i].name);
    }
    for (unsigned code = 0; code < 256; code++) {
        const char *name = fn(code);
        g_autofree char *unknown = g_strdup_printf("unknown (0x%02x)", code);

        g_assert_nonnull(name);
        g_assert_false(g_hash_table_contains(seen, name));
        g_hash_table_add(seen, (gpointer)name);
        if (strcmp(name, unknown)) {
            known++;
        }
    }
    g_assert_cmpuint(known, ==, n);
}

static void test_names(void)
{
    check_names(smmu_cmd_name, cmd_names, G_N_ELEMENTS(cmd_names));
    check_names(smmu_event_type_name, event_names,
                G_N_ELEMENTS(event_names));
    g_assert_cmpstr(smmu_cmd_name(0x7f), ==, "unknown (0x7f)");
    g_assert_cmpstr(smmu_event_type_name(0x7f), ==, "unknown (0x7f)");
    g_assert_cmpstr(smmu_event_type_name(0xff), ==, "unknown (0xff)");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3-common/event/build", test_event_build);
    g_test_add_func("/smmuv3-common/event/fields", test_event_fields);
    g_test_add_func("/smmuv3-common/event/parse", test_event_parse);
    g_test_add_func("/smmuv3-common/event/le", test_event_le);
    g_test_add_func("/smmuv3-common/event/helpers", test_event_helpers);
    g_test_add_func("/smmuv3-common/cmd/sync", test_cmd_sync);
    g_test_add_func("/smmuv3-common/cmd/cfgi", test_cmd_cfgi);
    g_test_add_func("/smmuv3-common/cmd/tlbi", test_cmd_tlbi);
    g_test_add_func("/smmuv3-common/ste", test_ste);
    g_test_add_func("/smmuv3-common/cd", test_cd);
    g_test_add_func("/smmuv3-common/queue", test_queue);
    g_test_add_func("/smmuv3-common/names", test_names);
    return g_test_run();
}
