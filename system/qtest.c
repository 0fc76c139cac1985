/*
 * The qtest server: line splitting and command dispatch of each
 * QTestSession, the built-in commands, and interrupt interception.
 *
 * Main thread only, except qtest_irq_handler(): qts.irq_lock guards
 * qts.irq_pending and qts.irq_flush_src, filled by other threads and
 * drained in the main loop.
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

struct QTestSession {
    QTestOutputFunc *out;
    void *opaque;
    GString *line;              /* the line being received */
    size_t scanned;             /* bytes of it known to hold no newline */
    bool discard;               /* over the limit: drop up to newline */
};

typedef struct QTestCommand {
    const char *name;
    QTestCommandFunc *func;
    guint min_args, max_args;   /* words after the command */
} QTestCommand;

static bool qtest_accel;
static struct {
    bool running;
    GList *sessions;            /* of QTestSession * */
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

static void qtest_send(QTestSession *s, const char *line)
{
    qtest_log("S", line);
    s->out(line, strlen(line), s->opaque);
}

/* Send one line (without its newline) to every client. */
static void qtest_send_all(const char *line)
{
    qtest_log("S", line);
    for (GList *l = qts.sessions; l; l = l->next) {
        QTestSession *s = l->data;

        s->out(line, strlen(line), s->opaque);
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

/*
 * Bulk access, run by run: RAM at once, MMIO byte by byte (each byte an
 * access of the device), unmapped space at once (reads as 0xff, writes
 * ignored, as a byte access there would).
 */
static void mem_read(hwaddr addr, uint8_t *buf, uint64_t len)
{
    AddressSpace *as = machine_address_space();

    while (len) {
        AddressSpaceRun kind;
        MemoryRegion *mr;
        uint64_t run = address_space_run(as, addr, len, &kind, &mr);

        if (kind == AS_RUN_RAM) {
            address_space_read(as, addr, buf, run);
        } else if (kind == AS_RUN_UNMAPPED) {
            memset(buf, 0xff, run);
        } else {
            for (uint64_t i = 0; i < run; i++) {
                uint64_t v;

                address_space_cpu_read(as, addr + i, &v, 1);
                buf[i] = v;
            }
        }
        addr += run;
        buf += run;
        len -= run;
    }
}

static void mem_write(hwaddr addr, const uint8_t *buf, uint64_t len)
{
    AddressSpace *as = machine_address_space();

    while (len) {
        AddressSpaceRun kind;
        MemoryRegion *mr;
        uint64_t run = address_space_run(as, addr, len, &kind, &mr);

        if (kind == AS_RUN_RAM) {
            address_space_write(as, addr, buf, run);
        } else if (kind == AS_RUN_MMIO) {
            for (uint64_t i = 0; i < run; i++) {
                address_space_cpu_write(as, addr + i, buf[i], 1);
            }
        }
        addr += run;
        buf += run;
        len -= run;
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

/*
 * LEN bytes as lower-case hex, two digits each, in one pass: a bulk read
 * of QTEST_MAX_BULK bytes formatted by printf, byte by byte, kept the
 * main loop busy for many seconds.
 */
static void append_hex(GString *reply, const uint8_t *buf, uint64_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t at = reply->len;
    char *out;

    g_string_set_size(reply, at + 2 * len);
    out = reply->str + at;
    for (uint64_t i = 0; i < len; i++) {
        out[2 * i] = digits[buf[i] >> 4];
        out[2 * i + 1] = digits[buf[i] & 0xf];
    }
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
    append_hex(reply, buf, size);
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
    { "readb", cmd_readx, 1, 1 },
    { "readw", cmd_readx, 1, 1 },
    { "readl", cmd_readx, 1, 1 },
    { "readq", cmd_readx, 1, 1 },
    { "writeb", cmd_writex, 2, 2 },
    { "writew", cmd_writex, 2, 2 },
    { "writel", cmd_writex, 2, 2 },
    { "writeq", cmd_writex, 2, 2 },
    { "read", cmd_read, 2, 2 },
    { "write", cmd_write, 2, 3 },
    { "b64read", cmd_b64read, 2, 2 },
    { "b64write", cmd_b64write, 2, 3 },
    { "memset", cmd_memset, 3, 3 },
    { "endianness", cmd_endianness, 0, 0 },
    { "clock_step", cmd_clock_step, 0, 1 },
    { "clock_set", cmd_clock_set, 1, 1 },
    { "irq_intercept_in", cmd_irq_intercept, 1, 1 },
    { "irq_intercept_out", cmd_irq_intercept, 1, 1 },
};

/* The handler for WORDS, or NULL with the FAIL reply in REPLY. */
static QTestCommandFunc *qtest_lookup(char **words, GString *reply)
{
    guint nargs = g_strv_length(words) - 1;

    for (size_t i = 0; i < G_N_ELEMENTS(builtin_cmds); i++) {
        const QTestCommand *cmd = &builtin_cmds[i];

        if (strcmp(words[0], cmd->name) != 0) {
            continue;
        }
        if (nargs < cmd->min_args) {
            g_string_append(reply, "FAIL missing argument");
            return NULL;
        }
        if (nargs > cmd->max_args) {
            g_string_append(reply, "FAIL too many arguments");
            return NULL;
        }
        return cmd->func;
    }
    if (qts.extra_cmds && g_hash_table_contains(qts.extra_cmds, words[0])) {
        return g_hash_table_lookup(qts.extra_cmds, words[0]);
    }
    g_string_printf(reply, "FAIL Unknown command '%s'", words[0]);
    return NULL;
}

static void qtest_process_line(QTestSession *s, const char *line,
                               size_t len)
{
    g_autoptr(GString) reply = g_string_new(NULL);
    g_auto(GStrv) words = NULL;
    QTestCommandFunc *func;

    if (memchr(line, '\0', len)) {
        qtest_log("R", "(a line with a NUL byte)");
        qtest_send(s, "FAIL line contains a NUL byte");
        return;
    }
    qtest_log("R", line);
    trace_qtest_command(line);
    if (!*line || *line == ' ') {
        qtest_send(s, "FAIL malformed line: empty or leading space");
        return;
    }
    words = g_strsplit(line, " ", 0);
    func = qtest_lookup(words, reply);
    if (func) {
        /* IRQ lines raised by other threads so far go first. */
        qtest_irq_flush();
        func(words, reply);
    }
    qtest_send(s, reply->str);
}

/*
 * Split input into lines, each scanned for its newline once.  A line
 * over QTEST_MAX_LINE gets one FAIL and is dropped up to its newline.
 */
void qtest_session_feed(QTestSession *s, const char *buf, size_t len)
{
    g_string_append_len(s->line, buf, len);
    for (;;) {
        char *start = s->line->str;
        char *nl = memchr(start + s->scanned, '\n',
                          s->line->len - s->scanned);
        size_t n;

        if (!nl) {
            s->scanned = s->line->len;
            if (s->line->len > QTEST_MAX_LINE && !s->discard) {
                qtest_send(s, "FAIL line too long");
                s->discard = true;
            }
            if (s->discard) {
                g_string_truncate(s->line, 0);
                s->scanned = 0;
            }
            return;
        }
        n = nl - start;
        if (!s->discard && n > QTEST_MAX_LINE) {
            qtest_send(s, "FAIL line too long");
        } else if (!s->discard) {
            size_t end = n && start[n - 1] == '\r' ? n - 1 : n;

            start[end] = '\0';
            qtest_process_line(s, start, end);
        }
        s->discard = false;
        g_string_erase(s->line, 0, n + 1);
        s->scanned = 0;
    }
}

QTestSession *qtest_session_new(QTestOutputFunc *out, void *opaque)
{
    QTestSession *s = g_new0(QTestSession, 1);

    s->out = out;
    s->opaque = opaque;
    s->line = g_string_new(NULL);
    qts.sessions = g_list_append(qts.sessions, s);
    return s;
}

void qtest_session_free(QTestSession *s)
{
    qts.sessions = g_list_remove(qts.sessions, s);
    g_string_free(s->line, TRUE);
    g_free(s);
}

static void qtest_conn_out(const char *line, size_t len, void *opaque)
{
    g_autofree char *buf = g_strdup_printf("%.*s\n", (int)len, line);

    char_conn_write(opaque, buf, len + 1);
}

static void qtest_conn_read(CharConn *c, const char *buf, size_t len,
                            void *opaque)
{
    qtest_session_feed(opaque, buf, len);
}

static void qtest_conn_closed(CharConn *c, void *opaque)
{
    qtest_session_free(opaque);
}

static void qtest_conn_new(CharConn *c, void *opaque)
{
    QTestSession *s = qtest_session_new(qtest_conn_out, c);

    char_conn_set_handlers(c, qtest_conn_read, qtest_conn_closed, s);
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
    while (qts.sessions) {
        qtest_session_free(qts.sessions->data);
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
