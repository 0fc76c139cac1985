/*
 * Socket and stdio character devices for the qtest and QMP servers.
 *
 * Owns the declared and inline chardevs (chardevs), their listeners and
 * their connections.  Sockets are gio's: a GSocketService per server, a
 * GSocketConnection per client; stdio is a pair of GUnix streams.  Every
 * connection is read and written through its pollable streams from
 * main-loop sources, so no peer can block the loop.  Main thread only:
 * no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "qemu/error-report.h"
#include "qemu/fd-registry.h"
#include "chardev/char.h"
#include "qom/object.h"
#include "trace.h"
#include <gio/gio.h>
#include <gio/gunixfdmessage.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>

#define CHAR_READ_CHUNK     (16 * 1024)

typedef enum ChardevKind {
    CHARDEV_STDIO,
    CHARDEV_UNIX,
    CHARDEV_TCP,
    CHARDEV_FD,                 /* a socket passed by the manager (fd=) */
} ChardevKind;

typedef struct Chardev {
    char *id;                   /* or the inline spec's label */
    ChardevKind kind;
    char *path;                 /* CHARDEV_UNIX */
    char *host;                 /* CHARDEV_TCP */
    guint16 port;
    int fd;                     /* CHARDEV_FD, until opened */
    bool server;
    bool wait;
    bool in_use;
    GSocketService *service;
    /* The socket file we bound, to unlink it at exit only if still ours. */
    bool own_file;
    dev_t file_dev;
    ino_t file_ino;
    CharConnNewFunc *new_conn;
    void *opaque;
    GList *conns;               /* of CharConn * */
} Chardev;

struct CharConn {
    Chardev *chr;
    GIOStream *stream;          /* NULL for stdio */
    GInputStream *in;
    GOutputStream *out;
    GSource *in_src;
    GSource *out_src;
    GByteArray *outq;           /* accepted, not yet written */
    GSocket *unix_sock;         /* a Unix socket: read with SCM_RIGHTS */
    GQueue fds;                 /* received descriptors, not yet taken */
    uint64_t fds_received, fds_dropped;
    bool dead;                  /* being dropped: no more I/O */
    guint reap_src;
    CharConnReadFunc *read;
    CharConnCloseFunc *close;
    void *opaque;
};

static GPtrArray *chardevs;     /* of Chardev *, declared and inline */
static bool stdio_in_use;

/* ---- the types ---------------------------------------------------- */

static const TypePropertyInfo chardev_socket_props[] = {
    { "connected", "bool", "a peer is connected" },
    { NULL }
};

static const TypeInfo chardev_types[] = {
    { .name = TYPE_CHARDEV, .parent = TYPE_OBJECT, .abstract = true },
    { .name = "chardev-socket", .parent = TYPE_CHARDEV,
      .props = chardev_socket_props },
    { .name = "chardev-stdio", .parent = TYPE_CHARDEV },
};

static void chardev_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(chardev_types); i++) {
        type_register_static(&chardev_types[i]);
    }
}

type_init(chardev_register_types)

void qemu_chardev_foreach(void (*func)(const char *id, const char *type,
                                       bool connected, void *opaque),
                          void *opaque)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        func(chr->id, chr->kind == CHARDEV_STDIO ? "chardev-stdio"
                                                 : "chardev-socket",
             chr->conns != NULL, opaque);
    }
}

static Chardev *chardev_find(const char *id)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        if (!strcmp(chr->id, id)) {
            return chr;
        }
    }
    return NULL;
}

static Chardev *chardev_new(const char *id, ChardevKind kind)
{
    Chardev *chr = g_new0(Chardev, 1);

    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    chr->id = g_strdup(id);
    chr->kind = kind;
    chr->fd = -1;
    chr->wait = true;
    g_ptr_array_add(chardevs, chr);
    return chr;
}

static void chardev_free(Chardev *chr)
{
    if (chr->fd >= 0) {
        close(chr->fd);
    }
    g_ptr_array_remove(chardevs, chr);
    g_free(chr->id);
    g_free(chr->path);
    g_free(chr->host);
    g_free(chr);
}

