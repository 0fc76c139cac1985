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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

/* Does process PID hold a descriptor for the same file as our FD? */
static bool holds_file(pid_t pid, int fd)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autofree char *self = g_strdup_printf("/proc/self/fd/%d", fd);
    g_autofree char *want = g_file_read_link(self, NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(want);
    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *target = g_file_read_link(path, NULL);

        if (target && !strcmp(target, want)) {
            return true;
        }
    }
    return false;
}

static void assert_error(JsonObject *rsp, const char *desc)
{
    g_assert_true(json_object_has_member(rsp, "error"));
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(rsp, "error"), "class"),
                    ==, "GenericError");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(rsp, "error"), "desc"),
                    ==, desc);
    json_object_unref(rsp);
}

static void assert_ok(JsonObject *rsp)
{
    qtest_qmp_assert_success(rsp);
    json_object_unref(rsp);
}

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

/* getfd and closefd with a descriptor passed over the socket. */
static void test_getfd(void)
{
    QTestState *s = qtest_init(NULL);
    int a[2], b[2], p[2];

    /* Two pipes: both ends of one are the same file. */
    g_assert_cmpint(pipe(a), ==, 0);
    g_assert_cmpint(pipe(b), ==, 0);
    p[0] = a[0];
    p[1] = b[0];
    assert_ok(qtest_qmp_fds(s, &p[0], 1, "{'execute':'getfd',"
                            "'arguments':{'fdname':'pipe0'}}"));
    g_assert_true(holds_file(qtest_pid(s), p[0]));
    /* A name used again replaces (and closes) the older descriptor. */
    assert_ok(qtest_qmp_fds(s, &p[1], 1, "{'execute':'getfd',"
                            "'arguments':{'fdname':'pipe0'}}"));
    g_assert_false(holds_file(qtest_pid(s), p[0]));
    g_assert_true(holds_file(qtest_pid(s), p[1]));
    assert_ok(qtest_qmp(s, "{'execute':'closefd',"
                        "'arguments':{'fdname':'pipe0'}}"));
    g_assert_false(holds_file(qtest_pid(s), p[1]));
    assert_error(qtest_qmp(s, "{'execute':'closefd',"
                           "'arguments':{'fdname':'pipe0'}}"),
                 "File descriptor named 'pipe0' not found");
    assert_error(qtest_qmp(s, "{'execute':'getfd',"
                           "'arguments':{'fdname':'x'}}"),
                 "No file descriptor supplied via SCM_RIGHTS");
    assert_error(qtest_qmp_fds(s, &p[0], 1, "{'execute':'getfd',"
                               "'arguments':{'fdname':'0x'}}"),
                 "Parameter 'fdname' expects a name not starting with a"
                 " digit");
    g_assert_false(holds_file(qtest_pid(s), p[0]));
    /* A descriptor nobody takes is closed when the next ones arrive. */
    assert_ok(qtest_qmp_fds(s, &p[0], 1, "{'execute':'query-status'}"));
    assert_ok(qtest_qmp_fds(s, &p[1], 1, "{'execute':'query-status'}"));
    g_assert_false(holds_file(qtest_pid(s), p[0]));
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    qtest_quit(s);
}

/*
 * getfd names are per monitor, as in QEMU: another monitor can neither
 * use nor close them, and a monitor's are closed when it disconnects.
 */
