/* fuzz_seeds: writes the seed corpora of the binary fuzz targets
 * (fuzz_rtx_wire, fuzz_rtx_session, fuzz_mesh) with the libraries' own
 * encoders, so that the seeds are well-formed datagrams of the wire format
 * the tree speaks, not bytes typed by hand:
 *
 *   fuzz_seeds OUTDIR      writes OUTDIR/<target>/<name>
 *
 * The committed seeds under tests/fuzz/corpus/ are its output; the smoke
 * step (./run fuzz-smoke) runs it and fails when a committed seed differs,
 * so a change of a wire format cannot leave its fuzz target mutating seeds
 * that its parsers reject at the first byte. Deterministic: fixed keys,
 * ids and timestamps. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mesh_wire.h"
#include "rtx_auth.h"
#include "rtx_ident.h"
#include "rtx_wire.h"

#define RTP_LEN (12 + 188)

static const char *outdir;
static int failures;

static void put_file(const char *target, const char *name, const uint8_t *b, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		failures++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		failures++;
	}
}

/* An RTP datagram carrying one TS null packet (or a PAT when pat). */
static size_t rtp(uint8_t *b, uint16_t seq, bool pat)
{
	memset(b, 0xff, RTP_LEN);
	b[0] = 0x80;
	b[1] = 33;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	memset(b + 4, 0, 4);
	b[7] = (uint8_t)seq; /* timestamp */
	memcpy(b + 8, "\x5e\x1c\x00\x01", 4);
	memcpy(b + 12, pat ? "\x47\x40\x00\x10\x00" : "\x47\x1f\xff\x10", pat ? 5 : 4);
	return RTP_LEN;
}

/* --- fuzz_rtx_wire: whole datagrams, signed --- */

static const uint8_t wire_key[RTX_KEY_BYTES] = { 1, 2, 3 };

/* A certificate of member id that parses (its signature is made up: the
 * decoders check shapes, not signatures). */
static void fake_cert(uint32_t id, uint8_t out[RTX_CERT_BYTES])
{
	struct rtx_cert c = { .kind = (id & RTX_EDGE_ID_FLAG) ? RTX_CERT_EDGE : RTX_CERT_BOX, .id = id,
			      .serial = 0x01020300u | (id & 0xff), .issuer = 0x5c5c5c5c,
			      .not_before_ms = 1800000000000ULL, .not_after_ms = 1800086400000ULL };

	memset(c.pub, 0x11, sizeof(c.pub));
	memset(c.sig, 0x22, sizeof(c.sig));
	rtx_cert_encode(&c, out);
}

static void wire_datagram(const char *name, uint8_t type, uint8_t flags, const uint8_t *body, size_t blen)
{
	uint8_t buf[RTX_WIRE_OVERHEAD + RTX_CERT_BYTES + 1500], cert[RTX_CERT_BYTES];
	struct rtx_hdr h = { .type = type, .flags = flags & RTX_WIRE_FLAGS_KNOWN, .body_len = (uint16_t)blen,
			     .group_id = 10, .sender_id = flags & RTX_WIRE_FLAG_RET ? 2 : 3,
			     .receiver_id = flags & RTX_WIRE_FLAG_RET ? RTX_EDGE_ID_FLAG | 1 : 2, .ts = 1000,
			     .session = 7 };
	struct rtx_env e;
	size_t off;

	rtx_wire_env(&e, &h);
	if (flags & RTX_ENV_FLAG_CERT) {
		fake_cert(h.sender_id, cert);
		e.flags |= RTX_ENV_FLAG_CERT;
		e.cert = cert;
	}
	off = rtx_env_put(buf, RTX_WIRE_MAGIC, &e);
	memcpy(buf + off, body, blen);
	rtx_auth_sign(wire_key, buf, off + blen);
	put_file("fuzz_rtx_wire", name, buf, off + blen + RTX_WIRE_MAC);
}

/* A NACK body for exts (strictly increasing), or -1. */
static int list_body(uint8_t *body, size_t cap, const uint64_t *exts, size_t n)
{
	size_t used;
	int len = rtx_list_build(body, cap, 0x5e1c0001, 999, exts, n, &used);

	return len < 0 || used != n ? -1 : len;
}

