/*
 * KVM on an aarch64 host: the VM, its vCPU threads, the in-kernel GICv3
 * and ITS, and the exits the daemon serves.
 *
 * Owns /dev/kvm, the VM and device fds, one thread per vCPU ("CPU N/KVM")
 * and each vCPU's kvm_run page.
 *
 * Threads and locks.  A vCPU thread runs KVM_RUN and nothing else: it
 * never calls into a device model.  An MMIO exit is handed to the main
 * thread (eventfd kvm.efd, served by kvm_serve()), which dispatches it
 * through the board's AddressSpace exactly as a qtest or QMP access, so
 * every device model keeps its main-thread MMIO contract (SMMUv3, the
 * memory map, chardev writes); the models' own locks (SMMUv3State.mutex,
 * PL011State.lock) guard them against their other threads.  The vCPU
 * waits until the main thread has completed the access.  Exits asking
 * for power-off or reset park the vCPU and go to kvm_guest_event() on
 * the main thread.
 *
 * kvm.lock guards every KVMVcpu's control fields (mmio_pending,
 * mmio_done, stop, parked, reset, quit), kvm.running and kvm.events;
 * kvm.cond is broadcast on every change of them.  A vCPU's kvm_run page
 * is written by the main thread only while that vCPU waits for its MMIO
 * (mmio_pending) or is parked.  The vCPU, GIC and ITS fds are set up
 * before any vCPU thread starts; KVM_IRQ_LINE on the VM fd is safe from
 * any thread.  kvm.stats is updated with atomic adds (any thread).
 *
 * Stopping a vCPU: set stop under the lock, set immediate_exit in its
 * kvm_run and send it SIG_IPI; KVM_RUN then returns EINTR whether the
 * signal came before or during it.
 *
 * Memory slots: 0 is guest RAM; 1.. are host-mapped MMIO regions (host
 * devices' BARs), which the address space's listener hands over and
 * takes back on the main thread (kvm.slots, main thread only).  A region
 * KVM refuses keeps trapping as MMIO exits.
 *
 * MSIs.  Device models' MSIs reach the ITS through the doorbell
 * (kvm_arch_msi_doorbell()): KVM_SIGNAL_MSI with the device id, from any
 * thread.  kvm.routes (the GSI routing table of MSI routes bound to
 * eventfds by irqfd) is changed by the doorbell's bind and unbind only,
 * which the address space's doorbell lock serialises.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "hw/arm/virt-fdt.h"
#include "qemu/thread.h"
#include "kvm-arch.h"
#include "trace.h"
#include <glib-unix.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define SIG_IPI SIGUSR1
#define KVM_API_VERSION_EXPECTED 12
#define GIC_SPI_BASE 32

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
                     (offsetof(struct kvm_regs, x) / sizeof(__u32)))
#define MPIDR_EL1 ARM64_SYS_REG(3, 0, 0, 0, 5)

/* Memory slots for host-mapped MMIO regions, after slot 0 (RAM). */
#define MAX_MMIO_SLOTS 64
/* MSI routes (GSIs 0..MAX_MSI_ROUTES-1), each bound to one eventfd. */
#define MAX_MSI_ROUTES 1024

typedef struct KVMVcpu {
    unsigned index;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_started;
    uint64_t mpidr;
    /* Guarded by kvm.lock. */
    bool mmio_pending;          /* run->mmio waits for the main thread */
    bool mmio_done;
    bool stop;                  /* park before the next KVM_RUN */
    bool parked;
    bool reset;                 /* re-initialize before the next KVM_RUN */
    bool quit;
} KVMVcpu;

static struct {
    int sys_fd, vm_fd, gic_fd, its_fd, efd;
    guint efd_src;
    size_t run_size;
    unsigned ncpus;
    KVMVcpu *vcpus;
    struct kvm_vcpu_init init;
    AddressSpace *as;
    hwaddr entry, dtb;
    GMutex lock;
    GCond cond;
    bool running;               /* guarded by lock */
    unsigned events;            /* bit per KVMGuestEvent; guarded by lock */
    KVMArchStats stats;         /* atomic */
    struct {
        struct kvm_irq_routing_entry entry[MAX_MSI_ROUTES];
        bool used[MAX_MSI_ROUTES];
        unsigned max;           /* KVM_CAP_IRQ_ROUTING, capped */
    } routes;                   /* under the doorbell lock */
    MemoryRegion *slots[MAX_MMIO_SLOTS];  /* slot i + 1; main thread */
} kvm = { .sys_fd = -1, .vm_fd = -1, .gic_fd = -1, .its_fd = -1,
          .efd = -1 };

