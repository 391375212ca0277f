/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * A simulated virtio PCI device for the unit tests and fuzz targets.
 *
 * The simulator plays the device side: PCI configuration space with the
 * virtio capability list, the legacy register file in BAR 0 and the
 * modern regions in BAR 4 (or, as a virtio-mmio device, the version 1 or
 * 2 register window as "BAR" 0), and the device side of split and packed
 * virtqueues, whichever the driver negotiated (reading the available
 * ring or descriptors, walking chains and indirect tables, writing used
 * entries, honouring EVENT_IDX, the flags and the packed ring's event
 * suppression).  The vio_os.h
 * hooks of the test binding (sim_os.c) dispatch to it: the os cookie
 * given to vio_pci_attach() is the struct sim_dev.
 *
 * DMA memory is real heap memory (so ASan sees overruns) at made-up bus
 * addresses below 4 GiB; the device reaches memory only through bus
 * addresses the driver allocated with vio_dma_alloc(), anything else is
 * recorded as a driver error (sim_driver_errors()).
 *
 * Device models.  A protocol test (sim_blk.c, sim_net.c, sim_balloon.c)
 * describes its device with a struct sim_model: device type, offered
 * features, queues, initial configuration bytes and a process callback.
 * When the driver notifies a queue whose model has a process callback,
 * the simulator pops each available chain and calls it:
 *
 *	static int
 *	blk_process(struct sim_dev *dev, uint16_t q, struct sim_chain *ch,
 *	    void *arg)
 *	{
 *		... read ch->segs[i].ptr of readable segments,
 *		    write writable ones ...
 *		return (bytes_written);		-> used entry, len
 *		return (SIM_HOLD);		-> device keeps the chain
 *	}
 *
 * A held chain (e.g. a net rx buffer waiting for a frame) is completed
 * later with sim_complete(); a model without process callback leaves
 * every queue to the test, which pops with sim_pop() and completes with
 * sim_complete() or sim_push_used().
 *
 * Malformed devices.  sim_push_used() writes any id and len; the public
 * fields of struct sim_dev (below "injection") make registers lie; the
 * test may edit sim_pcicfg() bytes and bar_size[] before attach.  A test
 * wanting full control of register reads sets read_hook.
 */

#ifndef _SIM_H_
#define _SIM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_QUEUES		64
#define SIM_MAX_SEGS		256
#define SIM_MAX_CONFIG		256
#define SIM_HOLD		(-1)
/* Largest packed queue the simulator tracks buffer ids for. */
#define SIM_PACKED_MAX		256

/* Layout of the modern regions in BAR 4 (as QEMU places them). */
#define SIM_MODERN_BAR		4
#define SIM_COMMON_OFF		0x0000
#define SIM_ISR_OFF		0x1000
#define SIM_DEVCFG_OFF		0x2000
#define SIM_NOTIFY_OFF		0x3000
#define SIM_NOTIFY_MULT		4
#define SIM_MODERN_BAR_SIZE	0x4000
#define SIM_LEGACY_BAR_SIZE	256
#define SIM_MMIO_SIZE		0x200	/* as QEMU's virtio-mmio windows */
#define SIM_MMIO_VENDOR		0x554d4551	/* "QEMU" */

enum sim_transport {
	SIM_LEGACY,		/* transitional id, no vendor capabilities */
	SIM_MODERN,		/* modern-only id, capabilities only */
	SIM_TRANSITIONAL,	/* transitional id, both interfaces */
	SIM_MMIO_LEGACY,	/* virtio-mmio version 1 */
	SIM_MMIO_MODERN,	/* virtio-mmio version 2 */
};

static inline bool
sim_is_mmio(enum sim_transport tr)
{

	return (tr == SIM_MMIO_LEGACY || tr == SIM_MMIO_MODERN);
}

/* The device speaks virtio 1.x (offers VERSION_1). */
static inline bool
sim_is_modern(enum sim_transport tr)
{

	return (tr != SIM_LEGACY && tr != SIM_MMIO_LEGACY);
}

