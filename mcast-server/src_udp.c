/* src_udp: RTP/MP2T or raw TS over UDP, unicast or multicast, ASM or SSM:
 * how a central server feeds its edges. Each datagram is classified on its
 * own: RTP version 2 with a TS payload, or bare TS packets; anything else
 * is counted and dropped. */
#include "config.h"

#include "src_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_rtp.h"
#include "ts.h"

#define BATCH 32
#define DGRAM_MAX 2048

/* "[ff3e::1]:5000?source=2001:db8::9&iface=eth1" */
int src_udp_parse(src *s, const char *rest, char *err, size_t errlen)
{
	char addr[256], *q, *tok, *save = NULL;
	unsigned idx;
	int rc;

	snprintf(addr, sizeof(addr), "%s", rest);
	q = strchr(addr, '?');
	if (q)
		*q++ = '\0';
	rc = sc_addr_parse(addr, 5000, &s->bind);
	if (rc < 0) {
		snprintf(err, errlen, "\"%s\": not an address:port", addr);
		return -EINVAL;
	}
	for (tok = q ? strtok_r(q, "&", &save) : NULL; tok; tok = strtok_r(NULL, "&", &save)) {
		if (strncmp(tok, "source=", 7) == 0) {
			if (sc_addr_parse(tok + 7, 0, &s->source) < 0 ||
			    sc_addr_family(&s->source) != sc_addr_family(&s->bind)) {
				snprintf(err, errlen, "source=%s: not an address of the group's family", tok + 7);
				return -EINVAL;
			}
		} else if (strncmp(tok, "iface=", 6) == 0) {
			if (sc_if_index(tok + 6, &idx) < 0) {
				snprintf(err, errlen, "iface=%s: no such interface", tok + 6);
				return -ENODEV;
			}
			snprintf(s->iface, sizeof(s->iface), "%s", tok + 6);
		} else {
			snprintf(err, errlen, "\"%s\": unknown option (source=, iface=)", tok);
			return -EINVAL;
		}
	}
	if (sc_addr_is_ssm(&s->bind) && !s->source.len) {
		snprintf(err, errlen, "%s is a source-specific group: add ?source=ADDRESS", addr);
		return -EINVAL;
	}
	return 0;
}

static int join(src *s)
{
	int level = sc_addr_family(&s->bind) == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	unsigned idx = 0;

	if (s->iface[0] && sc_if_index(s->iface, &idx) < 0)
		return -ENODEV;
	if (!s->source.len) {
		struct group_req r = { .gr_interface = idx };

		memcpy(&r.gr_group, &s->bind.u.ss, s->bind.len);
		return setsockopt(s->sock, level, MCAST_JOIN_GROUP, &r, sizeof(r)) < 0 ? -errno : 0;
	} else {
		struct group_source_req r = { .gsr_interface = idx };

		memcpy(&r.gsr_group, &s->bind.u.ss, s->bind.len);
		memcpy(&r.gsr_source, &s->source.u.ss, s->source.len);
		return setsockopt(s->sock, level, MCAST_JOIN_SOURCE_GROUP, &r, sizeof(r)) < 0 ? -errno : 0;
	}
}

static void datagram(src *s, const uint8_t *b, size_t n)
{
	struct sc_rtp r;

	s->st.datagrams++;
	if (n >= TS_SIZE && n % TS_SIZE == 0 && b[0] == TS_SYNC) {
		s->cb.data(s->cb.arg, b, n);
		s->st.bytes += n;
		return;
	}
	if (sc_rtp_parse(b, n, &r) < 0 || r.payload_len == 0 || r.payload_len % TS_SIZE ||
	    r.payload[0] != TS_SYNC) {
		s->st.bad_datagrams++;
		return;
	}
	if (s->last_seq >= 0 && r.seq != (uint16_t)(s->last_seq + 1)) {
		uint16_t gap = (uint16_t)(r.seq - s->last_seq - 1);

		/* A small forward gap is loss; anything else a restart or
		 * reordering, which the TS continuity counters will show. */
		if (gap < 1000)
			s->st.rtp_lost += gap;
	}
	s->last_seq = r.seq;
	s->cb.data(s->cb.arg, r.payload, r.payload_len);
	s->st.bytes += r.payload_len;
}

static void on_readable(void *arg, int fd, uint32_t events)
{
	static uint8_t bufs[BATCH][DGRAM_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	src *s = arg;
	int n;

	(void)events;
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], DGRAM_MAX };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	/* Drain what is there: the edge is the only reader of its feeds. */
	while ((n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL)) > 0)
		for (int i = 0; i < n && s->running; i++)
			datagram(s, bufs[i], msgs[i].msg_len);
}

int src_udp_start(src *s)
{
	char where[SC_ADDR_STRLEN];
	int one = 1, rcvbuf = 8 << 20, rc;

	sc_addr_format(&s->bind, true, where, sizeof(where));
	s->sock = socket(sc_addr_family(&s->bind), SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->sock < 0) {
		rc = -errno;
		goto fail;
	}
	setsockopt(s->sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s->sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(s->sock, &s->bind.u.sa, s->bind.len) < 0) {
		rc = -errno;
		goto fail;
	}
	if (sc_addr_is_multicast(&s->bind) && (rc = join(s)) < 0)
		goto fail;
	rc = sc_loop_add_fd(s->loop, s->sock, SC_LOOP_IN, on_readable, s);
	if (rc < 0)
		goto fail;
	s->last_seq = -1;
	return 0;
fail:
	src_fail(s, "feed %s%s%s: %s", where, s->iface[0] ? " on " : "", s->iface, strerror(-rc));
	return rc;
}

void src_udp_stop(src *s)
{
	if (s->sock < 0)
		return;
	sc_loop_del_fd(s->loop, s->sock);
	close(s->sock);
	s->sock = -1;
}
