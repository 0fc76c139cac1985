/*
 * The guest side shared by vsmmu-demo and vsmmu-bench.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "demo-guest.h"
#include "hw/arm/smmuv3-common.h"

const DemoDevice demo_devs[DEMO_NDEVS] = {
    { 0x1234, 0x08, "0000:00:01.0" },
    { 0x1240, 0x10, "0000:00:02.0" },
};

const char *demo_set_daemon(const char *prog, const char *path)
{
    const char *how = "--daemon";

    if (!path) {
        path = g_getenv("VSMMU_DAEMON");
        how = "$VSMMU_DAEMON";
    }
    if (!path) {
        path = VSMMU_DEMO_DAEMON;
        how = "the configured daemon";
    }
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
        access(path, X_OK) != 0) {
        fprintf(stderr, "%s: %s '%s' is not an executable (choose one with"
                " --daemon PATH or VSMMU_DAEMON)\n", prog, how, path);
        return NULL;
    }
    g_setenv("QTEST_QEMU_BINARY", path, TRUE);
    return path;
}

char *demo_cmdline(const char *smmu_extra)
{
    return demo_cmdline_iothread(smmu_extra, NULL);
}

char *demo_cmdline_iothread(const char *smmu_extra, const char *iot_extra)
{
    return g_strdup_printf(
        "-machine virt -m %llu "
        "-object iommufd,id=iommufd0,x-emulated-host=on "
        "-object iothread,id=io0%s "
        "-device arm-smmuv3,primary-bus=pcie.0,accel=on,iothread=io0,"
        "id=smmu0%s "
        "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x%x,addr=1,"
        "id=hostdev0 "
        "-device vfio-pci,iommufd=iommufd0,x-emulated-psid=0x%x,addr=2,"
        "id=hostdev1", DEMO_RAM_SIZE >> 20, iot_extra ? iot_extra : "",
        smmu_extra ? smmu_extra : "",
        demo_devs[0].psid, demo_devs[1].psid);
}

bool demo_guest_start(DemoGuest *g, const char *cmdline, unsigned log2size)
{
    return demo_guest_start_reader(g, cmdline, log2size, NULL);
}

bool demo_guest_bringup(DemoGuest *g, QTestState *qts, uint64_t base,
                        uint64_t ram_base, uint64_t ram_size,
                        const DemoDevice *devs, int n, unsigned log2size)
{
    QSMMUv3Options opts = {
        .cmdq_log2size = 8,
        .evtq_log2size = log2size,
        .sid_bits = 16,
    };

    memset(g, 0, sizeof(*g));
    g->qts = qts;
    g->base = base;
    g->log2size = log2size;
    qtest_qos_bus_init(g->qts, &g->bus);
    qsmmuv3_init(&g->d, &g->bus, base, ram_base, ram_size);
    g->ring = g_new(uint32_t, (1u << log2size) * 8);
    if (!qsmmuv3_bringup(&g->d, &opts)) {
        return false;
    }
    /* Stage-1 translation with empty tables: every DMA faults. */
    for (int i = 0; i < n; i++) {
        qsmmuv3_ste_s1(&g->d, devs[i].vsid, i + 1,
                       qsmmuv3_alloc(&g->d, 4096, 4096));
        if (!qsmmuv3_cfgi_ste(&g->d, devs[i].vsid)) {
            return false;
        }
    }
    return true;
}

void demo_guest_free(DemoGuest *g)
{
    g_clear_pointer(&g->ring, g_free);
}

bool demo_guest_start_reader(DemoGuest *g, const char *cmdline,
                             unsigned log2size, const char *reader)
{
    QTestState *qts = qtest_init(cmdline);

    if (reader) {
        /* Before bring-up allocates the vEVENTQ. */
        demo_select_reader(qts, reader);
    }
    return demo_guest_bringup(g, qts, DEMO_SMMU_BASE, DEMO_RAM_BASE,
                              DEMO_RAM_SIZE, demo_devs, DEMO_NDEVS,
                              log2size);
}

