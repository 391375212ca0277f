/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * COM1 16550 console.  Output is polled (the console is the test channel,
 * so every byte must get out before anything else happens); input arrives
 * by the receive interrupt into a small ring that the shell drains.
 */

#include "console.h"
#include "exit.h"
#include "intr.h"
#include "x86.h"

#define COM1		0x3f8
#define COM_DATA	0
#define COM_IER		1
#define COM_FCR		2
#define COM_LCR		3
#define COM_MCR		4
#define COM_LSR		5
#define LSR_RXRDY	0x01
#define LSR_TXRDY	0x20
#define COM1_IRQ	4

static char rx_ring[256];
static volatile unsigned int rx_head, rx_tail;

void
console_init(void)
{

	outb(COM1 + COM_IER, 0);
	outb(COM1 + COM_LCR, 0x80);		/* divisor latch */
	outb(COM1 + COM_DATA, 1);		/* 115200 baud */
	outb(COM1 + COM_IER, 0);
	outb(COM1 + COM_LCR, 0x03);		/* 8N1 */
	outb(COM1 + COM_FCR, 0x07);		/* FIFOs on and cleared */
	outb(COM1 + COM_MCR, 0x0b);		/* DTR, RTS, OUT2 (IRQ gate) */
}

void
console_rx_poll(void)
{

	while (inb(COM1 + COM_LSR) & LSR_RXRDY) {
		char c = (char)inb(COM1 + COM_DATA);
		unsigned int next = (rx_head + 1) % sizeof(rx_ring);

		if (next != rx_tail) {
			rx_ring[rx_head] = c;
			rx_head = next;
		}
	}
}

static void
console_intr(void *arg)
{

	(void)arg;
	console_rx_poll();
}

void
console_enable_rx_intr(void)
{
	int vec;

	vec = intr_alloc_vector(console_intr, NULL, false);
	if (vec < 0)
		return;
	ioapic_route(COM1_IRQ, vec, false);
	outb(COM1 + COM_IER, 0x01);
}

void
console_putc(char c)
{

	if (c == '\n')
		console_putc('\r');
	while ((inb(COM1 + COM_LSR) & LSR_TXRDY) == 0)
		cpu_pause();
	outb(COM1 + COM_DATA, (uint8_t)c);
}

int
console_getc(void)
{
	uint64_t flags;
	int c = -1;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	if (rx_head != rx_tail) {
		c = (unsigned char)rx_ring[rx_tail];
		rx_tail = (rx_tail + 1) % sizeof(rx_ring);
	}
	if (flags & 0x200)
		intr_on();
	return (c);
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	intr_off();
	printf("panic: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	mini_exit(3);
}
