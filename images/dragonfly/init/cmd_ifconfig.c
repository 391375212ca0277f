/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The dfly-virtio Project. */

/*
 * ifconfig: what the tests need of ifconfig(8), through the same ioctls.
 * Without a setting it shows the interface on one line; a setting is
 * one of `mtu N', `lladdr XX:XX:XX:XX:XX:XX', `rxcsum', `-rxcsum',
 * `txcsum', `-txcsum'.
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "sys.h"

#define ETHER_ADDR_LEN	6

static int
hexdigit(char c)
{

	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* XX:XX:XX:XX:XX:XX */
static bool
parse_mac(const char *s, uint8_t *mac)
{
	int hi, lo, i;

	for (i = 0; i < ETHER_ADDR_LEN; i++) {
		if ((hi = hexdigit(s[0])) < 0 || (lo = hexdigit(s[1])) < 0)
			return (false);
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s != (i == ETHER_ADDR_LEN - 1 ? '\0' : ':'))
			return (false);
		s++;
	}
	return (true);
}

static long
if_ioctl(long s, const char *name, unsigned long cmd, struct ifreq *ifr)
{

	memset(ifr->ifr_name, 0, sizeof(ifr->ifr_name));
	memcpy(ifr->ifr_name, name, strlen(name));
	return (SYSCALL3(SYS_ioctl, s, cmd, ifr));
}

static long
if_show(long s, const char *name)
{
	struct ifmediareq ifm;
	struct ifreq flags, mtu, cap;
	long r;

	if ((r = if_ioctl(s, name, SIOCGIFFLAGS, &flags)) < 0 ||
	    (r = if_ioctl(s, name, SIOCGIFMTU, &mtu)) < 0 ||
	    (r = if_ioctl(s, name, SIOCGIFCAP, &cap)) < 0)
		return (r);
	memset(&ifm, 0, sizeof(ifm));
	memcpy(ifm.ifm_name, name, strlen(name));
	if ((r = SYSCALL3(SYS_ioctl, s, SIOCGIFMEDIA, &ifm)) < 0)
		return (r);
	printf("ifconfig: %s flags 0x%x mtu %d caps 0x%x enabled 0x%x "
	    "link %s\n", name, (unsigned int)(uint16_t)flags.ifr_ifru.flags[0],
	    mtu.ifr_ifru.mtu, (unsigned int)cap.ifr_ifru.cap[0],
	    (unsigned int)cap.ifr_ifru.cap[1],
	    (ifm.ifm_status & IFM_AVALID) == 0 ? "unknown" :
	    (ifm.ifm_status & IFM_ACTIVE) ? "up" : "down");
	return (0);
}

/* Turn capability CAP on or off, as ifconfig does: current ^ change. */
static long
if_cap(long s, const char *name, int cap, bool on)
{
	struct ifreq ifr;
	long r;

	if ((r = if_ioctl(s, name, SIOCGIFCAP, &ifr)) < 0)
		return (r);
	ifr.ifr_ifru.cap[0] = on ? ifr.ifr_ifru.cap[1] | cap :
	    ifr.ifr_ifru.cap[1] & ~cap;
	return (if_ioctl(s, name, SIOCSIFCAP, &ifr));
}

static long
if_set(long s, int argc, char **argv)
{
	struct ifreq ifr;
	uint64_t v;
	const char *opt = argv[2];

	if (argc == 4 && strcmp(opt, "mtu") == 0) {
		if (!parse_u64(argv[3], &v) || v > 65535)
			return (-EINVAL);
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_ifru.mtu = (int)v;
		return (if_ioctl(s, argv[1], SIOCSIFMTU, &ifr));
	}
	if (argc == 4 && strcmp(opt, "lladdr") == 0) {
		memset(&ifr, 0, sizeof(ifr));
		if (!parse_mac(argv[3], (uint8_t *)ifr.ifr_ifru.addr.sa_data))
			return (-EINVAL);
		ifr.ifr_ifru.addr.sa_len = ETHER_ADDR_LEN;
		ifr.ifr_ifru.addr.sa_family = AF_LINK;
		return (if_ioctl(s, argv[1], SIOCSIFLLADDR, &ifr));
	}
	if (argc != 3)
		return (-EINVAL);
	if (strcmp(opt, "rxcsum") == 0 || strcmp(opt, "-rxcsum") == 0)
		return (if_cap(s, argv[1], IFCAP_RXCSUM, opt[0] != '-'));
	if (strcmp(opt, "txcsum") == 0 || strcmp(opt, "-txcsum") == 0)
		return (if_cap(s, argv[1], IFCAP_TXCSUM, opt[0] != '-'));
	return (-EINVAL);
}

/* ifconfig IF [SETTING [VALUE]] */
int
cmd_ifconfig(int argc, char **argv)
{
	long s, r;

	if (argc < 2 || argc > 4 || strlen(argv[1]) >= IFNAMSIZ)
		return (CMD_USAGE);
	s = SYSCALL3(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		printf("error: ifconfig: socket: %s\n", errname(-s));
		return (CMD_FAIL);
	}
	r = argc == 2 ? 0 : if_set(s, argc, argv);
	if (r == -EINVAL && argc > 2) {
		SYSCALL1(SYS_close, s);
		return (CMD_USAGE);
	}
	if (r == 0)
		r = if_show(s, argv[1]);
	SYSCALL1(SYS_close, s);
	if (r < 0) {
		printf("error: ifconfig %s: %s\n", argv[1], errname(-r));
		return (CMD_FAIL);
	}
	return (CMD_OK);
}
