/*
 * QMP for assigned host devices: x-vfio-pci-region, one read or write of
 * a VFIO region of a vfio-pci device (the test beds have no guest CPU to
 * reach its BARs), on top of vfio_pci_region_access().
 *   {"id": DEV, "region": N, "offset": OFF, "size": 1|2|4|8[, "value": V]}
 * writes V when given, else reads; returns {"value": V}.  Region numbers
 * are VFIO's (0-5 the BARs, 7 the config space).
 *
 * Main thread only (a QMP command handler).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/vfio/pci.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/qmp-vfio.h"
#include <json-glib/json-glib.h>

static bool region_arg(JsonObject *args, const char *name, bool required,
                       uint64_t *val, Error **errp)
{
    JsonNode *n = json_object_get_member(args, name);

    if (!n) {
        if (required) {
            error_setg(errp, "Parameter '%s' is missing", name);
        }
        return !required;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_INT64 ||
        json_node_get_int(n) < 0) {
        error_setg(errp, "Invalid parameter type for '%s', expected: "
                   "non-negative integer", name);
        return false;
    }
    *val = json_node_get_int(n);
    return true;
}

static JsonNode *qmp_x_vfio_pci_region(JsonObject *args, Error **errp)
{
    static const char *const allowed[] = {
        "id", "region", "offset", "size", "value", NULL
    };
    uint64_t region = 0, offset = 0, size = 0, value = 0;
    bool write = json_object_has_member(args, "value");
    DeviceState *dev;
    JsonObject *ret;
    JsonNode *node, *id;

    if (!qmp_check_args(args, allowed, errp) ||
        !region_arg(args, "region", true, &region, errp) ||
        !region_arg(args, "offset", true, &offset, errp) ||
        !region_arg(args, "size", true, &size, errp) ||
        !region_arg(args, "value", false, &value, errp)) {
        return NULL;
    }
    id = json_object_get_member(args, "id");
    if (!id || !JSON_NODE_HOLDS_VALUE(id) ||
        json_node_get_value_type(id) != G_TYPE_STRING ||
        !(dev = machine_find_device(json_node_get_string(id))) ||
        strcmp(dev->klass->name, TYPE_VFIO_PCI)) {
        error_setg(errp, "'id' must name a vfio-pci device");
        return NULL;
    }
    if (!vfio_pci_region_access((VFIOPCIDevice *)dev, region, offset,
                                size > 8 ? 0 : (unsigned)size, &value, write,
                                errp)) {
        return NULL;
    }
    ret = json_object_new();
    json_object_set_int_member(ret, "value", (gint64)value);
    node = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(node, ret);
    return node;
}

void qmp_register_vfio_commands(void)
{
    qmp_register_command("x-vfio-pci-region", qmp_x_vfio_pci_region);
}
