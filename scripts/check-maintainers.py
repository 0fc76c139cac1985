#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that MAINTAINERS covers every file in the tree.

Each section is a title line followed by "X: value" lines.  Every section
needs at least one M: (maintainer), one S: (status) and one F: (file
pattern).  F: is a path relative to the top: a directory ends with '/' and
covers everything below it; otherwise it is a glob.  Every tracked file
must be covered by some F:, and every F: must match at least one file.
"""

import fnmatch
import os
import subprocess
import sys


def tree_files(top):
    try:
        out = subprocess.run(["git", "-C", top, "ls-files", "-co",
                              "--exclude-standard"],
                             check=True, capture_output=True, text=True)
        files = [f for f in out.stdout.splitlines() if f]
        if files:
            return sorted(set(files))
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for root, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs
                   if not (d == ".git" or d.startswith("build"))]
        for n in names:
            files.append(os.path.relpath(os.path.join(root, n), top))
    return sorted(files)


def parse(path):
    sections = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                cur = None
                continue
            if len(line) > 2 and line[1] == ":" and line[0].isupper():
                if cur is None:
                    sys.exit("MAINTAINERS:%d: entry outside a section"
                             % lineno)
                cur["entries"].setdefault(line[0], []).append(
                    line[2:].strip())
            else:
                cur = {"title": line.strip(), "line": lineno, "entries": {}}
                sections.append(cur)
    return sections


def covers(pattern, fname):
    if pattern.endswith("/"):
        return fname.startswith(pattern)
    return fnmatch.fnmatchcase(fname, pattern)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    path = os.path.join(top, "MAINTAINERS")
    if not os.path.exists(path):
        print("MAINTAINERS is missing")
        return 1
    sections = parse(path)
    files = tree_files(top)
    errors = []
    # Skip the header section (the file's own description) if it has no F:.
    for s in sections:
        e = s["entries"]
        if not e:
            continue
        for key, what in (("M", "maintainer (M:)"), ("S", "status (S:)"),
                          ("F", "file pattern (F:)")):
            if key not in e:
                errors.append("MAINTAINERS:%d: section '%s' has no %s"
                              % (s["line"], s["title"], what))
        for pat in e.get("F", []):
            if not any(covers(pat, f) for f in files):
                errors.append("MAINTAINERS:%d: section '%s': F: %s matches"
                              " no file" % (s["line"], s["title"], pat))
    patterns = [p for s in sections for p in s["entries"].get("F", [])]
    for f in files:
        if not any(covers(p, f) for p in patterns):
            errors.append("%s: not covered by any MAINTAINERS section" % f)
    for e in errors:
        print(e)
    print("%d files, %d sections checked, %d problems"
          % (len(files), len(sections), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
