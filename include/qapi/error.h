/*
 * Error objects, QEMU style.
 *
 * A function that can fail takes "Error **errp" as its last argument and
 * returns bool (true on success).  On failure it sets *errp with
 * error_setg() and friends.  Callers pass:
 *   - NULL to ignore the error,
 *   - &error_fatal to report it and exit(1),
 *   - &error_abort to report it and abort() (for "cannot happen"),
 *   - the address of a local "Error *err = NULL" to handle it themselves.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QAPI_ERROR_H
#define QAPI_ERROR_H

typedef struct Error Error;

/* QMP's error classes (qapi/error.json); almost everything is generic. */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR = 0,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_FOUND,
} ErrorClass;

/* Sentinels: pass their address as errp. */
extern Error *error_fatal;
extern Error *error_abort;

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               const char *func, int os_errno,
                               const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

/* Set *errp to a new error whose message is the formatted string. */
#define error_setg(errp, fmt, ...) \
    error_setg_internal((errp), __FILE__, __LINE__, __func__, \
                        (fmt), ## __VA_ARGS__)

/* Like error_setg(), with ": <strerror(os_errno)>" appended. */
#define error_setg_errno(errp, os_errno, fmt, ...) \
    error_setg_errno_internal((errp), __FILE__, __LINE__, __func__, \
                              (os_errno), (fmt), ## __VA_ARGS__)

/* error_setg() with an error class other than GenericError. */
#define error_set(errp, err_class, fmt, ...) \
    error_set_internal((errp), __FILE__, __LINE__, __func__, (err_class), \
                       (fmt), ## __VA_ARGS__)
void error_set_internal(Error **errp, const char *src, int line,
                        const char *func, ErrorClass err_class,
                        const char *fmt, ...) G_GNUC_PRINTF(6, 7);
ErrorClass error_get_class(const Error *err);
/* Its QMP name: "GenericError", "DeviceNotFound", ... */
const char *error_class_name(ErrorClass err_class);

/* Prefix the message of *errp (if any) with the formatted string. */
void error_prepend(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Add a hint printed on its own line(s) after the message. */
void error_append_hint(Error **errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * Move local_err into *dst_errp.  If dst_errp is &error_fatal or
 * &error_abort the error is reported and the process ends.  If *dst_errp
 * is already set, local_err is freed (the first error wins).
 */
void error_propagate(Error **dst_errp, Error *local_err);

/* Like error_propagate() followed by error_prepend(). */
void error_propagate_prepend(Error **dst_errp, Error *local_err,
                             const char *fmt, ...) G_GNUC_PRINTF(3, 4);

const char *error_get_pretty(const Error *err);
const char *error_get_hint(const Error *err);
Error *error_copy(const Error *err);
void error_free(Error *err);

/* Report err with error_report() (message and hint) and free it. */
void error_report_err(Error *err);
/* Same, as a warning. */
void warn_report_err(Error *err);

/* For tests: assert an error is set, then free it and clear *errp. */
void error_free_or_abort(Error **errp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

#endif /* QAPI_ERROR_H */
