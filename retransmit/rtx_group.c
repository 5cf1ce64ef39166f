/* rtx_group: repair group membership, keys and grace periods. See
 * rtx_group.h. */
#include "config.h"

#include "rtx_group.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

void rtx_rtt_sample(struct rtx_rtt *r, uint64_t s)
{
	uint64_t d;

	if (!r->has || s < r->min)
		r->min = s;
	if (!r->has) {
		r->has = true;
		r->srtt = s;
		r->rttvar = s / 2;
		return;
	}
	d = s > r->srtt ? s - r->srtt : r->srtt - s;
	r->rttvar = (3 * r->rttvar + d) / 4;
	r->srtt = (7 * r->srtt + s) / 8;
}

uint64_t rtx_rtt_srtt(const struct rtx_rtt *r, uint64_t init)
{
	return r->has ? r->srtt : init;
}

uint64_t rtx_rtt_min(const struct rtx_rtt *r, uint64_t init)
{
	return r->has ? r->min : init;
}

uint64_t rtx_rtt_rto(const struct rtx_rtt *r, uint64_t init, uint64_t min, uint64_t max)
{
	uint64_t rto = r->has ? r->srtt + 4 * r->rttvar : 2 * init;

	if (rto < min)
		rto = min;
	return rto > max ? max : rto;
}

void rtx_groups_init(struct rtx_groups *g, uint32_t self_id)
{
	memset(g, 0, sizeof(*g));
	g->self_id = self_id;
}

void rtx_groups_wipe(struct rtx_groups *g)
{
	sodium_memzero(g->key, sizeof(g->key));
	sodium_memzero(g->prev_key, sizeof(g->prev_key));
	sodium_memzero(g->ret_key, sizeof(g->ret_key));
}

int rtx_groups_find(const struct rtx_groups *g, uint32_t id)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->m[i].id == id)
			return (int)i;
	return -1;
}

/* Check a group and count its members other than ourselves. */
static int validate(const struct rtx_groups *g, const struct rtx_group *in)
{
	size_t i, j, n = 0;
	uint32_t id;

	if (in->id == 0 || (in->n_members && !in->members))
		return -EINVAL;
	for (i = 0; i < in->n_members; i++) {
		id = in->members[i].id;
		if (id == 0 || (id & RTX_EDGE_ID_FLAG))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (in->members[j].id == id)
				return -EINVAL;
		if (id != g->self_id)
			n++;
	}
	return n > RTX_MAX_MEMBERS ? -EINVAL : (int)n;
}

/* The current group becomes the previous one, valid until `until`. */
static void retire_current(struct rtx_groups *g, uint64_t until)
{
	size_t i;

	if (!g->have)
		return;
	g->have_prev = true;
	g->prev_id = g->id;
	memcpy(g->prev_key, g->key, sizeof(g->key));
	g->prev_n = g->n;
	for (i = 0; i < g->n; i++)
		g->prev_ids[i] = g->m[i].id;
	g->prev_until = until;
}

static bool same_members(const struct rtx_gmember *a, size_t na, const struct rtx_gmember *b,
			 size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].id != b[i].id)
			return false;
	return true;
}

int rtx_groups_set(struct rtx_groups *g, const struct rtx_group *in, uint64_t now_ns,
		   uint64_t grace_ns)
{
	struct rtx_gmember m[RTX_MAX_MEMBERS];
	size_t i, n = 0;
	int rc, k, changed;

	if (!in) {
		retire_current(g, now_ns + grace_ns);
		changed = g->have && g->n > 0;
		g->have = false;
		g->n = 0;
		return changed;
	}
	rc = validate(g, in);
	if (rc < 0)
		return rc;
	if (g->have && in->id == g->id && in->version < g->version)
		return -ESTALE;
	for (i = 0; i < in->n_members; i++) {
		if (in->members[i].id == g->self_id)
			continue;
		memset(&m[n], 0, sizeof(m[n]));
		m[n].id = in->members[i].id;
		m[n].peer = in->members[i].peer;
		k = rtx_groups_find(g, m[n].id);
		if (k >= 0) { /* a member that stays keeps its estimates */
			m[n].rtt = g->m[k].rtt;
			m[n].high = g->m[k].high;
		}
		n++;
	}
	if (!g->have || in->id != g->id || in->version != g->version ||
	    memcmp(in->key, g->key, sizeof(g->key)) != 0) {
		bool same_group = g->have && in->id == g->id;

		retire_current(g, now_ns + grace_ns);
		g->prev_send_until = same_group ? now_ns + grace_ns / 2 : 0;
	}
	changed = !g->have || !same_members(g->m, g->n, m, n);
	g->have = true;
	g->id = in->id;
	g->version = in->version;
	memcpy(g->key, in->key, sizeof(g->key));
	memcpy(g->m, m, n * sizeof(m[0]));
	g->n = n;
	return changed;
}

int rtx_groups_set_ret(struct rtx_groups *g, const struct rtx_ret *r)
{
	if (!r) {
		g->have_ret = false;
		g->n_ret = 0;
		return 0;
	}
	if (r->domain_id == 0 || r->n_servers > RTX_MAX_RET_PEERS || (r->n_servers && !r->servers))
		return -EINVAL;
	for (size_t i = 0; i < r->n_servers; i++)
		if (!(r->servers[i].id & RTX_EDGE_ID_FLAG) || r->servers[i].id == RTX_EDGE_ID_FLAG)
			return -EINVAL;
	if (!g->have_ret || g->ret_domain != r->domain_id)
		memset(&g->ret_rtt, 0, sizeof(g->ret_rtt));
	g->have_ret = true;
	g->ret_domain = r->domain_id;
	memcpy(g->ret_key, r->key, sizeof(g->ret_key));
	g->n_ret = r->n_servers;
	if (r->n_servers)
		memcpy(g->ret_srv, r->servers, r->n_servers * sizeof(r->servers[0]));
	return 0;
}

static bool prev_valid(const struct rtx_groups *g, uint32_t group_id, uint64_t now_ns)
{
	return g->have_prev && g->prev_id == group_id && now_ns < g->prev_until;
}

int rtx_groups_keys(const struct rtx_groups *g, bool ret, uint32_t group_id, uint64_t now_ns,
		    const uint8_t *keys[2])
{
	int n = 0;

	if (ret) {
		if (g->have_ret && g->ret_domain == group_id)
			keys[n++] = g->ret_key;
		return n;
	}
	if (g->have && g->id == group_id)
		keys[n++] = g->key;
	if (prev_valid(g, group_id, now_ns))
		keys[n++] = g->prev_key;
	return n;
}

const uint8_t *rtx_groups_send_key(const struct rtx_groups *g, size_t i, uint64_t now_ns)
{
	size_t k;

	if (!g->have_prev || g->prev_id != g->id || now_ns >= g->prev_send_until)
		return g->key;
	for (k = 0; k < g->prev_n; k++)
		if (g->prev_ids[k] == g->m[i].id)
			return g->prev_key;
	return g->key;
}

int rtx_groups_member(const struct rtx_groups *g, uint32_t group_id, uint32_t sender,
		      uint64_t now_ns)
{
	size_t i;
	int k = rtx_groups_find(g, sender);

	if (g->have && g->id == group_id && k >= 0)
		return k;
	if (!prev_valid(g, group_id, now_ns))
		return -EPERM;
	for (i = 0; i < g->prev_n; i++)
		if (g->prev_ids[i] == sender)
			return k >= 0 ? k : RTX_MEMBER_FORMER;
	return -EPERM;
}
