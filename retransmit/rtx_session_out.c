/* rtx_session_out: building, sealing and sending the session's datagrams:
 * NACKs and burst requests for the requester, REPAIRs, MISSING and BURST
 * answers for the responder, PATH challenges and echoes. Each is sealed
 * for its one receiver (rtx_ident) and goes through the caller's send
 * callback; a failure is counted and forgotten (the requester's timers
 * retry; the responder never queues). */
#include "config.h"

#include <errno.h>
#include <string.h>

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

/* Start a datagram to member `to` under the domain secret dkey: its seal,
 * and where its body goes. small: it may carry our certificate (requests,
 * small answers), not a repair that would pass the MTU with it. Returns
 * the body, or NULL when `to` cannot be sealed for (counted). */
static uint8_t *tx_begin(rtx_session *s, uint32_t to, const uint8_t *dkey, bool small)
{
	int rc = rtx_ident_seal_key(s->cfg.ident, to, dkey, small, &s->seal);

	if (rc < 0) {
		s->st.no_key++;
		sc_logf(&s->log, LOG_DEBUG, "rtx: nothing sent to %u: no key (%d)", (unsigned)to, rc);
		return NULL;
	}
	return s->tx + RTX_WIRE_HDR + (s->seal.attach ? RTX_CERT_BYTES : 0);
}

/* Seal what tx_begin() started, with a body of body_len bytes, and send it
 * to peer. Returns the datagram's length, 0 when the send failed. */
static size_t tx_end(rtx_session *s, uint64_t peer, uint8_t type, bool ret, uint32_t domain,
		     uint32_t to, size_t body_len)
{
	struct rtx_hdr h = {
		.type = type, .flags = ret ? RTX_WIRE_FLAG_RET : 0, .body_len = (uint16_t)body_len,
		.group_id = domain, .sender_id = rtx_sid(s), .receiver_id = to,
		.ts = rtx_out_ts(s), .session = s->nonce_session,
	};
	struct rtx_env e;
	size_t len;
	int rc;

	rtx_wire_env(&e, &h);
	len = rtx_ident_seal_begin(s->cfg.ident, &s->seal, RTX_WIRE_MAGIC, &e, s->tx);
	len = rtx_ident_seal_finish(&s->seal, s->tx, len + body_len);
	rc = s->cb.send(s->cb.ctx, peer, s->tx, len);
	if (rc < 0) {
		s->st.send_errors++;
		sc_logf(&s->log, LOG_DEBUG, "rtx: send to peer %llu failed: %d",
			(unsigned long long)peer, rc);
		return 0;
	}
	s->st.bytes_sent += len;
	return len;
}

/* Send exts[0..n) as lists of `type`, as many datagrams as they take. */
static size_t send_lists(rtx_session *s, uint8_t type, uint64_t peer, uint32_t to,
			 const uint8_t *key, bool ret, uint32_t group_id, uint64_t echo,
			 const uint64_t *exts, size_t n)
{
	size_t used, sent = 0;
	uint8_t *body;
	int len;

	while (n > 0) {
		if (!(body = tx_begin(s, to, key, true)))
			break;
		len = rtx_list_build(body, RTX_LIST_BODY_MAX, s->seq.ssrc, echo, exts, n, &used);
		if (len < 0 || used == 0)
			break;
		tx_end(s, peer, type, ret, group_id, to, (size_t)len);
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
	const struct rtx_member *srv;
	size_t sent;

	if (target == RTX_TARGET_RET) {
		if (!g->have_ret || g->n_ret == 0)
			return;
		srv = &g->ret_srv[s->ret_rr++ % g->n_ret];
		sent = send_lists(s, RTX_MSG_NACK, srv->peer, srv->id, g->ret_key, true, g->ret_domain,
				  0, exts, n);
		s->st.ret_requests_sent += sent;
		if (sent)
			s->ret_ask_ns = s->now;
	} else {
		if (!g->have || target < 0 || (size_t)target >= g->n)
			return;
		sent = send_lists(s, RTX_MSG_NACK, g->m[target].peer, g->m[target].id,
				  rtx_groups_send_key(g, (size_t)target, s->now), false, g->id, 0,
				  exts, n);
		s->st.requests_sent += sent;
	}
	s->st.seqs_requested += n;
}

void rtx_out_repair(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len)
{
	rtx_session *s = ctx;
	const struct rtx_reply *r = &s->reply;
	size_t body = RTX_WIRE_REPAIR_HDR + len;
	uint8_t *b;

	(void)ext;
	if (RTX_WIRE_OVERHEAD + RTX_CERT_BYTES + body > s->tx_cap || body > UINT16_MAX)
		return;
	if (!(b = tx_begin(s, r->to, r->key, false)))
		return;
	sc_put_be64(b, r->echo_ts);
	memcpy(b + RTX_WIRE_REPAIR_HDR, pkt, len);
	tx_end(s, r->peer, RTX_MSG_REPAIR, r->ret, r->group_id, r->to, body);
}

void rtx_out_missing(rtx_session *s, const uint64_t *exts, size_t n)
{
	const struct rtx_reply *r = &s->reply;

	send_lists(s, RTX_MSG_MISSING, r->peer, r->to, r->key, r->ret, r->group_id, r->echo_ts, exts, n);
}

void rtx_out_burst_req(rtx_session *s, const struct rtx_member *srv, const struct rtx_burst_req *r)
{
	uint8_t *b = tx_begin(s, srv->id, s->grp.ret_key, true);

	if (b && tx_end(s, srv->peer, RTX_MSG_BURST_REQ, true, s->grp.ret_domain, srv->id,
			rtx_burst_req_put(b, r)))
		s->ret_ask_ns = s->now;
}

void rtx_out_burst_ans(rtx_session *s, uint64_t peer, uint32_t to, const uint8_t *key,
		       uint32_t domain, const struct rtx_burst_ans *a)
{
	uint8_t *b = tx_begin(s, to, key, true);

	if (b)
		tx_end(s, peer, RTX_MSG_BURST, true, domain, to, rtx_burst_ans_put(b, a));
}

void rtx_out_path(rtx_session *s, const struct rtx_reply *r, const struct rtx_path *p, size_t limit)
{
	/* Never with our certificate: the peer sealed to our key, it has it,
	 * and a challenge must stay no larger than what it answers. */
	uint8_t *b = tx_begin(s, r->to, r->key, false);

	if (!b || (size_t)(b - s->tx) + RTX_WIRE_PATH_LEN + RTX_WIRE_MAC > limit)
		return;
	if (tx_end(s, r->peer, RTX_MSG_PATH, r->ret, r->group_id, r->to, rtx_path_put(b, p)))
		s->st.path_sent++;
}
