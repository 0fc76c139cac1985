/*
 * Secret objects (include/qemu/secret.h).  Owns the secrets' bytes, in
 * the object registry under their ids and in the list below; wiped on
 * free.  Main thread only: no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/fd-registry.h"
#include "qemu/object-registry.h"
#include "qemu/secret.h"
#include "qom/object.h"

/* A secret file is a key, not a data set: bound what we read. */
#define SECRET_MAX_SIZE (64 * 1024)

typedef struct Secret {
    char *id;
    uint8_t *data;              /* decoded */
    size_t len;
    char *given;                /* "data" as given, or NULL */
    char *file;                 /* "file", or NULL */
    bool base64;                /* format=base64 */
} Secret;

static GPtrArray *secrets;      /* of Secret * */

static void secret_free(Secret *s)
{
    if (s->data) {
        memset(s->data, 0, s->len);
        g_free(s->data);
    }
    if (s->given) {
        memset(s->given, 0, strlen(s->given));
        g_free(s->given);
    }
    g_free(s->file);
    g_free(s->id);
    g_free(s);
}

static bool read_secret_file(const char *path, GByteArray *out, Error **errp)
{
    Error *local_err = NULL;
    int fd = qemu_open(path, O_RDONLY, &local_err);
    uint8_t buf[4096];
    ssize_t n;

    if (fd < 0) {
        error_setg(errp, "Unable to read %s: %s", path,
                   error_get_pretty(local_err));
        error_free(local_err);
        return false;
    }
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 || out->len + n > SECRET_MAX_SIZE) {
            if (n < 0) {
                error_setg_errno(errp, errno, "Unable to read %s", path);
            } else {
                error_setg(errp, "Unable to read %s: larger than %d bytes",
                           path, SECRET_MAX_SIZE);
            }
            memset(buf, 0, sizeof(buf));
            close(fd);
            return false;
        }
        g_byte_array_append(out, buf, n);
    }
    memset(buf, 0, sizeof(buf));
    close(fd);
    return true;
}

/* QEMU's qbase64_decode() checks: no NUL, only the base64 alphabet. */
static bool base64_decode(Secret *s, const uint8_t *in, size_t len,
                          Error **errp)
{
    g_autofree char *text = NULL;
    size_t i, pad = 0;
    gsize out_len;

    if (memchr(in, '\0', len)) {
        error_setg(errp, "Base64 data contains embedded NUL characters");
        return false;
    }
    for (i = 0; i < len; i++) {
        char c = in[i];

        if (c == '=') {
            pad++;
        } else if (pad || !(g_ascii_isalnum(c) || c == '+' || c == '/')) {
            break;
        }
    }
    if (i < len || len % 4 || pad > 2) {
        error_setg(errp, "Base64 data contains invalid characters");
        return false;
    }
    text = g_strndup((const char *)in, len);
    s->data = g_base64_decode(text, &out_len);
    s->len = out_len;
    memset(text, 0, len);
    return true;
}

static bool secret_load(Secret *s, QemuOpts *opts, Error **errp)
{
    const char *data = qemu_opt_get_str(opts, "data", NULL);
    const char *file = qemu_opt_get_str(opts, "file", NULL);
    const char *format = qemu_opt_get_str(opts, "format", NULL);
    g_autoptr(GByteArray) raw = g_byte_array_new();
    bool ok = true;

    if (format && strcmp(format, "raw") && strcmp(format, "base64")) {
        error_setg(errp, "Parameter 'format' does not accept value '%s'",
                   format);
        return false;
    }
    if (qemu_opt_find(opts, "keyid") || qemu_opt_find(opts, "iv")) {
        error_setg(errp, "secret '%s': keyid/iv (a secret encrypted with"
                   " another one) is not supported: vsmmu-daemon has no"
                   " consumer of secrets to decrypt it for", s->id);
        return false;
    }
    if (data && file) {
        error_setg(errp, "'data' and 'file' are mutually exclusive");
        return false;
    }
    if (!data && !file) {
        error_setg(errp, "Either 'file' or 'data' must be provided");
        return false;
    }
    s->given = g_strdup(data);
    s->file = g_strdup(file);
    s->base64 = format && !strcmp(format, "base64");
    if (data) {
        g_byte_array_append(raw, (const guint8 *)data, strlen(data));
    } else if (!read_secret_file(file, raw, errp)) {
        return false;
    }
    if (format && !strcmp(format, "base64")) {
        ok = base64_decode(s, raw->data, raw->len, errp);
    } else {
        s->len = raw->len;
        s->data = g_memdup2(raw->data, raw->len);
    }
    memset(raw->data, 0, raw->len);
    return ok;
}

