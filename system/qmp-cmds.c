/*
 * Built-in QMP commands.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/iothread.h"
#include "system/qmp-fds.h"
#include "system/qmp-vfio.h"
#include "system/qmp-pci.h"
#include "system/qmp-vsmmu.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "system/kvm.h"
#include "system/hostmem.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/qmp-qom.h"
#include "system/runstate.h"
#include "system/system.h"
#include "vsmmu-version.h"

/* Argument lists (see qmp_args_check()). */
static const QmpArg no_args[] = {
    { NULL }
};

static const QmpArg device_add_args[] = {
    { "driver", QMP_ARG_STR, .required = true },
    { "id", QMP_ARG_STR },
    { "bus", QMP_ARG_STR },
    /* Properties, typed by the device (as -device in JSON form). */
    { "*", QMP_ARG_ANY },
    { NULL }
};

static const QmpArg object_add_args[] = {
    { "qom-type", QMP_ARG_STR, .required = true },
    { "id", QMP_ARG_STR, .required = true },
    /* Properties, typed by the object (as -object in JSON form). */
    { "*", QMP_ARG_ANY },
    { NULL }
};

static const QmpArg device_del_args[] = {
    { "id", QMP_ARG_STR, .required = true },
    { NULL }
};

static JsonNode *qmp_query_version(JsonObject *args, Error **errp)
{
    JsonObject *ret, *qemu;
    int major = 0, minor = 0, micro = 0;

    sscanf(VSMMU_VERSION, "%d.%d.%d", &major, &minor, &micro);
    qemu = json_object_new();
    json_object_set_int_member(qemu, "micro", micro);
    json_object_set_int_member(qemu, "minor", minor);
    json_object_set_int_member(qemu, "major", major);
    ret = json_object_new();
    json_object_set_object_member(ret, "qemu", qemu);
    json_object_set_string_member(ret, "package", VSMMU_PKGVERSION);
    return qmp_object_node(ret);
}

static JsonNode *qmp_query_status(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();

    /* A KVM guest powered off under -no-shutdown is "shutdown", as QEMU. */
    json_object_set_string_member(ret, "status",
                                  runstate_name(runstate_get()));
    json_object_set_boolean_member(ret, "running", runstate_is_running());
    return qmp_object_node(ret);
}

static JsonNode *qmp_cont(JsonObject *args, Error **errp)
{
    vm_start(errp);
    return NULL;
}

static JsonNode *qmp_stop(JsonObject *args, Error **errp)
{
    KVMGuestInfo kvm;

    if (kvm_guest_query(&kvm) && runstate_is_running()) {
        error_setg(errp, "a KVM guest cannot be paused by vsmmu-daemon (its"
                   " vCPUs run until power-off or reset)");
        return NULL;
    }
    vm_stop();
    return NULL;
}

static JsonNode *qmp_query_name(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();

    if (qemu_vm_name()) {
        json_object_set_string_member(ret, "name", qemu_vm_name());
    }
    return qmp_object_node(ret);
}

static JsonNode *qmp_query_uuid(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();

    json_object_set_string_member(ret, "UUID", qemu_vm_uuid());
    return qmp_object_node(ret);
}

static void memdev_entry(const HostMemoryBackendInfo *info, void *opaque)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "id", info->id);
    qmp_set_u64(o, "size", info->size);
    json_object_set_boolean_member(o, "merge", info->merge);
    json_object_set_boolean_member(o, "dump", info->dump);
    json_object_set_boolean_member(o, "prealloc", info->prealloc);
    json_object_set_boolean_member(o, "share", info->share);
    json_object_set_boolean_member(o, "reserve", info->reserve);
    json_object_set_array_member(o, "host-nodes", json_array_new());
    json_object_set_string_member(o, "policy", "default");
    json_array_add_object_element(opaque, o);
}

static JsonNode *qmp_query_memdev(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();

    host_memory_backend_foreach(memdev_entry, arr);
    return qmp_array_node(arr);
}

static gboolean quit_cb(gpointer opaque)
{
    qemu_system_shutdown_request("host-qmp-quit");
    return G_SOURCE_REMOVE;
}

