/*
 * libqtest: drive vsmmu-daemon over qtest and QMP.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define MAX_IRQ 256

struct QTestState {
    pid_t pid;
    int exit_status;            /* -1 while running */
    char *tmpdir;
    int qtest_fd;
    int qmp_fd;
    GString *rx;                /* qtest bytes not yet consumed */
    GString *qmp_rx;
    bool irq_level[MAX_IRQ];
    GQueue events;              /* of JsonObject * */
    JsonObject *greeting;
};

const char *qtest_binary(void)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");

    return bin ? bin : QTEST_DEFAULT_BINARY;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

/* Wait for FD to become readable; fail if the daemon dies first. */
static void wait_readable(QTestState *s, int fd)
{
    gint64 deadline = g_get_monotonic_time() +
                      QTEST_TIMEOUT_S * G_USEC_PER_SEC;

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int status;

        if (poll(&pfd, 1, 100) > 0) {
            return;
        }
        if (s->exit_status < 0 && waitpid(s->pid, &status, WNOHANG) ==
            s->pid) {
            s->exit_status = status;
            g_error("daemon exited (status 0x%x) while the test waited"
                    " for it", status);
        }
        if (g_get_monotonic_time() > deadline) {
            g_error("timed out waiting for the daemon");
        }
    }
}

static int accept_one(QTestState *s, int lfd)
{
    int fd;

    wait_readable(s, lfd);
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        buf += n;
        len -= n;
    }
}

/* CMD and a newline in one send_all(). */
static void send_line(int fd, const char *cmd)
{
    g_autofree char *line = g_strconcat(cmd, "\n", NULL);

    send_all(fd, line, strlen(line));
}

/* Append what FD has to BUF; false at end of file. */
static bool fill(QTestState *s, int fd, GString *buf)
{
    char tmp[4096];
    ssize_t n;

    wait_readable(s, fd);
    do {
        n = read(fd, tmp, sizeof(tmp));
    } while (n < 0 && errno == EINTR);
    g_assert_cmpint(n, >=, 0);
    g_string_append_len(buf, tmp, n);
    return n > 0;
}

/* The next reply line, handling asynchronous IRQ lines on the way. */
static char *qtest_recv_line(QTestState *s)
{
    for (;;) {
        char *nl = memchr(s->rx->str, '\n', s->rx->len);
        char *line;

        if (!nl) {
            if (!fill(s, s->qtest_fd, s->rx)) {
                g_error("qtest connection closed by the daemon");
            }
            continue;
        }
        line = g_strndup(s->rx->str, nl - s->rx->str);
        g_string_erase(s->rx, 0, nl - s->rx->str + 1);
        if (g_str_has_prefix(line, "IRQ ")) {
            int n;

            if (sscanf(line, "IRQ raise %d", &n) == 1) {
                g_assert_cmpint(n, <, MAX_IRQ);
                s->irq_level[n] = true;
            } else if (sscanf(line, "IRQ lower %d", &n) == 1) {
                g_assert_cmpint(n, <, MAX_IRQ);
                s->irq_level[n] = false;
            } else {
                g_error("bad IRQ line '%s'", line);
            }
            g_free(line);
            continue;
        }
        return line;
    }
}

char *qtest_raw_cmd(QTestState *s, const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_line(s->qtest_fd, cmd);
    return qtest_recv_line(s);
}

/* Send a command, assert "OK", return the rest of the reply. */
static char *qtest_ok(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static char *qtest_ok(QTestState *s, const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    g_autofree char *reply = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reply = qtest_raw_cmd(s, "%s", cmd);
    if (strcmp(reply, "OK") != 0 && !g_str_has_prefix(reply, "OK ")) {
        g_error("qtest '%s' failed: %s", cmd, reply);
    }
    return g_strdup(reply[2] ? reply + 3 : "");
}

static uint64_t qtest_ok_u64(QTestState *s, const char *cmd, uint64_t addr)
{
    g_autofree char *v = qtest_ok(s, "%s 0x%" PRIx64, cmd, addr);

    return g_ascii_strtoull(v, NULL, 0);
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readb", addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readw", addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readl", addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readq", addr);
}

