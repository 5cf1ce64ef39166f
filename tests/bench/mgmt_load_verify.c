/* mgmt_load_verify: the load generator's blocking requests, and `verify`:
 * after a crash, is every change the server acknowledged still there?
 * (tests/integration/mgmt_kill9.sh) */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mgmt_load.h"

/* --- blocking requests, for the admin side and verify --- */

char *http_sync(const char *method, const char *path, const char *token, const char *body,
		       int *status)
{
	struct conn c = { .fd = -1 };
	size_t len = 0, cap = 1 << 16, hlen, clen;
	char *buf = malloc(cap + 1), *out = NULL, *end, *cl;
	int fd;

	*status = 0;
	fd = socket(G.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!buf || fd < 0 || connect(fd, (struct sockaddr *)&G.addr, G.addrlen) < 0)
		goto out;
	request(&c, method, path, token, body);
	if (write(fd, c.w, c.wlen) != (ssize_t)c.wlen)
		goto out;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = realloc(buf, (cap *= 2) + 1);

			if (!nb)
				goto out;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			goto out;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		cl = strcasestr(buf, "\r\nContent-Length:");
		if (!end || !cl)
			continue;
		hlen = (size_t)(end - buf) + 4;
		clen = strtoul(cl + 17, NULL, 10);
		if (len >= hlen + clen) {
			*status = atoi(buf + 9);
			out = strndup(buf + hlen, clen);
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return out;
}

char *admin_get(const char *path)
{
	int status;
	char *s = http_sync("GET", path, G.admin, NULL, &status);

	if (s && status != 200) {
		fprintf(stderr, "GET %s: HTTP %d %s\n", path, status, s);
		free(s);
		return NULL;
	}
	return s;
}

double json_num(const char *s, const char *key)
{
	const char *p = s ? strstr(s, key) : NULL;

	return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* --- verify: after a crash, is every acknowledged change still there? --- */

struct ack {
	uint32_t id, channel, gid, gver;
	char token[80], device[64], key[65];
	bool tuned;
};

struct tally {
	unsigned regs, tunes, lost, same, newer, bad;
};

/* The log: the last acknowledged registration and tune of each box. */
static struct ack *read_acks(const char *path, struct tally *t)
{
	FILE *f = fopen(path, "r");
	struct ack *a = calloc(G.nboxes + 1, sizeof(*a));
	uint32_t *by_id = NULL, max_id = 0;
	char line[512];

	if (!f || !a)
		die("cannot read %s", path);
	while (fgets(line, sizeof(line), f)) {
		char dev[64], tok[80], key[65];
		unsigned id, ch, gid, gv, idx;
		const char *dash;

		if (sscanf(line, "reg %63s %u %79s", dev, &id, tok) == 3) {
			dash = strrchr(dev, '-');
			idx = dash ? (unsigned)atoi(dash + 1) : G.nboxes;
			if (idx >= G.nboxes)
				continue;
			a[idx] = (struct ack){ .id = id };
			snprintf(a[idx].token, sizeof(a[idx].token), "%s", tok);
			snprintf(a[idx].device, sizeof(a[idx].device), "%s", dev);
			if (id >= max_id) {
				uint32_t *v = realloc(by_id, (id + 1) * sizeof(*v));

				if (!v)
					die("out of memory");
				memset(v + max_id, 0xff, (id + 1 - max_id) * sizeof(*v));
				by_id = v;
				max_id = id + 1;
			}
			by_id[id] = idx;
			t->regs++;
		} else if (sscanf(line, "tune %u %u %u %u %64s", &id, &ch, &gid, &gv, key) == 5) {
			if (id >= max_id || by_id[id] >= G.nboxes)
				continue;
			idx = by_id[id];
			a[idx].channel = ch;
			a[idx].gid = gid;
			a[idx].gver = gv;
			snprintf(a[idx].key, sizeof(a[idx].key), "%s", key);
			a[idx].tuned = true;
			t->tunes++;
		}
	}
	fclose(f);
	free(by_id);
	return a;
}

/* The box's token still works and names the same device. */
static bool check_registration(const struct ack *a, struct tally *t)
{
	char p[96], want[96], *s;
	int status;
	bool ok;

	snprintf(p, sizeof(p), "/api/v1/clients/%u", a->id);
	s = http_sync("GET", p, a->token, NULL, &status);
	snprintf(want, sizeof(want), "\"device_id\":\"%s\"", a->device);
	ok = status == 200 && s && strstr(s, want);
	if (!ok && t->lost++ < 5)
		fprintf(stderr, "LOST registration: %s id %u: HTTP %d %.120s\n", a->device, a->id, status,
			s ? s : "");
	free(s);
	return ok;
}

/* The same version must mean the same group and key; else a newer group
 * comes back. */
static void check_group(const struct ack *a, struct tally *t)
{
	char p[96], body[128], want[96], *s, *g;
	int status;

	snprintf(p, sizeof(p), "/api/v1/clients/%u/heartbeat", a->id);
	snprintf(body, sizeof(body), "{\"group_version\":%u,\"channel_id\":%u}", a->gver, a->channel);
	s = http_sync("POST", p, a->token, body, &status);
	if (status != 200 || !s) {
		t->bad++;
		fprintf(stderr, "heartbeat of box %u: HTTP %d\n", a->id, status);
	} else if (strstr(s, "\"group\":{")) {
		t->newer++;
	} else {
		snprintf(p, sizeof(p), "/api/v1/groups/%u", a->gid);
		g = admin_get(p);
		snprintf(want, sizeof(want), "\"key\":\"%s\"", a->key);
		if (!g || !strstr(g, want) || (uint32_t)json_num(g, "\"version\":") != a->gver) {
			if (t->bad++ < 5)
				fprintf(stderr, "VERSION REUSED: box %u holds group %u v%u, server: %.200s\n",
					a->id, a->gid, a->gver, g ? g : "(none)");
		} else {
			t->same++;
		}
		free(g);
	}
	free(s);
}

int verify(const char *path)
{
	struct tally t = { 0 };
	struct ack *a = read_acks(path, &t);

	for (unsigned i = 0; i < G.nboxes; i++)
		if (a[i].id && check_registration(&a[i], &t) && a[i].tuned)
			check_group(&a[i], &t);
	printf("verify: %u registrations acknowledged, %u lost; %u tunes acknowledged: %u boxes hold "
	       "the server's current group, %u get a newer one, %u inconsistent\n",
	       t.regs, t.lost, t.tunes, t.same, t.newer, t.bad);
	free(a);
	return t.lost || t.bad ? 1 : 0;
}
