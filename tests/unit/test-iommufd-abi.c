/*
 * vsmmu's own iommufd uAPI definitions must match the kernel's exactly:
 * every structure size, field size and offset, constant and ioctl number.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "iommufd-abi-list.h"

static void test_abi_equal(void)
{
    g_assert_cmpuint(iommufd_abi_ours_len, ==, iommufd_abi_kernel_len);
    for (size_t i = 0; i < iommufd_abi_ours_len; i++) {
        const AbiEntry *o = &iommufd_abi_ours[i];
        const AbiEntry *k = &iommufd_abi_kernel[i];

        g_assert_cmpstr(o->what, ==, k->what);
        if (o->size != k->size || o->offset != k->offset) {
            g_test_message("%s: ours size/value %" PRIu64 " offset %" PRIu64
                           ", kernel %" PRIu64 " offset %" PRIu64, o->what,
                           o->size, o->offset, k->size, k->offset);
        }
        g_assert_cmpuint(o->size, ==, k->size);
        g_assert_cmpuint(o->offset, ==, k->offset);
    }
    g_test_message("%zu uAPI items compared", iommufd_abi_ours_len);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iommufd-abi/equal", test_abi_equal);
    return g_test_run();
}
