/*
 * The QOM composition tree over QMP, as QEMU's qom-test walks it: for
 * every machine type, qom-list every node under /machine, qom-get every
 * property, follow every link; plus the values a management client
 * reads (paths, links, device properties) and query-machines itself.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"

static JsonObject *qom_get(QTestState *s, const char *path, const char *prop)
{
    g_autofree char *qpath = qtest_json_str(path);
    g_autofree char *qprop = qtest_json_str(prop);

    return qtest_qmp(s, "{\"execute\": \"qom-get\", \"arguments\":"
                     " {\"path\": %s, \"property\": %s}}", qpath, qprop);
}

static JsonObject *qom_list(QTestState *s, const char *path)
{
    g_autofree char *qpath = qtest_json_str(path);

    return qtest_qmp(s, "{\"execute\": \"qom-list\", \"arguments\":"
                     " {\"path\": %s}}", qpath);
}

/* qom-get PATH PROP as a string (asserts success). */
static char *get_str(QTestState *s, const char *path, const char *prop)
{
    JsonObject *rsp = qom_get(s, path, prop);
    char *v = g_strdup(json_node_get_string(qtest_qmp_assert_success(rsp)));

    json_object_unref(rsp);
    return v;
}

static int64_t get_int(QTestState *s, const char *path, const char *prop)
{
    JsonObject *rsp = qom_get(s, path, prop);
    int64_t v = json_node_get_int(qtest_qmp_assert_success(rsp));

    json_object_unref(rsp);
    return v;
}

static const char *error_class(JsonObject *rsp)
{
    JsonObject *err = json_object_get_object_member(rsp, "error");

    g_assert_nonnull(err);
    return json_object_get_string_member(err, "class");
}

/* A link at PATH/NAME: the path it names, and what listing it gives. */
static void check_link(QTestState *s, const char *path, const char *name)
{
    g_autofree char *target = get_str(s, path, name);
    g_autofree char *via = g_strdup_printf("%s/%s",
                                           strcmp(path, "/") ? path : "",
                                           name);
    JsonObject *rsp = qom_list(s, via);

    if (!target[0]) {
        g_assert_cmpstr(error_class(rsp), ==, "DeviceNotFound");
    } else {
        g_autofree char *t1 = get_str(s, via, "type");
        g_autofree char *t2 = get_str(s, target, "type");

        qtest_qmp_assert_success(rsp);
        g_assert_cmpstr(t1, ==, t2);
    }
    json_object_unref(rsp);
}

/* Every property of PATH readable; children walked; *NODES counted. */
static void walk(QTestState *s, const char *path, unsigned *nodes)
{
    JsonObject *rsp = qom_list(s, path);
    JsonArray *props = json_node_get_array(qtest_qmp_assert_success(rsp));

    (*nodes)++;
    for (guint i = 0; i < json_array_get_length(props); i++) {
        JsonObject *p = json_array_get_object_element(props, i);
        const char *name = json_object_get_string_member(p, "name");
        const char *type = json_object_get_string_member(p, "type");
        g_autofree char *child = g_strdup_printf("%s/%s",
                                                 strcmp(path, "/") ? path : "",
                                                 name);

        if (g_str_has_prefix(type, "child<")) {
            g_autofree char *canon = get_str(s, path, name);
            g_autofree char *ctype = get_str(s, child, "type");
            g_autofree char *decl = g_strdup_printf("child<%s>", ctype);

            g_assert_cmpstr(canon, ==, child);
            g_assert_cmpstr(type, ==, decl);
            walk(s, child, nodes);
        } else if (g_str_has_prefix(type, "link<")) {
            check_link(s, path, name);
        } else {
            JsonObject *v = qom_get(s, path, name);

            qtest_qmp_assert_success(v);
            json_object_unref(v);
        }
    }
    json_object_unref(rsp);
}

static void test_machine(gconstpointer data)
{
    QTestState *s = qtest_initf("-machine %s", (const char *)data);
    JsonObject *rsp;
    unsigned nodes = 0;

    walk(s, "/machine", &nodes);
    /* /machine, its three containers, at least the system bus. */
    g_assert_cmpuint(nodes, >=, 5);
    rsp = qtest_qmp(s, "{\"execute\": \"quit\"}");
    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
    /* quit exits by itself: wait for that, then qtest_quit() checks 0. */
    qtest_wait_exit(s);
    qtest_quit(s);
}

static void add_machine(const char *machine)
{
    g_autofree char *path = g_strdup_printf("/qom/%s", machine);

    g_test_add_data_func_full(path, g_strdup(machine), test_machine, g_free);
}

