#!/usr/bin/env bash
#
# run-libvirt-test.sh: the libvirt test bed (meson suite "libvirt").
#
# Usage: tests/libvirt/run-libvirt-test.sh DAEMON DRIVER [DOMAIN...]
#
# For each domain XML of tests/libvirt/domains/ (or the DOMAINs named),
# Debian's libvirt (tests/libvirt/fetch.sh) turns the XML into a command
# line ("virsh -c qemu:///embed?root=... domxml-to-native qemu-argv"),
# with the capabilities it probes from Debian's QEMU 11.1 for aarch64
# (tests/arm64/fetch.sh qemu) as <emulator>; vsmmu-daemon cannot be that
# emulator (see "The libvirt test bed" in docs/devel/testing.rst).  Then
# DRIVER (libvirt-drive) starts each line with DAEMON and drives its
# monitor as libvirt does.  Output is TAP, one line per domain, and one
# per domain the reference QEMU 11.1 runs too; each domain's files (XML,
# line, daemon stderr, driver logs) stay, after a failure, in the
# directory printed first.
#
# libvirt runs unprivileged in a user namespace (embed mode as root needs
# the libvirt-qemu user) with a private mount namespace that shows it its
# own /usr/share/libvirt (cpu_map) and hides the machine's QEMU modules
# (Debian 12's QEMU 7.2 modules make QEMU 11.1's qom-list-types abort).
#
# A skip (no Debian archive, no user namespaces) is "1..0 # SKIP"; under
# CI=true it is a failure.
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 DAEMON DRIVER [DOMAIN...]" >&2; exit 2; }
daemon=$1 drive=$2
shift 2

skip() {
    if [ "${CI:-}" = true ]; then
        echo "Bail out! libvirt test bed cannot run under CI: $*"
        exit 1
    fi
    echo "1..0 # SKIP $*"
    exit 0
}

rc=0
lv=$("$here/fetch.sh") || rc=$?
[ $rc = 77 ] && skip "cannot fetch Debian's libvirt (see stderr)"
[ $rc = 0 ] || exit $rc
q=$("$srcroot/tests/arm64/fetch.sh" qemu) || rc=$?
[ $rc = 77 ] && skip "cannot fetch Debian's QEMU (see stderr)"
[ $rc = 0 ] || exit $rc
qemu=${q#qemu=}/bin/qemu-system-aarch64
unshare --user --map-root-user --mount sh -c \
    'mount -t overlay overlay -o "lowerdir=$1/usr/share:/usr/share" /usr/share' sh "$lv" 2>/dev/null ||
    skip "no unprivileged user and mount namespaces with overlayfs (unshare -U -r -m)"

work=$(mktemp -d "${TMPDIR:-/tmp}/vsmmu-libvirt.XXXXXX")
echo "# libvirt $("$lv/bin/virsh" --version), QEMU capabilities from $qemu; files in $work"
root=$work/root
mkdir -p "$root/etc" "$work/empty"
# Embed mode: no security driver, no namespaces or cgroups, no virtlogd.
cat >"$root/etc/qemu.conf" <<'EOF'
security_driver = "none"
dynamic_ownership = 0
remember_owner = 0
namespaces = [ ]
cgroup_controllers = [ ]
stdio_handler = "file"
EOF

# virsh domxml-to-native, as an unprivileged user, in the private view.
moddir=/usr/lib/x86_64-linux-gnu/qemu
to_native() {
    unshare --user --map-root-user --mount sh -c '
        set -e
        if [ -d "$1" ]; then mount --bind "$2" "$1"; fi
        mount -t overlay overlay -o "lowerdir=$3/usr/share:/usr/share" /usr/share
        shift 3
        exec unshare --user --map-user=1000 --map-group=1000 "$@"' \
        sh "$moddir" "$work/empty" "$lv" \
        "$lv/bin/virsh" -q -c "qemu:///embed?root=$root" domxml-to-native qemu-argv "$1"
}

if [ $# = 0 ]; then
    set -- "$here"/domains/*.xml
    set -- "${@##*/}"
    set -- "${@%.xml}"
fi
names=()
for n in "$@"; do
    x=$here/domains/$n.xml
    [ -f "$x" ] || { echo "Bail out! no domain $x"; exit 1; }
    sed -n 's/.*<!-- expect: \(.*\) -->.*/\1/p' "$x" >"$work/$n.expect"
    sed -n 's/.*<!-- expect-hostdev: \(.*\) -->.*/\1/p' "$x" >"$work/$n.expect-hostdev"
    sed "s,@EMULATOR@,$qemu," "$x" >"$work/$n.xml"
    : >"$work/$n.hostdev"
    if ! to_native "$work/$n.xml" >"$work/$n.args" 2>"$work/$n.virsh.log"; then
        # libvirt puts no <hostdev> on a line for a host without an IOMMU
        # (qemuDomainPrepareHostdevPCI): generate without them, and let
        # the driver hot-plug them in libvirt's device_add form.
        if grep -q 'VFIO PCI device assignment is not supported by the host' \
               "$work/$n.virsh.log"; then
            python3 "$here/hostdevs.py" "$work/$n.xml" "$work/$n.nohostdev.xml" \
                "$work/$n.hostdev"
            to_native "$work/$n.nohostdev.xml" >"$work/$n.args" 2>>"$work/$n.virsh.log" || true
        fi
    fi
    if [ ! -s "$work/$n.args" ]; then
        echo "# $n: libvirt did not generate a line:"
        grep -v ' info : ' "$work/$n.virsh.log" | sed 's/^/#   /'
        rm -f "$work/$n.args"
    fi
    names+=("$n")
done

# One TAP line per domain, with the driver's messages as diagnostics;
# then, for each domain without host devices that must start, the same
# line and sequence on QEMU 11.1 itself: the reference that keeps the
# harness honest (a step QEMU fails is the harness's mistake, not ours).
refs=()
for n in "${names[@]}"; do
    if [ -f "$work/$n.args" ] && [ ! -s "$work/$n.hostdev" ] &&
       [ "$(cat "$work/$n.expect")" = start ]; then
        refs+=("$n")
    fi
done
echo "1..$((${#names[@]} + ${#refs[@]}))"
i=0 failed=0
# drive N NAME DAEMON DESCRIPTION LOG
drive() {
    if "$drive" --daemon "$3" "$work" -p "/libvirt/$2" >"$5" 2>&1; then
        echo "ok $1 - $4"
    else
        echo "not ok $1 - $4"
        failed=1
    fi
    grep -E '^# |^(Bail|\*\*)|ERROR' "$5" | grep -v '^# random seed\|^# Start of\|^# End of' |
        sed 's/^\([^#]\)/# \1/' | cut -c1-400
}
for n in "${names[@]}"; do
    i=$((i + 1))
    what="$(cat "$work/$n.expect")"
    [ -s "$work/$n.hostdev" ] && what="$what, hot-plug $(cut -d' ' -f1,2 "$work/$n.hostdev" | paste -sd, -)"
    [ -s "$work/$n.expect-hostdev" ] && what="$what $(cat "$work/$n.expect-hostdev")"
    if [ ! -f "$work/$n.args" ]; then
        echo "not ok $i - $n: no command line from libvirt"
        failed=1
        continue
    fi
    drive $i "$n" "$daemon" "$n: $what" "$work/$n.drive.log"
done
for n in "${refs[@]}"; do
    i=$((i + 1))
    drive $i "$n" "$qemu" "$n on QEMU 11.1 (reference)" "$work/$n.reference.log"
done
# Keep the files of a failed run for inspection only.
[ $failed = 1 ] || rm -rf "$work"
exit $failed
