/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * viomb against the simulated balloon device and a simulated OS page
 * pool: inflate and deflate to the host's target, MUST_TELL_HOST
 * ordering, guest pages larger than 4 KiB, statistics, deflate on OOM,
 * and a device that asks for more memory than the guest has.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vtest.h"
#include "viomb.h"
#include "sim_balloon.h"

#define GUEST_MEM	(64ULL * 1024 * 1024)
#define MAX_PAGES	(GUEST_MEM / 4096)
#define BASE		0x10000000ULL	/* guest RAM starts at 256 MiB */
#define ALL_FEATURES	(VIRTIO_BALLOON_F_MUST_TELL_HOST | \
	VIRTIO_BALLOON_F_STATS_VQ | VIRTIO_BALLOON_F_DEFLATE_ON_OOM)

/* The OS side: a free pool and the list of pages in the balloon. */
struct os_pages {
	uint64_t	free[MAX_PAGES];
	unsigned int	nfree;
	uint64_t	in[MAX_PAGES];
	unsigned int	nin;
	unsigned int	frees;		/* page_free calls */
	uint64_t	bad_pa;		/* if set, page_alloc returns it */
	bool		with_stats;
};

struct fixture {
	struct sim_balloon	b;
	struct vtest		t;
	struct viomb_softc	sc;
	struct os_pages		os;
	uint32_t		page_size;
	bool			attached;
};

static int
os_alloc(void *arg, uint64_t *pap)
{
	struct os_pages *os = arg;

	if (os->bad_pa != 0) {
		*pap = os->bad_pa;
		return (0);
	}
	if (os->nfree == 0)
		return (ENOMEM);
	*pap = os->free[--os->nfree];
	os->in[os->nin++] = *pap;
	return (0);
}

static int
os_reclaim(void *arg, uint64_t *pap)
{
	struct os_pages *os = arg;

	if (os->nin == 0)
		return (ENOENT);
	*pap = os->in[--os->nin];
	return (0);
}

static void
os_free(void *arg, uint64_t pa)
{
	struct os_pages *os = arg;

	os->frees++;
	if (pa != os->bad_pa)
		os->free[os->nfree++] = pa;
}

static void
os_stats(void *arg, struct viomb_stat_values *v)
{
	struct os_pages *os = arg;

	if (!os->with_stats)
		return;
	v->valid = (1U << VIRTIO_BALLOON_S_MEMFREE) |
	    (1U << VIRTIO_BALLOON_S_MAJFLT) | (1U << VIRTIO_BALLOON_S_CACHES);
	v->val[VIRTIO_BALLOON_S_MEMFREE] = (uint64_t)os->nfree * 4096;
	v->val[VIRTIO_BALLOON_S_MAJFLT] = 42;
	v->val[VIRTIO_BALLOON_S_CACHES] = 1234567;
}

static const struct viomb_ops os_ops = {
	.page_alloc = os_alloc,
	.page_reclaim = os_reclaim,
	.page_free = os_free,
	.stats = os_stats,
};

static struct fixture *
fx_new(uint64_t features, uint32_t page_size)
{
	struct fixture *fx;
	unsigned int i, n;

	fx = calloc(1, sizeof(*fx));
	sim_balloon_init(&fx->b, features);
	fx->page_size = page_size;
	n = (unsigned int)(GUEST_MEM / page_size);
	for (i = 0; i < n; i++)
		fx->os.free[fx->os.nfree++] = BASE + (uint64_t)i * page_size;
	return (fx);
}

static void
fx_attach_wanting(struct fixture *fx, enum sim_transport t, uint64_t wanted)
{
	vtest_start(&fx->t, &fx->b.model, t, wanted);
	assert_int_equal(viomb_attach(&fx->sc, fx->t.sc, &os_ops, &fx->os,
	    fx->page_size, GUEST_MEM), 0);
	fx->attached = true;
	assert_int_equal(vio_driver_ok(fx->t.sc), 0);
	assert_int_equal(viomb_start(&fx->sc), 0);
}

static void
fx_attach(struct fixture *fx, enum sim_transport t)
{
	fx_attach_wanting(fx, t, viomb_features());
}

