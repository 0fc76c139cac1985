/*
 * vsmmu-daemon's command line: every error path, help output, and a
 * libvirt-style command line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include <gio/gio.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
    /* JSON is typed strictly, key=value is not (issue 10 row 6). */
    { { "-machine", "virt,iommu=none", "-device",
        "{\"driver\":\"arm-smmuv3\",\"accel\":\"on\"}" },
      "vsmmu-daemon: -device {\"driver\":\"arm-smmuv3\",\"accel\":\"on\"}:"
      " Invalid parameter type for 'accel', expected: boolean" },
    { { "-device", "{\"driver\":\"pxb-pcie\",\"id\":\"p\",\"bus_nr\":\"7\"}" },
      "vsmmu-daemon: -device {\"driver\":\"pxb-pcie\",\"id\":\"p\","
      "\"bus_nr\":\"7\"}: Invalid parameter type for 'bus_nr', expected:"
      " uint8" },
    /* \u0000 would cut the string (row 7). */
    { { "-device", "{\"driver\":\"pxb-pcie\",\"id\":\"p\\u0000q\"}" },
      "vsmmu-daemon: -device {\"driver\":\"pxb-pcie\",\"id\":"
      "\"p\\u0000q\"}: Parameter 'id' contains \\u0000, which is not"
      " supported" },
    { { "-object", "{\"qom-type\":\"iothread\",\"id\":\"io\\u0000\"}" },
      "vsmmu-daemon: -object {\"qom-type\":\"iothread\",\"id\":"
      "\"io\\u0000\"}: Parameter 'id' contains \\u0000, which is not"
      " supported" },
    /* Numbers never truncated (row 10). */
    { { "-device", "vfio-pci,addr=0x100000001" },
      "vsmmu-daemon: -device vfio-pci,addr=0x100000001: Property"
      " 'vfio-pci.addr' doesn't take value '0x100000001'" },
    { { "-device", "vfio-pci,addr=1.0x100000000" },
      "vsmmu-daemon: -device vfio-pci,addr=1.0x100000000: Property"
      " 'vfio-pci.addr' doesn't take value '1.0x100000000'" },
    { { "-device", "pxb-pcie,id=p,bus_nr=1,addr=0x20" },
      "vsmmu-daemon: -device pxb-pcie,id=p,bus_nr=1,addr=0x20: Property"
      " 'pxb-pcie.addr' doesn't take value '0x20'" },
    { { "-device", "pxb-pcie,id=p,bus_nr=18446744073709551617" },
      "vsmmu-daemon: -device pxb-pcie,id=p,bus_nr=18446744073709551617:"
      " Parameter 'bus_nr' expects uint8" },
    /* Empty ids (row 11). */
    { { "-object", "iommufd,id=,x-emulated-host=on" },
      "vsmmu-daemon: -object iommufd,id=,x-emulated-host=on: Parameter 'id'"
      " expects an identifier" },
    { { "-object", "iothread,id=" },
      "vsmmu-daemon: -object iothread,id=: Parameter 'id' expects an"
      " identifier" },
    /* The polling properties are QEMU's int64, at least 0. */
    { { "-object", "iothread,id=io0,poll-max-ns=abc" },
      "vsmmu-daemon: -object iothread,id=io0,poll-max-ns=abc: Parameter"
      " 'poll-max-ns' expects int64" },
    { { "-object", "iothread,id=io0,poll-grow=-2" },
      "vsmmu-daemon: -object iothread,id=io0,poll-grow=-2: poll-grow value"
      " must be in range [0, 9223372036854775807]" },
    { { "-object", "{\"qom-type\":\"iommufd\",\"id\":\"\"}" },
      "vsmmu-daemon: -object {\"qom-type\":\"iommufd\",\"id\":\"\"}:"
      " Parameter 'id' expects an identifier" },
    { { "-device", "pxb-pcie,id=,bus_nr=1" },
      "vsmmu-daemon: -device pxb-pcie,id=,bus_nr=1: Parameter 'id' expects"
      " an identifier" },
    { { "-chardev", "socket,id=,path=/tmp/x" },
      "vsmmu-daemon: -chardev socket,id=,path=/tmp/x: Parameter 'id'"
      " expects an identifier" },
    { { "-chardev", "socket,id=c d,path=/tmp/x" },
      "vsmmu-daemon: -chardev socket,id=c d,path=/tmp/x: Parameter 'id'"
      " expects an identifier" },
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
      "vsmmu-daemon: -machine virt,foo=1: Property 'virt-11.1-machine.foo' not"
      " found" },
    { { "-machine", "virt,iommu=x" },
      "vsmmu-daemon: -machine virt,iommu=x: Invalid iommu value" },
    { { "-m", "lots" }, "vsmmu-daemon: -m lots: invalid ram size: lots" },
    { { "-m", "0" }, "vsmmu-daemon: -m 0: invalid ram size: 0" },
    { { "-accel", "hvf" }, "vsmmu-daemon: -accel hvf: invalid accelerator hvf" },
    { { "-net", "user" },
      "vsmmu-daemon: -net user: network backend 'user' is not available"
      " (only none)" },
    { { "-nic", "user,model=virtio" },
      "vsmmu-daemon: -nic user,model=virtio: network backend"
      " 'user,model=virtio' is not available (only none)" },
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
    { { "-chardev", "socket,id=c,host=h" },
      "vsmmu-daemon: -chardev socket,id=c,host=h: chardev 'c': port= must be"
      " a number in 1..65535" },
    { { "-chardev", "socket,id=c,path=/x,port=1" },
      "vsmmu-daemon: -chardev socket,id=c,path=/x,port=1: chardev 'c': path="
      " cannot be combined with host= or port=" },
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
    /* libvirt's options, QEMU's wording (issue 12). */
    { { "-uuid", "1ccfd97d-5eb4-478a-bbe6-88d254c16db" },
      "vsmmu-daemon: -uuid 1ccfd97d-5eb4-478a-bbe6-88d254c16db: Fail to"
      " parse UUID string. Wrong format." },
    { { "-name", "guest=g,debug-threads=maybe" },
      "vsmmu-daemon: -name guest=g,debug-threads=maybe: Parameter"
      " 'debug-threads' expects 'on' or 'off'" },
    { { "-name", "guest=g,foo=1" },
      "vsmmu-daemon: -name guest=g,foo=1: Invalid parameter 'foo'" },
    { { "-add-fd", "set=1" },
      "vsmmu-daemon: -add-fd set=1: fd option is required and must be"
      " non-negative" },
    { { "-add-fd", "fd=2,set=1" },
      "vsmmu-daemon: -add-fd fd=2,set=1: fd cannot be a standard I/O"
      " stream" },
    { { "-add-fd", "fd=999,set=1" },
      "vsmmu-daemon: -add-fd fd=999,set=1: fd is not valid or already in"
      " use" },
    { { "-chardev", "socket,id=c,fd=999,server=on" },
      "vsmmu-daemon: -chardev socket,id=c,fd=999,server=on: file"
      " descriptor 999 is not open: Bad file descriptor" },
    { { "-chardev", "socket,id=c,fd=0,path=/x" },
      "vsmmu-daemon: -chardev socket,id=c,fd=0,path=/x: chardev 'c': fd="
      " cannot be combined with path=, host= or port=" },
    { { "-chardev", "socket,id=c,fd=mon" },
      "vsmmu-daemon: -chardev socket,id=c,fd=mon: File descriptor named"
      " 'mon' has not been found" },
    { { "-device",
        "{\"driver\":\"arm-smmuv3\",\"primary-bus\":\"pcie.0\","
        "\"accel\":true,\"cmdqv\":\"on\"}" },
      "vsmmu-daemon: -device {\"driver\":\"arm-smmuv3\",\"primary-bus\":"
      "\"pcie.0\",\"accel\":true,\"cmdqv\":\"on\"}: cmdqv=on: vsmmu has"
      " no Tegra241 CMDQV (NVIDIA's command-queue virtualization); use"
      " cmdqv=off or auto, which resolves to off" },
    { { "-machine", "virt-4.2" },
      "vsmmu-daemon: -machine virt-4.2: unsupported machine type:"
      " \"virt-4.2\"" },
    { { "-machine", "virt-11.1,usb=maybe" },
      "vsmmu-daemon: -machine virt-11.1,usb=maybe: Parameter 'usb' expects"
      " 'on' or 'off'" },
    { { "-machine", "virt,acpi=yes" },
      "vsmmu-daemon: -machine virt,acpi=yes: Parameter 'acpi' does not"
      " accept value 'yes'" },
    { { "-machine", "virt,memory-backend=ram0" },
      "vsmmu-daemon: No memory backend 'ram0' found" },
    { { "-machine", "virt,memory-backend=ram0", "-m", "512M", "-object",
        "memory-backend-ram,id=ram0,size=1G" },
      "vsmmu-daemon: Machine memory size does not match the size of the"
      " memory backend" },
    { { "-object", "memory-backend-ram,id=ram0" },
      "vsmmu-daemon: -object memory-backend-ram,id=ram0: can't create"
      " backend with size 0" },
    { { "-object", "memory-backend-file,id=ram0,size=1M" },
      "vsmmu-daemon: -object memory-backend-file,id=ram0,size=1M: mem-path"
      " property not set" },
    { { "-object", "memory-backend-ram,id=ram0,size=1M,mem-path=/x" },
      "vsmmu-daemon: -object memory-backend-ram,id=ram0,size=1M,mem-path=/x:"
      " Property 'memory-backend-ram.mem-path' not found" },
    { { "-machine", "virt,memory-backend=f0", "-object",
        "memory-backend-file,id=f0,size=1M,mem-path=/dev/fdset/4" },
      "vsmmu-daemon: Could not open '/dev/fdset/4': No such fd set" },
    { { "-object", "secret,id=s0" },
      "vsmmu-daemon: -object secret,id=s0: Either 'file' or 'data' must be"
      " provided" },
    { { "-object", "secret,id=s0,data=x,file=/y" },
      "vsmmu-daemon: -object secret,id=s0,data=x,file=/y: 'data' and 'file'"
      " are mutually exclusive" },
    { { "-object", "secret,id=s0,data=x,format=hex" },
      "vsmmu-daemon: -object secret,id=s0,data=x,format=hex: Parameter"
      " 'format' does not accept value 'hex'" },
    { { "-object", "secret,id=s0,data=YWJj$,format=base64" },
      "vsmmu-daemon: -object secret,id=s0,data=YWJj$,format=base64: Base64"
      " data contains invalid characters" },
    { { "-object", "secret,id=s0,file=/nonexistent" },
      "vsmmu-daemon: -object secret,id=s0,file=/nonexistent: Unable to read"
      " /nonexistent: Could not open '/nonexistent': No such file or"
      " directory" },
    { { "-object", "secret,id=s1,data=x,keyid=s0,iv=AAAA" },
      "vsmmu-daemon: -object secret,id=s1,data=x,keyid=s0,iv=AAAA: secret"
      " 's1': keyid/iv (a secret encrypted with another one) is not"
      " supported: vsmmu-daemon has no consumer of secrets to decrypt it"
      " for" },
    { { "-msg", "timestamp=maybe" },
      "vsmmu-daemon: -msg timestamp=maybe: Parameter 'timestamp' expects"
      " 'on' or 'off'" },
    { { "-msg", "color=on" },
      "vsmmu-daemon: -msg color=on: Invalid parameter 'color'" },
    { { "-sandbox", "on,spawn=maybe" },
      "vsmmu-daemon: -sandbox on,spawn=maybe: invalid argument for spawn" },
    { { "-audiodev", "pa,id=a" },
      "vsmmu-daemon: -audiodev pa,id=a: audiodev driver 'pa' is not"
      " available: a device host has no sound (only none)" },
    { { "-audiodev", "none" },
      "vsmmu-daemon: -audiodev none: Parameter 'id' is missing" },
    { { "-audiodev", "none,id=a", "-audiodev", "none,id=a" },
      "vsmmu-daemon: -audiodev none,id=a: Duplicate audiodev id 'a'" },
    { { "-rtc", "base=tomorrow" },
      "vsmmu-daemon: -rtc base=tomorrow: invalid datetime format" },
    { { "-rtc", "clock=wall" },
      "vsmmu-daemon: -rtc clock=wall: Parameter 'clock' does not accept"
      " value 'wall'" },
    { { "-boot", "strict=on,foo=1" },
      "vsmmu-daemon: -boot strict=on,foo=1: Invalid parameter 'foo'" },
    { { "-overcommit", "mem-lock=maybe" },
      "vsmmu-daemon: -overcommit mem-lock=maybe: Parameter 'mem-lock'"
      " expects 'on' or 'off'" },
    { { "-pidfile", "/nonexistent/dir/pid" },
      "vsmmu-daemon: -pidfile /nonexistent/dir/pid: Cannot open pid file:"
      " No such file or directory" },
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
    g_assert_cmpstr(out, ==, "List of user creatable objects:\n"
                    "  secret\n  memory-backend-ram\n  memory-backend-memfd\n"
                    "  memory-backend-file\n  iommufd\n"
                    "  monitor-qmp\n  iothread\n");
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(fd_help, &out, &err), ==, 0);
    g_assert_cmpstr(out, ==, "iommufd options:\n  fd=<string>\n"
                    "  x-emulated-host=<bool>\n");
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(m_help, &out, &err), ==, 0);
    /* QEMU's names: virt the alias of the newest versioned type. */
    g_assert_nonnull(strstr(out, "\nvirt                 QEMU 11.1 ARM Virtual"
                            " Machine (alias of virt-11.1)\n"));
    g_assert_nonnull(strstr(out, "\nvirt-11.1            QEMU 11.1 ARM"
                            " Virtual Machine (default)\n"));
    g_assert_nonnull(strstr(out, "\nvirt-5.1             QEMU 5.1 ARM Virtual"
                            " Machine (deprecated)\n"));
    g_assert_nonnull(strstr(out, "\nnone                 empty machine\n"));
    g_free(out);
    g_free(err);
}

