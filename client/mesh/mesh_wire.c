/* mesh_wire: encoders and bounds-checked decoders of the mesh protocol,
 * the channel's mesh key, and the sealing of a datagram in the shared
 * envelope (rtx_ident.h). See mesh_wire.h and docs/protocol/mesh.md. */
#include "config.h"

#include "mesh_wire.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "rtx_ident.h"

#include "sc_bytes.h"
#include "sc_rtp.h"

static const char KDF_CONTEXT[] = "sixcast-mesh";

void mesh_wire_key(const uint8_t ret_key[MESH_KEY_BYTES], uint32_t channel, uint8_t key[MESH_KEY_BYTES])
{
	uint8_t in[sizeof(KDF_CONTEXT) - 1 + 4];

	memcpy(in, KDF_CONTEXT, sizeof(KDF_CONTEXT) - 1);
	sc_put_be32(in + sizeof(KDF_CONTEXT) - 1, channel);
	crypto_generichash(key, MESH_KEY_BYTES, in, sizeof(in), ret_key, MESH_KEY_BYTES);
}

/* Minimum body length per type (index = type); bodies may be longer only
 * where the type has a variable part. */
static const uint16_t body_min[MESH_MSG_MAX + 1] = {
	[MESH_MSG_HELLO] = 24,  [MESH_MSG_NQUERY] = 4, [MESH_MSG_NANSWER] = 4,
	[MESH_MSG_PREQ] = 4,    [MESH_MSG_PACCEPT] = 4, [MESH_MSG_PREFUSE] = 4,
	[MESH_MSG_BMAP] = 12,   [MESH_MSG_SUB] = 4,     [MESH_MSG_UNSUB] = 4,
	[MESH_MSG_DATA] = MESH_WIRE_DATA_HDR + SC_RTP_HDR_MIN, [MESH_MSG_PULL] = 12,
	[MESH_MSG_FULL] = 4,    [MESH_MSG_PATH] = MESH_WIRE_PATH,
};

/* What a 1500-byte MTU allows: every control body with a certificate,
 * DATA without. */
_Static_assert(4 + MESH_WIRE_MAX_ENTRIES * MESH_WIRE_ENTRY <= MESH_WIRE_MAX_CTL, "entries fit");
_Static_assert(12 + MESH_WIRE_MAX_BITS / 8 <= MESH_WIRE_MAX_CTL, "a buffer map fits");
_Static_assert(MESH_WIRE_MAX_RTP >= 12 + 7 * 188, "7 TS packets fit");

int mesh_wire_parse(const uint8_t *buf, size_t len, struct mesh_hdr *h)
{
	struct rtx_env *e = &h->env;

	if (len > MESH_WIRE_MAX || rtx_env_parse(buf, len, MESH_WIRE_MAGIC, e) < 0)
		return -EBADMSG;
	if (e->type == 0 || e->type > MESH_MSG_MAX || (e->flags & MESH_WIRE_PROTO_FLAGS))
		return -EOPNOTSUPP;
	if (e->body_len < body_min[e->type] || !e->domain)
		return -EBADMSG;
	h->type = e->type;
	h->channel = e->domain;
	h->sender = e->sender;
	h->receiver = e->receiver;
	h->ts = e->ts;
	h->session = e->session;
	h->cert = e->cert;
	h->body = e->body;
	h->body_len = e->body_len;
	return 0;
}

int mesh_wire_seal(rtx_ident *ident, const uint8_t key[MESH_KEY_BYTES], const struct mesh_hdr *h,
		   const uint8_t *body, size_t body_len, bool no_cert, uint8_t *out, size_t cap)
{
	struct rtx_env e = { .type = h->type, .domain = h->channel, .receiver = h->receiver,
			     .ts = h->ts, .session = h->session, .body_len = (uint16_t)body_len };
	struct rtx_seal s;
	size_t off;
	int rc;

	if (body_len > MESH_WIRE_MAX - MESH_WIRE_OVERHEAD)
		return -EMSGSIZE;
	/* Without a certificate (media, challenges), to a peer still using
	 * our previous key during a renewal, that key seals it. */
	if ((rc = rtx_ident_seal_key(ident, h->receiver, key, !no_cert, &s)) < 0)
		return rc;
	if (MESH_WIRE_OVERHEAD + (s.attach ? RTX_CERT_BYTES : 0) + body_len > cap) {
		sodium_memzero(&s, sizeof(s));
		return -EMSGSIZE;
	}
	off = rtx_ident_seal_begin(ident, &s, MESH_WIRE_MAGIC, &e, out);
	memcpy(out + off, body, body_len);
	off = rtx_ident_seal_finish(&s, out, off + body_len);
	sodium_memzero(&s, sizeof(s));
	return (int)off;
}

