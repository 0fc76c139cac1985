/*
 * vsmmu-daemon start-up and shutdown (system/vl.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

#include "qapi/error.h"
#include <json-glib/json-glib.h>

/*
 * Parse the command line and build everything it describes.  Returns -1
 * when the daemon should run its main loop, otherwise the exit status
 * (0 after -help or -version, 1 after an error, already reported).
 */
int qemu_init(int argc, char **argv);
/* -name guest=NAME (NULL if not given) and -uuid (all zeros if not). */
const char *qemu_vm_name(void);
const char *qemu_vm_uuid(void);
/*
 * QMP object-add (arguments as -object in JSON form) and object-del:
 *   object 'ID' not found
 *   object 'ID' is in use, can not be deleted
 * Only iommufd and secret objects can be deleted.
 */
bool qemu_object_add(JsonObject *args, Error **errp);
bool qemu_object_del(const char *id, Error **errp);
/* Tear down in reverse order. */
void qemu_cleanup(void);

#endif /* SYSTEM_SYSTEM_H */
