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
                                   "vsmmu " VSMMU_VERSION));
    g_assert_cmpuint(json_array_get_length(
                     json_object_get_array_member(qmp, "capabilities")),
                     ==, 0);
    qtest_quit(s);
}

/*
 * One version everywhere: the greeting, query-version and -version all
 * report "vsmmu VERSION[ (git describe)]".
 */
static void test_version(void)
{
    const char *argv[] = { qtest_binary(), "-version", NULL };
    g_autofree char *out = NULL;
    g_autofree char *expect = NULL;
    g_autoptr(GError) gerr = NULL;
    QTestState *s = qtest_init(NULL);
    JsonObject *greeting = json_object_get_object_member(
        json_object_get_object_member(qtest_qmp_greeting(s), "QMP"),
        "version");
    JsonObject *rsp, *ret;
    int status;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &gerr));
    g_assert_no_error(gerr);
    g_assert_cmpint(status, ==, 0);
    g_assert_true(g_str_has_prefix(out, "vsmmu-daemon version "
                                   VSMMU_VERSION));
    g_strchomp(out);
    expect = g_strconcat("vsmmu ", out + strlen("vsmmu-daemon version "),
                         NULL);

    g_assert_cmpstr(json_object_get_string_member(greeting, "package"), ==,
                    expect);
    rsp = qtest_qmp(s, "{\"execute\": \"query-version\"}");
    ret = json_node_get_object(qtest_qmp_assert_success(rsp));
    g_assert_cmpstr(json_object_get_string_member(ret, "package"), ==,
                    expect);
    json_object_unref(rsp);
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

/* The row of query-iothreads for ID. */
static JsonObject *iothread_row(QTestState *s, const char *id)
{
    JsonObject *rsp = qtest_qmp(s, "{\"execute\": \"query-iothreads\"}");
    JsonArray *arr = json_node_get_array(qtest_qmp_assert_success(rsp));
    JsonObject *row = NULL;

    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);

        if (!strcmp(json_object_get_string_member(o, "id"), id)) {
            row = json_object_ref(o);
        }
    }
    json_object_unref(rsp);
    g_assert_nonnull(row);
    return row;
}

static void assert_poll(QTestState *s, const char *id, int64_t max_ns,
                        int64_t grow, int64_t shrink)
{
    g_autoptr(JsonObject) row = iothread_row(s, id);

    g_assert_cmpint(json_object_get_int_member(row, "poll-max-ns"), ==,
                    max_ns);
    g_assert_cmpint(json_object_get_int_member(row, "poll-grow"), ==, grow);
    g_assert_cmpint(json_object_get_int_member(row, "poll-shrink"), ==,
                    shrink);
}

/* -object iothread's polling properties: set, queried, changed live. */
static void test_iothread_poll(void)
{
    QTestState *s = qtest_init("-object iothread,id=io0"
                               " -object iothread,id=io1,poll-max-ns=1000,"
                               "poll-grow=3,poll-shrink=4");
    JsonObject *rsp;

    assert_poll(s, "io0", 32768, 0, 0);         /* QEMU's defaults */
    assert_poll(s, "io1", 1000, 3, 4);

    rsp = qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\":"
                    " {\"path\": \"/objects/io0\", \"property\":"
                    " \"poll-max-ns\", \"value\": 0}}");
    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
    rsp = qtest_qmp(s, "{\"execute\": \"qom-set\", \"arguments\":"
                    " {\"path\": \"io1\", \"property\": \"poll-grow\","
                    " \"value\": 8}}");
    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
    assert_poll(s, "io0", 0, 0, 0);
    assert_poll(s, "io1", 1000, 8, 4);

    rsp = qtest_qmp(s, "{\"execute\": \"qom-get\", \"arguments\":"
                    " {\"path\": \"/objects/io1\", \"property\":"
                    " \"poll-shrink\"}}");
    g_assert_cmpint(json_node_get_int(qtest_qmp_assert_success(rsp)), ==, 4);
    json_object_unref(rsp);

    assert_error(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\":"
                 " \"io0\", \"property\": \"poll-shrink\", \"value\": -1}}",
                 "GenericError",
                 "poll-shrink value must be in range [0, 9223372036854775807]");
    assert_error(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\":"
                 " \"io0\", \"property\": \"poll-grow\", \"value\": \"2\"}}",
                 "GenericError",
                 "Invalid parameter type for 'value', expected: integer");
    assert_error(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\":"
                 " \"io0\", \"property\": \"nope\", \"value\": 1}}",
                 "GenericError", "Property 'iothread.nope' not found");
    assert_error(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\":"
                 " \"/machine\", \"property\": \"type\", \"value\": 1}}",
                 "GenericError", "Property 'virt-11.1-machine.type' is not"
                 " writable");
    assert_error(s, "{\"execute\": \"qom-set\", \"arguments\": {\"path\":"
                 " \"/machine\", \"property\": \"x\", \"value\": 1}}",
                 "GenericError", "Property 'virt-11.1-machine.x' cannot be"
                 " set: qom-set sets -object properties only");
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

