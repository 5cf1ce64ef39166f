/* libsixcast-retransmit: raw and playback buffers, gap tracking, the
 * in-group NACK/repair protocol and RET escalation.
 *
 * Conventions of every function here: 0 or a positive count on success, a
 * negative errno value on failure. The library does no I/O of its own:
 * sockets and the clock come in through the caller. Nothing prints and
 * nothing exits; log messages go to the callback the caller gives. */
#ifndef SIXCAST_RTX_H
#define SIXCAST_RTX_H

#ifdef __cplusplus
extern "C" {
#endif

/* A log callback: level is a syslog priority (LOG_ERR .. LOG_DEBUG), msg a
 * NUL-terminated line without newline, valid only during the call. */
typedef void (*rtx_log_fn)(void *ctx, int level, const char *msg);

/* The library's version, "MAJOR.MINOR.PATCH". A static string. */
const char *rtx_version(void);

#ifdef __cplusplus
}
#endif
#endif
