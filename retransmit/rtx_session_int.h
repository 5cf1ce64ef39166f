/* rtx_session_int: the session object shared by rtx_session.c (life
 * cycle, settings, groups, timers), rtx_session_in.c (datagrams in) and
 * rtx_session_out.c (datagrams out). Not installed. */
#ifndef RTX_SESSION_INT_H
#define RTX_SESSION_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "rtx.h"
#include "rtx_group.h"
#include "rtx_playout.h"
#include "rtx_ratelimit.h"
#include "rtx_rawbuf.h"
#include "rtx_requester.h"
#include "rtx_responder.h"
#include "rtx_seq.h"
#include "rtx_wire.h"
#include "sc_log.h"

/* The multicast stream is our link's heartbeat: a pause longer than this
 * many smoothed packet intervals (and RTX_SILENCE_MIN_NS) means we could
 * not hear, and its end that we can again. */
#define RTX_SILENCE_GAPS 8
#define RTX_SILENCE_MIN_NS (5ULL * 1000000ULL)

/* Largest NACK/MISSING body we send: keeps them well under any MTU. */
#define RTX_LIST_BODY_MAX 1200
/* How far below a sender's highest timestamp a reordered message may be. */
#define RTX_REPLAY_WINDOW_NS (2ULL * 1000000000ULL)

/* Where the answers to the datagram being handled go, and under which key. */
struct rtx_reply {
	uint64_t peer;
	const uint8_t *key;
	uint32_t group_id;
	bool ret;
	uint64_t echo_ts;
};

struct rtx_session {
	struct rtx_config cfg;
	struct rtx_callbacks cb;
	struct sc_logger log;
	bool client;
	uint64_t start_ns;     /* now_ns at creation */
	uint64_t ts_last;      /* last message timestamp sent */
	uint32_t nonce_session;
	bool had_stream;
	struct rtx_seq seq;
	struct rtx_rawbuf *rb;
	struct rtx_playout po;
	struct rtx_requester rq;
	struct rtx_groups grp;
	struct rtx_ptab *peers;
	struct rtx_serve_cfg serve;
	struct rtx_stats st;
	uint64_t deadline;
	unsigned ret_rr;       /* next RET server to ask */
	uint8_t *tx;           /* one outgoing datagram */
	size_t tx_cap;
	uint64_t *scratch;     /* max_seqs_per_request numbers */
	struct rtx_reply reply;
	uint64_t now;          /* time of the call being handled */
	uint64_t last_mc_ns;   /* last multicast packet stored */
	uint64_t mc_gap_ns;    /* smoothed time between multicast packets */
};

/* rtx_session.c */
void rtx_session_update_deadline(rtx_session *s);
/* The playback buffer's output (an rtx_playout_fn; ctx is the session). */
void rtx_session_playout_out(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len);

/* rtx_session_out.c */
/* Our message timestamp for now: wall-clock based, strictly increasing. */
uint64_t rtx_out_ts(rtx_session *s);
/* Our clock in message-timestamp terms (for RTTs from echoes). */
uint64_t rtx_own_ts(const rtx_session *s, uint64_t now_ns);
/* The requester's emit callback: NACKs to a member or a RET server. */
void rtx_out_nacks(void *ctx, int target, const uint64_t *exts, size_t n);
/* The responder's callback: one repair to s->reply. */
void rtx_out_repair(void *ctx, uint64_t ext, const uint8_t *pkt, size_t len);
/* MISSING answers to s->reply for exts[0..n). */
void rtx_out_missing(rtx_session *s, const uint64_t *exts, size_t n);

/* rtx_session_in.c */
void rtx_in_restart(rtx_session *s);

#endif
