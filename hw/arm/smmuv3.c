/*
 * Arm SMMUv3 model: registers, command queue, event queue, stream table.
 *
 * Locking: register and command-queue state is protected by the device
 * lock, SMMUv3State.mutex; the event queue's state by SMMUv3State.
 * evtq_lock, which nests inside the device lock, never the reverse (the
 * fields each guards: include/hw/arm/smmuv3.h).  MMIO runs in the main
 * thread and takes the device lock, and the event queue's lock too for
 * the event-queue registers, CR0 and IRQ_CTRL; the event-queue writer
 * (smmuv3_eventq_write_le(), from an iothread) takes only the event
 * queue's lock, so guest MMIO of other registers never delays it, and
 * raises GERROR (EVENTQ_ABT_ERR, MSI_EVENTQ_ABT_ERR) after dropping it,
 * under the device lock.  The STE/CD fetch functions may run in any
 * thread.  Wired interrupt lines are pulsed after the locks are dropped
 * (their handlers may call back into the device); MSIs are 32-bit
 * stores to guest RAM, done under the lock of the queue they signal.
 * CFGI and TLBI commands invalidate the translation caches of
 * hw/arm/smmuv3-translate.c with the lock held; their own lock nests
 * inside this one, never the reverse.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/object-registry.h"
#include "hw/arm/smmuv3.h"
#include "hw/arm/smmuv3-accel.h"
#include "hw/arm/smmuv3-translate.h"
#include "smmuv3-internal.h"
#include "trace.h"

#define SMMUV3(dev) ((SMMUv3State *)(dev))

/* Interrupt lines to pulse once the lock is dropped (bit per SMMUIrq). */
typedef unsigned SMMUPulses;

static const char *const smmuv3_irq_names[SMMU_NUM_IRQ] = {
    [SMMU_IRQ_EVTQ] = "eventq",
    [SMMU_IRQ_PRIQ] = "priq",
    [SMMU_IRQ_CMD_SYNC] = "cmdq-sync",
    [SMMU_IRQ_GERROR] = "gerror",
};

/* ---- Interrupts and GERROR ---------------------------------------------- */

static uint32_t smmuv3_cr0ack_bit(SMMUv3State *s, uint32_t mask)
{
    return s->cr0ack & mask;
}

static void smmuv3_deliver_pulses(SMMUv3State *s, SMMUPulses pulses)
{
    DeviceState *dev = &s->parent_obj;

    for (int i = 0; i < SMMU_NUM_IRQ; i++) {
        if (pulses & (1U << i)) {
            trace_smmuv3_irq_pulse(i);
            qemu_irq_pulse(dev->irqs[i]);
        }
    }
}

/*
 * An MSI: a 32-bit write of DATA to the CFG0 address, with the device id
 * the board gave the SMMU (an ITS doorbell or a store to RAM).
 */
static bool smmuv3_send_msi(SMMUv3State *s, const char *src, uint64_t cfg0,
                            uint32_t data)
{
    hwaddr addr = cfg0 & R_IRQ_CFG0_ADDR_MASK;
    MemTxResult r = address_space_send_msi(s->parent_obj.as, addr, data,
                                           s->parent_obj.msi_devid);

    trace_smmuv3_irq_msi(src, addr, data, r);
    return r == MEMTX_OK;
}

static void smmuv3_raise_gerror(SMMUv3State *s, uint32_t mask,
                                SMMUPulses *pulses)
{
    uint32_t pending = s->gerror ^ s->gerrorn;
    uint32_t new_errs = mask & ~pending;

    if (!new_errs) {
        return;
    }
    s->gerror ^= new_errs;
    trace_smmuv3_gerror_raise(new_errs, s->gerror, s->gerrorn);

    if (!FIELD_EX32(s->irq_ctrl, IRQ_CTRL, GERROR_IRQEN)) {
        return;
    }
    if (s->gerror_irq_cfg0 & R_IRQ_CFG0_ADDR_MASK) {
        if (!smmuv3_send_msi(s, "gerror", s->gerror_irq_cfg0,
                             s->gerror_irq_cfg1)) {
            /* Recorded, but not signalled again: that would loop. */
            pending = s->gerror ^ s->gerrorn;
            s->gerror ^= R_GERROR_MSI_GERROR_ABT_ERR_MASK & ~pending;
        }
    } else {
        *pulses |= 1U << SMMU_IRQ_GERROR;
    }
}

/*
 * Raise GERROR bits MASK from the event-queue side: with the event
 * queue's lock dropped, under the device lock.
 */
static void smmuv3_raise_gerror_unlocked(SMMUv3State *s, uint32_t mask,
                                         SMMUPulses *pulses)
{
    if (!mask) {
        return;
    }
    g_mutex_lock(&s->mutex);
    smmuv3_raise_gerror(s, mask, pulses);
    g_mutex_unlock(&s->mutex);
}

/*
 * Caller holds evtq_lock (and may hold the device lock).  A failed MSI
 * adds MSI_EVENTQ_ABT_ERR to *GERROR, for the caller to raise under the
 * device lock.
 */
static bool smmuv3_eventq_notify(SMMUv3State *s, SMMUPulses *pulses,
                                 uint32_t *gerror)
{
    if (!FIELD_EX32(s->irq_ctrl, IRQ_CTRL, EVENTQ_IRQEN)) {
        trace_smmuv3_eventq_notify(false, false);
        return false;
    }
    if (s->eventq_notified) {
        /* The guest has not written EVENTQ_CONS since the last one. */
        s->eventq_suppressed = true;
        trace_smmuv3_eventq_notify(false, true);
        return false;
    }
    s->eventq_notified = true;
    s->eventq_stats.irqs++;
    trace_smmuv3_eventq_notify(true, false);
    if (s->eventq_irq_cfg0 & R_IRQ_CFG0_ADDR_MASK) {
        if (!smmuv3_send_msi(s, "eventq", s->eventq_irq_cfg0,
                             s->eventq_irq_cfg1)) {
            *gerror |= R_GERROR_MSI_EVENTQ_ABT_ERR_MASK;
        }
    } else {
        *pulses |= 1U << SMMU_IRQ_EVTQ;
    }
    return true;
}

/* ---- Event queue ---------------------------------------------------------- */

static hwaddr smmu_q_base(const SMMUQueue *q)
{
    return q->base & R_Q_BASE_ADDR_MASK;
}

static hwaddr smmu_q_entry(const SMMUQueue *q, uint32_t idx)
{
    return smmu_q_base(q) +
           (hwaddr)smmu_q_index(idx, q->log2size) * q->entry_size;
}

/* Toggle OVFLG if the guest acknowledged the previous overflow. */
static bool smmuv3_eventq_overflow(SMMUv3State *s)
{
    SMMUQueue *q = &s->eventq;
    bool toggle = FIELD_EX32(q->prod, EVENTQ_PROD, OVFLG) ==
                  FIELD_EX32(q->cons, EVENTQ_CONS, OVACKFLG);

    if (toggle) {
        q->prod ^= R_EVENTQ_PROD_OVFLG_MASK;
        s->eventq_stats.overflow_signalled++;
    }
    trace_smmuv3_eventq_overflow(q->prod, q->cons, toggle);
    return toggle;
}

/* Entries free in Q for a producer at PROD. */
static uint32_t smmu_q_space(const SMMUQueue *q, uint32_t prod)
{
    return (1U << q->log2size) - smmu_q_used(prod, q->cons, q->log2size);
}

/*
 * Entry by entry, as the architecture describes the queue: a write that
 * aborts drops its record and does not take a slot.
 */
static void eventq_write_each(SMMUv3State *s, const uint8_t *le, size_t n,
                              uint32_t *prod, SMMUEventqWriteResult *r)
{
    SMMUQueue *q = &s->eventq;

    for (size_t i = 0; i < n; i++, le += SMMU_EVENT_SIZE) {
        hwaddr addr;

        if (smmu_q_full(*prod, q->cons, q->log2size)) {
            /* CONS cannot move while we hold evtq_lock. */
            r->overflow_dropped = n - i;
            return;
        }
        addr = smmu_q_entry(q, *prod);
        if (address_space_write(s->parent_obj.as, addr, le, SMMU_EVENT_SIZE)
            != MEMTX_OK) {
            trace_smmuv3_eventq_write_abort(addr);
            r->abort++;
            continue;
        }
        *prod = smmu_q_incr(*prod, q->log2size);
        r->written++;
    }
}

/*
 * The same, a contiguous run of entries (up to the end of the ring) at a
 * time: one guest-memory access per run.  A run that does not land
 * entirely in RAM falls back to eventq_write_each() from there on.
 */
