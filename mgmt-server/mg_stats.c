/* mg_stats: counters, deltas, rates and the per-second series. See
 * mg_stats.h. */
#include "config.h"

#include "mg_stats.h"

#include <string.h>

const char *const mg_counter_names[MG_COUNTERS] = {
	"received", "lost", "repaired_group", "repaired_edge", "repaired_mesh", "unrepaired",
	"served",
};

uint64_t *mg_counter_at(struct mg_counters *c, unsigned i)
{
	switch (i) {
	case 0: return &c->received;
	case 1: return &c->lost;
	case 2: return &c->rep_group;
	case 3: return &c->rep_edge;
	case 4: return &c->rep_mesh;
	case 5: return &c->unrepaired;
	default: return &c->served;
	}
}

uint64_t mg_counter_get(const struct mg_counters *c, unsigned i)
{
	return *mg_counter_at((struct mg_counters *)c, i);
}

void mg_counters_delta(const struct mg_counters *now, const struct mg_counters *last,
		       struct mg_counters *d)
{
	for (unsigned i = 0; i < MG_COUNTERS; i++) {
		uint64_t n = mg_counter_get(now, i), l = mg_counter_get(last, i);

		*mg_counter_at(d, i) = n >= l ? n - l : n;
	}
}

void mg_counters_add(struct mg_counters *acc, const struct mg_counters *d)
{
	for (unsigned i = 0; i < MG_COUNTERS; i++)
		*mg_counter_at(acc, i) += mg_counter_get(d, i);
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

double mg_loss_rate(const struct mg_counters *c)
{
	return ratio(c->lost, c->received + c->lost);
}

double mg_repair_rate(const struct mg_counters *c)
{
	return ratio(c->rep_group + c->rep_edge + c->rep_mesh, c->lost);
}

double mg_residual_rate(const struct mg_counters *c)
{
	return ratio(c->unrepaired, c->received + c->lost);
}

void mg_series_sample(struct mg_series *s, int64_t t_ms, uint32_t clients,
		      const struct mg_counters *totals)
{
	struct mg_point *p;

	if (!s->primed) {
		s->last = *totals;
		s->primed = 1;
		return;
	}
	if (s->n == MG_SERIES_LEN) {
		p = &s->p[s->head];
		s->head = (s->head + 1) % MG_SERIES_LEN;
	} else {
		p = &s->p[(s->head + s->n++) % MG_SERIES_LEN];
	}
	p->t_ms = t_ms;
	p->clients = clients;
	mg_counters_delta(totals, &s->last, &p->d);
	s->last = *totals;
}

size_t mg_series_since(const struct mg_series *s, int64_t since_ms, const struct mg_point **out,
		       size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n && k < max; i++) {
		const struct mg_point *p = &s->p[(s->head + i) % MG_SERIES_LEN];

		if (p->t_ms > since_ms)
			out[k++] = p;
	}
	return k;
}

void mg_series_recent(const struct mg_series *s, size_t n, struct mg_counters *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (n > s->n)
		n = s->n;
	for (size_t i = s->n - n; i < s->n; i++)
		mg_counters_add(sum, &s->p[(s->head + i) % MG_SERIES_LEN].d);
}
