/*
 * The QMP server: the command table and its argument validator, the
 * request splitter and dispatcher of each QmpSession, and event
 * delivery to the sessions of the monitors.
 *
 * Everything runs in the main thread except qmp_send_event(), which may
 * be called from any thread: event_lock guards event_queue and
 * event_flush_src.  The command table is written before main() or from
 * the main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "chardev/char.h"
#include "qemu/fd-registry.h"
#include "qom/object.h"
#include "system/qmp.h"
#include "trace.h"
#include "vsmmu-version.h"

typedef struct QmpCommand {
    QmpCommandFunc *func;
    const QmpArg *spec;         /* NULL: the handler checks */
} QmpCommand;

struct QmpSession {
    QmpOutputFunc *out;
    void *opaque;
    QmpTakeFdFunc *take_fd;     /* descriptors passed with requests */
    void *fd_opaque;
    bool negotiated;
    /* The JSON object being received and the splitter's state. */
    GString *buf;
    int depth;
    bool in_string;
    char quote;                 /* of the string we are in */
    bool escape;
    int uescape;                /* next digit of a \uXXXX, 1..4; 0: none */
    bool uzero;                 /* every digit of that \u so far is 0 */
    bool has_nul;               /* \u0000 in a string */
    bool has_raw_nul;           /* a NUL byte */
    bool junk;                  /* non-object input until end of line */
    bool overflow;              /* too large or deep: skip to its end */
};

static GHashTable *qmp_commands;    /* name -> QmpCommand * */
static QmpSession *cur_session;     /* running a command, or NULL */
static GList *sessions;             /* of QmpSession * */
static GThread *main_thread;

static GMutex event_lock;
static GQueue event_queue;          /* of char *, serialized events */
static guint event_flush_src;

/* ---- command table and argument validator ------------------------ */

void qmp_register_command_args(const char *name, QmpCommandFunc *func,
                               const QmpArg *spec)
{
    QmpCommand *cmd = g_new0(QmpCommand, 1);

    if (!qmp_commands) {
        qmp_commands = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_assert(!g_hash_table_contains(qmp_commands, name));
    cmd->func = func;
    cmd->spec = spec;
    g_hash_table_insert(qmp_commands, (gpointer)name, cmd);
}

void qmp_register_command(const char *name, QmpCommandFunc *func)
{
    qmp_register_command_args(name, func, NULL);
}

bool qmp_command_exists(const char *name)
{
    return qmp_commands && g_hash_table_contains(qmp_commands, name);
}

static GType node_value_type(JsonNode *node)
{
    return JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node)
                                       : G_TYPE_INVALID;
}

static bool arg_type_matches(JsonNode *node, QmpArgType type)
{
    GType vt = node_value_type(node);

    switch (type) {
    case QMP_ARG_STR:
        return vt == G_TYPE_STRING;
    case QMP_ARG_INT:
    case QMP_ARG_UINT:
        return vt == G_TYPE_INT64;
    case QMP_ARG_BOOL:
        return vt == G_TYPE_BOOLEAN;
    case QMP_ARG_NUMBER:
        return vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
    case QMP_ARG_OBJECT:
        return JSON_NODE_HOLDS_OBJECT(node);
    case QMP_ARG_ARRAY:
        return JSON_NODE_HOLDS_ARRAY(node);
    case QMP_ARG_ANY:
        return true;
    }
    return false;
}

static const char *const arg_type_names[] = {
    [QMP_ARG_STR] = "string",
    [QMP_ARG_INT] = "integer",
    [QMP_ARG_UINT] = "integer",
    [QMP_ARG_BOOL] = "boolean",
    [QMP_ARG_NUMBER] = "number",
    [QMP_ARG_OBJECT] = "object",
    [QMP_ARG_ARRAY] = "array",
    [QMP_ARG_ANY] = "any",
};