int mesh_peek(const uint8_t *buf, size_t len, uint32_t *channel_id, uint32_t *sender_id)
{
	struct mesh_hdr h;

	if (mesh_wire_parse(buf, len, &h) < 0)
		return 0;
	if (channel_id)
		*channel_id = h.channel;
	if (sender_id)
		*sender_id = h.sender;
	return 1;
}

int mesh_enc_hello(uint8_t *b, const struct mesh_hello *m)
{
	b[0] = m->flags;
	b[1] = m->depth;
	b[2] = b[3] = 0;
	sc_put_be64(b + 4, m->newest);
	sc_put_be64(b + 12, m->echo_ts);
	sc_put_be32(b + 20, m->echo_delay_us);
	return 24;
}

int mesh_dec_hello(const uint8_t *b, size_t len, struct mesh_hello *m)
{
	if (len != 24 || (b[0] & ~MESH_HELLO_KNOWN) || b[2] || b[3])
		return -EBADMSG;
	m->flags = b[0];
	m->depth = b[1];
	m->newest = sc_get_be64(b + 4);
	m->echo_ts = sc_get_be64(b + 12);
	m->echo_delay_us = sc_get_be32(b + 20);
	return 0;
}

int mesh_enc_small(uint8_t *b, uint8_t a, uint8_t bb, uint16_t c)
{
	b[0] = a;
	b[1] = bb;
	sc_put_be16(b + 2, c);
	return 4;
}

int mesh_dec_small(const uint8_t *b, size_t len, uint8_t *a, uint8_t *bb, uint16_t *c)
{
	if (len != 4)
		return -EBADMSG;
	*a = b[0];
	*bb = b[1];
	*c = sc_get_be16(b + 2);
	return 0;
}

/* An entry: id (4), family (1), reserved (1), port (2), address (16: IPv4
 * in the first 4, the rest 0), the node's certificate (128). */
static bool cert_names(const uint8_t *cert, uint32_t id)
{
	struct rtx_cert c;

	return rtx_cert_decode(cert, RTX_CERT_BYTES, &c) == 0 && c.id == id;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n--)
		acc |= *p++;
	return acc == 0;
}

int mesh_enc_entries(uint8_t *b, const struct mesh_entries *m)
{
	size_t i;

	if (m->n > MESH_WIRE_MAX_ENTRIES)
		return -EMSGSIZE;
	b[0] = (uint8_t)m->n;
	b[1] = b[2] = b[3] = 0;
	for (i = 0; i < m->n; i++) {
		uint8_t *e = b + 4 + i * MESH_WIRE_ENTRY;
		const struct mesh_entry *x = &m->e[i];

		if (!x->id || !x->addr.port || (x->addr.family != 4 && x->addr.family != 6) ||
		    !cert_names(x->cert, x->id))
			return -EINVAL;
		sc_put_be32(e, x->id);
		e[4] = x->addr.family;
		e[5] = 0;
		sc_put_be16(e + 6, x->addr.port);
		memset(e + 8, 0, 16);
		memcpy(e + 8, x->addr.addr, x->addr.family == 6 ? 16 : 4);
		memcpy(e + MESH_WIRE_ADDR_ENTRY, x->cert, RTX_CERT_BYTES);
	}
	return (int)(4 + m->n * MESH_WIRE_ENTRY);
}

static int dec_entry(const uint8_t *e, struct mesh_entry *x)
{
	memset(&x->addr, 0, sizeof(x->addr)); /* padding too: callers compare addresses whole */
	x->id = sc_get_be32(e);
	x->addr.family = e[4];
	if (!x->id || (e[4] != 4 && e[4] != 6) || e[5] || !sc_get_be16(e + 6))
		return -EBADMSG;
	/* an IPv4 address is 4 bytes and 12 of zeros: one encoding only */
	if (e[4] == 4 && !all_zero(e + 12, 12))
		return -EBADMSG;
	if (!cert_names(e + MESH_WIRE_ADDR_ENTRY, x->id))
		return -EBADMSG;
	x->addr.port = sc_get_be16(e + 6);
	memcpy(x->addr.addr, e + 8, e[4] == 6 ? 16 : 4);
	memcpy(x->cert, e + MESH_WIRE_ADDR_ENTRY, RTX_CERT_BYTES);
	return 0;
}

int mesh_dec_entries(const uint8_t *b, size_t len, struct mesh_entries *m)
{
	size_t i, n;

	if (len < 4 || b[1] || b[2] || b[3])
		return -EBADMSG;
	n = b[0];
	if (n > MESH_WIRE_MAX_ENTRIES || len != 4 + n * MESH_WIRE_ENTRY)
		return -EBADMSG;
	for (i = 0; i < n; i++)
		if (dec_entry(b + 4 + i * MESH_WIRE_ENTRY, &m->e[i]) < 0)
			return -EBADMSG;
	m->n = n;
	return 0;
}

