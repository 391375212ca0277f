/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* The init's shell commands; each returns CMD_OK, CMD_FAIL or CMD_USAGE. */

#ifndef INIT_INIT_H
#define INIT_INIT_H

#include "shell.h"

int	cmd_probe(int argc, char **argv);
int	cmd_blk(int argc, char **argv);
int	cmd_ifup(int argc, char **argv);
int	cmd_ping(int argc, char **argv);
int	cmd_ifmedia(int argc, char **argv);
int	cmd_flood(int argc, char **argv);
int	cmd_ifconfig(int argc, char **argv);
int	cmd_mem(int argc, char **argv);
int	cmd_balloon(int argc, char **argv);
int	cmd_sysctl(int argc, char **argv);
int	cmd_kldstat(int argc, char **argv);
int	cmd_kldload(int argc, char **argv);
int	cmd_kldunload(int argc, char **argv);
int	cmd_halt(int argc, char **argv);
int	cmd_gcov(int argc, char **argv);
/* make bench's load generators (cmd_bench.c). */
int	cmd_blkbench(int argc, char **argv);
int	cmd_pingstat(int argc, char **argv);
int	cmd_udpsend(int argc, char **argv);
int	cmd_udprecv(int argc, char **argv);

#endif /* INIT_INIT_H */