static void
fx_free(struct fixture *fx)
{
	if (fx->t.sim != NULL) {
		vio_reset(fx->t.sc);
		if (fx->attached)
			viomb_detach(&fx->sc);
		vtest_finish(&fx->t);
	}
	sim_balloon_fini(&fx->b);
	free(fx);
}

static int
setup(void **state)
{
	struct fixture *fx = fx_new(ALL_FEATURES, 4096);

	fx_attach(fx, SIM_MODERN);
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	fx_free(*state);
	return (0);
}

/* Run the balloon thread and interrupts until settled or stuck. */
static int
settle(struct fixture *fx)
{
	int error = 0, i;

	for (i = 0; i < 1000 && !viomb_settled(&fx->sc); i++) {
		if ((error = viomb_work(&fx->sc)) != 0)
			return (error);
		if ((error = viomb_intr(&fx->sc)) != 0)
			return (error);
	}
	return (viomb_settled(&fx->sc) ? 0 : ETIMEDOUT);
}

/*
 * The same, but the queues are served only when the device raised an
 * interrupt, as on real hardware: a driver that does not re-arm
 * used_event (EVENT_IDX) stops hearing of completions.
 */
static int
settle_by_interrupts(struct fixture *fx)
{
	int error = 0, i;

	for (i = 0; i < 1000 && !viomb_settled(&fx->sc); i++) {
		if ((error = viomb_work(&fx->sc)) != 0)
			return (error);
		if ((vio_read_isr(fx->t.sc) & VIRTIO_ISR_QUEUE) != 0 &&
		    (error = viomb_intr(&fx->sc)) != 0)
			return (error);
	}
	return (viomb_settled(&fx->sc) ? 0 : ETIMEDOUT);
}

static void
set_target(struct fixture *fx, uint32_t pages)
{
	sim_balloon_set_target(&fx->b, fx->t.sim, pages);
	assert_int_equal(viomb_config_changed(&fx->sc), 0);
}

static void
test_inflate_deflate_every_transport(void **state)
{
	struct fixture *fx;
	unsigned int t;

	(void)state;
	for (t = 0; t < 3; t++) {
		fx = fx_new(ALL_FEATURES, 4096);
		fx_attach(fx, vtest_transports[t]);
		set_target(fx, 1000);
		assert_int_equal(settle(fx), 0);
		assert_int_equal(fx->b.npfns, 1000);
		assert_int_equal(sim_balloon_actual(fx->t.sim), 1000);
		assert_int_equal(viomb_actual(&fx->sc), 1000);
		assert_int_equal(fx->os.nin, 1000);
		/* 256 PFNs per request: 4 requests. */
		assert_int_equal(fx->b.inflates, 4);

		set_target(fx, 300);
		assert_int_equal(settle(fx), 0);
		assert_int_equal(fx->b.npfns, 300);
		assert_int_equal(sim_balloon_actual(fx->t.sim), 300);
		assert_int_equal(fx->os.frees, 700);
		assert_int_equal(fx->os.nfree, MAX_PAGES - 300);
		assert_int_equal(fx->b.bad_pfns, 0);
		assert_int_equal(fx->sc.sc_counters.inflated, 1000);
		assert_int_equal(fx->sc.sc_counters.deflated, 700);
		fx_free(fx);
	}
}

/*
 * A DragonFly guest with EVENT_IDX left the second inflate batch
 * uncollected: used_event stayed 0, the device interrupted once.
 */
static void
test_event_idx_every_batch_interrupts(void **state)
{
	struct fixture *fx;
	unsigned int t;

	(void)state;
	for (t = 0; t < 3; t++) {
		fx = fx_new(ALL_FEATURES | VIRTIO_RING_F_EVENT_IDX, 4096);
		fx_attach_wanting(fx, vtest_transports[t], viomb_features() |
		    VIRTIO_RING_F_EVENT_IDX);
		assert_true(vio_has_feature(fx->t.sc,
		    VIRTIO_RING_F_EVENT_IDX));
		set_target(fx, 1000);
		assert_int_equal(settle_by_interrupts(fx), 0);
		assert_int_equal(fx->b.inflates, 4);
		assert_int_equal(sim_balloon_actual(fx->t.sim), 1000);
		set_target(fx, 0);
		assert_int_equal(settle_by_interrupts(fx), 0);
		assert_int_equal(fx->b.npfns, 0);
		assert_int_equal(sim_balloon_actual(fx->t.sim), 0);
		fx_free(fx);
	}
}

