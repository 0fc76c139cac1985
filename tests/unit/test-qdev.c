/*
 * Tests for device properties, the board (placement, paths, interrupt
 * wiring) and the virtual clock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/pci-addr.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "qemu/option.h"
#include "qemu/timer.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci-bus.h"
#include "system/machine.h"

/* A device for these tests only; the daemon never has it. */
typedef struct UnitDev {
    DeviceState parent_obj;
    bool flag;
    uint8_t u8;
    uint64_t u64;
    char *name;
    int mode;
    char *bus;
    int resets;
    uint32_t reg;
} UnitDev;

static MemTxResult unit_read(void *opaque, hwaddr addr, uint64_t *data,
                             unsigned size)
{
    UnitDev *d = opaque;

    *data = addr == 0 ? d->reg : 0;
    return MEMTX_OK;
}

static MemTxResult unit_write(void *opaque, hwaddr addr, uint64_t data,
                              unsigned size)
{
    UnitDev *d = opaque;

    d->reg = data;
    /* Writing drives output line 1 to bit 0 of the value. */
    qemu_set_irq(d->parent_obj.irqs[1], data & 1);
    return MEMTX_OK;
}

static const MemoryRegionOps unit_ops = {
    .read = unit_read,
    .write = unit_write,
    .min_access_size = 4,
    .max_access_size = 4,
};

static const char *const unit_irq_names[] = { "a", "b" };

static void unit_init(DeviceState *dev)
{
    dev->mmio_ops = &unit_ops;
    dev->mmio_size = 0x1000;
    qdev_init_irqs(dev, unit_irq_names, 2);
}

static void unit_reset(DeviceState *dev)
{
    ((UnitDev *)dev)->resets++;
}

static const Property unit_props[] = {
    DEFINE_PROP_BOOL("flag", UnitDev, flag, false, "a flag"),
    DEFINE_PROP_UINT8("u8", UnitDev, u8, 7, NULL),
    DEFINE_PROP_UINT64("u64", UnitDev, u64, 0, "big"),
    DEFINE_PROP_STRING("name", UnitDev, name, NULL),
    DEFINE_PROP_ON_OFF_AUTO("mode", UnitDev, mode, ON_OFF_AUTO_OFF,
                            "tri-state"),
    DEFINE_PROP_LINK("bus", UnitDev, bus, "link<PCI>", NULL),
    DEFINE_PROP_END_OF_LIST(),
};

static const DeviceClass unit_class = {
    .name = "x-unit-dev",
    .desc = "unit test device",
    .instance_size = sizeof(UnitDev),
    .user_creatable = true,
    .hotpluggable = true,
    .props = unit_props,
    .instance_init = unit_init,
    .reset = unit_reset,
};

static void unit_register(void)
{
    device_class_register(&unit_class);
}

type_init(unit_register)

static void test_props(void)
{
    DeviceState *dev = qdev_new("x-unit-dev", &error_abort);
    UnitDev *d = (UnitDev *)dev;
    Error *err = NULL;
    g_autofree char *s = NULL;

    g_assert_cmpuint(d->u8, ==, 7);
    g_assert_cmpint(d->mode, ==, ON_OFF_AUTO_OFF);
    g_assert_true(qdev_prop_parse(dev, "flag", "on", &error_abort));
    g_assert_true(d->flag);
    g_assert_true(qdev_prop_parse(dev, "u8", "0x20", &error_abort));
    g_assert_cmpuint(d->u8, ==, 0x20);
    g_assert_true(qdev_prop_parse(dev, "mode", "auto", &error_abort));
    g_assert_cmpint(d->mode, ==, ON_OFF_AUTO_AUTO);
    g_assert_true(qdev_prop_set_bool(dev, "flag", false, &error_abort));
    g_assert_true(qdev_prop_set_uint(dev, "u64", UINT64_MAX, &error_abort));
    s = qdev_prop_get_string(dev, qdev_prop_find(dev->klass, "u64"));
    g_assert_cmpstr(s, ==, "18446744073709551615");

    g_assert_false(qdev_prop_parse(dev, "nope", "1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'x-unit-dev.nope' not found");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_parse(dev, "flag", "maybe", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'flag' expects 'on' or 'off'");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_parse(dev, "mode", "sometimes", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'mode' does not accept value 'sometimes'");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_set_bool(dev, "u8", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'u8', expected: uint8");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_set_uint(dev, "flag", 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'flag', expected: boolean");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_set_uint(dev, "u8", 256, &err));
    error_free_or_abort(&err);
    qdev_free(dev);
}

