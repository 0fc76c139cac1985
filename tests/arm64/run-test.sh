#!/usr/bin/env bash
#
# run-test.sh: build the arm64 test-bed programs and run test-real-smmu in
# the arm64 VM (the meson test "arm64-real-smmu", suite arm64).
#
# Usage: tests/arm64/run-test.sh [OUTDIR]
#
# OUTDIR (default: ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/arm64/run) receives
# the static aarch64 programs (build-progs.sh) and, in
# OUTDIR/test-real-smmu.vm/, the console logs.  The first run fetches the
# cross toolchain, QEMU and firmware, builds the kernel (minutes) and
# captures the IORT; later runs take a few seconds.  Extra arguments for
# run-vm.sh can be given in VSMMU_ARM64_VM_ARGS (word-split), e.g.
# VSMMU_ARM64_VM_ARGS="--append VSMMU_TRACE=iommufd_*".
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
out=${1:-$cache/arm64/run}

rc=0
"$here/build-progs.sh" "$out" >/dev/null || rc=$?
step_status "$rc" "build-progs.sh"

# shellcheck disable=SC2086 # VSMMU_ARM64_VM_ARGS is a word list by design
exec "$here/run-vm.sh" --outdir "$out/test-real-smmu.vm" \
    ${VSMMU_ARM64_VM_ARGS:-} "$out/test-real-smmu"
