/*
 * vsmmu-daemon's command line: every error path, help output, and a
 * libvirt-style command line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

/* Run the daemon with ARGS (NULL-terminated); return its exit status. */
static int run(const char *const *args, char **out, char **err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) gerr = NULL;
    int status;

    g_ptr_array_add(argv, (char *)qtest_binary());
    for (; *args; args++) {
        g_ptr_array_add(argv, (char *)*args);
    }
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &status, &gerr));
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

typedef struct ErrorCase {
    const char *args[8];
    const char *stderr_line;
} ErrorCase;

static const ErrorCase error_cases[] = {
    { { "-foo" }, "vsmmu-daemon: -foo: invalid option" },
    { { "bare" }, "vsmmu-daemon: bare: invalid option" },
    { { "-device" }, "vsmmu-daemon: -device: requires an argument" },
    { { "-device", "bogus" },
      "vsmmu-daemon: -device bogus: 'bogus' is not a valid device model"
      " name" },
    { { "-device", "bogus,help" },
      "vsmmu-daemon: -device bogus,help: 'bogus' is not a valid device"
      " model name" },
    { { "-device", "id=x" },
      "vsmmu-daemon: -device id=x: Parameter 'driver' is missing" },
    { { "-device", "pxb-pcie,id=pci.1,x=1" },
      "vsmmu-daemon: -device pxb-pcie,id=pci.1,x=1: Property"
      " 'pxb-pcie.x' not found" },
    { { "-device", "pxb-pcie,id=pci.1,bus_nr=256" },
      "vsmmu-daemon: -device pxb-pcie,id=pci.1,bus_nr=256: Property"
      " pxb-pcie.bus_nr doesn't take value 256 (minimum: 0, maximum: 255)" },
    { { "-device", "{\"driver\":\"pxb-pcie\",\"id\":\"p\",\"bus_nr\":true}" },
      "vsmmu-daemon: -device {\"driver\":\"pxb-pcie\",\"id\":\"p\","
      "\"bus_nr\":true}: Invalid parameter type for 'bus_nr', expected:"
      " uint8" },
    { { "-device", "{\"driver\":\"pxb-pcie\",\"id\":\"p\",\"bus_nr\":-1}" },
      "vsmmu-daemon: -device {\"driver\":\"pxb-pcie\",\"id\":\"p\","
      "\"bus_nr\":-1}: Parameter 'bus_nr' expects a non-negative integer" },
    { { "-device", "{\"driver\":" },
      NULL /* prefix checked below */ },
    { { "-device", "pxb-pcie,id=9x" },
      "vsmmu-daemon: -device pxb-pcie,id=9x: Parameter 'id' expects an"
      " identifier" },
    { { "-device", "pxb-pcie,id=a,bus_nr=1", "-device",
        "pxb-pcie,id=a,bus_nr=2" },
      "vsmmu-daemon: -device pxb-pcie,id=a,bus_nr=2: Duplicate ID 'a' for"
      " device" },
    { { "-device", "pxb-pcie,bus_nr=1" },
      "vsmmu-daemon: -device pxb-pcie,bus_nr=1: pxb-pcie: an id is"
      " required, it names the bus" },
    { { "-machine", "none", "-device", "pxb-pcie,id=a,bus_nr=1" },
      "vsmmu-daemon: -device pxb-pcie,id=a,bus_nr=1: Property"
      " 'pxb-pcie.bus' can't find value 'pcie.0'" },
    { { "-object", "iommufd,id=iommufd0" },
      "vsmmu-daemon: -object iommufd,id=iommufd0: /dev/iommu does not exist"
      " (is your kernel config missing CONFIG_IOMMUFD?)" },
    { { "-object", "{\"qom-type\":\"iommufd\"}" },
      "vsmmu-daemon: -object {\"qom-type\":\"iommufd\"}: Parameter 'id' is"
      " missing" },
    { { "-object", "id=x" },
      "vsmmu-daemon: -object id=x: Parameter 'qom-type' is missing" },
    { { "-object", "bogus,id=x" },
      "vsmmu-daemon: -object bogus,id=x: invalid object type: bogus" },
    { { "-object", "iommufd,id=x,foo=1" },
      "vsmmu-daemon: -object iommufd,id=x,foo=1: Property 'iommufd.foo'"
      " not found" },
    { { "-object", "monitor-qmp,id=m" },
      "vsmmu-daemon: -object monitor-qmp,id=m: Parameter 'chardev' is"
      " missing" },
    { { "-object", "monitor-qmp,id=m,chardev=nope" },
      "vsmmu-daemon: -object monitor-qmp,id=m,chardev=nope: chardev \"nope\""
      " not found" },
    { { "-machine", "bogus" },
      "vsmmu-daemon: -machine bogus: unsupported machine type: \"bogus\"" },
    { { "-machine", "virt,foo=1" },
      "vsmmu-daemon: -machine virt,foo=1: Property 'virt-machine.foo' not"
      " found" },
    { { "-machine", "virt,iommu=x" },
      "vsmmu-daemon: -machine virt,iommu=x: Invalid iommu value" },
    { { "-m", "lots" }, "vsmmu-daemon: -m lots: invalid ram size: lots" },
    { { "-m", "0" }, "vsmmu-daemon: -m 0: invalid ram size: 0" },
    { { "-accel", "hvf" }, "vsmmu-daemon: -accel hvf: invalid accelerator hvf" },
    { { "-display", "gtk" },
      "vsmmu-daemon: -display gtk: Display 'gtk' is not available" },
    { { "-run-with", "chroot=/" },
      "vsmmu-daemon: -run-with chroot=/: Invalid parameter 'chroot'" },
    { { "-chardev", "file,id=c" },
      "vsmmu-daemon: -chardev file,id=c: 'file' is not a valid char driver"
      " name" },
    { { "-chardev", "socket,path=/x" },
      "vsmmu-daemon: -chardev socket,path=/x: Parameter 'id' is missing" },
    { { "-chardev", "socket,id=c" },
      "vsmmu-daemon: -chardev socket,id=c: chardev: socket: no host given" },
    { { "-chardev", "socket,id=c,host=h,port=1" },
      "vsmmu-daemon: -chardev socket,id=c,host=h,port=1: chardev 'c': only"
      " Unix sockets (path=...) are supported" },
    { { "-mon", "chardev=nope,mode=control" },
      "vsmmu-daemon: -mon chardev=nope,mode=control: chardev \"nope\" not"
      " found" },
    { { "-mon", "chardev=c" },
      "vsmmu-daemon: -mon chardev=c: only mode=control (QMP) monitors are"
      " supported" },
    { { "-qmp", "tcp:localhost:4444" },
      "vsmmu-daemon: -qmp tcp:localhost:4444: 'tcp:localhost:4444' is not a"
      " valid char driver name (use unix:PATH or stdio)" },
    { { "-qtest", "unix:/nonexistent/dir/sock" },
      "vsmmu-daemon: qtest: Failed to connect to '/nonexistent/dir/sock':"
      " No such file or directory" },
    { { "-trace", "file=/nonexistent/dir/trace" }, NULL },
    /* Guest options: checked only when a guest is asked for. */
    { { "-kernel", "/nonexistent" },
      "vsmmu-daemon: -kernel: running a guest needs -accel kvm"
      " (vsmmu-daemon has no CPU emulation)" },
    { { "-accel", "kvm", "-initrd", "/nonexistent" },
      "vsmmu-daemon: -initrd needs -kernel" },
    { { "-machine", "virt,gic-version=5" },
      "vsmmu-daemon: -machine virt,gic-version=5: Invalid gic-version"
      " value" },
    { { "-machine", "virt,gic-version=2,accel=kvm", "-kernel", "/x" },
      "vsmmu-daemon: -machine gic-version=2: a KVM guest's interrupt"
      " controller is the in-kernel GICv3 (gic-version=3)" },
    { { "-accel", "kvm", "-cpu", "cortex-a57", "-kernel", "/x" },
      "vsmmu-daemon: -cpu cortex-a57: a KVM guest runs the host's CPU"
      " (-cpu host)" },
    { { "-accel", "kvm", "-smp", "0", "-kernel", "/x" },
      "vsmmu-daemon: -smp 0: the number of CPUs must be 1 to 123 (the virt"
      " board's GICv3 redistributor space)" },
    { { "-accel", "kvm", "-machine", "none", "-kernel", "/x" },
      "vsmmu-daemon: -accel kvm: a guest needs -machine virt" },
    { { "-accel", "kvm", "-kernel", "/x", "-qtest", "stdio" },
      "vsmmu-daemon: -accel kvm: a guest cannot run under -accel qtest or"
      " -qtest" },
    { { "-accel", "kvm", "-kernel", "/x", "-serial", "vc" },
      "vsmmu-daemon: -serial vc: unsupported backend (stdio, file:PATH,"
      " chardev:ID, none)" },
};

