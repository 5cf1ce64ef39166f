/* sxforge: a viewer who forges, for the attack suite (tests/security/).
 *
 * A viewer is a box that holds the channel's RET key: sxforge registers
 * with the management server and tunes like sixcast-client (rtxprobe's
 * probe_ident), so it has a real certificate and the real RET key. It then
 * seals repair ("SX") and mesh ("SM") datagrams with its own identity and
 * writes them to a file, one a line, for the attack tool
 * (udp_attack.py send) to send from any address:
 *
 *   sxforge -M URL -C CREDENTIAL -a OUR_ADDR -c CHANNEL -o FILE [-n ID]
 *           [-L CERT_HEX]... [-g GROUP_ID -K GROUP_KEY_HEX]
 *           [-V VICTIM_ID [-X VICTIM_CERT_HEX]] [-N COUNT] JOB...
 *
 *   JOB is KIND:RECEIVER_ID:MODE, RECEIVER_ID a member whose certificate
 *   the viewer holds (the tune answer's RET servers, or one given by -L):
 *     KIND  ret-nack   a RET NACK (channel CHANNEL's RET key)
 *           burst-req  a fast-channel-change BURST_REQ (RET key)
 *           nack       a group NACK (group -g under its key -K)
 *           hello, preq, pull   mesh messages (the channel's mesh key)
 *     MODE  honest       as itself (its own certificate attached): a
 *                        viewer's own request, valid where its address is
 *           nocert       as VICTIM_ID, no certificate attached
 *           cert-victim  as VICTIM_ID with the victim's real certificate
 *           cert-own     as VICTIM_ID with the viewer's own certificate
 *   Each job writes COUNT (default 1) datagrams, timestamps increasing.
 *
 * A forged datagram is sealed with the only pair secret the viewer has
 * (its own X25519 key with the receiver's), under the right domain secret,
 * but names the victim as its sender: the receiver derives the key from
 * the victim's certificate and the MAC fails.
 *
 * Output lines: "KIND RECEIVER MODE HEX". On stderr, once registered:
 * "sxforge: client ID, RET server ID". Exit 0, or 2 on a usage or setup
 * error. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mesh_wire.h"
#include "probe_ident.h"
#include "rtx_ident.h"
#include "rtx_wire.h"

#define MAX_CERTS 16

enum mode { HONEST, NOCERT, CERT_VICTIM, CERT_OWN };

struct forge {
	rtx_ident *id;
	uint32_t channel, group, victim;
	uint8_t ret_key[32], group_key[32], mesh_key[32];
	bool has_group, has_victim_cert;
	uint8_t victim_cert[RTX_CERT_BYTES];
	uint32_t session;
	uint64_t ts;
	FILE *out;
};

static uint64_t wall_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Seal one datagram to `to` under domain_key, as ourselves or as the
 * victim (mode). Returns its length, or -1 (said). */
static int seal(struct forge *f, uint16_t magic, uint8_t type, uint8_t pflags, uint32_t to,
		const uint8_t *domain_key, const uint8_t *body, uint16_t blen, enum mode mode, uint8_t *buf)
{
	struct rtx_env e = { .type = type, .flags = pflags, .body_len = blen,
			     .domain = magic == RTX_WIRE_MAGIC && !(pflags & RTX_WIRE_FLAG_RET) ? f->group : f->channel,
			     .receiver = to, .ts = ++f->ts, .session = f->session };
	struct rtx_seal s;
	uint8_t own[RTX_CERT_BYTES];
	size_t off;
	int rc = rtx_ident_seal_key(f->id, to, domain_key, true, &s);

	if (rc < 0) {
		fprintf(stderr, "sxforge: no key for %u: %s\n", (unsigned)to, strerror(-rc));
		return -1;
	}
	if (mode == HONEST) {
		s.attach = true; /* a first contact */
		off = rtx_ident_seal_begin(f->id, &s, magic, &e, buf);
	} else {
		e.sender = f->victim;
		e.hint = s.hint;
		if (mode == CERT_VICTIM) {
			e.flags |= RTX_ENV_FLAG_CERT;
			e.cert = f->victim_cert;
		} else if (mode == CERT_OWN) {
			rtx_cert_encode(rtx_ident_cert(f->id), own);
			e.flags |= RTX_ENV_FLAG_CERT;
			e.cert = own;
		}
		off = rtx_env_put(buf, magic, &e);
	}
	memcpy(buf + off, body, blen);
	return (int)rtx_ident_seal_finish(&s, buf, off + blen);
}

