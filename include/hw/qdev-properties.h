/*
 * Device properties.
 *
 * A Property describes one field of a device's state struct: its name,
 * type, default and description.  Values come from the command line
 * (key=value strings or typed JSON) before realize and are shown by
 * "-device TYPE,help".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_QDEV_PROPERTIES_H
#define HW_QDEV_PROPERTIES_H

#include "hw/qdev-core.h"

typedef struct QemuOpts QemuOpts;

typedef enum PropertyType {
    PROP_TYPE_END = 0,
    PROP_TYPE_BOOL,             /* bool */
    PROP_TYPE_UINT8,            /* uint8_t */
    PROP_TYPE_UINT16,           /* uint16_t */
    PROP_TYPE_UINT32,           /* uint32_t */
    PROP_TYPE_UINT64,           /* uint64_t */
    PROP_TYPE_STRING,           /* char *, owned by the device */
    PROP_TYPE_ENUM,             /* int, value is an index in enum_names */
    PROP_TYPE_LINK,             /* char *, the id of another object */
    PROP_TYPE_PCI_DEVFN,        /* int32_t, slot << 3 | function, -1 unset */
} PropertyType;

/* QEMU's OnOffAuto, in its order. */
typedef enum OnOffAuto {
    ON_OFF_AUTO_AUTO = 0,
    ON_OFF_AUTO_ON = 1,
    ON_OFF_AUTO_OFF = 2,
} OnOffAuto;

extern const char *const on_off_auto_names[];   /* "auto", "on", "off" */

struct Property {
    const char *name;
    PropertyType type;
    size_t offset;
    uint64_t defval;            /* numbers, bool, enum index */
    const char *defstr;         /* strings; NULL means unset */
    const char *const *enum_names;  /* PROP_TYPE_ENUM, NULL terminated */
    const char *type_name;      /* shown in help: "OnOffAuto", "link<PCI>" */
    const char *description;
};

#define DEFINE_PROP_BOOL(_n, _s, _f, _d, _desc) \
    { .name = (_n), .type = PROP_TYPE_BOOL, .offset = offsetof(_s, _f), \
      .defval = (_d), .type_name = "bool", .description = (_desc) }
#define DEFINE_PROP_UINT8(_n, _s, _f, _d, _desc) \
    { .name = (_n), .type = PROP_TYPE_UINT8, .offset = offsetof(_s, _f), \
      .defval = (_d), .type_name = "uint8", .description = (_desc) }
#define DEFINE_PROP_UINT16(_n, _s, _f, _d, _desc) \
    { .name = (_n), .type = PROP_TYPE_UINT16, .offset = offsetof(_s, _f), \
      .defval = (_d), .type_name = "uint16", .description = (_desc) }
#define DEFINE_PROP_UINT32(_n, _s, _f, _d, _desc) \
    { .name = (_n), .type = PROP_TYPE_UINT32, .offset = offsetof(_s, _f), \
      .defval = (_d), .type_name = "uint32", .description = (_desc) }
#define DEFINE_PROP_UINT64(_n, _s, _f, _d, _desc) \
    { .name = (_n), .type = PROP_TYPE_UINT64, .offset = offsetof(_s, _f), \
      .defval = (_d), .type_name = "uint64", .description = (_desc) }
#define DEFINE_PROP_STRING(_n, _s, _f, _desc) \
    { .name = (_n), .type = PROP_TYPE_STRING, .offset = offsetof(_s, _f), \
      .type_name = "str", .description = (_desc) }
#define DEFINE_PROP_ENUM(_n, _s, _f, _d, _names, _tn, _desc) \
    { .name = (_n), .type = PROP_TYPE_ENUM, .offset = offsetof(_s, _f), \
      .defval = (_d), .enum_names = (_names), .type_name = (_tn), \
      .description = (_desc) }
#define DEFINE_PROP_ON_OFF_AUTO(_n, _s, _f, _d, _desc) \
    DEFINE_PROP_ENUM(_n, _s, _f, _d, on_off_auto_names, "OnOffAuto", _desc)
/* _tn is the linked type as help shows it: "link<iommufd>". */
#define DEFINE_PROP_LINK(_n, _s, _f, _tn, _desc) \
    { .name = (_n), .type = PROP_TYPE_LINK, .offset = offsetof(_s, _f), \
      .type_name = (_tn), .description = (_desc) }
/*
 * A PCI slot and function, "SLOT[.FN]" in hex ("1f.7", "0x3", "4") or,
 * from JSON, the devfn number; -1 (the default) means "first free".
 */
#define DEFINE_PROP_PCI_DEVFN(_n, _s, _f, _desc) \
    { .name = (_n), .type = PROP_TYPE_PCI_DEVFN, .offset = offsetof(_s, _f), \
      .defval = (uint64_t)-1, .type_name = "int32", .description = (_desc) }
#define DEFINE_PROP_END_OF_LIST() { .name = NULL }

const Property *qdev_prop_find(const DeviceClass *dc, const char *name);

/*
 * Set a property from its command-line string form ("on", "20", "auto",
 * "pcie.0").  Numbers are decimal, 0x hex or 0 octal and must fit the
 * property's width.  Errors follow QEMU's wording, e.g.
 *   Property 'arm-smmuv3.bogus' not found
 *   Parameter 'accel' expects 'on' or 'off'
 *   Parameter 'ssidsize' does not accept value '21'
 *   Property pxb-pcie.bus_nr doesn't take value 256 (minimum: 0, maximum: 255)
 *   Property 'vfio-pci.addr' doesn't take value '0x20'
 * Only valid before realize.
 */
bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     Error **errp);
/*
 * Typed setters, for JSON (-device {...}, device_add), which QEMU types
 * strictly: a JSON string sets only string, link, enum and PCI address
 * properties; a boolean only bool ones; a number only unsigned ones
 * (and a PCI address, as its devfn).  Otherwise, e.g.
 *   Invalid parameter type for 'accel', expected: boolean
 */
bool qdev_prop_set_str(DeviceState *dev, const char *name, const char *value,
                       Error **errp);
bool qdev_prop_set_bool(DeviceState *dev, const char *name, bool value,
                        Error **errp);
bool qdev_prop_set_uint(DeviceState *dev, const char *name, uint64_t value,
                        Error **errp);

/* The current value as a string ("on"/"off" for bool); caller frees. */
char *qdev_prop_get_string(DeviceState *dev, const Property *prop);

/*
 * The current value of a property that is not a string or link: bool
 * 0/1, an enum's index, a PCI devfn (-1 as (uint64_t)-1 when unset),
 * the number.
 */
uint64_t qdev_prop_get_uint(DeviceState *dev, const Property *prop);

/* Apply defaults (used by qdev_new) and free owned strings. */
void qdev_prop_set_defaults(DeviceState *dev);
void qdev_prop_free_values(DeviceState *dev);

/* The text of "-device TYPE,help": "TYPE options:\n  name=<type> ..." */
char *qdev_class_help(const DeviceClass *dc);
/*
 * Do OPTS (-device, HMP device_add) ask for help, "help" or "TYPE,help"?
 * Then true, with the text in *HELP, or an error for an unknown type
 * (QEMU's "'TYPE' is not a valid device model name").
 */
bool qdev_opts_help(QemuOpts *opts, char **help, Error **errp);

#endif /* HW_QDEV_PROPERTIES_H */