void demo_guest_stop(DemoGuest *g)
{
    qtest_quit(g->qts);
    demo_guest_free(g);
}

void demo_select_reader(QTestState *qts, const char *reader)
{
    /* "NAME" or "NAME,timed" */
    g_auto(GStrv) v = g_strsplit(reader, ",", 2);
    JsonObject *rsp = qtest_qmp(qts,
        "{'execute': 'x-testbed-veventq-reader',"
        " 'arguments': {'reader': '%s', 'timed': %s}}", v[0],
        v[1] && !strcmp(v[1], "timed") ? "true" : "false");

    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
}

void demo_guest_ack(DemoGuest *g)
{
    uint32_t prod = qtest_readl(g->qts, g->base + SMMU_PAGE1_OFFSET +
                                A_EVENTQ_PROD);
    uint32_t cons = prod & ((2u << g->log2size) - 1);

    cons = FIELD_DP32(cons, EVENTQ_CONS, OVACKFLG,
                      FIELD_EX32(prod, EVENTQ_PROD, OVFLG));
    if (cons != g->cons) {
        qtest_writel(g->qts, g->base + SMMU_PAGE1_OFFSET + A_EVENTQ_CONS,
                     cons);
        g->consumed += smmu_q_used(cons, g->cons, g->log2size);
        g->cons = cons;
    }
}

size_t demo_guest_drain(DemoGuest *g,
                        void (*fn)(const uint32_t w[8], void *opaque),
                        void *opaque)
{
    unsigned log2 = g->log2size;
    uint32_t wrap = (2u << log2) - 1;
    uint32_t prod = qtest_readl(g->qts, g->base + SMMU_PAGE1_OFFSET +
                                A_EVENTQ_PROD);
    uint32_t avail = ((prod & wrap) - (g->cons & wrap)) & wrap;
    bool ovf = FIELD_EX32(prod, EVENTQ_PROD, OVFLG) !=
               FIELD_EX32(g->cons, EVENTQ_CONS, OVACKFLG);
    size_t total = 0;

    while (avail) {
        uint32_t idx = smmu_q_index(g->cons, log2);
        uint32_t chunk = MIN(avail, (1u << log2) - idx);

        qtest_memread(g->qts, g->d.evtq + (uint64_t)idx * SMMU_EVENT_SIZE,
                      g->ring, chunk * SMMU_EVENT_SIZE);
        for (uint32_t i = 0; i < chunk; i++) {
            uint32_t w[8];

            for (int k = 0; k < 8; k++) {
                w[k] = GUINT32_FROM_LE(g->ring[i * 8 + k]);
            }
            if (fn) {
                fn(w, opaque);
            }
            g->cons = smmu_q_incr(g->cons, log2);
        }
        avail -= chunk;
        total += chunk;
    }
    if (ovf) {
        g->overflows++;
        g->cons = FIELD_DP32(g->cons, EVENTQ_CONS, OVACKFLG,
                             FIELD_EX32(prod, EVENTQ_PROD, OVFLG));
    }
    if (total || ovf) {
        qtest_writel(g->qts, g->base + SMMU_PAGE1_OFFSET +
                     A_EVENTQ_CONS, g->cons);
    }
    g->consumed += total;
    return total;
}

void demo_start_events(QTestState *qts, int64_t count, int64_t rate)
{
    /* Two devices' DMA walking a buffer at 2 MiB, page by page. */
    JsonObject *rsp = qtest_qmp(qts,
        "{'execute': 'x-vsmmu-host-event-rate', 'arguments': {"
        " 'iommufd': 'iommufd0', 'psids': [%u, %u], 'count': %" PRId64 ","
        " 'rate': %" PRId64 ", 'addr': 2097152, 'addr-step': 4096}}",
        demo_devs[0].psid, demo_devs[1].psid, count, rate);

    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
}
