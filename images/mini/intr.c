/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include "console.h"
#include "errnum.h"
#include "intr.h"
#include "paging.h"
#include "timer.h"
#include "x86.h"

#define LAPIC_BASE		0xfee00000UL	/* QEMU's, and the reset value */
#define LAPIC_ID		0x020
#define LAPIC_EOI		0x0b0
#define LAPIC_SVR		0x0f0
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_TIMER_INIT	0x380
#define LAPIC_TIMER_CUR		0x390
#define LAPIC_TIMER_DIV		0x3e0
#define LAPIC_SVR_ENABLE	0x100
#define LAPIC_TIMER_PERIODIC	0x20000
#define LAPIC_LVT_MASKED	0x10000

#define IOAPIC_BASE		0xfec00000UL
#define IOAPIC_REDTBL(pin)	(0x10 + 2 * (pin))
#define IOAPIC_LEVEL		0x8000
#define IOAPIC_MASKED		0x10000

#define VEC_FIRST_DEVICE	0x30
#define VEC_TIMER		0xef
#define VEC_SPURIOUS		0xff
#define HANDLERS_PER_VEC	4
#define TICK_HZ			100

struct idt_gate {
	uint16_t	off_lo;
	uint16_t	sel;
	uint8_t		ist;
	uint8_t		type;
	uint16_t	off_mid;
	uint32_t	off_hi;
	uint32_t	zero;
} __attribute__((packed));

struct vec_info {
	intr_handler_t	*handler[HANDLERS_PER_VEC];
	void		*arg[HANDLERS_PER_VEC];
	int		 nhandlers;
	bool		 immediate;
	int		 level_pin;	/* -1: edge (MSI-X, COM1) */
};

extern const uint64_t isr_table[256];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct vec_info vecs[256];
static volatile uint64_t pending[4];
static int pin_vector[IOAPIC_PINS];
static int next_vector = VEC_FIRST_DEVICE;
static struct {
	intr_handler_t	*fn;
	void		*arg;
} polls[8];
static int npolls;

static inline uint32_t
lapic_read(uint32_t reg)
{

	return (*(volatile uint32_t *)(LAPIC_BASE + reg));
}

static inline void
lapic_write(uint32_t reg, uint32_t v)
{

	*(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

static void
ioapic_write(uint32_t reg, uint32_t v)
{

	*(volatile uint32_t *)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + 0x10) = v;
}

static void
ioapic_set_mask(int pin, bool masked)
{
	int vec = pin_vector[pin];

	ioapic_write(IOAPIC_REDTBL(pin), (uint32_t)vec | IOAPIC_LEVEL |
	    (masked ? IOAPIC_MASKED : 0));
}

void
ioapic_route(int pin, int vector, bool level)
{

	ioapic_write(IOAPIC_REDTBL(pin) + 1, lapic_id() << 24);
	ioapic_write(IOAPIC_REDTBL(pin), (uint32_t)vector |
	    (level ? IOAPIC_LEVEL : 0));
}

uint32_t
lapic_id(void)
{

	return (lapic_read(LAPIC_ID) >> 24);
}

static void
exception(struct trapframe *tf)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	panic("exception %lu error %#lx at rip %lx cr2 %lx rsp %lx",
	    tf->vector, tf->error, tf->rip, cr2, tf->rsp);
}

/* Called from isr_common (vectors.S) for every vector. */
void	intr_trap(struct trapframe *tf);

void
intr_trap(struct trapframe *tf)
{
	struct vec_info *vi;
	int vec = (int)tf->vector, i;

	if (vec < 32)
		exception(tf);
	if (vec == VEC_SPURIOUS)
		return;
	if (vec == VEC_TIMER) {
		/* The tick only ends a hlt, so waits re-check their clocks. */
		lapic_write(LAPIC_EOI, 0);
		return;
	}
	vi = &vecs[vec];
	if (vi->immediate) {
		for (i = 0; i < vi->nhandlers; i++)
			vi->handler[i](vi->arg[i]);
	} else {
		if (vi->level_pin >= 0)
			ioapic_set_mask(vi->level_pin, true);
		pending[vec / 64] |= 1UL << (vec % 64);
	}
	lapic_write(LAPIC_EOI, 0);
}

static bool
intr_any_pending(void)
{

	return ((pending[0] | pending[1] | pending[2] | pending[3]) != 0);
}

