/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#ifndef _VBLK_VAR_H_
#define _VBLK_VAR_H_

/* One request: the protocol's part first, so its cookie is ours too. */
struct vblk_req {
	struct vioblk_req	 vr_req;
	struct bio		*vr_bio;	/* NULL: GET_ID at attach */
	bus_dmamap_t		 vr_map;
	bool			 vr_mapped;
	struct vioblk_seg	*vr_segs;	/* sc_lim.max_segs entries */
	TAILQ_ENTRY(vblk_req)	 vr_link;
};

struct vblk_softc;

/*
 * One request queue of the device and what only it touches, under its
 * own serializer: the CPUs that submit to it (vblk_strategy() picks by
 * the current CPU) and its interrupt.
 */
struct vblk_queue {
	struct vblk_softc	*vbq_sc;
	struct vioblk_queue	*vbq_blk;	/* the protocol's queue */
	struct lwkt_serialize	 vbq_slz;
	TAILQ_HEAD(, vblk_req)	 vbq_free;
	struct bio_queue_head	 vbq_bioq;	/* waiting for a request */
	int			 vbq_intr_cpu;	/* of the last interrupt, or -1 */
};

struct vblk_softc {
	device_t		 sc_dev;
	struct vioblk_softc	 sc_blk;	/* the protocol state */
	/* Configuration changes, and attach's against all else. */
	struct lwkt_serialize	 sc_slz;
	bus_dma_tag_t		 sc_dmat;	/* data buffers */
	int			 sc_nreqs;	/* of every queue */
	struct vblk_req		*sc_reqs;
	struct vioblk_seg	*sc_segs;
	int			 sc_nqueues;
	struct vblk_queue	 sc_queues[VIOBLK_MAX_QUEUES];
	bool			 sc_attached;	/* vioblk_attach() done */
	bool			 sc_live;	/* interrupts delivered */
	bool			 sc_detaching;
	bool			 sc_id_done;
	u_int			 sc_broken_said;	/* said so once */
	uint32_t		 sc_iosize_max;	/* si_iosize_max */
	uint32_t		 sc_seg_max;	/* sc_lim.max_segs, sysctl */
	int			 sc_discard;
	int			 sc_readonly;
	int			 sc_flush;
	char			 sc_serial[VIOBLK_SERIAL_LEN + 1];
	struct disk		 sc_disk;
	cdev_t			 sc_cdev;
	struct devstat		 sc_stats;
	struct task		 sc_resize_task;	/* capacity changed */
};

int	vblk_strategy(struct dev_strategy_args *);
int	vblk_vq_done(struct vio_vq *);
void	vblk_config_change(struct vio_softc *, void *);
void	vblk_start(struct vblk_queue *);
void	vblk_fail_all(struct vblk_softc *);

#endif /* !_VBLK_VAR_H_ */
