/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#ifndef MINI_EXIT_H
#define MINI_EXIT_H

/*
 * Leave QEMU through isa-debug-exit (iobase 0xf4): QEMU exits with
 * (code << 1) | 1.  Without that device we halt forever.
 */
void	mini_exit(int code) __attribute__((noreturn));

#endif /* MINI_EXIT_H */
