/*
 * The qtest server.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "chardev/char.h"
#include "hw/qdev-core.h"
#include "system/machine.h"
#include "system/memory.h"
#include "system/qtest.h"
#include "trace.h"

#define QTEST_MAX_IRQ       256
#define QTEST_MAX_BULK      (64 * 1024 * 1024)

typedef struct QTestConn {
    CharConn *conn;
    GString *line;
} QTestConn;

typedef struct QTestCommand {
    const char *name;
    QTestCommandFunc *func;
} QTestCommand;

static bool qtest_accel;
static struct {
    bool running;
    GList *conns;               /* of QTestConn * */
    FILE *log;
    gint64 start_us;
    GThread *main_thread;
    GHashTable *extra_cmds;     /* name -> QTestCommandFunc * */

    /* Interception. */
    bool intercepting;
    DeviceState *intercept_dev; /* irq_intercept_out, or NULL for the GIC */
    int8_t levels[QTEST_MAX_IRQ];

    /* Level changes from other threads, sent from the main loop. */
    GMutex irq_lock;
    GQueue irq_pending;         /* of GINT_TO_POINTER((n << 1) | level) */
    guint irq_flush_src;
} qts;

bool qtest_enabled(void)
{
    return qtest_accel;
}

void qtest_set_enabled(bool enabled)
{
    qtest_accel = enabled;
    qemu_clock_set_manual(enabled);
}