/*
 * -object help lists exactly the concrete user-creatable types of the
 * type hierarchy (qom-list-types), and each one's options.
 */
static void test_object_types(void)
{
    static const char *const obj_help[] = { "-object", "help", NULL };
    g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *out = NULL, *err = NULL;
    g_auto(GStrv) lines = NULL;
    QTestState *s;
    JsonObject *rsp;
    JsonArray *arr;

    g_assert_cmpint(run(obj_help, &out, &err), ==, 0);
    lines = g_strsplit(out, "\n", -1);
    for (int i = 1; lines[i] && lines[i][0]; i++) {
        g_assert_true(g_str_has_prefix(lines[i], "  "));
        g_ptr_array_add(listed, g_strdup(lines[i] + 2));
    }
    s = qtest_init("-machine none");
    rsp = qtest_qmp(s, "{\"execute\": \"qom-list-types\", \"arguments\":"
                    " {\"implements\": \"user-creatable\"}}");
    arr = json_node_get_array(qtest_qmp_assert_success(rsp));
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        g_ptr_array_add(types, g_strdup(json_object_get_string_member(
            json_array_get_object_element(arr, i), "name")));
    }
    json_object_unref(rsp);
    qtest_quit(s);
    g_ptr_array_sort(listed, qtest_compare_strings);
    g_ptr_array_sort(types, qtest_compare_strings);
    g_assert_cmpuint(listed->len, ==, types->len);
    for (guint i = 0; i < listed->len; i++) {
        g_assert_cmpstr(g_ptr_array_index(listed, i), ==,
                        g_ptr_array_index(types, i));
    }
}

