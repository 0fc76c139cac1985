#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that every reStructuredText file under docs/ parses cleanly.

The documents are read as plain docutils reads them (rst2man renders the
manual pages from some of them; the rest are read as text or by any
reStructuredText viewer): a malformed table, an unknown role or
directive, or any other warning or error fails the check, naming the file
and line.  Sphinx-only roles such as :doc: are errors here, since nothing
builds these documents with Sphinx.

Usage: check-docs.py TOP
Exit status: 0 clean, 1 problems found, 77 docutils is not installed.
"""

import io
import os
import sys

try:
    import docutils.core
    import docutils.utils
except ImportError:
    print("SKIP: python3-docutils is not installed for", sys.executable)
    sys.exit(77)


def check(path, docs):
    """The warning and error lines docutils reports for PATH."""
    stream = io.StringIO()
    with open(path, encoding="utf-8") as f:
        # The manual pages' templates (docs/man) name docs/ as @DOCS@.
        text = f.read().replace("@DOCS@", docs)
    try:
        docutils.core.publish_doctree(
            text, source_path=path,
            settings_overrides={"report_level": 2, "halt_level": 5,
                                "warning_stream": stream,
                                "file_insertion_enabled": True,
                                "raw_enabled": False})
    except docutils.utils.SystemMessage as e:
        stream.write(str(e) + "\n")
    return [line for line in stream.getvalue().splitlines()
            if "(WARNING/" in line or "(ERROR/" in line
            or "(SEVERE/" in line]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    top = sys.argv[1]
    problems = 0
    count = 0
    docs = os.path.abspath(os.path.join(top, "docs"))
    for root, dirs, names in os.walk(docs):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(".rst"):
                continue
            count += 1
            for line in check(os.path.join(root, name), docs):
                print(line.replace(docs, "docs"))
                problems += 1
    print(f"check-docs: {count} documents, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
