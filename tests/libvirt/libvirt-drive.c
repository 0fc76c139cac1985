/*
 * libvirt-drive: start each command line libvirt generated for our domain
 * XMLs (tests/libvirt/domains/) with vsmmu-daemon, and drive its monitor
 * the way libvirt drives a domain's.
 *
 * Usage: libvirt-drive --daemon PATH DIR [--tap]
 *
 * DIR holds, for each domain NAME (run-libvirt-test.sh writes them):
 *   NAME.args     libvirt's line, as "virsh domxml-to-native qemu-argv"
 *                 printed it (shell quoting, environment first)
 *   NAME.expect   "start" or "refused: TEXT" (the daemon must exit with
 *                 status 1 and say TEXT)
 *   NAME.hostdev  optional: the domain's <hostdev>s that libvirt could not
 *                 put on this host's line, one "ID HOST-BDF BUS ADDR" a line;
 *                 each is hot-plugged and unplugged through the monitor
 *   NAME.expect-hostdev  optional: "refused: TEXT", device_add of each
 *                 host device must fail saying TEXT (e.g. the vSMMU asks
 *                 for a host capability the emulated host lacks)
 *
 * What the harness changes in libvirt's line, and nothing else: the
 * emulator becomes vsmmu-daemon; with host devices, the iommufd backend
 * is the embedded emulated host, chosen explicitly
 * (-object iommufd,x-emulated-host=on, as every vsmmu test does), and a
 * host device 0000:BB:DD.F is the emulated host's device of physical
 * StreamID BB<<8|DD<<3|F (the RID, as an identity iommu-map gives on Arm).
 * Before the start, it does what libvirt does before exec: it creates the
 * domain directory (the monitor socket's) and the master key file.
 *
 * The monitor sequence (libvirt's for a domain's life): greeting,
 * qmp_capabilities, query-status "prelaunch" (-S), cont, query-status
 * "running", qom-list /machine/peripheral (every -device id of the line),
 * then per host device: getfd with a descriptor passed by SCM_RIGHTS
 * (fdname "hostdev-ID-fd", as libvirt names the VFIO cdev it opened),
 * device_add in libvirt's JSON form, closefd, qom-list, device_del and
 * DEVICE_DELETED, qom-list again; finally quit, and the daemon exits 0.
 * A device of the emulated host has no VFIO cdev, and vsmmu-daemon
 * refuses "fd" with x-emulated-psid, so the device_add leaves "fd" out
 * and the passed descriptor (/dev/null's) is closed by name instead:
 * the descriptor passing is libvirt's, its use needs a real host device.
 * Every wait is bounded by QTEST_TIMEOUT_S (a hang guard).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static const char *daemon_path;
static const char *dir;

typedef struct Domain {
    char *name;
    char **argv;                /* libvirt's, emulator replaced */
    char *expect;
    char *expect_hostdev;       /* NULL: hot-plug must succeed */
    char *monitor;              /* the QMP socket path */
    GPtrArray *ids;             /* -device ids */
    GPtrArray *hostdevs;        /* "ID BDF BUS ADDR" lines */
} Domain;

typedef struct Run {
    Domain *d;
    GPid pid;
    char *err_path;
    QTestClient *mon;
    GQueue events;              /* of JsonObject * */
} Run;

static char *file_text(const char *name, const char *ext)
{
    g_autofree char *path = g_strdup_printf("%s/%s%s", dir, name, ext);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return NULL;
    }
    return g_strstrip(text);
}

/* The value of KEY in a "-chardev socket,id=...,path=P,..." option. */
static char *opt_value(const char *opts, const char *key)
{
    g_auto(GStrv) parts = g_strsplit(opts, ",", -1);
    size_t klen = strlen(key);

    for (size_t i = 0; parts[i]; i++) {
        if (!strncmp(parts[i], key, klen) && parts[i][klen] == '=') {
            return g_strdup(parts[i] + klen + 1);
        }
    }
    return NULL;
}

