/*
 * Options of a full VM that libvirt writes for every domain, as far as
 * they mean something for a device host (system/vm-options.c):
 *
 *   -msg timestamp=on|off[,guest-name=on|off]    honoured (error reports)
 *   -overcommit mem-lock=on|off|on-fault[,cpu-pm=on|off]
 *                                  mem-lock honoured (mlockall); cpu-pm
 *                                  checked, no vCPU to apply it to
 *   -pidfile PATH                  honoured: written at start, removed at
 *                                  exit, locked while the daemon runs
 *   -rtc base=utc|localtime|DATE[,clock=host|rt|vm][,driftfix=none|slew]
 *   -boot [order=..][,once=..][,menu=on|off][,splash=..]
 *         [,splash-time=N][,reboot-timeout=N][,strict=on|off]
 *   -audiodev [driver=]none,id=ID (or JSON)
 *                                  checked and recorded; no RTC, firmware
 *                                  or sound on a device host
 *
 * Parsed while reading the command line; vm_options_start() applies what
 * needs the rest of start-up done.  Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_VM_OPTIONS_H
#define SYSTEM_VM_OPTIONS_H

#include "qapi/error.h"

bool vm_opt_msg(const char *optarg, Error **errp);
bool vm_opt_overcommit(const char *optarg, Error **errp);
bool vm_opt_pidfile(const char *optarg, Error **errp);
bool vm_opt_rtc(const char *optarg, Error **errp);
bool vm_opt_boot(const char *optarg, Error **errp);
bool vm_opt_audiodev(const char *optarg, Error **errp);
/* -name's guest name, for -msg guest-name=on. */
void vm_options_set_guest_name(const char *name);

/* Lock memory, write the pid file: once start-up is done. */
bool vm_options_start(Error **errp);
/* Remove the pid file; forget everything. */
void vm_options_cleanup(void);

#endif /* SYSTEM_VM_OPTIONS_H */
