#!/usr/bin/env bash
#
# fetch.sh: fetch (once) what the arm64 test bed needs and print where it is.
#
# Usage: tests/arm64/fetch.sh COMPONENT...
#
#   toolchain   Debian 12 cross compiler gcc-12-aarch64-linux-gnu, its
#               binutils and arm64-cross libc, merged into one prefix
#   sysroot     Debian 12 arm64 GLib and its static dependencies
#               (libglib2.0-dev:arm64, libpcre2-dev:arm64, ...), json-glib,
#               libfdt and libseccomp, merged
#   qemu        qemu-system-arm from trixie-backports and the trixie
#               libraries it needs (apt's dependency closure), merged
#   firmware    qemu-efi-aarch64 (trixie): QEMU_EFI.fd
#   ksource     linux-source-7.3 and linux-libc-dev (trixie-backports)
#   upstream    the reference VMM: Debian's arm64 qemu-system-arm
#               (trixie-backports, qemu-system-aarch64 11.1) with its arm64
#               dependency closure, and the list of the libraries its
#               binary loads (closure.list), for L1 of the nested bed
#
# For each component one line "NAME=DIR" goes to stdout, DIR being a
# directory under ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/arm64/.  Packages come
# from scripts/debian-fetch.sh (private apt configuration, dpkg-deb -x);
# nothing is installed and the machine's apt configuration is untouched.
# A component whose directory is complete costs no network access.
#
# Exit status: 0 success, 1 failure, 77 environment cannot do it (from
# debian-fetch.sh: not Debian, archive unreachable).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

