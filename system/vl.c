/*
 * vsmmu-daemon command line, in QEMU's syntax.
 *
 * Options are read in one pass and applied in phases, as QEMU does, so
 * their order only matters within a kind: -trace at once; then
 * chardevs, -object (in order), the machine, -device (in order), and
 * finally the QMP monitors and the qtest server.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/object-registry.h"
#include "qemu/option.h"
#include "qemu/fd-registry.h"
#include "qemu/secret.h"
#include "qemu/thread.h"
#include "qemu/trace.h"
#include "vsmmu-version.h"
#include "chardev/char.h"
#include "hw/qdev-properties.h"
#include "qom/object.h"
#include "system/iommufd.h"
#include "system/iommufd-emulated.h"
#include "system/kvm.h"
#include "qemu/iothread.h"
#include "system/qmp-vsmmu.h"
#include "system/hostmem.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/qtest.h"
#include "system/runstate.h"
#include "system/sandbox.h"
#include "system/vm-options.h"
#include "system/system.h"
#include "trace.h"
#include <glib-unix.h>
#include <signal.h>
#include <sys/prctl.h>

typedef enum {
    OPT_OBJECT,
    OPT_DEVICE,
    OPT_MACHINE,
    OPT_M,
    OPT_QTEST,
    OPT_QTEST_LOG,
    OPT_CHARDEV,
    OPT_MON,
    OPT_QMP,
    OPT_TRACE,
    OPT_DISPLAY,
    OPT_NODEFAULTS,
    OPT_ACCEL,
    OPT_AUDIO,
    OPT_NET,
    OPT_RUN_WITH,
    OPT_S,
    OPT_SANDBOX,
    OPT_VM,             /* -msg, -overcommit, ...: system/vm-options.h */
    OPT_ADD_FD,
    OPT_NAME,
    OPT_UUID,
    OPT_GUEST,          /* -kernel, -smp, ...: see system/kvm.h */
    OPT_VERSION,
    OPT_HELP,
    OPT_IGNORED,        /* full-VM options libvirt emits */
} OptionIndex;

typedef struct QEMUOption {
    const char *name;
    bool has_arg;
    OptionIndex index;
    const char *help;   /* NULL: not listed by -help */
} QEMUOption;

static const QEMUOption qemu_options[] = {
    { "object", true, OPT_OBJECT,
      "-object TYPE,id=ID[,...]  create an object: iommufd, monitor-qmp" },
    { "device", true, OPT_DEVICE,
      "-device DRIVER[,prop=value][,...]  add a device (JSON accepted)" },
    { "machine", true, OPT_MACHINE,
      "-machine virt[-X.Y]|none[,iommu=smmuv3][,memory-backend=ID]"
      "  select the board" },
    { "M", true, OPT_MACHINE, NULL },
    { "m", true, OPT_M, "-m SIZE[M|G]  guest RAM size (default 128M)" },
    { "qtest", true, OPT_QTEST,
      "-qtest unix:PATH[,server=on,wait=off]|stdio  serve qtest" },
    { "qtest-log", true, OPT_QTEST_LOG,
      "-qtest-log FILE|none  log qtest traffic (default: stderr)" },
    { "chardev", true, OPT_CHARDEV,
      "-chardev socket,id=ID,path=PATH[,server=on][,wait=off]" },
    { "mon", true, OPT_MON, "-mon chardev=ID,mode=control  QMP monitor" },
    { "qmp", true, OPT_QMP,
      "-qmp unix:PATH[,server=on,wait=off]  QMP monitor" },
    { "trace", true, OPT_TRACE,
      "-trace [enable=]PATTERN|events=FILE|file=FILE  enable trace events" },
    { "display", true, OPT_DISPLAY, "-display none" },
    { "nodefaults", false, OPT_NODEFAULTS, "-nodefaults" },
    { "accel", true, OPT_ACCEL,
      "-accel qtest|kvm  qtest: guest time under qtest; kvm: run -kernel" },
    { "audio", true, OPT_AUDIO, "-audio none" },
    { "net", true, OPT_NET, "-net none  no network (the only choice)" },
    { "nic", true, OPT_NET, NULL },
    { "run-with", true, OPT_RUN_WITH,
      "-run-with exit-with-parent=on  exit when the parent exits" },
    /* A KVM guest (accel/kvm/kvm-all.c); recorded, used with -accel kvm. */
    { "kernel", true, OPT_GUEST, "-kernel Image  arm64 Linux to boot" },
    { "initrd", true, OPT_GUEST, "-initrd FILE  its initramfs" },
    { "append", true, OPT_GUEST, "-append CMDLINE  its command line" },
    { "dtb", true, OPT_GUEST, "-dtb FILE  device tree (default: generated)" },
    { "cpu", true, OPT_GUEST, "-cpu host  the guest's CPU model" },
    { "smp", true, OPT_GUEST, "-smp N  vCPUs of the guest" },
    { "serial", true, OPT_GUEST,
      "-serial stdio|file:PATH|chardev:ID|none  the guest's PL011" },
    { "nographic", false, OPT_GUEST, "-nographic  the PL011 on stdio" },
    { "no-shutdown", false, OPT_GUEST,
      "-no-shutdown  pause at guest power-off instead of exiting" },
    { "no-reboot", false, OPT_GUEST,
      "-no-reboot  exit at guest reset instead of rebooting" },
    { "version", false, OPT_VERSION, "-version  print the version" },
    { "help", false, OPT_HELP, "-help  print this help" },
    { "h", false, OPT_HELP, NULL },
    { "add-fd", true, OPT_ADD_FD,
      "-add-fd fd=N,set=S[,opaque=TEXT]  add fd N to fd set S"
      " (/dev/fdset/S)" },
    { "S", false, OPT_S,
      "-S  start in prelaunch: run state \"running\" after QMP cont" },
    { "name", true, OPT_NAME,
      "-name [guest=]NAME[,process=P][,debug-threads=on]  (query-name)" },
    { "uuid", true, OPT_UUID, "-uuid UUID  (query-uuid)" },
    /* Accepted and ignored: they only concern a full VM. */
    { "sandbox", true, OPT_SANDBOX,
      "-sandbox on|off[,obsolete=..][,elevateprivileges=..][,spawn=..]"
      "[,resourcecontrol=..]  seccomp filter" },
    { "msg", true, OPT_VM,
      "-msg timestamp=on|off[,guest-name=on|off]  error report prefix" },
    { "overcommit", true, OPT_VM,
      "-overcommit mem-lock=on|off|on-fault[,cpu-pm=..]  lock memory" },
    { "pidfile", true, OPT_VM, "-pidfile PATH  write the pid there" },
    { "rtc", true, OPT_VM, "-rtc base=..[,clock=..]  checked, no RTC here" },
    { "boot", true, OPT_VM, "-boot [order=..][,strict=on]  checked, no"
      " firmware here" },
    { "audiodev", true, OPT_VM, "-audiodev none,id=ID  (sound: none only)" },
    /* Accepted and ignored: they only concern a full VM. */
    { "no-user-config", false, OPT_IGNORED, NULL },
    { "global", true, OPT_IGNORED, NULL },
    { "parallel", true, OPT_IGNORED, NULL },
};

