/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* ICMP echo, shared by ping (cmd_net.c) and pingstat (cmd_bench.c). */

#ifndef INIT_PING_H
#define INIT_PING_H

#include "dfly_abi.h"

/* An AF_INET sockaddr for IP (host byte order). */
void	sin_set(struct sockaddr *sa, uint32_t ip);
/*
 * One echo of SEQ to TO over the raw ICMP socket S: 0 and *RTT_US set
 * on a reply, 1 without one, or minus the errno of sendto(2).
 */
int	ping_echo(long s, const struct sockaddr *to, uint16_t seq,
	    uint64_t *rtt_us);

#endif /* INIT_PING_H */