static JsonObject *json_parse_object(const char *text)
{
    g_autoptr(JsonParser) p = json_parser_new();
    JsonNode *root;

    if (!json_parser_load_from_data(p, text, -1, NULL)) {
        return NULL;
    }
    root = json_parser_get_root(p);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        return NULL;
    }
    return json_object_ref(json_node_get_object(root));
}

/* libvirt writes the master key before it starts the emulator. */
static void make_secret_file(const char *json)
{
    g_autoptr(JsonObject) o = json_parse_object(json);
    const char *file;
    uint8_t key[32];

    if (!o || g_strcmp0(json_object_get_string_member_with_default(
                            o, "qom-type", ""), "secret") ||
        !(file = json_object_get_string_member_with_default(o, "file",
                                                            NULL))) {
        return;
    }
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = g_random_int_range(0, 256);
    }
    {
        g_autofree char *keydir = g_path_get_dirname(file);

        g_assert(g_mkdir_with_parents(keydir, 0700) == 0);
    }
    g_assert(g_file_set_contents(file, (char *)key, sizeof(key), NULL));
}

static void note_option(Domain *d, const char *opt, const char *val)
{
    if (!strcmp(opt, "-chardev") && g_str_has_prefix(val, "socket,") &&
        !d->monitor) {
        d->monitor = opt_value(val, "path");
    } else if (!strcmp(opt, "-object")) {
        make_secret_file(val);
    } else if (!strcmp(opt, "-device") && val[0] == '{') {
        g_autoptr(JsonObject) o = json_parse_object(val);
        const char *id = o ? json_object_get_string_member_with_default(
                                 o, "id", NULL) : NULL;

        if (id) {
            g_ptr_array_add(d->ids, g_strdup(id));
        }
    }
}

static Domain *domain_load(const char *name)
{
    Domain *d = g_new0(Domain, 1);
    g_autofree char *line = file_text(name, ".args");
    g_autofree char *hd = file_text(name, ".hostdev");
    g_auto(GStrv) words = NULL;
    GPtrArray *argv = g_ptr_array_new();
    GError *err = NULL;
    size_t i = 0;

    d->name = g_strdup(name);
    d->expect = file_text(name, ".expect");
    d->expect_hostdev = file_text(name, ".expect-hostdev");
    if (d->expect_hostdev && !*d->expect_hostdev) {
        g_clear_pointer(&d->expect_hostdev, g_free);
    }
    g_assert(!d->expect_hostdev ||
             g_str_has_prefix(d->expect_hostdev, "refused: "));
    d->ids = g_ptr_array_new_with_free_func(g_free);
    d->hostdevs = g_ptr_array_new_with_free_func(g_free);
    g_assert_nonnull(line);
    g_assert_nonnull(d->expect);
    if (!g_shell_parse_argv(line, NULL, &words, &err)) {
        g_error("%s.args: %s", name, err->message);
    }
    /* The environment libvirt sets comes first: the harness keeps its own. */
    while (words[i] && words[i][0] != '/' && strchr(words[i], '=')) {
        i++;
    }
    g_assert_nonnull(words[i]);
    g_ptr_array_add(argv, g_strdup(daemon_path));
    for (i++; words[i]; i++) {
        g_ptr_array_add(argv, g_strdup(words[i]));
        if (words[i][0] == '-' && words[i + 1]) {
            note_option(d, words[i], words[i + 1]);
        }
    }
    if (hd && *hd) {
        g_auto(GStrv) lines = g_strsplit(hd, "\n", -1);

        for (i = 0; lines[i]; i++) {
            g_ptr_array_add(d->hostdevs, g_strdup(lines[i]));
        }
        g_ptr_array_add(argv, g_strdup("-object"));
        g_ptr_array_add(argv, g_strdup("{\"qom-type\":\"iommufd\","
                                       "\"id\":\"iommufd0\","
                                       "\"x-emulated-host\":true}"));
    }
    g_ptr_array_add(argv, NULL);
    d->argv = (char **)g_ptr_array_free(argv, FALSE);
    return d;
}

