/*
 * The KVM guest: guest options, the board device a Linux guest needs
 * besides the machine's (PL011; the PCIe host is the virt machine's),
 * the serial backend, the device tree and boot images, and power-off and
 * reset.
 *
 * Owns the guest's options (kvm_guest), the PL011 at VIRT_UART_BASE and
 * its backend, the ITS doorbell's registration in the address space
 * (devices' MSIs to the in-kernel ITS), the boot images and the device
 * tree.
 * Everything here runs in the main thread, including kvm_guest_event()
 * (the vCPU threads reach it through kvm-arm64.c) and the PL011 sink,
 * because MMIO exits are served in the main thread; the PL011's own lock
 * guards its registers.  Host-specific VM code: kvm-arch.h.
 *
 * Layering: accel/ sits at the system level (it drives the machine):
 * it uses system/machine.h, system/runstate.h, system/qmp.h and the
 * chardev API; devices never call it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "chardev/char.h"
#include "hw/arm/boot.h"
#include "hw/arm/virt-fdt.h"
#include "hw/char/pl011.h"
#include "hw/pci-host/ecam-host.h"
#include "hw/qdev-properties.h"
#include "system/kvm.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "kvm-arch.h"
#include "trace.h"
#include <glib-unix.h>

#define MAX_SMMUS 8

static struct {
    bool selected;
    const char *kernel, *initrd, *append, *dtb, *cpu, *smp, *serial;
    bool nographic, no_shutdown, no_reboot;
    bool started;
    bool running;               /* vCPUs started */
    bool paused;                /* powered off under -no-shutdown */
    bool doorbell;              /* the ITS doorbell is registered */
    unsigned ncpus;
    uint64_t resets;
    ArmBootInfo boot;
    void *fdt;
    size_t fdt_size;
    PL011State *uart;
    qemu_irq uart_irq;
    MemoryRegion *uart_mr;
    /* The serial backend: an fd (stdout, a file) or a chardev connection. */
    int serial_fd;
    bool serial_fd_owned;
    guint stdin_src;
    CharConn *serial_conn;
} kvm_guest = { .serial_fd = -1 };

void kvm_accel_select(void)
{
    kvm_guest.selected = true;
}

bool kvm_accel_selected(void)
{
    return kvm_guest.selected;
}

void kvm_guest_opt(const char *name, const char *arg)
{
    static const struct { const char *name; size_t off; } str_opts[] = {
        { "kernel", offsetof(typeof(kvm_guest), kernel) },
        { "initrd", offsetof(typeof(kvm_guest), initrd) },
        { "append", offsetof(typeof(kvm_guest), append) },
        { "dtb", offsetof(typeof(kvm_guest), dtb) },
        { "cpu", offsetof(typeof(kvm_guest), cpu) },
        { "smp", offsetof(typeof(kvm_guest), smp) },
        { "serial", offsetof(typeof(kvm_guest), serial) },
    };

    if (!strcmp(name, "nographic")) {
        kvm_guest.nographic = true;
        return;
    }
    if (!strcmp(name, "no-shutdown")) {
        kvm_guest.no_shutdown = true;
        return;
    }
    if (!strcmp(name, "no-reboot")) {
        kvm_guest.no_reboot = true;
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(str_opts); i++) {
        if (!strcmp(str_opts[i].name, name)) {
            *(const char **)((char *)&kvm_guest + str_opts[i].off) = arg;
            return;
        }
    }
    g_assert_not_reached();
}

/* ---- Options ------------------------------------------------------------ */

/* -smp N or -smp [cpus=]N[,sockets=..,cores=..,threads=..,maxcpus=..]. */
static bool parse_smp(unsigned *ncpus, Error **errp)
{
    g_autoptr(QemuOpts) opts = NULL;
    const char *cpus;
    guint64 n;

    *ncpus = 1;
    if (!kvm_guest.smp) {
        return true;
    }
    opts = qemu_opts_parse(kvm_guest.smp, "cpus", errp);
    if (!opts) {
        error_prepend(errp, "-smp %s: ", kvm_guest.smp);
        return false;
    }
    cpus = qemu_opt_get_str(opts, "cpus", NULL);
    if (!cpus) {
        return true;
    }
    if (!g_ascii_string_to_unsigned(cpus, 10, 1, VIRT_MAX_CPUS, &n, NULL)) {
        error_setg(errp, "-smp %s: the number of CPUs must be 1 to %u (the"
                   " virt board's GICv3 redistributor space)",
                   kvm_guest.smp, VIRT_MAX_CPUS);
        return false;
    }
    *ncpus = n;
    return true;
}

