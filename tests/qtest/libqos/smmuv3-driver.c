/*
 * A guest driver for the Arm SMMUv3, over a QOSBus.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "smmuv3-driver.h"
#include "hw/arm/smmuv3-common.h"

/* Bounded polling: every handshake of this model completes at once. */
#define QSMMUV3_POLL_LIMIT 1000
#define QSMMUV3_SPLIT 8

void qsmmuv3_init(QSMMUv3 *d, QOSBus *bus, uint64_t mmio_base,
                  uint64_t ram_base, uint64_t ram_size)
{
    memset(d, 0, sizeof(*d));
    d->bus = bus;
    d->base = mmio_base;
    d->ram_next = ram_base;
    d->ram_end = ram_base + ram_size;
}

uint64_t qsmmuv3_alloc(QSMMUv3 *d, uint64_t size, uint64_t align)
{
    uint64_t addr = (d->ram_next + align - 1) & ~(align - 1);
    g_autofree void *zero = g_malloc0(size);

    g_assert(addr + size <= d->ram_end);
    d->ram_next = addr + size;
    d->bus->memwrite(d->bus->opaque, addr, zero, size);
    return addr;
}

uint32_t qsmmuv3_readl(QSMMUv3 *d, uint64_t off)
{
    return d->bus->readl(d->bus->opaque, d->base + off);
}

void qsmmuv3_writel(QSMMUv3 *d, uint64_t off, uint32_t val)
{
    d->bus->writel(d->bus->opaque, d->base + off, val);
}

static void qsmmuv3_writeq(QSMMUv3 *d, uint64_t off, uint64_t val)
{
    d->bus->writeq(d->bus->opaque, d->base + off, val);
}

static uint64_t le64_at(QSMMUv3 *d, uint64_t addr)
{
    uint64_t v;

    d->bus->memread(d->bus->opaque, addr, &v, sizeof(v));
    return GUINT64_FROM_LE(v);
}

static void write_words(QSMMUv3 *d, uint64_t addr, const uint64_t *w,
                        unsigned n)
{
    uint64_t le[8];

    g_assert(n <= G_N_ELEMENTS(le));
    for (unsigned i = 0; i < n; i++) {
        le[i] = GUINT64_TO_LE(w[i]);
    }
    d->bus->memwrite(d->bus->opaque, addr, le, n * 8);
}

bool qsmmuv3_write_reg_sync(QSMMUv3 *d, uint64_t reg, uint64_t ack,
                            uint32_t val)
{
    qsmmuv3_writel(d, reg, val);
    for (int i = 0; i < QSMMUV3_POLL_LIMIT; i++) {
        if (qsmmuv3_readl(d, ack) == val) {
            return true;
        }
    }
    return false;
}

bool qsmmuv3_probe(QSMMUv3 *d)
{
    for (int i = 0; i < 6; i++) {
        d->idr[i] = qsmmuv3_readl(d, A_IDR0 + 4 * i);
    }
    /* Linux needs AArch64 tables, a little-endian walker and queues. */
    if (!(FIELD_EX32(d->idr[0], IDR0, TTF) & SMMU_IDR0_TTF_AARCH64)) {
        return false;
    }
    if (FIELD_EX32(d->idr[0], IDR0, TTENDIAN) == SMMU_TTENDIAN_BE) {
        return false;
    }
    if (!FIELD_EX32(d->idr[1], IDR1, CMDQS) ||
        !FIELD_EX32(d->idr[1], IDR1, EVENTQS)) {
        return false;
    }
    return FIELD_EX32(d->idr[0], IDR0, S1P) ||
           FIELD_EX32(d->idr[0], IDR0, S2P);
}

static bool qsmmuv3_update_gbpa(QSMMUv3 *d, uint32_t set, uint32_t clr)
{
    uint32_t v;
    int i;

    for (i = 0; i < QSMMUV3_POLL_LIMIT; i++) {
        if (!FIELD_EX32(qsmmuv3_readl(d, A_GBPA), GBPA, UPDATE)) {
            break;
        }
    }
    v = (qsmmuv3_readl(d, A_GBPA) & ~clr) | set;
    qsmmuv3_writel(d, A_GBPA, v | R_GBPA_UPDATE_MASK);
    for (i = 0; i < QSMMUV3_POLL_LIMIT; i++) {
        if (!FIELD_EX32(qsmmuv3_readl(d, A_GBPA), GBPA, UPDATE)) {
            return true;
        }
    }
    return false;
}

