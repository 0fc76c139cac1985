/*
 * Command-line option arguments: QEMU's key=value syntax and JSON objects.
 *
 * "-device" and friends take either
 *
 *   DRIVER,key=value,flag,key2=a,,b          (key=value form)
 *   {"driver": "DRIVER", "key": true, ...}   (JSON form, libvirt's choice)
 *
 * Both parse into a QemuOpts: an ordered list of named scalars.  In the
 * key=value form every value is a string; a first element without '='
 * is the value of the implied key, a later one is a flag ("flag" means
 * "flag=on"), and ",," stands for a literal comma inside a value.  The
 * JSON form keeps the JSON type of each member (string, boolean or
 * integer), so consumers can apply QEMU's typing rules.  A key given
 * twice keeps its first position and its last value.
 *
 * Whatever the consumer, parsing refuses an "id" that is not an
 * identifier (see id_wellformed()) and a JSON string holding \u0000
 * (json-glib would silently cut the string there).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_OPTION_H
#define QEMU_OPTION_H

#include "qapi/error.h"
#include "qemu/id.h"
#include <json-glib/json-glib.h>

typedef enum QemuOptType {
    QEMU_OPT_STRING,
    QEMU_OPT_BOOL,      /* JSON true/false */
    QEMU_OPT_NUMBER,    /* JSON integer */
} QemuOptType;

typedef struct QemuOpt {
    char *name;
    QemuOptType type;
    char *str;          /* QEMU_OPT_STRING */
    bool boolean;       /* QEMU_OPT_BOOL */
    int64_t number;     /* QEMU_OPT_NUMBER */
} QemuOpt;

typedef struct QemuOpts QemuOpts;

/*
 * Parse PARAMS: JSON if it starts with '{' (after blanks), key=value
 * otherwise.  IMPLIED_KEY names the value of a leading element without
 * '=' (e.g. "driver"); NULL means such an element is a flag.
 */
QemuOpts *qemu_opts_parse(const char *params, const char *implied_key,
                          Error **errp);
/*
 * Build options from the members of a JSON object (QMP arguments).  The
 * text the object came from must have passed qemu_json_check_nul().
 */
QemuOpts *qemu_opts_from_json(JsonObject *obj, Error **errp);
void qemu_opts_free(QemuOpts *opts);

/* True if the options came from JSON (typed values). */
bool qemu_opts_is_json(const QemuOpts *opts);
guint qemu_opts_count(const QemuOpts *opts);
const QemuOpt *qemu_opts_nth(const QemuOpts *opts, guint i);
const QemuOpt *qemu_opt_find(const QemuOpts *opts, const char *name);
/* Remove NAME; returns true if it was present. */
bool qemu_opt_unset(QemuOpts *opts, const char *name);

/*
 * The value of NAME as a string, or NULL if absent.  Fails (NULL with
 * *errp set) when a JSON value is not a string:
 *   Invalid parameter type for 'id', expected: string
 */
const char *qemu_opt_get_str(const QemuOpts *opts, const char *name,
                             Error **errp);
/*
 * NAME as a boolean: "on"/"off" (and yes/no, true/false) or JSON
 * true/false.  *value is left alone when NAME is absent.
 */
bool qemu_opt_get_bool(const QemuOpts *opts, const char *name, bool *value,
                       Error **errp);
/* The value in its command-line spelling ("on", "42"); caller frees. */
char *qemu_opt_to_string(const QemuOpt *opt);

/*
 * Fail if a string in the JSON TEXT has a \u0000 escape, naming the
 * member it belongs to:
 *   Parameter 'id' contains \u0000, which is not supported
 * Run it on JSON text before json-glib parses it.
 */
bool qemu_json_check_nul(const char *text, Error **errp);

/* Every key is one of KEYS (NULL-terminated):  Invalid parameter 'K' */
bool qemu_opts_check_keys(const QemuOpts *opts, const char *const *keys,
                          Error **errp);

/* Parse "on"/"off"/"yes"/"no"/"true"/"false". */
bool qemu_parse_bool(const char *str, bool *value);

/*
 * Parse a size with an optional suffix (K, M, G, T; B for bytes).
 * Without suffix the number is multiplied by DEFAULT_UNIT.
 */
bool qemu_parse_size(const char *str, uint64_t default_unit, uint64_t *size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuOpts, qemu_opts_free)

#endif /* QEMU_OPTION_H */
