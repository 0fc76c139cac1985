/*
 * Tests for Error objects and error reporting.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include <sys/wait.h>

static GString *captured;

static void capture(const char *line, void *opaque)
{
    g_string_append(captured, line);
}

static void capture_begin(void)
{
    captured = g_string_new(NULL);
    error_set_sink(capture, NULL);
}

static char *capture_end(void)
{
    error_set_sink(NULL, NULL);
    return g_string_free(g_steal_pointer(&captured), FALSE);
}

static void test_setg(void)
{
    Error *err = NULL;

    error_setg(&err, "object %s: value %d", "x", 3);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, "object x: value 3");
    g_assert_null(error_get_hint(err));
    error_free_or_abort(&err);

    /* NULL errp ignores the error. */
    error_setg(NULL, "ignored");
}

static void test_setg_errno(void)
{
    Error *err = NULL;

    error_setg_errno(&err, ENOTTY, "IOMMU_IOAS_ALLOC failed");
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "IOMMU_IOAS_ALLOC failed: Inappropriate ioctl for device");
    error_free_or_abort(&err);

    /* errno is preserved across the call. */
    errno = EINTR;
    error_setg_errno(&err, EBUSY, "x");
    g_assert_cmpint(errno, ==, EINTR);
    error_free(err);
}

static void test_prepend_hint(void)
{
    Error *err = NULL;

    error_setg(&err, "depth must be at least 1");
    error_prepend(&err, "vEVENTQ %u: ", 7);
    error_append_hint(&err, "Use a depth between 1 and %u.\n", 1u << 19);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "vEVENTQ 7: depth must be at least 1");
    g_assert_cmpstr(error_get_hint(err), ==,
                    "Use a depth between 1 and 524288.\n");

    capture_begin();
    error_report_err(err);
    g_autofree char *out = capture_end();
    g_assert_cmpstr(out, ==, "test-error: vEVENTQ 7: depth must be at least 1\n"
                    "Use a depth between 1 and 524288.\n");
}

static void test_propagate(void)
{
    Error *dst = NULL, *first = NULL, *second = NULL;

    error_propagate(&dst, NULL);
    g_assert_null(dst);

    error_setg(&first, "first");
    error_propagate(&dst, first);
    g_assert_cmpstr(error_get_pretty(dst), ==, "first");

    /* The first error wins; the second is freed (ASan checks it). */
    error_setg(&second, "second");
    error_propagate(&dst, second);
    g_assert_cmpstr(error_get_pretty(dst), ==, "first");

    error_free_or_abort(&dst);
    g_assert_null(dst);

    first = NULL; /* now owned (and freed) by dst */
    error_setg(&first, "cause");
    error_propagate_prepend(&dst, first, "while doing %s: ", "it");
    g_assert_cmpstr(error_get_pretty(dst), ==, "while doing it: cause");
    error_free(dst);
}

static void test_copy(void)
{
    g_autoptr(Error) err = NULL;
    g_autoptr(Error) copy = NULL;

    error_setg(&err, "msg");
    error_append_hint(&err, "hint\n");
    copy = error_copy(err);
    g_assert_cmpstr(error_get_pretty(copy), ==, "msg");
    g_assert_cmpstr(error_get_hint(copy), ==, "hint\n");
}

static void test_report_location(void)
{
    char *argv[] = { (char *)"vsmmu-daemon", (char *)"-device",
                     (char *)"arm-smmuv3,accel=on", NULL };
    g_autofree char *out = NULL;

    error_set_progname("/usr/bin/vsmmu-daemon");
    capture_begin();
    loc_set_cmdline(argv, 1, 2);
    error_report("Property '%s' not found", "bogus");
    loc_set_none();
    warn_report("no location %d", 1);
    info_report("fyi");
    out = capture_end();
    g_assert_cmpstr(out, ==,
        "vsmmu-daemon: -device arm-smmuv3,accel=on: Property 'bogus' not found\n"
        "vsmmu-daemon: warning: no location 1\n"
        "vsmmu-daemon: info: fyi\n");
    error_set_progname("test-error");
}

static void test_location_stack(void)
{
    char *argv[] = { (char *)"-object", (char *)"iommufd,id=x", NULL };
    Location loc;
    g_autofree char *out = NULL;

    capture_begin();
    loc_set_cmdline(argv, 0, 2);
    loc_push_none(&loc);
    error_report("inner");
    loc_pop(&loc);
    error_report("outer");
    loc_set_none();
    out = capture_end();
    g_assert_cmpstr(out, ==, "test-error: inner\n"
                    "test-error: -object iommufd,id=x: outer\n");
}

static void report_once_twice(void)
{
    for (int i = 0; i < 2; i++) {
        error_report_once("only once %d", i);
    }
}

static void test_report_once(void)
{
    g_autofree char *out = NULL;

    capture_begin();
    report_once_twice();
    report_once_twice();
    out = capture_end();
    g_assert_cmpstr(out, ==, "test-error: only once 0\n");
}

static void test_fatal(void)
{
    if (g_test_subprocess()) {
        error_setg(&error_fatal, "cannot continue: %s", "reason");
        return; /* not reached */
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*test-error: cannot continue: reason\n*");
}

static void test_fatal_exit_status(void)
{
    /* error_fatal must exit(1), as QEMU does for bad options. */
    pid_t pid;
    int status;

    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        Error *err = NULL;

        error_set_sink(NULL, NULL);
        if (!freopen("/dev/null", "w", stderr)) {
            _exit(98);
        }
        error_setg(&err, "bad option");
        error_propagate(&error_fatal, err);
        _exit(99); /* not reached */
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
}

static void test_abort(void)
{
    if (g_test_subprocess()) {
        error_setg(&error_abort, "impossible");
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*Unexpected error in test_abort() at*"
                              "impossible*");
}

static void test_set_twice(void)
{
    if (g_test_subprocess()) {
        Error *err = NULL;

        error_setg(&err, "first");
        error_setg(&err, "second"); /* a bug: must abort */
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    error_set_progname("test-error");

    g_test_add_func("/error/setg", test_setg);
    g_test_add_func("/error/setg-errno", test_setg_errno);
    g_test_add_func("/error/prepend-hint", test_prepend_hint);
    g_test_add_func("/error/propagate", test_propagate);
    g_test_add_func("/error/copy", test_copy);
    g_test_add_func("/error/report-location", test_report_location);
    g_test_add_func("/error/location-stack", test_location_stack);
    g_test_add_func("/error/report-once", test_report_once);
    g_test_add_func("/error/fatal", test_fatal);
    g_test_add_func("/error/fatal-exit-status", test_fatal_exit_status);
    g_test_add_func("/error/abort", test_abort);
    g_test_add_func("/error/set-twice", test_set_twice);
    return g_test_run();
}
