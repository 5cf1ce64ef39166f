/* tu_net: loopback TCP clients for the unit tests of sixcast's HTTP
 * servers, which run in the test's own sc_loop (often on a fake clock).
 *
 * Nothing here sleeps: each wait pumps the loop (waiting at most 10 ms
 * at a time for socket events) until what it waits for happens, and gives
 * up after a generous deadline of real time, so that a broken server
 * fails the test instead of hanging it. */
#ifndef TU_NET_H
#define TU_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "sc_loop.h"

/* The real-time deadline of every wait, in ms. */
#define TU_NET_DEADLINE_MS 5000

/* Connect to host ("::1" or "127.0.0.1") at port and send text (may be
 * ""). Returns the fd (blocking) or -1. */
int tu_connect(const char *host, unsigned port, const char *text);

/* Pump loop until the server closes fd (end of stream or reset); what
 * arrives goes to buf (NUL-terminated, at most cap - 1 bytes kept).
 * Returns true when it closed, false at the deadline. */
bool tu_wait_closed(sc_loop *loop, int fd, char *buf, size_t cap);

/* Pump loop until what arrived on fd contains needle (kept in buf as
 * above). Returns true when found, false at the deadline or a close. */
bool tu_wait_text(sc_loop *loop, int fd, const char *needle, char *buf, size_t cap);

/* Pump loop until cond(arg) holds. Returns false at the deadline. */
bool tu_pump_until(sc_loop *loop, bool (*cond)(void *arg), void *arg);

/* Whether fd is still open from the server's side, without waiting:
 * nothing to read is "open". Data waiting is read and dropped. */
bool tu_still_open(int fd);

#endif
