/*
 * Tests for the iommufd backend: argument validation, the exact kernel
 * structures each helper passes (observed through the kernel seam),
 * error messages against real non-iommufd descriptors, reference
 * counting, inherited descriptors and trace output.
 *
 * Success paths against the real kernel run in the kernel test bed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/trace.h"
#include "system/iommufd.h"

#define FAKE_FD         100
#define FAKE_IOAS_ID    11
#define FAKE_HWPT_ID    12
#define FAKE_VIOMMU_ID  13
#define FAKE_VDEV_ID    14
#define FAKE_VEVENTQ_ID 15
#define FAKE_VEVENTQ_FD 42

/* A stand-in kernel that records what it is given. */
typedef struct FakeKernel {
    int opens;
    int closes;
    int last_closed;
    int open_ret;
    int ioctl_ret;          /* returned by every ioctl (0 or -errno) */
    int ioctls;             /* number of ioctls seen */
    unsigned long last_request;
    uint8_t last_arg[256];  /* copy of the structure as passed in */
    uint32_t inval_done;    /* entries "processed" by HWPT_INVALIDATE */
    uint8_t hw_info[sizeof(struct iommu_hw_info_arm_smmuv3)];
} FakeKernel;

static int fake_open(void *opaque)
{
    FakeKernel *fk = opaque;

    fk->opens++;
    return fk->open_ret;
}

static int fake_close(void *opaque, int fd)
{
    FakeKernel *fk = opaque;

    fk->closes++;
    fk->last_closed = fd;
    return 0;
}

static ssize_t fake_read(void *opaque, int fd, void *buf, size_t count)
{
    return 0;
}

static int fake_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
    FakeKernel *fk = opaque;
    uint32_t size = *(uint32_t *)arg;

    g_assert_cmpint(fd, ==, FAKE_FD);
    g_assert_cmpuint(size, <=, sizeof(fk->last_arg));
    fk->ioctls++;
    fk->last_request = request;
    memset(fk->last_arg, 0, sizeof(fk->last_arg));
    memcpy(fk->last_arg, arg, size);
    if (fk->ioctl_ret) {
        if (request == IOMMU_HWPT_INVALIDATE) {
            ((struct iommu_hwpt_invalidate *)arg)->entry_num = fk->inval_done;
        }
        return fk->ioctl_ret;
    }

    switch (request) {
    case IOMMU_IOAS_ALLOC:
        ((struct iommu_ioas_alloc *)arg)->out_ioas_id = FAKE_IOAS_ID;
        break;
    case IOMMU_HWPT_ALLOC:
        ((struct iommu_hwpt_alloc *)arg)->out_hwpt_id = FAKE_HWPT_ID;
        break;
    case IOMMU_VIOMMU_ALLOC:
        ((struct iommu_viommu_alloc *)arg)->out_viommu_id = FAKE_VIOMMU_ID;
        break;
    case IOMMU_VDEVICE_ALLOC:
        ((struct iommu_vdevice_alloc *)arg)->out_vdevice_id = FAKE_VDEV_ID;
        break;
    case IOMMU_VEVENTQ_ALLOC: {
        struct iommu_veventq_alloc *a = arg;

        a->out_veventq_id = FAKE_VEVENTQ_ID;
        a->out_veventq_fd = FAKE_VEVENTQ_FD;
        break;
    }
    case IOMMU_GET_HW_INFO: {
        struct iommu_hw_info *info = arg;
        size_t n = MIN(info->data_len, sizeof(fk->hw_info));

        memcpy((void *)(uintptr_t)info->data_uptr, fk->hw_info, n);
        info->data_len = sizeof(fk->hw_info);
        info->out_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
        info->out_capabilities = IOMMU_HW_CAP_DIRTY_TRACKING;
        info->out_max_pasid_log2 = 20;
        break;
    }
    case IOMMU_HWPT_INVALIDATE:
        ((struct iommu_hwpt_invalidate *)arg)->entry_num = fk->inval_done;
        break;
    default:
        break;
    }
    return 0;
}

static const IOMMUFDKernelOps fake_ops = {
    .name = "fake",
    .open_dev = fake_open,
    .ioctl = fake_ioctl,
    .read = fake_read,
    .close = fake_close,
};

typedef struct Fixture {
    FakeKernel fk;
    IOMMUFDBackend *be;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    memset(&f->fk, 0, sizeof(f->fk));
    f->fk.open_ret = FAKE_FD;
    f->be = iommufd_backend_new("iommufd0");
    iommufd_backend_set_kernel(f->be, &fake_ops, &f->fk);
    g_assert_true(iommufd_backend_connect(f->be, &error_abort));
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    iommufd_backend_disconnect(f->be);
    iommufd_backend_free(f->be);
}