void qtest_register_command(const char *name, QTestCommandFunc *func)
{
    if (!qts.extra_cmds) {
        qts.extra_cmds = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_assert(!g_hash_table_contains(qts.extra_cmds, name));
    g_hash_table_insert(qts.extra_cmds, (gpointer)name, func);
}

static void qtest_log(const char *dir, const char *line)
{
    if (qts.log) {
        double t = (g_get_monotonic_time() - qts.start_us) / 1e6;

        fprintf(qts.log, "[%s +%f] %s\n", dir, t, line);
        fflush(qts.log);
    }
}

/* Send one line (without its newline) to every client. */
static void qtest_send_all(const char *line)
{
    g_autofree char *buf = g_strdup_printf("%s\n", line);

    qtest_log("S", line);
    for (GList *l = qts.conns; l; l = l->next) {
        QTestConn *qc = l->data;

        char_conn_write(qc->conn, buf, strlen(buf));
    }
}

/* Main thread: report a level change, once per change. */
static void qtest_irq_emit(int n, int level)
{
    g_autofree char *line = NULL;

    level = !!level;
    if (n < 0 || n >= QTEST_MAX_IRQ || qts.levels[n] == level) {
        return;
    }
    qts.levels[n] = level;
    line = g_strdup_printf("IRQ %s %d", level ? "raise" : "lower", n);
    trace_qtest_irq(n, level);
    qtest_send_all(line);
}

/* Main thread: send what other threads queued, in order. */
static void qtest_irq_flush(void)
{
    for (;;) {
        gpointer p;

        g_mutex_lock(&qts.irq_lock);
        p = g_queue_pop_head(&qts.irq_pending);
        g_mutex_unlock(&qts.irq_lock);
        if (!p) {
            return;
        }
        qtest_irq_emit((GPOINTER_TO_INT(p) - 1) >> 1,
                       (GPOINTER_TO_INT(p) - 1) & 1);
    }
}

static gboolean qtest_irq_flush_cb(gpointer opaque)
{
    g_mutex_lock(&qts.irq_lock);
    qts.irq_flush_src = 0;
    g_mutex_unlock(&qts.irq_lock);
    qtest_irq_flush();
    return G_SOURCE_REMOVE;
}

/* The intercepting handler: runs in whatever thread drives the line. */
static void qtest_irq_handler(void *opaque, int n, int level)
{
    if (g_thread_self() == qts.main_thread) {
        qtest_irq_flush();
        qtest_irq_emit(n, level);
        return;
    }
    g_mutex_lock(&qts.irq_lock);
    /* Encoded as ((n << 1) | level) + 1: never NULL. */
    g_queue_push_tail(&qts.irq_pending,
                      GINT_TO_POINTER(((n << 1) | !!level) + 1));
    if (!qts.irq_flush_src) {
        qts.irq_flush_src = g_idle_add(qtest_irq_flush_cb, NULL);
    }
    g_mutex_unlock(&qts.irq_lock);
}

static bool parse_u64(const char *s, uint64_t *v, GString *reply)
{
    char *end;

    if (!s) {
        g_string_append(reply, "FAIL missing argument");
        return false;
    }
    errno = 0;
    *v = g_ascii_strtoull(s, &end, 0);
    if (errno || end == s || *end) {
        g_string_append_printf(reply, "FAIL invalid number '%s'", s);
        return false;
    }
    return true;
}

static bool parse_size(const char *s, uint64_t *v, GString *reply)
{
    if (!parse_u64(s, v, reply)) {
        return false;
    }
    if (*v == 0 || *v > QTEST_MAX_BULK) {
        g_string_append_printf(reply, "FAIL invalid size %s", s);
        return false;
    }
    return true;
}

/* Bulk access: RAM at once, anything else byte by byte. */
static void mem_read(hwaddr addr, uint8_t *buf, uint64_t len)
{
    AddressSpace *as = machine_address_space();

    if (address_space_is_ram(as, addr, len)) {
        address_space_read(as, addr, buf, len);
        return;
    }
    for (uint64_t i = 0; i < len; i++) {
        uint64_t v;

        address_space_cpu_read(as, addr + i, &v, 1);
        buf[i] = v;
    }
}

static void mem_write(hwaddr addr, const uint8_t *buf, uint64_t len)
{
    AddressSpace *as = machine_address_space();

    if (address_space_is_ram(as, addr, len)) {
        address_space_write(as, addr, buf, len);
        return;
    }
    for (uint64_t i = 0; i < len; i++) {
        address_space_cpu_write(as, addr + i, buf[i], 1);
    }
}

static unsigned access_size(char c)
{
    switch (c) {
    case 'b':
        return 1;
    case 'w':
        return 2;
    case 'l':
        return 4;
    case 'q':
        return 8;
    }
    return 0;
}

static void cmd_readx(char **words, GString *reply)
{
    unsigned size = access_size(words[0][4]);
    uint64_t addr, val;

    if (!parse_u64(words[1], &addr, reply)) {
        return;
    }
    address_space_cpu_read(machine_address_space(), addr, &val, size);
    g_string_append_printf(reply, "OK 0x%016" PRIx64, val);
}

static void cmd_writex(char **words, GString *reply)
{
    unsigned size = access_size(words[0][5]);
    uint64_t addr, val;

    if (!parse_u64(words[1], &addr, reply) ||
        !parse_u64(words[2], &val, reply)) {
        return;
    }
    address_space_cpu_write(machine_address_space(), addr, val, size);
    g_string_append(reply, "OK");
}

static void cmd_read(char **words, GString *reply)
{
    uint64_t addr, size;
    g_autofree uint8_t *buf = NULL;

    if (!parse_u64(words[1], &addr, reply) ||
        !parse_size(words[2], &size, reply)) {
        return;
    }
    buf = g_malloc(size);
    mem_read(addr, buf, size);
    g_string_append(reply, "OK 0x");
    for (uint64_t i = 0; i < size; i++) {
        g_string_append_printf(reply, "%02x", buf[i]);
    }
}

static int hex_nibble(char c)
{
    return g_ascii_xdigit_value(c);
}

static void cmd_write(char **words, GString *reply)
{
    uint64_t addr, size;
    g_autofree uint8_t *buf = NULL;
    const char *hex;
    size_t hexlen;

    if (!parse_u64(words[1], &addr, reply) ||
        !parse_size(words[2], &size, reply)) {
        return;
    }
    hex = words[3];
    if (!hex || !g_str_has_prefix(hex, "0x")) {
        g_string_append(reply, "ERR invalid data: expected 0x<hex>");
        return;
    }
    hex += 2;
    hexlen = strlen(hex);
    if (hexlen % 2) {
        g_string_append(reply, "ERR invalid data: odd number of digits");
        return;
    }
    /* Short data is zero-filled, as QEMU does. */
    buf = g_malloc0(size);
    for (uint64_t i = 0; i < size && 2 * i < hexlen; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            g_string_append(reply, "ERR invalid data: not hexadecimal");
            return;
        }
        buf[i] = hi << 4 | lo;
    }
    mem_write(addr, buf, size);
    g_string_append(reply, "OK");
}

static void cmd_b64read(char **words, GString *reply)
{
    uint64_t addr, size;
    g_autofree uint8_t *buf = NULL;
    g_autofree char *b64 = NULL;

    if (!parse_u64(words[1], &addr, reply) ||
        !parse_size(words[2], &size, reply)) {
        return;
    }
    buf = g_malloc(size);
    mem_read(addr, buf, size);
    b64 = g_base64_encode(buf, size);
    g_string_append_printf(reply, "OK %s", b64);
}

