/*
 * Arm PrimeCell UART (PL011), as far as a Linux console needs it.
 *
 * A PL011 is a plain object with one 4 KiB MMIO interface (map it with
 * address_space_add_mmio(..., &pl011_ops, s, ...)), one interrupt line
 * (level: UARTINTR) and a byte sink for what the guest transmits.  The
 * owner feeds received bytes with pl011_receive().  Transmission is
 * instant: the TX FIFO never fills, so FR.TXFF is never set.
 *
 * Locking: PL011State.lock guards every register and the RX FIFO; MMIO
 * callbacks and pl011_receive() may run in any thread.  The interrupt
 * line and the sink are called with the lock held, so neither may call
 * back into the PL011.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_CHAR_PL011_H
#define HW_CHAR_PL011_H

#include "hw/irq.h"
#include "system/memory.h"

#define PL011_MMIO_SIZE 0x1000
#define PL011_FIFO_DEPTH 32

/* Bytes the guest transmitted; called with the PL011's lock held. */
typedef void PL011SinkFunc(void *opaque, const uint8_t *buf, size_t len);

typedef struct PL011State PL011State;

extern const MemoryRegionOps pl011_ops;

PL011State *pl011_new(const char *name, qemu_irq irq, PL011SinkFunc *sink,
                      void *opaque);
void pl011_free(PL011State *s);
/* Queue received bytes; returns how many fit in the RX FIFO. */
size_t pl011_receive(PL011State *s, const uint8_t *buf, size_t len);
/* Power-on state (system reset). */
void pl011_reset(PL011State *s);

#endif /* HW_CHAR_PL011_H */
