/*
 * Fuzz target: a hostile guest programming the SMMUv3 model.
 *
 * The model runs in process as in tests/unit/test-smmuv3.c: an
 * AddressSpace with RAM_SIZE bytes of RAM, the SMMU mapped at MMIO_BASE,
 * a "pcie.0" bus.  Each input is a script of operations (see the OP_
 * list): register writes and reads anywhere in the two MMIO pages, raw
 * guest-RAM contents (queues, STEs, CDs, L1 descriptors), a quick set-up
 * of the queues and stream table, commands appended at CMDQ_PROD, and
 * CMD_SYNC.  The device and RAM are fresh for every input.
 *
 * Invariants: no crash or sanitizer report; every device access to
 * guest memory goes through the memory API, which refuses what is
 * outside RAM (ASan catches any host access outside the RAM mapping);
 * once a driver-style set-up has programmed a queue's base and zeroed
 * its PROD and CONS, both stay within the queue's index + wrap bits
 * (plus their flags) whatever commands and events follow.  A raw write
 * to a queue register ends that guarantee until the next set-up: after
 * a size change without re-initialising PROD/CONS the architecture
 * leaves their values UNKNOWN, and the model keeps the old high bits
 * (its queue arithmetic masks them; the first campaign found this).
 *
 * Calls: qdev_new/qdev_realize/qdev_mmio_map (the device),
 * address_space_cpu_read/write (MMIO), address_space_write (guest RAM).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/arm/smmuv3.h"
#include "smmuv3-internal.h"
#include "fuzz.h"

#define MMIO_BASE   0x09050000ULL
#define RAM_BASE    0x40000000ULL
#define RAM_SIZE    (256 * 1024ULL)
#define CMDQ_ADDR   RAM_BASE
#define EVTQ_ADDR   (RAM_BASE + 0x10000)
#define STRTAB_ADDR (RAM_BASE + 0x20000)

enum {
    OP_WRITEL,      /* u16 offset (+page bit), u32 value */
    OP_WRITEQ,      /* u16 offset, u64 value */
    OP_READL,       /* u16 offset */
    OP_READQ,       /* u16 offset */
    OP_RAM,         /* u32 offset in RAM, u8 length, bytes */
    OP_SETUP,       /* u8 log2 sizes, u8 CR0 bits */
    OP_CMD,         /* 16 bytes: one command at CMDQ_PROD */
    OP_SYNC,        /* u8 CS field: CMD_SYNC at CMDQ_PROD */
    OP_MAX,
};

static AddressSpace *as;
static PCIBus bus;
static bool queues_initialised;

static void check_queue(const SMMUQueue *q, uint32_t prod_flags,
                        uint32_t cons_flags)
{
    uint32_t mask = smmu_q_wrap_index_mask(q->log2size);

    g_assert_cmpuint(q->prod & ~(mask | prod_flags), ==, 0);
    g_assert_cmpuint(q->cons & ~(mask | cons_flags), ==, 0);
}

static void check(SMMUv3State *s)
{
    if (!queues_initialised) {
        return;
    }
    check_queue(&s->cmdq, 0, R_CMDQ_CONS_ERR_MASK);
    check_queue(&s->eventq, R_EVENTQ_PROD_OVFLG_MASK,
                R_EVENTQ_CONS_OVACKFLG_MASK);
}

static hwaddr reg(FuzzInput *in)
{
    uint16_t off = fuzz_u16(in);
    /* Bit 0 picks page 1; the rest is the offset in the page. */
    return MMIO_BASE + (off & 1 ? SMMU_PAGE1_OFFSET : 0) + (off & 0xfffe);
}

/* A guest write to a queue's BASE, PROD or CONS (page 0 or 1). */
static void note_raw_write(hwaddr a)
{
    hwaddr off = (a - MMIO_BASE) & (SMMU_PAGE1_OFFSET - 1) & ~7ULL;

    if (off == A_CMDQ_BASE || off == (A_CMDQ_PROD & ~7) ||
        off == A_EVENTQ_BASE || off == (A_EVENTQ_PROD & ~7)) {
        queues_initialised = false;
    }
}

/* Append a 16-byte command at CMDQ_PROD, as a driver does. */
static void push_cmd(SMMUv3State *s, const uint8_t cmd[16])
{
    uint64_t base, prod;
    unsigned log2size = s->cmdq.log2size;
    hwaddr slot;

    address_space_cpu_read(as, MMIO_BASE + A_CMDQ_BASE, &base, 8);
    address_space_cpu_read(as, MMIO_BASE + A_CMDQ_PROD, &prod, 4);
    slot = (FIELD_EX64(base, Q_BASE, ADDR) << R_Q_BASE_ADDR_SHIFT) +
           (prod & ((1u << log2size) - 1)) * SMMU_CMD_SIZE;
    address_space_write(as, slot, cmd, SMMU_CMD_SIZE);
    address_space_cpu_write(as, MMIO_BASE + A_CMDQ_PROD,
                            smmu_q_incr(prod, log2size), 4);
}

