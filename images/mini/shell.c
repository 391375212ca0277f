/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The dfly-virtio Project. */

/*
 * The COM1 shell.  Each command is one line; its output ends before the
 * next `mini> ' prompt, which is what the expect scripts synchronize on.
 */

#include "commands.h"
#include "console.h"
#include "intr.h"
#include "mem.h"
#include "shell.h"

#define LINE_MAX	128
#define ARGS_MAX	8

struct command {
	const char	*name;
	int		(*fn)(int argc, char **argv);
	const char	*usage;
	const char	*help;
};

static int cmd_help(int, char **);

static const struct command commands[] = {
	{ "probe", cmd_probe, "probe", "list virtio devices and their state" },
	{ "blk", cmd_blk, "blk info | blk read|write LBA COUNT SEED | "
	    "blk flush | blk bench read|write COUNT QD", "virtio-blk" },
	{ "net", cmd_net, "net info", "virtio-net state" },
	{ "ping", cmd_ping, "ping A.B.C.D [COUNT]", "ICMP echo" },
	{ "balloon", cmd_balloon, "balloon", "balloon target and actual" },
	{ "mem", cmd_mem, "mem", "total and free memory" },
	{ "stats", cmd_stats, "stats", "per-virtqueue counters" },
	{ "halt", cmd_halt, "halt [CODE]", "leave QEMU with CODE" },
	{ "help", cmd_help, "help", "this list" },
};

static int
cmd_help(int argc, char **argv)
{
	size_t i;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	for (i = 0; i < nitems(commands); i++)
		printf("  %-8s %s\n     usage: %s\n", commands[i].name,
		    commands[i].help, commands[i].usage);
	return (CMD_OK);
}

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

/* Read one line, echoing it, while devices keep being serviced. */
static size_t
read_line(char *buf, size_t len)
{
	size_t n = 0;
	int c;

	for (;;) {
		intr_service();
		console_rx_poll();
		c = console_getc();
		if (c < 0) {
			intr_wait();
			continue;
		}
		if (c == '\r' || c == '\n') {
			console_putc('\n');
			buf[n] = '\0';
			return (n);
		}
		if (c == 0x7f || c == '\b') {
			if (n > 0) {
				n--;
				printf("\b \b");
			}
			continue;
		}
		if (c < ' ' || n + 1 >= len)
			continue;
		buf[n++] = (char)c;
		console_putc((char)c);
	}
}

static int
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

static void
run_line(char *line)
{
	char *argv[ARGS_MAX];
	size_t i;
	int argc;

	argc = split_args(line, argv, ARGS_MAX);
	if (argc == 0)
		return;
	if (argc < 0) {
		printf("error: too many arguments\n");
		return;
	}
	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		if (commands[i].fn(argc, argv) == CMD_USAGE)
			printf("error: bad arguments\nusage: %s\n",
			    commands[i].usage);
		return;
	}
	printf("error: unknown command '%s'\nusage: help | probe | blk ... | "
	    "net info | ping A.B.C.D [COUNT] | balloon | mem | stats | "
	    "halt [CODE]\n", argv[0]);
}

void
shell_run(void)
{
	char line[LINE_MAX];

	for (;;) {
		printf("mini> ");
		read_line(line, sizeof(line));
		run_line(line);
	}
}
