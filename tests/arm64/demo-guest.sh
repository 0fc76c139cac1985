#!/usr/bin/env bash
#
# demo-guest.sh: make demo-guest.  The nested bed's host-device run
# alone (tests/arm64/run-guest-test.sh with VSMMU_GUEST_DEMO=1): L1's edu
# assigned to a real Linux guest (L2) under vsmmu-daemon -accel kvm, L2
# making edu DMAs its own SMMU domain does not map.  Prints, for a
# person, L2's own kernel log lines of the faults its arm-smmu-v3 driver
# received, then the host side: what the daemon's vSMMU delivered
# (query-vsmmu) and the KVM guest's counters (x-query-kvm).
#
# Usage: tests/arm64/demo-guest.sh [OUTDIR]   (full log: OUTDIR/demo.log)
#
# Exit status: run-guest-test.sh's (0 the guest logged every fault).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
out=${1:-$cache/arm64/guest}
mkdir -p "$out"
log=$out/demo.log

echo "Booting the emulated arm64 host (L1), then the guest (L2) under"
echo "vsmmu-daemon -accel kvm with L1's edu assigned (a minute or two)..."
VSMMU_ARM64_VM_ARGS="${VSMMU_ARM64_VM_ARGS:-} --append VSMMU_GUEST_DEMO=1" \
    "$here/run-guest-test.sh" "$out" >"$log" 2>&1
rc=$?

echo
echo "== The guest's own kernel log: faults its arm-smmu-v3 driver received"
sed -n 's/^VSMMU-TEST: # L2: edu: /guest: edu /p;
        s/^VSMMU-TEST: # L2: dmesg: \(arm-smmu-v3 .*\(event\|F_TRANSLATION\|fault\).*\)/guest: \1/p' \
    "$log"
echo
echo "== The host side (vsmmu-daemon in L1)"
sed -n 's/^VSMMU-TEST: # \(edu .* bound to vfio-pci.*\)/\1/p;
        s/^VSMMU-TEST: # QMP query-vsmmu: /query-vsmmu: /p;
        s/^VSMMU-TEST: # QMP x-query-kvm: /x-query-kvm: /p;
        s/^VSMMU-TEST: # \(L2 driver: .*\)/\1/p;
        s/^VSMMU-TEST: \(\(not \)\{0,1\}ok .*\)/\1/p' "$log"
echo
if [ "$rc" = 0 ]; then
    echo "The guest logged every fault the vSMMU delivered (log: $log)."
else
    echo "demo-guest failed (status $rc); see $log"
fi
exit "$rc"
