/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * PVH entry (the x86/HVM direct boot ABI of Xen, which QEMU's -kernel
 * loader speaks on pc, q35 and microvm alike): the ELF note below names
 * a 32-bit entry that QEMU's firmware calls in protected mode with paging
 * off and %ebx pointing at a struct hvm_start_info (command line, memory
 * map).  We build identity page tables for the low 4 GiB with 2 MiB
 * pages, switch to long mode and call kmain(start_info).  QEMU loads the
 * 64-bit ELF as it is.
 *
 * Why PVH and not multiboot: on microvm QEMU appends the virtio-mmio
 * devices to the command line (virtio_mmio.device=...) only in the
 * firmware's copy, which PVH hands over and multiboot does not (QEMU's
 * multiboot loader builds its own command line before the machine adds
 * them).  A multiboot header would also win over the note: QEMU tries
 * multiboot first.
 */

#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xC0000080
#define EFER_LME	0x00000100
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_PS		0x080

	.section .note.Xen, "a", @note
	.p2align 2
	.long	4			/* name size: "Xen" and its NUL */
	.long	8			/* descriptor size */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	/* QEMU reads a 64-bit ELF's entry as 8 bytes (Linux: _ASM_PTR). */
	.quad	_start			/* 32-bit entry, physical address */

	.section .boot, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	movl	%ebx, %esi		/* struct hvm_start_info */

	/* Clear .bss: the page tables and the stack live there. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	movl	$boot_stack_top, %esp

	/* PML4[0] -> PDPT, PDPT[0..3] -> four page directories. */
	movl	$boot_pdpt, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pml4
	movl	$boot_pd, %eax
	orl	$(PTE_P | PTE_W), %eax
	xorl	%ecx, %ecx
1:	movl	%eax, boot_pdpt(,%ecx,8)
	addl	$4096, %eax
	incl	%ecx
	cmpl	$4, %ecx
	jne	1b

	/* 2048 2 MiB entries map 0 to 4 GiB. */
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_W | PTE_PS), %eax
	movl	%eax, boot_pd(,%ecx,8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	2b

	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_desc
	ljmp	$0x08, $long_entry

	.code64
long_entry:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$boot_stack_top, %esp
	movl	%esi, %edi		/* zero-extends: kmain(start_info) */
	call	kmain
3:	cli
	hlt
	jmp	3b

	.section .rodata
	.p2align 3
	.globl	boot_gdt
boot_gdt:
	.quad	0
	.quad	0x00209A0000000000	/* 0x08: 64-bit code */
	.quad	0x0000920000000000	/* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.word	boot_gdt_end - boot_gdt - 1
	.quad	boot_gdt

	.bss
	.p2align 12
	.globl	boot_pml4, boot_pdpt, boot_pd
boot_pml4:
	.skip	4096
boot_pdpt:
	.skip	4096
boot_pd:
	.skip	4 * 4096
boot_stack:
	.skip	32768
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
