/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * make bench's UDP load generator, between two guests on a QEMU socket
 * network (images/mini/bench.py).
 *
 * udpsend: COUNT datagrams of SIZE bytes to A.B.C.D:PORT, back to back.
 * A send the stack refuses (ENOBUFS: the interface queue is full) is
 * tried again, so every datagram counted left the socket; the refusals
 * are reported.
 *
 * udprecv: counts the datagrams arriving on PORT until none has come
 * for a second, or SECONDS have passed without the first; the elapsed
 * time runs from the first datagram to the last, so the receiver's rate
 * is (received - 1) / elapsed.
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "ping.h"
#include "sys.h"

#define UDP_SIZE_MAX	1472		/* one untagged 1500-byte frame */
#define UDP_IDLE_MS	1000
#define UDP_SOCKBUF	(1024 * 1024)

static uint8_t	udp_buf[UDP_SIZE_MAX + 1];

/* A UDP socket with a large buffer (default 40 KiB drops in bursts). */
static long
udp_socket(const char *cmd, int opt)
{
	int size = UDP_SOCKBUF;
	long s;

	s = SYSCALL3(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		printf("error: %s: socket: %s\n", cmd, errname(-s));
		return (s);
	}
	(void)SYSCALL5(SYS_setsockopt, s, SOL_SOCKET, opt, &size,
	    sizeof(size));
	return (s);
}

static void
sin_port_set(struct sockaddr *sa, uint32_t ip, uint64_t port)
{
	struct sockaddr_in sin;

	sin_set(sa, ip);
	memcpy(&sin, sa, sizeof(sin));
	sin.sin_port = (uint16_t)((port & 0xff) << 8 | (port >> 8 & 0xff));
	memcpy(sa, &sin, sizeof(sin));
}

/* udpsend A.B.C.D PORT COUNT SIZE */
int
cmd_udpsend(int argc, char **argv)
{
	struct sockaddr to;
	uint64_t port, count, size, sent = 0, refused = 0, t0;
	uint32_t ip;
	long s, r;

	if (argc != 5 || !parse_ipv4(argv[1], &ip) ||
	    !parse_u64(argv[2], &port) || port == 0 || port > 65535 ||
	    !parse_u64(argv[3], &count) || count == 0 ||
	    !parse_u64(argv[4], &size) || size == 0 || size > UDP_SIZE_MAX)
		return (CMD_USAGE);
	if ((s = udp_socket("udpsend", SO_SNDBUF)) < 0)
		return (CMD_FAIL);
	sin_port_set(&to, ip, port);
	t0 = clock_us();
	while (sent < count) {
		r = SYSCALL6(SYS_sendto, s, udp_buf, size, 0, &to,
		    sizeof(struct sockaddr_in));
		if (r == (long)size)
			sent++;
		else if (r == -ENOBUFS)
			refused++;
		else {
			printf("error: udpsend: sendto: %s\n", errname(-r));
			break;
		}
	}
	printf("udpsend: sent %lu size %lu elapsed_us %lu refused %lu\n",
	    sent, size, clock_us() - t0, refused);
	SYSCALL1(SYS_close, s);
	return (sent == count ? CMD_OK : CMD_FAIL);
}

/* udprecv PORT SECONDS */
int
cmd_udprecv(int argc, char **argv)
{
	struct sockaddr me;
	struct pollfd pfd;
	uint64_t port, secs, got = 0, first = 0, last = 0;
	long s, r;

	if (argc != 3 || !parse_u64(argv[1], &port) || port == 0 ||
	    port > 65535 || !parse_u64(argv[2], &secs) || secs == 0)
		return (CMD_USAGE);
	if ((s = udp_socket("udprecv", SO_RCVBUF)) < 0)
		return (CMD_FAIL);
	sin_port_set(&me, 0, port);
	r = SYSCALL3(SYS_bind, s, &me, sizeof(struct sockaddr_in));
	if (r < 0) {
		printf("error: udprecv: bind: %s\n", errname(-r));
		SYSCALL1(SYS_close, s);
		return (CMD_FAIL);
	}
	printf("udprecv: listening on %lu\n", port);
	console_flush();
	for (;;) {
		pfd.fd = (int)s;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (SYSCALL3(SYS_poll, &pfd, 1, got == 0 ? secs * 1000 :
		    UDP_IDLE_MS) <= 0)
			break;
		/* Take all that is queued before polling again. */
		while (SYSCALL6(SYS_recvfrom, s, udp_buf, sizeof(udp_buf),
		    MSG_DONTWAIT, NULL, NULL) >= 0) {
			last = clock_us();
			if (got++ == 0)
				first = last;
		}
	}
	SYSCALL1(SYS_close, s);
	printf("udprecv: received %lu elapsed_us %lu\n", got, last - first);
	return (got > 0 ? CMD_OK : CMD_FAIL);
}
