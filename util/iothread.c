/*
 * IOThreads: event-loop threads with their own GMainContext, polling
 * adaptively before they block (QEMU's poll-max-ns, poll-grow,
 * poll-shrink).
 *
 * Locking: registry_lock guards the id registry; IOThread.lock guards the
 * start-up handshake (running, thread_id); stopping is atomic.  The
 * polling parameters are atomics, written by any thread (qom-set) and
 * read by the IOThread; poll_ns, the adapted window, belongs to the
 * IOThread (read atomically by iothread_query()).  A
 * run_sync request is handed to the IOThread by attaching a GSource to
 * its context (glib's context lock orders the attach before the
 * dispatch: named for TSan with TSAN_RELEASE/ACQUIRE) and completed
 * under its own RunSync.lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/iothread.h"
#include "qemu/thread.h"
#include "qom/object.h"
#include "qemu/id.h"
#include "qemu/tsan.h"
#include "trace.h"
#include <sys/syscall.h>

struct IOThread {
    char *id;
    GMainContext *ctx;
    GThread *thread;        /* NULL while not running */

    /* Start-up handshake and the thread id, under lock. */
    GMutex lock;
    GCond cond;
    bool running;           /* the thread has entered its loop */
    int thread_id;

    int stopping;           /* atomic: leave the loop */

    /* Polling parameters, atomics (iothread_set_poll_param()). */
    int64_t poll_max_ns;
    int64_t poll_grow;
    int64_t poll_shrink;
    int poll_reset;         /* atomic: parameters changed, restart at 0 */
    /* The adapted window: written by the IOThread only, read atomically. */
    int64_t poll_ns;
};

/* The IOThread whose loop the current thread runs, if any. */
static __thread IOThread *current_iothread;

static GMutex registry_lock;
static GHashTable *registry;        /* id -> IOThread * */

/* ---- adaptive polling ----------------------------------------------- */

