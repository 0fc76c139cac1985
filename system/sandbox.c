/*
 * The -sandbox seccomp filter (include/system/sandbox.h).  Owns nothing
 * once installed: the kernel keeps the filter.  Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/option.h"
#include "system/sandbox.h"
#include "trace.h"
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>

/* Always denied under -sandbox on (QEMU's default set). */
static const char *const set_default[] = {
    "reboot", "swapon", "swapoff", "syslog", "mount", "umount", "umount2",
    "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "pivot_root", "acct", "afs_syscall", "break", "ftime",
    "getpmsg", "gtty", "lock", "mpx", "prof", "profil", "putpmsg",
    "security", "stty", "tuxcall", "ulimit", "vserver", NULL
};
static const char *const set_obsolete[] = {
    "readdir", "_sysctl", "bdflush", "create_module", "get_kernel_syms",
    "query_module", "sgetmask", "ssetmask", "sysfs", "uselib", "ustat",
    "vm86", "vm86old", NULL
};
static const char *const set_privileges[] = {
    "setuid", "setgid", "setpgid", "setsid", "setreuid", "setregid",
    "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups", NULL
};
static const char *const set_spawn[] = {
    "fork", "vfork", "execve", "execveat", NULL
};
static const char *const set_resourcecontrol[] = {
    "setpriority", "sched_setparam", "sched_setscheduler",
    "sched_setaffinity", "sched_setattr", NULL
};

static bool parse_allow_deny(QemuOpts *opts, const char *name, bool *deny,
                             bool children_ok, bool *children, Error **errp)
{
    const char *v = qemu_opt_get_str(opts, name, errp);

    if (!v) {
        return !*errp;
    }
    if (!strcmp(v, "allow") || !strcmp(v, "deny")) {
        *deny = !strcmp(v, "deny");
        return true;
    }
    if (children_ok && !strcmp(v, "children")) {
        *deny = false;
        *children = true;
        return true;
    }
    error_setg(errp, "invalid argument for %s", name);
    return false;
}

bool sandbox_parse(const char *optarg, SandboxConfig *cfg, Error **errp)
{
    static const char *const keys[] = {
        "enable", "obsolete", "elevateprivileges", "spawn", "resourcecontrol",
        NULL
    };
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "enable", errp);
    bool dummy = false;

    *cfg = (SandboxConfig) { .deny_obsolete = true };
    return opts && qemu_opts_check_keys(opts, keys, errp) &&
           qemu_opt_get_bool(opts, "enable", &cfg->enable, errp) &&
           parse_allow_deny(opts, "obsolete", &cfg->deny_obsolete, false,
                            &dummy, errp) &&
           parse_allow_deny(opts, "elevateprivileges", &cfg->deny_privileges,
                            true, &cfg->no_new_privs_only, errp) &&
           parse_allow_deny(opts, "spawn", &cfg->deny_spawn, false, &dummy,
                            errp) &&
           parse_allow_deny(opts, "resourcecontrol",
                            &cfg->deny_resourcecontrol, false, &dummy, errp);
}

/*
 * ACTION for every call of SET this architecture has; false on a real
 * error.
 */
static bool filter_set(scmp_filter_ctx ctx, const char *const *set,
                       uint32_t action, Error **errp)
{
    for (; *set; set++) {
        int nr = seccomp_syscall_resolve_name(*set);
        int ret;

        if (nr == __NR_SCMP_ERROR) {
            continue;           /* not on this architecture */
        }
        ret = seccomp_rule_add(ctx, action, nr, 0);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "failed to add seccomp rule for %s",
                             *set);
            return false;
        }
    }
    return true;
}

/* Threads only: clone needs CLONE_THREAD; clone3 falls back to clone. */
static bool deny_process_clone(scmp_filter_ctx ctx, Error **errp)
{
    int ret = 0;

    if (!SANDBOX_ALLOWS_PROCESS_CLONE) {
        ret = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1,
                               SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
    }
    if (ret == 0) {
        ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
                               0);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to add seccomp rule for clone");
        return false;
    }
    return true;
}

static bool deny_set(scmp_filter_ctx ctx, const char *const *set,
                     Error **errp)
{
    return filter_set(ctx, set, SCMP_ACT_KILL_PROCESS, errp);
}

static bool build_filter(scmp_filter_ctx ctx, const SandboxConfig *cfg,
                         Error **errp)
{
    /*
     * Scheduler changes fail with EPERM rather than kill: glib's threads
     * copy their creator's scheduling attributes (sched_setattr) and go
     * on without them when refused.
     */
    return deny_set(ctx, set_default, errp) &&
           (!cfg->deny_obsolete || deny_set(ctx, set_obsolete, errp)) &&
           (!cfg->deny_privileges || deny_set(ctx, set_privileges, errp)) &&
           (!cfg->deny_spawn || (deny_set(ctx, set_spawn, errp) &&
                                 deny_process_clone(ctx, errp))) &&
           (!cfg->deny_resourcecontrol ||
            filter_set(ctx, set_resourcecontrol, SCMP_ACT_ERRNO(EPERM),
                       errp));
}

bool sandbox_apply(const SandboxConfig *cfg, Error **errp)
{
    scmp_filter_ctx ctx;
    int ret;

    if (!cfg->enable) {
        if (cfg->no_new_privs_only &&
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
            error_setg_errno(errp, errno, "failed to set no_new_privs");
            return false;
        }
        return true;
    }
    ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        error_setg(errp, "failed to initialize seccomp context");
        return false;
    }
    /* Every thread, even those glib or a library may have started. */
    ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to set seccomp thread"
                         " synchronization");
        goto out;
    }
    if (!build_filter(ctx, cfg, errp)) {
        ret = -1;
        goto out;
    }
    ret = seccomp_load(ctx);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to install seccomp syscall"
                         " filter in the kernel");
        goto out;
    }
    trace_sandbox_apply(cfg->deny_obsolete, cfg->deny_privileges,
                        cfg->deny_spawn, cfg->deny_resourcecontrol);
out:
    seccomp_release(ctx);
    return ret >= 0;
}
