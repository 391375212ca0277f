/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * A simulated virtio-net device: receive buffers are held until the test
 * injects a frame, transmitted frames and control commands are recorded,
 * control acks can lie.
 */

#ifndef _SIM_NET_H_
#define _SIM_NET_H_

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"
#include "vioif_reg.h"

#define SIM_NET_MAX_HELD	512
#define SIM_NET_MAX_FRAME	(65536 + 64)

struct sim_net_held {
	uint16_t	q;
	uint16_t	head;
	uint32_t	writable;
	struct sim_chain *chain;	/* copy, for the data pointers */
};

struct sim_net {
	struct sim_model model;
	uint8_t		config[VIRTIO_NET_CONFIG_SIZE];
	uint16_t	pairs;

	/* Receive buffers posted by the driver, oldest first. */
	struct sim_net_held held[SIM_NET_MAX_HELD];
	unsigned int	nheld;

	/* Transmit: the last frame and its header. */
	unsigned int	tx_frames;
	uint8_t		tx_hdr[VIRTIO_NET_HDR_MRG_SIZE];
	uint8_t		tx_frame[SIM_NET_MAX_FRAME];
	uint32_t	tx_len;

	/* Control queue: the last command, and the ack to give. */
	unsigned int	ctrl_cmds;
	uint8_t		ctrl_class;
	uint8_t		ctrl_cmd;
	uint8_t		ctrl_data[1024];
	uint32_t	ctrl_len;
	unsigned int	ctrl_nsegs;
	int		ack_override;	/* >= 0: ack byte to write */
	bool		ctrl_hold;	/* do not answer */
	uint16_t	ctrl_head;	/* of the last command seen */
};

/* rx0 tx0 .. rx(pairs-1) tx(pairs-1) [ctrl] */
void	sim_net_init(struct sim_net *, uint64_t features, uint16_t pairs);
void	sim_net_fini(struct sim_net *);

/*
 * Deliver a frame on rx queue q as the device would: header (hdr, or
 * zeroes) then the frame, over as many held buffers as needed (one in
 * big-buffer mode); num_buffers < 0 writes the true count.  Returns the
 * number of buffers used, -1 if too few are held.
 */
int	sim_net_rx(struct sim_net *, struct sim_dev *, uint16_t q,
	    const uint8_t *hdr, const void *frame, uint32_t len,
	    int num_buffers);
/* Take the oldest held buffer of queue q (for hand-made used entries). */
bool	sim_net_take(struct sim_net *, uint16_t q, struct sim_net_held *);
unsigned int sim_net_held_count(const struct sim_net *, uint16_t q);

#endif /* !_SIM_NET_H_ */