int64_t iothread_poll_adjust(int64_t poll_ns, int64_t block_ns,
                             const IOThreadPollParams *p)
{
    int64_t grow = p->grow ? p->grow : IOTHREAD_POLL_GROW_DEFAULT;

    if (!p->max_ns) {
        return 0;
    }
    if (block_ns <= poll_ns) {
        return poll_ns;                 /* the window caught the event */
    }
    if (block_ns > p->max_ns) {
        /* Even the longest window would have missed it: poll less. */
        return p->shrink ? poll_ns / p->shrink : 0;
    }
    if (poll_ns >= p->max_ns) {
        return poll_ns;
    }
    /* A longer window would have caught it: poll longer. */
    if (!poll_ns) {
        return MIN(IOTHREAD_POLL_START_NS, p->max_ns);
    }
    return poll_ns > p->max_ns / grow ? p->max_ns : poll_ns * grow;
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void iothread_load_poll_params(IOThread *iot, IOThreadPollParams *p)
{
    p->max_ns = __atomic_load_n(&iot->poll_max_ns, __ATOMIC_RELAXED);
    p->grow = __atomic_load_n(&iot->poll_grow, __ATOMIC_RELAXED);
    p->shrink = __atomic_load_n(&iot->poll_shrink, __ATOMIC_RELAXED);
}

/*
 * Zero-timeout polls of FDS until one is ready or SPIN_NS have passed:
 * the ready count, 0 or a poll error.
 */
static gint iothread_spin(GPollFD *fds, guint nfds, int64_t spin_ns)
{
    int64_t deadline = now_ns() + spin_ns;
    gint r;

    do {
        r = g_poll(fds, nfds, 0);
    } while (r == 0 && now_ns() < deadline);
    return r;
}

/*
 * The context's poll function (called by glib in the IOThread, with the
 * context unlocked): spin for the adapted window, then block; adapt the
 * window to how long this wait took, as QEMU's aio_poll() does.
 */
static gint iothread_poll(GPollFD *fds, guint nfds, gint timeout)
{
    IOThread *iot = current_iothread;
    IOThreadPollParams p;
    int64_t start, spin_ns, poll_ns;
    gint r = 0;

    if (!iot || timeout == 0) {
        return g_poll(fds, nfds, timeout);
    }
    /* The reset first: parameters stored before it are loaded below. */
    if (g_atomic_int_compare_and_exchange(&iot->poll_reset, 1, 0)) {
        __atomic_store_n(&iot->poll_ns, 0, __ATOMIC_RELAXED);
    }
    iothread_load_poll_params(iot, &p);
    poll_ns = p.max_ns ? iot->poll_ns : 0;
    spin_ns = timeout > 0 ? MIN(poll_ns, timeout * 1000000LL) : poll_ns;
    start = now_ns();
    if (spin_ns) {
        r = iothread_spin(fds, nfds, spin_ns);
    }
    if (r == 0) {
        r = g_poll(fds, nfds, timeout);
    }
    poll_ns = iothread_poll_adjust(poll_ns, now_ns() - start, &p);
    if (poll_ns != iot->poll_ns) {
        trace_iothread_poll_adjust(iot->id, iot->poll_ns, poll_ns);
        __atomic_store_n(&iot->poll_ns, poll_ns, __ATOMIC_RELAXED);
    }
    return r;
}

static int64_t *iothread_poll_param(IOThread *iot, const char *name)
{
    if (!strcmp(name, "poll-max-ns")) {
        return &iot->poll_max_ns;
    } else if (!strcmp(name, "poll-grow")) {
        return &iot->poll_grow;
    } else if (!strcmp(name, "poll-shrink")) {
        return &iot->poll_shrink;
    }
    return NULL;
}

bool iothread_set_poll_param(IOThread *iot, const char *name, int64_t value,
                             Error **errp)
{
    int64_t *param = iothread_poll_param(iot, name);

    if (!param) {
        error_setg(errp, "Property '%s.%s' not found", TYPE_IOTHREAD, name);
        return false;
    }
    if (value < 0) {
        error_setg(errp, "%s value must be in range [0, %" PRId64 "]", name,
                   INT64_MAX);
        return false;
    }
    __atomic_store_n(param, value, __ATOMIC_RELAXED);
    /* As QEMU: the window restarts from 0 under the new parameters. */
    g_atomic_int_set(&iot->poll_reset, 1);
    trace_iothread_set_poll_param(iot->id, name, value);
    g_main_context_wakeup(iot->ctx);
    return true;
}

void iothread_get_poll_params(IOThread *iot, IOThreadPollParams *p)
{
    iothread_load_poll_params(iot, p);
}

int64_t iothread_get_poll_ns(IOThread *iot)
{
    /* Pending new parameters: the next wait starts from 0. */
    if (g_atomic_int_get(&iot->poll_reset)) {
        return 0;
    }
    return __atomic_load_n(&iot->poll_ns, __ATOMIC_RELAXED);
}

/* ---- life cycle ------------------------------------------------------ */


IOThread *iothread_new(const char *id, Error **errp)
{
    IOThread *iot;

    if (!id || !id_wellformed(id)) {
        error_setg(errp, "iothread id '%s' is invalid: it must start with a"
                   " letter and contain only letters, digits, '-', '.' and"
                   " '_'", id ? id : "");
        return NULL;
    }

    g_mutex_lock(&registry_lock);
    if (!registry) {
        registry = g_hash_table_new(g_str_hash, g_str_equal);
    }
    if (g_hash_table_contains(registry, id)) {
        g_mutex_unlock(&registry_lock);
        error_setg(errp, "iothread '%s' already exists", id);
        return NULL;
    }
    iot = g_new0(IOThread, 1);
    iot->id = g_strdup(id);
    iot->ctx = g_main_context_new();
    g_main_context_set_poll_func(iot->ctx, iothread_poll);
    iot->poll_max_ns = IOTHREAD_POLL_MAX_NS_DEFAULT;
    g_mutex_init(&iot->lock);
    g_cond_init(&iot->cond);
    g_hash_table_insert(registry, iot->id, iot);
    g_mutex_unlock(&registry_lock);

    trace_iothread_new(iot->id);
    return iot;
}

static gpointer iothread_run(gpointer opaque)
{
    IOThread *iot = opaque;

    current_iothread = iot;
    g_main_context_push_thread_default(iot->ctx);

    g_mutex_lock(&iot->lock);
    iot->thread_id = (int)syscall(SYS_gettid);
    iot->running = true;
    g_cond_broadcast(&iot->cond);
    g_mutex_unlock(&iot->lock);
    trace_iothread_loop_enter(iot->id, iot->thread_id);

    /*
     * iothread_stop() sets the flag and then wakes the context, so a stop
     * request that lands between the test and the poll still ends the
     * poll at once.
     */
    while (!g_atomic_int_get(&iot->stopping)) {
        g_main_context_iteration(iot->ctx, TRUE);
    }

    trace_iothread_loop_exit(iot->id);
    g_main_context_pop_thread_default(iot->ctx);
    current_iothread = NULL;
    return NULL;
}

bool iothread_start(IOThread *iot, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    g_autofree char *name = NULL;

    if (iot->thread) {
        error_setg(errp, "iothread '%s' is already running", iot->id);
        return false;
    }
    g_atomic_int_set(&iot->stopping, 0);
    /* -name debug-threads=on; the kernel keeps 15 characters. */
    if (qemu_thread_naming_enabled()) {
        name = g_strdup_printf("IO %s", iot->id);
    }
    iot->thread = g_thread_try_new(name, iothread_run, iot, &gerr);
    if (!iot->thread) {
        error_setg(errp, "iothread '%s': cannot create thread: %s", iot->id,
                   gerr->message);
        return false;
    }

    g_mutex_lock(&iot->lock);
    while (!iot->running) {
        g_cond_wait(&iot->cond, &iot->lock);
    }
    g_mutex_unlock(&iot->lock);
    trace_iothread_start(iot->id, iot->thread_id);
    return true;
}

void iothread_stop(IOThread *iot)
{
    if (!iot->thread) {
        return;
    }
    g_assert(!iothread_is_current(iot));
    trace_iothread_stop(iot->id);
    g_atomic_int_set(&iot->stopping, 1);
    g_main_context_wakeup(iot->ctx);
    g_thread_join(iot->thread);
    iot->thread = NULL;

    g_mutex_lock(&iot->lock);
    iot->running = false;
    iot->thread_id = 0;
    g_mutex_unlock(&iot->lock);
}

void iothread_free(IOThread *iot)
{
    if (!iot) {
        return;
    }
    iothread_stop(iot);

    g_mutex_lock(&registry_lock);
    g_hash_table_remove(registry, iot->id);
    if (g_hash_table_size(registry) == 0) {
        g_clear_pointer(&registry, g_hash_table_unref);
    }
    g_mutex_unlock(&registry_lock);

    trace_iothread_free(iot->id);
    /* Destroys the sources users left attached. */
    g_main_context_unref(iot->ctx);
    g_mutex_clear(&iot->lock);
    g_cond_clear(&iot->cond);
    g_free(iot->id);
    g_free(iot);
}

GMainContext *iothread_get_context(IOThread *iot)
{
    return iot->ctx;
}

const char *iothread_get_id(IOThread *iot)
{
    return iot->id;
}

int iothread_get_thread_id(IOThread *iot)
{
    int tid;

    g_mutex_lock(&iot->lock);
    tid = iot->thread_id;
    g_mutex_unlock(&iot->lock);
    return tid;
}

bool iothread_is_current(IOThread *iot)
{
    return current_iothread == iot;
}

/* A run_sync request; lives on the caller's stack. */
typedef struct RunSync {
    IOThreadFunc *fn;
    void *opaque;
    GMutex lock;
    GCond cond;
    bool done;
} RunSync;

static gboolean run_sync_dispatch(gpointer opaque)
{
    RunSync *rs = opaque;

    /* glib's context lock ordered the attach before this dispatch. */
    TSAN_ACQUIRE(rs);
    rs->fn(rs->opaque);

    /* After the unlock the caller may return: no access to rs after it. */
    g_mutex_lock(&rs->lock);
    rs->done = true;
    g_cond_signal(&rs->cond);
    g_mutex_unlock(&rs->lock);
    return G_SOURCE_REMOVE;
}

void iothread_run_sync(IOThread *iot, IOThreadFunc *fn, void *opaque)
{
    RunSync rs = { .fn = fn, .opaque = opaque };
    GSource *src;

    if (iothread_is_current(iot) || !iot->thread) {
        trace_iothread_run_sync(iot->id, true);
        fn(opaque);
        return;
    }
    trace_iothread_run_sync(iot->id, false);

    g_mutex_init(&rs.lock);
    g_cond_init(&rs.cond);
    src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_HIGH);
    g_source_set_callback(src, run_sync_dispatch, &rs, NULL);
    TSAN_RELEASE(&rs);
    g_source_attach(src, iot->ctx);
    g_source_unref(src);

    g_mutex_lock(&rs.lock);
    while (!rs.done) {
        g_cond_wait(&rs.cond, &rs.lock);
    }
    g_mutex_unlock(&rs.lock);
    g_mutex_clear(&rs.lock);
    g_cond_clear(&rs.cond);
}

