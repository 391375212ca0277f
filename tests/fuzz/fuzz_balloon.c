/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: viomb against a balloon device that changes num_pages as
 * it likes (above guest memory included), holds or answers requests,
 * pushes raw used entries and asks for statistics.
 *
 * Input: transport byte, feature byte, page-size byte, then operations:
 * new target, configuration interrupt, balloon thread step, queue
 * interrupt, hold/release, raw used entry, stats request, OOM.
 *
 * Invariants besides the sanitizers': a page is never freed twice nor
 * freed while the host may still hold it (MUST_TELL_HOST); the balloon
 * never holds more than the guest has; `actual` as written to the device
 * matches the pages the driver counts as acknowledged.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "vio_pci.h"
#include "viomb.h"
#include "sim.h"
#include "sim_balloon.h"
#include "fuzz_in.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define GUEST_PAGES4K	4096		/* 16 MiB of guest memory */
#define BASE		0x100000ULL

enum page_state { P_FREE, P_BALLOON, P_RECLAIMED };

struct state {
	struct sim_balloon	b;
	struct sim_dev		*dev;
	struct vio_pci_softc	psc;
	struct viomb_softc	sc;
	uint32_t		page_size;
	unsigned int		npages;
	uint8_t			page[GUEST_PAGES4K];	/* enum page_state */
	unsigned int		in[GUEST_PAGES4K];	/* ballooned, LIFO */
	unsigned int		nin;
	unsigned int		cursor;
	bool			raw_used;	/* device pushed raw entries */
};

static unsigned int
page_index(struct state *st, uint64_t pa)
{
	unsigned int i;

	FUZZ_ASSERT(pa >= BASE && (pa - BASE) % st->page_size == 0);
	i = (unsigned int)((pa - BASE) / st->page_size);
	FUZZ_ASSERT(i < st->npages);
	return (i);
}

static int
os_alloc(void *arg, uint64_t *pap)
{
	struct state *st = arg;
	unsigned int n;

	for (n = 0; n < st->npages; n++, st->cursor++) {
		if (st->page[st->cursor % st->npages] == P_FREE)
			break;
	}
	if (n == st->npages)
		return (ENOMEM);
	n = st->cursor++ % st->npages;
	st->page[n] = P_BALLOON;
	st->in[st->nin++] = n;
	*pap = BASE + (uint64_t)n * st->page_size;
	return (0);
}

static int
os_reclaim(void *arg, uint64_t *pap)
{
	struct state *st = arg;
	unsigned int n;

	if (st->nin == 0)
		return (ENOENT);
	n = st->in[--st->nin];
	FUZZ_ASSERT(st->page[n] == P_BALLOON);
	st->page[n] = P_RECLAIMED;
	*pap = BASE + (uint64_t)n * st->page_size;
	return (0);
}

static void
os_free(void *arg, uint64_t pa)
{
	struct state *st = arg;
	unsigned int n = page_index(st, pa);

	/* Freed once, and only what was reclaimed (or never sent). */
	FUZZ_ASSERT(st->page[n] != P_FREE);
	if (st->page[n] == P_BALLOON) {
		/* Inflate that never reached the device: drop from the list. */
		FUZZ_ASSERT(st->nin > 0 && st->in[st->nin - 1] == n);
		st->nin--;
	}
	/*
	 * MUST_TELL_HOST: the device has processed the deflate.  (A raw
	 * used entry acknowledges a request the model never applied.)
	 */
	if ((st->sc.sc_features & VIRTIO_BALLOON_F_MUST_TELL_HOST) &&
	    !st->raw_used)
		FUZZ_ASSERT(!st->b.in_balloon[(pa >> 12)] ||
		    vio_is_broken(&st->psc.sc_vio));
	st->page[n] = P_FREE;
}

