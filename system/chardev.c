/*
 * Socket and stdio character devices for the qtest and QMP servers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "qemu/error-report.h"
#include "chardev/char.h"
#include "trace.h"
#include <glib-unix.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

typedef struct Chardev {
    char *id;                   /* or the inline spec's label */
    char *path;                 /* NULL for stdio */
    bool server;
    bool wait;
    bool in_use;
    int listen_fd;
    guint listen_src;
    CharConnNewFunc *new_conn;
    void *opaque;
    GList *conns;               /* of CharConn * */
} Chardev;

struct CharConn {
    Chardev *chr;
    int in_fd;
    int out_fd;
    guint src;
    CharConnReadFunc *read;
    CharConnCloseFunc *close;
    void *opaque;
};

static GPtrArray *chardevs;     /* of Chardev *, declared and inline */

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

static Chardev *chardev_new(const char *id)
{
    Chardev *chr = g_new0(Chardev, 1);

    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    chr->id = g_strdup(id);
    chr->listen_fd = -1;
    g_ptr_array_add(chardevs, chr);
    return chr;
}

/* Socket options shared by -chardev socket and the inline unix: form. */
static bool chardev_parse_socket(Chardev *chr, QemuOpts *opts, Error **errp)
{
    const char *path = NULL;

    for (guint i = 0; i < qemu_opts_count(opts); i++) {
        const QemuOpt *opt = qemu_opts_nth(opts, i);
        const char *name = opt->name;

        if (!strcmp(name, "backend") || !strcmp(name, "id")) {
            continue;
        } else if (!strcmp(name, "path")) {
            path = qemu_opt_get_str(opts, name, errp);
            if (!path) {
                return false;
            }
        } else if (!strcmp(name, "server")) {
            if (!qemu_opt_get_bool(opts, name, &chr->server, errp)) {
                return false;
            }
        } else if (!strcmp(name, "wait")) {
            if (!qemu_opt_get_bool(opts, name, &chr->wait, errp)) {
                return false;
            }
        } else if (!strcmp(name, "host") || !strcmp(name, "port") ||
                   !strcmp(name, "fd")) {
            error_setg(errp, "chardev '%s': only Unix sockets (path=...)"
                       " are supported", chr->id);
            return false;
        } else {
            error_setg(errp, "Invalid parameter '%s'", name);
            return false;
        }
    }
    if (!path) {
        error_setg(errp, "chardev: socket: no host given");
        return false;
    }
    chr->path = g_strdup(path);
    return true;
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
    chr = chardev_new(id);
    chr->wait = true;
    if (!chardev_parse_socket(chr, opts, errp)) {
        g_ptr_array_remove(chardevs, chr);
        g_free(chr->id);
        g_free(chr->path);
        g_free(chr);
        return false;
    }
    trace_chardev_add(id, chr->path, chr->server, chr->wait);
    return true;
}

bool qemu_chardev_exists(const char *id)
{
    return chardev_find(id) != NULL;
}

static void conn_free(CharConn *c)
{
    Chardev *chr = c->chr;

    chr->conns = g_list_remove(chr->conns, c);
    if (c->src) {
        g_source_remove(c->src);
    }
    if (c->in_fd > STDERR_FILENO) {
        close(c->in_fd);
    }
    g_free(c);
}

static gboolean conn_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    CharConn *c = opaque;
    char buf[4096];
    ssize_t n;

    do {
        n = read(fd, buf, sizeof(buf));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        trace_chardev_conn_closed(c->chr->id, fd);
        c->src = 0;
        if (c->close) {
            c->close(c, c->opaque);
        }
        conn_free(c);
        return G_SOURCE_REMOVE;
    }
    /* Last use of c: the handler may close the connection. */
    if (c->read) {
        c->read(c, buf, n, c->opaque);
    }
    return G_SOURCE_CONTINUE;
}

static void conn_new(Chardev *chr, int in_fd, int out_fd)
{
    CharConn *c = g_new0(CharConn, 1);

    c->chr = chr;
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    chr->conns = g_list_append(chr->conns, c);
    trace_chardev_conn_new(chr->id, in_fd);
    chr->new_conn(c, chr->opaque);
    c->src = g_unix_fd_add(in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                           conn_readable, c);
}

