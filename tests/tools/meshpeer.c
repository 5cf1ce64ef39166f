/* meshpeer: mesh nodes on real UDP sockets, for the lab and by hand.
 *
 * One process runs one source or many peers (each on its own port), on the
 * sc_loop event loop:
 *
 *   meshpeer source --edge-id 1 --listen '[::]:5200' --key HEX \
 *       (--group '[ff3e::8000:1]:5000' --ssm 2001:db8::1 --iface eth0 | --ts-file F --kbps 2000)
 *   meshpeer peer --id 11 --listen '[2001:db8:1::5]:5100' --nodes 3 --key HEX \
 *       --source '2147483649@[2001:db8::2]:5200' [--direct] \
 *       (--peers '12@[2001:db8:1::6]:5100,13@...' | --mgmt http://[2001:db8::3]:8080 --credential C) \
 *       [--out 'out-%d.ts'] [--duration 20]
 *
 * A peer writes the TS it plays (RTP headers stripped) and, at exit (time
 * up, SIGTERM, SIGINT), prints one JSON object per node: continuity
 * (played / due), TS continuity-counter errors of what it wrote, start-up
 * (start -> first packet played), lag behind the source (same clock in the
 * lab), traffic counters. A source prints its upload. With --mgmt the peers
 * register (POST /clients/register), tune (the tune answer's RET key) and
 * ask the tracker (GET /channels/{id}/peers) for their peers and the source
 * (docs/api.md). */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "mesh.h"
#include "mesh_sockaddr.h"
#include "meshpeer_ident.h"
#include "rtx_ident.h"
#include "sc_addr.h"
#include "sc_clock.h"
#include "sc_log.h"
#include "sc_httpc.h"
#include "sc_loop.h"
#include "sc_rtp.h"

#define MAX_NODES 64
#define MAX_ADDRS 4096
#define TS 188

struct app;

struct node {
	struct app *app;
	unsigned idx;
	uint32_t id;
	mesh_node *n;
	rtx_ident *ident;
	int fd;
	sc_timer *timer;
	struct sc_sockaddr local;
	FILE *out;
	char token[200];
	int64_t asking; /* the tracker request in flight (0: none) */
	uint64_t start_ns;
	/* TS continuity of what it played */
	uint8_t cc[8192];
	uint8_t seen[8192];
	uint64_t cc_errors, ts_packets;
};

struct app {
	sc_loop *loop;
	sc_httpc *hc; /* the tracker's asks */
	bool source;
	uint32_t channel, edge_id, first_id;
	uint8_t key[32];
	bool have_key, direct, have_ca, have_src_cert;
	uint8_t src_cert[RTX_CERT_BYTES]; /* --source-cert: a real edge's */
	unsigned nodes, max_children;
	struct sc_sockaddr listen;
	const char *group, *ssm, *iface, *ts_file, *peers, *src_spec, *mgmt, *cred, *out, *device;
	double duration, kbps;
	struct node node[MAX_NODES];
	struct sc_sockaddr addrs[MAX_ADDRS];
	size_t naddrs;
	/* source input */
	int in_fd;
	FILE *ts;
	sc_timer *pace;
	uint16_t seq;
	uint64_t pace_ns, next_ns, in_bytes;
};

static struct app A;

/* ---- the address table behind the peer handles ---- */

/* A handle is 1 + the address's index (0 is no handle); an address keeps
 * its handle for the process's life. */
static uint64_t handle_of_sa(const struct sc_sockaddr *a)
{
	size_t i;

	for (i = 0; i < A.naddrs; i++)
		if (sc_addr_equal(&A.addrs[i], a))
			return i + 1;
	if (A.naddrs == MAX_ADDRS)
		return UINT64_MAX;
	A.addrs[A.naddrs] = *a;
	return ++A.naddrs;
}

static uint64_t cb_now(void *ctx);

/* A static node's identity: its derived key pair, its certificate. */
static int static_ident(struct node *nd)
{
	return mpi_static_ident(nd->id, cb_now, &nd->ident);
}

/* ---- mesh callbacks ---- */

static uint64_t cb_now(void *ctx)
{
	(void)ctx;
	return sc_clock_now_ns(sc_loop_clock(A.loop));
}

