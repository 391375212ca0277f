/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Fuzz target: device configuration reads against a device whose
 * configuration bytes, generation counter and register answers come from
 * the fuzzer, with reads of any offset and length.
 *
 * Input: mode byte (transport, MSI-X), 32 configuration bytes, then
 * reads (kind, offset, length); at every configuration-space register
 * read one control byte: bit 0 answers the next 4 bytes instead, bit 1
 * bumps the generation counter.  A read must fill exactly the buffer it
 * was given (ASan checks) and report EINVAL or EIO, never garbage
 * silently: a successful read of a field the test device holds still
 * must return its bytes when the device told no lie.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vio_os.h"
#include "vio.h"
#include "vio_pci.h"
#include "sim.h"
#include "sim_loop.h"
#include "fuzz_in.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct hook {
	struct fuzz_in	*in;
	bool		lied;
};

static bool
lying_config(struct sim_dev *dev, int bar, uint32_t off, int width,
    uint32_t *val, void *arg)
{
	struct hook *h = arg;
	uint8_t c;

	(void)width;
	if (bar < 0)
		return (false);
	/* Only device configuration and the generation register. */
	if (dev->transport == SIM_LEGACY ? off < 20 :
	    off != VIRTIO_PCI_COMMON_CFGGENERATION && off < SIM_DEVCFG_OFF)
		return (false);
	c = fuzz_u8(h->in);
	if (c & 2)
		dev->generation++;
	if ((c & 1) == 0)
		return (false);
	h->lied = true;
	*val = fuzz_u32(h->in);
	if (width < 4)
		*val &= (1U << (8 * width)) - 1;
	return (true);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct hook h = { &in, false };
	struct vio_pci_softc psc;
	struct vio_softc *sc = &psc.sc_vio;
	struct sim_loop loop;
	struct sim_dev *dev;
	uint8_t mode, kind, *buf, v1;
	uint16_t v2;
	uint32_t off, v4;
	uint64_t v8;
	size_t len, i;
	int error;

	mode = fuzz_u8(&in);
	sim_loop_init(&loop, 0);
	for (i = 0; i < sizeof(loop.config); i++)
		loop.config[i] = fuzz_u8(&in);
	dev = sim_create(&loop.model, (enum sim_transport)(mode % 3));
	FUZZ_ASSERT(vio_pci_attach(&psc, dev, sim_pci_device_id(dev), 0) == 0);
	dev->msix_enabled = (mode & 4) != 0;
	vio_pci_set_msix(&psc, dev->msix_enabled ? 2 : 0);
	FUZZ_ASSERT(vio_init(sc) == 0);
	dev->read_hook = lying_config;
	dev->hook_arg = &h;
	while (in.n > 0 && !sc->sc_broken) {
		kind = fuzz_u8(&in);
		off = kind & 0x80 ? fuzz_u32(&in) : fuzz_u8(&in);
		h.lied = false;
		switch (kind % 5) {
		case 0:
			len = fuzz_u8(&in);
			buf = malloc(len + 1);	/* exact size for ASan */
			FUZZ_ASSERT(buf != NULL);
			error = vio_config_read(sc, off, buf, len);
			FUZZ_ASSERT(error == 0 || error == EINVAL ||
			    error == EIO);
			if (error == 0 && !h.lied &&
			    off + len <= dev->config_len)
				FUZZ_ASSERT(memcmp(buf, dev->config + off,
				    len) == 0);
			free(buf);
			break;
		case 1:
			error = vio_config_read_1(sc, off, &v1);
			FUZZ_ASSERT(error == 0 || error == EINVAL);
			break;
		case 2:
			error = vio_config_read_2(sc, off, &v2);
			FUZZ_ASSERT(error == 0 || error == EINVAL);
			break;
		case 3:
			error = vio_config_read_4(sc, off, &v4);
			FUZZ_ASSERT(error == 0 || error == EINVAL);
			break;
		case 4:
			error = vio_config_read_8(sc, off, &v8);
			FUZZ_ASSERT(error == 0 || error == EINVAL ||
			    error == EIO);
			break;
		}
	}
	dev->read_hook = NULL;
	FUZZ_ASSERT(dev->hard_errors == 0);
	sim_destroy(dev);
	return (0);
}