static void test_getfd_per_monitor(void)
{
    g_autofree char *dir = g_dir_make_tmp("monitor-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp2.sock", NULL);
    QTestState *s = qtest_initf("-qmp unix:%s,server=on,wait=off"
                                " -object iommufd,id=iommufd0,"
                                "x-emulated-host=on", path);
    QTestClient *c = qtest_client_qmp(path);
    g_autofree char *rsp = NULL;
    int a[2], b[2];
    unsigned rounds;

    g_assert_cmpint(pipe(a), ==, 0);
    g_assert_cmpint(pipe(b), ==, 0);
    /* The second monitor keeps a[0] as "dev". */
    qtest_client_send_fds(c, &a[0], 1, "{\"execute\": \"getfd\","
                          " \"arguments\": {\"fdname\": \"dev\"}}\n");
    rsp = qtest_client_qmp_reply(c);
    g_assert_cmpstr(rsp, ==, "{\"return\":{}}");
    g_assert_true(holds_file(qtest_pid(s), a[0]));
    /* The first one does not see it: not usable, not closable. */
    assert_error(qtest_qmp(s, "{'execute':'object-add','arguments':"
                           "{'qom-type':'iommufd','id':'iommufd1',"
                           "'fd':'dev'}}"),
                 "File descriptor named 'dev' has not been found");
    assert_error(qtest_qmp(s, "{'execute':'closefd',"
                           "'arguments':{'fdname':'dev'}}"),
                 "File descriptor named 'dev' not found");
    g_assert_true(holds_file(qtest_pid(s), a[0]));
    /* Its own "dev" is another descriptor; closing it leaves a[0]. */
    assert_ok(qtest_qmp_fds(s, &b[0], 1, "{'execute':'getfd',"
                            "'arguments':{'fdname':'dev'}}"));
    assert_ok(qtest_qmp(s, "{'execute':'closefd',"
                        "'arguments':{'fdname':'dev'}}"));
    g_assert_false(holds_file(qtest_pid(s), b[0]));
    g_assert_true(holds_file(qtest_pid(s), a[0]));
    /* Fd sets are global: the second monitor's is listed here. */
    qtest_client_send_fds(c, &b[0], 1, "{\"execute\": \"add-fd\","
                          " \"arguments\": {\"fdset-id\": 7}}\n");
    g_free(rsp);
    rsp = qtest_client_qmp_reply(c);
    g_assert_nonnull(strstr(rsp, "\"fdset-id\":7"));
    assert_ok(qtest_qmp(s, "{'execute':'remove-fd',"
                        "'arguments':{'fdset-id':7}}"));
    /*
     * Its disconnection closes what it kept.  The daemon sees it on its
     * main loop, in some iteration after this: each round trip here runs
     * at least one.
     */
    qtest_client_free(c);
    for (rounds = 0; holds_file(qtest_pid(s), a[0]) && rounds < 100;
         rounds++) {
        assert_ok(qtest_qmp(s, "{'execute':'query-status'}"));
    }
    g_assert_false(holds_file(qtest_pid(s), a[0]));
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    qtest_quit(s);
    unlink(path);
    rmdir(dir);
}

static JsonArray *query_fdsets(QTestState *s, JsonObject **rsp)
{
    *rsp = qtest_qmp(s, "{'execute':'query-fdsets'}");
    return json_node_get_array(qtest_qmp_assert_success(*rsp));
}

