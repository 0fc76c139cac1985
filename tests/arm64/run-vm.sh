#!/usr/bin/env bash
#
# run-vm.sh: boot the arm64 test-bed kernel under qemu-system-aarch64 (TCG)
# with an emulated SMMUv3 and QEMU's edu device, run static aarch64 test
# programs from an initramfs, and judge the result.
#
# Usage: tests/arm64/run-vm.sh [OPTIONS] INIT [PROGRAM...]
#
#   INIT                 static aarch64 executable, becomes /init
#   PROGRAM...           more static executables, become /bin/<basename>
#   --lib FILE           a shared library (or the dynamic loader), becomes
#                        /lib/<basename>; with any --lib, INIT and PROGRAMs
#                        may be dynamic with /lib/ld-linux-aarch64.so.1
#   --file SRC[=DEST]    add a regular file (default DEST: /data/<basename>)
#   --outdir DIR         console log and initramfs (default: <INIT>.vm)
#   --timeout SECONDS    bound on each VM run (default: $VSMMU_VM_TIMEOUT or 120)
#   --append ARGS        extra kernel command line (NAME=VALUE words reach
#                        /init as environment, e.g. VSMMU_TRACE=iommufd_*)
#   --kernel DIR         kernel cache directory from build-kernel.sh
#                        (default: $VSMMU_KERNEL_DIR, else run build-kernel.sh)
#   --iort-dump PROG     /init of the IORT capture boot (default: iort-dump
#                        next to INIT)
#   --nested             the host can run KVM guests: virtualization=on
#                        (EL2), -cpu max,pauth-impdef=on, -m 2048
#
# QEMU (11.1, trixie-backports) and the UEFI firmware come from fetch.sh.
# The machine is "virt,iommu=smmuv3" with an ACPI boot.  The kernel only
# allows an ARM_SMMUV3 vIOMMU for CANWBS devices, which QEMU's IORT does not
# claim, so the run overrides the IORT (CONFIG_ACPI_TABLE_UPGRADE): a first
# boot of the same QEMU command line with iort-dump as /init prints the
# table, iort-patch.py marks the root complex CANWBS, and the table goes
# into an uncompressed cpio before the initramfs.  The patched table is
# cached in ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/arm64/iort-<hash>/, <hash>
# covering the QEMU arguments and QEMU's version.
#
# The program ends the VM through Arm semihosting SYS_EXIT (vmlib.c;
# enabled for user space here): QEMU exits with 1 for pass and 3 for fail.
# The run passes only if a "done" line is present, its counts match the
# ok/not ok lines, no test failed, the IORT override was applied, the
# kernel did not panic, and QEMU's exit status matches.
#
# Output: the VSMMU-TEST lines on stdout; on failure also the tail of the
# console log, kept in OUTDIR/console.log (the capture boot's in
# OUTDIR/iort-capture.log).  VSMMU_KERNEL_KEEP=1 keeps the initramfs and its
# list in OUTDIR; VSMMU_KERNEL_VERBOSE=1 streams the console to stderr.
#
# Exit status: 0 pass, 1 fail, 77 skip (environment cannot run it); with
# CI=true a skip is a failure.
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm-runner-lib.sh
. "$here/../vm-runner-lib.sh"

usage() {
    sed -n 's/^# \{0,1\}//; 3,25p' "$0" >&2
    exit "${1:-1}"
}

files=()
libs=()
progs=()
outdir=
timeout_s=${VSMMU_VM_TIMEOUT:-120}
append=
kdir=${VSMMU_KERNEL_DIR:-}
iort_dump=
nested=0
while [ $# -gt 0 ]; do
    case $1 in
    --file) [ $# -ge 2 ] || usage; files+=("$2"); shift 2 ;;
    --lib) [ $# -ge 2 ] || usage; libs+=("$2"); shift 2 ;;
    --outdir) [ $# -ge 2 ] || usage; outdir=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
    --append) [ $# -ge 2 ] || usage; append=$2; shift 2 ;;
    --kernel) [ $# -ge 2 ] || usage; kdir=$2; shift 2 ;;
    --iort-dump) [ $# -ge 2 ] || usage; iort_dump=$2; shift 2 ;;
    --nested) nested=1; shift ;;
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
[ -n "$iort_dump" ] || iort_dump=$(dirname "${progs[0]}")/iort-dump

command -v timeout >/dev/null || skip "timeout(1) not found (package coreutils)"
command -v python3 >/dev/null || skip "python3 not found"
command -v flock >/dev/null || skip "flock(1) not found (package util-linux)"

