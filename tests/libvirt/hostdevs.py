#!/usr/bin/env python3
#
# hostdevs.py: split a domain XML's PCI <hostdev>s off, for the libvirt
# test bed (run-libvirt-test.sh) on a host where libvirt refuses VFIO.
#
# Usage: hostdevs.py IN.xml OUT.xml HOSTDEVS
#
# OUT.xml is IN.xml without its <hostdev> elements; HOSTDEVS gets one line
# per hostdev, "ID HOST-BDF BUS ADDR": libvirt's alias (hostdev0, 1, ...
# in document order), the source address, and the guest address as
# libvirt writes it on the device ("pci.N" for bus N, slot as "0xS" or
# "0xS.0xF").
#
# SPDX-License-Identifier: GPL-2.0-or-later

import sys
import xml.etree.ElementTree as ET


def num(addr, key):
    return int(addr.get(key, '0'), 0)


def main():
    src, dst, out = sys.argv[1:4]
    text = open(src).read()
    tree = ET.ElementTree(ET.fromstring(text))
    devices = tree.getroot().find('devices')
    lines = []
    for i, hd in enumerate(devices.findall('hostdev')):
        s = hd.find('source/address')
        g = hd.find('address')
        if s is None or g is None or g.get('type') != 'pci':
            sys.exit('%s: hostdev %d needs a source and a guest PCI address' % (src, i))
        bdf = '%04x:%02x:%02x.%x' % (num(s, 'domain'), num(s, 'bus'),
                                     num(s, 'slot'), num(s, 'function'))
        bus = num(g, 'bus')
        addr = '0x%x' % num(g, 'slot')
        if num(g, 'function'):
            addr += '.0x%x' % num(g, 'function')
        lines.append('hostdev%d %s %s %s' % (i, bdf, 'pcie.0' if bus == 0 else 'pci.%d' % bus, addr))
        devices.remove(hd)
    tree.write(dst, encoding='unicode')
    with open(out, 'w') as f:
        f.write(''.join(l + '\n' for l in lines))


main()
