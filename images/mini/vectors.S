/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * One entry stub per IDT vector.  Each pushes a zero where the CPU pushes
 * no error code, then the vector number, so intr_trap() sees one frame
 * layout (struct trapframe in intr.h) for all of them.
 */

	.altmacro
	.macro	ISR_STUB n
	.p2align 4
isr_\n:
	/* The CPU pushes an error code for 8, 10-14, 17, 21, 29, 30. */
	.if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || \
	    (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	isr_common
	.endm

	.macro	ISR_ADDR n
	.quad	isr_\n
	.endm

	.text
	.set	vec, 0
	.rept	256
	ISR_STUB %vec
	.set	vec, vec + 1
	.endr

isr_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	intr_trap
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq

	.section .rodata
	.p2align 3
	.globl	isr_table
isr_table:
	.set	vec, 0
	.rept	256
	ISR_ADDR %vec
	.set	vec, vec + 1
	.endr

	.section .note.GNU-stack, "", @progbits
