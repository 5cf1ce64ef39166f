/* sdp: the session description of a channel (RFC 8866), with the SSM
 * source filter (RFC 4570), which VLC, ffplay and GStreamer open directly:
 *
 *   v=0
 *   o=- 1 1 IN IP6 2001:db8::1
 *   s=News 24
 *   i=sixcast channel 1
 *   c=IN IP6 ff3e::8000:1
 *   t=0 0
 *   a=tool:sixcast
 *   a=recvonly
 *   a=type:broadcast
 *   a=source-filter: incl IN IP6 ff3e::8000:1 2001:db8::1
 *   m=video 5000 RTP/AVP 33
 *   a=rtpmap:33 MP2T/90000
 *
 * One description per address family: a player joins one group. */
#ifndef SDP_H
#define SDP_H

#include <stddef.h>
#include <stdint.h>

#include "sc_addr.h"

/* Write the SDP for group (with the source address source, no port) into
 * buf. hops is the IPv4 TTL the c= line must carry. Returns the length, or
 * -EINVAL for a group that is not multicast or a source of another family,
 * -ENOSPC when buf is too small. */
int sdp_write(char *buf, size_t len, uint32_t chan_id, const char *name, const struct sc_sockaddr *group,
	      const struct sc_sockaddr *source, int hops);

#endif
