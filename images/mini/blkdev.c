/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * virtio-blk on the mini: vioblk (drivers/blk) does the protocol; this
 * file gives it buffers and waits, and implements the `blk' commands.
 * With VIRTIO_BLK_F_MQ the mini takes every queue the device has (up to
 * VIOBLK_MAX_QUEUES): one CPU has nothing to steer by, so requests go to
 * the queues in turn, and each queue still completes only its own.
 *
 * The test pattern, which the host checks in the disk image: in the
 * sector at LBA L, little-endian 64-bit word i (0..63) is
 * SEED * 0x9E3779B97F4A7C15 + L * 64 + i (mod 2^64).
 */

#include "commands.h"
#include "console.h"
#include "devices.h"
#include "errnum.h"
#include "intr.h"
#include "mem.h"
#include "pattern.h"
#include "shell.h"
#include "timer.h"
#include "vioblk.h"

#define SECTOR			512
#define CHUNK_PAGES		16	/* sync I/O moves 64 KiB at a time */
#define BENCH_QD_MAX		64
#define BENCH_IO		4096
#define IO_TIMEOUT_US		10000000

struct blk_io {
	struct vioblk_req	req;
	struct vioblk_seg	segs[CHUNK_PAGES];
	uint64_t		buf;	/* physical = virtual */
	bool			done;
};

struct mini_blk {
	struct vioblk_softc	sc;
	struct mini_vdev	*vd;
	struct blk_io		sync_io;
	struct blk_io		bench_io[BENCH_QD_MAX];
	struct blk_io		*bench_free[BENCH_QD_MAX];
	unsigned int		nbench_free;
	uint64_t		completions;
	uint16_t		next_queue;	/* round-robin */
	bool			stuck;	/* a request timed out: stop */
};

/* Every virtio disk QEMU gives us, in PCI order: unit 0, 1, ... */
#define MINI_BLK_MAX		4
static struct mini_blk	blks[MINI_BLK_MAX];
static unsigned int	nblks;

static void
blk_req_done(void *arg, struct vioblk_req *req)
{
	struct mini_blk *mb = arg;
	struct blk_io *io = req->br_cookie;

	io->done = true;
	mb->completions++;
}

/* A broken device fails every request (EIO) rather than hanging them. */
static int
blk_vq_done(struct vio_vq *vq)
{
	struct mini_blk *mb = vq->vq_done_arg;

	/* Queue index i is sc_queues[i]. */
	return (vioblk_intr(&mb->sc.sc_queues[vq->vq_index], blk_req_done,
	    mb));
}

/* The queue the next request goes to. */
static struct vioblk_queue *
blk_queue(struct mini_blk *mb)
{
	struct vioblk_queue *bq = &mb->sc.sc_queues[mb->next_queue];

	mb->next_queue = (mb->next_queue + 1) % mb->sc.sc_nqueues;
	return (bq);
}

static uint64_t
blk_features(void)
{

	return (vioblk_features());
}

static int
blk_attach(struct mini_vdev *vd)
{
	struct mini_blk *mb;
	int error, i;

	if (nblks == MINI_BLK_MAX) {
		vd->why = "no room for another blk device";
		return (EBUSY);
	}
	mb = &blks[nblks];
	error = vioblk_attach(&mb->sc, mini_vio(vd), VIOBLK_MAX_QUEUES);
	if (error != 0)
		return (error);
	for (i = 0; i < mb->sc.sc_nqueues; i++) {
		mb->sc.sc_queues[i].bq_vq.vq_done = blk_vq_done;
		mb->sc.sc_queues[i].bq_vq.vq_done_arg = mb;
	}
	mb->sync_io.buf = page_alloc(CHUNK_PAGES, 1);
	for (i = 0; i < BENCH_QD_MAX; i++) {
		mb->bench_io[i].buf = page_alloc(1, 1);
		if (mb->bench_io[i].buf == 0)
			return (ENOMEM);
	}
	if (mb->sync_io.buf == 0)
		return (ENOMEM);
	mb->vd = vd;
	vd->softc = mb;
	nblks++;
	return (0);
}

static bool
io_done(void *arg)
{

	return (((struct blk_io *)arg)->done);
}

/* Submit io (segments already set) and wait for it. */
static int
blk_sync(struct mini_blk *mb, struct blk_io *io)
{
	struct vioblk_queue *bq;
	int error;

	if (mb->stuck)
		return (ETIMEDOUT);
	io->done = false;
	io->req.br_cookie = io;
	bq = blk_queue(mb);
	error = vioblk_submit(bq, &io->req);
	if (error != 0)
		return (error);
	vioblk_kick(bq);
	if (intr_wait_for(io_done, io, IO_TIMEOUT_US) != 0) {
		mb->stuck = true;
		return (ETIMEDOUT);
	}
	return (io->req.br_error);
}

static int
blk_rw(struct mini_blk *mb, enum vioblk_op op, uint64_t lba, uint32_t count)
{
	struct blk_io *io = &mb->sync_io;
	uint32_t bytes = count * SECTOR, off;
	unsigned int n = 0;

	for (off = 0; off < bytes; off += MINI_PAGE_SIZE, n++) {
		io->segs[n].busaddr = io->buf + off;
		io->segs[n].len = bytes - off < MINI_PAGE_SIZE ?
		    bytes - off : MINI_PAGE_SIZE;
	}
	memset(&io->req, 0, sizeof(io->req));
	io->req.br_op = op;
	io->req.br_sector = lba;
	io->req.br_segs = io->segs;
	io->req.br_nsegs = n;
	return (blk_sync(mb, io));
}

static int
blk_simple(struct mini_blk *mb, enum vioblk_op op)
{

	memset(&mb->sync_io.req, 0, sizeof(mb->sync_io.req));
	mb->sync_io.req.br_op = op;
	return (blk_sync(mb, &mb->sync_io));
}

static uint32_t
chunk_sectors(const struct mini_blk *mb)
{
	uint32_t n = CHUNK_PAGES * MINI_PAGE_SIZE / SECTOR;

	if (mb->sc.sc_lim.max_xfer / SECTOR < n)
		n = mb->sc.sc_lim.max_xfer / SECTOR;
	if (mb->sc.sc_lim.max_segs * (MINI_PAGE_SIZE / SECTOR) < n)
		n = mb->sc.sc_lim.max_segs * (MINI_PAGE_SIZE / SECTOR);
	return (n > 0 ? n : 1);
}

static int
cmd_blk_rw(struct mini_blk *mb, bool write, int argc, char **argv)
{
	uint64_t lba, count, seed, done, bad;
	uint32_t n, chunk = chunk_sectors(mb);
	void *buf = (void *)(uintptr_t)mb->sync_io.buf;
	int error;

	if ((argc != 5 && argc != 6) || !parse_u64(argv[2], &lba) ||
	    !parse_u64(argv[3], &count) || !parse_u64(argv[4], &seed) ||
	    count == 0)
		return (CMD_USAGE);
	if (lba > mb->sc.sc_cfg.capacity ||
	    count > mb->sc.sc_cfg.capacity - lba) {
		printf("error: LBA %lu + %lu beyond capacity %lu\n", lba,
		    count, mb->sc.sc_cfg.capacity);
		return (CMD_FAIL);
	}
	for (done = 0; done < count; done += n) {
		n = count - done < chunk ? (uint32_t)(count - done) : chunk;
		if (write)
			pattern_fill(buf, lba + done, n, seed);
		error = blk_rw(mb, write ? VIOBLK_OP_WRITE : VIOBLK_OP_READ,
		    lba + done, n);
		if (error != 0) {
			printf("error: %s at LBA %lu failed: error %d\n",
			    write ? "write" : "read", lba + done, error);
			return (CMD_FAIL);
		}
		if (!write) {
			bad = pattern_check(buf, lba + done, n, seed);
			if (bad != n) {
				printf("blk read: mismatch at LBA %lu\n",
				    lba + done + bad);
				return (CMD_FAIL);
			}
		}
	}
	if (write)
		printf("blk write: %lu sectors at LBA %lu ok\n", count, lba);
	else
		printf("blk read: %lu sectors at LBA %lu ok\n", count, lba);
	return (CMD_OK);
}

static int
cmd_blk_info(struct mini_blk *mb)
{
	const struct vioblk_config *c = &mb->sc.sc_cfg;
	uint16_t i;
	int error;

	error = blk_simple(mb, VIOBLK_OP_GET_ID);
	printf("blk: capacity %lu sectors, block size %u, %s, seg_max %u, "
	    "size_max %u, serial '%s'\n", c->capacity, c->blk_size,
	    c->readonly ? "read-only" : "read-write", c->seg_max, c->size_max,
	    error == 0 ? mb->sync_io.req.br_serial : "-");
	/* What each queue carried, so a test can see them all in use. */
	printf("blk: queues %u of %u, requests", mb->sc.sc_nqueues,
	    c->num_queues);
	for (i = 0; i < mb->sc.sc_nqueues; i++)
		printf(" %lu", mb->sc.sc_queues[i].bq_stats.submitted);
	printf("\n");
	return (CMD_OK);
}

static int
cmd_blk_flush(struct mini_blk *mb)
{
	int error = blk_simple(mb, VIOBLK_OP_FLUSH);

	if (error == EOPNOTSUPP) {
		printf("error: device does not offer VIRTIO_BLK_F_FLUSH\n");
		return (CMD_FAIL);
	}
	if (error != 0) {
		printf("error: flush failed: error %d\n", error);
		return (CMD_FAIL);
	}
	printf("blk flush: ok\n");
	return (CMD_OK);
}

static uint64_t
xorshift64(uint64_t *s)
{

	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

static bool
bench_progress(void *arg)
{
	struct mini_blk *mb = arg;
	unsigned int i;

	/* Return finished I/Os to the free list. */
	for (i = 0; i < BENCH_QD_MAX; i++) {
		if (mb->bench_io[i].done) {
			mb->bench_io[i].done = false;
			mb->bench_free[mb->nbench_free++] = &mb->bench_io[i];
		}
	}
	return (mb->nbench_free > 0);
}

/* Kicks and interrupts of every queue of mb, summed. */
static void
blk_counters(const struct mini_blk *mb, uint64_t *kicks, uint64_t *intrs)
{
	uint16_t i;

	*kicks = *intrs = 0;
	for (i = 0; i < mb->sc.sc_nqueues; i++) {
		*kicks += mb->sc.sc_queues[i].bq_vq.vq_kicks;
		*intrs += mb->sc.sc_queues[i].bq_vq.vq_interrupts;
	}
}

/* Kick every queue a request went to since the last call. */
static void
blk_kick_posted(struct mini_blk *mb, uint32_t *posted)
{
	uint16_t i;

	for (i = 0; i < mb->sc.sc_nqueues; i++) {
		if (*posted & (1U << i))
			vioblk_kick(&mb->sc.sc_queues[i]);
	}
	*posted = 0;
}

static int
cmd_blk_bench(struct mini_blk *mb, int argc, char **argv)
{
	uint64_t count, qd, submitted = 0, first = mb->completions;
	uint64_t kicks0, intrs0, kicks1, intrs1;
	uint64_t blocks, rng = 0x2545F4914F6CDD1DULL, t0, t1;
	struct vioblk_queue *bq;
	struct blk_io *io;
	uint32_t posted;	/* a bit per queue */
	bool write;
	int error = 0, i;

	if (argc != 5 || (strcmp(argv[2], "read") != 0 &&
	    strcmp(argv[2], "write") != 0) || !parse_u64(argv[3], &count) ||
	    !parse_u64(argv[4], &qd) || count == 0 || qd == 0 ||
	    qd > BENCH_QD_MAX)
		return (CMD_USAGE);
	write = strcmp(argv[2], "write") == 0;
	blocks = mb->sc.sc_cfg.capacity / (BENCH_IO / SECTOR);
	if (blocks == 0) {
		printf("error: disk smaller than one 4 KiB block\n");
		return (CMD_FAIL);
	}
	if (mb->stuck) {
		printf("error: an earlier request timed out\n");
		return (CMD_FAIL);
	}
	mb->nbench_free = 0;
	for (i = 0; i < (int)qd; i++) {
		mb->bench_io[i].done = false;
		mb->bench_free[mb->nbench_free++] = &mb->bench_io[i];
	}
	blk_counters(mb, &kicks0, &intrs0);
	t0 = timer_usec();
	while (mb->completions - first < count) {
		posted = 0;
		while (mb->nbench_free > 0 && submitted < count) {
			io = mb->bench_free[--mb->nbench_free];
			memset(&io->req, 0, sizeof(io->req));
			io->segs[0].busaddr = io->buf;
			io->segs[0].len = BENCH_IO;
			io->req.br_op = write ? VIOBLK_OP_WRITE : VIOBLK_OP_READ;
			io->req.br_sector = xorshift64(&rng) % blocks *
			    (BENCH_IO / SECTOR);
			io->req.br_segs = io->segs;
			io->req.br_nsegs = 1;
			io->req.br_cookie = io;
			bq = blk_queue(mb);
			error = vioblk_submit(bq, &io->req);
			if (error != 0)
				break;
			submitted++;
			posted |= 1U << bq->bq_vq.vq_index;
		}
		blk_kick_posted(mb, &posted);
		if (error != 0)
			break;
		if (intr_wait_for(bench_progress, mb, IO_TIMEOUT_US) != 0) {
			mb->stuck = true;
			error = ETIMEDOUT;
			break;
		}
	}
	t1 = timer_usec();
	blk_counters(mb, &kicks1, &intrs1);
	printf("blk bench %s: requests %lu qd %lu kicks %lu interrupts %lu "
	    "elapsed_us %lu\n", argv[2], mb->completions - first, qd,
	    kicks1 - kicks0, intrs1 - intrs0, t1 - t0);
	if (error != 0) {
		printf("error: bench stopped: error %d\n", error);
		return (CMD_FAIL);
	}
	return (CMD_OK);
}

void
blk_flush_before_exit(void)
{
	struct mini_blk *mb;

	/*
	 * QEMU leaves through isa-debug-exit without closing its block
	 * devices: a qcow2 overlay keeps only what a flush committed.
	 */
	for (mb = blks; mb < blks + nblks; mb++)
		if (!mb->stuck && mb->sc.sc_cfg.has_flush &&
		    !vio_is_broken(mini_vio(mb->vd)))
			(void)blk_simple(mb, VIOBLK_OP_FLUSH);
}

/*
 * The disk a command names by its unit number, the last word of
 * `blk info|flush [UNIT]' and `blk read|write LBA COUNT SEED [UNIT]';
 * unit 0 when there is none.
 */