static void setup(FuzzInput *in)
{
    uint8_t sizes = fuzz_u8(in);
    uint8_t cr0 = fuzz_u8(in);
    uint64_t v;

    /* A driver turns the queues off before it reprograms them. */
    address_space_cpu_write(as, MMIO_BASE + A_CR0, 0, 4);
    address_space_cpu_write(as, MMIO_BASE + A_CMDQ_BASE,
                            CMDQ_ADDR | (1 + (sizes & 7)), 8);
    address_space_cpu_write(as, MMIO_BASE + A_EVENTQ_BASE,
                            EVTQ_ADDR | (1 + ((sizes >> 3) & 7)), 8);
    address_space_cpu_write(as, MMIO_BASE + A_STRTAB_BASE, STRTAB_ADDR, 8);
    /* Linear, 2^(sizes >> 6 + 4) STEs: at most 128, all in RAM. */
    address_space_cpu_write(as, MMIO_BASE + A_STRTAB_BASE_CFG,
                            4 + (sizes >> 6), 4);
    address_space_cpu_write(as, MMIO_BASE + A_CMDQ_PROD, 0, 4);
    address_space_cpu_write(as, MMIO_BASE + A_CMDQ_CONS, 0, 4);
    address_space_cpu_write(as, MMIO_BASE + A_EVENTQ_PROD, 0, 4);
    address_space_cpu_write(as, MMIO_BASE + A_EVENTQ_CONS, 0, 4);
    address_space_cpu_write(as, MMIO_BASE + A_IRQ_CTRL, 7, 4);
    address_space_cpu_write(as, MMIO_BASE + A_CR0, cr0 & 0xd, 4);
    address_space_cpu_read(as, MMIO_BASE + A_CR0ACK, &v, 4);
    queues_initialised = true;
}

static bool step(SMMUv3State *s, FuzzInput *in)
{
    uint8_t op = fuzz_u8(in) % OP_MAX;
    uint8_t cmd[SMMU_CMD_SIZE] = { 0 };
    uint64_t v;
    hwaddr a;

    switch (op) {
    case OP_WRITEL:
        a = reg(in);
        note_raw_write(a);
        address_space_cpu_write(as, a, fuzz_u32(in), 4);
        break;
    case OP_WRITEQ:
        a = reg(in) & ~7ULL;
        note_raw_write(a);
        address_space_cpu_write(as, a, fuzz_u64(in), 8);
        break;
    case OP_READL:
        address_space_cpu_read(as, reg(in), &v, 4);
        break;
    case OP_READQ:
        address_space_cpu_read(as, reg(in) & ~7ULL, &v, 8);
        break;
    case OP_RAM: {
        uint32_t off = fuzz_u32(in) % RAM_SIZE;
        size_t len = MIN(fuzz_u8(in), RAM_SIZE - off);
        const uint8_t *p = fuzz_bytes(in, &len);

        address_space_write(as, RAM_BASE + off, p, len);
        break;
    }
    case OP_SETUP:
        setup(in);
        break;
    case OP_CMD: {
        size_t len = sizeof(cmd);
        const uint8_t *p = fuzz_bytes(in, &len);

        memcpy(cmd, p, len);
        push_cmd(s, cmd);
        break;
    }
    case OP_SYNC:
        cmd[0] = SMMU_CMD_SYNC;
        cmd[1] = fuzz_u8(in) & 0x30;        /* CS: none, IRQ, SEV */
        push_cmd(s, cmd);
        break;
    }
    check(s);
    return !fuzz_empty(in);
}

static void irq_ignore(void *opaque, int n, int level)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = { data, size };
    DeviceState *dev;

    if (!as) {
        as = address_space_new("fuzz");
        g_assert(address_space_add_ram(as, RAM_BASE, RAM_SIZE, &error_abort));
        bus.id = (char *)"pcie.0";
    }
    address_space_set(as, RAM_BASE, 0, RAM_SIZE);
    queues_initialised = false;
    object_registry_clear();
    g_assert(object_registry_add("pcie.0", TYPE_PCI_BUS, &bus, &error_abort));

    dev = qdev_new(TYPE_ARM_SMMUV3, &error_abort);
    g_assert(qdev_prop_parse(dev, "primary-bus", "pcie.0", &error_abort));
    dev->as = as;
    g_assert(qdev_realize(dev, &error_abort));
    g_assert(qdev_mmio_map(dev, MMIO_BASE, &error_abort));
    for (int i = 0; i < SMMU_NUM_IRQ; i++) {
        qdev_connect_irq(dev, i, irq_ignore, NULL);
    }

    while (step((SMMUv3State *)dev, &in)) {
    }

    qdev_free(dev);
    g_assert_null(bus.iommu);
    object_registry_clear();
    return 0;
}
