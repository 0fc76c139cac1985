/*
 * Clocks and timers.
 *
 * QEMU_CLOCK_REALTIME is the host's monotonic clock.  QEMU_CLOCK_VIRTUAL
 * is the guest's notion of time: it follows the host clock, except when
 * the daemon runs with "-accel qtest", where it stands still and moves
 * only when the qtest client says so (clock_step, clock_set).  Device
 * models use the virtual clock for anything the guest can observe, so
 * tests control time exactly and never sleep.
 *
 * Timers run their callback in the main loop.  Create, arm, cancel and
 * free timers from the main thread only; qemu_clock_get_ns() may be
 * called from any thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_TIMER_H
#define QEMU_TIMER_H

#define NANOSECONDS_PER_SECOND 1000000000LL

typedef enum QEMUClockType {
    QEMU_CLOCK_REALTIME = 0,
    QEMU_CLOCK_VIRTUAL = 1,
    QEMU_CLOCK_MAX
} QEMUClockType;

typedef void QEMUTimerCB(void *opaque);
typedef struct QEMUTimer QEMUTimer;

int64_t qemu_clock_get_ns(QEMUClockType type);

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
/* Arm (or re-arm) the timer to fire when its clock reaches expire_ns. */
void timer_mod(QEMUTimer *ts, int64_t expire_ns);
void timer_del(QEMUTimer *ts);
/* Cancel and free; NULL is ignored. */
void timer_free(QEMUTimer *ts);
bool timer_pending(const QEMUTimer *ts);
/* The expiry time of an armed timer, -1 if not armed. */
int64_t timer_expire_time_ns(const QEMUTimer *ts);

/*
 * Virtual clock control, for the qtest accelerator.  Once manual, the
 * virtual clock only moves through qemu_clock_advance_virtual().
 */
void qemu_clock_set_manual(bool manual);
bool qemu_clock_is_manual(void);
/* The earliest expiry among armed timers of CLOCK, or -1. */
int64_t qemu_clock_deadline_ns(QEMUClockType type);
/*
 * Manual mode: move the virtual clock forward to DEST_NS (never back),
 * running each timer that expires on the way at its own expiry time, in
 * order.  Returns the new clock value.
 */
int64_t qemu_clock_advance_virtual(int64_t dest_ns);

#endif /* QEMU_TIMER_H */