/* ---- Set-up ------------------------------------------------------------ */

static int vm_check(long cap)
{
    return ioctl(kvm.vm_fd, KVM_CHECK_EXTENSION, cap);
}

static bool require_cap(long cap, const char *name, const char *why,
                        Error **errp)
{
    if (vm_check(cap) <= 0) {
        error_setg(errp, "KVM lacks %s (%s)", name, why);
        return false;
    }
    return true;
}

static int device_create(uint32_t type, bool test)
{
    struct kvm_create_device cd = {
        .type = type,
        .flags = test ? KVM_CREATE_DEVICE_TEST : 0,
    };

    if (ioctl(kvm.vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
        return -errno;
    }
    return test ? 0 : (int)cd.fd;
}

static bool device_attr(int fd, uint32_t group, uint64_t attr, void *val,
                        const char *what, Error **errp)
{
    struct kvm_device_attr a = {
        .group = group, .attr = attr, .addr = (uintptr_t)val,
    };

    if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
        error_setg_errno(errp, errno, "cannot set the %s", what);
        return false;
    }
    return true;
}

static bool open_vm(Error **errp)
{
    int r;

    kvm.sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm.sys_fd < 0) {
        error_setg_errno(errp, errno, "cannot open /dev/kvm");
        error_append_hint(errp, "The host kernel needs CONFIG_KVM and must"
                          " run at EL2 (on an emulated host: -machine"
                          " virtualization=on).\n");
        return false;
    }
    r = ioctl(kvm.sys_fd, KVM_GET_API_VERSION, 0);
    if (r != KVM_API_VERSION_EXPECTED) {
        error_setg(errp, "/dev/kvm has API version %d, expected %d", r,
                   KVM_API_VERSION_EXPECTED);
        return false;
    }
    kvm.vm_fd = ioctl(kvm.sys_fd, KVM_CREATE_VM, 0);
    if (kvm.vm_fd < 0) {
        error_setg_errno(errp, errno, "KVM_CREATE_VM failed");
        return false;
    }
    r = ioctl(kvm.sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (r <= 0) {
        error_setg_errno(errp, errno, "KVM_GET_VCPU_MMAP_SIZE failed");
        return false;
    }
    kvm.run_size = r;
    return require_cap(KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2",
                       "PSCI 0.2 for power-off, reset and secondary CPUs",
                       errp) &&
           require_cap(KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG",
                       "setting the boot registers", errp) &&
           require_cap(KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL",
                       "the in-kernel GIC", errp);
}

/* Before any vCPU exists: say what is missing before creating anything. */
static bool check_gic(Error **errp)
{
    int r = device_create(KVM_DEV_TYPE_ARM_VGIC_V3, true);

    if (r < 0) {
        error_setg(errp, "KVM has no in-kernel GICv3"
                   " (KVM_DEV_TYPE_ARM_VGIC_V3: %s)", g_strerror(-r));
        return false;
    }
    r = device_create(KVM_DEV_TYPE_ARM_VGIC_ITS, true);
    if (r < 0) {
        error_setg(errp, "KVM has no in-kernel GICv3 ITS"
                   " (KVM_DEV_TYPE_ARM_VGIC_ITS: %s)", g_strerror(-r));
        return false;
    }
    return true;
}

/* Slot SLOT maps SIZE bytes at HOST to guest BASE; size 0 deletes it. */
static int set_slot(unsigned slot, hwaddr base, uint64_t size, void *host)
{
    struct kvm_userspace_memory_region mem = {
        .slot = slot,
        .guest_phys_addr = base,
        .memory_size = size,
        .userspace_addr = (uintptr_t)host,
    };

    if (ioctl(kvm.vm_fd, KVM_SET_USER_MEMORY_REGION, &mem) < 0) {
        return -errno;
    }
    trace_kvm_memory_slot(slot, base, size);
    return 0;
}

