/*
 * Interrupt lines.
 *
 * A qemu_irq is a line a device drives; whoever owns the other end (a
 * board, or the qtest server intercepting it) provides the handler.
 * Devices may drive lines from any thread (an iothread delivering
 * events); handlers must be thread safe.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

typedef struct IRQState *qemu_irq;
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irq(qemu_irq irq);
/* Change the handler of an existing line (e.g. for interception). */
void qemu_irq_set_handler(qemu_irq irq, qemu_irq_handler handler,
                          void *opaque);

/* Set the level; a NULL irq or one without handler is ignored. */
void qemu_set_irq(qemu_irq irq, int level);

static inline void qemu_irq_raise(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
}

static inline void qemu_irq_lower(qemu_irq irq)
{
    qemu_set_irq(irq, 0);
}

/* Raise then lower: an edge-triggered notification. */
static inline void qemu_irq_pulse(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
    qemu_set_irq(irq, 0);
}

#endif /* HW_IRQ_H */
