#!/usr/bin/env bash
#
# build-kernel.sh: build (once) the x86_64 test-bed kernel with the iommufd
# mock driver and print the cache directory that holds the result.
#
# Usage: tests/kernel/build-kernel.sh
#
# The kernel is Debian's linux-source package from trixie-backports, fetched
# with scripts/debian-fetch.sh, configured as "make tinyconfig" plus
# tests/kernel/kernel.config, and built as a PVH-bootable vmlinux.
#
# Result, in ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/kernel-x86_64-<hash>/:
#   vmlinux                   the kernel (qemu-system-x86_64 -kernel vmlinux)
#   config                    the final .config
#   usr/gen_init_cpio         host tool that packs an initramfs without root
#   uapi/                     uAPI headers from linux-libc-dev (-isystem uapi)
#   include/iommufd_test.h    the mock driver's command header from the tree
#   info                      versions, cache key and build time
#   build.log                 the full build output
# <hash> is derived from kernel.config, the pinned package versions and this
# script, so editing any of them leads to a fresh build in a new directory.
# Old directories are not removed automatically; delete them at will.
#
# The extracted source tree is deleted after a successful build (about
# 1.5 GB; everything later steps need is copied into the cache directory).
# Set VSMMU_KERNEL_KEEP_TREE=1 to keep it under ${VSMMU_CACHE}/build/ for
# poking at the kernel; it is reused by the next build with the same key.
#
# Concurrent callers serialise on a lock file; only one of them builds.
#
# Exit status: 0 success, 1 failure, 77 when the environment cannot build it
# (propagated from scripts/debian-fetch.sh, or missing host tools).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

prog=${0##*/}
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }
skip() { printf 'SKIP: %s: %s\n' "$prog" "$*" >&2; exit 77; }

here=$(cd "$(dirname "$0")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
fragment=$here/kernel.config
self=$here/build-kernel.sh

# Pinned inputs.  Bump these together with the test expectations.
kpkg=linux-source-7.3
kver=7.3.4-1~bpo13+1
hpkg=linux-libc-dev
hver=7.3.4-1~bpo13+1
suite=trixie-backports

cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
key=$( { cat "$fragment" "$self"; printf '%s=%s\n%s=%s\n' "$kpkg" "$kver" "$hpkg" "$hver"; } |
       sha256sum | cut -c1-16)
out=$cache/kernel-x86_64-$key

# Fast path: already built.
if [ -f "$out/.complete" ]; then
    printf '%s\n' "$out"
    exit 0
fi

for tool in make gcc flex bison bc tar xz flock sha256sum; do
    command -v "$tool" >/dev/null || skip "host tool '$tool' not found (see tests/kernel/deps.txt)"
done
[ -e /usr/include/libelf.h ] || [ -e /usr/include/gelf.h ] ||
    skip "libelf headers not found (package libelf-dev, needed by objtool)"

mkdir -p "$cache"
exec 9>"$out.lock"
if ! flock -n 9; then
    log "another build of $out is running; waiting for it"
    flock 9
fi
if [ -f "$out/.complete" ]; then
    printf '%s\n' "$out"
    exit 0
fi

# Fetch the source and header packages (77 is passed through as a skip).
rc=0
dirs=$("$srcroot/scripts/debian-fetch.sh" --suite "$suite" --extract \
       "$kpkg=$kver" "$hpkg=$hver") || rc=$?
[ $rc = 0 ] || exit $rc
ksrcpkg=$(sed -n 1p <<<"$dirs")
hdrpkg=$(sed -n 2p <<<"$dirs")
tarball=$(find "$ksrcpkg/usr/src" -maxdepth 1 -name 'linux-source-*.tar.xz' | head -n1)
[ -n "$tarball" ] || die "no linux-source-*.tar.xz in $ksrcpkg/usr/src"

build=$cache/build/kernel-x86_64-$key
tree=$build/src
if [ ! -f "$tree/.vsmmu-unpacked" ]; then
    log "unpacking $tarball into $tree"
    rm -rf "$tree"
    mkdir -p "$tree"
    tar -xJf "$tarball" -C "$tree" --strip-components=1 ||
        die "cannot unpack $tarball into $tree"
    touch "$tree/.vsmmu-unpacked"
fi

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
blog=$out.tmp/build.log
start=$(date +%s)

kmake() {
    make -C "$tree" ARCH=x86_64 "$@" >>"$blog" 2>&1 || {
        tail -n 40 "$blog" >&2
        die "'make $*' failed in $tree (full log: $blog)"
    }
}

log "configuring (tinyconfig + $fragment); log in $blog"
kmake tinyconfig
(cd "$tree" && KCONFIG_CONFIG=.config ARCH=x86_64 \
    scripts/kconfig/merge_config.sh -m .config "$fragment") >>"$blog" 2>&1 ||
    die "merge_config.sh failed for $fragment (log: $blog)"
kmake olddefconfig

# The fragment is only a request; Kconfig drops symbols whose dependencies
# are not met.  These two are essential, so insist on them.
for sym in CONFIG_IOMMUFD_TEST CONFIG_PVH CONFIG_IOMMUFD CONFIG_X86_IOPL_IOPERM CONFIG_DEVTMPFS CONFIG_FUTEX CONFIG_EVENTFD; do
    grep -qx "$sym=y" "$tree/.config" ||
        die "$sym=y from $fragment did not survive 'make olddefconfig' (a dependency is missing; see $tree/.config)"
done
# Report (but tolerate) any other request that was dropped.
while IFS= read -r line; do
    case $line in
    CONFIG_*=*) grep -qxF "$line" "$tree/.config" || log "warning: '$line' not in final .config" ;;
    esac
done <"$fragment"

jobs=${VSMMU_JOBS:-$(nproc)}
log "building vmlinux with -j$jobs (takes a few minutes)"
kmake -j"$jobs" vmlinux
# gen_init_cpio is normally built as part of usr/ with BLK_DEV_INITRD; make
# sure it exists even if that changes.
[ -x "$tree/usr/gen_init_cpio" ] || kmake usr/gen_init_cpio
end=$(date +%s)

mkdir -p "$out.tmp/usr" "$out.tmp/include"
cp "$tree/vmlinux" "$out.tmp/vmlinux"
cp "$tree/.config" "$out.tmp/config"
cp "$tree/usr/gen_init_cpio" "$out.tmp/usr/gen_init_cpio"
cp "$tree/drivers/iommu/iommufd/iommufd_test.h" "$out.tmp/include/iommufd_test.h" ||
    die "mock driver header missing from $tree"
cp -a "$hdrpkg/usr/include" "$out.tmp/uapi"
kernelrelease=$(make -s -C "$tree" ARCH=x86_64 kernelrelease 2>/dev/null || echo unknown)
cat >"$out.tmp/info" <<EOF
key=$key
kernel_package=$kpkg=$kver
headers_package=$hpkg=$hver
kernelrelease=$kernelrelease
build_seconds=$((end - start))
jobs=$jobs
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
touch "$out.tmp/.complete"
rm -rf "$out"
mv "$out.tmp" "$out"

if [ "${VSMMU_KERNEL_KEEP_TREE:-0}" = 1 ]; then
    log "keeping the source tree in $tree"
else
    rm -rf "$build"
fi
log "built $kernelrelease in $((end - start)) s"
printf '%s\n' "$out"
