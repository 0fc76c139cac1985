#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print vsmmu's full version: VERSION, and for a build from a git checkout
# of vsmmu itself the `git describe` of that checkout, e.g.
# "0.1.0 (v0.1.0-3-g1234abc-dirty)".  A tree that is not a checkout (a
# tarball, the Debian source package) prints VERSION alone, even when it
# is unpacked inside some other git repository.
#
# Usage: version.sh SOURCE_DIR

src=$(cd "${1:-.}" && pwd -P) || exit 1
version=$(cat "$src/VERSION") || exit 1

top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null) &&
    [ "$(cd "$top" && pwd -P)" = "$src" ] &&
    describe=$(git -C "$src" describe --always --dirty --match 'v[0-9]*' 2>/dev/null)
if [ -n "$describe" ]; then
    echo "$version ($describe)"
else
    echo "$version"
fi
