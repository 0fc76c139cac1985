# shellcheck shell=bash
#
# nested-lib.sh: what the nested bed's scripts (run-guest-test.sh,
# bench-guest.sh) share, sourced after tests/vm-runner-lib.sh.
#
#   nested_prepare OUT   cross-build the daemon into OUT and the programs
#                        into OUT/progs, build (once) the kernel, and pack
#                        L2's initramfs (guest-init as /init, with the
#                        mount points it uses) as OUT/l2-initrd.cpio.
#                        Sets progs, kdir and libs (run-vm.sh --lib
#                        arguments for the daemon's shared libraries).
#
# SPDX-License-Identifier: GPL-2.0-or-later

nested_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

nested_prepare() {
    local out=$1 rc l

    rc=0
    "$nested_dir/build-daemon.sh" "$out" >/dev/null || rc=$?
    step_status "$rc" "build-daemon.sh"
    rc=0
    progs=$("$nested_dir/build-progs.sh" "$out/progs") || rc=$?
    step_status "$rc" "build-progs.sh"
    rc=0
    kdir=$("$nested_dir/build-kernel.sh") || rc=$?
    step_status "$rc" "build-kernel.sh"

    cat >"$out/l2-initrd.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $progs/guest-init 0755 0 0
LIST
    "$kdir/usr/gen_init_cpio" "$out/l2-initrd.list" >"$out/l2-initrd.cpio" ||
        die "gen_init_cpio failed for $out/l2-initrd.list"

    libs=()
    for l in "$out"/lib/*; do libs+=(--lib "$l"); done
}
