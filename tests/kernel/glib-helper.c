/*
 * Helper for the kernel test-bed smoke test: proves that a program linked
 * statically against Debian 12's libglib-2.0.a runs inside the VM.  It is
 * started by smoke.c (as /bin/glib-helper) and answers with its exit status:
 * 0 when a hash table, a regex (PCRE2) and a main loop timeout all work.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>

#include "vmlib.h"

static gboolean quit_loop(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

int main(void)
{
    g_autoptr(GHashTable) table = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GRegex) regex = g_regex_new("^v([0-9]+)$", 0, 0, NULL);
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);

    g_hash_table_insert(table, (gpointer)"key", (gpointer)"v42");
    if (!regex || !g_regex_match(regex, g_hash_table_lookup(table, "key"), 0,
                                 NULL)) {
        vm_note("glib-helper: regex/hash table check failed");
        return 1;
    }
    g_timeout_add(5, quit_loop, loop);
    g_main_loop_run(loop);
    vm_note("glib-helper: GLib %u.%u.%u works when linked statically",
            glib_major_version, glib_minor_version, glib_micro_version);
    return 0;
}