static void eventq_write_runs(SMMUv3State *s, const uint8_t *le, size_t n,
                              uint32_t *prod, SMMUEventqWriteResult *r)
{
    SMMUQueue *q = &s->eventq;
    size_t fit = MIN(n, smmu_q_space(q, *prod));

    while (fit) {
        uint32_t to_end = (1U << q->log2size) - smmu_q_index(*prod,
                                                             q->log2size);
        size_t run = MIN(fit, to_end);

        if (address_space_write(s->parent_obj.as, smmu_q_entry(q, *prod), le,
                                run * SMMU_EVENT_SIZE) != MEMTX_OK) {
            eventq_write_each(s, le, n, prod, r);
            return;
        }
        *prod = smmu_q_advance(*prod, run, q->log2size);
        r->written += run;
        le += run * SMMU_EVENT_SIZE;
        n -= run;
        fit -= run;
    }
    r->overflow_dropped = n;
}

size_t smmuv3_eventq_write_le(SMMUv3State *s, const void *entries, size_t n,
                              SMMUEventqWriteResult *res)
{
    SMMUEventqWriteResult r = { 0 };
    SMMUQueue *q = &s->eventq;
    SMMUPulses pulses = 0;
    uint32_t gerror = 0;
    uint32_t prod;

    g_mutex_lock(&s->evtq_lock);
    if (!smmuv3_cr0ack_bit(s, R_CR0_EVENTQEN_MASK)) {
        r.disabled_dropped = n;
        goto out;
    }

    prod = q->prod;
    eventq_write_runs(s, entries, n, &prod, &r);
    /* The single publication of PROD for this batch. */
    q->prod = prod;

    if (r.overflow_dropped) {
        r.overflow_signalled = smmuv3_eventq_overflow(s);
    }
    if (r.abort) {
        gerror |= R_GERROR_EVENTQ_ABT_ERR_MASK;
    }
    if (r.written || r.overflow_signalled) {
        r.notified = smmuv3_eventq_notify(s, &pulses, &gerror);
    }

out:
    s->eventq_stats.written += r.written;
    s->eventq_stats.overflow_dropped += r.overflow_dropped;
    s->eventq_stats.disabled_dropped += r.disabled_dropped;
    s->eventq_stats.abort += r.abort;
    trace_smmuv3_eventq_batch(n, r.written, r.overflow_dropped,
                              r.disabled_dropped, r.abort, q->prod, q->cons);
    g_mutex_unlock(&s->evtq_lock);

    smmuv3_raise_gerror_unlocked(s, gerror, &pulses);
    smmuv3_deliver_pulses(s, pulses);
    if (res) {
        *res = r;
    }
    return r.written;
}

size_t smmuv3_eventq_write_batch(SMMUv3State *s, const SMMUEvent *evts,
                                 size_t n, SMMUEventqWriteResult *res)
{
    uint8_t stack[8 * SMMU_EVENT_SIZE] = { 0 };
    uint8_t *le = n <= 8 ? stack : g_malloc(n * SMMU_EVENT_SIZE);
    size_t written;

    for (size_t i = 0; i < n; i++) {
        smmu_event_to_le(&evts[i], le + i * SMMU_EVENT_SIZE);
    }
    written = smmuv3_eventq_write_le(s, le, n, res);
    if (le != stack) {
        g_free(le);
    }
    return written;
}

bool smmuv3_eventq_signal_overflow(SMMUv3State *s)
{
    SMMUPulses pulses = 0;
    uint32_t gerror = 0;
    bool toggled = false;

    g_mutex_lock(&s->evtq_lock);
    if (smmuv3_cr0ack_bit(s, R_CR0_EVENTQEN_MASK)) {
        toggled = smmuv3_eventq_overflow(s);
        if (toggled) {
            smmuv3_eventq_notify(s, &pulses, &gerror);
        }
    }
    g_mutex_unlock(&s->evtq_lock);
    smmuv3_raise_gerror_unlocked(s, gerror, &pulses);
    smmuv3_deliver_pulses(s, pulses);
    return toggled;
}

void smmuv3_get_eventq_stats(SMMUv3State *s, SMMUEventqStats *stats)
{
    g_mutex_lock(&s->evtq_lock);
    *stats = s->eventq_stats;
    g_mutex_unlock(&s->evtq_lock);
}

void smmuv3_get_cmdq_stats(SMMUv3State *s, SMMUCmdqStats *stats)
{
    g_mutex_lock(&s->mutex);
    *stats = s->cmdq_stats;
    g_mutex_unlock(&s->mutex);
}

void smmuv3_set_accel_ops(SMMUv3State *s, const SMMUv3AccelOps *ops,
                          void *opaque)
{
    g_mutex_lock(&s->mutex);
    s->accel_ops = ops;
    s->accel_opaque = opaque;
    g_mutex_unlock(&s->mutex);
}

/* ---- Stream table and context descriptors ------------------------------- */

static void smmuv3_config_event(SMMUEvent *event, SMMUEventType type,
                                uint32_t sid, const char *why)
{
    trace_smmuv3_config_error(sid, smmu_event_type_name(type), why);
    smmu_event_init(event, type, sid);
}

static void smmuv3_fetch_event(SMMUEvent *event, SMMUEventType type,
                               uint32_t sid, hwaddr addr)
{
    smmuv3_config_event(event, type, sid, "fetch outside guest RAM");
    smmu_event_set_addr(event, SMMU_EVT_ADDR2_WORD, addr);
}

static bool smmuv3_read_words(SMMUv3State *s, hwaddr addr, uint64_t *words,
                              unsigned n)
{
    uint64_t le[8];

    g_assert(n <= G_N_ELEMENTS(le));
    if (address_space_read(s->parent_obj.as, addr, le, n * 8) != MEMTX_OK) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        words[i] = GUINT64_FROM_LE(le[i]);
    }
    return true;
}

static unsigned smmuv3_oas_bits(SMMUv3State *s)
{
    return smmu_oas_bits(FIELD_EX32(s->idr[5], IDR5, OAS));
}

/* Why STE is not a valid configuration for this SMMU, or NULL. */
static const char *smmuv3_ste_invalid(SMMUv3State *s, const SMMUSte *ste)
{
    unsigned config = FIELD_EX64(ste->word[0], STE_0, CONFIG);
    unsigned oas = smmuv3_oas_bits(s);

    if (!FIELD_EX64(ste->word[0], STE_0, V)) {
        return "STE.V is 0";
    }
    if (config == SMMU_STE_CONFIG_ABORT || config == SMMU_STE_CONFIG_BYPASS) {
        return NULL;
    }
    if (!(config & 4)) {
        return "reserved STE.Config";
    }
    if ((config & 1) && !FIELD_EX32(s->idr[0], IDR0, S1P)) {
        return "stage 1 not implemented";
    }
    if ((config & 2) && !FIELD_EX32(s->idr[0], IDR0, S2P)) {
        return "stage 2 not implemented";
    }
    if (config & 1) {
        unsigned cdmax = FIELD_EX64(ste->word[0], STE_0, S1CDMAX);
        uint64_t ptr = ste->word[0] & R_STE_0_S1CTXPTR_MASK;

        if (cdmax > FIELD_EX32(s->idr[1], IDR1, SSIDSIZE)) {
            return "S1CDMax larger than IDR1.SSIDSIZE";
        }
        if (cdmax && FIELD_EX64(ste->word[0], STE_0, S1FMT) &&
            !FIELD_EX32(s->idr[0], IDR0, CD2L)) {
            return "2-level CD table not implemented";
        }
        if (ptr >> oas) {
            return "S1ContextPtr beyond the OAS";
        }
    }
    if (config & 2) {
        uint64_t ttb = ste->word[3] & R_STE_3_S2TTB_MASK;

        if (!FIELD_EX64(ste->word[2], STE_2, S2AA64)) {
            return "AArch32 stage 2 tables not implemented";
        }
        if (FIELD_EX64(ste->word[2], STE_2, S2TG) == SMMU_CD_TG_RESERVED) {
            return "reserved S2TG";
        }
        if (ttb >> oas) {
            return "S2TTB beyond the OAS";
        }
    }
    return NULL;
}

static bool smmuv3_get_ste_cfg(SMMUv3State *s, uint64_t base, uint32_t cfg,
                               uint32_t sid, SMMUSte *ste, SMMUEvent *event);

bool smmuv3_get_ste(SMMUv3State *s, uint32_t sid, SMMUSte *ste,
                    SMMUEvent *event)
{
    uint64_t base;
    uint32_t cfg;

    g_mutex_lock(&s->mutex);
    base = s->strtab_base & R_STRTAB_BASE_ADDR_MASK;
    cfg = s->strtab_base_cfg;
    g_mutex_unlock(&s->mutex);
    return smmuv3_get_ste_cfg(s, base, cfg, sid, ste, event);
}

bool smmuv3_get_ste_locked(SMMUv3State *s, uint32_t sid, SMMUSte *ste,
                           SMMUEvent *event)
{
    return smmuv3_get_ste_cfg(s, s->strtab_base & R_STRTAB_BASE_ADDR_MASK,
                              s->strtab_base_cfg, sid, ste, event);
}

