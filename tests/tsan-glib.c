/*
 * ThreadSanitizer annotations for glib's futex-based GMutex and GCond.
 *
 * Debian's glib is not built with -fsanitize=thread, and on Linux its
 * GMutex and GCond are implemented directly on futex(2), which TSan
 * cannot see: every structure that vsmmu guards with a GMutex would be
 * reported as racy.  Linked into the executables of a TSan build only
 * (meson: b_sanitize=thread), this file interposes the GMutex and GCond
 * entry points that vsmmu calls, forwards each call to glib and tells
 * TSan what the call did: a lock acquires the mutex, an unlock releases
 * it, a condition wait releases and re-acquires it.  Nothing is hidden:
 * an access that is not ordered by one of these calls (or by a pthread
 * or fd operation, which TSan intercepts itself) is still reported.
 *
 * glib's calls to its own GMutex (GMainContext, GAsyncQueue, ...) are
 * direct, not through the PLT, so they never come here; the few reports
 * that leaves inside glib are in tests/tsan-suppressions.txt.
 *
 * No state of its own, no lock of its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <dlfcn.h>
#include <glib.h>

void __tsan_acquire(void *addr);
void __tsan_release(void *addr);

/*
 * glib's functions, looked up at the first call.  Device constructors
 * lock mutexes before any constructor of ours could run, so the lookup
 * is lazy; racing first calls store the same value, atomically.
 */
static void *real(void **slot, const char *name)
{
    void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

    if (!fn) {
        fn = dlsym(RTLD_NEXT, name);
        g_assert(fn);
        __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
    }
    return fn;
}

#define REAL(name, type) \
    ({ static void *slot_; (type)real(&slot_, #name); })

void g_mutex_lock(GMutex *mutex)
{
    REAL(g_mutex_lock, void (*)(GMutex *))(mutex);
    __tsan_acquire(mutex);
}

gboolean g_mutex_trylock(GMutex *mutex)
{
    if (!REAL(g_mutex_trylock, gboolean (*)(GMutex *))(mutex)) {
        return FALSE;
    }
    __tsan_acquire(mutex);
    return TRUE;
}

void g_mutex_unlock(GMutex *mutex)
{
    __tsan_release(mutex);
    REAL(g_mutex_unlock, void (*)(GMutex *))(mutex);
}

void g_cond_wait(GCond *cond, GMutex *mutex)
{
    __tsan_release(mutex);
    REAL(g_cond_wait, void (*)(GCond *, GMutex *))(cond, mutex);
    __tsan_acquire(mutex);
}

gboolean g_cond_wait_until(GCond *cond, GMutex *mutex, gint64 end_time)
{
    gboolean ret;

    __tsan_release(mutex);
    ret = REAL(g_cond_wait_until,
               gboolean (*)(GCond *, GMutex *, gint64))(cond, mutex, end_time);
    __tsan_acquire(mutex);
    return ret;
}

/* g_once_init_enter()'s fast path is an acquire load in the caller. */
void (g_once_init_leave)(volatile void *location, gsize result)
{
    __tsan_release((void *)location);
    REAL(g_once_init_leave,
         void (*)(volatile void *, gsize))(location, result);
}