#define ASSERT_ARG(f, req, expected)                                      \
    do {                                                                  \
        g_assert_cmphex((f)->fk.last_request, ==, (req));                 \
        g_assert_cmpmem((f)->fk.last_arg, sizeof(expected),               \
                        &(expected), sizeof(expected));                   \
    } while (0)

#define ASSERT_ERR(err, msg)                                              \
    do {                                                                  \
        g_assert_nonnull(err);                                            \
        g_assert_cmpstr(error_get_pretty(err), ==, (msg));                \
        error_free_or_abort(&(err));                                      \
    } while (0)

/* ---- life cycle -------------------------------------------------------- */

static void test_refcount(void)
{
    FakeKernel fk = { .open_ret = FAKE_FD };
    IOMMUFDBackend *be = iommufd_backend_new("iommufd0");

    iommufd_backend_set_kernel(be, &fake_ops, &fk);
    g_assert_cmpint(be->fd, ==, -1);
    g_assert_true(iommufd_backend_connect(be, &error_abort));
    g_assert_true(iommufd_backend_connect(be, &error_abort));
    g_assert_cmpint(fk.opens, ==, 1);
    g_assert_cmpint(be->fd, ==, FAKE_FD);
    g_assert_cmpuint(be->users, ==, 2);

    iommufd_backend_disconnect(be);
    g_assert_cmpint(fk.closes, ==, 0);
    g_assert_cmpint(be->fd, ==, FAKE_FD);
    iommufd_backend_disconnect(be);
    g_assert_cmpint(fk.closes, ==, 1);
    g_assert_cmpint(fk.last_closed, ==, FAKE_FD);
    g_assert_cmpint(be->fd, ==, -1);

    /* Reconnecting opens the device again. */
    g_assert_true(iommufd_backend_connect(be, &error_abort));
    g_assert_cmpint(fk.opens, ==, 2);
    iommufd_backend_disconnect(be);
    g_assert_cmpint(fk.closes, ==, 2);
    iommufd_backend_free(be);
}

static void test_open_missing(void)
{
    FakeKernel fk = { .open_ret = -ENOENT };
    IOMMUFDBackend *be = iommufd_backend_new("iommufd0");
    Error *err = NULL;

    iommufd_backend_set_kernel(be, &fake_ops, &fk);
    g_assert_false(iommufd_backend_connect(be, &err));
    ASSERT_ERR(err, "/dev/iommu does not exist"
               " (is your kernel config missing CONFIG_IOMMUFD?)");
    g_assert_cmpuint(be->users, ==, 0);

    fk.open_ret = -EACCES;
    g_assert_false(iommufd_backend_connect(be, &err));
    ASSERT_ERR(err, "Failed to open /dev/iommu: Permission denied");
    g_assert_cmpuint(be->users, ==, 0);
    iommufd_backend_free(be);
}

static void test_open_real_missing(void)
{
    IOMMUFDBackend *be;
    Error *err = NULL;

    if (g_file_test("/dev/iommu", G_FILE_TEST_EXISTS)) {
        g_test_skip("this host has /dev/iommu");
        return;
    }
    be = iommufd_backend_new("iommufd0");
    g_assert_false(iommufd_backend_connect(be, &err));
    ASSERT_ERR(err, "/dev/iommu does not exist"
               " (is your kernel config missing CONFIG_IOMMUFD?)");
    iommufd_backend_free(be);
}

static void test_inherited_fd(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    g_autofree char *str = g_strdup_printf("%d", fd);
    IOMMUFDBackend *be = iommufd_backend_new("iommufd0");

    g_assert_cmpint(fd, >=, 0);
    g_assert_true(iommufd_backend_set_fd(be, str, &error_abort));
    g_assert_false(be->owned);
    g_assert_true(iommufd_backend_connect(be, &error_abort));
    g_assert_cmpint(be->fd, ==, fd);
    iommufd_backend_disconnect(be);
    /* Never closed by us. */
    g_assert_cmpint(be->fd, ==, fd);
    g_assert_cmpint(fcntl(fd, F_GETFD), >=, 0);
    /* And usable again. */
    g_assert_true(iommufd_backend_connect(be, &error_abort));
    iommufd_backend_disconnect(be);
    g_assert_cmpint(fcntl(fd, F_GETFD), >=, 0);
    iommufd_backend_free(be);
    g_assert_cmpint(fcntl(fd, F_GETFD), >=, 0);
    close(fd);
}

