/*
 * Device and type introspection, as QEMU's device-introspect-test asks
 * it: qom-list-types, device-list-properties, qom-list-properties and
 * HMP "device_add help" answer consistently, and introspecting every
 * type leaves the QOM composition tree and the qdev tree unchanged.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"

/* What a machine is started with besides -machine: objects and devices. */
#define POPULATED \
    " -object iothread,id=io0 -object iommufd,id=fd0,x-emulated-host=on" \
    " -device pxb-pcie,id=pxb1,bus_nr=8" \
    " -device arm-smmuv3,id=smmu1,primary-bus=pxb1,stage=1"

static JsonObject *qmp_ok(QTestState *s, JsonNode **ret, const char *fmt,
                          ...) G_GNUC_PRINTF(3, 4);

static JsonObject *qmp_ok(QTestState *s, JsonNode **ret, const char *fmt,
                          ...)
{
    g_autofree char *cmd = NULL;
    JsonObject *rsp;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rsp = qtest_qmp(s, "%s", cmd);
    *ret = qtest_qmp_assert_success(rsp);
    return rsp;
}

static JsonObject *list_types(QTestState *s, const char *implements,
                              bool abstract, JsonArray **types)
{
    g_autofree char *impl = implements ? qtest_json_str(implements) : NULL;
    JsonNode *ret;
    JsonObject *rsp;

    rsp = qmp_ok(s, &ret, "{\"execute\": \"qom-list-types\", \"arguments\":"
                 " {\"abstract\": %s%s%s}}", abstract ? "true" : "false",
                 impl ? ", \"implements\": " : "", impl ? impl : "");
    *types = json_node_get_array(ret);
    return rsp;
}

/* name -> its ObjectTypeInfo (borrowed from the array). */
static GHashTable *type_index(JsonArray *types)
{
    GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < json_array_get_length(types); i++) {
        JsonObject *t = json_array_get_object_element(types, i);

        g_hash_table_insert(index,
                            (gpointer)json_object_get_string_member(t, "name"),
                            t);
    }
    return index;
}

static bool has_ancestor(GHashTable *index, const char *type,
                         const char *ancestor)
{
    for (int depth = 0; type && depth < 32; depth++) {
        JsonObject *t = g_hash_table_lookup(index, type);

        if (!strcmp(type, ancestor)) {
            return true;
        }
        type = t && json_object_has_member(t, "parent") ?
               json_object_get_string_member(t, "parent") : NULL;
    }
    return false;
}

/* The composition tree from PATH: every child path, sorted, and types. */
static void qom_walk(QTestState *s, const char *path, GString *out)
{
    g_autofree char *qpath = qtest_json_str(path);
    g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func(g_free);
    JsonObject *rsp;
    JsonNode *ret;
    JsonArray *props;

    rsp = qmp_ok(s, &ret, "{\"execute\": \"qom-list\", \"arguments\":"
                 " {\"path\": %s}}", qpath);
    props = json_node_get_array(ret);
    for (guint i = 0; i < json_array_get_length(props); i++) {
        JsonObject *p = json_array_get_object_element(props, i);
        const char *type = json_object_get_string_member(p, "type");

        if (g_str_has_prefix(type, "child<")) {
            g_ptr_array_add(children, g_strdup_printf("%s %s",
                json_object_get_string_member(p, "name"), type));
        }
    }
    json_object_unref(rsp);
    g_ptr_array_sort(children, qtest_compare_strings);
    for (guint i = 0; i < children->len; i++) {
        g_auto(GStrv) nt = g_strsplit(g_ptr_array_index(children, i), " ", 2);
        g_autofree char *child = g_strdup_printf("%s/%s",
                                                 strcmp(path, "/") ? path : "",
                                                 nt[0]);

        g_string_append_printf(out, "%s %s\n", child, nt[1]);
        qom_walk(s, child, out);
    }
}

/* Everything a leak or a dangling object would change. */
static char *trees(QTestState *s)
{
    GString *out = g_string_new(NULL);
    g_autofree char *qtree = qtest_hmp(s, "info qtree");
    g_autofree char *qom_tree = qtest_hmp(s, "info qom-tree");
    g_autofree char *mtree = qtest_hmp(s, "info mtree");

    qom_walk(s, "/", out);
    g_string_append_printf(out, "%s%s%s", qtree, qom_tree, mtree);
    return g_string_free(out, FALSE);
}

