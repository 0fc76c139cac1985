#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that every library the build uses is a declared dependency.

Every dependency('NAME') and find_library('NAME') in the tree's
meson.build files must be known to PACKAGES below, and its Debian
package must be both in scripts/install-deps.sh (what developers and CI
install) and in debian/control's Build-Depends (what the package build
installs).  A new library means one line here and one in each file.
"""

import os
import re
import sys

# meson dependency() or find_library() name -> Debian development package
PACKAGES = {
    "glib-2.0": "libglib2.0-dev",
    "gio-unix-2.0": "libglib2.0-dev",
    "json-glib-1.0": "libjson-glib-dev",
    "libseccomp": "libseccomp-dev",
    "libfdt": "libfdt-dev",         # pkg-config name (not in Debian's)
    "fdt": "libfdt-dev",            # cc.find_library() fallback
}

USE = re.compile(r"\b(?:dependency|find_library)\(\s*'([^']+)'")


def meson_libraries(top):
    found = {}
    for root, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs
                   if not d.startswith(".") and d not in ("build", "debian")
                   and not os.path.exists(os.path.join(root, d,
                                                       "meson-private"))]
        if "meson.build" in names:
            path = os.path.join(root, "meson.build")
            with open(path, encoding="utf-8") as f:
                for m in USE.finditer(f.read()):
                    found.setdefault(m.group(1), os.path.relpath(path, top))
    return found


def install_deps_packages(top):
    with open(os.path.join(top, "scripts", "install-deps.sh"),
              encoding="utf-8") as f:
        m = re.search(r'^pkgs="([^"]*)"', f.read(), re.M)
    return set(m.group(1).split()) if m else set()


def build_depends(top):
    with open(os.path.join(top, "debian", "control"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^Build-Depends:(.*?)(?=^\S)", text, re.M | re.S)
    if not m:
        return set()
    return {re.split(r"[\s(\[]", d.strip())[0]
            for d in m.group(1).split(",") if d.strip()}


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    deps, control = install_deps_packages(top), build_depends(top)
    errors = []
    for name, where in sorted(meson_libraries(top).items()):
        pkg = PACKAGES.get(name)
        if not pkg:
            errors.append(f"{where}: library '{name}' has no Debian package"
                          " in scripts/check-deps.py")
            continue
        if pkg not in deps:
            errors.append(f"{where}: '{name}' needs {pkg} in"
                          " scripts/install-deps.sh")
        if pkg not in control:
            errors.append(f"{where}: '{name}' needs {pkg} in debian/control"
                          " Build-Depends")
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
