#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that #include "..." never crosses a layer upwards.

The layers, bottom to top (docs/devel/architecture.rst):

  spec      hw/registerfields.h, hw/arm/smmuv3-common.h: includable anywhere
  util      util/, qom/, include/qemu/, include/qapi/, include/qom/
  backends  backends/, system/memory.c and the backend and memory headers
            under include/system/ (iommufd*, vfio-cdev-abi*, memory,
            host-iommu-device, veventq-reader)
  hw        hw/, include/hw/
  system    the daemon: system/, accel/ (it drives the machine), include/chardev/ and the daemon headers
            under include/system/ (qmp*, machine, qtest, runstate, system)

A file may include headers of its own layer or below.  A header that is
not under include/ is private to its directory: only files next to it may
include it (e.g. hw/arm/smmuv3-internal.h).  Every header under include/
must be mapped to a layer, so that a new one is classified on purpose.
Generated headers (trace.h, config-host.h) are not in the tree and are
skipped.

  check-layers.py [TOP]        check the tree at TOP (default: ..)
  check-layers.py --self-test  check the checker on a fixture tree
"""

import fnmatch
import os
import re
import sys
import tempfile

LAYERS = ["spec", "util", "backends", "hw", "system"]
SCANNED = ["util", "qom", "backends", "hw", "system", "accel", "include"]

# Headers by their name under include/ (first match wins).
HEADER_LAYERS = [
    ("hw/registerfields.h", "spec"),
    ("hw/arm/smmuv3-common.h", "spec"),
    ("qemu/*", "util"),
    ("qapi/*", "util"),
    ("qom/*", "util"),
    ("system/iommufd*.h", "backends"),
    ("system/vfio-cdev-abi*.h", "backends"),
    ("system/memory.h", "backends"),
    ("system/hostmem.h", "backends"),
    ("system/host-iommu-device.h", "backends"),
    ("system/veventq-reader.h", "backends"),
    ("system/qmp*.h", "system"),
    ("system/machine.h", "system"),
    ("system/qom-tree.h", "system"),
    ("system/qtest.h", "system"),
    ("system/runstate.h", "system"),
    ("system/system.h", "system"),
    ("system/kvm.h", "system"),
    ("system/sandbox.h", "system"),
    ("system/vm-options.h", "system"),
    ("chardev/*", "system"),
    ("hw/*", "hw"),
]

# Source files by their path in the tree (first match wins).
SOURCE_LAYERS = [
    ("system/memory.c", "backends"),
    ("util/*", "util"),
    ("qom/*", "util"),
    ("backends/*", "backends"),
    ("hw/*", "hw"),
    ("system/*", "system"),
    ("accel/*", "system"),
]

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def match(table, path):
    for pattern, layer in table:
        if fnmatch.fnmatchcase(path, pattern):
            return layer
    return None


def file_layer(rel):
    """The layer of a scanned file (rel: path from the top)."""
    if rel.startswith("include/"):
        return match(HEADER_LAYERS, rel[len("include/"):])
    return match(SOURCE_LAYERS, rel)


def resolve(top, rel, name):
    """(kind, path) of an include: kind 'public', 'private' or None."""
    local = os.path.normpath(os.path.join(os.path.dirname(rel), name))
    if os.path.isfile(os.path.join(top, local)):
        if local.startswith("include/"):
            return "public", local[len("include/"):]
        return "private", local
    if os.path.isfile(os.path.join(top, "include", name)):
        return "public", name
    if os.path.isfile(os.path.join(top, name)):
        return "private", name
    return None, name


def scanned_files(top):
    for d in SCANNED:
        for root, dirs, names in os.walk(os.path.join(top, d)):
            dirs.sort()
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(root, n), top)


def check(top):
    """Return the list of violations, one message each."""
    errors = []
    for rel in scanned_files(top):
        layer = file_layer(rel)
        if layer is None:
            errors.append("%s: not mapped to a layer" % rel)
            continue
        with open(os.path.join(top, rel), encoding="utf-8") as f:
            lines = f.read().splitlines()
        for no, line in enumerate(lines, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            kind, path = resolve(top, rel, m.group(1))
            where = "%s:%d" % (rel, no)
            if kind is None:
                continue            # generated (trace.h, config-host.h)
            if kind == "private":
                if os.path.dirname(path) != os.path.dirname(rel):
                    errors.append('%s: includes "%s", private to %s/' %
                                  (where, m.group(1), os.path.dirname(path)))
                continue
            hlayer = match(HEADER_LAYERS, path)
            if hlayer is None:
                errors.append('%s: "%s" is not mapped to a layer' %
                              (where, path))
            elif LAYERS.index(hlayer) > LAYERS.index(layer):
                errors.append('%s: %s file includes "%s" (%s layer)' %
                              (where, layer, path, hlayer))
    return errors


# ---- self-test -------------------------------------------------------------

FIXTURE = {
    "include/qemu/osdep.h": "",
    "include/qapi/error.h": "",
    "include/hw/registerfields.h": "",
    "include/hw/arm/smmuv3-common.h": "",
    "include/hw/qdev-core.h": '#include "system/memory.h"\n',
    "include/system/memory.h": '#include "qapi/error.h"\n',
    "include/system/iommufd.h": "",
    "include/system/qmp.h": "",
    "include/system/machine.h": '#include "hw/qdev-core.h"\n',
    "include/system/new-thing.h": "",
    "util/ok.c": '#include "qemu/osdep.h"\n#include "trace.h"\n'
                 '#include "hw/arm/smmuv3-common.h"\n',
    "util/bad.c": '#include "hw/qdev-core.h"\n',
    "backends/ok.c": '#include "system/iommufd.h"\n'
                     '#include "hw/registerfields.h"\n',
    "backends/bad.c": '#include "system/qmp.h"\n',
    "hw/x/priv.h": "",
    "hw/x/ok.c": '#include "priv.h"\n#include "system/iommufd.h"\n',
    "hw/x/bad.c": '  # include "system/machine.h"\n',
    "system/memory.c": '#include "system/memory.h"\n',
    "system/ok.c": '#include "hw/qdev-core.h"\n#include "system/qmp.h"\n',
    "system/bad.c": '#include "hw/x/priv.h"\n'
                    '#include "system/new-thing.h"\n',
}

EXPECTED = [
    'backends/bad.c:1: backends file includes "system/qmp.h" (system layer)',
    "include/system/new-thing.h: not mapped to a layer",
    'hw/x/bad.c:1: hw file includes "system/machine.h" (system layer)',
    'system/bad.c:1: includes "hw/x/priv.h", private to hw/x/',
    'system/bad.c:2: "system/new-thing.h" is not mapped to a layer',
    'util/bad.c:1: util file includes "hw/qdev-core.h" (hw layer)',
]


def self_test():
    with tempfile.TemporaryDirectory() as top:
        for rel, text in FIXTURE.items():
            os.makedirs(os.path.dirname(os.path.join(top, rel)),
                        exist_ok=True)
            with open(os.path.join(top, rel), "w", encoding="utf-8") as f:
                f.write(text)
        got = sorted(check(top))
    if got != sorted(EXPECTED):
        print("check-layers self-test failed; got:", file=sys.stderr)
        for e in got:
            print("  " + e, file=sys.stderr)
        return 1
    print("check-layers self-test: %d violations found as expected" %
          len(EXPECTED))
    return 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    top = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..")
    errors = check(top)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print("check-layers: %d upward or private includes (see"
              " docs/devel/architecture.rst)" % len(errors), file=sys.stderr)
        return 1
    print("check-layers: no include crosses a layer upwards")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
