/*
 * QEMU's identifiers: the form of the ids of -device, -object,
 * -chardev and device_add.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_ID_H
#define QEMU_ID_H

/*
 * A letter, then letters, digits, '-', '.', '_'.  Callers refuse other
 * ids with "Parameter 'id' expects an identifier".
 */
bool id_wellformed(const char *id);

#endif /* QEMU_ID_H */