static int cb_send(void *ctx, uint64_t peer, const uint8_t *buf, size_t len)
{
	struct node *nd = ctx;

	if (!peer || peer > A.naddrs)
		return -ENOENT;
	if (sendto(nd->fd, buf, len, MSG_DONTWAIT, &A.addrs[peer - 1].u.sa, A.addrs[peer - 1].len) < 0)
		return -errno;
	return 0;
}

static void check_ts(struct node *nd, const uint8_t *p)
{
	unsigned pid = (unsigned)(p[1] & 0x1f) << 8 | p[2], cc = p[3] & 0x0f, afc = (p[3] >> 4) & 3;
	bool disc = afc >= 2 && p[4] > 0 && (p[5] & 0x80);

	nd->ts_packets++;
	if (p[0] != 0x47 || pid == 0x1fff || !(afc & 1))
		return;
	if (nd->seen[pid] && !disc && cc != ((nd->cc[pid] + 1) & 15) && cc != nd->cc[pid])
		nd->cc_errors++;
	nd->seen[pid] = 1;
	nd->cc[pid] = (uint8_t)cc;
}

static void cb_deliver(void *ctx, uint64_t seq, const uint8_t *rtp, size_t len)
{
	struct node *nd = ctx;
	struct sc_rtp r;
	size_t i;

	(void)seq;
	if (sc_rtp_parse(rtp, len, &r) < 0)
		return;
	for (i = 0; i + TS <= r.payload_len; i += TS)
		check_ts(nd, r.payload + i);
	if (nd->out)
		fwrite(r.payload, 1, r.payload_len, nd->out);
}

static void cb_lost(void *ctx, uint64_t seq)
{
	struct node *nd = ctx;
	struct mesh_stats st;

	mesh_node_stats(nd->n, &st);
	if (st.lost <= 20)
		sc_log(LOG_NOTICE, "node %u: packet %llu missing at its deadline (newest %llu, partners %u, depth %u)",
		       nd->id, (unsigned long long)seq, (unsigned long long)st.newest, st.partners, st.depth);
}

static int cb_handle_of(void *ctx, const struct mesh_addr *a, uint64_t *h)
{
	struct sc_sockaddr s;

	(void)ctx;
	/* our sockets are IPv6 dual-stack: IPv4 as mapped addresses */
	if (mesh_addr_to_sockaddr(a, true, &s) < 0)
		return -EAFNOSUPPORT;
	*h = handle_of_sa(&s);
	return *h == UINT64_MAX ? -ENOSPC : 0;
}

static int cb_addr_of(void *ctx, uint64_t h, struct mesh_addr *a)
{
	(void)ctx;
	if (!h || h > A.naddrs)
		return -ENOENT;
	mesh_addr_from_sockaddr(&A.addrs[h - 1], a);
	return 0;
}

static void node_rearm(struct node *nd)
{
	uint64_t d = mesh_node_deadline(nd->n);

	if (d != MESH_NO_DEADLINE)
		sc_timer_arm_at(nd->timer, d);
}

