/* src_int: what the source kinds share inside src*.c; not for channels. */
#ifndef SRC_INT_H
#define SRC_INT_H

#include <net/if.h>

#include "sc_addr.h"
#include "src.h"

struct src_gst;

struct src {
	enum src_kind kind;
	char *uri;
	struct sc_logger lg;
	struct src_cb cb;
	sc_loop *loop;
	bool running;
	bool live;
	struct src_stats st;
	/* file */
	char *path;
	int fd;
	/* udp */
	struct sc_sockaddr bind;
	struct sc_sockaddr source; /* len 0: any-source */
	char iface[IF_NAMESIZE];
	int sock;
	int last_seq; /* -1 before the first RTP datagram */
	/* gst */
	char *pipeline;
	struct src_gst *gst;
};

int src_udp_parse(src *s, const char *rest, char *err, size_t errlen);
int src_udp_start(src *s);
void src_udp_stop(src *s);

int src_gst_start(src *s);
void src_gst_stop(src *s);
void src_gst_want(src *s, bool want);

/* Report a failure: log, stop, tell the channel. */
void src_fail(src *s, const char *fmt, ...) SC_PRINTF(2, 3);

#endif
