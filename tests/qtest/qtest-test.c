/*
 * The qtest protocol as vsmmu-daemon serves it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"

#define RAM 0x40000000ULL

static QTestState *start(void)
{
    return qtest_init("-machine virt -m 16M");
}

static void assert_reply(QTestState *s, const char *cmd, const char *want)
{
    g_autofree char *reply = qtest_raw_cmd(s, "%s", cmd);

    g_assert_cmpstr(reply, ==, want);
}

static void test_endianness(void)
{
    QTestState *s = start();

    assert_reply(s, "endianness", "OK little");
    qtest_quit(s);
}

static void test_rw_sizes(void)
{
    QTestState *s = start();

    qtest_writeq(s, RAM, 0x1122334455667788ULL);
    g_assert_cmphex(qtest_readq(s, RAM), ==, 0x1122334455667788ULL);
    g_assert_cmphex(qtest_readl(s, RAM), ==, 0x55667788);
    g_assert_cmphex(qtest_readl(s, RAM + 4), ==, 0x11223344);
    g_assert_cmphex(qtest_readw(s, RAM + 2), ==, 0x5566);
    g_assert_cmphex(qtest_readb(s, RAM + 7), ==, 0x11);
    qtest_writeb(s, RAM, 0xaa);
    qtest_writew(s, RAM + 2, 0xbbcc);
    qtest_writel(s, RAM + 4, 0xddeeff00);
    g_assert_cmphex(qtest_readq(s, RAM), ==, 0xddeeff00bbcc77aaULL);
    /* Values are masked to the access size. */
    qtest_writeb(s, RAM + 8, 0x12);
    g_assert_cmphex(qtest_readq(s, RAM + 8), ==, 0x12);
    /* Replies carry 16 hex digits whatever the size. */
    assert_reply(s, "readb 0x40000000", "OK 0x00000000000000aa");
    /* Nothing there: all ones, as a bus error reads. */
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, 0xffffffff);
    qtest_quit(s);
}

static void test_bulk(void)
{
    QTestState *s = start();
    uint8_t in[300], out[300];

    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = i * 7;
    }
    qtest_memwrite(s, RAM + 0x100, in, sizeof(in));
    qtest_memread(s, RAM + 0x100, out, sizeof(out));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
    qtest_bufread(s, RAM + 0x100, out, sizeof(out));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));

    qtest_bufwrite(s, RAM + 0x1000, "\x01\x02\x03", 3);
    g_assert_cmphex(qtest_readl(s, RAM + 0x1000), ==, 0x030201);
    qtest_memset(s, RAM + 0x1001, 0x5a, 2);
    g_assert_cmphex(qtest_readl(s, RAM + 0x1000), ==, 0x5a5a01);

    /* Short write data is zero-filled. */
    assert_reply(s, "write 0x40001000 4 0xff", "OK");
    g_assert_cmphex(qtest_readl(s, RAM + 0x1000), ==, 0xff);
    assert_reply(s, "read 0x40001000 2", "OK 0xff00");
    assert_reply(s, "b64read 0x40001000 3", "OK /wAA");
    assert_reply(s, "b64write 0x40001000 2 AQI=", "OK");
    assert_reply(s, "read 0x40001000 2", "OK 0x0102");
    /* The last byte of RAM, and one past it. */
    assert_reply(s, "writeb 0x40ffffff 0x42", "OK");
    assert_reply(s, "read 0x40ffffff 1", "OK 0x42");
    assert_reply(s, "read 0x41000000 1", "OK 0xff");
    qtest_quit(s);
}

static void test_clock(void)
{
    QTestState *s = start();

    assert_reply(s, "clock_step",
                 "FAIL cannot advance clock to the next deadline because"
                 " there is no pending deadline");
    g_assert_cmpint(qtest_clock_step(s, 100), ==, 100);
    g_assert_cmpint(qtest_clock_step(s, 5), ==, 105);
    g_assert_cmpint(qtest_clock_set(s, 1000), ==, 1000);
    /* The virtual clock never goes back. */
    g_assert_cmpint(qtest_clock_set(s, 10), ==, 1000);
    qtest_quit(s);
}

static void test_errors(void)
{
    QTestState *s = start();

    assert_reply(s, "bogus 1 2", "FAIL Unknown command 'bogus'");
    assert_reply(s, "readl", "FAIL missing argument");
    assert_reply(s, "readl 0xzz", "FAIL invalid number '0xzz'");
    assert_reply(s, "writel 0x40000000", "FAIL missing argument");
    assert_reply(s, "read 0x40000000 0", "FAIL invalid size 0");
    assert_reply(s, "write 0x40000000 2 12",
                 "ERR invalid data: expected 0x<hex>");
    assert_reply(s, "write 0x40000000 2 0x123",
                 "ERR invalid data: odd number of digits");
    assert_reply(s, "write 0x40000000 2 0xgg",
                 "ERR invalid data: not hexadecimal");
    assert_reply(s, "b64write 0x40000000 2 !!", "ERR invalid data: not base64");
    assert_reply(s, "b64write 0x40000000 2", "ERR missing data");
    assert_reply(s, "irq_intercept_in /machine/nothing", "FAIL Unknown device");
    assert_reply(s, "irq_intercept_out /machine/peripheral/x",
                 "FAIL Unknown device");
    /* The daemon is still fine. */
    assert_reply(s, "endianness", "OK little");
    qtest_quit(s);
}