static void seeds_rtx_wire(void)
{
	static const uint64_t pidblp[] = { 65546, 65547, 65550, 65560 };
	uint64_t run[40];
	uint8_t body[1400];
	struct rtx_burst_req rq = { .backlog_ms = 1000 };
	struct rtx_burst_ans an = { .status = RTX_BURST_OK, .speed_pct = 150, .ssrc = 0x5e1c0001, .echo_ts = 999,
				    .start = 90, .rap = 91, .splice = 120, .head = 121, .start_ts = 9000,
				    .rap_ts = 9100, .head_ts = 12000 };
	int len;

	for (size_t i = 0; i < 40; i++)
		run[i] = 65600 + i;
	if ((len = list_body(body, sizeof(body), pidblp, 4)) > 0)
		wire_datagram("nack_pid_blp", RTX_MSG_NACK, 0, body, (size_t)len);
	if ((len = list_body(body, sizeof(body), run, 40)) > 0) {
		wire_datagram("nack_range", RTX_MSG_NACK, 0, body, (size_t)len);
		wire_datagram("missing_ret", RTX_MSG_MISSING, RTX_WIRE_FLAG_RET, body, (size_t)len);
	}
	memcpy(body, "\0\0\0\0\0\0\x03\xe7", 8); /* echo 999 */
	wire_datagram("repair", RTX_MSG_REPAIR, 0, body, 8 + rtp(body + 8, 11, false));
	wire_datagram("burst_req", RTX_MSG_BURST_REQ, RTX_WIRE_FLAG_RET, body, rtx_burst_req_put(body, &rq));
	wire_datagram("burst_req_cert", RTX_MSG_BURST_REQ, RTX_WIRE_FLAG_RET | RTX_ENV_FLAG_CERT, body,
		      rtx_burst_req_put(body, &rq));
	wire_datagram("burst", RTX_MSG_BURST, RTX_WIRE_FLAG_RET, body, rtx_burst_ans_put(body, &an));
	{
		struct rtx_path p = { 0x1122334455667788ULL, 0 };

		wire_datagram("path", RTX_MSG_PATH, RTX_WIRE_FLAG_RET, body, rtx_path_put(body, &p));
	}
}

/* --- fuzz_rtx_session: op | length | data records (see its header) --- */

struct rec {
	uint8_t b[8192];
	size_t n;
};

static void rec_add(struct rec *r, uint8_t op, const uint8_t *d, size_t n)
{
	if (n > 255 || r->n + 2 + n > sizeof(r->b))
		abort(); /* a bug of this program */
	r->b[r->n++] = op;
	r->b[r->n++] = (uint8_t)n;
	memcpy(r->b + r->n, d, n);
	r->n += n;
}

static void rec_rtp(struct rec *r, uint8_t op, uint16_t seq, bool pat)
{
	uint8_t b[RTP_LEN + 3];
	size_t n = rtp(b, seq, pat);

	/* to the edge (op 3) the length's low bits say RAP and PAT */
	rec_add(r, op, b, op == 3 && pat ? n + 3 : n);
}

static void rec_wait(struct rec *r, uint8_t ms)
{
	rec_add(r, 4, &ms, 1);
}

/* A datagram the harness signs: type selector, sender selector, body. */
static void rec_signed(struct rec *r, uint8_t op, uint8_t type, uint8_t sender, const uint8_t *body, size_t n)
{
	uint8_t d[256];

	d[0] = (uint8_t)(type - 1);
	d[1] = sender;
	memcpy(d + 2, body, n);
	rec_add(r, op, d, n + 2);
}