static bool set_memory(hwaddr base, uint64_t size, void *host, Error **errp)
{
    int r = set_slot(0, base, size, host);

    if (r < 0) {
        error_setg_errno(errp, -r, "cannot register guest RAM (0x%" PRIx64
                         " bytes at 0x%" PRIx64 ") as KVM memory slot 0",
                         size, base);
        return false;
    }
    return true;
}

/* A host device's BAR: its own slot, so the guest's accesses never exit. */
static bool slot_region_add(void *opaque, MemoryRegion *mr)
{
    int max = vm_check(KVM_CAP_NR_MEMSLOTS);

    for (unsigned i = 0; i < MAX_MMIO_SLOTS && (int)i + 1 < max; i++) {
        if (!kvm.slots[i]) {
            int r = set_slot(i + 1, memory_region_base(mr),
                             memory_region_size(mr), memory_region_host(mr));

            if (r < 0) {
                warn_report("KVM: %s stays trapped: cannot map it as memory"
                            " slot %u: %s", memory_region_name(mr), i + 1,
                            g_strerror(-r));
                return false;
            }
            kvm.slots[i] = mr;
            __atomic_add_fetch(&kvm.stats.memory_slots, 1, __ATOMIC_RELAXED);
            __atomic_add_fetch(&kvm.stats.memory_slot_maps, 1,
                               __ATOMIC_RELAXED);
            return true;
        }
    }
    warn_report("KVM: %s stays trapped: no free memory slot",
                memory_region_name(mr));
    return false;
}

static void slot_region_del(void *opaque, MemoryRegion *mr)
{
    for (unsigned i = 0; i < MAX_MMIO_SLOTS; i++) {
        if (kvm.slots[i] == mr) {
            int r = set_slot(i + 1, memory_region_base(mr), 0, NULL);

            if (r < 0) {
                error_report("KVM: cannot delete memory slot %u (%s): %s",
                             i + 1, memory_region_name(mr), g_strerror(-r));
            }
            kvm.slots[i] = NULL;
            __atomic_sub_fetch(&kvm.stats.memory_slots, 1, __ATOMIC_RELAXED);
            return;
        }
    }
}

static const MemoryListener slot_listener = {
    .region_add = slot_region_add,
    .region_del = slot_region_del,
};

static bool vcpu_set_reg(KVMVcpu *cpu, uint64_t id, uint64_t val,
                         Error **errp)
{
    struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

    if (ioctl(cpu->fd, KVM_SET_ONE_REG, &reg) < 0) {
        error_setg_errno(errp, errno, "CPU %u: cannot set register 0x%"
                         PRIx64, cpu->index, id);
        return false;
    }
    return true;
}

/* KVM_ARM_VCPU_INIT (power-on state); vCPU 0 also gets the boot regs. */
static bool vcpu_init(KVMVcpu *cpu, Error **errp)
{
    struct kvm_vcpu_init init = kvm.init;

    init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
    if (cpu->index) {
        /* Secondaries wait for PSCI CPU_ON. */
        init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
    }
    if (ioctl(cpu->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
        error_setg_errno(errp, errno, "CPU %u: KVM_ARM_VCPU_INIT failed",
                         cpu->index);
        return false;
    }
    if (cpu->index || !kvm.entry) {
        return true;
    }
    return vcpu_set_reg(cpu, CORE_REG(regs.regs[0]), kvm.dtb, errp) &&
           vcpu_set_reg(cpu, CORE_REG(regs.regs[1]), 0, errp) &&
           vcpu_set_reg(cpu, CORE_REG(regs.regs[2]), 0, errp) &&
           vcpu_set_reg(cpu, CORE_REG(regs.regs[3]), 0, errp) &&
           vcpu_set_reg(cpu, CORE_REG(regs.pc), kvm.entry, errp);
}

static bool vcpu_create(KVMVcpu *cpu, Error **errp)
{
    struct kvm_one_reg reg = { .id = MPIDR_EL1,
                               .addr = (uintptr_t)&cpu->mpidr };
    void *run;

    cpu->fd = ioctl(kvm.vm_fd, KVM_CREATE_VCPU, cpu->index);
    if (cpu->fd < 0) {
        error_setg_errno(errp, errno, "cannot create vCPU %u", cpu->index);
        return false;
    }
    run = mmap(NULL, kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
               cpu->fd, 0);
    if (run == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map vCPU %u's kvm_run",
                         cpu->index);
        return false;
    }
    cpu->run = run;
    if (!vcpu_init(cpu, errp)) {
        return false;
    }
    if (ioctl(cpu->fd, KVM_GET_ONE_REG, &reg) < 0) {
        error_setg_errno(errp, errno, "CPU %u: cannot read MPIDR_EL1",
                         cpu->index);
        return false;
    }
    return true;
}