/* Type and range of one present member. */
static bool arg_check_one(const char *name, JsonNode *node,
                          const QmpArg *a, Error **errp)
{
    int64_t v;

    if (!arg_type_matches(node, a->type)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, arg_type_names[a->type]);
        return false;
    }
    if (a->type != QMP_ARG_INT && a->type != QMP_ARG_UINT) {
        return true;
    }
    v = json_node_get_int(node);
    if (a->type == QMP_ARG_UINT && v < 0 && !a->has_range) {
        error_setg(errp, "Parameter '%s' expects uint64", name);
        return false;
    }
    if ((a->type == QMP_ARG_UINT && v < 0) ||
        (a->has_range && (v < a->min || v > a->max))) {
        error_setg(errp, "Parameter '%s' expects a value between %" PRId64
                   " and %" PRId64, name, a->min, a->max);
        return false;
    }
    return true;
}

static const QmpArg *arg_find(const QmpArg *spec, const char *name)
{
    const QmpArg *rest = NULL;

    for (const QmpArg *a = spec; a->name; a++) {
        if (!strcmp(a->name, "*")) {
            rest = a;
        } else if (!strcmp(a->name, name)) {
            return a;
        }
    }
    return rest;
}

/* In QEMU's order: declared members first, then the unexpected ones. */
bool qmp_args_check(JsonObject *args, const QmpArg *spec, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(args);

    for (const QmpArg *a = spec; a->name; a++) {
        JsonNode *node;

        if (!strcmp(a->name, "*")) {
            continue;
        }
        node = json_object_get_member(args, a->name);
        if (!node) {
            if (a->required) {
                error_setg(errp, "Parameter '%s' is missing", a->name);
                return false;
            }
        } else if (!arg_check_one(a->name, node, a, errp)) {
            return false;
        }
    }
    for (GList *l = members; l; l = l->next) {
        const QmpArg *a = arg_find(spec, l->data);

        if (!a) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return false;
        }
        if (!strcmp(a->name, "*") &&
            !arg_check_one(l->data, json_object_get_member(args, l->data),
                           a, errp)) {
            return false;
        }
    }
    return true;
}

static JsonNode *arg_get(JsonObject *args, const char *name, GType type)
{
    JsonNode *node = args ? json_object_get_member(args, name) : NULL;

    return node && node_value_type(node) == type ? node : NULL;
}

JsonNode *qmp_object_node(JsonObject *obj)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, obj);
    return node;
}

JsonNode *qmp_array_node(JsonArray *arr)
{
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(node, arr);
    return node;
}

void qmp_set_u64(JsonObject *o, const char *name, uint64_t v)
{
    json_object_set_int_member(o, name, (gint64)v);
}

const char *qmp_arg_str(JsonObject *args, const char *name, const char *def)
{
    JsonNode *node = arg_get(args, name, G_TYPE_STRING);

    return node ? json_node_get_string(node) : def;
}

int64_t qmp_arg_int(JsonObject *args, const char *name, int64_t def)
{
    JsonNode *node = arg_get(args, name, G_TYPE_INT64);

    return node ? json_node_get_int(node) : def;
}

bool qmp_arg_bool(JsonObject *args, const char *name, bool def)
{
    JsonNode *node = arg_get(args, name, G_TYPE_BOOLEAN);

    return node ? json_node_get_boolean(node) : def;
}

double qmp_arg_number(JsonObject *args, const char *name, double def)
{
    JsonNode *node = arg_get(args, name, G_TYPE_DOUBLE);

    if (node) {
        return json_node_get_double(node);
    }
    node = arg_get(args, name, G_TYPE_INT64);
    return node ? json_node_get_int(node) : def;
}

JsonObject *qmp_arg_object(JsonObject *args, const char *name)
{
    JsonNode *node = args ? json_object_get_member(args, name) : NULL;

    return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node)
                                                : NULL;
}

JsonArray *qmp_arg_array(JsonObject *args, const char *name)
{
    JsonNode *node = args ? json_object_get_member(args, name) : NULL;

    return node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node)
                                               : NULL;
}

/* ---- output ------------------------------------------------------ */

static char *node_to_string(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}

static void session_send(QmpSession *s, const char *json)
{
    s->out(json, strlen(json), s->opaque);
}