/* One batch of the node's datagrams into it. */
static void read_node(struct node *nd)
{
	uint8_t buf[2048];

	for (int k = 0; k < 64; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct sc_sockaddr from;
		ssize_t n = recvfrom(nd->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		uint64_t h;

		if (n < 0)
			break;
		if (sc_addr_from_sa((struct sockaddr *)&ss, sl, &from) < 0 || !mesh_peek(buf, (size_t)n, NULL, NULL))
			continue;
		h = handle_of_sa(&from);
		if (h != UINT64_MAX)
			mesh_node_input(nd->n, buf, (size_t)n, h);
	}
}

/* What waited in the socket while the machine did not run this process is
 * read before the node judges what is missing (as sixcast-client does):
 * on a busy host the wait is ours, not the mesh's. */
static void on_timer(void *arg)
{
	struct node *nd = arg;

	read_node(nd);
	mesh_node_run(nd->n);
	node_rearm(nd);
}

static void on_readable(void *arg, int fd, uint32_t ev)
{
	struct node *nd = arg;

	(void)fd;
	(void)ev;
	read_node(nd);
	mesh_node_run(nd->n);
	node_rearm(nd);
}

/* ---- the tracker (blocking libcurl: a lab tool may pause) ---- */

struct buf {
	char *p;
	size_t n;
};

static size_t on_body(char *d, size_t sz, size_t nm, void *arg)
{
	struct buf *b = arg;
	char *p = realloc(b->p, b->n + sz * nm + 1);

	if (!p)
		return 0;
	memcpy(p + b->n, d, sz * nm);
	b->n += sz * nm;
	p[b->n] = 0;
	b->p = p;
	return sz * nm;
}

static json_t *http(const char *method, const char *path, const char *token, const char *body)
{
	char url[512], auth[256];
	struct curl_slist *h = NULL;
	struct buf b = { NULL, 0 };
	CURL *c = curl_easy_init();
	json_t *j = NULL;
	long code = 0;

	if (!c)
		return NULL;
	snprintf(url, sizeof(url), "%s/api/v1%s", A.mgmt, path);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (token && *token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code == 200 && b.p)
		j = json_loads(b.p, 0, NULL);
	else
		sc_log(LOG_WARNING, "%s %s: HTTP %ld %s", method, url, code, b.p ? b.p : "");
	free(b.p);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return j;
}

static int hex_key(const char *hex, uint8_t key[32])
{
	unsigned i, v;

	if (!hex || strlen(hex) != 64)
		return -EINVAL;
	for (i = 0; i < 32; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		key[i] = (uint8_t)v;
	}
	return 0;
}

/* "ID@ADDR" */
static int parse_info(const char *s, struct mesh_peer_info *pi)
{
	char *at, tmp[256];
	struct sc_sockaddr a;

	memset(pi, 0, sizeof(*pi));
	snprintf(tmp, sizeof(tmp), "%s", s);
	at = strchr(tmp, '@');
	if (!at)
		return -EINVAL;
	*at = 0;
	pi->id = (uint32_t)strtoul(tmp, NULL, 0);
	if (!pi->id || sc_addr_parse(at + 1, 5100, &a) < 0)
		return -EINVAL;
	if (sc_addr_family(&a) == AF_INET) { /* as a mapped address */
		struct mesh_addr m;

		mesh_addr_from_sockaddr(&a, &m);
		mesh_addr_to_sockaddr(&m, true, &a);
	}
	mesh_addr_from_sockaddr(&a, &pi->addr);
	pi->handle = handle_of_sa(&a);
	return 0;
}

/* A tracker entry's certificate ("cert": 256 hex), kept for the node. */
static const uint8_t *json_cert(json_t *v, uint32_t id)
{
	uint8_t b[RTX_CERT_BYTES];

	if (rtx_unhex(json_string_value(json_object_get(v, "cert")), b, sizeof(b)) < 0)
		return NULL;
	return mpi_cert_keep(id, b);
}

static size_t json_peers(json_t *arr, struct mesh_peer_info *out, size_t max, uint32_t self)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(arr, i, v) {
		json_t *addrs = json_object_get(v, "addrs");
		char spec[256];
		uint32_t id = (uint32_t)json_integer_value(json_object_get(v, "client_id"));

		if (n == max || !id || id == self || !json_array_size(addrs))
			continue;
		snprintf(spec, sizeof(spec), "%u@%s", id, json_string_value(json_array_get(addrs, 0)));
		if (parse_info(spec, &out[n]) == 0) {
			out[n].cert = json_cert(v, id);
			n++;
		}
	}
	return n;
}

/* The tracker's answer: peers and the source into the node. */
static void tracker_take(struct node *nd, json_t *j)
{
	struct mesh_peer_info near[16], rnd[16], src;
	size_t nn, nr;
	json_t *s;

	nn = json_peers(json_object_get(j, "near"), near, 16, nd->id);
	nr = json_peers(json_object_get(j, "random"), rnd, 16, nd->id);
	mesh_node_add_peers(nd->n, near, nn, rnd, nr);
	s = json_object_get(j, "source");
	if (s && json_array_size(json_object_get(s, "addrs"))) {
		char spec[256];

		snprintf(spec, sizeof(spec), "%lld@%s", (long long)json_integer_value(json_object_get(s, "id")),
			 json_string_value(json_array_get(json_object_get(s, "addrs"), 0)));
		if (parse_info(spec, &src) == 0) {
			src.cert = json_cert(s, src.id);
			mesh_node_set_source(nd->n, &src, json_is_true(json_object_get(j, "direct")));
		}
	}
}