/* A NULL-terminated list of option keys. */
#define KEYS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* An option applied after parsing, with its place on the command line. */
typedef struct DeferredOpt {
    OptionIndex index;
    int argi;               /* argv index of the option name */
    const char *arg;
} DeferredOpt;

static struct {
    char **argv;
    char *name;             /* -name guest= */
    char *uuid;             /* -uuid, lower case */
    GArray *deferred;       /* of DeferredOpt */
    MachineOptions machine;
    const char *qtest;
    const char *qtest_log;
    bool qtest_log_set;
    GPtrArray *iommufds;    /* IOMMUFDBackend * we created */
    GPtrArray *ehosts;      /* IOMMUFDEmulatedHost * behind them */
    GPtrArray *iothreads;   /* IOThread * of -object iothread */
    SandboxConfig sandbox;
    guint signal_src[3];
} vl;

/* ---- -object ------------------------------------------------------ */

typedef bool ObjectCreateFunc(const char *id, QemuOpts *opts, Error **errp);

/* Does TYPE (or a parent) declare the property NAME? */
static bool object_has_prop(const char *type, const char *name)
{
    g_autoptr(GPtrArray) props = type_get_properties(type_lookup(type));

    for (guint i = 0; i < props->len; i++) {
        const TypePropertyInfo *p = g_ptr_array_index(props, i);

        if (!strcmp(p->name, name) && strcmp(name, "type") != 0) {
            return true;
        }
    }
    return false;
}

/* Every option is a property of the type (qom/object.h). */
static bool object_check_props(const char *type, QemuOpts *opts,
                               Error **errp)
{
    for (guint i = 0; i < qemu_opts_count(opts); i++) {
        const char *name = qemu_opts_nth(opts, i)->name;

        if (!strcmp(name, "qom-type") || !strcmp(name, "id")) {
            continue;
        }
        if (!object_has_prop(type, name)) {
            error_setg(errp, "Property '%s.%s' not found", type, name);
            return false;
        }
    }
    return true;
}

/*
 * fd=N, a descriptor libvirt leaves open across exec, or fd=NAME, one
 * passed with getfd (QEMU's monitor_fd_param()).
 */