static bool check_opts(bool virt, bool qtest, int gic_version, Error **errp)
{
    if (!virt) {
        error_setg(errp, "-accel kvm: a guest needs -machine virt");
        return false;
    }
    if (qtest) {
        error_setg(errp, "-accel kvm: a guest cannot run under -accel qtest"
                   " or -qtest");
        return false;
    }
    if (gic_version != 0 && gic_version != 3 && gic_version != -1) {
        error_setg(errp, "-machine gic-version=%d: a KVM guest's interrupt"
                   " controller is the in-kernel GICv3 (gic-version=3)",
                   gic_version);
        return false;
    }
    if (kvm_guest.serial && strcmp(kvm_guest.serial, "none") != 0 &&
        strcmp(kvm_guest.serial, "null") != 0 &&
        strcmp(kvm_guest.serial, "stdio") != 0 &&
        !g_str_has_prefix(kvm_guest.serial, "file:") &&
        !g_str_has_prefix(kvm_guest.serial, "chardev:")) {
        error_setg(errp, "-serial %s: unsupported backend (stdio,"
                   " file:PATH, chardev:ID, none)", kvm_guest.serial);
        return false;
    }
    if (kvm_guest.cpu && strcmp(kvm_guest.cpu, "host") != 0 &&
        strcmp(kvm_guest.cpu, "max") != 0) {
        error_setg(errp, "-cpu %s: a KVM guest runs the host's CPU"
                   " (-cpu host)", kvm_guest.cpu);
        return false;
    }
    return true;
}

/* ---- Serial backend ------------------------------------------------------ */

/* PL011 sink: main thread (MMIO exits are served there). */
static void serial_sink(void *opaque, const uint8_t *buf, size_t len)
{
    if (kvm_guest.serial_conn) {
        char_conn_write(kvm_guest.serial_conn, (const char *)buf, len);
    } else if (kvm_guest.serial_fd >= 0) {
        while (len) {
            ssize_t n = write(kvm_guest.serial_fd, buf, len);

            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return;
            }
            buf += n;
            len -= n;
        }
    }
}

static void serial_conn_read(CharConn *c, const char *buf, size_t len,
                             void *opaque)
{
    pl011_receive(kvm_guest.uart, (const uint8_t *)buf, len);
}

static void serial_conn_close(CharConn *c, void *opaque)
{
    kvm_guest.serial_conn = NULL;
}

static void serial_new_conn(CharConn *c, void *opaque)
{
    if (kvm_guest.serial_conn) {
        char_conn_close(c);     /* one peer at a time */
        return;
    }
    kvm_guest.serial_conn = c;
    char_conn_set_handlers(c, serial_conn_read, serial_conn_close, NULL);
}

static gboolean serial_stdin_cb(gint fd, GIOCondition cond, gpointer opaque)
{
    uint8_t buf[256];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            return G_SOURCE_CONTINUE;
        }
        kvm_guest.stdin_src = 0;        /* EOF: output goes on */
        return G_SOURCE_REMOVE;
    }
    pl011_receive(kvm_guest.uart, buf, n);
    return G_SOURCE_CONTINUE;
}

static bool serial_open(const char *spec, Error **errp)
{
    if (!strcmp(spec, "none") || !strcmp(spec, "null")) {
        return true;
    }
    if (!strcmp(spec, "stdio")) {
        kvm_guest.serial_fd = STDOUT_FILENO;
        kvm_guest.stdin_src = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP,
                                            serial_stdin_cb, NULL);
        return true;
    }
    if (g_str_has_prefix(spec, "file:")) {
        kvm_guest.serial_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC |
                                   O_CLOEXEC, 0644);
        if (kvm_guest.serial_fd < 0) {
            error_setg_errno(errp, errno, "-serial %s: cannot open %s", spec,
                             spec + 5);
            return false;
        }
        kvm_guest.serial_fd_owned = true;
        return true;
    }
    /* chardev:ID; check_opts() refused anything else. */
    if (!qemu_chardev_open(spec + 8, serial_new_conn, NULL, errp)) {
        error_prepend(errp, "-serial %s: ", spec);
        return false;
    }
    return true;
}