static void
test_must_tell_host(void **state)
{
	struct fixture *fx = *state;

	set_target(fx, 100);
	assert_int_equal(settle(fx), 0);
	set_target(fx, 0);
	fx->b.hold = true;
	assert_int_equal(viomb_work(&fx->sc), 0);
	assert_int_equal(viomb_intr(&fx->sc), 0);
	/* The host has not acknowledged: no page may be reused yet. */
	assert_int_equal(fx->os.frees, 0);
	assert_false(viomb_settled(&fx->sc));
	assert_int_equal(sim_balloon_actual(fx->t.sim), 100);
	assert_true(sim_balloon_release(&fx->b, fx->t.sim));
	assert_int_equal(viomb_intr(&fx->sc), 0);
	assert_int_equal(fx->os.frees, 100);
	assert_int_equal(sim_balloon_actual(fx->t.sim), 0);
	assert_true(viomb_settled(&fx->sc));
}

static void
test_without_must_tell_host(void **state)
{
	struct fixture *fx;

	(void)state;
	fx = fx_new(VIRTIO_BALLOON_F_STATS_VQ, 4096);
	fx_attach(fx, SIM_LEGACY);
	set_target(fx, 100);
	assert_int_equal(settle(fx), 0);
	set_target(fx, 0);
	fx->b.hold = true;
	assert_int_equal(viomb_work(&fx->sc), 0);
	/* The guest may use the pages before the host has seen them. */
	assert_int_equal(fx->os.frees, 100);
	assert_int_equal(sim_balloon_actual(fx->t.sim), 100);
	assert_true(sim_balloon_release(&fx->b, fx->t.sim));
	assert_int_equal(viomb_intr(&fx->sc), 0);
	assert_int_equal(sim_balloon_actual(fx->t.sim), 0);
	assert_int_equal(fx->b.npfns, 0);
	fx_free(fx);
}

static void
test_target_above_guest_memory(void **state)
{
	struct fixture *fx = *state;

	set_target(fx, 64);
	assert_int_equal(settle(fx), 0);
	/* Clamped to the guest's memory, said once, the device still good. */
	sim_balloon_set_target(&fx->b, fx->t.sim, MAX_PAGES + 1);
	assert_int_equal(viomb_config_changed(&fx->sc), 0);
	assert_int_equal(viomb_config_changed(&fx->sc), 0);
	assert_false(vio_is_broken(fx->t.sc));
	assert_int_equal(fx->sc.sc_target, MAX_PAGES);
	assert_int_equal(fx->sc.sc_counters.bad_target, 1);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->b.npfns, MAX_PAGES);
	/* A sane target again is followed. */
	set_target(fx, 32);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->b.npfns, 32);
}

static void
test_target_all_memory(void **state)
{
	struct fixture *fx = *state;

	/* Exactly the guest's memory is a legal (if harsh) target. */
	sim_balloon_set_target(&fx->b, fx->t.sim, MAX_PAGES);
	assert_int_equal(viomb_config_changed(&fx->sc), 0);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->b.npfns, MAX_PAGES);
	assert_int_equal(fx->os.nfree, 0);
}

static void
test_large_guest_pages(void **state)
{
	struct fixture *fx;
	unsigned int i;
	uint64_t pfn;

	(void)state;
	fx = fx_new(ALL_FEATURES, 16384);
	fx_attach(fx, SIM_MODERN);
	assert_int_equal(fx->sc.sc_pfns_per_page, 4);
	/* 10 balloon pages round up to 3 guest pages, 12 PFNs. */
	set_target(fx, 10);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->os.nin, 3);
	assert_int_equal(fx->b.npfns, 12);
	assert_int_equal(sim_balloon_actual(fx->t.sim), 12);
	for (i = 0; i < fx->os.nin; i++) {
		pfn = fx->os.in[i] >> 12;
		assert_true(fx->b.in_balloon[pfn] &&
		    fx->b.in_balloon[pfn + 1] &&
		    fx->b.in_balloon[pfn + 2] &&
		    fx->b.in_balloon[pfn + 3]);
	}
	/* Deflating to 5 keeps two guest pages (8 PFNs). */
	set_target(fx, 5);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->b.npfns, 8);
	assert_int_equal(fx->b.bad_pfns, 0);
	/* A batch holds 64 guest pages of 16 KiB. */
	set_target(fx, 1000);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->os.nin, 250);
	fx_free(fx);
}

