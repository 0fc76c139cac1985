/*
 * Tests for the trace infrastructure and the generated trace code.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/trace.h"
#include "trace.h"

/* Run fn with trace output going to a temporary file; return the text. */
static char *collect(void (*fn)(void))
{
    FILE *fp = tmpfile();
    char *text;
    long len;

    g_assert_nonnull(fp);
    trace_set_output(fp);
    fn();
    trace_set_output(NULL);
    len = ftell(fp);
    g_assert_cmpint(len, >=, 0);
    text = g_malloc0(len + 1);
    rewind(fp);
    g_assert_cmpint(fread(text, 1, len, fp), ==, len);
    fclose(fp);
    return text;
}

static void emit_all(void)
{
    trace_test_trace_int(-5, "hello");
    trace_test_trace_u64(UINT64_C(0xfedcba9876543210));
    trace_test_trace_void();
    trace_test_other_event(42);
}

static void reset_all(void)
{
    trace_enable_pattern("-*");
}

static void test_disabled_by_default(void)
{
    g_autofree char *out = NULL;

    reset_all();
    out = collect(emit_all);
    g_assert_cmpstr(out, ==, "");
}

static void test_pattern(void)
{
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *tid = g_strdup_printf("%ld@", (long)gettid());

    reset_all();
    g_assert_cmpint(trace_enable_pattern("test_trace_*"), ==, 3);
    out = collect(emit_all);
    lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 4); /* 3 lines + "" */
    /* <tid>@<sec>.<usec>:<name> <args> */
    g_assert_true(g_str_has_prefix(lines[0], tid));
    g_assert_true(g_regex_match_simple(
        "^[0-9]+@[0-9]+\\.[0-9]{6}:test_trace_int a=-5 s=hello$",
        lines[0], 0, 0));
    g_assert_true(g_str_has_suffix(lines[1],
                                   ":test_trace_u64 v=0xfedcba9876543210"));
    g_assert_true(g_str_has_suffix(lines[2], ":test_trace_void no arguments"));
    g_assert_cmpstr(lines[3], ==, "");
}

static void test_negative_pattern(void)
{
    g_autofree char *out = NULL;

    reset_all();
    trace_enable_pattern("test_*");
    trace_enable_pattern("-test_trace_*");
    out = collect(emit_all);
    g_assert_nonnull(strstr(out, ":test_other_event n=42\n"));
    g_assert_null(strstr(out, "test_trace_"));
}

static void test_find(void)
{
    TraceEvent *ev = trace_event_find("test_trace_void");

    g_assert_nonnull(ev);
    reset_all();
    g_assert_false(trace_event_get_state(ev));
    trace_enable_pattern("test_trace_void");
    g_assert_true(trace_event_get_state(ev));
    g_assert_null(trace_event_find("test_trace_nonexistent"));
}

static void test_opt_parse(void)
{
    Error *err = NULL;
    g_autofree char *events = NULL;
    g_autofree char *path = NULL;
    g_autofree char *opt = NULL;
    int fd;

    reset_all();
    g_assert_true(trace_opt_parse("test_other_*", &error_abort));
    g_assert_true(trace_event_get_state(trace_event_find("test_other_event")));

    reset_all();
    g_assert_true(trace_opt_parse("enable=test_trace_u64", &error_abort));
    g_assert_true(trace_event_get_state(trace_event_find("test_trace_u64")));
    g_assert_false(trace_event_get_state(trace_event_find("test_trace_int")));

    /* events=FILE: one pattern per line, comments ignored. */
    fd = g_file_open_tmp("trace-events-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    events = g_strdup("# comment\n\ntest_trace_int\n  test_trace_void  \n");
    g_assert_true(g_file_set_contents(path, events, -1, NULL));
    reset_all();
    opt = g_strdup_printf("events=%s", path);
    g_assert_true(trace_opt_parse(opt, &error_abort));
    g_assert_true(trace_event_get_state(trace_event_find("test_trace_int")));
    g_assert_true(trace_event_get_state(trace_event_find("test_trace_void")));
    g_assert_false(trace_event_get_state(trace_event_find("test_trace_u64")));
    unlink(path);

    g_assert_false(trace_opt_parse("events=/nonexistent/file", &err));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "cannot read trace events file "
                            "'/nonexistent/file'"));
    error_free_or_abort(&err);

    g_assert_false(trace_opt_parse("bogus=1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'bogus'");
    error_free_or_abort(&err);

    g_assert_false(trace_opt_parse("file=/nonexistent/dir/out", &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                  "cannot open trace file '/nonexistent/dir/out': "));
    error_free_or_abort(&err);
    reset_all();
}

static void test_unknown_event_warns(void)
{
    if (g_test_subprocess()) {
        trace_opt_parse("no_such_event", &error_abort);
        trace_opt_parse("no_such_*", &error_abort); /* wildcard: silent */
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr(
        "*warning: trace event 'no_such_event' does not exist\n");
}

static void test_env(void)
{
    /* VSMMU_TRACE applies at start-up, before main() runs. */
    if (g_test_subprocess()) {
        trace_init_from_env();
        g_assert_true(trace_event_get_state(
            trace_event_find("test_trace_int")));
        g_assert_false(trace_event_get_state(
            trace_event_find("test_other_event")));
        emit_all();
        return;
    }
    g_setenv("VSMMU_TRACE", "test_trace_int, test_trace_void", TRUE);
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_unsetenv("VSMMU_TRACE");
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*:test_trace_int a=-5 s=hello\n*"
                              ":test_trace_void no arguments\n");
}

static gpointer emit_thread(gpointer data)
{
    for (int i = 0; i < 1000; i++) {
        trace_test_other_event(i);
    }
    return NULL;
}

static void emit_threads(void)
{
    GThread *t[4];

    for (int i = 0; i < 4; i++) {
        t[i] = g_thread_new("emit", emit_thread, NULL);
    }
    for (int i = 0; i < 4; i++) {
        g_thread_join(t[i]);
    }
}

static void test_threads(void)
{
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;

    reset_all();
    trace_enable_pattern("test_other_event");
    out = collect(emit_threads);
    lines = g_strsplit(out, "\n", -1);
    /* Every line whole: no interleaving between threads. */
    g_assert_cmpuint(g_strv_length(lines), ==, 4001);
    for (int i = 0; i < 4000; i++) {
        g_assert_true(g_regex_match_simple(
            "^[0-9]+@[0-9]+\\.[0-9]{6}:test_other_event n=[0-9]+$",
            lines[i], 0, 0));
    }
    reset_all();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    error_set_progname("test-trace");

    g_test_add_func("/trace/disabled-by-default", test_disabled_by_default);
    g_test_add_func("/trace/pattern", test_pattern);
    g_test_add_func("/trace/negative-pattern", test_negative_pattern);
    g_test_add_func("/trace/find", test_find);
    g_test_add_func("/trace/opt-parse", test_opt_parse);
    g_test_add_func("/trace/unknown-event-warns", test_unknown_event_warns);
    g_test_add_func("/trace/env", test_env);
    g_test_add_func("/trace/threads", test_threads);
    return g_test_run();
}
