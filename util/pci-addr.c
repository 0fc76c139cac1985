/*
 * PCI addresses as users write them: "SLOT[.FN]" for a device's place on
 * a bus (addr=) and "[DDDD:]BB:DD.F" for a host device (host=).  Every
 * field is range-checked; nothing is truncated into another address.
 * No state, no locks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/pci-addr.h"

/* One hex field of a PCI address, at most MAX; *P moves past it. */
static bool parse_devfn_field(const char **p, unsigned long max,
                              unsigned long *out)
{
    char *end;

    if (!g_ascii_isxdigit(**p)) {
        return false;
    }
    errno = 0;
    *out = strtoul(*p, &end, 16);
    if (errno || *out > max) {
        return false;
    }
    *p = end;
    return true;
}

/* "SLOT[.FN]": slot 0..0x1f, function 0..7, both hex. */
bool qemu_parse_pci_devfn(const char *value, int32_t *devfn)
{
    unsigned long slot, fn = 0;
    const char *p = value;

    if (!parse_devfn_field(&p, 0x1f, &slot)) {
        return false;
    }
    if (*p == '.') {
        p++;
        if (!parse_devfn_field(&p, 7, &fn)) {
            return false;
        }
    }
    if (*p) {
        return false;
    }
    *devfn = slot << 3 | fn;
    return true;
}

bool qemu_parse_pci_host_addr(const char *str, unsigned *domain,
                              unsigned *bus, int *devfn)
{
    unsigned long field[3], fn;
    const char *p = str;
    int n = 0;

    do {
        if (n == 3 || !parse_devfn_field(&p, 0xffff, &field[n++])) {
            return false;
        }
    } while (*p == ':' && p++);
    if (n < 2 || *p++ != '.' || !parse_devfn_field(&p, 7, &fn) || *p ||
        field[n - 1] > 0x1f || field[n - 2] > 0xff) {
        return false;
    }
    *domain = n == 3 ? field[0] : 0;
    *bus = field[n - 2];
    *devfn = field[n - 1] << 3 | fn;
    return true;
}

