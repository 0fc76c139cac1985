/*
 * The QMP server.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "chardev/char.h"
#include "system/qmp.h"
#include "trace.h"
#include "vsmmu-version.h"

/* Bound on one request, so a client cannot make us buffer forever. */
#define QMP_MAX_REQUEST     (16 * 1024 * 1024)
#define QMP_MAX_DEPTH       1024

typedef struct Monitor {
    CharConn *conn;
    bool negotiated;
    /* The JSON object being received. */
    GString *buf;
    int depth;
    bool in_string;
    bool escape;
    bool junk;                  /* non-object input until end of line */
} Monitor;

static GHashTable *qmp_commands;    /* name -> QmpCommandFunc * */
static GList *monitors;             /* of Monitor * */
static GThread *main_thread;

static GMutex event_lock;
static GQueue event_queue;          /* of char *, serialized events */
static guint event_flush_src;

void qmp_register_command(const char *name, QmpCommandFunc *func)
{
    if (!qmp_commands) {
        qmp_commands = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_assert(!g_hash_table_contains(qmp_commands, name));
    g_hash_table_insert(qmp_commands, (gpointer)name, func);
}

bool qmp_command_exists(const char *name)
{
    return qmp_commands && g_hash_table_contains(qmp_commands, name);
}

bool qmp_check_args(JsonObject *args, const char *const *allowed,
                    Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        if (!g_strv_contains(allowed, l->data)) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return false;
        }
    }
    return true;
}

static char *node_to_string(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}

static void monitor_send(Monitor *mon, const char *json)
{
    g_autofree char *line = g_strdup_printf("%s\r\n", json);

    char_conn_write(mon->conn, line, strlen(line));
}

static void monitor_send_node(Monitor *mon, JsonNode *node)
{
    g_autofree char *json = node_to_string(node);

    monitor_send(mon, json);
}