static void qsmmuv3_init_strtab(QSMMUv3 *d)
{
    unsigned bits = d->opts.sid_bits;
    uint32_t cfg = 0;

    if (d->opts.two_level) {
        unsigned l1 = bits > QSMMUV3_SPLIT ? bits - QSMMUV3_SPLIT : 0;

        d->strtab = qsmmuv3_alloc(d, SMMU_L1STD_SIZE << l1, 64);
        cfg = FIELD_DP32(cfg, STRTAB_BASE_CFG, FMT, SMMU_STRTAB_FMT_2LVL);
        cfg = FIELD_DP32(cfg, STRTAB_BASE_CFG, SPLIT, QSMMUV3_SPLIT);
    } else {
        d->strtab = qsmmuv3_alloc(d, (uint64_t)SMMU_STE_SIZE << bits, 64);
        cfg = FIELD_DP32(cfg, STRTAB_BASE_CFG, FMT, SMMU_STRTAB_FMT_LINEAR);
    }
    cfg = FIELD_DP32(cfg, STRTAB_BASE_CFG, LOG2SIZE, bits);
    /* Linux starts with every STE aborting (V=1, Config=abort). */
    if (!d->opts.two_level) {
        for (uint32_t sid = 0; sid < (1U << bits); sid++) {
            qsmmuv3_ste_abort(d, sid);
        }
    }
    qsmmuv3_writeq(d, A_STRTAB_BASE,
                   FIELD_DP64(d->strtab, STRTAB_BASE, RA, 1));
    qsmmuv3_writel(d, A_STRTAB_BASE_CFG, cfg);
}

/* Inner-shareable, write-back read/write-allocate tables and queues. */
static uint32_t qsmmuv3_cr1(void)
{
    uint32_t v = 0;

    v = FIELD_DP32(v, CR1, QUEUE_IC, SMMU_CACHE_WBRA);
    v = FIELD_DP32(v, CR1, QUEUE_OC, SMMU_CACHE_WBRA);
    v = FIELD_DP32(v, CR1, QUEUE_SH, SMMU_SH_ISH);
    v = FIELD_DP32(v, CR1, TABLE_IC, SMMU_CACHE_WBRA);
    v = FIELD_DP32(v, CR1, TABLE_OC, SMMU_CACHE_WBRA);
    v = FIELD_DP32(v, CR1, TABLE_SH, SMMU_SH_ISH);
    return v;
}

bool qsmmuv3_bringup(QSMMUv3 *d, const QSMMUv3Options *opts)
{
    uint32_t cr0 = 0;
    uint32_t irq = 0;

    d->opts = *opts;
    if (!qsmmuv3_probe(d)) {
        return false;
    }
    if (!qsmmuv3_disable(d)) {
        return false;
    }
    /* Abort incoming transactions while the SMMU is disabled. */
    if (!qsmmuv3_update_gbpa(d, R_GBPA_ABORT_MASK, 0)) {
        return false;
    }
    qsmmuv3_writel(d, A_CR1, qsmmuv3_cr1());
    qsmmuv3_writel(d, A_CR2, R_CR2_PTM_MASK | R_CR2_RECINVSID_MASK);

    qsmmuv3_init_strtab(d);

    d->cmdq = qsmmuv3_alloc(d, SMMU_CMD_SIZE << opts->cmdq_log2size,
                            MAX(32, SMMU_CMD_SIZE << opts->cmdq_log2size));
    qsmmuv3_writeq(d, A_CMDQ_BASE, d->cmdq | opts->cmdq_log2size);
    d->cmdq_prod = 0;
    qsmmuv3_writel(d, A_CMDQ_PROD, 0);
    qsmmuv3_writel(d, A_CMDQ_CONS, 0);
    cr0 = FIELD_DP32(cr0, CR0, CMDQEN, 1);
    if (!qsmmuv3_write_reg_sync(d, A_CR0, A_CR0ACK, cr0)) {
        return false;
    }
    /* Invalidate cached configuration and TLBs. */
    qsmmuv3_cmd(d, SMMU_CMD_CFGI_STE_RANGE, SMMU_CFGI_RANGE_ALL);
    if (!qsmmuv3_sync(d)) {
        return false;
    }
    qsmmuv3_cmd(d, SMMU_CMD_TLBI_NSNH_ALL, 0);
    if (!qsmmuv3_sync(d)) {
        return false;
    }

    d->evtq = qsmmuv3_alloc(d, SMMU_EVENT_SIZE << opts->evtq_log2size,
                            SMMU_EVENT_SIZE << opts->evtq_log2size);
    qsmmuv3_writeq(d, A_EVENTQ_BASE, d->evtq | opts->evtq_log2size);
    d->evtq_cons = 0;
    qsmmuv3_writel(d, SMMU_PAGE1_OFFSET + A_EVENTQ_PROD, 0);
    qsmmuv3_writel(d, SMMU_PAGE1_OFFSET + A_EVENTQ_CONS, 0);
    cr0 = FIELD_DP32(cr0, CR0, EVENTQEN, 1);
    if (!qsmmuv3_write_reg_sync(d, A_CR0, A_CR0ACK, cr0)) {
        return false;
    }

    /* Interrupts: off, program MSIs, then on. */
    if (!qsmmuv3_write_reg_sync(d, A_IRQ_CTRL, A_IRQ_CTRL_ACK, 0)) {
        return false;
    }
    qsmmuv3_writeq(d, A_EVENTQ_IRQ_CFG0, opts->evtq_msi_addr);
    qsmmuv3_writel(d, A_EVENTQ_IRQ_CFG1, opts->evtq_msi_data);
    qsmmuv3_writel(d, A_EVENTQ_IRQ_CFG2, SMMU_MEMATTR_DEVICE_NGNRE);
    qsmmuv3_writeq(d, A_GERROR_IRQ_CFG0, opts->gerror_msi_addr);
    qsmmuv3_writel(d, A_GERROR_IRQ_CFG1, opts->gerror_msi_data);
    qsmmuv3_writel(d, A_GERROR_IRQ_CFG2, SMMU_MEMATTR_DEVICE_NGNRE);
    irq = FIELD_DP32(irq, IRQ_CTRL, GERROR_IRQEN, 1);
    irq = FIELD_DP32(irq, IRQ_CTRL, EVENTQ_IRQEN, 1);
    if (!qsmmuv3_write_reg_sync(d, A_IRQ_CTRL, A_IRQ_CTRL_ACK, irq)) {
        return false;
    }

    cr0 = FIELD_DP32(cr0, CR0, SMMUEN, 1);
    return qsmmuv3_write_reg_sync(d, A_CR0, A_CR0ACK, cr0);
}

