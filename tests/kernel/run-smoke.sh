#!/usr/bin/env bash
#
# run-smoke.sh: build the kernel test-bed smoke test and run it in the VM.
#
# Usage: tests/kernel/run-smoke.sh [OUTDIR]
#
# OUTDIR (default: ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/smoke) receives the
# static binaries and, in OUTDIR/smoke.vm/console.log, the console log.
# Meant to be called from meson, e.g.
#   test('kernel-smoke', find_program('tests/kernel/run-smoke.sh'),
#        args: [meson.current_build_dir() / 'kernel-smoke'],
#        timeout: 1800, suite: 'kernel')
# (the first run builds the kernel, which takes minutes).
#
# Compiler: $CC (default gcc).  The in-VM programs are linked with -static
# against the uAPI headers of the test-bed kernel, never the host's.
# The GLib helper is built only if pkg-config finds glib-2.0 with a static
# library; otherwise the smoke test reports it as skipped.
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
out=${1:-$cache/smoke}
cc=${CC:-gcc}
command -v "$cc" >/dev/null || skip "C compiler '$cc' not found"

rc=0
kdir=$("$here/build-kernel.sh") || rc=$?
step_status "$rc" "build-kernel.sh"

mkdir -p "$out"
# Headers: the kernel's uAPI (with the multiarch asm directory) first, so
# the host's older linux-libc-dev is not used; then iommufd_test.h.
vmcflags=(-static -O2 -g -Wall -Wextra -Werror -std=gnu11
          -isystem "$kdir/uapi" -isystem "$kdir/uapi/x86_64-linux-gnu"
          -I "$kdir/include" -I "$here")

"$cc" "${vmcflags[@]}" -o "$out/smoke" "$here/smoke.c" "$here/vmlib.c" ||
    die "cannot build $out/smoke with $cc"

extra=()
if pkg-config --exists glib-2.0 &&
   [ -f "$(pkg-config --variable=libdir glib-2.0)/libglib-2.0.a" ]; then
    # The linker warns that GLib's getpw* calls need NSS at run time; the
    # VM has no NSS, so such calls fail there, which is harmless for tests.
    # shellcheck disable=SC2046 # pkg-config output is a word list
    "$cc" "${vmcflags[@]}" $(pkg-config --cflags glib-2.0) \
        -o "$out/glib-helper" "$here/glib-helper.c" "$here/vmlib.c" \
        $(pkg-config --static --libs glib-2.0) 2>"$out/glib-helper.ld.log" || {
        cat "$out/glib-helper.ld.log" >&2
        die "cannot link $out/glib-helper statically against GLib"
    }
    extra+=("$out/glib-helper")
else
    log "note: no static GLib (libglib2.0-dev); glib_static will be skipped"
fi

exec "$here/run-vm.sh" --kernel "$kdir" --outdir "$out/smoke.vm" \
    "$out/smoke" ${extra[@]+"${extra[@]}"}
