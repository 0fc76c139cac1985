/*
 * arm64 Linux boot: Image header, RAM layout, loading.
 *
 * Owns nothing beyond the caller's ArmBootInfo (no lock: its owner
 * prepares and loads from one thread).  See include/hw/arm/boot.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/arm/boot.h"
#include "trace.h"

#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))

static uint64_t ldq_le(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

bool arm64_image_parse(const uint8_t *buf, size_t len, uint64_t *text_offset,
                       uint64_t *image_size, Error **errp)
{
    uint32_t magic;
    uint64_t flags;

    if (len < ARM64_IMAGE_HEADER_SIZE) {
        error_setg(errp, "not an arm64 Image: %zu bytes, shorter than its"
                   " 64-byte header", len);
        return false;
    }
    magic = buf[56] | buf[57] << 8 | buf[58] << 16 | (uint32_t)buf[59] << 24;
    if (magic != ARM64_IMAGE_MAGIC) {
        error_setg(errp, "not an arm64 Image (magic 0x%08x at offset 56,"
                   " expected 0x%08x); compressed or ELF kernels are not"
                   " supported", magic, ARM64_IMAGE_MAGIC);
        return false;
    }
    *text_offset = ldq_le(buf + 8);
    *image_size = ldq_le(buf + 16);
    flags = ldq_le(buf + 24);
    if (*image_size == 0) {
        *text_offset = 0x80000;
        *image_size = len;
    } else if (flags & 1) {
        error_setg(errp, "big-endian arm64 Image not supported");
        return false;
    }
    if (*image_size < len) {
        error_setg(errp, "arm64 Image header says image_size 0x%" PRIx64
                   ", smaller than the file (0x%zx bytes)", *image_size, len);
        return false;
    }
    if (*text_offset >= ARM_BOOT_ALIGN * 16) {
        error_setg(errp, "arm64 Image text_offset 0x%" PRIx64 " too large",
                   *text_offset);
        return false;
    }
    return true;
}

static GBytes *read_file(const char *opt, const char *path, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    char *data;
    gsize len;

    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        error_setg(errp, "%s %s: %s", opt, path, gerr->message);
        return NULL;
    }
    return g_bytes_new_take(data, len);
}

bool arm_boot_prepare(ArmBootInfo *bi, Error **errp)
{
    hwaddr ram_end = bi->ram_base + bi->ram_size;
    hwaddr next;
    size_t klen;
    const uint8_t *k;

    g_assert(!(bi->ram_base & (ARM_BOOT_ALIGN - 1)));
    bi->kernel = read_file("-kernel", bi->kernel_filename, errp);
    if (!bi->kernel) {
        return false;
    }
    k = g_bytes_get_data(bi->kernel, &klen);
    if (!arm64_image_parse(k, klen, &bi->text_offset, &bi->image_size,
                           errp)) {
        error_prepend(errp, "-kernel %s: ", bi->kernel_filename);
        return false;
    }
    if (bi->initrd_filename) {
        bi->initrd = read_file("-initrd", bi->initrd_filename, errp);
        if (!bi->initrd) {
            return false;
        }
    }
    bi->kernel_addr = bi->ram_base + bi->text_offset;
    next = ALIGN_UP(bi->kernel_addr + bi->image_size, ARM_BOOT_ALIGN);
    if (bi->initrd) {
        bi->initrd_addr = next;
        next = ALIGN_UP(next + g_bytes_get_size(bi->initrd), ARM_BOOT_ALIGN);
    }
    bi->dtb_addr = next;
    if (next < bi->ram_base || next + ARM_DTB_MAX_SIZE > ram_end) {
        error_setg(errp, "-m 0x%" PRIx64 " bytes: too small for the kernel"
                   " (0x%" PRIx64 " bytes at +0x%" PRIx64 "), the initrd"
                   " (0x%zx bytes) and the device tree (2 MiB)",
                   bi->ram_size, bi->image_size, bi->text_offset,
                   bi->initrd ? g_bytes_get_size(bi->initrd) : 0);
        return false;
    }
    trace_arm_boot_layout(bi->kernel_addr, bi->image_size, bi->initrd_addr,
                          bi->initrd ? g_bytes_get_size(bi->initrd) : 0,
                          bi->dtb_addr);
    return true;
}

static bool load_blob(AddressSpace *as, const char *what, hwaddr addr,
                      const void *data, size_t len, Error **errp)
{
    if (address_space_write(as, addr, data, len) != MEMTX_OK) {
        error_setg(errp, "cannot load the %s (0x%zx bytes) at 0x%" PRIx64
                   ": outside guest RAM", what, len, addr);
        return false;
    }
    return true;
}

bool arm_boot_load(const ArmBootInfo *bi, AddressSpace *as, const void *fdt,
                   size_t fdt_size, Error **errp)
{
    size_t len;
    const void *data = g_bytes_get_data(bi->kernel, &len);

    if (fdt_size > ARM_DTB_MAX_SIZE) {
        error_setg(errp, "device tree of 0x%zx bytes exceeds 2 MiB",
                   fdt_size);
        return false;
    }
    if (!load_blob(as, "kernel", bi->kernel_addr, data, len, errp)) {
        return false;
    }
    if (bi->initrd) {
        data = g_bytes_get_data(bi->initrd, &len);
        if (!load_blob(as, "initrd", bi->initrd_addr, data, len, errp)) {
            return false;
        }
    }
    return load_blob(as, "device tree", bi->dtb_addr, fdt, fdt_size, errp);
}

void arm_boot_info_clear(ArmBootInfo *bi)
{
    g_clear_pointer(&bi->kernel, g_bytes_unref);
    g_clear_pointer(&bi->initrd, g_bytes_unref);
}
