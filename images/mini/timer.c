/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include "timer.h"
#include "x86.h"

#define PIT_HZ		1193182
#define PIT_CH0		0x40
#define PIT_MODE	0x43
#define PIT_CH0_MODE0	0x30	/* channel 0, lobyte/hibyte, mode 0 */
#define PIT_READBACK	0xe2	/* latch channel 0's status, not its count */
#define PIT_OUT_HIGH	0x80	/* status: the OUT pin */
#define CALIBRATE_US	10000

static uint64_t tsc_hz;
static uint64_t tsc_base;

void
pit_oneshot_start(uint32_t usec)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_HZ * usec / 1000000);

	/*
	 * Channel 0 in mode 0 (OUT rises at terminal count), watched with
	 * the read-back command: microvm has no port 0x61, through which
	 * channel 2's gate and OUT pin are reached on pc and q35.  Its
	 * interrupt (IRQ 0) stays masked at the PIC and the I/O APIC.
	 */
	outb(PIT_MODE, PIT_CH0_MODE0);
	outb(PIT_CH0, count & 0xff);
	outb(PIT_CH0, (count >> 8) & 0xff);
}

bool
pit_oneshot_done(void)
{

	outb(PIT_MODE, PIT_READBACK);
	return ((inb(PIT_CH0) & PIT_OUT_HIGH) != 0);
}

void
timer_init(void)
{
	uint64_t t0, t1;

	pit_oneshot_start(CALIBRATE_US);
	t0 = rdtsc();
	while (!pit_oneshot_done())
		cpu_pause();
	t1 = rdtsc();
	tsc_hz = (t1 - t0) * (1000000 / CALIBRATE_US);
	if (tsc_hz == 0)
		tsc_hz = 1000000000;
	tsc_base = t1;
}

uint64_t
timer_tsc_hz(void)
{

	return (tsc_hz);
}

uint64_t
timer_usec(void)
{
	uint64_t d = rdtsc() - tsc_base;

	/* Split to avoid overflowing d * 10^6 after a few seconds. */
	return (d / tsc_hz * 1000000 + d % tsc_hz * 1000000 / tsc_hz);
}

void
timer_udelay(uint64_t usec)
{
	uint64_t end = timer_usec() + usec;

	while (timer_usec() < end)
		cpu_pause();
}
