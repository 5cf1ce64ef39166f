/* sixcast-mgmt-load: simulated set-top boxes against sixcast-mgmt-server.
 *
 * One process, one thread, many boxes over a pool of keep-alive HTTP/1.1
 * connections (raw sockets and epoll, so that the generator stays light
 * beside the server on a small machine). Phases, each printed with what it
 * measured:
 *   register   every box registers (POST /clients/register)
 *   tune       every box tunes to a channel (Zipf over the line-up)
 *   zap        random boxes change channel, open loop at --rate tunes/s
 *   heartbeat  every box heartbeats once, as fast as the server answers
 *   outage     boxes heartbeat every heartbeat period; one metro falls
 *              silent; the server's detection and regrouping are read back
 * Latency is measured from when a request was due (open loop) or sent
 * (closed loop), so a server that falls behind shows it. Boxes present a
 * public key at registration and with every heartbeat, as boxes with
 * member certificates do (--keys 0: none, as before them; 2: a new key
 * with every heartbeat, so that each one signs a certificate).
 *
 * With --ack-log FILE every acknowledged registration and tune is written
 * to FILE as it is acknowledged; `verify` mode reads such a log back after
 * a crash and checks that the server still knows every acknowledged box
 * (tests/integration/mgmt_kill9.sh). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mgmt_load.h"

struct load_globals G;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rnd(void)
{
	G.rng ^= G.rng << 13;
	G.rng ^= G.rng >> 7;
	G.rng ^= G.rng << 17;
	return G.rng;
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "sixcast-mgmt-load: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static unsigned zipf_pick(void)
{
	double u = (double)(rnd() >> 11) / (double)(1ULL << 53);
	unsigned lo = 0, hi = G.nchan - 1;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (G.zipf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1;
}

static void zipf_init(void)
{
	double sum = 0, acc = 0;

	G.zipf = calloc(G.nchan, sizeof(double));
	for (unsigned i = 0; i < G.nchan; i++)
		sum += 1.0 / (i + 1);
	for (unsigned i = 0; i < G.nchan; i++) {
		acc += 1.0 / (i + 1) / sum;
		G.zipf[i] = acc;
	}
	G.zipf[G.nchan - 1] = 1.0;
}

/* --- connections --- */

