/*
 * The type hierarchy (include/qom/object.h): the daemon's types form one
 * closed, QEMU-shaped hierarchy; type_is_a() follows parents and
 * interfaces; type_foreach() filters as qom-list-types does; and the
 * checker catches a broken registration.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object.h"
#include "qemu/iothread.h"
#include "hw/qdev-core.h"
#include "hw/pci/pci-device.h"
#include "system/iommufd.h"
#include "system/machine.h"

/* Fixture types of this test only, a small QOM of their own. */
static const char *const fixture_ifaces[] = { "test-iface", NULL };

static const TypeInfo fixture_types[] = {
    { .name = "test-iface", .parent = TYPE_INTERFACE, .abstract = true },
    { .name = "test-base", .parent = TYPE_OBJECT, .abstract = true,
      .interfaces = fixture_ifaces },
    { .name = "test-leaf", .parent = "test-base" },
    { .name = "test-other", .parent = TYPE_OBJECT },
};

static void register_fixture(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fixture_types); i++) {
        type_register_static(&fixture_types[i]);
    }
}

type_init(register_fixture)

/* Pull in the files whose constructors register the daemon's types. */
static void link_types(void)
{
    g_assert_nonnull(machine_type_find("virt"));
    g_assert_null(iothread_find("nonexistent"));
    g_assert_nonnull(iommufd_ioctl_name(0));
}

static void test_closed(void)
{
    Error *err = NULL;

    link_types();
    g_assert_true(type_check_hierarchy(&err));
    g_assert_null(err);
}

static void test_is_a(void)
{
    link_types();
    /* Parents, transitively, and the type itself. */
    g_assert_true(type_is_a("arm-smmuv3", "arm-smmuv3"));
    g_assert_true(type_is_a("arm-smmuv3", TYPE_SYS_BUS_DEVICE));
    g_assert_true(type_is_a("arm-smmuv3", TYPE_DEVICE));
    g_assert_true(type_is_a("arm-smmuv3", TYPE_OBJECT));
    g_assert_false(type_is_a("arm-smmuv3", TYPE_PCI_DEVICE));
    /* Interfaces, inherited from an abstract parent. */
    g_assert_true(type_is_a("vfio-pci", TYPE_PCI_DEVICE));
    g_assert_true(type_is_a("vfio-pci", INTERFACE_PCIE_DEVICE));
    g_assert_true(type_is_a("vfio-pci", INTERFACE_CONVENTIONAL_PCI_DEVICE));
    g_assert_true(type_is_a("vfio-pci", TYPE_INTERFACE));
    g_assert_false(type_is_a("vfio-pci", TYPE_SYS_BUS_DEVICE));
    g_assert_true(type_is_a("pxb-pcie", INTERFACE_CONVENTIONAL_PCI_DEVICE));
    g_assert_false(type_is_a("pxb-pcie", INTERFACE_PCIE_DEVICE));
    g_assert_true(type_is_a("PCIE", TYPE_BUS));
    g_assert_true(type_is_a("virt-11.1-machine", TYPE_HOTPLUG_HANDLER));
    g_assert_false(type_is_a("none-machine", TYPE_HOTPLUG_HANDLER));
    g_assert_true(type_is_a(TYPE_IOTHREAD, TYPE_USER_CREATABLE));
    g_assert_true(type_is_a(TYPE_IOMMUFD_BACKEND, TYPE_USER_CREATABLE));
    g_assert_false(type_is_a("arm-smmuv3", TYPE_USER_CREATABLE));
    /* The fixture: an interface through the parent only. */
    g_assert_true(type_is_a("test-leaf", "test-iface"));
    g_assert_false(type_is_a("test-other", "test-iface"));
    /* Unknown names are nothing. */
    g_assert_false(type_is_a("nonexistent", TYPE_OBJECT));
    g_assert_false(type_is_a("test-leaf", "nonexistent"));
    g_assert_true(type_is_interface("test-iface"));
    g_assert_false(type_is_interface("test-base"));
}

static void collect(const TypeInfo *info, void *opaque)
{
    g_ptr_array_add(opaque, (gpointer)info->name);
}

static char *foreach_names(const char *implements, bool abstract)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    type_foreach(implements, abstract, collect, names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(",", (char **)names->pdata);
}

static void test_foreach(void)
{
    g_autofree char *with = foreach_names("test-iface", true);
    g_autofree char *without = foreach_names("test-iface", false);
    g_autofree char *base = foreach_names("test-base", true);
    g_autofree char *none = foreach_names("nonexistent", true);
    g_autofree char *all = foreach_names(NULL, true);

    /* Sorted by name, abstract ones only when asked for. */
    g_assert_cmpstr(with, ==, "test-base,test-iface,test-leaf");
    g_assert_cmpstr(without, ==, "test-leaf");
    g_assert_cmpstr(base, ==, "test-base,test-leaf");
    g_assert_cmpstr(none, ==, "");
    g_assert_nonnull(strstr(all, "object"));
}

/* A broken registration, in a child process: the checker names it. */
static void test_broken(gconstpointer data)
{
    static const char *const bad_ifaces[] = { "test-other", NULL };
    static const TypeInfo broken[] = {
        { .name = "test-orphan", .parent = "nonexistent" },
        { .name = "test-not-iface", .parent = TYPE_OBJECT,
          .interfaces = bad_ifaces },
        { .name = "test-concrete-iface", .parent = TYPE_INTERFACE },
    };
    static const char *const messages[] = {
        "type 'test-orphan': parent 'nonexistent' is not registered",
        "type 'test-not-iface': 'test-other' is not an interface",
        "type 'test-concrete-iface': an interface must be abstract",
    };
    size_t i = GPOINTER_TO_SIZE(data);

    if (g_test_subprocess()) {
        Error *err = NULL;

        type_register_static(&broken[i]);
        g_assert_false(type_check_hierarchy(&err));
        g_assert_cmpstr(error_get_pretty(err), ==, messages[i]);
        error_free(err);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qom/hierarchy-closed", test_closed);
    g_test_add_func("/qom/is-a", test_is_a);
    g_test_add_func("/qom/foreach", test_foreach);
    for (size_t i = 0; i < 3; i++) {
        g_autofree char *path = g_strdup_printf("/qom/broken/%zu", i);

        g_test_add_data_func(path, GSIZE_TO_POINTER(i), test_broken);
    }
    return g_test_run();
}
