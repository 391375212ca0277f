/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * blk: the LBA-keyed check pattern (images/mini/pattern.c) written to and
 * read back from a virtio disk through its /dev node, with the mini's
 * command syntax and answers.
 *
 * DragonFly's userland has no way to ask a raw disk for a cache flush
 * (only HAMMER issues BUF_CMD_FLUSH), so `blk flush' is fsync(2), which
 * the host must not take for a device flush: the harness reads the disk
 * image only once QEMU has stopped the guest and flushed it.
 *
 * `blk open' keeps a disk open in the shell itself until `blk close',
 * as a mounted file system would (kldunload of its driver must fail).
 */

#include "console.h"
#include "init.h"
#include "mem.h"
#include "pattern.h"
#include "sys.h"

#define CHUNK_SECTORS	128	/* 64 KiB per read(2) or write(2) */

static uint64_t	blk_buf[CHUNK_SECTORS * PATTERN_SECTOR / 8];

/* Our driver's disk, else DragonFly's own (vtblk names its disks vbd). */
static const char *const default_disks[] = { "vioblk0", "vbd0" };

static long
open_disk(const char *name, char *path, size_t len, int flags)
{
	size_t i;
	long fd;

	if (name != NULL) {
		snprintf(path, len, "/dev/%s", name);
		return (SYSCALL3(SYS_open, path, flags, 0));
	}
	fd = -ENOENT;
	for (i = 0; i < nitems(default_disks) && fd == -ENOENT; i++) {
		snprintf(path, len, "/dev/%s", default_disks[i]);
		fd = SYSCALL3(SYS_open, path, flags, 0);
	}
	return (fd);
}

static int
blk_rw(bool write, int fd, const char *path, uint64_t lba, uint64_t count,
    uint64_t seed)
{
	const char *op = write ? "write" : "read";
	uint64_t done, n, off;
	uint32_t bad;
	long r;

	for (done = 0; done < count; done += n) {
		n = count - done < CHUNK_SECTORS ? count - done : CHUNK_SECTORS;
		off = (lba + done) * PATTERN_SECTOR;
		if (write) {
			pattern_fill(blk_buf, lba + done, (uint32_t)n, seed);
			r = SYSCALL5(SYS_extpwrite, fd, blk_buf,
			    n * PATTERN_SECTOR, 0, off);
		} else
			r = SYSCALL5(SYS_extpread, fd, blk_buf,
			    n * PATTERN_SECTOR, 0, off);
		if (r < 0) {
			printf("error: blk %s: %s at LBA %lu: %s\n", op, path,
			    lba + done, errname(-r));
			return (CMD_FAIL);
		}
		if ((uint64_t)r != n * PATTERN_SECTOR) {
			printf("error: blk %s: %s at LBA %lu: short transfer "
			    "(%ld bytes)\n", op, path, lba + done, r);
			return (CMD_FAIL);
		}
		if (!write) {
			bad = pattern_check(blk_buf, lba + done, (uint32_t)n,
			    seed);
			if (bad < n) {
				printf("blk read: mismatch at LBA %lu\n",
				    lba + done + bad);
				return (CMD_FAIL);
			}
		}
	}
	printf("blk %s: %lu sectors at LBA %lu ok\n", op, count, lba);
	return (CMD_OK);
}

static int
blk_close(const char *arg)
{
	uint64_t fd;
	long r;

	if (!parse_u64(arg, &fd) || fd < 3)
		return (CMD_USAGE);
	if ((r = SYSCALL1(SYS_close, fd)) < 0) {
		printf("error: blk close: fd %lu: %s\n", fd, errname(-r));
		return (CMD_FAIL);
	}
	printf("blk close: fd %lu closed\n", fd);
	return (CMD_OK);
}

int
cmd_blk(int argc, char **argv)
{
	uint64_t lba, count, seed;
	const char *name;
	char path[64];
	bool write;
	long fd, r;
	int ret;

	if (argc >= 2 && (strcmp(argv[1], "read") == 0 ||
	    strcmp(argv[1], "write") == 0)) {
		if ((argc != 5 && argc != 6) || !parse_u64(argv[2], &lba) ||
		    !parse_u64(argv[3], &count) ||
		    !parse_u64(argv[4], &seed) || count == 0)
			return (CMD_USAGE);
		write = strcmp(argv[1], "write") == 0;
		name = argc == 6 ? argv[5] : NULL;
		fd = open_disk(name, path, sizeof(path),
		    write ? O_RDWR : O_RDONLY);
		if (fd < 0) {
			printf("error: blk %s: cannot open %s: %s\n", argv[1],
			    path, errname(-fd));
			return (CMD_FAIL);
		}
		ret = blk_rw(write, (int)fd, path, lba, count, seed);
		SYSCALL1(SYS_close, fd);
		return (ret);
	}
	if (argc == 3 && strcmp(argv[1], "close") == 0)
		return (blk_close(argv[2]));
	if (argc < 2 || argc > 3 || (strcmp(argv[1], "info") != 0 &&
	    strcmp(argv[1], "flush") != 0 && strcmp(argv[1], "open") != 0))
		return (CMD_USAGE);
	name = argc == 3 ? argv[2] : NULL;
	fd = open_disk(name, path, sizeof(path), O_RDONLY);
	if (fd < 0) {
		printf("error: blk %s: cannot open %s: %s\n", argv[1], path,
		    errname(-fd));
		return (CMD_FAIL);
	}
	if (strcmp(argv[1], "open") == 0) {
		printf("blk open: %s held as fd %ld\n", path, fd);
		return (CMD_OK);
	}
	if (strcmp(argv[1], "flush") == 0) {
		r = SYSCALL1(SYS_fsync, fd);
		SYSCALL1(SYS_close, fd);
		if (r < 0) {
			printf("error: blk flush: %s: %s\n", path,
			    errname(-r));
			return (CMD_FAIL);
		}
		printf("blk flush: %s: fsync ok (no device flush from "
		    "userland)\n", path);
		return (CMD_OK);
	}
	SYSCALL1(SYS_close, fd);
	printf("blk: %s\n", path);
	return (CMD_OK);
}