static int conn_open(struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c };

	c->want_out = true; /* until connected */
	int one = 1;

	c->fd = socket(G.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&G.addr, G.addrlen) < 0 && errno != EINPROGRESS) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		return -e;
	}
	c->rlen = 0;
	epoll_ctl(G.epfd, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static void idle_push(struct conn *c)
{
	if (c->idle)
		return;
	c->idle = true;
	c->next_idle = G.idle;
	G.idle = c;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(G.epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
}

void request(struct conn *c, const char *method, const char *path, const char *token,
		    const char *body)
{
	size_t blen = body ? strlen(body) : 0;
	int n = snprintf(c->w, WBUF,
			 "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
			 "%s%s%sContent-Length: %zu\r\n\r\n%s",
			 method, path, G.host, token ? "Authorization: Bearer " : "", token ? token : "",
			 token ? "\r\n" : "", blen, body ? body : "");

	if (n < 0 || n >= WBUF)
		die("request too long");
	c->wlen = (size_t)n;
	c->woff = 0;
	c->busy = true;
	c->rlen = 0;
}

/* The response in c->r when complete: status, body pointer and length;
 * 0 when more bytes are needed. */
int parse_response(struct conn *c, int *status, const char **body, size_t *blen)
{
	char *end, *cl;
	size_t hlen, clen;

	c->r[c->rlen] = '\0';
	end = strstr(c->r, "\r\n\r\n");
	if (!end)
		return 0;
	hlen = (size_t)(end - c->r) + 4;
	cl = strcasestr(c->r, "\r\nContent-Length:");
	if (!cl || cl > end)
		return -1;
	clen = strtoul(cl + 17, NULL, 10);
	if (c->rlen < hlen + clen)
		return 0;
	*status = atoi(c->r + 9);
	*body = c->r + hlen;
	*blen = clen;
	return 1;
}

uint32_t json_u32(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? (uint32_t)strtoul(p + strlen(key), NULL, 10) : 0;
}

/* "group":{"id":N,"channel_id":C,"version":V,...,"key":"hex"} */
static void read_group(struct box *b, const char *body, int tune)
{
	const char *g = strstr(body, "\"group\":{");
	const char *k;

	if (!g) {
		if (strstr(body, "\"group\":null"))
			b->gid = b->gver = 0;
		return;
	}
	b->gid = json_u32(g, "\"id\":");
	b->gver = json_u32(g, "\"version\":");
	if (G.acklog && tune && (k = strstr(g, "\"key\":\""))) {
		fprintf(G.acklog, "tune %u %u %u %u %.64s\n", b->id, b->channel, b->gid, b->gver, k + 7);
		fflush(G.acklog);
	}
}

/* --- phases --- */

static void lat_add(struct phase *p, uint64_t ns)
{
	if (p->nlat == p->caplat) {
		p->caplat = p->caplat ? p->caplat * 2 : 65536;
		p->lat_us = realloc(p->lat_us, p->caplat * sizeof(*p->lat_us));
		if (!p->lat_us)
			die("out of memory");
	}
	p->lat_us[p->nlat++] = ns / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ns / 1000);
}

static void box_addr(unsigned i, char *buf, size_t len)
{
	unsigned m = G.box[i].metro;

	snprintf(buf, len, "[2001:db8:%x:%x::%x]:5100", m, i / 65535, i % 65535 + 1);
}

/* ,"pubkey":"<64 hex>" of box i's current key (derived from the seed, the
 * box and its key generation: no state, no crypto), or "" without keys. */
static void box_key(uint32_t i, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t x = ((uint64_t)G.seed << 32 | i) ^ ((uint64_t)G.box[i].keygen << 48);
	char k[65];

	if (!G.keys) {
		out[0] = '\0';
		return;
	}
	for (int w = 0; w < 4; w++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		for (int b = 0; b < 16; b++)
			k[w * 16 + b] = hex[(z >> (4 * b)) & 15];
	}
	k[64] = '\0';
	snprintf(out, len, ",\"pubkey\":\"%s\"", k);
}

static void start_register(struct conn *c, uint32_t i)
{
	char body[512], addr[64], key[96];

	box_addr(i, addr, sizeof(addr));
	box_key(i, key, sizeof(key));
	snprintf(body, sizeof(body), "{\"device_id\":\"%s-%06u\",\"credential\":\"%s\",\"addrs\":[\"%s\"]%s}",
		 G.prefix, i, G.cred, addr, key);
	request(c, "POST", "/api/v1/clients/register", NULL, body);
}

static void start_tune(struct conn *c, uint32_t i, unsigned channel)
{
	char path[64], body[64];

	snprintf(path, sizeof(path), "/api/v1/clients/%u/tune", G.box[i].id);
	snprintf(body, sizeof(body), "{\"channel_id\":%u}", channel);
	G.box[i].channel = channel;
	request(c, "POST", path, G.box[i].token, body);
}

static void start_heartbeat(struct conn *c, uint32_t i)
{
	char path[64], body[512], key[96], ch[32] = "";
	struct box *b = &G.box[i];
	uint64_t rx = 1000 + rnd() % 1000, lost = rnd() % 20;

	snprintf(path, sizeof(path), "/api/v1/clients/%u/heartbeat", b->id);
	if (b->channel)
		snprintf(ch, sizeof(ch), "\"channel_id\":%u,", b->channel);
	if (G.keys == 2)
		b->keygen++;
	box_key(i, key, sizeof(key));
	snprintf(body, sizeof(body),
		 "{\"group_version\":%u,%s\"stats\":{\"received\":%llu,\"lost\":%llu,"
		 "\"repaired_group\":%llu,\"unrepaired\":0}%s}",
		 b->gver, ch, (unsigned long long)rx, (unsigned long long)lost,
		 (unsigned long long)lost, key);
	request(c, "POST", path, b->token, body);
}

/* The next job of the phase for an idle connection, or false. */
static bool next_job(struct conn *c, uint64_t now)
{
	struct phase *p = G.ph;
	uint64_t due = now;
	uint32_t i;

	if (p->issued >= p->total)
		return false;
	if (p->rate > 0) {
		due = p->start_ns + (uint64_t)((double)p->issued * 1e9 / p->rate);
		if (due > now)
			return false;
	}
	i = (uint32_t)(p->issued++ % G.nboxes);
	c->due_ns = due;
	c->box = i;
	if (!strcmp(p->name, "register")) {
		c->kind = K_REG;
		start_register(c, i);
	} else if (!strcmp(p->name, "tune")) {
		c->kind = K_TUNE;
		start_tune(c, i, zipf_pick());
	} else if (!strcmp(p->name, "zap")) {
		unsigned ch;

		i = (uint32_t)(rnd() % G.nboxes);
		c->box = i;
		do
			ch = zipf_pick();
		while (ch == G.box[i].channel && G.nchan > 1);
		c->kind = K_TUNE;
		start_tune(c, i, ch);
	} else {
		c->kind = K_HB;
		if (G.cut_ns && G.box[i].metro == G.cut_metro && now >= G.cut_ns) {
			c->busy = false; /* this box's metro is cut: its slot stays empty */
			p->done++;
			return true;
		}
		start_heartbeat(c, i);
	}
	return true;
}

static void complete(struct conn *c, int status, const char *body)
{
	struct phase *p = G.ph;
	struct box *b = &G.box[c->box];
	const char *t;

	p->done++;
	lat_add(p, now_ns() - c->due_ns);
	if (status < 200 || status > 299) {
		if (p->non2xx++ < 5)
			fprintf(stderr, "  %s: HTTP %d: %.200s\n", p->name, status, body);
		return;
	}
	if (c->kind == K_REG) {
		b->id = json_u32(body, "\"client_id\":");
		t = strstr(body, "\"token\":\"");
		if (t)
			snprintf(b->token, sizeof(b->token), "%.*s", (int)strcspn(t + 9, "\""), t + 9);
		if (G.acklog) {
			fprintf(G.acklog, "reg %s-%06u %u %s\n", G.prefix, c->box, b->id, b->token);
			fflush(G.acklog);
		}
	} else if (c->kind == K_TUNE || c->kind == K_HB) {
		read_group(b, body, c->kind == K_TUNE);
	}
}

static void on_readable(struct conn *c)
{
	const char *body;
	size_t blen;
	int status, rc;
	ssize_t n;

	for (;;) {
		n = read(c->fd, c->r + c->rlen, RBUF - 1 - c->rlen);
		if (n > 0) {
			c->rlen += (size_t)n;
			/* A whole answer usually comes in one read: do not pay
			 * for a second one that would say EAGAIN. */
			if (parse_response(c, &status, &body, &blen) != 0)
				break;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			if (c->busy) {
				G.ph->errors++;
				G.ph->done++;
			}
			c->busy = false;
			conn_close(c);
			idle_push(c);
			return;
		}
		break;
	}
	rc = parse_response(c, &status, &body, &blen);
	if (rc < 0) {
		G.ph->errors++;
		G.ph->done++;
		c->busy = false;
		conn_close(c);
		idle_push(c);
		return;
	}
	if (rc == 0)
		return;
	c->busy = false;
	complete(c, status, body);
	c->rlen = 0;
	idle_push(c);
}

/* Level-triggered EPOLLOUT only while a write waits: an always-writable
 * socket would wake epoll for nothing. */
static void want_out(struct conn *c, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0), .data.ptr = c };

	if (c->want_out == on || c->fd < 0)
		return;
	c->want_out = on;
	epoll_ctl(G.epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void on_writable(struct conn *c)
{
	while (c->busy && c->woff < c->wlen) {
		ssize_t n = write(c->fd, c->w + c->woff, c->wlen - c->woff);

		if (n < 0) {
			if (errno == EAGAIN || errno == ENOTCONN || errno == EINTR)
				want_out(c, true);
			return;
		}
		c->woff += (size_t)n;
	}
	want_out(c, false);
}

/* Give idle connections work; returns how long the next due job is away
 * in ms (for epoll_wait). */
static int feed(void)
{
	uint64_t now = now_ns();
	struct phase *p = G.ph;

	while (G.idle && p->issued < p->total) {
		struct conn *c = G.idle;

		G.idle = c->next_idle;
		c->idle = false;
		if (c->fd < 0 && conn_open(c) < 0) {
			/* The server is gone: the job fails at once. */
			p->issued++;
			p->done++;
			p->errors++;
			idle_push(c);
			continue;
		}
		while (!c->busy && next_job(c, now))
			;
		if (!c->busy) {
			idle_push(c);
			break; /* nothing due yet */
		}
		on_writable(c);
	}
	if (p->rate > 0 && p->issued < p->total) {
		uint64_t due = p->start_ns + (uint64_t)((double)p->issued * 1e9 / p->rate);

		return due > now ? (int)((due - now) / 1000000) : 0;
	}
	return 50;
}

static void run_until_done(void (*tick)(void))
{
	struct epoll_event ev[256];

	while (G.ph->done < G.ph->total) {
		int wait = feed(), n;
		struct timespec ts = { 0, 0 };

		/* Open loop: sleep until the next request is due, to the
		 * microsecond, rather than spin beside the server. */
		if (G.ph->rate > 0 && G.ph->issued < G.ph->total) {
			uint64_t due = G.ph->start_ns + (uint64_t)((double)G.ph->issued * 1e9 / G.ph->rate);
			uint64_t now = now_ns();

			ts.tv_nsec = due > now ? (long)((due - now) % 1000000000ULL) : 0;
			ts.tv_sec = due > now ? (time_t)((due - now) / 1000000000ULL) : 0;
			n = epoll_pwait2(G.epfd, ev, 256, G.idle ? &ts : NULL, NULL);
		} else {
			n = epoll_wait(G.epfd, ev, 256, wait);
		}

		for (int i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr;

			if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
				on_readable(c);
			if (c->fd >= 0 && (ev[i].events & EPOLLOUT))
				on_writable(c);
		}
		if (tick)
			tick();
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(struct phase *p, double q)
{
	if (!p->nlat)
		return 0;
	return p->lat_us[(size_t)fmin((double)p->nlat - 1, q * (double)p->nlat)] / 1000.0;
}

static double server_cpu(void)
{
	char *m = admin_get("/metrics");
	double v = json_num(m, "\nprocess_cpu_seconds_total ");

	free(m);
	return v;
}

static void run_phase(struct phase *p, void (*tick)(void))
{
	double s, cpu0 = server_cpu(), cpu;

	G.ph = p;
	p->start_ns = now_ns();
	run_until_done(tick);
	p->end_ns = now_ns();
	qsort(p->lat_us, p->nlat, sizeof(*p->lat_us), cmp_u32);
	s = (double)(p->end_ns - p->start_ns) / 1e9;
	printf("%-10s %8llu requests in %6.2f s = %8.0f/s  p50 %6.2f ms  p99 %7.2f ms  max %7.2f ms"
	       "  errors %llu  non-2xx %llu\n",
	       p->name, (unsigned long long)p->done, s, (double)p->done / s, pct(p, 0.5), pct(p, 0.99),
	       pct(p, 1.0), (unsigned long long)p->errors, (unsigned long long)p->non2xx);
	cpu = server_cpu() - cpu0;
	if (!isnan(cpu) && p->done)
		printf("           server CPU %.1f s for it (both its threads, kernel included): %.1f us "
		       "per request\n", cpu, cpu * 1e6 / (double)p->done);
	fflush(stdout);
	G.ph = NULL;
	free(p->lat_us);
	free(p);
}

static double server_rss(void)
{
	char *m = admin_get("/metrics");
	double v = json_num(m, "\nprocess_resident_memory_bytes ");

	free(m);
	return v;
}

/* --- the outage phase --- */

static struct {
	int64_t detected_ms;
	double rebuild_ms, clients;
	bool seen;
	uint64_t last_poll;
} out;

static void outage_tick(void)
{
	uint64_t now = now_ns();
	char path[96], *s;

	if (!G.cut_ns && now - G.ph->start_ns > 2ULL * G.hb_ms * 1000000ULL) {
		G.cut_ns = now;
		G.cut_wall_ms = wall_ms();
		printf("outage     metro %u falls silent at +%.1f s (%u boxes stop heartbeating)\n",
		       G.cut_metro, (double)(now - G.ph->start_ns) / 1e9,
		       (G.nboxes + G.nmetro - G.cut_metro) / G.nmetro);
		fflush(stdout);
	}
	if (!G.cut_ns || out.seen || now - out.last_poll < 100000000ULL)
		return;
	out.last_poll = now;
	snprintf(path, sizeof(path), "/api/v1/events?type=metro.silent&subject=metro:%u&limit=1",
		 G.cut_metro);
	s = admin_get(path);
	if (s && strstr(s, "\"ts_ms\":")) {
		out.seen = true;
		out.detected_ms = (int64_t)json_num(s, "\"ts_ms\":");
		out.rebuild_ms = json_num(s, "\"rebuild_us\":") / 1000.0;
		out.clients = json_num(s, "\"clients\":");
		printf("outage     detected %.2f s after the cut: %0.f boxes out of their groups, "
		       "regrouped in %.2f ms\n",
		       (double)(out.detected_ms - G.cut_wall_ms) / 1e3, out.clients, out.rebuild_ms);
		fflush(stdout);
	}
	free(s);
}

static void report_outage(void)
{
	char path[96], *s;
	double left;

	snprintf(path, sizeof(path), "/api/v1/groups?metro=%u&limit=1", G.cut_metro);
	s = admin_get(path);
	left = json_num(s, "\"total\":");
	free(s);
	printf("outage     groups still holding a box of metro %u: %.0f%s\n", G.cut_metro, left,
	       out.seen ? "" : "  (no detection seen)");
}

static void report_groups(void)
{
	char *s = admin_get("/api/v1/summary/groups");

	printf("groups     %.0f groups of %.0f boxes; all-distinct-metro share %.4f\n",
	       json_num(s, "\"groups\":"), json_num(s, "\"members\":"), json_num(s, "\"distinct_share\":"));
	free(s);
}

static void set_server(const char *s)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *in4 = (struct sockaddr_in *)&G.addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&G.addr;
	int port;

	if (!colon || snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s) >= (int)sizeof(host))
		die("--server HOST:PORT");
	port = atoi(colon + 1);
	memset(&G.addr, 0, sizeof(G.addr));
	if (host[0] == '[') {
		host[strlen(host) - 1] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			die("bad address %s", s);
		G.addrlen = sizeof(*in6);
	} else {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
			die("bad address %s", s);
		G.addrlen = sizeof(*in4);
	}
	free((char *)G.host);
	G.host = strdup(s);
}

static struct phase *mkphase(const char *name, uint64_t total, double rate)
{
	struct phase *p = calloc(1, sizeof(*p));

	p->name = name;
	p->total = total;
	p->rate = rate;
	return p;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sixcast-mgmt-load [options]            run the phases, print the figures\n"
		"       sixcast-mgmt-load verify [options]     check an --ack-log against the server\n"
		"  --server HOST:PORT  (127.0.0.1:8080)   --admin TOKEN   --credential SECRET\n"
		"  --boxes N (100000)  --conns N (200)    --channels N (100)  --metros N (10)\n"
		"  --zap N (boxes)     --zap-rate R/s (20000)   --outage-metro M (1)\n"
		"  --tunes N (boxes)   --heartbeats N (boxes)   closed-loop requests of those phases\n"
		"  --phases LIST       register,tune,zap,heartbeat,outage\n"
		"  --prefix STR (stb)  --ack-log FILE     --seed N\n"
		"  --keys 0|1|2 (1)    public keys: none; at registration and in heartbeats;\n"
		"                      a new one in every heartbeat\n");
	exit(2);
}