static void
test_attach_checks(void **state)
{
	static const struct viomb_ops no_free = {
		.page_alloc = os_alloc, .page_reclaim = os_reclaim,
	};
	struct fixture *fx;

	(void)state;
	fx = fx_new(ALL_FEATURES, 4096);
	vtest_start(&fx->t, &fx->b.model, SIM_MODERN, viomb_features());
	assert_int_equal(viomb_attach(&fx->sc, fx->t.sc, &os_ops, &fx->os,
	    2048, GUEST_MEM), EINVAL);
	assert_int_equal(viomb_attach(&fx->sc, fx->t.sc, &os_ops, &fx->os,
	    12288, GUEST_MEM), EINVAL);
	assert_int_equal(viomb_attach(&fx->sc, fx->t.sc, &os_ops, &fx->os,
	    2 * 1024 * 1024, GUEST_MEM), EINVAL);
	assert_int_equal(viomb_attach(&fx->sc, fx->t.sc, &no_free, &fx->os,
	    4096, GUEST_MEM), EINVAL);
	assert_int_equal(viomb_attach(&fx->sc, fx->t.sc, NULL, &fx->os,
	    4096, GUEST_MEM), EINVAL);
	/* 1 MiB guest pages still fit one batch. */
	assert_int_equal(viomb_attach(&fx->sc, fx->t.sc, &os_ops, &fx->os,
	    1024 * 1024, GUEST_MEM), 0);
	fx->attached = true;
	fx_free(fx);
}

static void
test_out_of_memory_pool(void **state)
{
	struct fixture *fx = *state;

	/* The OS can spare only 50 pages. */
	fx->os.nfree = 50;
	set_target(fx, 100);
	assert_int_equal(settle(fx), ENOMEM);
	assert_int_equal(fx->b.npfns, 50);
	assert_int_equal(sim_balloon_actual(fx->t.sim), 50);
	assert_false(viomb_settled(&fx->sc));
	assert_int_equal(viomb_wanted_pages(&fx->sc), 100);
}

static void
test_bad_page_address(void **state)
{
	struct fixture *fx = *state;

	/* Not page aligned, then beyond what a 32-bit PFN can name. */
	fx->os.bad_pa = BASE + 512;
	set_target(fx, 10);
	assert_int_equal(viomb_work(&fx->sc), EINVAL);
	fx->os.bad_pa = 1ULL << 44;
	assert_int_equal(viomb_work(&fx->sc), EINVAL);
	assert_int_equal(fx->os.frees, 2);
	assert_int_equal(fx->b.inflates, 0);
	fx->os.bad_pa = 0;
	assert_int_equal(settle(fx), 0);
}

static void
test_stats(void **state)
{
	struct fixture *fx = *state;
	uint64_t v;

	/* The buffer posted at start carries at least total memory. */
	assert_int_equal(fx->b.stats_received, 1);
	assert_true(sim_balloon_stat(&fx->b, VIRTIO_BALLOON_S_MEMTOT, &v));
	assert_int_equal(v, GUEST_MEM);
	assert_false(sim_balloon_stat(&fx->b, VIRTIO_BALLOON_S_MEMFREE, &v));

	fx->os.with_stats = true;
	set_target(fx, 256);
	assert_int_equal(settle(fx), 0);
	assert_true(sim_balloon_want_stats(&fx->b, fx->t.sim));
	assert_int_equal(viomb_intr(&fx->sc), 0);
	assert_int_equal(fx->b.stats_received, 2);
	assert_int_equal(fx->b.stats_len, 4 * VIRTIO_BALLOON_STAT_SIZE);
	assert_true(sim_balloon_stat(&fx->b, VIRTIO_BALLOON_S_MEMFREE, &v));
	assert_int_equal(v, (MAX_PAGES - 256) * 4096);
	assert_true(sim_balloon_stat(&fx->b, VIRTIO_BALLOON_S_MAJFLT, &v));
	assert_int_equal(v, 42);
	assert_true(sim_balloon_stat(&fx->b, VIRTIO_BALLOON_S_CACHES, &v));
	assert_int_equal(v, 1234567);
	assert_int_equal(fx->sc.sc_counters.stats_sent, 1);
	/* No request pending: nothing to answer. */
	assert_int_equal(viomb_intr(&fx->sc), 0);
	assert_int_equal(fx->b.stats_received, 2);
}

