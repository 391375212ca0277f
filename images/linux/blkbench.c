/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * blkbench for the Linux reference guest: the DragonFly init's command
 * (images/dragonfly/init/cmd_bench.c) as a static program in the
 * initramfs, same arguments, same answer, so `make bench' drives both
 * guests alike.  O_DIRECT, so every request reaches the driver; QD
 * forked workers with one request outstanding each, as on DragonFly.
 *
 *	blkbench read|write|randread|randwrite SIZE QD COUNT DEV
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "now_us.h"

#define BENCH_SIZE_MAX	(1024 * 1024)
#define BENCH_QD_MAX	64
#define BENCH_SPAN	(256ULL * 1024 * 1024)

struct bench_job {
	bool		write;
	bool		random;
	uint64_t	size;
	uint64_t	qd;
	int		fd;
	void		*buf;
};

static int
worker(const struct bench_job *job, uint64_t w, uint64_t n)
{
	uint64_t slots = BENCH_SPAN / job->size, state, i, off;
	ssize_t r;

	state = 0x9e3779b97f4a7c15ULL * (w + 1);
	for (i = 0; i < n; i++) {
		if (job->random) {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			off = state % slots * job->size;
		} else
			off = (w + i * job->qd) % slots * job->size;
		if (job->write)
			r = pwrite(job->fd, job->buf, job->size, (off_t)off);
		else
			r = pread(job->fd, job->buf, job->size, (off_t)off);
		if (r != (ssize_t)job->size)
			return (1);
	}
	return (0);
}

static int
run(const struct bench_job *job, uint64_t count)
{
	uint64_t w, started = 0;
	int status, ret = 0;
	pid_t pid;

	if (job->qd == 1)
		return (worker(job, 0, count));
	for (w = 0; w < job->qd; w++) {
		pid = fork();
		if (pid == 0)
			_exit(worker(job, w, count / job->qd +
			    (w < count % job->qd)));
		if (pid < 0) {
			perror("blkbench: fork");
			ret = 1;
			break;
		}
		started++;
	}
	for (; started > 0; started--)
		if (wait(&status) < 0 || status != 0)
			ret = 1;
	return (ret);
}

int
main(int argc, char **argv)
{
	struct bench_job job;
	uint64_t count, t0, us;

	if (argc != 6)
		goto usage;
	job.write = strstr(argv[1], "write") != NULL;
	job.random = strncmp(argv[1], "rand", 4) == 0;
	job.size = strtoull(argv[2], NULL, 0);
	job.qd = strtoull(argv[3], NULL, 0);
	count = strtoull(argv[4], NULL, 0);
	if (job.size == 0 || job.size % 512 != 0 ||
	    job.size > BENCH_SIZE_MAX || job.qd == 0 ||
	    job.qd > BENCH_QD_MAX || count < job.qd)
		goto usage;
	job.fd = open(argv[5], (job.write ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (job.fd < 0) {
		perror(argv[5]);
		return (1);
	}
	if (posix_memalign(&job.buf, 4096, job.size) != 0)
		return (1);
	memset(job.buf, 0x5a, job.size);
	t0 = now_us();
	if (run(&job, count) != 0) {
		printf("error: blkbench %s: %s: a request failed\n", argv[1],
		    argv[5]);
		return (1);
	}
	us = now_us() - t0;
	if (us == 0)
		us = 1;
	printf("blkbench %s: size %" PRIu64 " qd %" PRIu64 " requests %"
	    PRIu64 " elapsed_us %" PRIu64 " iops %" PRIu64 " kbps %" PRIu64
	    "\n", argv[1], job.size, job.qd, count, us, count * 1000000 / us,
	    count * job.size * 1000 / 1024 * 1000 / us);
	return (0);
usage:
	fprintf(stderr, "usage: blkbench read|write|randread|randwrite SIZE "
	    "QD COUNT DEV\n");
	return (2);
}