static bool want(const char *phases, const char *name)
{
	const char *p = strstr(phases, name);

	return p && (p == phases || p[-1] == ',') && (p[strlen(name)] == ',' || !p[strlen(name)]);
}

struct opts {
	const char *phases, *acklog;
	unsigned zap, rate, heartbeats, tunes;
	bool verify;
};

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' }, { "admin", required_argument, NULL, 'a' },
		{ "credential", required_argument, NULL, 'c' }, { "boxes", required_argument, NULL, 'n' },
		{ "conns", required_argument, NULL, 'C' }, { "channels", required_argument, NULL, 'k' },
		{ "metros", required_argument, NULL, 'm' }, { "zap", required_argument, NULL, 'z' },
		{ "zap-rate", required_argument, NULL, 'r' }, { "phases", required_argument, NULL, 'p' },
		{ "prefix", required_argument, NULL, 'P' }, { "ack-log", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 'S' }, { "outage-metro", required_argument, NULL, 'o' },
		{ "heartbeats", required_argument, NULL, 'H' }, { "tunes", required_argument, NULL, 'T' },
		{ "keys", required_argument, NULL, 'K' }, { NULL, 0, NULL, 0 },
	};
	int opt;

	optind = o->verify ? 2 : 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': set_server(optarg); break;
		case 'a': G.admin = optarg; break;
		case 'c': G.cred = optarg; break;
		case 'n': G.nboxes = (unsigned)atoi(optarg); break;
		case 'C': G.nconn = (unsigned)atoi(optarg); break;
		case 'k': G.nchan = (unsigned)atoi(optarg); break;
		case 'm': G.nmetro = (unsigned)atoi(optarg); break;
		case 'z': o->zap = (unsigned)atoi(optarg); break;
		case 'r': o->rate = (unsigned)atoi(optarg); break;
		case 'p': o->phases = optarg; break;
		case 'P': G.prefix = optarg; break;
		case 'l': o->acklog = optarg; break;
		case 'S': G.seed = (unsigned)atoi(optarg); break;
		case 'o': G.cut_metro = (unsigned)atoi(optarg); break;
		case 'H': o->heartbeats = (unsigned)atoi(optarg); break;
		case 'T': o->tunes = (unsigned)atoi(optarg); break;
		case 'K': G.keys = atoi(optarg); break;
		default: usage();
		}
	}
	if (!G.admin || !G.nboxes || !G.nconn || !G.nchan || !G.nmetro || G.nmetro > 250 ||
	    G.keys < 0 || G.keys > 2 ||
	    (!o->verify && !G.cred))
		usage();
}

