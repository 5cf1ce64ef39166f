/* stb_int: what the parts of the set-top box daemon share (stb.c core,
 * stb_tuner.c reception, stb_mgmt.c management server, stb_out.c outputs,
 * stb_api.c control API). Not a public interface. */
#ifndef STB_INT_H
#define STB_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "hts.h"
#include "mesh.h"
#include "mesh_sockaddr.h"
#include "mesh_switch.h"
#include "mgc_json.h"
#include "mld.h"
#include "peers.h"
#include "player.h"
#include "rec.h"
#include "rtx.h"
#include "sc_backoff.h"
#include "sc_clock.h"
#include "sc_httpc.h"
#include "sc_httpd_lite.h"
#include "sc_listen.h"
#include "sc_log.h"
#include "sc_loop.h"
#include "sc_rtp.h"
#include "stb.h"
#include "ts_start.h"

/* The tuned channel's P2P mesh fallback (stb_mesh.c); poll NULL: off. */
struct stb_mesh {
	mesh_node *n;             /* once the RET key is known */
	struct mesh_switch sw;
	sc_timer *timer;          /* the node's next deadline */
	sc_timer *poll;           /* the switch policy */
	uint8_t key[MESH_KEY_BYTES];
	bool have_seq;
	uint16_t last_seq;        /* of the newest multicast packet */
	char why[120];            /* what would send the box to the mesh now */
	uint64_t entered_ns, left_ns, first_ns; /* last switches; first mesh packet after entering */
	uint64_t delivered, accepted;           /* handed to / kept by the raw buffer */
	uint64_t to_mesh, to_mcast, tracker_answers, stray, dropped;
	/* The longest pause of the output (between two packets handed to it)
	 * ending: from the last multicast packet to SWITCH_SPAN_NS after the
	 * switch to the mesh (the fall-back gap), later in mesh mode, and
	 * from multicast's return to SWITCH_SPAN_NS after the switch back
	 * (the switch-back gap). */
	uint64_t last_out_ns, mc_back_ns;
	uint64_t gap_since_mc_ns, gap_enter_ns, gap_mesh_ns, gap_back_ns;
};

/* One tuned channel: its multicast socket and its retransmit session. */
struct stb_tuner {
	struct stb *s;
	struct mgc_channel ch;
	int family;               /* of the multicast join */
	mld_recv *mr;
	rtx_session *rtx;
	uint32_t self_id;         /* the id its repair session speaks as */
	sc_timer *timer;
	bool has_group, has_ret, burst_asked;
	uint32_t group_id, group_version;
	/* zap milestones, monotonic ns (0: not yet) */
	uint64_t asked_ns;        /* the viewer asked for the channel */
	uint64_t tune_ns, join_ns, first_rx_ns, first_out_ns;
	uint64_t rx_datagrams, rx_errors, out_packets;
	uint64_t last_rx_ns;
	bool starving;            /* no multicast for a while: logged once */
	struct stb_mesh mesh;
};

/* The UDP output: datagrams of at most 7 TS packets, as they came, with
 * an RTP header of its own when udp_rtp (a clean start and a zap change
 * how many packets go out, so the sequence numbers are the output's). */
#define STB_UDP_TS 7
struct stb_udp {
	struct ts_start_out tso;
	uint8_t buf[SC_RTP_HDR_MIN + STB_UDP_TS * 188];
	size_t n;           /* TS packets waiting in buf */
	uint16_t seq;
	struct sc_rtp rtp;  /* of the RTP packet they came in */
};

struct stb_out {
	/* One parse of the released stream for every output: where each may
	 * start, and one continuous stream across zaps (ts_start.h). */
	ts_start *tss;
	hts *hts;
	int udp_fd;
	struct stb_udp udp;
	rec *rec;
	uint32_t rec_channel;
	player *pl;
	struct ts_start_out pl_out;
	uint64_t bytes, udp_errors;
	/* The released stream's RTP source: a new one on the same channel is
	 * a restarted edge, spliced like a zap (have_ssrc false: none yet). */
	uint32_t ssrc;
	bool have_ssrc;
	uint64_t restarts;
};

enum stb_mg_state { MG_IDLE, MG_REGISTERING, MG_READY };

struct stb {
	sc_loop *loop;
	struct stb_cfg cfg;
	struct sc_logger lg;
	struct mld_log mlg;
	uint64_t started_ns;

	/* who the box is (stb_ident.c) */
	rtx_ident *ident;
	bool ident_renewing;      /* a new key waits for its certificate */

	/* repair socket (dual-stack UDP, the repair port) */
	int rfd;
	int rfam;                   /* its family: AF_INET6 (IPv4 mapped) or, without IPv6, AF_INET */
	peers *peers;
	uint64_t repair_in, repair_bad, repair_stray;

	/* management server */
	sc_httpc *http;
	enum stb_mg_state mg;
	unsigned mg_need;         /* steps to redo after a failure */
	struct mgc_register reg;
	bool mgmt_up;
	char mgmt_err[160];
	struct sc_backoff backoff; /* retries of the steps above */
	sc_timer *mg_timer;       /* retry of register / tune / channels */
	sc_timer *hb_timer;
	int64_t hb_req, tune_req, peers_req;
	uint64_t hb_sent_ns;
	unsigned heartbeat_ms;
	uint32_t lineup_version;
	struct mgc_channel *chans;
	size_t n_chans;
	uint64_t mgmt_errors;

	/* what the viewer wants and what is tuned */
	uint32_t want;            /* channel asked for; 0: none */
	uint64_t want_ns;         /* when */
	bool tune_confirmed;      /* the management server answered for want */
	sc_timer *zap_timer;      /* plain join when the tune answer is slow */
	struct stb_tuner *t;
	/* RET of channels tuned before, for tuning while the server is away */
	struct stb_ret_cache { uint32_t channel; struct mgc_ret ret; } ret_cache[16];