static bool iommufd_set_fd_param(IOMMUFDBackend *be, const char *str,
                                 Error **errp)
{
    bool owned;
    int fd;

    if (g_ascii_isdigit(str[0])) {
        return iommufd_backend_set_fd(be, str, errp);
    }
    fd = qemu_fd_param(str, &owned, errp);
    return fd >= 0 && iommufd_backend_adopt_fd(be, fd, errp);
}

static bool object_create_iommufd(const char *id, QemuOpts *opts,
                                  Error **errp)
{
    g_autoptr(Error) local_err = NULL;
    IOMMUFDEmulatedHost *ehost = NULL;
    IOMMUFDBackend *be;
    bool emulated = false;
    const char *fd;

    if (!object_check_props(TYPE_IOMMUFD_BACKEND, opts, errp) ||
        !qemu_opt_get_bool(opts, "x-emulated-host", &emulated, errp)) {
        return false;
    }
    fd = qemu_opt_get_str(opts, "fd", &local_err);
    if (local_err) {
        error_propagate(errp, g_steal_pointer(&local_err));
        return false;
    }
    if (fd && emulated) {
        error_setg(errp, "fd and x-emulated-host=on are mutually exclusive");
        return false;
    }
    be = iommufd_backend_new(id);
    if (emulated) {
        /* Chosen by the user, never as a fallback: say so. */
        ehost = iommufd_emulated_host_new();
        iommufd_backend_set_kernel(be, &iommufd_emulated_ops, ehost);
        info_report("iommufd '%s': using the embedded emulated host, not"
                    " /dev/iommu", id);
        g_ptr_array_add(vl.ehosts, ehost);
    }
    /* QEMU opens /dev/iommu when the object is created: fail early. */
    if ((fd && !iommufd_set_fd_param(be, fd, errp)) ||
        !iommufd_backend_connect(be, errp)) {
        iommufd_backend_free(be);
        return false;
    }
    if (!object_registry_add(id, TYPE_IOMMUFD_BACKEND, be, errp)) {
        iommufd_backend_disconnect(be);
        iommufd_backend_free(be);
        return false;
    }
    g_ptr_array_add(vl.iommufds, be);
    return true;
}

static bool object_create_monitor_qmp(const char *id, QemuOpts *opts,
                                      Error **errp)
{
    g_autoptr(Error) local_err = NULL;
    const char *chardev;
    bool pretty = false;

    if (!object_check_props("monitor-qmp", opts, errp) ||
        !qemu_opt_get_bool(opts, "pretty", &pretty, errp)) {
        return false;
    }
    chardev = qemu_opt_get_str(opts, "chardev", &local_err);
    if (local_err) {
        error_propagate(errp, g_steal_pointer(&local_err));
        return false;
    }
    if (!chardev) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    return object_registry_add(id, "monitor-qmp", NULL, errp) &&
           qmp_monitor_add(chardev, errp);
}

/* poll-max-ns, poll-grow, poll-shrink: integers, as QEMU's int64. */
static bool iothread_apply_opts(IOThread *iot, QemuOpts *opts, Error **errp)
{
    static const char *const params[] = {
        "poll-max-ns", "poll-grow", "poll-shrink",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(params); i++) {
        const QemuOpt *opt = qemu_opt_find(opts, params[i]);
        g_autofree char *str = opt ? qemu_opt_to_string(opt) : NULL;
        gint64 v;

        if (!opt) {
            continue;
        }
        if (!g_ascii_string_to_signed(str, 10, G_MININT64, G_MAXINT64, &v,
                                      NULL)) {
            error_setg(errp, "Parameter '%s' expects int64", params[i]);
            return false;
        }
        if (!iothread_set_poll_param(iot, params[i], v, errp)) {
            return false;
        }
    }
    return true;
}

static bool object_create_iothread(const char *id, QemuOpts *opts,
                                   Error **errp)
{
    IOThread *iot;

    if (!object_check_props(TYPE_IOTHREAD, opts, errp)) {
        return false;
    }
    iot = iothread_new(id, errp);
    if (!iot) {
        return false;
    }
    if (!iothread_apply_opts(iot, opts, errp) ||
        !iothread_start(iot, errp) ||
        !object_registry_add(id, TYPE_IOTHREAD, iot, errp)) {
        iothread_free(iot);
        return false;
    }
    g_ptr_array_add(vl.iothreads, iot);
    return true;
}

static bool object_create_memory_backend(const char *id, QemuOpts *opts,
                                         Error **errp)
{
    return host_memory_backend_create(qemu_opt_get_str(opts, "qom-type",
                                                       NULL),
                                      id, opts, errp);
}

static const struct {
    const char *type;
    ObjectCreateFunc *create;
} object_types[] = {
    { TYPE_SECRET, secret_create },
    { "memory-backend-ram", object_create_memory_backend },
    { "memory-backend-memfd", object_create_memory_backend },
    { "memory-backend-file", object_create_memory_backend },
    { TYPE_IOMMUFD_BACKEND, object_create_iommufd },
    { "monitor-qmp", object_create_monitor_qmp },
    { TYPE_IOTHREAD, object_create_iothread },
};

