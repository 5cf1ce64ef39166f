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
#include "sc_rtp.h"

/* The multicast stream is our link's heartbeat: a pause longer than this
 * many smoothed packet intervals (and RTX_SILENCE_MIN_NS) means we could
 * not hear, and its end that we can again. */
#define RTX_SILENCE_GAPS 8
#define RTX_SILENCE_MIN_NS (5ULL * 1000000ULL)
/* The window over which the stream's mean packet period is measured. */
#define RTX_PERIOD_WIN_NS (1000ULL * 1000000ULL)
/* A silence longer than this restarts the window. */
#define RTX_PERIOD_GAP_NS (125ULL * 1000000ULL)

/* Largest NACK/MISSING body we send: keeps them well under any MTU. */
#define RTX_LIST_BODY_MAX 1200
/* A burst request waits this long for its address to be validated. */
#define RTX_PEND_NS (1000ULL * 1000000ULL)
/* How far below a sender's highest timestamp a reordered message may be. */
#define RTX_REPLAY_WINDOW_NS (2ULL * 1000000000ULL)

/* Fast channel change: random access points an edge remembers. */
#define RTX_RAPS 16
struct rtx_rap {
	uint64_t start; /* the PAT before the RAP (or the RAP itself) */
	uint64_t rap;
};

/* One burst an edge is sending. */
struct rtx_eburst {
	uint64_t peer;
	uint32_t who;          /* requester's sender id */
	uint64_t next, end;    /* next packet to send; splice (not sent) */
	uint64_t t0, a0;       /* start time; emission time of the first packet */
	uint64_t until;        /* gives up then, wherever it is */
	uint64_t bps;
	unsigned since_ans;    /* packets since the answer was last sent */
	struct rtx_burst_ans ans;
};

/* The client's fast channel change. */
struct rtx_cburst {
	struct rtx_zap zap;
	uint64_t req_first_ts, req_last_ts; /* our requests' timestamps */
	unsigned tries;
	uint64_t retry_at;
	uint32_t ssrc;
	uint64_t start, end;   /* burst range, extended numbers [start, end) */
	uint64_t hi;           /* highest burst packet taken (start - 1 before) */
	uint64_t last_pkt_ns;
	uint64_t first_mc_ext; /* first multicast packet stored, 0 if none */
};

/* Where the answers to the datagram being handled go, and under which key. */
struct rtx_reply {
	uint64_t peer;
	uint32_t to;           /* the requester's id */
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
	uint64_t ret_ask_ns;   /* last request sent to a RET server; 0: none since a challenge */
	uint8_t *tx;           /* one outgoing datagram */
	size_t tx_cap;
	struct rtx_seal seal;  /* its keys */
	uint64_t *scratch;     /* max_seqs_per_request numbers */
	struct rtx_reply reply;
	uint64_t now;          /* time of the call being handled */
	uint64_t last_mc_ns;   /* last multicast packet stored */
	uint64_t last_mc_ext;  /* the highest multicast packet stored, */
	uint64_t last_mc_due;  /* its playback time */
	uint64_t mc_gap_ns;    /* smoothed time between multicast packets */
	uint64_t mc_period_ns; /* mean packet period, smoothed over windows; 0: none yet */
	uint64_t win_start_ns; /* that window's start and packets so far */
	uint64_t win_pkts;
	/* fast channel change, edge */
	struct rtx_rap raps[RTX_RAPS];
	unsigned n_raps, rap_pos;
	uint64_t last_pat;
	struct rtx_eburst *bursts; /* max_bursts */
	size_t n_bursts;
	uint64_t burst_cap_bps;
	uint64_t in_gap_ns;        /* smoothed time between emitted packets */
	uint64_t rate_start, rate_bytes, rate_bps;
	/* fast channel change, client */
	struct rtx_cburst fcc;
	/* multicast gone: the stream pulled by prediction (rtx_starve.c) */
	uint64_t pull_ns;          /* time the next predicted packet is due; 0: not pulling */
	uint64_t pull_ext;         /* highest number predicted so far */
	uint64_t pull_start;       /* st.pulled when this pull started */
	uint64_t pull_anc_ext;     /* the predictions' anchor: the highest */
	uint64_t pull_anc_due;     /* packet held, and its playback time */
	/* why packets went unrepaired, logged at most RTX_DIAG_PER_S a second */
	uint64_t diag_win;
	unsigned diag_n;
};

