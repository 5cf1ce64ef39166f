/* rtx_responder: serving a request from the raw buffer. See
 * rtx_responder.h. */
#include "config.h"

#include "rtx_responder.h"

#include <stdlib.h>
#include <string.h>

struct serve {
	const struct rtx_serve_cfg *cfg;
	struct rtx_rawbuf *rb;
	const struct rtx_seq *seq;
	bool same_stream;
	uint32_t who;
	struct rtx_peer_state *ps;
	uint64_t now;
	rtx_serve_fn fn;
	void *ctx;
	uint64_t *missing;
	struct rtx_serve_result *res;
};

static void one(void *arg, uint16_t seq16)
{
	struct serve *sv = arg;
	uint64_t ext = sv->same_stream ? rtx_seq_nearest(sv->seq, seq16) : 0;
	const uint8_t *pkt = NULL;
	struct rtx_slot *sl;
	size_t len = 0;

	sv->res->visited++;
	if (ext)
		pkt = rtx_rawbuf_get(sv->rb, ext, sv->now, &len);
	if (!pkt) {
		/* Not held: say so, by a number the requester can place. */
		sv->missing[sv->res->n_missing++] = ext ? ext : 65536u + seq16;
		return;
	}
	sl = rtx_rawbuf_meta(sv->rb, ext);
	if (sl->served_to == sv->who && sl->served_ns && sv->now - sl->served_ns < RTX_DEDUP_NS) {
		sv->res->deduped++;
		return;
	}
	if (rtx_bucket_take(&sv->ps->bucket, sv->cfg->rate_pps, sv->cfg->rate_burst, sv->now, 1) == 0) {
		sv->res->refused++;
		return;
	}
	sl->served_to = sv->who;
	sl->served_ns = sv->now;
	sv->res->served++;
	sv->fn(sv->ctx, ext, pkt, len);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t sort_unique(uint64_t *v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

void rtx_serve(const struct rtx_serve_cfg *cfg, struct rtx_rawbuf *rb, const struct rtx_seq *seq,
	       const struct rtx_list *req, uint32_t who, struct rtx_peer_state *ps,
	       uint64_t now_ns, rtx_serve_fn fn, void *ctx, uint64_t *missing,
	       struct rtx_serve_result *res)
{
	struct serve sv = {
		.cfg = cfg, .rb = rb, .seq = seq, .who = who, .ps = ps, .now = now_ns,
		.fn = fn, .ctx = ctx, .missing = missing, .res = res,
	};

	memset(res, 0, sizeof(*res));
	sv.same_stream = seq->started && seq->ssrc == req->ssrc;
	rtx_list_foreach(req, cfg->max_seqs, one, &sv);
	res->n_missing = sort_unique(missing, res->n_missing);
}