static int object_type_index(const char *type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(object_types); i++) {
        if (!strcmp(object_types[i].type, type)) {
            return i;
        }
    }
    return -1;
}

/* -object help and -object TYPE,help: print and return true. */
static bool object_help(QemuOpts *opts, Error **errp)
{
    const char *type = qemu_opt_get_str(opts, "qom-type", NULL);
    g_autoptr(GPtrArray) props = NULL;
    int i;

    if (type && !strcmp(type, "help")) {
        printf("List of user creatable objects:\n");
        for (size_t j = 0; j < G_N_ELEMENTS(object_types); j++) {
            printf("  %s\n", object_types[j].type);
        }
        return true;
    }
    if (!type || !qemu_opt_find(opts, "help")) {
        return false;
    }
    i = object_type_index(type);
    if (i < 0) {
        error_setg(errp, "invalid object type: %s", type);
        return true;
    }
    printf("%s options:\n", type);
    props = type_get_properties(type_lookup(type));
    for (guint j = 0; j < props->len; j++) {
        const TypePropertyInfo *p = g_ptr_array_index(props, j);

        if (strcmp(p->name, "type") != 0) {
            printf("  %s=<%s>\n", p->name, p->type);
        }
    }
    return true;
}

static bool object_create_opts(QemuOpts *opts, Error **errp)
{
    g_autoptr(Error) local_err = NULL;
    const char *type, *id;
    int i;

    type = qemu_opt_get_str(opts, "qom-type", &local_err);
    if (!local_err) {
        id = qemu_opt_get_str(opts, "id", &local_err);
    }
    if (local_err) {
        error_propagate(errp, g_steal_pointer(&local_err));
        return false;
    }
    if (!type) {
        error_setg(errp, "Parameter 'qom-type' is missing");
        return false;
    }
    i = object_type_index(type);
    if (i < 0) {
        error_setg(errp, "invalid object type: %s", type);
        return false;
    }
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    trace_vl_object_create(type, id);
    return object_types[i].create(id, opts, errp);
}

static bool object_create(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "qom-type", errp);

    return opts && object_create_opts(opts, errp);
}

bool qemu_object_add(JsonObject *args, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_from_json(args, errp);

    return opts && object_create_opts(opts, errp);
}

static bool object_del_iommufd(const char *id, IOMMUFDBackend *be,
                               Error **errp)
{
    /* The object's own connection, made when it was created, is one. */
    if (be->users > 1) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    object_registry_remove(id);
    g_ptr_array_remove(vl.iommufds, be);
    iommufd_backend_disconnect(be);
    iommufd_backend_free(be);
    return true;
}

bool qemu_object_del(const char *id, Error **errp)
{
    const char *type = object_registry_type(id);

    if (!type || machine_find_device(id)) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    if (!strcmp(type, TYPE_IOMMUFD_BACKEND)) {
        return object_del_iommufd(id, object_registry_lookup(id, type),
                                  errp);
    }
    if (!strcmp(type, TYPE_SECRET)) {
        secret_delete(id);
        return true;
    }
    error_setg(errp, "object '%s' (%s) can not be deleted while the daemon"
               " runs", id, type);
    return false;
}

/* ---- -device help ------------------------------------------------- */

/* -device help, -device TYPE,help: print and return true. */
static bool device_help(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "driver", NULL);
    g_autofree char *help = NULL;

    if (!opts || !qdev_opts_help(opts, &help, errp)) {
        return false;
    }
    if (help) {
        fputs(help, stdout);
    }
    return true;
}

/* ---- simple options ----------------------------------------------- */

static bool parse_run_with(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, NULL, errp);
    bool exit_with_parent = false;

    if (!opts) {
        return false;
    }
    if (!qemu_opts_check_keys(opts, KEYS("exit-with-parent"), errp)) {
        return false;
    }
    if (!qemu_opt_get_bool(opts, "exit-with-parent", &exit_with_parent,
                           errp)) {
        return false;
    }
    /* SIGTERM, which we handle as a clean shutdown. */
    if (exit_with_parent && prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) {
        error_setg_errno(errp, errno, "cannot set exit-with-parent");
        return false;
    }
    return true;
}

