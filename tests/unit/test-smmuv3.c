/*
 * Tests for the Arm SMMUv3 model ("arm-smmuv3").
 *
 * The device runs in-process: an AddressSpace with RAM at 0x40000000, the
 * SMMU mapped at 0x09050000, a "pcie.0" PCI bus in the object registry
 * and the four interrupt lines connected to counters.  Register, command
 * and event-queue tests drive it through a QOSBus, like the guest-driver
 * model in tests/qtest/libqos does, so they can later run unchanged over
 * qtest against vsmmu-daemon; the event-queue writer, STE/CD fetch and
 * hooks are called directly, as the accel mode will call them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/arm/smmuv3.h"
#include "smmuv3-internal.h"
#include "libqos/qos-bus.h"
#include "qos-memory.h"
#include "libqos/smmuv3-driver.h"

#define MMIO_BASE   0x09050000ULL
#define RAM_BASE    0x40000000ULL
#define RAM_SIZE    (32 * 1024 * 1024ULL)
#define OUTSIDE_RAM 0x80000000ULL
#define P1          SMMU_PAGE1_OFFSET

typedef struct TestSMMU {
    AddressSpace *as;
    DeviceState *dev;
    SMMUv3State *s;
    PCIBus bus;
    QOSBus qos;
    int irqs[SMMU_NUM_IRQ];     /* rising edges, atomically counted */
    uint64_t alloc;             /* bump allocator for raw tests */
} TestSMMU;

static void t_irq(void *opaque, int n, int level)
{
    TestSMMU *t = opaque;

    if (level) {
        g_atomic_int_inc(&t->irqs[n]);
    }
}

static int irqs(TestSMMU *t, int n)
{
    return g_atomic_int_get(&t->irqs[n]);
}

/* ---- Fixture --------------------------------------------------------------- */

/* PROPS: NULL-terminated name, value pairs. */
static DeviceState *tsmmu_create(TestSMMU *t, const char *const *props,
                                 Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_ARM_SMMUV3, &error_abort);

    for (; props && props[0]; props += 2) {
        if (!qdev_prop_parse(dev, props[0], props[1], errp)) {
            qdev_free(dev);
            return NULL;
        }
    }
    dev->as = t->as;
    if (!qdev_realize(dev, errp)) {
        qdev_free(dev);
        return NULL;
    }
    return dev;
}

static TestSMMU *tsmmu_new_props(const char *const *props)
{
    static const char *const dflt[] = { "primary-bus", "pcie.0", NULL };
    TestSMMU *t = g_new0(TestSMMU, 1);

    object_registry_clear();
    t->as = address_space_new("test");
    g_assert(address_space_add_ram(t->as, RAM_BASE, RAM_SIZE, &error_abort));
    t->bus.id = (char *)"pcie.0";
    t->bus.is_root = true;
    g_assert(object_registry_add("pcie.0", TYPE_PCI_BUS, &t->bus,
                                 &error_abort));
    t->dev = tsmmu_create(t, props ? props : dflt, &error_abort);
    t->s = (SMMUv3State *)t->dev;
    g_assert(qdev_mmio_map(t->dev, MMIO_BASE, &error_abort));
    for (int i = 0; i < SMMU_NUM_IRQ; i++) {
        qdev_connect_irq(t->dev, i, t_irq, t);
    }
    qos_memory_bus_init(&t->qos, t->as);
    t->alloc = RAM_BASE + RAM_SIZE / 2;
    return t;
}

static TestSMMU *tsmmu_new(void)
{
    return tsmmu_new_props(NULL);
}

static void tsmmu_free(TestSMMU *t)
{
    qdev_free(t->dev);
    g_assert_null(t->bus.iommu);
    address_space_free(t->as);
    object_registry_clear();
    g_free(t);
}

static uint32_t rd(TestSMMU *t, uint64_t off)
{
    return t->qos.readl(t->qos.opaque, MMIO_BASE + off);
}

static void wr(TestSMMU *t, uint64_t off, uint32_t val)
{
    t->qos.writel(t->qos.opaque, MMIO_BASE + off, val);
}

static uint64_t rdq(TestSMMU *t, uint64_t off)
{
    return t->qos.readq(t->qos.opaque, MMIO_BASE + off);
}

static void wrq(TestSMMU *t, uint64_t off, uint64_t val)
{
    t->qos.writeq(t->qos.opaque, MMIO_BASE + off, val);
}

static uint64_t talloc(TestSMMU *t, uint64_t size)
{
    uint64_t a = (t->alloc + size - 1) & ~(size - 1);

    t->alloc = a + size;
    g_assert(t->alloc <= RAM_BASE + RAM_SIZE);
    return a;
}

static uint32_t mem32(TestSMMU *t, uint64_t addr)
{
    uint32_t v;

    t->qos.memread(t->qos.opaque, addr, &v, 4);
    return GUINT32_FROM_LE(v);
}

static void put64(TestSMMU *t, uint64_t addr, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    t->qos.memwrite(t->qos.opaque, addr, &v, 8);
}

static uint32_t gerror_pending(TestSMMU *t)
{
    return rd(t, A_GERROR) ^ rd(t, A_GERRORN);
}

static void ack_gerror(TestSMMU *t)
{
    wr(t, A_GERRORN, rd(t, A_GERROR));
}

/* ---- ID registers and register access --------------------------------- */

static void test_idregs_default(void)
{
    TestSMMU *t = tsmmu_new();
    static const struct { uint32_t off, val; } regs[] = {
        { 0x00, 0x0d44101b }, { 0x04, 0x02730010 }, { 0x08, 0 },
        { 0x0c, 0x1414 }, { 0x10, 0 }, { 0x14, 0x74 }, { 0x18, 0 },
        { 0x1c, 0x1 }, { 0x44, 0x1000 },
        { 0xfd0, 0x04 }, { 0xfd4, 0 }, { 0xfd8, 0 }, { 0xfdc, 0 },
        { 0xfe0, 0x84 }, { 0xfe4, 0xb4 }, { 0xfe8, 0xf0 }, { 0xfec, 0x10 },
        { 0xff0, 0x0d }, { 0xff4, 0xf0 }, { 0xff8, 0x05 }, { 0xffc, 0xb1 },
        /* Reset values of the rest of the interface. */
        { 0x20, 0 }, { 0x24, 0 }, { 0x28, 0 }, { 0x2c, 0 }, { 0x40, 0 },
        { 0x50, 0 }, { 0x54, 0 }, { 0x60, 0 }, { 0x64, 0 },
        { 0x90, 0x13 }, { 0x94, 0 }, { 0xa0, 0x13 }, { 0xa4, 0 },
        { 0x98, 0 }, { 0x9c, 0 }, { 0x100a8, 0 }, { 0x100ac, 0 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
        g_test_message("offset 0x%x", regs[i].off);
        g_assert_cmphex(rd(t, regs[i].off), ==, regs[i].val);
    }
    tsmmu_free(t);
}

static void check_idr(const char *const *props, uint32_t idr0, uint32_t idr1,
                      uint32_t idr3, uint32_t idr5)
{
    TestSMMU *t = tsmmu_new_props(props);

    g_assert_cmphex(rd(t, A_IDR0), ==, idr0);
    g_assert_cmphex(rd(t, A_IDR1), ==, idr1);
    g_assert_cmphex(rd(t, A_IDR3), ==, idr3);
    g_assert_cmphex(rd(t, A_IDR5), ==, idr5);
    tsmmu_free(t);
}

static void test_idregs_props(void)
{
    check_idr((const char *const[]) { "primary-bus", "pcie.0",
                                      "stage", "1", NULL },
              0x0d44101a, 0x02730010, 0x1404, 0x74);
    check_idr((const char *const[]) { "primary-bus", "pcie.0",
                                      "stage", "2", NULL },
              0x0d441019, 0x02730010, 0x1414, 0x74);
    check_idr((const char *const[]) { "primary-bus", "pcie.0",
                                      "stage", "nested", "ats", "off",
                                      "ril", "on", "ssidsize", "0",
                                      "oas", "44", NULL },
              0x0d44101b, 0x02730010, 0x1414, 0x74);
    /* accel=on: stage 1 only, and the explicit values show in the IDRs. */
    check_idr((const char *const[]) { "primary-bus", "pcie.0",
                                      "accel", "on", "ats", "on",
                                      "ril", "off", "ssidsize", "20",
                                      "oas", "48", NULL },
              0x0d4c141a, 0x02730510, 0x1004, 0x75);
    /*
     * SubstreamIDs with accel=off too, and with them 2-level CD tables
     * (IDR0.CD2L): the model translates both.
     */
    check_idr((const char *const[]) { "primary-bus", "pcie.0",
                                      "ssidsize", "8", NULL },
              0x0d4c101b, 0x02730210, 0x1414, 0x74);
}

static void test_access_sizes(void)
{
    TestSMMU *t = tsmmu_new();
    uint64_t v;

    /* A 64-bit register as 64 bits and as two halves. */
    wrq(t, A_STRTAB_BASE, 0x0000123456789ac0ULL);
    g_assert_cmphex(rdq(t, A_STRTAB_BASE), ==, 0x0000123456789ac0ULL);
    g_assert_cmphex(rd(t, A_STRTAB_BASE), ==, 0x56789ac0);
    g_assert_cmphex(rd(t, A_STRTAB_BASE + 4), ==, 0x1234);
    wr(t, A_STRTAB_BASE + 4, 0x4000abcd);      /* RA (bit 62) and ADDR */
    wr(t, A_STRTAB_BASE, 0x11111111);          /* low bits 5:0 are RES0 */
    g_assert_cmphex(rdq(t, A_STRTAB_BASE), ==, 0x4000abcd11111100ULL);
    wrq(t, A_EVENTQ_IRQ_CFG0, 0xffffffffffffffffULL);
    g_assert_cmphex(rdq(t, A_EVENTQ_IRQ_CFG0), ==, 0x000ffffffffffffcULL);
    wrq(t, A_GERROR_IRQ_CFG0, 0x1237);
    g_assert_cmphex(rdq(t, A_GERROR_IRQ_CFG0), ==, 0x1234);

    /* 32-bit registers refuse 64-bit accesses; 8/16-bit are refused. */
    g_assert_cmpint(address_space_cpu_read(t->as, MMIO_BASE + A_IDR0, &v, 8),
                    !=, MEMTX_OK);
    g_assert_cmpint(address_space_cpu_write(t->as, MMIO_BASE + A_CR0, 4, 8),
                    !=, MEMTX_OK);
    g_assert_cmphex(rd(t, A_CR0), ==, 0);
    g_assert_cmpint(address_space_cpu_read(t->as, MMIO_BASE + A_IDR0, &v, 1),
                    !=, MEMTX_OK);
    g_assert_cmpint(address_space_cpu_read(t->as, MMIO_BASE + A_IDR0, &v, 2),
                    !=, MEMTX_OK);
    g_assert_cmpint(address_space_cpu_write(t->as, MMIO_BASE + A_GBPA, 0, 2),
                    !=, MEMTX_OK);
    g_assert_cmpint(address_space_cpu_read(t->as, MMIO_BASE + 2, &v, 4),
                    !=, MEMTX_OK);

    /* Page 1 aliases the queue PROD/CONS registers and nothing else. */
    wr(t, P1 + A_EVENTQ_CONS, 0x5);
    g_assert_cmphex(rd(t, A_EVENTQ_CONS), ==, 0x5);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_CONS), ==, 0x5);
    wr(t, P1 + A_EVENTQ_PROD, 0x3);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 0x3);
    g_assert_cmphex(rd(t, P1 + A_IDR0), ==, 0);
    wr(t, P1 + A_CR0, 1);
    g_assert_cmphex(rd(t, A_CR0), ==, 0);

    /* Unimplemented offsets read as zero and ignore writes. */
    wr(t, 0x300, 0xffffffff);
    g_assert_cmphex(rd(t, 0x300), ==, 0);
    /* Read-only registers ignore writes. */
    wr(t, A_IDR0, 0);
    g_assert_cmphex(rd(t, A_IDR0), ==, 0x0d44101b);
    wr(t, A_GERROR, 0xff);
    g_assert_cmphex(rd(t, A_GERROR), ==, 0);
    tsmmu_free(t);
}

