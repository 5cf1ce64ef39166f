/* sc_log: logging for daemons and tools, and the log-callback plumbing that
 * libraries use.
 *
 * Two halves. Daemons own one process-wide sink (stderr or syslog) opened
 * with sc_log_open() and write to it with sc_log(). Libraries never print:
 * they receive a callback (struct sc_logger) from their caller and format
 * into it with sc_logf(). sc_log_sink() is a callback that forwards into the
 * process-wide sink, so a daemon hands it to every library it uses.
 *
 * Levels are syslog priorities (LOG_ERR .. LOG_DEBUG), so that messages keep
 * their meaning from library to journal. */
#ifndef SC_LOG_H
#define SC_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#define SC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* A library's log callback. msg is NUL-terminated, has no trailing newline
 * and is valid only during the call. */
typedef void (*sc_log_fn)(void *ctx, int level, const char *msg);

/* What a library keeps of its caller's logging wishes. fn may be NULL (then
 * nothing is logged); messages above max_level are not even formatted. */
struct sc_logger {
	sc_log_fn fn;
	void *ctx;
	int max_level;
};

enum sc_log_target {
	SC_LOG_STDERR, /* one line per message on stderr */
	SC_LOG_SYSLOG, /* syslog(3) under the given ident */
};

/* Format a message into a library's callback. Long messages are truncated
 * at 1 KiB; nothing is allocated. */
void sc_logf(const struct sc_logger *lg, int level, const char *fmt, ...) SC_PRINTF(3, 4);
void sc_vlogf(const struct sc_logger *lg, int level, const char *fmt, va_list ap) SC_PRINTF(3, 0);

/* Open the process-wide sink. ident is kept by pointer and must outlive the
 * sink (a string literal or argv[0]). Under systemd (JOURNAL_STREAM set) the
 * stderr lines carry <N> priority prefixes instead of timestamps, which the
 * journal understands. Returns 0. */
int sc_log_open(const char *ident, enum sc_log_target target, int max_level);
void sc_log_close(void);
void sc_log_set_level(int max_level);
int sc_log_get_level(void);

/* Write to the process-wide sink (stderr until sc_log_open is called). */
void sc_log(int level, const char *fmt, ...) SC_PRINTF(2, 3);

/* An sc_log_fn that forwards to the process-wide sink; ctx is unused. */
void sc_log_sink(void *ctx, int level, const char *msg);

/* A message that a remote party can repeat at will (a refused connection,
 * a wrong token) is said at most once per period, with the count of those
 * kept quiet since, so that an attack cannot flood the log. Zero-initialise. */
struct sc_lograte {
	uint64_t last_ns;
	uint64_t quiet;
	bool said;
};

/* An event at now_ns (any monotonic clock): true when it should be logged,
 * with *quiet set to the events kept quiet since the last one logged;
 * false when it is only counted. */
bool sc_lograte_ok(struct sc_lograte *r, uint64_t now_ns, uint64_t period_ns, uint64_t *quiet);

/* "err", "warning", "notice", "info", "debug" (and "error", "warn") to a
 * level. Returns the level, or -EINVAL for an unknown name. */
int sc_log_level_parse(const char *name);
/* The name of a level; "?" for a value out of range. Never NULL. */
const char *sc_log_level_name(int level);

#endif