/* -name [guest=]NAME[,process=NAME][,debug-threads=on|off] */
static bool parse_name(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "guest", errp);
    const char *guest, *process;
    bool debug_threads = false;

    if (!opts) {
        return false;
    }
    if (!qemu_opts_check_keys(opts, KEYS("guest", "process", "debug-threads"),
                              errp)) {
        return false;
    }
    if (!qemu_opt_get_bool(opts, "debug-threads", &debug_threads, errp)) {
        return false;
    }
    guest = qemu_opt_get_str(opts, "guest", NULL);
    process = qemu_opt_get_str(opts, "process", NULL);
    qemu_thread_naming(debug_threads);
    g_free(vl.name);
    vl.name = g_strdup(guest);
    vm_options_set_guest_name(guest);
    /* As QEMU: the main thread (and so the process) takes that name. */
    if (process && prctl(PR_SET_NAME, process) < 0) {
        error_setg_errno(errp, errno, "cannot set the process name");
        return false;
    }
    return true;
}

/* -add-fd fd=N,set=S[,opaque=TEXT], QEMU's checks and wording. */
static bool parse_add_fd(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, NULL, errp);
    const char *fd_s, *set_s;
    guint64 fd = 0, set = 0;
    int64_t set_out;
    int fd_out;

    if (!opts) {
        return false;
    }
    if (!qemu_opts_check_keys(opts, KEYS("fd", "set", "opaque"), errp)) {
        return false;
    }
    fd_s = qemu_opt_get_str(opts, "fd", NULL);
    set_s = qemu_opt_get_str(opts, "set", NULL);
    if (!fd_s || !g_ascii_string_to_unsigned(fd_s, 10, 0, INT_MAX, &fd,
                                             NULL)) {
        error_setg(errp, "fd option is required and must be non-negative");
        return false;
    }
    if (fd <= STDERR_FILENO) {
        error_setg(errp, "fd cannot be a standard I/O stream");
        return false;
    }
    /* A descriptor passed on purpose survives exec: no close-on-exec. */
    if (fcntl(fd, F_GETFD) & FD_CLOEXEC) {
        error_setg(errp, "fd is not valid or already in use");
        return false;
    }
    if (!set_s || !g_ascii_string_to_unsigned(set_s, 10, 0, INT64_MAX, &set,
                                              NULL)) {
        error_setg(errp, "set option is required and must be non-negative");
        return false;
    }
    if (!fdset_add_fd(fd, set, qemu_opt_get_str(opts, "opaque", NULL),
                      &set_out, &fd_out, errp)) {
        return false;
    }
    close(fd);                  /* the set keeps its duplicate, as QEMU */
    return true;
}

/* -uuid: the 8-4-4-4-12 hex form only, as QEMU's qemu_uuid_parse(). */
static bool parse_uuid(const char *optarg, Error **errp)
{
    static const int group[] = { 8, 4, 4, 4, 12 };
    const char *p = optarg;

    for (size_t g = 0; g < G_N_ELEMENTS(group); g++) {
        for (int i = 0; i < group[g]; i++, p++) {
            if (!g_ascii_isxdigit(*p)) {
                goto bad;
            }
        }
        if (*p != (g + 1 < G_N_ELEMENTS(group) ? '-' : '\0')) {
            goto bad;
        }
        p++;
    }
    g_free(vl.uuid);
    vl.uuid = g_ascii_strdown(optarg, -1);
    return true;

bad:
    error_setg(errp, "Fail to parse UUID string. Wrong format.");
    return false;
}

const char *qemu_vm_name(void)
{
    return vl.name;
}

const char *qemu_vm_uuid(void)
{
    return vl.uuid ? vl.uuid : "00000000-0000-0000-0000-000000000000";
}

static bool parse_mon(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "chardev", errp);
    const char *chardev, *mode;

    if (!opts) {
        return false;
    }
    if (!qemu_opts_check_keys(opts, KEYS("chardev", "mode", "pretty", "id"),
                              errp)) {
        return false;
    }
    chardev = qemu_opt_get_str(opts, "chardev", errp);
    if (!chardev) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    mode = qemu_opt_get_str(opts, "mode", errp);
    if (!mode || strcmp(mode, "control") != 0) {
        error_setg(errp, "only mode=control (QMP) monitors are supported");
        return false;
    }
    return qmp_monitor_add(chardev, errp);
}

static bool parse_accel(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "accel", errp);
    const char *accel;

    if (!opts) {
        return false;
    }
    accel = qemu_opt_get_str(opts, "accel", errp);
    if (!accel) {
        error_setg(errp, "Parameter 'accel' is missing");
        return false;
    }
    if (!strcmp(accel, "qtest")) {
        qtest_set_enabled(true);
        return true;
    }
    /* A guest runs with -kernel; without, libvirt's kvm is ignored. */
    if (!strcmp(accel, "kvm")) {
        kvm_accel_select();
        return true;
    }
    if (!strcmp(accel, "tcg")) {
        trace_vl_option_ignored("-accel", accel);
        return true;
    }
    error_setg(errp, "invalid accelerator %s", accel);
    return false;
}

