/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * ifmedia IF [auto]: what the driver says of its link (SIOCGIFMEDIA), as
 * ifconfig(8) shows it; with `auto', select autoselect media first
 * (SIOCSIFMEDIA), as `ifconfig IF media autoselect' does.
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "sys.h"

static const char *
link_state(int status)
{

	if ((status & IFM_AVALID) == 0)
		return ("unknown");
	return ((status & IFM_ACTIVE) != 0 ? "up" : "down");
}

int
cmd_ifmedia(int argc, char **argv)
{
	struct ifmediareq ifmr;
	struct ifreq ifr;
	int ret = CMD_FAIL;
	long s, r;

	if (argc < 2 || argc > 3 || strlen(argv[1]) >= IFNAMSIZ ||
	    (argc == 3 && strcmp(argv[2], "auto") != 0))
		return (CMD_USAGE);
	s = SYSCALL3(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		printf("error: ifmedia: socket: %s\n", errname(-s));
		return (CMD_FAIL);
	}
	if (argc == 3) {
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, argv[1], strlen(argv[1]));
		ifr.ifr_ifru.media = IFM_ETHER | IFM_AUTO;
		r = SYSCALL3(SYS_ioctl, s, SIOCSIFMEDIA, &ifr);
		if (r < 0) {
			printf("error: ifmedia %s: SIOCSIFMEDIA: %s\n",
			    argv[1], errname(-r));
			goto out;
		}
	}
	memset(&ifmr, 0, sizeof(ifmr));
	memcpy(ifmr.ifm_name, argv[1], strlen(argv[1]));
	r = SYSCALL3(SYS_ioctl, s, SIOCGIFMEDIA, &ifmr);
	if (r < 0) {
		printf("error: ifmedia %s: SIOCGIFMEDIA: %s\n", argv[1],
		    errname(-r));
		goto out;
	}
	printf("ifmedia: %s link %s (status 0x%x, active 0x%x)\n", argv[1],
	    link_state(ifmr.ifm_status), ifmr.ifm_status, ifmr.ifm_active);
	ret = CMD_OK;
out:
	SYSCALL1(SYS_close, s);
	return (ret);
}