bool secret_create(const char *id, QemuOpts *opts, Error **errp)
{
    static const char *const props[] = {
        "qom-type", "id", "data", "file", "format", "keyid", "iv", "loaded",
        NULL
    };
    Secret *s;

    for (guint i = 0; i < qemu_opts_count(opts); i++) {
        const char *name = qemu_opts_nth(opts, i)->name;

        if (!g_strv_contains(props, name)) {
            error_setg(errp, "Property '%s.%s' not found", TYPE_SECRET,
                       name);
            return false;
        }
    }
    s = g_new0(Secret, 1);
    s->id = g_strdup(id);
    if (!secret_load(s, opts, errp) ||
        !object_registry_add(id, TYPE_SECRET, s, errp)) {
        secret_free(s);
        return false;
    }
    if (!secrets) {
        secrets = g_ptr_array_new();
    }
    g_ptr_array_add(secrets, s);
    return true;
}

const uint8_t *secret_lookup(const char *id, size_t *len)
{
    Secret *s = object_registry_lookup(id, TYPE_SECRET);

    if (!s) {
        return NULL;
    }
    *len = s->len;
    return s->data;
}

void secret_delete(const char *id)
{
    Secret *s = object_registry_lookup(id, TYPE_SECRET);

    if (s) {
        object_registry_remove(id);
        g_ptr_array_remove(secrets, s);
        secret_free(s);
    }
}

void secret_cleanup(void)
{
    for (guint i = 0; secrets && i < secrets->len; i++) {
        Secret *s = g_ptr_array_index(secrets, i);

        if (object_registry_lookup(s->id, TYPE_SECRET) == s) {
            object_registry_remove(s->id);
        }
        secret_free(s);
    }
    g_clear_pointer(&secrets, g_ptr_array_unref);
}

/* ---- the type (-object secret) ------------------------------------- */

static const char *const secret_interfaces[] = {
    TYPE_USER_CREATABLE, NULL
};

static const TypePropertyInfo secret_common_props[] = {
    { "format", "QCryptoSecretFormat", "raw (default) or base64" },
    { "keyid", "string", "the secret this one is encrypted with" },
    { "iv", "string", "the AES initialization vector, base64" },
    { "loaded", "bool", NULL },
    { NULL }
};

static const TypePropertyInfo secret_props[] = {
    { "data", "string", "the secret itself" },
    { "file", "string", "a file holding the secret" },
    { NULL }
};

/*
 * qom-get, as QEMU answers it: "data" and "file" as given ("" if not),
 * "loaded" true (a secret exists only once loaded), "keyid" and "iv"
 * "" (refused at creation).
 */
static bool secret_get_property(const void *obj, const char *name,
                                QomValue *v)
{
    const Secret *s = obj;
    const char *str = NULL;

    v->kind = QOM_VALUE_STRING;
    if (!strcmp(name, "loaded")) {
        v->kind = QOM_VALUE_BOOL;
        v->b = true;
        return true;
    } else if (!strcmp(name, "format")) {
        str = s->base64 ? "base64" : "raw";
    } else if (!strcmp(name, "data")) {
        str = s->given;
    } else if (!strcmp(name, "file")) {
        str = s->file;
    } else if (strcmp(name, "keyid") && strcmp(name, "iv")) {
        return false;
    }
    v->s = g_strdup(str ? str : "");
    return true;
}

/* QEMU's: an abstract "secret_common" under the concrete "secret". */
static const TypeInfo secret_types[] = {
    { .name = "secret_common", .parent = TYPE_OBJECT, .abstract = true,
      .interfaces = secret_interfaces, .props = secret_common_props,
      .get_property = secret_get_property },
    { .name = TYPE_SECRET, .parent = "secret_common", .props = secret_props },
};

static void secret_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(secret_types); i++) {
        type_register_static(&secret_types[i]);
    }
}

type_init(secret_register_types)