void smmuv3_get_global_config_locked(SMMUv3State *s, SMMUGlobalConfig *cfg)
{
    cfg->smmu_enabled = s->cr0ack & R_CR0_SMMUEN_MASK;
    cfg->eventq_enabled = s->cr0ack & R_CR0_EVENTQEN_MASK;
    cfg->eventq_log2size = s->eventq.log2size;
    cfg->gbpa_abort = s->gbpa & R_GBPA_ABORT_MASK;
}

void smmuv3_get_global_config(SMMUv3State *s, SMMUGlobalConfig *cfg)
{
    g_mutex_lock(&s->mutex);
    smmuv3_get_global_config_locked(s, cfg);
    g_mutex_unlock(&s->mutex);
}

/* The STE address of SID in a 2-level stream table. */
static bool smmuv3_ste_addr_2lvl(SMMUv3State *s, uint64_t base, uint32_t cfg,
                                 uint32_t sid, hwaddr *addr, SMMUEvent *event)
{
    unsigned split = FIELD_EX32(cfg, STRTAB_BASE_CFG, SPLIT);
    uint32_t l2idx = sid & ((1U << split) - 1);
    uint64_t l1std;
    unsigned span;
    hwaddr l1addr;

    if (split != 6 && split != 8 && split != 10) {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_STREAMID, sid,
                            "reserved STRTAB_BASE_CFG.SPLIT");
        return false;
    }
    l1addr = base + (hwaddr)(sid >> split) * SMMU_L1STD_SIZE;
    if (!smmuv3_read_words(s, l1addr, &l1std, 1)) {
        smmuv3_fetch_event(event, SMMU_EVT_F_STE_FETCH, sid, l1addr);
        return false;
    }
    span = FIELD_EX64(l1std, L1STD, SPAN);
    if (span == 0 || span > split + 1) {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_STREAMID, sid,
                            "invalid level-1 descriptor");
        return false;
    }
    if (l2idx >> (span - 1)) {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_STREAMID, sid,
                            "StreamID beyond the level-2 table");
        return false;
    }
    *addr = (l1std & R_L1STD_L2PTR_MASK) + (hwaddr)l2idx * SMMU_STE_SIZE;
    return true;
}

static bool smmuv3_get_ste_cfg(SMMUv3State *s, uint64_t base, uint32_t cfg,
                               uint32_t sid, SMMUSte *ste, SMMUEvent *event)
{
    unsigned log2size, fmt;
    hwaddr addr;
    const char *why;

    log2size = MIN(FIELD_EX32(cfg, STRTAB_BASE_CFG, LOG2SIZE),
                   FIELD_EX32(s->idr[1], IDR1, SIDSIZE));
    fmt = FIELD_EX32(cfg, STRTAB_BASE_CFG, FMT);

    if ((uint64_t)sid >> log2size) {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_STREAMID, sid,
                            "StreamID beyond the stream table");
        return false;
    }

    if (fmt == SMMU_STRTAB_FMT_LINEAR) {
        addr = base + (hwaddr)sid * SMMU_STE_SIZE;
    } else if (fmt == SMMU_STRTAB_FMT_2LVL) {
        if (!smmuv3_ste_addr_2lvl(s, base, cfg, sid, &addr, event)) {
            return false;
        }
    } else {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_STREAMID, sid,
                            "reserved STRTAB_BASE_CFG.FMT");
        return false;
    }

    trace_smmuv3_get_ste(sid, addr);
    if (!smmuv3_read_words(s, addr, ste->word, 8)) {
        smmuv3_fetch_event(event, SMMU_EVT_F_STE_FETCH, sid, addr);
        return false;
    }
    why = smmuv3_ste_invalid(s, ste);
    if (why) {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_STE, sid, why);
        return false;
    }
    return true;
}

static const char *smmuv3_cd_invalid(SMMUv3State *s, const SMMUCd *cd)
{
    unsigned t0sz = FIELD_EX64(cd->word[0], CD_0, T0SZ);

    if (!FIELD_EX64(cd->word[0], CD_0, V)) {
        return "CD.V is 0";
    }
    if (!FIELD_EX64(cd->word[0], CD_0, AA64)) {
        return "AArch32 translation tables not implemented";
    }
    if (FIELD_EX64(cd->word[0], CD_0, ENDI)) {
        return "big-endian translation tables not implemented";
    }
    if (!FIELD_EX64(cd->word[0], CD_0, EPD0)) {
        if (FIELD_EX64(cd->word[0], CD_0, TG0) == SMMU_CD_TG_RESERVED) {
            return "reserved TG0";
        }
        if (t0sz < 16 || t0sz > 39) {
            return "T0SZ out of range";
        }
        if ((cd->word[1] & R_CD_1_TTB0_MASK) >> smmuv3_oas_bits(s)) {
            return "TTB0 beyond the OAS";
        }
    }
    return NULL;
}

bool smmuv3_get_cd(SMMUv3State *s, uint32_t sid, const SMMUSte *ste,
                   uint32_t ssid, SMMUCd *cd, SMMUEvent *event)
{
    unsigned config = FIELD_EX64(ste->word[0], STE_0, CONFIG);
    unsigned cdmax = FIELD_EX64(ste->word[0], STE_0, S1CDMAX);
    hwaddr addr;
    const char *why;

    if (config != SMMU_STE_CONFIG_S1 && config != SMMU_STE_CONFIG_NESTED) {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_STE, sid,
                            "no stage-1 context in this STE");
        return false;
    }
    if ((uint64_t)ssid >> cdmax) {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_SUBSTREAMID, sid,
                            "SubstreamID beyond S1CDMax");
        smmu_event_set_ssid(event, ssid);
        return false;
    }
    /* IDR0.CD2L is 0: the only format is a linear table of 2^S1CDMax. */
    addr = (ste->word[0] & R_STE_0_S1CTXPTR_MASK) +
           (hwaddr)ssid * SMMU_CD_SIZE;
    trace_smmuv3_get_cd(sid, ssid, addr);
    if (!smmuv3_read_words(s, addr, cd->word, 8)) {
        smmuv3_fetch_event(event, SMMU_EVT_F_CD_FETCH, sid, addr);
        if (ssid) {
            smmu_event_set_ssid(event, ssid);
        }
        return false;
    }
    why = smmuv3_cd_invalid(s, cd);
    if (why) {
        smmuv3_config_event(event, SMMU_EVT_C_BAD_CD, sid, why);
        if (ssid) {
            smmu_event_set_ssid(event, ssid);
        }
        return false;
    }
    return true;
}

/* ---- Command queue ------------------------------------------------------- */

static SMMUCmdError smmuv3_cmd_sync(SMMUv3State *s, const SMMUCmd *cmd,
                                    SMMUPulses *pulses)
{
    unsigned cs = FIELD_EX64(cmd->word[0], CMD_0, SYNC_CS);
    uint32_t data = FIELD_EX64(cmd->word[0], CMD_0, SYNC_MSIDATA);
    uint64_t msiaddr = cmd->word[1] & R_CMD_1_SYNC_MSIADDR_MASK;

    if (cs != SMMU_SYNC_CS_NONE && cs != SMMU_SYNC_CS_IRQ &&
        cs != SMMU_SYNC_CS_SEV) {
        return SMMU_CERROR_ILL;
    }
    if (s->accel_ops && s->accel_ops->sync) {
        SMMUCmdError err = s->accel_ops->sync(s, s->accel_opaque);

        if (err) {
            return err;
        }
    }
    trace_smmuv3_cmdq_sync(cs, msiaddr, data);
    s->cmdq_stats.sync++;
    if (cs != SMMU_SYNC_CS_IRQ) {
        /* CS_SEV: there is no WFE to wake; completion is CONS moving. */
        return SMMU_CERROR_NONE;
    }
    if (msiaddr) {
        /* Linux's MSI polling aims it at the CMD_SYNC itself, in RAM. */
        if (!smmuv3_send_msi(s, "cmdq-sync", msiaddr, data)) {
            smmuv3_raise_gerror(s, R_GERROR_MSI_CMDQ_ABT_ERR_MASK, pulses);
        }
    } else {
        *pulses |= 1U << SMMU_IRQ_CMD_SYNC;
    }
    return SMMU_CERROR_NONE;
}

