/*
 * PCI addresses as users write them (see util/pci-addr.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_PCI_ADDR_H
#define QEMU_PCI_ADDR_H

/* "SLOT[.FN]": slot 0..0x1f, function 0..7, both hex, into a devfn. */
bool qemu_parse_pci_devfn(const char *str, int32_t *devfn);

/* "[DDDD:]BB:DD.F" (hex) into domain, bus and devfn. */
bool qemu_parse_pci_host_addr(const char *str, unsigned *domain,
                              unsigned *bus, int *devfn);

#endif /* QEMU_PCI_ADDR_H */