static void test_set_fd_invalid(void)
{
    IOMMUFDBackend *be = iommufd_backend_new("iommufd0");
    Error *err = NULL;
    int fd;
    g_autofree char *closed = NULL;
    g_autofree char *want = NULL;

    g_assert_false(iommufd_backend_set_fd(be, "abc", &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "iommufd 'iommufd0': invalid fd 'abc': "));
    error_free_or_abort(&err);
    g_assert_false(iommufd_backend_set_fd(be, "-1", &err));
    error_free_or_abort(&err);
    g_assert_false(iommufd_backend_set_fd(be, "", &err));
    error_free_or_abort(&err);

    fd = open("/dev/null", O_RDONLY);
    close(fd);
    closed = g_strdup_printf("%d", fd);
    g_assert_false(iommufd_backend_set_fd(be, closed, &err));
    want = g_strdup_printf("iommufd 'iommufd0': fd %d is not open:"
                           " Bad file descriptor", fd);
    g_assert_cmpstr(error_get_pretty(err), ==, want);
    error_free_or_abort(&err);
    g_assert_true(be->owned);
    iommufd_backend_free(be);
}

/* ---- helpers without a connection -------------------------------------- */

static void test_not_connected(void)
{
    IOMMUFDBackend *be = iommufd_backend_new("iommufd9");
    Error *err = NULL;
    uint32_t id, type = 0, num = 0;
    int fd;
    char buf[8];

    g_assert_false(iommufd_backend_alloc_ioas(be, &id, &err));
    ASSERT_ERR(err, "IOMMU_IOAS_ALLOC: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_map_dma(be, 1, 0, 4096, buf, false, &err));
    ASSERT_ERR(err, "IOMMU_IOAS_MAP: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_unmap_dma(be, 1, 0, 4096, &err));
    ASSERT_ERR(err, "IOMMU_IOAS_UNMAP: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_alloc_hwpt(be, 1, 2, 0, 0, 0, NULL, &id,
                                              &err));
    ASSERT_ERR(err, "IOMMU_HWPT_ALLOC: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_get_device_info(be, 1, &type, NULL, 0,
                                                   NULL, NULL, &err));
    ASSERT_ERR(err, "IOMMU_GET_HW_INFO: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_invalidate_cache(be, 1, 0, 0, &num, NULL,
                                                    &err));
    ASSERT_ERR(err,
               "IOMMU_HWPT_INVALIDATE: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_alloc_viommu(be, 1, 1, 2, NULL, 0, &id,
                                                &err));
    ASSERT_ERR(err, "IOMMU_VIOMMU_ALLOC: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_alloc_vdev(be, 1, 2, 3, &id, &err));
    ASSERT_ERR(err,
               "IOMMU_VDEVICE_ALLOC: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_alloc_veventq(be, 1, 1, 8, &id, &fd,
                                                 &err));
    ASSERT_ERR(err,
               "IOMMU_VEVENTQ_ALLOC: iommufd 'iommufd9' is not connected");
    g_assert_false(iommufd_backend_free_id(be, 5, &err));
    ASSERT_ERR(err, "IOMMU_DESTROY: iommufd 'iommufd9' is not connected");
    iommufd_backend_free(be);
}

/* ---- errors from a real descriptor that is not an iommufd ------------- */

static IOMMUFDBackend *backend_on_fd(int fd)
{
    g_autofree char *str = g_strdup_printf("%d", fd);
    IOMMUFDBackend *be = iommufd_backend_new("iommufd0");

    g_assert_true(iommufd_backend_set_fd(be, str, &error_abort));
    g_assert_true(iommufd_backend_connect(be, &error_abort));
    return be;
}