/*
 * Send NODE (an object) with "id": RAW_ID appended, RAW_ID being the
 * request's own text for its id, so that any JSON value comes back as
 * the client wrote it.  Line breaks between its tokens become spaces:
 * one message per line.
 */
static void session_send_node(QmpSession *s, JsonNode *node,
                              const char *raw_id, size_t raw_len)
{
    g_autofree char *json = node_to_string(node);
    g_autoptr(GString) msg = NULL;

    if (!raw_id) {
        session_send(s, json);
        return;
    }
    msg = g_string_new_len(json, strlen(json) - 1);     /* drop the '}' */
    g_string_append(msg, ",\"id\":");
    for (size_t i = 0; i < raw_len; i++) {
        char ch = raw_id[i];

        g_string_append_c(msg, ch == '\n' || ch == '\r' ? ' ' : ch);
    }
    g_string_append_c(msg, '}');
    session_send(s, msg->str);
}

/* The id member of the request being answered, as raw text. */
typedef struct QmpId {
    const char *text;
    size_t len;
} QmpId;

static void session_send_error(QmpSession *s, const QmpId *id,
                               const char *klass, const char *desc)
{
    g_autoptr(JsonBuilder) b = json_builder_new_immutable();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "error");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "class");
    json_builder_add_string_value(b, klass);
    json_builder_set_member_name(b, "desc");
    json_builder_add_string_value(b, desc);
    json_builder_end_object(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    session_send_node(s, root, id ? id->text : NULL, id ? id->len : 0);
}

static void session_send_return(QmpSession *s, const QmpId *id,
                                JsonNode *ret)
{
    g_autoptr(JsonBuilder) b = json_builder_new_immutable();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "return");
    if (ret) {
        json_builder_add_value(b, ret);
    } else {
        json_builder_begin_object(b);
        json_builder_end_object(b);
    }
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    session_send_node(s, root, id ? id->text : NULL, id ? id->len : 0);
}

/* ---- events ------------------------------------------------------ */

static void event_broadcast(const char *json)
{
    for (GList *l = sessions; l; l = l->next) {
        QmpSession *s = l->data;

        if (s->negotiated) {
            session_send(s, json);
        }
    }
}

static void event_flush(void)
{
    for (;;) {
        g_autofree char *json = NULL;

        g_mutex_lock(&event_lock);
        json = g_queue_pop_head(&event_queue);
        g_mutex_unlock(&event_lock);
        if (!json) {
            return;
        }
        event_broadcast(json);
    }
}

static gboolean event_flush_cb(gpointer opaque)
{
    g_mutex_lock(&event_lock);
    event_flush_src = 0;
    g_mutex_unlock(&event_lock);
    event_flush();
    return G_SOURCE_REMOVE;
}

static char *event_to_string(const char *name, JsonObject *data)
{
    g_autoptr(JsonBuilder) b = json_builder_new_immutable();
    g_autoptr(JsonNode) root = NULL;
    gint64 now = g_get_real_time();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "timestamp");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "seconds");
    json_builder_add_int_value(b, now / G_USEC_PER_SEC);
    json_builder_set_member_name(b, "microseconds");
    json_builder_add_int_value(b, now % G_USEC_PER_SEC);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "event");
    json_builder_add_string_value(b, name);
    if (data) {
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        json_node_set_object(node, data);
        json_builder_set_member_name(b, "data");
        json_builder_add_value(b, node);
    }
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    return node_to_string(root);
}

void qmp_send_event(const char *name, JsonObject *data)
{
    char *json = event_to_string(name, data);

    trace_qmp_event(name);
    if (main_thread && g_thread_self() == main_thread) {
        event_flush();
        event_broadcast(json);
        g_free(json);
        return;
    }
    g_mutex_lock(&event_lock);
    g_queue_push_tail(&event_queue, json);
    if (!event_flush_src) {
        event_flush_src = g_idle_add(event_flush_cb, NULL);
    }
    g_mutex_unlock(&event_lock);
}

/* ---- dispatch ---------------------------------------------------- */

