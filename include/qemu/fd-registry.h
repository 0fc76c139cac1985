/*
 * File descriptors handed to the daemon by its manager, as QEMU keeps
 * them:
 *
 *  - named descriptors: QMP "getfd" (fdname), each a descriptor passed
 *    over the monitor socket; a device or backend property naming one
 *    ("fd":"NAME") takes it over, "closefd" closes it.  As in QEMU,
 *    names are per monitor: each QMP connection has its own namespace,
 *    the current owner's (fd_registry_set_owner()), whose descriptors
 *    are closed when it goes (fd_registry_release()).
 *  - fd sets: "-add-fd fd=N,set=S[,opaque=TEXT]" and QMP "add-fd", each
 *    set a list of descriptors; a path "/dev/fdset/S" opened with
 *    qemu_open() is a duplicate of the set's descriptor whose access
 *    mode (O_RDONLY, O_WRONLY, O_RDWR) matches the open's.  "remove-fd"
 *    closes a set's descriptor (duplicates already handed out stay open).
 *
 * Main thread only (the monitor, the command line and device realize).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_FD_REGISTRY_H
#define QEMU_FD_REGISTRY_H

#include "qapi/error.h"

/* Limits: bounded by what a client may make the daemon hold open. */
#define FD_REGISTRY_MAX_NAMED   256     /* per owner */
#define FD_REGISTRY_MAX_SETS    256
#define FD_REGISTRY_MAX_PER_SET 64

/*
 * Make OWNER's names (a monitor connection; NULL: the command line's,
 * which has none) the ones getfd, closefd and qemu_fd_param() use from
 * now on; returns the previous owner, to restore.
 */
const void *fd_registry_set_owner(const void *owner);
/* OWNER is gone: close the descriptors it named and never handed over. */
void fd_registry_release(const void *owner);

/*
 * getfd: store FD under NAME in the current owner's names (replacing
 * and closing an older one).  On failure FD is closed:
 *   Parameter 'fdname' expects a name not starting with a digit
 */
bool fd_registry_add_named(const char *name, int fd, Error **errp);
/* closefd:  File descriptor named 'NAME' not found */
bool fd_registry_close_named(const char *name, Error **errp);

/*
 * The descriptor a property names, as QEMU's monitor_fd_param(): a
 * decimal number is a descriptor the daemon inherited (it must be open);
 * anything else is a getfd name of the current owner, whose descriptor
 * is handed over to the caller and forgotten:
 *   File descriptor named 'NAME' has not been found
 *   Invalid file descriptor number 'STR'
 * *OWNED says whether the caller now owns (and must close) it.
 */
int qemu_fd_param(const char *str, bool *owned, Error **errp);

/*
 * add-fd / -add-fd: add a duplicate (close-on-exec) of FD to set
 * SET_ID, or to a new set when SET_ID is negative; *SET_ID_OUT and
 * *FD_OUT tell where it went.  FD itself stays the caller's.
 */
bool fdset_add_fd(int fd, int64_t set_id, const char *opaque,
                  int64_t *set_id_out, int *fd_out, Error **errp);
/* remove-fd: one descriptor of a set (FD >= 0) or the whole set. */
bool fdset_remove_fd(int64_t set_id, int64_t fd, Error **errp);
/* query-fdsets: FUNC for every descriptor, sets in ascending order. */
void fdset_foreach(void (*func)(int64_t set_id, int fd, const char *opaque,
                                void *data), void *data);

/*
 * open(2) that understands /dev/fdset/N.  Errors name the path:
 *   Could not open 'PATH': No such file or directory
 *   Could not open '/dev/fdset/3': No such fd set
 *   Could not open '/dev/fdset/3': no descriptor of the set has access mode rw
 */
int qemu_open(const char *path, int flags, Error **errp);

/* Close everything (daemon exit, tests). */
void fd_registry_clear(void);

#endif /* QEMU_FD_REGISTRY_H */
