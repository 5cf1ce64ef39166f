/* mesh_switch: the multicast <-> mesh switching policy. See mesh_switch.h. */
#include "config.h"

#include "mesh_switch.h"

#include <string.h>

#include "sc_clock.h"

void mesh_switch_config_defaults(struct mesh_switch_config *c)
{
	c->tune_timeout_ns = 1 * SC_NS_PER_S;
	c->silence_ns = 500 * SC_NS_PER_MS;
	c->window_ns = 2 * SC_NS_PER_S;
	c->loss_enter = 0.25;
	c->loss_leave = 0.10;
	c->recover_ns = 5 * SC_NS_PER_S;
	c->min_packets = 50;
}

void mesh_switch_init(struct mesh_switch *s, const struct mesh_switch_config *cfg, uint64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	if (cfg)
		s->cfg = *cfg;
	else
		mesh_switch_config_defaults(&s->cfg);
	if (s->cfg.window_ns < MESH_SWITCH_BUCKETS)
		s->cfg.window_ns = MESH_SWITCH_BUCKETS;
	s->mode = MESH_MODE_MULTICAST;
	s->tuned_ns = now_ns;
	s->bucket_start = now_ns;
	s->changed_ns = now_ns;
}

/* Move the window so that the current bucket holds now_ns. */
static void advance(struct mesh_switch *s, uint64_t now_ns)
{
	uint64_t width = s->cfg.window_ns / MESH_SWITCH_BUCKETS;
	unsigned k = 0;

	while (now_ns >= s->bucket_start + width && k < MESH_SWITCH_BUCKETS) {
		s->cur = (s->cur + 1) % MESH_SWITCH_BUCKETS;
		s->recv[s->cur] = s->lost[s->cur] = 0;
		s->bucket_start += width;
		k++;
	}
	if (now_ns >= s->bucket_start + width) /* a long silence: all cleared */
		s->bucket_start = now_ns - (now_ns - s->bucket_start) % width;
}

void mesh_switch_received(struct mesh_switch *s, uint64_t now_ns, uint32_t n)
{
	if (!n)
		return;
	advance(s, now_ns);
	s->recv[s->cur] += n;
	s->last_pkt_ns = now_ns;
	s->any_pkt = true;
}

void mesh_switch_lost(struct mesh_switch *s, uint64_t now_ns, uint32_t n)
{
	advance(s, now_ns);
	s->lost[s->cur] += n;
}

static void totals(const struct mesh_switch *s, uint64_t *recv, uint64_t *lost)
{
	unsigned i;

	*recv = *lost = 0;
	for (i = 0; i < MESH_SWITCH_BUCKETS; i++) {
		*recv += s->recv[i];
		*lost += s->lost[i];
	}
}

double mesh_switch_loss(struct mesh_switch *s, uint64_t now_ns)
{
	uint64_t r, l;

	advance(s, now_ns);
	totals(s, &r, &l);
	return r + l ? (double)l / (double)(r + l) : 0.0;
}

/* Multicast is failing now: silent or lossy. */
static bool failing(struct mesh_switch *s, uint64_t now_ns)
{
	uint64_t r, l;

	if (!s->any_pkt)
		return now_ns - s->tuned_ns >= s->cfg.tune_timeout_ns;
	if (now_ns - s->last_pkt_ns >= s->cfg.silence_ns)
		return true;
	totals(s, &r, &l);
	return r + l >= s->cfg.min_packets && (double)l > s->cfg.loss_enter * (double)(r + l);
}

/* Multicast is clean now: recent packets, loss under loss_leave. */
static bool clean(struct mesh_switch *s, uint64_t now_ns)
{
	uint64_t r, l;

	if (!s->any_pkt || now_ns - s->last_pkt_ns >= s->cfg.silence_ns)
		return false;
	totals(s, &r, &l);
	return r >= s->cfg.min_packets && (double)l <= s->cfg.loss_leave * (double)(r + l);
}

enum mesh_mode mesh_switch_poll(struct mesh_switch *s, uint64_t now_ns, bool *changed)
{
	enum mesh_mode before = s->mode;

	advance(s, now_ns);
	if (s->mode == MESH_MODE_MULTICAST) {
		if (failing(s, now_ns))
			s->mode = MESH_MODE_MESH;
		s->clean_run = false;
	} else if (!clean(s, now_ns)) {
		s->clean_run = false;
	} else if (!s->clean_run) {
		s->clean_run = true;
		s->clean_since_ns = now_ns;
	} else if (now_ns - s->clean_since_ns >= s->cfg.recover_ns) {
		s->mode = MESH_MODE_MULTICAST;
		s->clean_run = false;
	}
	if (s->mode != before) {
		s->changed_ns = now_ns;
		s->switches++;
	}
	if (changed)
		*changed = s->mode != before;
	return s->mode;
}

const char *mesh_mode_name(enum mesh_mode m)
{
	return m == MESH_MODE_MESH ? "mesh" : m == MESH_MODE_MULTICAST ? "multicast" : "?";
}
