/*
 * KVM on hosts other than aarch64: the guest is an Arm virt machine, so
 * -accel kvm with -kernel refuses to start here.  Owns nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "kvm-arch.h"
#include <sys/utsname.h>

bool kvm_arch_init(unsigned ncpus, hwaddr ram_base, uint64_t ram_size,
                   void *host, AddressSpace *as, Error **errp)
{
    struct utsname u;

    error_setg(errp, "KVM guests are Arm virt machines and need an aarch64"
               " host; this vsmmu-daemon runs on %s",
               uname(&u) == 0 ? u.machine : "another architecture");
    return false;
}

uint64_t kvm_arch_vcpu_mpidr(unsigned i)
{
    g_assert_not_reached();
}

void kvm_arch_set_spi(int spi, int level)
{
}

const MSIDoorbellOps *kvm_arch_msi_doorbell(void)
{
    g_assert_not_reached();
}

bool kvm_arch_start(hwaddr entry, hwaddr dtb, Error **errp)
{
    g_assert_not_reached();
}

void kvm_arch_stop(void)
{
}

void kvm_arch_reset_and_run(hwaddr entry, hwaddr dtb)
{
}

void kvm_arch_get_stats(KVMArchStats *stats)
{
    memset(stats, 0, sizeof(*stats));
}

void kvm_arch_cleanup(void)
{
}
