/*
 * The machine types: the one table behind -machine TYPE, -machine help
 * and QMP query-machines.
 *
 * QEMU names the Arm virt board by release, "virt-MAJOR.MINOR", with
 * "virt" the alias of the newest; vsmmu lists the versions QEMU 11.1
 * keeps (those of the last six years; the ones older than three marked
 * deprecated) so that libvirt's command lines, which name a versioned
 * type, select the board.  Every version builds the same board:
 * vsmmu's virt has none of the per-release compatibility properties
 * (they concern CPUs, firmware tables and devices vsmmu does not have).
 *
 * Read-only after construction; the table is built once, on first use,
 * from the main thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/machine.h"

/* QEMU releases with a virt machine type, oldest first. */
static const struct { unsigned major, minor; } virt_versions[] = {
    { 5, 1 }, { 5, 2 }, { 6, 0 }, { 6, 1 }, { 6, 2 }, { 7, 0 }, { 7, 1 },
    { 7, 2 }, { 8, 0 }, { 8, 1 }, { 8, 2 }, { 9, 0 }, { 9, 1 }, { 9, 2 },
    { 10, 0 }, { 10, 1 }, { 10, 2 }, { 11, 0 }, { 11, 1 },
};

/* Older than three years (before 8.1) is deprecated in QEMU 11.1. */
#define VIRT_DEPRECATED_BEFORE(v) ((v).major < 8 || \
                                   ((v).major == 8 && (v).minor < 1))

static GPtrArray *types;        /* of MachineTypeInfo *, newest virt first */

static MachineTypeInfo *type_new(const char *name, const char *family)
{
    MachineTypeInfo *t = g_new0(MachineTypeInfo, 1);

    t->name = g_strdup(name);
    t->family = family;
    return t;
}

static void types_init(void)
{
    MachineTypeInfo *t;

    if (types) {
        return;
    }
    types = g_ptr_array_new();
    for (int i = G_N_ELEMENTS(virt_versions) - 1; i >= 0; i--) {
        g_autofree char *name = g_strdup_printf("virt-%u.%u",
                                                virt_versions[i].major,
                                                virt_versions[i].minor);

        t = type_new(name, "virt");
        t->desc = g_strdup_printf("QEMU %u.%u ARM Virtual Machine",
                                  virt_versions[i].major,
                                  virt_versions[i].minor);
        t->alias = i == (int)G_N_ELEMENTS(virt_versions) - 1 ? "virt" : NULL;
        t->deprecated = VIRT_DEPRECATED_BEFORE(virt_versions[i]);
        t->cpu_max = 512;
        t->default_cpu_type = "cortex-a15-arm-cpu";
        t->default_ram_id = "mach-virt.ram";
        g_ptr_array_add(types, t);
    }
    t = type_new("none", "none");
    t->desc = g_strdup("empty machine");
    t->cpu_max = 1;
    t->default_ram_id = "ram";
    g_ptr_array_add(types, t);
}

const MachineTypeInfo *machine_type_find(const char *name)
{
    types_init();
    for (guint i = 0; i < types->len; i++) {
        const MachineTypeInfo *t = g_ptr_array_index(types, i);

        if (!strcmp(t->name, name) || (t->alias && !strcmp(t->alias, name))) {
            return t;
        }
    }
    return NULL;
}

void machine_type_foreach(void (*func)(const MachineTypeInfo *t,
                                       void *opaque), void *opaque)
{
    types_init();
    for (guint i = 0; i < types->len; i++) {
        func(g_ptr_array_index(types, i), opaque);
    }
}
