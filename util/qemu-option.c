/*
 * Command-line option arguments: key=value and JSON.
 *
 * Owns the two syntaxes' parsing into QemuOpts, the checks every
 * option list gets whatever consumes it (the form of "id", no NUL in a
 * JSON string) and the number parsers.  No state, no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/id.h"
#include "qemu/option.h"
#include "trace.h"

struct QemuOpts {
    GPtrArray *opts;        /* of QemuOpt *, in first-seen order */
    bool json;
};

static void opt_free(QemuOpt *opt)
{
    g_free(opt->name);
    g_free(opt->str);
    g_free(opt);
}

static QemuOpts *opts_new(bool json)
{
    QemuOpts *opts = g_new0(QemuOpts, 1);

    opts->opts = g_ptr_array_new_with_free_func((GDestroyNotify)opt_free);
    opts->json = json;
    return opts;
}

void qemu_opts_free(QemuOpts *opts)
{
    if (opts) {
        g_ptr_array_free(opts->opts, TRUE);
        g_free(opts);
    }
}

static guint opt_index(const QemuOpts *opts, const char *name)
{
    for (guint i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        if (!strcmp(opt->name, name)) {
            return i;
        }
    }
    return G_MAXUINT;
}

/* Add OPT, or replace the value of an earlier option of the same name. */
static void opts_put(QemuOpts *opts, QemuOpt *opt)
{
    guint i = opt_index(opts, opt->name);

    if (i == G_MAXUINT) {
        g_ptr_array_add(opts->opts, opt);
    } else {
        opt_free(g_ptr_array_index(opts->opts, i));
        g_ptr_array_index(opts->opts, i) = opt;
    }
}

static void opts_put_str(QemuOpts *opts, char *name, char *value)
{
    QemuOpt *opt = g_new0(QemuOpt, 1);

    opt->name = name;
    opt->type = QEMU_OPT_STRING;
    opt->str = value;
    opts_put(opts, opt);
}

/*
 * Read a value up to the next single ',' (",," is a literal comma);
 * returns the position after the terminating ',' or at the final NUL.
 */
static const char *get_value(const char *p, char **value)
{
    GString *s = g_string_new(NULL);

    while (*p) {
        if (*p == ',') {
            if (p[1] != ',') {
                p++;
                break;
            }
            p++;
        }
        g_string_append_c(s, *p++);
    }
    *value = g_string_free(s, FALSE);
    return p;
}

/* An "id" given as a string must be an identifier, as in QEMU. */
static bool opts_check_id(const QemuOpts *opts, Error **errp)
{
    const QemuOpt *opt = qemu_opt_find(opts, "id");

    if (opt && opt->type == QEMU_OPT_STRING && !id_wellformed(opt->str)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return false;
    }
    return true;
}

static QemuOpts *parse_keyval(const char *params, const char *implied_key,
                              Error **errp)
{
    g_autoptr(QemuOpts) opts = opts_new(false);
    const char *p = params;
    bool first = true;

    while (*p) {
        size_t len = strcspn(p, "=,");
        char *name, *value;

        if (p[len] != '=') {
            if (first && implied_key) {
                p = get_value(p, &value);
                opts_put_str(opts, g_strdup(implied_key), value);
                first = false;
                continue;
            }
            /* A bare "flag" means "flag=on". */
            name = g_strndup(p, len);
            value = g_strdup("on");
            p += len;
            if (*p == ',') {
                p++;
            }
        } else {
            name = g_strndup(p, len);
            p = get_value(p + len + 1, &value);
        }
        if (!*name) {
            error_setg(errp, "Invalid parameter '%s'", name);
            g_free(name);
            g_free(value);
            return NULL;
        }
        opts_put_str(opts, name, value);
        first = false;
    }
    if (!opts_check_id(opts, errp)) {
        return NULL;
    }
    return g_steal_pointer(&opts);
}

/*
 * Move *P past the JSON string whose opening quote it points at; set
 * *NUL if the string has a \u0000 escape.
 */
static void json_skip_string(const char **p, bool *nul)
{
    const char *q = *p + 1;

    *nul = false;
    while (*q && *q != '"') {
        if (*q == '\\' && q[1]) {
            *nul |= q[1] == 'u' && !strncmp(q + 2, "0000", 4);
            q += 2;
        } else {
            q++;
        }
    }
    *p = *q ? q + 1 : q;
}

bool qemu_json_check_nul(const char *text, Error **errp)
{
    g_autofree char *member = NULL;
    const char *p = text;

    while (*p) {
        const char *start = p + 1;
        bool nul, key;

        if (*p != '"') {
            p++;
            continue;
        }
        json_skip_string(&p, &nul);
        key = p[strspn(p, " \t\r\n")] == ':';
        if (key) {
            g_free(member);
            member = g_strndup(start, MAX(p - start - 1, 0));
        }
        if (nul) {
            error_setg(errp, "%s '%s' contains \\u0000, which is not"
                       " supported", key ? "Parameter name" : "Parameter",
                       member ? member : "");
            return false;
        }
    }
    return true;
}

