/* libsixcast-retransmit: raw and playback buffers, gap tracking, the
 * in-group NACK/repair protocol and RET escalation.
 *
 * One rtx_session serves one channel at one node:
 *  - on a set-top box (RTX_ROLE_CLIENT) it is the requester and the
 *    responder of the box's repair group: multicast RTP goes into a raw
 *    buffer; gaps in the sequence are asked of the group (policy `all` or
 *    `ranked`), escalated to the edge's RET server when the peers do not
 *    answer in time, and given up at the playback deadline; a playback
 *    buffer hands packets out in order after a fixed delay. The same session
 *    serves the other members' requests from its raw buffer.
 *  - on an edge server (RTX_ROLE_EDGE) it keeps the last seconds of the
 *    channel it emits and answers RET requests from any client holding the
 *    channel's RET key.
 *
 * The library does no I/O of its own: the caller reads its sockets and the
 * clock and drives the session from its event loop:
 *
 * Every datagram is sealed for one receiver with the node's identity
 * (rtx_ident.h): the session borrows the daemon's rtx_ident, which must
 * hold the certificates of the group's members and of the RET servers
 * (rtx_ident_learn(), from the management server's answers) before they
 * are given to the session; their handles then count as validated
 * addresses. Requests from anywhere else are answered with a challenge no
 * larger than the request, and served once it is echoed.
 *
 *    rtx_session_input_rtp(s, buf, len)        multicast RTP datagram
 *    rtx_session_input_peer(s, buf, len, from) repair-port datagram
 *    next = rtx_session_run(s)                 on the timer: due work
 *    arm one timer at rtx_session_deadline(s)  after every call
 *
 * Datagrams to send come out through the send callback, addressed by an
 * opaque 64-bit peer handle the caller chose (an index into its address
 * table, a pointer...). Time comes in through the now_ns callback, so a test
 * or a simulation drives a whole group on a fake clock.
 *
 * Conventions: functions return 0 or a positive count on success and a
 * negative errno value on failure. Nothing prints and nothing exits; log
 * lines go to the callback given. A session is not thread-safe: call it from
 * one thread (the event loop's). Wire format: docs/protocol/repair.md. */
#ifndef SIXCAST_RTX_H
#define SIXCAST_RTX_H

#include <stddef.h>
#include <stdint.h>

#include "rtx_ident.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A log callback: level is a syslog priority (LOG_ERR .. LOG_DEBUG), msg a
 * NUL-terminated line without newline, valid only during the call. */
typedef void (*rtx_log_fn)(void *ctx, int level, const char *msg);

/* The library's version, "MAJOR.MINOR.PATCH". A static string. */
const char *rtx_version(void);

#define RTX_KEY_BYTES 32            /* group and RET keys */
#define RTX_MAX_MEMBERS 64          /* members of one repair group */
#define RTX_MAX_RET_PEERS 8         /* RET servers of one channel */
#define RTX_EDGE_ID_FLAG 0x80000000u /* sender id of an edge: flag | edge id */
#define RTX_NO_DEADLINE UINT64_MAX

typedef struct rtx_session rtx_session;

enum rtx_role {
	RTX_ROLE_CLIENT = 1, /* requester + group responder + playback */
	RTX_ROLE_EDGE = 2,   /* RET responder over the emitted stream */
};

enum rtx_policy {
	/* Ask every member at once; the first repair wins (the seed's design):
	 * lowest latency, about one duplicate per other member holding it. */
	RTX_POLICY_ALL = 0,
	/* Ask one member, chosen per packet by rendezvous hashing of (sequence,
	 * member id), with staggered backups one retransmission timeout apart:
	 * about one repair per loss, at the cost of a round trip when the first
	 * choice lacks the packet too (it says so at once: MISSING). */
	RTX_POLICY_RANKED = 1,
};

/* Parse "all" / "ranked". Returns the policy, or -EINVAL. */
int rtx_policy_parse(const char *name);
/* "all", "ranked", or "?" for a value out of range. Never NULL. */
const char *rtx_policy_name(int policy);

/* What the session calls. ctx is passed back to every callback. A
 * callback must not call the same session's input, run or set functions
 * (reading its counters or deadline is fine). */
