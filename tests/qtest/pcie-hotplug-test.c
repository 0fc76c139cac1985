/*
 * Native PCIe hot-unplug of pcie-root-port's slot, driven over qtest as
 * Linux's pciehp drives it: enable the slot's events and the port's MSI,
 * device_del (the attention button and its MSI), blink, power the slot
 * off, DEVICE_DELETED, the device gone from query-pci.  And what a
 * hostile or absent driver does: writes to read-only bits, power-off
 * without a request, device_del with nobody listening, a repeated
 * device_del, no bus master, hot plug into a slot left off.
 *
 * The MSI goes to guest RAM (no interrupt controller doorbell under
 * qtest), where the test reads it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-generic.h"
#include "hw/pci/pci-regs.h"

#define MSI_GPA     0x40200000ULL       /* in guest RAM */
#define MSI_DATA    0x4321
#define SEC_NS      1000000000LL

#define HOSTDEV_ARGS(machine) \
    "-machine " machine " -object iommufd,id=iommufd0,x-emulated-host=on " \
    "-device pcie-root-port,id=rp1,chassis=1,slot=7,port=8,addr=3 " \
    "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x1234,bus=rp1," \
    "id=hostdev0"

/* pciehp's Slot Control with its events on (as pcie_enable_notification). */
#define SLTCTL_EVENTS \
    (PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_CCIE | \
     PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_DLLSCE)
#define IND(v, shift)   ((uint16_t)PCI_EXP_SLTCTL_IND_##v << (shift))
#define PIC(v)          IND(v, PCI_EXP_SLTCTL_PIC_SHIFT)
#define AIC(v)          IND(v, PCI_EXP_SLTCTL_AIC_SHIFT)

typedef struct Slot {
    QTestState *qts;
    QOSBus bus;
    QPCIeHost host;
    QPCIeFunc *rp;
    uint8_t exp;                /* PCIe capability of the port */
    uint8_t msi;                /* MSI capability of the port */
} Slot;

static uint8_t find_cap(Slot *s, uint8_t id)
{
    uint8_t off = qpcie_readb(&s->host, 0, s->rp->devfn, PCI_CAPABILITY_LIST);

    for (int n = 0; off && n < 48; n++) {
        if (qpcie_readb(&s->host, 0, s->rp->devfn, off) == id) {
            return off;
        }
        off = qpcie_readb(&s->host, 0, s->rp->devfn, off + PCI_CAP_LIST_NEXT);
    }
    return 0;
}

static uint16_t rd(Slot *s, uint8_t reg)
{
    return qpcie_readw(&s->host, 0, s->rp->devfn, s->exp + reg);
}

static void wr(Slot *s, uint8_t reg, uint16_t v)
{
    qpcie_writew(&s->host, 0, s->rp->devfn, s->exp + reg, v);
}

/* The MSI the port wrote since the last call (0: none). */
static uint32_t take_msi(Slot *s)
{
    uint32_t v = qtest_readl(s->qts, MSI_GPA);

    qtest_writel(s->qts, MSI_GPA, 0);
    return v;
}

/* Clear every event, as pciehp's interrupt handler does. */
static void ack(Slot *s)
{
    wr(s, PCI_EXP_SLTSTA, 0xffff);
}

