/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Interrupts: IDT, local APIC, I/O APIC.
 *
 * Device handlers never run inside the hardware interrupt: the stub only
 * marks the vector pending (and masks a level-triggered I/O APIC pin until
 * its handlers have quieted the device), and intr_run_pending(), called
 * from the main loop and from every wait, runs them in thread context.
 * The core is thus only ever entered from one context at a time.
 */

#ifndef MINI_INTR_H
#define MINI_INTR_H

#include "types.h"

struct trapframe {
	uint64_t	r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t	rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t	vector, error;
	uint64_t	rip, cs, rflags, rsp, ss;
};

/* Pins of the (one) I/O APIC, QEMU's on every machine we boot. */
#define IOAPIC_PINS	24

typedef void	intr_handler_t(void *);

void	intr_init(void);
/* A free vector for handler; immediate handlers run in the interrupt. */
int	intr_alloc_vector(intr_handler_t *handler, void *arg, bool immediate);
/* Share (or create) the level-triggered vector of I/O APIC pin `pin'. */
int	intr_establish_line(int pin, intr_handler_t *handler, void *arg);
void	ioapic_route(int pin, int vector, bool level);
void	intr_run_pending(void);
uint32_t lapic_id(void);

/* Sleep until any interrupt (or the periodic tick) arrives. */
void	intr_wait(void);

/* Run fn on every service pass (devices without interrupts). */
void	intr_add_poll(intr_handler_t *fn, void *arg);
/* Run pending handlers and poll functions once. */
void	intr_service(void);
/* Service devices until done(arg) or timeout: 0 or ETIMEDOUT. */
int	intr_wait_for(bool (*done)(void *), void *arg, uint64_t timeout_us);

#endif /* MINI_INTR_H */