static SMMUCmdError smmuv3_cmd_cfgi(SMMUv3State *s, unsigned type,
                                    const SMMUCmd *cmd)
{
    const SMMUv3AccelOps *ops = s->accel_ops;
    uint32_t sid = FIELD_EX64(cmd->word[0], CMD_0, SID);

    s->cmdq_stats.cfgi++;
    smmuv3_trans_invalidate(s, cmd);
    switch (type) {
    case SMMU_CMD_CFGI_STE:
        trace_smmuv3_cmdq_cfgi_ste(sid, 1);
        return ops && ops->cfgi_ste ?
               ops->cfgi_ste(s, sid, 1, s->accel_opaque) : SMMU_CERROR_NONE;
    case SMMU_CMD_CFGI_STE_RANGE: {
        unsigned range = FIELD_EX64(cmd->word[1], CMD_1, RANGE);
        uint64_t num = 2ULL << range;
        uint32_t start = sid & ~(uint32_t)(num - 1);

        trace_smmuv3_cmdq_cfgi_ste(start, num);
        return ops && ops->cfgi_ste ?
               ops->cfgi_ste(s, start, num, s->accel_opaque) :
               SMMU_CERROR_NONE;
    }
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL: {
        bool all = type == SMMU_CMD_CFGI_CD_ALL;
        uint32_t ssid = all ? 0 : FIELD_EX64(cmd->word[0], CMD_0, SSID);

        trace_smmuv3_cmdq_cfgi_cd(sid, ssid, all);
        return ops && ops->cfgi_cd ?
               ops->cfgi_cd(s, sid, ssid, all, s->accel_opaque) :
               SMMU_CERROR_NONE;
    }
    default:
        g_assert_not_reached();
    }
}

/* Whether TYPE is an invalidation this SMMU's ID registers implement. */
static bool smmuv3_inval_implemented(SMMUv3State *s, unsigned type)
{
    switch (type) {
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
        return FIELD_EX32(s->idr[0], IDR0, S1P);
    case SMMU_CMD_TLBI_S12_VMALL:
    case SMMU_CMD_TLBI_S2_IPA:
        return FIELD_EX32(s->idr[0], IDR0, S2P);
    case SMMU_CMD_TLBI_NSNH_ALL:
        return true;
    case SMMU_CMD_ATC_INV:
        return FIELD_EX32(s->idr[0], IDR0, ATS);
    case SMMU_CMD_TLBI_EL2_ALL:
    case SMMU_CMD_TLBI_EL2_ASID:
    case SMMU_CMD_TLBI_EL2_VA:
    case SMMU_CMD_TLBI_EL2_VAA:
        /* IDR0.HYP is 0. */
    case SMMU_CMD_TLBI_EL3_ALL:
    case SMMU_CMD_TLBI_EL3_VA:
        /* Secure only. */
    case SMMU_CMD_PRI_RESP:
        /* IDR0.PRI is 0. */
    case SMMU_CMD_RESUME:
    case SMMU_CMD_STALL_TERM:
        /* IDR0.STALL_MODEL is 1: stalls are not supported. */
    default:
        return false;
    }
}

/* Execute one command; the caller holds the lock. */
static SMMUCmdError smmuv3_cmd_exec(SMMUv3State *s, const SMMUCmd *cmd,
                                    SMMUPulses *pulses)
{
    unsigned type = smmu_cmd_opcode(cmd);

    trace_smmuv3_cmdq_opcode(smmu_cmd_name(type), cmd->word[0], cmd->word[1]);
    /* This is the non-secure interface: no secure stream commands. */
    if (FIELD_EX64(cmd->word[0], CMD_0, SSEC)) {
        return SMMU_CERROR_ILL;
    }

    switch (type) {
    case SMMU_CMD_SYNC:
        return smmuv3_cmd_sync(s, cmd, pulses);
    case SMMU_CMD_PREFETCH_CONFIG:
    case SMMU_CMD_PREFETCH_ADDR:
        s->cmdq_stats.prefetch++;
        return SMMU_CERROR_NONE;
    case SMMU_CMD_CFGI_STE:
    case SMMU_CMD_CFGI_STE_RANGE:
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
        return smmuv3_cmd_cfgi(s, type, cmd);
    default:
        break;
    }
    if (!smmuv3_inval_implemented(s, type)) {
        return SMMU_CERROR_ILL;
    }

    /* An invalidation: of our IOTLB, and accel mode forwards it. */
    trace_smmuv3_cmdq_invalidate(smmu_cmd_name(type));
    s->cmdq_stats.tlbi++;
    smmuv3_trans_invalidate(s, cmd);
    if (s->accel_ops && s->accel_ops->invalidate) {
        return s->accel_ops->invalidate(s, type, cmd, s->accel_opaque);
    }
    return SMMU_CERROR_NONE;
}

static bool smmuv3_cmdq_stopped(SMMUv3State *s)
{
    return !smmuv3_cr0ack_bit(s, R_CR0_CMDQEN_MASK) ||
           ((s->gerror ^ s->gerrorn) & R_GERROR_CMDQ_ERR_MASK);
}

/* Consume commands until the queue is empty or one fails.  Locked. */
static void smmuv3_cmdq_process(SMMUv3State *s, SMMUPulses *pulses)
{
    SMMUQueue *q = &s->cmdq;
    SMMUCmdError err = SMMU_CERROR_NONE;

    if (smmuv3_cmdq_stopped(s)) {
        return;
    }
    trace_smmuv3_cmdq_consume(q->prod, q->cons);
    while (!smmu_q_empty(q->prod, q->cons, q->log2size)) {
        hwaddr addr = smmu_q_entry(q, q->cons);
        SMMUCmd cmd;

        if (!smmuv3_read_words(s, addr, cmd.word, 2)) {
            trace_smmuv3_cmdq_fetch_abort(addr);
            err = SMMU_CERROR_ABT;
            break;
        }
        err = smmuv3_cmd_exec(s, &cmd, pulses);
        if (err) {
            break;
        }
        q->cons = smmu_q_incr(q->cons, q->log2size);
        s->cmdq_stats.executed++;
    }
    if (err) {
        /* CONS stays at the failed command; the queue stops. */
        q->cons = FIELD_DP32(q->cons, CMDQ_CONS, ERR, err);
        s->cmdq_stats.errors++;
        trace_smmuv3_cmdq_error(q->cons, err,
                                err == SMMU_CERROR_ILL ? "CERROR_ILL" :
                                err == SMMU_CERROR_ABT ? "CERROR_ABT" :
                                "CERROR_ATC_INV_SYNC");
        smmuv3_raise_gerror(s, R_GERROR_CMDQ_ERR_MASK, pulses);
    }
}

/* ---- Registers ----------------------------------------------------------- */

/* OasMode, as QEMU names it; only auto, 44 and 48 are implemented. */
static const char *const smmuv3_oas_names[] = {
    "auto", "32", "36", "40", "42", "44", "48", "52", NULL,
};
enum { OAS_MODE_AUTO = 0, OAS_MODE_44 = 5, OAS_MODE_48 = 6 };

/* Caller holds the device lock. */
static void smmuv3_reset_regs(SMMUv3State *s)
{
    g_mutex_lock(&s->evtq_lock);
    s->cr[0] = s->cr[1] = s->cr[2] = 0;
    s->cr0ack = 0;
    s->statusr = 0;
    s->gbpa = SMMU_GBPA_RESET_VAL;
    s->irq_ctrl = 0;
    s->gerror = s->gerrorn = 0;
    s->gerror_irq_cfg0 = 0;
    s->gerror_irq_cfg1 = s->gerror_irq_cfg2 = 0;
    s->strtab_base = 0;
    s->strtab_base_cfg = 0;
    s->cmdq = (SMMUQueue) {
        .base = FIELD_DP64(0, Q_BASE, LOG2SIZE, SMMU_CMDQS),
        .log2size = SMMU_CMDQS,
        .entry_size = SMMU_CMD_SIZE,
    };
    s->eventq = (SMMUQueue) {
        .base = FIELD_DP64(0, Q_BASE, LOG2SIZE, SMMU_EVENTQS),
        .log2size = SMMU_EVENTQS,
        .entry_size = SMMU_EVENT_SIZE,
    };
    s->eventq_irq_cfg0 = 0;
    s->eventq_irq_cfg1 = s->eventq_irq_cfg2 = 0;
    s->eventq_notified = false;
    s->eventq_suppressed = false;
    g_mutex_unlock(&s->evtq_lock);
}

void smmuv3_get_idr(SMMUv3State *s, uint32_t idr[6])
{
    g_mutex_lock(&s->mutex);
    memcpy(idr, s->idr, sizeof(s->idr));
    g_mutex_unlock(&s->mutex);
}

