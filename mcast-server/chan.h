/* chan: one channel of the edge, from its source to its send queue.
 *
 *   src --bytes--> tsin --TS--> pcr --timed TS--> rtpk --RTP--> pace
 *
 * The edge's scheduler takes packets from the queue when they are due and
 * sends them (chan_send_due). The channel restarts a failed or stalled
 * source with backoff, keeps RTP sequence numbers continuous across
 * restarts, and reads a file or a non-live pipeline only as far ahead as
 * its lookahead. */
#ifndef CHAN_H
#define CHAN_H

#include <stdbool.h>
#include <stdint.h>

#include "emit.h"
#include "pace.h"
#include "pcr.h"
#include "rtpk.h"
#include "sc_addr.h"
#include "sc_log.h"
#include "sc_loop.h"
#include "src.h"
#include "tsin.h"

/* What the configuration says of a channel. */
struct chan_cfg {
	uint32_t id;
	char name[64];
	char source[1024];
	struct sc_sockaddr group6;   /* len 0: no IPv6 emission */
	struct sc_sockaddr group4;   /* len 0: no IPv4 emission */
	unsigned ifindex;
	int hops, dscp;
	uint64_t fallback_bps;       /* pace PCR-less input at this rate; 0: refuse */
};

/* Edge-wide settings every channel shares. */
struct chan_env {
	sc_loop *loop;
	emit *em;
	struct sc_logger lg;
	uint64_t latency_ns;    /* live jitter budget before packets are late */
	uint64_t lookahead_ns;  /* how far ahead to read files and non-live pipelines */
	uint64_t stall_ns;      /* a live source silent this long is restarted */
	const struct sc_sockaddr *src6, *src4; /* emit from these (the SSM sources); NULL: any */
	/* The channel has a packet due at due_ns: wake the scheduler by then. */
	void (*wake)(void *arg, uint64_t due_ns);
	/* A packet just left (for the RET and burst caches). */
	void (*sent)(void *arg, uint32_t chan_id, const struct rtpk_packet *pkt);
	void *arg;
};

struct chan_stats {
	uint64_t packets_sent, bytes_sent;
	uint64_t restarts, stalls;
	uint64_t bitrate_bps; /* of the stream, from its PCRs */
	bool running;
	char last_error[200];
};

typedef struct chan chan;

/* Build a channel (nothing starts). cfg and env are copied; env->loop and
 * env->em are borrowed. Returns 0 and *out, or a negative errno with the
 * reason in err (a source that cannot be used, sockets that cannot be made). */
int chan_new(const struct chan_cfg *cfg, const struct chan_env *env, chan **out, char *err, size_t errlen);
void chan_free(chan *c);

/* Start (or restart) the source. Failures are logged and retried. */
void chan_start(chan *c);

/* Queue for sending every packet due by now_ns. Returns how many. */
int chan_send_due(chan *c, uint64_t now_ns);
/* When the next packet is due; false when the queue is empty. */
bool chan_next_due(const chan *c, uint64_t *due_ns);

const struct chan_cfg *chan_config(const chan *c);
void chan_get_stats(const chan *c, struct chan_stats *out);
const struct tsin_stats *chan_ts_stats(const chan *c);
const struct src_stats *chan_src_stats(const chan *c);
/* The RTP SSRC of the channel. */
uint32_t chan_ssrc(const chan *c);

#endif
