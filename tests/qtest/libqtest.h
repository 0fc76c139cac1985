/*
 * libqtest: drive vsmmu-daemon (or QEMU) over the qtest protocol and QMP.
 *
 * qtest_init() starts the binary the way QEMU's libqtest does: it listens
 * on two Unix sockets, runs
 *
 *   /bin/sh -c "exec BINARY -qtest unix:SOCK -qtest-log /dev/null
 *       -chardev socket,path=QMP,id=char0 -mon chardev=char0,mode=control
 *       -display none EXTRA_ARGS -accel qtest"
 *
 * accepts the two connections, checks "endianness" and completes the
 * QMP capabilities negotiation.  The binary is $QTEST_QEMU_BINARY, or
 * the daemon built in this tree.  Every wait is bounded (a hang guard,
 * QTEST_TIMEOUT_S); failures abort the test.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LIBQTEST_H
#define LIBQTEST_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "libqos/qos-bus.h"

#define QTEST_TIMEOUT_S 60

typedef struct QTestState QTestState;

/* The binary under test. */
const char *qtest_binary(void);

QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* SIGTERM, wait, and assert the daemon exited with status 0. */
void qtest_quit(QTestState *s);
/* Wait for the daemon to exit by itself (e.g. after "quit"); its status. */
int qtest_wait_exit(QTestState *s);
pid_t qtest_pid(QTestState *s);

/* Send one qtest line; return the reply line (caller frees). */
char *qtest_raw_cmd(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t val);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t val);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t val);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t val);
/* Bulk access, base64 encoded on the wire. */
void qtest_memread(QTestState *s, uint64_t addr, void *buf, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t size);
/* Bulk access, hex encoded ("read"/"write" commands). */
void qtest_bufread(QTestState *s, uint64_t addr, void *buf, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern,
                  size_t size);

/* Advance the virtual clock; return its new value. */
int64_t qtest_clock_step(QTestState *s, int64_t ns);
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_set(QTestState *s, int64_t ns);

/*
 * Interrupts: intercept a device's output lines (QOM path or id) or the
 * board's interrupt controller ("/machine/gic", lines are SPI numbers).
 * qtest_get_irq() first makes sure every line the daemon sent before
 * now has been read.
 */
void qtest_irq_intercept_out(QTestState *s, const char *path);
void qtest_irq_intercept_in(QTestState *s, const char *path);
bool qtest_get_irq(QTestState *s, int n);

/*
 * QMP: send a command (printf-style JSON text) and return the response
 * object ({"return": ...} or {"error": ...}); events that arrive first
 * are kept for qtest_qmp_eventwait_ref().  Free with json_object_unref().
 */
JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Send without waiting for the response. */
void qtest_qmp_send(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Read the next message (event or response) from the QMP socket. */
JsonObject *qtest_qmp_receive(QTestState *s);
/* Wait for event NAME (stashed or new); return it. */
JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event);
void qtest_qmp_eventwait(QTestState *s, const char *event);
/* A stashed event NAME (removed from the stash), or NULL; never waits. */
JsonObject *qtest_qmp_eventwait_ref_nowait(QTestState *s, const char *event);
/*
 * qtest_qmp() with NFDS (1..16) descriptors passed over the socket
 * (SCM_RIGHTS) with the request's first byte, as libvirt passes them.
 */
JsonObject *qtest_qmp_fds(QTestState *s, const int *fds, size_t nfds,
                          const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* The greeting the daemon sent. */
JsonObject *qtest_qmp_greeting(QTestState *s);
/* Assert a response is a success and return its "return" member. */
JsonNode *qtest_qmp_assert_success(JsonObject *rsp);

/* For g_ptr_array_sort() of strings (it passes pointers to elements). */
gint qtest_compare_strings(gconstpointer a, gconstpointer b);

/* S as a JSON string literal, quotes and escapes included. */
char *qtest_json_str(const char *s);

/*
 * HMP through QMP's human-monitor-command (printf-style command line):
 * the monitor's output; asserts the command itself succeeded.
 */
char *qtest_hmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/*
 * Call CB for every machine type query-machines lists (asked of a
 * "-machine none" daemon), as QEMU's libqtest does; with
 * SKIP_OLD_VERSIONED, versioned types other than the aliased newest are
 * left out.
 */
void qtest_cb_for_every_machine(void (*cb)(const char *machine),
                                bool skip_old_versioned);

/*
 * Raw qtest traffic, for protocol tests: send bytes as they are, and
 * read the next reply line (IRQ lines are consumed on the way).
 */
void qtest_send_raw(QTestState *s, const void *buf, size_t len);
char *qtest_recv_reply(QTestState *s);

/*
 * A plain stream client of a socket the daemon serves (-qmp
 * unix:PATH,server=on, -chardev socket,host=,port=,server=on), or of an
 * accepted connection.  Reads are bounded by QTEST_TIMEOUT_S (a hang
 * guard); a failed send aborts the test.
 */
typedef struct QTestClient QTestClient;

QTestClient *qtest_client_unix(const char *path);
QTestClient *qtest_client_fd(int fd);
void qtest_client_send(QTestClient *c, const void *buf, size_t len);
/* LINE (a whole request, newline included) with NFDS (1..16) descriptors
 * in SCM_RIGHTS on its first byte, as qtest_qmp_fds() sends them. */
void qtest_client_send_fds(QTestClient *c, const int *fds, size_t nfds,
                           const char *line);
void qtest_client_sendf(QTestClient *c, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* The next line without its CR LF; NULL at end of file. */
char *qtest_client_line(QTestClient *c);
/* Read to end of file; the number of bytes read. */
size_t qtest_client_drain(QTestClient *c);
/* The next QMP message that is not an event. */
char *qtest_client_qmp_reply(QTestClient *c);
/* Read C's QMP greeting and negotiate capabilities (asserted). */
void qtest_client_qmp_negotiate(QTestClient *c);
/* A QMP client of -qmp unix:PATH,server=on, past qmp_capabilities. */
QTestClient *qtest_client_qmp(const char *path);
void qtest_client_free(QTestClient *c);

/* Fill BUS with accessors that go through S. */
void qtest_qos_bus_init(QTestState *s, QOSBus *bus);

#endif /* LIBQTEST_H */