bool smmuv3_apply_host_idr(SMMUv3State *s, const uint32_t host[6])
{
    unsigned oas = FIELD_EX32(host[5], IDR5, OAS);

    g_mutex_lock(&s->mutex);
    if (s->idr_observed) {
        g_mutex_unlock(&s->mutex);
        trace_smmuv3_apply_host_idr_refused();
        return false;
    }
    if (s->ats == ON_OFF_AUTO_AUTO) {
        s->idr[0] = FIELD_DP32(s->idr[0], IDR0, ATS,
                               FIELD_EX32(host[0], IDR0, ATS));
    }
    if (s->ril == ON_OFF_AUTO_AUTO) {
        s->idr[3] = FIELD_DP32(s->idr[3], IDR3, RIL,
                               FIELD_EX32(host[3], IDR3, RIL));
    }
    if (s->ssidsize == 0) {     /* "auto" */
        s->idr[1] = FIELD_DP32(s->idr[1], IDR1, SSIDSIZE,
                               MIN(FIELD_EX32(host[1], IDR1, SSIDSIZE), 20));
        /* 2-level CD tables, where there are SubstreamIDs to index. */
        s->idr[0] = FIELD_DP32(s->idr[0], IDR0, CD2L,
                               FIELD_EX32(s->idr[1], IDR1, SSIDSIZE) != 0);
    }
    if (s->oas == OAS_MODE_AUTO) {
        /* The model implements 44 and 48 bits; take what the host has. */
        s->idr[5] = FIELD_DP32(s->idr[5], IDR5, OAS,
                               oas >= SMMU_OAS_48BIT ? SMMU_OAS_48BIT :
                                                       SMMU_OAS_44BIT);
    }
    trace_smmuv3_apply_host_idr(s->idr[0], s->idr[1], s->idr[3], s->idr[5]);
    g_mutex_unlock(&s->mutex);
    return true;
}

static void smmuv3_init_idregs(SMMUv3State *s, bool stage1, bool stage2)
{
    unsigned ssidsize = s->ssidsize ? s->ssidsize - 1 : 0;
    uint32_t v;

    v = 0;
    v = FIELD_DP32(v, IDR0, S1P, stage1);
    v = FIELD_DP32(v, IDR0, S2P, stage2);
    v = FIELD_DP32(v, IDR0, TTF, 2);            /* AArch64 tables */
    v = FIELD_DP32(v, IDR0, COHACC, 1);
    v = FIELD_DP32(v, IDR0, ATS, s->ats == ON_OFF_AUTO_ON);
    v = FIELD_DP32(v, IDR0, ASID16, 1);
    v = FIELD_DP32(v, IDR0, VMID16, 1);
    /* 2-level CD tables, where there are SubstreamIDs to index. */
    v = FIELD_DP32(v, IDR0, CD2L, ssidsize != 0);
    v = FIELD_DP32(v, IDR0, TTENDIAN, 2);       /* little-endian */
    v = FIELD_DP32(v, IDR0, STALL_MODEL, 1);    /* no stall */
    v = FIELD_DP32(v, IDR0, TERM_MODEL, 1);
    v = FIELD_DP32(v, IDR0, STLEVEL, 1);        /* 2-level stream table */
    s->idr[0] = v;

    v = 0;
    v = FIELD_DP32(v, IDR1, SIDSIZE, SMMU_SIDSIZE);
    v = FIELD_DP32(v, IDR1, SSIDSIZE, ssidsize);
    v = FIELD_DP32(v, IDR1, EVENTQS, SMMU_EVENTQS);
    v = FIELD_DP32(v, IDR1, CMDQS, SMMU_CMDQS);
    s->idr[1] = v;

    s->idr[2] = 0;
    v = 0;
    v = FIELD_DP32(v, IDR3, HAD, 1);
    v = FIELD_DP32(v, IDR3, XNX, stage2);
    v = FIELD_DP32(v, IDR3, RIL, s->ril != ON_OFF_AUTO_OFF);
    v = FIELD_DP32(v, IDR3, BBML, 2);
    s->idr[3] = v;
    s->idr[4] = 0;

    v = 0;
    /* auto and 44 give 44 bits. */
    v = FIELD_DP32(v, IDR5, OAS, s->oas == OAS_MODE_48 ? SMMU_OAS_48BIT :
                                                         SMMU_OAS_44BIT);
    v = FIELD_DP32(v, IDR5, GRAN4K, 1);
    v = FIELD_DP32(v, IDR5, GRAN16K, 1);
    v = FIELD_DP32(v, IDR5, GRAN64K, 1);
    s->idr[5] = v;

    s->iidr = 0;
    s->aidr = SMMU_AIDR_VAL;
}

/* PIDR4..PIDR7, PIDR0..PIDR3, CIDR0..CIDR3 at 0xfd0..0xffc. */
static const uint8_t smmuv3_ids[] = {
    0x04, 0, 0, 0, 0x84, 0xb4, 0xf0, 0x10, 0x0d, 0xf0, 0x05, 0xb1,
};

typedef struct SMMUReg64 {
    hwaddr offset;
    uint64_t writable;
} SMMUReg64;

/* The 64-bit registers: accessible as 64 bits or two 32-bit halves. */
static const SMMUReg64 smmuv3_regs64[] = {
    { A_GERROR_IRQ_CFG0, R_IRQ_CFG0_ADDR_MASK },
    { A_STRTAB_BASE, R_STRTAB_BASE_ADDR_MASK | R_STRTAB_BASE_RA_MASK },
    { A_CMDQ_BASE, R_Q_BASE_ADDR_MASK | R_Q_BASE_RA_MASK |
                   R_Q_BASE_LOG2SIZE_MASK },
    { A_EVENTQ_BASE, R_Q_BASE_ADDR_MASK | R_Q_BASE_RA_MASK |
                     R_Q_BASE_LOG2SIZE_MASK },
    { A_EVENTQ_IRQ_CFG0, R_IRQ_CFG0_ADDR_MASK },
    { A_PRIQ_BASE, 0 },
    { A_PRIQ_IRQ_CFG0, 0 },
};

static const SMMUReg64 *smmuv3_find_reg64(hwaddr offset)
{
    for (size_t i = 0; i < G_N_ELEMENTS(smmuv3_regs64); i++) {
        if ((offset & ~(hwaddr)7) == smmuv3_regs64[i].offset) {
            return &smmuv3_regs64[i];
        }
    }
    return NULL;
}

static uint64_t *smmuv3_reg64_storage(SMMUv3State *s, hwaddr offset)
{
    switch (offset) {
    case A_GERROR_IRQ_CFG0: return &s->gerror_irq_cfg0;
    case A_STRTAB_BASE: return &s->strtab_base;
    case A_CMDQ_BASE: return &s->cmdq.base;
    case A_EVENTQ_BASE: return &s->eventq.base;
    case A_EVENTQ_IRQ_CFG0: return &s->eventq_irq_cfg0;
    default: return NULL;
    }
}

/* Map a page-1 offset to the page-0 register it aliases, or fail. */
static bool smmuv3_page1_alias(hwaddr *offset)
{
    hwaddr off = *offset - SMMU_PAGE1_OFFSET;

    switch (off) {
    case A_EVENTQ_PROD:
    case A_EVENTQ_CONS:
    case A_PRIQ_PROD:
    case A_PRIQ_CONS:
        *offset = off;
        return true;
    default:
        return false;
    }
}

/* EVENTQ_PROD, which the event-queue writer moves: under evtq_lock. */
static uint32_t smmuv3_eventq_prod(SMMUv3State *s)
{
    uint32_t prod;

    g_mutex_lock(&s->evtq_lock);
    prod = s->eventq.prod;
    g_mutex_unlock(&s->evtq_lock);
    return prod;
}

static uint32_t smmuv3_read32(SMMUv3State *s, hwaddr offset, bool *ok)
{
    *ok = true;
    if (offset >= A_PIDR4 && offset <= A_CIDR3) {
        return smmuv3_ids[(offset - A_PIDR4) / 4];
    }
    if (offset <= A_IDR5) {     /* A_IDR0 is 0 */
        /* From now on the ID registers are what the guest knows of us. */
        s->idr_observed = true;
    }
    switch (offset) {
    case A_IDR0: return s->idr[0];
    case A_IDR1: return s->idr[1];
    case A_IDR2: return s->idr[2];
    case A_IDR3: return s->idr[3];
    case A_IDR4: return s->idr[4];
    case A_IDR5: return s->idr[5];
    case A_IIDR: return s->iidr;
    case A_AIDR: return s->aidr;
    case A_CR0: return s->cr[0];
    case A_CR0ACK: return s->cr0ack;
    case A_CR1: return s->cr[1];
    case A_CR2: return s->cr[2];
    case A_STATUSR: return s->statusr;
    case A_GBPA: return s->gbpa;
    case A_AGBPA: return 0;
    case A_IRQ_CTRL: return s->irq_ctrl;
    case A_IRQ_CTRL_ACK: return s->irq_ctrl;
    case A_GERROR: return s->gerror;
    case A_GERRORN: return s->gerrorn;
    case A_GERROR_IRQ_CFG1: return s->gerror_irq_cfg1;
    case A_GERROR_IRQ_CFG2: return s->gerror_irq_cfg2;
    case A_STRTAB_BASE_CFG: return s->strtab_base_cfg;
    case A_CMDQ_PROD: return s->cmdq.prod;
    case A_CMDQ_CONS: return s->cmdq.cons;
    case A_EVENTQ_PROD: return smmuv3_eventq_prod(s);
    case A_EVENTQ_CONS: return s->eventq.cons;
    case A_EVENTQ_IRQ_CFG1: return s->eventq_irq_cfg1;
    case A_EVENTQ_IRQ_CFG2: return s->eventq_irq_cfg2;
    case A_PRIQ_PROD:
    case A_PRIQ_CONS:
    case A_PRIQ_IRQ_CFG1:
    case A_PRIQ_IRQ_CFG2:
        return 0;
    default:
        *ok = false;
        return 0;
    }
}