static const char *qmp_error_class(JsonObject *rsp)
{
    JsonObject *e = json_object_has_member(rsp, "error") ?
                    json_object_get_object_member(rsp, "error") : NULL;

    return e ? json_object_get_string_member(e, "class") : NULL;
}

/* Whether the daemon $QTEST_QEMU_BINARY knows each test-bed command. */
static void assert_testbed_commands(bool present)
{
    static const char *const cmds[] = {
        "x-vsmmu-inject-host-event", "x-vsmmu-host-event-rate",
        "x-vsmmu-inject-raw-vevent", "x-testbed-veventq-reader",
        "x-testbed-latency", "x-vsmmu-host-event-stop",
    };
    QTestState *s = qtest_init("-machine none");

    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        /* Without arguments: a known command fails on them, or runs. */
        JsonObject *rsp = qtest_qmp(s, "{'execute': '%s'}", cmds[i]);

        g_assert_true(json_object_has_member(rsp, "return") ||
                      qmp_error_class(rsp));
        g_assert_cmpint(!g_strcmp0(qmp_error_class(rsp), "CommandNotFound"),
                        ==, !present);
        json_object_unref(rsp);
    }
    qtest_quit(s);
}

/*
 * The product has no test knobs: no benchmark baseline on arm-smmuv3, no
 * event generators; vsmmu-daemon-testbed has the generators.
 */