static void cmd_b64write(char **words, GString *reply)
{
    uint64_t addr, size;
    g_autofree uint8_t *buf = NULL;
    g_autofree guchar *data = NULL;
    gsize len;

    if (!parse_u64(words[1], &addr, reply) ||
        !parse_size(words[2], &size, reply)) {
        return;
    }
    if (!words[3]) {
        g_string_append(reply, "ERR missing data");
        return;
    }
    for (const char *p = words[3]; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("+/=", *p)) {
            g_string_append(reply, "ERR invalid data: not base64");
            return;
        }
    }
    data = g_base64_decode(words[3], &len);
    buf = g_malloc0(size);
    memcpy(buf, data, MIN(len, size));
    mem_write(addr, buf, size);
    g_string_append(reply, "OK");
}

static void cmd_memset(char **words, GString *reply)
{
    uint64_t addr, size, val;
    g_autofree uint8_t *buf = NULL;

    if (!parse_u64(words[1], &addr, reply) ||
        !parse_size(words[2], &size, reply) ||
        !parse_u64(words[3], &val, reply)) {
        return;
    }
    buf = g_malloc(size);
    memset(buf, val & 0xff, size);
    mem_write(addr, buf, size);
    g_string_append(reply, "OK");
}

static void cmd_endianness(char **words, GString *reply)
{
    g_string_append(reply, G_BYTE_ORDER == G_LITTLE_ENDIAN ? "OK little"
                                                          : "OK big");
}

static bool clock_check(GString *reply)
{
    if (!qtest_enabled()) {
        g_string_append(reply, "FAIL the virtual clock is only under qtest"
                        " control with -accel qtest");
        return false;
    }
    return true;
}

static void cmd_clock_step(char **words, GString *reply)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t dest;
    uint64_t ns;

    if (!clock_check(reply)) {
        return;
    }
    if (words[1]) {
        if (!parse_u64(words[1], &ns, reply)) {
            return;
        }
        dest = ns > (uint64_t)(INT64_MAX - now) ? INT64_MAX : now + ns;
    } else {
        dest = qemu_clock_deadline_ns(QEMU_CLOCK_VIRTUAL);
        if (dest < 0) {
            g_string_append(reply, "FAIL cannot advance clock to the next"
                            " deadline because there is no pending"
                            " deadline");
            return;
        }
    }
    g_string_append_printf(reply, "OK %" PRIi64,
                           qemu_clock_advance_virtual(dest));
}

static void cmd_clock_set(char **words, GString *reply)
{
    uint64_t ns;

    if (!clock_check(reply) || !parse_u64(words[1], &ns, reply)) {
        return;
    }
    g_string_append_printf(reply, "OK %" PRIi64,
                           qemu_clock_advance_virtual(MIN(ns, INT64_MAX)));
}

static void cmd_irq_intercept(char **words, GString *reply)
{
    bool in = !strcmp(words[0], "irq_intercept_in");
    DeviceState *dev = NULL;

    if (!words[1]) {
        g_string_append(reply, "FAIL missing argument");
        return;
    }
    if (in ? strcmp(words[1], MACHINE_GIC_PATH) != 0
           : !(dev = machine_find_device(words[1]))) {
        g_string_append(reply, "FAIL Unknown device");
        return;
    }
    if (qts.intercepting) {
        g_string_append(reply, "FAIL IRQ intercept already enabled");
        return;
    }
    if (in) {
        machine_set_gic_observer(qtest_irq_handler, NULL);
    } else {
        if (!dev->num_irqs) {
            g_string_append(reply, "FAIL No intercepts installed");
            return;
        }
        for (int i = 0; i < dev->num_irqs; i++) {
            qdev_connect_irq(dev, i, qtest_irq_handler, NULL);
        }
    }
    qts.intercepting = true;
    qts.intercept_dev = dev;
    memset(qts.levels, 0, sizeof(qts.levels));
    g_string_append(reply, "OK");
}

