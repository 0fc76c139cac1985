#!/usr/bin/env bash
#
# run-vm.sh: boot the test-bed kernel with static test programs in an
# initramfs under qemu-system-x86_64 (TCG) and judge the result.
#
# Usage: tests/kernel/run-vm.sh [OPTIONS] INIT [PROGRAM...]
#
#   INIT                 static x86_64 executable, becomes /init
#   PROGRAM...           more static executables, become /bin/<basename>
#   --file SRC[=DEST]    add a regular file (default DEST: /data/<basename>)
#   --outdir DIR         where the console log and initramfs go
#                        (default: <INIT>.vm next to INIT)
#   --timeout SECONDS    bound on the VM run (default: $VSMMU_VM_TIMEOUT or 120)
#   --append ARGS        extra kernel command line; words after " -- " reach
#                        /init as arguments
#   --kernel DIR         kernel cache directory from build-kernel.sh
#                        (default: $VSMMU_KERNEL_DIR, else run build-kernel.sh)
#
# The program reports with "VSMMU-TEST: " lines (see vmlib.h) and ends the VM
# through isa-debug-exit.  The run passes only if a "done" line is present,
# its counts match the ok/not ok lines, no test failed, the kernel did not
# panic, and QEMU's exit status matches (1 for pass, 3 for fail).
#
# Output: the VSMMU-TEST lines on stdout; on failure also the tail of the
# console log.  The full console log is always kept in OUTDIR/console.log.
# VSMMU_KERNEL_KEEP=1 also keeps the initramfs and its list in OUTDIR.
# VSMMU_KERNEL_VERBOSE=1 streams the console to stderr while the VM runs.
#
# Exit status (meson test convention): 0 pass, 1 fail, 77 skip (no
# qemu-system-x86_64, or the kernel could not be fetched/built for
# environmental reasons).  With CI=true a skip is turned into a failure.
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm-runner-lib.sh
. "$here/../vm-runner-lib.sh"

usage() {
    sed -n 's/^# \{0,1\}//; 3,18p' "$0" >&2
    exit "${1:-1}"
}

files=()
progs=()
outdir=
timeout_s=${VSMMU_VM_TIMEOUT:-120}
append=
kdir=${VSMMU_KERNEL_DIR:-}
while [ $# -gt 0 ]; do
    case $1 in
    --file) [ $# -ge 2 ] || usage; files+=("$2"); shift 2 ;;
    --outdir) [ $# -ge 2 ] || usage; outdir=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
    --append) [ $# -ge 2 ] || usage; append=$2; shift 2 ;;
    --kernel) [ $# -ge 2 ] || usage; kdir=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    --) shift; progs+=("$@"); break ;;
    -*) log "unknown option '$1'"; usage ;;
    *) progs+=("$1"); shift ;;
    esac
done
[ ${#progs[@]} -gt 0 ] || usage
case $timeout_s in
''|*[!0-9]*) die "--timeout '$timeout_s' is not a number of seconds" ;;
esac

command -v qemu-system-x86_64 >/dev/null ||
    skip "qemu-system-x86_64 not found (package qemu-system-x86)"
command -v timeout >/dev/null || skip "timeout(1) not found (package coreutils)"

# The programs must be static x86_64 ELF executables: there is no libc in
# the initramfs.
for p in "${progs[@]}"; do
    if [ ! -f "$p" ] || [ ! -x "$p" ]; then
        die "program '$p' does not exist or is not executable"
    fi
    case $p in *[[:space:]]*) die "program path '$p' contains white space (unsupported by gen_init_cpio)" ;; esac
    if command -v readelf >/dev/null; then
        hdr=$(LC_ALL=C readelf -h "$p" 2>/dev/null) || die "program '$p' is not an ELF file"
        grep -q 'Machine:.*X86-64' <<<"$hdr" || die "program '$p' is not an x86_64 executable"
        if LC_ALL=C readelf -l "$p" 2>/dev/null | grep -q 'INTERP'; then
            die "program '$p' is dynamically linked; build it with -static"
        fi
    fi
done

if [ -z "$kdir" ]; then
    rc=0
    kdir=$("$here/build-kernel.sh") || rc=$?
    step_status "$rc" "build-kernel.sh"
fi
vmlinux=$kdir/vmlinux
gen_cpio=$kdir/usr/gen_init_cpio
[ -f "$vmlinux" ] || die "kernel image $vmlinux missing (bad --kernel/VSMMU_KERNEL_DIR?)"
[ -x "$gen_cpio" ] || die "initramfs packer $gen_cpio missing"

init=${progs[0]}
name=$(basename "$init")
[ -n "$outdir" ] || outdir=$init.vm
mkdir -p "$outdir" || die "cannot create output directory $outdir"
outdir=$(cd "$outdir" && pwd)
console=$outdir/console.log
list=$outdir/initramfs.list
cpio=$outdir/initramfs.cpio

