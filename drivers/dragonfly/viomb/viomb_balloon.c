/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * viomb: the DragonFly driver of a virtio memory balloon, a child of
 * vio_pci.  The protocol code (drivers/balloon) decides what to send;
 * here a task drives it toward the host's target, queued by the
 * configuration change and queue interrupts, and gives it pages from
 * vm_page_alloc() and back to vm_page_free_toq().  See viomb(4).
 *
 * A task on a queue of our own rather than a kernel thread: the queue's
 * thread runs the kernel's code, and taskqueue_free() returns only once
 * it has stopped, so kldunload cannot unmap code a thread still runs.
 *
 * Everything about the balloon, including the list of pages in it, is
 * under sc_slz, the serializer the interrupts are delivered with.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/bus.h>
#include <sys/kernel.h>
#include <sys/lock.h>
#include <sys/malloc.h>
#include <sys/module.h>
#include <sys/serialize.h>
#include <sys/sysctl.h>
#include <sys/taskqueue.h>
#include <sys/vmmeter.h>

#include <vm/vm.h>
#include <vm/vm_page.h>
#include <vm/vm_page2.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_vq.h"
#include "viomb.h"
#include "vio_bus_if.h"

struct vmb_softc {
	device_t		 sc_dev;
	struct viomb_softc	 sc_mb;		/* the protocol state */
	struct lwkt_serialize	 sc_slz;
	struct pglist		 sc_pages;	/* given to the balloon */
	struct taskqueue	*sc_tq;
	struct task		 sc_task;	/* a step, now */
	struct timeout_task	 sc_retry;	/* a step, later */
	bool			 sc_attached;	/* viomb_attach() done */
	bool			 sc_stopping;
	bool			 sc_broken_said;
	bool			 sc_short_said;	/* out of pages, said */
};

/* How often the task looks at memory pressure, and retries on ENOMEM. */
#define VMB_POLL_TICKS		hz

static int vmb_deflate_on_oom = 1;
TUNABLE_INT("hw.viomb.deflate_on_oom", &vmb_deflate_on_oom);

/*
 * The balloon hw.viomb.* describes: the first one attached.  vmb_lock
 * keeps it from being detached (and freed) while a sysctl reads it.
 */
static struct vmb_softc *vmb_first;
static struct lock vmb_lock;
LOCK_SYSINIT(viomb_first, &vmb_lock, "viomb", 0);

/* Protocol hooks (struct viomb_ops), called under sc_slz. */
static int
vmb_page_alloc(void *os, uint64_t *pap)
{
	struct vmb_softc *sc = os;
	vm_page_t m;

	/*
	 * The balloon yields to the guest: never below the point where the
	 * pageout daemon starts working (vm_paging_target() > 0), which
	 * with nothing to page out would spin and stall every process.  A
	 * host asking for all memory gets what is free above it.
	 */
	if (vm_paging_target() > 0)
		return (ENOMEM);
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NORMAL);
	if (m == NULL)
		return (ENOMEM);
	TAILQ_INSERT_TAIL(&sc->sc_pages, m, pageq);
	*pap = VM_PAGE_TO_PHYS(m);
	return (0);
}

static int
vmb_page_reclaim(void *os, uint64_t *pap)
{
	struct vmb_softc *sc = os;
	vm_page_t m;

	if ((m = TAILQ_FIRST(&sc->sc_pages)) == NULL)
		return (ENOENT);
	TAILQ_REMOVE(&sc->sc_pages, m, pageq);
	*pap = VM_PAGE_TO_PHYS(m);
	return (0);
}

/*
 * A page the balloon no longer holds.  Reclaimed pages are off the list
 * already; a failed inflate hands back the pages it just allocated, last
 * first, and those are still at the tail.
 */
static void
vmb_page_free(void *os, uint64_t pa)
{
	struct vmb_softc *sc = os;
	vm_page_t m = PHYS_TO_VM_PAGE(pa);

	if (TAILQ_LAST(&sc->sc_pages, pglist) == m)
		TAILQ_REMOVE(&sc->sc_pages, m, pageq);
	vm_page_free_toq(m);
}

