/* emit: multicast emission for the whole edge, batched with sendmmsg.
 *
 * One socket per (family, interface, hop limit, DSCP) serves every channel
 * that shares them: a batch of packets for many groups leaves in one
 * sendmmsg call, which is where the edge saves most of its CPU against one
 * process and one write per packet per channel. Loop-back is off: the edge
 * never hears its own channels. */
#ifndef EMIT_H
#define EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "sc_addr.h"
#include "sc_log.h"

typedef struct emit emit;

struct emit_stats {
	uint64_t packets, bytes;
	uint64_t calls;   /* sendmmsg calls */
	uint64_t errors;  /* packets the kernel refused */
	int last_errno;
};

/* Returns NULL when out of memory. lg is copied. */
emit *emit_new(const struct sc_logger *lg);
/* Flushes nothing: call emit_flush() first. Closes the sockets. */
void emit_free(emit *e);

/* A socket for the family of dst on interface ifindex, with hop limit (TTL)
 * hops and DSCP dscp (0..63), sending from src (NULL or len 0: the kernel
 * chooses), set up by the igmp-mld library's sender API. Sockets are
 * shared: the same arguments return the same handle. Returns a handle >= 0,
 * or a negative errno (-EADDRNOTAVAIL: src is no address of this host). */
int emit_socket(emit *e, int family, unsigned ifindex, int hops, int dscp, const struct sc_sockaddr *src);

/* Queue len bytes (copied) for dst on socket handle h. Sends the batch when
 * it is full. Returns 0 or a negative errno from a send. */
int emit_queue(emit *e, int h, const struct sc_sockaddr *dst, const uint8_t *buf, size_t len);

/* Send everything queued. Returns the number of packets sent, or a
 * negative errno when a send failed (the failed packets are dropped and
 * counted: multicast is fire and forget). */
int emit_flush(emit *e);

const struct emit_stats *emit_stats(const emit *e);

#endif
