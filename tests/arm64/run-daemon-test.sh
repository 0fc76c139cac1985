#!/usr/bin/env bash
#
# run-daemon-test.sh: vsmmu-daemon inside the arm64 VM, on the real
# iommufd, arm-smmu-v3 driver and edu's VFIO cdev (the meson test
# "arm64-daemon", suite arm64).
#
# Usage: tests/arm64/run-daemon-test.sh [OUTDIR]
#
# build-daemon.sh cross-builds vsmmu-daemon and test-daemon into OUTDIR
# (default: ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/arm64/daemon) with their
# shared libraries; run-vm.sh boots the VM with test-daemon as /init, the
# daemon as /bin/vsmmu-daemon, test-daemon again as /bin/sh (libqtest
# starts the daemon through "sh -c"), and the libraries in /lib.  The
# console log is in OUTDIR/test-daemon.vm/.  Extra run-vm.sh arguments:
# VSMMU_ARM64_VM_ARGS, as for run-test.sh.
#
# Exit status: as run-vm.sh (0 pass, 1 fail, 77 skip; CI=true makes skips
# failures).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm-runner-lib.sh
. "$here/../vm-runner-lib.sh"

cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
out=${1:-$cache/arm64/daemon}

rc=0
"$here/build-daemon.sh" "$out" >/dev/null || rc=$?
step_status "$rc" "build-daemon.sh"
# The IORT capture boot's /init (static, from build-progs.sh).
rc=0
progs=$("$here/build-progs.sh" "$out/progs") || rc=$?
step_status "$rc" "build-progs.sh"
ln -sf test-daemon "$out/sh"
libs=()
for l in "$out"/lib/*; do libs+=(--lib "$l"); done

# shellcheck disable=SC2086 # VSMMU_ARM64_VM_ARGS is a word list by design
exec "$here/run-vm.sh" --outdir "$out/test-daemon.vm" \
    --iort-dump "$progs/iort-dump" "${libs[@]}" ${VSMMU_ARM64_VM_ARGS:-} \
    "$out/test-daemon" "$out/vsmmu-daemon" "$out/sh"
