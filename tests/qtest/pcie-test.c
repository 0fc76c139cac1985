/*
 * The virt machine's PCIe host as a guest drives it, through libqos's
 * generic enumerator (libqos/pci-generic.c) over qtest: bus numbering
 * behind root ports, BAR sizing and assignment, the command register,
 * iommu-testdev's DMA, a host device's config space and the requester
 * ID the vSMMU sees after enumeration.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "vsmmu-query.h"
#include "libqos/pci-generic.h"
#include "libqos/iommu-testdev.h"
#include "hw/pci/pci-regs.h"
#include "hw/misc/iommu-testdev.h"

#define RP_ARGS \
    "-device pcie-root-port,port=8,chassis=1,id=rp1,bus=pcie.0," \
    "multifunction=on,addr=0x1 " \
    "-device pcie-root-port,port=9,chassis=2,id=rp2,bus=pcie.0," \
    "addr=0x1.0x1 "

typedef struct Machine {
    QTestState *qts;
    QOSBus bus;
    QPCIeHost host;
} Machine;

static void machine_start(Machine *m, const char *args)
{
    m->qts = qtest_init(args);
    qtest_qos_bus_init(m->qts, &m->bus);
    qpcie_init_virt(&m->host, &m->bus);
}

static void machine_stop(Machine *m)
{
    qtest_quit(m->qts);
}

/* Two root ports in one slot, the test device behind the second. */
static void test_enumerate(void)
{
    Machine m;
    QPCIeFunc *hb, *rp1, *rp2, *itd;

    machine_start(&m, "-machine virt " RP_ARGS
                  "-device iommu-testdev,bus=rp2,id=itd0");
    g_assert_cmpuint(qpcie_enumerate(&m.host, 0), ==, 4);
    hb = qpcie_find_at(&m.host, 0, PCI_DEVFN(0, 0));
    g_assert_nonnull(hb);
    g_assert_cmphex(hb->vendor_id, ==, PCI_VENDOR_ID_REDHAT);
    g_assert_cmphex(hb->device_id, ==, PCI_DEVICE_ID_REDHAT_PCIE_HOST);
    g_assert_cmphex(hb->class_id, ==, PCI_CLASS_BRIDGE_HOST);

    rp1 = qpcie_find_at(&m.host, 0, PCI_DEVFN(1, 0));
    rp2 = qpcie_find_at(&m.host, 0, PCI_DEVFN(1, 1));
    g_assert_nonnull(rp1);
    g_assert_nonnull(rp2);
    g_assert_cmphex(rp1->device_id, ==, PCI_DEVICE_ID_REDHAT_PCIE_RP);
    g_assert_cmphex(rp1->class_id, ==, PCI_CLASS_BRIDGE_PCI);
    /* multifunction=on on function 0 is what made the scan see 1.1. */
    g_assert_cmphex(qpcie_readb(&m.host, 0, rp1->devfn, PCI_HEADER_TYPE),
                    ==, 0x81);
    g_assert_cmphex(qpcie_readb(&m.host, 0, rp2->devfn, PCI_HEADER_TYPE),
                    ==, 0x01);
    /* The numbers the scan programmed read back. */
    g_assert_cmpuint(rp1->secondary, ==, 1);
    g_assert_cmpuint(rp2->secondary, ==, 2);
    g_assert_cmpuint(qpcie_readb(&m.host, 0, rp2->devfn, PCI_PRIMARY_BUS),
                     ==, 0);
    g_assert_cmpuint(qpcie_readb(&m.host, 0, rp2->devfn, PCI_SECONDARY_BUS),
                     ==, 2);
    g_assert_cmpuint(qpcie_readb(&m.host, 0, rp2->devfn,
                                 PCI_SUBORDINATE_BUS), ==, 2);
    /* Root ports: PCIe capability of a root port, port and slot. */
    {
        uint8_t cap = qpcie_readb(&m.host, 0, rp2->devfn,
                                  PCI_CAPABILITY_LIST);

        g_assert_cmphex(qpcie_readw(&m.host, 0, rp2->devfn, PCI_STATUS) &
                        PCI_STATUS_CAP_LIST, ==, PCI_STATUS_CAP_LIST);
        g_assert_cmphex(qpcie_readb(&m.host, 0, rp2->devfn, cap), ==,
                        PCI_CAP_ID_EXP);
        g_assert_cmphex((qpcie_readw(&m.host, 0, rp2->devfn,
                                     cap + PCI_EXP_FLAGS) >> 4) & 0xf, ==,
                        PCI_EXP_TYPE_ROOT_PORT);
        g_assert_cmpuint(qpcie_readl(&m.host, 0, rp2->devfn,
                                     cap + PCI_EXP_LNKCAP) >> 24, ==, 9);
    }

    itd = qpcie_find(&m.host, IOMMU_TESTDEV_VENDOR_ID,
                     IOMMU_TESTDEV_DEVICE_ID, 0);
    g_assert_nonnull(itd);
    g_assert_cmpuint(itd->bus, ==, 2);
    g_assert_cmpuint(itd->devfn, ==, 0);
    g_assert_cmphex(itd->class_id, ==, PCI_CLASS_OTHERS);
    g_assert_cmphex(itd->bar_size[0], ==, ITD_BAR0_SIZE);
    /* In the 32-bit window, inside rp2's memory window. */
    g_assert_cmphex(itd->bar_addr[0], >=, QPCIE_VIRT_MMIO);
    g_assert_cmphex(itd->bar_addr[0], >=,
                    (uint64_t)qpcie_readw(&m.host, 0, rp2->devfn,
                                          PCI_MEMORY_BASE) << 16);
    g_assert_cmphex(itd->bar_addr[0] + ITD_BAR0_SIZE - 1, <=,
                    ((uint64_t)qpcie_readw(&m.host, 0, rp2->devfn,
                                           PCI_MEMORY_LIMIT) << 16) |
                    0xfffff);
    /* Nothing on bus 1; nothing past the buses the scan numbered. */
    g_assert_cmphex(qpcie_readw(&m.host, 1, 0, PCI_VENDOR_ID), ==, 0xffff);
    g_assert_cmphex(qpcie_readw(&m.host, 3, 0, PCI_VENDOR_ID), ==, 0xffff);

    qpcie_enable(itd);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_LEN), ==, 0);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_RESULT), ==,
                    ITD_DMA_RESULT_IDLE);
    machine_stop(&m);
}