/* Our id: the identity's once it has one (a box learns it at
 * registration, an edge too), else the provisional one of the settings. */
static inline uint32_t rtx_sid(const rtx_session *s)
{
	uint32_t id = rtx_ident_self(s->cfg.ident);

	return id ? id : s->cfg.self_id;
}

#define RTX_DIAG_PER_S 20
/* Whether one more diagnostic line may be logged now (a budget per second,
 * so that a collapse does not flood the log). */
bool rtx_diag_ok(rtx_session *s);

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

/* Sealed BURST_REQ / BURST datagrams. */
void rtx_out_burst_req(rtx_session *s, const struct rtx_member *srv, const struct rtx_burst_req *r);
void rtx_out_burst_ans(rtx_session *s, uint64_t peer, uint32_t to, const uint8_t *key,
		       uint32_t domain, const struct rtx_burst_ans *a);
/* A PATH to r's peer, sent only if no larger than limit bytes (what the
 * datagram it answers measured). */
void rtx_out_path(rtx_session *s, const struct rtx_reply *r, const struct rtx_path *p, size_t limit);

/* rtx_session_in.c */
void rtx_in_restart(rtx_session *s);

/* rtx_burst.c: fast channel change. Edge side: */
/* An emitted packet was stored as ext (RTX_PKT_* flags). */
void rtx_burst_edge_input(rtx_session *s, uint64_t ext, size_t len, unsigned flags);
/* An authenticated burst request rq of `who` (state ps), timestamped
 * ts, from the validated handle `from`, verified under key. Returns 0 or
 * -EBUSY. */
int rtx_burst_edge_request(rtx_session *s, uint32_t who, const struct rtx_burst_req *rq, uint64_t ts,
			   const uint8_t *key, struct rtx_peer_state *ps, uint64_t from);
void rtx_burst_edge_run(rtx_session *s);
uint64_t rtx_burst_edge_next(rtx_session *s);
/* Client side: */
int rtx_burst_client_answer(rtx_session *s, const struct rtx_hdr *h);
/* A RET repair: 1 if it was a burst packet (taken or counted), 0 if not. */
int rtx_burst_client_packet(rtx_session *s, const struct sc_rtp *rtp, const uint8_t *pkt, size_t len);
/* A multicast packet was stored as ext. */
void rtx_burst_client_mcast(rtx_session *s, uint64_t ext);
/* Whether the playback may start on the multicast stream at ext now. */
bool rtx_burst_client_may_start(rtx_session *s, uint64_t ext);
/* Multicast gaps at or below this are the burst's to fill (0: none). */
uint64_t rtx_burst_client_floor(const rtx_session *s);

/* rtx_starve.c: a client whose multicast went silent asks for the packets
 * it expects, as gaps. Returns the next time it wants to run (UINT64_MAX:
 * not now). */
uint64_t rtx_starve_run(rtx_session *s);
/* When rtx_starve_run() wants to run next, without running it. */
uint64_t rtx_starve_next(const rtx_session *s);
/* Member index `member` lacks ext: if ext is a prediction above anything
 * that member has repaired for us, the time to ask it again (when the
 * stream should have reached it there); else 0 (a lack). */
uint64_t rtx_starve_not_yet(const rtx_session *s, uint64_t ext, int member);
void rtx_burst_client_run(rtx_session *s);
uint64_t rtx_burst_client_next(const rtx_session *s);
/* Both: a source restart ends everything in progress. */
void rtx_burst_reset(rtx_session *s);

#endif