static void test_cr0_gbpa_irqctrl(void)
{
    TestSMMU *t = tsmmu_new();

    wr(t, A_CR0, 0xffffffff);
    g_assert_cmphex(rd(t, A_CR0), ==, 0x1d);    /* SMMUEN|EVENTQEN|CMDQEN|ATSCHK */
    g_assert_cmphex(rd(t, A_CR0ACK), ==, 0x1d);
    /* Registers owned by enabled units ignore writes. */
    wrq(t, A_CMDQ_BASE, RAM_BASE | 4);
    g_assert_cmphex(rdq(t, A_CMDQ_BASE), ==, 0x13);
    wr(t, A_CR0, 0);
    g_assert_cmphex(rd(t, A_CR0ACK), ==, 0);

    /* GBPA: fields change only with UPDATE, which completes at once. */
    wr(t, A_GBPA, R_GBPA_ABORT_MASK);
    g_assert_cmphex(rd(t, A_GBPA), ==, 0x1000);
    wr(t, A_GBPA, R_GBPA_ABORT_MASK | R_GBPA_UPDATE_MASK);
    g_assert_cmphex(rd(t, A_GBPA), ==, R_GBPA_ABORT_MASK);

    wr(t, A_IRQ_CTRL, 0xff);
    g_assert_cmphex(rd(t, A_IRQ_CTRL), ==, 0x5);
    g_assert_cmphex(rd(t, A_IRQ_CTRL_ACK), ==, 0x5);

    wr(t, A_CR1, 0x0d75);
    wr(t, A_CR2, 0xff);
    g_assert_cmphex(rd(t, A_CR1), ==, 0x0d75);
    g_assert_cmphex(rd(t, A_CR2), ==, 0x7);
    tsmmu_free(t);
}

/* ---- Command queue -------------------------------------------------------- */

typedef struct CmdQ {
    uint64_t base;
    unsigned log2;
    uint32_t prod;
} CmdQ;

static CmdQ cmdq_setup(TestSMMU *t, unsigned log2)
{
    CmdQ q = { .base = talloc(t, MAX(32, 16ULL << log2)), .log2 = log2 };

    wrq(t, A_CMDQ_BASE, q.base | log2);
    wr(t, A_CMDQ_PROD, 0);
    wr(t, A_CMDQ_CONS, 0);
    wr(t, A_CR0, rd(t, A_CR0) | R_CR0_CMDQEN_MASK);
    return q;
}

/* Put a command in the queue; publish PROD if asked. */
static void cmdq_put(TestSMMU *t, CmdQ *q, uint64_t w0, uint64_t w1,
                     bool publish)
{
    uint64_t a = q->base + smmu_q_index(q->prod, q->log2) * 16ULL;

    put64(t, a, w0);
    put64(t, a + 8, w1);
    q->prod = smmu_q_incr(q->prod, q->log2);
    if (publish) {
        wr(t, A_CMDQ_PROD, q->prod);
    }
}

static void test_cmdq_sync(void)
{
    TestSMMU *t = tsmmu_new();
    CmdQ q = cmdq_setup(t, 3);
    uint64_t msi = talloc(t, 64);
    SMMUCmdqStats st;

    /* CS=IRQ without MSIAddr: the wired cmdq-sync line. */
    cmdq_put(t, &q, FIELD_DP64(SMMU_CMD_SYNC, CMD_0, SYNC_CS,
                               SMMU_SYNC_CS_IRQ), 0, true);
    g_assert_cmphex(rd(t, A_CMDQ_CONS), ==, q.prod);
    g_assert_cmpint(irqs(t, SMMU_IRQ_CMD_SYNC), ==, 1);

    /* CS=IRQ with MSIAddr: MSIData written there, no wired interrupt. */
    cmdq_put(t, &q, FIELD_DP64(FIELD_DP64(SMMU_CMD_SYNC, CMD_0, SYNC_CS,
                                          SMMU_SYNC_CS_IRQ),
                               CMD_0, SYNC_MSIDATA, 0xcafe0001),
             msi, true);
    g_assert_cmphex(mem32(t, msi), ==, 0xcafe0001);
    g_assert_cmpint(irqs(t, SMMU_IRQ_CMD_SYNC), ==, 1);

    /* CS=NONE and CS=SEV: completion is CONS passing the command. */
    cmdq_put(t, &q, SMMU_CMD_SYNC, 0, false);
    cmdq_put(t, &q, FIELD_DP64(SMMU_CMD_SYNC, CMD_0, SYNC_CS,
                               SMMU_SYNC_CS_SEV), 0, true);
    g_assert_cmphex(rd(t, A_CMDQ_CONS), ==, q.prod);
    g_assert_cmpint(irqs(t, SMMU_IRQ_CMD_SYNC), ==, 1);

    /* An MSI outside RAM: GERROR.MSI_CMDQ_ABT_ERR. */
    cmdq_put(t, &q, FIELD_DP64(SMMU_CMD_SYNC, CMD_0, SYNC_CS,
                               SMMU_SYNC_CS_IRQ), OUTSIDE_RAM, true);
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_MSI_CMDQ_ABT_ERR_MASK);
    g_assert_cmphex(rd(t, A_CMDQ_CONS), ==, q.prod);

    smmuv3_get_cmdq_stats(t->s, &st);
    g_assert_cmpuint(st.sync, ==, 5);
    g_assert_cmpuint(st.executed, ==, 5);
    g_assert_cmpuint(st.errors, ==, 0);
    tsmmu_free(t);
}

typedef struct HookLog {
    int ste, cd, inval, sync;
    uint32_t sid, ssid;
    uint64_t num;
    bool all;
    unsigned type;
    SMMUCmdError fail_inval;
} HookLog;

static SMMUCmdError hook_ste(SMMUv3State *s, uint32_t sid, uint64_t num,
                             void *opaque)
{
    HookLog *l = opaque;

    l->ste++;
    l->sid = sid;
    l->num = num;
    return SMMU_CERROR_NONE;
}

static SMMUCmdError hook_cd(SMMUv3State *s, uint32_t sid, uint32_t ssid,
                            bool all, void *opaque)
{
    HookLog *l = opaque;

    l->cd++;
    l->sid = sid;
    l->ssid = ssid;
    l->all = all;
    return SMMU_CERROR_NONE;
}

static SMMUCmdError hook_inval(SMMUv3State *s, unsigned type,
                               const SMMUCmd *cmd, void *opaque)
{
    HookLog *l = opaque;

    l->inval++;
    l->type = type;
    return l->fail_inval;
}

static SMMUCmdError hook_sync(SMMUv3State *s, void *opaque)
{
    ((HookLog *)opaque)->sync++;
    return SMMU_CERROR_NONE;
}

static const SMMUv3AccelOps test_ops = {
    .cfgi_ste = hook_ste,
    .cfgi_cd = hook_cd,
    .invalidate = hook_inval,
    .sync = hook_sync,
};

