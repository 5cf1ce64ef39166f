/* pace: timeline-to-wall-clock send queue. See pace.h. */
#include "config.h"

#include "pace.h"

#include <errno.h>
#include <stdlib.h>

struct entry {
	struct rtpk_packet pkt;
	uint64_t due;
};

struct pace {
	struct entry *ring;
	size_t cap, max_cap, head, len;
	uint64_t latency;
	bool live, anchored;
	uint64_t anchor_wall, anchor_t;
	uint64_t last_due;
	struct pace_stats st;
};

pace *pace_new(size_t cap, uint64_t latency_ns, bool live)
{
	pace *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	/* Start small and grow: memory follows what the stream needs. */
	q->max_cap = cap ? cap : 1;
	q->cap = q->max_cap < 64 ? q->max_cap : 64;
	q->ring = calloc(q->cap, sizeof(*q->ring));
	if (!q->ring) {
		free(q);
		return NULL;
	}
	q->latency = latency_ns;
	q->live = live;
	return q;
}

void pace_free(pace *q)
{
	if (!q)
		return;
	free(q->ring);
	free(q);
}

/* 27 MHz ticks to nanoseconds: * 1000 / 27, exact for whole microseconds. */
static uint64_t ticks_ns(uint64_t ticks)
{
	return ticks / 27 * 1000 + ticks % 27 * 1000 / 27;
}

static void anchor(pace *q, uint64_t t27, uint64_t wall)
{
	q->anchor_t = t27;
	q->anchor_wall = wall;
	q->anchored = true;
}

static uint64_t due_of(pace *q, uint64_t t27, uint64_t now)
{
	uint64_t due;

	if (!q->anchored) {
		/* Continue after what is queued, never before it. */
		uint64_t start = now + q->latency;

		anchor(q, t27, q->len && q->last_due > start ? q->last_due : start);
	}
	if (t27 < q->anchor_t) /* a timeline never goes back; be safe */
		anchor(q, t27, q->last_due);
	due = q->anchor_wall + ticks_ns(t27 - q->anchor_t);
	/* Late (a live source stalled or runs slow; a file reader was held
	 * up) or far ahead (a live source runs fast): put this packet at the
	 * nominal latency again rather than burst or drift. */
	if ((due < now && (q->live || now - due > q->latency)) ||
	    (q->live && due > now + 4 * q->latency)) {
		anchor(q, t27, now + q->latency);
		q->st.resyncs++;
		due = q->anchor_wall;
	}
	/* Departures keep their order even across a resync. */
	if (q->len && due < q->last_due)
		due = q->last_due;
	return due;
}

/* Double the ring, unwrapping it. */
static int grow(pace *q)
{
	size_t n = q->cap * 2 > q->max_cap ? q->max_cap : q->cap * 2;
	struct entry *r;

	if (n == q->cap || !(r = malloc(n * sizeof(*r))))
		return -ENOBUFS;
	for (size_t i = 0; i < q->len; i++)
		r[i] = q->ring[(q->head + i) % q->cap];
	free(q->ring);
	q->ring = r;
	q->cap = n;
	q->head = 0;
	return 0;
}

int pace_push(pace *q, const struct rtpk_packet *pkt, uint64_t now_ns)
{
	struct entry *e;

	if (q->len == q->cap && grow(q) < 0) {
		q->st.dropped++;
		return -ENOBUFS;
	}
	e = &q->ring[(q->head + q->len) % q->cap];
	e->due = due_of(q, pkt->t27, now_ns);
	e->pkt = *pkt;
	q->last_due = e->due;
	q->len++;
	q->st.queued++;
	return 0;
}

const struct rtpk_packet *pace_peek(const pace *q, uint64_t *due_ns)
{
	if (!q->len)
		return NULL;
	*due_ns = q->ring[q->head].due;
	return &q->ring[q->head].pkt;
}

void pace_pop(pace *q)
{
	if (!q->len)
		return;
	q->head = (q->head + 1) % q->cap;
	q->len--;
	q->st.sent++;
}

size_t pace_len(const pace *q)
{
	return q->len;
}

uint64_t pace_ahead_ns(const pace *q, uint64_t now_ns)
{
	return q->len && q->last_due > now_ns ? q->last_due - now_ns : 0;
}

void pace_set_live(pace *q, bool live)
{
	q->live = live;
}

void pace_reanchor(pace *q)
{
	q->anchored = false;
}

const struct pace_stats *pace_stats(const pace *q)
{
	return &q->st;
}
