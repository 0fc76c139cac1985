/*
 * The human monitor, as QMP's human-monitor-command runs it: a command
 * table, and the introspection commands in QEMU's output conventions
 * ("device_add help", "info qtree", "info qom-tree", "info mtree").
 *
 * Output is returned as the command's text; errors are printed into it
 * as QEMU's monitor prints them ("Error: ...", "unknown command: ...").
 * Owns no state; main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/object-registry.h"
#include "hw/pci/pci-device.h"
#include "hw/qdev-properties.h"
#include "system/machine.h"
#include "system/qmp.h"
#include "system/qmp-qom.h"
#include "system/qom-tree.h"
#include "trace.h"
#include "vsmmu-version.h"

typedef void HmpFunc(GString *out, const char *args);

typedef struct HmpCommand {
    const char *name;
    const char *params;         /* as "help" shows them */
    const char *help;
    HmpFunc *func;
} HmpCommand;

static void hmp_help(GString *out, const char *args);
static void hmp_info(GString *out, const char *args);

static void hmp_error(GString *out, Error *err)
{
    g_string_append_printf(out, "Error: %s\n", error_get_pretty(err));
    error_free(err);
}

/* ---- device_add, device_del -------------------------------------- */

static void hmp_device_add(GString *out, const char *args)
{
    g_autoptr(QemuOpts) opts = NULL;
    g_autofree char *help = NULL;
    Error *err = NULL;

    opts = qemu_opts_parse(args, "driver", &err);
    if (opts && qdev_opts_help(opts, &help, &err)) {
        if (help) {
            g_string_append(out, help);
        }
    } else if (opts) {
        machine_device_add(opts, true, &err);
    }
    if (err) {
        hmp_error(out, err);
    }
}

static void hmp_device_del(GString *out, const char *args)
{
    g_autoptr(JsonObject) qargs = json_object_new();
    Error *err = NULL;
    JsonNode *ret;

    json_object_set_string_member(qargs, "id", args);
    ret = qmp_run_command("device_del", qargs, &err);
    if (ret) {
        json_node_unref(ret);
    }
    if (err) {
        hmp_error(out, err);
    }
}

/* ---- qom-list, qom-get ------------------------------------------- */

static void hmp_qom_list(GString *out, const char *args)
{
    g_autoptr(JsonObject) qargs = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    Error *err = NULL;
    JsonArray *arr;

    json_object_set_string_member(qargs, "path", args[0] ? args : "/");
    ret = qmp_run_command("qom-list", qargs, &err);
    if (!ret) {
        hmp_error(out, err);
        return;
    }
    arr = json_node_get_array(ret);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *p = json_array_get_object_element(arr, i);

        g_string_append_printf(out, "%s (%s)\n",
                               json_object_get_string_member(p, "name"),
                               json_object_get_string_member(p, "type"));
    }
}

static void hmp_qom_get(GString *out, const char *args)
{
    g_autoptr(JsonObject) qargs = json_object_new();
    g_autoptr(JsonGenerator) gen = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_auto(GStrv) words = g_strsplit_set(args, " \t", 2);
    g_autofree char *text = NULL;
    Error *err = NULL;

    if (!words[0] || !words[1]) {
        g_string_append(out, "Error: qom-get needs a path and a"
                        " property\n");
        return;
    }
    json_object_set_string_member(qargs, "path", words[0]);
    json_object_set_string_member(qargs, "property", g_strstrip(words[1]));
    ret = qmp_run_command("qom-get", qargs, &err);
    if (!ret) {
        hmp_error(out, err);
        return;
    }
    gen = json_generator_new();
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_root(gen, ret);
    text = json_generator_to_data(gen, NULL);
    g_string_append_printf(out, "%s\n", text);
}

/* ---- info qtree -------------------------------------------------- */