static void check_all_helpers_fail(IOMMUFDBackend *be, const char *cause)
{
    Error *err = NULL;
    uint32_t id = 0, type = 0, num = 1;
    int fd = -1;
    char buf[64] = { 0 };
    g_autofree char *m = NULL;

#define EXPECT(call, prefix)                                            \
    do {                                                                \
        g_assert_false(call);                                           \
        m = g_strdup_printf("%s: %s", prefix, cause);                   \
        ASSERT_ERR(err, m);                                             \
        g_clear_pointer(&m, g_free);                                    \
    } while (0)

    EXPECT(iommufd_backend_alloc_ioas(be, &id, &err),
           "IOMMU_IOAS_ALLOC failed");
    EXPECT(iommufd_backend_map_dma(be, 2, 0x1000, 0x2000, buf, true, &err),
           "IOMMU_IOAS_MAP failed (ioas_id=2 iova=0x1000 size=0x2000)");
    EXPECT(iommufd_backend_map_file_dma(be, 2, 0x1000, 0x2000, 0, 0x3000,
                                        false, &err),
           "IOMMU_IOAS_MAP_FILE failed (ioas_id=2 iova=0x1000 size=0x2000"
           " fd=0 start=0x3000)");
    EXPECT(iommufd_backend_unmap_dma(be, 2, 0x1000, 0x2000, &err),
           "IOMMU_IOAS_UNMAP failed (ioas_id=2 iova=0x1000 size=0x2000)");
    EXPECT(iommufd_backend_alloc_hwpt(be, 1, 2, IOMMU_HWPT_ALLOC_NEST_PARENT,
                                      IOMMU_HWPT_DATA_NONE, 0, NULL, &id,
                                      &err),
           "IOMMU_HWPT_ALLOC failed (dev_id=1 pt_id=2 flags=0x1 data_type=0"
           " data_len=0)");
    EXPECT(iommufd_backend_get_device_info(be, 1, &type, buf, sizeof(buf),
                                           NULL, NULL, &err),
           "IOMMU_GET_HW_INFO failed (dev_id=1 type=0 len=64)");
    EXPECT(iommufd_backend_invalidate_cache(be, 4, 1, 16, &num, buf, &err),
           "IOMMU_HWPT_INVALIDATE failed (id=4 data_type=1 entry_len=16"
           " entry_num=1, processed 0)");
    EXPECT(iommufd_backend_alloc_viommu(be, 1, IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
                                        2, NULL, 0, &id, &err),
           "IOMMU_VIOMMU_ALLOC failed (dev_id=1 type=1 hwpt_id=2)");
    EXPECT(iommufd_backend_alloc_vdev(be, 1, 3, 0x42, &id, &err),
           "IOMMU_VDEVICE_ALLOC failed (dev_id=1 viommu_id=3 virt_id=0x42)");
    EXPECT(iommufd_backend_alloc_veventq(be, 3, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
                                         128, &id, &fd, &err),
           "IOMMU_VEVENTQ_ALLOC failed (viommu_id=3 type=1 depth=128)");
    EXPECT(iommufd_backend_free_id(be, 5, &err),
           "IOMMU_DESTROY failed (id=5)");
#undef EXPECT
    g_assert_cmpint(fd, ==, -1);
}

static void test_devnull(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    IOMMUFDBackend *be = backend_on_fd(fd);

    check_all_helpers_fail(be, "Inappropriate ioctl for device");
    iommufd_backend_disconnect(be);
    iommufd_backend_free(be);
    close(fd);
}

static void test_closed_fd(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    IOMMUFDBackend *be = backend_on_fd(fd);

    close(fd);
    check_all_helpers_fail(be, "Bad file descriptor");
    iommufd_backend_disconnect(be);
    iommufd_backend_free(be);
}

/* ---- the structures passed to the kernel -------------------------------- */

static void test_abi_ioas(Fixture *f, gconstpointer data)
{
    struct iommu_ioas_alloc want = { .size = sizeof(want) };
    uint32_t id = 0;

    g_assert_true(iommufd_backend_alloc_ioas(f->be, &id, &error_abort));
    ASSERT_ARG(f, IOMMU_IOAS_ALLOC, want);
    g_assert_cmpuint(id, ==, FAKE_IOAS_ID);
}

static void test_abi_map(Fixture *f, gconstpointer data)
{
    static char buf[8192];
    struct iommu_ioas_map want = {
        .size = sizeof(want),
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
                 IOMMU_IOAS_MAP_WRITEABLE,
        .ioas_id = 7,
        .user_va = (uintptr_t)buf,
        .length = 0x2000,
        .iova = 0x40000000,
    };
    struct iommu_ioas_map_file want_file = {
        .size = sizeof(want_file),
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
        .ioas_id = 7,
        .fd = 9,
        .start = 0x1000,
        .length = 0x2000,
        .iova = 0x40000000,
    };
    struct iommu_ioas_unmap want_unmap = {
        .size = sizeof(want_unmap),
        .ioas_id = 7,
        .iova = 0x40000000,
        .length = 0x2000,
    };

    g_assert_true(iommufd_backend_map_dma(f->be, 7, 0x40000000, 0x2000, buf,
                                          false, &error_abort));
    ASSERT_ARG(f, IOMMU_IOAS_MAP, want);

    want.flags &= ~IOMMU_IOAS_MAP_WRITEABLE;
    g_assert_true(iommufd_backend_map_dma(f->be, 7, 0x40000000, 0x2000, buf,
                                          true, &error_abort));
    ASSERT_ARG(f, IOMMU_IOAS_MAP, want);

    g_assert_true(iommufd_backend_map_file_dma(f->be, 7, 0x40000000, 0x2000,
                                               9, 0x1000, true,
                                               &error_abort));
    ASSERT_ARG(f, IOMMU_IOAS_MAP_FILE, want_file);

    g_assert_true(iommufd_backend_unmap_dma(f->be, 7, 0x40000000, 0x2000,
                                            &error_abort));
    ASSERT_ARG(f, IOMMU_IOAS_UNMAP, want_unmap);
}