static void seeds_rtx_session(void)
{
	static struct rec r;
	static const uint64_t lost[] = { 65547, 65548 };
	uint8_t body[256];
	struct rtx_burst_req rq = { .backlog_ms = 500 };
	struct rtx_burst_ans an = { .status = RTX_BURST_OK, .speed_pct = 150, .ssrc = 0x5e1c0001, .start = 1,
				    .rap = 1, .splice = 5, .head = 6 };
	int len;

	/* a stream with a gap, repaired by a group member */
	memset(&r, 0, sizeof(r));
	for (uint16_t s = 1; s <= 20; s++)
		if (s != 11 && s != 12)
			rec_rtp(&r, 0, s, s == 1);
	for (int i = 0; i < 5; i++)
		rec_wait(&r, 20);
	memcpy(body, "\0\0\0\0\0\0\x03\xe8", 8);
	rec_signed(&r, 1, RTX_MSG_REPAIR, 1, body, 8 + rtp(body + 8, 11, false));
	rec_wait(&r, 200);
	put_file("fuzz_rtx_session", "gap_repaired", r.b, r.n);
	/* a member asks the client for what it holds */
	memset(&r, 0, sizeof(r));
	for (uint16_t s = 1; s <= 16; s++)
		rec_rtp(&r, 0, s, false);
	if ((len = list_body(body, sizeof(body), lost, 2)) > 0)
		rec_signed(&r, 1, RTX_MSG_NACK, 2, body, (size_t)len);
	rec_wait(&r, 10);
	put_file("fuzz_rtx_session", "nack_served", r.b, r.n);
	/* the edge's RET and fast channel change */
	memset(&r, 0, sizeof(r));
	for (uint16_t s = 1; s <= 8; s++)
		rec_rtp(&r, 3, s, s == 1);
	if ((len = list_body(body, sizeof(body), lost, 2)) > 0)
		rec_signed(&r, 2, RTX_MSG_NACK, 0, body, (size_t)len);
	rec_signed(&r, 2, RTX_MSG_BURST_REQ, 0, body, rtx_burst_req_put(body, &rq));
	rec_add(&r, 7, NULL, 0);
	rec_signed(&r, 6, RTX_MSG_BURST, 1, body, rtx_burst_ans_put(body, &an));
	rec_wait(&r, 50);
	put_file("fuzz_rtx_session", "ret_and_burst", r.b, r.n);
}

/* --- fuzz_mesh: key byte, then type | sender | length (2) | body --- */

static void mesh_rec(struct rec *r, uint8_t type, uint8_t sender, const uint8_t *body, int len)
{
	if (len < 0 || r->n + 4 + (size_t)len > sizeof(r->b))
		abort(); /* a bug of this program */
	r->b[r->n++] = type;
	r->b[r->n++] = sender;
	r->b[r->n++] = (uint8_t)(len >> 8);
	r->b[r->n++] = (uint8_t)len;
	memcpy(r->b + r->n, body, (size_t)len);
	r->n += (size_t)len;
}

static void mesh_entries_of(struct mesh_entries *e)
{
	memset(e, 0, sizeof(*e));
	e->n = 2;
	e->e[0].id = 2;
	e->e[0].addr.family = 6;
	e->e[0].addr.addr[0] = 0x20;
	e->e[0].addr.addr[1] = 0x01;
	e->e[0].addr.addr[15] = 2;
	e->e[0].addr.port = 5100;
	fake_cert(2, e->e[0].cert);
	e->e[1].id = 3;
	e->e[1].addr.family = 4;
	memcpy(e->e[1].addr.addr, "\x0a\x03\x00\x4d", 4);
	e->e[1].addr.port = 5100;
	fake_cert(3, e->e[1].cert);
}

/* A hello alone, and each message's body alone (for the decoders). */
static void seeds_mesh_bodies(void)
{
	static const uint8_t bits[4] = { 0xff, 0xf0, 0x0f, 0x01 };
	struct mesh_hello hello = { .flags = MESH_HELLO_OUT, .depth = 1, .newest = 100, .echo_ts = 5 };
	struct mesh_bmap_msg bm = { .depth = 1, .nbits = 32, .start = 70, .bits = bits };
	struct mesh_pull pull = { .flags = MESH_PULL_URGENT, .base = 90, .n = 3, .off = { 0, 2, 5 } };
	struct mesh_data d = { .seq = 100, .src_ts = 77 };
	struct mesh_entries e;
	uint8_t body[MESH_WIRE_MAX], pkt[RTP_LEN];
	struct rec r = { .n = 0 };

	mesh_entries_of(&e);
	d.rtp = pkt;
	d.rtp_len = rtp(pkt, 100, false);
	r.b[r.n++] = 1;
	mesh_rec(&r, MESH_MSG_HELLO, 1, body, mesh_enc_hello(body, &hello));
	put_file("fuzz_mesh", "hello", r.b, r.n);
	/* Bodies alone: the whole input goes to every decoder first. */
	put_file("fuzz_mesh", "body_hello", body, (size_t)mesh_enc_hello(body, &hello));
	put_file("fuzz_mesh", "body_entries", body, (size_t)mesh_enc_entries(body, &e));
	put_file("fuzz_mesh", "body_bmap", body, (size_t)mesh_enc_bmap(body, &bm));
	put_file("fuzz_mesh", "body_pull", body, (size_t)mesh_enc_pull(body, &pull));
	put_file("fuzz_mesh", "body_data", body, (size_t)mesh_enc_data(body, &d));
	put_file("fuzz_mesh", "body_small", body, (size_t)mesh_enc_small(body, 8, 0, 0));
}

