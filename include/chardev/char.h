/*
 * Character devices, as far as the daemon needs them: the byte streams
 * the qtest and QMP servers talk over.
 *
 * A chardev is declared with "-chardev socket,id=ID,path=PATH[,server=on]
 * [,wait=off]" or "-chardev socket,id=ID,host=HOST,port=PORT[,server=on]
 * [,wait=off]" (or inline, "-qtest unix:PATH", "-qmp unix:PATH,server=on")
 * and opened by one frontend.  A client chardev connects once.  A server
 * chardev listens (a Unix socket file is created 0600) and accepts any
 * number of connections; with wait=on (the default for servers, as in
 * QEMU) opening it blocks until the first client connects.  "stdio" uses
 * the daemon's stdin and stdout; at most one chardev may use it.
 *
 * A Unix server refuses a path on which something is listening
 * ("Failed to bind socket to PATH: Address already in use") and replaces
 * a stale socket file (nothing listening).  At exit it removes the socket
 * file only if it is still the one it created (same device and inode).
 *
 * Every connection is a CharConn; the frontend gets a callback for each
 * new one and sets its handlers.  Connections never block the main loop:
 * char_conn_write() queues what the peer cannot take yet, and a peer that
 * lets more than CHAR_CONN_MAX_OUTPUT bytes pile up is dropped with an
 * error_report() naming the chardev and the cause.  All callbacks run in
 * the main loop; every function here is for the main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "qapi/error.h"

/* Output a connection may have queued before it is dropped. */
#define CHAR_CONN_MAX_OUTPUT    (4 * 1024 * 1024)
/* Received descriptors a connection may hold; more are closed. */
#define CHAR_CONN_MAX_FDS       16

typedef struct CharConn CharConn;

/* Bytes received on C. */
typedef void CharConnReadFunc(CharConn *c, const char *buf, size_t len,
                              void *opaque);
/*
 * The peer went away or was dropped; C is freed when the callback
 * returns.  Called from its own main-loop dispatch, never from inside
 * char_conn_write().
 */
typedef void CharConnCloseFunc(CharConn *c, void *opaque);
/* A new connection; set its handlers with char_conn_set_handlers(). */
typedef void CharConnNewFunc(CharConn *c, void *opaque);

/* Declare a chardev from "-chardev" options (backend "socket" only). */
bool qemu_chardev_add(const char *optarg, Error **errp);
/* True if a chardev with this id was declared. */
bool qemu_chardev_exists(const char *id);
/*
 * Open chardev ID for a frontend.  A chardev has at most one frontend:
 *   chardev 'ID' is already in use
 */
bool qemu_chardev_open(const char *id, CharConnNewFunc *new_conn,
                       void *opaque, Error **errp);
/*
 * Open an inline chardev: "unix:PATH[,server=on][,wait=off]" or "stdio".
 * LABEL names it in messages.
 */
bool qemu_chardev_open_inline(const char *label, const char *spec,
                              CharConnNewFunc *new_conn, void *opaque,
                              Error **errp);
/*
 * Call FUNC for every chardev, declared and inline, in creation order:
 * its id or label, its QOM type ("chardev-socket", "chardev-stdio") and
 * whether a peer is connected.
 */
void qemu_chardev_foreach(void (*func)(const char *id, const char *type,
                                       bool connected, void *opaque),
                          void *opaque);
#define TYPE_CHARDEV "chardev"

/*
 * Close every chardev and connection (after one last non-blocking
 * attempt to send what is queued); unlink the sockets we created.
 */
void qemu_chardev_cleanup(void);

void char_conn_set_handlers(CharConn *c, CharConnReadFunc *read,
                            CharConnCloseFunc *close, void *opaque);
/*
 * Send BUF: written at once as far as the peer takes it, the rest queued
 * and sent from the main loop.  Never blocks.  On a connection that is
 * going away (write error, queue over CHAR_CONN_MAX_OUTPUT) it does
 * nothing; the close handler follows from the main loop.
 */
void char_conn_write(CharConn *c, const char *buf, size_t len);
/* The chardev's id (or inline label), for messages. */
const char *char_conn_label(CharConn *c);
/*
 * Descriptors the peer passed over a Unix socket (SCM_RIGHTS), in the
 * order received: the oldest not yet taken, or -1.  The caller owns it.
 * Received descriptors are queued before the read handler sees the bytes
 * they came with.  Those nobody took are closed when the next message
 * with descriptors arrives (as in QEMU), and any beyond
 * CHAR_CONN_MAX_FDS at once; both count as dropped.
 */
int char_conn_take_fd(CharConn *c);
/* Close the received descriptors nobody took. */
void char_conn_drop_fds(CharConn *c);
void char_conn_fd_stats(CharConn *c, uint64_t *received, uint64_t *dropped);
/* Close from the frontend side (the close handler is not called). */
void char_conn_close(CharConn *c);

#endif /* CHARDEV_CHAR_H */
