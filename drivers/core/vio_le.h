/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * Copyright (c) 2026 The dfly-virtio Project.
 */

/*
 * Little-endian helpers.  Virtio 1.x rings and configuration space are
 * little-endian.  The dec/enc forms work on raw bytes (configuration
 * snapshots, request headers in DMA memory) and need no alignment; the
 * htole/letoh forms convert values for naturally aligned ring fields.
 * Both rely only on the compiler's predefined byte-order macros, so a
 * binding need not provide them.
 */

#ifndef _VIO_LE_H_
#define _VIO_LE_H_

#include "vio_os.h"

static inline uint16_t
vio_le16dec(const void *buf)
{
	const uint8_t *p = buf;

	return ((uint16_t)p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t
vio_le32dec(const void *buf)
{
	const uint8_t *p = buf;

	return ((uint32_t)vio_le16dec(p) | (uint32_t)vio_le16dec(p + 2) << 16);
}

static inline uint64_t
vio_le64dec(const void *buf)
{
	const uint8_t *p = buf;

	return ((uint64_t)vio_le32dec(p) | (uint64_t)vio_le32dec(p + 4) << 32);
}

static inline void
vio_le16enc(void *buf, uint16_t v)
{
	uint8_t *p = buf;

	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static inline void
vio_le32enc(void *buf, uint32_t v)
{
	uint8_t *p = buf;

	vio_le16enc(p, v & 0xffff);
	vio_le16enc(p + 2, v >> 16);
}

static inline void
vio_le64enc(void *buf, uint64_t v)
{
	uint8_t *p = buf;

	vio_le32enc(p, v & 0xffffffffU);
	vio_le32enc(p + 4, v >> 32);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define vio_htole16(x)	((uint16_t)(x))
#define vio_htole32(x)	((uint32_t)(x))
#define vio_htole64(x)	((uint64_t)(x))
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define vio_htole16(x)	__builtin_bswap16(x)
#define vio_htole32(x)	__builtin_bswap32(x)
#define vio_htole64(x)	__builtin_bswap64(x)
#else
#error "vio_le.h: the compiler does not say the byte order"
#endif
#define vio_le16toh(x)	vio_htole16(x)
#define vio_le32toh(x)	vio_htole32(x)
#define vio_le64toh(x)	vio_htole64(x)

#endif /* !_VIO_LE_H_ */