static void
test_deflate_on_oom(void **state)
{
	struct fixture *fx = *state;

	set_target(fx, 512);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(viomb_oom(&fx->sc, 100), 0);
	assert_int_equal(viomb_wanted_pages(&fx->sc), 412);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->b.npfns, 412);
	assert_int_equal(fx->os.frees, 100);
	/* Asking for more than is in the balloon gives back the rest. */
	assert_int_equal(viomb_oom(&fx->sc, 1000), 0);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->b.npfns, 0);
	assert_int_equal(viomb_oom(&fx->sc, 1), ENOENT);
	/* A new target from the host starts over. */
	set_target(fx, 200);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(fx->b.npfns, 200);
	assert_int_equal(fx->sc.sc_counters.oom_deflated, 512);
}

static void
test_oom_not_negotiated(void **state)
{
	struct fixture *fx;

	(void)state;
	fx = fx_new(VIRTIO_BALLOON_F_MUST_TELL_HOST, 4096);
	fx_attach(fx, SIM_TRANSITIONAL);
	set_target(fx, 10);
	assert_int_equal(settle(fx), 0);
	assert_int_equal(viomb_oom(&fx->sc, 5), EOPNOTSUPP);
	assert_int_equal(fx->b.npfns, 10);
	fx_free(fx);
}

static void
test_bogus_used_entry(void **state)
{
	struct fixture *fx = *state;

	set_target(fx, 10);
	fx->b.hold = true;
	assert_int_equal(viomb_work(&fx->sc), 0);
	/* An id the driver never posted on the inflate queue. */
	sim_push_used(fx->t.sim, VIRTIO_BALLOON_Q_INFLATE, 99, 0);
	assert_int_equal(viomb_intr(&fx->sc), EIO);
	assert_true(vio_is_broken(fx->t.sc));
	assert_int_equal(viomb_work(&fx->sc), EIO);
	/* The held pages were never counted as given to the host. */
	assert_int_equal(viomb_actual(&fx->sc), 0);
	/* The device was reset and the batch's pages went back. */
	assert_int_equal(fx->t.sim->status, 0);
	assert_int_equal(fx->os.frees, 10);
	assert_false(fx->sc.sc_inflate.busy);
}

static void
test_attach_no_memory(void **state)
{
	struct fixture *fx;
	unsigned int k;
	int error;

	(void)state;
	/* Fail each DMA allocation of attach in turn: no leak, ENOMEM. */
	for (k = 1;; k++) {
		fx = fx_new(ALL_FEATURES, 4096);
		vtest_start(&fx->t, &fx->b.model, SIM_MODERN,
		    viomb_features());
		fx->t.sim->dma_fail_after = fx->t.sim->dma_allocs + k;
		error = viomb_attach(&fx->sc, fx->t.sc, &os_ops, &fx->os,
		    4096, GUEST_MEM);
		fx->attached = error == 0;
		fx_free(fx);
		if (error == 0)
			break;
		assert_int_equal(error, ENOMEM);
	}
	/* Three rings, then the PFN and stats area. */
	assert_int_equal(k, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inflate_deflate_every_transport),
		cmocka_unit_test(test_event_idx_every_batch_interrupts),
		cmocka_unit_test_setup_teardown(test_must_tell_host,
		    setup, teardown),
		cmocka_unit_test(test_without_must_tell_host),
		cmocka_unit_test_setup_teardown(test_target_above_guest_memory,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_all_memory,
		    setup, teardown),
		cmocka_unit_test(test_large_guest_pages),
		cmocka_unit_test(test_attach_checks),
		cmocka_unit_test_setup_teardown(test_out_of_memory_pool,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_page_address,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deflate_on_oom,
		    setup, teardown),
		cmocka_unit_test(test_oom_not_negotiated),
		cmocka_unit_test_setup_teardown(test_bogus_used_entry,
		    setup, teardown),
		cmocka_unit_test(test_attach_no_memory),
	};

	return (cmocka_run_group_tests_name("balloon", tests, NULL, NULL));
}
