/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * udpbench for the Linux reference guest: the DragonFly init's udpsend
 * and udprecv (images/dragonfly/init/cmd_udp.c) as a static program in
 * the initramfs, same arguments, same answer, so `make bench' drives a
 * pair of Linux guests as it drives a pair of DragonFly ones.
 *
 *	udpbench send A.B.C.D PORT COUNT SIZE
 *	udpbench recv PORT SECONDS
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "now_us.h"

#define UDP_SIZE_MAX	1472		/* one untagged 1500-byte frame */
#define UDP_IDLE_MS	1000
#define UDP_SOCKBUF	(1024 * 1024)

static unsigned char	udp_buf[UDP_SIZE_MAX + 1];

static int
udp_socket(int opt)
{
	int s, size = UDP_SOCKBUF;

	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
		perror("udpbench: socket");
		exit(1);
	}
	(void)setsockopt(s, SOL_SOCKET, opt, &size, sizeof(size));
	return (s);
}

static int
udp_send(const char *addr, int port, uint64_t count, size_t size)
{
	struct sockaddr_in to;
	uint64_t sent = 0, refused = 0, t0;
	ssize_t r;
	int s;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1)
		return (2);
	s = udp_socket(SO_SNDBUF);
	t0 = now_us();
	while (sent < count) {
		r = sendto(s, udp_buf, size, 0, (struct sockaddr *)&to,
		    sizeof(to));
		if (r == (ssize_t)size)
			sent++;
		else if (r < 0 && (errno == ENOBUFS || errno == EAGAIN))
			refused++;
		else {
			perror("udpbench: sendto");
			break;
		}
	}
	printf("udpsend: sent %" PRIu64 " size %zu elapsed_us %" PRIu64
	    " refused %" PRIu64 "\n", sent, size, now_us() - t0, refused);
	close(s);
	return (sent == count ? 0 : 1);
}

static int
udp_recv(int port, int secs)
{
	struct sockaddr_in me;
	struct pollfd pfd;
	uint64_t got = 0, first = 0, last = 0;
	int s;

	s = udp_socket(SO_RCVBUF);
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_port = htons((uint16_t)port);
	if (bind(s, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("udpbench: bind");
		return (1);
	}
	printf("udprecv: listening on %d\n", port);
	fflush(stdout);
	for (;;) {
		pfd.fd = s;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, got == 0 ? secs * 1000 : UDP_IDLE_MS) <= 0)
			break;
		/* Take all that is queued before polling again. */
		while (recv(s, udp_buf, sizeof(udp_buf), MSG_DONTWAIT) >= 0) {
			last = now_us();
			if (got++ == 0)
				first = last;
		}
	}
	close(s);
	printf("udprecv: received %" PRIu64 " elapsed_us %" PRIu64 "\n", got,
	    last - first);
	return (got > 0 ? 0 : 1);
}

int
main(int argc, char **argv)
{
	long size;

	if (argc == 6 && strcmp(argv[1], "send") == 0) {
		size = atol(argv[5]);
		if (size > 0 && size <= UDP_SIZE_MAX)
			return (udp_send(argv[2], atoi(argv[3]),
			    strtoull(argv[4], NULL, 10), (size_t)size));
	} else if (argc == 4 && strcmp(argv[1], "recv") == 0)
		return (udp_recv(atoi(argv[2]), atoi(argv[3])));
	fprintf(stderr, "usage: udpbench send A.B.C.D PORT COUNT SIZE\n"
	    "       udpbench recv PORT SECONDS\n");
	return (2);
}