/*
 * device_add arguments are JSON: typed strictly, as QEMU does (issue 10
 * rows 6, 10, 11).
 */
static void test_device_add_typed(void)
{
    static const struct {
        const char *args, *desc;
    } cases[] = {
        { "\"x-emulated-psid\": \"8\"",
          "Invalid parameter type for 'x-emulated-psid', expected: uint32" },
        { "\"addr\": true",
          "Invalid parameter type for 'addr', expected: string" },
        { "\"iommufd\": 1",
          "Invalid parameter type for 'iommufd', expected: string" },
        { "\"addr\": \"0x100000001\"",
          "Property 'vfio-pci.addr' doesn't take value '0x100000001'" },
        { "\"addr\": \"1.0x100000000\"",
          "Property 'vfio-pci.addr' doesn't take value '1.0x100000000'" },
        { "\"addr\": 4096",
          "Parameter 'addr' expects a value between -1 and 255" },
        { "\"x-emulated-psid\": 4294967296",
          "Property vfio-pci.x-emulated-psid doesn't take value 4294967296"
          " (minimum: 0, maximum: 4294967295)" },
        { "\"id\": \"\"", "Parameter 'id' expects an identifier" },
        { "\"id\": \"9a\"", "Parameter 'id' expects an identifier" },
    };
    QTestState *s = qtest_init("-machine virt");

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *cmd = g_strdup_printf(
            "{\"execute\": \"device_add\", \"arguments\":"
            " {\"driver\": \"vfio-pci\", %s}}", cases[i].args);

        assert_error(s, cmd, "GenericError", cases[i].desc);
    }
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

/*
 * x-vfio-pci-region reaches the host device's VFIO regions (here the
 * emulated host's: its config space says 1234:11e8) and refuses all but
 * vfio-pci devices.
 */
static void test_vfio_pci_region(void)
{
    QTestState *s = qtest_init("-machine virt -device pxb-pcie,id=pci.1,"
                               "bus_nr=8 -object iommufd,id=iommufd0,"
                               "x-emulated-host=on -device vfio-pci,"
                               "iommufd=iommufd0,x-emulated-psid=0x1234,"
                               "id=hostdev0");
    JsonObject *rsp;

    rsp = qtest_qmp(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                    " {\"id\": \"hostdev0\", \"region\": 7, \"offset\": 0,"
                    " \"size\": 4}}");
    g_assert_cmphex(json_object_get_int_member(
                        json_object_get_object_member(rsp, "return"),
                        "value"), ==, 0x11e81234);
    json_object_unref(rsp);
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": \"hostdev0\", \"region\": 3, \"offset\": 0,"
                 " \"size\": 4}}", "GenericError",
                 "hostdev0: no VFIO region 3: Invalid argument");
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": \"pci.1\", \"region\": 0, \"offset\": 0,"
                 " \"size\": 4}}", "GenericError",
                 "'id' must name a vfio-pci device");
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": 1, \"region\": 0, \"offset\": 0,"
                 " \"size\": 4}}", "GenericError",
                 "Invalid parameter type for 'id', expected: string");
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": \"hostdev0\", \"region\": 0, \"offset\": 0}}",
                 "GenericError", "Parameter 'size' is missing");
    assert_error(s, "{\"execute\": \"x-vfio-pci-region\", \"arguments\":"
                 " {\"id\": \"hostdev0\", \"region\": 0, \"offset\": -1,"
                 " \"size\": 4}}", "GenericError",
                 "Parameter 'offset' expects uint64");
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

typedef struct RawDaemon {
    QTestState *s;
    char *dir;
    char *path;
} RawDaemon;