/* What device-introspect-test does for one type, with our checks. */
static void introspect_device(QTestState *s, const char *type)
{
    g_autofree char *qtype = qtest_json_str(type);
    g_autofree char *help = NULL;
    g_autoptr(GString) escaped = g_string_new(type);
    JsonObject *rsp;

    rsp = qtest_qmp(s, "{\"execute\": \"device-list-properties\","
                    " \"arguments\": {\"typename\": %s}}", qtype);
    g_assert_true(json_object_has_member(rsp, "return") ||
                  json_object_has_member(rsp, "error"));
    json_object_unref(rsp);
    g_string_replace(escaped, ",", ",,", 0);
    help = qtest_hmp(s, "device_add \"%s,help\"", escaped->str);
    g_assert_nonnull(help);
}

/* qom-list-properties of every type, abstract ones included. */
static void introspect_all_types(QTestState *s)
{
    JsonArray *types;
    JsonObject *rsp = list_types(s, NULL, true, &types);
    g_autoptr(GHashTable) index = type_index(types);

    for (guint i = 0; i < json_array_get_length(types); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(types, i), "name");
        g_autofree char *qname = qtest_json_str(name);
        JsonObject *r = qtest_qmp(s, "{\"execute\": \"qom-list-properties\","
                                  " \"arguments\": {\"typename\": %s}}",
                                  qname);

        /* Every object type answers; an interface is not one. */
        g_assert_cmpint(json_object_has_member(r, "return"), ==,
                        has_ancestor(index, name, "object"));
        json_object_unref(r);
    }
    json_object_unref(rsp);
}

static void test_list(void)
{
    QTestState *s = qtest_init("-machine none");
    g_autofree char *help = qtest_hmp(s, "device_add help");
    JsonArray *types;
    JsonObject *rsp = list_types(s, "device", false, &types);

    g_assert_cmpuint(json_array_get_length(types), >, 0);
    for (guint i = 0; i < json_array_get_length(types); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(types, i), "name");
        g_autofree char *entry = g_strdup_printf("name \"%s\"", name);

        /* All our device types are user-creatable: each is listed. */
        g_assert_nonnull(strstr(help, entry));
    }
    json_object_unref(rsp);
    qtest_quit(s);
}

static void check_parents(QTestState *s, const char *ancestor)
{
    JsonArray *types;
    JsonObject *rsp = list_types(s, ancestor, true, &types);
    g_autoptr(GHashTable) index = type_index(types);

    g_assert_cmpuint(json_array_get_length(types), >, 0);
    for (guint i = 0; i < json_array_get_length(types); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(types, i), "name");

        g_assert_true(has_ancestor(index, name, ancestor));
    }
    json_object_unref(rsp);
}

static void test_list_fields(void)
{
    QTestState *s = qtest_init("-machine none");
    JsonArray *all, *concrete;
    JsonObject *rsp_all = list_types(s, NULL, true, &all);
    JsonObject *rsp_concrete = list_types(s, NULL, false, &concrete);
    g_autoptr(GHashTable) index = type_index(all);
    g_autoptr(GHashTable) concrete_index = type_index(concrete);

    for (guint i = 0; i < json_array_get_length(all); i++) {
        JsonObject *t = json_array_get_object_element(all, i);
        const char *name = json_object_get_string_member(t, "name");
        bool abstract = json_object_has_member(t, "abstract") &&
                        json_object_get_boolean_member(t, "abstract");

        g_assert_cmpint(abstract, ==,
                        !g_hash_table_contains(concrete_index, name));
        /* The hierarchy is closed: every parent is a listed type. */
        if (json_object_has_member(t, "parent")) {
            g_assert_true(g_hash_table_contains(index,
                json_object_get_string_member(t, "parent")));
        } else {
            g_assert_true(!strcmp(name, "object") ||
                          !strcmp(name, "interface"));
        }
    }
    check_parents(s, "object");
    check_parents(s, "device");
    check_parents(s, "sys-bus-device");
    check_parents(s, "pci-device");
    json_object_unref(rsp_all);
    json_object_unref(rsp_concrete);
    qtest_quit(s);
}