/* *VAL is NAME's string value or NULL; false if not a string. */
static bool qemu_opt_get_str_ok(QemuOpts *opts, const char *name,
                                const char **val, Error **errp)
{
    Error *err = NULL;

    *val = qemu_opt_get_str(opts, name, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

/*
 * fd=N (a descriptor inherited from the manager, libvirt's monitor) or
 * fd=NAME (one passed with getfd): a stream socket, listening for
 * server=on, else connected.  The chardev owns it from now on.
 */
static bool chardev_parse_fd(Chardev *chr, QemuOpts *opts, const char *str,
                             Error **errp)
{
    int type = 0, listening = 0;
    socklen_t len = sizeof(int);
    bool owned;
    int fd;

    if (qemu_opt_find(opts, "path") || qemu_opt_find(opts, "host") ||
        qemu_opt_find(opts, "port")) {
        error_setg(errp, "chardev '%s': fd= cannot be combined with path=,"
                   " host= or port=", chr->id);
        return false;
    }
    fd = qemu_fd_param(str, &owned, errp);
    if (fd < 0) {
        return false;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
        type != SOCK_STREAM) {
        error_setg(errp, "chardev '%s': fd %d is not a stream socket",
                   chr->id, fd);
        goto fail;
    }
    len = sizeof(int);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) {
        listening = 0;
    }
    if (!listening != !chr->server) {
        error_setg(errp, "chardev '%s': fd %d is %s listening socket, but"
                   " server=%s", chr->id, fd, listening ? "a" : "not a",
                   chr->server ? "on" : "off");
        goto fail;
    }
    /* Ours now; the inherited number is not reused by the manager. */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    chr->kind = CHARDEV_FD;
    chr->fd = fd;
    return true;

fail:
    if (owned) {
        close(fd);
    }
    return false;
}

/* Options naming the endpoint: path=, fd=, or host= and port=. */
static bool chardev_parse_addr(Chardev *chr, QemuOpts *opts, Error **errp)
{
    const char *path, *host, *port, *fd;
    guint64 v;

    if (!qemu_opt_get_str_ok(opts, "fd", &fd, errp)) {
        return false;
    }
    if (fd) {
        return chardev_parse_fd(chr, opts, fd, errp);
    }
    if (!qemu_opt_get_str_ok(opts, "path", &path, errp) ||
        !qemu_opt_get_str_ok(opts, "host", &host, errp) ||
        !qemu_opt_get_str_ok(opts, "port", &port, errp)) {
        return false;
    }
    if (path && (host || port)) {
        error_setg(errp, "chardev '%s': path= cannot be combined with"
                   " host= or port=", chr->id);
        return false;
    }
    if (path) {
        chr->kind = CHARDEV_UNIX;
        chr->path = g_strdup(path);
        return true;
    }
    if (!host || !*host) {
        error_setg(errp, "chardev: socket: no host given");
        return false;
    }
    if (!port || !g_ascii_string_to_unsigned(port, 10, 1, 65535, &v, NULL)) {
        error_setg(errp, "chardev '%s': port= must be a number in 1..65535",
                   chr->id);
        return false;
    }
    chr->kind = CHARDEV_TCP;
    chr->host = g_strdup(host);
    chr->port = v;
    return true;
}

/* Socket options shared by -chardev socket and the inline unix: form. */
static bool chardev_parse_socket(Chardev *chr, QemuOpts *opts, Error **errp)
{
    static const char *const known[] = {
        "backend", "id", "path", "host", "port", "fd", "server", "wait",
        NULL
    };

    if (!qemu_opts_check_keys(opts, known, errp) ||
        !qemu_opt_get_bool(opts, "server", &chr->server, errp) ||
        !qemu_opt_get_bool(opts, "wait", &chr->wait, errp)) {
        return false;
    }
    return chardev_parse_addr(chr, opts, errp);
}

bool qemu_chardev_add(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "backend", errp);
    const char *backend, *id;
    Chardev *chr;

    if (!opts) {
        return false;
    }
    backend = qemu_opt_get_str(opts, "backend", errp);
    if (!backend) {
        error_setg(errp, "Parameter 'backend' is missing");
        return false;
    }
    id = qemu_opt_get_str(opts, "id", errp);
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    if (strcmp(backend, "socket") != 0) {
        error_setg(errp, "'%s' is not a valid char driver name", backend);
        return false;
    }
    if (chardev_find(id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object"
                   " (type 'container')", id);
        return false;
    }
    chr = chardev_new(id, CHARDEV_UNIX);
    if (!chardev_parse_socket(chr, opts, errp)) {
        chardev_free(chr);
        return false;
    }
    trace_chardev_add(id, chr->path ? chr->path : chr->host ? chr->host
                      : "fd", chr->server, chr->wait);
    return true;
}

