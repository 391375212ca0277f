/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Parsing a command line: shared by the mini's shell and our DragonFly
 * init (images/dragonfly/init), which speak the same command language.
 */

#include "shell.h"

bool
parse_u64(const char *s, uint64_t *v)
{
	uint64_t r = 0, base = 10, d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return (false);
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			d = (uint64_t)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (uint64_t)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (uint64_t)(*s - 'A' + 10);
		else
			return (false);
		if (r > (UINT64_MAX - d) / base)
			return (false);
		r = r * base + d;
	}
	*v = r;
	return (true);
}

bool
parse_ipv4(const char *s, uint32_t *ip)
{
	uint32_t r = 0, part;
	int i, digits;

	for (i = 0; i < 4; i++) {
		part = 0;
		for (digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			part = part * 10 + (uint32_t)(*s - '0');
			if (part > 255)
				return (false);
		}
		if (digits == 0 || digits > 3)
			return (false);
		r = r << 8 | part;
		if (i < 3 && *s++ != '.')
			return (false);
	}
	if (*s != '\0')
		return (false);
	*ip = r;
	return (true);
}

int
split_args(char *line, char **argv, int max)
{
	int argc = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (*line == '\0')
			return (argc);
		if (argc == max)
			return (-1);
		argv[argc++] = line;
		while (*line != '\0' && *line != ' ' && *line != '\t')
			line++;
	}
}
