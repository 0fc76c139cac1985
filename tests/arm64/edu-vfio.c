/*
 * QEMU's edu device in the arm64 test-bed VM, handed to vfio-pci.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "edu-vfio.h"
#include "vmlib.h"

static bool read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    return ok;
}

static bool write_str(const char *path, const char *val)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fputs(val, f) >= 0;
    return (fclose(f) == 0) && ok;
}

/* The sysfs id of device NAME (vendor or device), or -1. */
static long pci_id(const char *name, const char *what)
{
    char path[512], v[32];

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", name, what);
    return read_line(path, v, sizeof(v)) ? (long)strtoul(v, NULL, 16) : -1;
}

static bool find_edu(char *bdf, size_t len)
{
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *e;
    bool found = false;

    while (d && !found && (e = readdir(d))) {
        if (e->d_name[0] != '.' && pci_id(e->d_name, "vendor") == EDU_VENDOR &&
            pci_id(e->d_name, "device") == EDU_DEVICE) {
            snprintf(bdf, len, "%s", e->d_name);
            found = true;
        }
    }
    if (d) {
        closedir(d);
    }
    return found;
}

void edu_bind_vfio(char *bdf, size_t bdf_len, char *cdev, size_t cdev_len)
{
    char path[512];
    DIR *d;
    struct dirent *e;

    VM_ASSERT(find_edu(bdf, bdf_len), "edu (%04x:%04x) not found in"
              " /sys/bus/pci/devices (QEMU needs -device edu)", EDU_VENDOR,
              EDU_DEVICE);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
             bdf);
    VM_ASSERT(write_str(path, "vfio-pci"), "write vfio-pci to %s", path);
    /* EBUSY/ENODEV from drivers_probe still leaves the result to check. */
    write_str("/sys/bus/pci/drivers_probe", bdf);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
    d = opendir(path);
    VM_ASSERT(d, "%s missing: vfio-pci did not bind %s (IOMMU group? see"
              " the kernel log)", path, bdf);
    cdev[0] = '\0';
    while ((e = readdir(d))) {
        if (!strncmp(e->d_name, "vfio", 4)) {
            snprintf(cdev, cdev_len, "/dev/vfio/devices/%s", e->d_name);
        }
    }
    closedir(d);
    VM_ASSERT(cdev[0], "no vfio<N> entry in %s", path);
}