/* add-fd, query-fdsets and remove-fd, as libvirt manages fd sets. */
static void test_fdsets(void)
{
    QTestState *s = qtest_init(NULL);
    int ro = open("/dev/null", O_RDONLY), rw = open("/dev/null", O_RDWR);
    JsonObject *rsp, *ret, *set;
    JsonArray *sets, *fds;
    int64_t fd_ro;

    rsp = qtest_qmp_fds(s, &ro, 1, "{'execute':'add-fd','arguments':"
                        "{'fdset-id':3,'opaque':'ro'}}");
    ret = json_node_get_object(qtest_qmp_assert_success(rsp));
    g_assert_cmpint(json_object_get_int_member(ret, "fdset-id"), ==, 3);
    fd_ro = json_object_get_int_member(ret, "fd");
    json_object_unref(rsp);
    assert_ok(qtest_qmp_fds(s, &rw, 1, "{'execute':'add-fd','arguments':"
                            "{'fdset-id':3}}"));
    rsp = qtest_qmp_fds(s, &rw, 1, "{'execute':'add-fd'}");
    ret = json_node_get_object(qtest_qmp_assert_success(rsp));
    g_assert_cmpint(json_object_get_int_member(ret, "fdset-id"), ==, 0);
    json_object_unref(rsp);

    sets = query_fdsets(s, &rsp);
    g_assert_cmpuint(json_array_get_length(sets), ==, 2);
    set = json_array_get_object_element(sets, 0);
    g_assert_cmpint(json_object_get_int_member(set, "fdset-id"), ==, 0);
    set = json_array_get_object_element(sets, 1);
    g_assert_cmpint(json_object_get_int_member(set, "fdset-id"), ==, 3);
    fds = json_object_get_array_member(set, "fds");
    g_assert_cmpuint(json_array_get_length(fds), ==, 2);
    g_assert_cmpint(json_object_get_int_member(
                        json_array_get_object_element(fds, 0), "fd"),
                    ==, fd_ro);
    g_assert_cmpstr(json_object_get_string_member(
                        json_array_get_object_element(fds, 0), "opaque"),
                    ==, "ro");
    g_assert_false(json_object_has_member(
                       json_array_get_object_element(fds, 1), "opaque"));
    json_object_unref(rsp);

    rsp = qtest_qmp(s, "{'execute':'remove-fd','arguments':"
                    "{'fdset-id':3,'fd':%" G_GINT64_FORMAT "}}", fd_ro);
    assert_ok(rsp);
    sets = query_fdsets(s, &rsp);
    fds = json_object_get_array_member(
              json_array_get_object_element(sets, 1), "fds");
    g_assert_cmpuint(json_array_get_length(fds), ==, 1);
    json_object_unref(rsp);
    assert_error(qtest_qmp(s, "{'execute':'remove-fd','arguments':"
                           "{'fdset-id':3,'fd':9999}}"),
                 "File descriptor named 'fdset-id:3, fd:9999' not found");
    assert_error(qtest_qmp(s, "{'execute':'remove-fd','arguments':"
                           "{'fdset-id':7}}"),
                 "File descriptor named 'fdset-id:7' not found");
    assert_error(qtest_qmp(s, "{'execute':'add-fd'}"),
                 "No file descriptor supplied via SCM_RIGHTS");
    assert_error(qtest_qmp_fds(s, &ro, 1, "{'execute':'add-fd',"
                               "'arguments':{'fdset-id':-1}}"),
                 "Parameter 'fdset-id' expects a non-negative value");
    assert_ok(qtest_qmp(s, "{'execute':'remove-fd','arguments':"
                        "{'fdset-id':3}}"));
    sets = query_fdsets(s, &rsp);
    g_assert_cmpuint(json_array_get_length(sets), ==, 1);
    json_object_unref(rsp);
    close(ro);
    close(rw);
    qtest_quit(s);
}

/* -add-fd on the command line: a descriptor inherited across exec. */
static void test_add_fd_cmdline(void)
{
    int fd = open("/dev/null", O_RDONLY);     /* no O_CLOEXEC: inherited */
    QTestState *s = qtest_initf("-add-fd fd=%d,set=2,opaque=null", fd);
    JsonObject *rsp;
    JsonArray *sets = query_fdsets(s, &rsp);
    JsonObject *set = json_array_get_object_element(sets, 0);

    g_assert_cmpuint(json_array_get_length(sets), ==, 1);
    g_assert_cmpint(json_object_get_int_member(set, "fdset-id"), ==, 2);
    g_assert_cmpstr(json_object_get_string_member(
                        json_array_get_object_element(
                            json_object_get_array_member(set, "fds"), 0),
                        "opaque"), ==, "null");
    json_object_unref(rsp);
    close(fd);
    qtest_quit(s);
}

/*
 * libvirt's monitor: a listening socket libvirt created, passed as
 * -chardev socket,fd=N,server=on,wait=off.
 */