/* After every vCPU exists (the vGIC sizes its redistributors then). */
static bool create_gic(Error **errp)
{
    uint64_t dist = VIRT_GIC_DIST_BASE, redist = VIRT_GIC_REDIST_BASE;
    uint64_t its = VIRT_GIC_ITS_BASE;
    uint32_t nr_irqs = GIC_SPI_BASE + VIRT_GIC_NR_SPIS;
    int fd = device_create(KVM_DEV_TYPE_ARM_VGIC_V3, false);

    if (fd < 0) {
        error_setg(errp, "cannot create the in-kernel GICv3: %s",
                   g_strerror(-fd));
        return false;
    }
    kvm.gic_fd = fd;
    if (!device_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
                     KVM_VGIC_V3_ADDR_TYPE_DIST, &dist,
                     "GICv3 distributor address", errp) ||
        !device_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
                     KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
                     "GICv3 redistributor address", errp) ||
        !device_attr(fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs,
                     "GICv3 interrupt count", errp) ||
        !device_attr(fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
                     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL,
                     "GICv3 initialization", errp)) {
        return false;
    }
    fd = device_create(KVM_DEV_TYPE_ARM_VGIC_ITS, false);
    if (fd < 0) {
        error_setg(errp, "cannot create the in-kernel ITS: %s",
                   g_strerror(-fd));
        return false;
    }
    kvm.its_fd = fd;
    /* The VM reports MSI_DEVID once it has an ITS. */
    return device_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
                       KVM_VGIC_ITS_ADDR_TYPE, &its, "ITS address", errp) &&
           device_attr(fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
                       KVM_DEV_ARM_VGIC_CTRL_INIT, NULL,
                       "ITS initialization", errp) &&
           require_cap(KVM_CAP_MSI_DEVID, "KVM_CAP_MSI_DEVID",
                       "MSIs with the ITS device id", errp);
}

static gboolean kvm_serve(gint fd, GIOCondition cond, gpointer opaque);

bool kvm_arch_init(unsigned ncpus, hwaddr ram_base, uint64_t ram_size,
                   void *host, AddressSpace *as, Error **errp)
{
    int max;

    if (!open_vm(errp) || !check_gic(errp)) {
        return false;
    }
    max = vm_check(KVM_CAP_MAX_VCPUS);
    if (max > 0 && ncpus > (unsigned)max) {
        error_setg(errp, "-smp %u exceeds KVM's maximum of %d vCPUs", ncpus,
                   max);
        return false;
    }
    if (ioctl(kvm.vm_fd, KVM_ARM_PREFERRED_TARGET, &kvm.init) < 0) {
        error_setg_errno(errp, errno, "KVM_ARM_PREFERRED_TARGET failed");
        return false;
    }
    if (!set_memory(ram_base, ram_size, host, errp)) {
        return false;
    }
    kvm.as = as;
    kvm.ncpus = ncpus;
    kvm.vcpus = g_new0(KVMVcpu, ncpus);
    for (unsigned i = 0; i < ncpus; i++) {
        kvm.vcpus[i].index = i;
        kvm.vcpus[i].fd = -1;
        if (!vcpu_create(&kvm.vcpus[i], errp)) {
            return false;
        }
    }
    if (!create_gic(errp)) {
        return false;
    }
    kvm.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (kvm.efd < 0) {
        error_setg_errno(errp, errno, "cannot create an eventfd");
        return false;
    }
    kvm.efd_src = g_unix_fd_add(kvm.efd, G_IO_IN, kvm_serve, NULL);
    address_space_set_listener(as, &slot_listener, NULL);
    trace_kvm_init(ncpus, kvm.init.target);
    return true;
}

uint64_t kvm_arch_vcpu_mpidr(unsigned i)
{
    g_assert(i < kvm.ncpus);
    return kvm.vcpus[i].mpidr;
}

