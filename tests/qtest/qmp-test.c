/*
 * QMP as vsmmu-daemon serves it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static const char *error_class(JsonObject *rsp)
{
    g_assert_true(json_object_has_member(rsp, "error"));
    return json_object_get_string_member(
        json_object_get_object_member(rsp, "error"), "class");
}

static const char *error_desc(JsonObject *rsp)
{
    g_assert_true(json_object_has_member(rsp, "error"));
    return json_object_get_string_member(
        json_object_get_object_member(rsp, "error"), "desc");
}

static void assert_error(QTestState *s, const char *cmd, const char *klass,
                         const char *desc)
{
    JsonObject *rsp = qtest_qmp(s, "%s", cmd);

    g_assert_cmpstr(error_class(rsp), ==, klass);
    g_assert_cmpstr(error_desc(rsp), ==, desc);
    json_object_unref(rsp);
}

static void test_greeting(void)
{
    QTestState *s = qtest_init(NULL);
    JsonObject *qmp = json_object_get_object_member(qtest_qmp_greeting(s),
                                                    "QMP");
    JsonObject *ver = json_object_get_object_member(qmp, "version");
    JsonObject *q = json_object_get_object_member(ver, "qemu");

    g_assert_true(json_object_has_member(q, "major"));
    g_assert_true(json_object_has_member(q, "minor"));
    g_assert_true(json_object_has_member(q, "micro"));
    g_assert_true(g_str_has_prefix(json_object_get_string_member(ver,
                                                                 "package"),
                                   "vsmmu-"));
    g_assert_cmpuint(json_array_get_length(
                     json_object_get_array_member(qmp, "capabilities")),
                     ==, 0);
    qtest_quit(s);
}

static void test_queries(void)
{
    QTestState *s = qtest_init(NULL);
    JsonObject *rsp, *ret;
    JsonNode *node;

    rsp = qtest_qmp(s, "{\"execute\": \"query-status\", \"id\": 42}");
    ret = json_node_get_object(qtest_qmp_assert_success(rsp));
    g_assert_cmpstr(json_object_get_string_member(ret, "status"), ==,
                    "running");
    g_assert_true(json_object_get_boolean_member(ret, "running"));
    g_assert_cmpint(json_object_get_int_member(rsp, "id"), ==, 42);
    json_object_unref(rsp);

    rsp = qtest_qmp(s, "{\"execute\": \"query-version\","
                    " \"id\": {\"any\": [\"json\"]}}");
    ret = json_node_get_object(qtest_qmp_assert_success(rsp));
    g_assert_true(json_object_has_member(ret, "qemu"));
    g_assert_true(json_object_has_member(json_object_get_object_member(rsp,
                                                                       "id"),
                                         "any"));
    json_object_unref(rsp);

    rsp = qtest_qmp(s, "{\"execute\": \"query-iothreads\"}");
    node = qtest_qmp_assert_success(rsp);
    g_assert_true(JSON_NODE_HOLDS_ARRAY(node));
    json_object_unref(rsp);
    qtest_quit(s);
}

static void test_errors(void)
{
    QTestState *s = qtest_init(NULL);

    assert_error(s, "{\"execute\": \"no-such-command\"}", "CommandNotFound",
                 "The command no-such-command has not been found");
    assert_error(s, "{\"execute\": \"qmp_capabilities\"}", "CommandNotFound",
                 "Capabilities negotiation is already complete, command"
                 " ignored");
    assert_error(s, "{\"arguments\": {}}", "GenericError",
                 "QMP input lacks member 'execute'");
    assert_error(s, "{\"execute\": 1}", "GenericError",
                 "QMP input member 'execute' must be a string");
    assert_error(s, "{\"execute\": \"quit\", \"arguments\": []}",
                 "GenericError",
                 "QMP input member 'arguments' must be an object");
    assert_error(s, "{\"execute\": \"quit\", \"bogus\": 1}", "GenericError",
                 "QMP input member 'bogus' is unexpected");
    assert_error(s, "{\"execute\": \"query-status\", \"arguments\":"
                 " {\"x\": 1}}", "GenericError",
                 "Parameter 'x' is unexpected");
    assert_error(s, "[1, 2]", "GenericError",
                 "QMP input must be a JSON object");
    /* Guest counters exist only with -accel kvm -kernel. */
    assert_error(s, "{\"execute\": \"x-query-kvm\"}", "GenericError",
                 "no KVM guest is running (-accel kvm -kernel)");
    /* Still serving. */
    json_object_unref(qtest_qmp(s, "{\"execute\": \"query-status\"}"));
    qtest_quit(s);
}

static void test_device_add_del(void)
{
    QTestState *s = qtest_init("-machine virt -device pxb-pcie,id=pci.1,"
                               "bus_nr=8");
    JsonObject *rsp;

    assert_error(s, "{\"execute\": \"device_add\", \"arguments\":"
                 " {\"driver\": \"pxb-pcie\", \"id\": \"pci.2\","
                 " \"bus_nr\": 9}}", "GenericError",
                 "Device 'pxb-pcie' can not be hotplugged on this machine");
    assert_error(s, "{\"execute\": \"device_add\", \"arguments\":"
                 " {\"driver\": \"nope\"}}", "GenericError",
                 "'nope' is not a valid device model name");
    assert_error(s, "{\"execute\": \"device_add\", \"arguments\": {}}",
                 "GenericError", "Parameter 'driver' is missing");
    assert_error(s, "{\"execute\": \"device_del\", \"arguments\":"
                 " {\"id\": \"nope\"}}", "GenericError",
                 "Device 'nope' not found");
    assert_error(s, "{\"execute\": \"device_del\", \"arguments\": {}}",
                 "GenericError", "Parameter 'id' is missing");
    assert_error(s, "{\"execute\": \"device_del\", \"arguments\":"
                 " {\"id\": \"pci.1\"}}", "GenericError",
                 "Device 'pci.1' does not support hot-unplugging");

    rsp = qtest_qmp(s, "{\"execute\": \"x-query-mmio\"}");
    /* pxb-pcie has no registers: nothing mapped. */
    g_assert_cmpuint(json_array_get_length(
                     json_node_get_array(qtest_qmp_assert_success(rsp))),
                     ==, 0);
    json_object_unref(rsp);
    qtest_quit(s);
}

