/* trk: the tracker (seed 004's bootstrapping node) for the P2P mesh.
 *
 * Per channel, a peer cache of the boxes that hold the stream. A box that
 * falls back to the mesh asks for peers and gets the k nearest (seed 004:
 * k = 8) and l random ones (l = 3): the near ones make a location-aware
 * overlay, the random ones keep it connected. Distance is the round-trip
 * time the boxes reported when there is one, else an estimate from how
 * long a prefix the two addresses share (trk_distance_us()), so that both
 * are on one scale.
 *
 * The cache also keeps seed 004's hosting-node threshold: the first
 * `direct_max` boxes of a channel that ask are served by the edge directly
 * (unicast from the hosting node); past it, they are told to use the mesh.
 * A slot is freed when its box leaves the channel.
 *
 * Channels up to scan_max peers are searched exhaustively; in bigger ones a
 * random window of scan_max peers is searched, which keeps a query's cost
 * bounded. Peers are intrusive (struct trk_peer in the caller's client
 * record). Single-threaded; no I/O. */
#ifndef TRK_H
#define TRK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRK_MAX_ANSWER 32

struct trk_params {
	unsigned near;       /* k, 0..TRK_MAX_ANSWER */
	unsigned random;     /* l, 0..TRK_MAX_ANSWER */
	unsigned scan_max;   /* peers examined per query, >= 1 */
	unsigned direct_max; /* default hosting-node threshold per channel */
};

/* Defaults: k 8, l 3, scan_max 4096, direct_max 50. */
void trk_params_default(struct trk_params *p);
int trk_params_check(const struct trk_params *p);

struct trk_peer {
	uint32_t id;     /* set by the caller, nonzero */
	uint32_t metro;  /* set by the caller */
	uint8_t addr6[16];
	uint8_t addr4[4];
	uint8_t has6, has4;
	/* private */
	uint8_t direct;
	uint32_t channel;
	uint32_t idx;
};

struct trk_ops {
	void *ctx;
	/* Uniform 64-bit random numbers. */
	uint64_t (*rand)(void *ctx);
	/* Measured round-trip time between two peers in microseconds, or a
	 * negative value when none was reported. May be NULL. */
	int64_t (*rtt_us)(void *ctx, const struct trk_peer *a, const struct trk_peer *b);
};

struct trk_answer {
	const struct trk_peer *near[TRK_MAX_ANSWER];
	uint32_t near_us[TRK_MAX_ANSWER]; /* distance of each near peer */
	bool near_measured[TRK_MAX_ANSWER];
	size_t nnear;
	const struct trk_peer *random[TRK_MAX_ANSWER];
	size_t nrandom;
	bool direct;         /* served by the edge, not the mesh */
	unsigned direct_used, direct_max;
	size_t peers;        /* peers of the channel */
};

typedef struct trk trk;

trk *trk_new(const struct trk_params *p, const struct trk_ops *ops);
void trk_free(trk *t);
int trk_set_params(trk *t, const struct trk_params *p);

/* Put p into channel's cache (leaving another channel's first). Returns 0,
 * -EINVAL or -ENOMEM. */
int trk_add(trk *t, struct trk_peer *p, uint32_t channel);
/* Take p out of its cache; frees its direct slot. No-op when absent. */
void trk_remove(trk *t, struct trk_peer *p);
/* The answer for p, which must be in a channel (-ENOENT otherwise). Peers
 * in the answer are valid until the next trk_add/trk_remove. */
int trk_query(trk *t, struct trk_peer *p, struct trk_answer *out);
/* Threshold for one channel; 0 returns it to the default. */
void trk_set_direct_max(trk *t, uint32_t channel, unsigned max);
size_t trk_channel_peers(const trk *t, uint32_t channel);
static inline uint32_t trk_peer_channel(const struct trk_peer *p) { return p->channel; }

/* Estimated distance from shared prefix length, in microseconds: IPv6 /64
 * 0.5 ms, /56 1 ms, /48 2 ms, /40 5 ms, /32 10 ms, then 1 ms more per bit
 * shorter; IPv4 /24 0.5 ms, /16 2 ms, /8 10 ms, else 30 ms; no common
 * family 50 ms. Peers of the same metro are at most 2 ms apart. */
uint32_t trk_distance_us(const struct trk_peer *a, const struct trk_peer *b);

#endif
