/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The COM1 shell.  Each command is one line; its output ends before the
 * next `mini> ' prompt, which is what the expect scripts synchronize on.
 */

#include "commands.h"
#include "console.h"
#include "guest_facts.h"
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
	{ "blk", cmd_blk, "blk info|flush [UNIT] | "
	    "blk read|write LBA COUNT SEED [UNIT] | "
	    "blk bench read|write COUNT QD", "virtio-blk, unit 0 by default" },
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
		printf("%s", GUEST_PROMPT);
		read_line(line, sizeof(line));
		run_line(line);
	}
}