/* ---- Board devices and device tree --------------------------------------- */

static void uart_irq_handler(void *opaque, int n, int level)
{
    kvm_arch_set_spi(VIRT_UART_IRQ, level);
}

static void gic_observer(void *opaque, int spi, int level)
{
    kvm_arch_set_spi(spi, level);
}

static bool add_board_devices(AddressSpace *as, Error **errp)
{
    kvm_guest.uart_irq = qemu_allocate_irq(uart_irq_handler, NULL, 0);
    kvm_guest.uart = pl011_new("pl011", kvm_guest.uart_irq, serial_sink,
                               NULL);
    kvm_guest.uart_mr = address_space_add_mmio(as, "pl011", VIRT_UART_BASE,
                                               VIRT_UART_SIZE, &pl011_ops,
                                               kvm_guest.uart, errp);
    if (!kvm_guest.uart_mr) {
        return false;
    }
    /* Device lines (the SMMUs' wired interrupts) become GIC SPIs. */
    machine_set_gic_observer(gic_observer, NULL);
    return true;
}

typedef struct SmmuList {
    VirtFdtSmmu smmus[MAX_SMMUS];
    unsigned n;
    bool overflow;
} SmmuList;

static void collect_smmu(DeviceState *dev, void *opaque)
{
    SmmuList *l = opaque;
    const Property *prop;
    VirtFdtSmmu *s;
    g_autofree char *bus = NULL;

    if (strcmp(dev->klass->name, "arm-smmuv3") != 0 || !dev->mmio) {
        return;
    }
    if (l->n == MAX_SMMUS) {
        l->overflow = true;
        return;
    }
    s = &l->smmus[l->n++];
    s->base = memory_region_base(dev->mmio);
    s->size = memory_region_size(dev->mmio);
    s->spi_base = machine_device_irq_base(dev);
    s->num_irqs = s->spi_base >= 0 ? dev->num_irqs : 0;
    s->irq_names = dev->irq_names;
    prop = qdev_prop_find(dev->klass, "primary-bus");
    bus = prop ? qdev_prop_get_string(dev, prop) : NULL;
    s->on_pcie0 = bus && !strcmp(bus, "pcie.0");
}

static bool build_fdt(unsigned ncpus, Error **errp)
{
    g_autofree uint64_t *mpidr = g_new(uint64_t, ncpus);
    SmmuList smmus = { .n = 0 };
    VirtFdtInfo info = {
        .ram_base = kvm_guest.boot.ram_base,
        .ram_size = kvm_guest.boot.ram_size,
        .num_cpus = ncpus,
        .mpidr = mpidr,
        .bootargs = kvm_guest.append,
        .initrd_start = kvm_guest.boot.initrd_addr,
        .initrd_end = kvm_guest.boot.initrd_addr +
            (kvm_guest.boot.initrd ? g_bytes_get_size(kvm_guest.boot.initrd)
                                   : 0),
    };
    g_autofree char *blob = NULL;
    gsize len;
    g_autoptr(GError) gerr = NULL;

    for (unsigned i = 0; i < ncpus; i++) {
        mpidr[i] = kvm_arch_vcpu_mpidr(i);
    }
    if (!machine_pci_host()) {
        error_setg(errp, "-accel kvm: the guest needs -machine virt");
        return false;
    }
    pcie_host_ecam(machine_pci_host(), &info.ecam_base, &info.ecam_size);
    info.high_mmio = machine_pci_host()->nr_windows > 1;
    machine_foreach_device(collect_smmu, &smmus);
    if (smmus.overflow) {
        error_setg(errp, "-accel kvm: more than %d arm-smmuv3 devices",
                   MAX_SMMUS);
        return false;
    }
    info.num_smmus = smmus.n;
    info.smmus = smmus.smmus;
    if (!kvm_guest.dtb) {
        kvm_guest.fdt = virt_fdt_create(&info, &kvm_guest.fdt_size, errp);
        return kvm_guest.fdt != NULL;
    }
    if (!g_file_get_contents(kvm_guest.dtb, &blob, &len, &gerr)) {
        error_setg(errp, "-dtb %s: %s", kvm_guest.dtb, gerr->message);
        return false;
    }
    kvm_guest.fdt = virt_fdt_from_user(blob, len, &info, &kvm_guest.fdt_size,
                                       errp);
    if (!kvm_guest.fdt) {
        error_prepend(errp, "-dtb %s: ", kvm_guest.dtb);
        return false;
    }
    return true;
}

