/*
 * The PCI function of an emulated host device, behind its VFIO regions.
 *
 * Owns the function's config bytes and BAR0 storage (a memfd, which
 * emulated_pci_function_mmap() maps as VFIO mmap()s a BAR); no lock of its
 * own (the emulated host's lock guards every call).  See
 * include/system/iommufd-emulated-pci.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/iommufd-emulated-pci.h"
#include "system/vfio-cdev-abi.h"
#include <sys/mman.h>

/* Linux vfio-pci's layout: region index << 40 is its file offset. */
#define REGION_SHIFT 40
#define CONFIG_CAP_MSI 0x40

struct EmulatedPCIFunction {
    uint8_t config[EMULATED_PCI_CONFIG_SIZE];
    uint8_t wmask[EMULATED_PCI_CONFIG_SIZE];
    int bar0_fd;                /* memfd of BAR0, or -1 until first used */
    uint8_t *bar0;              /* its shared mapping */
};

/* BAR0's storage: a memfd, so that it can be mmap()ed like a real BAR. */
static int bar0_storage(EmulatedPCIFunction *fn)
{
    void *p;
    int fd;

    if (fn->bar0) {
        return 0;
    }
    fd = memfd_create("vsmmu-emulated-bar0", MFD_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    if (ftruncate(fd, EMULATED_PCI_BAR0_SIZE) < 0) {
        int err = -errno;

        close(fd);
        return err;
    }
    p = mmap(NULL, EMULATED_PCI_BAR0_SIZE, PROT_READ | PROT_WRITE,
             MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int err = -errno;

        close(fd);
        return err;
    }
    fn->bar0_fd = fd;
    fn->bar0 = p;
    return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

EmulatedPCIFunction *emulated_pci_function_new(void)
{
    EmulatedPCIFunction *fn = g_new0(EmulatedPCIFunction, 1);
    uint8_t *c = fn->config;

    fn->bar0_fd = -1;

    put16(c + 0x00, EMULATED_PCI_VENDOR_ID);
    put16(c + 0x02, EMULATED_PCI_DEVICE_ID);
    put16(c + 0x06, 0x0010);                /* status: capability list */
    c[0x08] = EMULATED_PCI_REVISION;
    put16(c + 0x0a, EMULATED_PCI_CLASS);
    put16(c + 0x2c, EMULATED_PCI_SUBSYS_VENDOR);
    put16(c + 0x2e, EMULATED_PCI_SUBSYS_ID);
    c[0x34] = CONFIG_CAP_MSI;
    c[0x3d] = 1;                            /* INTA */
    c[CONFIG_CAP_MSI] = 0x05;               /* MSI, last capability */
    put16(c + CONFIG_CAP_MSI + 2, 0x0080);  /* 64-bit address */
    /* Writable: command, cache line, latency, BAR0, interrupt line. */
    put16(fn->wmask + 0x04, 0x0547);
    fn->wmask[0x0c] = fn->wmask[0x0d] = 0xff;
    put16(fn->wmask + 0x10, ~(EMULATED_PCI_BAR0_SIZE - 1) & 0xfff0);
    put16(fn->wmask + 0x12, ~(EMULATED_PCI_BAR0_SIZE - 1) >> 16);
    fn->wmask[0x3c] = 0xff;
    return fn;
}

void emulated_pci_function_free(EmulatedPCIFunction *fn)
{
    if (fn) {
        if (fn->bar0) {
            munmap(fn->bar0, EMULATED_PCI_BAR0_SIZE);
            close(fn->bar0_fd);
        }
        g_free(fn);
    }
}

int emulated_pci_function_region_info(EmulatedPCIFunction *fn,
                                      uint32_t index, uint64_t *size,
                                      uint64_t *offset)
{
    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        *size = EMULATED_PCI_CONFIG_SIZE;
    } else if (index == VFIO_PCI_BAR0_REGION_INDEX) {
        *size = EMULATED_PCI_BAR0_SIZE;
    } else {
        return -EINVAL;
    }
    *offset = (uint64_t)index << REGION_SHIFT;
    return 0;
}

static void config_rw(EmulatedPCIFunction *fn, uint8_t *buf, size_t count,
                      uint32_t off, bool write)
{
    for (size_t i = 0; i < count; i++) {
        uint8_t *c = &fn->config[off + i], wm = fn->wmask[off + i];

        if (write) {
            *c = (*c & ~wm) | (buf[i] & wm);
        } else {
            buf[i] = *c;
        }
    }
}

ssize_t emulated_pci_function_rw(EmulatedPCIFunction *fn, void *buf,
                                 size_t count, uint64_t offset, bool write)
{
    uint32_t index = offset >> REGION_SHIFT;
    uint64_t off = offset & ((1ULL << REGION_SHIFT) - 1), size, base;

    if (emulated_pci_function_region_info(fn, index, &size, &base) < 0 ||
        off > size || count > size - off) {
        return -EINVAL;
    }
    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        config_rw(fn, buf, count, off, write);
    } else if (write) {
        int ret = bar0_storage(fn);

        if (ret < 0) {
            return ret;
        }
        memcpy(fn->bar0 + off, buf, count);
    } else if (fn->bar0) {
        memcpy(buf, fn->bar0 + off, count);
    } else {
        memset(buf, 0, count);
    }
    return count;
}

void *emulated_pci_function_mmap(EmulatedPCIFunction *fn, uint64_t offset,
                                 uint64_t size, int *err)
{
    uint64_t off = offset & ((1ULL << REGION_SHIFT) - 1);
    void *p;

    if (offset >> REGION_SHIFT != VFIO_PCI_BAR0_REGION_INDEX || !size ||
        off > EMULATED_PCI_BAR0_SIZE || size > EMULATED_PCI_BAR0_SIZE - off) {
        *err = -EINVAL;
        return NULL;
    }
    *err = bar0_storage(fn);
    if (*err < 0) {
        return NULL;
    }
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fn->bar0_fd,
             off);
    if (p == MAP_FAILED) {
        *err = -errno;
        return NULL;
    }
    return p;
}