static void test_chardev_fd(void)
{
    g_autofree char *dir = g_dir_make_tmp("monitor-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mon.sock", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    QTestState *s;
    QTestClient *c;
    g_autofree char *greeting = NULL;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    s = qtest_initf("-chardev socket,id=charmonitor,fd=%d,server=on,"
                    "wait=off -mon chardev=charmonitor,id=monitor,"
                    "mode=control", lfd);
    close(lfd);
    c = qtest_client_unix(path);
    greeting = qtest_client_line(c);
    g_assert_true(g_str_has_prefix(greeting, "{\"QMP\""));
    qtest_client_free(c);
    qtest_quit(s);
    unlink(path);
    rmdir(dir);
}

/* device_add of vfio-pci in libvirt's JSON form, with a passed cdev fd. */
static void test_device_add_fd(void)
{
    QTestState *s = qtest_init("-object iommufd,id=iommufd0,"
                               "x-emulated-host=on");
    int p[2];

    g_assert_cmpint(pipe(p), ==, 0);
    assert_ok(qtest_qmp_fds(s, &p[0], 1, "{'execute':'getfd','arguments':"
                            "{'fdname':'hostdev0-vfio'}}"));
    /* The emulated host has no cdev: refused, and the fd is consumed. */
    assert_error(qtest_qmp(s, "{'execute':'device_add','arguments':"
                           "{'driver':'vfio-pci','host':'0000:06:00.0',"
                           "'id':'hostdev0','bus':'pcie.0','addr':'0x2',"
                           "'iommufd':'iommufd0','fd':'hostdev0-vfio'}}"),
                 "fd= passes a VFIO device cdev; a device of the emulated"
                 " host has none (use x-emulated-psid=SID)");
    g_assert_false(holds_file(qtest_pid(s), p[0]));
    assert_error(qtest_qmp(s, "{'execute':'closefd','arguments':"
                           "{'fdname':'hostdev0-vfio'}}"),
                 "File descriptor named 'hostdev0-vfio' not found");
    assert_error(qtest_qmp(s, "{'execute':'device_add','arguments':"
                           "{'driver':'vfio-pci','id':'hostdev0',"
                           "'iommufd':'iommufd0','fd':'nope'}}"),
                 "File descriptor named 'nope' has not been found");

    /* The emulated host's own device: plugged, unplugged, announced. */
    assert_ok(qtest_qmp(s, "{'execute':'device_add','arguments':"
                        "{'driver':'vfio-pci','id':'hostdev0',"
                        "'bus':'pcie.0','addr':'0x2','iommufd':'iommufd0',"
                        "'x-emulated-psid':4660}}"));
    assert_ok(qtest_qmp(s, "{'execute':'device_del','arguments':"
                        "{'id':'hostdev0'}}"));
    {
        JsonObject *ev = qtest_qmp_eventwait_ref(s, "DEVICE_DELETED");
        JsonObject *data = json_object_get_object_member(ev, "data");

        g_assert_cmpstr(json_object_get_string_member(data, "device"), ==,
                        "hostdev0");
        g_assert_cmpstr(json_object_get_string_member(data, "path"), ==,
                        "/machine/peripheral/hostdev0");
        json_object_unref(ev);
    }
    close(p[0]);
    close(p[1]);
    qtest_quit(s);
}

/*
 * libvirt's iommufd hot-plug: /dev/iommu passed with getfd, then
 * object-add naming it; object-del closes it, and refuses a backend a
 * host device uses.
 */
static void test_object_add_iommufd(void)
{
    QTestState *s = qtest_init("-object iommufd,id=iommufd0,"
                               "x-emulated-host=on -device vfio-pci,"
                               "id=hostdev0,iommufd=iommufd0,"
                               "x-emulated-psid=0x10");
    int p[2], fd;

    /* A pipe: a file no other descriptor of the daemon refers to. */
    g_assert_cmpint(pipe(p), ==, 0);
    fd = p[0];

    assert_ok(qtest_qmp_fds(s, &fd, 1, "{'execute':'getfd','arguments':"
                            "{'fdname':'iommufd1'}}"));
    assert_ok(qtest_qmp(s, "{'execute':'object-add','arguments':"
                        "{'qom-type':'iommufd','id':'iommufd1',"
                        "'fd':'iommufd1'}}"));
    g_assert_true(holds_file(qtest_pid(s), fd));
    assert_error(qtest_qmp(s, "{'execute':'object-add','arguments':"
                           "{'qom-type':'iommufd','id':'iommufd1',"
                           "'fd':'iommufd1'}}"),
                 "File descriptor named 'iommufd1' has not been found");
    assert_ok(qtest_qmp(s, "{'execute':'object-del','arguments':"
                        "{'id':'iommufd1'}}"));
    g_assert_false(holds_file(qtest_pid(s), fd));
    assert_error(qtest_qmp(s, "{'execute':'object-del','arguments':"
                           "{'id':'iommufd1'}}"),
                 "object 'iommufd1' not found");
    assert_error(qtest_qmp(s, "{'execute':'object-del','arguments':"
                           "{'id':'iommufd0'}}"),
                 "object 'iommufd0' is in use, can not be deleted");
    assert_error(qtest_qmp(s, "{'execute':'object-del','arguments':"
                           "{'id':'hostdev0'}}"),
                 "object 'hostdev0' not found");
    assert_error(qtest_qmp(s, "{'execute':'object-add','arguments':"
                           "{'qom-type':'bogus','id':'x'}}"),
                 "invalid object type: bogus");
    close(p[0]);
    close(p[1]);
    qtest_quit(s);
}

/*
 * libvirt's arm-smmuv3 lines, every <driver> attribute (pciBus, accel,
 * ats, ril, ssidsize, oas, cmdqv), accel on and off: query-vsmmu shows
 * cmdqv resolved to off.
 */
static void test_smmuv3_libvirt(void)
{
    QTestState *s = qtest_init(
        "-object iommufd,id=iommufd0,x-emulated-host=on"
        " -device '{\"driver\":\"pxb-pcie\",\"bus_nr\":252,\"id\":"
        "\"pci.1\",\"bus\":\"pcie.0\",\"addr\":\"0x1\"}'"
        " -device '{\"driver\":\"arm-smmuv3\",\"primary-bus\":\"pcie.0\","
        "\"id\":\"iommu0\",\"accel\":true,\"ats\":\"on\",\"ril\":"
        "\"off\",\"ssidsize\":\"20\",\"oas\":\"48\",\"cmdqv\":\"off\"}'"
        " -device '{\"driver\":\"arm-smmuv3\",\"primary-bus\":\"pci.1\","
        "\"id\":\"iommu1\"}'");
    JsonObject *rsp = qtest_qmp(s, "{'execute':'query-vsmmu'}");
    JsonArray *arr = json_node_get_array(qtest_qmp_assert_success(rsp));

    g_assert_cmpuint(json_array_get_length(arr), ==, 2);
    for (guint i = 0; i < 2; i++) {
        JsonObject *o = json_array_get_object_element(arr, i);

        g_assert_cmpstr(json_object_get_string_member(o, "cmdqv"), ==,
                        "off");
        g_assert_cmpstr(json_object_get_string_member(o, "cmdqv-requested"),
                        ==, i == 0 ? "off" : "auto");
        g_assert_cmpint(json_object_get_boolean_member(o, "accel"), ==,
                        i == 0);
    }
    json_object_unref(rsp);
    qtest_quit(s);
}

static JsonObject *memdev(QTestState *s, const char *id, JsonObject **rsp)
{
    JsonArray *arr;

    *rsp = qtest_qmp(s, "{'execute':'query-memdev'}");
    arr = json_node_get_array(qtest_qmp_assert_success(*rsp));
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);

        if (!strcmp(json_object_get_string_member(o, "id"), id)) {
            return o;
        }
    }
    g_error("query-memdev has no '%s'", id);
}