static void
vmb_stats(void *os __unused, struct viomb_stat_values *vals)
{

	vals->val[VIRTIO_BALLOON_S_MEMFREE] =
	    (uint64_t)vmstats.v_free_count * PAGE_SIZE;
	vals->val[VIRTIO_BALLOON_S_MEMTOT] =
	    (uint64_t)vmstats.v_page_count * PAGE_SIZE;
	vals->val[VIRTIO_BALLOON_S_AVAIL] = (uint64_t)(vmstats.v_free_count +
	    vmstats.v_cache_count + vmstats.v_inactive_count) * PAGE_SIZE;
	vals->val[VIRTIO_BALLOON_S_CACHES] =
	    (uint64_t)vmstats.v_cache_count * PAGE_SIZE;
	vals->valid = (1U << VIRTIO_BALLOON_S_MEMFREE) |
	    (1U << VIRTIO_BALLOON_S_MEMTOT) | (1U << VIRTIO_BALLOON_S_AVAIL) |
	    (1U << VIRTIO_BALLOON_S_CACHES);
}

static const struct viomb_ops vmb_ops = {
	.page_alloc =	vmb_page_alloc,
	.page_reclaim =	vmb_page_reclaim,
	.page_free =	vmb_page_free,
	.stats =	vmb_stats,
};

/* Queue interrupts: batches done or statistics wanted; under sc_slz. */
static int
vmb_vq_done(struct vio_vq *vq)
{
	struct vmb_softc *sc = vq->vq_done_arg;

	viomb_intr(&sc->sc_mb);
	taskqueue_enqueue(sc->sc_tq, &sc->sc_task);
	return (0);
}

static void
vmb_config_change(struct vio_softc *vio __unused, void *arg)
{
	struct vmb_softc *sc = arg;

	viomb_config_changed(&sc->sc_mb);
	taskqueue_enqueue(sc->sc_tq, &sc->sc_task);
}

static bool
vmb_watch_memory(struct vmb_softc *sc)
{

	return (vmb_deflate_on_oom && sc->sc_mb.sc_held > 0 &&
	    (sc->sc_mb.sc_features & VIRTIO_BALLOON_F_DEFLATE_ON_OOM) != 0);
}

/*
 * One step toward the target: one batch.  The interrupt that completes
 * a batch or changes the target queues the next step.  Until settled,
 * and while watching memory pressure, a step also comes once a second:
 * after running out of pages, and under pressure to give pages back.
 */
static void
vmb_step(void *arg, int pending __unused)
{
	struct vmb_softc *sc = arg;
	struct viomb_softc *mb = &sc->sc_mb;
	int error;

	lwkt_serialize_enter(&sc->sc_slz);
	if (sc->sc_stopping) {
		lwkt_serialize_exit(&sc->sc_slz);
		return;
	}
	if (vmb_watch_memory(sc) && vm_page_count_severe())
		viomb_oom(mb, mb->sc_batch_pages);
	error = viomb_work(mb);
	if (error == EIO && !sc->sc_broken_said) {
		device_printf(sc->sc_dev, "device broken (%s)\n",
		    mb->sc_vio->sc_broken_why != NULL ?
		    mb->sc_vio->sc_broken_why : "reset requested");
		sc->sc_broken_said = true;
	}
	/* A target the guest cannot give: said once, tried every second. */
	if (error == ENOMEM && !sc->sc_short_said) {
		device_printf(sc->sc_dev, "out of pages at %u of %u target "
		    "pages, trying again every second\n", viomb_actual(mb),
		    mb->sc_target);
		sc->sc_short_said = true;
	} else if (viomb_settled(mb))
		sc->sc_short_said = false;
	if (!viomb_settled(mb) || vmb_watch_memory(sc))
		taskqueue_enqueue_timeout(sc->sc_tq, &sc->sc_retry,
		    VMB_POLL_TICKS);
	lwkt_serialize_exit(&sc->sc_slz);
}