static void test_error(gconstpointer opaque)
{
    const ErrorCase *c = opaque;
    g_autofree char *out = NULL, *err = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_cmpint(run(c->args, &out, &err), ==, 1);
    lines = g_strsplit(err, "\n", 2);
    if (c->stderr_line) {
        g_assert_cmpstr(lines[0], ==, c->stderr_line);
    } else {
        g_assert_true(g_str_has_prefix(lines[0], "vsmmu-daemon: "));
    }
    g_assert_cmpstr(out, ==, "");
}

static void test_help(void)
{
    static const char *const help[] = { "-help", NULL };
    static const char *const version[] = { "-version", NULL };
    static const char *const dev_help[] = { "-device", "help", NULL };
    static const char *const pxb_help[] = { "-device", "pxb-pcie,help", NULL };
    static const char *const obj_help[] = { "-object", "help", NULL };
    static const char *const fd_help[] = { "-object", "iommufd,help", NULL };
    static const char *const m_help[] = { "-machine", "help", NULL };
    char *out, *err;

    g_assert_cmpint(run(help, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, "-device DRIVER"));
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(version, &out, &err), ==, 0);
    g_assert_true(g_str_has_prefix(out, "vsmmu-daemon version "));
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(dev_help, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, "name \"pxb-pcie\""));
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(pxb_help, &out, &err), ==, 0);
    g_assert_true(g_str_has_prefix(out, "pxb-pcie options:\n"));
    g_assert_nonnull(strstr(out, "  bus_nr=<uint8>"));
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(obj_help, &out, &err), ==, 0);
    g_assert_cmpstr(out, ==, "List of user creatable objects:\n  iommufd\n"
                    "  monitor-qmp\n  iothread\n");
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(fd_help, &out, &err), ==, 0);
    g_assert_cmpstr(out, ==, "iommufd options:\n  fd=<string>\n"
                    "  x-emulated-host=<bool>\n");
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(m_help, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, "virt"));
    g_free(out);
    g_free(err);
}

