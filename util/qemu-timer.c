/*
 * Clocks and timers on the glib main loop.
 *
 * The armed timers of each clock sit in a GSequence ordered by expiry
 * (then by arming order, so timers due at the same time fire in the
 * order they were armed): arming and cancelling cost O(log n), the
 * earliest deadline is the first element.  One glib timeout source
 * wakes the main loop at the earliest host-driven deadline; the
 * virtual clock under qtest never uses it and advances only through
 * qemu_clock_advance_virtual().
 *
 * Timers are armed, cancelled and run on the main thread only, so the
 * sequences need no lock; the virtual clock value is read from any
 * thread through atomics.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "trace.h"

struct QEMUTimer {
    QEMUClockType type;
    QEMUTimerCB *cb;
    void *opaque;
    int64_t expire;         /* -1 when not armed */
    uint64_t armed_seq;     /* tie-break for equal expiry times */
    GSequenceIter *iter;    /* in active[type] while armed */
};

/* Armed timers of each clock, by (expire, armed_seq); not owning. */
static GSequence *active[QEMU_CLOCK_MAX];
static uint64_t arm_count;
static int64_t virtual_ns;  /* manual mode only; accessed atomically */
static int manual;          /* bool, accessed atomically */
static guint wakeup_source;

static int64_t realtime_ns(void)
{
    return g_get_monotonic_time() * 1000;
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    if (type == QEMU_CLOCK_VIRTUAL && g_atomic_int_get(&manual)) {
        return __atomic_load_n(&virtual_ns, __ATOMIC_ACQUIRE);
    }
    return realtime_ns();
}

static gboolean timers_wakeup(gpointer opaque);

/* The armed timer of TYPE that expires first, or NULL. */
static QEMUTimer *timers_first(QEMUClockType type)
{
    GSequenceIter *it;

    if (!active[type]) {
        return NULL;
    }
    it = g_sequence_get_begin_iter(active[type]);
    return g_sequence_iter_is_end(it) ? NULL : g_sequence_get(it);
}

static void timer_unlink(QEMUTimer *ts)
{
    if (ts->expire >= 0) {
        g_sequence_remove(ts->iter);
        ts->iter = NULL;
        ts->expire = -1;
    }
}

static void timers_run_expired(QEMUClockType type, int64_t now)
{
    QEMUTimer *ts;

    /* A callback may arm or cancel any timer, itself included. */
    while ((ts = timers_first(type)) && ts->expire <= now) {
        timer_unlink(ts);
        trace_timer_fire(ts, type);
        ts->cb(ts->opaque);
    }
}

/* Keep one glib timeout for the earliest host-driven deadline. */
static void timers_reschedule(void)
{
    int64_t deadline = -1;

    for (int t = 0; t < QEMU_CLOCK_MAX; t++) {
        int64_t d;

        if (t == QEMU_CLOCK_VIRTUAL && manual) {
            continue;
        }
        d = qemu_clock_deadline_ns(t);
        if (d >= 0 && (deadline < 0 || d < deadline)) {
            deadline = d;
        }
    }
    if (wakeup_source) {
        g_source_remove(wakeup_source);
        wakeup_source = 0;
    }
    if (deadline >= 0) {
        int64_t delta = deadline - realtime_ns();
        guint ms = delta <= 0 ? 0 : (guint)MIN((delta + 999999) / 1000000,
                                              G_MAXUINT);

        wakeup_source = g_timeout_add(ms, timers_wakeup, NULL);
    }
}

static gboolean timers_wakeup(gpointer opaque)
{
    wakeup_source = 0;
    timers_run_expired(QEMU_CLOCK_REALTIME, realtime_ns());
    if (!manual) {
        timers_run_expired(QEMU_CLOCK_VIRTUAL, realtime_ns());
    }
    timers_reschedule();
    return G_SOURCE_REMOVE;
}

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *ts = g_new0(QEMUTimer, 1);

    g_assert(type < QEMU_CLOCK_MAX && cb);
    ts->type = type;
    ts->cb = cb;
    ts->opaque = opaque;
    ts->expire = -1;
    return ts;
}

static gint compare_expiry(gconstpointer a, gconstpointer b, gpointer unused)
{
    const QEMUTimer *ta = a, *tb = b;

    if (ta->expire != tb->expire) {
        return ta->expire < tb->expire ? -1 : 1;
    }
    return ta->armed_seq < tb->armed_seq ? -1 : ta->armed_seq > tb->armed_seq;
}

void timer_mod(QEMUTimer *ts, int64_t expire_ns)
{
    timer_unlink(ts);
    if (!active[ts->type]) {
        active[ts->type] = g_sequence_new(NULL);
    }
    ts->expire = MAX(expire_ns, 0);
    ts->armed_seq = arm_count++;
    ts->iter = g_sequence_insert_sorted(active[ts->type], ts,
                                        compare_expiry, NULL);
    timers_reschedule();
}

void timer_del(QEMUTimer *ts)
{
    if (ts->expire >= 0) {
        timer_unlink(ts);
        timers_reschedule();
    }
}

void timer_free(QEMUTimer *ts)
{
    if (ts) {
        timer_del(ts);
        g_free(ts);
    }
}

bool timer_pending(const QEMUTimer *ts)
{
    return ts->expire >= 0;
}

int64_t timer_expire_time_ns(const QEMUTimer *ts)
{
    return ts->expire;
}

void qemu_clock_set_manual(bool on)
{
    if (on && !manual) {
        __atomic_store_n(&virtual_ns, 0, __ATOMIC_RELEASE);
    }
    g_atomic_int_set(&manual, on);
    timers_reschedule();
}

bool qemu_clock_is_manual(void)
{
    return g_atomic_int_get(&manual);
}

int64_t qemu_clock_deadline_ns(QEMUClockType type)
{
    QEMUTimer *ts = timers_first(type);

    return ts ? ts->expire : -1;
}

int64_t qemu_clock_advance_virtual(int64_t dest_ns)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    QEMUTimer *ts;

    g_assert(manual);
    while ((ts = timers_first(QEMU_CLOCK_VIRTUAL)) &&
           ts->expire <= dest_ns) {
        /* Time moves to the timer's expiry before its callback runs. */
        if (ts->expire > now) {
            now = ts->expire;
            __atomic_store_n(&virtual_ns, now, __ATOMIC_RELEASE);
        }
        timers_run_expired(QEMU_CLOCK_VIRTUAL, now);
    }
    if (dest_ns > now) {
        now = dest_ns;
        __atomic_store_n(&virtual_ns, now, __ATOMIC_RELEASE);
    }
    trace_timer_advance_virtual(now);
    return now;
}
