/*
 * Built-in QMP commands.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/iothread.h"
#include "system/qmp-vsmmu.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "system/kvm.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/runstate.h"

static const char *const no_args[] = { NULL };

static JsonNode *object_node(JsonObject *obj)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, obj);
    return node;
}

static JsonNode *qmp_query_version(JsonObject *args, Error **errp)
{
    JsonObject *ret, *qemu;
    int major = 0, minor = 0, micro = 0;

    if (!qmp_check_args(args, no_args, errp)) {
        return NULL;
    }
    sscanf(VSMMU_VERSION, "%d.%d.%d", &major, &minor, &micro);
    qemu = json_object_new();
    json_object_set_int_member(qemu, "micro", micro);
    json_object_set_int_member(qemu, "minor", minor);
    json_object_set_int_member(qemu, "major", major);
    ret = json_object_new();
    json_object_set_object_member(ret, "qemu", qemu);
    json_object_set_string_member(ret, "package", "vsmmu-" VSMMU_VERSION);
    return object_node(ret);
}

static JsonNode *qmp_query_status(JsonObject *args, Error **errp)
{
    JsonObject *ret;
    KVMGuestInfo kvm;
    bool paused;

    if (!qmp_check_args(args, no_args, errp)) {
        return NULL;
    }
    /* A KVM guest powered off under -no-shutdown is "shutdown", as QEMU. */
    paused = kvm_guest_query(&kvm) && kvm.paused;
    ret = json_object_new();
    json_object_set_string_member(ret, "status",
                                  paused ? "shutdown" : "running");
    json_object_set_boolean_member(ret, "running", !paused);
    return object_node(ret);
}

static gboolean quit_cb(gpointer opaque)
{
    qemu_system_shutdown_request("host-qmp-quit");
    return G_SOURCE_REMOVE;
}

static JsonNode *qmp_quit(JsonObject *args, Error **errp)
{
    if (!qmp_check_args(args, no_args, errp)) {
        return NULL;
    }
    /* Reply first, then SHUTDOWN, then exit: QEMU's order. */
    g_idle_add(quit_cb, NULL);
    return NULL;
}

static JsonNode *qmp_system_reset(JsonObject *args, Error **errp)
{
    g_autoptr(JsonObject) data = NULL;

    KVMGuestInfo kvm;

    if (!qmp_check_args(args, no_args, errp)) {
        return NULL;
    }
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
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    if (!qmp_check_args(args, no_args, errp)) {
        json_node_unref(node);
        return NULL;
    }
    {
        g_autoptr(GPtrArray) infos = iothread_query();
        JsonArray *arr = json_array_new();

        for (guint i = 0; i < infos->len; i++) {
            IOThreadInfo *info = g_ptr_array_index(infos, i);
            JsonObject *o = json_object_new();

            json_object_set_string_member(o, "id", info->id);
            json_object_set_int_member(o, "thread-id", info->thread_id);
            json_array_add_object_element(arr, o);
        }
        json_node_take_array(node, arr);
    }
    return node;
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

static JsonNode *qmp_device_del(JsonObject *args, Error **errp)
{
    static const char *const allowed[] = { "id", NULL };
    g_autoptr(JsonObject) data = NULL;
    g_autofree char *path = NULL;
    g_autofree char *dev_id = NULL;
    DeviceState *dev;
    JsonNode *id;

    if (!qmp_check_args(args, allowed, errp)) {
        return NULL;
    }
    id = json_object_get_member(args, "id");
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!JSON_NODE_HOLDS_VALUE(id) ||
        json_node_get_value_type(id) != G_TYPE_STRING) {
        error_setg(errp, "Invalid parameter type for 'id', expected: string");
        return NULL;
    }
    dev = machine_find_device(json_node_get_string(id));
    if (!dev) {
        error_setg(errp, "Device '%s' not found", json_node_get_string(id));
        return NULL;
    }
    path = g_strdup(machine_device_path(dev));
    dev_id = g_strdup(dev->id);
    if (!machine_device_del(dev, errp)) {
        return NULL;
    }
    data = json_object_new();
    if (dev_id) {
        json_object_set_string_member(data, "device", dev_id);
    }
    json_object_set_string_member(data, "path", path);
    qmp_send_event("DEVICE_DELETED", data);
    return NULL;
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
    JsonNode *node;
    JsonArray *list;

    if (!qmp_check_args(args, no_args, errp)) {
        return NULL;
    }
    list = json_array_new();
    machine_foreach_device(mmio_entry, list);
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, list);
    return node;
}

static JsonNode *qmp_x_query_kvm(JsonObject *args, Error **errp)
{
    JsonObject *ret;
    KVMGuestInfo kvm;

    if (!qmp_check_args(args, no_args, errp)) {
        return NULL;
    }
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
    return object_node(ret);
}

void qmp_register_builtin_commands(void)
{
    qmp_register_command("query-version", qmp_query_version);
    qmp_register_command("query-status", qmp_query_status);
    qmp_register_command("quit", qmp_quit);
    qmp_register_command("system_reset", qmp_system_reset);
    qmp_register_command("query-iothreads", qmp_query_iothreads);
    qmp_register_command("device_add", qmp_device_add);
    qmp_register_command("device_del", qmp_device_del);
    qmp_register_command("x-query-mmio", qmp_x_query_mmio);
    qmp_register_command("x-query-kvm", qmp_x_query_kvm);
    qmp_register_vsmmu_commands();
}