struct rtx_callbacks {
	void *ctx;
	/* Required. Monotonic time in nanoseconds (CLOCK_MONOTONIC, or the
	 * daemon's sc_clock). Called at most once per library call. */
	uint64_t (*now_ns)(void *ctx);
	/* Required. Send one datagram to peer: a member's or RET server's
	 * handle given in rtx_session_set_group()/_set_ret(), or the `from`
	 * handle of the input being answered (only during that call: a handle
	 * of a request's source need not outlive rtx_session_input_peer()).
	 * buf is valid during the call only. Return 0 or a negative errno;
	 * failures are counted (send_errors), never retried. */
	int (*send)(void *ctx, uint64_t peer, const uint8_t *buf, size_t len);
	/* Client role: the playback buffer's output, in sequence order, each
	 * packet once: the original RTP datagram, byte-identical whether it came
	 * by multicast or as a repair. ext_seq is the 64-bit extended sequence
	 * number. pkt is valid during the call only. */
	void (*deliver)(void *ctx, uint64_t ext_seq, const uint8_t *pkt, size_t len);
	/* Optional: ext_seq was still missing at its deadline and is skipped. */
	void (*lost)(void *ctx, uint64_t ext_seq);
	/* Optional log sink and the most verbose level wanted (LOG_DEBUG logs
	 * every dropped datagram; 0 means LOG_INFO). */
	rtx_log_fn log;
	int log_level;
};

/* Settings. Fill with rtx_config_defaults(), then change what you need. */
struct rtx_config {
	enum rtx_role role;
	/* Client: the client id (top bit clear). Edge: RTX_EDGE_ID_FLAG |
	 * edge id. Never 0. */
	uint32_t self_id;
	enum rtx_policy policy;

	/* Playback buffer (client). Packets are released at reference arrival
	 * + delay + RTP timestamp offset (clock_rate Hz; 0: use arrival times,
	 * for streams whose timestamps are not usable). */
	uint64_t playout_delay_ns;
	uint32_t clock_rate;

	/* Raw buffer: packets are kept (and served) for buffer_ns after they
	 * arrived, within buffer_max_bytes of memory; datagrams longer than
	 * max_packet are dropped. */
	uint64_t buffer_ns;
	size_t buffer_max_bytes;
	size_t max_packet;

	/* Gap tracking (client). A gap is asked for once reorder_hold_ns have
	 * passed or reorder_hold_pkts later packets arrived, whichever is first
	 * (0 packets: time only). At most max_gaps missing packets are tracked;
	 * a forward jump over max_dropout packets (or an SSRC change), confirmed
	 * by the next packet, is a source restart that resets the session. */
	uint64_t reorder_hold_ns;
	uint32_t reorder_hold_pkts;
	uint32_t max_gaps;
	uint32_t max_dropout;

	/* Retransmission timing (client). Before any round-trip sample a peer
	 * is assumed at rtt_initial_ns; its timeout is srtt + 4 rttvar kept in
	 * [rto_min_ns, rto_max_ns]; the same packet is never asked of the same
	 * peer again within its timeout. */
	uint64_t rtt_initial_ns;
	uint64_t rto_min_ns;
	uint64_t rto_max_ns;
	/* Escalation to RET (client, when a RET server is set): after
	 * ret_after_rounds unanswered rounds of the group (0: at once, in
	 * parallel with the peers), when every member asked said it lacks the
	 * packet, and in any case once the deadline is less than ret_lead_ns
	 * away. */
	uint32_t ret_after_rounds;
	uint64_t ret_lead_ns;

	/* Responder. Per requester: a token bucket of rate_pps repairs per
	 * second and rate_burst deep; at most max_seqs_per_request packets are
	 * looked at per request; at most max_requesters requesters are tracked
	 * (the least recently seen is forgotten). */
	uint32_t rate_pps;
	uint32_t rate_burst;
	uint32_t max_seqs_per_request;
	uint32_t max_requesters;

	/* Authentication. After a regroup the previous group's key and members
	 * are still accepted for key_grace_ns. ts_base_ns should be the wall
	 * clock (CLOCK_REALTIME, ns) at creation: message timestamps are
	 * ts_base_ns + elapsed monotonic time, strictly increasing, so that a
	 * restarted sender goes on above its old timestamps (receivers remember
	 * the highest per sender). With max_clock_skew_ns non-zero, a message
	 * whose timestamp is further than that from our own is refused as stale
	 * (needs synchronised clocks; 0 disables the check). */
	uint64_t key_grace_ns;
	uint64_t ts_base_ns;
	uint64_t max_clock_skew_ns;

