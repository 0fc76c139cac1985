/*
 * ThreadSanitizer annotations for happens-before edges TSan cannot see.
 *
 * glib orders some cross-thread hand-offs with its own futex-based
 * locks, e.g. a GSource attached in one thread and dispatched in the
 * thread that runs its GMainContext.  Debian's glib is not instrumented,
 * so TSan sees neither side.  TSAN_RELEASE(p) in the sending thread
 * before the hand-off and TSAN_ACQUIRE(p) in the receiving thread after
 * it name that edge; outside a TSan build they compile to nothing.
 * They only name an ordering glib already provides: never use them to
 * paper over missing locking.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_TSAN_H
#define QEMU_TSAN_H

#ifdef __SANITIZE_THREAD__
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define TSAN_ACQUIRE(p) __tsan_acquire((void *)(p))
#define TSAN_RELEASE(p) __tsan_release((void *)(p))
#else
#define TSAN_ACQUIRE(p) do { (void)(p); } while (0)
#define TSAN_RELEASE(p) do { (void)(p); } while (0)
#endif

#endif /* QEMU_TSAN_H */
