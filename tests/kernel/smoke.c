/*
 * Smoke test for the x86_64 kernel test bed: runs as /init in the VM and
 * checks that the real iommufd and its mock driver answer as expected.
 * It only proves the bed works; the vEVENTQ tests live elsewhere.
 *
 * Built by tests/kernel/run-smoke.sh against the uAPI headers from
 * linux-libc-dev 7.3 and the kernel tree's iommufd_test.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

#include "vmlib.h"

/* The headers must be new enough to know vEVENTQ. */
_Static_assert(sizeof(struct iommu_veventq_alloc) == 32,
               "uAPI headers without struct iommu_veventq_alloc (need >= 6.15)");

static int iommufd = -1;
static unsigned int ioas_id;

static void test_open_dev_iommu(void *opaque)
{
    (void)opaque;
    iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    VM_ASSERT(iommufd >= 0,
              "kernel fact: CONFIG_IOMMUFD provides /dev/iommu via devtmpfs");
}

static void test_ioas_alloc(void *opaque)
{
    struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

    (void)opaque;
    if (iommufd < 0) {
        vm_skip_current("/dev/iommu not open");
    }
    VM_ASSERT(ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd) == 0,
              "kernel fact: IOMMU_IOAS_ALLOC succeeds on a fresh iommufd");
    VM_ASSERT(cmd.out_ioas_id != 0,
              "kernel fact: object ids are non-zero (got %u)", cmd.out_ioas_id);
    ioas_id = cmd.out_ioas_id;
}

static void test_ioas_alloc_bad_flags(void *opaque)
{
    struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

    (void)opaque;
    if (iommufd < 0) {
        vm_skip_current("/dev/iommu not open");
    }
    VM_ASSERT_ERRNO(ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd), EOPNOTSUPP,
                    "kernel fact: IOMMU_IOAS_ALLOC rejects unknown flags");
}

static void test_unknown_ioctl(void *opaque)
{
    unsigned int dummy[4] = { sizeof(dummy) };

    (void)opaque;
    if (iommufd < 0) {
        vm_skip_current("/dev/iommu not open");
    }
    VM_ASSERT_ERRNO(ioctl(iommufd, _IO(IOMMUFD_TYPE, 0xfe), dummy), ENOTTY,
                    "kernel fact: unknown iommufd ioctl numbers give ENOTTY");
}

static void test_mock_invalid_op(void *opaque)
{
    struct iommu_test_cmd cmd = {
        .size = sizeof(cmd),
        .op = 0xffff,
        .id = ioas_id,
    };

    (void)opaque;
    if (iommufd < 0) {
        vm_skip_current("/dev/iommu not open");
    }
    VM_ASSERT_ERRNO(ioctl(iommufd, IOMMU_TEST_CMD, &cmd), EOPNOTSUPP,
                    "kernel fact: CONFIG_IOMMUFD_TEST is built in and "
                    "IOMMU_TEST_CMD rejects an unknown op with EOPNOTSUPP");
}

static void test_mock_domain(void *opaque)
{
    struct iommu_test_cmd cmd = {
        .size = sizeof(cmd),
        .op = IOMMU_TEST_OP_MOCK_DOMAIN,
        .id = ioas_id,
    };

    (void)opaque;
    if (!ioas_id) {
        vm_skip_current("no IOAS");
    }
    VM_ASSERT(ioctl(iommufd, IOMMU_TEST_CMD, &cmd) == 0,
              "kernel fact: IOMMU_TEST_OP_MOCK_DOMAIN creates a mock device "
              "attached to the IOAS");
    VM_ASSERT(cmd.mock_domain.out_stdev_id && cmd.mock_domain.out_hwpt_id &&
              cmd.mock_domain.out_idev_id,
              "kernel fact: MOCK_DOMAIN returns non-zero stdev/hwpt/idev ids "
              "(got %u/%u/%u)", cmd.mock_domain.out_stdev_id,
              cmd.mock_domain.out_hwpt_id, cmd.mock_domain.out_idev_id);
    vm_note("mock device: stdev %u hwpt %u idev %u",
            cmd.mock_domain.out_stdev_id, cmd.mock_domain.out_hwpt_id,
            cmd.mock_domain.out_idev_id);
}

static void test_destroy_twice(void *opaque)
{
    struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
    struct iommu_destroy destroy = { .size = sizeof(destroy) };

    (void)opaque;
    if (iommufd < 0) {
        vm_skip_current("/dev/iommu not open");
    }
    VM_ASSERT(ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc) == 0,
              "kernel fact: a second IOAS can be allocated");
    destroy.id = alloc.out_ioas_id;
    VM_ASSERT(ioctl(iommufd, IOMMU_DESTROY, &destroy) == 0,
              "kernel fact: IOMMU_DESTROY frees an unused IOAS");
    VM_ASSERT_ERRNO(ioctl(iommufd, IOMMU_DESTROY, &destroy), ENOENT,
                    "kernel fact: IOMMU_DESTROY of a freed id gives ENOENT");
}

/*
 * run-smoke.sh adds /bin/glib-helper, a program linked statically with GLib
 * (later test programs use GLib); this also exercises vm_spawn().
 */
static void test_glib_static(void *opaque)
{
    char *argv[] = { (char *)"/bin/glib-helper", NULL };
    int status;

    (void)opaque;
    if (access(argv[0], X_OK) != 0) {
        vm_skip_current("%s not in the initramfs", argv[0]);
    }
    status = vm_spawn(argv);
    VM_ASSERT(status == 0, "statically linked GLib program runs in the VM "
              "(exit status %d)", status);
}

int main(void)
{
    struct utsname u;

    vm_init();
    if (uname(&u) == 0) {
        vm_note("smoke test on Linux %s %s", u.release, u.machine);
    }
    vm_run("open_dev_iommu", test_open_dev_iommu, NULL);
    vm_run("ioas_alloc", test_ioas_alloc, NULL);
    vm_run("ioas_alloc_bad_flags", test_ioas_alloc_bad_flags, NULL);
    vm_run("unknown_ioctl", test_unknown_ioctl, NULL);
    vm_run("mock_invalid_op", test_mock_invalid_op, NULL);
    vm_run("mock_domain", test_mock_domain, NULL);
    vm_run("destroy_twice", test_destroy_twice, NULL);
    vm_run("glib_static", test_glib_static, NULL);
    vm_finish();
}