	/* Fast channel change (appended). Edge: a burst is sent at
	 * burst_speed_pct / 100 times the pace the packets were emitted at
	 * (100..400), from the newest random access point at least the
	 * requester's playback delay old to burst_overlap_ns of stream past the
	 * live head at the request (that covers the requester's join), and
	 * lasts at most burst_max_ns (a random access point too old for that
	 * is refused); a requester gets at most one burst per
	 * burst_interval_ns; at most max_bursts run at once. Client: an
	 * unanswered request is repeated after twice the RET server's round
	 * trip (burst_interval_ns at most), twice, then given up. */
	uint32_t burst_speed_pct;
	uint64_t burst_max_ns;
	uint64_t burst_overlap_ns;
	uint64_t burst_interval_ns;
	uint32_t max_bursts;

	/* Identity (appended; required). Borrowed: the caller keeps it alive
	 * until rtx_session_free(). Once it has an id (its certificate's), the
	 * session speaks as that id: self_id only says the role before (a box
	 * before its registration, an edge before its edge id is known). */
	rtx_ident *ident;
};

/* Defaults for role (documented in docs/protocol/repair.md and chosen from
 * the benchmark in tests/bench/rtx_bench.c). */
void rtx_config_defaults(struct rtx_config *cfg, enum rtx_role role);

/* A member of a repair group and the peer handle its datagrams go to. */
struct rtx_member {
	uint32_t id;
	uint64_t peer;
};

/* A repair group as the management server hands it out. members may list
 * the session's own id (it is skipped). Copied: the caller keeps ownership. */
struct rtx_group {
	uint32_t id;
	uint32_t version;
	uint8_t key[RTX_KEY_BYTES];
	const struct rtx_member *members;
	size_t n_members;
};

/* A channel's RET domain (domain_id = channel id) and key. A client also
 * gives the RET servers (their ids, RTX_EDGE_ID_FLAG | edge id, and peer
 * handles; tried in turn); an edge gives none. */
struct rtx_ret {
	uint32_t domain_id;
	uint8_t key[RTX_KEY_BYTES];
	const struct rtx_member *servers;
	size_t n_servers;
};

/* Create a session. cfg and cb are copied (cfg->ident is borrowed).
 * Returns 0 and sets *out, or -EINVAL for a bad setting (logged with its
 * name), -ENOMEM, or -ENOSYS if libsodium cannot initialise. Free with
 * rtx_session_free(). */
int rtx_session_new(const struct rtx_config *cfg, const struct rtx_callbacks *cb,
		    rtx_session **out);
/* Free a session and everything it holds. NULL is ignored. */
void rtx_session_free(rtx_session *s);

/* Client: join, change or (g = NULL) leave a repair group. Members that
 * stay keep their round-trip estimates; requests in flight are re-aimed at
 * the new members at their next step; the previous group's key and members
 * stay valid for key_grace_ns, and after a key change within the same group
 * requests to members that were already in it are signed with the previous
 * key for half that time (they may not have heard of the change yet).
 * Returns 0, -ESTALE for an older version of
 * the current group, -EINVAL for a bad group (zero id, too many members,
 * duplicate ids), -EOPNOTSUPP on an edge. */
int rtx_session_set_group(rtx_session *s, const struct rtx_group *g);

/* Set (r = NULL: clear) the channel's RET domain and key. Returns 0,
 * -EINVAL (zero domain, too many servers, an edge given servers). */
int rtx_session_set_ret(rtx_session *s, const struct rtx_ret *r);

/* Feed one multicast RTP datagram (client), or one emitted packet (edge).
 * Returns 0 when stored, or why it was dropped (each is counted): -EBADMSG
 * not RTP, -EMSGSIZE over max_packet, -EALREADY a duplicate, -ETIME too
 * late for playback (kept for serving), -ERANGE outside the sequence window
 * (a possible restart, awaiting confirmation). */
int rtx_session_input_rtp(rtx_session *s, const uint8_t *buf, size_t len);

/* Edge: what an emitted packet holds, for fast channel change. */
#define RTX_PKT_RAP 0x1u /* the start of a random access point of the video */
#define RTX_PKT_PAT 0x2u /* a PAT (a burst starts at the PAT before a RAP) */
/* Edge: rtx_session_input_rtp() for an emitted packet with its RTX_PKT_*
 * flags: the session remembers the last random access points, where bursts
 * start. Same returns. */