/* Every number is checked against the field's width, never truncated. */
static void test_props_ranges(void)
{
    static const struct {
        const char *prop, *value, *error;
    } bad[] = {
        { "u8", "256", "Property x-unit-dev.u8 doesn't take value 256"
          " (minimum: 0, maximum: 255)" },
        { "u8", "0x100000001", "Property x-unit-dev.u8 doesn't take value"
          " 4294967297 (minimum: 0, maximum: 255)" },
        { "u64", "18446744073709551616", "Parameter 'u64' expects uint64" },
        { "u64", "99999999999999999999999", "Parameter 'u64' expects uint64" },
        { "u8", "-1", "Parameter 'u8' expects uint8" },
        { "u8", " 1", "Parameter 'u8' expects uint8" },
        { "u8", "1 ", "Parameter 'u8' expects uint8" },
        { "u8", "0x", "Parameter 'u8' expects uint8" },
        { "u8", "", "Parameter 'u8' expects uint8" },
        { "u8", "08", "Parameter 'u8' expects uint8" },
    };
    DeviceState *dev = qdev_new("x-unit-dev", &error_abort);
    UnitDev *d = (UnitDev *)dev;
    Error *err = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(qdev_prop_parse(dev, bad[i].prop, bad[i].value, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, bad[i].error);
        error_free_or_abort(&err);
    }
    g_assert_cmpuint(d->u8, ==, 7);
    g_assert_true(qdev_prop_parse(dev, "u8", "0377", &error_abort));
    g_assert_cmpuint(d->u8, ==, 255);
    g_assert_true(qdev_prop_parse(dev, "u64", "0xffffffffffffffff",
                                  &error_abort));
    g_assert_cmpuint(d->u64, ==, UINT64_MAX);
    qdev_free(dev);
}

