/*
 * Device properties: defaults, parsing, help.
 *
 * Owns the conversion of option values into device fields: the string
 * form of the command line's key=value syntax and the typed values of
 * JSON.  Every number is range-checked against the field's width before
 * it is stored.  Callers hold no lock; properties are set on the main
 * thread before realize.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "qemu/option.h"
#include "qemu/pci-addr.h"

const char *const on_off_auto_names[] = { "auto", "on", "off", NULL };

static void *field(DeviceState *dev, const Property *prop)
{
    return (uint8_t *)dev + prop->offset;
}

const Property *qdev_prop_find(const DeviceClass *dc, const char *name)
{
    for (const Property *p = dc->props; p && p->name; p++) {
        if (strcmp(p->name, name) == 0) {
            return p;
        }
    }
    return NULL;
}

static uint64_t type_max(PropertyType type)
{
    switch (type) {
    case PROP_TYPE_UINT8:
        return UINT8_MAX;
    case PROP_TYPE_UINT16:
        return UINT16_MAX;
    case PROP_TYPE_UINT32:
        return UINT32_MAX;
    default:
        return UINT64_MAX;
    }
}

static void store_uint(DeviceState *dev, const Property *prop, uint64_t v)
{
    switch (prop->type) {
    case PROP_TYPE_UINT8:
        *(uint8_t *)field(dev, prop) = v;
        break;
    case PROP_TYPE_UINT16:
        *(uint16_t *)field(dev, prop) = v;
        break;
    case PROP_TYPE_UINT32:
        *(uint32_t *)field(dev, prop) = v;
        break;
    case PROP_TYPE_UINT64:
        *(uint64_t *)field(dev, prop) = v;
        break;
    default:
        g_assert_not_reached();
    }
}

static uint64_t load_uint(DeviceState *dev, const Property *prop)
{
    switch (prop->type) {
    case PROP_TYPE_UINT8:
        return *(uint8_t *)field(dev, prop);
    case PROP_TYPE_UINT16:
        return *(uint16_t *)field(dev, prop);
    case PROP_TYPE_UINT32:
        return *(uint32_t *)field(dev, prop);
    case PROP_TYPE_UINT64:
        return *(uint64_t *)field(dev, prop);
    default:
        g_assert_not_reached();
    }
}

void qdev_prop_set_defaults(DeviceState *dev)
{
    for (const Property *p = dev->klass->props; p && p->name; p++) {
        switch (p->type) {
        case PROP_TYPE_BOOL:
            *(bool *)field(dev, p) = p->defval;
            break;
        case PROP_TYPE_ENUM:
            *(int *)field(dev, p) = (int)p->defval;
            break;
        case PROP_TYPE_PCI_DEVFN:
            *(int32_t *)field(dev, p) = (int32_t)p->defval;
            break;
        case PROP_TYPE_STRING:
        case PROP_TYPE_LINK:
            *(char **)field(dev, p) = g_strdup(p->defstr);
            break;
        case PROP_TYPE_END:
            break;
        default:
            store_uint(dev, p, p->defval);
            break;
        }
    }
}

void qdev_prop_free_values(DeviceState *dev)
{
    for (const Property *p = dev->klass->props; p && p->name; p++) {
        if (p->type == PROP_TYPE_STRING || p->type == PROP_TYPE_LINK) {
            g_clear_pointer((char **)field(dev, p), g_free);
        }
    }
}

static const Property *find_settable(DeviceState *dev, const char *name,
                                     Error **errp)
{
    const Property *prop = qdev_prop_find(dev->klass, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found", dev->klass->name,
                   name);
        return NULL;
    }
    if (dev->realized) {
        error_setg(errp, "Attempt to set property '%s' on device '%s'"
                   " after it was realized", name,
                   dev->id ? dev->id : dev->klass->name);
        return NULL;
    }
    return prop;
}

/* The JSON type a property takes, as QEMU's errors name it. */
static const char *json_type_name(const Property *prop)
{
    switch (prop->type) {
    case PROP_TYPE_BOOL:
        return "boolean";
    case PROP_TYPE_STRING:
    case PROP_TYPE_LINK:
    case PROP_TYPE_ENUM:
    case PROP_TYPE_PCI_DEVFN:
        return "string";
    default:
        return prop->type_name;
    }
}