static void qtest_write_n(QTestState *s, const char *cmd, uint64_t addr,
                          uint64_t val)
{
    g_free(qtest_ok(s, "%s 0x%" PRIx64 " 0x%" PRIx64, cmd, addr, val));
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t val)
{
    qtest_write_n(s, "writeb", addr, val);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t val)
{
    qtest_write_n(s, "writew", addr, val);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t val)
{
    qtest_write_n(s, "writel", addr, val);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t val)
{
    qtest_write_n(s, "writeq", addr, val);
}

void qtest_memread(QTestState *s, uint64_t addr, void *buf, size_t size)
{
    g_autofree char *b64 = qtest_ok(s, "b64read 0x%" PRIx64 " 0x%zx", addr,
                                    size);
    g_autofree guchar *data = NULL;
    gsize len;

    data = g_base64_decode(b64, &len);
    g_assert_cmpuint(len, ==, size);
    memcpy(buf, data, size);
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t size)
{
    /* In pieces whose lines stay well under QTEST_MAX_LINE. */
    const size_t piece = 4 * 1024 * 1024;

    for (size_t off = 0; off < size || !size; off += piece) {
        size_t n = MIN(piece, size - off);
        g_autofree char *b64 = g_base64_encode((const uint8_t *)buf + off, n);

        g_free(qtest_ok(s, "b64write 0x%" PRIx64 " 0x%zx %s", addr + off, n,
                        b64));
        if (!size) {
            break;
        }
    }
}

void qtest_bufread(QTestState *s, uint64_t addr, void *buf, size_t size)
{
    g_autofree char *hex = qtest_ok(s, "read 0x%" PRIx64 " 0x%zx", addr,
                                    size);
    uint8_t *p = buf;

    g_assert_true(g_str_has_prefix(hex, "0x"));
    g_assert_cmpuint(strlen(hex), ==, 2 + 2 * size);
    for (size_t i = 0; i < size; i++) {
        p[i] = g_ascii_xdigit_value(hex[2 + 2 * i]) << 4 |
               g_ascii_xdigit_value(hex[3 + 2 * i]);
    }
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t size)
{
    g_autoptr(GString) hex = g_string_new("0x");
    const uint8_t *p = buf;

    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(hex, "%02x", p[i]);
    }
    g_free(qtest_ok(s, "write 0x%" PRIx64 " 0x%zx %s", addr, size,
                    hex->str));
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern,
                  size_t size)
{
    g_free(qtest_ok(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x", addr, size,
                    pattern));
}

static int64_t clock_reply(char *v)
{
    int64_t ns = g_ascii_strtoll(v, NULL, 0);

    g_free(v);
    return ns;
}

int64_t qtest_clock_step(QTestState *s, int64_t ns)
{
    return clock_reply(qtest_ok(s, "clock_step %" PRIi64, ns));
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return clock_reply(qtest_ok(s, "clock_step"));
}

int64_t qtest_clock_set(QTestState *s, int64_t ns)
{
    return clock_reply(qtest_ok(s, "clock_set %" PRIi64, ns));
}

void qtest_irq_intercept_out(QTestState *s, const char *path)
{
    g_free(qtest_ok(s, "irq_intercept_out %s", path));
}

void qtest_irq_intercept_in(QTestState *s, const char *path)
{
    g_free(qtest_ok(s, "irq_intercept_in %s", path));
}

bool qtest_get_irq(QTestState *s, int n)
{
    g_assert(n >= 0 && n < MAX_IRQ);
    /* A round trip reads every IRQ line sent before it. */
    g_free(qtest_ok(s, "endianness"));
    return s->irq_level[n];
}