static void test_no_test_knobs(void)
{
    static const char *const smmu_help[] = {
        "-device", "arm-smmuv3,help", NULL
    };
    g_autofree char *saved = g_strdup(g_getenv("QTEST_QEMU_BINARY"));
    char *out, *err;

    g_assert_cmpint(run(smmu_help, &out, &err), ==, 0);
    g_assert_true(g_str_has_prefix(out, "arm-smmuv3 options:\n"));
    g_assert_nonnull(strstr(out, "  accel="));
    g_assert_null(strstr(out, "upstream"));
    g_assert_null(strstr(out, "benchmark"));
    g_free(out);
    g_free(err);
    assert_testbed_commands(false);

    g_setenv("QTEST_QEMU_BINARY", TESTBED_BINARY, TRUE);
    assert_testbed_commands(true);
    if (saved) {
        g_setenv("QTEST_QEMU_BINARY", saved, TRUE);
    } else {
        g_unsetenv("QTEST_QEMU_BINARY");
    }
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
/* -msg timestamp=on: QEMU's UTC ISO 8601 prefix on every report. */
static void test_msg_timestamp(void)
{
    const char *with[] = { "-msg", "timestamp=on", "-device", "bogus", NULL };
    const char *without[] = { "-msg", "timestamp=off", "-device", "bogus",
                              NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint(run(with, &out, &err), ==, 1);
    g_assert_true(g_regex_match_simple(
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"
        " vsmmu-daemon: -device bogus: 'bogus' is not a valid device model"
        " name\n$", err, 0, 0));
    g_free(out);
    g_free(err);
    g_assert_cmpint(run(without, &out, &err), ==, 1);
    g_assert_true(g_str_has_prefix(err, "vsmmu-daemon: -device bogus: "));
}

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

/*
 * Spawn the daemon with ARGS and stdin kept open; wait for its exit
 * with a hang guard (a daemon that keeps running is killed and fails
 * the test).  Returns the exit status; *ERR gets stderr.
 */
static int run_bounded(const char *const *args, char **err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GString) text = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() +
                      QTEST_TIMEOUT_S * G_USEC_PER_SEC;
    int in_fd, out_fd, err_fd, status;
    GPid pid;

    g_ptr_array_add(argv, (char *)qtest_binary());
    for (; *args; args++) {
        g_ptr_array_add(argv, (char *)*args);
    }
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, &in_fd, &out_fd,
                                           &err_fd, &gerr));
    close(out_fd);              /* stdout is not looked at */
    for (;;) {
        struct pollfd pfd = { .fd = err_fd, .events = POLLIN };
        char buf[4096];
        ssize_t n;

        if (poll(&pfd, 1, 100) > 0 && (n = read(err_fd, buf, 4096)) > 0) {
            g_string_append_len(text, buf, n);
            continue;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            break;
        }
        if (g_get_monotonic_time() > deadline) {
            kill(pid, SIGKILL);
            g_error("daemon still running after %d s (hang guard)",
                    QTEST_TIMEOUT_S);
        }
    }
    close(in_fd);
    close(err_fd);
    *err = g_string_free(g_steal_pointer(&text), FALSE);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void assert_first_line(const char *err, const char *want)
{
    g_auto(GStrv) lines = g_strsplit(err, "\n", 2);

    g_assert_cmpstr(lines[0], ==, want);
}

