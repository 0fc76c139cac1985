/*
 * Clocks and timers on the glib main loop.
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
};

/* Armed timers of each clock, sorted by expiry (stable for equal times). */
static GList *active[QEMU_CLOCK_MAX];
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

static void timers_run_expired(QEMUClockType type, int64_t now)
{
    while (active[type]) {
        QEMUTimer *ts = active[type]->data;

        if (ts->expire > now) {
            break;
        }
        active[type] = g_list_delete_link(active[type], active[type]);
        ts->expire = -1;
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

static gint compare_expiry(gconstpointer a, gconstpointer b)
{
    const QEMUTimer *ta = a, *tb = b;

    return ta->expire < tb->expire ? -1 : ta->expire > tb->expire;
}

static void timer_unlink(QEMUTimer *ts)
{
    if (ts->expire >= 0) {
        active[ts->type] = g_list_remove(active[ts->type], ts);
        ts->expire = -1;
    }
}

void timer_mod(QEMUTimer *ts, int64_t expire_ns)
{
    timer_unlink(ts);
    ts->expire = MAX(expire_ns, 0);
    active[ts->type] = g_list_insert_sorted(active[ts->type], ts,
                                            compare_expiry);
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
    return active[type] ? ((QEMUTimer *)active[type]->data)->expire : -1;
}

int64_t qemu_clock_advance_virtual(int64_t dest_ns)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    g_assert(manual);
    while (active[QEMU_CLOCK_VIRTUAL]) {
        QEMUTimer *ts = active[QEMU_CLOCK_VIRTUAL]->data;

        if (ts->expire > dest_ns) {
            break;
        }
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
