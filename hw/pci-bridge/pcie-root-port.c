/*
 * pcie-root-port: a PCI Express root port (QEMU's generic one,
 * 1b36:000c), the bridge libvirt puts each host device behind:
 *
 *   -device '{"driver":"pcie-root-port","port":8,"chassis":1,"id":"pci.1",
 *             "bus":"pcie.0","multifunction":true,"addr":"0x1"}'
 *   -device '{"driver":"vfio-pci","host":"0000:01:00.0","id":"hostdev0",
 *             "bus":"pci.1","addr":"0x0"}'
 *
 * A type-1 header (bus numbers, windows, bridge control: the guest
 * programs them, hw/pci/pci-bridge.c gives them meaning) with a PCIe
 * capability of a root port: port number in the link capabilities,
 * physical slot number (slot=) in the slot capabilities.  Its secondary
 * bus is named by its id and holds device 0 only.  chassis= is kept
 * for query output; nothing routes by it.
 *
 * The slot is a native PCIe hot-plug slot (PCIe Base spec 6.7), as
 * QEMU's root port is by default: attention button, power controller,
 * attention and power indicators, presence detect and data link layer
 * state reporting, command completed on every Slot Control write, and
 * the hot-plug interrupt as the port's own MSI (hw/pci/msi.c).
 * device_del of the device in the slot presses the attention button
 * when the guest's hot-plug driver listens (Hot-Plug Interrupt and
 * Attention Button enabled, slot powered); the guest powers the slot
 * off (power controller off, power indicator off) and the port then
 * releases the device to the board (pci_host_release_device()), which
 * removes it.  A guest that powers a populated slot off unasked
 * releases its device the same way.  Nobody listening, or the slot
 * already off: device_del removes the device at once.
 * See docs/system/vsmmu-daemon.rst, "Hot-unplug".
 *
 * State: the config space (the PCI core's), the bus, irq_level and
 * unplug_requested; main thread only (config accesses, device_add and
 * device_del, resets).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci-device.h"
#include "hw/pci/msi.h"
#include "trace.h"

#define TYPE_PCIE_ROOT_PORT "pcie-root-port"

/* Slot Control bits the guest may write (PCIe Base spec 7.5.3.10). */
#define RP_SLTCTL_WMASK \
    (PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_CCIE | \
     PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_AIC | PCI_EXP_SLTCTL_PIC | \
     PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_DLLSCE)
/* The events this slot reports (RW1C in Slot Status). */
#define RP_SLTSTA_EVENTS \
    (PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC | \
     PCI_EXP_SLTSTA_DLLSC)
#define RP_IND(v, shift) ((uint16_t)PCI_EXP_SLTCTL_IND_##v << (shift))

typedef struct PCIERootPort {
    PCIDevice parent_obj;
    uint8_t port;
    uint8_t chassis;
    uint16_t slot;
    bool irq_level;             /* the hot-plug interrupt condition */
    bool unplug_requested;      /* attention button pressed by device_del */
} PCIERootPort;

static uint8_t *rp_cap(PCIERootPort *rp)
{
    return rp->parent_obj.config + rp->parent_obj.pcie_cap;
}

static uint16_t rp_sltctl(PCIERootPort *rp)
{
    return pci_get_word(rp_cap(rp) + PCI_EXP_SLTCTL);
}

static uint16_t rp_sltsta(PCIERootPort *rp)
{
    return pci_get_word(rp_cap(rp) + PCI_EXP_SLTSTA);
}

static void rp_sltsta_update(PCIERootPort *rp, uint16_t set, uint16_t clear)
{
    uint8_t *c = rp_cap(rp);

    pci_set_word(c + PCI_EXP_SLTSTA, (rp_sltsta(rp) & ~clear) | set);
}

static PCIDevice *rp_child(PCIERootPort *rp)
{
    PCIBus *sec = rp->parent_obj.sec_bus;

    return sec ? sec->devices[0] : NULL;
}