int rtx_session_input_rtp_flags(rtx_session *s, const uint8_t *buf, size_t len, unsigned flags);
/* Edge: cap the bit rate of this session's bursts, all requesters together
 * (0: no cap); a request that would go over it is refused. An edge serving
 * many channels shares one budget between them with
 * rtx_session_burst_bps(): the bit rate of the bursts running now. */
void rtx_session_set_burst_cap(rtx_session *s, uint64_t bps);
uint64_t rtx_session_burst_bps(const rtx_session *s);

/* Feed one datagram received on the repair port from peer handle `from`
 * (requests are answered to `from`, within this call). Returns 0 when it
 * was used, or why it was dropped (each is counted): -EBADMSG malformed,
 * -EACCES bad MAC or unknown group/domain, -EPERM not a member, -EALREADY
 * replayed or stale, -EBUSY rate limited, -EOPNOTSUPP not for this role. */
int rtx_session_input_peer(rtx_session *s, const uint8_t *buf, size_t len, uint64_t from);

/* Do what is due now: release packets from the playback buffer, send
 * requests, retries and escalations. Returns the next deadline (absolute,
 * on the now_ns clock), RTX_NO_DEADLINE if none. Cheap when nothing is due,
 * so it may also be called after every input. */
uint64_t rtx_session_run(rtx_session *s);
/* The next time rtx_session_run() has work, RTX_NO_DEADLINE if none. An
 * input can move it earlier: read it after every call. */
uint64_t rtx_session_deadline(const rtx_session *s);

/* Repair latency (gap detected -> repair arrived) histogram: bucket i
 * counts latencies up to rtx_latency_bucket_ns(i) (8 buckets per octave
 * from 64 us, the last one open-ended). */
#define RTX_LAT_BUCKETS 128
uint64_t rtx_latency_bucket_ns(unsigned i);

/* Counters since creation. Fields are only ever appended. */
struct rtx_stats {
	/* multicast input */
	uint64_t received;       /* RTP packets stored on first arrival */
	uint64_t received_bytes;
	uint64_t malformed_rtp;
	uint64_t duplicates_rtp; /* multicast copies of packets already held */
	uint64_t out_of_window;  /* dropped outside the sequence window */
	uint64_t restarts;       /* source restarts (SSRC change or jump) */
	/* gap tracking and repair (client) */
	uint64_t gaps;           /* missing packets detected */
	uint64_t reordered;      /* gaps filled by a late multicast packet */
	uint64_t repaired_peer;  /* gaps filled by a group member */
	uint64_t repaired_ret;   /* gaps filled by a RET server */
	uint64_t duplicates;     /* repairs for packets already held */
	uint64_t unsolicited;    /* repairs for packets never missing (other
				    stream, ahead of the highest) */
	uint64_t late;           /* arrived after their playback deadline */
	uint64_t unrepaired;     /* skipped at playback: still missing */
	uint64_t delivered;      /* released by the playback buffer */
	uint64_t gaps_dropped;   /* gaps forgotten: over max_gaps */
	uint64_t requests_sent;  /* NACK datagrams to members */
	uint64_t ret_requests_sent; /* NACK datagrams to RET servers */
	uint64_t seqs_requested; /* packets asked for, over all NACKs */
	uint64_t missing_received; /* "I lack it" answers */
	/* responder */
	uint64_t requests_received; /* authenticated NACKs */
	uint64_t requests_refused;  /* NACKs with packets refused by the rate limit */
	uint64_t repairs_sent;
	uint64_t seqs_missing;      /* asked for, not held */
	uint64_t seqs_refused;      /* held, refused by the rate limit */
	uint64_t seqs_deduped;      /* just sent to the same requester */
	/* dropped repair-port input */
	uint64_t malformed;         /* bad header or body */
	uint64_t auth_failed;       /* bad MAC, unknown group or domain */
	uint64_t non_member;
	uint64_t replayed;          /* replayed or stale timestamp */
	uint64_t unsupported;       /* message not for this role */
	uint64_t send_errors;
	/* bytes of repair-port datagrams */
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t latency_hist[RTX_LAT_BUCKETS];
	/* fast channel change (appended) */
	uint64_t bursts_requested;  /* client: BURST_REQ datagrams sent */
	uint64_t bursts_answered;   /* client: BURST answers taken */
	uint64_t burst_packets;     /* client: burst packets stored; edge: sent */
	uint64_t burst_duplicates;  /* client: burst packets already held */
	uint64_t bursts_served;     /* edge: bursts started */
	uint64_t burst_refused;     /* edge: refused (rate, cap, no random
				       access point); client: refusals received */
	uint64_t burst_bytes;       /* edge: bytes of burst packets sent */
	uint64_t raps;              /* edge: random access points seen */
	/* multicast gone (appended) */
	uint64_t starved;           /* client: multicast silences that started a pull */
	uint64_t pulled;            /* client: packets asked for by prediction */
	/* identities and addresses (appended) */
	uint64_t unvalidated;       /* requests from an address not (yet)
				       validated: challenged, not served */
	uint64_t revoked;           /* datagrams of revoked members */
	uint64_t unknown_sender;    /* no certificate known or attached */
	uint64_t no_key;            /* datagrams not sent: no certificate of the receiver */
	uint64_t path_sent;         /* challenges and echoes sent */
};