static JsonNode *qmp_quit(JsonObject *args, Error **errp)
{
    /* Reply first, then SHUTDOWN, then exit: QEMU's order. */
    g_idle_add(quit_cb, NULL);
    return NULL;
}

static JsonNode *qmp_system_reset(JsonObject *args, Error **errp)
{
    g_autoptr(JsonObject) data = NULL;
    KVMGuestInfo kvm;

    if (kvm_guest_query(&kvm)) {
        kvm_guest_system_reset();   /* devices, images and vCPUs */
    } else {
        machine_reset();
    }
    data = json_object_new();
    json_object_set_boolean_member(data, "guest", false);
    json_object_set_string_member(data, "reason", "host-qmp-system-reset");
    qmp_send_event("RESET", data);
    return NULL;
}

static JsonNode *qmp_query_iothreads(JsonObject *args, Error **errp)
{
    g_autoptr(GPtrArray) infos = iothread_query();
    JsonArray *arr = json_array_new();

    for (guint i = 0; i < infos->len; i++) {
        IOThreadInfo *info = g_ptr_array_index(infos, i);
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "id", info->id);
        json_object_set_int_member(o, "thread-id", info->thread_id);
        /* The properties as set (0: QEMU's meaning of 0). */
        json_object_set_int_member(o, "poll-max-ns", info->poll.max_ns);
        json_object_set_int_member(o, "poll-grow", info->poll.grow);
        json_object_set_int_member(o, "poll-shrink", info->poll.shrink);
        /* No AIO request batching here: QEMU's default, 0. */
        json_object_set_int_member(o, "aio-max-batch", 0);
        json_array_add_object_element(arr, o);
    }
    return qmp_array_node(arr);
}

static JsonNode *qmp_device_add(JsonObject *args, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_from_json(args, errp);

    if (!opts) {
        return NULL;
    }
    /* No reply data: QEMU returns {} for device_add. */
    machine_device_add(opts, true, errp);
    return NULL;
}

static JsonNode *qmp_object_add(JsonObject *args, Error **errp)
{
    qemu_object_add(args, errp);
    return NULL;
}

static JsonNode *qmp_object_del(JsonObject *args, Error **errp)
{
    qemu_object_del(qmp_arg_str(args, "id", ""), errp);
    return NULL;
}

/*
 * device_del returns once the removal is done or, for a device in a
 * hot-plug slot, once the guest was asked; DEVICE_DELETED follows when
 * the device is gone (machine_set_device_deleted_cb).
 */
static JsonNode *qmp_device_del(JsonObject *args, Error **errp)
{
    const char *id = qmp_arg_str(args, "id", NULL);
    DeviceState *dev;

    dev = machine_find_device(id);
    if (!dev) {
        error_setg(errp, "Device '%s' not found", id);
        return NULL;
    }
    machine_device_del(dev, errp);
    return NULL;
}

static void device_deleted_event(const char *id, const char *path,
                                 void *opaque)
{
    g_autoptr(JsonObject) data = json_object_new();

    if (id) {
        json_object_set_string_member(data, "device", id);
    }
    json_object_set_string_member(data, "path", path);
    qmp_send_event("DEVICE_DELETED", data);
}

static void mmio_entry(DeviceState *dev, void *opaque)
{
    JsonArray *list = opaque;
    JsonObject *e;
    int irq = machine_device_irq_base(dev);

    if (!dev->mmio && irq < 0) {
        return;
    }
    e = json_object_new();
    json_object_set_string_member(e, "path", machine_device_path(dev));
    if (dev->id) {
        json_object_set_string_member(e, "id", dev->id);
    }
    json_object_set_string_member(e, "type", dev->klass->name);
    if (dev->mmio) {
        json_object_set_int_member(e, "base",
                                   memory_region_base(dev->mmio));
        json_object_set_int_member(e, "size",
                                   memory_region_size(dev->mmio));
    }
    if (irq >= 0) {
        json_object_set_int_member(e, "irq", irq);
        json_object_set_int_member(e, "num-irqs", dev->num_irqs);
    }
    json_array_add_object_element(list, e);
}