IOThread *iothread_find(const char *id)
{
    IOThread *iot = NULL;

    g_mutex_lock(&registry_lock);
    if (registry && id) {
        iot = g_hash_table_lookup(registry, id);
    }
    g_mutex_unlock(&registry_lock);
    return iot;
}

void iothread_info_free(IOThreadInfo *info)
{
    if (info) {
        g_free(info->id);
        g_free(info);
    }
}

static gint info_compare(gconstpointer a, gconstpointer b)
{
    const IOThreadInfo *ia = *(IOThreadInfo *const *)a;
    const IOThreadInfo *ib = *(IOThreadInfo *const *)b;

    return strcmp(ia->id, ib->id);
}

GPtrArray *iothread_query(void)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(
        (GDestroyNotify)iothread_info_free);
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&registry_lock);
    if (registry) {
        g_hash_table_iter_init(&iter, registry);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            IOThread *iot = value;
            IOThreadInfo *info = g_new0(IOThreadInfo, 1);

            info->id = g_strdup(iot->id);
            info->thread_id = iothread_get_thread_id(iot);
            iothread_get_poll_params(iot, &info->poll);
            g_ptr_array_add(list, info);
        }
    }
    g_mutex_unlock(&registry_lock);
    g_ptr_array_sort(list, info_compare);
    return list;
}

