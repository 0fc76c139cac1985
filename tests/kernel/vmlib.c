/*
 * vmlib: support for test programs that run inside the kernel test-bed VM.
 * See vmlib.h for the interface and the result protocol.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vmlib.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>
#endif
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int vm_count;
static int vm_passed;
static int vm_failed;
static int vm_skipped;

/* State of the test that vm_run() is executing, if any. */
static const char *vm_cur_name;
static jmp_buf vm_cur_jmp;
static enum { VM_CUR_OK, VM_CUR_FAIL, VM_CUR_SKIP } vm_cur_result;
static char vm_cur_msg[1024];

/*
 * Print one protocol line in a single write so that kernel messages on the
 * same console cannot split it.  Newlines inside the text would break the
 * line protocol and are replaced.
 */
static void vm_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void vm_line(const char *fmt, ...)
{
    char buf[1400];
    size_t len = strlen(VM_PREFIX);
    va_list ap;
    int n;

    memcpy(buf, VM_PREFIX, len);
    va_start(ap, fmt);
    n = vsnprintf(buf + len, sizeof(buf) - len - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        n = 0;
    }
    len += (size_t)n < sizeof(buf) - len - 1 ? (size_t)n : sizeof(buf) - len - 2;
    for (size_t i = strlen(VM_PREFIX); i < len; i++) {
        if (buf[i] == '\n' || buf[i] == '\r') {
            buf[i] = ' ';
        }
    }
    buf[len++] = '\n';
    fflush(stdout);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(STDOUT_FILENO, buf + off, len - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        off += (size_t)w;
    }
}

void vm_note(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    vm_line("# %s", msg);
}

int vm_ok(const char *name)
{
    vm_passed++;
    vm_line("ok %d %s", ++vm_count, name);
    return vm_count;
}

