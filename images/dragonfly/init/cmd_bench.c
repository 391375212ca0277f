/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * The load generators of `make bench' (images/mini/bench.py).
 *
 * blkbench: COUNT requests of SIZE bytes on a disk's raw /dev node,
 * random or sequential, with QD requests in flight: QD forked workers,
 * each with one request outstanding (the init has no threads and
 * DragonFly no asynchronous disk I/O from userland).  Raw disk nodes
 * bypass the buffer cache, so every request reaches the driver.
 *
 * pingstat: COUNT ICMP echoes back to back, each after the last reply;
 * the median and the 99th percentile of the round trips in microseconds.
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "ping.h"
#include "sys.h"

#define BENCH_SIZE_MAX	(1024 * 1024)
#define BENCH_QD_MAX	64
/* Requests land in the first SPAN bytes of the disk (make bench fills it). */
#define BENCH_SPAN	(256ULL * 1024 * 1024)
#define PINGSTAT_MAX	10000

static uint8_t	bench_buf[BENCH_SIZE_MAX] __attribute__((aligned(4096)));
static uint32_t	rtts[PINGSTAT_MAX];

static const char *const bench_disks[] = { "vioblk0", "vbd0" };

struct bench_job {
	bool		write;
	bool		random;
	uint64_t	size;
	uint64_t	qd;
};

static uint64_t
xorshift(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return (x);
}

/* Worker W's N requests: the offset of each is random or its turn. */
static int
bench_worker(const struct bench_job *job, long fd, uint64_t w, uint64_t n)
{
	uint64_t slots = BENCH_SPAN / job->size, state, i, off;
	long r;

	state = 0x9e3779b97f4a7c15ULL * (w + 1);
	for (i = 0; i < n; i++) {
		if (job->random)
			off = xorshift(&state) % slots * job->size;
		else
			off = (w + i * job->qd) % slots * job->size;
		if (job->write)
			r = SYSCALL5(SYS_extpwrite, fd, bench_buf, job->size,
			    0, off);
		else
			r = SYSCALL5(SYS_extpread, fd, bench_buf, job->size,
			    0, off);
		if (r != (long)job->size)
			return (CMD_FAIL);
	}
	return (CMD_OK);
}

/* QD workers share COUNT requests; CMD_OK when every one succeeded. */
static int
bench_run(const struct bench_job *job, long fd, uint64_t count)
{
	long pid;
	int status, ret = CMD_OK;
	uint64_t w, started = 0;

	if (job->qd == 1)
		return (bench_worker(job, fd, 0, count));
	for (w = 0; w < job->qd; w++) {
		pid = sys_fork();
		if (pid == 0)
			SYSCALL1(SYS_exit, bench_worker(job, fd, w,
			    count / job->qd + (w < count % job->qd)));
		if (pid < 0) {
			printf("error: blkbench: fork: %s\n", errname(-pid));
			ret = CMD_FAIL;
			break;
		}
		started++;
	}
	for (; started > 0; started--) {
		if (SYSCALL6(SYS_wait4, -1, &status, 0, NULL, 0, 0) < 0)
			return (CMD_FAIL);
		if (status != 0)
			ret = CMD_FAIL;
	}
	return (ret);
}

static bool
bench_parse(struct bench_job *job, char **argv)
{
	const char *mode = argv[1];

	job->write = strcmp(mode, "write") == 0 ||
	    strcmp(mode, "randwrite") == 0;
	job->random = strcmp(mode, "randread") == 0 ||
	    strcmp(mode, "randwrite") == 0;
	if (!job->write && !job->random && strcmp(mode, "read") != 0)
		return (false);
	return (parse_u64(argv[2], &job->size) &&
	    parse_u64(argv[3], &job->qd) && job->size != 0 &&
	    job->size % 512 == 0 && job->size <= BENCH_SIZE_MAX &&
	    job->qd != 0 && job->qd <= BENCH_QD_MAX);
}

/* blkbench read|write|randread|randwrite SIZE QD COUNT [DEV] */
int
cmd_blkbench(int argc, char **argv)
{
	struct bench_job job;
	uint64_t count, t0, us, i;
	char path[64];
	long fd;
	int ret;

	if ((argc != 5 && argc != 6) || !bench_parse(&job, argv) ||
	    !parse_u64(argv[4], &count) || count < job.qd)
		return (CMD_USAGE);
	fd = -ENOENT;
	for (i = 0; i < nitems(bench_disks) && fd == -ENOENT; i++) {
		snprintf(path, sizeof(path), "/dev/%s",
		    argc == 6 ? argv[5] : bench_disks[i]);
		fd = SYSCALL3(SYS_open, path, job.write ? O_RDWR : O_RDONLY,
		    0);
	}
	if (fd < 0) {
		printf("error: blkbench: cannot open %s: %s\n", path,
		    errname(-fd));
		return (CMD_FAIL);
	}
	for (i = 0; i < job.size; i++)
		bench_buf[i] = (uint8_t)(i * 7 + 1);
	t0 = clock_us();
	ret = bench_run(&job, fd, count);
	us = clock_us() - t0;
	SYSCALL1(SYS_close, fd);
	if (ret != CMD_OK) {
		printf("error: blkbench %s: %s: a request failed\n", argv[1],
		    path);
		return (ret);
	}
	if (us == 0)
		us = 1;
	printf("blkbench %s: size %lu qd %lu requests %lu elapsed_us %lu "
	    "iops %lu kbps %lu\n", argv[1], job.size, job.qd, count, us,
	    count * 1000000 / us, count * job.size * 1000 / 1024 * 1000 /
	    us);
	return (CMD_OK);
}

static void
sort_u32(uint32_t *v, size_t n)
{
	size_t i, j;
	uint32_t x;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* pingstat A.B.C.D COUNT */
int
cmd_pingstat(int argc, char **argv)
{
	struct sockaddr to;
	uint64_t count, rtt, seq;
	uint32_t ip;
	size_t got = 0;
	long s;

	if (argc != 3 || !parse_ipv4(argv[1], &ip) ||
	    !parse_u64(argv[2], &count) || count == 0 ||
	    count > PINGSTAT_MAX)
		return (CMD_USAGE);
	s = SYSCALL3(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (s < 0) {
		printf("error: pingstat: raw socket: %s\n", errname(-s));
		return (CMD_FAIL);
	}
	sin_set(&to, ip);
	for (seq = 1; seq <= count; seq++)
		if (ping_echo(s, &to, (uint16_t)seq, &rtt) == 0)
			rtts[got++] = (uint32_t)rtt;
	SYSCALL1(SYS_close, s);
	if (got == 0) {
		printf("error: pingstat: no reply from %s\n", argv[1]);
		return (CMD_FAIL);
	}
	sort_u32(rtts, got);
	printf("pingstat: %lu/%lu replies min_us %u median_us %u p99_us %u "
	    "max_us %u\n", (uint64_t)got, count, rtts[0], rtts[got / 2],
	    rtts[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1],
	    rtts[got - 1]);
	return (got == count ? CMD_OK : CMD_FAIL);
}