static void test_cmdq_commands(void)
{
    TestSMMU *t = tsmmu_new();
    CmdQ q = cmdq_setup(t, 4);
    HookLog log = { 0 };
    SMMUCmdqStats st;
    static const unsigned tlbi[] = {
        SMMU_CMD_TLBI_NH_ALL, SMMU_CMD_TLBI_NH_ASID, SMMU_CMD_TLBI_NH_VA,
        SMMU_CMD_TLBI_NH_VAA, SMMU_CMD_TLBI_S12_VMALL, SMMU_CMD_TLBI_S2_IPA,
        SMMU_CMD_TLBI_NSNH_ALL,
    };

    smmuv3_set_accel_ops(t->s, &test_ops, &log);

    cmdq_put(t, &q, FIELD_DP64(SMMU_CMD_CFGI_STE, CMD_0, SID, 0x1234), 1,
             true);
    g_assert_cmpint(log.ste, ==, 1);
    g_assert_cmphex(log.sid, ==, 0x1234);
    g_assert_cmpuint(log.num, ==, 1);

    /* Range 3: 16 StreamIDs, aligned down. */
    cmdq_put(t, &q, FIELD_DP64(SMMU_CMD_CFGI_STE_RANGE, CMD_0, SID, 0x1234),
             3, true);
    g_assert_cmphex(log.sid, ==, 0x1230);
    g_assert_cmpuint(log.num, ==, 16);
    /* CFGI_ALL. */
    cmdq_put(t, &q, SMMU_CMD_CFGI_STE_RANGE, SMMU_CFGI_RANGE_ALL, true);
    g_assert_cmphex(log.sid, ==, 0);
    g_assert_cmpuint(log.num, ==, 1ULL << 32);

    cmdq_put(t, &q, FIELD_DP64(FIELD_DP64(SMMU_CMD_CFGI_CD, CMD_0, SID, 7),
                               CMD_0, SSID, 0x55), 0, true);
    g_assert_cmpint(log.cd, ==, 1);
    g_assert_cmphex(log.ssid, ==, 0x55);
    g_assert_false(log.all);
    cmdq_put(t, &q, FIELD_DP64(SMMU_CMD_CFGI_CD_ALL, CMD_0, SID, 9), 0, true);
    g_assert_cmpint(log.cd, ==, 2);
    g_assert_cmphex(log.sid, ==, 9);
    g_assert_true(log.all);

    for (size_t i = 0; i < G_N_ELEMENTS(tlbi); i++) {
        cmdq_put(t, &q, tlbi[i], 0, true);
        g_assert_cmpuint(log.type, ==, tlbi[i]);
    }
    g_assert_cmpint(log.inval, ==, G_N_ELEMENTS(tlbi));
    cmdq_put(t, &q, SMMU_CMD_PREFETCH_CONFIG, 0, false);
    cmdq_put(t, &q, SMMU_CMD_PREFETCH_ADDR, 0, false);
    cmdq_put(t, &q, SMMU_CMD_SYNC, 0, true);
    g_assert_cmpint(log.sync, ==, 1);
    g_assert_cmphex(rd(t, A_CMDQ_CONS), ==, q.prod);
    g_assert_cmphex(gerror_pending(t), ==, 0);

    smmuv3_get_cmdq_stats(t->s, &st);
    g_assert_cmpuint(st.cfgi, ==, 5);
    g_assert_cmpuint(st.tlbi, ==, G_N_ELEMENTS(tlbi));
    g_assert_cmpuint(st.prefetch, ==, 2);
    g_assert_cmpuint(st.executed, ==, 5 + G_N_ELEMENTS(tlbi) + 3);

    /* A hook failing a command stops the queue like any command error. */
    log.fail_inval = SMMU_CERROR_ATC_INV_SYNC;
    cmdq_put(t, &q, SMMU_CMD_TLBI_NH_ALL, 0, true);
    g_assert_cmphex(FIELD_EX32(rd(t, A_CMDQ_CONS), CMDQ_CONS, ERR), ==,
                    SMMU_CERROR_ATC_INV_SYNC);
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_CMDQ_ERR_MASK);
    smmuv3_set_accel_ops(t->s, NULL, NULL);
    tsmmu_free(t);
}

static void check_illegal(uint64_t w0, uint64_t w1, const char *what)
{
    TestSMMU *t = tsmmu_new_props((const char *const[]) {
        "primary-bus", "pcie.0", "stage", "1", NULL });
    CmdQ q = cmdq_setup(t, 3);
    uint32_t bad;

    g_test_message("%s", what);
    wr(t, A_IRQ_CTRL, R_IRQ_CTRL_GERROR_IRQEN_MASK);
    cmdq_put(t, &q, SMMU_CMD_TLBI_NH_ALL, 0, false);
    bad = q.prod;
    cmdq_put(t, &q, w0, w1, false);
    cmdq_put(t, &q, SMMU_CMD_SYNC, 0, true);

    /* CONS stops at the bad command, with ERR = CERROR_ILL. */
    g_assert_cmphex(rd(t, A_CMDQ_CONS), ==,
                    FIELD_DP32(bad, CMDQ_CONS, ERR, SMMU_CERROR_ILL));
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_CMDQ_ERR_MASK);
    g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 1);

    /* Stopped: more commands are not consumed. */
    wr(t, A_CMDQ_PROD, q.prod);
    g_assert_cmphex(smmu_q_index(rd(t, A_CMDQ_CONS), 3), ==,
                    smmu_q_index(bad, 3));

    /* Linux replaces the command with CMD_SYNC, then acknowledges. */
    put64(t, q.base + smmu_q_index(bad, 3) * 16, SMMU_CMD_SYNC);
    put64(t, q.base + smmu_q_index(bad, 3) * 16 + 8, 0);
    ack_gerror(t);
    g_assert_cmphex(gerror_pending(t), ==, 0);
    g_assert_cmphex(smmu_q_index(rd(t, A_CMDQ_CONS), 3) |
                    (rd(t, A_CMDQ_CONS) & (1 << 3)), ==, q.prod);
    tsmmu_free(t);
}

static void test_cmdq_illegal(void)
{
    check_illegal(0xff, 0, "unknown opcode");
    check_illegal(0x00, 0, "opcode 0");
    check_illegal(SMMU_CMD_TLBI_EL2_ALL, 0, "EL2 without IDR0.HYP");
    check_illegal(SMMU_CMD_TLBI_EL3_ALL, 0, "EL3 on the NS interface");
    check_illegal(SMMU_CMD_TLBI_S12_VMALL, 0, "stage 2 TLBI with stage=1");
    check_illegal(SMMU_CMD_ATC_INV, 0, "ATC_INV without ATS");
    check_illegal(SMMU_CMD_PRI_RESP, 0, "PRI_RESP without PRI");
    check_illegal(SMMU_CMD_RESUME, 0, "RESUME without stalls");
    check_illegal(SMMU_CMD_STALL_TERM, 0, "STALL_TERM without stalls");
    check_illegal(FIELD_DP64(SMMU_CMD_CFGI_STE, CMD_0, SSEC, 1), 0,
                  "secure stream");
    check_illegal(FIELD_DP64(SMMU_CMD_SYNC, CMD_0, SYNC_CS, 3), 0,
                  "reserved CMD_SYNC.CS");
}

static void test_cmdq_abort_and_wrap(void)
{
    TestSMMU *t = tsmmu_new();
    CmdQ q;
    SMMUCmdqStats st;

    /* The command queue outside guest RAM: CERROR_ABT. */
    wrq(t, A_CMDQ_BASE, OUTSIDE_RAM | 4);
    wr(t, A_CR0, R_CR0_CMDQEN_MASK);
    wr(t, A_CMDQ_PROD, 1);
    g_assert_cmphex(rd(t, A_CMDQ_CONS), ==,
                    FIELD_DP32(0, CMDQ_CONS, ERR, SMMU_CERROR_ABT));
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_CMDQ_ERR_MASK);
    /* No GERROR_IRQEN: no interrupt. */
    g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 0);
    wr(t, A_CR0, 0);
    ack_gerror(t);

    /* A base at the end of RAM: in-RAM entries work, the next aborts. */
    wrq(t, A_CMDQ_BASE, (RAM_BASE + RAM_SIZE - 32) | 3);
    wr(t, A_CMDQ_PROD, 0);
    wr(t, A_CMDQ_CONS, 0);
    put64(t, RAM_BASE + RAM_SIZE - 32, SMMU_CMD_SYNC);
    put64(t, RAM_BASE + RAM_SIZE - 16, SMMU_CMD_SYNC);
    wr(t, A_CR0, R_CR0_CMDQEN_MASK);
    wr(t, A_CMDQ_PROD, 3);
    g_assert_cmphex(rd(t, A_CMDQ_CONS), ==,
                    FIELD_DP32(2, CMDQ_CONS, ERR, SMMU_CERROR_ABT));
    wr(t, A_CR0, 0);
    ack_gerror(t);

    /* Wrap a 4-entry queue several times. */
    q = cmdq_setup(t, 2);
    for (int i = 0; i < 11; i++) {
        cmdq_put(t, &q, SMMU_CMD_SYNC, 0, true);
        g_assert_cmphex(rd(t, A_CMDQ_CONS), ==, q.prod);
    }
    g_assert_cmphex(q.prod, ==, (11 & 3) | ((11 >> 2) & 1) << 2);
    smmuv3_get_cmdq_stats(t->s, &st);
    g_assert_cmpuint(st.errors, ==, 2);

    /* A hostile LOG2SIZE is capped at IDR1.CMDQS (19). */
    wr(t, A_CR0, 0);
    wrq(t, A_CMDQ_BASE, q.base | 31);
    g_assert_cmphex(rdq(t, A_CMDQ_BASE), ==, q.base | 31);
    g_assert_cmpuint(t->s->cmdq.log2size, ==, 19);
    wr(t, A_CMDQ_PROD, 0xffffffff);
    g_assert_cmphex(rd(t, A_CMDQ_PROD), ==, 0xfffff);
    tsmmu_free(t);
}

/* ---- GERROR ---------------------------------------------------------------- */

typedef struct ItsDoorbell {
    unsigned n;
    hwaddr addr;
    uint32_t data, devid;
} ItsDoorbell;

static bool its_send(void *opaque, hwaddr addr, uint32_t data, uint32_t devid)
{
    ItsDoorbell *d = opaque;

    d->n++;
    d->addr = addr;
    d->data = data;
    d->devid = devid;
    return true;
}

