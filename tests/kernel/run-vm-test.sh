#!/usr/bin/env bash
#
# run-vm-test.sh: build an in-VM test program together with vsmmu's real
# iommufd backend, vEVENTQ reader and util/ sources, link it statically
# with GLib, and run it in the kernel test-bed VM.
#
# Usage: tests/kernel/run-vm-test.sh BUILD_ROOT OUTDIR PROGRAM [RUN-VM ARGS...]
#
#   BUILD_ROOT  the meson build directory (config-host.h, the generated
#               util/trace.[ch] and backends/trace.[ch])
#   OUTDIR      where objects, the program and PROGRAM.vm/console.log go
#   PROGRAM     tests/kernel/PROGRAM.c is the program (e.g. test-veventq)
#   RUN-VM ARGS passed to run-vm.sh (e.g. --timeout 600)
#
# Everything is compiled on every run (a few seconds), so the program
# always matches the sources.  The meson test passes the generated trace
# files as dependencies, so they exist and are current.
#
# Exit status: as run-vm.sh (0 pass, 1 fail, 77 skip; CI=true turns skips
# into failures).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=tests/vm-runner-lib.sh
. "$here/../vm-runner-lib.sh"

[ $# -ge 3 ] || { sed -n 's/^# \{0,1\}//; 3,20p' "$0" >&2; exit 1; }
build=$(cd "$1" && pwd)
out=$2
name=$3
shift 3

cc=${CC:-gcc}
command -v "$cc" >/dev/null || skip "C compiler '$cc' not found"
[ -f "$here/$name.c" ] || die "no such test program: $here/$name.c"
pkg-config --exists glib-2.0 &&
    [ -f "$(pkg-config --variable=libdir glib-2.0)/libglib-2.0.a" ] ||
    skip "no static GLib (libglib2.0-dev with libglib-2.0.a)"

rc=0
kdir=$("$here/build-kernel.sh") || rc=$?
step_status "$rc" "build-kernel.sh"

mkdir -p "$out/obj" "$out/config"
# The VM build uses the kernel's uAPI headers, which have the vEVENTQ:
# force the host build's configuration to use them too.
sed 's/^#undef CONFIG_LINUX_IOMMUFD_VEVENTQ$/#define CONFIG_LINUX_IOMMUFD_VEVENTQ 1/' \
    "$build/config-host.h" >"$out/config/config-host.h.tmp"
mv "$out/config/config-host.h.tmp" "$out/config/config-host.h"

# shellcheck disable=SC2207 # pkg-config output is a word list
glib_cflags=($(pkg-config --cflags glib-2.0))
# shellcheck disable=SC2207
glib_libs=($(pkg-config --static --libs glib-2.0))
cflags=(-static -O2 -g -std=gnu11 -D_GNU_SOURCE -pthread
        -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
        -Werror
        -isystem "$kdir/uapi" -isystem "$kdir/uapi/x86_64-linux-gnu"
        -I "$kdir/include" -I "$out/config" -I "$src/include" -I "$here"
        -I "$src/tests/shared" "${glib_cflags[@]}")

# vsmmu sources: each directory includes its own generated "trace.h".
objs=()
compile() {  # compile SRC TRACE_DIR
    local o
    o="$out/obj/$(echo "${1#"$src"/}" | tr / _).o"
    "$cc" "${cflags[@]}" -iquote "$2" -c "$1" -o "$o" ||
        die "cannot compile $1"
    objs+=("$o")
}
for f in util/error.c util/qemu-error.c util/trace.c util/id.c util/pci-addr.c \
         util/iothread.c util/qemu-thread.c qom/object.c; do
    compile "$src/$f" "$build/util"
done
for f in backends/iommufd.c backends/vfio-cdev.c backends/veventq-reader.c; do
    compile "$src/$f" "$build/backends"
done
for d in util backends; do
    [ -f "$build/$d/trace.c" ] || die "$build/$d/trace.c missing (run ninja)"
    o="$out/obj/gen_${d}_trace.o"
    "$cc" "${cflags[@]}" -c "$build/$d/trace.c" -o "$o" ||
        die "cannot compile $build/$d/trace.c"
    objs+=("$o")
done

# The linker warns that GLib's getpw* calls need NSS at run time; the VM
# has none, which is harmless for these programs.
# Every program may use the vEVENTQ cases shared with the unit tests.
"$cc" "${cflags[@]}" -o "$out/$name" "$here/$name.c" "$here/vm-veventq.c" \
    "$here/vmlib.c" "$src/tests/shared/veventq-cases.c" "${objs[@]}" \
    "${glib_libs[@]}" 2>"$out/$name.ld.log" || {
    cat "$out/$name.ld.log" >&2
    die "cannot link $out/$name"
}

exec "$here/run-vm.sh" --kernel "$kdir" --outdir "$out/$name.vm" "$@" \
    "$out/$name"