/* A property as QEMU's human printer shows it. */
static char *qtree_value(DeviceState *dev, const Property *p)
{
    g_autofree char *s = qdev_prop_get_string(dev, p);
    uint64_t v;

    switch (p->type) {
    case PROP_TYPE_BOOL:
        return g_strdup(qdev_prop_get_uint(dev, p) ? "true" : "false");
    case PROP_TYPE_LINK: {
        g_autofree char *path = s ? qom_id_path(s) : NULL;

        return g_strdup_printf("\"%s\"", path ? path : "");
    }
    case PROP_TYPE_STRING:
    case PROP_TYPE_ENUM:
        return g_strdup_printf("\"%s\"", s ? s : "");
    case PROP_TYPE_PCI_DEVFN:
        return g_steal_pointer(&s);
    default:
        v = qdev_prop_get_uint(dev, p);
        return g_strdup_printf("%" PRIu64 " (0x%" PRIx64 ")", v, v);
    }
}

typedef struct QtreeBus {
    GString *out;
    PCIBus *bus;                /* NULL: the system bus */
    int indent;
} QtreeBus;

static void qtree_bus(GString *out, const char *name, const char *type,
                      PCIBus *bus, int indent);

static void qtree_dev(DeviceState *dev, void *opaque)
{
    QtreeBus *qb = opaque;
    const char *bus_type = qdev_class_bus_type(dev->klass);
    bool is_pci = bus_type && !strcmp(bus_type, TYPE_PCI_BUS);
    PCIBus *own = dev->id ? object_registry_lookup(dev->id, TYPE_PCI_BUS)
                          : NULL;
    int ind = qb->indent + 2;

    if (is_pci != (qb->bus != NULL)) {
        return;
    }
    if (is_pci) {
        const Property *bp = qdev_prop_find(dev->klass, "bus");
        g_autofree char *id = bp ? qdev_prop_get_string(dev, bp) : NULL;

        if (strcmp(id ? id : "pcie.0", qb->bus->id) != 0) {
            return;
        }
    }
    g_string_append_printf(qb->out, "%*sdev: %s, id \"%s\"\n", qb->indent,
                           "", dev->klass->name, dev->id ? dev->id : "");
    if (dev->num_irqs) {
        g_string_append_printf(qb->out, "%*sgpio-out \"sysbus-irq\" %d\n",
                               ind, "", dev->num_irqs);
    }
    for (const Property *p = dev->klass->props; p && p->name; p++) {
        g_autofree char *v = qtree_value(dev, p);

        g_string_append_printf(qb->out, "%*s%s = %s\n", ind, "", p->name, v);
    }
    if (dev->mmio) {
        g_string_append_printf(qb->out, "%*smmio %016" PRIx64 "/%016" PRIx64
                               "\n", ind, "", memory_region_base(dev->mmio),
                               memory_region_size(dev->mmio));
    }
    if (own && own != qb->bus) {
        qtree_bus(qb->out, own->id, TYPE_PCIE_BUS, own, ind);
    }
}

static void qtree_bus(GString *out, const char *name, const char *type,
                      PCIBus *bus, int indent)
{
    QtreeBus qb = { .out = out, .bus = bus, .indent = indent + 2 };

    g_string_append_printf(out, "%*sbus: %s\n", indent, "", name);
    g_string_append_printf(out, "%*stype %s\n", indent + 2, "", type);
    machine_foreach_device(qtree_dev, &qb);
}

static void info_qtree(GString *out, const char *args)
{
    qtree_bus(out, "main-system-bus", TYPE_SYSTEM_BUS, NULL, 0);
    /* No host bridge device is modelled: pcie.0 is a root of its own. */
    if (machine_pcie0()) {
        qtree_bus(out, machine_pcie0()->id, TYPE_PCIE_BUS, machine_pcie0(),
                  0);
    }
}

/* ---- info qom-tree ----------------------------------------------- */

static gint compare_child_names(gconstpointer a, gconstpointer b)
{
    const QomProp *pa = *(QomProp *const *)a;
    const QomProp *pb = *(QomProp *const *)b;

    return strcmp(pa->name, pb->name);
}