# Initramfs description for gen_init_cpio (no root needed).
{
    echo "dir /dev 0755 0 0"
    echo "nod /dev/console 0600 0 0 c 5 1"
    echo "dir /proc 0755 0 0"
    echo "dir /sys 0755 0 0"
    echo "dir /tmp 1777 0 0"
    echo "dir /bin 0755 0 0"
    echo "dir /data 0755 0 0"
    echo "file /init $(realpath "$init") 0755 0 0"
    for p in "${progs[@]:1}"; do
        echo "file /bin/$(basename "$p") $(realpath "$p") 0755 0 0"
    done
    for f in ${files[@]+"${files[@]}"}; do
        src=${f%%=*}
        if [ "$src" != "$f" ]; then dest=${f#*=}; else dest=/data/$(basename "$src"); fi
        [ -f "$src" ] || die "extra file '$src' does not exist"
        case "$src$dest" in *[[:space:]]*) die "extra file '$f' contains white space" ;; esac
        case $dest in /*) ;; *) die "destination '$dest' of extra file must be absolute" ;; esac
        d=$(dirname "$dest")
        # Parent directories that are not in the fixed list.
        case $d in /|/bin|/data|/tmp) ;; *) echo "dir $d 0755 0 0" ;; esac
        echo "file $dest $(realpath "$src") 0644 0 0"
    done
} >"$list"
"$gen_cpio" "$list" >"$cpio" 2>"$outdir/gen_init_cpio.err" ||
    die "gen_init_cpio failed for $list: $(cat "$outdir/gen_init_cpio.err")"

cmdline="console=ttyS0 panic=-1 quiet $append"
# shellcheck disable=SC2054 # the commas belong to QEMU option values
qemu=(qemu-system-x86_64 -accel tcg -m 512M -smp 1 -nodefaults -no-user-config
      -display none -serial stdio -no-reboot
      -device isa-debug-exit,iobase=0xf4,iosize=0x04
      -kernel "$vmlinux" -initrd "$cpio" -append "$cmdline")
printf '%q ' "${qemu[@]}" >"$outdir/qemu-cmdline"
echo >>"$outdir/qemu-cmdline"

start=$(date +%s.%N)
rc=0
if [ "${VSMMU_KERNEL_VERBOSE:-0}" = 1 ]; then
    timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 | tee "$console" >&2 || rc=${PIPESTATUS[0]}
else
    timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null >"$console" 2>&1 || rc=$?
fi
end=$(date +%s.%N)
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')

if [ "${VSMMU_KERNEL_KEEP:-0}" != 1 ]; then
    rm -f "$cpio" "$list" "$outdir/gen_init_cpio.err"
fi

# Judge.  Serial output has CR LF line ends; kernel messages may precede a
# protocol line on the same line, so look for the prefix anywhere.
lines=$(tr -d '\r' <"$console" | grep -o 'VSMMU-TEST: .*' || true)
[ -z "$lines" ] || printf '%s\n' "$lines"

fail() {
    log "FAIL: $name: $*"
    log "console log: $console (last 30 lines follow)"
    tail -n 30 "$console" | tr -d '\r' | sed 's/^/  | /' >&2
    exit 1
}

if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    fail "VM did not finish within ${timeout_s} s (timeout; raise with --timeout or VSMMU_VM_TIMEOUT)"
fi
if panic=$(tr -d '\r' <"$console" | grep -m1 'Kernel panic'); then
    fail "kernel panic: ${panic#*] }"
fi
done_line=$(grep -E '^VSMMU-TEST: done [0-9]+ passed [0-9]+ failed' <<<"$lines" | tail -n1 || true)
[ -n "$done_line" ] ||
    fail "no 'VSMMU-TEST: done' line (program crashed, hung, or never started; qemu exit $rc)"
read -r passed failed < <(sed -E 's/^VSMMU-TEST: done ([0-9]+) passed ([0-9]+) failed.*/\1 \2/' <<<"$done_line")
n_ok=$(grep -E '^VSMMU-TEST: ok [0-9]+ ' <<<"$lines" | grep -cv ' # SKIP' || true)
n_fail=$(grep -cE '^VSMMU-TEST: not ok [0-9]+ ' <<<"$lines" || true)
if [ "$n_ok" != "$passed" ] || [ "$n_fail" != "$failed" ]; then
    fail "done line says $passed passed $failed failed, but $n_ok ok and $n_fail not ok lines were printed"
fi
if [ "$failed" = 0 ]; then want=1; else want=3; fi
if [ "$rc" != "$want" ]; then
    case $rc in
    0) why="guest rebooted or powered off without isa-debug-exit" ;;
    1|3) why="program exit code disagrees with its done line" ;;
    *) why="QEMU error, see log" ;;
    esac
    fail "qemu exited with $rc, expected $want ($why)"
fi
[ "$failed" = 0 ] || fail "$failed test(s) failed"
log "PASS: $name: $passed passed, VM ran ${elapsed} s (log: $console)"
exit 0