static void setup(const struct opts *o)
{
	char *s;

	if (o->acklog && !(G.acklog = fopen(o->acklog, "w")))
		die("cannot write %s", o->acklog);
	G.epfd = epoll_create1(EPOLL_CLOEXEC);
	G.conns = calloc(G.nconn, sizeof(*G.conns));
	G.box = calloc(G.nboxes, sizeof(*G.box));
	if (G.epfd < 0 || !G.conns || !G.box)
		die("out of memory");
	for (unsigned i = 0; i < G.nconn; i++) {
		G.conns[i].fd = -1;
		idle_push(&G.conns[i]);
	}
	for (unsigned i = 0; i < G.nboxes; i++)
		G.box[i].metro = (uint8_t)(i % G.nmetro + 1);
	zipf_init();
	s = admin_get("/api/v1/status");
	G.hb_ms = s ? (unsigned)json_num(s, "\"heartbeat_ms\":") : 5000;
	free(s);
	printf("sixcast-mgmt-load: %u boxes over %u connections, %u channels (Zipf), %u metros, "
	       "seed %u, server heartbeat %u ms, public keys: %s\n", G.nboxes, G.nconn, G.nchan,
	       G.nmetro, G.seed, G.hb_ms,
	       G.keys == 0 ? "none" : G.keys == 1 ? "one per box" : "a new one per heartbeat");
}