static void domain_free(Domain *d)
{
    g_free(d->name);
    g_strfreev(d->argv);
    g_free(d->expect);
    g_free(d->expect_hostdev);
    g_free(d->monitor);
    g_ptr_array_unref(d->ids);
    g_ptr_array_unref(d->hostdevs);
    g_free(d);
}

static void child_setup(gpointer err_path)
{
    int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
}

static void run_start(Run *r)
{
    GError *err = NULL;
    g_autofree char *mondir = NULL;
    g_autofree char *cmd = g_strjoinv(" ", r->d->argv);

    g_test_message("%s: starting %s", r->d->name, cmd);
    r->err_path = g_strdup_printf("%s/%s.stderr", dir, r->d->name);
    if (r->d->monitor) {
        /* libvirt creates the domain directory before exec. */
        mondir = g_path_get_dirname(r->d->monitor);
        g_assert(g_mkdir_with_parents(mondir, 0700) == 0);
        unlink(r->d->monitor);
    }
    if (!g_spawn_async(NULL, r->d->argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                       G_SPAWN_STDIN_FROM_DEV_NULL,
                       child_setup, r->err_path, &r->pid, &err)) {
        g_error("%s: cannot run %s: %s", r->d->name, daemon_path,
                err->message);
    }
}

static char *run_stderr(Run *r)
{
    char *text = NULL;

    if (!g_file_get_contents(r->err_path, &text, NULL, NULL)) {
        return g_strdup("");
    }
    return g_strstrip(text);
}

/* Wait for the daemon's exit, bounded; its wait status, or -1. */
static int run_wait(Run *r, bool kill_on_timeout)
{
    gint64 end = g_get_monotonic_time() + QTEST_TIMEOUT_S * G_USEC_PER_SEC;
    int status;

    while (waitpid(r->pid, &status, WNOHANG) == 0) {
        if (g_get_monotonic_time() > end) {
            if (!kill_on_timeout) {
                return -1;
            }
            kill(r->pid, SIGKILL);
            waitpid(r->pid, &status, 0);
            return -1;
        }
        g_usleep(10000); /* hang guard poll, not a timing assumption */
    }
    return status;
}

/*
 * Connect to the monitor socket (server=on,wait=off: the daemon creates
 * it while starting).  Like libvirt, retry until it exists, for at most
 * the hang guard; fail at once if the daemon exits first.
 */
static bool run_connect(Run *r)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 end = g_get_monotonic_time() + QTEST_TIMEOUT_S * G_USEC_PER_SEC;
    int status;

    g_assert_nonnull(r->d->monitor);
    g_assert_cmpuint(strlen(r->d->monitor), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, r->d->monitor);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
            r->mon = qtest_client_fd(fd);
            return true;
        }
        close(fd);
        if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
            g_autofree char *text = run_stderr(r);

            g_test_message("%s: the daemon exited (status %d) before its "
                           "monitor came up:\n%s", r->d->name,
                           WIFEXITED(status) ? WEXITSTATUS(status) : -1, text);
            r->pid = 0;
            return false;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(10000); /* as libvirt's monitor connect loop */
    }
}

/* The next reply; events on the way are queued. */
static JsonObject *run_reply(Run *r)
{
    for (;;) {
        g_autofree char *line = qtest_client_line(r->mon);
        JsonObject *o;

        if (!line) {
            g_autofree char *text = run_stderr(r);

            g_error("%s: monitor closed by the daemon:\n%s", r->d->name,
                    text);
        }
        o = json_parse_object(line);
        if (!o) {
            g_error("%s: not a JSON object on the monitor: %s", r->d->name,
                    line);
        }
        if (json_object_has_member(o, "event")) {
            g_queue_push_tail(&r->events, o);
            continue;
        }
        return o;
    }
}

