/*
 * The declarative QMP argument validator (system/qmp.c) and the
 * QmpSession parser driven in-process, without a socket.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/qmp.h"

static JsonObject *obj(const char *text)
{
    g_autoptr(JsonNode) node = json_from_string(text, NULL);

    g_assert_nonnull(node);
    return json_object_ref(json_node_get_object(node));
}

static const QmpArg spec[] = {
    { "name", QMP_ARG_STR, .required = true },
    { "count", QMP_ARG_UINT, .has_range = true, .min = 1, .max = 64 },
    { "offset", QMP_ARG_INT },
    { "size", QMP_ARG_UINT },
    { "on", QMP_ARG_BOOL },
    { "ratio", QMP_ARG_NUMBER },
    { "opts", QMP_ARG_OBJECT },
    { "list", QMP_ARG_ARRAY },
    { "data", QMP_ARG_ANY },
    { NULL }
};

static void check(const QmpArg *s, const char *args, const char *want)
{
    g_autoptr(JsonObject) o = obj(args);
    Error *err = NULL;
    bool ok = qmp_args_check(o, s, &err);

    if (!want) {
        g_assert_null(err);
        g_assert_true(ok);
        return;
    }
    g_assert_false(ok);
    g_assert_cmpstr(error_get_pretty(err), ==, want);
    error_free(err);
}

static void test_validator(void)
{
    check(spec, "{\"name\": \"a\"}", NULL);
    check(spec, "{\"name\": \"a\", \"count\": 64, \"offset\": -5,"
          " \"size\": 0, \"on\": false, \"ratio\": 1, \"opts\": {},"
          " \"list\": [], \"data\": null}", NULL);
    check(spec, "{\"name\": \"a\", \"ratio\": 0.5}", NULL);
    check(spec, "{}", "Parameter 'name' is missing");
    check(spec, "{\"name\": 1}",
          "Invalid parameter type for 'name', expected: string");
    check(spec, "{\"name\": null}",
          "Invalid parameter type for 'name', expected: string");
    check(spec, "{\"name\": \"a\", \"count\": 0}",
          "Parameter 'count' expects a value between 1 and 64");
    check(spec, "{\"name\": \"a\", \"count\": 65}",
          "Parameter 'count' expects a value between 1 and 64");
    check(spec, "{\"name\": \"a\", \"count\": \"3\"}",
          "Invalid parameter type for 'count', expected: integer");
    check(spec, "{\"name\": \"a\", \"offset\": 1.5}",
          "Invalid parameter type for 'offset', expected: integer");
    check(spec, "{\"name\": \"a\", \"size\": -1}",
          "Parameter 'size' expects uint64");
    check(spec, "{\"name\": \"a\", \"on\": \"on\"}",
          "Invalid parameter type for 'on', expected: boolean");
    check(spec, "{\"name\": \"a\", \"ratio\": \"1\"}",
          "Invalid parameter type for 'ratio', expected: number");
    check(spec, "{\"name\": \"a\", \"opts\": []}",
          "Invalid parameter type for 'opts', expected: object");
    check(spec, "{\"name\": \"a\", \"list\": {}}",
          "Invalid parameter type for 'list', expected: array");
    check(spec, "{\"name\": \"a\", \"bogus\": 1}",
          "Parameter 'bogus' is unexpected");
    /* QEMU's order: declared members before unexpected ones. */
    check(spec, "{\"bogus\": 1}", "Parameter 'name' is missing");
}

static void test_rest_and_compat(void)
{
    static const QmpArg rest[] = {
        { "driver", QMP_ARG_STR, .required = true },
        { "*", QMP_ARG_INT },
        { NULL }
    };

    check(rest, "{\"driver\": \"x\", \"p\": 1, \"q\": 2}", NULL);
    check(rest, "{\"driver\": \"x\", \"p\": true}",
          "Invalid parameter type for 'p', expected: integer");
    check(rest, "{\"p\": 1}", "Parameter 'driver' is missing");
}

static void test_getters(void)
{
    g_autoptr(JsonObject) o = obj("{\"s\": \"x\", \"i\": 7, \"d\": 2.5,"
                                  " \"b\": true, \"o\": {}, \"a\": [1]}");

    /* Wrong types give the default: no json-glib critical. */
    g_assert_cmpstr(qmp_arg_str(o, "s", NULL), ==, "x");
    g_assert_cmpstr(qmp_arg_str(o, "o", "def"), ==, "def");
    g_assert_cmpint(qmp_arg_int(o, "i", 0), ==, 7);
    g_assert_cmpint(qmp_arg_int(o, "a", -1), ==, -1);
    g_assert_true(qmp_arg_number(o, "d", 0) == 2.5);
    g_assert_true(qmp_arg_number(o, "i", 0) == 7);
    g_assert_true(qmp_arg_bool(o, "b", false));
    g_assert_false(qmp_arg_bool(o, "s", false));
    g_assert_nonnull(qmp_arg_object(o, "o"));
    g_assert_null(qmp_arg_object(o, "a"));
    g_assert_nonnull(qmp_arg_array(o, "a"));
    g_assert_null(qmp_arg_array(o, "missing"));
}

static void collect(const char *json, size_t len, void *opaque)
{
    g_ptr_array_add(opaque, g_strndup(json, len));
}

/* The session parser byte by byte: one reply per request, in order. */
static void test_session(void)
{
    static const char input[] =
        "{\"execute\": \"qmp_capabilities\"}"
        "{\"execute\": \"query-status\", \"id\": 1e999}\n"
        "nonsense\n"
        "{\"execute\": \"nope\", \"id\": \"x\"}";
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    QmpSession *s = qmp_session_new(collect, out);

    for (size_t i = 0; i < sizeof(input) - 1; i++) {
        qmp_session_feed(s, input + i, 1);
    }
    qmp_session_free(s);
    g_assert_cmpuint(out->len, ==, 5);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(out, 0), "{\"QMP\""));
    g_assert_cmpstr(g_ptr_array_index(out, 1), ==, "{\"return\":{}}");
    g_assert_true(g_str_has_suffix(g_ptr_array_index(out, 2),
                                   ",\"id\":1e999}"));
    g_assert_nonnull(strstr(g_ptr_array_index(out, 3),
                            "QMP input must be a JSON object"));
    g_assert_true(g_str_has_suffix(g_ptr_array_index(out, 4),
                                   ",\"id\":\"x\"}"));
}

int main(int argc, char **argv)
{
    g_setenv("G_DEBUG", "fatal-criticals", TRUE);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp-args/validator", test_validator);
    g_test_add_func("/qmp-args/rest-and-compat", test_rest_and_compat);
    g_test_add_func("/qmp-args/getters", test_getters);
    g_test_add_func("/qmp-args/session", test_session);
    return g_test_run();
}