void
intr_run_pending(void)
{
	static bool running;
	struct vec_info *vi;
	uint64_t bits;
	int w, vec, i;

	if (running)
		return;
	running = true;
	for (w = 0; w < 4; w++) {
		intr_off();
		bits = pending[w];
		pending[w] = 0;
		intr_on();
		while (bits != 0) {
			vec = w * 64 + __builtin_ctzl(bits);
			bits &= bits - 1;
			vi = &vecs[vec];
			for (i = 0; i < vi->nhandlers; i++)
				vi->handler[i](vi->arg[i]);
			if (vi->level_pin >= 0)
				ioapic_set_mask(vi->level_pin, false);
		}
	}
	running = false;
}

void
intr_add_poll(intr_handler_t *fn, void *arg)
{

	if (npolls == (int)nitems(polls))
		panic("intr_add_poll: too many");
	polls[npolls].fn = fn;
	polls[npolls++].arg = arg;
}

void
intr_service(void)
{
	int i;

	intr_run_pending();
	for (i = 0; i < npolls; i++)
		polls[i].fn(polls[i].arg);
}

int
intr_wait_for(bool (*done)(void *), void *arg, uint64_t timeout_us)
{
	uint64_t end = timer_usec() + timeout_us;

	for (;;) {
		intr_service();
		if (done(arg))
			return (0);
		if (timer_usec() >= end)
			return (ETIMEDOUT);
		/* Pollers have no interrupt to wake us: spin instead. */
		if (npolls > 0)
			cpu_pause();
		else
			intr_wait();
	}
}

void
intr_wait(void)
{

	intr_off();
	if (intr_any_pending()) {
		intr_on();
		return;
	}
	intr_on_and_halt();
}

int
intr_alloc_vector(intr_handler_t *handler, void *arg, bool immediate)
{
	struct vec_info *vi;

	if (next_vector >= VEC_TIMER)
		return (-1);
	vi = &vecs[next_vector];
	vi->handler[0] = handler;
	vi->arg[0] = arg;
	vi->nhandlers = 1;
	vi->immediate = immediate;
	vi->level_pin = -1;
	return (next_vector++);
}

int
intr_establish_line(int pin, intr_handler_t *handler, void *arg)
{
	struct vec_info *vi;
	int vec;

	if (pin < 0 || pin >= IOAPIC_PINS)
		return (-1);
	vec = pin_vector[pin];
	if (vec != 0) {
		vi = &vecs[vec];
		if (vi->nhandlers == HANDLERS_PER_VEC)
			return (-1);
		vi->handler[vi->nhandlers] = handler;
		vi->arg[vi->nhandlers++] = arg;
		return (vec);
	}
	vec = intr_alloc_vector(handler, arg, false);
	if (vec < 0)
		return (-1);
	vecs[vec].level_pin = pin;
	pin_vector[pin] = vec;
	ioapic_route(pin, vec, true);
	return (vec);
}

static void
pic_disable(void)
{

	/* Remap the 8259s away from the exception vectors, then mask them. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* LAPIC timer counts per second (after the divide-by-16), via the PIT. */
static uint32_t
lapic_timer_calibrate(void)
{
	uint32_t left;

	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	pit_oneshot_start(10000);
	while (!pit_oneshot_done())
		cpu_pause();
	left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	return ((0xffffffff - left) * 100);
}

static void
idt_init(void)
{
	struct {
		uint16_t	limit;
		uint64_t	base;
	} __attribute__((packed)) desc;
	int i;

	for (i = 0; i < 256; i++) {
		idt[i].off_lo = (uint16_t)isr_table[i];
		idt[i].sel = 0x08;
		idt[i].ist = 0;
		idt[i].type = 0x8e;	/* present, DPL 0, interrupt gate */
		idt[i].off_mid = (uint16_t)(isr_table[i] >> 16);
		idt[i].off_hi = (uint32_t)(isr_table[i] >> 32);
		idt[i].zero = 0;
	}
	desc.limit = sizeof(idt) - 1;
	desc.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(desc));
}

void
intr_init(void)
{
	uint32_t hz;
	int pin;

	idt_init();
	pic_disable();
	paging_map_mmio(LAPIC_BASE, 4096);
	paging_map_mmio(IOAPIC_BASE, 4096);
	wrmsr(0x1b, (rdmsr(0x1b) & 0xfff) | LAPIC_BASE | 0x800);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		ioapic_write(IOAPIC_REDTBL(pin), IOAPIC_MASKED);

	/* A periodic tick bounds every sleep, so timeouts always fire. */
	hz = lapic_timer_calibrate();
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, hz / TICK_HZ > 0 ? hz / TICK_HZ : 1);
	intr_on();
}