/* The values behind the paths, with devices and objects. */
static void test_populated(void)
{
    QTestState *s = qtest_init("-machine virt,iommu=smmuv3"
                               " -object iothread,id=io0"
                               " -device pxb-pcie,id=pxb1,bus_nr=8"
                               " -device arm-smmuv3,id=smmu1,"
                               "primary-bus=pxb1,stage=1,iothread=io0"
                               " -device pxb-pcie,id=pxb2,bus_nr=16"
                               " -device arm-smmuv3,primary-bus=pxb2");
    const char *smmu1 = "/machine/peripheral/smmu1";
    g_autofree char *v = NULL;
    unsigned nodes = 0;
    JsonObject *rsp;

    walk(s, "/", &nodes);
    g_assert_cmpint(get_int(s, "/machine/peripheral/pxb1", "bus_nr"), ==, 8);
    v = get_str(s, smmu1, "stage");
    g_assert_cmpstr(v, ==, "1");
    g_free(v);
    v = get_str(s, smmu1, "primary-bus");
    g_assert_cmpstr(v, ==, "/machine/peripheral/pxb1/pxb1");
    g_free(v);
    v = get_str(s, smmu1, "iothread");
    g_assert_cmpstr(v, ==, "/objects/io0");
    g_free(v);
    v = get_str(s, smmu1, "parent_bus");
    g_assert_cmpstr(v, ==, "/machine/unattached/sysbus");
    g_free(v);
    v = get_str(s, "/machine/smmuv3", "primary-bus");
    g_assert_cmpstr(v, ==, "/machine/unattached/pcie.0");
    g_free(v);
    v = get_str(s, "/machine/peripheral-anon/device[0]", "type");
    g_assert_cmpstr(v, ==, "arm-smmuv3");
    g_free(v);
    v = get_str(s, "/machine/peripheral/pxb1/pxb1", "type");
    g_assert_cmpstr(v, ==, "PCIE");
    g_free(v);
    v = get_str(s, "/machine", "iommu");
    g_assert_cmpstr(v, ==, "smmuv3");
    g_free(v);
    v = get_str(s, "/objects/io0", "type");
    g_assert_cmpstr(v, ==, "iothread");
    g_free(v);
    /* libqtest's QMP monitor, connected: this very client. */
    v = get_str(s, "/chardevs/char0", "type");
    g_assert_cmpstr(v, ==, "chardev-socket");
    g_free(v);
    rsp = qom_get(s, "/chardevs/char0", "connected");
    g_assert_true(json_node_get_boolean(qtest_qmp_assert_success(rsp)));
    json_object_unref(rsp);
    /* A partial path: a unique trailing match, else ambiguous. */
    v = get_str(s, "smmu1", "type");
    g_assert_cmpstr(v, ==, "arm-smmuv3");
    rsp = qom_get(s, "pxb1", "type");
    g_assert_cmpstr(error_class(rsp), ==, "GenericError");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(rsp, "error"), "desc"), ==,
        "Path 'pxb1' is ambiguous");
    json_object_unref(rsp);
    rsp = qom_get(s, smmu1, "nope");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(rsp, "error"), "desc"), ==,
        "Property 'arm-smmuv3.nope' not found");
    json_object_unref(rsp);
    rsp = qom_list(s, "/machine/nope");
    g_assert_cmpstr(error_class(rsp), ==, "DeviceNotFound");
    json_object_unref(rsp);
    qtest_quit(s);
}

static bool get_bool(QTestState *s, const char *path, const char *prop)
{
    JsonObject *rsp = qom_get(s, path, prop);
    bool v = json_node_get_boolean(qtest_qmp_assert_success(rsp));

    json_object_unref(rsp);
    return v;
}

/* Memory backends and secrets under /objects read as QEMU's. */
static void test_objects(void)
{
    QTestState *s = qtest_init("-machine virt,memory-backend=ram0"
                               " -object memory-backend-memfd,id=ram0,"
                               "size=256M,prealloc=on,merge=off"
                               " -object memory-backend-file,id=file0,"
                               "size=2M,mem-path=/nonexistent/dir,"
                               "readonly=on"
                               " -object memory-backend-ram,id=ram1,size=1M"
                               " -object secret,id=sec0,data=c2VjcmV0,"
                               "format=base64");
    g_autofree char *path = NULL, *data = NULL, *format = NULL;
    g_autofree char *file = NULL, *keyid = NULL;
    unsigned nodes = 0;

    walk(s, "/objects", &nodes);
    g_assert_cmpuint(nodes, ==, 5);
    g_assert_cmpint(get_int(s, "/objects/ram0", "size"), ==, 256 << 20);
    g_assert_true(get_bool(s, "/objects/ram0", "share"));
    g_assert_true(get_bool(s, "/objects/ram0", "prealloc"));
    g_assert_false(get_bool(s, "/objects/ram0", "merge"));
    g_assert_true(get_bool(s, "/objects/ram0", "dump"));
    g_assert_false(get_bool(s, "/objects/ram0", "hugetlb"));
    g_assert_cmpint(get_int(s, "/objects/file0", "size"), ==, 2 << 20);
    path = get_str(s, "/objects/file0", "mem-path");
    g_assert_cmpstr(path, ==, "/nonexistent/dir");
    g_assert_true(get_bool(s, "/objects/file0", "readonly"));
    g_assert_false(get_bool(s, "/objects/ram1", "share"));
    g_assert_true(get_bool(s, "/objects/ram1", "merge"));
    data = get_str(s, "/objects/sec0", "data");
    g_assert_cmpstr(data, ==, "c2VjcmV0");
    format = get_str(s, "/objects/sec0", "format");
    g_assert_cmpstr(format, ==, "base64");
    file = get_str(s, "/objects/sec0", "file");
    g_assert_cmpstr(file, ==, "");
    keyid = get_str(s, "/objects/sec0", "keyid");
    g_assert_cmpstr(keyid, ==, "");
    g_assert_true(get_bool(s, "/objects/sec0", "loaded"));
    qtest_quit(s);
}

