/*
 * libvirt's full-VM options on a device host (include/system/vm-options.h).
 * Owns the pid file (its descriptor holds the lock) and the recorded
 * values.  Main thread only: no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/id.h"
#include "qemu/option.h"
#include "system/vm-options.h"
#include "trace.h"
#include <sys/file.h>
#include <sys/mman.h>

#define KEYS(...) ((const char *const[]) { __VA_ARGS__, NULL })

static struct {
    bool msg_guest_name;
    char *guest_name;
    int mem_lock;               /* 0, MCL_CURRENT | MCL_FUTURE [| ONFAULT] */
    char *pidfile;
    int pidfile_fd;
    GPtrArray *audiodevs;       /* of char *: ids */
} vmo = { .pidfile_fd = -1 };

static QemuOpts *parse(const char *optarg, const char *implied,
                       const char *const *keys, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(optarg, implied, errp);

    if (opts && !qemu_opts_check_keys(opts, keys, errp)) {
        qemu_opts_free(opts);
        return NULL;
    }
    return opts;
}

/* NAME, if given, is one of VALUES:  Invalid parameter value for 'N' */
static bool check_value(QemuOpts *opts, const char *name,
                        const char *const *values, Error **errp)
{
    const char *v = qemu_opt_get_str(opts, name, errp);

    if (v && !g_strv_contains(values, v)) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'", name,
                   v);
        return false;
    }
    return !v || !*errp;
}

bool vm_opt_msg(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = parse(optarg, NULL,
                                     KEYS("timestamp", "guest-name"), errp);
    bool timestamp = false;

    if (!opts || !qemu_opt_get_bool(opts, "timestamp", &timestamp, errp) ||
        !qemu_opt_get_bool(opts, "guest-name", &vmo.msg_guest_name, errp)) {
        return false;
    }
    error_set_timestamps(timestamp);
    error_set_guest_name(vmo.msg_guest_name ? vmo.guest_name : NULL);
    return true;
}

void vm_options_set_guest_name(const char *name)
{
    g_free(vmo.guest_name);
    vmo.guest_name = g_strdup(name);
    if (vmo.msg_guest_name) {
        error_set_guest_name(name);
    }
}

bool vm_opt_overcommit(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = parse(optarg, NULL,
                                     KEYS("mem-lock", "cpu-pm"), errp);
    const char *lock;
    bool on = false, cpu_pm = false;

    if (!opts || !qemu_opt_get_bool(opts, "cpu-pm", &cpu_pm, errp)) {
        return false;
    }
    lock = qemu_opt_get_str(opts, "mem-lock", errp);
    if (lock && !strcmp(lock, "on-fault")) {
        vmo.mem_lock = MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT;
    } else if (lock) {
        if (!qemu_opt_get_bool(opts, "mem-lock", &on, errp)) {
            return false;
        }
        vmo.mem_lock = on ? MCL_CURRENT | MCL_FUTURE : 0;
    }
    return !*errp;
}

bool vm_opt_pidfile(const char *optarg, Error **errp)
{
    g_free(vmo.pidfile);
    vmo.pidfile = g_strdup(optarg);
    return true;
}

bool vm_opt_rtc(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = parse(optarg, NULL,
                                     KEYS("base", "clock", "driftfix"), errp);
    const char *base;

    if (!opts || !check_value(opts, "clock", KEYS("host", "rt", "vm"), errp) ||
        !check_value(opts, "driftfix", KEYS("none", "slew"), errp)) {
        return false;
    }
    base = qemu_opt_get_str(opts, "base", errp);
    /* utc, localtime, or a date QEMU parses as YYYY-MM-DD[THH:MM:SS]. */
    if (base && strcmp(base, "utc") && strcmp(base, "localtime") &&
        !g_regex_match_simple("^[0-9]{4}-[0-9]{2}-[0-9]{2}"
                              "(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$", base, 0, 0)) {
        error_setg(errp, "invalid datetime format");
        error_append_hint(errp, "valid formats: '2006-06-17T16:01:21' or"
                          " '2006-06-17'\n");
        return false;
    }
    trace_vm_option_recorded("-rtc", optarg);
    return !*errp;
}

bool vm_opt_boot(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = parse(optarg, "order",
                                     KEYS("order", "once", "menu", "splash",
                                          "splash-time", "reboot-timeout",
                                          "strict"), errp);
    bool b = false;

    if (!opts || !qemu_opt_get_bool(opts, "menu", &b, errp) ||
        !qemu_opt_get_bool(opts, "strict", &b, errp)) {
        return false;
    }
    trace_vm_option_recorded("-boot", optarg);
    return true;
}

/* NAME's string value:  Parameter 'NAME' is missing */
static const char *required_str(QemuOpts *opts, const char *name,
                                Error **errp)
{
    Error *local_err = NULL;
    const char *v = qemu_opt_get_str(opts, name, &local_err);

    if (local_err) {
        error_propagate(errp, local_err);
    } else if (!v) {
        error_setg(errp, "Parameter '%s' is missing", name);
    }
    return v;
}

bool vm_opt_audiodev(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "driver", errp);
    const char *driver, *id;

    if (!opts) {
        return false;
    }
    driver = required_str(opts, "driver", errp);
    if (!driver) {
        return false;
    }
    if (strcmp(driver, "none")) {
        error_setg(errp, "audiodev driver '%s' is not available: a device"
                   " host has no sound (only none)", driver);
        return false;
    }
    id = required_str(opts, "id", errp);
    if (!id) {
        return false;
    }
    if (!vmo.audiodevs) {
        vmo.audiodevs = g_ptr_array_new_with_free_func(g_free);
    }
    for (guint i = 0; i < vmo.audiodevs->len; i++) {
        if (!strcmp(g_ptr_array_index(vmo.audiodevs, i), id)) {
            error_setg(errp, "Duplicate audiodev id '%s'", id);
            return false;
        }
    }
    g_ptr_array_add(vmo.audiodevs, g_strdup(id));
    return true;
}

/* QEMU's qemu_write_pidfile(): created, locked, our pid in it. */
static bool write_pidfile(Error **errp)
{
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    int fd = open(vmo.pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Cannot open pid file");
        return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        error_setg_errno(errp, errno, "Cannot lock pid file");
        close(fd);
        return false;
    }
    if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) !=
        (ssize_t)strlen(pid)) {
        error_setg_errno(errp, errno, "Failed to write pid file");
        close(fd);
        return false;
    }
    vmo.pidfile_fd = fd;
    return true;
}

bool vm_options_start(Error **errp)
{
    if (vmo.mem_lock && mlockall(vmo.mem_lock) < 0) {
        error_setg_errno(errp, errno, "locking memory failed");
        return false;
    }
    if (vmo.pidfile && !write_pidfile(errp)) {
        error_prepend(errp, "-pidfile %s: ", vmo.pidfile);
        return false;
    }
    return true;
}

void vm_options_cleanup(void)
{
    if (vmo.pidfile_fd >= 0) {
        unlink(vmo.pidfile);
        close(vmo.pidfile_fd);
        vmo.pidfile_fd = -1;
    }
    g_clear_pointer(&vmo.pidfile, g_free);
    g_clear_pointer(&vmo.guest_name, g_free);
    g_clear_pointer(&vmo.audiodevs, g_ptr_array_unref);
    error_set_guest_name(NULL);
    vmo.msg_guest_name = false;
    vmo.mem_lock = 0;
}
