/*
 * Secrets: -object secret,id=ID,data=TEXT|file=PATH[,format=raw|base64]
 * (util/secret.c), as libvirt passes its per-domain master key.
 *
 * The value is read (a file through qemu_open(), so /dev/fdset/N works)
 * and validated when the object is created, kept for the daemon's life
 * and wiped when freed.  vsmmu has no consumer of secrets (no disks, no
 * TLS, no encrypted storage): a secret encrypted with another one
 * (keyid=, iv=) is refused rather than kept undecrypted.  Main thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_SECRET_H
#define QEMU_SECRET_H

#include "qemu/option.h"

#define TYPE_SECRET "secret"

/* Create secret ID from -object options and register it. */
bool secret_create(const char *id, QemuOpts *opts, Error **errp);
/* The raw bytes of secret ID (NULL if none): *LEN gets their number. */
const uint8_t *secret_lookup(const char *id, size_t *len);
/* Wipe and forget secret ID, if any. */
void secret_delete(const char *id);
/* Wipe and free every secret. */
void secret_cleanup(void);

#endif /* QEMU_SECRET_H */