static JsonNode *qmp_x_query_mmio(JsonObject *args, Error **errp)
{
    JsonArray *list = json_array_new();

    machine_foreach_device(mmio_entry, list);
    return qmp_array_node(list);
}

/*
 * The machine's vCPUs: none unless a KVM guest runs (the qtest machine
 * has no CPU, as QEMU's "-machine none").  A KVM guest's vCPUs are not
 * QOM objects here; x-query-kvm counts them.
 */
static JsonNode *qmp_query_cpus_fast(JsonObject *args, Error **errp)
{
    JsonNode *node;
    KVMGuestInfo kvm;

    if (kvm_guest_query(&kvm)) {
        error_setg(errp, "the KVM guest's %u vCPUs are not listed here"
                   " (x-query-kvm counts them)", kvm.vcpus);
        return NULL;
    }
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, json_array_new());
    return node;
}

static JsonNode *qmp_x_query_kvm(JsonObject *args, Error **errp)
{
    JsonObject *ret;
    KVMGuestInfo kvm;

    if (!kvm_guest_query(&kvm)) {
        error_setg(errp, "no KVM guest is running (-accel kvm -kernel)");
        return NULL;
    }
    ret = json_object_new();
    json_object_set_int_member(ret, "vcpus", kvm.vcpus);
    json_object_set_boolean_member(ret, "paused", kvm.paused);
    json_object_set_int_member(ret, "resets", kvm.resets);
    json_object_set_int_member(ret, "mmio-exits", kvm.mmio_exits);
    json_object_set_int_member(ret, "mmio-unassigned", kvm.mmio_unassigned);
    json_object_set_int_member(ret, "system-events", kvm.system_events);
    json_object_set_int_member(ret, "irq-lines", kvm.irq_lines);
    json_object_set_int_member(ret, "irq-dropped", kvm.irq_dropped);
    json_object_set_int_member(ret, "msis", kvm.msis);
    json_object_set_int_member(ret, "msis-unmapped", kvm.msis_unmapped);
    json_object_set_int_member(ret, "msis-failed", kvm.msis_failed);
    json_object_set_int_member(ret, "msi-routes", kvm.msi_routes);
    json_object_set_int_member(ret, "memory-slots", kvm.memory_slots);
    json_object_set_int_member(ret, "memory-slot-maps", kvm.memory_slot_maps);
    json_object_set_int_member(ret, "mmio-exits-mapped",
                               kvm.mmio_exits_mapped);
    return qmp_object_node(ret);
}

void qmp_register_builtin_commands(void)
{
    qmp_register_command_args("query-version", qmp_query_version, no_args);
    qmp_register_command_args("query-status", qmp_query_status, no_args);
    qmp_register_command_args("query-name", qmp_query_name, no_args);
    qmp_register_command_args("query-memdev", qmp_query_memdev, no_args);
    qmp_register_command_args("query-uuid", qmp_query_uuid, no_args);
    qmp_register_command_args("cont", qmp_cont, no_args);
    qmp_register_command_args("stop", qmp_stop, no_args);
    qmp_register_command_args("quit", qmp_quit, no_args);
    qmp_register_command_args("system_reset", qmp_system_reset, no_args);
    qmp_register_command_args("query-iothreads", qmp_query_iothreads,
                              no_args);
    qmp_register_command_args("device_add", qmp_device_add,
                              device_add_args);
    qmp_register_command_args("device_del", qmp_device_del,
                              device_del_args);
    machine_set_device_deleted_cb(device_deleted_event, NULL);
    qmp_register_command_args("object-add", qmp_object_add, object_add_args);
    /* Its one member is "id", as device_del's. */
    qmp_register_command_args("object-del", qmp_object_del, device_del_args);
    qmp_register_command_args("x-query-mmio", qmp_x_query_mmio, no_args);
    qmp_register_command_args("x-query-kvm", qmp_x_query_kvm, no_args);
    qmp_register_command_args("query-cpus-fast", qmp_query_cpus_fast,
                              no_args);
    qmp_register_qom_commands();
    qmp_register_hmp_commands();
    qmp_register_vsmmu_commands();
    qmp_register_vfio_commands();
    qmp_register_fd_commands();
    qmp_register_pci_commands();
}