bool qemu_chardev_exists(const char *id)
{
    return chardev_find(id) != NULL;
}

const char *char_conn_label(CharConn *c)
{
    return c->chr->id;
}

/* ---- connections ------------------------------------------------- */

static void conn_drop_sources(CharConn *c)
{
    if (c->in_src) {
        g_source_destroy(c->in_src);
        g_clear_pointer(&c->in_src, g_source_unref);
    }
    if (c->out_src) {
        g_source_destroy(c->out_src);
        g_clear_pointer(&c->out_src, g_source_unref);
    }
}

static void conn_free(CharConn *c)
{
    c->chr->conns = g_list_remove(c->chr->conns, c);
    conn_drop_sources(c);
    if (c->reap_src) {
        g_source_remove(c->reap_src);
    }
    if (c->stream) {
        g_io_stream_close(c->stream, NULL, NULL);
        g_object_unref(c->stream);
    } else {
        g_object_unref(c->in);
        g_object_unref(c->out);
    }
    g_byte_array_unref(c->outq);
    char_conn_drop_fds(c);
    g_free(c);
}

static gboolean conn_reap(gpointer opaque)
{
    CharConn *c = opaque;

    c->reap_src = 0;
    trace_chardev_conn_closed(c->chr->id);
    if (c->close) {
        c->close(c, c->opaque);
    }
    conn_free(c);
    return G_SOURCE_REMOVE;
}

/*
 * Stop all I/O on C and close it from the main loop: callers may be
 * iterating over their connections.
 */
static void conn_kill(CharConn *c)
{
    if (c->dead) {
        return;
    }
    c->dead = true;
    conn_drop_sources(c);
    c->reap_src = g_idle_add(conn_reap, c);
}

/*
 * Keep what came with a message, within CHAR_CONN_MAX_FDS.  As QEMU's
 * socket chardev: descriptors of an earlier message that nobody took
 * are closed when new ones arrive.
 */
static void conn_take_control(CharConn *c, GSocketControlMessage **msgs,
                              int nmsgs)
{
    for (int i = 0; i < nmsgs; i++) {
        if (G_IS_UNIX_FD_MESSAGE(msgs[i])) {
            int nfds = 0;
            g_autofree int *fds = g_unix_fd_message_steal_fds(
                                    G_UNIX_FD_MESSAGE(msgs[i]), &nfds);

            if (nfds) {
                c->fds_dropped += g_queue_get_length(&c->fds);
                char_conn_drop_fds(c);
            }
            for (int j = 0; j < nfds; j++) {
                c->fds_received++;
                if (g_queue_get_length(&c->fds) >= CHAR_CONN_MAX_FDS) {
                    c->fds_dropped++;
                    trace_chardev_fd_dropped(c->chr->id, fds[j]);
                    close(fds[j]);
                    continue;
                }
                trace_chardev_fd_received(c->chr->id, fds[j]);
                g_queue_push_tail(&c->fds, GINT_TO_POINTER(fds[j]));
            }
        }
        g_object_unref(msgs[i]);
    }
    g_free(msgs);
}

/* One non-blocking read of a Unix socket, with its descriptors. */
static gssize conn_receive(CharConn *c, char *buf, size_t len, GError **err)
{
    GInputVector vec = { buf, len };
    GSocketControlMessage **msgs = NULL;
    int nmsgs = 0, flags = 0;
    gssize n;

    n = g_socket_receive_message(c->unix_sock, NULL, &vec, 1, &msgs, &nmsgs,
                                 &flags, NULL, err);
    conn_take_control(c, msgs, nmsgs);
    return n;
}

int char_conn_take_fd(CharConn *c)
{
    return g_queue_is_empty(&c->fds) ? -1
           : GPOINTER_TO_INT(g_queue_pop_head(&c->fds));
}

void char_conn_drop_fds(CharConn *c)
{
    int fd;

    while ((fd = char_conn_take_fd(c)) >= 0) {
        close(fd);
    }
}

