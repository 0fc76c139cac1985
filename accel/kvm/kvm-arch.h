/*
 * Between accel/kvm/kvm-all.c (the guest: options, board devices, boot)
 * and the host-specific VM code: kvm-arm64.c on aarch64 hosts,
 * kvm-stub.c elsewhere.
 *
 * Every function is called from the main thread, except the MSI
 * doorbell's callbacks (any thread, under the address space's doorbell
 * lock).  The arch code calls kvm_guest_event() from the main thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ACCEL_KVM_KVM_ARCH_H
#define ACCEL_KVM_KVM_ARCH_H

#include "qapi/error.h"
#include "system/memory.h"

typedef enum KVMGuestEvent {
    KVM_GUEST_POWER_OFF,        /* PSCI SYSTEM_OFF */
    KVM_GUEST_RESET,            /* PSCI SYSTEM_RESET */
    KVM_GUEST_ERROR,            /* a vCPU cannot run on (already reported) */
} KVMGuestEvent;

/* Exits and interrupts, counted since the VM was created. */
typedef struct KVMArchStats {
    uint64_t mmio_exits;        /* KVM_EXIT_MMIO served */
    uint64_t mmio_unassigned;   /* ... that hit no region (RAZ/WI) */
    uint64_t system_events;     /* KVM_EXIT_SYSTEM_EVENT */
    uint64_t irq_lines;         /* KVM_IRQ_LINE calls */
    uint64_t irq_dropped;       /* lines outside the GIC's SPIs */
    uint64_t msis;              /* MSIs the ITS translated (KVM_SIGNAL_MSI) */
    uint64_t msis_unmapped;     /* ... it dropped: no mapping in the guest */
    uint64_t msis_failed;       /* ... KVM refused (error) */
    uint64_t msi_routes;        /* eventfds bound to MSIs now (irqfd) */
    uint64_t memory_slots;      /* MMIO regions mapped as memory slots now */
    uint64_t memory_slot_maps;  /* ... ever (BAR pieces of host memory) */
    uint64_t mmio_exits_mapped; /* exits at host memory left trapped */
} KVMArchStats;

/* In kvm-all.c: what a vCPU exit asks of the machine. */
void kvm_guest_event(KVMGuestEvent ev);

/*
 * Open /dev/kvm, check what the guest needs, create the VM with RAM at
 * RAM_BASE (HOST, SIZE bytes) as memory slot 0, NCPUS vCPUs, the
 * in-kernel GICv3 and ITS.  MMIO exits are served in AS.
 */
bool kvm_arch_init(unsigned ncpus, hwaddr ram_base, uint64_t ram_size,
                   void *host, AddressSpace *as, Error **errp);
/* MPIDR_EL1 of vCPU I, after kvm_arch_init(). */
uint64_t kvm_arch_vcpu_mpidr(unsigned i);
/* Drive SPI (0-based: INTID 32 + SPI); any thread. */
void kvm_arch_set_spi(int spi, int level);
/*
 * The in-kernel ITS's doorbell (VIRT_GIC_ITS_TRANSLATER): MSIs with their
 * device id through KVM_SIGNAL_MSI, eventfds bound by KVM irqfd to GSI
 * routes of type MSI.  After kvm_arch_init().
 */
const MSIDoorbellOps *kvm_arch_msi_doorbell(void);
/* Start the vCPU threads: vCPU 0 at ENTRY with X0 = DTB. */
bool kvm_arch_start(hwaddr entry, hwaddr dtb, Error **errp);
/* Stop every vCPU and wait until none runs guest code. */
void kvm_arch_stop(void);
/* Reset every vCPU to its power-on state (vCPU 0 at ENTRY) and run. */
void kvm_arch_reset_and_run(hwaddr entry, hwaddr dtb);
void kvm_arch_get_stats(KVMArchStats *stats);
/* Stop and join the vCPU threads, destroy the VM. */
void kvm_arch_cleanup(void);

#endif /* ACCEL_KVM_KVM_ARCH_H */