/* Power controller off and power indicator off (QEMU's rule too). */
static bool sltctl_powered_off(uint16_t sltctl)
{
    return (sltctl & PCI_EXP_SLTCTL_PCC) &&
           (sltctl & PCI_EXP_SLTCTL_PIC) == RP_IND(OFF,
                                                   PCI_EXP_SLTCTL_PIC_SHIFT);
}

/*
 * The hot-plug interrupt (PCIe Base spec 6.7.3.4): Hot-Plug Interrupt
 * Enable and an enabled event pending.  MSI is an edge: one message
 * when the condition becomes true, the next only after software
 * cleared every enabled event.
 */
static void rp_update_irq(PCIERootPort *rp)
{
    uint16_t ctl = rp_sltctl(rp), sta = rp_sltsta(rp), enabled = 0;
    bool level;

    enabled |= ctl & PCI_EXP_SLTCTL_ABPE ? PCI_EXP_SLTSTA_ABP : 0;
    enabled |= ctl & PCI_EXP_SLTCTL_PDCE ? PCI_EXP_SLTSTA_PDC : 0;
    enabled |= ctl & PCI_EXP_SLTCTL_CCIE ? PCI_EXP_SLTSTA_CC : 0;
    enabled |= ctl & PCI_EXP_SLTCTL_DLLSCE ? PCI_EXP_SLTSTA_DLLSC : 0;
    level = (ctl & PCI_EXP_SLTCTL_HPIE) && (sta & enabled);
    if (level && !rp->irq_level) {
        MemTxResult r = msi_notify(&rp->parent_obj);

        trace_pcie_root_port_irq(rp->parent_obj.parent_obj.id ?: "", sta,
                                 ctl, r);
    }
    rp->irq_level = level;
}

/* Presence and link as the slot's occupant makes them. */
static void rp_set_presence(PCIERootPort *rp, bool present)
{
    uint8_t *c = rp_cap(rp);
    uint16_t lnksta = pci_get_word(c + PCI_EXP_LNKSTA);

    if (present) {
        rp_sltsta_update(rp, PCI_EXP_SLTSTA_PDS, 0);
        lnksta |= PCI_EXP_LNKSTA_DLLLA;
    } else {
        rp_sltsta_update(rp, 0, PCI_EXP_SLTSTA_PDS);
        lnksta &= ~PCI_EXP_LNKSTA_DLLLA;
    }
    pci_set_word(c + PCI_EXP_LNKSTA, lnksta);
}

/* Slot power and indicators: on when populated, else off. */
static void rp_set_power(PCIERootPort *rp, bool on)
{
    uint8_t *c = rp_cap(rp);
    uint16_t ctl = rp_sltctl(rp);

    ctl &= ~(PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC);
    ctl |= RP_IND(OFF, PCI_EXP_SLTCTL_AIC_SHIFT);
    ctl |= on ? RP_IND(ON, PCI_EXP_SLTCTL_PIC_SHIFT)
              : PCI_EXP_SLTCTL_PCC | RP_IND(OFF, PCI_EXP_SLTCTL_PIC_SHIFT);
    pci_set_word(c + PCI_EXP_SLTCTL, ctl);
}

static void rp_plugged(PCIBus *bus, void *opaque, PCIDevice *dev)
{
    PCIERootPort *rp = opaque;

    rp_set_presence(rp, true);
    if (!dev->parent_obj.hotplugged) {
        /* Cold plug: as a reset finds the slot, powered. */
        rp_set_power(rp, true);
        return;
    }
    /* Hot plug: the slot stays as the guest left it; it sees the card. */
    rp_sltsta_update(rp, PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC, 0);
    trace_pcie_root_port_plug(rp->parent_obj.parent_obj.id ?: "");
    rp_update_irq(rp);
}

