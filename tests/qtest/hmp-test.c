/*
 * The human monitor through human-monitor-command, in QEMU's output
 * conventions: help, device_add help (the same text as -device help),
 * info qtree, qom-tree, mtree, and the errors QEMU's monitor prints.
 * As QEMU's test-hmp, every "help info" command is run on every machine.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"

/* stdout of the daemon run with ARGS (NULL terminated), exit 0. */
static char *run_stdout(const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL;
    g_autoptr(GError) err = NULL;
    int status;

    g_ptr_array_add(argv, (gpointer)qtest_binary());
    for (int i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (gpointer)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                               NULL, &status, &err));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    return g_steal_pointer(&out);
}

/* HMP output with QEMU's CR LF turned back into LF (asserting CR LF). */
static char *hmp_lf(QTestState *s, const char *cmd)
{
    g_autofree char *out = qtest_hmp(s, "%s", cmd);
    g_autoptr(GString) lf = g_string_new(out);
    guint lines = 0;

    for (const char *p = out; *p; p++) {
        lines += *p == '\n';
    }
    g_assert_cmpuint(g_string_replace(lf, "\r\n", "\n", 0), ==, lines);
    return g_strdup(lf->str);
}

static void test_help(void)
{
    QTestState *s = qtest_init("-machine none");
    g_autofree char *help = hmp_lf(s, "help");
    g_autofree char *info = hmp_lf(s, "help info");
    g_autofree char *one = hmp_lf(s, "help device_add");
    g_auto(GStrv) lines = g_strsplit(help, "\n", -1);

    /* "name[ params] -- text", one command a line. */
    for (int i = 0; lines[i] && lines[i][0]; i++) {
        g_assert_nonnull(strstr(lines[i], " -- "));
    }
    g_assert_nonnull(strstr(help, "\ninfo [subcommand] -- "));
    g_assert_cmpstr(one, ==, "device_add driver[,prop=value][,...] -- add"
                    " device, like -device on the command line\n");
    g_assert_true(g_str_has_prefix(info, "info "));
    g_assert_nonnull(strstr(info, "\ninfo qtree -- show device tree\n"));
    qtest_quit(s);
}

static void test_errors(void)
{
    QTestState *s = qtest_init("-machine none");
    g_autofree char *bogus = qtest_hmp(s, "bogus 1 2");
    g_autofree char *info = qtest_hmp(s, "info bogus");
    g_autofree char *empty = qtest_hmp(s, "   ");
    g_autofree char *path = qtest_hmp(s, "info qom-tree /nope");
    g_autofree char *get = qtest_hmp(s, "qom-get /machine nope");
    JsonObject *rsp;

    g_assert_cmpstr(bogus, ==, "unknown command: 'bogus'\r\n");
    g_assert_cmpstr(info, ==, "unknown command: 'info bogus'\r\n");
    g_assert_cmpstr(empty, ==, "");
    g_assert_cmpstr(path, ==, "Path '/nope' could not be resolved.\r\n");
    g_assert_cmpstr(get, ==, "Error: Property 'none-machine.nope' not"
                    " found\r\n");
    rsp = qtest_qmp(s, "{\"execute\": \"human-monitor-command\","
                    " \"arguments\": {\"command-line\": \"help\","
                    " \"cpu-index\": 0}}");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(rsp, "error"), "desc"), ==,
        "Parameter 'cpu-index' expects a CPU number");
    json_object_unref(rsp);
    qtest_quit(s);
}

/* device_add help and TYPE,help print what -device does. */
static void test_device_help(void)
{
    static const char *const list[] = { "-device", "help", NULL };
    static const char *const smmu[] = { "-device", "arm-smmuv3,help", NULL };
    QTestState *s = qtest_init("-machine none");
    g_autofree char *cl_list = run_stdout(list);
    g_autofree char *cl_smmu = run_stdout(smmu);
    g_autofree char *hmp_list = hmp_lf(s, "device_add help");
    g_autofree char *hmp_q = hmp_lf(s, "device_add ?");
    g_autofree char *hmp_smmu = hmp_lf(s, "device_add arm-smmuv3,help");

    g_assert_cmpstr(hmp_list, ==, cl_list);
    g_assert_cmpstr(hmp_q, ==, cl_list);
    g_assert_cmpstr(hmp_smmu, ==, cl_smmu);
    g_assert_nonnull(strstr(hmp_list, "Misc devices:\nname \"arm-smmuv3\","
                            " bus System, desc \""));
    g_assert_nonnull(strstr(hmp_list, "name \"vfio-pci\", bus PCI,"));
    g_assert_true(g_str_has_prefix(hmp_smmu, "arm-smmuv3 options:\n"));
    qtest_quit(s);
}

