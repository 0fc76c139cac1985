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

static const QmpArg region_args[] = {
    { "id", QMP_ARG_STR, .required = true },
    { "region", QMP_ARG_UINT, .required = true },
    { "offset", QMP_ARG_UINT, .required = true },
    { "size", QMP_ARG_UINT, .required = true, .has_range = true, .max = 8 },
    { "value", QMP_ARG_UINT },
    { NULL }
};

static JsonNode *qmp_x_vfio_pci_region(JsonObject *args, Error **errp)
{
    DeviceState *dev = machine_find_device(qmp_arg_str(args, "id", ""));
    uint64_t value = qmp_arg_int(args, "value", 0);
    bool write = json_object_has_member(args, "value");
    JsonObject *ret;

    if (!dev || strcmp(dev->klass->name, TYPE_VFIO_PCI)) {
        error_setg(errp, "'id' must name a vfio-pci device");
        return NULL;
    }
    if (!vfio_pci_region_access((VFIOPCIDevice *)dev,
                                qmp_arg_int(args, "region", 0),
                                qmp_arg_int(args, "offset", 0),
                                qmp_arg_int(args, "size", 0), &value, write,
                                errp)) {
        return NULL;
    }
    ret = json_object_new();
    json_object_set_int_member(ret, "value", (gint64)value);
    return qmp_object_node(ret);
}

void qmp_register_vfio_commands(void)
{
    qmp_register_command_args("x-vfio-pci-region", qmp_x_vfio_pci_region,
                              region_args);
}