static void raw_daemon_start(RawDaemon *d, const char *extra)
{
    d->dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);
    d->path = g_build_filename(d->dir, "qmp.sock", NULL);
    d->s = qtest_initf("-qmp unix:%s,server=on,wait=off %s", d->path,
                       extra ? extra : "");
}

static void raw_daemon_quit(RawDaemon *d)
{
    qtest_quit(d->s);
    /* The daemon removed the socket it created. */
    g_assert_false(g_file_test(d->path, G_FILE_TEST_EXISTS));
    rmdir(d->dir);
    g_free(d->dir);
    g_free(d->path);
}

/* Issue 10 row 9: the id comes back as the client wrote it. */
static void test_id_echo(void)
{
    static const char *const ids[] = {
        "1e999", "-0.0", "\"text\"", "{\"a\": [1, {\"b\": null}]}", "[]",
        "123456789012345678901234567890123456789012345678901234567890"
        "123456789012345678901234567890123456789012345678901234567890"
        "123456789012345678901234567890123456789012345678901234567890"
        "123456789012345678901234567890123456789012345678901234567890"
        "123456789012345678901234567890123456789012345678901234567890"
        "123456789012345678901234567890123456789012345678901234567890"
        "1234567890123456789012345678901234567890",
        "18446744073709551616", "-9223372036854775809",
    };
    RawDaemon d;
    QTestClient *c;

    raw_daemon_start(&d, NULL);
    c = qtest_client_qmp(d.path);
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_autofree char *want = g_strdup_printf("\"id\":%s}", ids[i]);
        g_autofree char *rsp = NULL;

        qtest_client_sendf(c, "{\"execute\": \"query-status\", \"id\": %s}\n",
                           ids[i]);
        rsp = qtest_client_qmp_reply(c);
        g_assert_true(g_str_has_prefix(rsp, "{\"return\""));
        g_assert_true(g_str_has_suffix(rsp, want));
        g_free(rsp);
        /* And on errors. */
        qtest_client_sendf(c, "{\"execute\": \"nope\", \"id\": %s}\n",
                           ids[i]);
        rsp = qtest_client_qmp_reply(c);
        g_assert_true(g_str_has_prefix(rsp, "{\"error\""));
        g_assert_true(g_str_has_suffix(rsp, want));
    }
    /* An id over several lines still gives a one-line reply. */
    qtest_client_sendf(c, "{\"execute\": \"query-status\", \"id\": [1,\n2]}\n");
    g_free(qtest_client_qmp_reply(c) /* on one line */);
    qtest_client_free(c);
    raw_daemon_quit(&d);
}

static void assert_raw_error(QTestClient *c, const char *desc)
{
    g_autofree char *rsp = qtest_client_qmp_reply(c);
    g_autofree char *want = g_strdup_printf("\"desc\":\"%s\"", desc);

    if (!strstr(rsp, want)) {
        g_error("expected error '%s', got %s", desc, rsp);
    }
}

static void assert_raw_id(QTestClient *c, int id)
{
    g_autofree char *rsp = qtest_client_qmp_reply(c);
    g_autofree char *want = g_strdup_printf(",\"id\":%d}", id);

    if (!g_str_has_suffix(rsp, want)) {
        g_error("expected the reply to id %d, got %s", id, rsp);
    }
}

/*
 * Issue 10 row 13: a request over the size or nesting limit gets one
 * error, and the next request (even on the same line) its own reply.
 */
static void test_one_reply_per_request(void)
{
    size_t big = 17 * 1024 * 1024;
    g_autofree char *pad = g_malloc(big);
    g_autoptr(GString) deep = g_string_new("{\"execute\": \"query-status\","
                                           " \"arguments\": {\"a\": ");
    RawDaemon d;
    QTestClient *c;

    raw_daemon_start(&d, NULL);
    c = qtest_client_qmp(d.path);
    memset(pad, 'x', big);
    qtest_client_sendf(c, "{\"execute\": \"query-status\", \"arguments\":"
                       " {\"a\": \"");
    qtest_client_send(c, pad, big);
    qtest_client_sendf(c, "\"}}{\"execute\": \"query-status\", \"id\": 1}\n");
    assert_raw_error(c, "JSON parse error, request too large");
    assert_raw_id(c, 1);

    for (int i = 0; i < 2000; i++) {
        g_string_append_c(deep, '[');
    }
    for (int i = 0; i < 2000; i++) {
        g_string_append_c(deep, ']');
    }
    g_string_append(deep, "}}{\"execute\": \"query-status\", \"id\": 2}\n");
    qtest_client_send(c, deep->str, deep->len);
    assert_raw_error(c, "JSON parse error, nesting too deep");
    assert_raw_id(c, 2);

    /* Bad input of every kind, each answered once, in order. */
    qtest_client_sendf(c, "junk\n{\"execute\": \"query-status\", \"id\": 3}"
                       "{\"execute\": \"query-status\", \"id\": 4, \"x\": }"
                       "{\"execute\": \"query-status\", \"id\": 5}\n");
    assert_raw_error(c, "QMP input must be a JSON object");
    assert_raw_id(c, 3);
    g_free(qtest_client_qmp_reply(c));     /* the parse error */
    assert_raw_id(c, 5);
    qtest_client_free(c);
    raw_daemon_quit(&d);
}