static void
os_stats(void *arg, struct viomb_stat_values *v)
{
	struct state *st = arg;

	v->valid = 1U << VIRTIO_BALLOON_S_MEMFREE;
	v->val[VIRTIO_BALLOON_S_MEMFREE] = (uint64_t)(st->npages - st->nin) *
	    st->page_size;
}

static const struct viomb_ops ops = {
	os_alloc, os_reclaim, os_free, os_stats,
};

static void
check(struct state *st)
{
	FUZZ_ASSERT(st->sc.sc_held <= st->npages);
	FUZZ_ASSERT(viomb_actual(&st->sc) <= GUEST_PAGES4K);
	if (!vio_is_broken(&st->psc.sc_vio) && !st->sc.sc_inflate.busy &&
	    !st->sc.sc_deflate.busy)
		FUZZ_ASSERT(sim_balloon_actual(st->dev) ==
		    viomb_actual(&st->sc) || st->sc.sc_held == 0);
}

static void
run(struct state *st, struct fuzz_in *in)
{
	uint8_t op;

	while (in->n > 0) {
		op = fuzz_u8(in);
		switch (op % 8) {
		case 0:
			sim_balloon_set_target(&st->b, st->dev,
			    (op & 0x80) ? fuzz_u32(in) : fuzz_u16(in) % 5000);
			(void)viomb_config_changed(&st->sc);
			break;
		case 1:
			(void)viomb_work(&st->sc);
			break;
		case 2:
			sim_bound(st->dev, FUZZ_INTR_BOUND);
			(void)viomb_intr(&st->sc);
			sim_bound(st->dev, 0);
			break;
		case 3:
			st->b.hold = !st->b.hold;
			break;
		case 4:
			(void)sim_balloon_release(&st->b, st->dev);
			break;
		case 5:
			st->raw_used = true;
			sim_push_used(st->dev, fuzz_u8(in) % 3, fuzz_u16(in),
			    fuzz_u16(in));
			break;
		case 6:
			(void)sim_balloon_want_stats(&st->b, st->dev);
			break;
		default:
			(void)viomb_oom(&st->sc, fuzz_u16(in));
			break;
		}
		check(st);
	}
	/* The OS's balloon thread runs to the end. */
	for (op = 0; op < 64 && !viomb_settled(&st->sc); op++) {
		sim_bound(st->dev, FUZZ_INTR_BOUND);
		if (viomb_work(&st->sc) != 0 || viomb_intr(&st->sc) != 0)
			break;
		(void)sim_balloon_release(&st->b, st->dev);
	}
	sim_bound(st->dev, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	struct fuzz_in in = { data, size };
	uint8_t t, fb, ps;

	memset(&st, 0, sizeof(st));
	t = fuzz_u8(&in);
	fb = fuzz_u8(&in);
	ps = fuzz_u8(&in);
	sim_balloon_init(&st.b, fb & 7);
	st.page_size = 4096U << (ps % 3);
	st.npages = GUEST_PAGES4K / (st.page_size / 4096);

	st.dev = sim_create(&st.b.model, (enum sim_transport)(t % 3));
	if (vio_pci_attach(&st.psc, st.dev, sim_pci_device_id(st.dev), 0) ==
	    0 && vio_init(&st.psc.sc_vio) == 0 &&
	    vio_negotiate_features(&st.psc.sc_vio, viomb_features()) == 0 &&
	    viomb_attach(&st.sc, &st.psc.sc_vio, &ops, &st, st.page_size,
	    (uint64_t)GUEST_PAGES4K * 4096) == 0) {
		if (vio_driver_ok(&st.psc.sc_vio) == 0 &&
		    viomb_start(&st.sc) == 0)
			run(&st, &in);
		vio_reset(&st.psc.sc_vio);
		viomb_detach(&st.sc);
	}
	FUZZ_ASSERT(st.dev->dma_live == 0 && st.dev->mem_live == 0);
	sim_destroy(st.dev);
	sim_balloon_fini(&st.b);
	return (0);
}