static bool parse_m(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "size", errp);
    const char *size;

    if (!opts) {
        return false;
    }
    size = qemu_opt_get_str(opts, "size", errp);
    if (!size) {
        error_setg(errp, "Parameter 'size' is missing");
        return false;
    }
    if (!qemu_parse_size(size, 1 << 20, &vl.machine.ram_size) ||
        vl.machine.ram_size == 0) {
        error_setg(errp, "invalid ram size: %s", size);
        return false;
    }
    vl.machine.ram_size_set = true;
    return true;
}

static void print_help(void)
{
    printf("usage: vsmmu-daemon [options]\n\n"
           "Hosts vsmmu device models (arm-smmuv3) without a VM and serves\n"
           "QEMU's qtest protocol and QMP.  Options use QEMU's syntax.\n\n");
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_options); i++) {
        if (qemu_options[i].help) {
            printf("%s\n", qemu_options[i].help);
        }
    }
    printf("\n-no-user-config, -global and -parallel are accepted and"
           " ignored; the guest\noptions are used only with -accel kvm"
           " -kernel.  See docs/system/vsmmu-daemon.rst.\n");
}

static const QEMUOption *lookup_opt(int argc, char **argv, int *pi,
                                    const char **optarg)
{
    int i = *pi;
    const char *r = argv[i];

    loc_set_cmdline(argv, i, 1);
    if (r[0] != '-' || !r[1]) {
        error_report("invalid option");
        return NULL;
    }
    r++;
    if (r[0] == '-') {
        r++;
    }
    for (size_t j = 0; j < G_N_ELEMENTS(qemu_options); j++) {
        const QEMUOption *o = &qemu_options[j];

        if (!strcmp(o->name, r)) {
            *optarg = NULL;
            if (o->has_arg) {
                if (i + 1 >= argc) {
                    error_report("requires an argument");
                    return NULL;
                }
                *optarg = argv[++i];
                loc_set_cmdline(argv, *pi, 2);
            }
            *pi = i + 1;
            return o;
        }
    }
    error_report("invalid option");
    return NULL;
}

static void defer(OptionIndex index, int argi, const char *arg)
{
    DeferredOpt d = { .index = index, .argi = argi, .arg = arg };

    g_array_append_val(vl.deferred, d);
}

/*
 * Apply deferred options of kind INDEX in command-line order; errors
 * name the option they come from.
 */
static bool apply_deferred(OptionIndex index)
{
    for (guint i = 0; i < vl.deferred->len; i++) {
        DeferredOpt *d = &g_array_index(vl.deferred, DeferredOpt, i);
        Error *err = NULL;
        bool ok = true;

        if (d->index != index) {
            continue;
        }
        loc_set_cmdline(vl.argv, d->argi, 2);
        switch (index) {
        case OPT_CHARDEV:
            ok = qemu_chardev_add(d->arg, &err);
            break;
        case OPT_OBJECT:
            ok = object_create(d->arg, &err);
            break;
        case OPT_DEVICE: {
            g_autoptr(QemuOpts) opts = qemu_opts_parse(d->arg, "driver",
                                                       &err);

            ok = opts && machine_device_add(opts, false, &err);
            break;
        }
        case OPT_MON:
            ok = parse_mon(d->arg, &err);
            break;
        case OPT_QMP:
            ok = qmp_monitor_add_inline(d->arg, &err);
            break;
        default:
            g_assert_not_reached();
        }
        if (!ok) {
            error_report_err(err);
            loc_set_none();
            return false;
        }
    }
    loc_set_none();
    return true;
}

static gboolean signal_cb(gpointer opaque)
{
    qemu_system_shutdown_request("host-signal");
    return G_SOURCE_CONTINUE;
}

/* What parsing one option decided. */
enum {
    PARSE_EXIT_OK = 0,      /* done (help, version): exit with success */
    PARSE_FAIL = 1,         /* *errp is set */
    PARSE_GO_ON = -1,
};

/* -object: TYPE,help and help print now; anything else is deferred. */
static int parse_object_opt(int argi, const char *optarg, Error **errp)
{
    if (!g_str_has_prefix(optarg, "{")) {
        g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "qom-type", errp);

        if (!opts) {
            return PARSE_FAIL;
        }
        if (object_help(opts, errp)) {
            return *errp ? PARSE_FAIL : PARSE_EXIT_OK;
        }
    }
    defer(OPT_OBJECT, argi, optarg);
    return PARSE_GO_ON;
}

/* -device: the same for devices. */
static int parse_device_opt(int argi, const char *optarg, Error **errp)
{
    if (device_help(optarg, errp)) {
        return *errp ? PARSE_FAIL : PARSE_EXIT_OK;
    }
    defer(OPT_DEVICE, argi, optarg);
    return PARSE_GO_ON;
}

