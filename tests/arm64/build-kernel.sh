#!/usr/bin/env bash
#
# build-kernel.sh: build (once) the arm64 test-bed kernel (real arm-smmu-v3
# driver, iommufd, VFIO cdev) and print the cache directory holding it.
#
# Usage: tests/arm64/build-kernel.sh
#
# The kernel is Debian's linux-source-7.3 (trixie-backports), configured as
# "make ARCH=arm64 tinyconfig" plus tests/arm64/kernel.config and built out
# of tree with the Debian 12 cross compiler that tests/arm64/fetch.sh
# extracts (nothing is installed).
#
# Result, in ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/kernel-arm64-<hash>/:
#   Image                 the kernel (EFI stub; qemu -bios QEMU_EFI.fd -kernel)
#   config                the final .config
#   usr/gen_init_cpio     host tool that packs an initramfs without root
#   uapi/                 uAPI headers from linux-libc-dev 7.3
#   info                  versions, cache key, build time
#   build.log             the full build output
# <hash> covers kernel.config, this script and the pinned source version.  Concurrent callers serialise on <dir>.lock; only one builds.
# VSMMU_JOBS sets make -j (default: nproc).  VSMMU_KERNEL_KEEP_TREE=1 keeps
# the unpacked source (~1.5 GB) and object trees under ${VSMMU_CACHE}/build/.
#
# Exit status: 0 success, 1 failure, 77 environment cannot build it.
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

prog=${0##*/}
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }
skip() { printf 'SKIP: %s: %s\n' "$prog" "$*" >&2; exit 77; }

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/kernel.config
cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
kver=7.3.4-1~bpo13+1
# The cross compiler is pinned by Debian 12 (gcc 12.2.0-14cross1), so its
# version is not part of the key; fetch.sh is not either (editing its other
# components must not rebuild the kernel).
key=$( { cat "$fragment" "$here/build-kernel.sh"; echo "$kver"; } |
       sha256sum | cut -c1-16)
out=$cache/kernel-arm64-$key

if [ -f "$out/.complete" ]; then
    printf '%s\n' "$out"
    exit 0
fi

for tool in make gcc flex bison bc tar xz flock sha256sum; do
    command -v "$tool" >/dev/null || skip "host tool '$tool' not found (see tests/kernel/deps.txt)"
done

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

rc=0
env=$("$here/fetch.sh" toolchain ksource) || rc=$?
[ $rc = 0 ] || exit $rc
tc=$(sed -n 's/^toolchain=//p' <<<"$env")
ks=$(sed -n 's/^ksource=//p' <<<"$env")
tarball=$(find "$ks/usr/src" -maxdepth 1 -name 'linux-source-*.tar.xz' | head -n1)
[ -n "$tarball" ] || die "no linux-source-*.tar.xz in $ks/usr/src"
export PATH=$tc/usr/bin:$PATH
export LD_LIBRARY_PATH=$tc/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

build=$cache/build/kernel-arm64-$key
tree=$build/src
obj=$build/obj
if [ ! -f "$tree/.vsmmu-unpacked" ]; then
    log "unpacking $tarball into $tree"
    rm -rf "$tree"
    mkdir -p "$tree"
    tar -xJf "$tarball" -C "$tree" --strip-components=1 ||
        die "cannot unpack $tarball into $tree"
    touch "$tree/.vsmmu-unpacked"
fi

rm -rf "$out.tmp"
mkdir -p "$out.tmp" "$obj"
blog=$out.tmp/build.log
start=$(date +%s)

kmake() {
    make -C "$tree" O="$obj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@" >>"$blog" 2>&1 || {
        tail -n 40 "$blog" >&2
        die "'make $*' failed in $obj (full log: $blog)"
    }
}

log "configuring (tinyconfig + $fragment); log in $blog"
kmake tinyconfig
(cd "$obj" && ARCH=arm64 "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" \
    "$obj/.config" "$fragment") >>"$blog" 2>&1 ||
    die "merge_config.sh failed for $fragment (log: $blog)"
kmake olddefconfig

for sym in CONFIG_ACPI CONFIG_ACPI_TABLE_UPGRADE CONFIG_ARM_SMMU_V3 \
           CONFIG_ARM_SMMU_V3_IOMMUFD CONFIG_IOMMUFD CONFIG_VFIO_DEVICE_CDEV \
           CONFIG_VFIO_PCI CONFIG_EFI_STUB CONFIG_SERIAL_AMBA_PL011_CONSOLE \
           CONFIG_UNIX CONFIG_MEMFD_CREATE CONFIG_KVM CONFIG_HOTPLUG_PCI_PCIE; do
    grep -qx "$sym=y" "$obj/.config" ||
        die "$sym=y from $fragment did not survive 'make olddefconfig' (a dependency is missing; see $obj/.config)"
done
while IFS= read -r line; do
    case $line in
    CONFIG_*=*) grep -qxF "$line" "$obj/.config" || log "warning: '$line' not in final .config" ;;
    esac
done <"$fragment"

jobs=${VSMMU_JOBS:-$(nproc)}
log "building Image with -j$jobs (several minutes)"
kmake -j"$jobs" Image
[ -x "$obj/usr/gen_init_cpio" ] || kmake usr/gen_init_cpio
end=$(date +%s)

mkdir -p "$out.tmp/usr"
cp "$obj/arch/arm64/boot/Image" "$out.tmp/Image"
cp "$obj/.config" "$out.tmp/config"
cp "$obj/usr/gen_init_cpio" "$out.tmp/usr/gen_init_cpio"
cp -a "$ks/usr/include" "$out.tmp/uapi"
kernelrelease=$(make -s -C "$tree" O="$obj" ARCH=arm64 kernelrelease 2>/dev/null || echo unknown)
cat >"$out.tmp/info" <<INFO
key=$key
kernel_package=linux-source-7.3=$kver
toolchain=$tc
kernelrelease=$kernelrelease
build_seconds=$((end - start))
jobs=$jobs
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
INFO
touch "$out.tmp/.complete"
rm -rf "$out"
mv "$out.tmp" "$out"

if [ "${VSMMU_KERNEL_KEEP_TREE:-0}" = 1 ]; then
    log "keeping the source and object trees in $build"
else
    rm -rf "$build"
fi
log "built $kernelrelease in $((end - start)) s"
printf '%s\n' "$out"