/* BAR sizing: all-ones reads back the size mask and the type bits. */
static void test_bar_sizing(void)
{
    Machine m;
    QPCIeFunc *itd;
    uint32_t v;

    machine_start(&m, "-machine virt -device iommu-testdev,addr=4");
    g_assert_cmpuint(qpcie_enumerate(&m.host, 0), ==, 2);
    itd = qpcie_find_at(&m.host, 0, PCI_DEVFN(4, 0));
    g_assert_nonnull(itd);
    qpcie_writel(&m.host, 0, itd->devfn, PCI_BASE_ADDRESS_0, 0xffffffff);
    v = qpcie_readl(&m.host, 0, itd->devfn, PCI_BASE_ADDRESS_0);
    g_assert_cmphex(v, ==, 0xfffff000);
    /* Unimplemented BARs and read-only IDs stay 0 / unchanged. */
    qpcie_writel(&m.host, 0, itd->devfn, PCI_BASE_ADDRESS_0 + 4, 0xffffffff);
    g_assert_cmphex(qpcie_readl(&m.host, 0, itd->devfn,
                                PCI_BASE_ADDRESS_0 + 4), ==, 0);
    qpcie_writel(&m.host, 0, itd->devfn, PCI_VENDOR_ID, 0);
    g_assert_cmphex(qpcie_readw(&m.host, 0, itd->devfn, PCI_VENDOR_ID), ==,
                    IOMMU_TESTDEV_VENDOR_ID);
    /* A conventional function: nothing past 256 bytes. */
    g_assert_cmphex(qpcie_readl(&m.host, 0, itd->devfn, 0x100), ==,
                    0xffffffff);
    machine_stop(&m);
}