/* Issue 10 row 7: a NUL in a JSON string is refused, not cut short. */
static void test_nul_in_strings(void)
{
    QTestState *s = qtest_init("-machine virt -device pxb-pcie,id=pci.1,"
                               "bus_nr=8");

    assert_error(s, "{\"execute\": \"device_del\", \"arguments\":"
                 " {\"id\": \"pci.1\\u0000junk\"}}", "GenericError",
                 "Invalid parameter: JSON strings must not contain \\u0000");
    assert_error(s, "{\"execute\": \"query-status\", \"arguments\":"
                 " {\"x\\u0000\": 1}}", "GenericError",
                 "Invalid parameter: JSON strings must not contain \\u0000");
    assert_error(s, "{\"execute\": \"query-\\u0000status\"}", "GenericError",
                 "Invalid parameter: JSON strings must not contain \\u0000");
    /* An escaped backslash before u0000 is no NUL. */
    assert_error(s, "{\"execute\": \"device_del\", \"arguments\":"
                 " {\"id\": \"a\\\\u0000\"}}", "GenericError",
                 "Device 'a\\u0000' not found");
    qtest_quit(s);
}

/* A raw NUL byte inside a request. */
static void test_nul_byte(void)
{
    static const char req[] = "{\"execute\": \"query-status\","
                              " \"arguments\": {\"a\": \"x\0y\"}}\n";
    RawDaemon d;
    QTestClient *c;

    raw_daemon_start(&d, NULL);
    c = qtest_client_qmp(d.path);
    qtest_client_send(c, req, sizeof(req) - 1);
    assert_raw_error(c, "JSON parse error, NUL byte in input");
    qtest_client_sendf(c, "{\"execute\": \"query-status\", \"id\": 1}\n");
    assert_raw_id(c, 1);
    qtest_client_free(c);
    raw_daemon_quit(&d);
}

/*
 * Issue 10 row 8: wrong JSON types are QMP errors, never json-glib
 * criticals (main() makes criticals fatal, in the daemon too).
 */
static void test_arg_types(void)
{
    QTestState *s = qtest_init("-machine virt");
    static const char *const bad[] = { "{}", "[]", "1", "true", "null" };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *del = g_strdup_printf(
            "{\"execute\": \"device_del\", \"arguments\": {\"id\": %s}}",
            bad[i]);
        g_autofree char *add = g_strdup_printf(
            "{\"execute\": \"device_add\", \"arguments\": {\"driver\": %s}}",
            bad[i]);
        g_autofree char *add_id = g_strdup_printf(
            "{\"execute\": \"device_add\", \"arguments\":"
            " {\"driver\": \"pxb-pcie\", \"id\": %s}}", bad[i]);

        assert_error(s, del, "GenericError",
                     "Invalid parameter type for 'id', expected: string");
        assert_error(s, add, "GenericError",
                     "Invalid parameter type for 'driver', expected: string");
        assert_error(s, add_id, "GenericError",
                     "Invalid parameter type for 'id', expected: string");
    }
    assert_error(s, "{\"execute\": \"query-status\", \"arguments\":"
                 " {\"x\": {}}}", "GenericError",
                 "Parameter 'x' is unexpected");
    assert_error(s, "{\"execute\": \"device_del\", \"arguments\":"
                 " {\"id\": \"x\", \"y\": 1}}", "GenericError",
                 "Parameter 'y' is unexpected");
    json_object_unref(qtest_qmp(s, "{\"execute\": \"query-status\"}"));
    qtest_quit(s);
}