static void test_hierarchy(void)
{
    QTestState *s = qtest_init("-machine none");
    JsonArray *types;
    JsonObject *rsp = list_types(s, "pci-express-device", false, &types);
    g_autoptr(GHashTable) pcie = type_index(types);
    JsonArray *sys;
    JsonObject *rsp_sys = list_types(s, "sys-bus-device", false, &sys);
    g_autoptr(GHashTable) sysbus = type_index(sys);
    JsonArray *uc;
    JsonObject *rsp_uc = list_types(s, "user-creatable", false, &uc);
    g_autoptr(GHashTable) objects = type_index(uc);

    /* What QEMU's own types are, and what a test may filter on. */
    g_assert_true(g_hash_table_contains(pcie, "vfio-pci"));
    g_assert_false(g_hash_table_contains(pcie, "arm-smmuv3"));
    g_assert_true(g_hash_table_contains(sysbus, "arm-smmuv3"));
    g_assert_false(g_hash_table_contains(sysbus, "vfio-pci"));
    g_assert_true(g_hash_table_contains(objects, "iommufd"));
    g_assert_true(g_hash_table_contains(objects, "iothread"));
    g_assert_false(g_hash_table_contains(objects, "arm-smmuv3"));
    json_object_unref(rsp);
    json_object_unref(rsp_sys);
    json_object_unref(rsp_uc);
    qtest_quit(s);
}

static void test_abstract_interfaces(void)
{
    QTestState *s = qtest_init("-machine none");
    JsonArray *types;
    JsonObject *rsp = list_types(s, "interface", true, &types);
    g_autoptr(GHashTable) index = type_index(types);
    unsigned interfaces = 0;

    for (guint i = 0; i < json_array_get_length(types); i++) {
        JsonObject *t = json_array_get_object_element(types, i);
        const char *name = json_object_get_string_member(t, "name");

        if (!has_ancestor(index, name, "interface")) {
            continue;
        }
        interfaces++;
        g_assert_true(json_object_has_member(t, "abstract") &&
                      json_object_get_boolean_member(t, "abstract"));
    }
    /* interface, user-creatable, hotplug-handler, the two PCI ones. */
    g_assert_cmpuint(interfaces, >=, 5);
    json_object_unref(rsp);
    qtest_quit(s);
}

static void assert_error(QTestState *s, const char *cmd, const char *klass,
                         const char *desc)
{
    JsonObject *rsp = qtest_qmp(s, "%s", cmd);
    JsonObject *err = json_object_get_object_member(rsp, "error");

    g_assert_nonnull(err);
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, klass);
    g_assert_cmpstr(json_object_get_string_member(err, "desc"), ==, desc);
    json_object_unref(rsp);
}

/* A type device_add and device-list-properties must refuse. */
typedef struct BadType {
    const char *type;
    const char *klass, *desc;               /* device-list-properties */
    const char *other, *other_klass, *other_desc;   /* one more query */
} BadType;

static const BadType bad_types[] = {
    { "nonexistent", "DeviceNotFound", "Device 'nonexistent' not found",
      "{\"execute\": \"qom-list-properties\", \"arguments\":"
      " {\"typename\": \"nonexistent\"}}", "DeviceNotFound",
      "Class 'nonexistent' not found" },
    { "device", "GenericError",
      "Parameter 'typename' expects a non-abstract device type",
      "{\"execute\": \"device-list-properties\", \"arguments\":"
      " {\"typename\": \"iothread\"}}", "GenericError",
      "Parameter 'typename' expects device" },
};