static char *read_line(int fd)
{
    GString *s = g_string_new(NULL);
    char c;

    while (read(fd, &c, 1) == 1 && c != '\n') {
        g_string_append_c(s, c);
    }
    return g_string_free(s, FALSE);
}

/*
 * What libvirt emits for a guest with accelerated SMMUs on pxb-pcie
 * buses, minus the SMMUs themselves (another series), is accepted; the
 * QMP monitor comes from -object monitor-qmp on a server chardev.
 */
static void test_libvirt(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "monitor.sock", NULL);
    g_autofree char *chardev = g_strdup_printf(
        "socket,id=charmonitor,path=%s,server=on,wait=off", path);
    const char *argv[] = {
        qtest_binary(),
        "-name", "guest=vsmmu,debug-threads=on", "-S",
        "-machine", "virt,usb=off,gic-version=3,dump-guest-core=off",
        "-accel", "kvm", "-cpu", "host", "-m", "size=1048576k",
        "-overcommit", "mem-lock=off", "-smp", "4,sockets=4,cores=1",
        "-uuid", "c7a5fdbd-edaf-9455-926a-d65c16db1809",
        "-display", "none", "-no-user-config", "-nodefaults",
        "-chardev", chardev,
        "-object", "{\"qom-type\":\"monitor-qmp\",\"id\":\"monitor\","
                   "\"chardev\":\"charmonitor\"}",
        "-rtc", "base=utc", "-no-shutdown", "-boot", "strict=on",
        "-device", "{\"driver\":\"pxb-pcie\",\"bus_nr\":252,\"id\":"
                   "\"pci.1\",\"bus\":\"pcie.0\",\"addr\":\"0x1\"}",
        "-device", "{\"driver\":\"pxb-pcie\",\"bus_nr\":248,\"id\":"
                   "\"pci.2\",\"bus\":\"pcie.0\",\"addr\":\"0x2\"}",
        "-audio", "driver=none",
        "-sandbox", "on,obsolete=deny,elevateprivileges=deny",
        "-msg", "timestamp=on", NULL
    };
    g_autoptr(GError) gerr = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct timeval tv = { .tv_sec = QTEST_TIMEOUT_S };
    g_autofree char *line = NULL;
    const char *quit = "{\"execute\":\"qmp_capabilities\"}"
                       "{\"execute\":\"quit\"}\n";
    gint64 t0 = g_get_monotonic_time();
    GPid pid;
    int fd, status, tries;

    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                &gerr));
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(addr.sun_path, path);
    /* The socket appears once start-up is done; bounded hang guard. */
    for (tries = 0; connect(fd, (struct sockaddr *)&addr,
                            sizeof(addr)) < 0; tries++) {
        g_assert_cmpint(tries, <, QTEST_TIMEOUT_S * 100);
        g_assert_cmpint(waitpid(pid, &status, WNOHANG), ==, 0);
        g_usleep(10000);
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    line = read_line(fd);
    g_assert_true(g_str_has_prefix(line, "{\"QMP\""));
    g_test_message("start-up to QMP greeting: %.1f ms",
                   (g_get_monotonic_time() - t0) / 1000.0);
    g_assert_cmpint(write(fd, quit, strlen(quit)), ==, strlen(quit));
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    close(fd);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(error_cases); i++) {
        g_autofree char *name = g_strdup_printf("/cmdline/error/%zu", i);

        g_test_add_data_func(name, &error_cases[i], test_error);
    }
    g_test_add_func("/cmdline/help", test_help);
    g_test_add_func("/cmdline/libvirt", test_libvirt);
    return g_test_run();
}
