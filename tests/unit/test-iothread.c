/*
 * Tests for IOThreads: life cycle, run_sync from outside and inside the
 * thread, the registry, stopping with file descriptors registered, and
 * adaptive polling (the adaptation, the parameters, a live IOThread).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/iothread.h"
#include "qemu/thread.h"
#include <glib-unix.h>
#include <sys/syscall.h>

typedef struct RunInfo {
    IOThread *iot;
    bool ran;
    bool was_current;
    int tid;
    int nested_runs;
} RunInfo;

static void record_run(void *opaque)
{
    RunInfo *ri = opaque;

    ri->ran = true;
    ri->was_current = iothread_is_current(ri->iot);
    ri->tid = (int)syscall(SYS_gettid);
}

static void test_start_stop(void)
{
    IOThread *iot = iothread_new("iot0", &error_abort);
    g_autofree char *comm_path = NULL;
    g_autofree char *comm = NULL;
    RunInfo ri = { .iot = iot };

    g_assert_cmpint(iothread_get_thread_id(iot), ==, 0);
    qemu_thread_naming(true);           /* -name debug-threads=on */
    g_assert_true(iothread_start(iot, &error_abort));
    g_assert_cmpint(iothread_get_thread_id(iot), >, 0);
    g_assert_false(iothread_is_current(iot));

    iothread_run_sync(iot, record_run, &ri);
    g_assert_true(ri.ran);
    g_assert_true(ri.was_current);
    g_assert_cmpint(ri.tid, ==, iothread_get_thread_id(iot));
    g_assert_cmpint(ri.tid, !=, (int)syscall(SYS_gettid));

    comm_path = g_strdup_printf("/proc/self/task/%d/comm", ri.tid);
    g_assert_true(g_file_get_contents(comm_path, &comm, NULL, NULL));
    g_assert_cmpstr(g_strstrip(comm), ==, "IO iot0");

    iothread_stop(iot);
    g_assert_cmpint(iothread_get_thread_id(iot), ==, 0);
    iothread_stop(iot);             /* idempotent */

    /* A stopped IOThread can be started again; unnamed without -name. */
    qemu_thread_naming(false);
    g_assert_true(iothread_start(iot, &error_abort));
    ri = (RunInfo) { .iot = iot };
    iothread_run_sync(iot, record_run, &ri);
    g_assert_true(ri.was_current);
    g_free(comm_path);
    g_free(comm);
    comm_path = g_strdup_printf("/proc/self/task/%d/comm", ri.tid);
    g_assert_true(g_file_get_contents(comm_path, &comm, NULL, NULL));
    {
        g_autofree char *main_comm = NULL;

        g_assert_true(g_file_get_contents("/proc/self/comm", &main_comm,
                                          NULL, NULL));
        g_assert_cmpstr(g_strstrip(comm), ==, g_strstrip(main_comm));
    }
    iothread_free(iot);
}