static void event_broadcast(const char *json)
{
    for (GList *l = monitors; l; l = l->next) {
        Monitor *mon = l->data;

        if (mon->negotiated) {
            monitor_send(mon, json);
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

void qmp_send_event(const char *name, JsonObject *data)
{
    g_autoptr(JsonBuilder) b = json_builder_new_immutable();
    g_autoptr(JsonNode) root = NULL;
    gint64 now = g_get_real_time();
    char *json;

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
    json = node_to_string(root);
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

static void monitor_send_error(Monitor *mon, JsonNode *id,
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
    if (id) {
        json_builder_set_member_name(b, "id");
        json_builder_add_value(b, json_node_copy(id));
    }
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    monitor_send_node(mon, root);
}

static void monitor_send_return(Monitor *mon, JsonNode *id, JsonNode *ret)
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
    if (id) {
        json_builder_set_member_name(b, "id");
        json_builder_add_value(b, json_node_copy(id));
    }
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    monitor_send_node(mon, root);
}

static bool qmp_capabilities(Monitor *mon, JsonObject *args, Error **errp)
{
    static const char *const allowed[] = { "enable", NULL };
    JsonNode *enable;

    if (!qmp_check_args(args, allowed, errp)) {
        return false;
    }
    enable = json_object_get_member(args, "enable");
    if (enable) {
        JsonArray *caps;

        if (!JSON_NODE_HOLDS_ARRAY(enable)) {
            error_setg(errp, "Invalid parameter type for 'enable',"
                       " expected: array");
            return false;
        }
        caps = json_node_get_array(enable);
        if (json_array_get_length(caps)) {
            JsonNode *cap = json_array_get_element(caps, 0);

            error_setg(errp, "Capability '%s' not available",
                       JSON_NODE_HOLDS_VALUE(cap) &&
                       json_node_get_value_type(cap) == G_TYPE_STRING ?
                       json_node_get_string(cap) : "?");
            return false;
        }
    }
    mon->negotiated = true;
    return true;
}

static void monitor_dispatch(Monitor *mon, JsonObject *req)
{
    JsonNode *id = json_object_get_member(req, "id");
    JsonNode *exec = json_object_get_member(req, "execute");
    JsonNode *args_node = json_object_get_member(req, "arguments");
    g_autoptr(GList) members = json_object_get_members(req);
    g_autoptr(JsonObject) empty = NULL;
    JsonObject *args;
    const char *name;
    QmpCommandFunc *func;
    Error *err = NULL;
    JsonNode *ret;

    for (GList *l = members; l; l = l->next) {
        if (strcmp(l->data, "execute") && strcmp(l->data, "arguments") &&
            strcmp(l->data, "id")) {
            g_autofree char *desc =
                g_strdup_printf("QMP input member '%s' is unexpected",
                                (const char *)l->data);

            monitor_send_error(mon, id, "GenericError", desc);
            return;
        }
    }
    if (!exec) {
        monitor_send_error(mon, id, "GenericError",
                           "QMP input lacks member 'execute'");
        return;
    }
    if (!JSON_NODE_HOLDS_VALUE(exec) ||
        json_node_get_value_type(exec) != G_TYPE_STRING) {
        monitor_send_error(mon, id, "GenericError",
                           "QMP input member 'execute' must be a string");
        return;
    }
    if (args_node && !JSON_NODE_HOLDS_OBJECT(args_node)) {
        monitor_send_error(mon, id, "GenericError",
                           "QMP input member 'arguments' must be an object");
        return;
    }
    if (args_node) {
        args = json_node_get_object(args_node);
    } else {
        empty = json_object_new();
        args = empty;
    }
    name = json_node_get_string(exec);
    trace_qmp_command(name);

    if (!strcmp(name, "qmp_capabilities")) {
        if (mon->negotiated) {
            monitor_send_error(mon, id, "CommandNotFound",
                               "Capabilities negotiation is already"
                               " complete, command ignored");
        } else if (!qmp_capabilities(mon, args, &err)) {
            monitor_send_error(mon, id, "GenericError",
                               error_get_pretty(err));
            error_free(err);
        } else {
            monitor_send_return(mon, id, NULL);
        }
        return;
    }
    if (!mon->negotiated) {
        monitor_send_error(mon, id, "CommandNotFound",
                           "Expecting capabilities negotiation with"
                           " 'qmp_capabilities'");
        return;
    }
    func = qmp_commands ? g_hash_table_lookup(qmp_commands, name) : NULL;
    if (!func) {
        g_autofree char *desc =
            g_strdup_printf("The command %s has not been found", name);

        monitor_send_error(mon, id, "CommandNotFound", desc);
        return;
    }
    ret = func(args, &err);
    if (err) {
        g_assert(!ret);
        monitor_send_error(mon, id, "GenericError", error_get_pretty(err));
        error_free(err);
        return;
    }
    monitor_send_return(mon, id, ret);
}

static void monitor_handle_input(Monitor *mon, const char *text, size_t len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) gerr = NULL;
    JsonNode *root;

    if (!json_parser_load_from_data(parser, text, len, &gerr)) {
        g_autofree char *desc = g_strdup_printf("JSON parse error, %s",
                                                gerr->message);

        monitor_send_error(mon, NULL, "GenericError", desc);
        return;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        monitor_send_error(mon, NULL, "GenericError",
                           "QMP input must be a JSON object");
        return;
    }
    monitor_dispatch(mon, json_node_get_object(root));
}

/*
 * Split the byte stream into top-level JSON objects: count braces
 * outside strings.  Anything else at top level is an error reported
 * once per line.
 */
static void monitor_read(CharConn *c, const char *buf, size_t len,
                         void *opaque)
{
    Monitor *mon = opaque;

    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];

        if (mon->junk) {
            if (ch == '\n') {
                mon->junk = false;
                monitor_send_error(mon, NULL, "GenericError",
                                   "QMP input must be a JSON object");
            }
            continue;
        }
        if (mon->depth == 0) {
            if (g_ascii_isspace(ch)) {
                continue;
            }
            if (ch != '{') {
                mon->junk = true;
                continue;
            }
        }
        g_string_append_c(mon->buf, ch);
        if (mon->in_string) {
            if (mon->escape) {
                mon->escape = false;
            } else if (ch == '\\') {
                mon->escape = true;
            } else if (ch == '"') {
                mon->in_string = false;
            }
        } else if (ch == '"') {
            mon->in_string = true;
        } else if (ch == '{' || ch == '[') {
            mon->depth++;
        } else if (ch == '}' || ch == ']') {
            mon->depth--;
        }
        if (mon->depth == 0) {
            monitor_handle_input(mon, mon->buf->str, mon->buf->len);
            g_string_truncate(mon->buf, 0);
            mon->in_string = false;
        } else if (mon->buf->len > QMP_MAX_REQUEST ||
                   mon->depth > QMP_MAX_DEPTH) {
            monitor_send_error(mon, NULL, "GenericError",
                               "JSON parse error, request too large");
            g_string_truncate(mon->buf, 0);
            mon->depth = 0;
            mon->in_string = mon->escape = false;
            mon->junk = true;
        }
    }
}

static void monitor_free(Monitor *mon)
{
    monitors = g_list_remove(monitors, mon);
    g_string_free(mon->buf, TRUE);
    g_free(mon);
}

static void monitor_closed(CharConn *c, void *opaque)
{
    trace_qmp_monitor_closed(opaque);
    monitor_free(opaque);
}

static void monitor_new(CharConn *c, void *opaque)
{
    Monitor *mon = g_new0(Monitor, 1);
    g_autofree char *greeting = NULL;
    int major = 0, minor = 0, micro = 0;

    sscanf(VSMMU_VERSION, "%d.%d.%d", &major, &minor, &micro);
    mon->conn = c;
    mon->buf = g_string_new(NULL);
    monitors = g_list_append(monitors, mon);
    char_conn_set_handlers(c, monitor_read, monitor_closed, mon);
    trace_qmp_monitor_new(mon);
    greeting = g_strdup_printf("{\"QMP\": {\"version\": {\"qemu\": "
                               "{\"micro\": %d, \"minor\": %d, \"major\": %d},"
                               " \"package\": \"%s\"},"
                               " \"capabilities\": []}}",
                               micro, minor, major, VSMMU_PKGVERSION);
    monitor_send(mon, greeting);
}

static void qmp_init(void)
{
    if (!main_thread) {
        main_thread = g_thread_self();
        qmp_register_builtin_commands();
    }
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
    while (monitors) {
        monitor_free(monitors->data);
    }
    g_mutex_lock(&event_lock);
    if (event_flush_src) {
        g_source_remove(event_flush_src);
        event_flush_src = 0;
    }
    g_queue_clear_full(&event_queue, g_free);
    g_mutex_unlock(&event_lock);
}
