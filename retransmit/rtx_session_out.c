/* rtx_session_out: building, signing and sending the session's datagrams:
 * NACKs for the requester, REPAIRs and MISSING answers for the responder.
 * Each goes through the caller's send callback; a failure is counted and
 * forgotten (the requester's timers retry; the responder never queues). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rtx_auth.h"
#include "rtx_session_int.h"
#include "sc_bytes.h"

uint64_t rtx_own_ts(const rtx_session *s, uint64_t now_ns)
{
	return s->cfg.ts_base_ns + (now_ns - s->start_ns);
}

uint64_t rtx_out_ts(rtx_session *s)
{
	uint64_t ts = rtx_own_ts(s, s->now);

	if (ts <= s->ts_last)
		ts = s->ts_last + 1;
	s->ts_last = ts;
	return ts;
}

/* Sign the datagram in s->tx (header + body_len) and send it. */
static void sign_send(rtx_session *s, uint64_t peer, const uint8_t *key, size_t body_len)
{
	size_t len = RTX_WIRE_HDR + body_len;
	int rc;

	rtx_auth_sign(key, s->tx, len);
	len += RTX_WIRE_MAC;
	rc = s->cb.send(s->cb.ctx, peer, s->tx, len);
	if (rc < 0) {
		s->st.send_errors++;
		sc_logf(&s->log, LOG_DEBUG, "rtx: send to peer %llu failed: %d",
			(unsigned long long)peer, rc);
		return;
	}
	s->st.bytes_sent += len;
}

static void put_hdr(rtx_session *s, uint8_t type, bool ret, uint32_t group_id, size_t body_len)
{
	struct rtx_hdr h = {
		.type = type,
		.flags = ret ? RTX_WIRE_FLAG_RET : 0,
		.body_len = (uint16_t)body_len,
		.group_id = group_id,
		.sender_id = s->cfg.self_id,
		.ts = rtx_out_ts(s),
		.session = s->nonce_session,
	};

	rtx_wire_put_hdr(s->tx, &h);
}

/* Send exts[0..n) as lists of `type`, as many datagrams as they take. */
static size_t send_lists(rtx_session *s, uint8_t type, uint64_t peer, const uint8_t *key,
			 bool ret, uint32_t group_id, uint64_t echo, const uint64_t *exts,
			 size_t n)
{
	size_t used, sent = 0;
	int len;

	while (n > 0) {
		len = rtx_list_build(s->tx + RTX_WIRE_HDR, RTX_LIST_BODY_MAX, s->seq.ssrc, echo,
				     exts, n, &used);
		if (len < 0 || used == 0)
			break;
		put_hdr(s, type, ret, group_id, (size_t)len);
		sign_send(s, peer, key, (size_t)len);
		exts += used;
		n -= used;
		sent++;
	}
	return sent;
}

void rtx_out_nacks(void *ctx, int target, const uint64_t *exts, size_t n)
{
	rtx_session *s = ctx;
	struct rtx_groups *g = &s->grp;
	size_t sent;

	if (target == RTX_TARGET_RET) {
		if (!g->have_ret || g->n_ret == 0)
			return;
		sent = send_lists(s, RTX_MSG_NACK, g->ret_peers[s->ret_rr++ % g->n_ret], g->ret_key,
				  true, g->ret_domain, 0, exts, n);
		s->st.ret_requests_sent += sent;
	} else {
		if (!g->have || target < 0 || (size_t)target >= g->n)
			return;
		sent = send_lists(s, RTX_MSG_NACK, g->m[target].peer,
				  rtx_groups_send_key(g, (size_t)target, s->now), false, g->id, 0,
				  exts, n);
		s->st.requests_sent += sent;
	}
	s->st.seqs_requested += n;
}

void rtx_out_repair(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	rtx_session *s = ctx;
	size_t body = RTX_WIRE_REPAIR_HDR + len;

	(void)ext;
	if (RTX_WIRE_OVERHEAD + body > s->tx_cap || body > UINT16_MAX)
		return;
	put_hdr(s, RTX_MSG_REPAIR, s->reply.ret, s->reply.group_id, body);
	sc_put_be64(s->tx + RTX_WIRE_HDR, s->reply.echo_ts);
	memcpy(s->tx + RTX_WIRE_HDR + RTX_WIRE_REPAIR_HDR, pkt, len);
	sign_send(s, s->reply.peer, s->reply.key, body);
}

void rtx_out_missing(rtx_session *s, const uint64_t *exts, size_t n)
{
	send_lists(s, RTX_MSG_MISSING, s->reply.peer, s->reply.key, s->reply.ret,
		   s->reply.group_id, s->reply.echo_ts, exts, n);
}

void rtx_out_burst_req(rtx_session *s, uint64_t peer, const struct rtx_burst_req *r)
{
	size_t body = rtx_burst_req_put(s->tx + RTX_WIRE_HDR, r);

	put_hdr(s, RTX_MSG_BURST_REQ, true, s->grp.ret_domain, body);
	sign_send(s, peer, s->grp.ret_key, body);
}

void rtx_out_burst_ans(rtx_session *s, uint64_t peer, const uint8_t *key, uint32_t domain,
		       const struct rtx_burst_ans *a)
{
	size_t body = RTX_WIRE_BURST_LEN;

	/* The header first: it takes the timestamp. */
	put_hdr(s, RTX_MSG_BURST, true, domain, body);
	rtx_burst_ans_put(s->tx + RTX_WIRE_HDR, a);
	sign_send(s, peer, key, body);
}