static const MSIDoorbellOps its_ops = { .send = its_send };

/*
 * With an interrupt controller's doorbell in the address space (the
 * in-kernel ITS of a KVM guest), the SMMU's MSIs go there, each with the
 * device id the board gave the SMMU (its msi-parent specifier).
 */
static void test_msi_doorbell(void)
{
    TestSMMU *t = tsmmu_new();
    hwaddr bell = OUTSIDE_RAM + 0x10040;
    ItsDoorbell d = { 0 };
    SMMUEvent e;

    t->s->parent_obj.msi_devid = 0x804a;
    g_assert_true(address_space_set_msi_doorbell(t->as, bell, 4, &its_ops,
                                                 &d, &error_abort));
    smmu_event_init(&e, SMMU_EVT_F_TRANSLATION, 1);
    wrq(t, A_EVENTQ_BASE, OUTSIDE_RAM | 2);
    wrq(t, A_GERROR_IRQ_CFG0, bell);
    wr(t, A_GERROR_IRQ_CFG1, 0x2001);
    wr(t, A_IRQ_CTRL, R_IRQ_CTRL_GERROR_IRQEN_MASK);
    wr(t, A_CR0, R_CR0_EVENTQEN_MASK);
    smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    g_assert_cmpuint(d.n, ==, 1);
    g_assert_cmphex(d.addr, ==, bell);
    g_assert_cmphex(d.data, ==, 0x2001);
    g_assert_cmphex(d.devid, ==, 0x804a);
    /* Delivered: no MSI abort on top of the queue's own. */
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_EVENTQ_ABT_ERR_MASK);
    g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 0);
    address_space_clear_msi_doorbell(t->as);
    tsmmu_free(t);
}

static void test_gerror(void)
{
    TestSMMU *t = tsmmu_new();
    uint64_t msi = talloc(t, 64);
    SMMUEvent e;

    smmu_event_init(&e, SMMU_EVT_F_TRANSLATION, 1);
    /* EVENTQ_ABT_ERR from a queue outside RAM, wired line. */
    wrq(t, A_EVENTQ_BASE, OUTSIDE_RAM | 2);
    wr(t, A_IRQ_CTRL, R_IRQ_CTRL_GERROR_IRQEN_MASK);
    wr(t, A_CR0, R_CR0_EVENTQEN_MASK);
    smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_EVENTQ_ABT_ERR_MASK);
    g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 1);
    /* Still pending: not raised again. */
    smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    g_assert_cmphex(rd(t, A_GERROR), ==, R_GERROR_EVENTQ_ABT_ERR_MASK);
    g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 1);
    /* Acknowledged, then raised again: GERROR toggles back. */
    ack_gerror(t);
    g_assert_cmphex(gerror_pending(t), ==, 0);
    smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    g_assert_cmphex(rd(t, A_GERROR), ==, 0);
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_EVENTQ_ABT_ERR_MASK);
    g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 2);
    ack_gerror(t);

    /* Toggling a bit that is not pending changes nothing pending. */
    wr(t, A_GERRORN, rd(t, A_GERRORN) ^ R_GERROR_CMDQ_ERR_MASK);
    ack_gerror(t);

    /* MSI: data to the GERROR_IRQ_CFG0 address, no wired interrupt. */
    wrq(t, A_GERROR_IRQ_CFG0, msi);
    wr(t, A_GERROR_IRQ_CFG1, 0x6e770001);
    smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    g_assert_cmphex(mem32(t, msi), ==, 0x6e770001);
    g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 2);
    ack_gerror(t);

    /* GERROR MSI outside RAM: MSI_GERROR_ABT_ERR recorded too. */
    wrq(t, A_GERROR_IRQ_CFG0, OUTSIDE_RAM);
    smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    g_assert_cmphex(gerror_pending(t), ==,
                    R_GERROR_EVENTQ_ABT_ERR_MASK |
                    R_GERROR_MSI_GERROR_ABT_ERR_MASK);
    ack_gerror(t);

    /* Without GERROR_IRQEN: recorded, not signalled. */
    wr(t, A_IRQ_CTRL, 0);
    wrq(t, A_GERROR_IRQ_CFG0, 0);
    smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_EVENTQ_ABT_ERR_MASK);
    g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 2);
    tsmmu_free(t);
}

/* ---- Event queue ---------------------------------------------------------- */

static uint64_t evtq_setup(TestSMMU *t, unsigned log2, bool irq)
{
    uint64_t base = talloc(t, 32ULL << log2);

    wrq(t, A_EVENTQ_BASE, base | log2);
    wr(t, P1 + A_EVENTQ_PROD, 0);
    wr(t, P1 + A_EVENTQ_CONS, 0);
    wr(t, A_CR0, rd(t, A_CR0) | R_CR0_EVENTQEN_MASK);
    if (irq) {
        wr(t, A_IRQ_CTRL, R_IRQ_CTRL_EVENTQ_IRQEN_MASK |
                          R_IRQ_CTRL_GERROR_IRQEN_MASK);
    }
    return base;
}

static SMMUEvent mkevt(unsigned type, uint32_t sid, uint32_t tag)
{
    SMMUEvent e;

    smmu_event_init(&e, type, sid);
    e.word[2] = tag;
    smmu_event_set_addr(&e, SMMU_EVT_ADDR_WORD, 0x1122334455667788ULL);
    return e;
}

static void check_entry(TestSMMU *t, uint64_t base, unsigned idx,
                        const SMMUEvent *e)
{
    uint8_t raw[32];

    t->qos.memread(t->qos.opaque, base + idx * 32ULL, raw, 32);
    for (int w = 0; w < 8; w++) {
        uint32_t v = raw[w * 4] | raw[w * 4 + 1] << 8 |
                     raw[w * 4 + 2] << 16 | (uint32_t)raw[w * 4 + 3] << 24;

        g_assert_cmphex(v, ==, e->word[w]);
    }
}

static void test_eventq_batch_wrap(void)
{
    TestSMMU *t = tsmmu_new();
    uint64_t base = evtq_setup(t, 2, true);     /* 4 entries */
    SMMUEvent e[4];
    SMMUEventqWriteResult r;
    SMMUEventqStats st;

    for (int i = 0; i < 4; i++) {
        e[i] = mkevt(SMMU_EVT_F_TRANSLATION, 0x100 + i, i);
    }
    /* One batch of three: entries in order, PROD 3, one interrupt. */
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, e, 3, &r), ==, 3);
    g_assert_true(r.notified);
    g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 1);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 3);
    for (int i = 0; i < 3; i++) {
        check_entry(t, base, i, &e[i]);
    }
    /* Little-endian in memory: the type is byte 0. */
    g_assert_cmphex(mem32(t, base) & 0xff, ==, SMMU_EVT_F_TRANSLATION);
    g_assert_cmphex(mem32(t, base + 4), ==, 0x100);

    /* Guest consumes two; a batch of three wraps. */
    wr(t, P1 + A_EVENTQ_CONS, 2);
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, e, 3, &r), ==, 3);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 0x4 | 2);  /* wrap, 2 */
    check_entry(t, base, 3, &e[0]);
    check_entry(t, base, 0, &e[1]);
    check_entry(t, base, 1, &e[2]);
    g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 2);

    smmuv3_get_eventq_stats(t->s, &st);
    g_assert_cmpuint(st.written, ==, 6);
    g_assert_cmpuint(st.irqs, ==, 2);
    g_assert_cmpuint(st.overflow_dropped, ==, 0);
    tsmmu_free(t);
}

static void test_eventq_overflow(void)
{
    TestSMMU *t = tsmmu_new();
    uint64_t base = evtq_setup(t, 1, true);     /* 2 entries */
    SMMUEvent e[5];
    SMMUEventqWriteResult r;
    SMMUEventqStats st;

    for (int i = 0; i < 5; i++) {
        e[i] = mkevt(SMMU_EVT_C_BAD_STE, i, i);
    }
    /* Full after two: the rest are dropped and OVFLG toggles. */
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, e, 5, &r), ==, 2);
    g_assert_cmpuint(r.overflow_dropped, ==, 3);
    g_assert_true(r.overflow_signalled);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==,
                    R_EVENTQ_PROD_OVFLG_MASK | 0x2);
    check_entry(t, base, 0, &e[0]);
    check_entry(t, base, 1, &e[1]);
    /* Not the architected GERROR. */
    g_assert_cmphex(gerror_pending(t), ==, 0);

    /* Not acknowledged yet: a second overflow does not toggle again. */
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, e, 1, &r), ==, 0);
    g_assert_false(r.overflow_signalled);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==,
                    R_EVENTQ_PROD_OVFLG_MASK | 0x2);

    /* Consume one and acknowledge the overflow (OVACKFLG = OVFLG). */
    wr(t, P1 + A_EVENTQ_CONS, R_EVENTQ_CONS_OVACKFLG_MASK | 1);
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, e + 2, 1, &r), ==, 1);
    check_entry(t, base, 0, &e[2]);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==,
                    R_EVENTQ_PROD_OVFLG_MASK | 0x3);
    /* Full again: acknowledged, so OVFLG toggles back to 0. */
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, e + 3, 1, &r), ==, 0);
    g_assert_true(r.overflow_signalled);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 0x3);

    smmuv3_get_eventq_stats(t->s, &st);
    g_assert_cmpuint(st.written, ==, 3);
    g_assert_cmpuint(st.overflow_dropped, ==, 5);
    g_assert_cmpuint(st.overflow_signalled, ==, 2);
    tsmmu_free(t);
}

