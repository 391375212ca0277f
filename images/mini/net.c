/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include "errnum.h"
#include "intr.h"
#include "mem.h"
#include "net.h"
#include "timer.h"

#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_ARP	0x0806
#define ARP_REQUEST	1
#define ARP_REPLY	2
#define IPPROTO_ICMP	1
#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8
#define IP_HDR_LEN	20
#define ICMP_HDR_LEN	8
#define ARP_LEN		28
#define ARP_CACHE	8
#define ARP_TIMEOUT_US	1000000
#define PING_ID		0x6d69		/* "mi" */
#define PING_PAYLOAD	56

struct arp_entry {
	uint32_t	ip;
	uint8_t		mac[ETHER_ADDR_LEN];
	bool		valid;
};

static uint8_t my_mac[ETHER_ADDR_LEN];
static struct arp_entry arp_cache[ARP_CACHE];
static unsigned int arp_next;
static struct net_counters counters;
static uint16_t ip_ident;

/* The reply net_ping() waits for. */
static struct {
	uint32_t	src;
	uint16_t	seq;
	bool		waiting;
	bool		arrived;
	uint64_t	at_us;
} echo_wait;

static const uint8_t ether_broadcast[ETHER_ADDR_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static uint16_t
get16(const uint8_t *p)
{

	return ((uint16_t)(p[0] << 8 | p[1]));
}

static uint32_t
get32(const uint8_t *p)
{

	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static void
put16(uint8_t *p, uint16_t v)
{

	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{

	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The Internet checksum (RFC 1071) of len bytes. */
static uint16_t
in_cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

void
net_init(const uint8_t mac[ETHER_ADDR_LEN])
{

	memcpy(my_mac, mac, ETHER_ADDR_LEN);
}

const struct net_counters *
net_counters(void)
{

	return (&counters);
}

static void
ether_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{

	memcpy(f, dst, ETHER_ADDR_LEN);
	memcpy(f + ETHER_ADDR_LEN, my_mac, ETHER_ADDR_LEN);
	put16(f + 12, type);
}

static int
send_frame(const uint8_t *f, size_t len)
{
	int error = net_output(f, len);

	if (error == 0)
		counters.tx_frames++;
	return (error);
}

static const uint8_t *
arp_lookup(uint32_t ip)
{
	int i;

	for (i = 0; i < ARP_CACHE; i++)
		if (arp_cache[i].valid && arp_cache[i].ip == ip)
			return (arp_cache[i].mac);
	return (NULL);
}

static void
arp_learn(uint32_t ip, const uint8_t *mac)
{
	struct arp_entry *e;
	int i;

	for (i = 0; i < ARP_CACHE; i++) {
		if (arp_cache[i].valid && arp_cache[i].ip == ip) {
			memcpy(arp_cache[i].mac, mac, ETHER_ADDR_LEN);
			return;
		}
	}
	e = &arp_cache[arp_next++ % ARP_CACHE];
	e->ip = ip;
	memcpy(e->mac, mac, ETHER_ADDR_LEN);
	e->valid = true;
}

static int
arp_send(uint16_t op, const uint8_t *dst_mac, uint32_t target_ip,
    const uint8_t *target_mac)
{
	uint8_t f[ETHER_HDR_LEN + ARP_LEN];
	uint8_t *a = f + ETHER_HDR_LEN;

	ether_header(f, dst_mac, ETHERTYPE_ARP);
	put16(a, 1);			/* Ethernet */
	put16(a + 2, ETHERTYPE_IP);
	a[4] = ETHER_ADDR_LEN;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, my_mac, ETHER_ADDR_LEN);
	put32(a + 14, NET_MY_IP);
	memcpy(a + 18, target_mac, ETHER_ADDR_LEN);
	put32(a + 24, target_ip);
	return (send_frame(f, sizeof(f)));
}

static void
arp_input(const uint8_t *a, size_t len)
{
	uint32_t sender, target;

	if (len < ARP_LEN || get16(a) != 1 || get16(a + 2) != ETHERTYPE_IP ||
	    a[4] != ETHER_ADDR_LEN || a[5] != 4)
		return;
	sender = get32(a + 14);
	target = get32(a + 24);
	if (target != NET_MY_IP)
		return;
	arp_learn(sender, a + 8);
	if (get16(a + 6) == ARP_REQUEST &&
	    arp_send(ARP_REPLY, a + 8, sender, a + 8) == 0)
		counters.arp_requests_answered++;
}

static bool
arp_resolved(void *arg)
{

	return (arp_lookup(*(uint32_t *)arg) != NULL);
}

/* The MAC to send to for ip: itself on our subnet, else the gateway. */
static int
resolve(uint32_t ip, const uint8_t **macp)
{
	uint32_t hop = (ip & NET_NETMASK) == (NET_MY_IP & NET_NETMASK) ?
	    ip : NET_GATEWAY;
	static const uint8_t zero[ETHER_ADDR_LEN];
	int error, tries;

	for (tries = 0; tries < 3; tries++) {
		*macp = arp_lookup(hop);
		if (*macp != NULL)
			return (0);
		error = arp_send(ARP_REQUEST, ether_broadcast, hop, zero);
		if (error != 0)
			return (error);
		if (intr_wait_for(arp_resolved, &hop, ARP_TIMEOUT_US / 3) == 0)
			break;
	}
	*macp = arp_lookup(hop);
	return (*macp != NULL ? 0 : EHOSTUNREACH);
}

/* Build the IPv4 header for an ICMP payload already at f + 34. */
static size_t
ip_header(uint8_t *f, uint32_t dst, size_t icmp_len)
{
	uint8_t *ip = f + ETHER_HDR_LEN;

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_HDR_LEN + icmp_len));
	put16(ip + 4, ip_ident++);
	put16(ip + 6, 0x4000);		/* don't fragment */
	ip[8] = 64;
	ip[9] = IPPROTO_ICMP;
	put16(ip + 10, 0);
	put32(ip + 12, NET_MY_IP);
	put32(ip + 16, dst);
	put16(ip + 10, in_cksum(ip, IP_HDR_LEN));
	return (ETHER_HDR_LEN + IP_HDR_LEN + icmp_len);
}

static void
icmp_input(uint32_t src, const uint8_t *eth_src, const uint8_t *icmp,
    size_t len)
{
	uint8_t f[NET_FRAME_MAX];
	uint8_t *out = f + ETHER_HDR_LEN + IP_HDR_LEN;

	if (len < ICMP_HDR_LEN || in_cksum(icmp, len) != 0)
		return;
	if (icmp[0] == ICMP_ECHOREPLY) {
		if (echo_wait.waiting && src == echo_wait.src &&
		    get16(icmp + 4) == PING_ID &&
		    get16(icmp + 6) == echo_wait.seq) {
			echo_wait.arrived = true;
			echo_wait.at_us = timer_usec();
		}
		return;
	}
	if (icmp[0] != ICMP_ECHO || len > sizeof(f) - (out - f))
		return;
	/* Answer straight back to the sender's MAC, as it just spoke. */
	memcpy(out, icmp, len);
	out[0] = ICMP_ECHOREPLY;
	put16(out + 2, 0);
	put16(out + 2, in_cksum(out, len));
	ether_header(f, eth_src, ETHERTYPE_IP);
	if (send_frame(f, ip_header(f, src, len)) == 0)
		counters.echo_requests_answered++;
}

static void
ip_input(const uint8_t *eth_src, const uint8_t *ip, size_t len)
{
	size_t hlen, total;

	if (len < IP_HDR_LEN || (ip[0] >> 4) != 4)
		return;
	hlen = (size_t)(ip[0] & 0xf) * 4;
	total = get16(ip + 2);
	if (hlen < IP_HDR_LEN || total < hlen || total > len ||
	    in_cksum(ip, hlen) != 0)
		return;
	/* Fragments: not needed for pings of this size. */
	if ((get16(ip + 6) & 0x3fff) != 0 || get32(ip + 16) != NET_MY_IP)
		return;
	if (ip[9] == IPPROTO_ICMP)
		icmp_input(get32(ip + 12), eth_src, ip + hlen, total - hlen);
}

void
net_input(const uint8_t *f, size_t len)
{

	counters.rx_frames++;
	if (len < ETHER_HDR_LEN) {
		counters.dropped++;
		return;
	}
	if (memcmp(f, my_mac, ETHER_ADDR_LEN) != 0 &&
	    memcmp(f, ether_broadcast, ETHER_ADDR_LEN) != 0)
		return;
	switch (get16(f + 12)) {
	case ETHERTYPE_ARP:
		arp_input(f + ETHER_HDR_LEN, len - ETHER_HDR_LEN);
		break;
	case ETHERTYPE_IP:
		ip_input(f + ETHER_ADDR_LEN, f + ETHER_HDR_LEN,
		    len - ETHER_HDR_LEN);
		break;
	default:
		break;
	}
}

static bool
echo_arrived(void *arg)
{

	(void)arg;
	return (echo_wait.arrived);
}

int
net_ping(uint32_t dst, uint16_t seq, uint64_t timeout_us, uint64_t *rtt_us)
{
	uint8_t f[ETHER_HDR_LEN + IP_HDR_LEN + ICMP_HDR_LEN + PING_PAYLOAD];
	uint8_t *icmp = f + ETHER_HDR_LEN + IP_HDR_LEN;
	const uint8_t *mac;
	uint64_t start;
	size_t i;
	int error;

	start = timer_usec();
	error = resolve(dst, &mac);
	if (error != 0)
		return (error);
	icmp[0] = ICMP_ECHO;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, PING_ID);
	put16(icmp + 6, seq);
	for (i = 0; i < PING_PAYLOAD; i++)
		icmp[ICMP_HDR_LEN + i] = (uint8_t)i;
	put16(icmp + 2, in_cksum(icmp, ICMP_HDR_LEN + PING_PAYLOAD));
	ether_header(f, mac, ETHERTYPE_IP);
	ip_header(f, dst, ICMP_HDR_LEN + PING_PAYLOAD);

	echo_wait.src = dst;
	echo_wait.seq = seq;
	echo_wait.arrived = false;
	echo_wait.waiting = true;
	start = timer_usec();
	error = send_frame(f, sizeof(f));
	if (error == 0)
		error = intr_wait_for(echo_arrived, NULL, timeout_us);
	echo_wait.waiting = false;
	if (error == 0)
		*rtt_us = echo_wait.at_us - start;
	return (error);
}
