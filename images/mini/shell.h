/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#ifndef MINI_SHELL_H
#define MINI_SHELL_H

#include "types.h"

#define CMD_OK		0
#define CMD_FAIL	1	/* the command printed why */
#define CMD_USAGE	2	/* bad arguments: the shell prints usage */

void	shell_run(void);

/* Argument parsing shared by the commands: decimal or 0x-prefixed hex. */
bool	parse_u64(const char *s, uint64_t *v);
bool	parse_ipv4(const char *s, uint32_t *ip);
/* Split LINE in place at blanks; the word count, or -1 past MAX. */
int	split_args(char *line, char **argv, int max);

#endif /* MINI_SHELL_H */