static void on_tracker(void *arg, int status, const char *body, size_t len, const char *err)
{
	struct node *nd = arg;
	json_t *j = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;

	nd->asking = 0;
	if (!j) {
		sc_log(LOG_WARNING, "node %u: tracker: HTTP %d %s", nd->id, status, status ? body : err);
		return;
	}
	tracker_take(nd, j);
	json_decref(j);
	mesh_node_run(nd->n);
	node_rearm(nd);
}

/* Asynchronous, on the loop: a blocking ask stopped the process's nodes
 * for as long as a busy management server took (up to the 3 s timeout),
 * and their partners with them (mesh_nomcast_lab beside stress-ng). */
static void tracker_ask(struct node *nd)
{
	char url[512];
	int64_t id;

	if (nd->asking)
		return;
	snprintf(url, sizeof(url), "%s/api/v1/channels/%u/peers?client_id=%u", A.mgmt, A.channel, nd->id);
	id = sc_httpc_request(A.hc, "GET", url, nd->token, NULL, 3000, on_tracker, nd);
	if (id < 0)
		sc_log(LOG_WARNING, "node %u: tracker: %s", nd->id, strerror((int)-id));
	else
		nd->asking = id;
}

static void cb_want_peers(void *ctx)
{
	struct node *nd = ctx;

	if (A.mgmt)
		tracker_ask(nd);
}

/* The registration answer: the node's id and token, its certificate (of
 * the key registered) and the CA's key; its identity made with them. */
static int take_registration(struct node *nd, json_t *j, const uint8_t seed[randombytes_SEEDBYTES])
{
	uint8_t cert[RTX_CERT_BYTES], ca_pub[RTX_CA_PUB_BYTES];

	nd->id = (uint32_t)json_integer_value(json_object_get(j, "client_id"));
	snprintf(nd->token, sizeof(nd->token), "%s", json_string_value(json_object_get(j, "token")));
	if (!nd->id || rtx_unhex(json_string_value(json_object_get(j, "cert")), cert, sizeof(cert)) < 0 ||
	    rtx_unhex(json_string_value(json_object_get(j, "ca")), ca_pub, sizeof(ca_pub)) < 0) {
		sc_log(LOG_ERR, "registration answer without id, cert or ca");
		return -EPROTO;
	}
	mpi_set_ca_pub(ca_pub);
	if (!(nd->ident = mpi_ident_new(nd->id, cb_now)))
		return -ENOMEM;
	mpi_seeded_keygen(nd->ident, seed); /* the key pair registered, again */
	return rtx_ident_set_cert(nd->ident, cert, sizeof(cert));
}

/* Register (with a new public key) and tune: the node's id, identity and
 * the channel's RET key. */
static int tracker_join(struct node *nd)
{
	char body[640], path[128], addr[SC_ADDR_STRLEN], pubhex[2 * RTX_PUB_BYTES + 1];
	uint8_t seed[randombytes_SEEDBYTES], pub[RTX_PUB_BYTES];
	json_t *j;
	int rc;

	randombytes_buf(seed, sizeof(seed));
	mpi_seed_pub(seed, pub);
	rtx_hex(pub, sizeof(pub), pubhex);
	sc_addr_format(&nd->local, true, addr, sizeof(addr));
	snprintf(body, sizeof(body),
		 "{\"device_id\":\"%s-%u\",\"credential\":\"%s\",\"addrs\":[\"%s\"],\"pubkey\":\"%s\"}",
		 A.device ? A.device : "meshpeer", sc_addr_port(&nd->local), A.cred ? A.cred : "", addr, pubhex);
	if (!(j = http("POST", "/clients/register", NULL, body)))
		return -EIO;
	rc = take_registration(nd, j, seed);
	sodium_memzero(seed, sizeof(seed));
	json_decref(j);
	if (rc < 0) {
		sc_log(LOG_ERR, "node %u: no identity: %s", nd->id, strerror(-rc));
		return rc;
	}
	snprintf(path, sizeof(path), "/clients/%u/tune", nd->id);
	snprintf(body, sizeof(body), "{\"channel_id\":%u}", A.channel);
	if (!(j = http("POST", path, nd->token, body)))
		return -EIO;
	if (!A.have_key &&
	    hex_key(json_string_value(json_object_get(json_object_get(j, "ret"), "key")), A.key) == 0)
		A.have_key = true;
	json_decref(j);
	return nd->id && A.have_key ? 0 : -EIO;
}