void kvm_arch_set_spi(int spi, int level)
{
    struct kvm_irq_level irq = {
        .irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) |
               (GIC_SPI_BASE + spi),
        .level = level,
    };

    if (spi < 0 || spi >= VIRT_GIC_NR_SPIS || kvm.vm_fd < 0 ||
        ioctl(kvm.vm_fd, KVM_IRQ_LINE, &irq) < 0) {
        __atomic_add_fetch(&kvm.stats.irq_dropped, 1, __ATOMIC_RELAXED);
        trace_kvm_irq_dropped(spi, level);
        return;
    }
    __atomic_add_fetch(&kvm.stats.irq_lines, 1, __ATOMIC_RELAXED);
    trace_kvm_irq_line(spi, level);
}

/* ---- MSIs ---------------------------------------------------------------- */

static void stat_inc(uint64_t *counter)
{
    __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

/*
 * KVM_SIGNAL_MSI: > 0 the ITS translated it, 0 the guest has not mapped
 * that device id and event (a real ITS drops it too: the write itself
 * completes), < 0 no ITS at ADDR or another error (the write aborts).
 */
static bool its_send(void *opaque, hwaddr addr, uint32_t data,
                     uint32_t devid)
{
    struct kvm_msi msi = {
        .address_lo = addr, .address_hi = addr >> 32, .data = data,
        .flags = KVM_MSI_VALID_DEVID, .devid = devid,
    };
    int r = ioctl(kvm.vm_fd, KVM_SIGNAL_MSI, &msi);

    trace_kvm_msi(addr, data, devid, r < 0 ? -errno : r);
    if (r < 0) {
        stat_inc(&kvm.stats.msis_failed);
        return false;
    }
    stat_inc(r ? &kvm.stats.msis : &kvm.stats.msis_unmapped);
    return true;
}

/* Install every used route (KVM replaces the whole table). */
static int routes_commit(void)
{
    g_autofree struct kvm_irq_routing *t =
        g_malloc0(sizeof(*t) + sizeof(t->entries[0]) * kvm.routes.max);

    for (unsigned i = 0; i < kvm.routes.max; i++) {
        if (kvm.routes.used[i]) {
            t->entries[t->nr++] = kvm.routes.entry[i];
        }
    }
    return ioctl(kvm.vm_fd, KVM_SET_GSI_ROUTING, t) < 0 ? -errno : 0;
}

static int route_alloc(void)
{
    if (!kvm.routes.max) {
        int n = vm_check(KVM_CAP_IRQ_ROUTING);

        if (n <= 0 || vm_check(KVM_CAP_IRQFD) <= 0) {
            return -ENOTSUP;
        }
        kvm.routes.max = MIN(n, MAX_MSI_ROUTES);
    }
    for (unsigned i = 0; i < kvm.routes.max; i++) {
        if (!kvm.routes.used[i]) {
            return i;
        }
    }
    return -ENOSPC;
}

/* EFD's signals become that MSI in the kernel: GSI route + irqfd. */
static int its_bind(void *opaque, int efd, hwaddr addr, uint32_t data,
                    uint32_t devid)
{
    int gsi = route_alloc(), r;
    struct kvm_irqfd irqfd = { .fd = efd };

    if (gsi < 0) {
        return gsi;
    }
    kvm.routes.entry[gsi] = (struct kvm_irq_routing_entry) {
        .gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
        .flags = KVM_MSI_VALID_DEVID,
        .u.msi = { .address_lo = addr, .address_hi = addr >> 32,
                   .data = data, .devid = devid },
    };
    kvm.routes.used[gsi] = true;
    r = routes_commit();
    irqfd.gsi = gsi;
    if (!r && ioctl(kvm.vm_fd, KVM_IRQFD, &irqfd) < 0) {
        r = -errno;
    }
    if (r) {
        kvm.routes.used[gsi] = false;
        routes_commit();
        return r;
    }
    stat_inc(&kvm.stats.msi_routes);
    return gsi;
}

static void its_unbind(void *opaque, int efd, int gsi)
{
    struct kvm_irqfd irqfd = {
        .fd = efd, .gsi = gsi, .flags = KVM_IRQFD_FLAG_DEASSIGN,
    };

    if (gsi < 0 || gsi >= (int)kvm.routes.max || !kvm.routes.used[gsi]) {
        return;
    }
    if (ioctl(kvm.vm_fd, KVM_IRQFD, &irqfd) < 0) {
        error_report("KVM: cannot unbind eventfd %d from GSI %d: %s", efd,
                     gsi, g_strerror(errno));
    }
    kvm.routes.used[gsi] = false;
    routes_commit();
    __atomic_sub_fetch(&kvm.stats.msi_routes, 1, __ATOMIC_RELAXED);
}

static const MSIDoorbellOps its_doorbell = {
    .send = its_send,
    .bind = its_bind,
    .unbind = its_unbind,
};

const MSIDoorbellOps *kvm_arch_msi_doorbell(void)
{
    g_assert(kvm.its_fd >= 0);
    return &its_doorbell;
}

/* ---- The main thread's side ---------------------------------------------- */

static void serve_mmio(KVMVcpu *cpu)
{
    struct kvm_run *run = cpu->run;
    hwaddr addr = run->mmio.phys_addr;
    unsigned len = run->mmio.len;
    uint64_t val = 0;
    MemoryRegion *mr;
    MemTxResult r;

    if (len != 1 && len != 2 && len != 4 && len != 8) {
        r = MEMTX_DECODE_ERROR;
    } else if (run->mmio.is_write) {
        memcpy(&val, run->mmio.data, len);      /* little-endian host */
        r = address_space_cpu_write(kvm.as, addr, val, len);
    } else {
        r = address_space_cpu_read(kvm.as, addr, &val, len);
        if (r != MEMTX_OK) {
            val = 0;                            /* RAZ/WI, as QEMU virt */
        }
        memcpy(run->mmio.data, &val, sizeof(run->mmio.data));
    }
    __atomic_add_fetch(&kvm.stats.mmio_exits, 1, __ATOMIC_RELAXED);
    mr = address_space_find_mmio(kvm.as, addr);
    if (mr && memory_region_host(mr)) {
        /* Host memory the listener could not map: it stays trapped. */
        stat_inc(&kvm.stats.mmio_exits_mapped);
    }
    if (r != MEMTX_OK) {
        __atomic_add_fetch(&kvm.stats.mmio_unassigned, 1, __ATOMIC_RELAXED);
    }
    trace_kvm_mmio(cpu->index, run->mmio.is_write ? "write" : "read", addr,
                   len, val, r);
}

/* Serve every pending MMIO exit; kvm.lock held (dropped meanwhile). */
static void serve_pending_locked(void)
{
    for (unsigned i = 0; i < kvm.ncpus; i++) {
        KVMVcpu *cpu = &kvm.vcpus[i];

        if (cpu->mmio_pending) {
            cpu->mmio_pending = false;
            g_mutex_unlock(&kvm.lock);
            serve_mmio(cpu);
            g_mutex_lock(&kvm.lock);
            cpu->mmio_done = true;
            g_cond_broadcast(&kvm.cond);
        }
    }
}

static gboolean kvm_serve(gint fd, GIOCondition cond, gpointer opaque)
{
    uint64_t n;
    unsigned events;

    if (read(kvm.efd, &n, sizeof(n)) < 0 && errno != EAGAIN) {
        error_report("KVM: eventfd read: %s", g_strerror(errno));
    }
    g_mutex_lock(&kvm.lock);
    serve_pending_locked();
    events = kvm.events;
    kvm.events = 0;
    g_mutex_unlock(&kvm.lock);
    for (unsigned ev = 0; ev <= KVM_GUEST_ERROR; ev++) {
        if (events & (1u << ev)) {
            kvm_guest_event(ev);
        }
    }
    return G_SOURCE_CONTINUE;
}

static void kick(KVMVcpu *cpu)
{
    cpu->run->immediate_exit = 1;
    if (cpu->thread_started) {
        pthread_kill(cpu->thread, SIG_IPI);
    }
}

void kvm_arch_stop(void)
{
    bool all;

    g_mutex_lock(&kvm.lock);
    kvm.running = false;
    for (unsigned i = 0; i < kvm.ncpus; i++) {
        kvm.vcpus[i].stop = true;
        kick(&kvm.vcpus[i]);
    }
    /* A vCPU may wait for an MMIO access before it can park. */
    do {
        serve_pending_locked();
        all = true;
        for (unsigned i = 0; i < kvm.ncpus; i++) {
            KVMVcpu *cpu = &kvm.vcpus[i];

            all &= cpu->parked || !cpu->thread_started;
        }
        if (!all) {
            g_cond_wait(&kvm.cond, &kvm.lock);
        }
    } while (!all);
    g_mutex_unlock(&kvm.lock);
    trace_kvm_stopped();
}

void kvm_arch_reset_and_run(hwaddr entry, hwaddr dtb)
{
    g_mutex_lock(&kvm.lock);
    kvm.entry = entry;
    kvm.dtb = dtb;
    for (unsigned i = 0; i < kvm.ncpus; i++) {
        kvm.vcpus[i].reset = true;
        kvm.vcpus[i].stop = false;
    }
    kvm.running = true;
    g_cond_broadcast(&kvm.cond);
    g_mutex_unlock(&kvm.lock);
}

/* ---- vCPU threads ---------------------------------------------------- */

/* From a vCPU thread: ask the main thread for EV; park this vCPU. */
static void post_event(KVMVcpu *cpu, KVMGuestEvent ev)
{
    uint64_t one = 1;

    g_mutex_lock(&kvm.lock);
    kvm.events |= 1u << ev;
    cpu->stop = true;
    g_mutex_unlock(&kvm.lock);
    if (write(kvm.efd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
        error_report("CPU %u/KVM: eventfd write: %s", cpu->index,
                     g_strerror(errno));
    }
}

static void vcpu_mmio(KVMVcpu *cpu)
{
    uint64_t one = 1;

    g_mutex_lock(&kvm.lock);
    cpu->mmio_pending = true;
    cpu->mmio_done = false;
    g_cond_broadcast(&kvm.cond);        /* kvm_arch_stop() may be waiting */
    g_mutex_unlock(&kvm.lock);
    if (write(kvm.efd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
        error_report("CPU %u/KVM: eventfd write: %s", cpu->index,
                     g_strerror(errno));
    }
    g_mutex_lock(&kvm.lock);
    while (!cpu->mmio_done && !cpu->quit) {
        g_cond_wait(&kvm.cond, &kvm.lock);
    }
    g_mutex_unlock(&kvm.lock);
}

static void vcpu_system_event(KVMVcpu *cpu)
{
    unsigned type = cpu->run->system_event.type;

    __atomic_add_fetch(&kvm.stats.system_events, 1, __ATOMIC_RELAXED);
    trace_kvm_system_event(cpu->index, type);
    switch (type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        post_event(cpu, KVM_GUEST_POWER_OFF);
        break;
    case KVM_SYSTEM_EVENT_RESET:
        post_event(cpu, KVM_GUEST_RESET);
        break;
    default:
        error_report("CPU %u/KVM: guest system event %u (crash?)",
                     cpu->index, type);
        post_event(cpu, KVM_GUEST_ERROR);
        break;
    }
}

/* One KVM_RUN and its exit. */
static void vcpu_run_once(KVMVcpu *cpu)
{
    struct kvm_run *run = cpu->run;

    if (ioctl(cpu->fd, KVM_RUN, 0) < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            run->immediate_exit = 0;
            return;
        }
        error_report("CPU %u/KVM: KVM_RUN failed: %s", cpu->index,
                     g_strerror(errno));
        post_event(cpu, KVM_GUEST_ERROR);
        return;
    }
    switch (run->exit_reason) {
    case KVM_EXIT_MMIO:
        vcpu_mmio(cpu);
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        vcpu_system_event(cpu);
        break;
    default:
        error_report("CPU %u/KVM: unexpected KVM exit reason %u",
                     cpu->index, run->exit_reason);
        post_event(cpu, KVM_GUEST_ERROR);
        break;
    }
}

/* Park while stopped; false to quit.  Takes a pending reset. */
static bool vcpu_wait_runnable(KVMVcpu *cpu, bool *reset)
{
    bool quit;

    g_mutex_lock(&kvm.lock);
    while (!cpu->quit && (cpu->stop || !kvm.running)) {
        if (!cpu->parked) {
            cpu->parked = true;
            g_cond_broadcast(&kvm.cond);
        }
        g_cond_wait(&kvm.cond, &kvm.lock);
    }
    cpu->parked = false;
    *reset = cpu->reset;
    cpu->reset = false;
    quit = cpu->quit;
    g_mutex_unlock(&kvm.lock);
    return !quit;
}

static void sig_ipi(int sig)
{
}

static void *vcpu_thread(void *opaque)
{
    KVMVcpu *cpu = opaque;
    char name[16];
    sigset_t set;
    bool reset;

    if (qemu_thread_naming_enabled()) {
        snprintf(name, sizeof(name), "CPU %u/KVM", cpu->index);
        pthread_setname_np(pthread_self(), name);
    }
    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    while (vcpu_wait_runnable(cpu, &reset)) {
        Error *err = NULL;

        if (reset && !vcpu_init(cpu, &err)) {
            error_report_err(err);
            post_event(cpu, KVM_GUEST_ERROR);
            continue;
        }
        vcpu_run_once(cpu);
    }
    return NULL;
}

bool kvm_arch_start(hwaddr entry, hwaddr dtb, Error **errp)
{
    struct sigaction sa = { .sa_handler = sig_ipi };

    kvm.entry = entry;
    kvm.dtb = dtb;
    if (!vcpu_init(&kvm.vcpus[0], errp)) {
        return false;
    }
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: the signal must end KVM_RUN with EINTR. */
    sigaction(SIG_IPI, &sa, NULL);
    kvm.running = true;
    for (unsigned i = 0; i < kvm.ncpus; i++) {
        KVMVcpu *cpu = &kvm.vcpus[i];
        int r = pthread_create(&cpu->thread, NULL, vcpu_thread, cpu);

        if (r) {
            error_setg(errp, "cannot start CPU %u/KVM: %s", i, g_strerror(r));
            return false;
        }
        cpu->thread_started = true;
    }
    trace_kvm_start(entry, dtb);
    return true;
}

static uint64_t stat_get(const uint64_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void kvm_arch_get_stats(KVMArchStats *stats)
{
    *stats = (KVMArchStats) {
        .mmio_exits = stat_get(&kvm.stats.mmio_exits),
        .mmio_unassigned = stat_get(&kvm.stats.mmio_unassigned),
        .system_events = stat_get(&kvm.stats.system_events),
        .irq_lines = stat_get(&kvm.stats.irq_lines),
        .irq_dropped = stat_get(&kvm.stats.irq_dropped),
        .msis = stat_get(&kvm.stats.msis),
        .msis_unmapped = stat_get(&kvm.stats.msis_unmapped),
        .msis_failed = stat_get(&kvm.stats.msis_failed),
        .msi_routes = stat_get(&kvm.stats.msi_routes),
        .memory_slots = stat_get(&kvm.stats.memory_slots),
        .memory_slot_maps = stat_get(&kvm.stats.memory_slot_maps),
        .mmio_exits_mapped = stat_get(&kvm.stats.mmio_exits_mapped),
    };
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

void kvm_arch_cleanup(void)
{
    if (kvm.as) {
        address_space_set_listener(kvm.as, NULL, NULL);
        kvm.as = NULL;
    }
    g_mutex_lock(&kvm.lock);
    for (unsigned i = 0; i < kvm.ncpus; i++) {
        kvm.vcpus[i].quit = true;
        if (kvm.vcpus[i].run) {
            kick(&kvm.vcpus[i]);
        }
    }
    g_cond_broadcast(&kvm.cond);
    g_mutex_unlock(&kvm.lock);
    for (unsigned i = 0; i < kvm.ncpus; i++) {
        KVMVcpu *cpu = &kvm.vcpus[i];

        if (cpu->thread_started) {
            pthread_join(cpu->thread, NULL);
        }
        if (cpu->run) {
            munmap(cpu->run, kvm.run_size);
        }
        if (cpu->fd >= 0) {
            close(cpu->fd);
        }
    }
    g_clear_pointer(&kvm.vcpus, g_free);
    kvm.ncpus = 0;
    if (kvm.efd_src) {
        g_source_remove(kvm.efd_src);
        kvm.efd_src = 0;
    }
    close_fd(&kvm.efd);
    /* Closing the VM drops its irqfds; the doorbell is gone by now. */
    memset(kvm.routes.used, 0, sizeof(kvm.routes.used));
    kvm.routes.max = 0;
    kvm.stats.msi_routes = 0;
    close_fd(&kvm.its_fd);
    close_fd(&kvm.gic_fd);
    close_fd(&kvm.vm_fd);
    close_fd(&kvm.sys_fd);
}
