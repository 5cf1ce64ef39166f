/* rtx_gaps: ring + live list of missing packets. See rtx_gaps.h. */
#include "config.h"

#include "rtx_gaps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rtx_gaps_init(struct rtx_gaps *g, size_t max)
{
	size_t cap = 16;

	while (cap < max && cap < ((size_t)1 << 20))
		cap <<= 1;
	memset(g, 0, sizeof(*g));
	g->ring = calloc(cap, sizeof(*g->ring));
	g->live = calloc(cap, sizeof(*g->live));
	if (!g->ring || !g->live) {
		rtx_gaps_free(g);
		return -ENOMEM;
	}
	g->cap = cap;
	return 0;
}

void rtx_gaps_free(struct rtx_gaps *g)
{
	free(g->ring);
	free(g->live);
	memset(g, 0, sizeof(*g));
}

void rtx_gaps_clear(struct rtx_gaps *g)
{
	memset(g->ring, 0, g->cap * sizeof(*g->ring));
	g->n_live = 0;
}

struct rtx_gap *rtx_gaps_find(struct rtx_gaps *g, uint64_t ext)
{
	struct rtx_gap *gap = &g->ring[ext & (g->cap - 1)];

	return ext != 0 && gap->ext == ext ? gap : NULL;
}

void rtx_gaps_remove(struct rtx_gaps *g, struct rtx_gap *gap)
{
	uint32_t pos = gap->pos;
	uint64_t last = g->live[--g->n_live];

	if (pos != g->n_live) {
		g->live[pos] = last;
		g->ring[last & (g->cap - 1)].pos = pos;
	}
	gap->ext = 0;
}

struct rtx_gap *rtx_gaps_add(struct rtx_gaps *g, uint64_t ext, uint64_t *dropped)
{
	struct rtx_gap *gap = &g->ring[ext & (g->cap - 1)];

	*dropped = 0;
	if (gap->ext != 0) {
		*dropped = gap->ext;
		rtx_gaps_remove(g, gap);
	}
	memset(gap, 0, sizeof(*gap));
	gap->ext = ext;
	gap->pos = (uint32_t)g->n_live;
	g->live[g->n_live++] = ext;
	return gap;
}

struct rtx_gap *rtx_gaps_at(struct rtx_gaps *g, size_t i)
{
	return &g->ring[g->live[i] & (g->cap - 1)];
}
