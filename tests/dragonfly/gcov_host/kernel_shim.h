/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Just enough of DragonFly's kernel interfaces, on libc, for
 * drivers/dragonfly/vio_gcov/vio_gcov.c to run as a host program
 * (test_gcov.py includes it with -include; the kernel headers that file
 * names are empty files there).  The console is stdout.
 */

#ifndef GCOV_HOST_KERNEL_SHIM_H
#define GCOV_HOST_KERNEL_SHIM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define __unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __section(s)		__attribute__((__section__(s)))
#define __printflike(f, a)	__attribute__((__format__(__printf__, f, a)))

#define __va_list		va_list
#define __va_start(ap, last)	va_start(ap, last)
#define __va_end(ap)		va_end(ap)
#define kvsnprintf		vsnprintf
#define ksnprintf		snprintf
#define kprintf			printf

typedef unsigned int	u_int;

static inline size_t
shim_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return (n);
}
#define strlcpy		shim_strlcpy

/* A linker set: the host linker defines __start_ and __stop_ too. */
#define SET_DECLARE(set, ptype)						\
	extern ptype *__start_set_##set;				\
	extern ptype *__stop_set_##set
#define SET_BEGIN(set)		(&__start_set_##set)
#define SET_LIMIT(set)		(&__stop_set_##set)
#define SET_FOREACH(pvar, set)						\
	for (pvar = SET_BEGIN(set); pvar < SET_LIMIT(set); pvar++)

/* sysctl: a request writes to stdout; the tree is not kept. */
struct sysctl_oid;
struct sysctl_req {
	int	unused;
};
struct sysctl_ctx_list {
	int	unused;
};
#define SYSCTL_HANDLER_ARGS	struct sysctl_oid *oidp __unused,	\
	void *arg1 __unused, int arg2 __unused, struct sysctl_req *req
#define SYSCTL_OUT(req, p, l)	((void)(req),			\
	fwrite((p), 1, (l), stdout) == (size_t)(l) ? 0 : 5)
#define CTLFLAG_RD		0
#define CTLTYPE_STRING		0
#define OID_AUTO		(-1)
#define SYSCTL_STATIC_CHILDREN(name)	NULL
#define SYSCTL_CHILDREN(oid)	((void)(oid), NULL)
#define SYSCTL_ADD_NODE(ctx, parent, nbr, name, acc, handler, descr)	\
	((void)(ctx), (struct sysctl_oid *)(ctx))
#define SYSCTL_ADD_PROC(ctx, parent, nbr, name, acc, ptr, arg, handler, \
	    fmt, descr)	((void)(handler), (void)(name))
#define sysctl_ctx_init(ctx)	((void)(ctx))
#define sysctl_ctx_free(ctx)	((void)(ctx))

#define SYSINIT(uniq, sub, order, fn, arg)
#define SYSUNINIT(uniq, sub, order, fn, arg)

#endif /* GCOV_HOST_KERNEL_SHIM_H */
