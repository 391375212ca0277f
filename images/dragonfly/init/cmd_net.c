/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * ifup: an IPv4 address and IFF_UP through the ioctls ifconfig(8) uses.
 * ping: ICMP echo through a raw socket; the mini's output format.
 * flood: echoes back to back, replies taken as they come (ping -f), to
 * keep both queues of an interface busy while it is unloaded; it ends
 * after COUNT echoes or once sending has failed for about a second.
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "ping.h"
#include "sys.h"

#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8
#define PING_DATA	56
#define PING_WAIT_MS	1000
#define PING_GAP_MS	200	/* between echoes, like ping -i 0.2 */
#define PING_ID		0x4446	/* "DF" */
#define FLOOD_GIVE_UP	1000	/* failed sends in a row, 1 ms apart */
#define FLOOD_UNDER_WAY	200	/* replies before saying it is running */

struct icmp_echo {
	uint8_t		type;
	uint8_t		code;
	uint16_t	cksum;
	uint16_t	id;
	uint16_t	seq;
	uint8_t		data[PING_DATA];
};

static uint16_t
swap16(uint16_t v)
{

	return ((uint16_t)(v << 8 | v >> 8));
}

static uint32_t
swap32(uint32_t v)
{

	return (v << 24 | (v & 0xff00) << 8 | (v >> 8 & 0xff00) | v >> 24);
}

void
sin_set(struct sockaddr *sa, uint32_t ip)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_len = sizeof(sin);
	sin.sin_family = AF_INET;
	sin.sin_addr = swap32(ip);
	memcpy(sa, &sin, sizeof(sin));
}

/* ifup IF A.B.C.D/PREFIX */
int
cmd_ifup(int argc, char **argv)
{
	struct ifaliasreq ifra;
	struct ifreq ifr;
	uint64_t prefix;
	uint32_t ip;
	char addr[20], *slash;
	long s, r;

	if (argc != 3 || strlen(argv[1]) >= IFNAMSIZ ||
	    strlen(argv[2]) >= sizeof(addr))
		return (CMD_USAGE);
	memcpy(addr, argv[2], strlen(argv[2]) + 1);
	slash = addr;
	while (*slash != '\0' && *slash != '/')
		slash++;
	if (*slash != '/')
		return (CMD_USAGE);
	*slash = '\0';
	if (!parse_ipv4(addr, &ip) || !parse_u64(slash + 1, &prefix) ||
	    prefix == 0 || prefix > 32)
		return (CMD_USAGE);

	s = SYSCALL3(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		printf("error: ifup: socket: %s\n", errname(-s));
		return (CMD_FAIL);
	}
	memset(&ifra, 0, sizeof(ifra));
	memcpy(ifra.ifra_name, argv[1], strlen(argv[1]));
	sin_set(&ifra.ifra_addr, ip);
	sin_set(&ifra.ifra_mask, (uint32_t)(0xffffffffULL << (32 - prefix)));
	sin_set(&ifra.ifra_broadaddr,
	    ip | (uint32_t)(0xffffffffULL >> prefix));
	r = SYSCALL3(SYS_ioctl, s, SIOCAIFADDR, &ifra);
	if (r < 0) {
		printf("error: ifup %s: SIOCAIFADDR: %s\n", argv[1],
		    errname(-r));
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, argv[1], strlen(argv[1]));
	r = SYSCALL3(SYS_ioctl, s, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_ifru.flags[0] |= IFF_UP;
		r = SYSCALL3(SYS_ioctl, s, SIOCSIFFLAGS, &ifr);
	}
	if (r < 0) {
		printf("error: ifup %s: interface flags: %s\n", argv[1],
		    errname(-r));
		goto out;
	}
	r = SYSCALL3(SYS_ioctl, s, SIOCGIFFLAGS, &ifr);
	printf("ifup: %s %s up%s\n", argv[1], argv[2],
	    r == 0 && (ifr.ifr_ifru.flags[0] & IFF_RUNNING) ? ", running" :
	    "");
out:
	SYSCALL1(SYS_close, s);
	return (r < 0 ? CMD_FAIL : CMD_OK);
}