int mesh_enc_bmap(uint8_t *b, const struct mesh_bmap_msg *m)
{
	size_t nbytes = ((size_t)m->nbits + 7) / 8;

	if (m->nbits > MESH_WIRE_MAX_BITS)
		return -EMSGSIZE;
	b[0] = m->depth;
	b[1] = 0;
	sc_put_be16(b + 2, m->nbits);
	sc_put_be64(b + 4, m->start);
	if (nbytes)
		memcpy(b + 12, m->bits, nbytes);
	return (int)(12 + nbytes);
}

int mesh_dec_bmap(const uint8_t *b, size_t len, struct mesh_bmap_msg *m)
{
	size_t nbytes;

	if (len < 12 || b[1])
		return -EBADMSG;
	m->depth = b[0];
	m->nbits = sc_get_be16(b + 2);
	m->start = sc_get_be64(b + 4);
	nbytes = ((size_t)m->nbits + 7) / 8;
	if (m->nbits > MESH_WIRE_MAX_BITS || len != 12 + nbytes || m->start > UINT64_MAX - m->nbits)
		return -EBADMSG;
	/* bits past nbits in the last byte are zero */
	if ((m->nbits & 7) && (b[12 + nbytes - 1] & (0xffu >> (m->nbits & 7))))
		return -EBADMSG;
	m->bits = b + 12;
	return 0;
}

int mesh_enc_data(uint8_t *b, const struct mesh_data *m)
{
	if (m->rtp_len < SC_RTP_HDR_MIN || m->rtp_len > MESH_WIRE_MAX_RTP)
		return -EMSGSIZE;
	b[0] = m->flags;
	b[1] = b[2] = b[3] = 0;
	sc_put_be64(b + 4, m->seq);
	sc_put_be64(b + 12, m->src_ts);
	memcpy(b + MESH_WIRE_DATA_HDR, m->rtp, m->rtp_len);
	return (int)(MESH_WIRE_DATA_HDR + m->rtp_len);
}

int mesh_dec_data(const uint8_t *b, size_t len, struct mesh_data *m)
{
	struct sc_rtp r;

	if (len < MESH_WIRE_DATA_HDR + SC_RTP_HDR_MIN || (b[0] & ~MESH_DATA_KNOWN) || b[1] || b[2] || b[3])
		return -EBADMSG;
	m->flags = b[0];
	m->seq = sc_get_be64(b + 4);
	m->src_ts = sc_get_be64(b + 12);
	m->rtp = b + MESH_WIRE_DATA_HDR;
	m->rtp_len = len - MESH_WIRE_DATA_HDR;
	if (sc_rtp_parse(m->rtp, m->rtp_len, &r) < 0 || r.seq != (uint16_t)m->seq)
		return -EBADMSG;
	return 0;
}

int mesh_enc_pull(uint8_t *b, const struct mesh_pull *m)
{
	size_t i;

	if (!m->n || m->n > MESH_WIRE_MAX_PULL)
		return -EINVAL;
	b[0] = m->flags;
	b[1] = (uint8_t)m->n;
	b[2] = b[3] = 0;
	sc_put_be64(b + 4, m->base);
	for (i = 0; i < m->n; i++)
		sc_put_be16(b + 12 + 2 * i, m->off[i]);
	return (int)(12 + 2 * m->n);
}

int mesh_dec_pull(const uint8_t *b, size_t len, struct mesh_pull *m)
{
	size_t i;

	if (len < 12 || (b[0] & ~MESH_PULL_URGENT) || b[2] || b[3])
		return -EBADMSG;
	m->flags = b[0];
	m->n = b[1];
	m->base = sc_get_be64(b + 4);
	if (!m->n || m->n > MESH_WIRE_MAX_PULL || len != 12 + 2 * m->n || m->base > UINT64_MAX - 65536)
		return -EBADMSG;
	for (i = 0; i < m->n; i++)
		m->off[i] = sc_get_be16(b + 12 + 2 * i);
	return 0;
}

int mesh_enc_path(uint8_t *b, uint64_t token, uint64_t echo)
{
	if (!token && !echo)
		return -EINVAL;
	sc_put_be64(b, token);
	sc_put_be64(b + 8, echo);
	return MESH_WIRE_PATH;
}

int mesh_dec_path(const uint8_t *b, size_t len, uint64_t *token, uint64_t *echo)
{
	if (len != MESH_WIRE_PATH)
		return -EBADMSG;
	*token = sc_get_be64(b);
	*echo = sc_get_be64(b + 8);
	return *token || *echo ? 0 : -EBADMSG;
}

const char *mesh_msg_name(unsigned type)
{
	static const char *const names[] = {
		"?", "hello", "nquery", "nanswer", "preq", "paccept", "prefuse",
		"bmap", "sub", "unsub", "data", "pull", "full", "path",
	};

	return type <= MESH_MSG_MAX ? names[type] : "?";
}