static void qom_tree_print(GString *out, const QomNode *n, const char *name,
                           int indent)
{
    g_autoptr(GPtrArray) props = qom_node_props(n);

    g_string_append_printf(out, "%*s%s (%s)\n", indent, "", name,
                           qom_node_type(n));
    g_ptr_array_sort(props, compare_child_names);
    for (guint i = 0; i < props->len; i++) {
        QomProp *p = g_ptr_array_index(props, i);
        g_autofree char *child_name = NULL;

        if (p->child) {
            child_name = g_strdup_printf("/%s", p->name);
            qom_tree_print(out, p->child, child_name, indent + 2);
        }
    }
}

static void info_qom_tree(GString *out, const char *args)
{
    const char *path = args[0] ? args : "/machine";
    g_autoptr(QomNode) n = NULL;
    bool ambiguous;

    n = qom_resolve_path(path, &ambiguous);
    if (!n) {
        g_string_append_printf(out, ambiguous ? "Warning: Path '%s' is"
                                                " ambiguous.\n"
                                              : "Path '%s' could not be"
                                                " resolved.\n", path);
        return;
    }
    qom_tree_print(out, n, qom_node_path(n), 0);
}

/* ---- info mtree -------------------------------------------------- */

static void mtree_region(MemoryRegion *mr, void *opaque)
{
    GString *out = opaque;
    hwaddr base = memory_region_base(mr);

    g_string_append_printf(out, "    %016" PRIx64 "-%016" PRIx64
                           " (prio 0, i/o): %s\n", base,
                           base + memory_region_size(mr) - 1,
                           memory_region_name(mr));
}

static void info_mtree(GString *out, const char *args)
{
    AddressSpace *as = machine_address_space();
    const MachineTypeInfo *mt = machine_current_type();
    hwaddr ram_base;
    uint64_t ram_size;

    g_string_append(out, "address-space: memory\n"
                    "  0000000000000000-ffffffffffffffff (prio 0, i/o):"
                    " system\n");
    address_space_foreach_mmio(as, mtree_region, out);
    if (address_space_get_ram(as, &ram_base, &ram_size, NULL, NULL)) {
        g_string_append_printf(out, "    %016" PRIx64 "-%016" PRIx64
                               " (prio 0, ram): %s\n", ram_base,
                               ram_base + ram_size - 1,
                               mt->default_ram_id);
    }
    g_string_append_c(out, '\n');
}

/* ---- info version, status ---------------------------------------- */

/* QEMU prints its version and, in parentheses, its package string. */
static void info_version(GString *out, const char *args)
{
    g_string_append_printf(out, "%s (%s)\n", VSMMU_VERSION,
                           VSMMU_PKGVERSION);
}

static void info_status(GString *out, const char *args)
{
    g_autoptr(JsonObject) empty = json_object_new();
    g_autoptr(JsonNode) ret = qmp_run_command("query-status", empty, NULL);
    JsonObject *o = ret ? json_node_get_object(ret) : NULL;

    g_string_append_printf(out, "VM status: %s\n",
                           o ? json_object_get_string_member(o, "status")
                             : "running");
}

/* ---- tables and dispatch ----------------------------------------- */

static const HmpCommand hmp_info_cmds[] = {
    { "mtree", "", "show memory tree", info_mtree },
    { "qom-tree", "[path]", "show QOM composition tree", info_qom_tree },
    { "qtree", "", "show device tree", info_qtree },
    { "status", "", "show the current VM status (running|paused)",
      info_status },
    { "version", "", "show the version of QEMU", info_version },
    { NULL }
};

