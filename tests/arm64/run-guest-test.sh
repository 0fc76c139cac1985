#!/usr/bin/env bash
#
# run-guest-test.sh: the nested arm64 test bed (the meson test
# "arm64-guest", suite arm64): vsmmu-daemon runs a real Linux guest (L2)
# under KVM inside the emulated arm64 host (L1, booted with
# virtualization=on), and L2's own arm-smmu-v3 driver probes our vSMMU.
#
# Usage: tests/arm64/run-guest-test.sh [OUTDIR]
#
# build-daemon.sh cross-builds vsmmu-daemon into OUTDIR (default:
# ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/arm64/guest) with its shared
# libraries; build-progs.sh builds L1's /init (test-guest) and L2's
# (guest-init).  L2's initramfs is packed here with the kernel's
# gen_init_cpio; L2 boots the test-bed Image itself (one kernel for L1
# and L2).  run-vm.sh --nested then boots L1 with test-guest as /init,
# the daemon as /bin/vsmmu-daemon, /data/Image, /data/l2-initrd.cpio and
# the libraries in /lib.  Console log: OUTDIR/test-guest.vm/.  Extra
# run-vm.sh arguments: VSMMU_ARM64_VM_ARGS, as for run-test.sh (e.g.
# "--append VSMMU_DAEMON_TRACE=kvm_system_event").
#
# Exit status: as run-vm.sh (0 pass, 1 fail, 77 skip; CI=true makes skips
# failures).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm-runner-lib.sh
. "$here/../vm-runner-lib.sh"
# shellcheck source=tests/arm64/nested-lib.sh
. "$here/nested-lib.sh"

cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
out=${1:-$cache/arm64/guest}

nested_prepare "$out"

# shellcheck disable=SC2086 # VSMMU_ARM64_VM_ARGS is a word list by design
exec "$here/run-vm.sh" --nested --kernel "$kdir" --timeout 1200 \
    --outdir "$out/test-guest.vm" --iort-dump "$progs/iort-dump" \
    --file "$kdir/Image=/data/Image" \
    --file "$out/l2-initrd.cpio=/data/l2-initrd.cpio" \
    "${libs[@]}" ${VSMMU_ARM64_VM_ARGS:-} \
    "$progs/test-guest" "$out/vsmmu-daemon"
