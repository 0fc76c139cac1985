/*
 * Interrupt lines.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/irq.h"

struct IRQState {
    GMutex lock;
    qemu_irq_handler handler;
    void *opaque;
    int n;
};

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq irq = g_new0(struct IRQState, 1);

    g_mutex_init(&irq->lock);
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

void qemu_free_irq(qemu_irq irq)
{
    if (irq) {
        g_mutex_clear(&irq->lock);
        g_free(irq);
    }
}

void qemu_irq_set_handler(qemu_irq irq, qemu_irq_handler handler,
                          void *opaque)
{
    g_mutex_lock(&irq->lock);
    irq->handler = handler;
    irq->opaque = opaque;
    g_mutex_unlock(&irq->lock);
}

void qemu_set_irq(qemu_irq irq, int level)
{
    qemu_irq_handler handler;
    void *opaque;

    if (!irq) {
        return;
    }
    g_mutex_lock(&irq->lock);
    handler = irq->handler;
    opaque = irq->opaque;
    g_mutex_unlock(&irq->lock);
    if (handler) {
        handler(opaque, irq->n, level);
    }
}
