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
 * Before it blocks in poll(), an IOThread polls its context's descriptors
 * with zero timeouts for an adapted window, as QEMU's IOThreads do
 * (-object iothread,poll-max-ns=,poll-grow=,poll-shrink=): a wait that
 * the window would have caught had it been longer (but within
 * poll-max-ns) grows it, from 4 us, by poll-grow (0: doubles it); a wait
 * longer than poll-max-ns shrinks it by poll-shrink (0: to nothing).
 * poll-max-ns=0 disables polling; the default is 32768 ns.  Polling
 * trades CPU time (the IOThread spins for up to poll-max-ns before each
 * block) for wake-up latency.
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

/* QEMU's defaults (on POSIX hosts). */
#define IOTHREAD_POLL_MAX_NS_DEFAULT 32768
#define IOTHREAD_POLL_GROW_DEFAULT 2        /* what poll-grow=0 means */
#define IOTHREAD_POLL_START_NS 4000         /* the first window */

/* The polling parameters, as the properties have them. */
typedef struct IOThreadPollParams {
    int64_t max_ns;         /* poll-max-ns: 0 disables polling */
    int64_t grow;           /* poll-grow: 0 selects doubling */
    int64_t shrink;         /* poll-shrink: 0 selects dropping to 0 */
} IOThreadPollParams;

/* One row of iothread_query(). */
typedef struct IOThreadInfo {
    char *id;
    int thread_id;          /* Linux thread id; 0 while not running */
    IOThreadPollParams poll;
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

/*
 * Set poll-max-ns, poll-grow or poll-shrink (NAME) of a running or idle
 * IOThread; from any thread.  Values below 0 are refused, as QEMU does:
 *   poll-grow value must be in range [0, 9223372036854775807]
 * The adapted window restarts from 0.
 */
bool iothread_set_poll_param(IOThread *iot, const char *name, int64_t value,
                             Error **errp);
void iothread_get_poll_params(IOThread *iot, IOThreadPollParams *p);
/* The current adapted window, ns (0: the IOThread blocks at once). */
int64_t iothread_get_poll_ns(IOThread *iot);

/*
 * The adaptation (exposed for its unit test): the next window after a
 * wait of BLOCK_NS with a window of POLL_NS.  Never above P->max_ns.
 */
int64_t iothread_poll_adjust(int64_t poll_ns, int64_t block_ns,
                             const IOThreadPollParams *p);

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