static void smmuv3_write_cr0(SMMUv3State *s, uint32_t val,
                             SMMUPulses *pulses)
{
    uint32_t writable = R_CR0_SMMUEN_MASK | R_CR0_EVENTQEN_MASK |
                        R_CR0_CMDQEN_MASK | R_CR0_ATSCHK_MASK;
    uint32_t old = s->cr0ack;

    s->cr[0] = val & writable;
    /* Every change takes effect at once: acknowledge it. */
    g_mutex_lock(&s->evtq_lock);
    s->cr0ack = s->cr[0];
    if ((old ^ s->cr0ack) & R_CR0_EVENTQEN_MASK) {
        s->eventq_notified = false;
        s->eventq_suppressed = false;
    }
    g_mutex_unlock(&s->evtq_lock);
    trace_smmuv3_cr0_write(val, s->cr0ack);

    if (!(old & R_CR0_CMDQEN_MASK)) {
        smmuv3_cmdq_process(s, pulses);
    }
}

static void smmuv3_write_gerrorn(SMMUv3State *s, uint32_t val,
                                 SMMUPulses *pulses)
{
    uint32_t known = R_GERROR_CMDQ_ERR_MASK | R_GERROR_EVENTQ_ABT_ERR_MASK |
                     R_GERROR_MSI_CMDQ_ABT_ERR_MASK |
                     R_GERROR_MSI_EVENTQ_ABT_ERR_MASK |
                     R_GERROR_MSI_GERROR_ABT_ERR_MASK;
    uint32_t pending = s->gerror ^ s->gerrorn;
    uint32_t toggled = (s->gerrorn ^ val) & known;
    bool cmdq_was_stopped = pending & R_GERROR_CMDQ_ERR_MASK;

    /* Toggling a bit that is not pending is a guest error. */
    trace_smmuv3_gerrorn_write(val, s->gerror, toggled & ~pending);
    s->gerrorn = val & known;
    if (cmdq_was_stopped &&
        !((s->gerror ^ s->gerrorn) & R_GERROR_CMDQ_ERR_MASK)) {
        /* Acknowledged: the command queue resumes at CONS. */
        smmuv3_cmdq_process(s, pulses);
    }
}

static void smmuv3_write_eventq_cons(SMMUv3State *s, uint32_t val,
                                     SMMUPulses *pulses)
{
    SMMUQueue *q = &s->eventq;
    uint32_t gerror = 0;

    g_mutex_lock(&s->evtq_lock);
    q->cons = val & (smmu_q_wrap_index_mask(q->log2size) |
                     R_EVENTQ_CONS_OVACKFLG_MASK);
    s->eventq_notified = false;
    if (s->eventq_suppressed) {
        s->eventq_suppressed = false;
        if (!smmu_q_empty(q->prod, q->cons, q->log2size)) {
            smmuv3_eventq_notify(s, pulses, &gerror);
        }
    }
    g_mutex_unlock(&s->evtq_lock);
    if (gerror) {
        smmuv3_raise_gerror(s, gerror, pulses);     /* device lock held */
    }
}

static void smmuv3_write_cr1(SMMUv3State *s, uint32_t val,
                             SMMUPulses *pulses)
{
    if (s->cr0ack & (R_CR0_SMMUEN_MASK | R_CR0_EVENTQEN_MASK |
                     R_CR0_CMDQEN_MASK)) {
        trace_smmuv3_write_ignored("CR1", "SMMU or a queue enabled");
        return;
    }
    s->cr[1] = val;
}

static void smmuv3_write_cr2(SMMUv3State *s, uint32_t val,
                             SMMUPulses *pulses)
{
    if (s->cr0ack & R_CR0_SMMUEN_MASK) {
        trace_smmuv3_write_ignored("CR2", "SMMUEN is 1");
        return;
    }
    s->cr[2] = val & (R_CR2_E2H_MASK | R_CR2_RECINVSID_MASK | R_CR2_PTM_MASK);
}

static void smmuv3_write_gbpa(SMMUv3State *s, uint32_t val,
                              SMMUPulses *pulses)
{
    /* Updates complete at once, so UPDATE always reads back as 0. */
    if (FIELD_EX32(val, GBPA, UPDATE)) {
        s->gbpa = FIELD_DP32(val, GBPA, UPDATE, 0);
        trace_smmuv3_gbpa_update(s->gbpa);
    } else {
        trace_smmuv3_write_ignored("GBPA", "UPDATE is 0");
    }
}

static void smmuv3_write_irq_ctrl(SMMUv3State *s, uint32_t val,
                                  SMMUPulses *pulses)
{
    uint32_t mask = R_IRQ_CTRL_GERROR_IRQEN_MASK |
                    R_IRQ_CTRL_EVENTQ_IRQEN_MASK;

    g_mutex_lock(&s->evtq_lock);
    if ((s->irq_ctrl ^ val) & R_IRQ_CTRL_EVENTQ_IRQEN_MASK) {
        s->eventq_notified = false;
        s->eventq_suppressed = false;
    }
    s->irq_ctrl = val & mask;
    g_mutex_unlock(&s->evtq_lock);
}

static void smmuv3_write_gerror_irq_cfg1(SMMUv3State *s, uint32_t val,
                                         SMMUPulses *pulses)
{
    s->gerror_irq_cfg1 = val;
}

static void smmuv3_write_gerror_irq_cfg2(SMMUv3State *s, uint32_t val,
                                         SMMUPulses *pulses)
{
    s->gerror_irq_cfg2 = val & (R_IRQ_CFG2_MEMATTR_MASK | R_IRQ_CFG2_SH_MASK);
}

static void smmuv3_write_strtab_base_cfg(SMMUv3State *s, uint32_t val,
                                         SMMUPulses *pulses)
{
    if (s->cr0ack & R_CR0_SMMUEN_MASK) {
        trace_smmuv3_write_ignored("STRTAB_BASE_CFG", "SMMUEN is 1");
        return;
    }
    s->strtab_base_cfg = val & (R_STRTAB_BASE_CFG_LOG2SIZE_MASK |
                                R_STRTAB_BASE_CFG_SPLIT_MASK |
                                R_STRTAB_BASE_CFG_FMT_MASK);
}

static void smmuv3_write_cmdq_prod(SMMUv3State *s, uint32_t val,
                                   SMMUPulses *pulses)
{
    s->cmdq.prod = val & smmu_q_wrap_index_mask(s->cmdq.log2size);
    smmuv3_cmdq_process(s, pulses);
}

static void smmuv3_write_cmdq_cons(SMMUv3State *s, uint32_t val,
                                   SMMUPulses *pulses)
{
    if (smmuv3_cr0ack_bit(s, R_CR0_CMDQEN_MASK)) {
        trace_smmuv3_write_ignored("CMDQ_CONS", "CMDQEN is 1");
        return;
    }
    s->cmdq.cons = val & (smmu_q_wrap_index_mask(s->cmdq.log2size) |
                          R_CMDQ_CONS_ERR_MASK);
}

static void smmuv3_write_eventq_prod(SMMUv3State *s, uint32_t val,
                                     SMMUPulses *pulses)
{
    if (smmuv3_cr0ack_bit(s, R_CR0_EVENTQEN_MASK)) {
        trace_smmuv3_write_ignored("EVENTQ_PROD", "EVENTQEN is 1");
        return;
    }
    g_mutex_lock(&s->evtq_lock);
    s->eventq.prod = val & (smmu_q_wrap_index_mask(s->eventq.log2size) |
                            R_EVENTQ_PROD_OVFLG_MASK);
    g_mutex_unlock(&s->evtq_lock);
}

static void smmuv3_write_eventq_irq_cfg1(SMMUv3State *s, uint32_t val,
                                         SMMUPulses *pulses)
{
    g_mutex_lock(&s->evtq_lock);
    s->eventq_irq_cfg1 = val;
    g_mutex_unlock(&s->evtq_lock);
}

static void smmuv3_write_eventq_irq_cfg2(SMMUv3State *s, uint32_t val,
                                         SMMUPulses *pulses)
{
    g_mutex_lock(&s->evtq_lock);
    s->eventq_irq_cfg2 = val & (R_IRQ_CFG2_MEMATTR_MASK | R_IRQ_CFG2_SH_MASK);
    g_mutex_unlock(&s->evtq_lock);
}

/* No PRI queue (IDR0.PRI is 0): its registers are RES0. */
static void smmuv3_write_res0(SMMUv3State *s, uint32_t val,
                              SMMUPulses *pulses)
{
}

static void smmuv3_write_read_only(SMMUv3State *s, uint32_t val,
                                   SMMUPulses *pulses)
{
    trace_smmuv3_write_ignored("read-only register", "");
}

