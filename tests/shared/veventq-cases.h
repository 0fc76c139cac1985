/*
 * vEVENTQ semantics as test cases shared by two runners: one against the
 * real Linux iommufd in the kernel test bed (mock driver, selftest
 * records), one against the embedded emulated host (ARM SMMUv3 records).
 * A difference between the emulated host and the kernel is a failing
 * test.  Plain C (libc only) so it builds for the VM as it is.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SHARED_VEVENTQ_CASES_H
#define TESTS_SHARED_VEVENTQ_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum VeventqStepKind {
    VSTEP_END = 0,
    VSTEP_REPORT,       /* the host reports n events for the device */
    VSTEP_READ,         /* read() with a buffer of rec*records+bytes */
} VeventqStepKind;

typedef struct VeventqStep {
    VeventqStepKind kind;
    unsigned n;             /* REPORT: events */
    unsigned records;       /* READ: buffer size in whole records ... */
    int bytes;              /* ... plus (or minus) this many bytes */
    /*
     * READ: what must come back: "EINVAL", "" (returns 0), or records
     * separated by spaces: a sequence number, "L<seq>" for a
     * LOST_EVENTS header.
     */
    const char *expect;
} VeventqStep;

typedef struct VeventqCase {
    const char *name;
    const char *fact;       /* the kernel behaviour it pins down */
    uint32_t depth;
    VeventqStep steps[10];
} VeventqCase;

extern const VeventqCase veventq_cases[];
extern const size_t veventq_cases_len;

/* How a runner drives one queue. */
typedef struct VeventqHarness {
    void *opaque;
    size_t record_size;     /* header + payload of one record */
    /* Allocate the queue with this depth (fresh sequence numbers). */
    bool (*alloc)(void *opaque, uint32_t depth);
    /* The host reports n events for the test device. */
    bool (*report)(void *opaque, unsigned n);
    /* read() on the queue: bytes, or -errno. */
    ssize_t (*read)(void *opaque, void *buf, size_t count);
    /* Check one real record's payload (e.g. the virt_id); may be NULL. */
    bool (*check_payload)(void *opaque, const void *payload);
    void (*release)(void *opaque);
} VeventqHarness;

/*
 * Run one case.  On failure returns false with *why set to a malloc'ed
 * message naming the step and the difference.
 */
bool veventq_case_run(const VeventqCase *c, const VeventqHarness *h,
                      char **why);

#endif /* TESTS_SHARED_VEVENTQ_CASES_H */
