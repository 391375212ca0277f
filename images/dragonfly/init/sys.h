/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * System calls of our DragonFly init.  Each returns what the kernel
 * returns, or minus the errno when the call failed (the kernel sets the
 * carry flag and leaves the errno in %rax).
 */

#ifndef INIT_SYS_H
#define INIT_SYS_H

#include "dfly_abi.h"

long	sys_call(long num, long a1, long a2, long a3, long a4, long a5,
	    long a6);

#define SYSCALL0(n)		sys_call((n), 0, 0, 0, 0, 0, 0)
#define SYSCALL1(n, a)		sys_call((n), (long)(a), 0, 0, 0, 0, 0)
#define SYSCALL2(n, a, b)	sys_call((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYSCALL3(n, a, b, c) \
	sys_call((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYSCALL4(n, a, b, c, d) \
	sys_call((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYSCALL5(n, a, b, c, d, e) \
	sys_call((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define SYSCALL6(n, a, b, c, d, e, f) \
	sys_call((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), \
	    (long)(f))

/* fork(2): the child's pid in the parent, 0 in the child, or -errno. */
long	sys_fork(void);

/* sysctl by name: 0 and *len set, or minus the errno. */
int	sysctl_get(const char *name, void *buf, size_t *len);
/* Set an integer sysctl: 0, or minus the errno. */
int	sysctl_set_int(const char *name, int val);
/* A string sysctl into BUF (NUL-terminated); false if it does not exist. */
bool	sysctl_str(const char *name, char *buf, size_t len);
/* An integer sysctl of 4 or 8 bytes; false if it does not exist. */
bool	sysctl_u64(const char *name, uint64_t *val);

/* Monotonic milliseconds. */
uint64_t	clock_ms(void);
/* Monotonic microseconds. */
uint64_t	clock_us(void);

/* The name of an errno the init reports, or "error N". */
const char	*errname(long err);

/* Write what printf buffered to the console. */
void	console_flush(void);
/* Write LEN bytes of BUF to the console, after what printf buffered. */
void	console_write(const char *buf, size_t len);

#endif /* INIT_SYS_H */
