#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install vsmmu's build and test dependencies from Debian packages.
# Idempotent: installs only what is missing.  Without root it prints the
# exact apt-get command to run and fails.  Packages given as arguments are
# installed too (make check-deb: debhelper, lintian).

set -e

top=$(cd "$(dirname "$0")/.." && pwd)

# Build: compiler, meson, ninja, pkg-config, glib, json-glib, libfdt
# (the device tree of -accel kvm guests) and libseccomp (-sandbox on).
# Tests: python3 (trace generator, MAINTAINERS check).  Manual pages:
# rst2man (python3-docutils); the install test renders them with man-db.
pkgs="gcc libc6-dev make meson ninja-build pkg-config python3
      libglib2.0-dev libjson-glib-dev libfdt-dev libseccomp-dev linux-libc-dev
      python3-docutils man-db groff-base"

pkgs="$pkgs $*"

# Each test bed lists the host packages it needs.
for list in "$top"/tests/*/deps.txt; do
    [ -f "$list" ] || continue
    pkgs="$pkgs $(grep -v '^#' "$list")"
done

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian system (no dpkg-query);" \
         "install these yourself: $pkgs" >&2
    exit 1
fi

missing=
for p in $pkgs; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    if [ "$status" != installed ]; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages; as root, run:" >&2
    echo "  apt-get install -y$missing" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
