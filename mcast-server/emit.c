/* emit: shared multicast sockets and sendmmsg batches. See emit.h. */
#include "config.h"

#include "emit.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtpk.h"

#define BATCH 64
#define MAX_SOCKETS 16

struct sock {
	int fd;
	int family, hops, dscp;
	unsigned ifindex;
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

static int set_options(int fd, int family, unsigned ifindex, int hops, int dscp)
{
	int off = 0, tos = dscp << 2, sndbuf = 4 << 20;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)) < 0)
			return -errno;
	} else {
		struct ip_mreqn m = { .imr_ifindex = (int)ifindex };
		unsigned char ttl = (unsigned char)hops, loop = 0;

		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) < 0)
			return -errno;
	}
	return 0;
}

int emit_socket(emit *e, int family, unsigned ifindex, int hops, int dscp)
{
	struct sock *s;
	int rc;

	if ((family != AF_INET6 && family != AF_INET) || hops < 1 || hops > 255 || dscp < 0 || dscp > 63)
		return -EINVAL;
	for (int i = 0; i < e->nsocks; i++) {
		s = e->socks[i];
		if (s->family == family && s->ifindex == ifindex && s->hops == hops && s->dscp == dscp)
			return i;
	}
	if (e->nsocks == MAX_SOCKETS)
		return -EMFILE;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		rc = -errno;
		free(s);
		return rc;
	}
	rc = set_options(s->fd, family, ifindex, hops, dscp);
	if (rc < 0) {
		sc_logf(&e->lg, LOG_ERR, "multicast sender options (interface %u, hops %d, dscp %d): %s",
			ifindex, hops, dscp, strerror(-rc));
		close(s->fd);
		free(s);
		return rc;
	}
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
