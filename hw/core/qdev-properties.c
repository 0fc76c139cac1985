/*
 * Device properties: defaults, parsing, help.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"

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

bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     Error **errp)
{
    const Property *prop = find_settable(dev, name, errp);

    if (!prop) {
        return false;
    }
    switch (prop->type) {
    case PROP_TYPE_BOOL: {
        bool b;

        if (!parse_bool(value, &b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
            return false;
        }
        *(bool *)field(dev, prop) = b;
        return true;
    }
    case PROP_TYPE_UINT8:
    case PROP_TYPE_UINT16:
    case PROP_TYPE_UINT32:
    case PROP_TYPE_UINT64: {
        uint64_t v;
        char *end;

        /* Decimal, 0x hex or 0 octal, as QEMU's number parser. */
        errno = 0;
        v = g_ascii_strtoull(value, &end, 0);
        if (!g_ascii_isdigit(value[0]) || *end || errno) {
            error_setg(errp, "Parameter '%s' expects %s", name,
                       prop->type_name);
            return false;
        }
        return set_uint_checked(dev, prop, v, errp);
    }
    case PROP_TYPE_ENUM:
        for (int i = 0; prop->enum_names[i]; i++) {
            if (!strcmp(prop->enum_names[i], value)) {
                *(int *)field(dev, prop) = i;
                return true;
            }
        }
        error_setg(errp, "Parameter '%s' does not accept value '%s'", name,
                   value);
        return false;
    case PROP_TYPE_STRING:
    case PROP_TYPE_LINK:
        g_free(*(char **)field(dev, prop));
        *(char **)field(dev, prop) = g_strdup(value);
        return true;
    default:
        g_assert_not_reached();
    }
}

bool qdev_prop_set_bool(DeviceState *dev, const char *name, bool value,
                        Error **errp)
{
    const Property *prop = find_settable(dev, name, errp);

    if (!prop) {
        return false;
    }
    if (prop->type != PROP_TYPE_BOOL) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, prop->type_name);
        return false;
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
    default:
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, prop->type_name);
        return false;
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
    default:
        return g_strdup_printf("%" PRIu64, load_uint(dev, prop));
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
    default:
        return g_strdup_printf("%" PRIu64, p->defval);
    }
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
