/*
 * -sandbox: QEMU's seccomp filter, with libseccomp (system/sandbox.c).
 *
 *   -sandbox on|off[,obsolete=allow|deny][,elevateprivileges=allow|deny|
 *            children][,spawn=allow|deny][,resourcecontrol=allow|deny]
 *
 * "on" installs, on every thread of the daemon (TSYNC), a filter that
 * kills the process on the system calls a device host never needs: the
 * default set (reboot, swapon/off, mount, kexec, module loading, ...)
 * and the sets chosen with "deny": obsolete calls, privilege changes
 * (setuid & co.; "children" only sets no_new_privs), spawning (fork,
 * vfork, execve, execveat and clone without CLONE_THREAD; clone3 fails
 * with ENOSYS so that threads fall back to clone) and scheduler and
 * priority changes (these fail with EPERM instead: glib's threads try to
 * copy their creator's scheduling attributes).  libvirt passes
 * "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny".
 *
 * Parsed while reading the command line, applied once after it (before
 * the daemon creates anything); main thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_SANDBOX_H
#define SYSTEM_SANDBOX_H

#include "qapi/error.h"

/*
 * LeakSanitizer checks at exit from a tracer it starts with clone()
 * without CLONE_THREAD: in an ASan build spawn=deny leaves clone alone
 * (fork, vfork, execve and execveat stay denied).
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ALLOWS_PROCESS_CLONE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ALLOWS_PROCESS_CLONE 1
#endif
#endif
#ifndef SANDBOX_ALLOWS_PROCESS_CLONE
#define SANDBOX_ALLOWS_PROCESS_CLONE 0
#endif

typedef struct SandboxConfig {
    bool enable;
    bool deny_obsolete;         /* default deny, as QEMU */
    bool deny_privileges;
    bool no_new_privs_only;     /* elevateprivileges=children */
    bool deny_spawn;
    bool deny_resourcecontrol;
} SandboxConfig;

bool sandbox_parse(const char *optarg, SandboxConfig *cfg, Error **errp);
/* Install the filter CFG describes (nothing when not enabled). */
bool sandbox_apply(const SandboxConfig *cfg, Error **errp);

#endif /* SYSTEM_SANDBOX_H */
