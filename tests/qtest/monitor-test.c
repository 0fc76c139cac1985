/*
 * The monitor as libvirt drives it over a domain's life: run states
 * (-S, cont, stop), query-name and query-uuid, file descriptors passed
 * over the QMP socket (SCM_RIGHTS: getfd, add-fd, fdsets) and host
 * devices hot-plugged with them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"

static void assert_status(QTestState *s, const char *status, bool running)
{
    JsonObject *rsp = qtest_qmp(s, "{'execute':'query-status'}");
    JsonObject *ret = json_node_get_object(qtest_qmp_assert_success(rsp));

    g_assert_cmpstr(json_object_get_string_member(ret, "status"), ==,
                    status);
    g_assert_cmpint(json_object_get_boolean_member(ret, "running"), ==,
                    running);
    json_object_unref(rsp);
}

static const char *error_desc(JsonObject *rsp)
{
    g_assert_true(json_object_has_member(rsp, "error"));
    return json_object_get_string_member(
        json_object_get_object_member(rsp, "error"), "desc");
}

static void assert_no_event(QTestState *s, const char *name)
{
    /* A round trip: any event sent before its reply is stashed by now. */
    json_object_unref(qtest_qmp(s, "{'execute':'query-status'}"));
    g_assert_null(qtest_qmp_eventwait_ref_nowait(s, name));
}

/* libvirt's start: -S, then cont; stop and cont again, with events. */
static void test_runstate(void)
{
    QTestState *s = qtest_init("-S");

    assert_status(s, "prelaunch", false);
    json_object_unref(qtest_qmp(s, "{'execute':'stop'}"));
    assert_status(s, "prelaunch", false);
    assert_no_event(s, "STOP");

    json_object_unref(qtest_qmp(s, "{'execute':'cont'}"));
    qtest_qmp_eventwait(s, "RESUME");
    assert_status(s, "running", true);
    json_object_unref(qtest_qmp(s, "{'execute':'cont'}"));
    assert_no_event(s, "RESUME");

    json_object_unref(qtest_qmp(s, "{'execute':'stop'}"));
    qtest_qmp_eventwait(s, "STOP");
    assert_status(s, "paused", false);
    json_object_unref(qtest_qmp(s, "{'execute':'stop'}"));
    assert_no_event(s, "STOP");

    json_object_unref(qtest_qmp(s, "{'execute':'cont'}"));
    qtest_qmp_eventwait(s, "RESUME");
    assert_status(s, "running", true);
    qtest_quit(s);

    /* Without -S the machine runs from the start. */
    s = qtest_init(NULL);
    assert_status(s, "running", true);
    qtest_quit(s);
}

static void test_name_uuid(void)
{
    QTestState *s = qtest_init("-name guest=dom1,debug-threads=on"
                               " -uuid 1CCFD97D-5eb4-478a-bbe6-88d254c16db7");
    JsonObject *rsp = qtest_qmp(s, "{'execute':'query-name'}");
    JsonObject *ret = json_node_get_object(qtest_qmp_assert_success(rsp));

    g_assert_cmpstr(json_object_get_string_member(ret, "name"), ==, "dom1");
    json_object_unref(rsp);
    rsp = qtest_qmp(s, "{'execute':'query-uuid'}");
    ret = json_node_get_object(qtest_qmp_assert_success(rsp));
    g_assert_cmpstr(json_object_get_string_member(ret, "UUID"), ==,
                    "1ccfd97d-5eb4-478a-bbe6-88d254c16db7");
    json_object_unref(rsp);
    qtest_quit(s);

    s = qtest_init(NULL);
    rsp = qtest_qmp(s, "{'execute':'query-name'}");
    ret = json_node_get_object(qtest_qmp_assert_success(rsp));
    g_assert_false(json_object_has_member(ret, "name"));
    json_object_unref(rsp);
    rsp = qtest_qmp(s, "{'execute':'query-uuid'}");
    ret = json_node_get_object(qtest_qmp_assert_success(rsp));
    g_assert_cmpstr(json_object_get_string_member(ret, "UUID"), ==,
                    "00000000-0000-0000-0000-000000000000");
    json_object_unref(rsp);
    qtest_quit(s);
}

/* Thread names, as QEMU's: "IO <id>" only with debug-threads=on. */
static char *iothread_comm(const char *extra)
{
    QTestState *s = qtest_initf("%s -object iothread,id=iot0", extra);
    JsonObject *rsp = qtest_qmp(s, "{'execute':'query-iothreads'}");
    JsonArray *arr = json_node_get_array(qtest_qmp_assert_success(rsp));
    JsonObject *e = json_array_get_object_element(arr, 0);
    g_autofree char *path = g_strdup_printf(
        "/proc/%d/task/%" G_GINT64_FORMAT "/comm", (int)qtest_pid(s),
        json_object_get_int_member(e, "thread-id"));
    char *comm = NULL;

    g_assert_true(g_file_get_contents(path, &comm, NULL, NULL));
    json_object_unref(rsp);
    qtest_quit(s);
    return g_strstrip(comm);
}

static void test_thread_names(void)
{
    g_autofree char *named = iothread_comm("-name guest=g,debug-threads=on");
    g_autofree char *unnamed = iothread_comm("-name guest=g");

    g_assert_cmpstr(named, ==, "IO iot0");
    g_assert_cmpstr(unnamed, !=, "IO iot0");
}

static void test_cont_after_shutdown_state(void)
{
    QTestState *s = qtest_init("-S");
    JsonObject *rsp = qtest_qmp(s, "{'execute':'cont','arguments':{'x':1}}");

    g_assert_cmpstr(error_desc(rsp), ==, "Parameter 'x' is unexpected");
    json_object_unref(rsp);
    assert_status(s, "prelaunch", false);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/runstate", test_runstate);
    g_test_add_func("/monitor/runstate/bad-args",
                    test_cont_after_shutdown_state);
    g_test_add_func("/monitor/name-uuid", test_name_uuid);
    g_test_add_func("/monitor/thread-names", test_thread_names);
    return g_test_run();
}
