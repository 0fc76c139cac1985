/*
 * Fuzz target: the option parser behind -device, -object, -machine,
 * -chardev and friends, in both spellings (key=value,... and JSON).
 *
 * Input: one byte picks the implied key (none, "driver" as -device,
 * "qom-type" as -object, "type"), the rest is the option string (cut at
 * the first NUL, as a command-line argument would be).  Every option
 * parsed is then read back through each accessor.
 *
 * Invariants: no crash or sanitizer report; a parse fails exactly when
 * it sets an error; every option has a name and reads back as a string.
 *
 * Calls: qemu_opts_parse(), qemu_opts_nth(), qemu_opt_find(),
 * qemu_opt_get_str(), qemu_opt_get_bool(), qemu_opt_to_string(),
 * qemu_parse_size(), qemu_parse_bool(), qemu_opt_unset(),
 * qemu_opts_free() (util/qemu-option.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "fuzz.h"

static const char *const implied_keys[] = { NULL, "driver", "qom-type",
                                            "type" };

static void read_back(QemuOpts *opts)
{
    guint n = qemu_opts_count(opts);

    for (guint i = 0; i < n; i++) {
        const QemuOpt *opt = qemu_opts_nth(opts, i);
        g_autofree char *str = qemu_opt_to_string(opt);
        Error *err = NULL;
        uint64_t size;
        bool b;

        g_assert_nonnull(opt->name);
        g_assert_nonnull(str);
        g_assert_true(qemu_opt_find(opts, opt->name) != NULL);
        if (qemu_opt_get_str(opts, opt->name, &err)) {
            g_assert_null(err);
        } else {
            g_assert_nonnull(err);
            error_free(err);
            err = NULL;
        }
        if (!qemu_opt_get_bool(opts, opt->name, &b, &err)) {
            g_assert_nonnull(err);
            error_free(err);
        }
        qemu_parse_size(str, 1, &size);
        qemu_parse_bool(str, &b);
    }
    g_assert_null(qemu_opts_nth(opts, n));
    if (n) {
        g_autofree char *name = g_strdup(qemu_opts_nth(opts, 0)->name);

        g_assert_true(qemu_opt_unset(opts, name));
        g_assert_cmpuint(qemu_opts_count(opts), <, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *params = NULL;
    const char *implied;
    QemuOpts *opts;
    Error *err = NULL;

    if (size < 1) {
        return 0;
    }
    implied = implied_keys[data[0] % G_N_ELEMENTS(implied_keys)];
    params = g_strndup((const char *)data + 1, size - 1);

    opts = qemu_opts_parse(params, implied, &err);
    g_assert_true(!opts == !!err);
    if (opts) {
        read_back(opts);
        qemu_opts_free(opts);
    } else {
        g_assert_nonnull(error_get_pretty(err));
        error_free(err);
    }
    return 0;
}