static int parse_machine_opt(const char *optarg, Error **errp)
{
    if (!strcmp(optarg, "help")) {
        printf("Supported machines are:\n");
        for (const MachineTypeInfo *mt = machine_types; mt->name; mt++) {
            if (mt->alias) {
                printf("%-20s %s (alias of %s)\n", mt->alias, mt->desc,
                       mt->name);
            }
            printf("%-20s %s%s%s\n", mt->name, mt->desc,
                   mt->is_default ? " (default)" : "",
                   mt->deprecated ? " (deprecated)" : "");
        }
        return PARSE_EXIT_OK;
    }
    return machine_parse_opts(optarg, &vl.machine, errp) ? PARSE_GO_ON
                                                         : PARSE_FAIL;
}

/*
 * -display, -audio, -net and -nic: only "none", which a daemon with no
 * display, sound or network device has anyway (libqtest passes them).
 */
static bool parse_none_only(OptionIndex index, const char *optarg,
                            Error **errp)
{
    if (!strcmp(optarg, "none") ||
        (index == OPT_AUDIO && !strcmp(optarg, "driver=none"))) {
        return true;
    }
    if (index == OPT_DISPLAY) {
        error_setg(errp, "Display '%s' is not available", optarg);
    } else if (index == OPT_NET) {
        error_setg(errp, "network backend '%s' is not available (only none)",
                   optarg);
    } else {
        error_setg(errp, "audio backend '%s' is not available (only none)",
                   optarg);
    }
    return false;
}

static bool parse_vm_opt(const char *name, const char *optarg, Error **errp)
{
    static const struct {
        const char *name;
        bool (*parse)(const char *optarg, Error **errp);
    } vm_opts[] = {
        { "msg", vm_opt_msg }, { "overcommit", vm_opt_overcommit },
        { "pidfile", vm_opt_pidfile }, { "rtc", vm_opt_rtc },
        { "boot", vm_opt_boot }, { "audiodev", vm_opt_audiodev },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(vm_opts); i++) {
        if (!strcmp(vm_opts[i].name, name)) {
            return vm_opts[i].parse(optarg, errp);
        }
    }
    g_assert_not_reached();
}

/* Options that take effect while parsing, or are only remembered. */
static bool parse_immediate_opt(const QEMUOption *o, const char *name,
                                const char *optarg, Error **errp)
{
    switch (o->index) {
    case OPT_TRACE:
        return trace_opt_parse(optarg, errp);
    case OPT_M:
        return parse_m(optarg, errp);
    case OPT_QTEST:
        vl.qtest = optarg;
        return true;
    case OPT_QTEST_LOG:
        vl.qtest_log = optarg;
        vl.qtest_log_set = true;
        return true;
    case OPT_DISPLAY:
    case OPT_AUDIO:
    case OPT_NET:
        return parse_none_only(o->index, optarg, errp);
    case OPT_ACCEL:
        return parse_accel(optarg, errp);
    case OPT_RUN_WITH:
        return parse_run_with(optarg, errp);
    case OPT_GUEST:
        kvm_guest_opt(o->name, optarg);
        return true;
    case OPT_NODEFAULTS:
        return true;
    case OPT_S:
        runstate_set_prelaunch();
        return true;
    case OPT_SANDBOX:
        return sandbox_parse(optarg, &vl.sandbox, errp);
    case OPT_VM:
        return parse_vm_opt(o->name, optarg, errp);
    case OPT_ADD_FD:
        return parse_add_fd(optarg, errp);
    case OPT_NAME:
        return parse_name(optarg, errp);
    case OPT_UUID:
        return parse_uuid(optarg, errp);
    case OPT_IGNORED:
        trace_vl_option_ignored(name, optarg ? optarg : "");
        return true;
    default:
        g_assert_not_reached();
    }
}

static int parse_opt(const QEMUOption *o, char **argv, int argi,
                     const char *optarg, Error **errp)
{
    switch (o->index) {
    case OPT_HELP:
        print_help();
        return PARSE_EXIT_OK;
    case OPT_VERSION:
        printf("vsmmu-daemon version %s\n", VSMMU_FULL_VERSION);
        return PARSE_EXIT_OK;
    case OPT_OBJECT:
        return parse_object_opt(argi, optarg, errp);
    case OPT_DEVICE:
        return parse_device_opt(argi, optarg, errp);
    case OPT_CHARDEV:
    case OPT_MON:
    case OPT_QMP:
        defer(o->index, argi, optarg);
        return PARSE_GO_ON;
    case OPT_MACHINE:
        return parse_machine_opt(optarg, errp);
    default:
        return parse_immediate_opt(o, argv[argi], optarg, errp)
               ? PARSE_GO_ON : PARSE_FAIL;
    }
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv)
{
    int i = 1;

    while (i < argc) {
        int argi = i;
        const char *optarg;
        const QEMUOption *o = lookup_opt(argc, argv, &i, &optarg);
        Error *err = NULL;
        int r;

        if (!o) {
            return 1;
        }
        r = parse_opt(o, argv, argi, optarg, &err);
        if (r == PARSE_FAIL) {
            error_report_err(err);
        }
        if (r != PARSE_GO_ON) {
            return r;
        }
    }
    loc_set_none();
    return -1;
}

