#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# meson install into a temporary DESTDIR, as a user or a package build
# would: run the installed daemon and demo, render the installed manual
# pages, then uninstall and check that nothing is left behind.
#
# Usage: test-install.sh BUILD_DIR SOURCE_DIR PREFIX BINDIR MANDIR DATADIR
#
# meson keeps one install log (meson-logs/install-log.txt, what
# `ninja uninstall` removes): the test saves and restores the user's.

set -eu

build=$1 src=$2 prefix=$3 bindir=$4 mandir=$5 datadir=$6
version=$(cat "$src/VERSION")
log="$build/meson-logs/install-log.txt"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vsmmu-install.XXXXXX")
root="$tmp/root"

cleanup() {
    if [ -f "$tmp/install-log.txt" ]; then
        mv -f "$tmp/install-log.txt" "$log"
    else
        rm -f "$log"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
[ ! -f "$log" ] || cp -p "$log" "$tmp/install-log.txt"

fail() {
    echo "test-install: $*" >&2
    exit 1
}

meson install -C "$build" --destdir "$root" --no-rebuild --quiet ||
    fail "meson install --destdir failed"

bin="$root$prefix/$bindir"
man1="$root$prefix/$mandir/man1"
for f in "$bin/vsmmu-daemon" "$bin/vsmmu-demo" "$bin/vsmmu-bench" \
         "$man1/vsmmu-daemon.1" "$man1/vsmmu-demo.1" "$man1/vsmmu-bench.1" \
         "$root$prefix/$datadir/vsmmu/trace-events-all" \
         "$root$prefix/$datadir/doc/vsmmu/system/vsmmu-daemon.rst"; do
    [ -f "$f" ] || fail "'$f' was not installed"
done

# The installed daemon reports VERSION and its devices.
out=$("$bin/vsmmu-daemon" --version) || fail "vsmmu-daemon --version failed"
case "$out" in
"vsmmu-daemon version $version"|"vsmmu-daemon version $version ("*) ;;
*) fail "vsmmu-daemon --version printed '$out', VERSION is $version" ;;
esac
props=$("$bin/vsmmu-daemon" -device arm-smmuv3,help) ||
    fail "vsmmu-daemon -device arm-smmuv3,help failed"
echo "$props" | grep -q '^  accel=<bool>' ||
    fail "-device arm-smmuv3,help does not list accel: $props"

# The manual pages render without a groff warning, carry VERSION, and
# vsmmu-daemon(1) documents every option -help lists.
for page in vsmmu-daemon vsmmu-demo vsmmu-bench; do
    warnings=$(LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l -Tutf8 -Z \
               "$man1/$page.1" 2>&1 >/dev/null) ||
        fail "man -l $page.1 failed: $warnings"
    [ -z "$warnings" ] || fail "$page.1 has groff warnings: $warnings"
    LC_ALL=C MANWIDTH=200 man -l "$man1/$page.1" > "$tmp/$page.txt" 2>/dev/null ||
        fail "man -l $page.1 failed"
    grep -q "vsmmu $version" "$tmp/$page.txt" ||
        fail "$page.1 does not say 'vsmmu $version'"
done
for opt in $("$bin/vsmmu-daemon" -help | sed -n 's/^\(-[a-z-]*\).*/\1/p'); do
    grep -q -w -e "$opt" "$tmp/vsmmu-daemon.txt" ||
        fail "vsmmu-daemon(1) does not document $opt"
done

# The installed demo runs the daemon it was configured with, installed.
daemon=$("$bin/vsmmu-demo" --help | sed -n 's/.*(default .*, else \(\/.*\))$/\1/p')
case "$daemon" in
"$prefix"/*) ;;
*) fail "vsmmu-demo's default daemon '$daemon' is not under $prefix" ;;
esac
[ -x "$root$daemon" ] || fail "vsmmu-demo's daemon $daemon was not installed"
"$bin/vsmmu-demo" --daemon "$root$daemon" --events 1000 --show 1 \
    > "$tmp/demo.txt" 2>&1 || { cat "$tmp/demo.txt"; fail "vsmmu-demo failed"; }
grep -q "raised = delivered+lost+dropped *yes" "$tmp/demo.txt" ||
    { cat "$tmp/demo.txt"; fail "vsmmu-demo did not account for every event"; }

# Uninstall removes every file and directory the install created.
ninja -C "$build" uninstall > "$tmp/uninstall.txt" 2>&1 ||
    { cat "$tmp/uninstall.txt"; fail "ninja uninstall failed"; }
if [ -e "$root" ]; then
    find "$root" >&2
    fail "uninstall left the above behind"
fi
echo "test-install: installed, ran and uninstalled vsmmu $version under $prefix"