static bool qmp_capabilities(QmpSession *s, JsonObject *args, Error **errp)
{
    static const QmpArg spec[] = {
        { "enable", QMP_ARG_ARRAY },
        { NULL }
    };
    JsonArray *caps;

    if (!qmp_args_check(args, spec, errp)) {
        return false;
    }
    caps = qmp_arg_array(args, "enable");
    if (caps && json_array_get_length(caps)) {
        JsonNode *cap = json_array_get_element(caps, 0);

        error_setg(errp, "Capability '%s' not available",
                   node_value_type(cap) == G_TYPE_STRING ?
                   json_node_get_string(cap) : "?");
        return false;
    }
    s->negotiated = true;
    return true;
}

/* The request's own members: execute, arguments, id. */
static const char *request_check(JsonObject *req, JsonObject **args,
                                 Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(req);
    JsonNode *exec = json_object_get_member(req, "execute");
    JsonNode *args_node = json_object_get_member(req, "arguments");

    for (GList *l = members; l; l = l->next) {
        if (strcmp(l->data, "execute") && strcmp(l->data, "arguments") &&
            strcmp(l->data, "id")) {
            error_setg(errp, "QMP input member '%s' is unexpected",
                       (const char *)l->data);
            return NULL;
        }
    }
    if (!exec) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return NULL;
    }
    if (node_value_type(exec) != G_TYPE_STRING) {
        error_setg(errp, "QMP input member 'execute' must be a string");
        return NULL;
    }
    if (args_node && !JSON_NODE_HOLDS_OBJECT(args_node)) {
        error_setg(errp, "QMP input member 'arguments' must be an object");
        return NULL;
    }
    *args = args_node ? json_node_get_object(args_node) : NULL;
    return json_node_get_string(exec);
}

JsonNode *qmp_run_command(const char *name, JsonObject *args, Error **errp)
{
    QmpCommand *cmd = qmp_commands ? g_hash_table_lookup(qmp_commands, name)
                                   : NULL;

    g_assert(cmd);
    if (cmd->spec && !qmp_args_check(args, cmd->spec, errp)) {
        return NULL;
    }
    return cmd->func(args, errp);
}

/* Run NAME; the error class, or NULL with *RET set on success. */
static const char *session_run(QmpSession *s, const char *name,
                               JsonObject *args, JsonNode **ret,
                               Error **errp)
{
    const void *owner;
    QmpCommand *cmd;

    *ret = NULL;
    if (!strcmp(name, "qmp_capabilities")) {
        if (s->negotiated) {
            error_setg(errp, "Capabilities negotiation is already"
                       " complete, command ignored");
            return "CommandNotFound";
        }
        return qmp_capabilities(s, args, errp) ? NULL : "GenericError";
    }
    if (!s->negotiated) {
        error_setg(errp, "Expecting capabilities negotiation with"
                   " 'qmp_capabilities'");
        return "CommandNotFound";
    }
    cmd = qmp_commands ? g_hash_table_lookup(qmp_commands, name) : NULL;
    if (!cmd) {
        error_setg(errp, "The command %s has not been found", name);
        return "CommandNotFound";
    }
    if (cmd->spec && !qmp_args_check(args, cmd->spec, errp)) {
        return "GenericError";
    }
    cur_session = s;
    owner = fd_registry_set_owner(s);
    *ret = cmd->func(args, errp);
    fd_registry_set_owner(owner);
    cur_session = NULL;
    if (*errp) {
        g_assert(!*ret);
        return error_class_name(error_get_class(*errp));
    }
    return NULL;
}

static void session_dispatch(QmpSession *s, JsonObject *req,
                             const QmpId *id)
{
    g_autoptr(JsonObject) empty = json_object_new();
    JsonObject *args = NULL;
    Error *err = NULL;
    const char *name, *klass;
    JsonNode *ret;

    name = request_check(req, &args, &err);
    if (!name) {
        klass = "GenericError";
    } else if (s->has_nul) {
        error_setg(&err, "Invalid parameter: JSON strings must not contain"
                   " \\u0000");
        klass = "GenericError";
    } else {
        trace_qmp_command(name);
        klass = session_run(s, name, args ? args : empty, &ret, &err);
    }
    if (klass) {
        session_send_error(s, id, klass, error_get_pretty(err));
        error_free(err);
        return;
    }
    session_send_return(s, id, ret);
}