/* Memory decode gates the BAR, in the device and in the bridge above. */
static void test_command_memory(void)
{
    Machine m;
    QPCIeFunc *rp2, *itd;

    machine_start(&m, "-machine virt " RP_ARGS
                  "-device iommu-testdev,bus=rp2");
    qpcie_enumerate(&m.host, 0);
    rp2 = qpcie_find_at(&m.host, 0, PCI_DEVFN(1, 1));
    itd = qpcie_find(&m.host, IOMMU_TESTDEV_VENDOR_ID,
                     IOMMU_TESTDEV_DEVICE_ID, 0);
    g_assert_nonnull(itd);
    /*
     * Assigned but not enabled: nothing decodes there, and an unclaimed
     * read in the window is all-ones (as QEMU's gpex answers it); once
     * decoded, DMA_LEN reads its reset value 0.
     */
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_LEN), ==, 0xffffffff);
    qpcie_command(itd, PCI_COMMAND_MEMORY, 0);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_LEN), ==, 0);
    /* The bridge stops forwarding: gone again, back when it forwards. */
    qpcie_command(rp2, 0, PCI_COMMAND_MEMORY);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_LEN), ==, 0xffffffff);
    qpcie_command(rp2, PCI_COMMAND_MEMORY, 0);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_LEN), ==, 0);
    /* Outside the bridge's window: not forwarded. */
    qpcie_writel(&m.host, itd->bus, itd->devfn, PCI_BASE_ADDRESS_0,
                 QPCIE_VIRT_MMIO + 0x20000000);
    g_assert_cmphex(qtest_readl(m.qts, QPCIE_VIRT_MMIO + 0x20000000 +
                                ITD_REG_DMA_LEN), ==, 0xffffffff);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_LEN), ==, 0xffffffff);
    qpcie_writel(&m.host, itd->bus, itd->devfn, PCI_BASE_ADDRESS_0,
                 itd->bar_addr[0]);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_LEN), ==, 0);
    machine_stop(&m);
}

/*
 * DMA with no IOMMU and through an SMMU in bypass (GBPA, the SMMU
 * disabled) lands at the IOVA; without bus master enable, in the device
 * or the bridge above, nothing is written.
 */
static void check_dma(const char *args)
{
    const uint64_t gpa = 0x40100000;
    Machine m;
    QPCIeFunc *itd, *rp2;
    uint8_t buf[8];

    machine_start(&m, args);
    qpcie_enumerate(&m.host, 0);
    itd = qpcie_find(&m.host, IOMMU_TESTDEV_VENDOR_ID,
                     IOMMU_TESTDEV_DEVICE_ID, 0);
    rp2 = qpcie_find_at(&m.host, 0, PCI_DEVFN(1, 1));
    g_assert_nonnull(itd);
    qpcie_command(itd, PCI_COMMAND_MEMORY, PCI_COMMAND_MASTER);
    g_assert_cmphex(qitd_dma(itd, gpa, gpa, 8), ==, ITD_DMA_ERR_TX_FAIL);
    qtest_memread(m.qts, gpa, buf, sizeof(buf));
    g_assert_cmphex(buf[0] | buf[1] << 8, ==, 0);

    qpcie_command(itd, PCI_COMMAND_MASTER, 0);
    qpcie_command(rp2, 0, PCI_COMMAND_MASTER);
    g_assert_cmphex(qitd_dma(itd, gpa, gpa, 8), ==, ITD_DMA_ERR_TX_FAIL);
    qpcie_command(rp2, PCI_COMMAND_MASTER, 0);

    g_assert_cmphex(qitd_dma(itd, gpa, gpa, 8), ==, ITD_DMA_RESULT_OK);
    qtest_memread(m.qts, gpa, buf, sizeof(buf));
    g_assert_cmphex(buf[0] | buf[1] << 8 | buf[2] << 16 |
                    (uint32_t)buf[3] << 24, ==, ITD_DMA_WRITE_VAL);
    g_assert_cmphex(buf[4], ==, 0x78);
    /* Expecting another address than the one written: a mismatch. */
    g_assert_cmphex(qitd_dma(itd, gpa, gpa + 0x1000, 4), ==,
                    ITD_DMA_ERR_MISMATCH);
    /* Outside RAM: the DMA write fails. */
    g_assert_cmphex(qitd_dma(itd, 0x1000, 0x1000, 4), ==,
                    ITD_DMA_ERR_TX_FAIL);
    /* Not armed, zero length, bad attributes. */
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_TRIGGERING), ==, 0);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_RESULT), ==,
                    ITD_DMA_ERR_NOT_ARMED);
    g_assert_cmphex(qitd_dma(itd, gpa, gpa, 0), ==, ITD_DMA_ERR_BAD_LEN);
    qitd_writel(itd, ITD_REG_DMA_ATTRS, ITD_ATTRS_SPACE_VALID |
            ITD_ATTRS_SECURE |
            ITD_ATTRS_SPACE_NONSECURE << ITD_ATTRS_SPACE_SHIFT);
    g_assert_cmphex(qitd_dma(itd, gpa, gpa, 4), ==, ITD_DMA_ERR_BAD_ATTRS);
    /* Disarming leaves the result idle. */
    qitd_writel(itd, ITD_REG_DMA_DBELL, 0);
    g_assert_cmphex(qitd_readl(itd, ITD_REG_DMA_RESULT), ==,
                    ITD_DMA_RESULT_IDLE);
    machine_stop(&m);
}