/* libvirt's guest RAM: a versioned machine with memory-backend=. */
static void test_memory_backend_libvirt(void)
{
    QTestState *s = qtest_init(
        "-machine virt-11.1,usb=off,gic-version=3,dump-guest-core=off,"
        "memory-backend=mach-virt.ram,acpi=off -m size=1048576k"
        " -object '{\"qom-type\":\"memory-backend-ram\",\"id\":"
        "\"mach-virt.ram\",\"size\":1073741824}'");
    JsonObject *rsp, *m = memdev(s, "mach-virt.ram", &rsp);

    g_assert_cmpint(json_object_get_int_member(m, "size"), ==, 1 << 30);
    g_assert_false(json_object_get_boolean_member(m, "share"));
    g_assert_false(json_object_get_boolean_member(m, "dump"));
    g_assert_true(json_object_get_boolean_member(m, "merge"));
    json_object_unref(rsp);
    /* The backend is the guest RAM: its last word is reachable. */
    qtest_writel(s, 0x40000000ULL + (1ULL << 30) - 4, 0x12345678);
    g_assert_cmphex(qtest_readl(s, 0x40000000ULL + (1ULL << 30) - 4), ==,
                    0x12345678);
    qtest_quit(s);

    /* Without memory-backend=, QEMU's implicit backend. */
    s = qtest_init("-machine virt -m 256");
    m = memdev(s, "mach-virt.ram", &rsp);
    g_assert_cmpint(json_object_get_int_member(m, "size"), ==, 256 << 20);
    g_assert_true(json_object_get_boolean_member(m, "share"));
    g_assert_true(json_object_get_boolean_member(m, "dump"));
    json_object_unref(rsp);
    qtest_quit(s);
}