static gboolean listener_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (cfd >= 0) {
        conn_new(chr, cfd, cfd);
    }
    return G_SOURCE_CONTINUE;
}

static bool unix_addr(const char *path, struct sockaddr_un *addr,
                      Error **errp)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        return false;
    }
    strcpy(addr->sun_path, path);
    return true;
}

static bool chardev_start(Chardev *chr, Error **errp)
{
    struct sockaddr_un addr;
    int fd;

    if (!chr->path) {
        conn_new(chr, STDIN_FILENO, STDOUT_FILENO);
        return true;
    }
    if (!unix_addr(chr->path, &addr, errp)) {
        return false;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create Unix socket");
        return false;
    }
    if (!chr->server) {
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            error_setg_errno(errp, errno, "Failed to connect to '%s'",
                             chr->path);
            close(fd);
            return false;
        }
        conn_new(chr, fd, fd);
        return true;
    }
    /*
     * The socket inode's mode applies to the file bind() creates, so
     * nobody but us can connect, whatever our umask.
     */
    if (fchmod(fd, S_IRUSR | S_IWUSR) < 0) {
        error_setg_errno(errp, errno, "Failed to set mode of socket '%s'",
                         chr->path);
        close(fd);
        return false;
    }
    unlink(chr->path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to %s",
                         chr->path);
        close(fd);
        return false;
    }
    if (listen(fd, 8) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on socket %s",
                         chr->path);
        close(fd);
        unlink(chr->path);
        return false;
    }
    chr->listen_fd = fd;
    if (chr->wait) {
        int cfd;

        info_report("waiting for connection on: disconnected:unix:%s,"
                    "server=on", chr->path);
        do {
            cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        } while (cfd < 0 && errno == EINTR);
        if (cfd >= 0) {
            conn_new(chr, cfd, cfd);
        }
    }
    chr->listen_src = g_unix_fd_add(fd, G_IO_IN, listener_ready, chr);
    return true;
}

bool qemu_chardev_open(const char *id, CharConnNewFunc *new_conn,
                       void *opaque, Error **errp)
{
    Chardev *chr = chardev_find(id);

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
    if (!chardev_start(chr, errp)) {
        return false;
    }
    chr->in_use = true;
    return true;
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
        chr = chardev_new(label);
    } else if (g_str_has_prefix(spec, "unix:")) {
        g_autoptr(QemuOpts) opts = qemu_opts_parse(spec + 5, "path", errp);

        if (!opts) {
            return false;
        }
        chr = chardev_new(label);
        chr->wait = true;
        if (!chardev_parse_socket(chr, opts, errp)) {
            return false;
        }
    } else {
        error_setg(errp, "'%s' is not a valid char driver name"
                   " (use unix:PATH or stdio)", spec);
        return false;
    }
    return qemu_chardev_open(label, new_conn, opaque, errp);
}

void char_conn_set_handlers(CharConn *c, CharConnReadFunc *read,
                            CharConnCloseFunc *close, void *opaque)
{
    c->read = read;
    c->close = close;
    c->opaque = opaque;
}

void char_conn_write(CharConn *c, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(c->out_fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == ENOTSOCK) {
            n = write(c->out_fd, buf, len);
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            /* The read side sees the hang-up and closes the connection. */
            trace_chardev_write_error(c->chr->id, errno);
            return;
        }
        buf += n;
        len -= n;
    }
}

void char_conn_close(CharConn *c)
{
    conn_free(c);
}

void qemu_chardev_cleanup(void)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        while (chr->conns) {
            conn_free(chr->conns->data);
        }
        if (chr->listen_src) {
            g_source_remove(chr->listen_src);
        }
        if (chr->listen_fd >= 0) {
            close(chr->listen_fd);
            unlink(chr->path);
        }
        g_free(chr->id);
        g_free(chr->path);
        g_free(chr);
    }
    g_clear_pointer(&chardevs, g_ptr_array_unref);
}
