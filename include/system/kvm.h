/*
 * Running a guest: -accel kvm with -kernel.
 *
 * vsmmu-daemon normally hosts device models without a CPU.  With
 * "-accel kvm" (or "-machine virt,accel=kvm") and "-kernel Image" it
 * also runs a Linux guest on an aarch64 host's KVM: vCPUs, the in-kernel
 * GICv3, ITS and arch timer, a PL011 UART, a PCIe host, and every
 * arm-smmuv3 of the board described in a generated device tree.
 * "-accel kvm" without "-kernel" keeps the device-host behaviour (libvirt
 * passes it), and without "-accel kvm" the guest options (-kernel,
 * -initrd, -append, -dtb, -cpu, -smp, -serial, -nographic,
 * -no-shutdown, -no-reboot) are recorded and never used, as before.
 * See docs/system/vsmmu-daemon.rst, "Running a guest".
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_KVM_H
#define SYSTEM_KVM_H

#include "qapi/error.h"

/* -accel kvm or -machine accel=kvm. */
void kvm_accel_select(void);
bool kvm_accel_selected(void);
/*
 * Record a guest option: NAME is the option without its dash
 * ("kernel", "initrd", "append", "dtb", "cpu", "smp", "serial",
 * "nographic", "no-shutdown", "no-reboot"), ARG its argument or NULL.
 */
void kvm_guest_opt(const char *name, const char *arg);
/*
 * After the machine and its devices exist: check the options and, when
 * a guest was asked for, create the VM and start its vCPUs.
 * GIC_VERSION is -machine gic-version (0 when not given, -1 "host" or
 * "max").  Errors start with the option at fault ("-accel kvm: ...").
 */
bool kvm_guest_start(bool virt, bool qtest, int gic_version, Error **errp);
typedef struct KVMGuestInfo {
    bool paused;                /* powered off under -no-shutdown */
    unsigned vcpus;
    uint64_t resets;            /* guest and QMP system resets */
    uint64_t mmio_exits;        /* MMIO exits served */
    uint64_t mmio_unassigned;   /* ... at no device (read as zero) */
    uint64_t system_events;     /* PSCI power-off/reset exits */
    uint64_t irq_lines;         /* interrupt line changes into the GIC */
    uint64_t irq_dropped;       /* ... refused (no such SPI) */
    uint64_t msis;              /* MSIs the in-kernel ITS translated */
    uint64_t msis_unmapped;     /* ... it dropped (device/event unmapped) */
    uint64_t msis_failed;       /* ... KVM refused */
    uint64_t msi_routes;        /* eventfds bound to MSIs (irqfd) now */
    uint64_t memory_slots;      /* host devices' BAR pieces as slots now */
    uint64_t memory_slot_maps;  /* ... mapped ever */
    uint64_t mmio_exits_mapped; /* MMIO exits at BAR host memory (trapped) */
} KVMGuestInfo;

/* False when no guest runs; else its state and counters in *INFO. */
bool kvm_guest_query(KVMGuestInfo *info);
/* A full system reset of a running guest (QMP system_reset). */
void kvm_guest_system_reset(void);
/* Stop the vCPUs and destroy the VM (if any). */
void kvm_guest_cleanup(void);

#endif /* SYSTEM_KVM_H */
