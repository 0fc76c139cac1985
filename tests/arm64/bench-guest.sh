#!/usr/bin/env bash
#
# bench-guest.sh: make bench-guest.  The nested bed's L2 scenario under
# our vsmmu-daemon and under upstream QEMU (Debian's arm64
# qemu-system-aarch64 11.1, fetch.sh upstream), one after the other in
# one L1 boot (tests/arm64/bench-guest.c is L1's /init), and a table of
# both side by side: faults raised, seen by L2's driver, lost and how L2
# learnt of it, events/s from the first host fault to the last entry in
# L2's queue, and L1 CPU time per event (all measured in L1, never in L2).
#
# Usage: tests/arm64/bench-guest.sh [OUTDIR]
#   (default OUTDIR: ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/arm64/bench-guest;
#   the raw result lines: OUTDIR/bench.txt, L1's console:
#   OUTDIR/bench-guest.vm/console.log)
#
# Our run always happens.  When upstream's packages cannot be fetched
# (fetch.sh upstream exits 77, or fails), or VSMMU_BENCH_UPSTREAM=0, its
# column says "skipped: WHY" and the bench still runs ours.
#
# Exit status: run-vm.sh's (0 every run passed, 1 a run failed, 77 the
# bed cannot run here; CI=true makes that a failure).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm-runner-lib.sh
. "$here/../vm-runner-lib.sh"
# shellcheck source=tests/arm64/nested-lib.sh
. "$here/nested-lib.sh"

cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
out=${1:-$cache/arm64/bench-guest}
mkdir -p "$out"
out=$(cd "$out" && pwd)
start=$(date +%s)

nested_prepare "$out"

# The reference VMM, its libraries and UEFI (it boots L2 through ACPI)
# in /upstream/ of L1's initramfs.
upstream_files=()
why=
if [ "${VSMMU_BENCH_UPSTREAM:-1}" = 0 ]; then
    why="VSMMU_BENCH_UPSTREAM=0"
else
    rc=0
    env=$("$here/fetch.sh" upstream firmware 2>"$out/fetch-upstream.log") || rc=$?
    case $rc in
    0) ;;
    77) why="its packages cannot be fetched: $(grep -m1 '^SKIP' "$out/fetch-upstream.log" || echo 'fetch.sh upstream skipped')" ;;
    *) why="fetch.sh upstream failed (exit $rc, $out/fetch-upstream.log)" ;;
    esac
fi
if [ -z "$why" ]; then
    up=$(sed -n 's/^upstream=//p' <<<"$env")
    fw=$(sed -n 's/^firmware=//p' <<<"$env")
    upstream_files=(--file "$up/usr/bin/qemu-system-aarch64=/upstream/qemu-system-aarch64"
                    --file "$fw/usr/share/qemu-efi-aarch64/QEMU_EFI.fd=/upstream/QEMU_EFI.fd")
    while read -r so path; do
        upstream_files+=(--file "$up/$path=/upstream/$so")
    done <"$up/closure.list"
    log "upstream QEMU: $up ($(wc -l <"$up/closure.list") libraries)"
else
    log "upstream QEMU skipped: $why"
fi


log "booting L1; ours, then upstream, each the fault run and the overflow run (minutes)"
rc=0
# shellcheck disable=SC2086 # VSMMU_ARM64_VM_ARGS is a word list by design
"$here/run-vm.sh" --nested --kernel "$kdir" --timeout 3000 \
    --outdir "$out/bench-guest.vm" --iort-dump "$progs/iort-dump" \
    --file "$kdir/Image=/data/Image" \
    --file "$out/l2-initrd.cpio=/data/l2-initrd.cpio" \
    "${libs[@]}" ${upstream_files[@]+"${upstream_files[@]}"} \
    ${VSMMU_ARM64_VM_ARGS:-} \
    "$progs/bench-guest" "$out/vsmmu-daemon" >"$out/bench.log" || rc=$?
sed -n 's/^VSMMU-TEST: # bench: //p' "$out/bench.log" >"$out/bench.txt"
[ -z "$why" ] || echo "vmm=upstream skipped: $why" >>"$out/bench.txt"

# The table: one column per VMM, one block per run.
awk -v qemu="$(LC_ALL=C strings "${up:-/dev/null}/usr/bin/qemu-system-aarch64" 2>/dev/null |
               grep -m1 -o 'Debian 1:[^ )]*' || echo '')" '
function val(v, r, k) { return ((v SUBSEP r SUBSEP k) in d) ? d[v, r, k] : "-" }
{
    v = ""; r = ""
    for (i = 1; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "vmm") v = kv[2]
        else if (kv[1] == "run") r = kv[2]
        else if (v != "" && r != "") d[v, r, kv[1]] = kv[2]
    }
    if ($0 ~ /skipped:/) { sub(/.*skipped: /, ""); skip[v] = $0 }
}
END {
    printf "%-36s %-36s %s\n", "", "ours (vsmmu-daemon)", "upstream QEMU " qemu
    nk = split("raised seen lost how events_per_s cpu_us_per_event cpu_all_us_per_event window_s tail_s wall_s", keys, " ")
    label["raised"] = "faults raised"
    label["seen"] = "seen by L2 driver"
    label["lost"] = "lost"
    label["how"] = "how L2 learnt of the loss"
    label["events_per_s"] = "events/s (host fault to L2 queue)"
    label["cpu_us_per_event"] = "L1 CPU us/event (VMM, no vCPU)"
    label["cpu_all_us_per_event"] = "L1 CPU us/event (VMM, all)"
    label["window_s"] = "event window s"
    label["tail_s"] = "  of it VMM busy after last fault"
    label["wall_s"] = "VMM run s (boot to exit)"
    split("faults overflow", runs, " ")
    for (ri = 1; ri <= 2; ri++) {
        r = runs[ri]
        printf "%s run (%s x %s DMA):\n", r == "faults" ? "fault" : "overflow", val("ours", r, "dmas"), r == "faults" ? "8-byte" : "4-KiB"
        for (ki = 1; ki <= nk; ki++) {
            k = keys[ki]
            for (vi = 1; vi <= 2; vi++) {
                v = vi == 1 ? "ours" : "upstream"
                if (k == "how") {
                    s = ""
                    if (val(v, r, "ovflg") > 0) s = s "OVFLG (EVTQ overflow detected x" val(v, r, "ovflg") ")"
                    if (val(v, r, "aborted") > 0) s = s (s == "" ? "" : ", ") "GERROR (EVTQ write aborted x" val(v, r, "aborted") ")"
                    if (s == "") s = val(v, r, "lost") == "0" ? "(nothing lost)" : val(v, r, "lost") == "-" ? "-" : "not told"
                    c[vi] = s
                } else {
                    c[vi] = val(v, r, k)
                }
                if (v in skip) c[vi] = "skipped: " skip[v]
            }
            printf "  %-34s %-36s %s\n", label[k], c[1], c[2]
        }
    }
}' "$out/bench.txt"
echo
log "L1 kernel: $(grep -o 'Linux version [^ ]*' "$out/bench-guest.vm/console.log" | head -n1);" \
    "whole bench $(( $(date +%s) - start )) s; raw lines in $out/bench.txt"
if [ "$rc" != 0 ]; then
    log "a run failed (status $rc); see $out/bench.log and $out/bench-guest.vm/console.log"
    tail -n 30 "$out/bench.log" >&2
fi
exit "$rc"