	struct stb_out out;
	sc_httpd_lite *api;       /* control API: no libmicrohttpd in the box */
	mld_nlwatch *nlw;         /* link flaps and address changes: rejoin */
	sc_timer *house;          /* once a second: starvation, status */
};

/* The daemon's clock (the loop's: a fake one in tests). */
static inline uint64_t stb_now(const struct stb *s)
{
	return sc_clock_now_ns(sc_loop_clock(s->loop));
}

/* stb.c */
const struct mgc_channel *stb_channel(const struct stb *s, uint32_t id);
/* The viewer (API, HTTP output, start-up) asks for channel id. Returns 0,
 * -ENOENT for a channel not in the line-up. */
int stb_request_tune(struct stb *s, uint32_t id);
int stb_send(struct stb *s, uint64_t peer, const uint8_t *buf, size_t len);
void stb_cache_ret(struct stb *s, uint32_t channel, const struct mgc_ret *r);
const struct mgc_ret *stb_cached_ret(const struct stb *s, uint32_t channel);

/* Events from stb_mgmt.c. */
void stb_on_registered(struct stb *s);
void stb_on_channels(struct stb *s);
void stb_on_tuned(struct stb *s, const struct mgc_tune *tu);
void stb_on_group(struct stb *s, const struct mgc_group *g); /* NULL: none */

/* Stop and forget the tuned channel (the viewer's wish stays). */
void stb_stop_tuner(struct stb *s);

/* stb_ident.c */
int stb_ident_open(struct stb *s);
void stb_ident_close(struct stb *s);
/* The public key to present to the management server, as hex. */
void stb_ident_pubkey(struct stb *s, char out[2 * RTX_PUB_BYTES + 1]);
/* The registration answer's CA and certificate. Returns 0, or a negative
 * errno (logged): the box then has no repair, fast zap or mesh. */
int stb_ident_registered(struct stb *s, const struct mgc_register *r);
/* A heartbeat answer's new certificate and revocations. */
void stb_ident_heartbeat(struct stb *s, const struct mgc_heartbeat *hb);
/* A certificate from a server list (member, RET server, tracker peer). */
bool stb_ident_learn(struct stb *s, uint32_t id, bool has_cert, const uint8_t *cert);

/* stb_tuner.c */
int stb_tuner_new(struct stb *s, const struct mgc_channel *ch, struct stb_tuner **out);
void stb_tuner_free(struct stb_tuner *t);
void stb_tuner_set_group(struct stb_tuner *t, const struct mgc_group *g);
void stb_tuner_set_ret(struct stb_tuner *t, const struct mgc_ret *r, bool burst);
/* Returns the session's verdict: 0 when the datagram was used. */
int stb_tuner_input_peer(struct stb_tuner *t, const uint8_t *buf, size_t len, uint64_t from);
void stb_tuner_rejoin(struct stb_tuner *t);
/* stb.c: reads what waits on the repair and multicast sockets, before a
 * timer judges what is missing. */
void stb_drain_input(struct stb *s);
/* Reads what waits on the multicast socket before a timer judges a
 * silence; returns the datagrams read (0 when none or no socket). */
int stb_tuner_drain(struct stb_tuner *t);
/* Let the session release what came in and re-arm its timer. */
void stb_tuner_kick(struct stb_tuner *t);
/* Callbacks with the tuner as ctx, for the libraries: the loop's clock,
 * and a datagram to a peer handle on the repair socket. */
uint64_t stb_tuner_cb_now(void *ctx);
int stb_tuner_cb_send(void *ctx, uint64_t peer, const uint8_t *buf, size_t len);

/* stb_mesh.c */
int stb_mesh_start(struct stb_tuner *t);
void stb_mesh_free(struct stb_tuner *t);
/* The channel's RET key (from the tune answer): makes the node. */
void stb_mesh_set_key(struct stb_tuner *t, const uint8_t key[MESH_KEY_BYTES]);
void stb_mesh_mcast(struct stb_tuner *t, const uint8_t *rtp, size_t len, uint64_t now_ns);
/* A packet went to the outputs at now_ns. */
void stb_mesh_output(struct stb_tuner *t, uint64_t now_ns);
/* Returns the node's verdict: 0 when the datagram was used. */
int stb_mesh_input(struct stb_tuner *t, const uint8_t *buf, size_t len, uint64_t from);
void stb_mesh_peers(struct stb_tuner *t, const struct mgc_peers *p);
bool stb_mesh_active(const struct stb_tuner *t);

/* stb_mgmt.c */
void stb_mgmt_start(struct stb *s);
void stb_mgmt_tune(struct stb *s, uint32_t id);
void stb_mgmt_stop(struct stb *s);
/* GET /channels/{id}/peers (one at a time); the answer goes to the tuner. */
void stb_mgmt_peers(struct stb *s, uint32_t channel);
/* POST leave; returns the request id (> 0) or a negative errno. */
int64_t stb_mgmt_leave(struct stb *s, sc_httpc_done done, void *arg);

/* stb_out.c */
int stb_out_open(struct stb *s);
void stb_out_close(struct stb *s);
void stb_out_packet(struct stb *s, const uint8_t *rtp, size_t len);
void stb_out_channel_changed(struct stb *s);
int stb_out_record(struct stb *s, bool start, const char *path, char *why, size_t len);

/* stb_api.c */
int stb_api_open(struct stb *s);
/* A reload: the token and the limits apply at once. */
void stb_api_reconfigure(struct stb *s, const struct stb_cfg *cfg);
void stb_api_close(struct stb *s);

#endif