/* Issue 10 row 12: one stdio server at most. */
/*
 * The daemon with the options QEMU's libqtest and qtests pass, over
 * "-qtest stdio": its reply to clock_step, which only the qtest
 * accelerator (-accel qtest or older libqtest's -machine accel=qtest)
 * allows.
 */
static char *qtest_stdio_clock_step(const char *machine)
{
    /*
     * g_spawn, not GSubprocess: GSubprocess hands the child to glib's
     * worker thread, whose own locking ThreadSanitizer cannot see.
     */
    const char *argv[] = {
        qtest_binary(), "-qtest", "stdio", "-qtest-log", "none",
        "-machine", machine, "-nodefaults", "-display", "none",
        "-audio", "none", "-net", "none", "-nic", "none",
        "-run-with", "exit-with-parent=on", NULL
    };
    g_autoptr(GError) err = NULL;
    GPid pid;
    int in_fd, out_fd, status;
    char buf[256];
    size_t len = 0;
    ssize_t n;

    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDERR_TO_DEV_NULL,
                                           NULL, NULL, &pid, &in_fd,
                                           &out_fd, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmpint(write(in_fd, "clock_step 10\n", 14), ==, 14);
    while (len < sizeof(buf) - 1 && !memchr(buf, '\n', len)) {
        n = read(out_fd, buf + len, sizeof(buf) - 1 - len);
        g_assert_cmpint(n, >, 0);
        len += n;
    }
    g_assert_nonnull(memchr(buf, '\n', len));
    *(char *)memchr(buf, '\n', len) = '\0';
    kill(pid, SIGTERM);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    close(in_fd);
    close(out_fd);
    g_spawn_close_pid(pid);
    return g_strdup(buf);
}