/* "CLASS: desc" of an error reply (caller frees), or NULL on success. */
static char *reply_error(JsonObject *rsp)
{
    JsonObject *e;

    if (!json_object_has_member(rsp, "error")) {
        return NULL;
    }
    e = json_object_get_object_member(rsp, "error");
    return g_strdup_printf("%s: %s",
                           json_object_get_string_member_with_default(
                               e, "class", "?"),
                           json_object_get_string_member_with_default(
                               e, "desc", "?"));
}

/* Send a command; assert success; its "return" (a new reference). */
static JsonNode *run_cmd(Run *r, const char *json)
{
    g_autoptr(JsonObject) rsp = NULL;
    g_autofree char *error = NULL;
    JsonNode *ret;

    qtest_client_sendf(r->mon, "%s\n", json);
    rsp = run_reply(r);
    error = reply_error(rsp);
    if (error) {
        g_test_message("%s: %s -> error %s", r->d->name, json, error);
        g_test_fail();
        return NULL;
    }
    ret = json_object_get_member(rsp, "return");
    g_assert_nonnull(ret);
    g_test_message("%s: %s -> ok", r->d->name, json);
    return json_node_copy(ret);
}

/* Send a command that must fail with an error saying TEXT. */
static void expect_refused(Run *r, const char *json, const char *text)
{
    g_autoptr(JsonObject) rsp = NULL;
    g_autofree char *error = NULL;

    qtest_client_sendf(r->mon, "%s\n", json);
    rsp = run_reply(r);
    error = reply_error(rsp);
    if (!error) {
        g_test_message("%s: %s -> ok, expected an error saying \"%s\"",
                       r->d->name, json, text);
        g_test_fail();
        return;
    }
    g_test_message("%s: %s -> refused as expected: %s", r->d->name, json,
                   error);
    if (!strstr(error, text)) {
        g_test_message("%s: the error does not say \"%s\"", r->d->name,
                       text);
        g_test_fail();
    }
}

static void expect_status(Run *r, const char *status, bool running)
{
    g_autoptr(JsonNode) ret = run_cmd(r, "{\"execute\":\"query-status\"}");
    JsonObject *o;

    if (!ret) {
        return;
    }
    o = json_node_get_object(ret);
    g_test_message("%s: query-status: %s, running=%s", r->d->name,
                   json_object_get_string_member(o, "status"),
                   json_object_get_boolean_member(o, "running") ? "true" :
                   "false");
    g_assert_cmpstr(json_object_get_string_member(o, "status"), ==, status);
    g_assert(json_object_get_boolean_member(o, "running") == running);
}

/* Is ID a child of /machine/peripheral?  (false on a failed qom-list) */
static bool peripheral_has(Run *r, const char *id)
{
    g_autoptr(JsonNode) ret = run_cmd(r, "{\"execute\":\"qom-list\","
                                      "\"arguments\":{\"path\":"
                                      "\"/machine/peripheral\"}}");
    JsonArray *a;

    if (!ret) {
        return false;
    }
    a = json_node_get_array(ret);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *p = json_array_get_object_element(a, i);

        if (!g_strcmp0(json_object_get_string_member(p, "name"), id)) {
            g_assert(g_str_has_prefix(json_object_get_string_member(p, "type"),
                                      "child<"));
            return true;
        }
    }
    return false;
}

/* libvirt's getfd: the command with one descriptor in SCM_RIGHTS. */
static void send_getfd(Run *r, const char *fdname, int fd)
{
    g_autofree char *cmd =
        g_strdup_printf("{\"execute\":\"getfd\",\"arguments\":"
                        "{\"fdname\":\"%s\"}}\n", fdname);
    g_autoptr(JsonObject) rsp = NULL;
    g_autofree char *error = NULL;

    qtest_client_send_fds(r->mon, &fd, 1, cmd);
    rsp = run_reply(r);
    error = reply_error(rsp);
    if (error) {
        g_test_message("%s: getfd %s (SCM_RIGHTS) -> error %s", r->d->name,
                       fdname, error);
        g_test_fail();
        return;
    }
    g_test_message("%s: getfd %s (SCM_RIGHTS) -> ok", r->d->name, fdname);
}