/* A Slot Control command; each completes at once (Command Completed). */
static void command(Slot *s, uint16_t ctl)
{
    wr(s, PCI_EXP_SLTCTL, ctl);
    g_assert_cmphex(rd(s, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_CC, ==,
                    PCI_EXP_SLTSTA_CC);
}

static void slot_start(Slot *s, const char *args)
{
    s->qts = qtest_init(args);
    qtest_qos_bus_init(s->qts, &s->bus);
    qpcie_init_virt(&s->host, &s->bus);
    qpcie_enumerate(&s->host, 0);
    s->rp = qpcie_find_at(&s->host, 0, PCI_DEVFN(3, 0));
    g_assert_nonnull(s->rp);
    s->exp = find_cap(s, PCI_CAP_ID_EXP);
    s->msi = find_cap(s, PCI_CAP_ID_MSI);
    g_assert_cmphex(s->exp, !=, 0);
    g_assert_cmphex(s->msi, !=, 0);
}

/* pciehp's probe: the port's MSI and bus mastering, then the events. */
static void driver_bind(Slot *s)
{
    uint8_t devfn = s->rp->devfn;
    uint16_t flags = qpcie_readw(&s->host, 0, devfn, s->msi + PCI_MSI_FLAGS);

    g_assert_true(flags & PCI_MSI_FLAGS_64BIT);
    g_assert_cmphex(flags & PCI_MSI_FLAGS_QMASK, ==, 0);
    qpcie_writel(&s->host, 0, devfn, s->msi + PCI_MSI_ADDRESS_LO,
                 (uint32_t)MSI_GPA);
    qpcie_writel(&s->host, 0, devfn, s->msi + PCI_MSI_ADDRESS_HI,
                 MSI_GPA >> 32);
    qpcie_writew(&s->host, 0, devfn, s->msi + PCI_MSI_DATA_64, MSI_DATA);
    qpcie_writew(&s->host, 0, devfn, s->msi + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_ENABLE);
    qpcie_command(s->rp, PCI_COMMAND_MASTER, 0);
    ack(s);
    command(s, SLTCTL_EVENTS | PIC(ON) | AIC(OFF));
    /* Command Completed, enabled: the first MSI. */
    g_assert_cmphex(take_msi(s), ==, MSI_DATA);
    ack(s);
}

static void qmp_ok(Slot *s, const char *cmd)
{
    JsonObject *rsp = qtest_qmp(s->qts, "%s", cmd);

    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
}

static void device_del(Slot *s)
{
    qmp_ok(s, "{'execute': 'device_del', 'arguments': {'id': 'hostdev0'}}");
}

static void assert_deleted(Slot *s)
{
    JsonObject *ev = qtest_qmp_eventwait_ref(s->qts, "DEVICE_DELETED");
    JsonObject *data = json_object_get_object_member(ev, "data");

    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==,
                    "hostdev0");
    json_object_unref(ev);
    /* Gone from the port's bus in query-pci and from the slot. */
    g_assert_cmphex(qpcie_readw(&s->host, 1, 0, PCI_VENDOR_ID), ==, 0xffff);
    g_assert_false(rd(s, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS);
    g_assert_false(rd(s, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA);
}

static bool query_pci_has_hostdev(Slot *s)
{
    JsonObject *rsp = qtest_qmp(s->qts, "{'execute': 'query-pci'}");
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *text = NULL;

    qtest_qmp_assert_success(rsp);
    json_node_take_object(node, rsp);
    text = json_to_string(node, FALSE);
    json_node_free(node);
    return strstr(text, "\"hostdev0\"") != NULL;
}

/* The slot as the guest finds it: capabilities, a card, power on. */
static void test_slot_caps(void)
{
    Slot s;
    uint32_t cap;

    slot_start(&s, HOSTDEV_ARGS("virt"));
    g_assert_true(rd(&s, PCI_EXP_FLAGS) & PCI_EXP_FLAGS_SLOT);
    cap = qpcie_readl(&s.host, 0, s.rp->devfn, s.exp + PCI_EXP_SLTCAP);
    g_assert_cmphex(cap & 0x7ffff, ==,
                    PCI_EXP_SLTCAP_ABP | PCI_EXP_SLTCAP_PCP |
                    PCI_EXP_SLTCAP_AIP | PCI_EXP_SLTCAP_PIP |
                    PCI_EXP_SLTCAP_HPC);
    g_assert_cmpuint(cap >> PCI_EXP_SLTCAP_PSN_SHIFT, ==, 7);
    g_assert_true(qpcie_readl(&s.host, 0, s.rp->devfn,
                              s.exp + PCI_EXP_LNKCAP) &
                  PCI_EXP_LNKCAP_DLLLARC);
    g_assert_cmphex(rd(&s, PCI_EXP_SLTSTA), ==, PCI_EXP_SLTSTA_PDS);
    g_assert_true(rd(&s, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA);
    g_assert_cmphex(rd(&s, PCI_EXP_SLTCTL), ==, PIC(ON) | AIC(OFF));
    qtest_quit(s.qts);
}

/* The whole dance, as pciehp does it. */
static void test_unplug(void)
{
    Slot s;
    JsonObject *rsp;

    slot_start(&s, HOSTDEV_ARGS("virt"));
    driver_bind(&s);
    g_assert_true(query_pci_has_hostdev(&s));

    device_del(&s);
    /* The button, its MSI; the device stays until the guest lets go. */
    g_assert_cmphex(rd(&s, PCI_EXP_SLTSTA), ==,
                    PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_ABP);
    g_assert_cmphex(take_msi(&s), ==, MSI_DATA);
    g_assert_null(qtest_qmp_eventwait_ref_nowait(s.qts, "DEVICE_DELETED"));
    g_assert_true(query_pci_has_hostdev(&s));

    /* Pending: a second device_del is refused, as QEMU's. */
    rsp = qtest_qmp(s.qts, "{'execute': 'device_del',"
                    " 'arguments': {'id': 'hostdev0'}}");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(rsp, "error"), "desc"),
                    ==, "Device hostdev0 is already in the process of unplug");
    json_object_unref(rsp);

    ack(&s);
    command(&s, SLTCTL_EVENTS | PIC(BLINK) | AIC(OFF));
    g_assert_cmphex(take_msi(&s), ==, MSI_DATA);
    ack(&s);
    /* pciehp's five seconds; after them device_del may press again. */
    qtest_clock_step(s.qts, 5 * SEC_NS);
    device_del(&s);
    g_assert_cmphex(take_msi(&s), ==, MSI_DATA);
    ack(&s);

    /* Power off, then the indicator: released at the second command. */
    command(&s, SLTCTL_EVENTS | PCI_EXP_SLTCTL_PCC | PIC(BLINK) | AIC(OFF));
    g_assert_true(query_pci_has_hostdev(&s));
    ack(&s);
    take_msi(&s);
    command(&s, SLTCTL_EVENTS | PCI_EXP_SLTCTL_PCC | PIC(OFF) | AIC(OFF));
    assert_deleted(&s);
    g_assert_false(query_pci_has_hostdev(&s));
    g_assert_cmphex(rd(&s, PCI_EXP_SLTSTA), ==,
                    PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_PDC |
                    PCI_EXP_SLTSTA_DLLSC);
    /* Cleared: nothing pending, no MSI. */
    ack(&s);
    take_msi(&s);
    g_assert_cmphex(rd(&s, PCI_EXP_SLTSTA), ==, 0);
    g_assert_cmphex(take_msi(&s), ==, 0);

    /* Hot plug into the slot left off: the card is seen, power stays off. */
    qmp_ok(&s, "{'execute': 'device_add', 'arguments': {'driver':"
           " 'vfio-pci', 'iommufd': 'iommufd0', 'x-emulated-psid': 4660,"
           " 'bus': 'rp1', 'id': 'hostdev0'}}");
    g_assert_cmphex(rd(&s, PCI_EXP_SLTSTA), ==,
                    PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC |
                    PCI_EXP_SLTSTA_DLLSC);
    g_assert_cmphex(take_msi(&s), ==, MSI_DATA);
    g_assert_true(rd(&s, PCI_EXP_SLTCTL) & PCI_EXP_SLTCTL_PCC);
    /* An unplug from a slot that is off needs no guest. */
    device_del(&s);
    assert_deleted(&s);
    qtest_quit(s.qts);
}

/* Read-only bits stay, reserved Slot Control bits read 0, RW1C clears. */
static void test_read_only(void)
{
    Slot s;
    uint32_t cap;

    slot_start(&s, HOSTDEV_ARGS("virt"));
    cap = qpcie_readl(&s.host, 0, s.rp->devfn, s.exp + PCI_EXP_SLTCAP);
    qpcie_writel(&s.host, 0, s.rp->devfn, s.exp + PCI_EXP_SLTCAP, ~cap);
    g_assert_cmphex(qpcie_readl(&s.host, 0, s.rp->devfn,
                                s.exp + PCI_EXP_SLTCAP), ==, cap);
    /* Presence is the card's: writing 1 (or 0) changes nothing. */
    ack(&s);
    g_assert_cmphex(rd(&s, PCI_EXP_SLTSTA), ==, PCI_EXP_SLTSTA_PDS);
    wr(&s, PCI_EXP_SLTSTA, 0);
    g_assert_cmphex(rd(&s, PCI_EXP_SLTSTA), ==, PCI_EXP_SLTSTA_PDS);
    wr(&s, PCI_EXP_LNKSTA, 0);
    g_assert_true(rd(&s, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA);
    /* No MRL, power fault, EMI, in-band presence: those bits read 0. */
    wr(&s, PCI_EXP_SLTCTL, 0xffff);
    g_assert_cmphex(rd(&s, PCI_EXP_SLTCTL), ==,
                    SLTCTL_EVENTS | PCI_EXP_SLTCTL_AIC | PCI_EXP_SLTCTL_PIC |
                    PCI_EXP_SLTCTL_PCC);
    /* That was a power-off (PCC, indicator 11b: off): the card goes. */
    assert_deleted(&s);
    /* Writing the MSI capability's read-only flags changes nothing. */
    qpcie_writew(&s.host, 0, s.rp->devfn, s.msi + PCI_MSI_FLAGS, 0xfffe);
    g_assert_cmphex(qpcie_readw(&s.host, 0, s.rp->devfn,
                                s.msi + PCI_MSI_FLAGS), ==,
                    PCI_MSI_FLAGS_64BIT);
    qtest_quit(s.qts);
}

/* A guest powering the slot off unasked releases the device too. */
static void test_power_off_unasked(void)
{
    Slot s;

    slot_start(&s, HOSTDEV_ARGS("virt"));
    driver_bind(&s);
    command(&s, SLTCTL_EVENTS | PCI_EXP_SLTCTL_PCC | PIC(OFF) | AIC(OFF));
    assert_deleted(&s);
    /* Rewriting the control of the off, empty slot does nothing more. */
    ack(&s);
    command(&s, SLTCTL_EVENTS | PCI_EXP_SLTCTL_PCC | PIC(OFF) | AIC(OFF));
    qmp_ok(&s, "{'execute': 'query-pci'}");
    g_assert_null(qtest_qmp_eventwait_ref_nowait(s.qts, "DEVICE_DELETED"));
    qtest_quit(s.qts);
}

/* Nobody listens (no hot-plug driver yet): device_del removes at once. */
static void test_no_driver(void)
{
    Slot s;

    slot_start(&s, HOSTDEV_ARGS("virt"));
    device_del(&s);
    assert_deleted(&s);
    g_assert_cmphex(take_msi(&s), ==, 0);
    qtest_quit(s.qts);
}

/*
 * Without bus master enable in the port its MSI is dropped; the event
 * stays pending and the next edge delivers.  Through the vSMMU in
 * bypass (SMMU disabled, GBPA) it lands like without an IOMMU.
 */
static void check_msi_bus_master(const char *machine_args)
{
    Slot s;

    slot_start(&s, machine_args);
    driver_bind(&s);
    qpcie_command(s.rp, 0, PCI_COMMAND_MASTER);
    device_del(&s);
    g_assert_cmphex(take_msi(&s), ==, 0);
    g_assert_true(rd(&s, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_ABP);
    qpcie_command(s.rp, PCI_COMMAND_MASTER, 0);
    ack(&s);
    command(&s, SLTCTL_EVENTS | PIC(BLINK) | AIC(OFF));
    g_assert_cmphex(take_msi(&s), ==, MSI_DATA);
    qtest_quit(s.qts);
}

static void test_msi_bus_master(void)
{
    check_msi_bus_master(HOSTDEV_ARGS("virt"));
}

static void test_msi_smmu_bypass(void)
{
    check_msi_bus_master(HOSTDEV_ARGS("virt,iommu=smmuv3"));
}

/* system_reset with a request pending: granted, the card goes. */
static void test_reset_pending(void)
{
    Slot s;

    slot_start(&s, HOSTDEV_ARGS("virt"));
    driver_bind(&s);
    device_del(&s);
    qmp_ok(&s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s.qts, "RESET");
    /* The reset undid the enumeration: number the port's bus again. */
    qpcie_writeb(&s.host, 0, s.rp->devfn, PCI_SECONDARY_BUS, 1);
    qpcie_writeb(&s.host, 0, s.rp->devfn, PCI_SUBORDINATE_BUS, 1);
    assert_deleted(&s);
    qtest_quit(s.qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pcie-hotplug/slot-caps", test_slot_caps);
    g_test_add_func("/pcie-hotplug/unplug", test_unplug);
    g_test_add_func("/pcie-hotplug/read-only", test_read_only);
    g_test_add_func("/pcie-hotplug/power-off-unasked",
                    test_power_off_unasked);
    g_test_add_func("/pcie-hotplug/no-driver", test_no_driver);
    g_test_add_func("/pcie-hotplug/msi-bus-master", test_msi_bus_master);
    g_test_add_func("/pcie-hotplug/msi-smmu-bypass", test_msi_smmu_bypass);
    g_test_add_func("/pcie-hotplug/reset-pending", test_reset_pending);
    return g_test_run();
}