static uint16_t
inet_cksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] | b[i + 1] << 8);
	if (len & 1)
		sum += b[len - 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

/* Wait up to PING_WAIT_MS for the reply to SEQ; its round trip in us,
 * or -1. */
static long
await_reply(long s, uint16_t seq, uint64_t sent_us)
{
	uint8_t pkt[256];
	struct pollfd pfd;
	const struct icmp_echo *re;
	uint64_t now;
	size_t hl;
	long n;

	for (;;) {
		now = clock_us();
		if (now - sent_us >= PING_WAIT_MS * 1000)
			return (-1);
		pfd.fd = (int)s;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = SYSCALL3(SYS_poll, &pfd, 1,
		    PING_WAIT_MS - (now - sent_us) / 1000);
		if (n <= 0)
			continue;
		n = SYSCALL6(SYS_recvfrom, s, pkt, sizeof(pkt), 0, NULL,
		    NULL);
		if (n < 20)
			continue;
		/* A raw socket hands us the IP header too. */
		hl = (size_t)(pkt[0] & 0xf) * 4;
		if ((size_t)n < hl + 8)
			continue;
		re = (const struct icmp_echo *)(pkt + hl);
		if (re->type == ICMP_ECHOREPLY && re->id == swap16(PING_ID) &&
		    re->seq == swap16(seq))
			return ((long)(clock_us() - sent_us));
	}
}

/* Sleep until PING_GAP_MS after SENT_MS (poll with no descriptors). */
static void
pace(uint64_t sent_ms)
{
	uint64_t now = clock_ms();

	if (now - sent_ms < PING_GAP_MS)
		SYSCALL3(SYS_poll, NULL, 0, PING_GAP_MS - (now - sent_ms));
}

static void
echo_build(struct icmp_echo *echo, uint16_t seq)
{
	size_t i;

	memset(echo, 0, sizeof(*echo));
	echo->type = ICMP_ECHO;
	echo->id = swap16(PING_ID);
	echo->seq = swap16(seq);
	for (i = 0; i < PING_DATA; i++)
		echo->data[i] = (uint8_t)i;
	echo->cksum = inet_cksum(echo, sizeof(*echo));
}

int
ping_echo(long s, const struct sockaddr *to, uint16_t seq, uint64_t *rtt_us)
{
	struct icmp_echo echo;
	uint64_t sent_us;
	long r, rtt;

	echo_build(&echo, seq);
	sent_us = clock_us();
	r = SYSCALL6(SYS_sendto, s, &echo, sizeof(echo), 0, to,
	    sizeof(struct sockaddr_in));
	if (r < 0)
		return ((int)r);
	rtt = await_reply(s, seq, sent_us);
	if (rtt < 0)
		return (1);
	*rtt_us = (uint64_t)rtt;
	return (0);
}

/* Replies already queued on S, up to WAIT_MS for the first. */
static unsigned int
take_replies(long s, int wait_ms)
{
	uint8_t pkt[256];
	struct pollfd pfd;
	unsigned int got = 0;
	size_t hl;
	long n;

	for (;;) {
		pfd.fd = (int)s;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (SYSCALL3(SYS_poll, &pfd, 1, got == 0 ? wait_ms : 0) <= 0)
			return (got);
		n = SYSCALL6(SYS_recvfrom, s, pkt, sizeof(pkt), 0, NULL,
		    NULL);
		if (n < 20)
			continue;
		hl = (size_t)(pkt[0] & 0xf) * 4;
		if ((size_t)n >= hl + 8 && pkt[hl] == ICMP_ECHOREPLY)
			got++;
	}
}

/* flood A.B.C.D COUNT */
int
cmd_flood(int argc, char **argv)
{
	struct icmp_echo echo;
	struct sockaddr to;
	uint64_t count, sent = 0, failed = 0, got = 0, before, n, run = 0;
	uint32_t ip;
	long s, r, first_error = 0;

	if (argc != 3 || !parse_ipv4(argv[1], &ip) ||
	    !parse_u64(argv[2], &count) || count == 0)
		return (CMD_USAGE);
	s = SYSCALL3(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (s < 0) {
		printf("error: flood: raw socket: %s\n", errname(-s));
		return (CMD_FAIL);
	}
	sin_set(&to, ip);
	for (n = 0; n < count && run < FLOOD_GIVE_UP; n++) {
		echo_build(&echo, (uint16_t)n);
		r = SYSCALL6(SYS_sendto, s, &echo, sizeof(echo), 0, &to,
		    sizeof(struct sockaddr_in));
		if (r < 0) {
			/* A full queue or a vanished interface: let it be. */
			if (failed++ == 0)
				first_error = -r;
			run++;
			SYSCALL3(SYS_poll, NULL, 0, 1);
		} else {
			sent++;
			run = 0;
		}
		/* Wait for the first reply: ARP and the path are set up. */
		before = got;
		got += take_replies(s, got == 0 ? PING_WAIT_MS : 0);
		if (before < FLOOD_UNDER_WAY && got >= FLOOD_UNDER_WAY)
			printf("flood: under way\n");
	}
	got += take_replies(s, PING_WAIT_MS);
	SYSCALL1(SYS_close, s);
	printf("flood: ended: %lu sent, %lu failed (first %s), %lu replies\n",
	    sent, failed, failed > 0 ? errname(first_error) : "none", got);
	return (got > 0 ? CMD_OK : CMD_FAIL);
}

int
cmd_ping(int argc, char **argv)
{
	struct sockaddr to;
	uint64_t count = 3, sent_ms, rtt_us;
	uint32_t ip;
	uint16_t seq;
	unsigned int got = 0;
	long s;
	int r;

	if (argc < 2 || argc > 3 || !parse_ipv4(argv[1], &ip) ||
	    (argc == 3 && (!parse_u64(argv[2], &count) || count == 0 ||
	    count > 1000)))
		return (CMD_USAGE);
	s = SYSCALL3(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (s < 0) {
		printf("error: ping: raw socket: %s\n", errname(-s));
		return (CMD_FAIL);
	}
	sin_set(&to, ip);
	for (seq = 1; seq <= count; seq++) {
		sent_ms = clock_ms();
		r = ping_echo(s, &to, seq, &rtt_us);
		if (r < 0)
			printf("ping: seq %u: send failed: %s\n", seq,
			    errname(-r));
		else if (r > 0)
			printf("ping: seq %u: no reply\n", seq);
		else {
			got++;
			printf("ping: seq %u reply from %s in %lu ms\n", seq,
			    argv[1], rtt_us / 1000);
		}
		if (seq < count)
			pace(sent_ms);
	}
	SYSCALL1(SYS_close, s);
	printf("ping: %u/%lu replies\n", got, count);
	return (got == count ? CMD_OK : CMD_FAIL);
}