void char_conn_fd_stats(CharConn *c, uint64_t *received, uint64_t *dropped)
{
    *received = c->fds_received;
    *dropped = c->fds_dropped;
}

static gboolean conn_readable(GObject *stream, gpointer opaque)
{
    CharConn *c = opaque;
    g_autoptr(GError) err = NULL;
    char buf[CHAR_READ_CHUNK];
    gssize n;

    if (c->unix_sock) {
        n = conn_receive(c, buf, sizeof(buf), &err);
    } else if (g_pollable_input_stream_can_poll(
                   G_POLLABLE_INPUT_STREAM(c->in))) {
        n = g_pollable_input_stream_read_nonblocking(
                G_POLLABLE_INPUT_STREAM(c->in), buf, sizeof(buf), NULL, &err);
    } else {
        /* A regular file on stdin: reads never wait. */
        n = g_input_stream_read(c->in, buf, sizeof(buf), NULL, &err);
    }
    if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        conn_kill(c);
        return G_SOURCE_REMOVE;
    }
    /* Last use of c: the handler may close the connection. */
    if (c->read) {
        c->read(c, buf, n, c->opaque);
    }
    return G_SOURCE_CONTINUE;
}

/* stdin that cannot be polled (a regular file): read from an idle. */
static gboolean conn_readable_idle(gpointer opaque)
{
    return conn_readable(NULL, opaque);
}

/* Write what the peer takes now; false if the connection failed. */
static bool conn_flush(CharConn *c)
{
    GOutputStream *out = c->out;
    g_autoptr(GError) err = NULL;

    while (c->outq->len) {
        gssize n;

        if (g_pollable_output_stream_can_poll(G_POLLABLE_OUTPUT_STREAM(out))) {
            n = g_pollable_output_stream_write_nonblocking(
                    G_POLLABLE_OUTPUT_STREAM(out), c->outq->data,
                    c->outq->len, NULL, &err);
        } else {
            n = g_output_stream_write(out, c->outq->data, c->outq->len,
                                      NULL, &err);
        }
        if (n < 0 && g_error_matches(err, G_IO_ERROR,
                                     G_IO_ERROR_WOULD_BLOCK)) {
            return true;
        }
        if (n <= 0) {
            trace_chardev_write_error(c->chr->id, err ? err->message : "");
            return false;
        }
        g_byte_array_remove_range(c->outq, 0, n);
    }
    return true;
}

static gboolean conn_writable(GObject *stream, gpointer opaque);

static void conn_update_out_src(CharConn *c)
{
    if (c->outq->len && !c->out_src) {
        c->out_src = g_pollable_output_stream_create_source(
                        G_POLLABLE_OUTPUT_STREAM(c->out), NULL);
        g_source_set_callback(c->out_src, G_SOURCE_FUNC(conn_writable), c,
                              NULL);
        g_source_attach(c->out_src, NULL);
    } else if (!c->outq->len && c->out_src) {
        g_source_destroy(c->out_src);
        g_clear_pointer(&c->out_src, g_source_unref);
    }
}

static gboolean conn_writable(GObject *stream, gpointer opaque)
{
    CharConn *c = opaque;

    if (!conn_flush(c)) {
        conn_kill(c);
        return G_SOURCE_REMOVE;
    }
    conn_update_out_src(c);
    return G_SOURCE_CONTINUE;
}

void char_conn_write(CharConn *c, const char *buf, size_t len)
{
    if (c->dead) {
        return;
    }
    if (c->outq->len + len > CHAR_CONN_MAX_OUTPUT) {
        error_report("chardev '%s': dropping a client that stopped reading"
                     " (%u bytes unsent, limit %d)", c->chr->id,
                     c->outq->len, CHAR_CONN_MAX_OUTPUT);
        conn_kill(c);
        return;
    }
    g_byte_array_append(c->outq, (const guint8 *)buf, len);
    if (!c->out_src && !conn_flush(c)) {
        conn_kill(c);
        return;
    }
    conn_update_out_src(c);
}