static const HmpCommand hmp_cmds[] = {
    { "device_add", "driver[,prop=value][,...]",
      "add device, like -device on the command line", hmp_device_add },
    { "device_del", "device", "remove device", hmp_device_del },
    { "help|?", "[cmd]", "show the help", hmp_help },
    { "info", "[subcommand]", "show various information about the system"
      " state", hmp_info },
    { "qom-get", "path property", "print QOM property", hmp_qom_get },
    { "qom-list", "path", "list QOM properties", hmp_qom_list },
    { NULL }
};

/* Does NAME match the table entry's "a|b" name? */
static bool name_matches(const char *entry, const char *name)
{
    g_auto(GStrv) names = g_strsplit(entry, "|", -1);

    return g_strv_contains((const char *const *)names, name);
}

static const HmpCommand *find_cmd(const HmpCommand *table, const char *name)
{
    for (const HmpCommand *c = table; c->name; c++) {
        if (name_matches(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

static void help_table(GString *out, const char *prefix,
                       const HmpCommand *table)
{
    for (const HmpCommand *c = table; c->name; c++) {
        g_string_append_printf(out, "%s%s%s%s -- %s\n", prefix, c->name,
                               c->params[0] ? " " : "", c->params, c->help);
    }
}

/* Split "name rest" into the name and the rest, blanks trimmed. */
static char *split_word(const char *line, const char **rest)
{
    const char *end;

    while (g_ascii_isspace(*line)) {
        line++;
    }
    for (end = line; *end && !g_ascii_isspace(*end); end++) {
        continue;
    }
    *rest = end;
    while (g_ascii_isspace(**rest)) {
        (*rest)++;
    }
    return g_strndup(line, end - line);
}

static void hmp_help(GString *out, const char *args)
{
    const char *rest;
    g_autofree char *name = split_word(args, &rest);
    const HmpCommand *c;

    if (!name[0]) {
        help_table(out, "", hmp_cmds);
        return;
    }
    if (!strcmp(name, "info")) {
        help_table(out, "info ", hmp_info_cmds);
        return;
    }
    c = find_cmd(hmp_cmds, name);
    if (!c) {
        g_string_append_printf(out, "unknown command: '%s'\n", name);
        return;
    }
    g_string_append_printf(out, "%s%s%s -- %s\n", c->name,
                           c->params[0] ? " " : "", c->params, c->help);
}

static void hmp_info(GString *out, const char *args)
{
    const char *rest;
    g_autofree char *name = split_word(args, &rest);
    const HmpCommand *c;

    if (!name[0]) {
        help_table(out, "info ", hmp_info_cmds);
        return;
    }
    c = find_cmd(hmp_info_cmds, name);
    if (!c) {
        g_string_append_printf(out, "unknown command: 'info %s'\n", name);
        return;
    }
    c->func(out, rest);
}

static const QmpArg hmc_args[] = {
    { "command-line", QMP_ARG_STR, .required = true },
    { "cpu-index", QMP_ARG_INT },
    { NULL }
};

static JsonNode *qmp_human_monitor_command(JsonObject *args, Error **errp)
{
    const char *line = qmp_arg_str(args, "command-line", "");
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *name = NULL;
    g_autofree char *rest = NULL;
    const HmpCommand *c;
    const char *r;
    JsonNode *node;

    /* No monitor of ours has a current CPU. */
    if (json_object_has_member(args, "cpu-index")) {
        error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
        return NULL;
    }
    name = split_word(line, &r);
    rest = g_strchomp(g_strdup(r));
    trace_hmp_command(name);
    if (name[0]) {
        c = find_cmd(hmp_cmds, name);
        if (c) {
            c->func(out, rest);
        } else {
            g_string_append_printf(out, "unknown command: '%s'\n", name);
        }
    }
    /* QEMU's monitor ends its lines with CR LF, in this reply too. */
    g_string_replace(out, "\n", "\r\n", 0);
    node = json_node_new(JSON_NODE_VALUE);
    json_node_set_string(node, out->str);
    return node;
}

void qmp_register_hmp_commands(void)
{
    qmp_register_command_args("human-monitor-command",
                              qmp_human_monitor_command, hmc_args);
}
