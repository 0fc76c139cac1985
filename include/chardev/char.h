/*
 * Character devices, as far as the daemon needs them: the byte streams
 * the qtest and QMP servers talk over.
 *
 * A chardev is declared with "-chardev socket,id=ID,path=PATH[,server=on]
 * [,wait=off]" (or inline, "-qtest unix:PATH", "-qmp unix:PATH,server=on")
 * and opened by one frontend.  A client chardev connects to PATH once.
 * A server chardev listens on PATH (created 0600) and accepts any number
 * of connections; with wait=on (the default for servers, as in QEMU)
 * opening it blocks until the first client connects.  "stdio" uses the
 * daemon's stdin and stdout.
 *
 * Every connection is a CharConn; the frontend gets a callback for each
 * new one and sets its handlers.  All callbacks run in the main loop, and
 * char_conn_write() may only be called from the main thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "qapi/error.h"

typedef struct CharConn CharConn;

/* Bytes received on C. */
typedef void CharConnReadFunc(CharConn *c, const char *buf, size_t len,
                              void *opaque);
/* The peer went away; C is freed when the callback returns. */
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
/* Close every chardev and connection; unlink the sockets we created. */
void qemu_chardev_cleanup(void);

void char_conn_set_handlers(CharConn *c, CharConnReadFunc *read,
                            CharConnCloseFunc *close, void *opaque);
/* Write everything (blocking); a write error closes the connection later. */
void char_conn_write(CharConn *c, const char *buf, size_t len);
/* Close from the frontend side (the close handler is not called). */
void char_conn_close(CharConn *c);

#endif /* CHARDEV_CHAR_H */
