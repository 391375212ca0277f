/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

#include <string.h>

#include "sim_stream.h"

/* Walk the segments of one direction, copying at stream offset off. */
static size_t
sim_stream_copy(const struct sim_chain *ch, bool write, size_t off,
    uint8_t *buf, size_t len)
{
	const struct sim_seg *s;
	size_t done, n;
	unsigned int i;

	done = 0;
	for (i = 0; i < ch->nsegs && done < len; i++) {
		s = &ch->segs[i];
		if (s->write != write)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > len - done)
			n = len - done;
		if (write)
			memcpy((uint8_t *)s->ptr + off, buf + done, n);
		else
			memcpy(buf + done, (uint8_t *)s->ptr + off, n);
		done += n;
		off = 0;
	}
	return (done);
}

size_t
sim_stream_read(const struct sim_chain *ch, size_t off, void *buf, size_t len)
{
	return (sim_stream_copy(ch, false, off, buf, len));
}

size_t
sim_stream_write(const struct sim_chain *ch, size_t off, const void *buf,
    size_t len)
{
	return (sim_stream_copy(ch, true, off, (uint8_t *)(uintptr_t)buf, len));
}

void
sim_put_le(uint8_t *p, uint64_t v, int width)
{
	int i;

	for (i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t
sim_get_le(const uint8_t *p, int width)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return (v);
}