static void test_abi_hwpt(Fixture *f, gconstpointer data)
{
    struct iommu_hwpt_arm_smmuv3 ste = {
        .ste = { GUINT64_TO_LE(0x1122334455667789ull),
                 GUINT64_TO_LE(0x99aabbccddeeff00ull) },
    };
    struct iommu_hwpt_alloc want = {
        .size = sizeof(want),
        .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
        .dev_id = 3,
        .pt_id = 4,
        .data_type = IOMMU_HWPT_DATA_NONE,
    };
    uint32_t id = 0;

    g_assert_true(iommufd_backend_alloc_hwpt(f->be, 3, 4,
                                             IOMMU_HWPT_ALLOC_NEST_PARENT,
                                             IOMMU_HWPT_DATA_NONE, 0, NULL,
                                             &id, &error_abort));
    ASSERT_ARG(f, IOMMU_HWPT_ALLOC, want);
    g_assert_cmpuint(id, ==, FAKE_HWPT_ID);

    /* Nested: parent is the vIOMMU, data is the guest STE. */
    want.flags = 0;
    want.pt_id = FAKE_VIOMMU_ID;
    want.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
    want.data_len = sizeof(ste);
    want.data_uptr = (uintptr_t)&ste;
    g_assert_true(iommufd_backend_alloc_hwpt(f->be, 3, FAKE_VIOMMU_ID, 0,
                                             IOMMU_HWPT_DATA_ARM_SMMUV3,
                                             sizeof(ste), &ste, &id,
                                             &error_abort));
    ASSERT_ARG(f, IOMMU_HWPT_ALLOC, want);
}