static int
vmb_sysctl(SYSCTL_HANDLER_ARGS)
{
	struct vmb_softc *sc;
	uint64_t val;

	val = 0;
	lockmgr(&vmb_lock, LK_SHARED);
	if ((sc = vmb_first) != NULL) {
		lwkt_serialize_enter(&sc->sc_slz);
		switch (arg2) {
		case 0:
			val = sc->sc_mb.sc_target;
			break;
		case 1:
			val = viomb_actual(&sc->sc_mb);
			break;
		case 2:
			val = sc->sc_mb.sc_counters.inflated;
			break;
		default:
			val = sc->sc_mb.sc_counters.deflated;
			break;
		}
		lwkt_serialize_exit(&sc->sc_slz);
	}
	lockmgr(&vmb_lock, LK_RELEASE);
	return (sysctl_handle_64(oidp, &val, 0, req));
}

SYSCTL_NODE(_hw, OID_AUTO, viomb, CTLFLAG_RD, 0, "VirtIO memory balloon");
SYSCTL_PROC(_hw_viomb, OID_AUTO, target, CTLTYPE_U64 | CTLFLAG_RD, NULL, 0,
    vmb_sysctl, "QU", "4 KiB pages the host wants in the balloon");
SYSCTL_PROC(_hw_viomb, OID_AUTO, actual, CTLTYPE_U64 | CTLFLAG_RD, NULL, 1,
    vmb_sysctl, "QU", "4 KiB pages in the balloon");
SYSCTL_PROC(_hw_viomb, OID_AUTO, inflated, CTLTYPE_U64 | CTLFLAG_RD, NULL, 2,
    vmb_sysctl, "QU", "guest pages given to the host, in total");
SYSCTL_PROC(_hw_viomb, OID_AUTO, deflated, CTLTYPE_U64 | CTLFLAG_RD, NULL, 3,
    vmb_sysctl, "QU", "guest pages taken back, in total");

static int
vmb_probe(device_t dev)
{
	struct vio_softc *vio = VIO_BUS_CORE(device_get_parent(dev), dev);

	if (vio->sc_device_type != VIRTIO_ID_BALLOON)
		return (ENXIO);
	device_set_desc(dev, "VirtIO memory balloon");
	return (BUS_PROBE_DEFAULT);
}

static int
vmb_setup_intr(struct vmb_softc *sc)
{
	device_t dev = sc->sc_dev, parent = device_get_parent(dev);
	struct vio_vq *vqs[3];
	int error, i, n;

	n = 0;
	vqs[n++] = &sc->sc_mb.sc_inflate_vq;
	vqs[n++] = &sc->sc_mb.sc_deflate_vq;
	if (sc->sc_mb.sc_features & VIRTIO_BALLOON_F_STATS_VQ)
		vqs[n++] = &sc->sc_mb.sc_stats_vq;
	for (i = 0; i < n; i++) {
		vqs[i]->vq_done = vmb_vq_done;
		vqs[i]->vq_done_arg = sc;
		if ((error = VIO_BUS_SETUP_INTR(parent, dev, vqs[i],
		    &sc->sc_slz)) != 0)
			return (error);
	}
	sc->sc_mb.sc_vio->sc_config_change = vmb_config_change;
	sc->sc_mb.sc_vio->sc_child = sc;
	return (VIO_BUS_SETUP_INTR(parent, dev, NULL, &sc->sc_slz));
}

static int vmb_detach(device_t);