/* JSON strings set only string-typed properties (issue 10). */
static void test_props_json_str(void)
{
    DeviceState *dev = qdev_new("x-unit-dev", &error_abort);
    UnitDev *d = (UnitDev *)dev;
    Error *err = NULL;

    g_assert_true(qdev_prop_set_str(dev, "name", "n", &error_abort));
    g_assert_cmpstr(d->name, ==, "n");
    g_assert_true(qdev_prop_set_str(dev, "mode", "on", &error_abort));
    g_assert_cmpint(d->mode, ==, ON_OFF_AUTO_ON);
    g_assert_true(qdev_prop_set_str(dev, "bus", "pcie.0", &error_abort));
    g_assert_cmpstr(d->bus, ==, "pcie.0");
    g_assert_false(qdev_prop_set_str(dev, "flag", "on", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'flag', expected: boolean");
    error_free_or_abort(&err);
    g_assert_false(d->flag);
    g_assert_false(qdev_prop_set_str(dev, "u8", "7", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'u8', expected: uint8");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_set_bool(dev, "name", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'name', expected: string");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_set_uint(dev, "mode", 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'mode', expected: string");
    error_free_or_abort(&err);
    g_assert_false(qdev_prop_set_str(dev, "nope", "x", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'x-unit-dev.nope' not found");
    error_free_or_abort(&err);
    qdev_free(dev);
}

static void test_pci_host_addr(void)
{
    static const char *const bad[] = {
        "", "00:01", "01.0", "1:2:3:4.0", "00:01.0x", "00:01.8", "00:20.0",
        "00:100000001.0", "100000000:00:01.0", "0:100:01.0", "10000:0:1.0",
        "00:01.0 ", " 00:01.0", "00:-1.0", "00::01.0", "00:01.",
    };
    unsigned dom, bus;
    int devfn;

    g_assert_true(qemu_parse_pci_host_addr("0000:03:1f.7", &dom, &bus,
                                           &devfn));
    g_assert_cmpuint(dom, ==, 0);
    g_assert_cmpuint(bus, ==, 3);
    g_assert_cmpint(devfn, ==, 0xff);
    g_assert_true(qemu_parse_pci_host_addr("ffff:ff:00.1", &dom, &bus,
                                           &devfn));
    g_assert_cmpuint(dom, ==, 0xffff);
    g_assert_cmpuint(bus, ==, 0xff);
    g_assert_cmpint(devfn, ==, 1);
    g_assert_true(qemu_parse_pci_host_addr("02:03.4", &dom, &bus, &devfn));
    g_assert_cmpuint(dom, ==, 0);
    g_assert_cmpuint(bus, ==, 2);
    g_assert_cmpint(devfn, ==, 3 << 3 | 4);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(qemu_parse_pci_host_addr(bad[i], &dom, &bus, &devfn));
    }
}

static void test_help(void)
{
    g_autofree char *help = qdev_class_help(&unit_class);

    g_assert_true(g_str_has_prefix(help, "x-unit-dev options:\n"));
    g_assert_nonnull(strstr(help, "  flag=<bool>"));
    g_assert_nonnull(strstr(help, "a flag (default: false)"));
    g_assert_nonnull(strstr(help, "mode=<OnOffAuto>"));
    g_assert_nonnull(strstr(help, "(default: \"off\")"));
    g_assert_nonnull(strstr(help, "bus=<link<PCI>>"));
}

static DeviceState *add(const char *params, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(params, "driver",
                                               &error_abort);

    return machine_device_add(opts, false, errp);
}

static void machine_virt(void)
{
    MachineOptions mo = { 0 };

    g_assert_true(machine_parse_opts("virt", &mo, &error_abort));
    g_assert_true(machine_create(&mo, &error_abort));
}

static void test_placement(void)
{
    DeviceState *a, *b, *c;
    Error *err = NULL;
    uint64_t v;

    machine_virt();
    a = add("x-unit-dev,id=a,flag=on", &error_abort);
    b = add("{\"driver\":\"x-unit-dev\",\"u8\":3,\"flag\":true}",
            &error_abort);
    g_assert_true(((UnitDev *)b)->flag);
    g_assert_cmpuint(((UnitDev *)b)->u8, ==, 3);
    g_assert_cmphex(memory_region_base(a->mmio), ==, VIRT_PLATFORM_BUS_BASE);
    g_assert_cmphex(memory_region_base(b->mmio), ==,
                    VIRT_PLATFORM_BUS_BASE + VIRT_PLATFORM_BUS_SLOT_SIZE);
    g_assert_cmpint(machine_device_irq_base(a), ==, VIRT_PLATFORM_BUS_IRQ);
    g_assert_cmpint(machine_device_irq_base(b), ==,
                    VIRT_PLATFORM_BUS_IRQ + 2);
    g_assert_cmpstr(machine_device_path(a), ==, "/machine/peripheral/a");
    g_assert_cmpstr(machine_device_path(b), ==,
                    "/machine/peripheral-anon/device[0]");
    g_assert_true(machine_find_device("a") == a);
    g_assert_true(machine_find_device("/machine/peripheral/a") == a);
    g_assert_true(object_registry_lookup("a", "x-unit-dev") == a);

    /* Registers are reachable through the system address space. */
    address_space_cpu_write(machine_address_space(),
                            VIRT_PLATFORM_BUS_BASE, 0x1234, 4);
    address_space_cpu_read(machine_address_space(),
                           VIRT_PLATFORM_BUS_BASE, &v, 4);
    g_assert_cmphex(v, ==, 0x1234);

    g_assert_null(add("x-unit-dev,id=a", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Duplicate ID 'a' for device");
    error_free_or_abort(&err);
    /* A bad property value creates nothing. */
    g_assert_null(add("x-unit-dev,u8=300", &err));
    error_free_or_abort(&err);

    /* Removing a frees its slot and lines for the next device. */
    g_assert_true(machine_device_del(a, &error_abort));
    g_assert_null(machine_find_device("a"));
    g_assert_null(object_registry_lookup("a", NULL));
    c = add("x-unit-dev,id=c", &error_abort);
    g_assert_cmphex(memory_region_base(c->mmio), ==, VIRT_PLATFORM_BUS_BASE);
    g_assert_cmpint(machine_device_irq_base(c), ==, VIRT_PLATFORM_BUS_IRQ);

    machine_reset();
    g_assert_cmpint(((UnitDev *)b)->resets, ==, 1);
    g_assert_cmpint(((UnitDev *)c)->resets, ==, 1);
    machine_destroy();
    g_assert_null(object_registry_lookup("pcie.0", NULL));
}

static void test_pxb(void)
{
    PCIBus *bus;
    DeviceState *pxb;
    Error *err = NULL;

    machine_virt();
    bus = object_registry_lookup("pcie.0", TYPE_PCI_BUS);
    g_assert_nonnull(bus);
    g_assert_cmpuint(pci_bus_num(bus), ==, 0);
    pxb = add("pxb-pcie,id=pci.1,bus_nr=252,bus=pcie.0", &error_abort);
    bus = object_registry_lookup("pci.1", TYPE_PCI_BUS);
    g_assert_nonnull(bus);
    g_assert_cmpuint(pci_bus_num(bus), ==, 252);
    g_assert_true(machine_find_device("pci.1") == pxb);
    g_assert_null(pxb->mmio);
    g_assert_cmpint(machine_device_irq_base(pxb), ==, -1);
    g_assert_null(add("pxb-pcie,id=pci.2,bus_nr=4,bus=nope", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'pxb-pcie.bus' can't find value 'nope'");
    error_free_or_abort(&err);
    g_assert_null(add("x-unit-dev,id=pci.1", &err));
    error_free_or_abort(&err);
    g_assert_false(machine_device_del(pxb, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Device 'pci.1' does not support hot-unplugging");
    error_free_or_abort(&err);
    machine_destroy();
    g_assert_null(object_registry_lookup("pci.1", NULL));
}

typedef struct IrqLog {
    GMutex lock;
    GArray *events;     /* of int: spi << 1 | level */
} IrqLog;

static void observe(void *opaque, int n, int level)
{
    IrqLog *log = opaque;
    int e = n << 1 | level;

    g_mutex_lock(&log->lock);
    g_array_append_val(log->events, e);
    g_mutex_unlock(&log->lock);
}

static gpointer irq_thread(gpointer opaque)
{
    DeviceState *dev = opaque;

    for (int i = 0; i < 100; i++) {
        qemu_set_irq(dev->irqs[0], i & 1);
    }
    return NULL;
}

static void test_irq_wiring(void)
{
    IrqLog log = { .events = g_array_new(FALSE, FALSE, sizeof(int)) };
    DeviceState *dev;
    GThread *t;

    machine_virt();
    dev = add("x-unit-dev,id=d", &error_abort);
    machine_set_gic_observer(observe, &log);
    /* A register write drives line 1: SPI 113. */
    address_space_cpu_write(machine_address_space(),
                            VIRT_PLATFORM_BUS_BASE, 1, 4);
    g_assert_cmpuint(log.events->len, ==, 1);
    g_assert_cmpint(g_array_index(log.events, int, 0), ==,
                    (VIRT_PLATFORM_BUS_IRQ + 1) << 1 | 1);
    /* From another thread, in order. */
    t = g_thread_new("irq", irq_thread, dev);
    g_thread_join(t);
    g_assert_cmpuint(log.events->len, ==, 101);
    for (int i = 0; i < 100; i++) {
        g_assert_cmpint(g_array_index(log.events, int, i + 1), ==,
                        VIRT_PLATFORM_BUS_IRQ << 1 | (i & 1));
    }
    machine_destroy();
    g_array_free(log.events, TRUE);
}

static void timer_cb(void *opaque)
{
    GArray *fired = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    g_array_append_val(fired, now);
}

static void test_virtual_clock(void)
{
    GArray *fired = g_array_new(FALSE, FALSE, sizeof(int64_t));
    QEMUTimer *a = timer_new_ns(QEMU_CLOCK_VIRTUAL, timer_cb, fired);
    QEMUTimer *b = timer_new_ns(QEMU_CLOCK_VIRTUAL, timer_cb, fired);

    qemu_clock_set_manual(true);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, 0);
    g_assert_cmpint(qemu_clock_deadline_ns(QEMU_CLOCK_VIRTUAL), ==, -1);
    timer_mod(a, 300);
    timer_mod(b, 100);
    g_assert_true(timer_pending(a));
    g_assert_cmpint(timer_expire_time_ns(b), ==, 100);
    g_assert_cmpint(qemu_clock_deadline_ns(QEMU_CLOCK_VIRTUAL), ==, 100);
    g_assert_cmpint(qemu_clock_advance_virtual(50), ==, 50);
    g_assert_cmpuint(fired->len, ==, 0);
    /* Each timer runs at its own expiry time, in order. */
    g_assert_cmpint(qemu_clock_advance_virtual(1000), ==, 1000);
    g_assert_cmpuint(fired->len, ==, 2);
    g_assert_cmpint(g_array_index(fired, int64_t, 0), ==, 100);
    g_assert_cmpint(g_array_index(fired, int64_t, 1), ==, 300);
    g_assert_false(timer_pending(a));
    /* Never backwards; cancelled timers do not fire. */
    g_assert_cmpint(qemu_clock_advance_virtual(10), ==, 1000);
    timer_mod(a, 2000);
    timer_del(a);
    g_assert_cmpint(qemu_clock_advance_virtual(3000), ==, 3000);
    g_assert_cmpuint(fired->len, ==, 2);
    timer_free(a);
    timer_free(b);
    qemu_clock_set_manual(false);
    g_array_free(fired, TRUE);
}

/* Equal expiry times fire in arming order; re-arming moves a timer back. */
static void test_timer_order(void)
{
    GArray *fired = g_array_new(FALSE, FALSE, sizeof(int64_t));
    QEMUTimer *t[64];
    GRand *rand = g_rand_new_with_seed(1);
    int64_t last = -1;

    qemu_clock_set_manual(true);
    for (int i = 0; i < 64; i++) {
        t[i] = timer_new_ns(QEMU_CLOCK_VIRTUAL, timer_cb, fired);
        timer_mod(t[i], g_rand_int_range(rand, 1, 1000));
    }
    /* Cancel every fourth one; they must not fire. */
    for (int i = 0; i < 64; i += 4) {
        timer_del(t[i]);
    }
    g_assert_cmpint(qemu_clock_advance_virtual(1000), ==, 1000);
    g_assert_cmpuint(fired->len, ==, 48);
    for (guint i = 0; i < fired->len; i++) {
        g_assert_cmpint(g_array_index(fired, int64_t, i), >=, last);
        last = g_array_index(fired, int64_t, i);
    }
    for (int i = 0; i < 64; i++) {
        g_assert_false(timer_pending(t[i]));
        timer_free(t[i]);
    }
    qemu_clock_set_manual(false);
    g_rand_free(rand);
    g_array_free(fired, TRUE);
}

static void record_a(void *opaque)
{
    g_string_append_c(opaque, 'a');
}

static void record_b(void *opaque)
{
    g_string_append_c(opaque, 'b');
}

static void record_x(void *opaque)
{
    g_string_append_c(opaque, 'x');
}

static void test_timer_ties(void)
{
    GString *log = g_string_new(NULL);
    QEMUTimer *a = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_a, log);
    QEMUTimer *b = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_b, log);
    QEMUTimer *x = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_x, log);

    qemu_clock_set_manual(true);
    timer_mod(a, 10);
    timer_mod(b, 10);
    timer_mod(x, 10);
    /* Re-arming a at the same time puts it after the others. */
    timer_mod(a, 10);
    qemu_clock_advance_virtual(10);
    g_assert_cmpstr(log->str, ==, "bxa");
    timer_free(a);
    timer_free(b);
    timer_free(x);
    qemu_clock_set_manual(false);
    g_string_free(log, TRUE);
}

typedef struct RegistryWalk {
    GString *ids;
} RegistryWalk;

static void registry_collect(const char *id, const char *type, void *obj,
                             void *opaque)
{
    RegistryWalk *w = opaque;

    g_string_append_printf(w->ids, "%s:%s ", id, type);
    if (!strcmp(id, "b")) {
        /* Removing the current entry during the walk is allowed. */
        g_assert_true(object_registry_remove(id));
    }
}

static void test_registry(void)
{
    RegistryWalk w = { .ids = g_string_new(NULL) };
    int objs[4];
    char id[16];
    Error *err = NULL;

    g_assert_true(object_registry_add("c", "t1", &objs[0], &error_abort));
    g_assert_true(object_registry_add("a", "t2", &objs[1], &error_abort));
    g_assert_true(object_registry_add("b", "t1", &objs[2], &error_abort));
    g_assert_false(object_registry_add("a", "t1", &objs[3], &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Duplicate ID 'a' for t1");
    error_free_or_abort(&err);
    g_assert_true(object_registry_lookup("a", "t2") == &objs[1]);
    g_assert_null(object_registry_lookup("a", "t1"));
    g_assert_cmpstr(object_registry_type("b"), ==, "t1");
    g_assert_null(object_registry_resolve("x", "p", "a", "t1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'x.p' expects a t1, 'a' is a t2");
    error_free_or_abort(&err);

    /* Insertion order, not id order; a type filter. */
    object_registry_foreach(NULL, registry_collect, &w);
    g_assert_cmpstr(w.ids->str, ==, "c:t1 a:t2 b:t1 ");
    g_string_truncate(w.ids, 0);
    object_registry_foreach("t1", registry_collect, &w);
    g_assert_cmpstr(w.ids->str, ==, "c:t1 ");
    g_assert_false(object_registry_remove("b"));

    /* A removed id can be taken again, at the end of the order. */
    g_assert_true(object_registry_remove("c"));
    g_assert_true(object_registry_add("c", "t3", &objs[0], &error_abort));
    for (int i = 0; i < 1000; i++) {
        g_snprintf(id, sizeof(id), "obj%d", i);
        g_assert_true(object_registry_add(id, "many", objs, &error_abort));
    }
    g_assert_true(object_registry_lookup("obj999", "many") == objs);
    g_string_truncate(w.ids, 0);
    object_registry_foreach("t3", registry_collect, &w);
    object_registry_foreach("t2", registry_collect, &w);
    g_assert_cmpstr(w.ids->str, ==, "c:t3 a:t2 ");
    object_registry_clear();
    g_assert_null(object_registry_lookup("a", NULL));
    g_string_free(w.ids, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qdev/props", test_props);
    g_test_add_func("/qdev/props/ranges", test_props_ranges);
    g_test_add_func("/qdev/props/json-str", test_props_json_str);
    g_test_add_func("/qdev/pci-host-addr", test_pci_host_addr);
    g_test_add_func("/qdev/help", test_help);
    g_test_add_func("/machine/placement", test_placement);
    g_test_add_func("/machine/pxb-pcie", test_pxb);
    g_test_add_func("/machine/irq-wiring", test_irq_wiring);
    g_test_add_func("/timer/virtual-clock", test_virtual_clock);
    g_test_add_func("/timer/order", test_timer_order);
    g_test_add_func("/timer/ties", test_timer_ties);
    g_test_add_func("/registry/order", test_registry);
    return g_test_run();
}