static void test_abi_hw_info(Fixture *f, gconstpointer data)
{
    struct iommu_hw_info_arm_smmuv3 out;
    struct iommu_hw_info want = {
        .size = sizeof(want),
        .dev_id = 5,
        .data_len = sizeof(out),
        .data_uptr = (uintptr_t)&out,
    };
    uint32_t type = 0;
    uint64_t caps = 0;
    uint8_t pasid = 0;

    memset(f->fk.hw_info, 0xa5, sizeof(f->fk.hw_info));
    g_assert_true(iommufd_backend_get_device_info(f->be, 5, &type, &out,
                                                  sizeof(out), &caps, &pasid,
                                                  &error_abort));
    ASSERT_ARG(f, IOMMU_GET_HW_INFO, want);
    g_assert_cmpuint(type, ==, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
    g_assert_cmphex(caps, ==, IOMMU_HW_CAP_DIRTY_TRACKING);
    g_assert_cmpuint(pasid, ==, 20);
    g_assert_cmpmem(&out, sizeof(out), f->fk.hw_info, sizeof(out));

    /* A requested type sets the input-type flag. */
    type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
    want.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
    want.in_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
    g_assert_true(iommufd_backend_get_device_info(f->be, 5, &type, &out,
                                                  sizeof(out), NULL, NULL,
                                                  &error_abort));
    ASSERT_ARG(f, IOMMU_GET_HW_INFO, want);
}

static void test_abi_invalidate(Fixture *f, gconstpointer data)
{
    struct iommu_viommu_arm_smmuv3_invalidate cmds[3] = { 0 };
    struct iommu_hwpt_invalidate want = {
        .size = sizeof(want),
        .hwpt_id = FAKE_VIOMMU_ID,
        .data_uptr = (uintptr_t)cmds,
        .data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        .entry_len = sizeof(cmds[0]),
        .entry_num = 3,
    };
    uint32_t num = 3;
    Error *err = NULL;

    f->fk.inval_done = 3;
    g_assert_true(iommufd_backend_invalidate_cache(
        f->be, FAKE_VIOMMU_ID, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        sizeof(cmds[0]), &num, cmds, &error_abort));
    ASSERT_ARG(f, IOMMU_HWPT_INVALIDATE, want);
    g_assert_cmpuint(num, ==, 3);

    /* The kernel processed fewer entries than asked, without an errno. */
    f->fk.inval_done = 1;
    num = 3;
    g_assert_false(iommufd_backend_invalidate_cache(
        f->be, FAKE_VIOMMU_ID, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        sizeof(cmds[0]), &num, cmds, &err));
    ASSERT_ERR(err, "IOMMU_HWPT_INVALIDATE (id=13 data_type=1 entry_len=16)"
               " processed 1 of 3 entries");
    g_assert_cmpuint(num, ==, 1);

    /* Failing on the second entry: the count says where it stopped. */
    f->fk.ioctl_ret = -EIO;
    num = 3;
    g_assert_false(iommufd_backend_invalidate_cache(
        f->be, FAKE_VIOMMU_ID, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        sizeof(cmds[0]), &num, cmds, &err));
    ASSERT_ERR(err, "IOMMU_HWPT_INVALIDATE failed (id=13 data_type=1"
               " entry_len=16 entry_num=3, processed 1): Input/output error");
    g_assert_cmpuint(num, ==, 1);
}

static void test_abi_viommu_vdev(Fixture *f, gconstpointer data)
{
    struct iommu_viommu_alloc want_viommu = {
        .size = sizeof(want_viommu),
        .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
        .dev_id = 3,
        .hwpt_id = FAKE_HWPT_ID,
    };
    struct iommu_vdevice_alloc want_vdev = {
        .size = sizeof(want_vdev),
        .viommu_id = FAKE_VIOMMU_ID,
        .dev_id = 3,
        .virt_id = 0x100000042ull,
    };
    uint32_t id = 0;

    g_assert_true(iommufd_backend_alloc_viommu(f->be, 3,
                                               IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
                                               FAKE_HWPT_ID, NULL, 0, &id,
                                               &error_abort));
    ASSERT_ARG(f, IOMMU_VIOMMU_ALLOC, want_viommu);
    g_assert_cmpuint(id, ==, FAKE_VIOMMU_ID);

    g_assert_true(iommufd_backend_alloc_vdev(f->be, 3, FAKE_VIOMMU_ID,
                                             0x100000042ull, &id,
                                             &error_abort));
    ASSERT_ARG(f, IOMMU_VDEVICE_ALLOC, want_vdev);
    g_assert_cmpuint(id, ==, FAKE_VDEV_ID);
}

static void test_abi_veventq(Fixture *f, gconstpointer data)
{
    struct iommu_veventq_alloc want = {
        .size = sizeof(want),
        .flags = 0,
        .viommu_id = FAKE_VIOMMU_ID,
        .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
        .veventq_depth = 1u << 19,
    };
    uint32_t id = 0;
    int fd = -1;

    g_assert_true(iommufd_backend_alloc_veventq(f->be, FAKE_VIOMMU_ID,
                                                IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
                                                1u << 19, &id, &fd,
                                                &error_abort));
    ASSERT_ARG(f, IOMMU_VEVENTQ_ALLOC, want);
    g_assert_cmpuint(id, ==, FAKE_VEVENTQ_ID);
    g_assert_cmpint(fd, ==, FAKE_VEVENTQ_FD);
}

static void test_abi_destroy(Fixture *f, gconstpointer data)
{
    struct iommu_destroy want = { .size = sizeof(want), .id = 77 };

    g_assert_true(iommufd_backend_free_id(f->be, 77, &error_abort));
    ASSERT_ARG(f, IOMMU_DESTROY, want);
}

/* ---- argument validation: rejected before any ioctl -------------------- */

static void test_validation(Fixture *f, gconstpointer data)
{
    Error *err = NULL;
    uint32_t id = 0, num;
    int fd = -1;
    char buf[16];

    g_assert_false(iommufd_backend_alloc_veventq(f->be, 3, 1, 0, &id, &fd,
                                                 &err));
    ASSERT_ERR(err, "IOMMU_VEVENTQ_ALLOC (viommu_id=3 type=1): depth must be"
               " at least 1 event");
    g_assert_false(iommufd_backend_alloc_veventq(f->be, 3, 1, 8, NULL, &fd,
                                                 &err));
    ASSERT_ERR(err, "IOMMU_VEVENTQ_ALLOC: out_veventq_id must not be NULL");
    g_assert_false(iommufd_backend_alloc_veventq(f->be, 3, 1, 8, &id, NULL,
                                                 &err));
    ASSERT_ERR(err, "IOMMU_VEVENTQ_ALLOC: out_veventq_fd must not be NULL");
    g_assert_false(iommufd_backend_alloc_ioas(f->be, NULL, &err));
    ASSERT_ERR(err, "IOMMU_IOAS_ALLOC: out_ioas_id must not be NULL");

    g_assert_false(iommufd_backend_map_dma(f->be, 2, 0x1000, 0, buf, false,
                                           &err));
    ASSERT_ERR(err, "IOMMU_IOAS_MAP (ioas_id=2 iova=0x1000): size is 0");
    g_assert_false(iommufd_backend_map_dma(f->be, 2, UINT64_MAX - 0xfff,
                                           0x2000, buf, false, &err));
    ASSERT_ERR(err, "IOMMU_IOAS_MAP (ioas_id=2 iova=0xfffffffffffff000"
               " size=0x2000): range wraps around the address space");
    g_assert_false(iommufd_backend_map_dma(f->be, 2, 0, 0x1000, NULL, false,
                                           &err));
    ASSERT_ERR(err, "IOMMU_IOAS_MAP: vaddr must not be NULL");
    g_assert_false(iommufd_backend_map_file_dma(f->be, 2, 0, 0x1000, -1, 0,
                                                false, &err));
    ASSERT_ERR(err, "IOMMU_IOAS_MAP_FILE (ioas_id=2): invalid file"
               " descriptor -1");
    g_assert_false(iommufd_backend_unmap_dma(f->be, 2, 0x1000, 0, &err));
    ASSERT_ERR(err, "IOMMU_IOAS_UNMAP (ioas_id=2 iova=0x1000): size is 0");

    g_assert_false(iommufd_backend_alloc_hwpt(f->be, 1, 2, 0,
                                              IOMMU_HWPT_DATA_ARM_SMMUV3, 16,
                                              NULL, &id, &err));
    ASSERT_ERR(err, "IOMMU_HWPT_ALLOC (dev_id=1 pt_id=2): data_len=16 but no"
               " data");
    g_assert_false(iommufd_backend_alloc_hwpt(f->be, 1, 2, 0,
                                              IOMMU_HWPT_DATA_NONE, 16, buf,
                                              &id, &err));
    ASSERT_ERR(err, "IOMMU_HWPT_ALLOC (dev_id=1 pt_id=2): data_len=16 with"
               " data type NONE");
    g_assert_false(iommufd_backend_alloc_hwpt(f->be, 1, 2, 0, 0, 0, NULL,
                                              NULL, &err));
    ASSERT_ERR(err, "IOMMU_HWPT_ALLOC: out_hwpt_id must not be NULL");

    g_assert_false(iommufd_backend_get_device_info(f->be, 1, NULL, buf, 16,
                                                   NULL, NULL, &err));
    ASSERT_ERR(err, "IOMMU_GET_HW_INFO: type must not be NULL");
    num = 0;
    g_assert_false(iommufd_backend_get_device_info(f->be, 1, &num, NULL, 16,
                                                   NULL, NULL, &err));
    ASSERT_ERR(err, "IOMMU_GET_HW_INFO (dev_id=1): len=16 but no buffer");

    num = 2;
    g_assert_false(iommufd_backend_invalidate_cache(f->be, 4, 1, 16, &num,
                                                    NULL, &err));
    ASSERT_ERR(err, "IOMMU_HWPT_INVALIDATE (id=4): 2 entries of 16 bytes"
               " without data");
    g_assert_false(iommufd_backend_invalidate_cache(f->be, 4, 1, 16, NULL,
                                                    buf, &err));
    ASSERT_ERR(err, "IOMMU_HWPT_INVALIDATE: entry_num must not be NULL");

    g_assert_false(iommufd_backend_alloc_viommu(f->be, 1, 1, 2, NULL, 8, &id,
                                                &err));
    ASSERT_ERR(err, "IOMMU_VIOMMU_ALLOC (dev_id=1 hwpt_id=2): data_len=8 but"
               " no data");
    g_assert_false(iommufd_backend_alloc_viommu(f->be, 1, 1, 2, NULL, 0, NULL,
                                                &err));
    ASSERT_ERR(err, "IOMMU_VIOMMU_ALLOC: out_viommu_id must not be NULL");
    g_assert_false(iommufd_backend_alloc_vdev(f->be, 1, 2, 3, NULL, &err));
    ASSERT_ERR(err, "IOMMU_VDEVICE_ALLOC: out_vdev_id must not be NULL");

    /* None of these reached the kernel. */
    g_assert_cmpint(f->fk.ioctls, ==, 0);
    g_assert_cmpuint(id, ==, 0);
    g_assert_cmpint(fd, ==, -1);
}

/* ---- kernel errors with special meaning --------------------------------- */

static void test_unmap_enoent(Fixture *f, gconstpointer data)
{
    f->fk.ioctl_ret = -ENOENT;
    g_assert_true(iommufd_backend_unmap_dma(f->be, 2, 0x1000, 0x1000,
                                            &error_abort));
    g_assert_cmpint(f->fk.ioctls, ==, 1);
}

static void test_destroy_busy(Fixture *f, gconstpointer data)
{
    Error *err = NULL;

    f->fk.ioctl_ret = -EBUSY;
    g_assert_false(iommufd_backend_free_id(f->be, FAKE_VEVENTQ_ID, &err));
    ASSERT_ERR(err, "IOMMU_DESTROY failed (id=15): object is still in use:"
               " Device or resource busy");
}

static void test_veventq_errors(Fixture *f, gconstpointer data)
{
    Error *err = NULL;
    uint32_t id = 0;
    int fd = -1;

    f->fk.ioctl_ret = -EEXIST;
    g_assert_false(iommufd_backend_alloc_veventq(f->be, 3, 1, 64, &id, &fd,
                                                 &err));
    ASSERT_ERR(err, "IOMMU_VEVENTQ_ALLOC failed (viommu_id=3 type=1 depth=64):"
               " File exists");
    f->fk.ioctl_ret = -EINVAL;
    g_assert_false(iommufd_backend_alloc_veventq(f->be, 3, 1, 128, &id, &fd,
                                                 &err));
    ASSERT_ERR(err, "IOMMU_VEVENTQ_ALLOC failed (viommu_id=3 type=1"
               " depth=128): Invalid argument");
    g_assert_cmpuint(id, ==, 0);
    g_assert_cmpint(fd, ==, -1);
}

/* ---- trace points -------------------------------------------------------- */

static void test_trace(Fixture *f, gconstpointer data)
{
    FILE *fp = tmpfile();
    char text[1024] = "";
    uint32_t id;
    int fd;
    size_t n;

    trace_enable_pattern("iommufd_backend_alloc_*");
    trace_set_output(fp);
    g_assert_true(iommufd_backend_alloc_veventq(f->be, FAKE_VIOMMU_ID, 1, 128,
                                                &id, &fd, &error_abort));
    g_assert_true(iommufd_backend_free_id(f->be, id, &error_abort));
    trace_set_output(NULL);
    trace_enable_pattern("-*");
    rewind(fp);
    n = fread(text, 1, sizeof(text) - 1, fp);
    text[n] = 0;
    fclose(fp);
    g_assert_nonnull(strstr(text, ":iommufd_backend_alloc_veventq fd=100"
                            " viommu_id=13 type=1 depth=128 veventq_id=15"
                            " veventq_fd=42 (0)\n"));
    /* Not enabled: not printed. */
    g_assert_null(strstr(text, "iommufd_backend_free_id"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    error_set_progname("test-iommufd");

    g_test_add_func("/iommufd/connect/refcount", test_refcount);
    g_test_add_func("/iommufd/connect/open-missing", test_open_missing);
    g_test_add_func("/iommufd/connect/open-real-missing",
                    test_open_real_missing);
    g_test_add_func("/iommufd/fd/inherited", test_inherited_fd);
    g_test_add_func("/iommufd/fd/invalid", test_set_fd_invalid);
    g_test_add_func("/iommufd/errors/not-connected", test_not_connected);
    g_test_add_func("/iommufd/errors/dev-null", test_devnull);
    g_test_add_func("/iommufd/errors/closed-fd", test_closed_fd);
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/iommufd/abi/ioas", test_abi_ioas);
    ADD("/iommufd/abi/map-unmap", test_abi_map);
    ADD("/iommufd/abi/hwpt", test_abi_hwpt);
    ADD("/iommufd/abi/hw-info", test_abi_hw_info);
    ADD("/iommufd/abi/invalidate", test_abi_invalidate);
    ADD("/iommufd/abi/viommu-vdev", test_abi_viommu_vdev);
    ADD("/iommufd/abi/veventq", test_abi_veventq);
    ADD("/iommufd/abi/destroy", test_abi_destroy);
    ADD("/iommufd/validation", test_validation);
    ADD("/iommufd/errors/unmap-enoent", test_unmap_enoent);
    ADD("/iommufd/errors/destroy-busy", test_destroy_busy);
    ADD("/iommufd/errors/veventq", test_veventq_errors);
    ADD("/iommufd/trace", test_trace);
#undef ADD
    return g_test_run();
}