/* Wait (bounded by the read hang guard) for DEVICE_DELETED of ID. */
static void wait_device_deleted(Run *r, const char *id)
{
    for (;;) {
        g_autoptr(JsonObject) ev = g_queue_pop_head(&r->events);
        g_autofree char *line = NULL;
        JsonObject *data;

        if (!ev) {
            line = qtest_client_line(r->mon);
            g_assert_nonnull(line);
            ev = json_parse_object(line);
            g_assert_nonnull(ev);
            if (!json_object_has_member(ev, "event")) {
                g_error("%s: unexpected reply %s", r->d->name, line);
            }
        }
        if (g_strcmp0(json_object_get_string_member(ev, "event"),
                      "DEVICE_DELETED")) {
            continue;
        }
        data = json_object_get_object_member(ev, "data");
        if (!g_strcmp0(json_object_get_string_member_with_default(
                           data, "device", ""), id)) {
            g_test_message("%s: DEVICE_DELETED %s (path %s)", r->d->name, id,
                           json_object_get_string_member_with_default(
                               data, "path", "?"));
            return;
        }
    }
}

/* "hostdev0 0000:01:00.0 pci.1 0x0": plug, check, unplug, check. */
static void hotplug_hostdev(Run *r, const char *spec)
{
    g_auto(GStrv) f = g_strsplit(spec, " ", -1);
    unsigned int dom, bus, slot, fn;
    g_autofree char *fdname = NULL;
    g_autofree char *add = NULL;
    g_autofree char *del = NULL;
    g_autofree char *closefd = NULL;
    g_autoptr(JsonNode) ret = NULL;
    int cdev;

    g_assert_cmpuint(g_strv_length(f), ==, 4);
    g_assert_cmpint(sscanf(f[1], "%x:%x:%x.%x", &dom, &bus, &slot, &fn), ==, 4);
    fdname = g_strdup_printf("hostdev-%s-fd", f[0]);
    /* See the head of this file: passed, then closed by name. */
    cdev = open("/dev/null", O_RDWR | O_CLOEXEC);
    g_assert_cmpint(cdev, >=, 0);
    send_getfd(r, fdname, cdev);
    close(cdev);
    add = g_strdup_printf("{\"execute\":\"device_add\",\"arguments\":"
                          "{\"driver\":\"vfio-pci\",\"x-emulated-psid\":%u,"
                          "\"id\":\"%s\",\"iommufd\":\"iommufd0\","
                          "\"bus\":\"%s\",\"addr\":\"%s\"}}",
                          bus << 8 | slot << 3 | fn, f[0], f[2], f[3]);
    closefd = g_strdup_printf("{\"execute\":\"closefd\",\"arguments\":"
                              "{\"fdname\":\"%s\"}}", fdname);
    if (r->d->expect_hostdev) {
        expect_refused(r, add, r->d->expect_hostdev + strlen("refused: "));
        ret = run_cmd(r, closefd);
        g_assert(!peripheral_has(r, f[0]));
        return;
    }
    ret = run_cmd(r, add);
    if (!ret) {
        return;
    }
    g_clear_pointer(&ret, json_node_unref);
    g_free(closefd);
    closefd = g_strdup_printf("{\"execute\":\"closefd\",\"arguments\":"
                              "{\"fdname\":\"%s\"}}", fdname);
    ret = run_cmd(r, closefd);
    g_assert(peripheral_has(r, f[0]));
    del = g_strdup_printf("{\"execute\":\"device_del\",\"arguments\":"
                          "{\"id\":\"%s\"}}", f[0]);
    g_clear_pointer(&ret, json_node_unref);
    ret = run_cmd(r, del);
    if (!ret) {
        return;
    }
    wait_device_deleted(r, f[0]);
    g_assert(!peripheral_has(r, f[0]));
}