bool qsmmuv3_disable(QSMMUv3 *d)
{
    return qsmmuv3_write_reg_sync(d, A_CR0, A_CR0ACK, 0) &&
           qsmmuv3_write_reg_sync(d, A_IRQ_CTRL, A_IRQ_CTRL_ACK, 0);
}

void qsmmuv3_cmd(QSMMUv3 *d, uint64_t w0, uint64_t w1)
{
    unsigned log2 = d->opts.cmdq_log2size;
    uint64_t cmd[2] = { w0, w1 };
    uint64_t addr;

    /* Wait for room, as Linux does. */
    for (int i = 0; i < QSMMUV3_POLL_LIMIT; i++) {
        uint32_t cons = qsmmuv3_readl(d, A_CMDQ_CONS);

        if (!smmu_q_full(d->cmdq_prod, cons, log2)) {
            break;
        }
    }
    addr = d->cmdq + (uint64_t)smmu_q_index(d->cmdq_prod, log2) *
                     SMMU_CMD_SIZE;
    write_words(d, addr, cmd, 2);
    d->cmdq_prod = smmu_q_incr(d->cmdq_prod, log2);
    qsmmuv3_writel(d, A_CMDQ_PROD, d->cmdq_prod);
}

bool qsmmuv3_sync(QSMMUv3 *d)
{
    SMMUCmd c = smmu_cmd_sync(SMMU_SYNC_CS_SEV, 0, 0);
    unsigned log2 = d->opts.cmdq_log2size;

    qsmmuv3_cmd(d, c.word[0], c.word[1]);
    for (int i = 0; i < QSMMUV3_POLL_LIMIT; i++) {
        uint32_t cons = qsmmuv3_readl(d, A_CMDQ_CONS);
        uint32_t gerr = qsmmuv3_readl(d, A_GERROR) ^
                        qsmmuv3_readl(d, A_GERRORN);

        if (gerr & R_GERROR_CMDQ_ERR_MASK) {
            return false;
        }
        if (smmu_q_empty(d->cmdq_prod, cons, log2)) {
            return true;
        }
    }
    return false;
}

bool qsmmuv3_cfgi_ste(QSMMUv3 *d, uint32_t sid)
{
    SMMUCmd c = smmu_cmd_cfgi_ste(sid);

    qsmmuv3_cmd(d, c.word[0], c.word[1]);
    return qsmmuv3_sync(d);
}

uint64_t qsmmuv3_ste_addr(QSMMUv3 *d, uint32_t sid)
{
    uint64_t l1addr, l1std, l2;

    g_assert(sid < (1U << d->opts.sid_bits));
    if (!d->opts.two_level) {
        return d->strtab + (uint64_t)sid * SMMU_STE_SIZE;
    }
    l1addr = d->strtab + (uint64_t)(sid >> QSMMUV3_SPLIT) * SMMU_L1STD_SIZE;
    l1std = le64_at(d, l1addr);
    if (!FIELD_EX64(l1std, L1STD, SPAN)) {
        uint64_t n = 1U << QSMMUV3_SPLIT;

        l2 = qsmmuv3_alloc(d, n * SMMU_STE_SIZE, n * SMMU_STE_SIZE);
        l1std = FIELD_DP64(l2, L1STD, SPAN, QSMMUV3_SPLIT + 1);
        write_words(d, l1addr, &l1std, 1);
    }
    l2 = l1std & R_L1STD_L2PTR_MASK;
    return l2 + (uint64_t)(sid & ((1U << QSMMUV3_SPLIT) - 1)) * SMMU_STE_SIZE;
}