/* One buffer of a chain, as the device sees it. */
struct sim_seg {
	void		*ptr;		/* host pointer to the buffer */
	uint64_t	addr;		/* bus address the driver posted */
	uint32_t	len;
	bool		write;		/* device-writable */
};

struct sim_chain {
	uint16_t	queue;		/* the queue it came from */
	uint16_t	head;		/* id to return in the used entry */
	bool		indirect;
	unsigned int	nsegs;
	uint32_t	readable;	/* bytes in readable segments */
	uint32_t	writable;	/* bytes in writable segments */
	struct sim_seg	segs[SIM_MAX_SEGS];
};

struct sim_dev;

struct sim_model {
	const char	*name;
	uint16_t	device_type;	/* VIRTIO_ID_* */
	uint64_t	features;	/* offered (+ VERSION_1 if modern) */
	uint16_t	num_queues;
	uint16_t	queue_size;	/* maximum size of every queue */
	const uint8_t	*config;	/* initial device configuration */
	size_t		config_len;
	/* Used entry length, or SIM_HOLD; NULL: the test drives queues. */
	int		(*process)(struct sim_dev *, uint16_t q,
			    struct sim_chain *, void *arg);
	/* Optional: the driver wrote configuration at off. */
	void		(*config_written)(struct sim_dev *, uint32_t off,
			    int width, void *arg);
	/* Optional: the driver reset the device. */
	void		(*reset)(struct sim_dev *, void *arg);
	void		*arg;
};

struct sim_queue {
	uint16_t	max_size;	/* what queue_size/QUEUE_NUM reports */
	uint16_t	num;		/* size in use */
	uint64_t	desc, avail, used;	/* bus addresses */
	bool		enabled;
	uint16_t	msix_vector;
	uint16_t	notify_off;
	/* Split: free-running indexes; packed: ring positions. */
	uint16_t	last_avail;	/* next avail entry to pop */
	uint16_t	used_idx;	/* next used index to write */
	bool		avail_wrap;	/* packed: wrap counter of last_avail */
	bool		used_wrap;	/* packed: wrap counter of used_idx */
	/* Packed: descriptors of each buffer id popped, 0 if none. */
	uint16_t	ndesc[SIM_PACKED_MAX];
	unsigned int	notifies;	/* driver notifications received */
	unsigned int	interrupts;	/* interrupts the device raised */
	unsigned int	held;		/* chains held by the model */
};

struct sim_dev {
	const struct sim_model *model;
	enum sim_transport transport;
	uint8_t		pcicfg[256];	/* PCI configuration space */
	uint64_t	bar_size[6];
	uint8_t		config[SIM_MAX_CONFIG];	/* device configuration */
	size_t		config_len;

	/* Device state, as the driver left it. */
	uint8_t		status;
	uint64_t	features;	/* offered */
	uint64_t	driver_features;
	uint32_t	dfselect, gfselect;
	uint8_t		generation;
	uint8_t		isr;
	uint16_t	config_vector;
	uint16_t	queue_sel;
	bool		msix_enabled;	/* the binding's MSI-X switch */
	struct sim_queue queues[SIM_MAX_QUEUES];
	uint32_t	mmio_page_size;	/* mmio version 1: GuestPageSize */
	uint32_t	mmio_queue_align;	/* and QueueAlign */
	unsigned int	config_interrupts;
	unsigned int	resets;

	/* Injection of malformed behaviour (all off when zero). */
	bool		refuse_features_ok;	/* clear FEATURES_OK */
	bool		stuck_status;	/* reset never reads back 0 */
	bool		generation_flaps;	/* changes on every read */
	bool		config_flaps;	/* legacy: config differs each read */
	bool		refuse_vectors;	/* vector reads back NO_VECTOR */
	bool		refuse_queue_enable;
	bool		refuse_queue_size;	/* queue_size write ignored */
	bool		no_notify;	/* set VRING_USED_F_NO_NOTIFY */
	bool		no_avail_event;	/* do not update avail_event */
	bool		needs_reset;	/* report DEVICE_NEEDS_RESET */
	/* Per queue: edit queues[q].notify_off or max_size before use. */
	/* Return true and set *val to override a BAR or config read. */
	bool		(*read_hook)(struct sim_dev *, int bar, uint32_t off,
			    int width, uint32_t *val, void *arg);
	/* pcicfg reads: same, bar = -1. */
	void		*hook_arg;