/* ---- nodes ---- */

static int open_socket(struct node *nd, const struct sc_sockaddr *at)
{
	int fd, off = 0, big = 4 << 20;

	fd = socket(sc_addr_family(at), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sc_addr_family(at) == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (bind(fd, &at->u.sa, at->len) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	nd->fd = fd;
	nd->local = *at;
	return sc_loop_add_fd(A.loop, fd, SC_LOOP_IN, on_readable, nd);
}

static int start_node(struct node *nd)
{
	struct mesh_callbacks cb = { .ctx = nd, .now_ns = cb_now, .send = cb_send, .deliver = cb_deliver,
				     .lost = cb_lost, .handle_of = cb_handle_of, .addr_of = cb_addr_of,
				     .want_peers = cb_want_peers, .log = sc_log_sink };
	struct mesh_config cfg;
	struct timespec ts;
	int rc;

	mesh_config_defaults(&cfg, A.source ? MESH_ROLE_SOURCE : MESH_ROLE_PEER);
	cfg.self_id = nd->id;
	cfg.channel_id = A.channel;
	memcpy(cfg.ret_key, A.key, 32);
	cfg.ident = nd->ident;
	mesh_addr_from_sockaddr(&nd->local, &cfg.self_addr);
	clock_gettime(CLOCK_REALTIME, &ts);
	cfg.ts_base_ns = (uint64_t)ts.tv_sec * SC_NS_PER_S + (uint64_t)ts.tv_nsec;
	if (A.max_children)
		cfg.max_children = A.max_children;
	if ((rc = mesh_node_new(&cfg, &cb, &nd->n)) < 0)
		return rc;
	nd->timer = sc_timer_new(A.loop, on_timer, nd);
	nd->start_ns = cb_now(NULL);
	sc_timer_arm(nd->timer, 0);
	return nd->timer ? 0 : -ENOMEM;
}

static int give_static(struct node *nd)
{
	struct mesh_peer_info near[32], src;
	char *list, *tok, *save = NULL;
	size_t n = 0;

	if (A.src_spec) {
		if (parse_info(A.src_spec, &src) < 0)
			return -EINVAL;
		src.id |= MESH_SOURCE_ID_FLAG;
		/* A real edge made its own key: its certificate (GET
		 * /identity) is given; a meshpeer source's is computed. */
		src.cert = A.have_src_cert ? A.src_cert : mpi_static_cert(src.id);
		mesh_node_set_source(nd->n, &src, A.direct);
	}
	if (!A.peers)
		return 0;
	list = strdup(A.peers);
	for (tok = strtok_r(list, ",", &save); tok && n < 32; tok = strtok_r(NULL, ",", &save))
		if (parse_info(tok, &near[n]) == 0 && near[n].id != nd->id) {
			near[n].cert = mpi_static_cert(near[n].id);
			n++;
		}
	free(list);
	mesh_node_add_peers(nd->n, near, n, NULL, 0);
	return 0;
}

/* ---- the source's input ---- */

static void on_mcast(void *arg, int fd, uint32_t ev)
{
	uint8_t buf[2048];
	ssize_t n;
	int k;

	(void)arg;
	(void)ev;
	for (k = 0; k < 64 && (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0; k++) {
		A.in_bytes += (uint64_t)n;
		mesh_node_input_rtp(A.node[0].n, buf, (size_t)n);
	}
	node_rearm(&A.node[0]);
}

static int join_group(void)
{
	struct sc_sockaddr g, src = { 0 };
	unsigned ifindex = 0;
	int fd, level, one = 1;

	if (sc_addr_parse(A.group, 5000, &g) < 0 || (A.ssm && sc_addr_parse(A.ssm, 0, &src) < 0) ||
	    (A.iface && sc_if_index(A.iface, &ifindex) < 0))
		return -EINVAL;
	level = sc_addr_family(&g) == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	fd = socket(sc_addr_family(&g), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &g.u.sa, g.len) < 0)
		return -errno;
	if (src.len) {
		struct group_source_req r = { .gsr_interface = ifindex };

		memcpy(&r.gsr_group, &g.u.ss, g.len);
		memcpy(&r.gsr_source, &src.u.ss, src.len);
		if (setsockopt(fd, level, MCAST_JOIN_SOURCE_GROUP, &r, sizeof(r)) < 0)
			return -errno;
	} else {
		struct group_req r = { .gr_interface = ifindex };

		memcpy(&r.gr_group, &g.u.ss, g.len);
		if (setsockopt(fd, level, MCAST_JOIN_GROUP, &r, sizeof(r)) < 0)
			return -errno;
	}
	A.in_fd = fd;
	return sc_loop_add_fd(A.loop, fd, SC_LOOP_IN, on_mcast, NULL);
}

/* TS file: 7 packets per RTP datagram at --kbps, looped. */
static void on_pace(void *arg)
{
	uint8_t buf[12 + 7 * TS];
	uint64_t now = cb_now(NULL);
	int k;

	(void)arg;
	for (k = 0; k < 16 && A.next_ns <= now; k++, A.next_ns += A.pace_ns) {
		struct sc_rtp_fields f = { .payload_type = SC_RTP_PT_MP2T, .seq = A.seq++, .ssrc = 0x6d657368,
					   .timestamp = (uint32_t)(now / 11111) };
		size_t n = fread(buf + 12, 1, 7 * TS, A.ts);

		if (n < 7 * TS) {
			rewind(A.ts);
			n = fread(buf + 12, 1, 7 * TS, A.ts);
		}
		if (n < TS)
			return;
		sc_rtp_write(buf, 12, &f);
		A.in_bytes += 12 + n;
		mesh_node_input_rtp(A.node[0].n, buf, 12 + n - n % TS);
	}
	if (A.next_ns <= now)
		A.next_ns = now + A.pace_ns;
	sc_timer_arm_at(A.pace, A.next_ns);
	node_rearm(&A.node[0]);
}

/* ---- report ---- */

static void report(void)
{
	unsigned i;

	for (i = 0; i < A.nodes; i++) {
		struct node *nd = &A.node[i];
		struct mesh_stats st;
		double due;

		if (!nd->n)
			continue;
		mesh_node_stats(nd->n, &st);
		due = (double)(st.delivered + st.lost);
		if (A.source) {
			printf("{\"role\":\"source\",\"id\":%u,\"children\":%u,\"input_bytes\":%llu,\"sent_bytes\":%llu,"
			       "\"upload_x\":%.3f,\"redirects\":%llu,\"pulls_served\":%llu}\n",
			       nd->id, st.children, (unsigned long long)A.in_bytes,
			       (unsigned long long)(st.data_bytes_sent + st.ctl_bytes_sent),
			       A.in_bytes ? (double)(st.data_bytes_sent + st.ctl_bytes_sent) / (double)A.in_bytes : 0,
			       (unsigned long long)st.redirects_sent, (unsigned long long)st.data_pulled_out);
			continue;
		}
		printf("{\"role\":\"peer\",\"id\":%u,\"delivered\":%llu,\"lost\":%llu,\"continuity\":%.6f,"
		       "\"cc_errors\":%llu,\"ts_packets\":%llu,\"startup_ms\":%.1f,\"lag_ms_avg\":%.1f,\"lag_ms_max\":%.1f,"
		       "\"partners\":%u,\"depth\":%u,\"received\":%llu,\"duplicates\":%llu,\"pulled\":%llu,"
		       "\"ctl_bytes_sent\":%llu,\"data_bytes_sent\":%llu,\"liars_dropped\":%llu,\"auth_failed\":%llu,\"send_errors\":%llu,"
		       "\"unvalidated\":%llu,\"unknown_sender\":%llu,\"challenges\":%llu,\"validated\":%llu,\"tx_refused\":%llu}\n",
		       nd->id, (unsigned long long)st.delivered, (unsigned long long)st.lost,
		       due ? (double)st.delivered / due : 0.0, (unsigned long long)nd->cc_errors,
		       (unsigned long long)nd->ts_packets,
		       st.first_deliver_ns ? (double)(st.first_deliver_ns - nd->start_ns) / 1e6 : -1.0,
		       st.delivered ? (double)st.lag_sum_ns / (double)st.delivered / 1e6 : -1.0,
		       (double)st.lag_max_ns / 1e6, st.partners, st.depth, (unsigned long long)st.data_received,
		       (unsigned long long)st.data_duplicates, (unsigned long long)st.data_pulled_in,
		       (unsigned long long)st.ctl_bytes_sent, (unsigned long long)st.data_bytes_sent,
		       (unsigned long long)st.liars_dropped, (unsigned long long)st.auth_failed,
		       (unsigned long long)st.send_errors, (unsigned long long)st.unvalidated,
		       (unsigned long long)st.unknown_sender, (unsigned long long)st.challenges,
		       (unsigned long long)st.validated, (unsigned long long)st.tx_refused);
	}
	fflush(stdout);
}

static void on_stop(void *arg, int sig)
{
	(void)arg;
	(void)sig;
	sc_loop_stop(A.loop);
}

static void on_time_up(void *arg)
{
	(void)arg;
	sc_loop_stop(A.loop);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: meshpeer ca-keygen\n"
		   "       meshpeer source --edge-id N --listen ADDR --key HEX --ca-key HEX\n"
		   "                       (--group G [--ssm S] [--iface IF] | --ts-file F --kbps K)\n"
		   "                       [--max-children N] [--channel N] [--duration S]\n"
		   "       meshpeer peer --listen ADDR [--nodes N] (--id N --key HEX --ca-key HEX\n"
		   "                     [--source ID@ADDR [--direct]] [--peers ID@ADDR,...] |\n"
		   "                     --mgmt URL --credential C [--device NAME])\n"
		   "                     [--channel N] [--out FILE-with-%%d] [--duration S]\n"
		   "--ca-key: the CA's Ed25519 secret key, 128 hex digits (meshpeer ca-keygen)\n"
		   "--source-cert: the source's certificate (a real edge's, from its GET /identity)\n");
}

static int parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "edge-id", 1, 0, 'E' }, { "listen", 1, 0, 'l' }, { "key", 1, 0, 'k' }, { "group", 1, 0, 'g' },
		{ "ssm", 1, 0, 'S' }, { "iface", 1, 0, 'i' }, { "ts-file", 1, 0, 'f' }, { "kbps", 1, 0, 'b' },
		{ "max-children", 1, 0, 'm' }, { "channel", 1, 0, 'c' }, { "duration", 1, 0, 'd' },
		{ "nodes", 1, 0, 'n' }, { "id", 1, 0, 'I' }, { "source", 1, 0, 's' }, { "direct", 0, 0, 'D' },
		{ "peers", 1, 0, 'p' }, { "mgmt", 1, 0, 'M' }, { "credential", 1, 0, 'C' }, { "device", 1, 0, 'V' },
		{ "out", 1, 0, 'o' }, { "ca-key", 1, 0, 'A' }, { "source-cert", 1, 0, 'X' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *listen = NULL;
	int o;

	if (argc < 2 || (strcmp(argv[1], "source") && strcmp(argv[1], "peer"))) {
		usage(stderr);
		return -EINVAL;
	}
	A.source = !strcmp(argv[1], "source");
	A.channel = 1;
	A.nodes = 1;
	optind = 2;
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'E': A.edge_id = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'l': listen = optarg; break;
		case 'k': if (hex_key(optarg, A.key) < 0) return -EINVAL; A.have_key = true; break;
		case 'g': A.group = optarg; break;
		case 'S': A.ssm = optarg; break;
		case 'i': A.iface = optarg; break;
		case 'f': A.ts_file = optarg; break;
		case 'b': A.kbps = atof(optarg); break;
		case 'm': A.max_children = (unsigned)atoi(optarg); break;
		case 'c': A.channel = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'd': A.duration = atof(optarg); break;
		case 'n': A.nodes = (unsigned)atoi(optarg); break;
		case 'I': A.first_id = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 's': A.src_spec = optarg; break;
		case 'D': A.direct = true; break;
		case 'p': A.peers = optarg; break;
		case 'M': A.mgmt = optarg; break;
		case 'C': A.cred = optarg; break;
		case 'V': A.device = optarg; break;
		case 'o': A.out = optarg; break;
		case 'A': if (mpi_set_ca_secret(optarg) < 0) return -EINVAL; A.have_ca = true; break;
		case 'X':
			if (rtx_unhex(optarg, A.src_cert, sizeof(A.src_cert)) < 0)
				return -EINVAL;
			A.have_src_cert = true;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (!listen || sc_addr_parse(listen, A.source ? 5200 : 5100, &A.listen) < 0 || !A.nodes ||
	    A.nodes > MAX_NODES || (A.source && (A.nodes != 1 || !A.edge_id || !A.have_key || !A.have_ca ||
					      (!A.group && !(A.ts_file && A.kbps > 0)))) ||
	    (!A.source && !A.mgmt && (!A.first_id || !A.have_key || !A.have_ca))) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int setup(void)
{
	unsigned i;
	int rc;

	for (i = 0; i < A.nodes; i++) {
		struct node *nd = &A.node[i];
		struct sc_sockaddr at = A.listen;

		nd->idx = i;
		nd->app = &A;
		sc_addr_set_port(&at, (uint16_t)(sc_addr_port(&A.listen) + i));
		if ((rc = open_socket(nd, &at)) < 0) {
			sc_log(LOG_ERR, "node %u: socket: %s", i, strerror(-rc));
			return rc;
		}
		nd->id = A.source ? MESH_SOURCE_ID_FLAG | A.edge_id : A.first_id + i;
		if (A.mgmt && !A.source && (rc = tracker_join(nd)) < 0) {
			sc_log(LOG_ERR, "node %u: could not register and tune with %s", i, A.mgmt);
			return rc;
		}
		if ((!A.mgmt || A.source) && (rc = static_ident(nd)) < 0) {
			sc_log(LOG_ERR, "node %u: no identity: %s", nd->id, strerror(-rc));
			return rc;
		}
		if ((rc = start_node(nd)) < 0)
			return rc;
		if (A.out && !A.source) {
			char name[512];
			const char *pc = strstr(A.out, "%d");

			if (pc)
				snprintf(name, sizeof(name), "%.*s%u%s", (int)(pc - A.out), A.out, i, pc + 2);
			else
				snprintf(name, sizeof(name), "%s", A.out);
			nd->out = fopen(name, "wb");
		}
	}
	for (i = 0; i < A.nodes && !A.source; i++) {
		if (A.mgmt)
			tracker_ask(&A.node[i]);
		else
			give_static(&A.node[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	sc_timer *up;
	unsigned i;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	/* before libsodium starts: static key pairs are drawn through it */
	mpi_init();
	sc_log_open("meshpeer", SC_LOG_STDERR, LOG_NOTICE);
	if (argc == 2 && !strcmp(argv[1], "ca-keygen"))
		return mpi_ca_keygen();
	if (parse(argc, argv) < 0)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	A.loop = sc_loop_new(sc_clock_system());
	if (!A.loop)
		return 1;
	sc_loop_add_signal(A.loop, SIGTERM, on_stop, NULL);
	sc_loop_add_signal(A.loop, SIGINT, on_stop, NULL);
	if (!(A.hc = sc_httpc_new(A.loop, NULL)))
		return 1;
	if ((rc = setup()) < 0)
		return 1;
	if (A.source && A.group && (rc = join_group()) < 0) {
		sc_log(LOG_ERR, "join %s: %s", A.group, strerror(-rc));
		return 1;
	}
	if (A.source && !A.group) {
		if (!(A.ts = fopen(A.ts_file, "rb"))) {
			sc_log(LOG_ERR, "%s: %s", A.ts_file, strerror(errno));
			return 1;
		}
		A.pace_ns = (uint64_t)(7 * TS * 8 * 1e9 / (A.kbps * 1000));
		A.pace = sc_timer_new(A.loop, on_pace, NULL);
		A.next_ns = cb_now(NULL);
		sc_timer_arm(A.pace, 0);
	}
	up = sc_timer_new(A.loop, on_time_up, NULL);
	if (A.duration > 0)
		sc_timer_arm(up, (uint64_t)(A.duration * 1e9));
	fprintf(stderr, "meshpeer: %u %s node(s) up\n", A.nodes, A.source ? "source" : "peer");
	sc_loop_run(A.loop);
	report();
	sc_httpc_free(A.hc); /* no answer reaches a freed node */
	for (i = 0; i < A.nodes; i++) {
		mesh_node_free(A.node[i].n);
		rtx_ident_free(A.node[i].ident); /* after its node */
		if (A.node[i].out)
			fclose(A.node[i].out);
		sc_timer_free(A.node[i].timer);
		if (A.node[i].fd > 0)
			close(A.node[i].fd);
	}
	sc_timer_free(up);
	sc_timer_free(A.pace);
	if (A.ts)
		fclose(A.ts);
	sc_loop_free(A.loop);
	curl_global_cleanup();
	return 0;
}