static void test_eventq_signal_overflow(void)
{
    TestSMMU *t = tsmmu_new();
    SMMUEventqStats st;

    /* Disabled queue: nothing to show. */
    g_assert_false(smmuv3_eventq_signal_overflow(t->s));
    evtq_setup(t, 3, true);
    /* Host loss with an empty guest queue: OVFLG and an interrupt. */
    g_assert_true(smmuv3_eventq_signal_overflow(t->s));
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, R_EVENTQ_PROD_OVFLG_MASK);
    g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 1);
    g_assert_false(smmuv3_eventq_signal_overflow(t->s));
    wr(t, P1 + A_EVENTQ_CONS, R_EVENTQ_CONS_OVACKFLG_MASK);
    g_assert_true(smmuv3_eventq_signal_overflow(t->s));
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 0);
    g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 2);
    smmuv3_get_eventq_stats(t->s, &st);
    g_assert_cmpuint(st.overflow_signalled, ==, 2);
    tsmmu_free(t);
}

static void test_eventq_msi_and_coalescing(void)
{
    TestSMMU *t = tsmmu_new();
    uint64_t msi = talloc(t, 64);
    SMMUEvent e = mkevt(SMMU_EVT_F_PERMISSION, 3, 0);
    SMMUEventqWriteResult r;

    evtq_setup(t, 4, false);
    /* No EVENTQ_IRQEN: written, not signalled. */
    smmuv3_eventq_write_batch(t->s, &e, 1, &r);
    g_assert_false(r.notified);
    g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 0);

    wr(t, A_IRQ_CTRL, R_IRQ_CTRL_EVENTQ_IRQEN_MASK);
    wrq(t, A_EVENTQ_IRQ_CFG0, msi);
    wr(t, A_EVENTQ_IRQ_CFG1, 0xe0e00001);
    smmuv3_eventq_write_batch(t->s, &e, 1, &r);
    g_assert_true(r.notified);
    g_assert_cmphex(mem32(t, msi), ==, 0xe0e00001);
    g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 0);

    /* Coalesced until the guest writes CONS. */
    t->qos.memwrite(t->qos.opaque, msi, "\0\0\0\0", 4);
    smmuv3_eventq_write_batch(t->s, &e, 1, &r);
    g_assert_false(r.notified);
    g_assert_cmphex(mem32(t, msi), ==, 0);
    /* CONS catches up with part of the queue: the suppressed batch is
     * signalled now. */
    wr(t, P1 + A_EVENTQ_CONS, 1);
    g_assert_cmphex(mem32(t, msi), ==, 0xe0e00001);
    /* CONS catches up entirely: nothing pending, no interrupt. */
    t->qos.memwrite(t->qos.opaque, msi, "\0\0\0\0", 4);
    wr(t, P1 + A_EVENTQ_CONS, 3);
    g_assert_cmphex(mem32(t, msi), ==, 0);
    smmuv3_eventq_write_batch(t->s, &e, 1, &r);
    g_assert_true(r.notified);
    g_assert_cmphex(mem32(t, msi), ==, 0xe0e00001);

    /* An MSI outside RAM: GERROR.MSI_EVENTQ_ABT_ERR (event still written). */
    wr(t, P1 + A_EVENTQ_CONS, 4);
    wrq(t, A_EVENTQ_IRQ_CFG0, OUTSIDE_RAM);
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, &e, 1, &r), ==, 1);
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_MSI_EVENTQ_ABT_ERR_MASK);
    ack_gerror(t);

    /* Wired line when CFG0 is 0. */
    wr(t, P1 + A_EVENTQ_CONS, 5);
    wrq(t, A_EVENTQ_IRQ_CFG0, 0);
    smmuv3_eventq_write_batch(t->s, &e, 1, &r);
    g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 1);
    tsmmu_free(t);
}

static void test_eventq_disabled_and_abort(void)
{
    TestSMMU *t = tsmmu_new();
    SMMUEvent e[3] = {
        mkevt(SMMU_EVT_F_UUT, 1, 0), mkevt(SMMU_EVT_F_UUT, 2, 0),
        mkevt(SMMU_EVT_F_UUT, 3, 0),
    };
    SMMUEventqWriteResult r;
    SMMUEventqStats st;
    uint64_t base;

    /* EVENTQEN = 0: counted, nothing written, no error. */
    base = talloc(t, 32 * 4);
    wrq(t, A_EVENTQ_BASE, base | 2);
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, e, 3, &r), ==, 0);
    g_assert_cmpuint(r.disabled_dropped, ==, 3);
    g_assert_cmphex(mem32(t, base), ==, 0);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 0);
    g_assert_cmphex(gerror_pending(t), ==, 0);

    /* A queue straddling the end of RAM: entry 1 is out, aborts. */
    base = RAM_BASE + RAM_SIZE - 32;
    wrq(t, A_EVENTQ_BASE, base | 2);
    wr(t, A_CR0, R_CR0_EVENTQEN_MASK);
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, e, 3, &r), ==, 1);
    g_assert_cmpuint(r.abort, ==, 2);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 1);
    g_assert_cmphex(gerror_pending(t), ==, R_GERROR_EVENTQ_ABT_ERR_MASK);

    /* EVENTQ_PROD is the SMMU's while the queue is enabled. */
    wr(t, P1 + A_EVENTQ_PROD, 0);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 1);

    /* A hostile LOG2SIZE is capped at IDR1.EVENTQS (19). */
    wr(t, A_CR0, 0);
    wrq(t, A_EVENTQ_BASE, RAM_BASE | 31);
    g_assert_cmpuint(t->s->eventq.log2size, ==, 19);
    wr(t, P1 + A_EVENTQ_CONS, 0xffffffff);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_CONS), ==, 0x800fffff);

    smmuv3_get_eventq_stats(t->s, &st);
    g_assert_cmpuint(st.disabled_dropped, ==, 3);
    g_assert_cmpuint(st.abort, ==, 2);
    g_assert_cmpuint(st.written, ==, 1);
    tsmmu_free(t);
}

typedef struct LockedWrite {
    TestSMMU *t;
    GMutex lock;
    GCond cond;
    bool done;
    SMMUEventqWriteResult r;
} LockedWrite;

static gpointer locked_write_fn(gpointer opaque)
{
    LockedWrite *lw = opaque;
    SMMUEvent e[2] = {
        mkevt(SMMU_EVT_F_TRANSLATION, 5, 1),
        mkevt(SMMU_EVT_F_TRANSLATION, 5, 2),
    };
    SMMUEventqWriteResult r;

    smmuv3_eventq_write_batch(lw->t->s, e, 2, &r);
    g_mutex_lock(&lw->lock);
    lw->r = r;
    lw->done = true;
    g_cond_signal(&lw->cond);
    g_mutex_unlock(&lw->lock);
    return NULL;
}

/*
 * The event-queue writer (an iothread) completes, PROD published and the
 * interrupt sent, while another thread holds the device lock, as the
 * main thread does for guest MMIO of other registers.  With the writer
 * under the device lock it would wait until the deadline (a hang guard,
 * not a timing: the write takes microseconds) and the test fails.
 */
static void test_eventq_device_lock_held(void)
{
    TestSMMU *t = tsmmu_new();
    LockedWrite lw = { .t = t };
    GThread *th;
    gint64 deadline;
    bool done = true;

    evtq_setup(t, 4, true);
    g_mutex_init(&lw.lock);
    g_cond_init(&lw.cond);

    g_mutex_lock(&t->s->mutex);
    th = g_thread_new("eventq-writer", locked_write_fn, &lw);
    deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
    g_mutex_lock(&lw.lock);
    while (!lw.done && done) {
        done = g_cond_wait_until(&lw.cond, &lw.lock, deadline);
    }
    done = lw.done;
    g_mutex_unlock(&lw.lock);
    g_mutex_unlock(&t->s->mutex);
    g_thread_join(th);

    g_assert_true(done);
    g_assert_cmpuint(lw.r.written, ==, 2);
    g_assert_true(lw.r.notified);
    g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 1);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 2);
    g_mutex_clear(&lw.lock);
    g_cond_clear(&lw.cond);
    tsmmu_free(t);
}

/* Several producer threads against one consuming guest. */
#define PRODUCERS 4
#define PER_PRODUCER 3000

typedef struct Producer {
    TestSMMU *t;
    GThread *thread;
    uint32_t id;
    size_t written;
    size_t dropped;
    int *done;
} Producer;

static gpointer producer_fn(gpointer opaque)
{
    Producer *p = opaque;
    uint32_t seq = 0;

    while (seq < PER_PRODUCER) {
        SMMUEvent batch[7];
        SMMUEventqWriteResult r;
        size_t n = MIN(1 + seq % 7, PER_PRODUCER - seq);

        for (size_t i = 0; i < n; i++) {
            batch[i] = mkevt(SMMU_EVT_F_TRANSLATION, p->id, seq + i);
        }
        smmuv3_eventq_write_batch(p->t->s, batch, n, &r);
        /* Records are written in order; the tail may be dropped. */
        g_assert_cmpuint(r.written + r.overflow_dropped, ==, n);
        p->written += r.written;
        p->dropped += r.overflow_dropped;
        seq += n;
    }
    g_atomic_int_inc(p->done);
    return NULL;
}