/* ---- QMP ---------------------------------------------------------- */

static JsonObject *parse_object(const char *text, size_t len)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    JsonNode *root;

    if (!json_parser_load_from_data(parser, text, len, &err)) {
        g_error("bad QMP message '%.*s': %s", (int)len, text, err->message);
    }
    root = json_parser_get_root(parser);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
    return json_object_ref(json_node_get_object(root));
}

JsonObject *qtest_qmp_receive(QTestState *s)
{
    for (;;) {
        int depth = 0;
        bool in_str = false, esc = false;

        for (size_t i = 0; i < s->qmp_rx->len; i++) {
            char c = s->qmp_rx->str[i];

            if (in_str) {
                if (esc) {
                    esc = false;
                } else if (c == '\\') {
                    esc = true;
                } else if (c == '"') {
                    in_str = false;
                }
            } else if (c == '"') {
                in_str = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    JsonObject *obj = parse_object(s->qmp_rx->str, i + 1);

                    g_string_erase(s->qmp_rx, 0, i + 1);
                    return obj;
                }
            }
        }
        if (!fill(s, s->qmp_fd, s->qmp_rx)) {
            g_error("QMP connection closed by the daemon");
        }
    }
}

void qtest_qmp_send(QTestState *s, const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /*
     * One send with the newline: the daemon acts on a complete JSON
     * object at once, and after "quit" it may be gone before a separate
     * newline could follow (EPIPE).
     */
    send_line(s->qmp_fd, cmd);
}

/* The next non-event message; events are stashed. */
static JsonObject *qmp_response(QTestState *s)
{
    for (;;) {
        JsonObject *obj = qtest_qmp_receive(s);

        if (!json_object_has_member(obj, "event")) {
            return obj;
        }
        g_queue_push_tail(&s->events, obj);
    }
}

JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_qmp_send(s, "%s", cmd);
    return qmp_response(s);
}

JsonObject *qtest_qmp_eventwait_ref_nowait(QTestState *s, const char *event)
{
    for (GList *l = s->events.head; l; l = l->next) {
        JsonObject *obj = l->data;

        if (!strcmp(json_object_get_string_member(obj, "event"), event)) {
            g_queue_delete_link(&s->events, l);
            return obj;
        }
    }
    return NULL;
}

