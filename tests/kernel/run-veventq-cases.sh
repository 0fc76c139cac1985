#!/usr/bin/env bash
#
# run-veventq-cases.sh: build tests/kernel/test-veventq-cases.c (the
# shared vEVENTQ cases of tests/shared/veventq-cases.c) for the kernel test
# bed and run it against the real Linux iommufd in the VM.
#
# Usage: tests/kernel/run-veventq-cases.sh [OUTDIR]
# Exit status: 0 pass, 1 fail, 77 skip (a failure when CI=true).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../shared" && pwd)
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
skip() {
    if [ "${CI:-}" = true ]; then
        log "FAIL: would skip, but CI=true: $*"
        exit 1
    fi
    printf 'SKIP: %s: %s\n' "$prog" "$*" >&2
    exit 77
}

cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
out=${1:-$cache/veventq-cases}
cc=${CC:-gcc}
command -v "$cc" >/dev/null || skip "C compiler '$cc' not found"

rc=0
kdir=$("$here/build-kernel.sh") || rc=$?
case $rc in
0) ;;
77) skip "test-bed kernel unavailable (build-kernel.sh skipped, see above)" ;;
*) die "build-kernel.sh failed (exit $rc)" ;;
esac

mkdir -p "$out"
"$cc" -static -O2 -g -Wall -Wextra -Werror -std=gnu11 \
    -isystem "$kdir/uapi" -isystem "$kdir/uapi/x86_64-linux-gnu" \
    -I "$kdir/include" -I "$here" -I "$shared" \
    -o "$out/test-veventq-cases" "$here/test-veventq-cases.c" \
    "$shared/veventq-cases.c" "$here/vmlib.c" ||
    die "cannot build $out/test-veventq-cases with $cc"

exec "$here/run-vm.sh" --kernel "$kdir" --outdir "$out/vm" \
    "$out/test-veventq-cases"