static void test_irq_intercept(void)
{
    QTestState *s = qtest_init("-machine virt -device '{\"driver\":"
                               "\"pxb-pcie\",\"id\":\"pci.1\","
                               "\"bus_nr\":1}'");

    /* A pxb-pcie has no interrupt lines. */
    assert_reply(s, "irq_intercept_out pci.1",
                 "FAIL No intercepts installed");
    assert_reply(s, "irq_intercept_out /machine/peripheral/pci.1",
                 "FAIL No intercepts installed");
    qtest_irq_intercept_in(s, "/machine/gic");
    assert_reply(s, "irq_intercept_in /machine/gic",
                 "FAIL IRQ intercept already enabled");
    g_assert_false(qtest_get_irq(s, 74));
    qtest_quit(s);
}

static void test_qos_bus(void)
{
    QTestState *s = start();
    QOSBus bus;
    uint8_t buf[4];

    qtest_qos_bus_init(s, &bus);
    bus.writel(bus.opaque, RAM, 0xcafef00d);
    g_assert_cmphex(bus.readl(bus.opaque, RAM), ==, 0xcafef00d);
    bus.writeq(bus.opaque, RAM + 8, 0x0123456789abcdefULL);
    g_assert_cmphex(bus.readq(bus.opaque, RAM + 8), ==,
                    0x0123456789abcdefULL);
    bus.memwrite(bus.opaque, RAM + 16, "\x01\x02\x03\x04", 4);
    bus.memread(bus.opaque, RAM + 16, buf, 4);
    g_assert_cmpmem(buf, 4, "\x01\x02\x03\x04", 4);
    g_assert_false(bus.irq_level(bus.opaque, 0));
    qtest_quit(s);
}

static void assert_raw_reply(QTestState *s, const void *line, size_t len,
                             const char *want)
{
    g_autofree char *reply = NULL;

    qtest_send_raw(s, line, len);
    reply = qtest_recv_reply(s);
    g_assert_cmpstr(reply, ==, want);
}

/*
 * Issue 10 row 5: every line gets a reply; a NUL byte makes the line
 * FAIL instead of running what comes before it.
 */
static void test_every_line_answered(void)
{
    QTestState *s = start();

    qtest_writel(s, RAM, 0x11111111);
    assert_raw_reply(s, " endianness\n", 12,
                     "FAIL malformed line: empty or leading space");
    assert_raw_reply(s, "\n", 1,
                     "FAIL malformed line: empty or leading space");
    assert_raw_reply(s, "\r\n", 2,
                     "FAIL malformed line: empty or leading space");
    assert_raw_reply(s, "\0endianness\n", 12,
                     "FAIL line contains a NUL byte");
    assert_raw_reply(s, "writel 0x40000000 0x22\0junk\n", 28,
                     "FAIL line contains a NUL byte");
    g_assert_cmphex(qtest_readl(s, RAM), ==, 0x11111111);
    assert_reply(s, "endianness extra", "FAIL too many arguments");
    assert_reply(s, "readl 0x40000000 0x4", "FAIL too many arguments");
    assert_reply(s, "writel 0x40000000 1 2", "FAIL too many arguments");
    assert_reply(s, "readl  0x40000000", "FAIL too many arguments");
    assert_reply(s, "readl ", "FAIL invalid number ''");
    assert_reply(s, "clock_step 1 2", "FAIL too many arguments");
    assert_reply(s, "endianness\r", "OK little");
    qtest_quit(s);
}

/*
 * Issue 10 row 4: a line over the limit is answered once and dropped
 * up to its newline; the connection goes on.
 */
static void test_line_limit(void)
{
    QTestState *s = start();
    size_t chunk = 1024 * 1024;
    g_autofree char *pad = g_malloc(chunk);
    g_autofree char *reply = NULL;

    memset(pad, 'x', chunk);
    qtest_send_raw(s, "readl ", 6);
    for (int i = 0; i < 20; i++) {
        qtest_send_raw(s, pad, chunk);
    }
    reply = qtest_recv_reply(s);
    g_assert_cmpstr(reply, ==, "FAIL line too long");
    /* More of the same line, then the next command. */
    qtest_send_raw(s, pad, chunk);
    qtest_send_raw(s, "\nendianness\n", 12);
    g_free(reply);
    reply = qtest_recv_reply(s);
    g_assert_cmpstr(reply, ==, "OK little");
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    /* Inherited by the daemon: a json-glib critical fails the test. */
    g_setenv("G_DEBUG", "fatal-criticals", TRUE);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/endianness", test_endianness);
    g_test_add_func("/qtest/rw-sizes", test_rw_sizes);
    g_test_add_func("/qtest/bulk", test_bulk);
    g_test_add_func("/qtest/clock", test_clock);
    g_test_add_func("/qtest/errors", test_errors);
    g_test_add_func("/qtest/irq-intercept", test_irq_intercept);
    g_test_add_func("/qtest/qos-bus", test_qos_bus);
    g_test_add_func("/qtest/every-line-answered", test_every_line_answered);
    g_test_add_func("/qtest/line-limit", test_line_limit);
    return g_test_run();
}
