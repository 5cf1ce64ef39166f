/* rtx_wire: encoding and bounds-checked decoding of the repair protocol's
 * datagrams. The diagrams are in rtx_wire.h and docs/protocol/repair.md. */
#include "config.h"

#include "rtx_wire.h"

#include <errno.h>
#include <string.h>

#include "sc_bytes.h"

int rtx_wire_parse(const uint8_t *buf, size_t len, struct rtx_hdr *h)
{
	struct rtx_env *e = &h->env;

	if (rtx_env_parse(buf, len, RTX_WIRE_MAGIC, e) < 0)
		return -EBADMSG;
	if (e->type < RTX_MSG_NACK || e->type > RTX_MSG_PATH)
		return -EBADMSG;
	h->type = e->type;
	h->flags = e->flags & (uint8_t)~RTX_ENV_FLAG_CERT;
	if (h->flags & ~RTX_WIRE_FLAGS_KNOWN)
		return -EBADMSG;
	h->body_len = e->body_len;
	h->group_id = e->domain;
	h->sender_id = e->sender;
	h->receiver_id = e->receiver;
	h->ts = e->ts;
	h->session = e->session;
	h->body = e->body;
	return 0;
}

void rtx_wire_env(struct rtx_env *e, const struct rtx_hdr *h)
{
	*e = (struct rtx_env){
		.type = h->type, .flags = h->flags, .body_len = h->body_len,
		.domain = h->group_id, .sender = h->sender_id, .receiver = h->receiver_id,
		.ts = h->ts, .session = h->session,
	};
}

int rtx_list_parse(const uint8_t *body, size_t len, struct rtx_list *l)
{
	size_t i, n;

	if (!body || len < RTX_WIRE_LIST_HDR)
		return -EBADMSG;
	l->ssrc = sc_get_be32(body);
	l->echo_ts = sc_get_be64(body + 4);
	l->n_pid = sc_get_be16(body + 12);
	l->n_range = sc_get_be16(body + 14);
	n = (size_t)l->n_pid + l->n_range;
	if (len != RTX_WIRE_LIST_HDR + 4 * n)
		return -EBADMSG;
	l->entries = body + RTX_WIRE_LIST_HDR;
	for (i = l->n_pid; i < n; i++)
		if (sc_get_be16(l->entries + 4 * i + 2) == 0)
			return -EBADMSG;
	return 0;
}

size_t rtx_list_foreach(const struct rtx_list *l, size_t limit, rtx_seq_fn fn, void *ctx)
{
	size_t done = 0, i;
	const uint8_t *p;
	uint16_t first, blp;
	uint32_t count, k;

	for (i = 0; i < l->n_pid && done < limit; i++) {
		p = l->entries + 4 * i;
		first = sc_get_be16(p);
		blp = sc_get_be16(p + 2);
		fn(ctx, first);
		done++;
		for (k = 0; k < 16 && done < limit; k++)
			if (blp & (1u << k)) {
				fn(ctx, (uint16_t)(first + k + 1));
				done++;
			}
	}
	for (i = 0; i < l->n_range && done < limit; i++) {
		p = l->entries + 4 * ((size_t)l->n_pid + i);
		first = sc_get_be16(p);
		count = sc_get_be16(p + 2);
		for (k = 0; k < count && done < limit; k++) {
			fn(ctx, (uint16_t)(first + k));
			done++;
		}
	}
	return done;
}

/* Length of the run of consecutive numbers starting at exts[i]. */
static size_t run_length(const uint64_t *exts, size_t n, size_t i)
{
	size_t k = 1;

	while (i + k < n && k < 65535 && exts[i + k] == exts[i] + k)
		k++;
	return k;
}

