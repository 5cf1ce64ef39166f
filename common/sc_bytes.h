/* sc_bytes: big-endian byte accessors for wire formats.
 *
 * Every wire format in sixcast is read and written through these, over a
 * plain uint8_t buffer, so that no code ever casts a packet to a struct and
 * alignment or host byte order never leak into a format. Callers check
 * bounds before calling; these do no checking of their own. */
#ifndef SC_BYTES_H
#define SC_BYTES_H

#include <stdint.h>

static inline uint16_t sc_get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t sc_get_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t sc_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t sc_get_be64(const uint8_t *p)
{
	return (uint64_t)sc_get_be32(p) << 32 | sc_get_be32(p + 4);
}

static inline void sc_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void sc_put_be24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline void sc_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void sc_put_be64(uint8_t *p, uint64_t v)
{
	sc_put_be32(p, (uint32_t)(v >> 32));
	sc_put_be32(p + 4, (uint32_t)v);
}

#endif
