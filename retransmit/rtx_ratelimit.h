/* rtx_ratelimit: per-requester state of a responder: a token bucket that
 * caps the repairs one requester can draw, and the replay window of its
 * messages, in a table bounded in memory.
 *
 * The table is 4-way set-associative over a hash of the sender id: a new
 * requester takes the least recently seen entry of its set. An entry is only
 * created for a message that authenticated, so a flood of forged sender ids
 * cannot evict anyone. */
#ifndef RTX_RATELIMIT_H
#define RTX_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtx_auth.h"

/* Tokens are counted in 1e-9 units, so refill is exact integer math. */
struct rtx_bucket {
	uint64_t nano_tokens;
	uint64_t last_ns;
	bool started;
};

/* Take up to n tokens at now_ns from a bucket refilled at rate per second,
 * burst deep (starts full). Returns how many were granted (0..n). */
uint32_t rtx_bucket_take(struct rtx_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ns,
			 uint32_t n);

struct rtx_peer_state {
	uint32_t sender_id; /* 0: free */
	uint64_t last_seen_ns;
	struct rtx_bucket bucket;
	struct rtx_replay replay; /* of its NACKs */
	uint64_t hi_ts;           /* highest timestamp of anything it sent */
	uint64_t burst_ns;        /* when it was last given a burst (0: never) */
	/* A burst request from an address being validated: served when the
	 * challenge comes back from there, soon. */
	bool pend;
	uint32_t pend_backlog_ms;
	uint64_t pend_from, pend_ts, pend_ns;
};

struct rtx_ptab;

/* A table of about max_entries entries (rounded up to a power of two, at
 * least 4). Returns NULL when out of memory. */
struct rtx_ptab *rtx_ptab_new(uint32_t max_entries);
void rtx_ptab_free(struct rtx_ptab *t);
void rtx_ptab_clear(struct rtx_ptab *t);

/* The state of sender_id (non-zero), or NULL if it is not tracked. */
struct rtx_peer_state *rtx_ptab_find(struct rtx_ptab *t, uint32_t sender_id);
/* The state of sender_id, created (replacing the least recently seen entry
 * of its set) if needed; last_seen set to now_ns. Never NULL. */
struct rtx_peer_state *rtx_ptab_get(struct rtx_ptab *t, uint32_t sender_id, uint64_t now_ns);

#endif