typedef void SMMUWrite32Fn(SMMUv3State *s, uint32_t val, SMMUPulses *pulses);

/* The 32-bit registers' write handlers, by word index (R_*). */
static SMMUWrite32Fn *const smmuv3_write32_fns[R_PRIQ_IRQ_CFG2 + 1] = {
    [R_IDR0 ... R_AIDR] = smmuv3_write_read_only,
    [R_CR0] = smmuv3_write_cr0,
    [R_CR0ACK] = smmuv3_write_read_only,
    [R_CR1] = smmuv3_write_cr1,
    [R_CR2] = smmuv3_write_cr2,
    [R_STATUSR] = smmuv3_write_read_only,
    [R_GBPA] = smmuv3_write_gbpa,
    [R_AGBPA] = smmuv3_write_read_only,
    [R_IRQ_CTRL] = smmuv3_write_irq_ctrl,
    [R_IRQ_CTRL_ACK] = smmuv3_write_read_only,
    [R_GERROR] = smmuv3_write_read_only,
    [R_GERRORN] = smmuv3_write_gerrorn,
    [R_GERROR_IRQ_CFG1] = smmuv3_write_gerror_irq_cfg1,
    [R_GERROR_IRQ_CFG2] = smmuv3_write_gerror_irq_cfg2,
    [R_STRTAB_BASE_CFG] = smmuv3_write_strtab_base_cfg,
    [R_CMDQ_PROD] = smmuv3_write_cmdq_prod,
    [R_CMDQ_CONS] = smmuv3_write_cmdq_cons,
    [R_EVENTQ_PROD] = smmuv3_write_eventq_prod,
    [R_EVENTQ_CONS] = smmuv3_write_eventq_cons,
    [R_EVENTQ_IRQ_CFG1] = smmuv3_write_eventq_irq_cfg1,
    [R_EVENTQ_IRQ_CFG2] = smmuv3_write_eventq_irq_cfg2,
    [R_PRIQ_PROD] = smmuv3_write_res0,
    [R_PRIQ_CONS] = smmuv3_write_res0,
    [R_PRIQ_IRQ_CFG1] = smmuv3_write_res0,
    [R_PRIQ_IRQ_CFG2] = smmuv3_write_res0,
};

/* A 32-bit register write (not a half of a 64-bit one).  Locked. */
static void smmuv3_write32(SMMUv3State *s, hwaddr offset, uint32_t val,
                           SMMUPulses *pulses, bool *ok)
{
    SMMUWrite32Fn *fn = NULL;

    if (!(offset & 3) && offset / 4 < G_N_ELEMENTS(smmuv3_write32_fns)) {
        fn = smmuv3_write32_fns[offset / 4];
    }
    *ok = fn != NULL;
    if (fn) {
        fn(s, val, pulses);
    }
}

static void smmuv3_write64(SMMUv3State *s, hwaddr base, uint64_t val,
                           uint64_t mask, SMMUPulses *pulses)
{
    const SMMUReg64 *reg = smmuv3_find_reg64(base);
    uint64_t *storage = smmuv3_reg64_storage(s, base);

    if (!storage) {
        return;     /* PRIQ: RES0 */
    }
    switch (base) {
    case A_STRTAB_BASE:
        if (s->cr0ack & R_CR0_SMMUEN_MASK) {
            trace_smmuv3_write_ignored("STRTAB_BASE", "SMMUEN is 1");
            return;
        }
        break;
    case A_CMDQ_BASE:
        if (s->cr0ack & R_CR0_CMDQEN_MASK) {
            trace_smmuv3_write_ignored("CMDQ_BASE", "CMDQEN is 1");
            return;
        }
        break;
    case A_EVENTQ_BASE:
        if (s->cr0ack & R_CR0_EVENTQEN_MASK) {
            trace_smmuv3_write_ignored("EVENTQ_BASE", "EVENTQEN is 1");
            return;
        }
        break;
    }
    if (base == A_EVENTQ_BASE || base == A_EVENTQ_IRQ_CFG0) {
        g_mutex_lock(&s->evtq_lock);
    }
    *storage = ((*storage & ~mask) | (val & mask)) & reg->writable;

    /* Sizes beyond the IDR1 maximum behave as the maximum. */
    if (base == A_CMDQ_BASE) {
        s->cmdq.log2size = MIN(FIELD_EX64(s->cmdq.base, Q_BASE, LOG2SIZE),
                               SMMU_CMDQS);
    } else if (base == A_EVENTQ_BASE) {
        s->eventq.log2size = MIN(FIELD_EX64(s->eventq.base, Q_BASE, LOG2SIZE),
                                 SMMU_EVENTQS);
    }
    if (base == A_EVENTQ_BASE || base == A_EVENTQ_IRQ_CFG0) {
        g_mutex_unlock(&s->evtq_lock);
    }
}

static MemTxResult smmuv3_mmio_read(void *opaque, hwaddr offset,
                                    uint64_t *data, unsigned size)
{
    SMMUv3State *s = opaque;
    const SMMUReg64 *reg64;
    bool ok = true;

    if (offset >= SMMU_PAGE1_OFFSET && !smmuv3_page1_alias(&offset)) {
        trace_smmuv3_mmio_unimplemented(offset, false);
        *data = 0;
        return MEMTX_OK;
    }
    reg64 = smmuv3_find_reg64(offset);
    if (size == 8 && !reg64) {
        trace_smmuv3_mmio_bad_access(offset, size, false);
        *data = 0;
        return MEMTX_ERROR;
    }

    g_mutex_lock(&s->mutex);
    if (reg64) {
        uint64_t *storage = smmuv3_reg64_storage(s, reg64->offset);
        uint64_t v = storage ? *storage : 0;

        *data = size == 8 ? v : (offset & 4) ? v >> 32 : (uint32_t)v;
    } else {
        *data = smmuv3_read32(s, offset, &ok);
    }
    g_mutex_unlock(&s->mutex);

    if (!ok) {
        trace_smmuv3_mmio_unimplemented(offset, false);
    }
    trace_smmuv3_read_mmio(offset, *data, size);
    return MEMTX_OK;
}

static MemTxResult smmuv3_mmio_write(void *opaque, hwaddr offset,
                                     uint64_t data, unsigned size)
{
    SMMUv3State *s = opaque;
    const SMMUReg64 *reg64;
    SMMUPulses pulses = 0;
    bool ok = true;

    trace_smmuv3_write_mmio(offset, data, size);
    if (offset >= SMMU_PAGE1_OFFSET && !smmuv3_page1_alias(&offset)) {
        trace_smmuv3_mmio_unimplemented(offset, true);
        return MEMTX_OK;
    }
    reg64 = smmuv3_find_reg64(offset);
    if (size == 8 && !reg64) {
        trace_smmuv3_mmio_bad_access(offset, size, true);
        return MEMTX_ERROR;
    }

    g_mutex_lock(&s->mutex);
    if (reg64) {
        if (size == 8) {
            smmuv3_write64(s, offset, data, ~0ULL, &pulses);
        } else if (offset & 4) {
            smmuv3_write64(s, reg64->offset, data << 32,
                           0xffffffff00000000ULL, &pulses);
        } else {
            smmuv3_write64(s, offset, data, 0xffffffffULL, &pulses);
        }
    } else {
        smmuv3_write32(s, offset, data, &pulses, &ok);
    }
    g_mutex_unlock(&s->mutex);

    if (!ok) {
        trace_smmuv3_mmio_unimplemented(offset, true);
    }
    smmuv3_deliver_pulses(s, pulses);
    if ((offset == A_CR0 || offset == A_GBPA) && s->accel_ops &&
        s->accel_ops->config_changed) {
        /* Outside the lock: accel mode may start or stop its reader. */
        s->accel_ops->config_changed(s, s->accel_opaque);
    }
    return MEMTX_OK;
}

static const MemoryRegionOps smmuv3_mmio_ops = {
    .read = smmuv3_mmio_read,
    .write = smmuv3_mmio_write,
    .min_access_size = 4,
    .max_access_size = 8,
};

/* ---- Device life cycle -------------------------------------------------- */


static const char *const smmuv3_ssidsize_names[] = {
    "auto", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", NULL,
};

