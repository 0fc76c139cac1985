/*
 * IOThreads: event-loop threads with their own GMainContext.
 *
 * An IOThread ("-object iothread,id=ID") owns a GMainContext and, once
 * started, a thread that iterates it until iothread_stop().  Users attach
 * GSources to the context (iothread_get_context()) and synchronise with
 * the thread through iothread_run_sync(), which runs a function inside the
 * thread and waits for it.  That is also how a user removes its sources
 * safely: destroying a GSource from inside the thread that dispatches it
 * guarantees its callback is not running and never runs again.
 *
 * IOThreads live in a registry keyed by id for iothread_find() and
 * iothread_query() (the "query-iothreads" data).
 *
 * The life cycle functions (new, start, stop, free) are called from one
 * controlling thread, never from the IOThread itself.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_IOTHREAD_H
#define QEMU_IOTHREAD_H

#include "qapi/error.h"

#define TYPE_IOTHREAD "iothread"

typedef struct IOThread IOThread;

typedef void IOThreadFunc(void *opaque);

/* One row of iothread_query(). */
typedef struct IOThreadInfo {
    char *id;
    int thread_id;          /* Linux thread id; 0 while not running */
} IOThreadInfo;

/*
 * Create an IOThread named ID (not started).  Fails if ID is empty, not
 * a valid identifier, or already used by another IOThread.
 */
IOThread *iothread_new(const char *id, Error **errp);

/* Start the thread; it runs until iothread_stop(). */
bool iothread_start(IOThread *iot, Error **errp);

/*
 * Stop the thread and join it.  Sources still attached to the context
 * stay attached, and are not dispatched, until the IOThread is freed or
 * started again.  A no-op if the thread is not running.
 */
void iothread_stop(IOThread *iot);

/* Stop (if needed) and free the IOThread and its context. */
void iothread_free(IOThread *iot);

/* The IOThread's GMainContext (valid until iothread_free()). */
GMainContext *iothread_get_context(IOThread *iot);

const char *iothread_get_id(IOThread *iot);

/* Linux thread id of the running thread, 0 if it is not running. */
int iothread_get_thread_id(IOThread *iot);

/* True when called from IOT's own thread. */
bool iothread_is_current(IOThread *iot);

/*
 * Run fn(opaque) in IOT's thread and wait until it has returned.  Called
 * from the IOThread itself, fn runs at once; called while the thread is
 * not running, fn runs in the caller (nobody dispatches the context then,
 * so the effect is the same).  Must not race with iothread_stop().
 */
void iothread_run_sync(IOThread *iot, IOThreadFunc *fn, void *opaque);

/* The IOThread named ID, or NULL. */
IOThread *iothread_find(const char *id);

/*
 * All IOThreads sorted by id, as IOThreadInfo elements; the array frees
 * them (g_ptr_array_unref()).
 */
GPtrArray *iothread_query(void);
void iothread_info_free(IOThreadInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IOThreadInfo, iothread_info_free)

#endif /* QEMU_IOTHREAD_H */
