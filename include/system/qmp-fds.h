/*
 * QMP commands for passed descriptors (system/qmp-fds.c): getfd,
 * closefd, add-fd, remove-fd, query-fdsets.  See docs/interop/qmp.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_QMP_FDS_H
#define SYSTEM_QMP_FDS_H

void qmp_register_fd_commands(void);

#endif /* SYSTEM_QMP_FDS_H */
