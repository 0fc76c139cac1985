/*
 * Thread names, as QEMU's -name debug-threads=on gives them.
 *
 * Off by default, as in QEMU: threads then keep the process's name.
 * With naming on, an IOThread is "IO <id>" and a KVM vCPU "CPU N/KVM".
 * The switch is set once, while parsing the command line, before any
 * thread starts; it is read without a lock afterwards.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_THREAD_H
#define QEMU_THREAD_H

void qemu_thread_naming(bool enable);
bool qemu_thread_naming_enabled(void);

#endif /* QEMU_THREAD_H */
