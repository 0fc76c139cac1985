/*
 * Tests for command-line option parsing (key=value and JSON).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"

static void assert_str(const QemuOpts *opts, guint i, const char *name,
                       const char *value)
{
    const QemuOpt *opt = qemu_opts_nth(opts, i);

    g_assert_nonnull(opt);
    g_assert_cmpstr(opt->name, ==, name);
    g_assert_cmpint(opt->type, ==, QEMU_OPT_STRING);
    g_assert_cmpstr(opt->str, ==, value);
}

static void test_keyval_implied(void)
{
    g_autoptr(QemuOpts) opts = NULL;

    opts = qemu_opts_parse("arm-smmuv3,primary-bus=pcie.0,accel=on",
                           "driver", &error_abort);
    g_assert_false(qemu_opts_is_json(opts));
    g_assert_cmpuint(qemu_opts_count(opts), ==, 3);
    assert_str(opts, 0, "driver", "arm-smmuv3");
    assert_str(opts, 1, "primary-bus", "pcie.0");
    assert_str(opts, 2, "accel", "on");
    g_assert_cmpstr(qemu_opt_get_str(opts, "accel", &error_abort), ==, "on");
    g_assert_null(qemu_opt_get_str(opts, "nope", &error_abort));
}

static void test_keyval_explicit_first(void)
{
    g_autoptr(QemuOpts) opts = NULL;

    /* The implied key may also be given explicitly. */
    opts = qemu_opts_parse("driver=x,id=a", "driver", &error_abort);
    assert_str(opts, 0, "driver", "x");
    assert_str(opts, 1, "id", "a");
}

static void test_keyval_escape(void)
{
    g_autoptr(QemuOpts) opts = NULL;

    opts = qemu_opts_parse("a,,b,path=/tmp/x,,y,,,z=1", "first",
                           &error_abort);
    g_assert_cmpuint(qemu_opts_count(opts), ==, 3);
    assert_str(opts, 0, "first", "a,b");
    assert_str(opts, 1, "path", "/tmp/x,y,");
    assert_str(opts, 2, "z", "1");
}

static void test_keyval_flags(void)
{
    g_autoptr(QemuOpts) opts = NULL;
    bool b = false;

    /* Without implied key a leading bare word is a flag, too. */
    opts = qemu_opts_parse("server,wait=off,x=", NULL, &error_abort);
    assert_str(opts, 0, "server", "on");
    assert_str(opts, 1, "wait", "off");
    assert_str(opts, 2, "x", "");
    g_assert_true(qemu_opt_get_bool(opts, "server", &b, &error_abort));
    g_assert_true(b);
    g_assert_true(qemu_opt_get_bool(opts, "wait", &b, &error_abort));
    g_assert_false(b);
    /* Absent: value left alone. */
    b = true;
    g_assert_true(qemu_opt_get_bool(opts, "absent", &b, &error_abort));
    g_assert_true(b);
}

static void test_keyval_repeat_and_unset(void)
{
    g_autoptr(QemuOpts) opts = NULL;

    opts = qemu_opts_parse("a=1,b=2,a=3", NULL, &error_abort);
    g_assert_cmpuint(qemu_opts_count(opts), ==, 2);
    assert_str(opts, 0, "a", "3");
    assert_str(opts, 1, "b", "2");
    g_assert_true(qemu_opt_unset(opts, "a"));
    g_assert_false(qemu_opt_unset(opts, "a"));
    g_assert_cmpuint(qemu_opts_count(opts), ==, 1);
    assert_str(opts, 0, "b", "2");
    g_assert_null(qemu_opts_nth(opts, 1));
}

static void test_keyval_empty(void)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse("", "driver", &error_abort);

    g_assert_cmpuint(qemu_opts_count(opts), ==, 0);
}

