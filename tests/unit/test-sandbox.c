/*
 * -sandbox: the seccomp filter really blocks each denied class of
 * system calls, and lets a device host's own work (threads, memory,
 * files) through.  Each case runs in a child process, which the filter
 * kills (SIGSYS) on a denied call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/sandbox.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

typedef void ChildFunc(void);

/* Run FUNC in a child under -sandbox OPTS; its wait status. */
static int run_sandboxed(const char *opts, ChildFunc *func)
{
    pid_t pid = fork();
    int status;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        SandboxConfig cfg;
        Error *err = NULL;

        if (!sandbox_parse(opts, &cfg, &err) ||
            !sandbox_apply(&cfg, &err)) {
            _exit(100);
        }
        func();
        _exit(0);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    return status;
}

static void killed_by_filter(int status)
{
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGSYS);
}

static void exited_ok(int status)
{
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void do_execve(void)
{
    char *const argv[] = { (char *)"true", NULL };

    execve("/bin/true", argv, NULL);
    _exit(errno == ENOENT ? 0 : 3);
}

static void do_fork(void)
{
    /* The raw call: glibc's fork() is clone() without CLONE_THREAD. */
    pid_t pid = fork();

    if (pid == 0) {
        _exit(0);
    }
    _exit(pid > 0 ? 0 : 4);
}

static void do_setuid(void)
{
    if (setuid(getuid()) < 0) {
        _exit(5);
    }
}

static void do_setpriority(void)
{
    if (setpriority(PRIO_PROCESS, 0, 1) < 0) {
        _exit(errno == EPERM ? 6 : 10);
    }
}

static void do_swapoff(void)
{
    syscall(SYS_swapoff, "/nonexistent");
    _exit(7);
}

static gpointer thread_fn(gpointer opaque)
{
    return opaque;
}

static void pool_fn(gpointer data, gpointer user_data)
{
    g_atomic_int_inc((int *)user_data);
}

/*
 * What the daemon itself does after the filter: threads, glib's thread
 * pool (gio's sockets use it; its threads copy scheduling attributes),
 * memfd, files.
 */
static void do_daemon_work(void)
{
    GThread *t = g_thread_new("worker", thread_fn, GINT_TO_POINTER(42));
    GThreadPool *pool;
    int done = 0, fd;

    if (GPOINTER_TO_INT(g_thread_join(t)) != 42) {
        _exit(8);
    }
    pool = g_thread_pool_new(pool_fn, &done, 2, FALSE, NULL);
    for (int i = 0; i < 4; i++) {
        g_thread_pool_push(pool, GINT_TO_POINTER(i + 1), NULL);
    }
    g_thread_pool_free(pool, FALSE, TRUE);
    if (g_atomic_int_get(&done) != 4) {
        _exit(11);
    }
    fd = memfd_create("ram", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, 1 << 20) < 0) {
        _exit(9);
    }
    close(fd);
}

static const char *const libvirt_opts =
    "on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
    "resourcecontrol=deny";

static void test_spawn(void)
{
    killed_by_filter(run_sandboxed(libvirt_opts, do_execve));
    if (!SANDBOX_ALLOWS_PROCESS_CLONE) {
        killed_by_filter(run_sandboxed(libvirt_opts, do_fork));
    }
    /* spawn=allow (the default) lets both through. */
    exited_ok(run_sandboxed("on", do_execve));
    exited_ok(run_sandboxed("on", do_fork));
}

static void test_privileges(void)
{
    killed_by_filter(run_sandboxed(libvirt_opts, do_setuid));
    exited_ok(run_sandboxed("on", do_setuid));
    /* children: no_new_privs only, no filter. */
    exited_ok(run_sandboxed("off,elevateprivileges=children", do_setuid));
}

static void test_resourcecontrol(void)
{
    int status = run_sandboxed(libvirt_opts, do_setpriority);

    /* Refused with EPERM (glib's threads must survive trying). */
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 6);
    exited_ok(run_sandboxed("on", do_setpriority));
}

static void test_default_set(void)
{
    /* Always denied once on; nothing at all when off. */
    killed_by_filter(run_sandboxed("on,obsolete=allow", do_swapoff));
    g_assert_true(WIFEXITED(run_sandboxed("off", do_swapoff)));
}

static void test_daemon_work(void)
{
    exited_ok(run_sandboxed(libvirt_opts, do_daemon_work));
}

static void test_parse_errors(void)
{
    SandboxConfig cfg;
    Error *err = NULL;

    g_assert_false(sandbox_parse("on,spawn=maybe", &cfg, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "invalid argument for spawn");
    error_free(err);
    err = NULL;
    g_assert_false(sandbox_parse("on,spawn=children", &cfg, &err));
    error_free(err);
    err = NULL;
    g_assert_false(sandbox_parse("on,foo=deny", &cfg, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'foo'");
    error_free(err);
    g_assert_true(sandbox_parse(libvirt_opts, &cfg, &error_abort));
    g_assert_true(cfg.enable && cfg.deny_obsolete && cfg.deny_privileges &&
                  cfg.deny_spawn && cfg.deny_resourcecontrol);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sandbox/spawn", test_spawn);
    g_test_add_func("/sandbox/privileges", test_privileges);
    g_test_add_func("/sandbox/resourcecontrol", test_resourcecontrol);
    g_test_add_func("/sandbox/default-set", test_default_set);
    g_test_add_func("/sandbox/daemon-work", test_daemon_work);
    g_test_add_func("/sandbox/parse-errors", test_parse_errors);
    return g_test_run();
}
