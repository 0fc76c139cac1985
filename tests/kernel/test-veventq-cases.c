/*
 * The shared vEVENTQ cases (tests/shared/veventq-cases.c) against the
 * real Linux iommufd: a mock device attached to a nested HWPT of a
 * selftest vIOMMU with a vDEVICE, events injected with the mock driver's
 * IOMMU_TEST_OP_TRIGGER_VEVENT.  The unit test test-veventq-cases runs
 * the same cases against the embedded emulated host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include "iommufd_test.h"
#include "veventq-cases.h"
#include "vmlib.h"

#define VIRT_ID 0x42

typedef struct Kernel {
    int fd;             /* /dev/iommu */
    int qfd;            /* the vEVENTQ */
    uint32_t idev;
} Kernel;

static int test_cmd(int fd, struct iommu_test_cmd *cmd)
{
    cmd->size = sizeof(*cmd);
    return ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static bool k_alloc(void *opaque, uint32_t depth)
{
    Kernel *k = opaque;
    struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
    struct iommu_test_cmd mock = { .op = IOMMU_TEST_OP_MOCK_DOMAIN };
    struct iommu_hwpt_alloc parent = {
        .size = sizeof(parent), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
    };
    struct iommu_viommu_alloc viommu = {
        .size = sizeof(viommu), .type = IOMMU_VIOMMU_TYPE_SELFTEST,
    };
    struct iommu_hwpt_selftest data = { .iotlb = 0 };
    struct iommu_hwpt_alloc nested = {
        .size = sizeof(nested), .data_type = IOMMU_HWPT_DATA_SELFTEST,
        .data_len = sizeof(data), .data_uptr = (uintptr_t)&data,
    };
    struct iommu_veventq_alloc q = {
        .size = sizeof(q), .type = IOMMU_VEVENTQ_TYPE_SELFTEST,
        .veventq_depth = depth,
    };
    struct iommu_vdevice_alloc vdev = {
        .size = sizeof(vdev), .virt_id = VIRT_ID,
    };
    struct iommu_test_cmd replace = {
        .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
    };

    k->fd = open("/dev/iommu", O_RDWR);
    VM_ASSERT(k->fd >= 0, "kernel fact: /dev/iommu opens");
    VM_ASSERT(ioctl(k->fd, IOMMU_IOAS_ALLOC, &ioas) == 0, "IOAS_ALLOC");
    mock.id = ioas.out_ioas_id;
    VM_ASSERT(test_cmd(k->fd, &mock) == 0, "MOCK_DOMAIN");
    k->idev = mock.mock_domain.out_idev_id;
    parent.dev_id = k->idev;
    parent.pt_id = ioas.out_ioas_id;
    VM_ASSERT(ioctl(k->fd, IOMMU_HWPT_ALLOC, &parent) == 0,
              "nesting parent HWPT_ALLOC");
    viommu.dev_id = k->idev;
    viommu.hwpt_id = parent.out_hwpt_id;
    VM_ASSERT(ioctl(k->fd, IOMMU_VIOMMU_ALLOC, &viommu) == 0,
              "selftest VIOMMU_ALLOC");
    nested.dev_id = k->idev;
    nested.pt_id = viommu.out_viommu_id;
    VM_ASSERT(ioctl(k->fd, IOMMU_HWPT_ALLOC, &nested) == 0,
              "nested HWPT_ALLOC");
    q.viommu_id = viommu.out_viommu_id;
    VM_ASSERT(ioctl(k->fd, IOMMU_VEVENTQ_ALLOC, &q) == 0,
              "selftest VEVENTQ_ALLOC, depth %u", depth);
    k->qfd = q.out_veventq_fd;
    vdev.viommu_id = viommu.out_viommu_id;
    vdev.dev_id = k->idev;
    VM_ASSERT(ioctl(k->fd, IOMMU_VDEVICE_ALLOC, &vdev) == 0,
              "VDEVICE_ALLOC");
    replace.id = mock.mock_domain.out_stdev_id;
    replace.mock_domain_replace.pt_id = nested.out_hwpt_id;
    VM_ASSERT(test_cmd(k->fd, &replace) == 0,
              "MOCK_DOMAIN_REPLACE onto the nested HWPT");
    return true;
}

static bool k_report(void *opaque, unsigned n)
{
    Kernel *k = opaque;
    struct iommu_test_cmd trig = {
        .op = IOMMU_TEST_OP_TRIGGER_VEVENT,
        .trigger_vevent = { .dev_id = k->idev },
    };

    for (unsigned i = 0; i < n; i++) {
        if (test_cmd(k->fd, &trig) != 0) {
            return false;
        }
    }
    return true;
}

static ssize_t k_read(void *opaque, void *buf, size_t count)
{
    Kernel *k = opaque;
    ssize_t n = read(k->qfd, buf, count);

    return n < 0 ? -errno : n;
}

static bool k_check_payload(void *opaque, const void *payload)
{
    struct iommu_viommu_event_selftest ev;

    (void)opaque;

    memcpy(&ev, payload, sizeof(ev));
    return ev.virt_id == VIRT_ID;
}

static void k_release(void *opaque)
{
    Kernel *k = opaque;

    close(k->qfd);
    close(k->fd);   /* destroys every object of this iommufd */
}

static void run_case(void *opaque)
{
    const VeventqCase *c = opaque;
    Kernel k = { .fd = -1, .qfd = -1 };
    VeventqHarness h = {
        .opaque = &k,
        .record_size = sizeof(struct iommufd_vevent_header) +
                       sizeof(struct iommu_viommu_event_selftest),
        .alloc = k_alloc,
        .report = k_report,
        .read = k_read,
        .check_payload = k_check_payload,
        .release = k_release,
    };
    char *why = NULL;
    bool ok = veventq_case_run(c, &h, &why);

    VM_ASSERT(ok, "kernel fact: %s -- %s", c->fact, why ? why : "");
    free(why);
}

int main(void)
{
    vm_init();
    for (size_t i = 0; i < veventq_cases_len; i++) {
        char name[96];

        snprintf(name, sizeof(name), "veventq-cases/kernel/%s",
                 veventq_cases[i].name);
        vm_run(name, run_case, (void *)&veventq_cases[i]);
    }
    vm_finish();
}