static void test_trees(void)
{
    QTestState *s = qtest_init("-machine virt,iommu=smmuv3 -m 256M"
                               " -device pxb-pcie,id=pxb1,bus_nr=8"
                               " -device arm-smmuv3,id=smmu1,"
                               "primary-bus=pxb1");
    g_autofree char *qtree = hmp_lf(s, "info qtree");
    g_autofree char *qom = hmp_lf(s, "info qom-tree");
    g_autofree char *sub = hmp_lf(s, "info qom-tree /machine/peripheral");
    g_autofree char *mtree = hmp_lf(s, "info mtree");
    g_autofree char *add = hmp_lf(s, "device_add pxb-pcie,id=pxb2");

    g_assert_true(g_str_has_prefix(qtree, "bus: main-system-bus\n"
                                   "  type System\n"
                                   "  dev: arm-smmuv3, id \"\"\n"
                                   "    gpio-out \"sysbus-irq\" 4\n"));
    g_assert_nonnull(strstr(qtree, "  dev: arm-smmuv3, id \"smmu1\"\n"));
    g_assert_nonnull(strstr(qtree, "    primary-bus ="
                            " \"/machine/peripheral/pxb1/pxb1\"\n"));
    g_assert_nonnull(strstr(qtree, "    mmio 0000000009050000/"
                            "0000000000020000\n"));
    g_assert_nonnull(strstr(qtree, "bus: pcie.0\n  type PCIE\n"
                            "  dev: pxb-pcie, id \"pxb1\"\n"
                            "    bus_nr = 8 (0x8)\n"));
    g_assert_nonnull(strstr(qtree, "    bus: pxb1\n      type PCIE\n"));
    g_assert_true(g_str_has_prefix(qom, "/machine (virt-"));
    g_assert_nonnull(strstr(qom, "\n  /peripheral (container)\n"
                            "    /pxb1 (pxb-pcie)\n"
                            "      /pxb1 (PCIE)\n"
                            "    /smmu1 (arm-smmuv3)\n"));
    g_assert_nonnull(strstr(qom, "\n  /smmuv3 (arm-smmuv3)\n"));
    g_assert_cmpstr(sub, ==, "/machine/peripheral (container)\n"
                    "  /pxb1 (pxb-pcie)\n    /pxb1 (PCIE)\n"
                    "  /smmu1 (arm-smmuv3)\n");
    g_assert_true(g_str_has_prefix(mtree, "address-space: memory\n"
                  "  0000000000000000-ffffffffffffffff (prio 0, i/o):"
                  " system\n"
                  "    0000000009050000-000000000906ffff (prio 0, i/o): "));
    g_assert_nonnull(strstr(mtree, "    0000000040000000-000000004fffffff"
                            " (prio 0, ram): mach-virt.ram\n"));
    /* A non-hotpluggable device: QEMU's error, and nothing added. */
    g_assert_cmpstr(add, ==, "Error: Device 'pxb-pcie' can not be"
                    " hotplugged on this machine\n");
    g_free(qom);
    qom = hmp_lf(s, "info qom-tree");
    g_assert_null(strstr(qom, "pxb2"));
    qtest_quit(s);
}

/* As test-hmp: every "help info" command runs, on every machine. */
static void test_info_all(gconstpointer data)
{
    QTestState *s = qtest_init(data);
    g_autofree char *info = hmp_lf(s, "help info");
    g_auto(GStrv) lines = g_strsplit(info, "\n", -1);
    unsigned n = 0;

    for (int i = 0; lines[i] && lines[i][0]; i++) {
        g_auto(GStrv) words = g_strsplit(lines[i], " ", 3);
        g_autofree char *cmd = g_strdup_printf("info %s", words[1]);
        g_autofree char *out = qtest_hmp(s, "%s", cmd);

        g_assert_cmpstr(words[0], ==, "info");
        g_assert_false(g_str_has_prefix(out, "unknown command"));
        g_assert_false(g_str_has_prefix(out, "Error"));
        n++;
    }
    g_assert_cmpuint(n, >=, 5);
    qtest_quit(s);
}

static void add_machine(const char *machine)
{
    g_autofree char *path = g_strdup_printf("/hmp/info/%s", machine);

    g_test_add_data_func_full(path, g_strdup_printf("-S -M %s", machine),
                              test_info_all, g_free);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hmp/help", test_help);
    g_test_add_func("/hmp/errors", test_errors);
    g_test_add_func("/hmp/device-help", test_device_help);
    g_test_add_func("/hmp/trees", test_trees);
    qtest_cb_for_every_machine(add_machine, false);
    /* none has no RAM unless asked: the same with some. */
    g_test_add_data_func("/hmp/info/none+2MB", "-S -M none -m 2",
                         test_info_all);
    return g_test_run();
}