static bool smmuv3_validate_properties(SMMUv3State *s, bool *stage1,
                                       bool *stage2, Error **errp)
{
    const char *stage = s->stage;

    if (stage && strcmp(stage, "1") && strcmp(stage, "2") &&
        strcmp(stage, "nested")) {
        error_setg(errp, "Invalid stage '%s': expected '1', '2' or 'nested'",
                   stage);
        return false;
    }
    if (s->oas != OAS_MODE_AUTO && s->oas != OAS_MODE_44 &&
        s->oas != OAS_MODE_48) {
        error_setg(errp, "QEMU SMMUv3 model only implements auto, 44 bit, "
                   "or 48 bit OAS. Other OasMode values are not supported.");
        return false;
    }
    if (s->accel && s->cmdqv == ON_OFF_AUTO_ON) {
        /* libvirt writes cmdqv when the domain sets it (<driver cmdqv=>). */
        error_setg(errp, "cmdqv=on: vsmmu has no Tegra241 CMDQV (NVIDIA's"
                   " command-queue virtualization); use cmdqv=off or auto,"
                   " which resolves to off");
        return false;
    }
    if (s->accel) {
        if (stage && strcmp(stage, "1")) {
            error_setg(errp, "Only stage1 is supported for SMMUv3 with "
                       "accel=on");
            return false;
        }
        *stage1 = true;
        *stage2 = false;
        return true;
    }
    if (s->ats == ON_OFF_AUTO_ON) {
        error_setg(errp, "ats can only be enabled if accel=on");
        return false;
    }
    if (s->cmdqv == ON_OFF_AUTO_ON) {
        error_setg(errp, "cmdqv can only be enabled if accel=on");
        return false;
    }
    if (s->ril == ON_OFF_AUTO_OFF) {
        error_setg(errp, "ril can only be disabled if accel=on");
        return false;
    }
    if (s->oas == OAS_MODE_48) {
        error_setg(errp, "oas must be 44 bits when accel=off");
        return false;
    }
    /* Without a stage property the model offers both stages (nested). */
    *stage1 = !stage || strcmp(stage, "2");
    *stage2 = !stage || strcmp(stage, "1");
    return true;
}

/* Emulated endpoints' DMA (accel mode installs its own, which also has it). */
static const PCIIOMMUOps smmuv3_pci_ops = {
    .translate = smmuv3_pci_translate,
};

static bool smmuv3_realize(DeviceState *dev, Error **errp)
{
    SMMUv3State *s = SMMUV3(dev);
    bool stage1 = false, stage2 = false;
    PCIBus *bus;

    if (!dev->as) {
        error_setg(errp, "%s has no address space to access guest memory",
                   TYPE_ARM_SMMUV3);
        return false;
    }
    if (!smmuv3_validate_properties(s, &stage1, &stage2, errp)) {
        return false;
    }
    if (s->iothread) {
        s->iothread_obj = object_registry_resolve(TYPE_ARM_SMMUV3, "iothread",
                                                  s->iothread, "iothread",
                                                  errp);
        if (!s->iothread_obj) {
            return false;
        }
    }
    if (!s->primary_bus) {
        error_setg(errp, "SMMU is not attached to any PCI bus!");
        return false;
    }
    bus = object_registry_resolve(TYPE_ARM_SMMUV3, "primary-bus",
                                  s->primary_bus, TYPE_PCI_BUS, errp);
    if (!bus) {
        return false;
    }
    if (bus->iommu) {
        error_setg(errp, "An iommu is already attached to this bus");
        return false;
    }
    bus->iommu = dev;
    bus->iommu_ops = &smmuv3_pci_ops;
    bus->iommu_opaque = s;
    s->pbus = bus;

    smmuv3_init_idregs(s, stage1, stage2);
    g_mutex_lock(&s->mutex);
    smmuv3_reset_regs(s);
    g_mutex_unlock(&s->mutex);
    if (s->accel && !smmuv3_accel_init(s, errp)) {
        bus->iommu = NULL;
        bus->iommu_ops = NULL;
        bus->iommu_opaque = NULL;
        s->pbus = NULL;
        return false;
    }
    dev->mmio_ops = &smmuv3_mmio_ops;
    dev->mmio_size = SMMU_MMIO_SIZE;
    trace_smmuv3_realize(dev->id ? dev->id : "", bus->id, s->idr[0],
                         s->idr[1], s->idr[3], s->idr[5]);
    return true;
}

static void smmuv3_unrealize(DeviceState *dev)
{
    SMMUv3State *s = SMMUV3(dev);

    if (s->s_accel) {
        smmuv3_accel_fini(s);
    }
    if (s->pbus && s->pbus->iommu == dev) {
        s->pbus->iommu = NULL;
        s->pbus->iommu_ops = NULL;
        s->pbus->iommu_opaque = NULL;
    }
    s->pbus = NULL;
    s->iothread_obj = NULL;
}

static void smmuv3_reset(DeviceState *dev)
{
    SMMUv3State *s = SMMUV3(dev);

    trace_smmuv3_reset(dev->id ? dev->id : "");
    g_mutex_lock(&s->mutex);
    smmuv3_reset_regs(s);
    g_mutex_unlock(&s->mutex);
    smmuv3_trans_flush(s);
    if (s->accel_ops && s->accel_ops->config_changed) {
        s->accel_ops->config_changed(s, s->accel_opaque);
    }
}

static void smmuv3_instance_init(DeviceState *dev)
{
    SMMUv3State *s = SMMUV3(dev);

    g_mutex_init(&s->mutex);
    g_mutex_init(&s->evtq_lock);
    smmuv3_trans_init(s);
    qdev_init_irqs(dev, smmuv3_irq_names, SMMU_NUM_IRQ);
}

static void smmuv3_finalize(DeviceState *dev)
{
    smmuv3_trans_fini(SMMUV3(dev));
    g_mutex_clear(&SMMUV3(dev)->evtq_lock);
    g_mutex_clear(&SMMUV3(dev)->mutex);
}

static const Property smmuv3_properties[] = {
    DEFINE_PROP_BOOL("accel", SMMUv3State, accel, false,
                     "use the host SMMUv3 for nested translation of "
                     "vfio-pci devices"),
    DEFINE_PROP_ON_OFF_AUTO("ats", SMMUv3State, ats, ON_OFF_AUTO_AUTO,
                            "advertise ATS (on needs accel=on)"),
    DEFINE_PROP_ON_OFF_AUTO("ril", SMMUv3State, ril, ON_OFF_AUTO_AUTO,
                            "advertise range invalidation (off needs "
                            "accel=on)"),
    DEFINE_PROP_ON_OFF_AUTO("cmdqv", SMMUv3State, cmdqv, ON_OFF_AUTO_AUTO,
                            "Tegra241 CMDQV: off or auto (vsmmu has none;"
                            " on is refused)"),
    DEFINE_PROP_ENUM("ssidsize", SMMUv3State, ssidsize, 0,
                     smmuv3_ssidsize_names, "SsidSizeMode",
                     "SubstreamID bits, 0-20 or auto"),
    DEFINE_PROP_ENUM("oas", SMMUv3State, oas, OAS_MODE_AUTO,
                     smmuv3_oas_names, "OasMode",
                     "output address size: auto, 44 or 48 (48 needs "
                     "accel=on)"),
    DEFINE_PROP_STRING("stage", SMMUv3State, stage,
                       "translation stages: 1, 2 or nested; unset means "
                       "nested"),
    DEFINE_PROP_UINT64("msi-gpa", SMMUv3State, msi_gpa, 0,
                       "GPA of the MSI doorbell, for accel=on"),
    DEFINE_PROP_LINK("primary-bus", SMMUv3State, primary_bus, "link<PCI>",
                     "the PCI bus (root complex) this SMMU translates"),
    DEFINE_PROP_UINT8("bus_num", SMMUv3State, bus_num, 0,
                      "PCI bus number, for smmu_per_bus"),
    DEFINE_PROP_BOOL("smmu_per_bus", SMMUv3State, smmu_per_bus, false,
                     "one SMMU per PCI bus"),
    DEFINE_PROP_UINT8("identifier", SMMUv3State, identifier, 0,
                      "SMMU identifier"),
    DEFINE_PROP_LINK("iothread", SMMUv3State, iothread, "link<iothread>",
                     "iothread that delivers host events (accel=on)"),
    DEFINE_PROP_END_OF_LIST(),
};

static const DeviceClass smmuv3_class = {
    .name = TYPE_ARM_SMMUV3,
    .desc = "Arm SMMUv3 (System MMU)",
    .category = "misc",
    .parent = TYPE_ARM_SMMU,
    .instance_size = sizeof(SMMUv3State),
    .user_creatable = true,
    .hotpluggable = false,
    .props = smmuv3_properties,
    .help_note =
        "arm-smmuv3 translates the DMA of emulated endpoints through stage 1,\n"
        "stage 2 or nested (see stage=), with accel=off and accel=on; with\n"
        "accel=on the host SMMU translates for vfio-pci devices.",
    .instance_init = smmuv3_instance_init,
    .realize = smmuv3_realize,
    .unrealize = smmuv3_unrealize,
    .reset = smmuv3_reset,
    .finalize = smmuv3_finalize,
};

/* QEMU's common base of its SMMU models: abstract, on the system bus. */
static const TypeInfo arm_smmu_info = {
    .name = TYPE_ARM_SMMU,
    .parent = TYPE_SYS_BUS_DEVICE,
    .abstract = true,
};

static void smmuv3_register_types(void)
{
    type_register_static(&arm_smmu_info);
    device_class_register(&smmuv3_class);
}

type_init(smmuv3_register_types)