check_prog() {
    local p=$1 hdr
    if [ ! -f "$p" ] || [ ! -x "$p" ]; then
        die "program '$p' does not exist or is not executable"
    fi
    case $p in *[[:space:]]*) die "program path '$p' contains white space (unsupported by gen_init_cpio)" ;; esac
    if command -v readelf >/dev/null; then
        hdr=$(LC_ALL=C readelf -h "$p" 2>/dev/null) || die "program '$p' is not an ELF file"
        grep -q 'Machine:.*AArch64' <<<"$hdr" || die "program '$p' is not an aarch64 executable"
        if LC_ALL=C readelf -l "$p" 2>/dev/null | grep -q 'INTERP'; then
            [ ${#libs[@]} -gt 0 ] ||
                die "program '$p' is dynamically linked; build it with -static (or give --lib)"
            LC_ALL=C readelf -l "$p" | grep -q '/lib/ld-linux-aarch64.so.1' ||
                die "program '$p' does not use /lib/ld-linux-aarch64.so.1"
        fi
    fi
}
for p in "${progs[@]}" "$iort_dump"; do check_prog "$p"; done

rc=0
env=$("$here/fetch.sh" qemu firmware) || rc=$?
step_status "$rc" "fetch.sh qemu firmware"
qemu_bin=$(sed -n 's/^qemu=//p' <<<"$env")/bin/qemu-system-aarch64
bios=$(sed -n 's/^firmware=//p' <<<"$env")/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
qver=$("$qemu_bin" --version | head -n1) || die "$qemu_bin does not run"

if [ -z "$kdir" ]; then
    kdir=$("$here/build-kernel.sh") || rc=$?
    case $rc in
    0) ;;
    77) skip "arm64 test-bed kernel unavailable (build-kernel.sh skipped, see above)" ;;
    *) die "build-kernel.sh failed (exit $rc)" ;;
    esac
fi
image=$kdir/Image
gen_cpio=$kdir/usr/gen_init_cpio
[ -f "$image" ] || die "kernel image $image missing (bad --kernel/VSMMU_KERNEL_DIR?)"
[ -x "$gen_cpio" ] || die "initramfs packer $gen_cpio missing"

init=${progs[0]}
name=$(basename "$init")
[ -n "$outdir" ] || outdir=$init.vm
mkdir -p "$outdir" || die "cannot create output directory $outdir"
outdir=$(cd "$outdir" && pwd)
console=$outdir/console.log

# The machine.  Everything here shapes the ACPI tables, so all of it (and
# QEMU's version) keys the cached IORT; only -kernel, -initrd and -append
# vary between the capture boot and the test boots.
# --nested: EL2 for L1's KVM (VHE with -cpu max; pauth-impdef=on keeps
# pointer authentication cheap under TCG) and room for L2's RAM.
# shellcheck disable=SC2054 # the commas belong to QEMU option values
if [ "$nested" = 1 ]; then
    board=(-M virt,iommu=smmuv3,gic-version=3,virtualization=on
           -cpu max,pauth-impdef=on -m 2048)
else
    board=(-M virt,iommu=smmuv3,gic-version=3 -cpu cortex-a57 -m 1024)
fi
# shellcheck disable=SC2054
machine=("${board[@]}" -smp 1
         -accel tcg -nographic -no-reboot -nodefaults -serial mon:stdio
         -semihosting-config enable=on,target=native,userspace=on
         -bios "$bios" -device edu)
cache_dir=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
iort_key=$(printf '%s\n' "$qver" "${machine[@]}" | sha256sum | cut -c1-16)
iort_dir=$cache_dir/arm64/iort-$iort_key

# mkcpio LIST OUT: pack an initramfs with /init and the given extra lines.
mkcpio() {
    local list=$1 out=$2
    "$gen_cpio" "$list" >"$out" 2>"$out.err" ||
        die "gen_init_cpio failed for $list: $(cat "$out.err")"
    rm -f "$out.err"
}
base_list() {
    echo "dir /dev 0755 0 0"
    echo "nod /dev/console 0600 0 0 c 5 1"
    echo "dir /proc 0755 0 0"
    echo "dir /sys 0755 0 0"
    echo "dir /tmp 1777 0 0"
    echo "dir /bin 0755 0 0"
    echo "dir /data 0755 0 0"
    echo "file /init $(realpath "$1") 0755 0 0"
}

# boot INITRD LOG: one VM run; sets rc and elapsed.
boot() {
    local initrd=$1 out=$2 start end
    local cmdline="console=ttyAMA0 acpi=force panic=-1 VSMMU_VM_EXIT=semihosting $append"
    local qemu=("$qemu_bin" "${machine[@]}" -kernel "$image" -initrd "$initrd"
                -append "$cmdline")
    printf '%q ' "${qemu[@]}" >"$out.cmdline"
    echo >>"$out.cmdline"
    start=$(date +%s.%N)
    rc=0
    if [ "${VSMMU_KERNEL_VERBOSE:-0}" = 1 ]; then
        timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 | tee "$out" >&2 || rc=${PIPESTATUS[0]}
    else
        timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null >"$out" 2>&1 || rc=$?
    fi
    end=$(date +%s.%N)
    elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
}