static void test_dma_no_iommu(void)
{
    check_dma("-machine virt " RP_ARGS "-device iommu-testdev,bus=rp2");
}

static void test_dma_gbpa_bypass(void)
{
    check_dma("-machine virt,iommu=smmuv3 " RP_ARGS
              "-device iommu-testdev,bus=rp2");
}

#define HOSTDEV_ARGS \
    "-machine virt -object iommufd,id=iommufd0,x-emulated-host=on " \
    "-object iothread,id=io0 " \
    "-device arm-smmuv3,primary-bus=pcie.0,accel=on,iothread=io0,id=smmu0 " \
    "-device pcie-root-port,id=rp1,chassis=1,addr=3 " \
    "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x1234,bus=rp1," \
    "id=hostdev0"

/* A host device appears with its real IDs and BAR, behind a root port. */
static void test_hostdev_config(void)
{
    Machine m;
    QPCIeFunc *f;
    uint32_t v;

    machine_start(&m, HOSTDEV_ARGS);
    qpcie_enumerate(&m.host, 0);
    f = qpcie_find(&m.host, 0x1234, 0x11e8, 0);
    g_assert_nonnull(f);
    g_assert_cmpuint(f->bus, ==, 1);
    g_assert_cmphex(f->class_id, ==, 0x00ff);
    g_assert_cmphex(qpcie_readb(&m.host, 1, 0, PCI_REVISION_ID), ==, 0x10);
    g_assert_cmphex(qpcie_readw(&m.host, 1, 0, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    0x1af4);
    g_assert_cmphex(qpcie_readw(&m.host, 1, 0, PCI_SUBSYSTEM_ID), ==, 0x1100);
    /* The host's MSI capability, read through the config region. */
    v = qpcie_readb(&m.host, 1, 0, PCI_CAPABILITY_LIST);
    g_assert_cmphex(v, ==, 0x40);
    g_assert_cmphex(qpcie_readb(&m.host, 1, 0, v), ==, 0x05);
    /* BAR0 sized from the VFIO region: 1 MiB, 32-bit memory. */
    g_assert_cmphex(f->bar_size[0], ==, 1 << 20);
    g_assert_cmphex(f->bar_size[1], ==, 0);
    qpcie_enable(f);
    /* Reaches the host's BAR0 region. */
    qtest_writel(m.qts, f->bar_addr[0] + 0x40, 0xcafe1234);
    g_assert_cmphex(qtest_readl(m.qts, f->bar_addr[0] + 0x40), ==,
                    0xcafe1234);
    g_assert_cmphex(qtest_readl(m.qts, f->bar_addr[0] + 0x44), ==, 0);
    machine_stop(&m);
}

/*
 * libvirt's own lines: root ports in one multifunction slot (JSON, addr
 * "0x1.0x1"), a host device behind the first, at the address it names.
 */
static void test_libvirt_topology(void)
{
    Machine m;
    QPCIeFunc *f;

    machine_start(&m, "-machine virt "
        "-object iommufd,id=iommufd0,x-emulated-host=on "
        "-device '{\"driver\":\"pcie-root-port\",\"port\":8,"
        "\"chassis\":1,\"id\":\"pci.1\",\"bus\":\"pcie.0\","
        "\"multifunction\":true,\"addr\":\"0x1\"}' "
        "-device '{\"driver\":\"pcie-root-port\",\"port\":9,"
        "\"chassis\":2,\"id\":\"pci.2\",\"bus\":\"pcie.0\","
        "\"addr\":\"0x1.0x1\"}' "
        "-device '{\"driver\":\"vfio-pci\",\"iommufd\":\"iommufd0\","
        "\"x-emulated-psid\":4660,\"id\":\"hostdev0\","
        "\"bus\":\"pci.2\",\"addr\":\"0x0\"}'");
    g_assert_cmpuint(qpcie_enumerate(&m.host, 0), ==, 4);
    f = qpcie_find(&m.host, 0x1234, 0x11e8, 0);
    g_assert_nonnull(f);
    g_assert_cmpuint(f->bus, ==, 2);
    g_assert_cmpuint(f->devfn, ==, 0);
    f = qpcie_find_at(&m.host, 0, PCI_DEVFN(1, 1));
    g_assert_nonnull(f);
    g_assert_cmpuint(qpcie_readl(&m.host, 0, f->devfn, 0x40 + PCI_EXP_LNKCAP)
                     >> 24, ==, 9);
    machine_stop(&m);
}

/* The vSMMU sees the requester ID the enumeration gave, and follows it. */
static void test_requester_id(void)
{
    Machine m;
    QPCIeFunc *f, *rp;
    VSMMUQuery q;

    machine_start(&m, HOSTDEV_ARGS);
    /* Before the guest numbers the root port: bus 0, devfn 0. */
    q = vsmmu_query(m.qts);
    g_assert_cmpint(q.ndevices, ==, 1);
    g_assert_cmphex(q.vsid, ==, 0x0000);
    qpcie_enumerate(&m.host, 0);
    f = qpcie_find(&m.host, 0x1234, 0x11e8, 0);
    g_assert_nonnull(f);
    q = vsmmu_query(m.qts);
    g_assert_cmphex(q.vsid, ==, qpcie_requester_id(f));
    g_assert_cmphex(q.vsid, ==, 0x0100);
    /* The guest renumbers the port: the vSID follows. */
    rp = qpcie_find_at(&m.host, 0, PCI_DEVFN(3, 0));
    g_assert_nonnull(rp);
    qpcie_writeb(&m.host, 0, rp->devfn, PCI_SUBORDINATE_BUS, 7);
    qpcie_writeb(&m.host, 0, rp->devfn, PCI_SECONDARY_BUS, 7);
    q = vsmmu_query(m.qts);
    g_assert_cmphex(q.vsid, ==, 0x0700);
    g_assert_cmphex(qpcie_readw(&m.host, 7, 0, PCI_VENDOR_ID), ==, 0x1234);
    g_assert_cmphex(qpcie_readw(&m.host, 1, 0, PCI_VENDOR_ID), ==, 0xffff);
    machine_stop(&m);
}

/*
 * libvirt's accelerated topology: the vSMMU on a pxb-pcie bus (252), a
 * root port there, the host device behind it.  Firmware that knows the
 * expander enumerates its bus; the vSID is then 253 << 8.
 */
static void test_pxb_requester_id(void)
{
    Machine m;
    QPCIeFunc *f, *rp;
    VSMMUQuery q;

    machine_start(&m, "-machine virt "
        "-object iommufd,id=iommufd0,x-emulated-host=on "
        "-object iothread,id=io0 "
        "-device pxb-pcie,id=pci.1,bus_nr=252,bus=pcie.0 "
        "-device arm-smmuv3,primary-bus=pci.1,accel=on,iothread=io0 "
        "-device pcie-root-port,id=pci.2,bus=pci.1,chassis=1,addr=0 "
        "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x1234,"
        "bus=pci.2,id=hostdev0");
    /* Bus 0: the host bridge and the expander, nothing behind it. */
    g_assert_cmpuint(qpcie_enumerate(&m.host, 0), ==, 2);
    f = qpcie_find(&m.host, PCI_VENDOR_ID_REDHAT,
                   PCI_DEVICE_ID_REDHAT_PXB_PCIE, 0);
    g_assert_nonnull(f);
    g_assert_cmphex(f->class_id, ==, PCI_CLASS_BRIDGE_HOST);
    g_assert_cmphex(vsmmu_query(m.qts).vsid, ==, 0);
    g_assert_cmpuint(qpcie_enumerate(&m.host, 252), ==, 2);
    rp = qpcie_find_at(&m.host, 252, 0);
    g_assert_nonnull(rp);
    g_assert_cmpuint(rp->secondary, ==, 253);
    f = qpcie_find(&m.host, 0x1234, 0x11e8, 0);
    g_assert_nonnull(f);
    g_assert_cmpuint(f->bus, ==, 253);
    q = vsmmu_query(m.qts);
    g_assert_cmphex(q.vsid, ==, 0xfd00);
    machine_stop(&m);
}

static JsonObject *array_obj(JsonObject *o, const char *member, guint i)
{
    JsonArray *a = json_object_get_array_member(o, member);

    g_assert_cmpuint(json_array_get_length(a), >, i);
    return json_array_get_object_element(a, i);
}

static int64_t member_int(JsonObject *o, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);

    for (int i = 0; parts[i + 1]; i++) {
        o = json_object_get_object_member(o, parts[i]);
    }
    return json_object_get_int_member(o, parts[g_strv_length(parts) - 1]);
}

