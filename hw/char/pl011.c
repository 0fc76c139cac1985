/*
 * Arm PrimeCell UART (PL011): registers, RX FIFO and UARTINTR.
 *
 * Owns the register file and RX FIFO of one UART.  PL011State.lock
 * guards all of it; the interrupt line and the TX sink are driven with
 * the lock held (see include/hw/char/pl011.h).
 *
 * Register map and bits are the PL011 TRM's (DDI 0183).  Not modelled:
 * baud rate (IBRD/FBRD/LCR_H are stored and read back), DMA, modem
 * lines, break and error conditions, IrDA.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/registerfields.h"
#include "hw/char/pl011.h"
#include "trace.h"

REG32(DR, 0x000)
REG32(RSR, 0x004)
REG32(FR, 0x018)
    FIELD(FR, BUSY, 3, 1)
    FIELD(FR, RXFE, 4, 1)
    FIELD(FR, TXFF, 5, 1)
    FIELD(FR, RXFF, 6, 1)
    FIELD(FR, TXFE, 7, 1)
REG32(ILPR, 0x020)
REG32(IBRD, 0x024)
REG32(FBRD, 0x028)
REG32(LCR_H, 0x02c)
    FIELD(LCR_H, FEN, 4, 1)
REG32(CR, 0x030)
REG32(IFLS, 0x034)
REG32(IMSC, 0x038)
REG32(RIS, 0x03c)
REG32(MIS, 0x040)
REG32(ICR, 0x044)
REG32(DMACR, 0x048)
REG32(PERIPHID0, 0xfe0)

/* Interrupt bits of IMSC, RIS, MIS and ICR. */
#define INT_RX  (1u << 4)
#define INT_TX  (1u << 5)
#define INT_RT  (1u << 6)
#define INT_ALL 0x7ffu

/* PeriphID0..3 then PCellID0..3: a PL011 r1p5, as the AMBA bus reads it. */
static const uint8_t pl011_id[8] = {
    0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1
};

struct PL011State {
    GMutex lock;
    char *name;
    qemu_irq irq;
    PL011SinkFunc *sink;
    void *sink_opaque;
    /* Guarded by lock. */
    uint32_t lcr_h, cr, ifls, imsc, ris, ilpr, ibrd, fbrd, dmacr;
    uint8_t rx[PL011_FIFO_DEPTH];
    unsigned rx_head, rx_count;
    int level;                  /* UARTINTR as last driven */
};

static unsigned rx_depth(PL011State *s)
{
    return FIELD_EX32(s->lcr_h, LCR_H, FEN) ? PL011_FIFO_DEPTH : 1;
}

/* Recompute RIS from the FIFOs and drive UARTINTR; lock held. */
static void pl011_update(PL011State *s)
{
    int level;

    /* TX is instant: the FIFO is always below its trigger level. */
    s->ris |= INT_TX;
    if (s->rx_count) {
        s->ris |= INT_RX | INT_RT;
    } else {
        s->ris &= ~(INT_RX | INT_RT);
    }
    level = !!(s->ris & s->imsc);
    if (level != s->level) {
        s->level = level;
        trace_pl011_irq(s->name, level);
        qemu_set_irq(s->irq, level);
    }
}

static uint32_t pl011_read_dr(PL011State *s)
{
    uint32_t c;

    if (!s->rx_count) {
        return 0;
    }
    c = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % PL011_FIFO_DEPTH;
    s->rx_count--;
    return c;
}

static uint32_t pl011_read_fr(PL011State *s)
{
    uint32_t fr = R_FR_TXFE_MASK;

    if (!s->rx_count) {
        fr |= R_FR_RXFE_MASK;
    }
    if (s->rx_count >= rx_depth(s)) {
        fr |= R_FR_RXFF_MASK;
    }
    return fr;
}