static void qsmmuv3_write_ste(QSMMUv3 *d, uint32_t sid, const uint64_t *ste)
{
    write_words(d, qsmmuv3_ste_addr(d, sid), ste, 8);
}

void qsmmuv3_ste_abort(QSMMUv3 *d, uint32_t sid)
{
    SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_ABORT);

    qsmmuv3_write_ste(d, sid, ste.word);
}

void qsmmuv3_ste_bypass(QSMMUv3 *d, uint32_t sid)
{
    SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_BYPASS);

    qsmmuv3_write_ste(d, sid, ste.word);
}

uint64_t qsmmuv3_ste_s1(QSMMUv3 *d, uint32_t sid, uint16_t asid,
                        uint64_t ttb0)
{
    uint64_t cd[8] = { 0 };
    SMMUSte ste = smmu_ste_make(SMMU_STE_CONFIG_S1);
    uint64_t cdaddr = qsmmuv3_alloc(d, SMMU_CD_SIZE, 64);

    cd[0] = FIELD_DP64(cd[0], CD_0, T0SZ, 16);
    cd[0] = FIELD_DP64(cd[0], CD_0, TG0, SMMU_TG0_4K);
    /* No TTB1, as Linux: with EPD1 clear TG1 0 would make the CD ILLEGAL. */
    cd[0] = FIELD_DP64(cd[0], CD_0, EPD1, 1);
    cd[0] = FIELD_DP64(cd[0], CD_0, V, 1);
    cd[0] = FIELD_DP64(cd[0], CD_0, IPS, SMMU_OAS_44BIT);
    cd[0] = FIELD_DP64(cd[0], CD_0, AA64, 1);
    cd[0] = FIELD_DP64(cd[0], CD_0, ASID, asid);
    cd[1] = ttb0 & R_CD_1_TTB0_MASK;
    write_words(d, cdaddr, cd, 8);

    ste.word[0] |= cdaddr & R_STE_0_S1CTXPTR_MASK;
    qsmmuv3_write_ste(d, sid, ste.word);
    return cdaddr;
}

size_t qsmmuv3_evtq_consume(QSMMUv3 *d, QSMMUv3Event *out, size_t max,
                            bool *overflow)
{
    unsigned log2 = d->opts.evtq_log2size;
    uint32_t prod = qsmmuv3_readl(d, SMMU_PAGE1_OFFSET + A_EVENTQ_PROD);
    bool ovf = FIELD_EX32(prod, EVENTQ_PROD, OVFLG) !=
               FIELD_EX32(d->evtq_cons, EVENTQ_CONS, OVACKFLG);
    size_t n = 0;

    while (n < max && !smmu_q_empty(prod, d->evtq_cons, log2)) {
        uint64_t addr = d->evtq +
            (uint64_t)smmu_q_index(d->evtq_cons, log2) * SMMU_EVENT_SIZE;
        QSMMUv3Event *e = &out[n++];
        uint8_t rec[SMMU_EVENT_SIZE];
        SMMUEventInfo info;
        SMMUEvent evt;

        d->bus->memread(d->bus->opaque, addr, rec, sizeof(rec));
        smmu_event_from_le(&evt, rec);
        smmu_event_parse(&evt, &info);
        memcpy(e->raw, evt.word, sizeof(e->raw));
        e->type = info.type;
        e->ssv = info.ssv;
        e->ssid = info.ssid;
        e->sid = info.sid;
        e->addr = info.input_addr;
        e->addr2 = info.addr2;
        d->evtq_cons = smmu_q_incr(d->evtq_cons, log2);
        qsmmuv3_writel(d, SMMU_PAGE1_OFFSET + A_EVENTQ_CONS, d->evtq_cons);
    }
    if (ovf) {
        /* Acknowledge: copy OVFLG into OVACKFLG. */
        d->overflows++;
        d->evtq_cons = FIELD_DP32(d->evtq_cons, EVENTQ_CONS, OVACKFLG,
                                  FIELD_EX32(prod, EVENTQ_PROD, OVFLG));
        qsmmuv3_writel(d, SMMU_PAGE1_OFFSET + A_EVENTQ_CONS, d->evtq_cons);
    }
    if (overflow) {
        *overflow = ovf;
    }
    return n;
}