static void test_libqtest_options(void)
{
    g_autofree char *qtest = qtest_stdio_clock_step("none,accel=qtest");
    g_autofree char *plain = qtest_stdio_clock_step("none");

    g_assert_cmpstr(qtest, ==, "OK 10");
    g_assert_true(g_str_has_prefix(plain, "FAIL "));
}

static void test_stdio_once(void)
{
    static const char *const qtest_qmp[] = {
        "-qtest", "stdio", "-qmp", "stdio", NULL
    };
    static const char *const qmp_qmp[] = {
        "-qmp", "stdio", "-qmp", "stdio", NULL
    };
    g_autofree char *err1 = NULL, *err2 = NULL;

    g_assert_cmpint(run_bounded(qtest_qmp, &err1), ==, 1);
    assert_first_line(err1, "vsmmu-daemon: qtest: cannot use stdio by"
                      " multiple character devices");
    g_assert_cmpint(run_bounded(qmp_qmp, &err2), ==, 1);
    assert_first_line(err2, "vsmmu-daemon: -qmp stdio: cannot use stdio by"
                      " multiple character devices");
}

static void assert_serves_qmp(const char *path)
{
    QTestClient *c = qtest_client_unix(path);
    g_autofree char *greeting = qtest_client_line(c);

    g_assert_true(g_str_has_prefix(greeting, "{\"QMP\""));
    qtest_client_free(c);
}

/* A Unix socket file at PATH with nothing listening. */
static ino_t make_socket_file(const char *path, bool keep_listening,
                              int *fd_out)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct stat st;

    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    if (keep_listening) {
        g_assert_cmpint(listen(fd, 1), ==, 0);
        *fd_out = fd;
    } else {
        close(fd);
    }
    g_assert_cmpint(stat(path, &st), ==, 0);
    return st.st_ino;
}

/*
 * Issue 10 row 2: a second daemon on a path in use is refused, QEMU's
 * wording; the first keeps its socket.
 */
static void test_socket_in_use(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off",
                                            path);
    g_autofree char *want = g_strdup_printf(
        "vsmmu-daemon: -qmp %s: Failed to bind socket to %s: Address"
        " already in use", spec, path);
    g_autofree char *err = NULL;
    /* The qtest connection fails, so a daemon that took the path exits. */
    const char *args[] = {
        "-qmp", spec, "-qtest", "unix:/nonexistent/dir/sock", NULL
    };
    QTestState *s = qtest_initf("-qmp %s", spec);

    g_assert_cmpint(run_bounded(args, &err), ==, 1);
    assert_first_line(err, want);
    assert_serves_qmp(path);
    qtest_quit(s);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    rmdir(dir);
}

/* A stale socket (its daemon died) is replaced. */
static void test_socket_stale(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
    QTestState *s;

    make_socket_file(path, false, NULL);
    s = qtest_initf("-qmp unix:%s,server=on,wait=off", path);
    assert_serves_qmp(path);
    qtest_quit(s);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    rmdir(dir);
}

/* At exit a daemon removes its socket only if it is still its own. */
static void test_socket_ownership(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
    QTestState *s = qtest_initf("-qmp unix:%s,server=on,wait=off", path);
    struct stat st;
    ino_t ino;
    int fd;

    /* Someone else now owns the path. */
    g_assert_cmpint(unlink(path), ==, 0);
    ino = make_socket_file(path, true, &fd);
    qtest_quit(s);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpuint(st.st_ino, ==, ino);
    close(fd);
    unlink(path);
    rmdir(dir);
}

