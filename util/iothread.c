/*
 * IOThreads: event-loop threads with their own GMainContext.
 *
 * Locking: registry_lock guards the id registry; IOThread.lock guards the
 * start-up handshake (running, thread_id); stopping is atomic.  A
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
};

/* The IOThread whose loop the current thread runs, if any. */
static __thread IOThread *current_iothread;

static GMutex registry_lock;
static GHashTable *registry;        /* id -> IOThread * */


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

static const TypeInfo iothread_types[] = {
    /* QEMU's abstract base of iothreads and the main loop. */
    { .name = "event-loop-base", .parent = TYPE_OBJECT, .abstract = true,
      .interfaces = event_loop_base_interfaces },
    { .name = TYPE_IOTHREAD, .parent = "event-loop-base" },
};

static void iothread_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(iothread_types); i++) {
        type_register_static(&iothread_types[i]);
    }
}

type_init(iothread_register_types)