static const QTestCommand builtin_cmds[] = {
    { "readb", cmd_readx },
    { "readw", cmd_readx },
    { "readl", cmd_readx },
    { "readq", cmd_readx },
    { "writeb", cmd_writex },
    { "writew", cmd_writex },
    { "writel", cmd_writex },
    { "writeq", cmd_writex },
    { "read", cmd_read },
    { "write", cmd_write },
    { "b64read", cmd_b64read },
    { "b64write", cmd_b64write },
    { "memset", cmd_memset },
    { "endianness", cmd_endianness },
    { "clock_step", cmd_clock_step },
    { "clock_set", cmd_clock_set },
    { "irq_intercept_in", cmd_irq_intercept },
    { "irq_intercept_out", cmd_irq_intercept },
};

static void qtest_process_line(const char *line)
{
    g_auto(GStrv) words = NULL;
    g_autoptr(GString) reply = g_string_new(NULL);
    QTestCommandFunc *func = NULL;

    qtest_log("R", line);
    trace_qtest_command(line);
    words = g_strsplit(line, " ", 0);
    if (!words[0] || !*words[0]) {
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(builtin_cmds); i++) {
        if (!strcmp(words[0], builtin_cmds[i].name)) {
            func = builtin_cmds[i].func;
            break;
        }
    }
    if (!func && qts.extra_cmds) {
        func = g_hash_table_lookup(qts.extra_cmds, words[0]);
    }
    if (!func) {
        g_string_printf(reply, "FAIL Unknown command '%s'", words[0]);
    } else {
        /* IRQ lines raised by other threads so far go first. */
        qtest_irq_flush();
        func(words, reply);
    }
    qtest_send_all(reply->str);
}

static void qtest_conn_read(CharConn *c, const char *buf, size_t len,
                            void *opaque)
{
    QTestConn *qc = opaque;
    char *nl;

    g_string_append_len(qc->line, buf, len);
    while ((nl = memchr(qc->line->str, '\n', qc->line->len))) {
        g_autofree char *line = g_strndup(qc->line->str, nl - qc->line->str);

        g_string_erase(qc->line, 0, nl - qc->line->str + 1);
        if (line[0] && line[strlen(line) - 1] == '\r') {
            line[strlen(line) - 1] = '\0';
        }
        qtest_process_line(line);
    }
}

static void qtest_conn_free(QTestConn *qc)
{
    qts.conns = g_list_remove(qts.conns, qc);
    g_string_free(qc->line, TRUE);
    g_free(qc);
}

static void qtest_conn_closed(CharConn *c, void *opaque)
{
    qtest_conn_free(opaque);
}

static void qtest_conn_new(CharConn *c, void *opaque)
{
    QTestConn *qc = g_new0(QTestConn, 1);

    qc->conn = c;
    qc->line = g_string_new(NULL);
    qts.conns = g_list_append(qts.conns, qc);
    char_conn_set_handlers(c, qtest_conn_read, qtest_conn_closed, qc);
}

bool qtest_server_start(const char *spec, const char *log, Error **errp)
{
    bool ok;

    g_assert(!qts.running);
    qts.main_thread = g_thread_self();
    qts.start_us = g_get_monotonic_time();
    if (!log || !strcmp(log, "/dev/stderr")) {
        qts.log = stderr;
    } else if (strcmp(log, "none") != 0) {
        qts.log = fopen(log, "w");
        if (!qts.log) {
            error_setg_errno(errp, errno, "Could not open qtest log '%s'",
                             log);
            return false;
        }
    }
    qts.running = true;
    if (g_str_has_prefix(spec, "chardev:")) {
        ok = qemu_chardev_open(spec + 8, qtest_conn_new, NULL, errp);
    } else {
        ok = qemu_chardev_open_inline("qtest", spec, qtest_conn_new, NULL,
                                      errp);
    }
    if (!ok) {
        qtest_server_stop();
    }
    return ok;
}

void qtest_server_stop(void)
{
    if (!qts.running) {
        return;
    }
    /* qemu_chardev_cleanup() has closed the connections themselves. */
    while (qts.conns) {
        qtest_conn_free(qts.conns->data);
    }
    if (qts.intercepting) {
        machine_set_gic_observer(NULL, NULL);
        qts.intercepting = false;
        qts.intercept_dev = NULL;
    }
    g_mutex_lock(&qts.irq_lock);
    if (qts.irq_flush_src) {
        g_source_remove(qts.irq_flush_src);
        qts.irq_flush_src = 0;
    }
    g_queue_clear(&qts.irq_pending);
    g_mutex_unlock(&qts.irq_lock);
    if (qts.log && qts.log != stderr) {
        fclose(qts.log);
    }
    qts.log = NULL;
    qts.running = false;
}
