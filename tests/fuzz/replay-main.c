/*
 * Corpus replay: runs a fuzz target once over each file given on the
 * command line (or each file in a directory given), without libFuzzer.
 * Built with any compiler, so `make check` replays every seed corpus
 * and every crash kept as a regression input; in the libFuzzer build
 * the same harnesses link libFuzzer's main instead.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include "fuzz.h"

static int replay_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;
    gsize len;

    if (!g_file_get_contents(path, &buf, &len, &err)) {
        g_printerr("replay: %s\n", err->message);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned n = 0;

    for (int i = 1; i < argc; i++) {
        g_autoptr(GError) err = NULL;
        GDir *dir;
        const char *name;

        if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            if (replay_file(argv[i])) {
                return 1;
            }
            n++;
            continue;
        }
        dir = g_dir_open(argv[i], 0, &err);
        if (!dir) {
            g_printerr("replay: %s\n", err->message);
            return 1;
        }
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(argv[i], name, NULL);

            if (replay_file(path)) {
                g_dir_close(dir);
                return 1;
            }
            n++;
        }
        g_dir_close(dir);
    }
    g_print("replayed %u inputs\n", n);
    return n ? 0 : 1;
}
