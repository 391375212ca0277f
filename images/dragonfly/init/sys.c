/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The system-call gate, sysctl by name, the clock, and the console sink
 * behind the mini's printf (images/mini/printf.c), which the init shares.
 */

#include "console.h"
#include "mem.h"
#include "sys.h"

#define CONSOLE_FD	1

long
sys_call(long num, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	unsigned char failed;
	long ret;

	/* The kernel clobbers %rcx and %r11 (the syscall instruction). */
	__asm__ volatile("syscall; setc %1"
	    : "=a"(ret), "=r"(failed), "+r"(r10), "+r"(r8), "+r"(r9)
	    : "a"(num), "D"(a1), "S"(a2), "d"(a3)
	    : "rcx", "r11", "memory", "cc");
	return (failed ? -ret : ret);
}

long
sys_fork(void)
{
	long ret, child;
	unsigned char failed;

	/* The kernel returns the pid in %rax and 1 in %rdx to the child. */
	__asm__ volatile("syscall; setc %1"
	    : "=a"(ret), "=r"(failed), "=d"(child)
	    : "a"((long)SYS_fork), "d"(0L)
	    : "rcx", "r11", "memory", "cc");
	if (failed)
		return (-ret);
	return (child ? 0 : ret);
}

/*
 * sysctl(3) by name: the kernel turns NAME into an OID, then reads into
 * OLD and writes NEW as __sysctl does.  0, or minus the errno.
 */
static int
sysctl_name(const char *name, void *old, size_t *oldlen, const void *new,
    size_t newlen)
{
	int query[2] = { CTL_SYSCTL, CTL_SYSCTL_NAME2OID };
	int oid[CTL_MAXNAME];
	size_t oidlen = sizeof(oid);
	long r;

	r = SYSCALL6(SYS___sysctl, query, 2, oid, &oidlen, name, strlen(name));
	if (r < 0)
		return ((int)r);
	r = SYSCALL6(SYS___sysctl, oid, oidlen / sizeof(int), old, oldlen,
	    new, newlen);
	return ((int)r);
}

int
sysctl_get(const char *name, void *buf, size_t *len)
{

	return (sysctl_name(name, buf, len, NULL, 0));
}

int
sysctl_set_int(const char *name, int val)
{

	return (sysctl_name(name, NULL, NULL, &val, sizeof(val)));
}

bool
sysctl_str(const char *name, char *buf, size_t len)
{
	size_t n = len - 1;

	if (sysctl_get(name, buf, &n) < 0)
		return (false);
	buf[n < len ? n : len - 1] = '\0';
	return (true);
}

bool
sysctl_u64(const char *name, uint64_t *val)
{

	union {
		uint32_t	u32;
		uint64_t	u64;
	} v;
	size_t n = sizeof(v);

	v.u64 = 0;
	if (sysctl_get(name, &v, &n) < 0)
		return (false);
	*val = n == sizeof(v.u32) ? v.u32 : v.u64;
	return (true);
}

uint64_t
clock_ms(void)
{

	return (clock_us() / 1000);
}

uint64_t
clock_us(void)
{
	struct timespec ts;

	if (SYSCALL2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) < 0)
		return (0);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

const char *
errname(long err)
{
	static char buf[24];

	switch (err) {
	case EPERM:	return ("EPERM");
	case ENOENT:	return ("ENOENT");
	case EIO:	return ("EIO");
	case EBUSY:	return ("EBUSY");
	case EEXIST:	return ("EEXIST");
	case EINVAL:	return ("EINVAL");
	case EROFS:	return ("EROFS");
	case ENOBUFS:	return ("ENOBUFS");
	}
	snprintf(buf, sizeof(buf), "error %ld", err);
	return (buf);
}

/*
 * printf goes out a line at a time: one write(2) per line keeps kernel
 * messages from landing inside our lines on the shared console.
 */
static char	out_buf[256];
static size_t	out_len;

void
console_flush(void)
{
	size_t off = 0;
	long r;

	while (off < out_len) {
		r = SYSCALL3(SYS_write, CONSOLE_FD, out_buf + off,
		    out_len - off);
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	out_len = 0;
}

void
console_write(const char *buf, size_t len)
{
	size_t off;
	long r;

	console_flush();
	for (off = 0; off < len; off += (size_t)r) {
		r = SYSCALL3(SYS_write, CONSOLE_FD, buf + off, len - off);
		if (r <= 0)
			break;
	}
}

void
console_putc(char c)
{

	out_buf[out_len++] = c;
	if (c == '\n' || out_len == sizeof(out_buf))
		console_flush();
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	printf("init: panic: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	console_flush();
	/* init must not exit: the kernel would panic over us.  Halt. */
	for (;;)
		SYSCALL1(SYS_reboot, RB_HALT);
}