static struct mini_blk *
blk_unit(int argc, char **argv, int unit_arg)
{
	uint64_t unit = 0;

	if (argc > unit_arg && (!parse_u64(argv[unit_arg], &unit) ||
	    unit >= MINI_BLK_MAX))
		return (NULL);
	return (&blks[unit]);
}

int
cmd_blk(int argc, char **argv)
{
	struct mini_blk *mb;
	bool rw;	/* the unit, if any, follows three numbers */

	if (argc < 2)
		return (CMD_USAGE);
	/* bench runs on unit 0: its fifth word is not a unit. */
	rw = strcmp(argv[1], "read") == 0 || strcmp(argv[1], "write") == 0 ||
	    strcmp(argv[1], "bench") == 0;
	mb = blk_unit(argc, argv, rw ? 5 : 2);
	if (mb == NULL)
		return (CMD_USAGE);
	if (!devices_usable(mb->vd, "blk"))
		return (CMD_FAIL);
	if (strcmp(argv[1], "info") == 0 && argc <= 3)
		return (cmd_blk_info(mb));
	if (strcmp(argv[1], "flush") == 0 && argc <= 3)
		return (cmd_blk_flush(mb));
	if (strcmp(argv[1], "write") == 0)
		return (cmd_blk_rw(mb, true, argc, argv));
	if (strcmp(argv[1], "read") == 0)
		return (cmd_blk_rw(mb, false, argc, argv));
	if (strcmp(argv[1], "bench") == 0)
		return (cmd_blk_bench(mb, argc, argv));
	return (CMD_USAGE);
}

const struct mini_driver mini_blk_driver = {
	.name = "blk",
	.device_type = VIRTIO_ID_BLOCK,
	.features = blk_features,
	.attach = blk_attach,
};