static int vm_vskip(const char *name, const char *fmt, va_list ap)
{
    char msg[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    vm_skipped++;
    vm_line("ok %d %s # SKIP %s", ++vm_count, name, msg);
    return vm_count;
}

int vm_skip(const char *name, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vm_vskip(name, fmt, ap);
    va_end(ap);
    return n;
}

static int vm_vfail(const char *name, const char *fmt, va_list ap)
{
    char msg[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    vm_failed++;
    vm_line("not ok %d %s: %s", ++vm_count, name, msg);
    return vm_count;
}

int vm_fail(const char *name, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vm_vfail(name, fmt, ap);
    va_end(ap);
    return n;
}

int vm_failures(void)
{
    return vm_failed;
}

bool vm_run(const char *name, vm_test_fn fn, void *opaque)
{
    vm_cur_name = name;
    vm_cur_result = VM_CUR_OK;
    vm_cur_msg[0] = '\0';
    if (setjmp(vm_cur_jmp) == 0) {
        errno = 0;
        fn(opaque);
    }
    vm_cur_name = NULL;
    switch (vm_cur_result) {
    case VM_CUR_OK:
        vm_ok(name);
        return true;
    case VM_CUR_SKIP:
        vm_skip(name, "%s", vm_cur_msg);
        return true;
    default:
        vm_fail(name, "%s", vm_cur_msg);
        return false;
    }
}

void vm_skip_current(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(vm_cur_msg, sizeof(vm_cur_msg), fmt, ap);
    va_end(ap);
    if (!vm_cur_name) {
        vm_skip("setup", "%s", vm_cur_msg);
        vm_finish();
    }
    vm_cur_result = VM_CUR_SKIP;
    longjmp(vm_cur_jmp, 1);
}

/* Common tail of the assertion failures: record MSG and leave the test. */
static VM_NORETURN void vm_assert_leave(void)
{
    if (!vm_cur_name) {
        vm_fail("setup", "%s", vm_cur_msg);
        vm_finish();
    }
    vm_cur_result = VM_CUR_FAIL;
    longjmp(vm_cur_jmp, 1);
}

void vm_assert_failed(const char *file, int line, const char *expr,
                      const char *fmt, ...)
{
    int saved_errno = errno;
    char what[700];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (saved_errno) {
        snprintf(vm_cur_msg, sizeof(vm_cur_msg),
                 "%s [failed: %s at %s:%d; errno %s (%d)]", what, expr, file,
                 line, strerrorname_np(saved_errno), saved_errno);
    } else {
        snprintf(vm_cur_msg, sizeof(vm_cur_msg), "%s [failed: %s at %s:%d]",
                 what, expr, file, line);
    }
    vm_assert_leave();
}

void vm_assert_errno_failed(const char *file, int line, const char *expr,
                            long ret, int got, int want, const char *fmt, ...)
{
    char what[700];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(vm_cur_msg, sizeof(vm_cur_msg),
             "%s [failed: %s returned %ld errno %s (%d), expected -1 errno %s "
             "(%d) at %s:%d]",
             what, expr, ret, got ? strerrorname_np(got) : "0", got,
             strerrorname_np(want) ? strerrorname_np(want) : "?", want, file,
             line);
    vm_assert_leave();
}

int vm_done(void)
{
    vm_line("done %d passed %d failed %d skipped", vm_passed, vm_failed,
            vm_skipped);
    return vm_failed ? 1 : 0;
}

#if defined(__x86_64__) || defined(__i386__)
/* isa-debug-exit: QEMU exits with (code << 1) | 1. */
static void vm_arch_exit(int code)
{
    if (ioperm(VM_DEBUG_EXIT_PORT, 4, 1) == 0) {
        outl((unsigned int)code, VM_DEBUG_EXIT_PORT);
        /* Not reached when QEMU has the device. */
        vm_line("# isa-debug-exit at port 0x%x did not end the VM",
                VM_DEBUG_EXIT_PORT);
    } else {
        vm_line("# ioperm(0x%x) failed: %s", VM_DEBUG_EXIT_PORT,
                strerror(errno));
    }
}
#elif defined(__aarch64__)
/*
 * Arm semihosting SYS_EXIT (operation 0x18) with the AArch64 parameter
 * block {ADP_Stopped_ApplicationExit, status}: QEMU exits with status.
 * Only when run-vm.sh enabled semihosting for user space and said so with
 * VSMMU_VM_EXIT=semihosting on the kernel command line (the kernel hands
 * unknown NAME=VALUE words to /init as environment); otherwise the HLT
 * would be an undefined instruction and kill /init.
 */
static void vm_arch_exit(int code)
{
    const char *how = getenv("VSMMU_VM_EXIT");
    static volatile uint64_t block[2];

    if (!how || strcmp(how, "semihosting") != 0) {
        vm_line("# VSMMU_VM_EXIT=semihosting not set; powering off instead");
        return;
    }
    block[0] = 0x20026;                        /* ADP_Stopped_ApplicationExit */
    block[1] = ((uint64_t)code << 1) | 1;      /* as isa-debug-exit on x86 */
    {
        /* No calls between these and the asm: they would clobber x0/x1. */
        register uint64_t op __asm__("x0") = 0x18;
        register uint64_t arg __asm__("x1") = (uint64_t)(uintptr_t)block;

        __asm__ volatile("hlt #0xf000" : "+r"(op) : "r"(arg) : "memory");
    }
    vm_line("# semihosting SYS_EXIT did not end the VM");
}
#else
static void vm_arch_exit(int code)
{
}
#endif

void vm_exit(int code)
{
    fflush(NULL);
    if (getpid() != 1) {
        /* Not /init (a helper, or a run on a host): never poke ports. */
        _exit(code);
    }
    sync();
    vm_arch_exit(code);
    /*
     * With -no-reboot this ends QEMU (exit status 0, which run-vm.sh
     * reports).  arm64 has no isa-debug-exit; with ACPI, RB_POWER_OFF is
     * PSCI SYSTEM_OFF, which ends QEMU there too.
     */
#ifdef __aarch64__
    reboot(RB_POWER_OFF);
#endif
    reboot(RB_AUTOBOOT);
    _exit(code);
}

void vm_finish(void)
{
    vm_exit(vm_done());
}

static void vm_mount(const char *src, const char *dir, const char *type)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        vm_fail("vm_init", "mkdir %s: %s", dir, strerror(errno));
        vm_finish();
    }
    if (mount(src, dir, type, 0, NULL) < 0 && errno != EBUSY) {
        vm_fail("vm_init", "mount -t %s %s %s: %s", type, src, dir,
                strerror(errno));
        vm_finish();
    }
}

void vm_init(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (getpid() != 1) {
        return;
    }
    vm_mount("devtmpfs", "/dev", "devtmpfs");
    vm_mount("proc", "/proc", "proc");
    vm_mount("sysfs", "/sys", "sysfs");
    errno = 0;
}

int vm_spawn(char *const argv[])
{
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        execv(argv[0], argv);
        vm_note("exec %s: %s", argv[0], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return 128 + WTERMSIG(status);
}

long long vm_irq_count(const char *name)
{
    FILE *f = fopen("/proc/interrupts", "r");
    char line[1024];
    long long sum = -1;

    while (f && fgets(line, sizeof(line), f)) {
        char *p = strchr(line, ':'), *end;

        if (!p || !strstr(line, name)) {
            continue;
        }
        /* "IRQ: one count per CPU, then the chip and the name". */
        for (sum = sum < 0 ? 0 : sum, p++;; p = end) {
            long long v = strtoll(p, &end, 10);

            if (end == p) {
                break;
            }
            sum += v;
        }
    }
    if (f) {
        fclose(f);
    }
    return sum;
}

long long vm_json_counter(const char *line, const char *name)
{
    char key[64];
    const char *p;

    snprintf(key, sizeof(key), "\"%s\":", name);
    p = strstr(line, key);
    return p ? atoll(p + strlen(key)) : -1;
}
