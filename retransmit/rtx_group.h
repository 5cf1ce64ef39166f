/* rtx_group: who a session talks to, and under which keys: the current
 * repair group (members, their peer handles and round-trip estimates), the
 * previous group for a grace period after a regroup, and the channel's RET
 * domain. Membership changes at run time; this module decides which
 * (group id, sender id) pairs are acceptable at a given time. */
#ifndef RTX_GROUP_H
#define RTX_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtx.h"

/* Round-trip estimator of RFC 6298: srtt, rttvar, rto = srtt + 4 rttvar. */
struct rtx_rtt {
	bool has;
	uint64_t srtt, rttvar;
	uint64_t min; /* the lowest sample */
};
void rtx_rtt_sample(struct rtx_rtt *r, uint64_t sample_ns);
/* The smoothed RTT, or init before any sample. */
uint64_t rtx_rtt_srtt(const struct rtx_rtt *r, uint64_t init);
/* The lowest RTT seen, or init before any sample: whether a peer could
 * still answer before a deadline. Not the smoothed one: inflated by a few
 * slow answers (a loaded edge), it kept a peer from being asked, so never
 * measured again, for good. */
uint64_t rtx_rtt_min(const struct rtx_rtt *r, uint64_t init);
/* The retransmission timeout within [min, max]; before any sample, twice
 * init (an unknown peer is given room). */
uint64_t rtx_rtt_rto(const struct rtx_rtt *r, uint64_t init, uint64_t min, uint64_t max);

struct rtx_gmember {
	uint32_t id;
	uint64_t peer;
	struct rtx_rtt rtt;
	uint64_t high; /* the highest number it repaired for us (0: none) */
};

struct rtx_groups {
	uint32_t self_id;
	bool have;
	uint32_t id, version;
	uint8_t key[RTX_KEY_BYTES];
	size_t n;
	struct rtx_gmember m[RTX_MAX_MEMBERS];
	/* The group before the last change, accepted until prev_until. */
	bool have_prev;
	uint32_t prev_id;
	uint8_t prev_key[RTX_KEY_BYTES];
	size_t prev_n;
	uint32_t prev_ids[RTX_MAX_MEMBERS];
	uint64_t prev_until;
	/* After a key change within the same group, requests to members that
	 * were already in it are still signed with the previous key until
	 * then: members hear of a regroup at different moments, and one that
	 * has not yet could not check the new key. */
	uint64_t prev_send_until;
	/* RET */
	bool have_ret;
	uint32_t ret_domain;
	uint8_t ret_key[RTX_KEY_BYTES];
	size_t n_ret;
	struct rtx_member ret_srv[RTX_MAX_RET_PEERS]; /* id and handle of each RET server */
	struct rtx_rtt ret_rtt;
};

/* Sender authorised, but not (or no longer) a member of the current group:
 * what rtx_groups_member() returns for a member of the previous group. */
#define RTX_MEMBER_FORMER RTX_MAX_MEMBERS

void rtx_groups_init(struct rtx_groups *g, uint32_t self_id);
/* Wipe the keys. */
void rtx_groups_wipe(struct rtx_groups *g);

/* Install group in (NULL: leave). The group being replaced stays
 * acceptable until now + grace. Returns 1 when the list of members changed
 * (indices are no longer what they were), 0 when it did not, -ESTALE for
 * an older version of the current group, -EINVAL for a bad group. */
int rtx_groups_set(struct rtx_groups *g, const struct rtx_group *in, uint64_t now_ns,
		   uint64_t grace_ns);
/* Install the RET domain (NULL: none). Returns 0 or -EINVAL. */
int rtx_groups_set_ret(struct rtx_groups *g, const struct rtx_ret *r);

/* The keys a datagram's (ret flag, group id) may be signed with at now:
 * the current one, and the previous one while a regroup that kept the
 * group id but changed its key is in its grace period. Returns how many
 * (0: that group or domain is not ours, or no longer). */
int rtx_groups_keys(const struct rtx_groups *g, bool ret, uint32_t group_id, uint64_t now_ns,
		    const uint8_t *keys[2]);
/* Whether sender may talk to us in group group_id (not RET) at now: its
 * index among the current members, RTX_MEMBER_FORMER for a member of the
 * previous group only, or -EPERM. */
int rtx_groups_member(const struct rtx_groups *g, uint32_t group_id, uint32_t sender,
		      uint64_t now_ns);
/* The key (and group id) to sign a request to current member i with at
 * now: the previous key during a key change's transition if the member
 * was in the previous version, else the current one. */
const uint8_t *rtx_groups_send_key(const struct rtx_groups *g, size_t i, uint64_t now_ns);

/* Index of a current member by id, or -1. */
int rtx_groups_find(const struct rtx_groups *g, uint32_t id);

#endif