/* The errors QEMU gives, and the trees unchanged after them. */
static void test_bad_type(gconstpointer data)
{
    const BadType *bt = data;
    QTestState *s = qtest_init("-machine none");
    g_autofree char *before = trees(s);
    g_autofree char *after = NULL;
    g_autofree char *help = NULL;
    g_autofree char *want = g_strdup_printf("Error: '%s' is not a valid"
                                            " device model name\r\n",
                                            bt->type);
    g_autofree char *cmd = g_strdup_printf("{\"execute\":"
                                           " \"device-list-properties\","
                                           " \"arguments\": {\"typename\":"
                                           " \"%s\"}}", bt->type);

    introspect_device(s, bt->type);
    assert_error(s, cmd, bt->klass, bt->desc);
    assert_error(s, bt->other, bt->other_klass, bt->other_desc);
    help = qtest_hmp(s, "device_add %s,help", bt->type);
    g_assert_cmpstr(help, ==, want);
    after = trees(s);
    g_assert_cmpstr(before, ==, after);
    qtest_quit(s);
}

/* The property names "device_add TYPE,help" lists, sorted. */
static char *help_props(QTestState *s, const char *type)
{
    g_autofree char *help = qtest_hmp(s, "device_add %s,help", type);
    g_auto(GStrv) lines = g_strsplit(help, "\r\n", -1);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    for (int i = 1; lines[i]; i++) {
        const char *eq = strchr(lines[i], '=');

        if (g_str_has_prefix(lines[i], "  ") && eq) {
            g_ptr_array_add(names, g_strndup(lines[i] + 2,
                                             eq - lines[i] - 2));
        }
    }
    g_ptr_array_sort(names, qtest_compare_strings);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(",", (char **)names->pdata);
}

/* The same from device-list-properties. */
static char *qmp_props(QTestState *s, const char *type)
{
    g_autofree char *qtype = qtest_json_str(type);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    JsonNode *ret;
    JsonObject *rsp = qmp_ok(s, &ret, "{\"execute\":"
                             " \"device-list-properties\", \"arguments\":"
                             " {\"typename\": %s}}", qtype);
    JsonArray *props = json_node_get_array(ret);

    for (guint i = 0; i < json_array_get_length(props); i++) {
        JsonObject *p = json_array_get_object_element(props, i);

        g_ptr_array_add(names,
                        g_strdup(json_object_get_string_member(p, "name")));
        g_assert_true(json_object_has_member(p, "type"));
    }
    json_object_unref(rsp);
    g_ptr_array_sort(names, qtest_compare_strings);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(",", (char **)names->pdata);
}

static void test_concrete(gconstpointer data)
{
    QTestState *s = qtest_init(data);
    g_autofree char *before = trees(s);
    g_autofree char *after = NULL;
    JsonArray *types;
    JsonObject *rsp = list_types(s, "device", false, &types);

    for (guint i = 0; i < json_array_get_length(types); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(types, i), "name");
        g_autofree char *from_help = help_props(s, name);
        g_autofree char *from_qmp = qmp_props(s, name);

        introspect_device(s, name);
        g_assert_cmpstr(from_help, ==, from_qmp);
    }
    introspect_all_types(s);
    after = trees(s);
    g_assert_cmpstr(before, ==, after);
    json_object_unref(rsp);
    qtest_quit(s);
}

static void add_machine(const char *machine)
{
    static const char *const variants[][2] = {
        { "defaults", "" }, { "nodefaults", "-nodefaults " },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(variants); i++) {
        g_autofree char *path = g_strdup_printf(
            "/device/introspect/concrete/%s/%s", variants[i][0], machine);
        char *args = g_strdup_printf("%s-machine %s", variants[i][1],
                                     machine);

        g_test_add_data_func_full(path, args, test_concrete, g_free);
    }
    if (strcmp(machine, "none") != 0) {
        g_autofree char *path = g_strdup_printf(
            "/device/introspect/concrete/populated/%s", machine);
        char *args = g_strdup_printf("-machine %s,iommu=smmuv3" POPULATED,
                                     machine);

        g_test_add_data_func_full(path, args, test_concrete, g_free);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/device/introspect/list", test_list);
    g_test_add_func("/device/introspect/list-fields", test_list_fields);
    g_test_add_func("/device/introspect/hierarchy", test_hierarchy);
    g_test_add_data_func("/device/introspect/none", &bad_types[0],
                         test_bad_type);
    g_test_add_data_func("/device/introspect/abstract", &bad_types[1],
                         test_bad_type);
    g_test_add_func("/device/introspect/abstract-interfaces",
                    test_abstract_interfaces);
    qtest_cb_for_every_machine(add_machine, false);
    return g_test_run();
}