/* A peer's life: hellos, a neighbour query and answer, a partnership, a
 * map, a subscription, data pushed and pulled. */
static void seeds_mesh_session(void)
{
	static struct rec r;
	static const uint8_t bits[2] = { 0xff, 0xfe };
	struct mesh_hello hello = { .flags = MESH_HELLO_OUT | MESH_HELLO_SOURCE, .depth = 0, .newest = 10 };
	struct mesh_bmap_msg bm = { .depth = 0, .nbits = 16, .start = 1, .bits = bits };
	struct mesh_pull pull = { .base = 1, .n = 2, .off = { 0, 1 } };
	struct mesh_data d = { .src_ts = 1 };
	struct mesh_entries e;
	uint8_t body[MESH_WIRE_MAX], pkt[RTP_LEN];

	mesh_entries_of(&e);
	memset(&r, 0, sizeof(r));
	r.b[r.n++] = 1; /* sealed with the channel's mesh key */
	mesh_rec(&r, MESH_MSG_HELLO, 0x80, body, mesh_enc_hello(body, &hello));
	hello.flags = MESH_HELLO_OUT;
	hello.depth = 1;
	mesh_rec(&r, MESH_MSG_HELLO, 1, body, mesh_enc_hello(body, &hello));
	mesh_rec(&r, MESH_MSG_NQUERY, 1, body, mesh_enc_small(body, 8, 0, 0));
	mesh_rec(&r, MESH_MSG_NANSWER, 0x80, body, mesh_enc_entries(body, &e));
	mesh_rec(&r, MESH_MSG_PREQ, 1, body, mesh_enc_small(body, 0, 0, 0));
	mesh_rec(&r, MESH_MSG_PACCEPT, 0x80, body, mesh_enc_small(body, 0, 0, 0));
	mesh_rec(&r, MESH_MSG_BMAP, 0x80, body, mesh_enc_bmap(body, &bm));
	mesh_rec(&r, MESH_MSG_SUB, 1, body, mesh_enc_small(body, 4, 0, 0xf));
	mesh_rec(&r, 0, 1, body, 0); /* time passes */
	for (uint16_t s = 1; s <= 4; s++) {
		d.seq = s;
		d.rtp = pkt;
		d.rtp_len = rtp(pkt, s, s == 1);
		mesh_rec(&r, MESH_MSG_DATA, 0x80, body, mesh_enc_data(body, &d));
		mesh_rec(&r, 0xff, 0x80, pkt, (int)d.rtp_len); /* the source emits it */
	}
	mesh_rec(&r, MESH_MSG_PULL, 1, body, mesh_enc_pull(body, &pull));
	mesh_rec(&r, MESH_MSG_UNSUB, 1, body, mesh_enc_small(body, 4, 0, 0xf));
	mesh_rec(&r, MESH_MSG_PREFUSE, 2, body, mesh_enc_small(body, MESH_REFUSE_FULL, 0, 0));
	hello.flags = MESH_HELLO_LEAVE;
	mesh_rec(&r, MESH_MSG_HELLO, 1, body, mesh_enc_hello(body, &hello));
	put_file("fuzz_mesh", "session", r.b, r.n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	if (rtx_auth_init() < 0) {
		fprintf(stderr, "libsodium does not start\n");
		return 1;
	}
	seeds_rtx_wire();
	seeds_rtx_session();
	seeds_mesh_bodies();
	seeds_mesh_session();
	return failures ? 1 : 0;
}