static void test_query_machines(void)
{
    QTestState *s = qtest_init("-machine none");
    JsonObject *rsp = qtest_qmp(s, "{\"execute\": \"query-machines\"}");
    JsonArray *ms = json_node_get_array(qtest_qmp_assert_success(rsp));
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    unsigned defaults = 0;

    for (guint i = 0; i < json_array_get_length(ms); i++) {
        JsonObject *m = json_array_get_object_element(ms, i);
        const char *name = json_object_get_string_member(m, "name");

        /* Every name and alias is unique, and each is accepted. */
        g_assert_true(g_hash_table_add(names, (gpointer)name));
        if (json_object_has_member(m, "alias")) {
            g_assert_true(g_hash_table_add(names, (gpointer)
                json_object_get_string_member(m, "alias")));
        }
        g_assert_cmpint(json_object_get_int_member(m, "cpu-max"), >=, 1);
        g_assert_true(json_object_has_member(m, "hotpluggable-cpus"));
        g_assert_true(json_object_has_member(m, "numa-mem-supported"));
        g_assert_true(json_object_has_member(m, "deprecated"));
        g_assert_true(json_object_has_member(m, "acpi"));
        g_assert_true(json_object_has_member(m, "default-ram-id"));
        g_assert_false(json_object_has_member(m, "compat-props"));
        defaults += json_object_has_member(m, "is-default");
    }
    g_assert_cmpuint(defaults, ==, 1);
    g_assert_true(g_hash_table_contains(names, "virt"));
    g_assert_true(g_hash_table_contains(names, "none"));
    json_object_unref(rsp);
    rsp = qtest_qmp(s, "{\"execute\": \"query-machines\", \"arguments\":"
                    " {\"compat-props\": true}}");
    ms = json_node_get_array(qtest_qmp_assert_success(rsp));
    g_assert_true(json_object_has_member(
        json_array_get_object_element(ms, 0), "compat-props"));
    json_object_unref(rsp);
    qtest_quit(s);
}

/* /machine's type is the machine type's QOM type, alias or not. */
static void test_machine_type(void)
{
    QTestState *s = qtest_init("-machine virt");
    g_autofree char *type = get_str(s, "/machine", "type");
    JsonObject *rsp = qtest_qmp(s, "{\"execute\": \"query-machines\"}");
    JsonArray *ms = json_node_get_array(qtest_qmp_assert_success(rsp));
    const char *want = NULL;

    for (guint i = 0; i < json_array_get_length(ms); i++) {
        JsonObject *m = json_array_get_object_element(ms, i);

        if (json_object_has_member(m, "alias") &&
            !strcmp(json_object_get_string_member(m, "alias"), "virt")) {
            want = json_object_get_string_member(m, "name");
        }
    }
    g_assert_nonnull(want);
    g_assert_true(g_str_has_prefix(type, want));
    g_assert_cmpstr(type + strlen(want), ==, "-machine");
    json_object_unref(rsp);
    qtest_quit(s);
}

/* As QEMU's machine-none-test: a CPU model given, no CPU to list. */
static void test_machine_none_cpu(void)
{
    QTestState *s = qtest_init("-machine none -cpu cortex-a57");
    JsonObject *rsp = qtest_qmp(s, "{\"execute\": \"query-cpus-fast\"}");
    JsonArray *cpus = json_node_get_array(qtest_qmp_assert_success(rsp));

    g_assert_cmpuint(json_array_get_length(cpus), ==, 0);
    json_object_unref(rsp);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qom/query-machines", test_query_machines);
    g_test_add_func("/qom/machine-type", test_machine_type);
    g_test_add_func("/qom/populated", test_populated);
    g_test_add_func("/qom/objects", test_objects);
    g_test_add_func("/qom/machine-none-cpu", test_machine_none_cpu);
    qtest_cb_for_every_machine(add_machine, false);
    return g_test_run();
}
