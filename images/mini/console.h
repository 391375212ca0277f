/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* COM1 console and the kernel's printf family. */

#ifndef MINI_CONSOLE_H
#define MINI_CONSOLE_H

#include "types.h"

void	console_init(void);
void	console_enable_rx_intr(void);
void	console_putc(char c);
int	console_getc(void);		/* -1 when nothing is waiting */
void	console_rx_poll(void);

int	printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	vprintf(const char *fmt, va_list ap);
int	snprintf(char *buf, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);

void	panic(const char *fmt, ...) __attribute__((noreturn,
	    format(printf, 1, 2)));

#endif /* MINI_CONSOLE_H */