# judge LOG NAME: the VSMMU-TEST protocol; exits 1 on failure.
judge() {
    local log_file=$1 what=$2 lines done_line passed failed n_ok n_fail want why panic
    fail() {
        log "FAIL: $what: $*"
        log "console log: $log_file (last 30 lines follow)"
        tail -n 30 "$log_file" | tr -d '\r' | sed 's/^/  | /' >&2
        exit 1
    }
    lines=$(tr -d '\r' <"$log_file" | grep -o 'VSMMU-TEST: .*' || true)
    [ -z "$lines" ] || printf '%s\n' "$lines"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        fail "VM did not finish within ${timeout_s} s (timeout; raise with --timeout or VSMMU_VM_TIMEOUT)"
    fi
    if panic=$(tr -d '\r' <"$log_file" | grep -m1 'Kernel panic'); then
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
        0) why="guest powered off or rebooted without semihosting SYS_EXIT" ;;
        1|3) why="program exit code disagrees with its done line" ;;
        *) why="QEMU error, see log" ;;
        esac
        fail "qemu exited with $rc, expected $want ($why)"
    fi
    [ "$failed" = 0 ] || fail "$failed test(s) failed"
    judged_passed=$passed
}

# ---- The IORT override (cached) ------------------------------------------
if [ ! -f "$iort_dir/.complete" ]; then
    mkdir -p "$cache_dir/arm64"
    exec 9>"$iort_dir.lock"
    flock 9
fi
if [ ! -f "$iort_dir/.complete" ]; then
    log "capturing QEMU's IORT (first boot of this QEMU configuration)"
    rm -rf "$iort_dir.tmp"
    mkdir -p "$iort_dir.tmp/list"
    base_list "$iort_dump" >"$iort_dir.tmp/capture.list"
    mkcpio "$iort_dir.tmp/capture.list" "$iort_dir.tmp/capture.cpio"
    capture_log=$outdir/iort-capture.log
    boot "$iort_dir.tmp/capture.cpio" "$capture_log"
    judge "$capture_log" "IORT capture boot" >/dev/null
    python3 "$here/iort-patch.py" "$capture_log" "$iort_dir.tmp/iort-qemu.aml" \
        "$iort_dir.tmp/iort.aml" >"$iort_dir.tmp/summary" ||
        die "cannot build the IORT override from $capture_log"
    # The kernel looks for tables under kernel/firmware/acpi/ in an
    # uncompressed cpio that precedes the initramfs.
    {
        echo "dir /kernel 0755 0 0"
        echo "dir /kernel/firmware 0755 0 0"
        echo "dir /kernel/firmware/acpi 0755 0 0"
        echo "file /kernel/firmware/acpi/iort.aml $iort_dir.tmp/iort.aml 0644 0 0"
    } >"$iort_dir.tmp/override.list"
    mkcpio "$iort_dir.tmp/override.list" "$iort_dir.tmp/override.cpio"
    printf '%s\n' "$qver" "${machine[@]}" >"$iort_dir.tmp/qemu-args"
    rm -rf "$iort_dir.tmp/list" "$iort_dir.tmp/capture.cpio"
    touch "$iort_dir.tmp/.complete"
    rm -rf "$iort_dir"
    mv "$iort_dir.tmp" "$iort_dir"
    log "$(cat "$iort_dir/summary") (cached in $iort_dir; capture boot ${elapsed} s)"
fi
exec 9>&-

# ---- The test boot ----------------------------------------------------------
list=$outdir/initramfs.list
cpio=$outdir/initramfs.cpio
initrd=$outdir/initrd.img
{
    base_list "$init"
    for p in "${progs[@]:1}"; do
        echo "file /bin/$(basename "$p") $(realpath "$p") 0755 0 0"
    done
    [ ${#libs[@]} = 0 ] || echo "dir /lib 0755 0 0"
    for l in ${libs[@]+"${libs[@]}"}; do
        [ -f "$l" ] || die "library '$l' does not exist"
        echo "file /lib/$(basename "$l") $(realpath "$l") 0755 0 0"
    done
    for f in ${files[@]+"${files[@]}"}; do
        src=${f%%=*}
        if [ "$src" != "$f" ]; then dest=${f#*=}; else dest=/data/$(basename "$src"); fi
        [ -f "$src" ] || die "extra file '$src' does not exist"
        case "$src$dest" in *[[:space:]]*) die "extra file '$f' contains white space" ;; esac
        case $dest in /*) ;; *) die "destination '$dest' of extra file must be absolute" ;; esac
        d=$(dirname "$dest")
        case $d in /|/bin|/data|/tmp) ;; *) echo "dir $d 0755 0 0" ;; esac
        echo "file $dest $(realpath "$src") 0644 0 0"
    done
} >"$list"
mkcpio "$list" "$cpio"
cat "$iort_dir/override.cpio" "$cpio" >"$initrd"

boot "$initrd" "$console"
if [ "${VSMMU_KERNEL_KEEP:-0}" != 1 ]; then
    rm -f "$cpio" "$list" "$initrd"
fi
judge "$console" "$name"
grep -q 'Table Upgrade: override \[IORT' "$console" ||
    die "$name passed, but the kernel did not log the IORT override (see $console)"
log "PASS: $name: $judged_passed passed, VM ran ${elapsed} s (log: $console)"
exit 0
