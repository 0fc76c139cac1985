/*
 * arm-smmuv3 (accel=off) behind vsmmu-daemon over qtest: the board's
 * placement and reset values as QEMU's virt machine has them, and the
 * Linux-like guest driver's bring-up, CMD_SYNC MSI and command errors
 * through the daemon's qtest protocol.  The exhaustive register and
 * queue tests run in-process (tests/unit/test-smmuv3.c) over the same
 * driver model.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/smmuv3-driver.h"
#include "hw/arm/smmuv3-common.h"

#define VIRT_SMMU   0x09050000ull
#define RAM_BASE    0x40000000ull
#define RAM_SIZE    (128ull << 20)

static void test_virt_reset_values(void)
{
    QTestState *qts = qtest_init("-machine virt,iommu=smmuv3 -m 128M");

    /* The values QEMU 11.1's virt SMMU reads back after reset. */
    g_assert_cmphex(qtest_readl(qts, VIRT_SMMU + A_IDR0), ==, 0x0d44101b);
    g_assert_cmphex(qtest_readl(qts, VIRT_SMMU + A_IDR1), ==, 0x02730010);
    g_assert_cmphex(qtest_readl(qts, VIRT_SMMU + A_IDR3), ==, 0x1414);
    g_assert_cmphex(qtest_readl(qts, VIRT_SMMU + A_IDR5), ==, 0x74);
    g_assert_cmphex(qtest_readl(qts, VIRT_SMMU + A_GBPA), ==, 0x1000);
    g_assert_cmphex(qtest_readq(qts, VIRT_SMMU + A_CMDQ_BASE), ==, 0x13);
    g_assert_cmphex(qtest_readq(qts, VIRT_SMMU + A_EVENTQ_BASE), ==, 0x13);
    g_assert_cmphex(qtest_readl(qts, VIRT_SMMU + 0xfd0), ==, 0x4);
    g_assert_cmphex(qtest_readl(qts, VIRT_SMMU + 0xfe0), ==, 0x84);
    /* Page 1 aliases the event queue pointers. */
    qtest_writel(qts, VIRT_SMMU + SMMU_PAGE1_OFFSET + A_EVENTQ_CONS, 3);
    g_assert_cmphex(qtest_readl(qts, VIRT_SMMU + A_EVENTQ_CONS), ==, 3);
    qtest_quit(qts);
}

typedef struct Fixture {
    QTestState *qts;
    QOSBus bus;
    QSMMUv3 d;
} Fixture;

static void bringup(Fixture *f)
{
    QSMMUv3Options opts = {
        .cmdq_log2size = 6, .evtq_log2size = 6, .sid_bits = 16,
    };

    f->qts = qtest_init("-machine virt,iommu=smmuv3 -m 128M");
    qtest_qos_bus_init(f->qts, &f->bus);
    qsmmuv3_init(&f->d, &f->bus, VIRT_SMMU, RAM_BASE, RAM_SIZE);
    g_assert_true(qsmmuv3_bringup(&f->d, &opts));
}

static void test_linux_bringup(void)
{
    Fixture f;

    bringup(&f);
    g_assert_cmphex(qtest_readl(f.qts, VIRT_SMMU + A_CR0ACK) & 0xd, ==, 0xd);
    /* STEs as Linux installs them: bypass for one, abort for another. */
    qsmmuv3_ste_bypass(&f.d, 0x8);
    qsmmuv3_ste_abort(&f.d, 0x10);
    g_assert_true(qsmmuv3_cfgi_ste(&f.d, 0x8));
    g_assert_true(qsmmuv3_cfgi_ste(&f.d, 0x10));
    g_assert_true(qsmmuv3_disable(&f.d));
    g_assert_cmphex(qtest_readl(f.qts, VIRT_SMMU + A_CR0ACK), ==, 0);
    qtest_quit(f.qts);
}

static void test_sync_msi(void)
{
    Fixture f;
    uint64_t msi;
    uint64_t w0;

    bringup(&f);
    msi = qsmmuv3_alloc(&f.d, 64, 64);
    w0 = FIELD_DP64(SMMU_CMD_SYNC, CMD_0, SYNC_CS, SMMU_SYNC_CS_IRQ);
    w0 = FIELD_DP64(w0, CMD_0, SYNC_MSIDATA, 0xcafe0001);
    qsmmuv3_cmd(&f.d, w0, msi);
    /* The MSI write lands in guest RAM when the sync completes. */
    g_assert_true(qsmmuv3_sync(&f.d));
    g_assert_cmphex(qtest_readl(f.qts, msi), ==, 0xcafe0001);
    qtest_quit(f.qts);
}

static void test_illegal_command(void)
{
    Fixture f;
    uint32_t cons;

    bringup(&f);
    qsmmuv3_cmd(&f.d, 0xff, 0);             /* no such opcode */
    g_assert_false(qsmmuv3_sync(&f.d));
    cons = qtest_readl(f.qts, VIRT_SMMU + A_CMDQ_CONS);
    g_assert_cmpuint(FIELD_EX32(cons, CMDQ_CONS, ERR), ==, SMMU_CERROR_ILL);
    g_assert_cmphex((qtest_readl(f.qts, VIRT_SMMU + A_GERROR) ^
                     qtest_readl(f.qts, VIRT_SMMU + A_GERRORN)) &
                    R_GERROR_CMDQ_ERR_MASK, ==, R_GERROR_CMDQ_ERR_MASK);
    qtest_quit(f.qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3/virt-reset-values", test_virt_reset_values);
    g_test_add_func("/smmuv3/linux-bringup", test_linux_bringup);
    g_test_add_func("/smmuv3/sync-msi", test_sync_msi);
    g_test_add_func("/smmuv3/illegal-command", test_illegal_command);
    return g_test_run();
}
