/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Device-specific configuration space (virtio 1.x spec 2.5).
 *
 * A field wider than one access, or several fields read together, can
 * tear while the device updates them.  Modern devices bump a generation
 * counter on every change: the read is repeated until the counter is the
 * same before and after.  Legacy devices have none, and the spec tells
 * drivers to read until two passes agree.
 */

#include "vio_os.h"
#include "vio.h"
#include "vio_le.h"

static int
vio_config_check(const struct vio_softc *sc, uint32_t off, size_t len)
{

	if (off > sc->sc_config_len || len > sc->sc_config_len - off)
		return (EINVAL);
	return (0);
}

/* The widest naturally aligned access (spec 4.1.3.1) fitting at pos. */
static int
vio_config_width(uint32_t off, size_t left)
{

	if ((off & 3) == 0 && left >= 4)
		return (4);
	if ((off & 1) == 0 && left >= 2)
		return (2);
	return (1);
}

/*
 * One pass over [off, off + len).  Fills buf, or with compare set,
 * returns whether the device still shows what buf holds.
 */
static bool
vio_config_pass(struct vio_softc *sc, uint32_t off, uint8_t *buf,
    size_t len, bool compare)
{
	size_t pos;
	uint32_t val;
	uint8_t bytes[4];
	int i, width;

	for (pos = 0; pos < len; pos += width) {
		width = vio_config_width(off + pos, len - pos);
		val = sc->sc_ops->read_config(sc, off + pos, width);
		vio_le32enc(bytes, val);
		for (i = 0; i < width; i++) {
			if (!compare)
				buf[pos + i] = bytes[i];
			else if (buf[pos + i] != bytes[i])
				return (false);
		}
	}
	return (true);
}

uint32_t
vio_config_generation(struct vio_softc *sc)
{

	if (sc->sc_ops->config_generation == NULL)
		return (0);
	return (sc->sc_ops->config_generation(sc));
}

int
vio_config_read(struct vio_softc *sc, uint32_t off, void *buf, size_t len)
{
	uint32_t gen;
	int try;

	if (vio_config_check(sc, off, len) != 0)
		return (EINVAL);
	for (try = 0; try < VIO_CONFIG_RETRIES; try++) {
		if (sc->sc_ops->config_generation == NULL) {
			vio_config_pass(sc, off, buf, len, false);
			if (vio_config_pass(sc, off, buf, len, true))
				return (0);
			continue;
		}
		gen = sc->sc_ops->config_generation(sc);
		vio_config_pass(sc, off, buf, len, false);
		if (sc->sc_ops->config_generation(sc) == gen)
			return (0);
	}
	vio_mark_broken(sc, "configuration never stable");
	return (EIO);
}

/* One access of a naturally aligned field. */
static int
vio_config_read_field(struct vio_softc *sc, uint32_t off, int width,
    uint32_t *valp)
{

	if ((off & (width - 1)) != 0 || vio_config_check(sc, off, width) != 0)
		return (EINVAL);
	*valp = sc->sc_ops->read_config(sc, off, width);
	return (0);
}

int
vio_config_read_1(struct vio_softc *sc, uint32_t off, uint8_t *valp)
{
	uint32_t val;
	int error;

	if ((error = vio_config_read_field(sc, off, 1, &val)) == 0)
		*valp = (uint8_t)val;
	return (error);
}

int
vio_config_read_2(struct vio_softc *sc, uint32_t off, uint16_t *valp)
{
	uint32_t val;
	int error;

	if ((error = vio_config_read_field(sc, off, 2, &val)) == 0)
		*valp = (uint16_t)val;
	return (error);
}

int
vio_config_read_4(struct vio_softc *sc, uint32_t off, uint32_t *valp)
{

	return (vio_config_read_field(sc, off, 4, valp));
}

int
vio_config_read_8(struct vio_softc *sc, uint32_t off, uint64_t *valp)
{
	uint8_t buf[8];
	int error;

	if ((off & 3) != 0)
		return (EINVAL);
	if ((error = vio_config_read(sc, off, buf, sizeof(buf))) == 0)
		*valp = vio_le64dec(buf);
	return (error);
}

static int
vio_config_write_field(struct vio_softc *sc, uint32_t off, int width,
    uint32_t val)
{

	if ((off & (width - 1)) != 0 || vio_config_check(sc, off, width) != 0)
		return (EINVAL);
	sc->sc_ops->write_config(sc, off, width, val);
	return (0);
}

int
vio_config_write_1(struct vio_softc *sc, uint32_t off, uint8_t val)
{

	return (vio_config_write_field(sc, off, 1, val));
}

int
vio_config_write_2(struct vio_softc *sc, uint32_t off, uint16_t val)
{

	return (vio_config_write_field(sc, off, 2, val));
}

int
vio_config_write_4(struct vio_softc *sc, uint32_t off, uint32_t val)
{

	return (vio_config_write_field(sc, off, 4, val));
}