/* query-pci shows the topology and the BARs as the guest programmed them. */
static void test_query_pci(void)
{
    Machine m;
    QPCIeFunc *itd;
    JsonObject *rsp, *bus0, *hb, *rp2, *dev, *bar;
    JsonArray *ret;

    machine_start(&m, "-machine virt " RP_ARGS
                  "-device iommu-testdev,bus=rp2,id=itd0");
    qpcie_enumerate(&m.host, 0);
    itd = qpcie_find(&m.host, IOMMU_TESTDEV_VENDOR_ID,
                     IOMMU_TESTDEV_DEVICE_ID, 0);
    rsp = qtest_qmp(m.qts, "{'execute': 'query-pci'}");
    ret = json_node_get_array(qtest_qmp_assert_success(rsp));
    g_assert_cmpuint(json_array_get_length(ret), ==, 1);
    bus0 = json_array_get_object_element(ret, 0);
    g_assert_cmpint(json_object_get_int_member(bus0, "bus"), ==, 0);
    hb = array_obj(bus0, "devices", 0);
    g_assert_cmpint(member_int(hb, "class_info.class"), ==, 0x0600);
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(hb, "class_info"),
                        "desc"), ==, "Host bridge");
    g_assert_cmpint(member_int(hb, "id.vendor"), ==, PCI_VENDOR_ID_REDHAT);
    rp2 = array_obj(bus0, "devices", 2);
    g_assert_cmpstr(json_object_get_string_member(rp2, "qdev_id"), ==, "rp2");
    g_assert_cmpint(json_object_get_int_member(rp2, "slot"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(rp2, "function"), ==, 1);
    g_assert_cmpint(member_int(rp2, "pci_bridge.bus.number"), ==, 0);
    g_assert_cmpint(member_int(rp2, "pci_bridge.bus.secondary"), ==, 2);
    g_assert_cmpint(member_int(rp2, "pci_bridge.bus.subordinate"), ==, 2);
    g_assert_cmphex(member_int(rp2, "pci_bridge.bus.memory_range.base"), <=,
                    itd->bar_addr[0]);
    dev = array_obj(json_object_get_object_member(rp2, "pci_bridge"),
                    "devices", 0);
    g_assert_cmpint(json_object_get_int_member(dev, "bus"), ==, 2);
    g_assert_cmpstr(json_object_get_string_member(dev, "qdev_id"), ==,
                    "itd0");
    g_assert_cmpint(member_int(dev, "id.device"), ==,
                    IOMMU_TESTDEV_DEVICE_ID);
    bar = array_obj(dev, "regions", 0);
    g_assert_cmpint(json_object_get_int_member(bar, "size"), ==,
                    ITD_BAR0_SIZE);
    /* Not decoding yet: QEMU's -1. */
    g_assert_cmpint(json_object_get_int_member(bar, "address"), ==, -1);
    json_object_unref(rsp);

    qpcie_enable(itd);
    rsp = qtest_qmp(m.qts, "{'execute': 'query-pci'}");
    ret = json_node_get_array(qtest_qmp_assert_success(rsp));
    dev = array_obj(json_object_get_object_member(
                        array_obj(json_array_get_object_element(ret, 0),
                                  "devices", 2), "pci_bridge"),
                    "devices", 0);
    bar = array_obj(dev, "regions", 0);
    g_assert_cmphex(json_object_get_int_member(bar, "address"), ==,
                    itd->bar_addr[0]);
    g_assert_false(json_object_get_boolean_member(bar, "mem_type_64"));
    json_object_unref(rsp);
    machine_stop(&m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pcie/enumerate", test_enumerate);
    g_test_add_func("/pcie/bar-sizing", test_bar_sizing);
    g_test_add_func("/pcie/command-memory", test_command_memory);
    g_test_add_func("/pcie/dma/no-iommu", test_dma_no_iommu);
    g_test_add_func("/pcie/dma/gbpa-bypass", test_dma_gbpa_bypass);
    g_test_add_func("/pcie/hostdev-config", test_hostdev_config);
    g_test_add_func("/pcie/requester-id", test_requester_id);
    g_test_add_func("/pcie/query-pci", test_query_pci);
    g_test_add_func("/pcie/libvirt-topology", test_libvirt_topology);
    g_test_add_func("/pcie/pxb-requester-id", test_pxb_requester_id);
    return g_test_run();
}