/* ---- raw JSON text ----------------------------------------------- */

/* Strings are "..." or, as QEMU also accepts, '...'. */
static bool json_is_quote(char ch)
{
    return ch == '"' || ch == '\'';
}

/* End of the string token starting at its quote TEXT[I]. */
static size_t json_skip_string(const char *text, size_t len, size_t i)
{
    char quote = text[i];

    for (i++; i < len && text[i] != quote; i++) {
        if (text[i] == '\\') {
            i++;
        }
    }
    return MIN(i + 1, len);
}

/* End of the value starting at TEXT[I] (trailing blanks excluded). */
static size_t json_skip_value(const char *text, size_t len, size_t i)
{
    size_t end = i;
    int depth = 0;

    while (i < len) {
        char ch = text[i];

        if (json_is_quote(ch)) {
            i = end = json_skip_string(text, len, i);
            continue;
        }
        if (depth == 0 && (ch == ',' || ch == '}' || ch == ']')) {
            break;
        }
        if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
        i++;
        if (!g_ascii_isspace(ch)) {
            end = i;
        }
    }
    return end;
}

static bool json_key_is(const char *key, size_t len, const char *name)
{
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) node = NULL;

    if (!memchr(key, '\\', len)) {
        return len == strlen(name) + 2 && !memcmp(key + 1, name, len - 2);
    }
    text = g_strndup(key, len);
    node = json_from_string(text, NULL);
    return node && node_value_type(node) == G_TYPE_STRING &&
           !strcmp(json_node_get_string(node), name);
}

/*
 * The raw text of the last top-level member NAME of TEXT, a JSON object
 * that json-glib has already accepted.
 */
static bool json_find_member(const char *text, size_t len, const char *name,
                             QmpId *found)
{
    size_t i = 0;
    bool ok = false;

    while (i < len && text[i] != '{') {
        i++;
    }
    for (i++; i < len; i++) {
        size_t key, key_end, val;

        if (!json_is_quote(text[i])) {
            continue;           /* blanks and commas between members */
        }
        key = i;
        key_end = json_skip_string(text, len, i);
        for (i = key_end; i < len && text[i] != ':'; i++) {
            continue;
        }
        for (i++; i < len && g_ascii_isspace(text[i]); i++) {
            continue;
        }
        val = i;
        i = json_skip_value(text, len, i);
        if (json_key_is(text + key, key_end - key, name)) {
            found->text = text + val;
            found->len = i - val;
            ok = true;
        }
        while (i < len && text[i] != ',' && text[i] != '}') {
            i++;
        }
    }
    return ok;
}

/*
 * json-glib wraps integers beyond int64 silently; give such a literal a
 * fraction so that it becomes a (double) number, as in QEMU.  NULL if
 * TEXT needs no change.
 */
static GString *json_widen_integers(const char *text, size_t len)
{
    GString *out = NULL;
    size_t done = 0;

    for (size_t i = 0; i < len; i++) {
        size_t start = i;
        g_autofree char *lit = NULL;

        if (json_is_quote(text[i])) {
            i = json_skip_string(text, len, i) - 1;
            continue;
        }
        if (text[i] != '-' && !g_ascii_isdigit(text[i])) {
            continue;
        }
        while (i + 1 < len && strchr("0123456789.eE+-", text[i + 1])) {
            i++;
        }
        lit = g_strndup(text + start, i + 1 - start);
        if (strpbrk(lit, ".eE") ||
            g_ascii_string_to_signed(lit, 10, G_MININT64, G_MAXINT64,
                                     NULL, NULL)) {
            continue;
        }
        if (!out) {
            out = g_string_sized_new(len + 16);
        }
        g_string_append_len(out, text + done, i + 1 - done);
        g_string_append(out, ".0");
        done = i + 1;
    }
    if (out) {
        g_string_append_len(out, text + done, len - done);
    }
    return out;
}