static void test_eventq_threads(void)
{
    TestSMMU *t = tsmmu_new();
    Producer p[PRODUCERS];
    int64_t last[PRODUCERS];
    size_t consumed = 0, written = 0, dropped = 0;
    int done = 0;
    QSMMUv3 d;
    SMMUEventqStats st;

    qsmmuv3_init(&d, &t->qos, MMIO_BASE, RAM_BASE, RAM_SIZE / 2);
    g_assert_true(qsmmuv3_bringup(&d, &(QSMMUv3Options) {
        .cmdq_log2size = 4, .evtq_log2size = 8, .sid_bits = 4 }));

    for (int i = 0; i < PRODUCERS; i++) {
        last[i] = -1;
        p[i] = (Producer) { .t = t, .id = i, .done = &done };
        p[i].thread = g_thread_new("producer", producer_fn, &p[i]);
    }
    for (;;) {
        QSMMUv3Event ev[64];
        bool finished = g_atomic_int_get(&done) == PRODUCERS;
        size_t n = qsmmuv3_evtq_consume(&d, ev, G_N_ELEMENTS(ev), NULL);

        for (size_t i = 0; i < n; i++) {
            g_assert_cmpuint(ev[i].sid, <, PRODUCERS);
            /* Per producer, sequence numbers only go up. */
            g_assert_cmpint((int64_t)ev[i].raw[2], >, last[ev[i].sid]);
            last[ev[i].sid] = ev[i].raw[2];
        }
        consumed += n;
        if (finished && n == 0) {
            break;
        }
        if (n == 0) {
            g_thread_yield();
        }
    }
    for (int i = 0; i < PRODUCERS; i++) {
        g_thread_join(p[i].thread);
        written += p[i].written;
        dropped += p[i].dropped;
    }
    g_assert_cmpuint(consumed, ==, written);
    g_assert_cmpuint(written, >, 0);
    g_assert_cmpuint(written + dropped, ==, PRODUCERS * PER_PRODUCER);
    smmuv3_get_eventq_stats(t->s, &st);
    g_assert_cmpuint(st.written, ==, written);
    g_assert_cmpuint(st.overflow_dropped, ==, dropped);
    g_test_message("written %zu dropped %zu overflows seen %" PRIu64,
                   written, dropped, d.overflows);
    tsmmu_free(t);
}

/* ---- Stream table and CDs --------------------------------------------------- */

static void put_ste(TestSMMU *t, uint64_t addr, uint64_t w0, uint64_t w2,
                    uint64_t w3)
{
    put64(t, addr, w0);
    put64(t, addr + 8, 0);
    put64(t, addr + 16, w2);
    put64(t, addr + 24, w3);
}

static uint64_t ste0(unsigned config)
{
    return FIELD_DP64(FIELD_DP64(0, STE_0, V, 1), STE_0, CONFIG, config);
}

static void expect_ste_event(TestSMMU *t, uint32_t sid, unsigned type)
{
    SMMUSte ste;
    SMMUEvent ev;

    g_test_message("sid 0x%x expects %s", sid, smmu_event_type_name(type));
    g_assert_false(smmuv3_get_ste(t->s, sid, &ste, &ev));
    g_assert_cmpstr(smmu_event_type_name(smmu_event_get_type(&ev)), ==,
                    smmu_event_type_name(type));
    g_assert_cmphex(smmu_event_get_sid(&ev), ==, sid);
}

static void test_ste_linear(void)
{
    TestSMMU *t = tsmmu_new_props((const char *const[]) {
        "primary-bus", "pcie.0", "stage", "1", NULL });
    uint64_t tab = talloc(t, 64 * 16);
    SMMUSte ste;
    SMMUEvent ev;

    wrq(t, A_STRTAB_BASE, tab);
    wr(t, A_STRTAB_BASE_CFG, 4);        /* linear, 16 STEs */
    put_ste(t, tab + 0 * 64, ste0(SMMU_STE_CONFIG_BYPASS), 0, 0);
    put_ste(t, tab + 1 * 64, ste0(SMMU_STE_CONFIG_ABORT), 0, 0);
    put_ste(t, tab + 2 * 64, ste0(SMMU_STE_CONFIG_S1) | (RAM_BASE + 0x1000),
            0, 0);
    put_ste(t, tab + 3 * 64, 0, 0, 0);                         /* V=0 */
    put_ste(t, tab + 4 * 64, ste0(2), 0, 0);                   /* reserved */
    put_ste(t, tab + 5 * 64, ste0(SMMU_STE_CONFIG_S2), 0, 0);  /* no S2 */
    put_ste(t, tab + 6 * 64, ste0(SMMU_STE_CONFIG_S1) |
            FIELD_DP64(0, STE_0, S1CDMAX, 1), 0, 0);           /* no SSIDs */
    put_ste(t, tab + 7 * 64, ste0(SMMU_STE_CONFIG_S1) | (1ULL << 50), 0, 0);

    g_assert_true(smmuv3_get_ste(t->s, 0, &ste, &ev));
    g_assert_cmpuint(FIELD_EX64(ste.word[0], STE_0, CONFIG), ==,
                     SMMU_STE_CONFIG_BYPASS);
    g_assert_true(smmuv3_get_ste(t->s, 1, &ste, &ev));
    g_assert_true(smmuv3_get_ste(t->s, 2, &ste, &ev));
    expect_ste_event(t, 3, SMMU_EVT_C_BAD_STE);
    expect_ste_event(t, 4, SMMU_EVT_C_BAD_STE);
    expect_ste_event(t, 5, SMMU_EVT_C_BAD_STE);
    expect_ste_event(t, 6, SMMU_EVT_C_BAD_STE);
    expect_ste_event(t, 7, SMMU_EVT_C_BAD_STE);
    expect_ste_event(t, 16, SMMU_EVT_C_BAD_STREAMID);
    expect_ste_event(t, 0xffffffff, SMMU_EVT_C_BAD_STREAMID);

    /* LOG2SIZE beyond IDR1.SIDSIZE (16) is capped. */
    wr(t, A_STRTAB_BASE_CFG, 63);
    expect_ste_event(t, 0x10000, SMMU_EVT_C_BAD_STREAMID);
    /* SID 0xffff is in range: its STE is in RAM, zero, so invalid. */
    expect_ste_event(t, 0xffff, SMMU_EVT_C_BAD_STE);

    /* A stream table outside RAM: F_STE_FETCH with the fetch address. */
    wrq(t, A_STRTAB_BASE, OUTSIDE_RAM);
    g_assert_false(smmuv3_get_ste(t->s, 5, &ste, &ev));
    g_assert_cmpuint(smmu_event_get_type(&ev), ==, SMMU_EVT_F_STE_FETCH);
    g_assert_cmphex(ev.word[6] | (uint64_t)ev.word[7] << 32, ==,
                    OUTSIDE_RAM + 5 * 64);
    /* Reserved FMT. */
    wrq(t, A_STRTAB_BASE, tab);
    wr(t, A_STRTAB_BASE_CFG, FIELD_DP32(4, STRTAB_BASE_CFG, FMT, 3));
    expect_ste_event(t, 0, SMMU_EVT_C_BAD_STREAMID);
    tsmmu_free(t);
}

static void test_ste_2level(void)
{
    TestSMMU *t = tsmmu_new();
    uint64_t l1 = talloc(t, 8 * 256);
    uint64_t l2 = talloc(t, 64 * 256);
    uint32_t cfg = 0;
    SMMUSte ste;
    SMMUEvent ev;

    cfg = FIELD_DP32(cfg, STRTAB_BASE_CFG, FMT, SMMU_STRTAB_FMT_2LVL);
    cfg = FIELD_DP32(cfg, STRTAB_BASE_CFG, SPLIT, 8);
    cfg = FIELD_DP32(cfg, STRTAB_BASE_CFG, LOG2SIZE, 16);
    wrq(t, A_STRTAB_BASE, l1);
    wr(t, A_STRTAB_BASE_CFG, cfg);

    put64(t, l1 + 0 * 8, l2 | 9);               /* 256 STEs */
    put64(t, l1 + 1 * 8, l2 | 2);               /* 2 STEs */
    put64(t, l1 + 2 * 8, OUTSIDE_RAM | 9);      /* L2 outside RAM */
    put64(t, l1 + 3 * 8, l2 | 12);              /* Span > SPLIT + 1 */
    /* l1 + 4: Span 0, invalid */
    put_ste(t, l2 + 0x42 * 64, ste0(SMMU_STE_CONFIG_BYPASS), 0, 0);
    put_ste(t, l2 + 1 * 64, ste0(SMMU_STE_CONFIG_ABORT), 0, 0);

    g_assert_true(smmuv3_get_ste(t->s, 0x42, &ste, &ev));
    g_assert_true(smmuv3_get_ste(t->s, 0x101, &ste, &ev));
    expect_ste_event(t, 0x102, SMMU_EVT_C_BAD_STREAMID);   /* beyond Span */
    expect_ste_event(t, 0x205, SMMU_EVT_F_STE_FETCH);
    g_assert_false(smmuv3_get_ste(t->s, 0x205, &ste, &ev));
    g_assert_cmphex(ev.word[6] | (uint64_t)ev.word[7] << 32, ==,
                    OUTSIDE_RAM + 5 * 64);
    expect_ste_event(t, 0x301, SMMU_EVT_C_BAD_STREAMID);
    expect_ste_event(t, 0x401, SMMU_EVT_C_BAD_STREAMID);
    expect_ste_event(t, 0x10000, SMMU_EVT_C_BAD_STREAMID);

    /* L1 table outside RAM. */
    wrq(t, A_STRTAB_BASE, OUTSIDE_RAM);
    expect_ste_event(t, 0x42, SMMU_EVT_F_STE_FETCH);
    /* Reserved SPLIT. */
    wrq(t, A_STRTAB_BASE, l1);
    wr(t, A_STRTAB_BASE_CFG, FIELD_DP32(cfg, STRTAB_BASE_CFG, SPLIT, 7));
    expect_ste_event(t, 0x42, SMMU_EVT_C_BAD_STREAMID);
    tsmmu_free(t);
}