static void rp_unplugged(PCIBus *bus, void *opaque, PCIDevice *dev)
{
    PCIERootPort *rp = opaque;

    rp->unplug_requested = false;
    rp_set_presence(rp, false);
    rp_sltsta_update(rp, PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC, 0);
    trace_pcie_root_port_unplug(rp->parent_obj.parent_obj.id ?: "");
    rp_update_irq(rp);
}

static PCIUnplugResult rp_unplug_request(PCIBus *bus, void *opaque,
                                         PCIDevice *dev)
{
    PCIERootPort *rp = opaque;
    uint16_t ctl = rp_sltctl(rp);
    const char *id = rp->parent_obj.parent_obj.id ?: "";

    if (sltctl_powered_off(ctl)) {
        trace_pcie_root_port_unplug_request(id, ctl, "slot off: now");
        return PCI_UNPLUG_NOW;
    }
    if (!(ctl & PCI_EXP_SLTCTL_HPIE) || !(ctl & PCI_EXP_SLTCTL_ABPE)) {
        /* No hot-plug driver listens for the button: nobody to ask. */
        trace_pcie_root_port_unplug_request(id, ctl, "no driver: now");
        return PCI_UNPLUG_NOW;
    }
    trace_pcie_root_port_unplug_request(id, ctl, "attention button");
    rp->unplug_requested = true;
    rp_sltsta_update(rp, PCI_EXP_SLTSTA_ABP, 0);
    rp_update_irq(rp);
    return PCI_UNPLUG_PENDING;
}

static const PCIHotplugOps rp_hotplug_ops = {
    .plugged = rp_plugged,
    .unplugged = rp_unplugged,
    .unplug_request = rp_unplug_request,
};

/* A Slot Control write is one command: done at once (6.7.3.2). */
static void rp_slot_command(PCIERootPort *rp, uint16_t old_ctl)
{
    uint16_t ctl = rp_sltctl(rp);
    PCIDevice *child = rp_child(rp);

    trace_pcie_root_port_slot_control(rp->parent_obj.parent_obj.id ?: "",
                                      old_ctl, ctl);
    /* Only the transition: guests rewrite the control of off slots. */
    if (child && sltctl_powered_off(ctl) && !sltctl_powered_off(old_ctl)) {
        pci_host_release_device(child);
    }
    rp_sltsta_update(rp, PCI_EXP_SLTSTA_CC, 0);
}

static bool range_hits(uint32_t addr, unsigned len, uint32_t reg,
                       unsigned reg_len)
{
    return addr < reg + reg_len && reg < addr + len;
}

static void root_port_config_write(PCIDevice *pdev, uint32_t addr,
                                   uint32_t val, unsigned len)
{
    PCIERootPort *rp = (PCIERootPort *)pdev;
    uint16_t old_ctl = rp_sltctl(rp);

    pci_default_config_write(pdev, addr, val, len);
    if (range_hits(addr, len, pdev->pcie_cap + PCI_EXP_SLTCTL, 2)) {
        rp_slot_command(rp, old_ctl);
    }
    /* Slot Control, Slot Status (RW1C) or MSI enable may have changed. */
    rp_update_irq(rp);
}

static void root_port_reset(PCIDevice *pdev)
{
    PCIERootPort *rp = (PCIERootPort *)pdev;
    PCIDevice *child = rp_child(rp);

    rp->irq_level = false;
    rp_set_presence(rp, child);
    rp_set_power(rp, child);
    if (child && rp->unplug_requested) {
        /* The guest asked is gone; the request is granted. */
        pci_host_release_device(child);
    }
}