static int
vmb_attach(device_t dev)
{
	struct vmb_softc *sc = device_get_softc(dev);
	device_t parent = device_get_parent(dev);
	struct vio_softc *vio = VIO_BUS_CORE(parent, dev);
	uint64_t wanted;
	int error;

	sc->sc_dev = dev;
	lwkt_serialize_init(&sc->sc_slz);
	TAILQ_INIT(&sc->sc_pages);
	wanted = viomb_features();
	if (!vmb_deflate_on_oom)
		wanted &= ~VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	if ((error = VIO_BUS_NEGOTIATE(parent, dev, wanted)) != 0) {
		device_printf(dev, "feature negotiation failed\n");
		return (error);
	}
	/* The host counts holes in guest memory too: the highest page. */
	error = viomb_attach(&sc->sc_mb, vio, &vmb_ops, sc, PAGE_SIZE,
	    (uint64_t)Maxmem * PAGE_SIZE);
	if (error != 0) {
		device_printf(dev, "cannot set up the device (%d)\n", error);
		VIO_BUS_STOP(parent, dev);
		return (error);
	}
	sc->sc_attached = true;
	sc->sc_tq = taskqueue_create("viomb", M_WAITOK,
	    taskqueue_thread_enqueue, &sc->sc_tq);
	TASK_INIT(&sc->sc_task, 0, vmb_step, sc);
	TIMEOUT_TASK_INIT(sc->sc_tq, &sc->sc_retry, 0, vmb_step, sc);
	error = taskqueue_start_threads(&sc->sc_tq, 1, TDPRI_KERN_DAEMON, -1,
	    "%s", device_get_nameunit(dev));
	if (error != 0 || (error = vmb_setup_intr(sc)) != 0 ||
	    (error = VIO_BUS_DRIVER_OK(parent, dev)) != 0)
		goto fail;
	lwkt_serialize_enter(&sc->sc_slz);
	error = viomb_start(&sc->sc_mb);
	if (error == 0)
		taskqueue_enqueue(sc->sc_tq, &sc->sc_task);
	lwkt_serialize_exit(&sc->sc_slz);
	if (error != 0)
		goto fail;
	lockmgr(&vmb_lock, LK_EXCLUSIVE);
	if (vmb_first == NULL)
		vmb_first = sc;
	lockmgr(&vmb_lock, LK_RELEASE);
	device_printf(dev, "target %u pages%s%s%s\n", sc->sc_mb.sc_target,
	    (sc->sc_mb.sc_features & VIRTIO_BALLOON_F_STATS_VQ) ?
	    ", statistics" : "",
	    (sc->sc_mb.sc_features & VIRTIO_BALLOON_F_MUST_TELL_HOST) ?
	    ", must tell host" : "",
	    (sc->sc_mb.sc_features & VIRTIO_BALLOON_F_DEFLATE_ON_OOM) ?
	    ", deflate on OOM" : "");
	return (0);

fail:
	vmb_detach(dev);
	return (error);
}

static int
vmb_detach(device_t dev)
{
	struct vmb_softc *sc = device_get_softc(dev);
	vm_page_t m;

	lockmgr(&vmb_lock, LK_EXCLUSIVE);
	if (vmb_first == sc)
		vmb_first = NULL;
	lockmgr(&vmb_lock, LK_RELEASE);
	/* Steps from now on return at once; the one running ends first. */
	lwkt_serialize_enter(&sc->sc_slz);
	sc->sc_stopping = true;
	lwkt_serialize_exit(&sc->sc_slz);
	if (sc->sc_tq != NULL) {
		taskqueue_drain_timeout(sc->sc_tq, &sc->sc_retry);
		taskqueue_drain(sc->sc_tq, &sc->sc_task);
	}

	/* After the reset the host has forgotten the balloon. */
	VIO_BUS_STOP(device_get_parent(dev), dev);
	/* No interrupt queues a step now: the queue's thread may go. */
	if (sc->sc_tq != NULL) {
		taskqueue_free(sc->sc_tq);
		sc->sc_tq = NULL;
	}
	if (sc->sc_attached) {
		/* Batches in flight hand their pages back (vmb_page_free). */
		viomb_reclaim(&sc->sc_mb);
		while ((m = TAILQ_FIRST(&sc->sc_pages)) != NULL) {
			TAILQ_REMOVE(&sc->sc_pages, m, pageq);
			vm_page_free_toq(m);
		}
		viomb_detach(&sc->sc_mb);
		sc->sc_attached = false;
	}
	return (0);
}

static device_method_t vmb_methods[] = {
	DEVMETHOD(device_probe,		vmb_probe),
	DEVMETHOD(device_attach,	vmb_attach),
	DEVMETHOD(device_detach,	vmb_detach),
	DEVMETHOD_END
};

static driver_t vmb_driver = {
	"viomb",
	vmb_methods,
	sizeof(struct vmb_softc)
};

static devclass_t vmb_devclass;

DRIVER_MODULE(viomb, vio_pci, vmb_driver, vmb_devclass, NULL, NULL);
MODULE_VERSION(viomb, 1);
MODULE_DEPEND(viomb, vio_pci, 1, 1, 1);