/* qmp_capabilities's own argument, before negotiation. */
static void test_capabilities_args(void)
{
    RawDaemon d;
    QTestClient *c;
    g_autofree char *greeting = NULL;

    raw_daemon_start(&d, NULL);
    c = qtest_client_unix(d.path);
    greeting = qtest_client_line(c);
    qtest_client_sendf(c, "{\"execute\": \"qmp_capabilities\","
                       " \"arguments\": {\"enable\": \"oob\"}}\n");
    assert_raw_error(c, "Invalid parameter type for 'enable', expected:"
                     " array");
    qtest_client_sendf(c, "{\"execute\": \"qmp_capabilities\","
                       " \"arguments\": {\"enable\": [{}]}}\n");
    assert_raw_error(c, "Capability '?' not available");
    qtest_client_sendf(c, "{\"execute\": \"qmp_capabilities\","
                       " \"arguments\": {\"enable\": [\"oob\"]}}\n");
    assert_raw_error(c, "Capability 'oob' not available");
    qtest_client_sendf(c, "{\"execute\": \"qmp_capabilities\", \"id\": 1}\n");
    assert_raw_id(c, 1);
    qtest_client_free(c);
    raw_daemon_quit(&d);
}

/*
 * Issue 10 row 1: a client that stops reading does not stall the
 * daemon.  Client A negotiates and never reads again while B makes the
 * daemon emit RESET events; B keeps getting answers, A is dropped once
 * its queue is over the limit, and SIGTERM still ends the daemon.
 * (libqtest's own monitor does not read either: it is dropped too.)
 */
static void test_stalled_client(void)
{
    /* 4 MiB of ~140-byte events, plus the kernel's socket buffers. */
    const int resets = 48 * 1024, batch = 512;
    RawDaemon d;
    QTestClient *a, *b;
    size_t got;

    raw_daemon_start(&d, NULL);
    a = qtest_client_qmp(d.path);
    b = qtest_client_qmp(d.path);
    for (int done = 0; done < resets; done += batch) {
        g_autoptr(GString) reqs = g_string_new(NULL);

        for (int i = 0; i < batch; i++) {
            g_string_append_printf(reqs, "{\"execute\": \"system_reset\","
                                   " \"id\": %d}\n", done + i);
        }
        qtest_client_send(b, reqs->str, reqs->len);
        for (int i = 0; i < batch; i++) {
            assert_raw_id(b, done + i);
        }
    }
    /* A was dropped: what it can read ends, after at most the limit. */
    got = qtest_client_drain(a);
    g_assert_cmpuint(got, <, (size_t)resets * 140);
    qtest_client_free(a);
    /* B is still served. */
    qtest_client_sendf(b, "{\"execute\": \"query-status\", \"id\": 7}\n");
    assert_raw_id(b, 7);
    qtest_client_free(b);
    raw_daemon_quit(&d);
}

int main(int argc, char **argv)
{
    /* Inherited by the daemon: a json-glib critical fails the test. */
    g_setenv("G_DEBUG", "fatal-criticals", TRUE);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/greeting", test_greeting);
    g_test_add_func("/qmp/queries", test_queries);
    g_test_add_func("/qmp/version", test_version);
    g_test_add_func("/qmp/errors", test_errors);
    g_test_add_func("/qmp/iothread-poll", test_iothread_poll);
    g_test_add_func("/qmp/device-add-del", test_device_add_del);
    g_test_add_func("/qmp/device-add-typed", test_device_add_typed);
    g_test_add_func("/qmp/system-reset", test_system_reset);
    g_test_add_func("/qmp/x-vfio-pci-region", test_vfio_pci_region);
    g_test_add_func("/qmp/quit", test_quit);
    g_test_add_func("/qmp/second-monitor", test_second_monitor);
    g_test_add_func("/qmp/id-echo", test_id_echo);
    g_test_add_func("/qmp/one-reply-per-request", test_one_reply_per_request);
    g_test_add_func("/qmp/nul-in-strings", test_nul_in_strings);
    g_test_add_func("/qmp/nul-byte", test_nul_byte);
    g_test_add_func("/qmp/arg-types", test_arg_types);
    g_test_add_func("/qmp/capabilities-args", test_capabilities_args);
    g_test_add_func("/qmp/stalled-client", test_stalled_client);
    return g_test_run();
}
