/*
 * Loading an arm64 Linux kernel, initrd and device tree into guest RAM.
 *
 * The layout follows Documentation/arch/arm64/booting.rst: the Image at
 * a 2 MiB aligned RAM base plus its header's text_offset, with
 * image_size bytes (bss included) left free; the initrd at the next
 * 2 MiB boundary; the device tree (at most 2 MiB) at the 2 MiB boundary
 * after that.  The first vCPU starts at the Image with X0 = the device
 * tree.  Files are read once and kept, so a system reset can write them
 * again.
 *
 * No state of its own beyond ArmBootInfo, which its owner guards.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_ARM_BOOT_H
#define HW_ARM_BOOT_H

#include "qapi/error.h"
#include "system/memory.h"

#define ARM64_IMAGE_HEADER_SIZE 64
#define ARM64_IMAGE_MAGIC       0x644d5241u     /* "ARM\x64" */
#define ARM_BOOT_ALIGN          (2ULL << 20)
#define ARM_DTB_MAX_SIZE        (2ULL << 20)

typedef struct ArmBootInfo {
    /* Inputs. */
    const char *kernel_filename;
    const char *initrd_filename;    /* or NULL */
    hwaddr ram_base;
    uint64_t ram_size;
    /* Set by arm_boot_prepare(). */
    GBytes *kernel;
    GBytes *initrd;                 /* NULL without -initrd */
    uint64_t text_offset;
    uint64_t image_size;
    hwaddr kernel_addr;             /* entry point */
    hwaddr initrd_addr;             /* 0 without initrd */
    hwaddr dtb_addr;
} ArmBootInfo;

/*
 * Check an arm64 Image header (LEN bytes at BUF) and return its
 * text_offset and image_size.  Pre-3.17 Images (image_size 0) load at
 * 0x80000 and take their file size.
 */
bool arm64_image_parse(const uint8_t *buf, size_t len, uint64_t *text_offset,
                       uint64_t *image_size, Error **errp);
/* Read the files and place them in RAM (not written yet). */
bool arm_boot_prepare(ArmBootInfo *bi, Error **errp);
/* Write kernel, initrd and the FDT_SIZE bytes of FDT into AS. */
bool arm_boot_load(const ArmBootInfo *bi, AddressSpace *as, const void *fdt,
                   size_t fdt_size, Error **errp);
void arm_boot_info_clear(ArmBootInfo *bi);

#endif /* HW_ARM_BOOT_H */