static bool wrong_type(const Property *prop, Error **errp)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               prop->name, json_type_name(prop));
    return false;
}

static bool parse_bool(const char *value, bool *out)
{
    if (!strcmp(value, "on") || !strcmp(value, "yes") ||
        !strcmp(value, "true") || !strcmp(value, "y")) {
        *out = true;
        return true;
    }
    if (!strcmp(value, "off") || !strcmp(value, "no") ||
        !strcmp(value, "false") || !strcmp(value, "n")) {
        *out = false;
        return true;
    }
    return false;
}

static bool set_uint_checked(DeviceState *dev, const Property *prop,
                             uint64_t v, Error **errp)
{
    if (v > type_max(prop->type)) {
        error_setg(errp, "Property %s.%s doesn't take value %" PRIu64
                   " (minimum: 0, maximum: %" PRIu64 ")", dev->klass->name,
                   prop->name, v, type_max(prop->type));
        return false;
    }
    store_uint(dev, prop, v);
    return true;
}

/*
 * An unsigned number: decimal, 0x hex or 0 octal, as QEMU's number
 * parser; no sign, no blanks, nothing after it, no overflow.
 */
static bool parse_uint(const char *value, uint64_t *out)
{
    char *end;

    if (!g_ascii_isdigit(value[0])) {
        return false;
    }
    errno = 0;
    *out = g_ascii_strtoull(value, &end, 0);
    return !errno && end != value && !*end;
}

static bool set_devfn_str(DeviceState *dev, const Property *prop,
                          const char *value, Error **errp)
{
    int32_t devfn;

    if (!qemu_parse_pci_devfn(value, &devfn)) {
        error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
                   dev->klass->name, prop->name, value);
        return false;
    }
    *(int32_t *)field(dev, prop) = devfn;
    return true;
}