/* The body of a message of kind k. Returns its length and the wire's
 * magic, type and flags, or -1 for an unknown kind. */
static int body_of(const struct forge *f, const char *k, uint8_t *b, uint16_t *magic, uint8_t *type,
		   uint8_t *pflags, const uint8_t **key)
{
	*magic = RTX_WIRE_MAGIC;
	*pflags = RTX_WIRE_FLAG_RET;
	*key = f->ret_key;
	if (strcmp(k, "ret-nack") == 0 || strcmp(k, "nack") == 0) {
		uint64_t exts[64];
		size_t used;

		for (int i = 0; i < 64; i++)
			exts[i] = 65536 + (uint64_t)i;
		*type = RTX_MSG_NACK;
		if (k[0] == 'n') {
			*pflags = 0;
			*key = f->group_key;
		}
		return rtx_list_build(b, 256, 0, 0, exts, 64, &used);
	}
	if (strcmp(k, "burst-req") == 0) {
		struct rtx_burst_req rq = { .backlog_ms = 300 };

		*type = RTX_MSG_BURST_REQ;
		return (int)rtx_burst_req_put(b, &rq);
	}
	*magic = MESH_WIRE_MAGIC;
	*pflags = 0;
	*key = f->mesh_key;
	if (strcmp(k, "hello") == 0) {
		struct mesh_hello h = { .flags = MESH_HELLO_OUT, .depth = MESH_DEPTH_NONE };

		*type = MESH_MSG_HELLO;
		return mesh_enc_hello(b, &h);
	}
	if (strcmp(k, "preq") == 0) {
		*type = MESH_MSG_PREQ;
		return mesh_enc_small(b, 0, MESH_DEPTH_NONE, 0);
	}
	if (strcmp(k, "pull") == 0) {
		struct mesh_pull p = { .flags = MESH_PULL_URGENT, .base = 1, .n = 64 };

		for (unsigned i = 0; i < 64; i++)
			p.off[i] = (uint16_t)i;
		*type = MESH_MSG_PULL;
		return mesh_enc_pull(b, &p);
	}
	return -1;
}

static int job(struct forge *f, const char *spec, unsigned count)
{
	char kind[32], mname[32];
	unsigned to;
	uint8_t body[1400], buf[2048], type, pflags;
	uint16_t magic;
	const uint8_t *key;
	const char *const names[] = { "honest", "nocert", "cert-victim", "cert-own" };
	enum mode mode = HONEST;
	int blen;

	if (sscanf(spec, "%31[^:]:%u:%31s", kind, &to, mname) != 3)
		goto bad;
	while (mode <= CERT_OWN && strcmp(names[mode], mname) != 0)
		mode++;
	if (mode > CERT_OWN || (blen = body_of(f, kind, body, &magic, &type, &pflags, &key)) < 0)
		goto bad;
	if ((mode != HONEST && !f->victim) || (mode == CERT_VICTIM && !f->has_victim_cert) ||
	    (key == f->group_key && !f->has_group)) {
		fprintf(stderr, "sxforge: %s needs -V%s%s\n", spec, mode == CERT_VICTIM ? " and -X" : "",
			key == f->group_key ? ", -g and -K" : "");
		return -1;
	}
	for (unsigned i = 0; i < count; i++) {
		char hex[2 * sizeof(buf) + 1];
		int len = seal(f, magic, type, pflags, to, key, body, (uint16_t)blen, mode, buf);

		if (len < 0)
			return -1;
		rtx_hex(buf, (size_t)len, hex);
		fprintf(f->out, "%s %u %s %s\n", kind, to, names[mode], hex);
	}
	return 0;
bad:
	fprintf(stderr, "sxforge: bad job '%s' (KIND:RECEIVER:MODE)\n", spec);
	return -1;
}