static void conn_new(Chardev *chr, GIOStream *stream, GInputStream *in,
                     GOutputStream *out, GSocket *unix_sock)
{
    CharConn *c = g_new0(CharConn, 1);

    c->chr = chr;
    c->unix_sock = unix_sock;
    g_queue_init(&c->fds);
    c->stream = stream;
    c->in = in;
    c->out = out;
    c->outq = g_byte_array_new();
    chr->conns = g_list_append(chr->conns, c);
    trace_chardev_conn_new(chr->id);
    chr->new_conn(c, chr->opaque);
    if (c->dead) {
        return;     /* dropped while greeting */
    }
    if (g_pollable_input_stream_can_poll(G_POLLABLE_INPUT_STREAM(in))) {
        c->in_src = g_pollable_input_stream_create_source(
                        G_POLLABLE_INPUT_STREAM(in), NULL);
        g_source_set_callback(c->in_src, G_SOURCE_FUNC(conn_readable), c,
                              NULL);
    } else {
        c->in_src = g_idle_source_new();
        g_source_set_callback(c->in_src, conn_readable_idle, c, NULL);
    }
    g_source_attach(c->in_src, NULL);
}

static void conn_new_socket(Chardev *chr, GSocketConnection *sc)
{
    GIOStream *stream = G_IO_STREAM(sc);
    GSocket *sock = g_socket_connection_get_socket(sc);

    if (g_socket_get_family(sock) == G_SOCKET_FAMILY_UNIX) {
        /* Reads go through g_socket_receive_message(): never block. */
        g_socket_set_blocking(sock, FALSE);
    } else {
        sock = NULL;
    }
    conn_new(chr, stream, g_io_stream_get_input_stream(stream),
             g_io_stream_get_output_stream(stream), sock);
}

void char_conn_set_handlers(CharConn *c, CharConnReadFunc *read,
                            CharConnCloseFunc *close, void *opaque)
{
    c->read = read;
    c->close = close;
    c->opaque = opaque;
}

void char_conn_close(CharConn *c)
{
    conn_free(c);
}

/* ---- endpoints --------------------------------------------------- */

/* The reason in a GError from gio's socket calls ("...: REASON"). */
static const char *gio_reason(const GError *err)
{
    const char *colon = strrchr(err->message, ':');

    return colon && colon[1] == ' ' ? colon + 2 : err->message;
}

static GSocketAddress *chardev_address(Chardev *chr, Error **errp)
{
    g_autoptr(GSocketAddressEnumerator) e = NULL;
    g_autoptr(GSocketConnectable) na = NULL;
    g_autoptr(GError) err = NULL;
    GSocketAddress *addr;

    if (chr->kind == CHARDEV_UNIX) {
        if (strlen(chr->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
            error_setg(errp, "UNIX socket path '%s' is too long", chr->path);
            return NULL;
        }
        return g_unix_socket_address_new(chr->path);
    }
    na = g_network_address_new(chr->host, chr->port);
    e = g_socket_connectable_enumerate(na);
    addr = g_socket_address_enumerator_next(e, NULL, &err);
    if (!addr) {
        error_setg(errp, "address resolution failed for %s:%u: %s",
                   chr->host, chr->port,
                   err ? err->message : "no address");
    }
    return addr;
}

static const char *chardev_where(Chardev *chr, char **buf)
{
    if (chr->kind == CHARDEV_UNIX) {
        return chr->path;
    }
    if (chr->kind == CHARDEV_FD) {
        *buf = g_strdup_printf("fd %d", chr->fd);
        return *buf;
    }
    *buf = g_strdup_printf("%s:%u", chr->host, chr->port);
    return *buf;
}

/* The socket fd= passed, now owned by a GSocket. */
static GSocket *chardev_fd_socket(Chardev *chr, Error **errp)
{
    g_autoptr(GError) err = NULL;
    GSocket *sock = g_socket_new_from_fd(chr->fd, &err);

    if (!sock) {
        error_setg(errp, "chardev '%s': fd %d: %s", chr->id, chr->fd,
                   err->message);
        return NULL;
    }
    chr->fd = -1;
    return sock;
}

static bool chardev_connect(Chardev *chr, Error **errp)
{
    g_autoptr(GSocketAddress) addr = NULL;
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;
    GSocketConnection *sc;

    if (chr->kind == CHARDEV_FD) {
        g_autoptr(GSocket) sock = chardev_fd_socket(chr, errp);

        if (!sock) {
            return false;
        }
        conn_new_socket(chr, g_socket_connection_factory_create_connection(
                                 sock));
        return true;
    }
    addr = chardev_address(chr, errp);
    if (!addr) {
        return false;
    }
    sc = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL,
                                 &err);
    if (!sc) {
        error_setg(errp, "Failed to connect to '%s': %s",
                   chardev_where(chr, &buf), gio_reason(err));
        return false;
    }
    conn_new_socket(chr, sc);
    return true;
}

