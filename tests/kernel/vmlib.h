/*
 * vmlib: support for test programs that run as /init inside the x86_64
 * kernel test-bed VM (see tests/kernel/run-vm.sh and docs/devel/testing.rst).
 *
 * Results go to the console in a line protocol that run-vm.sh parses:
 *
 *   VSMMU-TEST: ok N NAME
 *   VSMMU-TEST: ok N NAME # SKIP REASON
 *   VSMMU-TEST: not ok N NAME: MESSAGE
 *   VSMMU-TEST: # DIAGNOSTIC TEXT
 *   VSMMU-TEST: done P passed F failed S skipped
 *
 * N counts from 1.  NAME contains no colon or newline.  Skipped tests count
 * in S only.  The program then ends the VM with vm_exit(): code 0 when
 * F == 0, 1 otherwise (QEMU exits with 1 and 3 respectively: through
 * isa-debug-exit on x86, through Arm semihosting SYS_EXIT on arm64 when
 * tests/arm64/run-vm.sh enabled it).
 *
 * Only libc is needed; programs may also link GLib statically.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VSMMU_TESTS_KERNEL_VMLIB_H
#define VSMMU_TESTS_KERNEL_VMLIB_H

#include <errno.h>
#include <stdbool.h>

/* Not <stdnoreturn.h>: its "noreturn" macro breaks other headers. */
#define VM_NORETURN __attribute__((noreturn))

#define VM_PREFIX "VSMMU-TEST: "

/* I/O port of QEMU's isa-debug-exit device as configured by run-vm.sh. */
#define VM_DEBUG_EXIT_PORT 0xf4

/*
 * Prepare the VM environment: when running as PID 1, mount devtmpfs on /dev,
 * proc on /proc and sysfs on /sys (ignoring "already mounted").  Makes stdout
 * line buffered.  A failure to mount is reported as a failed test named
 * "vm_init" and ends the VM.  Outside a VM (not PID 1) nothing is mounted,
 * so programs can also be tried on a host that has /dev/iommu.
 */
void vm_init(void);

/* Print one diagnostic line ("VSMMU-TEST: # ..."). */
void vm_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record results directly.  Return the test number used. */
int vm_ok(const char *name);
int vm_skip(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int vm_fail(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Run fn(opaque) as the test NAME.  It passes unless a VM_ASSERT inside it
 * (or in anything it calls) fails, or it calls vm_skip_current().  Failing
 * assertions jump back here (longjmp), so resources acquired by fn before the
 * failure are not released; the VM is discarded anyway.
 * Returns true when the test passed or was skipped.
 */
typedef void (*vm_test_fn)(void *opaque);
bool vm_run(const char *name, vm_test_fn fn, void *opaque);

/* Inside vm_run(): mark the current test skipped and leave it. */
VM_NORETURN void vm_skip_current(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * VM_ASSERT(cond, fmt, ...): if COND is false, fail the current test with the
 * message FMT (name the kernel fact being checked, e.g. "kernel fact:
 * IOMMU_IOAS_ALLOC works on a fresh /dev/iommu fd"), followed by the failed
 * expression, file:line and errno.  Outside vm_run() the failure is reported
 * as a test named "setup" and the VM ends at once.
 */
#define VM_ASSERT(cond, ...) \
    do { \
        if (!(cond)) { \
            vm_assert_failed(__FILE__, __LINE__, #cond, __VA_ARGS__); \
        } \
    } while (0)

/*
 * VM_ASSERT_ERRNO(expr, err, fmt, ...): EXPR (a syscall-style call) must
 * return -1 with errno == ERR.
 */
#define VM_ASSERT_ERRNO(expr, err, ...) \
    do { \
        errno = 0; \
        long vm_ret_ = (long)(expr); \
        int vm_errno_ = errno; \
        if (vm_ret_ != -1 || vm_errno_ != (err)) { \
            vm_assert_errno_failed(__FILE__, __LINE__, #expr, vm_ret_, \
                                   vm_errno_, (err), __VA_ARGS__); \
        } \
    } while (0)

VM_NORETURN void vm_assert_failed(const char *file, int line, const char *expr,
                               const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
VM_NORETURN void vm_assert_errno_failed(const char *file, int line,
                                     const char *expr, long ret, int got,
                                     int want, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Number of failed tests so far. */
int vm_failures(void);

/*
 * The interrupts counted so far on the /proc/interrupts lines that
 * contain NAME, summed over CPUs and lines; -1 when no line does.
 */
long long vm_irq_count(const char *name);

/* The number after "NAME": in a JSON line (a QMP reply), -1 if absent. */
long long vm_json_counter(const char *line, const char *name);

/* Print the "done" line; return 0 if no test failed, 1 otherwise. */
int vm_done(void);

/*
 * End the VM through isa-debug-exit (x86) or semihosting SYS_EXIT (arm64,
 * with VSMMU_VM_EXIT=semihosting in the environment) with CODE (0 pass,
 * 1 fail; QEMU exits with 2 * CODE + 1).  Only PID 1 touches the I/O port; any other process
 * (a helper started with vm_spawn(), or a run on a host) just exits with
 * CODE.  If the port does not work, PID 1 reboots, which ends QEMU thanks
 * to -no-reboot with exit status 0; run-vm.sh reports that as a failure.
 */
VM_NORETURN void vm_exit(int code);

/* vm_exit(vm_done()). */
VM_NORETURN void vm_finish(void);

/*
 * Run ARGV[0] (a path, e.g. "/bin/helper" for an extra program passed to
 * run-vm.sh) with ARGV, wait for it, and return its exit status, or -1 with
 * errno set if it could not be started, or 128 + signal if it was killed.
 * Its output goes to the same console.
 */
int vm_spawn(char *const argv[]);

#endif
