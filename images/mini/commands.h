/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/* Shell commands; each returns CMD_OK, CMD_FAIL or CMD_USAGE. */

#ifndef MINI_COMMANDS_H
#define MINI_COMMANDS_H

int	cmd_probe(int argc, char **argv);
int	cmd_blk(int argc, char **argv);
int	cmd_net(int argc, char **argv);
int	cmd_ping(int argc, char **argv);
int	cmd_balloon(int argc, char **argv);
int	cmd_mem(int argc, char **argv);
int	cmd_stats(int argc, char **argv);
int	cmd_halt(int argc, char **argv);

#endif /* MINI_COMMANDS_H */
