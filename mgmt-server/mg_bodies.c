/* mg_bodies: the API's request bodies. See mg_bodies.h. */
#include "config.h"

#include "mg_bodies.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTER_MAX 9007199254740991.0 /* 2^53 - 1: exact in a JSON number */

const struct mg_field mg_body_empty[] = { { NULL, 0, 0, 0 } };

const struct mg_field mg_body_register[] = {
	{ "device_id", MG_J_STR | MG_J_REQUIRED, 1, MG_DEVICE_MAX - 1 },
	{ "credential", MG_J_STR | MG_J_REQUIRED, 1, 512 },
	{ "addrs", MG_J_ARRAY | MG_J_REQUIRED, 1, MG_CLIENT_ADDRS },
	{ "metro", MG_J_ANY | MG_J_NULLABLE, 0, 0 },
	{ "pubkey", MG_J_STR | MG_J_NULLABLE, 1, 256 }, /* checked by mg_body_pubkey() */
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_tune[] = {
	{ "channel_id", MG_J_UINT | MG_J_REQUIRED, 1, UINT32_MAX },
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_heartbeat[] = {
	{ "group_version", MG_J_UINT, 0, UINT32_MAX },
	{ "channel_id", MG_J_UINT | MG_J_NULLABLE, 1, UINT32_MAX },
	{ "stats", MG_J_OBJECT, 0, 0 },
	{ "mode", MG_J_STR, 4, 9 },
	{ "pubkey", MG_J_STR | MG_J_NULLABLE, 1, 256 }, /* checked by mg_body_pubkey() */
	{ NULL, 0, 0, 0 },
};

static const struct mg_field stats_fields[] = {
	{ "received", MG_J_UINT, 0, COUNTER_MAX },
	{ "lost", MG_J_UINT, 0, COUNTER_MAX },
	{ "repaired_group", MG_J_UINT, 0, COUNTER_MAX },
	{ "repaired_edge", MG_J_UINT, 0, COUNTER_MAX },
	{ "repaired_mesh", MG_J_UINT, 0, COUNTER_MAX },
	{ "unrepaired", MG_J_UINT, 0, COUNTER_MAX },
	{ "served", MG_J_UINT, 0, COUNTER_MAX },
	{ "rtt", MG_J_ARRAY, 0, MG_RTT_MAX },
	{ NULL, 0, 0, 0 },
};

static const struct mg_field rtt_fields[] = {
	{ "client_id", MG_J_UINT | MG_J_REQUIRED, 1, UINT32_MAX },
	{ "ms", MG_J_NUMBER | MG_J_REQUIRED, 0, 60000 },
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_edge_register[] = {
	{ "name", MG_J_STR | MG_J_REQUIRED, 1, MG_NAME_MAX - 1 },
	{ "credential", MG_J_STR | MG_J_REQUIRED, 1, 512 },
	{ "addrs", MG_J_ARRAY | MG_J_REQUIRED, 1, MG_EDGE_ADDRS },
	{ "ret_addrs", MG_J_ARRAY, 0, MG_EDGE_ADDRS },
	{ "burst_addrs", MG_J_ARRAY, 0, MG_EDGE_ADDRS },
	{ "channels", MG_J_ARRAY, 0, 4096 },
	{ "pubkey", MG_J_STR | MG_J_NULLABLE, 1, 256 }, /* checked by mg_body_pubkey() */
	{ NULL, 0, 0, 0 },
};

static const struct mg_field edge_chan_fields[] = {
	{ "id", MG_J_UINT | MG_J_REQUIRED, 1, UINT32_MAX },
	{ "direct_max", MG_J_UINT, 0, 1000000 },
	{ "sdp_url", MG_J_STR, 0, MG_URL_MAX - 1 },
	{ "name", MG_J_STR, 0, MG_NAME_MAX - 1 },
	{ "group6", MG_J_STR | MG_J_NULLABLE, 0, 64 },
	{ "group4", MG_J_STR | MG_J_NULLABLE, 0, 64 },
	{ "port", MG_J_UINT, 1, 65535 },
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_edge_load[] = {
	{ "channels", MG_J_ARRAY, 0, 4096 },
	{ "bitrate_bps", MG_J_UINT, 0, 1e15 },
	{ "ret_clients", MG_J_UINT, 0, 1e9 },
	{ "burst_clients", MG_J_UINT, 0, 1e9 },
	{ "direct_clients", MG_J_UINT, 0, 1e9 },
	{ "ret_requests", MG_J_UINT, 0, COUNTER_MAX },
	{ "ret_served", MG_J_UINT, 0, COUNTER_MAX },
	{ "burst_served", MG_J_UINT, 0, COUNTER_MAX },
	{ "cpu_percent", MG_J_NUMBER, 0, 100000 },
	{ "uptime_s", MG_J_UINT, 0, COUNTER_MAX },
	{ "pubkey", MG_J_STR | MG_J_NULLABLE, 1, 256 }, /* checked by mg_body_pubkey() */
	{ NULL, 0, 0, 0 },
};

static const struct mg_field load_chan_fields[] = {
	{ "id", MG_J_UINT | MG_J_REQUIRED, 1, UINT32_MAX },
	{ "bitrate_bps", MG_J_UINT, 0, 1e15 },
	{ "packets", MG_J_UINT, 0, COUNTER_MAX },
	{ "ret_requests", MG_J_UINT, 0, COUNTER_MAX },
	{ "ret_served", MG_J_UINT, 0, COUNTER_MAX },
	{ "burst_served", MG_J_UINT, 0, COUNTER_MAX },
	{ "direct_clients", MG_J_UINT, 0, 1e9 },
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_channel[] = {
	{ "id", MG_J_UINT, 1, UINT32_MAX },
	{ "name", MG_J_STR, 1, MG_NAME_MAX - 1 },
	{ "group6", MG_J_STR | MG_J_NULLABLE, 1, 64 },
	{ "group4", MG_J_STR | MG_J_NULLABLE, 1, 64 },
	{ "port", MG_J_UINT, 1, 65535 },
	{ "source6", MG_J_STR | MG_J_NULLABLE, 1, 64 },
	{ "source4", MG_J_STR | MG_J_NULLABLE, 1, 64 },
	{ "sdp_url", MG_J_STR | MG_J_NULLABLE, 0, MG_URL_MAX - 1 },
	{ "direct_max", MG_J_UINT, 0, 1000000 },
	{ "enabled", MG_J_BOOL, 0, 0 },
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_metro[] = {
	{ "id", MG_J_UINT, 1, UINT32_MAX },
	{ "name", MG_J_STR, 1, MG_NAME_MAX - 1 },
	{ "prefixes", MG_J_ARRAY, 0, MG_PREFIX_MAX },
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_client_patch[] = {
	{ "banned", MG_J_BOOL, 0, 0 },
	{ "metro_id", MG_J_UINT | MG_J_NULLABLE, 1, UINT32_MAX },
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_client_move[] = {
	{ "metro_id", MG_J_UINT, 1, UINT32_MAX },
	{ "group_id", MG_J_UINT, 1, UINT32_MAX },
	{ NULL, 0, 0, 0 },
};

const struct mg_field mg_body_client_kick[] = {
	{ "ban", MG_J_BOOL, 0, 0 },
	{ "reason", MG_J_STR, 0, 200 },
	{ NULL, 0, 0, 0 },
};

static int why_set(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int mg_body_stats(const json_t *s, struct mg_heartbeat *hb, char *why, size_t len)
{
	char inner[200];
	json_t *v;
	size_t i;

	if (mg_json_check(s, stats_fields, inner, sizeof(inner)) < 0)
		return why_set(why, len, "stats: %s", inner);
	hb->has_stats = true;
	for (unsigned k = 0; k < MG_COUNTERS; k++)
		*mg_counter_at(&hb->stats, k) = mg_json_u64(s, mg_counter_names[k], 0);
	json_array_foreach(json_object_get(s, "rtt"), i, v) {
		if (mg_json_check(v, rtt_fields, inner, sizeof(inner)) < 0)
			return why_set(why, len, "stats.rtt[%zu]: %s", i, inner);
		hb->rtt[hb->nrtt].peer = mg_json_u32(v, "client_id", 0);
		hb->rtt[hb->nrtt++].us = (uint32_t)(json_number_value(json_object_get(v, "ms")) * 1000);
	}
	return 0;
}

int mg_body_edge_channels(const json_t *arr, struct mg_edge_reg *reg, char *why, size_t len)
{
	char inner[200];
	size_t i;
	json_t *v;

	reg->chan = calloc(json_array_size(arr) + 1, sizeof(*reg->chan));
	if (!reg->chan)
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		struct mg_edge_chan *ec = &reg->chan[reg->nchan];
		const char *url;

		if (mg_json_check(v, edge_chan_fields, inner, sizeof(inner)) < 0)
			return why_set(why, len, "channels[%zu]: %s", i, inner);
		url = mg_json_str(v, "sdp_url", "");
		if (*url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
			return why_set(why, len, "channels[%zu]: sdp_url must be an http(s) URL", i);
		ec->id = mg_json_u32(v, "id", 0);
		ec->direct_max = mg_json_u32(v, "direct_max", 0);
		snprintf(ec->sdp_url, sizeof(ec->sdp_url), "%s", url);
		for (size_t k = 0; k < reg->nchan; k++)
			if (reg->chan[k].id == ec->id)
				return why_set(why, len, "channels[%zu]: channel %u is listed twice", i, ec->id);
		reg->nchan++;
	}
	return 0;
}

int mg_body_edge_load_channels(const json_t *body, char *why, size_t len)
{
	char inner[200];
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(body, "channels"), i, v)
		if (mg_json_check(v, load_chan_fields, inner, sizeof(inner)) < 0)
			return why_set(why, len, "channels[%zu]: %s", i, inner);
	return 0;
}

/* An address field: absent keeps *a, null clears it, a string must be an
 * address of family. */
static int addr_field(const json_t *body, const char *name, int family, struct sc_sockaddr *a, char *why,
		      size_t len)
{
	json_t *v = json_object_get(body, name);

	if (!v)
		return 0;
	memset(a, 0, sizeof(*a));
	if (json_is_null(v))
		return 0;
	if (sc_addr_parse(json_string_value(v), 0, a) < 0 || sc_addr_family(a) != family)
		return why_set(why, len, "%s must be an IPv%d address", name, family == AF_INET6 ? 6 : 4);
	return 0;
}

int mg_body_chan_def(const json_t *body, struct mg_chan_def *d, char *why, size_t len)
{
	json_t *v;
	int rc;

	if ((v = json_object_get(body, "name")))
		snprintf(d->name, sizeof(d->name), "%s", json_string_value(v));
	d->port = (uint16_t)mg_json_u32(body, "port", d->port);
	if ((rc = addr_field(body, "group6", AF_INET6, &d->group6, why, len)) < 0 ||
	    (rc = addr_field(body, "group4", AF_INET, &d->group4, why, len)) < 0 ||
	    (rc = addr_field(body, "source6", AF_INET6, &d->source6, why, len)) < 0 ||
	    (rc = addr_field(body, "source4", AF_INET, &d->source4, why, len)) < 0)
		return rc;
	if (d->group6.len)
		sc_addr_set_port(&d->group6, d->port);
	if (d->group4.len)
		sc_addr_set_port(&d->group4, d->port);
	if ((v = json_object_get(body, "sdp_url")))
		snprintf(d->sdp_url, sizeof(d->sdp_url), "%s", json_is_string(v) ? json_string_value(v) : "");
	d->direct_max = mg_json_u32(body, "direct_max", d->direct_max);
	d->enabled = mg_json_bool(body, "enabled", d->enabled);
	return mg_chan_check(d, why, len);
}

int mg_body_metro_def(const json_t *body, struct mg_metro_def *d, char *why, size_t len)
{
	json_t *v = json_object_get(body, "prefixes"), *p;
	size_t i;

	if (json_object_get(body, "name"))
		snprintf(d->name, sizeof(d->name), "%s", mg_json_str(body, "name", ""));
	if (v) {
		d->nprefix = 0;
		json_array_foreach(v, i, p) {
			if (!json_is_string(p) || sc_prefix_parse(json_string_value(p), &d->prefix[i]) < 0)
				return why_set(why, len, "prefixes[%zu] is not a prefix such as "
					       "\"2001:db8:1::/48\" (host bits zero)", i);
			d->nprefix++;
		}
	}
	return mg_metro_check(d, why, len);
}