/* ---- Start, power-off, reset ------------------------------------------- */

bool kvm_guest_start(bool virt, bool qtest, int gic_version, Error **errp)
{
    AddressSpace *as = machine_address_space();
    const char *serial;
    unsigned ncpus;
    hwaddr ram_base;
    uint64_t ram_size;
    void *host;
    int memfd;

    if (!kvm_guest.kernel) {
        if (kvm_guest.initrd || kvm_guest.dtb || kvm_guest.append) {
            error_setg(errp, "-%s needs -kernel", kvm_guest.initrd ? "initrd"
                       : kvm_guest.dtb ? "dtb" : "append");
            return false;
        }
        return true;            /* device host: -accel kvm is ignored */
    }
    if (!kvm_guest.selected) {
        error_setg(errp, "-kernel: running a guest needs -accel kvm"
                   " (vsmmu-daemon has no CPU emulation)");
        return false;
    }
    if (runstate_get() == RUN_STATE_PRELAUNCH) {
        error_setg(errp, "-S: a KVM guest starts at once (vsmmu-daemon"
                   " cannot hold its vCPUs in prelaunch)");
        return false;
    }
    if (!check_opts(virt, qtest, gic_version, errp) ||
        !parse_smp(&ncpus, errp)) {
        return false;
    }
    if (!address_space_get_ram(as, &ram_base, &ram_size, &memfd, &host)) {
        error_setg(errp, "-accel kvm: the machine has no RAM");
        return false;
    }
    kvm_guest.boot.kernel_filename = kvm_guest.kernel;
    kvm_guest.boot.initrd_filename = kvm_guest.initrd;
    kvm_guest.boot.ram_base = ram_base;
    kvm_guest.boot.ram_size = ram_size;
    serial = kvm_guest.serial ? kvm_guest.serial
                              : kvm_guest.nographic ? "stdio" : "none";
    if (!arm_boot_prepare(&kvm_guest.boot, errp)) {
        return false;
    }
    if (!kvm_arch_init(ncpus, ram_base, ram_size, host, as, errp)) {
        error_prepend(errp, "-accel kvm: ");
        return false;
    }
    kvm_guest.started = true;
    /* Devices' MSIs to the ITS doorbell reach the in-kernel ITS. */
    if (!address_space_set_msi_doorbell(as, VIRT_GIC_ITS_TRANSLATER, 4,
                                        kvm_arch_msi_doorbell(), NULL,
                                        errp)) {
        return false;
    }
    kvm_guest.doorbell = true;
    if (!serial_open(serial, errp) || !add_board_devices(as, errp) ||
        !build_fdt(ncpus, errp) ||
        !arm_boot_load(&kvm_guest.boot, as, kvm_guest.fdt,
                       kvm_guest.fdt_size, errp)) {
        return false;
    }
    trace_kvm_guest_start(ncpus, ram_size, serial);
    if (!kvm_arch_start(kvm_guest.boot.kernel_addr, kvm_guest.boot.dtb_addr,
                        errp)) {
        error_prepend(errp, "-accel kvm: ");
        return false;
    }
    kvm_guest.ncpus = ncpus;
    kvm_guest.running = true;
    return true;
}

bool kvm_guest_query(KVMGuestInfo *info)
{
    KVMArchStats st;

    if (!kvm_guest.running) {
        return false;
    }
    kvm_arch_get_stats(&st);
    *info = (KVMGuestInfo) {
        .paused = kvm_guest.paused,
        .vcpus = kvm_guest.ncpus,
        .resets = kvm_guest.resets,
        .mmio_exits = st.mmio_exits,
        .mmio_unassigned = st.mmio_unassigned,
        .system_events = st.system_events,
        .irq_lines = st.irq_lines,
        .irq_dropped = st.irq_dropped,
        .msis = st.msis,
        .msis_unmapped = st.msis_unmapped,
        .msis_failed = st.msis_failed,
        .msi_routes = st.msi_routes,
        .memory_slots = st.memory_slots,
        .memory_slot_maps = st.memory_slot_maps,
        .mmio_exits_mapped = st.mmio_exits_mapped,
    };
    return true;
}