static uint32_t pl011_read_locked(PL011State *s, hwaddr addr)
{
    if (addr >= A_PERIPHID0 && addr < A_PERIPHID0 + 4 * sizeof(pl011_id)) {
        return pl011_id[(addr - A_PERIPHID0) / 4];
    }
    switch (addr) {
    case A_DR:    return pl011_read_dr(s);
    case A_RSR:   return 0;
    case A_FR:    return pl011_read_fr(s);
    case A_ILPR:  return s->ilpr;
    case A_IBRD:  return s->ibrd;
    case A_FBRD:  return s->fbrd;
    case A_LCR_H: return s->lcr_h;
    case A_CR:    return s->cr;
    case A_IFLS:  return s->ifls;
    case A_IMSC:  return s->imsc;
    case A_RIS:   return s->ris;
    case A_MIS:   return s->ris & s->imsc;
    case A_DMACR: return s->dmacr;
    default:      return 0;
    }
}

static void pl011_write_locked(PL011State *s, hwaddr addr, uint32_t val)
{
    uint8_t c = val;

    switch (addr) {
    case A_DR:
        if (s->sink) {
            s->sink(s->sink_opaque, &c, 1);
        }
        break;
    case A_RSR:   break;            /* error clear: no errors modelled */
    case A_ILPR:  s->ilpr = val & 0xff; break;
    case A_IBRD:  s->ibrd = val & 0xffff; break;
    case A_FBRD:  s->fbrd = val & 0x3f; break;
    case A_LCR_H:
        /* Turning the FIFO off or on empties it (TRM 3.3.7). */
        if ((s->lcr_h ^ val) & R_LCR_H_FEN_MASK) {
            s->rx_count = 0;
        }
        s->lcr_h = val & 0xff;
        break;
    case A_CR:    s->cr = val & 0xffff; break;
    case A_IFLS:  s->ifls = val & 0x3f; break;
    case A_IMSC:  s->imsc = val & INT_ALL; break;
    case A_ICR:   s->ris &= ~val; break;
    case A_DMACR: s->dmacr = val & 0x7; break;
    default:
        trace_pl011_write_ignored(s->name, addr, val);
        break;
    }
}

static MemTxResult pl011_mmio_read(void *opaque, hwaddr addr,
                                   uint64_t *data, unsigned size)
{
    PL011State *s = opaque;

    g_mutex_lock(&s->lock);
    *data = pl011_read_locked(s, addr);
    pl011_update(s);
    g_mutex_unlock(&s->lock);
    return MEMTX_OK;
}

static MemTxResult pl011_mmio_write(void *opaque, hwaddr addr,
                                    uint64_t data, unsigned size)
{
    PL011State *s = opaque;

    g_mutex_lock(&s->lock);
    pl011_write_locked(s, addr, data);
    pl011_update(s);
    g_mutex_unlock(&s->lock);
    return MEMTX_OK;
}

/* 8-, 16- and 32-bit accesses, as Linux's earlycon and driver use. */
const MemoryRegionOps pl011_ops = {
    .read = pl011_mmio_read,
    .write = pl011_mmio_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

size_t pl011_receive(PL011State *s, const uint8_t *buf, size_t len)
{
    size_t n = 0;

    g_mutex_lock(&s->lock);
    while (n < len && s->rx_count < rx_depth(s)) {
        s->rx[(s->rx_head + s->rx_count) % PL011_FIFO_DEPTH] = buf[n++];
        s->rx_count++;
    }
    pl011_update(s);
    g_mutex_unlock(&s->lock);
    if (n < len) {
        trace_pl011_rx_dropped(s->name, len - n);
    }
    return n;
}

void pl011_reset(PL011State *s)
{
    g_mutex_lock(&s->lock);
    s->lcr_h = s->imsc = s->ris = 0;
    s->ilpr = s->ibrd = s->fbrd = s->dmacr = 0;
    s->cr = 0x300;              /* TXE and RXE set, as after reset */
    s->ifls = 0x12;
    s->rx_head = s->rx_count = 0;
    pl011_update(s);
    g_mutex_unlock(&s->lock);
}

PL011State *pl011_new(const char *name, qemu_irq irq, PL011SinkFunc *sink,
                      void *opaque)
{
    PL011State *s = g_new0(PL011State, 1);

    g_mutex_init(&s->lock);
    s->name = g_strdup(name);
    s->irq = irq;
    s->sink = sink;
    s->sink_opaque = opaque;
    pl011_reset(s);
    return s;
}

void pl011_free(PL011State *s)
{
    if (s) {
        g_mutex_clear(&s->lock);
        g_free(s->name);
        g_free(s);
    }
}