static void test_keyval_errors(void)
{
    Error *err = NULL;
    g_autoptr(QemuOpts) opts = NULL;
    bool b;

    g_assert_null(qemu_opts_parse("a=1,=2", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter ''");
    error_free_or_abort(&err);

    opts = qemu_opts_parse("x=maybe", NULL, &error_abort);
    g_assert_false(qemu_opt_get_bool(opts, "x", &b, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'x' expects 'on' or 'off'");
    error_free_or_abort(&err);
}

static void test_json(void)
{
    g_autoptr(QemuOpts) opts = NULL;
    const QemuOpt *opt;
    g_autofree char *s = NULL;
    bool b = false;

    opts = qemu_opts_parse("  {\"driver\":\"arm-smmuv3\",\"accel\":true,"
                           "\"bus_nr\":252,\"ats\":\"on\"}", "driver",
                           &error_abort);
    g_assert_true(qemu_opts_is_json(opts));
    g_assert_cmpuint(qemu_opts_count(opts), ==, 4);
    assert_str(opts, 0, "driver", "arm-smmuv3");
    opt = qemu_opts_nth(opts, 1);
    g_assert_cmpint(opt->type, ==, QEMU_OPT_BOOL);
    g_assert_true(opt->boolean);
    s = qemu_opt_to_string(opt);
    g_assert_cmpstr(s, ==, "on");
    opt = qemu_opt_find(opts, "bus_nr");
    g_assert_cmpint(opt->type, ==, QEMU_OPT_NUMBER);
    g_assert_cmpint(opt->number, ==, 252);
    g_clear_pointer(&s, g_free);
    s = qemu_opt_to_string(opt);
    g_assert_cmpstr(s, ==, "252");
    g_assert_true(qemu_opt_get_bool(opts, "accel", &b, &error_abort));
    g_assert_true(b);
}

static void test_json_errors(void)
{
    Error *err = NULL;
    g_autoptr(QemuOpts) opts = NULL;
    bool b;

    g_assert_null(qemu_opts_parse("{\"driver\":", NULL, &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "JSON parse error, "));
    error_free_or_abort(&err);

    g_assert_null(qemu_opts_parse("{\"a\":[1]}", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'a', expected: scalar");
    error_free_or_abort(&err);

    g_assert_null(qemu_opts_parse("{\"a\":1.5}", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'a', expected: integer");
    error_free_or_abort(&err);

    opts = qemu_opts_parse("{\"accel\":\"on\",\"id\":3}", NULL,
                           &error_abort);
    /* JSON strings are not booleans, as in QEMU. */
    g_assert_false(qemu_opt_get_bool(opts, "accel", &b, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'accel', expected: boolean");
    error_free_or_abort(&err);
    g_assert_null(qemu_opt_get_str(opts, "id", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid parameter type for 'id', expected: string");
    error_free_or_abort(&err);
}

/* Ids must be identifiers, whatever consumes them (issue 10 row 11). */
static void test_ids(void)
{
    static const char *const bad[] = {
        "iommufd,id=", "iothread,id=9a", "x,id=a b", "x,id=a/b", "x,id=_a",
        "x,id=-", "{\"id\":\"\"}", "{\"id\":\"a:b\"}",
    };
    static const char *const good[] = {
        "x,id=a", "x,id=hostdev0", "x,id=pci.1", "x,id=A-b_c.9",
        "{\"id\":\"z\"}",
    };
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(QemuOpts) from_qmp = NULL;
    Error *err = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_null(qemu_opts_parse(bad[i], "driver", &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Parameter 'id' expects an identifier");
        error_free_or_abort(&err);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        qemu_opts_free(qemu_opts_parse(good[i], "driver", &error_abort));
    }
    /* QMP arguments (device_add) too. */
    g_assert_true(json_parser_load_from_data(parser, "{\"id\":\"\"}", -1,
                                             NULL));
    from_qmp = qemu_opts_from_json(
        json_node_get_object(json_parser_get_root(parser)), &err);
    g_assert_null(from_qmp);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'id' expects an identifier");
    error_free_or_abort(&err);
    g_assert_false(id_wellformed(""));
    g_assert_true(id_wellformed("a"));
}

/* json-glib would cut "a\u0000b" to "a" (issue 10 row 7). */
static void test_json_nul(void)
{
    Error *err = NULL;
    g_autoptr(QemuOpts) opts = NULL;

    g_assert_null(qemu_opts_parse("{\"driver\":\"x\",\"id\":"
                                  "\"hostdev0\\u0000junk\"}", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'id' contains \\u0000, which is not supported");
    error_free_or_abort(&err);
    g_assert_null(qemu_opts_parse("{\"host\" : \"\\u0000\"}", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Parameter 'host' contains"
                    " \\u0000, which is not supported");
    error_free_or_abort(&err);
    g_assert_null(qemu_opts_parse("{\"id\\u0000x\":\"a\"}", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Parameter name 'id\\u0000x'"
                    " contains \\u0000, which is not supported");
    error_free_or_abort(&err);
    /* An escaped backslash before "u0000" is no NUL; other escapes pass. */
    opts = qemu_opts_parse("{\"path\":\"a\\\\u0000\\u0041\\\"\"}", NULL,
                           &error_abort);
    g_assert_cmpstr(qemu_opt_get_str(opts, "path", &error_abort), ==,
                    "a\\u0000A\"");
    g_assert_true(qemu_json_check_nul("{\"a\":[\"\\u0001\"]}", &error_abort));
    g_assert_false(qemu_json_check_nul("{\"a\":[\"x\", \"\\u0000\"]}",
                                       &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'a' contains \\u0000, which is not supported");
    error_free_or_abort(&err);
}

static void test_size(void)
{
    uint64_t sz;

    g_assert_true(qemu_parse_size("128", 1 << 20, &sz));
    g_assert_cmpuint(sz, ==, 128ULL << 20);
    g_assert_true(qemu_parse_size("2G", 1 << 20, &sz));
    g_assert_cmpuint(sz, ==, 2ULL << 30);
    g_assert_true(qemu_parse_size("4096b", 1 << 20, &sz));
    g_assert_cmpuint(sz, ==, 4096);
    g_assert_true(qemu_parse_size("64k", 1 << 20, &sz));
    g_assert_cmpuint(sz, ==, 64 << 10);
    g_assert_false(qemu_parse_size("", 1, &sz));
    g_assert_false(qemu_parse_size("-1", 1, &sz));
    g_assert_false(qemu_parse_size("12X", 1, &sz));
    g_assert_false(qemu_parse_size("1MB", 1, &sz));
    g_assert_false(qemu_parse_size("99999999999999999999", 1, &sz));
    g_assert_false(qemu_parse_size("17179869184T", 1, &sz));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/option/keyval/implied", test_keyval_implied);
    g_test_add_func("/option/keyval/explicit-first",
                    test_keyval_explicit_first);
    g_test_add_func("/option/keyval/escape", test_keyval_escape);
    g_test_add_func("/option/keyval/flags", test_keyval_flags);
    g_test_add_func("/option/keyval/repeat", test_keyval_repeat_and_unset);
    g_test_add_func("/option/keyval/empty", test_keyval_empty);
    g_test_add_func("/option/keyval/errors", test_keyval_errors);
    g_test_add_func("/option/json/types", test_json);
    g_test_add_func("/option/json/errors", test_json_errors);
    g_test_add_func("/option/json/nul", test_json_nul);
    g_test_add_func("/option/ids", test_ids);
    g_test_add_func("/option/size", test_size);
    return g_test_run();
}
