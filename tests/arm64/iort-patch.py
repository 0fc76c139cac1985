#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Rebuild QEMU's IORT from a capture boot's console and mark it CANWBS.

Usage: iort-patch.py CONSOLE_LOG ORIGINAL_OUT PATCHED_OUT

CONSOLE_LOG holds the "VSMMU-IORT: <offset> <hex>" lines that iort-dump
printed (serial output: CR LF, kernel messages may share a line).  The
table is written unchanged to ORIGINAL_OUT, and to PATCHED_OUT with, for
every root-complex node (type 2), bit 2 (CANWBS) set in its memory access
flags (byte 23 of the node), the OEM revision increased (the kernel's table
upgrade only replaces a table by a newer revision) and the checksum fixed.
One summary line goes to stdout.  Exit status 1 with a message naming the
problem when the log has no complete, valid table.
"""

import re
import struct
import sys

NODE_ROOT_COMPLEX = 2
MAF_OFFSET = 23          # memory access flags inside a root-complex node
MAF_CANWBS = 1 << 2


def fail(msg):
    print('iort-patch.py: error: ' + msg, file=sys.stderr)
    sys.exit(1)


def parse(log):
    chunks = {}
    length = None
    for line in log.replace('\r', '').splitlines():
        m = re.search(r'VSMMU-IORT: ([0-9a-f]{6}) ([0-9a-f]+)$', line)
        if m:
            chunks[int(m.group(1), 16)] = bytes.fromhex(m.group(2))
            continue
        m = re.search(r'VSMMU-IORT: end (\d+)$', line)
        if m:
            length = int(m.group(1))
    if length is None:
        fail('no "VSMMU-IORT: end" line in the capture log')
    data = bytearray()
    for off in sorted(chunks):
        if off != len(data):
            fail('IORT dump has a gap at offset 0x%x' % len(data))
        data += chunks[off]
    if len(data) != length:
        fail('IORT dump has %d bytes, its end line says %d' % (len(data), length))
    return data


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    with open(sys.argv[1], encoding='utf-8', errors='replace') as f:
        data = parse(f.read())
    if data[:4] != b'IORT' or struct.unpack_from('<I', data, 4)[0] != len(data):
        fail('captured table is not an IORT of %d bytes' % len(data))
    if sum(data) % 256:
        fail('captured IORT has a bad checksum (corrupted console output?)')
    with open(sys.argv[2], 'wb') as f:
        f.write(data)

    nnodes, off = struct.unpack_from('<II', data, 36)
    patched = 0
    for _ in range(nnodes):
        ntype, nlen = struct.unpack_from('<BH', data, off)
        if nlen < 16 or off + nlen > len(data):
            fail('IORT node at 0x%x has a bad length %d' % (off, nlen))
        if ntype == NODE_ROOT_COMPLEX:
            data[off + MAF_OFFSET] |= MAF_CANWBS
            patched += 1
        off += nlen
    if not patched:
        fail('IORT has no root-complex node to mark CANWBS')
    oem_rev = struct.unpack_from('<I', data, 24)[0]
    struct.pack_into('<I', data, 24, oem_rev + 1)
    data[9] = 0
    data[9] = (-sum(data)) % 256
    with open(sys.argv[3], 'wb') as f:
        f.write(data)
    print('IORT: %d bytes, %d nodes, %d root complex(es) marked CANWBS, '
          'OEM revision %d -> %d' % (len(data), nnodes, patched, oem_rev,
                                     oem_rev + 1))


if __name__ == '__main__':
    main()