/* False if the daemon is gone before the sequence could run. */
static bool drive_monitor(Run *r)
{
    g_autofree char *greeting = qtest_client_line(r->mon);
    g_autoptr(JsonObject) g = greeting ? json_parse_object(greeting) : NULL;
    JsonNode *ret;

    if (!g) {
        int status = run_wait(r, true);
        g_autofree char *text = run_stderr(r);

        g_test_message("%s: no QMP greeting; the daemon exited (status %d):"
                       "\n%s", r->d->name,
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1, text);
        g_test_fail();
        return false;
    }
    g_assert(json_object_has_member(g, "QMP"));
    g_test_message("%s: greeting %s", r->d->name, greeting);
    ret = run_cmd(r, "{\"execute\":\"qmp_capabilities\"}");
    g_clear_pointer(&ret, json_node_unref);
    expect_status(r, "prelaunch", false);
    ret = run_cmd(r, "{\"execute\":\"cont\"}");
    g_clear_pointer(&ret, json_node_unref);
    expect_status(r, "running", true);
    for (guint i = 0; i < r->d->ids->len; i++) {
        const char *id = g_ptr_array_index(r->d->ids, i);

        if (!peripheral_has(r, id)) {
            g_test_message("%s: /machine/peripheral lacks %s", r->d->name,
                           id);
            g_test_fail();
        }
    }
    for (guint i = 0; i < r->d->hostdevs->len; i++) {
        hotplug_hostdev(r, g_ptr_array_index(r->d->hostdevs, i));
    }
    ret = run_cmd(r, "{\"execute\":\"quit\"}");
    g_clear_pointer(&ret, json_node_unref);
    return true;
}

static void test_domain(gconstpointer data)
{
    Domain *d = domain_load(data);
    Run r = { .d = d };
    g_autofree char *text = NULL;
    int status;

    g_queue_init(&r.events);
    run_start(&r);
    if (g_str_has_prefix(d->expect, "refused: ")) {
        status = run_wait(&r, true);
        text = run_stderr(&r);
        g_test_message("%s: exit status %d, stderr:\n%s", d->name,
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1, text);
        g_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        g_assert_nonnull(strstr(text, d->expect + strlen("refused: ")));
    } else if (!run_connect(&r)) {
        g_test_fail();
    } else if (drive_monitor(&r)) {
        status = run_wait(&r, true);
        g_test_message("%s: exit status %d after quit", d->name,
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        g_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    if (r.mon) {
        qtest_client_free(r.mon);
    }
    g_queue_clear_full(&r.events, (GDestroyNotify)json_object_unref);
    g_free(r.err_path);
    domain_free(d);
}

int main(int argc, char **argv)
{
    g_autoptr(GDir) gd = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *n;

    g_test_init(&argc, &argv, NULL);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--daemon") && i + 1 < argc) {
            daemon_path = argv[++i];
        } else {
            dir = argv[i];
        }
    }
    if (!daemon_path || !dir) {
        g_printerr("usage: %s --daemon PATH DIR [--tap]\n", argv[0]);
        return 2;
    }
    gd = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(gd);
    while ((n = g_dir_read_name(gd))) {
        if (g_str_has_suffix(n, ".args")) {
            g_ptr_array_add(names, g_strndup(n, strlen(n) - 5));
        }
    }
    g_ptr_array_sort(names, qtest_compare_strings);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_strdup_printf("/libvirt/%s",
                                                (char *)names->pdata[i]);

        g_test_add_data_func(path, names->pdata[i], test_domain);
    }
    return g_test_run();
}