/*
 * memory-backend-file,share=on on a file passed in an fd set: the guest
 * RAM is that file's pages (what a host device's IOAS maps by file).
 */
static void test_memory_backend_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("monitor-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "ram", NULL);
    int fd = open(path, O_RDWR | O_CREAT, 0600);    /* inherited */
    QTestState *s;
    uint32_t word = 0;

    g_assert_cmpint(fd, >=, 0);
    s = qtest_initf("-add-fd fd=%d,set=1 -machine virt,memory-backend=mem0"
                    " -object memory-backend-file,id=mem0,size=2M,share=on,"
                    "mem-path=/dev/fdset/1,dump=off", fd);
    qtest_writel(s, 0x40001000, 0xcafef00d);
    g_assert_cmpint(pread(fd, &word, 4, 0x1000), ==, 4);
    g_assert_cmphex(word, ==, 0xcafef00d);
    qtest_quit(s);
    close(fd);

    /* share=off: private pages, the file is left alone. */
    fd = open(path, O_RDWR);
    s = qtest_initf("-add-fd fd=%d,set=1 -machine virt,memory-backend=mem0"
                    " -object memory-backend-file,id=mem0,size=2M,"
                    "mem-path=/dev/fdset/1", fd);
    qtest_writel(s, 0x40001000, 0x600dcafe);
    g_assert_cmphex(qtest_readl(s, 0x40001000), ==, 0x600dcafe);
    g_assert_cmpint(pread(fd, &word, 4, 0x1000), ==, 4);
    g_assert_cmphex(word, ==, 0xcafef00d);
    qtest_quit(s);
    close(fd);
    unlink(path);
    rmdir(dir);
}

/* A field of /proc/PID/status ("Seccomp", "VmLck"), as text. */
static char *proc_status(pid_t pid, const char *field)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *text = NULL;
    g_autofree char *key = g_strdup_printf("\n%s:", field);
    const char *p;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    p = strstr(text, key);
    g_assert_nonnull(p);
    p += strlen(key);
    return g_strstrip(g_strndup(p, strcspn(p, "\n")));
}

/*
 * libvirt's start-up options on a device host: the sandbox is a real
 * seccomp filter, the pid file is written and removed, the master key
 * is read; the daemon then serves as usual (an IOThread created after
 * the filter, a device plugged and unplugged).
 */