static int tcp_socket(struct sockaddr_in *addr, bool do_listen)
{
    socklen_t len = sizeof(*addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    *addr = (struct sockaddr_in) {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    g_assert_cmpint(bind(fd, (struct sockaddr *)addr, len), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)addr, &len), ==, 0);
    if (do_listen) {
        g_assert_cmpint(listen(fd, 1), ==, 0);
    }
    return fd;
}

static void assert_qmp_client(QTestClient *c)
{
    qtest_client_qmp_negotiate(c);
    qtest_client_free(c);
}

/* -chardev socket,host=,port= as a client and as a server. */
static void test_tcp(void)
{
    struct sockaddr_in addr;
    int lfd = tcp_socket(&addr, true), fd;
    QTestState *s = qtest_initf("-chardev socket,id=tcp0,host=127.0.0.1,"
                                "port=%u -mon chardev=tcp0,mode=control",
                                ntohs(addr.sin_port));

    fd = accept(lfd, NULL, NULL);
    g_assert_cmpint(fd, >=, 0);
    assert_qmp_client(qtest_client_fd(fd));
    close(lfd);
    qtest_quit(s);

    /* A free port: bound, then released for the daemon. */
    close(tcp_socket(&addr, false));
    s = qtest_initf("-chardev socket,id=tcp0,host=127.0.0.1,port=%u,"
                    "server=on,wait=off -mon chardev=tcp0,mode=control",
                    ntohs(addr.sin_port));
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    assert_qmp_client(qtest_client_fd(fd));
    qtest_quit(s);
}

/* server=on,wait=on: start-up waits for the first client. */
static void test_server_wait(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on", path);
    const char *argv[] = { qtest_binary(), "-qmp", spec, NULL };
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GString) text = g_string_new(NULL);
    QTestClient *c;
    GPid pid;
    int err_fd, status;
    char ch;

    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, NULL, NULL, &err_fd,
                                           &gerr));
    /* The daemon says it waits once it listens. */
    while (!strstr(text->str, "waiting for connection on:") &&
           read(err_fd, &ch, 1) == 1) {
        g_string_append_c(text, ch);
    }
    g_assert_nonnull(strstr(text->str, "waiting for connection on:"));
    c = qtest_client_unix(path);
    g_free(qtest_client_line(c));
    qtest_client_sendf(c, "{\"execute\": \"qmp_capabilities\"}"
                       "{\"execute\": \"quit\"}\n");
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    qtest_client_free(c);
    close(err_fd);
    rmdir(dir);
}

/* -qtest stdio with stdin a regular file (not pollable) and a pipe out. */
static void test_stdio_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("cmdline-test-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "in.txt", NULL);
    g_autofree char *cmd = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *line = NULL;
    const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
    GPid pid;
    int out_fd, status;

    g_assert_true(g_file_set_contents(file, "endianness\nreadl\n", -1,
                                      NULL));
    cmd = g_strdup_printf("exec %s -qtest stdio -qtest-log none < %s",
                          qtest_binary(), file);
    argv[2] = cmd;
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, NULL, &out_fd, NULL,
                                           &gerr));
    line = read_line(out_fd);
    g_assert_cmpstr(line, ==, "OK little");
    g_free(line);
    line = read_line(out_fd);
    g_assert_cmpstr(line, ==, "FAIL missing argument");
    kill(pid, SIGTERM);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    close(out_fd);
    unlink(file);
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
    g_test_add_func("/cmdline/msg-timestamp", test_msg_timestamp);
    g_test_add_func("/cmdline/no-test-knobs", test_no_test_knobs);
    g_test_add_func("/cmdline/stdio-once", test_stdio_once);
    g_test_add_func("/cmdline/libqtest-options", test_libqtest_options);
    g_test_add_func("/cmdline/object-types", test_object_types);
    g_test_add_func("/cmdline/stdio-file", test_stdio_file);
    g_test_add_func("/cmdline/socket-in-use", test_socket_in_use);
    g_test_add_func("/cmdline/socket-stale", test_socket_stale);
    g_test_add_func("/cmdline/socket-ownership", test_socket_ownership);
    g_test_add_func("/cmdline/tcp", test_tcp);
    g_test_add_func("/cmdline/server-wait", test_server_wait);
    return g_test_run();
}