QemuOpts *qemu_opts_from_json(JsonObject *obj, Error **errp)
{
    g_autoptr(QemuOpts) opts = opts_new(true);
    g_autoptr(GList) members = json_object_get_members(obj);

    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;
        JsonNode *node = json_object_get_member(obj, name);
        QemuOpt *opt;
        GType vt;

        if (!JSON_NODE_HOLDS_VALUE(node)) {
            error_setg(errp, "Invalid parameter type for '%s', expected:"
                       " scalar", name);
            return NULL;
        }
        vt = json_node_get_value_type(node);
        opt = g_new0(QemuOpt, 1);
        opt->name = g_strdup(name);
        if (vt == G_TYPE_STRING) {
            opt->type = QEMU_OPT_STRING;
            opt->str = g_strdup(json_node_get_string(node));
        } else if (vt == G_TYPE_BOOLEAN) {
            opt->type = QEMU_OPT_BOOL;
            opt->boolean = json_node_get_boolean(node);
        } else if (vt == G_TYPE_INT64) {
            opt->type = QEMU_OPT_NUMBER;
            opt->number = json_node_get_int(node);
        } else {
            error_setg(errp, "Invalid parameter type for '%s', expected:"
                       " integer", name);
            opt_free(opt);
            return NULL;
        }
        opts_put(opts, opt);
    }
    if (!opts_check_id(opts, errp)) {
        return NULL;
    }
    return g_steal_pointer(&opts);
}

static QemuOpts *parse_json(const char *params, Error **errp)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) gerr = NULL;
    JsonNode *root;

    if (!qemu_json_check_nul(params, errp)) {
        return NULL;
    }
    if (!json_parser_load_from_data(parser, params, -1, &gerr)) {
        error_setg(errp, "JSON parse error, %s", gerr->message);
        return NULL;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        error_setg(errp, "JSON parse error, expected an object");
        return NULL;
    }
    return qemu_opts_from_json(json_node_get_object(root), errp);
}

QemuOpts *qemu_opts_parse(const char *params, const char *implied_key,
                          Error **errp)
{
    QemuOpts *opts;
    const char *p = params;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p == '{') {
        opts = parse_json(params, errp);
    } else {
        opts = parse_keyval(params, implied_key, errp);
    }
    trace_qemu_opts_parse(params, opts ? (int)qemu_opts_count(opts) : -1);
    return opts;
}

bool qemu_opts_is_json(const QemuOpts *opts)
{
    return opts->json;
}

guint qemu_opts_count(const QemuOpts *opts)
{
    return opts->opts->len;
}

const QemuOpt *qemu_opts_nth(const QemuOpts *opts, guint i)
{
    return i < opts->opts->len ? g_ptr_array_index(opts->opts, i) : NULL;
}

const QemuOpt *qemu_opt_find(const QemuOpts *opts, const char *name)
{
    guint i = opt_index(opts, name);

    return i == G_MAXUINT ? NULL : g_ptr_array_index(opts->opts, i);
}

bool qemu_opt_unset(QemuOpts *opts, const char *name)
{
    guint i = opt_index(opts, name);

    if (i == G_MAXUINT) {
        return false;
    }
    g_ptr_array_remove_index(opts->opts, i);
    return true;
}

const char *qemu_opt_get_str(const QemuOpts *opts, const char *name,
                             Error **errp)
{
    const QemuOpt *opt = qemu_opt_find(opts, name);

    if (!opt) {
        return NULL;
    }
    if (opt->type != QEMU_OPT_STRING) {
        error_setg(errp, "Invalid parameter type for '%s', expected: string",
                   name);
        return NULL;
    }
    return opt->str;
}

bool qemu_parse_bool(const char *str, bool *value)
{
    if (!strcmp(str, "on") || !strcmp(str, "yes") || !strcmp(str, "true")) {
        *value = true;
        return true;
    }
    if (!strcmp(str, "off") || !strcmp(str, "no") || !strcmp(str, "false")) {
        *value = false;
        return true;
    }
    return false;
}

bool qemu_opt_get_bool(const QemuOpts *opts, const char *name, bool *value,
                       Error **errp)
{
    const QemuOpt *opt = qemu_opt_find(opts, name);

    if (!opt) {
        return true;
    }
    switch (opt->type) {
    case QEMU_OPT_BOOL:
        *value = opt->boolean;
        return true;
    case QEMU_OPT_STRING:
        if (!opts->json && qemu_parse_bool(opt->str, value)) {
            return true;
        }
        if (!opts->json) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
            return false;
        }
        break;
    default:
        break;
    }
    error_setg(errp, "Invalid parameter type for '%s', expected: boolean",
               name);
    return false;
}

char *qemu_opt_to_string(const QemuOpt *opt)
{
    switch (opt->type) {
    case QEMU_OPT_BOOL:
        return g_strdup(opt->boolean ? "on" : "off");
    case QEMU_OPT_NUMBER:
        return g_strdup_printf("%" PRId64, opt->number);
    default:
        return g_strdup(opt->str);
    }
}

bool qemu_parse_size(const char *str, uint64_t default_unit, uint64_t *size)
{
    char *end;
    uint64_t n, unit = default_unit;

    if (!g_ascii_isdigit(*str)) {
        return false;
    }
    errno = 0;
    n = g_ascii_strtoull(str, &end, 10);
    if (errno) {
        return false;
    }
    if (*end) {
        switch (g_ascii_toupper(*end)) {
        case 'B':
            unit = 1;
            break;
        case 'K':
            unit = 1ULL << 10;
            break;
        case 'M':
            unit = 1ULL << 20;
            break;
        case 'G':
            unit = 1ULL << 30;
            break;
        case 'T':
            unit = 1ULL << 40;
            break;
        default:
            return false;
        }
        if (end[1]) {
            return false;
        }
    }
    if (n > UINT64_MAX / unit) {
        return false;
    }
    *size = n * unit;
    return true;
}

bool qemu_opts_check_keys(const QemuOpts *opts, const char *const *keys,
                          Error **errp)
{
    for (guint i = 0; i < qemu_opts_count(opts); i++) {
        const char *name = qemu_opts_nth(opts, i)->name;

        if (!g_strv_contains(keys, name)) {
            error_setg(errp, "Invalid parameter '%s'", name);
            return false;
        }
    }
    return true;
}