/* ---- input ------------------------------------------------------- */

static void session_handle_input(QmpSession *s, const char *text,
                                 size_t len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GString) wide = NULL;
    g_autoptr(GError) gerr = NULL;
    JsonNode *root;
    QmpId id;

    if (s->has_raw_nul) {
        session_send_error(s, NULL, "GenericError",
                           "JSON parse error, NUL byte in input");
        return;
    }
    wide = json_widen_integers(text, len);
    if (!json_parser_load_from_data(parser, wide ? wide->str : text,
                                    wide ? wide->len : len, &gerr)) {
        g_autofree char *desc = g_strdup_printf("JSON parse error, %s",
                                                gerr->message);

        session_send_error(s, NULL, "GenericError", desc);
        return;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        session_send_error(s, NULL, "GenericError",
                           "QMP input must be a JSON object");
        return;
    }
    session_dispatch(s, json_node_get_object(root),
                     json_find_member(text, len, "id", &id) ? &id : NULL);
}

/* Track strings, escapes and nesting through one byte of a request. */
static void session_scan(QmpSession *s, char ch)
{
    if (ch == '\0') {
        s->has_raw_nul = true;
    }
    if (!s->in_string) {
        if (json_is_quote(ch)) {
            s->in_string = true;
            s->quote = ch;
        } else if (ch == '{' || ch == '[') {
            s->depth++;
        } else if (ch == '}' || ch == ']') {
            s->depth--;
        }
    } else if (s->uescape) {
        s->uzero &= ch == '0';
        if (++s->uescape == 5) {
            s->has_nul |= s->uzero;
            s->uescape = 0;
        }
    } else if (s->escape) {
        s->escape = false;
        if (ch == 'u') {
            s->uescape = 1;
            s->uzero = true;
        }
    } else if (ch == '\\') {
        s->escape = true;
    } else if (ch == s->quote) {
        s->in_string = false;
    }
}

static void session_reset_request(QmpSession *s)
{
    g_string_truncate(s->buf, 0);
    s->depth = 0;
    s->in_string = s->escape = false;
    s->uescape = 0;
    s->has_nul = s->has_raw_nul = false;
    s->overflow = false;
}

/* One byte at top level, between requests: false to drop it. */
static bool session_top_level(QmpSession *s, char ch)
{
    if (s->junk) {
        if (ch == '\n') {
            s->junk = false;
            session_send_error(s, NULL, "GenericError",
                               "QMP input must be a JSON object");
        }
        return false;
    }
    if (g_ascii_isspace(ch)) {
        return false;
    }
    if (ch != '{') {
        s->junk = true;
        return false;
    }
    return true;
}

/*
 * Split the byte stream into top-level JSON objects: count braces and
 * brackets outside strings.  Anything else at top level is an error
 * reported once per line.  A request over the limits gets one error and
 * is then skipped, still scanned, to its end.
 */
void qmp_session_feed(QmpSession *s, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];

        if (s->depth == 0 && !session_top_level(s, ch)) {
            continue;
        }
        if (!s->overflow) {
            g_string_append_c(s->buf, ch);
        }
        session_scan(s, ch);
        if (s->depth == 0) {
            if (!s->overflow) {
                session_handle_input(s, s->buf->str, s->buf->len);
            }
            session_reset_request(s);
        } else if (!s->overflow && (s->buf->len > QMP_MAX_REQUEST ||
                                    s->depth > QMP_MAX_DEPTH)) {
            session_send_error(s, NULL, "GenericError",
                               s->depth > QMP_MAX_DEPTH ?
                               "JSON parse error, nesting too deep" :
                               "JSON parse error, request too large");
            g_string_truncate(s->buf, 0);
            s->overflow = true;
        }
    }
}

/* ---- the type (-object monitor-qmp) ------------------------------- */

static const char *const monitor_qmp_interfaces[] = {
    TYPE_USER_CREATABLE, NULL
};