/* ---- the type (-object iothread) ---------------------------------- */

static const char *const event_loop_base_interfaces[] = {
    TYPE_USER_CREATABLE, NULL
};

static const TypePropertyInfo iothread_props[] = {
    { "poll-max-ns", "int", "the longest window to poll before blocking,"
      " ns (0: never poll)" },
    { "poll-grow", "int", "the factor that grows the window (0: 2)" },
    { "poll-shrink", "int", "the divisor that shrinks the window"
      " (0: drop it to 0)" },
    { NULL }
};

static bool iothread_get_property(const void *obj, const char *name,
                                  QomValue *v)
{
    int64_t *param = iothread_poll_param((IOThread *)obj, name);

    if (!param) {
        return false;
    }
    v->kind = QOM_VALUE_INT;
    v->i = __atomic_load_n(param, __ATOMIC_RELAXED);
    return true;
}

static bool iothread_set_property(void *obj, const char *name,
                                  const QomValue *v, Error **errp)
{
    return iothread_set_poll_param(obj, name, v->i, errp);
}

static const TypeInfo iothread_types[] = {
    /* QEMU's abstract base of iothreads and the main loop. */
    { .name = "event-loop-base", .parent = TYPE_OBJECT, .abstract = true,
      .interfaces = event_loop_base_interfaces },
    { .name = TYPE_IOTHREAD, .parent = "event-loop-base",
      .props = iothread_props, .get_property = iothread_get_property,
      .set_property = iothread_set_property },
};

static void iothread_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(iothread_types); i++) {
        type_register_static(&iothread_types[i]);
    }
}

type_init(iothread_register_types)