/*
 * Is something accepting connections on the Unix socket at PATH?  Only
 * a refused connection means no: a full backlog still means a listener.
 */
static bool unix_path_is_live(GSocketAddress *addr)
{
    g_autoptr(GSocket) probe = NULL;
    g_autoptr(GError) err = NULL;

    probe = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_DEFAULT, NULL);
    if (!probe) {
        return true;
    }
    g_socket_set_blocking(probe, FALSE);
    if (g_socket_connect(probe, addr, NULL, &err)) {
        return true;
    }
    return !g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

/* Bind a Unix socket; replace PATH only if it is a stale socket. */
static bool unix_bind(Chardev *chr, GSocket *sock, GSocketAddress *addr,
                      Error **errp)
{
    g_autoptr(GError) err = NULL;
    struct stat st;

    /* Only we may connect, whatever the umask (the inode's mode). */
    if (fchmod(g_socket_get_fd(sock), S_IRUSR | S_IWUSR) < 0) {
        error_setg_errno(errp, errno, "Failed to set mode of socket '%s'",
                         chr->path);
        return false;
    }
    if (!g_socket_bind(sock, addr, FALSE, &err) &&
        g_error_matches(err, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE) &&
        lstat(chr->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
        !unix_path_is_live(addr)) {
        /* Stale: left by a daemon that died.  Take it over. */
        unlink(chr->path);
        g_clear_error(&err);
        g_socket_bind(sock, addr, FALSE, &err);
    }
    if (err) {
        error_setg(errp, "Failed to bind socket to %s: %s", chr->path,
                   gio_reason(err));
        return false;
    }
    if (lstat(chr->path, &st) == 0) {
        chr->own_file = true;
        chr->file_dev = st.st_dev;
        chr->file_ino = st.st_ino;
    }
    return true;
}

static GSocket *chardev_listen_socket(Chardev *chr, Error **errp)
{
    g_autoptr(GSocketAddress) addr = NULL;
    g_autoptr(GSocket) sock = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;

    if (chr->kind == CHARDEV_FD) {
        return chardev_fd_socket(chr, errp);     /* already listening */
    }
    addr = chardev_address(chr, errp);
    if (!addr) {
        return NULL;
    }
    sock = g_socket_new(g_socket_address_get_family(addr),
                        G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                        &err);
    if (!sock) {
        error_setg(errp, "Failed to create socket: %s", err->message);
        return NULL;
    }
    if (chr->kind == CHARDEV_UNIX) {
        if (!unix_bind(chr, sock, addr, errp)) {
            return NULL;
        }
    } else if (!g_socket_bind(sock, addr, TRUE, &err)) {
        error_setg(errp, "Failed to bind socket to %s: %s",
                   chardev_where(chr, &buf), gio_reason(err));
        return NULL;
    }
    g_socket_set_listen_backlog(sock, 8);
    if (!g_socket_listen(sock, &err)) {
        error_setg(errp, "Failed to listen on socket %s: %s",
                   chardev_where(chr, &buf), gio_reason(err));
        return NULL;
    }
    return g_steal_pointer(&sock);
}

static gboolean service_incoming(GSocketService *service,
                                 GSocketConnection *sc, GObject *source,
                                 gpointer opaque)
{
    conn_new_socket(opaque, g_object_ref(sc));
    return TRUE;
}

static bool chardev_listen(Chardev *chr, Error **errp)
{
    g_autoptr(GSocket) sock = chardev_listen_socket(chr, errp);
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;

    if (!sock) {
        return false;
    }
    chr->service = g_socket_service_new();
    g_socket_service_stop(chr->service);
    g_signal_connect(chr->service, "incoming", G_CALLBACK(service_incoming),
                     chr);
    if (!g_socket_listener_add_socket(G_SOCKET_LISTENER(chr->service), sock,
                                      NULL, &err)) {
        error_setg(errp, "Failed to listen on socket %s: %s",
                   chardev_where(chr, &buf), err->message);
        return false;
    }
    if (chr->wait) {
        GSocketConnection *sc;

        info_report("waiting for connection on: disconnected:%s:%s,"
                    "server=on", chr->kind == CHARDEV_UNIX ? "unix" : "tcp",
                    chardev_where(chr, &buf));
        sc = g_socket_listener_accept(G_SOCKET_LISTENER(chr->service), NULL,
                                      NULL, NULL);
        if (sc) {
            conn_new_socket(chr, sc);
        }
    }
    g_socket_service_start(chr->service);
    return true;
}

static bool chardev_start_stdio(Chardev *chr, Error **errp)
{
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    stdio_in_use = true;
    /* As QEMU's stdio chardev: the daemon owns both ends now. */
    g_unix_set_fd_nonblocking(STDIN_FILENO, TRUE, NULL);
    g_unix_set_fd_nonblocking(STDOUT_FILENO, TRUE, NULL);
    conn_new(chr, NULL, g_unix_input_stream_new(STDIN_FILENO, FALSE),
             g_unix_output_stream_new(STDOUT_FILENO, FALSE), NULL);
    return true;
}

bool qemu_chardev_open(const char *id, CharConnNewFunc *new_conn,
                       void *opaque, Error **errp)
{
    Chardev *chr = chardev_find(id);
    bool ok;

    if (!chr) {
        error_setg(errp, "chardev \"%s\" not found", id);
        return false;
    }
    if (chr->in_use) {
        error_setg(errp, "chardev '%s' is already in use", id);
        return false;
    }
    chr->new_conn = new_conn;
    chr->opaque = opaque;
    if (chr->kind == CHARDEV_STDIO) {
        ok = chardev_start_stdio(chr, errp);
    } else if (chr->server) {
        ok = chardev_listen(chr, errp);
    } else {
        ok = chardev_connect(chr, errp);
    }
    chr->in_use = ok;
    return ok;
}

bool qemu_chardev_open_inline(const char *label, const char *spec,
                              CharConnNewFunc *new_conn, void *opaque,
                              Error **errp)
{
    Chardev *chr;

    if (chardev_find(label)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object"
                   " (type 'container')", label);
        return false;
    }
    if (!strcmp(spec, "stdio")) {
        chardev_new(label, CHARDEV_STDIO);
    } else if (g_str_has_prefix(spec, "unix:")) {
        g_autoptr(QemuOpts) opts = qemu_opts_parse(spec + 5, "path", errp);

        if (!opts) {
            return false;
        }
        chr = chardev_new(label, CHARDEV_UNIX);
        if (!qemu_opt_find(opts, "path")) {
            error_setg(errp, "chardev: socket: no path given");
            chardev_free(chr);
            return false;
        }
        if (!chardev_parse_socket(chr, opts, errp)) {
            chardev_free(chr);
            return false;
        }
    } else {
        error_setg(errp, "'%s' is not a valid char driver name"
                   " (use unix:PATH or stdio)", spec);
        return false;
    }
    return qemu_chardev_open(label, new_conn, opaque, errp);
}

