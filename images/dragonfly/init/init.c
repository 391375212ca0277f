/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * /sbin/init of our DragonFly guest: no libc, no rc, just a shell on the
 * console that speaks the mini's command language (images/mini/shell.c),
 * so the harness drives both guests the same way.  Commands answer on
 * their own lines; errors start with "error: "; every answer ends before
 * the next `dfly> ' prompt, which is what the expect scripts wait for.
 */

#include "console.h"
#include "init.h"
#include "guest_facts.h"
#include "mem.h"
#include "sys.h"

#define LINE_MAX	256
#define ARGS_MAX	8

void	init_main(long *sp) __attribute__((noreturn));

struct command {
	const char	*name;
	int		(*fn)(int argc, char **argv);
	const char	*usage;
};

static int cmd_help(int, char **);
static int cmd_bg(int, char **);
static int cmd_repeat(int, char **);
static int cmd_oncpu(int, char **);

static const struct command commands[] = {
	{ "probe", cmd_probe, "probe" },
	{ "blk", cmd_blk, "blk info|flush|open [DEV] | blk close FD | "
	    "blk read|write LBA COUNT SEED [DEV]" },
	{ "ifup", cmd_ifup, "ifup IF A.B.C.D/PREFIX" },
	{ "ifconfig", cmd_ifconfig, "ifconfig IF [mtu N | lladdr MAC | "
	    "[-]rxcsum | [-]txcsum]" },
	{ "ping", cmd_ping, "ping A.B.C.D [COUNT]" },
	{ "ifmedia", cmd_ifmedia, "ifmedia IF [auto]" },
	{ "flood", cmd_flood, "flood A.B.C.D COUNT" },
	{ "mem", cmd_mem, "mem" },
	{ "balloon", cmd_balloon, "balloon" },
	{ "sysctl", cmd_sysctl, "sysctl NAME[=N]" },
	{ "kldstat", cmd_kldstat, "kldstat" },
	{ "kldload", cmd_kldload, "kldload NAME|PATH" },
	{ "kldunload", cmd_kldunload, "kldunload NAME" },
	{ "halt", cmd_halt, "halt [CODE]" },
	{ "gcov", cmd_gcov, "gcov" },
	{ "bg", cmd_bg, "bg COMMAND [ARGS]" },
	{ "repeat", cmd_repeat, "repeat N COMMAND [ARGS]" },
	{ "oncpu", cmd_oncpu, "oncpu CPU COMMAND [ARGS]" },
	{ "help", cmd_help, "help" },
	/* make bench's load generators (cmd_bench.c). */
	{ "blkbench", cmd_blkbench, "blkbench read|write|randread|randwrite "
	    "SIZE QD COUNT [DEV]" },
	{ "pingstat", cmd_pingstat, "pingstat A.B.C.D COUNT" },
	{ "udpsend", cmd_udpsend, "udpsend A.B.C.D PORT COUNT SIZE" },
	{ "udprecv", cmd_udprecv, "udprecv PORT SECONDS" },
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

static int
run_command(int argc, char **argv)
{
	size_t i;
	int ret;

	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		ret = commands[i].fn(argc, argv);
		if (ret == CMD_USAGE)
			printf("error: bad arguments\nusage: %s\n",
			    commands[i].usage);
		return (ret);
	}
	printf("error: unknown command '%s' (try help)\n", argv[0]);
	return (CMD_USAGE);
}

/*
 * bg: run a command in a child process, so that the shell can do
 * something else meanwhile (kldunload a driver while a ping runs).  The
 * child prints what the command prints; the shell reports its end, with
 * the command's result as exit status.
 */
static int
cmd_bg(int argc, char **argv)
{
	long pid;

	if (argc < 2)
		return (CMD_USAGE);
	pid = sys_fork();
	if (pid < 0) {
		printf("error: bg: fork: %s\n", errname(-pid));
		return (CMD_FAIL);
	}
	if (pid == 0) {
		console_flush();
		SYSCALL1(SYS_exit, run_command(argc - 1, argv + 1));
	}
	printf("bg: started pid %ld: %s\n", pid, argv[1]);
	return (CMD_OK);
}

/* repeat: run a command N times, stopping at the first failure. */
static int
cmd_repeat(int argc, char **argv)
{
	uint64_t n, i;

	if (argc < 3 || !parse_u64(argv[1], &n) || n == 0)
		return (CMD_USAGE);
	for (i = 0; i < n; i++) {
		if (run_command(argc - 2, argv + 2) != CMD_OK) {
			printf("repeat: run %lu of %lu failed\n", i + 1, n);
			return (CMD_FAIL);
		}
	}
	printf("repeat: %lu runs ok\n", n);
	return (CMD_OK);
}

/*
 * oncpu: run a command in a child process bound to one CPU
 * (usched_set(2) USCHED_SET_CPU moves it there and keeps it there), so
 * that what a driver does per CPU can be seen: which of a disk's queues
 * takes the requests.  The shell waits; the result is the command's.
 */
static int
cmd_oncpu(int argc, char **argv)
{
	uint64_t cpu;
	long pid, r;
	int status, c;

	if (argc < 3 || !parse_u64(argv[1], &cpu) || cpu > 255)
		return (CMD_USAGE);
	pid = sys_fork();
	if (pid < 0) {
		printf("error: oncpu: fork: %s\n", errname(-pid));
		return (CMD_FAIL);
	}
	if (pid == 0) {
		console_flush();
		c = (int)cpu;
		r = SYSCALL4(SYS_usched_set, 0, USCHED_SET_CPU, &c, sizeof(c));
		if (r < 0) {
			printf("error: oncpu: CPU %d: %s\n", c, errname(-r));
			SYSCALL1(SYS_exit, CMD_FAIL);
		}
		SYSCALL1(SYS_exit, run_command(argc - 2, argv + 2));
	}
	r = SYSCALL6(SYS_wait4, pid, &status, 0, NULL, 0, 0);
	if (r < 0) {
		printf("error: oncpu: wait4: %s\n", errname(-r));
		return (CMD_FAIL);
	}
	return ((status & 0x7f) == 0 && ((status >> 8) & 0xff) == CMD_OK ?
	    CMD_OK : CMD_FAIL);
}

/* Collect background commands that ended, and say how. */
static void
reap_children(void)
{
	int status;
	long pid;

	while ((pid = SYSCALL6(SYS_wait4, -1, &status, WNOHANG, NULL, 0,
	    0)) > 0) {
		if ((status & 0x7f) == 0)
			printf("bg: pid %ld exited with status %d\n", pid,
			    (status >> 8) & 0xff);
		else
			printf("bg: pid %ld killed by signal %d\n", pid,
			    status & 0x7f);
	}
}

static void
run_line(char *line)
{
	char *argv[ARGS_MAX];
	int argc;

	argc = split_args(line, argv, ARGS_MAX);
	if (argc == 0)
		return;
	if (argc < 0) {
		printf("error: too many arguments\n");
		return;
	}
	run_command(argc, argv);
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
	    GUEST_READY_MARKER);
	for (;;) {
		printf("%s", GUEST_PROMPT);
		console_flush();
		if (!read_line(line, sizeof(line)))
			panic("console read failed");
		reap_children();
		run_line(line);
		reap_children();
		console_flush();
	}
}
