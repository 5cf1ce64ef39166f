/* rtx_gaps: the set of missing packets a requester is working on, with
 * O(1) lookup by extended number and O(1) insert/remove.
 *
 * A ring of 2^k entries indexed by ext (so a lookup is one probe), plus a
 * dense list of the live ones (so the scheduler walks only those). Two live
 * gaps never share a ring entry unless they are 2^k numbers apart: then the
 * older one is dropped, which bounds memory whatever the input. */
#ifndef RTX_GAPS_H
#define RTX_GAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rtx_gap_state {
	RTX_GAP_HOLD = 1, /* waiting out the reorder hold */
	RTX_GAP_ACTIVE,   /* being asked for */
	RTX_GAP_DONE,     /* nobody can answer before the deadline */
};

struct rtx_gap {
	uint64_t ext;         /* 0: free */
	uint64_t detect_ns;
	uint64_t deadline_ns; /* give up at */
	uint64_t next_ns;     /* next step of the scheduler; UINT64_MAX: none */
	uint64_t hold_ext;    /* highest number when detected */
	uint64_t last_ask;    /* when a member was last asked */
	uint64_t step_end;    /* when the current ask times out */
	uint64_t ret_ns;      /* last asked of a RET server; 0: never */
	uint64_t first_ask;   /* first asked of a member; 0: never */
	uint64_t asked;       /* members asked in this round (bit = index) */
	uint64_t lacks;       /* members that said they lack it, this round */
	uint64_t step_mask;   /* members asked in the current step (ranked) */
	uint32_t pos;         /* index in the live list */
	uint8_t state;
	uint8_t rounds_done;  /* rounds of the group that went unanswered */
	uint8_t exhausted;    /* every member asked lacks it, or none can be asked */
	uint8_t ret_tries;    /* RET asks after the first (for the backoff) */
	uint8_t silent_rounds; /* consecutive rounds nobody answered (backoff) */
	uint8_t asks;         /* member asks so far (saturating), for the log */
	uint8_t challenged;   /* a RET ask of it was re-sent after a challenge */
};

struct rtx_gaps {
	size_t cap; /* power of two */
	struct rtx_gap *ring;
	uint64_t *live;
	size_t n_live;
};

/* Room for at least max gaps. Returns 0 or -ENOMEM. */
int rtx_gaps_init(struct rtx_gaps *g, size_t max);
void rtx_gaps_free(struct rtx_gaps *g);
void rtx_gaps_clear(struct rtx_gaps *g);

struct rtx_gap *rtx_gaps_find(struct rtx_gaps *g, uint64_t ext);
/* A fresh gap for ext (> 0, not already a gap), zeroed but for ext and
 * pos. If an older gap held its ring entry it is dropped and its number
 * stored in *dropped (else 0). */
struct rtx_gap *rtx_gaps_add(struct rtx_gaps *g, uint64_t ext, uint64_t *dropped);
void rtx_gaps_remove(struct rtx_gaps *g, struct rtx_gap *gap);
static inline size_t rtx_gaps_count(const struct rtx_gaps *g) { return g->n_live; }
/* The i-th live gap, i < count. Removing a gap moves the last one into
 * its place. */
struct rtx_gap *rtx_gaps_at(struct rtx_gaps *g, size_t i);

#endif