static int usage(void)
{
	fputs("usage: sxforge -M URL -C CREDENTIAL -a OUR_ADDR -c CHANNEL -o FILE [-n ID] [-L CERT_HEX]...\n"
	      "               [-g GROUP_ID -K GROUP_KEY_HEX] [-V VICTIM_ID [-X VICTIM_CERT_HEX]] [-N COUNT]\n"
	      "               KIND:RECEIVER:MODE...\n",
	      stderr);
	return 2;
}

struct args {
	const char *url, *cred, *addr, *out, *gkey, *vcert, *learn[MAX_CERTS];
	size_t n_learn;
	long id;
	unsigned count;
};

static int parse(int argc, char **argv, struct args *a, struct forge *f)
{
	int c;

	while ((c = getopt(argc, argv, "M:C:a:c:o:n:L:g:K:V:X:N:")) != -1) {
		switch (c) {
		case 'M': a->url = optarg; break;
		case 'C': a->cred = optarg; break;
		case 'a': a->addr = optarg; break;
		case 'c': f->channel = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'o': a->out = optarg; break;
		case 'n': a->id = strtol(optarg, NULL, 10); break;
		case 'L':
			if (a->n_learn == MAX_CERTS)
				return -1;
			a->learn[a->n_learn++] = optarg;
			break;
		case 'g': f->group = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'K': a->gkey = optarg; break;
		case 'V': f->victim = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'X': a->vcert = optarg; break;
		case 'N': a->count = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	if (!a->url || !a->cred || !a->addr || !a->out || !f->channel || optind >= argc)
		return -1;
	if ((a->gkey && (!f->group || rtx_unhex(a->gkey, f->group_key, 32) < 0)) ||
	    (a->vcert && rtx_unhex(a->vcert, f->victim_cert, RTX_CERT_BYTES) < 0))
		return -1;
	f->has_group = a->gkey != NULL;
	f->has_victim_cert = a->vcert != NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { .id = 900000 + getpid() % 100000, .count = 1 };
	struct forge f = { 0 };
	struct probe_tune t;
	char dev[64];
	int rc = 0;

	if (parse(argc, argv, &a, &f) < 0)
		return usage();
	if (sodium_init() < 0)
		return 2;
	snprintf(dev, sizeof(dev), "viewer-%ld", a.id);
	if (probe_ident_mgmt(a.url, a.cred, dev, a.addr, f.channel, &f.id, &t) < 0)
		return 2;
	memcpy(f.ret_key, t.ret_key, 32);
	mesh_wire_key(f.ret_key, f.channel, f.mesh_key);
	for (size_t i = 0; i < a.n_learn; i++) {
		uint8_t cert[RTX_CERT_BYTES];

		if (rtx_unhex(a.learn[i], cert, sizeof(cert)) < 0 ||
		    (rc = rtx_ident_learn(f.id, cert, sizeof(cert))) < 0) {
			fprintf(stderr, "sxforge: certificate %zu refused: %d\n", i + 1, rc);
			return 2;
		}
	}
	fprintf(stderr, "sxforge: client %u, RET server %u\n", (unsigned)t.client_id, (unsigned)t.server_id);
	randombytes_buf(&f.session, sizeof(f.session));
	f.session |= 1;
	f.ts = wall_ns();
	if (!(f.out = fopen(a.out, "w"))) {
		fprintf(stderr, "sxforge: %s: %s\n", a.out, strerror(errno));
		return 2;
	}
	for (int i = optind; i < argc && rc == 0; i++)
		rc = job(&f, argv[i], a.count);
	if (fclose(f.out) != 0)
		rc = -1;
	rtx_ident_free(f.id);
	return rc < 0 ? 2 : 0;
}
