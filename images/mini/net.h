/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * A minimal Ethernet/ARP/IPv4/ICMP stack: enough to ping and to answer
 * pings and ARP requests.  It sees the NIC only through net_input()
 * (called by the driver for every received frame) and net_output()
 * (provided by the driver glue).
 */

#ifndef MINI_NET_H
#define MINI_NET_H

#include "types.h"

#define ETHER_ADDR_LEN	6
#define ETHER_HDR_LEN	14
#define NET_FRAME_MAX	1514

/* QEMU user-mode networking's defaults. */
#define NET_MY_IP	0x0a00020f	/* 10.0.2.15 */
#define NET_NETMASK	0xffffff00
#define NET_GATEWAY	0x0a000202	/* 10.0.2.2 */

struct net_counters {
	uint64_t	rx_frames, tx_frames;
	uint64_t	arp_requests_answered;
	uint64_t	echo_requests_answered;
	uint64_t	dropped;
};

void	net_init(const uint8_t mac[ETHER_ADDR_LEN]);
void	net_input(const uint8_t *frame, size_t len);
/* By the driver glue: 0, or an errno if the frame was not sent. */
int	net_output(const void *frame, size_t len);

/*
 * Send one echo request to dst and wait for its reply: 0 with the round
 * trip in *rtt_us, ETIMEDOUT, or another errno (no route, no ARP reply,
 * send failed).
 */
int	net_ping(uint32_t dst, uint16_t seq, uint64_t timeout_us,
	    uint64_t *rtt_us);
const struct net_counters *net_counters(void);

#endif /* MINI_NET_H */