static void test_cd(void)
{
    TestSMMU *t = tsmmu_new();
    uint64_t cdaddr = talloc(t, 64);
    SMMUSte ste = { { 0 } };
    SMMUCd cd;
    SMMUEvent ev;
    uint64_t w0 = 0;

    w0 = FIELD_DP64(w0, CD_0, T0SZ, 16);
    w0 = FIELD_DP64(w0, CD_0, V, 1);
    w0 = FIELD_DP64(w0, CD_0, AA64, 1);
    w0 = FIELD_DP64(w0, CD_0, ASID, 0x42);
    put64(t, cdaddr, w0);
    put64(t, cdaddr + 8, RAM_BASE + 0x10000);
    ste.word[0] = ste0(SMMU_STE_CONFIG_S1) | cdaddr;

    g_assert_true(smmuv3_get_cd(t->s, 1, &ste, 0, &cd, &ev));
    g_assert_cmphex(FIELD_EX64(cd.word[0], CD_0, ASID), ==, 0x42);
    g_assert_cmphex(cd.word[1], ==, RAM_BASE + 0x10000);

    /* SSID beyond S1CDMax (0). */
    g_assert_false(smmuv3_get_cd(t->s, 1, &ste, 3, &cd, &ev));
    g_assert_cmpuint(smmu_event_get_type(&ev), ==,
                     SMMU_EVT_C_BAD_SUBSTREAMID);
    g_assert_cmphex(FIELD_EX32(ev.word[0], EVT_0, SSID), ==, 3);

    /* Invalid CDs. */
    put64(t, cdaddr, FIELD_DP64(w0, CD_0, V, 0));
    g_assert_false(smmuv3_get_cd(t->s, 1, &ste, 0, &cd, &ev));
    g_assert_cmpuint(smmu_event_get_type(&ev), ==, SMMU_EVT_C_BAD_CD);
    put64(t, cdaddr, FIELD_DP64(w0, CD_0, AA64, 0));
    g_assert_false(smmuv3_get_cd(t->s, 1, &ste, 0, &cd, &ev));
    g_assert_cmpuint(smmu_event_get_type(&ev), ==, SMMU_EVT_C_BAD_CD);
    put64(t, cdaddr, FIELD_DP64(w0, CD_0, TG0, 3));
    g_assert_false(smmuv3_get_cd(t->s, 1, &ste, 0, &cd, &ev));
    put64(t, cdaddr, FIELD_DP64(w0, CD_0, T0SZ, 60));
    g_assert_false(smmuv3_get_cd(t->s, 1, &ste, 0, &cd, &ev));
    put64(t, cdaddr, FIELD_DP64(w0, CD_0, ENDI, 1));
    g_assert_false(smmuv3_get_cd(t->s, 1, &ste, 0, &cd, &ev));
    g_assert_cmpuint(smmu_event_get_type(&ev), ==, SMMU_EVT_C_BAD_CD);

    /* CD outside RAM: F_CD_FETCH with the address. */
    ste.word[0] = ste0(SMMU_STE_CONFIG_S1) | OUTSIDE_RAM;
    g_assert_false(smmuv3_get_cd(t->s, 9, &ste, 0, &cd, &ev));
    g_assert_cmpuint(smmu_event_get_type(&ev), ==, SMMU_EVT_F_CD_FETCH);
    g_assert_cmphex(smmu_event_get_sid(&ev), ==, 9);
    g_assert_cmphex(ev.word[6] | (uint64_t)ev.word[7] << 32, ==,
                    OUTSIDE_RAM);

    /* Not a stage-1 STE. */
    ste.word[0] = ste0(SMMU_STE_CONFIG_BYPASS);
    g_assert_false(smmuv3_get_cd(t->s, 9, &ste, 0, &cd, &ev));
    g_assert_cmpuint(smmu_event_get_type(&ev), ==, SMMU_EVT_C_BAD_STE);
    tsmmu_free(t);
}

/* ---- Reset, properties, help ----------------------------------------------- */

static void test_reset(void)
{
    TestSMMU *t = tsmmu_new();
    QSMMUv3 d;
    SMMUEvent e = mkevt(SMMU_EVT_F_UUT, 0, 0);

    qsmmuv3_init(&d, &t->qos, MMIO_BASE, RAM_BASE, RAM_SIZE / 2);
    g_assert_true(qsmmuv3_bringup(&d, &(QSMMUv3Options) {
        .cmdq_log2size = 3, .evtq_log2size = 3, .sid_bits = 2 }));
    smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    wr(t, A_GBPA, R_GBPA_UPDATE_MASK);
    wrq(t, A_GERROR_IRQ_CFG0, RAM_BASE);

    qdev_reset(t->dev);
    g_assert_cmphex(rd(t, A_CR0), ==, 0);
    g_assert_cmphex(rd(t, A_CR0ACK), ==, 0);
    g_assert_cmphex(rd(t, A_IRQ_CTRL), ==, 0);
    g_assert_cmphex(rd(t, A_GBPA), ==, 0x1000);
    g_assert_cmphex(rdq(t, A_CMDQ_BASE), ==, 0x13);
    g_assert_cmphex(rdq(t, A_EVENTQ_BASE), ==, 0x13);
    g_assert_cmphex(rdq(t, A_STRTAB_BASE), ==, 0);
    g_assert_cmphex(rdq(t, A_GERROR_IRQ_CFG0), ==, 0);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_PROD), ==, 0);
    g_assert_cmphex(rd(t, A_CMDQ_CONS), ==, 0);
    g_assert_cmpuint(t->s->eventq.log2size, ==, 19);
    g_assert_cmphex(rd(t, A_IDR0), ==, 0x0d44101b);
    /* Queues are disabled: events are not written. */
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, &e, 1, NULL), ==, 0);
    tsmmu_free(t);
}