static void test_system_reset(void)
{
    QTestState *s = qtest_init(NULL);
    JsonObject *rsp, *ev, *ts;

    rsp = qtest_qmp(s, "{\"execute\": \"system_reset\"}");
    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
    ev = qtest_qmp_eventwait_ref(s, "RESET");
    ts = json_object_get_object_member(ev, "timestamp");
    g_assert_cmpint(json_object_get_int_member(ts, "seconds"), >, 0);
    g_assert_true(json_object_has_member(ts, "microseconds"));
    g_assert_false(json_object_get_boolean_member(
                   json_object_get_object_member(ev, "data"), "guest"));
    json_object_unref(ev);
    qtest_quit(s);
}

/* x-vfio-pci-region refuses all but host vfio-pci devices. */
static void test_vfio_pci_region(void)
{
    QTestState *s = qtest_init("-machine virt -device pxb-pcie,id=pci.1,"
                               "bus_nr=8 -object iommufd,id=iommufd0,"
                               "x-emulated-host=on -device vfio-pci,"
                               "iommufd=iommufd0,x-emulated-psid=0x1234,"
                               "id=hostdev0");

    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": \"hostdev0\", \"region\": 0, \"offset\": 0,"
                 " \"size\": 4}}", "GenericError",
                 "hostdev0 is not a host device");
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": \"pci.1\", \"region\": 0, \"offset\": 0,"
                 " \"size\": 4}}", "GenericError",
                 "'id' must name a vfio-pci device");
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": 1, \"region\": 0, \"offset\": 0,"
                 " \"size\": 4}}", "GenericError",
                 "'id' must name a vfio-pci device");
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": \"hostdev0\", \"region\": 0, \"offset\": 0}}",
                 "GenericError", "Parameter 'size' is missing");
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": \"hostdev0\", \"region\": 0, \"offset\": -1,"
                 " \"size\": 4}}", "GenericError",
                 "Invalid parameter type for 'offset', expected: "
                 "non-negative integer");
    qtest_quit(s);
}

static void test_quit(void)
{
    QTestState *s = qtest_init(NULL);
    JsonObject *rsp, *ev;
    int status;

    rsp = qtest_qmp(s, "{\"execute\": \"quit\"}");
    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
    ev = qtest_qmp_eventwait_ref(s, "SHUTDOWN");
    g_assert_cmpstr(json_object_get_string_member(
                    json_object_get_object_member(ev, "data"), "reason"),
                    ==, "host-qmp-quit");
    json_object_unref(ev);
    status = qtest_wait_exit(s);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    qtest_quit(s);
}

/* Read one line from a raw socket (bounded by SO_RCVTIMEO). */
static char *read_line(int fd)
{
    GString *s = g_string_new(NULL);
    char c;

    while (read(fd, &c, 1) == 1 && c != '\n') {
        g_string_append_c(s, c);
    }
    return g_string_free(s, FALSE);
}

static void test_second_monitor(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mon.sock", NULL);
    g_autofree char *line = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct timeval tv = { .tv_sec = QTEST_TIMEOUT_S };
    struct stat st;
    QTestState *s;
    int fd;
    const char *msg;

    s = qtest_initf("-qmp unix:%s,server=on,wait=off", path);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(addr.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
                    0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    line = read_line(fd);
    g_assert_true(g_str_has_prefix(line, "{\"QMP\""));

    /* Commands before negotiation are refused. */
    msg = "{\"execute\": \"query-status\"}\n";
    g_assert_cmpint(write(fd, msg, strlen(msg)), ==, strlen(msg));
    g_free(line);
    line = read_line(fd);
    g_assert_nonnull(strstr(line, "Expecting capabilities negotiation with"
                            " 'qmp_capabilities'"));
    /* Two requests in one write, one split over lines. */
    msg = "{\"execute\": \"qmp_capabilities\", \"id\": 1}{\"execute\":\n"
          "\"query-status\", \"id\": \"a}\\\"\"}\n";
    g_assert_cmpint(write(fd, msg, strlen(msg)), ==, strlen(msg));
    g_free(line);
    line = read_line(fd);
    g_assert_cmpstr(line, ==, "{\"return\":{},\"id\":1}\r");
    g_free(line);
    line = read_line(fd);
    g_assert_nonnull(strstr(line, "\"running\":true"));
    g_assert_nonnull(strstr(line, "\"id\":\"a}\\\"\""));
    close(fd);

    qtest_quit(s);
    /* The daemon removes its server socket. */
    g_assert_cmpint(stat(path, &st), <, 0);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/greeting", test_greeting);
    g_test_add_func("/qmp/queries", test_queries);
    g_test_add_func("/qmp/errors", test_errors);
    g_test_add_func("/qmp/device-add-del", test_device_add_del);
    g_test_add_func("/qmp/system-reset", test_system_reset);
    g_test_add_func("/qmp/x-vfio-pci-region", test_vfio_pci_region);
    g_test_add_func("/qmp/quit", test_quit);
    g_test_add_func("/qmp/second-monitor", test_second_monitor);
    return g_test_run();
}
