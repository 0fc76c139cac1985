#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make fuzz: run each libFuzzer target of DIR for SECONDS on its seed
# corpus (tests/fuzz/corpus/TARGET, never written to; new inputs go to
# DIR/corpus/TARGET).  Fails if any target crashes, hangs or trips a
# sanitizer; the input that did it is left as DIR/crash-TARGET-* (keep it
# in the seed corpus as a regression input once fixed).
#
# Usage: run-fuzz.sh DIR SECONDS [TARGET...]

set -u

dir=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
targets=${*:-fuzz-smmuv3-mmio fuzz-veventq fuzz-qmp fuzz-qtest fuzz-options}
status=0

export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS="suppressions=$src/../lsan-suppressions.txt"

for t in $targets; do
    work="$dir/corpus/$t"
    mkdir -p "$work"
    set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
           -print_final_stats=1 -artifact_prefix="$dir/crash-$t-"
    [ -f "$src/$t.dict" ] && set -- "$@" -dict="$src/$t.dict"
    echo "=== $t: ${secs}s"
    "$dir/$t" "$@" "$work" "$src/corpus/$t" > "$dir/$t.log" 2>&1
    rc=$?
    grep -E '^(stat::|#[0-9]+ +DONE)' "$dir/$t.log"
    if [ $rc -ne 0 ]; then
        tail -40 "$dir/$t.log"
        echo "=== $t: FAILED (exit status $rc, log $dir/$t.log)"
        status=1
    fi
done
exit $status