static void expect_realize_error(const char *const *props, const char *msg)
{
    TestSMMU *t = tsmmu_new();
    Error *err = NULL;

    g_assert_null(tsmmu_create(t, props, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    tsmmu_free(t);
}

#define PROPS(...) ((const char *const[]) { __VA_ARGS__, NULL })

static void test_props_errors(void)
{
    /* t's own SMMU holds pcie.0: attach the others to a second bus. */
    expect_realize_error(PROPS("accel", "off"),
                         "SMMU is not attached to any PCI bus!");
    expect_realize_error(PROPS("primary-bus", "pcie.0"),
                         "An iommu is already attached to this bus");
    expect_realize_error(PROPS("primary-bus", "nosuch"),
                         "Property 'arm-smmuv3.primary-bus' can't find "
                         "value 'nosuch'");
    expect_realize_error(PROPS("ats", "on"),
                         "ats can only be enabled if accel=on");
    expect_realize_error(PROPS("ril", "off"),
                         "ril can only be disabled if accel=on");
    expect_realize_error(PROPS("cmdqv", "on"),
                         "cmdqv can only be enabled if accel=on");
    expect_realize_error(PROPS("accel", "on", "cmdqv", "on"),
                         "cmdqv=on: vsmmu has no Tegra241 CMDQV (NVIDIA's"
                         " command-queue virtualization); use cmdqv=off or"
                         " auto, which resolves to off");
    expect_realize_error(PROPS("cmdqv", "maybe"),
                         "Parameter 'cmdqv' does not accept value 'maybe'");
    expect_realize_error(PROPS("oas", "48"),
                         "oas must be 44 bits when accel=off");
    expect_realize_error(PROPS("oas", "40"),
                         "QEMU SMMUv3 model only implements auto, 44 bit, "
                         "or 48 bit OAS. Other OasMode values are not "
                         "supported.");
    expect_realize_error(PROPS("accel", "on", "oas", "32"),
                         "QEMU SMMUv3 model only implements auto, 44 bit, "
                         "or 48 bit OAS. Other OasMode values are not "
                         "supported.");
    expect_realize_error(PROPS("accel", "on", "stage", "2"),
                         "Only stage1 is supported for SMMUv3 with "
                         "accel=on");
    expect_realize_error(PROPS("accel", "on", "stage", "nested"),
                         "Only stage1 is supported for SMMUv3 with "
                         "accel=on");
    expect_realize_error(PROPS("stage", "bogus"),
                         "Invalid stage 'bogus': expected '1', '2' or "
                         "'nested'");
    expect_realize_error(PROPS("ssidsize", "21"),
                         "Parameter 'ssidsize' does not accept value '21'");
    expect_realize_error(PROPS("iothread", "io0"),
                         "Property 'arm-smmuv3.iothread' can't find value "
                         "'io0'");
}

static void test_props_bus(void)
{
    TestSMMU *t = tsmmu_new();
    PCIBus bus1 = { .id = (char *)"pcie.1", .is_root = true,
                    .root_bus_num = 1 };
    DeviceState *dev2;

    g_assert_true(t->bus.iommu == t->dev);
    g_assert(object_registry_add("pcie.1", TYPE_PCI_BUS, &bus1,
                                 &error_abort));
    dev2 = tsmmu_create(t, PROPS("primary-bus", "pcie.1", "accel", "on",
                                 "stage", "1", "msi-gpa", "0x8000000",
                                 "identifier", "3", "bus_num", "1",
                                 "smmu_per_bus", "on"), &error_abort);
    g_assert_true(bus1.iommu == dev2);
    g_assert_true(((SMMUv3State *)dev2)->accel);
    g_assert_cmphex(((SMMUv3State *)dev2)->msi_gpa, ==, 0x8000000);
    /* Unrealize detaches, so another SMMU may attach. */
    qdev_unrealize(dev2);
    g_assert_null(bus1.iommu);
    g_assert_true(qdev_realize(dev2, &error_abort));
    g_assert_true(bus1.iommu == dev2);
    qdev_free(dev2);
    g_assert_null(bus1.iommu);
    tsmmu_free(t);
}

static void test_help(void)
{
    const DeviceClass *dc = device_class_find(TYPE_ARM_SMMUV3);
    g_autofree char *help = NULL;
    static const char *const expect[] = {
        "accel=<bool>", "ats=<OnOffAuto>", "ril=<OnOffAuto>",
        "ssidsize=<SsidSizeMode>", "oas=<OasMode>", "stage=<str>",
        "msi-gpa=<uint64>", "primary-bus=<link<PCI>>", "bus_num=<uint8>",
        "smmu_per_bus=<bool>", "identifier=<uint8>",
        "iothread=<link<iothread>>",
        "translates the DMA of emulated endpoints",
    };

    g_assert_nonnull(dc);
    g_assert_true(dc->user_creatable);
    g_assert_false(dc->hotpluggable);
    help = qdev_class_help(dc);
    g_test_message("%s", help);
    g_assert_true(g_str_has_prefix(help, "arm-smmuv3 options:\n"));
    for (size_t i = 0; i < G_N_ELEMENTS(expect); i++) {
        g_assert_nonnull(strstr(help, expect[i]));
    }
}

static void test_irq_names(void)
{
    TestSMMU *t = tsmmu_new();

    g_assert_cmpint(t->dev->num_irqs, ==, 4);
    g_assert_cmpstr(t->dev->irq_names[0], ==, "eventq");
    g_assert_cmpstr(t->dev->irq_names[1], ==, "priq");
    g_assert_cmpstr(t->dev->irq_names[2], ==, "cmdq-sync");
    g_assert_cmpstr(t->dev->irq_names[3], ==, "gerror");
    g_assert_cmpuint(t->dev->mmio_size, ==, 0x20000);
    tsmmu_free(t);
}

/* ---- A Linux-like guest, end to end ------------------------------------- */

static void bringup_and_run(bool two_level, bool msi)
{
    TestSMMU *t = tsmmu_new();
    QSMMUv3 d;
    QSMMUv3Event ev[8];
    uint64_t msi_addr = 0;
    SMMUSte ste;
    SMMUCd cd;
    SMMUEvent e, out;
    bool ovf;
    uint64_t cdaddr;

    qsmmuv3_init(&d, &t->qos, MMIO_BASE, RAM_BASE, RAM_SIZE / 2);
    if (msi) {
        msi_addr = qsmmuv3_alloc(&d, 64, 64);
    }
    g_assert_true(qsmmuv3_bringup(&d, &(QSMMUv3Options) {
        .cmdq_log2size = 5, .evtq_log2size = 2, .sid_bits = 12,
        .two_level = two_level,
        .evtq_msi_addr = msi_addr, .evtq_msi_data = 0x1234,
        .gerror_msi_addr = msi_addr ? msi_addr + 8 : 0,
        .gerror_msi_data = 0x5678 }));
    g_assert_cmphex(rd(t, A_CR0ACK), ==, 0xd);
    g_assert_cmphex(rd(t, A_IRQ_CTRL_ACK), ==, 0x5);
    g_assert_cmphex(rd(t, A_GBPA), ==, R_GBPA_ABORT_MASK | 0x1000);
    g_assert_cmphex(gerror_pending(t), ==, 0);

    /* Devices: a bypass, an aborting, a translated one. */
    qsmmuv3_ste_bypass(&d, 0x8);
    qsmmuv3_ste_abort(&d, 0x10);
    cdaddr = qsmmuv3_ste_s1(&d, 0x318, 7, RAM_BASE + 0x100000);
    g_assert_true(qsmmuv3_cfgi_ste(&d, 0x8));
    g_assert_true(qsmmuv3_cfgi_ste(&d, 0x10));
    g_assert_true(qsmmuv3_cfgi_ste(&d, 0x318));

    /* What the accel translator will do with them. */
    g_assert_true(smmuv3_get_ste(t->s, 0x8, &ste, &out));
    g_assert_cmpuint(FIELD_EX64(ste.word[0], STE_0, CONFIG), ==,
                     SMMU_STE_CONFIG_BYPASS);
    g_assert_true(smmuv3_get_ste(t->s, 0x318, &ste, &out));
    g_assert_cmphex(ste.word[0] & R_STE_0_S1CTXPTR_MASK, ==, cdaddr);
    g_assert_true(smmuv3_get_cd(t->s, 0x318, &ste, 0, &cd, &out));
    g_assert_cmphex(FIELD_EX64(cd.word[0], CD_0, ASID), ==, 7);
    /* An unconfigured device is aborted (Linux's default STE). */
    if (!two_level) {
        g_assert_true(smmuv3_get_ste(t->s, 0x20, &ste, &out));
        g_assert_cmpuint(FIELD_EX64(ste.word[0], STE_0, CONFIG), ==,
                         SMMU_STE_CONFIG_ABORT);
    } else {
        g_assert_false(smmuv3_get_ste(t->s, 0x800, &ste, &out));
        g_assert_cmpuint(smmu_event_get_type(&out), ==,
                         SMMU_EVT_C_BAD_STREAMID);
    }
    /* A StreamID beyond the table: the event reaches the guest. */
    g_assert_false(smmuv3_get_ste(t->s, 0x1000, &ste, &out));
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, &out, 1, NULL), ==, 1);

    smmu_event_init(&e, SMMU_EVT_F_TRANSLATION, 0x318);
    smmu_event_set_addr(&e, SMMU_EVT_ADDR_WORD, 0xdead000);
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, &e, 1, NULL), ==, 1);
    if (msi) {
        g_assert_cmphex(mem32(t, msi_addr), ==, 0x1234);
    } else {
        g_assert_cmpint(irqs(t, SMMU_IRQ_EVTQ), ==, 1);
    }
    g_assert_cmpuint(qsmmuv3_evtq_consume(&d, ev, 8, &ovf), ==, 2);
    g_assert_false(ovf);
    g_assert_cmpuint(ev[0].type, ==, SMMU_EVT_C_BAD_STREAMID);
    g_assert_cmphex(ev[0].sid, ==, 0x1000);
    g_assert_cmpuint(ev[1].type, ==, SMMU_EVT_F_TRANSLATION);
    g_assert_cmphex(ev[1].sid, ==, 0x318);
    g_assert_cmphex(ev[1].addr, ==, 0xdead000);

    /* Overflow the 4-entry queue; the driver sees and acknowledges it. */
    for (int i = 0; i < 6; i++) {
        smmuv3_eventq_write_batch(t->s, &e, 1, NULL);
    }
    g_assert_cmpuint(qsmmuv3_evtq_consume(&d, ev, 8, &ovf), ==, 4);
    g_assert_true(ovf);
    g_assert_cmpuint(d.overflows, ==, 1);
    g_assert_cmphex(rd(t, P1 + A_EVENTQ_CONS) & R_EVENTQ_CONS_OVACKFLG_MASK,
                    ==, rd(t, P1 + A_EVENTQ_PROD) & R_EVENTQ_PROD_OVFLG_MASK);
    /* Host-side loss shows the same way. */
    g_assert_true(smmuv3_eventq_signal_overflow(t->s));
    g_assert_cmpuint(qsmmuv3_evtq_consume(&d, ev, 8, &ovf), ==, 0);
    g_assert_true(ovf);
    g_assert_cmpuint(d.overflows, ==, 2);

    /* A malformed command: the driver sees CMDQ_ERR. */
    qsmmuv3_cmd(&d, 0x7f, 0);
    g_assert_false(qsmmuv3_sync(&d));
    g_assert_cmpuint(FIELD_EX32(rd(t, A_CMDQ_CONS), CMDQ_CONS, ERR), ==,
                     SMMU_CERROR_ILL);
    if (msi) {
        g_assert_cmphex(mem32(t, msi_addr + 8), ==, 0x5678);
    } else {
        g_assert_cmpint(irqs(t, SMMU_IRQ_GERROR), ==, 1);
    }

    g_assert_true(qsmmuv3_disable(&d));
    g_assert_cmpuint(smmuv3_eventq_write_batch(t->s, &e, 1, NULL), ==, 0);
    tsmmu_free(t);
}

static void test_linux_bringup_linear(void)
{
    bringup_and_run(false, false);
}

static void test_linux_bringup_2level_msi(void)
{
    bringup_and_run(true, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3/idregs/default", test_idregs_default);
    g_test_add_func("/smmuv3/idregs/properties", test_idregs_props);
    g_test_add_func("/smmuv3/regs/access-sizes", test_access_sizes);
    g_test_add_func("/smmuv3/regs/cr0-gbpa-irq-ctrl", test_cr0_gbpa_irqctrl);
    g_test_add_func("/smmuv3/regs/irq-lines", test_irq_names);
    g_test_add_func("/smmuv3/cmdq/sync", test_cmdq_sync);
    g_test_add_func("/smmuv3/cmdq/commands-and-hooks", test_cmdq_commands);
    g_test_add_func("/smmuv3/cmdq/illegal", test_cmdq_illegal);
    g_test_add_func("/smmuv3/cmdq/abort-and-wrap", test_cmdq_abort_and_wrap);
    g_test_add_func("/smmuv3/gerror", test_gerror);
    g_test_add_func("/smmuv3/msi-doorbell", test_msi_doorbell);
    g_test_add_func("/smmuv3/eventq/batch-wrap", test_eventq_batch_wrap);
    g_test_add_func("/smmuv3/eventq/overflow", test_eventq_overflow);
    g_test_add_func("/smmuv3/eventq/signal-overflow",
                    test_eventq_signal_overflow);
    g_test_add_func("/smmuv3/eventq/msi-coalescing",
                    test_eventq_msi_and_coalescing);
    g_test_add_func("/smmuv3/eventq/disabled-abort",
                    test_eventq_disabled_and_abort);
    g_test_add_func("/smmuv3/eventq/threads", test_eventq_threads);
    g_test_add_func("/smmuv3/eventq/device-lock-held",
                    test_eventq_device_lock_held);
    g_test_add_func("/smmuv3/ste/linear", test_ste_linear);
    g_test_add_func("/smmuv3/ste/2level", test_ste_2level);
    g_test_add_func("/smmuv3/cd", test_cd);
    g_test_add_func("/smmuv3/reset", test_reset);
    g_test_add_func("/smmuv3/props/errors", test_props_errors);
    g_test_add_func("/smmuv3/props/bus", test_props_bus);
    g_test_add_func("/smmuv3/help", test_help);
    g_test_add_func("/smmuv3/linux/bringup-linear",
                    test_linux_bringup_linear);
    g_test_add_func("/smmuv3/linux/bringup-2level-msi",
                    test_linux_bringup_2level_msi);
    return g_test_run();
}
