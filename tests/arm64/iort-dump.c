/*
 * iort-dump: /init of the IORT capture boot (tests/arm64/run-vm.sh).
 *
 * Prints the firmware's IORT, as the kernel exposes it in
 * /sys/firmware/acpi/tables/IORT, to the console as hex, 32 bytes a line:
 *
 *   VSMMU-IORT: <offset> <hex bytes>
 *   VSMMU-IORT: end <length>
 *
 * and reports one test ("IORT captured") in the VSMMU-TEST protocol, so
 * that run-vm.sh can judge the capture boot like any other run.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "vmlib.h"

#define IORT_PATH "/sys/firmware/acpi/tables/IORT"

static void dump(void *opaque)
{
    static unsigned char buf[65536];
    FILE *f = fopen(IORT_PATH, "rb");
    size_t len;

    VM_ASSERT(f, "open %s (is the kernel booted with ACPI?)", IORT_PATH);
    len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    VM_ASSERT(len >= 48 && memcmp(buf, "IORT", 4) == 0,
              "%s is not an IORT (%zu bytes)", IORT_PATH, len);
    for (size_t off = 0; off < len; off += 32) {
        char line[3 * 32 + 32];
        size_t n = len - off < 32 ? len - off : 32;
        int pos = snprintf(line, sizeof(line), "VSMMU-IORT: %06zx ", off);

        for (size_t i = 0; i < n; i++) {
            pos += snprintf(line + pos, sizeof(line) - pos, "%02x",
                            buf[off + i]);
        }
        printf("%s\n", line);
    }
    printf("VSMMU-IORT: end %zu\n", len);
    fflush(stdout);
}

int main(void)
{
    vm_init();
    vm_run("IORT captured", dump, NULL);
    vm_finish();
}
