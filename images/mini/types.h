/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fixed-width types for a build with -nostdinc: the core must not see any
 * system header, so the mini kernel spells the types from compiler builtins.
 */

#ifndef MINI_TYPES_H
#define MINI_TYPES_H

typedef __INT8_TYPE__		int8_t;
typedef __INT16_TYPE__		int16_t;
typedef __INT32_TYPE__		int32_t;
typedef __INT64_TYPE__		int64_t;
typedef __UINT8_TYPE__		uint8_t;
typedef __UINT16_TYPE__		uint16_t;
typedef __UINT32_TYPE__		uint32_t;
typedef __UINT64_TYPE__		uint64_t;
typedef __UINTPTR_TYPE__	uintptr_t;
typedef __INTPTR_TYPE__		intptr_t;
typedef __SIZE_TYPE__		size_t;
typedef __PTRDIFF_TYPE__	ptrdiff_t;
typedef __builtin_va_list	va_list;

#ifndef __cplusplus
typedef _Bool			bool;
#define true			1
#define false			0
#endif

#define NULL			((void *)0)
#define offsetof(t, m)		__builtin_offsetof(t, m)
#define va_start(ap, last)	__builtin_va_start(ap, last)
#define va_arg(ap, t)		__builtin_va_arg(ap, t)
#define va_end(ap)		__builtin_va_end(ap)
#define va_copy(d, s)		__builtin_va_copy(d, s)

#define UINT16_MAX		0xffff
#define UINT32_MAX		0xffffffffU
#define UINT64_MAX		0xffffffffffffffffULL

#define MINI_PAGE_SIZE		4096UL
#define nitems(a)		(sizeof(a) / sizeof((a)[0]))
#define roundup2(x, a)		(((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define rounddown2(x, a)	((x) & ~((uint64_t)(a) - 1))

#endif /* MINI_TYPES_H */
