/* sc_log: process-wide log sink for daemons and the callback helper that
 * libraries format through. See sc_log.h. */
#include "config.h"

#include "sc_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define SC_LOG_LINE_MAX 1024

static struct {
	const char *ident;
	enum sc_log_target target;
	int max_level;
	int journal; /* stderr is connected to the systemd journal */
} sink = { "sixcast", SC_LOG_STDERR, LOG_INFO, 0 };

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

const char *sc_log_level_name(int level)
{
	if (level < LOG_EMERG || level > LOG_DEBUG)
		return "?";
	return level_names[level];
}

int sc_log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} aliases[] = { { "err", LOG_ERR }, { "warn", LOG_WARNING } };

	if (!name)
		return -EINVAL;
	for (int l = LOG_EMERG; l <= LOG_DEBUG; l++)
		if (strcasecmp(name, level_names[l]) == 0)
			return l;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(name, aliases[i].name) == 0)
			return aliases[i].level;
	return -EINVAL;
}

void sc_vlogf(const struct sc_logger *lg, int level, const char *fmt, va_list ap)
{
	char msg[SC_LOG_LINE_MAX];

	if (!lg || !lg->fn || level > lg->max_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	lg->fn(lg->ctx, level, msg);
}

void sc_logf(const struct sc_logger *lg, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sc_vlogf(lg, level, fmt, ap);
	va_end(ap);
}

int sc_log_open(const char *ident, enum sc_log_target target, int max_level)
{
	sink.ident = ident ? ident : "sixcast";
	sink.target = target;
	sink.max_level = max_level;
	sink.journal = getenv("JOURNAL_STREAM") != NULL;
	if (target == SC_LOG_SYSLOG)
		openlog(sink.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return 0;
}

void sc_log_close(void)
{
	if (sink.target == SC_LOG_SYSLOG)
		closelog();
	sink.target = SC_LOG_STDERR;
}

void sc_log_set_level(int max_level)
{
	sink.max_level = max_level;
}

int sc_log_get_level(void)
{
	return sink.max_level;
}

static void emit(int level, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	if (sink.target == SC_LOG_SYSLOG) {
		syslog(level, "%s", msg);
		return;
	}
	if (sink.journal) {
		fprintf(stderr, "<%d>%s\n", level, msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s[%ld]: %s: %s\n", when, ts.tv_nsec / 1000000L, sink.ident,
		(long)getpid(), sc_log_level_name(level), msg);
}

void sc_log(int level, const char *fmt, ...)
{
	char msg[SC_LOG_LINE_MAX];
	va_list ap;

	if (level > sink.max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, msg);
}

void sc_log_sink(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (level <= sink.max_level)
		emit(level, msg);
}

bool sc_lograte_ok(struct sc_lograte *r, uint64_t now_ns, uint64_t period_ns, uint64_t *quiet)
{
	if (r->said && now_ns - r->last_ns < period_ns) {
		r->quiet++;
		return false;
	}
	*quiet = r->quiet;
	r->quiet = 0;
	r->last_ns = now_ns;
	r->said = true;
	return true;
}