/* ---- teardown ---------------------------------------------------- */

static void chardev_unlink_own(Chardev *chr)
{
    struct stat st;

    if (chr->own_file && lstat(chr->path, &st) == 0 &&
        st.st_dev == chr->file_dev && st.st_ino == chr->file_ino) {
        unlink(chr->path);
    }
}

void qemu_chardev_cleanup(void)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        while (chr->conns) {
            CharConn *c = chr->conns->data;

            if (!c->dead) {
                conn_flush(c);  /* last chance, without waiting */
            }
            conn_free(c);
        }
        if (chr->service) {
            g_socket_service_stop(chr->service);
            g_socket_listener_close(G_SOCKET_LISTENER(chr->service));
            g_clear_object(&chr->service);
        }
        chardev_unlink_own(chr);
        if (chr->kind == CHARDEV_STDIO) {
            g_unix_set_fd_nonblocking(STDIN_FILENO, FALSE, NULL);
            g_unix_set_fd_nonblocking(STDOUT_FILENO, FALSE, NULL);
            stdio_in_use = false;
        }
        if (chr->fd >= 0) {
            close(chr->fd);         /* declared, never opened */
        }
        g_free(chr->id);
        g_free(chr->path);
        g_free(chr->host);
        g_free(chr);
    }
    g_clear_pointer(&chardevs, g_ptr_array_unref);
}