static void report_server(void)
{
	char *s = admin_get("/api/v1/status");

	if (s && strstr(s, "\"box\":{"))
		printf("server     box requests as timed by the server (arrival to answer, histogram "
		       "bucket bounds): p50 <= %.2f ms, p99 <= %.2f ms\n",
		       json_num(strstr(s, "\"box\":{"), "\"p50_ms_max\":"),
		       json_num(strstr(s, "\"box\":{"), "\"p99_ms_max\":"));
	free(s);
}

static void run(const struct opts *o)
{
	double rss0 = server_rss(), rss1;

	if (want(o->phases, "register"))
		run_phase(mkphase("register", G.nboxes, 0), NULL);
	if (want(o->phases, "tune"))
		run_phase(mkphase("tune", o->tunes > G.nboxes ? o->tunes : G.nboxes, 0), NULL);
	rss1 = server_rss();
	if (!isnan(rss0) && !isnan(rss1))
		printf("memory     server RSS %.1f MB before, %.1f MB with %u boxes registered and tuned: "
		       "%.0f bytes per box (%.0f bytes per box of the whole RSS)\n",
		       rss0 / 1e6, rss1 / 1e6, G.nboxes, (rss1 - rss0) / G.nboxes, rss1 / G.nboxes);
	if (want(o->phases, "tune"))
		report_groups();
	if (want(o->phases, "zap")) {
		run_phase(mkphase("zap", o->zap ? o->zap : G.nboxes, o->rate), NULL);
		report_groups();
	}
	if (want(o->phases, "heartbeat"))
		run_phase(mkphase("heartbeat", o->heartbeats ? o->heartbeats : G.nboxes, 0), NULL);
	if (want(o->phases, "outage")) {
		/* Every box every heartbeat period, for five periods; one metro
		 * goes quiet after two, well before the silence limit ends. */
		run_phase(mkphase("outage", (uint64_t)G.nboxes * 5, (double)G.nboxes * 1000.0 / G.hb_ms),
			  outage_tick);
		report_outage();
		report_groups();
	}
	report_server();
}

int main(int argc, char **argv)
{
	struct opts o = { "register,tune,zap,heartbeat,outage", NULL, 0, 20000, 0, 0,
			  argc > 1 && !strcmp(argv[1], "verify") };

	G.nconn = 200;
	G.keys = 1;
	G.nboxes = 100000;
	G.nchan = 100;
	G.nmetro = 10;
	G.prefix = "stb";
	G.cut_metro = 1;
	G.seed = (unsigned)time(NULL);
	set_server("127.0.0.1:8080");
	parse_opts(argc, argv, &o);
	G.rng = 0x9e3779b97f4a7c15ULL ^ G.seed;
	if (o.verify) {
		int rc = verify(o.acklog ? o.acklog : "ack.log");

		free((char *)G.host);
		return rc;
	}
	setup(&o);
	run(&o);
	if (G.acklog)
		fclose(G.acklog);
	for (unsigned i = 0; i < G.nconn; i++)
		conn_close(&G.conns[i]);
	close(G.epfd);
	free(G.conns);
	free(G.box);
	free(G.zipf);
	free((char *)G.host);
	return 0;
}
