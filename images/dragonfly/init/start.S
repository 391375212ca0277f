/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Entry point of our DragonFly init, and the ELF note that makes the
 * kernel's image activator take the file for a native DragonFly binary.
 */

	.text
	.globl	_start
_start:
	/* %rsp points at argc; the C side wants it as its argument. */
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	init_main
	/* init_main never returns; if it did, the kernel would panic. */
1:	hlt
	jmp	1b

/*
 * DragonFly brands an ELF executable by a note of type 1 whose name is
 * "DragonFly" and whose descriptor is the __DragonFly_version the binary
 * was built for (500901: the tree our kernel is built from).
 */
	.section .note.tag, "a", @note
	.p2align 2
	.long	10		/* namesz: "DragonFly\0" */
	.long	4		/* descsz */
	.long	1		/* type: NT_DRAGONFLY_ABI_TAG */
	.asciz	"DragonFly"
	.p2align 2
	.long	500901

	.section .note.GNU-stack, "", @progbits