static void test_libvirt_startup(void)
{
    g_autofree char *dir = g_dir_make_tmp("monitor-test-XXXXXX", NULL);
    g_autofree char *key = g_build_filename(dir, "master-key.aes", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "guest.pid", NULL);
    g_autofree char *pidtext = NULL;
    g_autofree char *seccomp = NULL;
    g_autofree char *expect = NULL;
    QTestState *s;
    JsonObject *rsp;

    g_assert_true(g_file_set_contents(key, "0123456789abcdef0123456789abcdef",
                                      32, NULL));
    s = qtest_initf("-name guest=g,debug-threads=on -S"
                    " -object '{\"qom-type\":\"secret\",\"id\":"
                    "\"masterKey0\",\"format\":\"raw\",\"file\":\"%s\"}'"
                    " -object secret,id=sec1,data=c2VjcmV0,format=base64"
                    " -pidfile %s -overcommit mem-lock=off -rtc base=utc"
                    " -boot strict=on -no-shutdown"
                    " -audiodev '{\"id\":\"audio1\",\"driver\":\"none\"}'"
                    " -sandbox on,obsolete=deny,elevateprivileges=deny,"
                    "spawn=deny,resourcecontrol=deny -msg timestamp=on"
                    " -object iothread,id=iothread1", key, pidfile);
    seccomp = proc_status(qtest_pid(s), "Seccomp");
    g_assert_cmpstr(seccomp, ==, "2");          /* SECCOMP_MODE_FILTER */
    g_assert_true(g_file_get_contents(pidfile, &pidtext, NULL, NULL));
    expect = g_strdup_printf("%d\n", (int)qtest_pid(s));
    g_assert_cmpstr(pidtext, ==, expect);
    rsp = qtest_qmp(s, "{'execute':'query-iothreads'}");
    g_assert_cmpuint(json_array_get_length(
                         json_node_get_array(qtest_qmp_assert_success(rsp))),
                     ==, 1);
    json_object_unref(rsp);
    assert_ok(qtest_qmp(s, "{'execute':'cont'}"));
    qtest_quit(s);
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));

    /* Without -sandbox there is no filter. */
    s = qtest_init(NULL);
    g_free(seccomp);
    seccomp = proc_status(qtest_pid(s), "Seccomp");
    g_assert_cmpstr(seccomp, ==, "0");
    qtest_quit(s);
    unlink(key);
    rmdir(dir);
}

/*
 * -overcommit mem-lock=on locks the guest RAM (mlockall).  AddressSanitizer
 * and ThreadSanitizer turn mlockall() into a no-op (their shadow memory
 * cannot be locked): in those builds the daemon starts and VmLck stays 0.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MLOCK_WORKS 0
#else
#define MLOCK_WORKS 1
#endif

static void test_mem_lock(void)
{
    QTestState *s = qtest_init("-machine virt -m 8M"
                               " -overcommit mem-lock=on");
    g_autofree char *vmlck = proc_status(qtest_pid(s), "VmLck");

    /* "8192 kB" at least: the whole guest RAM is locked. */
    g_assert_cmpint(g_ascii_strtoll(vmlck, NULL, 10), >=,
                    MLOCK_WORKS ? 8192 : 0);
    qtest_quit(s);
}

/*
 * A libvirt .args fixture (tests/qtest/libvirt-args/README) as argv for
 * the daemon: the environment lines dropped, the binary replaced, the
 * placeholders substituted.
 */
static char **libvirt_argv(const char *name, int mon_fd, int iommu_fd,
                           const char *key)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "qtest",
                                                  "libvirt-args", name,
                                                  NULL);
    g_autofree char *text = NULL;
    g_autofree char *mon = g_strdup_printf("%d", mon_fd);
    g_autofree char *iommu = g_strdup_printf("%d", iommu_fd);
    g_autoptr(GString) cmd = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) gerr = NULL;
    char **argv = NULL;
    bool in_cmd = false;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_autofree char *line = g_strdup(*l);

        if (g_str_has_suffix(line, " \\")) {
            line[strlen(line) - 2] = '\0';
        }
        if (!in_cmd) {
            in_cmd = g_str_has_suffix(line, "qemu-system-aarch64");
            if (in_cmd) {
                g_string_append(cmd, qtest_binary());
            }
            continue;
        }
        g_string_append_printf(cmd, " %s", line);
    }
    g_string_replace(cmd, "@mon-fd@", mon, 0);
    g_string_replace(cmd, "@iommu-fd@", iommu, 0);
    g_string_replace(cmd, "@master-key@", key, 0);
    g_assert_true(g_shell_parse_argv(cmd->str, NULL, &argv, &gerr));
    return argv;
}

static char *client_reply(QTestClient *c, const char *cmd)
{
    qtest_client_sendf(c, "%s\n", cmd);
    return qtest_client_qmp_reply(c);
}

