/*
 * The registry of user-visible objects by id: "-object TYPE,id=ID" and
 * "-device ...,id=ID" share one namespace, as in QEMU, so a device can
 * resolve a link property ("iommufd=iommufd0", "iothread=io0",
 * "primary-bus=pcie.0") to the object it names.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_OBJECT_REGISTRY_H
#define QEMU_OBJECT_REGISTRY_H

#include "qapi/error.h"

/* Fails with "Duplicate ID 'ID' for TYPE" if the id is taken. */
bool object_registry_add(const char *id, const char *type, void *obj,
                         Error **errp);
bool object_registry_remove(const char *id);
/* The object with this id, if its type is TYPE (or TYPE is NULL). */
void *object_registry_lookup(const char *id, const char *type);
/* The type of the object with this id, or NULL. */
const char *object_registry_type(const char *id);
/*
 * Resolve a link property: the object with this id and type, else an
 * error naming the property, e.g.
 *   Property 'vfio-pci.iommufd' can't find value 'x'
 *   Property 'arm-smmuv3.primary-bus' expects a PCI bus, 'io0' is an iothread
 */
void *object_registry_resolve(const char *owner_type, const char *prop,
                              const char *id, const char *type,
                              Error **errp);
/* Calls func for every object of TYPE (all if NULL), in insertion order. */
void object_registry_foreach(const char *type,
                             void (*func)(const char *id, const char *type,
                                          void *obj, void *opaque),
                             void *opaque);
/* Forget everything (tests). */
void object_registry_clear(void);

#endif /* QEMU_OBJECT_REGISTRY_H */
