/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The parts of DragonFly's x86_64 user ABI our init uses: system call
 * numbers (sys/kern/syscalls.master), flag values and the layout of the
 * structures it passes in.  The init is built with no DragonFly header
 * (it builds on a Linux host), so each fact is stated here once.
 */

#ifndef DFLY_ABI_H
#define DFLY_ABI_H

#include "types.h"

/* System call numbers. */
#define SYS_exit		1
#define SYS_fork		2
#define SYS_read		3
#define SYS_write		4
#define SYS_open		5
#define SYS_close		6
#define SYS_wait4		7
#define SYS_ioctl		54
#define SYS_reboot		55
#define SYS_dup2		90
#define SYS_fsync		95
#define SYS_socket		97
#define SYS_bind		104
#define SYS_setsockopt		105
#define SYS_recvfrom		29
#define SYS_sendto		133
#define SYS_setsid		147
#define SYS_extpread		173
#define SYS_extpwrite		174
#define SYS___sysctl		202
#define SYS_poll		209
#define SYS_clock_gettime	232
#define SYS_kldload		304
#define SYS_kldunload		305
#define SYS_kldfind		306
#define SYS_kldnext		307
#define SYS_kldstat		308
#define SYS_usched_set		481

/* open(2) */
#define O_RDONLY		0x0000
#define O_RDWR			0x0002
#define O_NOCTTY		0x8000

/* wait4(2) */
#define WNOHANG			1

/* usched_set(2) */
#define USCHED_SET_CPU		1

/* reboot(2) */
#define RB_HALT			0x0008
#define RB_POWEROFF		0x4000

/* poll(2) */
#define POLLIN			0x0001
struct pollfd {
	int	fd;
	short	events;
	short	revents;
};

/* clock_gettime(2) */
#define CLOCK_MONOTONIC		4
struct timespec {
	int64_t	tv_sec;
	long	tv_nsec;
};

/* Sockets: BSD sockaddrs carry their length. */
#define AF_INET			2
#define SOCK_DGRAM		2
#define SOCK_RAW		3
#define IPPROTO_ICMP		1
#define SOL_SOCKET		0xffff
#define SO_SNDBUF		0x1001
#define SO_RCVBUF		0x1002
#define MSG_DONTWAIT		0x80
struct sockaddr {
	uint8_t	sa_len;
	uint8_t	sa_family;
	char	sa_data[14];
};
struct sockaddr_in {
	uint8_t		sin_len;
	uint8_t		sin_family;
	uint16_t	sin_port;
	uint32_t	sin_addr;	/* network byte order */
	char		sin_zero[8];
};

/* Interfaces: <net/if.h>, <sys/sockio.h>. */
#define IFNAMSIZ		16
#define IFF_UP			0x0001
#define IFF_RUNNING		0x0040
#define IFCAP_RXCSUM		0x00001
#define IFCAP_TXCSUM		0x00002
#define IFCAP_TSO4		0x00100
#define IFM_AVALID		0x00000001
#define IFM_ACTIVE		0x00000002
#define AF_LINK			18
struct ifreq {
	char	ifr_name[IFNAMSIZ];
	union {
		struct sockaddr	addr;
		short		flags[2];
		int		media;
		int		mtu;
		int		cap[2];	/* requested, current */
		void		*data;	/* sets the union's size and alignment */
	} ifr_ifru;
};
/* <net/if_media.h>: what a driver says of its link. */
struct ifmediareq {
	char	ifm_name[IFNAMSIZ];
	int	ifm_current;
	int	ifm_mask;
	int	ifm_status;
	int	ifm_active;
	int	ifm_count;
	int	*ifm_ulist;
};
#define IFM_ETHER		0x20
#define IFM_AUTO		0
struct ifaliasreq {
	char		ifra_name[IFNAMSIZ];
	struct sockaddr	ifra_addr;
	struct sockaddr	ifra_broadaddr;
	struct sockaddr	ifra_mask;
};

/* ioctl numbers: <sys/ioccom.h> encodes direction, size, group, number. */
#define IOC_IN			0x80000000UL
#define IOC_OUT			0x40000000UL
#define IOCPARM_MASK		0x1fffUL
#define _IOC(dir, g, n, len) \
	((dir) | (((unsigned long)(len) & IOCPARM_MASK) << 16) | \
	((unsigned long)(g) << 8) | (n))
#define _IOW(g, n, t)		_IOC(IOC_IN, (g), (n), sizeof(t))
#define _IOWR(g, n, t)		_IOC(IOC_IN | IOC_OUT, (g), (n), sizeof(t))
#define SIOCSIFFLAGS		_IOW('i', 16, struct ifreq)
#define SIOCGIFFLAGS		_IOWR('i', 17, struct ifreq)
#define SIOCAIFADDR		_IOW('i', 26, struct ifaliasreq)
#define SIOCSIFCAP		_IOW('i', 30, struct ifreq)
#define SIOCGIFCAP		_IOWR('i', 31, struct ifreq)
#define SIOCGIFMTU		_IOWR('i', 51, struct ifreq)
#define SIOCSIFMTU		_IOW('i', 52, struct ifreq)
#define SIOCSIFMEDIA		_IOWR('i', 55, struct ifreq)
#define SIOCGIFMEDIA		_IOWR('i', 56, struct ifmediareq)
#define SIOCSIFLLADDR		_IOW('i', 60, struct ifreq)

/* kldstat(2) */
#define MAXPATHLEN		1024
struct kld_file_stat {
	int	version;	/* sizeof(struct kld_file_stat) */
	char	name[MAXPATHLEN];
	int	refs;
	int	id;
	void	*address;
	size_t	size;
};

/* sysctl(3): the magic node that turns a name into an OID. */
#define CTL_MAXNAME		12
#define CTL_SYSCTL		0
#define CTL_SYSCTL_NAME2OID	3

/* errno values the init reports by name. */
#define EPERM			1
#define ENOENT			2
#define EIO			5
#define EBUSY			16
#define EEXIST			17
#define EINVAL			22
#define EROFS			30
#define ENOBUFS			55

_Static_assert(sizeof(struct ifreq) == 32, "struct ifreq is 32 bytes");
_Static_assert(sizeof(struct ifaliasreq) == 64, "ifaliasreq is 64 bytes");
_Static_assert(sizeof(struct ifmediareq) == 48, "ifmediareq is 48 bytes");
_Static_assert(sizeof(struct sockaddr_in) == 16, "sockaddr_in is 16 bytes");
_Static_assert(sizeof(struct kld_file_stat) == 1056, "kld_file_stat size");

#endif /* DFLY_ABI_H */
