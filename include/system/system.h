/*
 * vsmmu-daemon start-up and shutdown (system/vl.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

/*
 * Parse the command line and build everything it describes.  Returns -1
 * when the daemon should run its main loop, otherwise the exit status
 * (0 after -help or -version, 1 after an error, already reported).
 */
int qemu_init(int argc, char **argv);
/* -name guest=NAME (NULL if not given) and -uuid (all zeros if not). */
const char *qemu_vm_name(void);
const char *qemu_vm_uuid(void);
/* Tear down in reverse order. */
void qemu_cleanup(void);

#endif /* SYSTEM_SYSTEM_H */