static void guest_reset(void)
{
    Error *err = NULL;

    kvm_guest.resets++;
    kvm_guest.paused = false;
    runstate_set(RUN_STATE_RUNNING);
    kvm_arch_stop();
    machine_reset();
    pl011_reset(kvm_guest.uart);
    if (!arm_boot_load(&kvm_guest.boot, machine_address_space(),
                       kvm_guest.fdt, kvm_guest.fdt_size, &err)) {
        error_report_err(err);
        qemu_system_shutdown_request("guest-reset");
        return;
    }
    kvm_arch_reset_and_run(kvm_guest.boot.kernel_addr,
                           kvm_guest.boot.dtb_addr);
}

void kvm_guest_system_reset(void)
{
    g_assert(kvm_guest.running);
    guest_reset();
}

static void guest_pause(void)
{
    g_autoptr(JsonObject) shutdown = json_object_new();

    kvm_arch_stop();
    kvm_guest.paused = true;
    runstate_set(RUN_STATE_SHUTDOWN);
    json_object_set_boolean_member(shutdown, "guest", true);
    json_object_set_string_member(shutdown, "reason", "guest-shutdown");
    qmp_send_event("SHUTDOWN", shutdown);
    qmp_send_event("STOP", NULL);
    info_report("guest powered off; paused (-no-shutdown)");
}

void kvm_guest_event(KVMGuestEvent ev)
{
    switch (ev) {
    case KVM_GUEST_POWER_OFF:
        trace_kvm_guest_event("power-off");
        if (kvm_guest.no_shutdown) {
            guest_pause();
        } else {
            qemu_system_shutdown_request("guest-shutdown");
        }
        break;
    case KVM_GUEST_RESET:
        trace_kvm_guest_event("reset");
        if (kvm_guest.no_reboot) {
            qemu_system_shutdown_request("guest-reset");
        } else {
            g_autoptr(JsonObject) data = json_object_new();

            json_object_set_boolean_member(data, "guest", true);
            json_object_set_string_member(data, "reason", "guest-reset");
            qmp_send_event("RESET", data);
            guest_reset();
        }
        break;
    case KVM_GUEST_ERROR:
        trace_kvm_guest_event("error");
        error_report("-accel kvm: a vCPU stopped on an error; stopping the"
                     " guest");
        kvm_arch_stop();
        break;
    }
}

void kvm_guest_cleanup(void)
{
    if (!kvm_guest.started) {
        return;
    }
    /* Device lines and MSIs stop reaching the VM before it goes. */
    if (machine_is_created()) {
        machine_set_gic_observer(NULL, NULL);
        if (kvm_guest.doorbell) {
            address_space_clear_msi_doorbell(machine_address_space());
        }
    }
    kvm_guest.doorbell = false;
    kvm_arch_cleanup();
    if (kvm_guest.stdin_src) {
        g_source_remove(kvm_guest.stdin_src);
        kvm_guest.stdin_src = 0;
    }
    if (kvm_guest.serial_conn) {
        char_conn_close(kvm_guest.serial_conn);
        kvm_guest.serial_conn = NULL;
    }
    if (kvm_guest.serial_fd_owned) {
        close(kvm_guest.serial_fd);
    }
    kvm_guest.serial_fd = -1;
    if (machine_is_created()) {
        AddressSpace *as = machine_address_space();

        if (kvm_guest.uart_mr) {
            address_space_del_mmio(as, kvm_guest.uart_mr);
        }
    }
    kvm_guest.uart_mr = NULL;
    g_clear_pointer(&kvm_guest.uart, pl011_free);
    g_clear_pointer(&kvm_guest.uart_irq, qemu_free_irq);
    g_clear_pointer(&kvm_guest.fdt, g_free);
    arm_boot_info_clear(&kvm_guest.boot);
    kvm_guest.started = kvm_guest.running = kvm_guest.paused = false;
}