static const TypePropertyInfo monitor_qmp_props[] = {
    { "chardev", "string", "the chardev the QMP monitor serves" },
    { "pretty", "bool", "pretty-print replies (accepted, not applied)" },
    { NULL }
};

static const TypeInfo monitor_qmp_info = {
    .name = "monitor-qmp",
    .parent = TYPE_OBJECT,
    .interfaces = monitor_qmp_interfaces,
    .props = monitor_qmp_props,
};

static void qmp_register_types(void)
{
    type_register_static(&monitor_qmp_info);
}

type_init(qmp_register_types)

/* ---- sessions and monitors --------------------------------------- */

static void qmp_init(void)
{
    if (!main_thread) {
        main_thread = g_thread_self();
        qmp_register_builtin_commands();
    }
}

void qmp_session_set_fd_source(QmpSession *s, QmpTakeFdFunc *take_fd,
                               void *opaque)
{
    s->take_fd = take_fd;
    s->fd_opaque = opaque;
}

int qmp_take_passed_fd(void)
{
    g_assert(cur_session);
    return cur_session->take_fd ? cur_session->take_fd(cur_session->fd_opaque)
                                : -1;
}

QmpSession *qmp_session_new(QmpOutputFunc *out, void *opaque)
{
    QmpSession *s = g_new0(QmpSession, 1);
    g_autofree char *greeting = NULL;
    int major = 0, minor = 0, micro = 0;

    qmp_init();
    sscanf(VSMMU_VERSION, "%d.%d.%d", &major, &minor, &micro);
    s->out = out;
    s->opaque = opaque;
    s->buf = g_string_new(NULL);
    sessions = g_list_append(sessions, s);
    greeting = g_strdup_printf("{\"QMP\": {\"version\": {\"qemu\": "
                               "{\"micro\": %d, \"minor\": %d, \"major\": %d},"
                               " \"package\": \"%s\"},"
                               " \"capabilities\": []}}",
                               micro, minor, major, VSMMU_PKGVERSION);
    session_send(s, greeting);
    return s;
}

void qmp_session_free(QmpSession *s)
{
    /* A connection is a monitor: its getfd descriptors go with it. */
    fd_registry_release(s);
    sessions = g_list_remove(sessions, s);
    g_string_free(s->buf, TRUE);
    g_free(s);
}

static void monitor_out(const char *json, size_t len, void *opaque)
{
    g_autofree char *line = g_strdup_printf("%.*s\r\n", (int)len, json);

    char_conn_write(opaque, line, len + 2);
}

static void monitor_read(CharConn *c, const char *buf, size_t len,
                         void *opaque)
{
    qmp_session_feed(opaque, buf, len);
}

static void monitor_closed(CharConn *c, void *opaque)
{
    trace_qmp_monitor_closed(opaque);
    qmp_session_free(opaque);
}

static int monitor_take_fd(void *opaque)
{
    return char_conn_take_fd(opaque);
}

static void monitor_new(CharConn *c, void *opaque)
{
    QmpSession *s = qmp_session_new(monitor_out, c);

    qmp_session_set_fd_source(s, monitor_take_fd, c);
    char_conn_set_handlers(c, monitor_read, monitor_closed, s);
    trace_qmp_monitor_new(s);
}

bool qmp_monitor_add(const char *chardev_id, Error **errp)
{
    qmp_init();
    return qemu_chardev_open(chardev_id, monitor_new, NULL, errp);
}

bool qmp_monitor_add_inline(const char *spec, Error **errp)
{
    static unsigned count;
    g_autofree char *label = g_strdup_printf("compat_monitor%u", count++);

    qmp_init();
    return qemu_chardev_open_inline(label, spec, monitor_new, NULL, errp);
}

void qmp_cleanup(void)
{
    while (sessions) {
        qmp_session_free(sessions->data);
    }
    g_mutex_lock(&event_lock);
    if (event_flush_src) {
        g_source_remove(event_flush_src);
        event_flush_src = 0;
    }
    g_queue_clear_full(&event_queue, g_free);
    g_mutex_unlock(&event_lock);
}
