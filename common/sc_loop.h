/* sc_loop: the daemons' event loop: file descriptors (epoll), timers on the
 * sc_clock seam, and signals (signalfd).
 *
 * Single-threaded: every callback runs from sc_loop_run()/sc_loop_run_once()
 * on the caller's thread. Timers read the loop's clock, so a test built on a
 * fake clock fires them by advancing the clock and calling
 * sc_loop_run_once(loop, 0), without sleeping. On the system clock, timers
 * wake the loop through a timerfd with nanosecond resolution (epoll's own
 * timeout has only milliseconds), which the edge server's pacing needs. */
#ifndef SC_LOOP_H
#define SC_LOOP_H

#include <stdint.h>

#include "sc_clock.h"

typedef struct sc_loop sc_loop;
typedef struct sc_timer sc_timer;

#define SC_LOOP_IN 0x1u
#define SC_LOOP_OUT 0x4u
#define SC_LOOP_ERR 0x8u /* reported only: error or hang-up on the fd */

/* events is SC_LOOP_IN/OUT, plus SC_LOOP_ERR when the fd failed. */
typedef void (*sc_io_fn)(void *arg, int fd, uint32_t events);
typedef void (*sc_timer_fn)(void *arg);
typedef void (*sc_signal_fn)(void *arg, int signo);

/* A loop on clk (borrowed: it must outlive the loop). Returns NULL when out
 * of memory or out of file descriptors. */
sc_loop *sc_loop_new(sc_clock *clk);
/* Frees the loop and any timers still attached to it; fds are not closed.
 * NULL is ignored. */
void sc_loop_free(sc_loop *loop);
sc_clock *sc_loop_clock(const sc_loop *loop);

/* Watch fd (not owned). Returns 0, -EEXIST if already watched, or another
 * negative errno from epoll. */
int sc_loop_add_fd(sc_loop *loop, int fd, uint32_t events, sc_io_fn fn, void *arg);
int sc_loop_mod_fd(sc_loop *loop, int fd, uint32_t events);
/* Stop watching fd; safe from inside its own callback. Returns 0 or -ENOENT. */
int sc_loop_del_fd(sc_loop *loop, int fd);

/* Deliver signo through the loop instead of an async handler: the signal
 * is blocked for the process and read from a signalfd. Call before starting
 * threads. Returns 0 or a negative errno. */
int sc_loop_add_signal(sc_loop *loop, int signo, sc_signal_fn fn, void *arg);

/* A timer of the loop, disarmed. Owned by the caller (sc_timer_free), or
 * freed with the loop. Returns NULL when out of memory. */
sc_timer *sc_timer_new(sc_loop *loop, sc_timer_fn fn, void *arg);
/* Fire once, delay_ns from now / at the absolute clock time when_ns.
 * Re-arming an armed timer moves it. Safe from inside any callback. */
void sc_timer_arm(sc_timer *t, uint64_t delay_ns);
void sc_timer_arm_at(sc_timer *t, uint64_t when_ns);
void sc_timer_stop(sc_timer *t);
int sc_timer_armed(const sc_timer *t);
/* Stop and free; NULL is ignored. Safe from inside its own callback. */
void sc_timer_free(sc_timer *t);

/* Wait up to max_wait_ms (-1: until something happens; capped by the next
 * timer) and dispatch what is ready and the timers that are due. Returns the
 * number of callbacks run, or a negative errno if epoll failed. */
int sc_loop_run_once(sc_loop *loop, int max_wait_ms);
/* Run until sc_loop_stop(). Returns 0, or a negative errno. */
int sc_loop_run(sc_loop *loop);
void sc_loop_stop(sc_loop *loop);

#endif