prog=${0##*/}
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
fetch=$srcroot/scripts/debian-fetch.sh
cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
adir=$cache/arm64

# Package sets.  Editing a list makes a new directory, so stale merges
# are never reused.
toolchain_pkgs=(
    gcc-12-aarch64-linux-gnu cpp-12-aarch64-linux-gnu
    gcc-12-aarch64-linux-gnu-base gcc-12-cross-base
    binutils-aarch64-linux-gnu
    libc6-arm64-cross libc6-dev-arm64-cross linux-libc-dev-arm64-cross
    libgcc-12-dev-arm64-cross libgcc-s1-arm64-cross libstdc++6-arm64-cross
    libasan8-arm64-cross libatomic1-arm64-cross libgomp1-arm64-cross
    libhwasan0-arm64-cross libitm1-arm64-cross liblsan0-arm64-cross
    libtsan2-arm64-cross libubsan1-arm64-cross
)
# GLib's static link needs libpcre2-8, libffi and zlib (no mount/selinux
# in "pkg-config --static glib-2.0" on Debian 12: libmount is for gio).
# json-glib (for vsmmu-daemon) has no static library in Debian: the daemon
# links dynamically against these .so files (build-daemon.sh).  libfdt:
# the device tree of its -accel kvm guests; libseccomp: -sandbox on.
sysroot_pkgs=(
    libglib2.0-dev libglib2.0-0 libpcre2-dev libpcre2-8-0 libffi-dev
    libffi8 zlib1g-dev zlib1g libmount-dev libmount1 libblkid-dev
    libblkid1 libselinux1-dev libselinux1 libsepol-dev libsepol2
    libjson-glib-dev libjson-glib-1.0-0 libfdt-dev libfdt1
    libseccomp-dev libseccomp2
)
qemu_pkgs=(qemu-system-arm)
firmware_pkgs=(qemu-efi-aarch64)
ksource_pkgs=(linux-source-7.3=7.3.4-1~bpo13+1 linux-libc-dev=7.3.4-1~bpo13+1)
upstream_pkgs=(qemu-system-arm)

# The key of a component: its package list, options and post-processing
# (editing another component must not invalidate this one).
key_of() {
    { declare -f "post_$1" merge; printf '%s\n' "$@"; } | sha256sum | cut -c1-12
}

# merge NAME SUITE DEBIAN-FETCH-OPTIONS... -- PKG...: extract the packages
# and hard-link (or copy) them into one prefix; print it.
merge() {
    local name=$1 suite=$2; shift 2
    local opts=() pkgs=() key dir d rc
    while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    pkgs=("$@")
    key=$(key_of "$name" "$suite" "${opts[@]}" "${pkgs[@]}")
    dir=$adir/$name-$key
    if [ ! -f "$dir/.complete" ]; then
        rc=0
        dirs=$("$fetch" --suite "$suite" --extract ${opts[@]+"${opts[@]}"} "${pkgs[@]}") || rc=$?
        [ $rc = 0 ] || exit $rc
        rm -rf "$dir.tmp"
        mkdir -p "$dir.tmp"
        while IFS= read -r d; do
            [ -n "$d" ] || continue
            cp -al "$d/." "$dir.tmp/" 2>/dev/null || cp -a "$d/." "$dir.tmp/" ||
                die "cannot merge $d into $dir.tmp"
        done <<<"$dirs"
        rm -f "$dir.tmp/.vsmmu-extracted"
        printf '%s\n' "$dirs" >"$dir.tmp/packages"
        post_"$name" "$dir.tmp"
        touch "$dir.tmp/.complete"
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
        log "$name ready in $dir"
    fi
    printf '%s=%s\n' "$name" "$dir"
}

# The cross compiler is installed as aarch64-linux-gnu-gcc-12; give it the
# unversioned names the kernel build and meson expect.
post_toolchain() {
    local t=$1
    ln -sf aarch64-linux-gnu-gcc-12 "$t/usr/bin/aarch64-linux-gnu-gcc"
    ln -sf aarch64-linux-gnu-cpp-12 "$t/usr/bin/aarch64-linux-gnu-cpp"
    LD_LIBRARY_PATH=$t/usr/lib/x86_64-linux-gnu "$t/usr/bin/aarch64-linux-gnu-gcc" --version >/dev/null ||
        die "extracted cross compiler $t/usr/bin/aarch64-linux-gnu-gcc does not run"
}
post_sysroot() { :; }
# Trixie's QEMU needs trixie's libc and libraries: run it through trixie's
# dynamic loader with the extracted library directory, and point it at its
# own modules and data.  The wrapper finds its prefix from its own path.
post_qemu() {
    local t=$1
    mkdir -p "$t/bin"
    cat >"$t/bin/qemu-system-aarch64" <<'WRAP'
#!/bin/sh
# Generated by tests/arm64/fetch.sh: trixie's qemu-system-aarch64 on a
# Debian 12 host, without installing it.
d=$(cd "$(dirname "$0")/.." && pwd)
lib=$d/usr/lib/x86_64-linux-gnu
QEMU_MODULE_DIR=$lib/qemu
export QEMU_MODULE_DIR
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" \
    "$d/usr/bin/qemu-system-aarch64" -L "$d/usr/share/qemu" "$@"
WRAP
    chmod +x "$t/bin/qemu-system-aarch64"
    "$t/bin/qemu-system-aarch64" --version >/dev/null ||
        die "extracted QEMU in $t does not run (see the error above)"
}
post_firmware() {
    [ -f "$1/usr/share/qemu-efi-aarch64/QEMU_EFI.fd" ] ||
        die "qemu-efi-aarch64 has no usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
}
post_ksource() { :; }
# The arm64 binary runs in L1, not here: record what it loads instead.
# closure.list: "SONAME PATH" (PATH relative to the prefix) for each
# library in the DT_NEEDED closure of qemu-system-aarch64, the dynamic
# loader first; a SONAME the closure does not provide is an error.
post_upstream() {
    local t=$1 bin=usr/bin/qemu-system-aarch64 todo=() seen=" " so f
    [ -f "$t/$bin" ] || die "qemu-system-arm has no $bin"
    LC_ALL=C readelf -h "$t/$bin" | grep -q 'Machine:.*AArch64' ||
        die "$t/$bin is not an aarch64 executable"
    f=$(find "$t" -name ld-linux-aarch64.so.1 \( -type f -o -type l \) | head -n1)
    [ -n "$f" ] || die "no ld-linux-aarch64.so.1 in the closure of qemu-system-arm"
    printf 'ld-linux-aarch64.so.1 %s\n' "${f#"$t"/}" >"$t/closure.list"
    mapfile -t todo < <(LC_ALL=C readelf -d "$t/$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    while [ ${#todo[@]} -gt 0 ]; do
        so=${todo[0]}
        todo=("${todo[@]:1}")
        case $seen in *" $so "*) continue ;; esac
        seen="$seen$so "
        f=$(find "$t/usr/lib/aarch64-linux-gnu" -name "$so" \( -type f -o -type l \) |
            head -n1)
        [ -n "$f" ] || die "$so (needed by qemu-system-aarch64) is not in its closure"
        printf '%s %s\n' "$so" "${f#"$t"/}" >>"$t/closure.list"
        mapfile -t -O "${#todo[@]}" todo < <(LC_ALL=C readelf -d "$f" |
            sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -v '^ld-linux-aarch64')
    done
}

[ $# -gt 0 ] || { sed -n 's/^# \{0,1\}//; 3,28p' "$0" >&2; exit 1; }
mkdir -p "$adir"
for c in "$@"; do
    case $c in
    toolchain) merge toolchain bookworm -- "${toolchain_pkgs[@]}" ;;
    sysroot) merge sysroot bookworm --arch arm64 -- "${sysroot_pkgs[@]}" ;;
    qemu) merge qemu trixie-backports --deps --also-suite trixie -- "${qemu_pkgs[@]}" ;;
    firmware) merge firmware trixie -- "${firmware_pkgs[@]}" ;;
    ksource) merge ksource trixie-backports -- "${ksource_pkgs[@]}" ;;
    upstream)
        merge upstream trixie-backports --deps --also-suite trixie --arch arm64 -- \
            "${upstream_pkgs[@]}" ;;
    *) die "unknown component '$c' (toolchain, sysroot, qemu, firmware, ksource, upstream)" ;;
    esac
done
