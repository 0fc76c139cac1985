/*
 * vEVENTQ semantics shared by the kernel and emulated-host runners.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "veventq-cases.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Header layout of every vEVENTQ record (fixed by the uAPI). */
struct rec_header {
    uint32_t flags;
    uint32_t sequence;
};
#define LOST_EVENTS 1u

const VeventqCase veventq_cases[] = {
    {
        .name = "empty",
        .fact = "read() of an empty queue returns 0 at once; a count"
                " under 8 bytes is EINVAL",
        .depth = 4,
        .steps = {
            { VSTEP_READ, .records = 4, .expect = "" },
            { VSTEP_READ, .records = 0, .bytes = 7, .expect = "EINVAL" },
            { VSTEP_READ, .records = 0, .bytes = 0, .expect = "EINVAL" },
        },
    },
    {
        .name = "whole-records",
        .fact = "read() returns only whole records, as many as fit;"
                " the rest stays queued",
        .depth = 4,
        .steps = {
            { VSTEP_REPORT, .n = 2 },
            { VSTEP_READ, .records = 1, .bytes = 9, .expect = "0" },
            { VSTEP_READ, .records = 4, .expect = "1" },
            { VSTEP_READ, .records = 4, .expect = "" },
        },
    },
    {
        .name = "first-record-too-big",
        .fact = "a buffer under the first queued record is EINVAL, not a"
                " short read",
        .depth = 4,
        .steps = {
            { VSTEP_REPORT, .n = 1 },
            { VSTEP_READ, .records = 1, .bytes = -1, .expect = "EINVAL" },
            { VSTEP_READ, .records = 1, .expect = "0" },
        },
    },
    {
        .name = "overflow-lost-header",
        .fact = "at the depth new events are dropped and a LOST_EVENTS"
                " header with the last dropped sequence is last",
        .depth = 2,
        .steps = {
            { VSTEP_REPORT, .n = 3 },
            { VSTEP_READ, .records = 8, .expect = "0 1 L2" },
            { VSTEP_REPORT, .n = 10 },
            { VSTEP_READ, .records = 2, .expect = "3 4" },
            /* The LOST header alone can be read with count 8. */
            { VSTEP_READ, .records = 0, .bytes = 8, .expect = "L12" },
            { VSTEP_READ, .records = 8, .expect = "" },
        },
    },
    {
        .name = "lost-header-replaced",
        .fact = "when a slot frees while the LOST_EVENTS header is last,"
                " the next event replaces it and only a gap remains",
        .depth = 2,
        .steps = {
            { VSTEP_REPORT, .n = 3 },
            { VSTEP_READ, .records = 1, .expect = "0" },
            { VSTEP_REPORT, .n = 1 },
            { VSTEP_READ, .records = 8, .expect = "1 3" },
        },
    },
    {
        .name = "depth1-storm",
        .fact = "depth 1 and 100000 events: one record and a LOST_EVENTS"
                " header carrying the last sequence",
        .depth = 1,
        .steps = {
            { VSTEP_REPORT, .n = 100000 },
            { VSTEP_READ, .records = 8, .expect = "0 L99999" },
            { VSTEP_REPORT, .n = 1 },
            { VSTEP_READ, .records = 8, .expect = "100000" },
        },
    },
};

const size_t veventq_cases_len = sizeof(veventq_cases) /
                                 sizeof(veventq_cases[0]);

static bool failf(char **why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(why, fmt, ap) < 0) {
        *why = NULL;
    }
    va_end(ap);
    return false;
}

/* Render what a read returned in the expect syntax. */
static char *render(const uint8_t *buf, ssize_t n, size_t rec_size,
                    const VeventqHarness *h, bool *payload_ok)
{
    size_t cap = 64 + (size_t)(n > 0 ? n : 0) * 2, len = 0;
    char *out = calloc(1, cap);
    ssize_t off = 0;

    *payload_ok = true;
    if (n < 0) {
        snprintf(out, cap, "%s", n == -EINVAL ? "EINVAL" : strerror(-n));
        return out;
    }
    while (off < n) {
        struct rec_header hdr;

        if (n - off < (ssize_t)sizeof(hdr)) {
            len += snprintf(out + len, cap - len, "%s<trailing %zd bytes>",
                            len ? " " : "", n - off);
            break;
        }
        memcpy(&hdr, buf + off, sizeof(hdr));
        if (hdr.flags & LOST_EVENTS) {
            len += snprintf(out + len, cap - len, "%sL%u", len ? " " : "",
                            hdr.sequence);
            off += sizeof(hdr);
        } else {
            len += snprintf(out + len, cap - len, "%s%u", len ? " " : "",
                            hdr.sequence);
            if (h->check_payload && off + (ssize_t)rec_size <= n &&
                !h->check_payload(h->opaque, buf + off + sizeof(hdr))) {
                *payload_ok = false;
            }
            off += rec_size;
        }
    }
    return out;
}

bool veventq_case_run(const VeventqCase *c, const VeventqHarness *h,
                      char **why)
{
    size_t bufsize = h->record_size * 16 + 64;
    uint8_t *buf = malloc(bufsize);
    bool ok = true;

    *why = NULL;
    if (!h->alloc(h->opaque, c->depth)) {
        free(buf);
        return failf(why, "%s: cannot allocate a queue of depth %u", c->name,
                     c->depth);
    }
    for (int i = 0; ok && c->steps[i].kind != VSTEP_END; i++) {
        const VeventqStep *s = &c->steps[i];

        if (s->kind == VSTEP_REPORT) {
            if (!h->report(h->opaque, s->n)) {
                ok = failf(why, "%s: step %d: reporting %u events failed",
                           c->name, i, s->n);
            }
        } else {
            ssize_t count = (ssize_t)(h->record_size * s->records) + s->bytes;
            ssize_t n;
            bool payload_ok;
            char *got;

            if (count < 0 || (size_t)count > bufsize) {
                ok = failf(why, "%s: step %d: bad buffer size %zd", c->name,
                           i, count);
                break;
            }
            n = h->read(h->opaque, buf, count);
            got = render(buf, n, h->record_size, h, &payload_ok);
            if (strcmp(got, s->expect) != 0) {
                ok = failf(why, "%s: step %d: read(%zd) returned \"%s\","
                           " expected \"%s\" (%s)", c->name, i, count, got,
                           s->expect, c->fact);
            } else if (!payload_ok) {
                ok = failf(why, "%s: step %d: a record's payload is wrong",
                           c->name, i);
            }
            free(got);
        }
    }
    h->release(h->opaque);
    free(buf);
    return ok;
}
