/* sdp: channel session descriptions. See sdp.h. */
#include "config.h"

#include "sdp.h"

#include <errno.h>
#include <stdio.h>

int sdp_write(char *buf, size_t len, uint32_t chan_id, const char *name, const struct sc_sockaddr *group,
	      const struct sc_sockaddr *source, int hops)
{
	char g[SC_ADDR_STRLEN], s[SC_ADDR_STRLEN], safe[128];
	int fam = sc_addr_family(group), n;
	const char *ip = fam == AF_INET6 ? "IP6" : "IP4";
	size_t k = 0;

	if (!sc_addr_is_multicast(group) || sc_addr_family(source) != fam)
		return -EINVAL;
	sc_addr_format(group, false, g, sizeof(g));
	sc_addr_format(source, false, s, sizeof(s));
	/* A name comes from an operator's config: keep SDP lines intact. */
	for (const char *p = name; *p && k < sizeof(safe) - 1; p++)
		safe[k++] = (*p == '\r' || *p == '\n') ? ' ' : *p;
	safe[k] = '\0';
	/* Connection and source filter at session level, in RFC 8866 order:
	 * FFmpeg 5 ignores a media-level c= line. */
	n = snprintf(buf, len,
		     "v=0\r\n"
		     "o=- %u 1 IN %s %s\r\n"
		     "s=%s\r\n"
		     "i=sixcast channel %u\r\n"
		     "c=IN %s %s%s%.0d\r\n"
		     "t=0 0\r\n"
		     "a=tool:sixcast\r\n"
		     "a=recvonly\r\n"
		     "a=type:broadcast\r\n"
		     "a=source-filter: incl IN %s %s %s\r\n"
		     "m=video %u RTP/AVP 33\r\n"
		     "a=rtpmap:33 MP2T/90000\r\n",
		     chan_id, ip, s, safe[0] ? safe : "sixcast", chan_id, ip, g, fam == AF_INET ? "/" : "",
		     fam == AF_INET ? hops : 0, ip, g, s, sc_addr_port(group));
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
