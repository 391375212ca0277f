/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The dfly-virtio Project. */

/*
 * /sbin/init of our DragonFly guest: no libc, no rc, just a shell on the
 * console that speaks the mini's command language (images/mini/shell.c),
 * so the harness drives both guests the same way.  Commands answer on
 * their own lines; errors start with "error: "; every answer ends before
 * the next `dfly> ' prompt, which is what the expect scripts wait for.
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "sys.h"

#define LINE_MAX	256
#define ARGS_MAX	8
#define READY_MARKER	"DFLY-VIRTIO-DRAGONFLY-READY"

void	init_main(long *sp) __attribute__((noreturn));

struct command {
	const char	*name;
	int		(*fn)(int argc, char **argv);
	const char	*usage;
};

static int cmd_help(int, char **);

static const struct command commands[] = {
	{ "probe", cmd_probe, "probe" },
	{ "blk", cmd_blk, "blk info|flush [DEV] | "
	    "blk read|write LBA COUNT SEED [DEV]" },
	{ "ifup", cmd_ifup, "ifup IF A.B.C.D/PREFIX" },
	{ "ping", cmd_ping, "ping A.B.C.D [COUNT]" },
	{ "mem", cmd_mem, "mem" },
	{ "balloon", cmd_balloon, "balloon" },
	{ "sysctl", cmd_sysctl, "sysctl NAME" },
	{ "kldstat", cmd_kldstat, "kldstat" },
	{ "kldload", cmd_kldload, "kldload NAME|PATH" },
	{ "kldunload", cmd_kldunload, "kldunload NAME" },
	{ "halt", cmd_halt, "halt [CODE]" },
	{ "help", cmd_help, "help" },
};

static int
cmd_help(int argc, char **argv)
{
	size_t i;

	(void)argv;
	if (argc != 1)
		return (CMD_USAGE);
	for (i = 0; i < nitems(commands); i++)
		printf("  %s\n", commands[i].usage);
	return (CMD_OK);
}

/* One line from the console; the tty echoes and edits it for us. */
static bool
read_line(char *buf, size_t len)
{
	size_t n = 0;
	long r;
	char c;

	for (;;) {
		r = SYSCALL3(SYS_read, 0, &c, 1);
		if (r <= 0)
			return (false);
		if (c == '\n' || c == '\r')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return (true);
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
	printf("error: unknown command '%s' (try help)\n", argv[0]);
}

static void
open_console(void)
{
	long fd;

	fd = SYSCALL3(SYS_open, "/dev/console", O_RDWR, 0);
	if (fd < 0)
		SYSCALL1(SYS_exit, 1);	/* the kernel says "init died" */
	SYSCALL2(SYS_dup2, fd, 0);
	SYSCALL2(SYS_dup2, fd, 1);
	SYSCALL2(SYS_dup2, fd, 2);
	if (fd > 2)
		SYSCALL1(SYS_close, fd);
}

void
init_main(long *sp)
{
	char line[LINE_MAX];
	char release[64];

	(void)sp;
	SYSCALL0(SYS_setsid);
	open_console();
	if (!sysctl_str("kern.osrelease", release, sizeof(release)))
		release[0] = '\0';
	printf("\ndfly-virtio init on DragonFly %s\n%s\n", release,
	    READY_MARKER);
	for (;;) {
		printf("dfly> ");
		console_flush();
		if (!read_line(line, sizeof(line)))
			panic("console read failed");
		run_line(line);
		console_flush();
	}
}