static void test_start_twice(void)
{
    IOThread *iot = iothread_new("iot-twice", &error_abort);
    Error *err = NULL;

    g_assert_true(iothread_start(iot, &error_abort));
    g_assert_false(iothread_start(iot, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'iot-twice'"));
    error_free(err);
    iothread_free(iot);
}

static void nested_run(void *opaque)
{
    RunInfo *ri = opaque;

    ri->nested_runs++;
    /* From the IOThread itself run_sync must run at once, not deadlock. */
    iothread_run_sync(ri->iot, record_run, ri);
    g_assert_true(ri->ran);
}

static void test_run_sync_nested(void)
{
    IOThread *iot = iothread_new("iot-nested", &error_abort);
    RunInfo ri = { .iot = iot };

    g_assert_true(iothread_start(iot, &error_abort));
    iothread_run_sync(iot, nested_run, &ri);
    g_assert_cmpint(ri.nested_runs, ==, 1);
    g_assert_true(ri.was_current);
    iothread_free(iot);
}

static void test_run_sync_not_running(void)
{
    IOThread *iot = iothread_new("iot-idle", &error_abort);
    RunInfo ri = { .iot = iot };

    iothread_run_sync(iot, record_run, &ri);
    g_assert_true(ri.ran);
    g_assert_false(ri.was_current);
    g_assert_cmpint(ri.tid, ==, (int)syscall(SYS_gettid));
    iothread_free(iot);
}

/* Many callers at once: each waits for its own function only. */
#define N_CALLERS 4
#define N_CALLS 500

static void count_run(void *opaque)
{
    int *n = opaque;

    (*n)++;                         /* serialised by the IOThread */
}

static gpointer caller_thread(gpointer opaque)
{
    IOThread *iot = opaque;
    int n = 0;

    for (int i = 0; i < N_CALLS; i++) {
        iothread_run_sync(iot, count_run, &n);
        g_assert_cmpint(n, ==, i + 1);
    }
    return NULL;
}

static void test_run_sync_concurrent(void)
{
    IOThread *iot = iothread_new("iot-conc", &error_abort);
    GThread *threads[N_CALLERS];

    g_assert_true(iothread_start(iot, &error_abort));
    for (int i = 0; i < N_CALLERS; i++) {
        threads[i] = g_thread_new("caller", caller_thread, iot);
    }
    for (int i = 0; i < N_CALLERS; i++) {
        g_thread_join(threads[i]);
    }
    iothread_free(iot);
}

static void test_registry(void)
{
    IOThread *a = iothread_new("reg-b", &error_abort);
    IOThread *b = iothread_new("reg-a", &error_abort);
    g_autoptr(GPtrArray) list = NULL;
    Error *err = NULL;

    g_assert_null(iothread_new("reg-a", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "iothread 'reg-a' already"
                    " exists");
    error_free_or_abort(&err);
    g_assert_null(iothread_new("0bad", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'0bad' is invalid"));
    error_free_or_abort(&err);
    g_assert_null(iothread_new("", &err));
    error_free_or_abort(&err);

    g_assert_true(iothread_find("reg-a") == b);
    g_assert_true(iothread_find("reg-b") == a);
    g_assert_null(iothread_find("reg-c"));
    g_assert_null(iothread_find(NULL));

    g_assert_true(iothread_start(a, &error_abort));
    list = iothread_query();
    g_assert_cmpuint(list->len, ==, 2);
    g_assert_cmpstr(((IOThreadInfo *)list->pdata[0])->id, ==, "reg-a");
    g_assert_cmpint(((IOThreadInfo *)list->pdata[0])->thread_id, ==, 0);
    g_assert_cmpstr(((IOThreadInfo *)list->pdata[1])->id, ==, "reg-b");
    g_assert_cmpint(((IOThreadInfo *)list->pdata[1])->thread_id, ==,
                    iothread_get_thread_id(a));

    iothread_free(a);
    g_assert_null(iothread_find("reg-b"));
    iothread_free(b);
    g_clear_pointer(&list, g_ptr_array_unref);
    list = iothread_query();
    g_assert_cmpuint(list->len, ==, 0);
}

/* A readable pipe registered in the context, dispatched by the thread. */
typedef struct FdWatch {
    IOThread *iot;
    GMutex lock;
    GCond cond;
    int dispatched;
    bool in_iothread;
} FdWatch;

static gboolean fd_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    FdWatch *w = opaque;
    char c;

    g_assert_cmpint(read(fd, &c, 1), ==, 1);
    g_mutex_lock(&w->lock);
    w->dispatched++;
    w->in_iothread = iothread_is_current(w->iot);
    g_cond_signal(&w->cond);
    g_mutex_unlock(&w->lock);
    return G_SOURCE_CONTINUE;
}

static void test_stop_with_fds(void)
{
    IOThread *iot = iothread_new("iot-fds", &error_abort);
    FdWatch w = { .iot = iot };
    int fds[2], fds2[2];
    GSource *src, *idle_src;
    gint64 deadline;

    g_mutex_init(&w.lock);
    g_cond_init(&w.cond);
    g_assert_true(g_unix_open_pipe(fds, FD_CLOEXEC, NULL));
    g_assert_true(g_unix_open_pipe(fds2, FD_CLOEXEC, NULL));

    src = g_unix_fd_source_new(fds[0], G_IO_IN);
    g_source_set_callback(src, G_SOURCE_FUNC(fd_ready), &w, NULL);
    g_source_attach(src, iothread_get_context(iot));
    g_source_unref(src);
    /* A second source that the IOThread never gets to dispatch. */
    idle_src = g_unix_fd_source_new(fds2[0], G_IO_IN);
    g_source_set_callback(idle_src, G_SOURCE_FUNC(fd_ready), &w, NULL);
    g_source_attach(idle_src, iothread_get_context(iot));
    g_source_unref(idle_src);

    g_assert_true(iothread_start(iot, &error_abort));
    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);

    /* The deadline only guards against a hang. */
    deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
    g_mutex_lock(&w.lock);
    while (w.dispatched == 0) {
        g_assert_true(g_cond_wait_until(&w.cond, &w.lock, deadline));
    }
    g_assert_true(w.in_iothread);
    g_mutex_unlock(&w.lock);

    /* Stop with both fds registered, one of them readable. */
    g_assert_cmpint(write(fds[1], "y", 1), ==, 1);
    iothread_stop(iot);
    g_assert_cmpint(write(fds2[1], "z", 1), ==, 1);
    iothread_free(iot);             /* destroys the remaining sources */

    close(fds[0]);
    close(fds[1]);
    close(fds2[0]);
    close(fds2[1]);
    g_mutex_clear(&w.lock);
    g_cond_clear(&w.cond);
}

/* QEMU's adaptation, step by step, with its defaults and with factors. */
static void test_poll_adjust(void)
{
    IOThreadPollParams dflt = { .max_ns = 32768 };
    IOThreadPollParams fac = { .max_ns = 100000, .grow = 4, .shrink = 8 };
    IOThreadPollParams off = { .max_ns = 0, .grow = 4, .shrink = 8 };

    /* A short wait starts polling at 4 us, then doubles while it misses. */
    g_assert_cmpint(iothread_poll_adjust(0, 1000, &dflt), ==, 4000);
    g_assert_cmpint(iothread_poll_adjust(4000, 1000, &dflt), ==, 4000);
    g_assert_cmpint(iothread_poll_adjust(4000, 4000, &dflt), ==, 4000);
    g_assert_cmpint(iothread_poll_adjust(4000, 4001, &dflt), ==, 8000);
    g_assert_cmpint(iothread_poll_adjust(16000, 20000, &dflt), ==, 32000);
    /* Never above poll-max-ns. */
    g_assert_cmpint(iothread_poll_adjust(32000, 32500, &dflt), ==, 32768);
    g_assert_cmpint(iothread_poll_adjust(32768, 32768, &dflt), ==, 32768);
    /* A wait longer than poll-max-ns: poll-shrink=0 stops polling. */
    g_assert_cmpint(iothread_poll_adjust(32768, 32769, &dflt), ==, 0);
    g_assert_cmpint(iothread_poll_adjust(0, 1000000, &dflt), ==, 0);

    g_assert_cmpint(iothread_poll_adjust(0, 1000, &fac), ==, 4000);
    g_assert_cmpint(iothread_poll_adjust(4000, 5000, &fac), ==, 16000);
    g_assert_cmpint(iothread_poll_adjust(64000, 70000, &fac), ==, 100000);
    g_assert_cmpint(iothread_poll_adjust(100000, 200000, &fac), ==, 12500);
    /* A first window above a small poll-max-ns is clamped too. */
    fac.max_ns = 1000;
    g_assert_cmpint(iothread_poll_adjust(0, 500, &fac), ==, 1000);
    /* No overflow near INT64_MAX. */
    fac.max_ns = INT64_MAX;
    g_assert_cmpint(iothread_poll_adjust(INT64_MAX / 2, INT64_MAX - 1, &fac),
                    ==, INT64_MAX);

    g_assert_cmpint(iothread_poll_adjust(4000, 5000, &off), ==, 0);
}

static void test_poll_params(void)
{
    IOThread *iot = iothread_new("poll-params", &error_abort);
    g_autoptr(GPtrArray) list = NULL;
    IOThreadPollParams p;
    Error *err = NULL;

    iothread_get_poll_params(iot, &p);
    g_assert_cmpint(p.max_ns, ==, IOTHREAD_POLL_MAX_NS_DEFAULT);
    g_assert_cmpint(p.max_ns, ==, 32768);
    g_assert_cmpint(p.grow, ==, 0);
    g_assert_cmpint(p.shrink, ==, 0);

    g_assert_true(iothread_set_poll_param(iot, "poll-max-ns", 5000,
                                          &error_abort));
    g_assert_true(iothread_set_poll_param(iot, "poll-grow", 3, &error_abort));
    g_assert_true(iothread_set_poll_param(iot, "poll-shrink", 7,
                                          &error_abort));
    g_assert_false(iothread_set_poll_param(iot, "poll-grow", -1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "poll-grow value must be in"
                    " range [0, 9223372036854775807]");
    error_free_or_abort(&err);
    g_assert_false(iothread_set_poll_param(iot, "poll-weight", 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'iothread.poll-weight' not found");
    error_free_or_abort(&err);

    list = iothread_query();
    g_assert_cmpuint(list->len, ==, 1);
    p = ((IOThreadInfo *)list->pdata[0])->poll;
    g_assert_cmpint(p.max_ns, ==, 5000);
    g_assert_cmpint(p.grow, ==, 3);
    g_assert_cmpint(p.shrink, ==, 7);
    iothread_free(iot);
}

static void nop(void *opaque)
{
}

/*
 * A live IOThread woken again and again polls (its window opens), and
 * stops polling once poll-max-ns is 0.  The only time assumed is that
 * one round trip takes less than poll-max-ns, a second.
 */
static void test_poll_live(void)
{
    IOThread *iot = iothread_new("poll-live", &error_abort);

    g_assert_true(iothread_set_poll_param(iot, "poll-max-ns",
                                          G_USEC_PER_SEC * 1000,
                                          &error_abort));
    g_assert_true(iothread_start(iot, &error_abort));
    for (int i = 0; i < 50; i++) {
        iothread_run_sync(iot, nop, NULL);
    }
    g_assert_cmpint(iothread_get_poll_ns(iot), >, 0);
    g_assert_cmpint(iothread_get_poll_ns(iot), <=, G_USEC_PER_SEC * 1000);

    g_assert_true(iothread_set_poll_param(iot, "poll-max-ns", 0,
                                          &error_abort));
    for (int i = 0; i < 5; i++) {
        iothread_run_sync(iot, nop, NULL);
    }
    g_assert_cmpint(iothread_get_poll_ns(iot), ==, 0);
    iothread_free(iot);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iothread/start-stop", test_start_stop);
    g_test_add_func("/iothread/start-twice", test_start_twice);
    g_test_add_func("/iothread/run-sync/nested", test_run_sync_nested);
    g_test_add_func("/iothread/run-sync/not-running",
                    test_run_sync_not_running);
    g_test_add_func("/iothread/run-sync/concurrent",
                    test_run_sync_concurrent);
    g_test_add_func("/iothread/registry", test_registry);
    g_test_add_func("/iothread/stop-with-fds", test_stop_with_fds);
    g_test_add_func("/iothread/poll/adjust", test_poll_adjust);
    g_test_add_func("/iothread/poll/params", test_poll_params);
    g_test_add_func("/iothread/poll/live", test_poll_live);
    return g_test_run();
}
