/* emit: shared multicast sockets and sendmmsg batches. See emit.h. */
#include "config.h"

#include "emit.h"

#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mld.h"
#include "rtpk.h"

#define BATCH 64
#define MAX_SOCKETS 16

struct sock {
	int fd;
	int family, hops, dscp;
	unsigned ifindex;
	struct sc_sockaddr src; /* bound to; len 0: any */
	/* The pending batch of this socket. */
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sc_sockaddr dst[BATCH];
	uint8_t data[BATCH][RTPK_MAX];
	unsigned n;
};

struct emit {
	struct sock *socks[MAX_SOCKETS];
	int nsocks;
	struct sc_logger lg;
	struct emit_stats st;
};

emit *emit_new(const struct sc_logger *lg)
{
	emit *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	if (lg)
		e->lg = *lg;
	return e;
}

void emit_free(emit *e)
{
	if (!e)
		return;
	for (int i = 0; i < e->nsocks; i++) {
		close(e->socks[i]->fd);
		free(e->socks[i]);
	}
	free(e);
}

static void mld_log_cb(void *ctx, int level, const char *msg)
{
	sc_logf(ctx, level, "%s", msg);
}

/* A sender through the igmp-mld library (interface, hop limit, DSCP, loop
 * off, send buffer), bound to src when given: the edge emits from the SSM
 * source its SDP names, whatever other addresses the interface has. */
static int open_sender(emit *e, int family, unsigned ifindex, int hops, int dscp, const struct sc_sockaddr *src)
{
	char iface[16], host[SC_ADDR_STRLEN];
	struct mld_addr a;
	struct mld_send_cfg c = { .iface = iface, .family = family, .hops = hops, .dscp = dscp, .loop = false,
				  .sndbuf = 4 << 20 };
	struct mld_log lg = { mld_log_cb, &e->lg, e->lg.max_level };

	snprintf(iface, sizeof(iface), "%u", ifindex);
	if (src && src->len) {
		if (sc_addr_format(src, false, host, sizeof(host)) < 0 || mld_addr_parse(host, &a) < 0)
			return -EINVAL;
		c.bind_addr = &a;
	}
	return mld_send_open(&c, &lg);
}

int emit_socket(emit *e, int family, unsigned ifindex, int hops, int dscp, const struct sc_sockaddr *src)
{
	struct sock *s;
	int rc;

	if ((family != AF_INET6 && family != AF_INET) || hops < 1 || hops > 255 || dscp < 0 || dscp > 63 ||
	    (src && src->len && sc_addr_family(src) != family))
		return -EINVAL;
	for (int i = 0; i < e->nsocks; i++) {
		s = e->socks[i];
		if (s->family == family && s->ifindex == ifindex && s->hops == hops && s->dscp == dscp &&
		    s->src.len == (src ? src->len : 0) && (!s->src.len || sc_addr_equal(&s->src, src)))
			return i;
	}
	if (e->nsocks == MAX_SOCKETS)
		return -EMFILE;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = rc = open_sender(e, family, ifindex, hops, dscp, src);
	if (rc < 0) {
		char text[SC_ADDR_STRLEN] = "any address";

		if (src && src->len)
			sc_addr_format(src, false, text, sizeof(text));
		sc_logf(&e->lg, LOG_ERR, "multicast sender (interface %u, hops %d, dscp %d, from %s): %s", ifindex, hops,
			dscp, text, strerror(-rc));
		free(s);
		return rc;
	}
	if (src)
		s->src = *src;
	s->family = family;
	s->ifindex = ifindex;
	s->hops = hops;
	s->dscp = dscp;
	for (int i = 0; i < BATCH; i++) {
		s->iov[i].iov_base = s->data[i];
		s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
		s->msgs[i].msg_hdr.msg_iovlen = 1;
		s->msgs[i].msg_hdr.msg_name = &s->dst[i].u.sa;
	}
	e->socks[e->nsocks] = s;
	return e->nsocks++;
}

static int flush_sock(emit *e, struct sock *s)
{
	unsigned off = 0;
	int rc = 0;

	while (off < s->n) {
		int n = sendmmsg(s->fd, s->msgs + off, s->n - off, 0);

		e->st.calls++;
		if (n < 0) {
			/* Fire and forget: a full socket buffer or a vanished
			 * route drops this packet, the stream goes on. */
			if (e->st.last_errno != errno)
				sc_logf(&e->lg, LOG_WARNING, "multicast send: %s", strerror(errno));
			e->st.last_errno = errno;
			e->st.errors++;
			rc = -errno;
			off++;
			continue;
		}
		for (int i = 0; i < n; i++)
			e->st.bytes += s->iov[off + (unsigned)i].iov_len;
		e->st.packets += (uint64_t)n;
		off += (unsigned)n;
	}
	s->n = 0;
	return rc;
}

int emit_queue(emit *e, int h, const struct sc_sockaddr *dst, const uint8_t *buf, size_t len)
{
	struct sock *s;
	unsigned i;

	if (h < 0 || h >= e->nsocks || len > RTPK_MAX || sc_addr_family(dst) != e->socks[h]->family)
		return -EINVAL;
	s = e->socks[h];
	i = s->n++;
	memcpy(s->data[i], buf, len);
	s->iov[i].iov_len = len;
	s->dst[i] = *dst;
	s->msgs[i].msg_hdr.msg_namelen = dst->len;
	return s->n == BATCH ? flush_sock(e, s) : 0;
}

int emit_flush(emit *e)
{
	uint64_t before = e->st.packets;
	int rc = 0;

	for (int i = 0; i < e->nsocks; i++)
		if (e->socks[i]->n) {
			int r = flush_sock(e, e->socks[i]);

			if (r < 0)
				rc = r;
		}
	return rc < 0 ? rc : (int)(e->st.packets - before);
}

const struct emit_stats *emit_stats(const emit *e)
{
	return &e->st;
}
