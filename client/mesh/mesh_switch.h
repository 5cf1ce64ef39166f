/* mesh_switch: when a set-top box falls back from multicast to the mesh
 * and when it returns (issue 8, item 4). A small policy with no I/O: the
 * client reports what multicast brings (packets received, packets found
 * lost) and polls for the mode.
 *
 *  - enter mesh mode when no multicast packet arrived within tune_timeout
 *    of tuning, when multicast went silent for silence_ns, or when the
 *    loss over the last window_ns is above loss_enter (with at least
 *    min_packets expected in the window);
 *  - return to multicast only once multicast has been clean (loss at most
 *    loss_leave, packets arriving) for recover_ns in a row: the hysteresis
 *    keeps a flapping network from flipping the box back and forth.
 *
 * The client keeps its multicast membership while in mesh mode, so that it
 * sees recovery; the output stays continuous because the mesh delivers the
 * original RTP datagrams into the same raw buffer (rtx_session_input_rtp):
 * duplicates from the two paths are dropped there. */
#ifndef MESH_SWITCH_H
#define MESH_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

enum mesh_mode {
	MESH_MODE_MULTICAST = 0,
	MESH_MODE_MESH = 1,
};

struct mesh_switch_config {
	uint64_t tune_timeout_ns; /* default 1 s */
	uint64_t silence_ns;      /* default 500 ms */
	uint64_t window_ns;       /* default 2 s */
	double loss_enter;        /* default 0.25: repair covers less */
	double loss_leave;        /* default 0.10 */
	uint64_t recover_ns;      /* default 5 s */
	uint32_t min_packets;     /* default 50 */
};

#define MESH_SWITCH_BUCKETS 8

struct mesh_switch {
	struct mesh_switch_config cfg;
	enum mesh_mode mode;
	uint64_t tuned_ns, last_pkt_ns, clean_since_ns, changed_ns;
	bool any_pkt, clean_run;
	/* the window, in buckets of window_ns / MESH_SWITCH_BUCKETS */
	uint64_t bucket_start;
	unsigned cur;
	uint32_t recv[MESH_SWITCH_BUCKETS], lost[MESH_SWITCH_BUCKETS];
	uint64_t switches;
};

void mesh_switch_config_defaults(struct mesh_switch_config *c);
/* Start (or restart after a channel change) in multicast mode at now_ns.
 * A NULL cfg takes the defaults. */
void mesh_switch_init(struct mesh_switch *s, const struct mesh_switch_config *cfg, uint64_t now_ns);
/* Multicast brought n packets / n packets were found lost (gaps). */
void mesh_switch_received(struct mesh_switch *s, uint64_t now_ns, uint32_t n);
void mesh_switch_lost(struct mesh_switch *s, uint64_t now_ns, uint32_t n);
/* The mode now (evaluates the rules). *changed (may be NULL) is set when
 * this call switched. */
enum mesh_mode mesh_switch_poll(struct mesh_switch *s, uint64_t now_ns, bool *changed);
/* Loss ratio over the window (0 when nothing was expected). */
double mesh_switch_loss(struct mesh_switch *s, uint64_t now_ns);
const char *mesh_mode_name(enum mesh_mode m);

#endif