static void root_port_slot_init(PCIERootPort *rp)
{
    PCIDevice *pdev = &rp->parent_obj;
    uint8_t cap = pdev->pcie_cap, *c = pdev->config + cap;

    pci_set_word(c + PCI_EXP_FLAGS,
                 pci_get_word(c + PCI_EXP_FLAGS) | PCI_EXP_FLAGS_SLOT);
    pci_set_long(c + PCI_EXP_LNKCAP,
                 pci_get_long(c + PCI_EXP_LNKCAP) | PCI_EXP_LNKCAP_DLLLARC |
                 (uint32_t)rp->port << 24);
    pci_set_long(c + PCI_EXP_SLTCAP,
                 PCI_EXP_SLTCAP_ABP | PCI_EXP_SLTCAP_PCP |
                 PCI_EXP_SLTCAP_AIP | PCI_EXP_SLTCAP_PIP |
                 PCI_EXP_SLTCAP_HPC |
                 (uint32_t)rp->slot << PCI_EXP_SLTCAP_PSN_SHIFT);
    /* Empty at realize: link down, slot off; plugged() and reset adjust. */
    pci_set_word(c + PCI_EXP_LNKSTA,
                 pci_get_word(c + PCI_EXP_LNKSTA) & ~PCI_EXP_LNKSTA_DLLLA);
    rp_set_power(rp, false);
    pci_set_word(pdev->wmask + cap + PCI_EXP_SLTCTL, RP_SLTCTL_WMASK);
    pci_set_word(pdev->w1cmask + cap + PCI_EXP_SLTSTA, RP_SLTSTA_EVENTS);
    pci_set_word(pdev->wmask + cap + PCI_EXP_RTCTL, 0x001f);
    pci_set_long(pdev->w1cmask + cap + PCI_EXP_RTSTA, 0x00010000);
}

static bool root_port_realize(PCIDevice *pdev, Error **errp)
{
    PCIERootPort *rp = (PCIERootPort *)pdev;
    DeviceState *dev = &pdev->parent_obj;
    static unsigned anon;
    g_autofree char *name = NULL;

    pcie_cap_init(pdev, PCI_EXP_TYPE_ROOT_PORT);
    root_port_slot_init(rp);
    if (!msi_init(pdev, errp)) {
        return false;
    }
    name = dev->id ? g_strdup(dev->id)
                   : g_strdup_printf(TYPE_PCIE_ROOT_PORT ".%u", anon++);
    pdev->sec_bus = pci_secondary_bus_new(pdev, name);
    pdev->sec_bus->hotplug_ops = &rp_hotplug_ops;
    pdev->sec_bus->hotplug_opaque = rp;
    if (dev->id && !pci_bus_register(pdev->sec_bus, errp)) {
        g_clear_pointer(&pdev->sec_bus, pci_bus_free);
        return false;
    }
    return true;
}

static void root_port_exit(PCIDevice *pdev)
{
    g_clear_pointer(&pdev->sec_bus, pci_bus_free);
}

static const Property root_port_props[] = {
    DEFINE_PCI_DEVICE_PROPERTIES(),
    DEFINE_PROP_UINT8("port", PCIERootPort, port, 0,
                      "port number (link capabilities)"),
    DEFINE_PROP_UINT8("chassis", PCIERootPort, chassis, 0,
                      "chassis number"),
    DEFINE_PROP_UINT16("slot", PCIERootPort, slot, 0,
                       "physical slot number (slot capabilities)"),
    DEFINE_PROP_END_OF_LIST(),
};

static const PCIDeviceClass root_port_class = {
    .parent_class = {
        .name = TYPE_PCIE_ROOT_PORT,
        .desc = "PCI Express Root Port",
        .category = "bridge",
        .instance_size = sizeof(PCIERootPort),
        .user_creatable = true,
        .props = root_port_props,
        .parent = TYPE_PCI_DEVICE,
        PCI_DEVICE_CLASS_HOOKS,
    },
    .vendor_id = PCI_VENDOR_ID_REDHAT,
    .device_id = PCI_DEVICE_ID_REDHAT_PCIE_RP,
    .class_id = PCI_CLASS_BRIDGE_PCI,
    .is_bridge = true,
    .is_express = true,
    .pci_realize = root_port_realize,
    .pci_exit = root_port_exit,
    .pci_reset = root_port_reset,
    .config_write = root_port_config_write,
};

static void root_port_register_types(void)
{
    device_class_register(&root_port_class.parent_class);
}

type_init(root_port_register_types)