/* Send LINE on SOCK with NFDS (1..16) descriptors on its first byte. */
static void send_line_fds(int sock, const int *fds, size_t nfds,
                          const char *line)
{
    char control[CMSG_SPACE(sizeof(int) * 16)] = { 0 };
    struct iovec iov = { .iov_base = (void *)line, .iov_len = 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    struct cmsghdr *cmsg;
    ssize_t n;

    g_assert_cmpuint(nfds, >, 0);
    g_assert_cmpuint(nfds, <=, 16);
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
    do {
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    g_assert_cmpint(n, ==, 1);
    send_all(sock, line + 1, strlen(line) - 1);
}

JsonObject *qtest_qmp_fds(QTestState *s, const int *fds, size_t nfds,
                          const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    g_autofree char *line = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    line = g_strconcat(cmd, "\n", NULL);
    send_line_fds(s->qmp_fd, fds, nfds, line);
    return qmp_response(s);
}

JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event)
{
    JsonObject *stashed = qtest_qmp_eventwait_ref_nowait(s, event);

    if (stashed) {
        return stashed;
    }
    for (;;) {
        JsonObject *obj = qtest_qmp_receive(s);

        if (json_object_has_member(obj, "event") &&
            !strcmp(json_object_get_string_member(obj, "event"), event)) {
            return obj;
        }
        g_queue_push_tail(&s->events, obj);
    }
}

void qtest_qmp_eventwait(QTestState *s, const char *event)
{
    json_object_unref(qtest_qmp_eventwait_ref(s, event));
}

JsonObject *qtest_qmp_greeting(QTestState *s)
{
    return s->greeting;
}

JsonNode *qtest_qmp_assert_success(JsonObject *rsp)
{
    if (!json_object_has_member(rsp, "return")) {
        g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
        g_autofree char *text = NULL;

        json_node_set_object(node, rsp);
        text = json_to_string(node, FALSE);
        g_error("QMP command failed: %s", text);
    }
    return json_object_get_member(rsp, "return");
}

gint qtest_compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *qtest_json_str(const char *s)
{
    g_autoptr(JsonNode) str = json_node_new(JSON_NODE_VALUE);

    json_node_set_string(str, s);
    return json_to_string(str, FALSE);
}

char *qtest_hmp(QTestState *s, const char *fmt, ...)
{
    g_autofree char *line = NULL;
    g_autofree char *quoted = NULL;
    JsonObject *rsp;
    char *out;
    va_list ap;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    quoted = qtest_json_str(line);
    rsp = qtest_qmp(s, "{\"execute\": \"human-monitor-command\","
                    " \"arguments\": {\"command-line\": %s}}", quoted);
    out = g_strdup(json_node_get_string(qtest_qmp_assert_success(rsp)));
    json_object_unref(rsp);
    return out;
}

/* "name-X.Y" other than the one with an alias (the newest). */
static bool machine_is_old_versioned(const char *name, JsonArray *machines)
{
    const char *dash = strrchr(name, '-');

    if (!dash || !g_ascii_isdigit(dash[1])) {
        return false;
    }
    for (guint i = 0; i < json_array_get_length(machines); i++) {
        JsonObject *m = json_array_get_object_element(machines, i);

        if (!strcmp(json_object_get_string_member(m, "name"), name)) {
            return !json_object_has_member(m, "alias");
        }
    }
    return false;
}

void qtest_cb_for_every_machine(void (*cb)(const char *machine),
                                bool skip_old_versioned)
{
    QTestState *s = qtest_init("-machine none");
    JsonObject *rsp = qtest_qmp(s, "{\"execute\": \"query-machines\"}");
    JsonArray *machines = json_node_get_array(qtest_qmp_assert_success(rsp));

    for (guint i = 0; i < json_array_get_length(machines); i++) {
        JsonObject *m = json_array_get_object_element(machines, i);
        const char *name = json_object_get_string_member(m, "name");

        if (!skip_old_versioned ||
            !machine_is_old_versioned(name, machines)) {
            cb(name);
        }
    }
    json_object_unref(rsp);
    qtest_quit(s);
}

/* ---- life cycle --------------------------------------------------- */

QTestState *qtest_init(const char *extra_args)
{
    QTestState *s = g_new0(QTestState, 1);
    g_autofree char *sock = NULL, *qmp = NULL, *cmd = NULL, *trace = NULL;
    g_autofree char *reply = NULL;
    g_autoptr(GError) err = NULL;
    JsonObject *rsp;
    int qtest_lfd, qmp_lfd;

    s->exit_status = -1;
    s->rx = g_string_new(NULL);
    s->qmp_rx = g_string_new(NULL);
    s->tmpdir = g_dir_make_tmp("qtest-XXXXXX", &err);
    g_assert_no_error(err);
    sock = g_build_filename(s->tmpdir, "qtest.sock", NULL);
    qmp = g_build_filename(s->tmpdir, "qtest.qmp", NULL);
    qtest_lfd = listen_unix(sock);
    qmp_lfd = listen_unix(qmp);

    /* As libqtest: QTEST_TRACE becomes the binary's -trace option. */
    trace = g_getenv("QTEST_TRACE") ?
            g_strdup_printf("-trace '%s' ", g_getenv("QTEST_TRACE")) :
            g_strdup("");
    cmd = g_strdup_printf("exec %s %s-qtest unix:%s -qtest-log %s"
                          " -chardev socket,path=%s,id=char0"
                          " -mon chardev=char0,mode=control"
                          " -display none -audio none"
                          " -run-with exit-with-parent=on %s -accel qtest",
                          qtest_binary(), trace, sock,
                          g_getenv("QTEST_LOG") ? "/dev/stderr" : "/dev/null",
                          qmp, extra_args ? extra_args : "");
    if (g_getenv("QTEST_LOG")) {
        g_printerr("libqtest: %s\n", cmd);
    }
    s->pid = fork();
    g_assert_cmpint(s->pid, >=, 0);
    if (s->pid == 0) {
        execlp("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    s->qtest_fd = accept_one(s, qtest_lfd);
    s->qmp_fd = accept_one(s, qmp_lfd);
    close(qtest_lfd);
    close(qmp_lfd);
    unlink(sock);
    unlink(qmp);

    reply = qtest_raw_cmd(s, "endianness");
    g_assert_cmpstr(reply, ==, "OK little");

    s->greeting = qmp_response(s);
    g_assert_true(json_object_has_member(s->greeting, "QMP"));
    rsp = qtest_qmp(s, "{\"execute\": \"qmp_capabilities\"}");
    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
    return s;
}

QTestState *qtest_initf(const char *fmt, ...)
{
    g_autofree char *args = NULL;
    va_list ap;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

int qtest_wait_exit(QTestState *s)
{
    gint64 deadline = g_get_monotonic_time() +
                      QTEST_TIMEOUT_S * G_USEC_PER_SEC;

    while (s->exit_status < 0) {
        int status;
        pid_t r = waitpid(s->pid, &status, WNOHANG);

        if (r == s->pid) {
            s->exit_status = status;
            break;
        }
        g_assert_cmpint(r, ==, 0);
        if (g_get_monotonic_time() > deadline) {
            kill(s->pid, SIGKILL);
            g_error("daemon did not exit in %d s", QTEST_TIMEOUT_S);
        }
        /* Hang guard only: woken by the daemon's exit closing QMP. */
        {
            struct pollfd pfd = { .fd = s->qmp_fd, .events = POLLIN };

            poll(&pfd, 1, 100);
        }
    }
    return s->exit_status;
}

static void qtest_free(QTestState *s)
{
    close(s->qtest_fd);
    close(s->qmp_fd);
    g_string_free(s->rx, TRUE);
    g_string_free(s->qmp_rx, TRUE);
    g_queue_clear_full(&s->events, (GDestroyNotify)json_object_unref);
    json_object_unref(s->greeting);
    rmdir(s->tmpdir);
    g_free(s->tmpdir);
    g_free(s);
}

void qtest_quit(QTestState *s)
{
    int status;

    if (s->exit_status < 0) {
        kill(s->pid, SIGTERM);
    }
    status = qtest_wait_exit(s);
    if (WIFSIGNALED(status)) {
        g_error("daemon died from signal %d", WTERMSIG(status));
    }
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    qtest_free(s);
}

/* ---- raw clients -------------------------------------------------- */

void qtest_send_raw(QTestState *s, const void *buf, size_t len)
{
    send_all(s->qtest_fd, buf, len);
}

char *qtest_recv_reply(QTestState *s)
{
    return qtest_recv_line(s);
}

struct QTestClient {
    int fd;
    GString *rx;
};

QTestClient *qtest_client_fd(int fd)
{
    QTestClient *c = g_new0(QTestClient, 1);
    struct timeval tv = { .tv_sec = QTEST_TIMEOUT_S };

    /* Hang guard only: a read that waits this long fails the test. */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    c->fd = fd;
    c->rx = g_string_new(NULL);
    return c;
}

QTestClient *qtest_client_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        g_error("connect to %s: %s", path, g_strerror(errno));
    }
    return qtest_client_fd(fd);
}

void qtest_client_send_fds(QTestClient *c, const int *fds, size_t nfds,
                           const char *line)
{
    send_line_fds(c->fd, fds, nfds, line);
}

void qtest_client_send(QTestClient *c, const void *buf, size_t len)
{
    send_all(c->fd, buf, len);
}

void qtest_client_sendf(QTestClient *c, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_all(c->fd, text, strlen(text));
}

/* Append what the peer sends next; false at end of file. */
static bool client_fill(QTestClient *c)
{
    char tmp[65536];
    ssize_t n;

    do {
        n = read(c->fd, tmp, sizeof(tmp));
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ECONNRESET) {
        return false;
    }
    if (n < 0) {
        g_error("client read: %s (hang guard: %d s)", g_strerror(errno),
                QTEST_TIMEOUT_S);
    }
    g_string_append_len(c->rx, tmp, n);
    return n > 0;
}

char *qtest_client_line(QTestClient *c)
{
    char *nl;

    while (!(nl = memchr(c->rx->str, '\n', c->rx->len))) {
        if (!client_fill(c)) {
            return NULL;
        }
    }
    {
        size_t n = nl - c->rx->str;
        char *line = g_strndup(c->rx->str,
                               n && nl[-1] == '\r' ? n - 1 : n);

        g_string_erase(c->rx, 0, n + 1);
        return line;
    }
}

size_t qtest_client_drain(QTestClient *c)
{
    size_t total = c->rx->len;

    g_string_truncate(c->rx, 0);
    while (client_fill(c)) {
        total += c->rx->len;
        g_string_truncate(c->rx, 0);
    }
    return total;
}

char *qtest_client_qmp_reply(QTestClient *c)
{
    for (;;) {
        char *line = qtest_client_line(c);

        if (!line) {
            g_error("QMP connection closed by the daemon");
        }
        if (!g_str_has_prefix(line, "{\"timestamp\"")) {
            return line;
        }
        g_free(line);
    }
}

void qtest_client_qmp_negotiate(QTestClient *c)
{
    g_autofree char *greeting = qtest_client_line(c);
    g_autofree char *rsp = NULL;

    g_assert_true(g_str_has_prefix(greeting, "{\"QMP\""));
    qtest_client_sendf(c, "{\"execute\": \"qmp_capabilities\"}\n");
    rsp = qtest_client_qmp_reply(c);
    g_assert_true(g_str_has_prefix(rsp, "{\"return\""));
}

QTestClient *qtest_client_qmp(const char *path)
{
    QTestClient *c = qtest_client_unix(path);

    qtest_client_qmp_negotiate(c);
    return c;
}

void qtest_client_free(QTestClient *c)
{
    close(c->fd);
    g_string_free(c->rx, TRUE);
    g_free(c);
}

/* ---- QOSBus ------------------------------------------------------- */

static uint32_t bus_readl(void *opaque, uint64_t addr)
{
    return qtest_readl(opaque, addr);
}

static void bus_writel(void *opaque, uint64_t addr, uint32_t val)
{
    qtest_writel(opaque, addr, val);
}

static uint64_t bus_readq(void *opaque, uint64_t addr)
{
    return qtest_readq(opaque, addr);
}

static void bus_writeq(void *opaque, uint64_t addr, uint64_t val)
{
    qtest_writeq(opaque, addr, val);
}

static void bus_memread(void *opaque, uint64_t addr, void *buf, size_t len)
{
    qtest_memread(opaque, addr, buf, len);
}

static void bus_memwrite(void *opaque, uint64_t addr, const void *buf,
                         size_t len)
{
    qtest_memwrite(opaque, addr, buf, len);
}

static bool bus_irq_level(void *opaque, int n)
{
    return qtest_get_irq(opaque, n);
}

void qtest_qos_bus_init(QTestState *s, QOSBus *bus)
{
    *bus = (QOSBus) {
        .opaque = s,
        .readl = bus_readl,
        .writel = bus_writel,
        .readq = bus_readq,
        .writeq = bus_writeq,
        .memread = bus_memread,
        .memwrite = bus_memwrite,
        .irq_level = bus_irq_level,
    };
}