int rtx_list_build(uint8_t *body, size_t cap, uint32_t ssrc, uint64_t echo_ts,
		   const uint64_t *exts, size_t n, size_t *used)
{
	size_t max, n_pid = 0, n_range = 0, i = 0, j, run;
	uint8_t *ent = body + RTX_WIRE_LIST_HDR, *end;
	uint16_t blp;

	if (cap < RTX_WIRE_LIST_HDR + 4)
		return -ENOSPC;
	max = (cap - RTX_WIRE_LIST_HDR) / 4;
	if (max > 65535)
		max = 65535;
	/* PID/BLP entries grow from the front, ranges from the back. */
	end = ent + 4 * max;
	while (i < n && n_pid + n_range < max) {
		run = run_length(exts, n, i);
		if (run >= RTX_WIRE_RANGE_MIN) {
			n_range++;
			sc_put_be16(end - 4 * n_range, (uint16_t)exts[i]);
			sc_put_be16(end - 4 * n_range + 2, (uint16_t)run);
			i += run;
			continue;
		}
		blp = 0;
		for (j = i + 1; j < n && exts[j] - exts[i] <= 16; j++)
			blp |= (uint16_t)(1u << (exts[j] - exts[i] - 1));
		sc_put_be16(ent + 4 * n_pid, (uint16_t)exts[i]);
		sc_put_be16(ent + 4 * n_pid + 2, blp);
		n_pid++;
		i = j;
	}
	/* Put the ranges in ascending order and move them down behind the
	 * PID entries. */
	for (j = 0; j < n_range / 2; j++) {
		uint8_t tmp[4], *a = end - 4 * (j + 1), *b = end - 4 * (n_range - j);

		memcpy(tmp, a, 4);
		memcpy(a, b, 4);
		memcpy(b, tmp, 4);
	}
	memmove(ent + 4 * n_pid, end - 4 * n_range, 4 * n_range);
	sc_put_be32(body, ssrc);
	sc_put_be64(body + 4, echo_ts);
	sc_put_be16(body + 12, (uint16_t)n_pid);
	sc_put_be16(body + 14, (uint16_t)n_range);
	*used = i;
	return (int)(RTX_WIRE_LIST_HDR + 4 * (n_pid + n_range));
}

int rtx_repair_parse(const uint8_t *body, size_t len, struct rtx_repair *r)
{
	if (!body || len < RTX_WIRE_REPAIR_HDR + 12)
		return -EBADMSG;
	r->echo_ts = sc_get_be64(body);
	r->rtp = body + RTX_WIRE_REPAIR_HDR;
	r->rtp_len = len - RTX_WIRE_REPAIR_HDR;
	return 0;
}

int rtx_burst_req_parse(const uint8_t *body, size_t len, struct rtx_burst_req *r)
{
	if (!body || len != RTX_WIRE_BURST_REQ_LEN)
		return -EBADMSG;
	for (size_t i = 4; i < RTX_WIRE_BURST_REQ_LEN; i++)
		if (body[i])
			return -EBADMSG;
	r->backlog_ms = sc_get_be32(body);
	return 0;
}

size_t rtx_burst_req_put(uint8_t *body, const struct rtx_burst_req *r)
{
	sc_put_be32(body, r->backlog_ms);
	memset(body + 4, 0, RTX_WIRE_BURST_REQ_LEN - 4);
	return RTX_WIRE_BURST_REQ_LEN;
}

int rtx_burst_ans_parse(const uint8_t *body, size_t len, struct rtx_burst_ans *a)
{
	if (!body || len != RTX_WIRE_BURST_LEN || body[0] > RTX_BURST_NO_STREAM || body[1] != 0)
		return -EBADMSG;
	a->status = body[0];
	a->speed_pct = sc_get_be16(body + 2);
	a->ssrc = sc_get_be32(body + 4);
	a->echo_ts = sc_get_be64(body + 8);
	a->start = sc_get_be16(body + 16);
	a->rap = sc_get_be16(body + 18);
	a->splice = sc_get_be16(body + 20);
	a->head = sc_get_be16(body + 22);
	a->start_ts = sc_get_be32(body + 24);
	a->rap_ts = sc_get_be32(body + 28);
	a->head_ts = sc_get_be32(body + 32);
	return 0;
}

size_t rtx_burst_ans_put(uint8_t *body, const struct rtx_burst_ans *a)
{
	body[0] = a->status;
	body[1] = 0;
	sc_put_be16(body + 2, a->speed_pct);
	sc_put_be32(body + 4, a->ssrc);
	sc_put_be64(body + 8, a->echo_ts);
	sc_put_be16(body + 16, a->start);
	sc_put_be16(body + 18, a->rap);
	sc_put_be16(body + 20, a->splice);
	sc_put_be16(body + 22, a->head);
	sc_put_be32(body + 24, a->start_ts);
	sc_put_be32(body + 28, a->rap_ts);
	sc_put_be32(body + 32, a->head_ts);
	return RTX_WIRE_BURST_LEN;
}

int rtx_path_parse(const uint8_t *body, size_t len, struct rtx_path *p)
{
	if (!body || len != RTX_WIRE_PATH_LEN)
		return -EBADMSG;
	p->token = sc_get_be64(body);
	p->echo = sc_get_be64(body + 8);
	return p->token || p->echo ? 0 : -EBADMSG;
}

size_t rtx_path_put(uint8_t *body, const struct rtx_path *p)
{
	sc_put_be64(body, p->token);
	sc_put_be64(body + 8, p->echo);
	return RTX_WIRE_PATH_LEN;
}