int qemu_init(int argc, char **argv)
{
    Error *err = NULL;
    int status;

    error_set_progname(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    trace_init_from_env();
    vl.argv = argv;
    vl.deferred = g_array_new(FALSE, FALSE, sizeof(DeferredOpt));
    vl.iommufds = g_ptr_array_new();
    vl.ehosts = g_ptr_array_new();
    vl.iothreads = g_ptr_array_new();
    machine_options_init(&vl.machine);

    status = parse_args(argc, argv);
    if (status >= 0) {
        return status;
    }
    /* As QEMU: the filter is in place before anything is created. */
    if (!sandbox_apply(&vl.sandbox, &err)) {
        error_prepend(&err, "-sandbox: ");
        error_report_err(err);
        return 1;
    }
    if (!apply_deferred(OPT_CHARDEV) || !apply_deferred(OPT_OBJECT)) {
        return 1;
    }
    if (!machine_create(&vl.machine, &err)) {
        error_report_err(err);
        return 1;
    }
    if (!apply_deferred(OPT_DEVICE) || !apply_deferred(OPT_MON) ||
        !apply_deferred(OPT_QMP)) {
        return 1;
    }
    if (vl.qtest &&
        !qtest_server_start(vl.qtest, vl.qtest_log_set ? vl.qtest_log : NULL,
                            &err)) {
        error_prepend(&err, "qtest: ");
        error_report_err(err);
        return 1;
    }
    if (vl.machine.accel_kvm) {
        kvm_accel_select();
    }
    /* Older libqtest's spelling of -accel qtest. */
    if (vl.machine.accel_qtest) {
        qtest_set_enabled(true);
    }
    if (!kvm_guest_start(!vl.machine.type || !strcmp(vl.machine.type, "virt"),
                         vl.qtest || qtest_enabled(), vl.machine.gic_version,
                         &err)) {
        error_report_err(err);
        return 1;
    }
    if (!vm_options_start(&err)) {
        error_report_err(err);
        return 1;
    }
    vl.signal_src[0] = g_unix_signal_add(SIGTERM, signal_cb, NULL);
    vl.signal_src[1] = g_unix_signal_add(SIGINT, signal_cb, NULL);
    vl.signal_src[2] = g_unix_signal_add(SIGHUP, signal_cb, NULL);
    trace_vl_ready();
    return -1;
}

void qemu_cleanup(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vl.signal_src); i++) {
        if (vl.signal_src[i]) {
            g_source_remove(vl.signal_src[i]);
            vl.signal_src[i] = 0;
        }
    }
    /*
     * Removing the last source gives the signals back their default
     * action: a SIGTERM arriving now (libqtest's, after "quit") would
     * kill the exiting daemon instead of letting it finish with its
     * status.  We are shutting down already: ignore them.
     */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    kvm_guest_cleanup();
    vm_options_cleanup();
    qemu_chardev_cleanup();
    qtest_server_stop();
    qmp_vsmmu_cleanup();
    machine_destroy();
    host_memory_backend_cleanup();
    g_clear_pointer(&vl.machine.memory_backend, g_free);
    for (guint i = 0; vl.iommufds && i < vl.iommufds->len; i++) {
        IOMMUFDBackend *be = g_ptr_array_index(vl.iommufds, i);

        iommufd_backend_disconnect(be);
        iommufd_backend_free(be);
    }
    g_clear_pointer(&vl.iommufds, g_ptr_array_unref);
    for (guint i = 0; vl.ehosts && i < vl.ehosts->len; i++) {
        iommufd_emulated_host_free(g_ptr_array_index(vl.ehosts, i));
    }
    g_clear_pointer(&vl.ehosts, g_ptr_array_unref);
    for (guint i = 0; vl.iothreads && i < vl.iothreads->len; i++) {
        IOThread *iot = g_ptr_array_index(vl.iothreads, i);

        iothread_stop(iot);
        iothread_free(iot);
    }
    g_clear_pointer(&vl.iothreads, g_ptr_array_unref);
    /* Last: nothing is left that could emit a QMP event. */
    qmp_cleanup();
    object_registry_clear();
    g_clear_pointer(&vl.deferred, g_array_unref);
    secret_cleanup();
    fd_registry_clear();
    g_clear_pointer(&vl.name, g_free);
    g_clear_pointer(&vl.uuid, g_free);
}
