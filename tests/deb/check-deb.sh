#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make check-deb: build the Debian package from a clean copy of the tree,
# check it with lintian, unpack it into a throwaway root and run what it
# installed, then remove everything.  Neither the work tree nor ./build
# is touched: the copy is `git archive` of HEAD plus the uncommitted
# changes to tracked files (git stash create), or, outside a git
# checkout, the tree without build directories.
#
# Ends, as meson test does, with "Ok: 1" or "Fail: 1" for .ci/run's totals.
# Needs dpkg-dev, debhelper and lintian (make check-deb installs them).

set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
version=$(cat "$src/VERSION")
arch=$(dpkg --print-architecture)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vsmmu-deb.XXXXXX")
tree="$tmp/vsmmu-$version"
root="$tmp/root"
start=$(date +%s)
step=$start

trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "check-deb: $*" >&2
    echo "Ok:                 0"
    echo "Fail:               1"
    exit 1
}

timed() {
    now=$(date +%s)
    echo "check-deb: $1 ($((now - step)) s)"
    step=$now
}

changelog=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
[ "$changelog" = "$version" ] ||
    fail "debian/changelog is at version $changelog, VERSION is $version"

# A clean copy of the tree.
mkdir "$tree"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    rev=$(git -C "$src" stash create)
    git -C "$src" archive "${rev:-HEAD}" | tar -x -C "$tree"
else
    (cd "$src" && tar -c --exclude='./build*' --exclude=./.uapi-headers.path .) |
        tar -x -C "$tree"
fi
timed "exported the tree to $tree"

(cd "$tree" && DEB_BUILD_OPTIONS="parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1 ||
    { tail -60 "$tmp/build.log"; fail "dpkg-buildpackage failed"; }
deb="$tmp/vsmmu_${version}_$arch.deb"
[ -f "$deb" ] || fail "dpkg-buildpackage did not make $(basename "$deb")"
timed "built $(basename "$deb")"

lintian --fail-on error,warning "$tmp/vsmmu_${version}_$arch.changes" ||
    fail "lintian found errors or warnings"
timed "lintian: no error, no warning"

[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] ||
    fail "the package's version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
case "$depends" in
*libglib2.0-0*libjson-glib-1.0-0*) ;;
*) fail "Depends does not come from shlibs: '$depends'" ;;
esac

# Install into a throwaway root and run what the package installed.
dpkg -x "$deb" "$root"
bin="$root/usr/bin"
out=$("$bin/vsmmu-daemon" --version) || fail "vsmmu-daemon --version failed"
# A package build is not a git checkout: VERSION, nothing appended.
[ "$out" = "vsmmu-daemon version $version" ] ||
    fail "installed vsmmu-daemon --version printed '$out'"
"$bin/vsmmu-daemon" -device arm-smmuv3,help | grep -q '^  accel=<bool>' ||
    fail "installed vsmmu-daemon -device arm-smmuv3,help lists no accel"
# The demo runs the daemon it was configured with, from the package.
daemon=$("$bin/vsmmu-demo" --help | sed -n 's/.*(default .*, else \(\/.*\))$/\1/p')
case "$daemon" in
/usr/*) [ -x "$root$daemon" ] ||
        fail "vsmmu-demo's daemon $daemon is not in the package" ;;
*) fail "vsmmu-demo's default daemon '$daemon' is not under /usr" ;;
esac
"$bin/vsmmu-demo" --daemon "$root$daemon" --events 1000 --show 1 \
    > "$tmp/demo.txt" 2>&1 || { cat "$tmp/demo.txt"; fail "vsmmu-demo failed"; }
grep -q "raised = delivered+lost+dropped *yes" "$tmp/demo.txt" ||
    { cat "$tmp/demo.txt"; fail "vsmmu-demo did not account for every event"; }
for page in vsmmu-daemon vsmmu-demo vsmmu-bench; do
    man1="$root/usr/share/man/man1/$page.1.gz"
    warnings=$(LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l -Tutf8 -Z "$man1" \
               2>&1 >/dev/null) || fail "man -l $page.1.gz failed: $warnings"
    [ -z "$warnings" ] || fail "$page.1.gz has groff warnings: $warnings"
    LC_ALL=C man -l "$man1" 2>/dev/null | grep -q "vsmmu $version" ||
        fail "$page(1) does not say 'vsmmu $version'"
done
timed "ran the installed daemon, demo and man pages"

echo "check-deb: vsmmu $version packaged and checked in $(( $(date +%s) - start )) s"
echo "Ok:                 1"
echo "Fail:               0"