/* Copy the counters. */
void rtx_session_stats(const rtx_session *s, struct rtx_stats *out);
/* The q-quantile (0..1) of the latency histogram, as the upper bound of
 * its bucket in ns; 0 when the histogram is empty. */
uint64_t rtx_stats_latency_ns(const struct rtx_stats *st, double q);

/* Client: ask the channel's RET server for a fast-channel-change burst from the last
 * random access point. Call after rtx_session_set_ret(), before multicast arrives.
 * Returns 0, -ENOTCONN without a RET server, -EOPNOTSUPP on an edge. The burst's
 * packets enter the raw buffer like repairs; playback starts at the burst's first
 * packet and releases the already-late part of the burst at once, so the output
 * starts with a decodable picture about one round trip after the call. */
int rtx_session_request_burst(rtx_session *s);

/* Client: the milestones of the last channel change, on the now_ns clock
 * (0: not reached yet). */
enum rtx_burst_state {
	RTX_BURST_NONE = 0,    /* never asked */
	RTX_BURST_ASKED = 1,   /* request sent, no answer yet */
	RTX_BURST_ACTIVE = 2,  /* answered: burst packets coming */
	RTX_BURST_DONE = 3,    /* spliced into the multicast */
	RTX_BURST_REFUSED = 4, /* the server said no (or never answered) */
};
struct rtx_zap {
	enum rtx_burst_state state;
	uint64_t requested_ns;       /* rtx_session_request_burst() */
	uint64_t answered_ns;        /* the server's answer arrived */
	uint64_t first_burst_ns;     /* first burst packet stored */
	uint64_t first_mcast_ns;     /* first multicast packet stored */
	uint64_t first_delivered_ns; /* first packet out of the playback buffer */
	uint64_t spliced_ns;         /* burst complete up to the splice point */
	uint16_t start_seq;          /* first packet of the burst (PAT before the RAP) */
	uint16_t rap_seq;            /* the packet that starts the random access point */
	uint16_t splice_seq;         /* first packet the burst leaves to multicast */
};
/* Copy the milestones. */
void rtx_session_zap(const rtx_session *s, struct rtx_zap *out);

/* What a repair-port datagram claims to be, read without authentication,
 * so that a daemon with several sessions on one socket (an edge serving
 * many channels) can pick the session by (ret, group_id). */
enum rtx_msg_type {
	RTX_MSG_NACK = 1,
	RTX_MSG_REPAIR = 2,
	RTX_MSG_MISSING = 3,
	RTX_MSG_BURST_REQ = 4, /* fast channel change: client -> edge */
	RTX_MSG_BURST = 5,     /* its answer: the splice information */
	RTX_MSG_PATH = 6,      /* address validation: a challenge or its echo */
};
struct rtx_msg_info {
	enum rtx_msg_type type;
	int ret;            /* 1: group_id is a RET domain (channel id) */
	uint32_t group_id;
	uint32_t sender_id;
	uint32_t receiver_id;
};
/* Returns 0 and fills info, or -EBADMSG when buf is no well-formed
 * repair-protocol datagram of a version this library speaks. */
int rtx_peek(const uint8_t *buf, size_t len, struct rtx_msg_info *info);

#ifdef __cplusplus
}
#endif
#endif