	/* Test binding state (sim_os.c). */
	unsigned int	dma_fail_after;	/* fail the Nth vio_dma_alloc */
	unsigned int	mem_fail_after;	/* fail the Nth vio_mem_alloc */
	unsigned int	dma_allocs, mem_allocs;
	unsigned int	dma_live, mem_live;	/* leaks show up here */
	unsigned int	delays;
	/*
	 * Loop bound: with sync_limit set, the sync_limit + 1st
	 * vio_dma_sync() aborts.  A completion loop syncs the ring on every
	 * look at it, so a loop that never ends crashes the fuzzer instead
	 * of hanging it (sim_bound()).
	 */
	unsigned int	syncs, sync_limit;
	char		last_log[256];
	unsigned int	driver_errors;	/* driver broke the protocol */
	char		driver_error[256];
	/*
	 * Of those, errors no device behaviour can excuse: a register
	 * access outside a BAR or configuration space, DMA misuse.  The
	 * fuzz targets, whose device lies, abort on these only.
	 */
	unsigned int	hard_errors;
	struct sim_region *regions;	/* DMA memory the device may touch */
	uint64_t	next_busaddr;
	unsigned int	config_reads;	/* for config_flaps */
};

/* Create a device of model on transport; destroy checks for leaks. */
struct sim_dev	*sim_create(const struct sim_model *, enum sim_transport);
void		sim_destroy(struct sim_dev *);
/* PCI device id to give vio_pci_attach() (transitional or modern). */
uint16_t	sim_pci_device_id(const struct sim_dev *);
/* Rebuild the capability list after changing the model or transport. */
void		sim_build_pcicfg(struct sim_dev *);

/* Change configuration bytes, bump the generation, raise the interrupt. */
void		sim_config_update(struct sim_dev *, uint32_t off,
		    const void *buf, size_t len);

/*
 * Queues, device side.  sim_pop: 0 with the next available chain,
 * ENOENT if none, EINVAL if the driver posted garbage (also counted in
 * driver_errors).  sim_complete: used entry for a chain popped earlier.
 * sim_push_used: raw used entry, for malformed-device tests (packed: a
 * used descriptor at the device's next used position, without F_WRITE
 * as QEMU writes them; the position then skips the descriptors of id's buffer, or
 * one for an id not in flight).
 * sim_process: pop and hand every available chain to the model.
 */
int		sim_pop(struct sim_dev *, uint16_t q, struct sim_chain *);
void		sim_complete(struct sim_dev *, uint16_t q, uint16_t head,
		    uint32_t len);
void		sim_push_used(struct sim_dev *, uint16_t q, uint32_t id,
		    uint32_t len);
int		sim_process(struct sim_dev *, uint16_t q);
/*
 * Overwrite the used index (malformed-device tests).  Packed: the
 * position (bits 0-14, modulo the size) and wrap counter (bit 15) of
 * the next used descriptor.
 */
void		sim_set_used_idx(struct sim_dev *, uint16_t q, uint16_t idx);

/* Allow limit more DMA syncs (0: no limit), see sync_limit. */
void		sim_bound(struct sim_dev *, unsigned int limit);

/* Host pointer for a bus range the driver allocated, or NULL. */
void		*sim_translate(struct sim_dev *, uint64_t addr, size_t len);
/* Record a protocol violation by the driver (tests assert none). */
void		sim_driver_error(struct sim_dev *, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 2, 3)));

/* Register files (called by sim_os.c). */
uint32_t	sim_bar_read(struct sim_dev *, int bar, uint32_t off,
		    int width);
void		sim_bar_write(struct sim_dev *, int bar, uint32_t off,
		    int width, uint32_t val);
uint32_t	sim_pcicfg_read(struct sim_dev *, uint32_t off, int width);

#endif /* !_SIM_H_ */