/* The start of a domain as libvirt drives it, then quit. */
static void run_libvirt_args(gconstpointer opaque)
{
    g_autofree char *dir = g_dir_make_tmp("monitor-test-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "monitor.sock", NULL);
    g_autofree char *key = g_build_filename(dir, "master-key.aes", NULL);
    g_autofree char *line = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    int iommu_fd = open("/dev/null", O_RDWR);
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) gerr = NULL;
    QTestClient *c;
    int status;
    GPid pid;

    g_assert_true(g_file_set_contents(key, "0123456789abcdef0123456789abcdef",
                                      32, NULL));
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    argv = libvirt_argv(opaque, lfd, iommu_fd, key);
    g_assert_true(g_spawn_async(NULL, argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD |
                                G_SPAWN_LEAVE_DESCRIPTORS_OPEN |
                                G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                &pid, &gerr));
    g_assert_no_error(gerr);
    close(lfd);
    close(iommu_fd);
    /* The listening socket exists already: connect at once, as libvirt. */
    c = qtest_client_unix(sock);
    line = qtest_client_line(c);
    g_assert_true(g_str_has_prefix(line, "{\"QMP\""));
    g_free(line);
    line = client_reply(c, "{\"execute\":\"qmp_capabilities\"}");
    g_assert_cmpstr(line, ==, "{\"return\":{}}");
    g_free(line);
    line = client_reply(c, "{\"execute\":\"query-status\"}");
    g_assert_cmpstr(line, ==, "{\"return\":{\"status\":\"prelaunch\","
                    "\"running\":false}}");
    g_free(line);
    line = client_reply(c, "{\"execute\":\"cont\"}");
    g_assert_cmpstr(line, ==, "{\"return\":{}}");
    g_free(line);
    line = client_reply(c, "{\"execute\":\"query-status\"}");
    g_assert_cmpstr(line, ==, "{\"return\":{\"status\":\"running\","
                    "\"running\":true}}");
    g_free(line);
    line = client_reply(c, "{\"execute\":\"query-vsmmu\"}");
    g_assert_nonnull(strstr(line, "\"cmdqv\":\"off\""));
    g_free(line);
    line = client_reply(c, "{\"execute\":\"query-memdev\"}");
    g_assert_nonnull(strstr(line, "\"id\":\"mach-virt.ram\""));
    g_assert_nonnull(strstr(line, "\"dump\":false"));
    g_free(line);
    line = client_reply(c, "{\"execute\":\"quit\"}");
    g_assert_cmpstr(line, ==, "{\"return\":{}}");
    qtest_client_free(c);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    unlink(sock);
    unlink(key);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/runstate", test_runstate);
    g_test_add_func("/monitor/runstate/bad-args",
                    test_cont_after_shutdown_state);
    g_test_add_func("/monitor/name-uuid", test_name_uuid);
    g_test_add_func("/monitor/thread-names", test_thread_names);
    g_test_add_func("/monitor/smmuv3-libvirt", test_smmuv3_libvirt);
    g_test_add_func("/monitor/memory-backend/libvirt",
                    test_memory_backend_libvirt);
    g_test_add_func("/monitor/memory-backend/file", test_memory_backend_file);
    g_test_add_func("/monitor/libvirt-startup", test_libvirt_startup);
    g_test_add_func("/monitor/mem-lock", test_mem_lock);
    g_test_add_data_func("/monitor/libvirt-args/smmuv3-accel-pcie0",
                         "smmuv3-accel-pcie0.args", run_libvirt_args);
    g_test_add_data_func("/monitor/libvirt-args/smmuv3-pxb-iommufd",
                         "smmuv3-pxb-iommufd.args", run_libvirt_args);
    g_test_add_func("/monitor/object-add-iommufd", test_object_add_iommufd);
    g_test_add_func("/monitor/getfd", test_getfd);
    g_test_add_func("/monitor/getfd-per-monitor", test_getfd_per_monitor);
    g_test_add_func("/monitor/fdsets", test_fdsets);
    g_test_add_func("/monitor/add-fd-cmdline", test_add_fd_cmdline);
    g_test_add_func("/monitor/chardev-fd", test_chardev_fd);
    g_test_add_func("/monitor/device-add-fd", test_device_add_fd);
    return g_test_run();
}
