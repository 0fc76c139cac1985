#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the path of Linux >= 6.15 uAPI headers (a usr/include directory)
# for the iommufd ABI equality test, fetching linux-libc-dev from
# trixie-backports into the cache the first time (never installed
# system-wide).  Prints nothing when they cannot be had here; the test
# then reports SKIP with the reason (a failure under CI=true).

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pkg="linux-libc-dev=${VSMMU_UAPI_VERSION:-7.3.4-1~bpo13+1}"

dir=$("$top/scripts/debian-fetch.sh" --extract "$pkg" | tail -n 1)
rc=$?
if [ $rc -ne 0 ] || [ -z "$dir" ]; then
    echo "fetch-uapi-headers: cannot fetch $pkg (status $rc)" >&2
    exit 0
fi
if [ ! -f "$dir/usr/include/linux/iommufd.h" ]; then
    echo "fetch-uapi-headers: $dir has no usr/include/linux/iommufd.h" >&2
    exit 0
fi
echo "$dir/usr/include"