static bool set_enum(DeviceState *dev, const Property *prop,
                     const char *value, Error **errp)
{
    for (int i = 0; prop->enum_names[i]; i++) {
        if (!strcmp(prop->enum_names[i], value)) {
            *(int *)field(dev, prop) = i;
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'", prop->name,
               value);
    return false;
}

/* String, link, enum and PCI address: the types JSON gives as strings. */
static bool set_from_str(DeviceState *dev, const Property *prop,
                         const char *value, Error **errp)
{
    switch (prop->type) {
    case PROP_TYPE_ENUM:
        return set_enum(dev, prop, value, errp);
    case PROP_TYPE_PCI_DEVFN:
        return set_devfn_str(dev, prop, value, errp);
    case PROP_TYPE_STRING:
    case PROP_TYPE_LINK:
        g_free(*(char **)field(dev, prop));
        *(char **)field(dev, prop) = g_strdup(value);
        return true;
    default:
        return wrong_type(prop, errp);
    }
}

bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     Error **errp)
{
    const Property *prop = find_settable(dev, name, errp);
    uint64_t v;
    bool b;

    if (!prop) {
        return false;
    }
    switch (prop->type) {
    case PROP_TYPE_BOOL:
        if (!parse_bool(value, &b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
            return false;
        }
        *(bool *)field(dev, prop) = b;
        return true;
    case PROP_TYPE_UINT8:
    case PROP_TYPE_UINT16:
    case PROP_TYPE_UINT32:
    case PROP_TYPE_UINT64:
        if (!parse_uint(value, &v)) {
            error_setg(errp, "Parameter '%s' expects %s", name,
                       prop->type_name);
            return false;
        }
        return set_uint_checked(dev, prop, v, errp);
    default:
        return set_from_str(dev, prop, value, errp);
    }
}

bool qdev_prop_set_str(DeviceState *dev, const char *name, const char *value,
                       Error **errp)
{
    const Property *prop = find_settable(dev, name, errp);

    return prop && set_from_str(dev, prop, value, errp);
}

bool qdev_prop_set_bool(DeviceState *dev, const char *name, bool value,
                        Error **errp)
{
    const Property *prop = find_settable(dev, name, errp);

    if (!prop) {
        return false;
    }
    if (prop->type != PROP_TYPE_BOOL) {
        return wrong_type(prop, errp);
    }
    *(bool *)field(dev, prop) = value;
    return true;
}

bool qdev_prop_set_uint(DeviceState *dev, const char *name, uint64_t value,
                        Error **errp)
{
    const Property *prop = find_settable(dev, name, errp);

    if (!prop) {
        return false;
    }
    switch (prop->type) {
    case PROP_TYPE_UINT8:
    case PROP_TYPE_UINT16:
    case PROP_TYPE_UINT32:
    case PROP_TYPE_UINT64:
        return set_uint_checked(dev, prop, value, errp);
    case PROP_TYPE_PCI_DEVFN:
        /* A JSON number is the devfn itself, as in QEMU. */
        if (value > 255) {
            error_setg(errp, "Parameter '%s' expects a value between -1 and"
                       " 255", name);
            return false;
        }
        *(int32_t *)field(dev, prop) = value;
        return true;
    default:
        return wrong_type(prop, errp);
    }
}

char *qdev_prop_get_string(DeviceState *dev, const Property *prop)
{
    switch (prop->type) {
    case PROP_TYPE_BOOL:
        return g_strdup(*(bool *)field(dev, prop) ? "on" : "off");
    case PROP_TYPE_ENUM:
        return g_strdup(prop->enum_names[*(int *)field(dev, prop)]);
    case PROP_TYPE_STRING:
    case PROP_TYPE_LINK:
        return g_strdup(*(char **)field(dev, prop));
    case PROP_TYPE_PCI_DEVFN: {
        int32_t devfn = *(int32_t *)field(dev, prop);

        return devfn < 0 ? g_strdup("<unset>")
                         : g_strdup_printf("%02x.%x", devfn >> 3, devfn & 7);
    }
    default:
        return g_strdup_printf("%" PRIu64, load_uint(dev, prop));
    }
}

uint64_t qdev_prop_get_uint(DeviceState *dev, const Property *prop)
{
    switch (prop->type) {
    case PROP_TYPE_BOOL:
        return *(bool *)field(dev, prop);
    case PROP_TYPE_ENUM:
        return *(int *)field(dev, prop);
    case PROP_TYPE_PCI_DEVFN:
        return (uint64_t)(int64_t)*(int32_t *)field(dev, prop);
    default:
        return load_uint(dev, prop);
    }
}

static char *default_string(const Property *p)
{
    switch (p->type) {
    case PROP_TYPE_BOOL:
        return g_strdup(p->defval ? "true" : "false");
    case PROP_TYPE_ENUM:
        return g_strdup_printf("\"%s\"", p->enum_names[p->defval]);
    case PROP_TYPE_STRING:
    case PROP_TYPE_LINK:
        return p->defstr ? g_strdup_printf("\"%s\"", p->defstr) : NULL;
    case PROP_TYPE_PCI_DEVFN:
        return g_strdup_printf("%d", (int32_t)p->defval);
    default:
        return g_strdup_printf("%" PRIu64, p->defval);
    }
}

bool qdev_opts_help(QemuOpts *opts, char **help, Error **errp)
{
    const char *driver;
    const DeviceClass *dc;

    *help = NULL;
    if (qemu_opts_is_json(opts)) {
        return false;
    }
    driver = qemu_opt_get_str(opts, "driver", NULL);
    /* "?" is QEMU's older spelling of "help". */
    if (driver && (!strcmp(driver, "help") || !strcmp(driver, "?"))) {
        *help = qdev_device_list_help();
        return true;
    }
    if (!driver || !qemu_opt_find(opts, "help")) {
        return false;
    }
    dc = device_class_find(driver);
    if (!dc) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return true;
    }
    *help = qdev_class_help(dc);
    return true;
}

char *qdev_class_help(const DeviceClass *dc)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "%s options:\n", dc->name);
    for (const Property *p = dc->props; p && p->name; p++) {
        g_autofree char *lhs = g_strdup_printf("%s=<%s>", p->name,
                                               p->type_name);
        g_autofree char *def = default_string(p);

        g_string_append_printf(s, "  %-24s", lhs);
        if (p->description || def) {
            g_string_append(s, " -");
        }
        if (p->description) {
            g_string_append_printf(s, " %s", p->description);
        }
        if (def) {
            g_string_append_printf(s, " (default: %s)", def);
        }
        g_string_append_c(s, '\n');
    }
    if (dc->help_note) {
        g_string_append_printf(s, "\n%s\n", dc->help_note);
    }
    return g_string_free(s, FALSE);
}
