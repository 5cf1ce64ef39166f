/* tu_stb: the fixture of the set-top box core's unit tests (test_stb.c,
 * test_stb_repair.c, test_stb_mesh.c): the whole box in process on an
 * sc_loop over a fake clock, against a fake management server (an sc_httpd
 * on loopback in the same loop) that answers register, channels, tune,
 * heartbeat, leave and the tracker (channel peers) in the shapes of docs/api.md with certificates of a test CA
 * (tu_ident.h), and counts what it got. Time only moves through the fake
 * clock: tu_advance() moves it in small steps and pumps the loop until no
 * request of a box is in flight.
 *
 * The boxes join multicast on mldt0, a veth of the private network
 * namespace the test program entered (mld_netns.h, tu_stb_netns 0); else
 * on "lo", where a tuner cannot join (tu_need_tuner() says so). */
#ifndef TU_STB_H
#define TU_STB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sc_httpd.h"
#include "stb_int.h"
#include "tu_ident.h"

#define TU_STEP_NS (50 * SC_NS_PER_MS)
#define TU_HB_MS 1000
#define TU_RETRY_MAX_MS 8000
#define TU_ID0 4201u
#define TU_MAX_BOXES 2
#define TU_MAX_TIMES 64
#define TU_MAX_REAL 4          /* group members played by the test */
#define TU_GROUP_KEY 0x5a      /* every byte of the group's key */
/* The channels' SSM source: the namespace's own address (mld_netns.h),
 * so that the test can send the stream. */
#define TU_CHAN_SRC6 "2001:db8:7::1"

/* 0 once in a private namespace (the test program's job), else < 0. */
extern int tu_stb_netns;
/* The boxes under test; tu_boxes_free() frees them. */
extern stb *tu_boxes[TU_MAX_BOXES];

/* What the fake saw of one box (by client id TU_ID0 + i). */
struct tu_seen {
	unsigned reg, chans, tune, hb, leave, bad_token;
	unsigned peers;          /* tracker asks (GET /channels/{id}/peers) */
	unsigned hb_mesh;        /* heartbeats that said mode "mesh" */
	uint32_t tune_ch, hb_group_version, peers_ch;
	char token[96];
	char hb_mode[16];        /* "mode" of the last heartbeat ("": none) */
	uint64_t hb_at[TU_MAX_TIMES];    /* heartbeats answered 200 */
	uint64_t fail_at[TU_MAX_TIMES];  /* requests answered 503 */
	size_t n_hb_at, n_fail_at;
};

/* An edge's RET (and burst) service named in the tune answer. */
struct tu_ret {
	bool on, burst;          /* "ret" in the answer; "burst" too */
	uint32_t id;             /* the edge's wire id */
	char addr[64];           /* "[addr]:port" */
	uint8_t cert[RTX_CERT_BYTES];
	uint8_t key[32];
};

/* The mesh's hosting node the tracker names (an edge's, "source"). */
struct tu_src {
	bool on, direct;         /* named; "direct" (ask it first) */
	uint32_t id;             /* MESH_SOURCE_ID_FLAG | edge id */
	char addr[64];           /* "[addr]:port" */
	uint8_t cert[RTX_CERT_BYTES];
};

struct tu_fake {
	sc_clock *clk;
	sc_loop *loop;
	sc_httpd *h;
	unsigned port;
	struct tu_pki pki;
	int status;              /* not 0: every request gets it */
	bool group_pending;      /* the next heartbeat answers carry group */
	bool mesh;               /* boxes made with mesh = { enabled = true; } */
	uint32_t group_id, group_version;
	unsigned n_members;
	/* Members 101.. played by the test: the first n_real members have
	 * these addresses and certificates instead of made-up ones. */
	unsigned n_real;
	char real_addr[TU_MAX_REAL][64];
	uint8_t real_cert[TU_MAX_REAL][RTX_CERT_BYTES];
	struct tu_ret ret;
	struct tu_src src;       /* the tracker's answer: this source, no peers */
	struct tu_seen box[TU_MAX_BOXES];
};

/* Once in the namespace: wait (real time, a generous deadline against a
 * hang) until mldt0 is operational, i.e. has its link-local address and
 * no tentative one: the kernel brings a new veth up asynchronously, and
 * until then multicast out of it is dropped. Returns whether it is. */
bool tu_stb_link_ready(void);
/* Into a private network namespace with mldt0 up (tu_stb_netns 0), or
 * else on lo, without a tuner (tu_stb_netns < 0: said once). */
void tu_stb_enter_netns(void);
/* Start / stop the fake (and its loop and clock). */
void tu_fake_up(struct tu_fake *f);
void tu_fake_down(struct tu_fake *f);
/* A box of device id device configured for the fake (control API and
 * repair port ephemeral, no outputs); the test frees it. */
stb *tu_box_new(struct tu_fake *f, const char *device);
void tu_boxes_free(void);
/* tu_pump_until() with TU_STB_PUMPS times its deadline: a box's joins
 * and netlink dumps wait for the kernel's RTNL lock, which namespaces
 * made and torn down elsewhere on a busy machine hold for seconds. */
#define TU_STB_PUMPS 6
bool tu_stb_pump(sc_loop *loop, bool (*cond)(void *arg), void *arg);
/* Run what is due now until no request of a box is in flight. */
void tu_settle(struct tu_fake *f);
/* Move the fake clock by ns in steps of TU_STEP_NS, settling after each. */
void tu_advance(struct tu_fake *f, uint64_t ns);
/* A control API request; the answer's body (after the head) in buf. */
const char *tu_api(struct tu_fake *f, stb *s, const char *method, const char *path, const char *body, char *buf,
		   size_t cap);
/* GET /api/status, /api/stats parsed (the caller decrefs). */
json_t *tu_status(struct tu_fake *f, stb *s);
json_t *tu_stats(struct tu_fake *f, stb *s);
/* Whether s has a tuner; without a namespace, says what is not checked. */
bool tu_need_tuner(const stb *s, const char *what);
/* Tune box 0 to channel ch through the control API. */
void tu_api_tune(struct tu_fake *f, uint32_t ch);
json_int_t tu_group_field(json_t *st, const char *k);
/* The peers box 0's identity knows. */
json_int_t tu_box_peers(struct tu_fake *f);
/* rtx_ident's certificate of ident, encoded. */
void tu_cert_of(const rtx_ident *ident, uint8_t out[RTX_CERT_BYTES]);

/* The channel's multicast into the namespace: RTP of MP2T, 7 TS packets. */
#define TU_CHAN_GROUP "ff3e::8000:1"
#define TU_CHAN_PORT 5001
#define TU_TS_PER_RTP 7
#define TU_RTP_LEN (12 + 188 * TU_TS_PER_RTP)
/* A UDP socket bound on the namespace's address (the box reaches it
 * there); its port into *port. Fails the test when it cannot. */
int tu_stb_ns_socket(uint16_t *port);
/* A socket of that address connected to the channel's group on mldt0. */
int tu_stb_mcast_socket(void);
/* RTP packet seq of the stream into b (TU_RTP_LEN bytes): PID 0x100 with
 * counters that run on, the RTP clock at ticks per packet. */
void tu_stb_rtp(uint8_t *b, uint16_t seq, uint32_t ticks, uint32_t ssrc);
/* Condition for tu_stb_pump: box 0's tuner read *(uint64_t *)arg datagrams. */
bool tu_stb_box_got(void *arg);

#endif
