/* sixcast-mldmon: who joins which group, as seen on a link.
 *
 * Captures MLD and IGMP on an interface (a bridge or an uplink, where
 * every box's reports pass) and prints one line per message or, with
 * --changes, per membership change; on exit and on SIGUSR1 it prints the
 * table of groups and the hosts that joined them. --json makes every line
 * a JSON object. --memberships prints this host's own groups instead.
 * Usage and examples: docs/igmp-mld.md, and --help. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "mld.h"
#include "mldmon_fmt.h"
#include "sc_clock.h"
#include "sc_log.h"
#include "sc_loop.h"

struct opts {
	const char *iface, *file;
	bool json, changes, no_queries, no_table, no_promisc, memberships;
	long count;
	double seconds;
	int verbosity;
};

struct mon {
	struct opts o;
	struct mon_out out;
	sc_loop *loop; /* live capture only */
	sc_timer *tick;
	mld_cap *cap;
	mld_table *table;
	uint64_t events, last_expire_ms, last_ms;
	int exit_code;
	bool warned_full;
};

static const char usage_text[] =
	"usage: sixcast-mldmon -i IFACE [options]     watch MLD/IGMP on an interface\n"
	"       sixcast-mldmon -r FILE.pcap [options] read a capture instead\n"
	"       sixcast-mldmon -m [-i IFACE] [--json] this host's own memberships\n"
	"\n"
	"Prints one line per MLDv1/v2 or IGMPv1/2/3 query, report or leave seen, and\n"
	"on exit (SIGINT, SIGTERM, --count, --time) or on SIGUSR1 a table of the\n"
	"groups and the hosts that joined them, with filter mode and sources.\n"
	"\n"
	"  -i, --iface IFACE     capture on IFACE (a bridge sees every port's hosts)\n"
	"  -r, --read FILE       read a pcap file (tcpdump -w) instead of capturing\n"
	"  -j, --json            JSON lines instead of text\n"
	"  -C, --changes         print membership changes (join, update, leave,\n"
	"                        expire) instead of every message\n"
	"  -Q, --no-queries      do not print queries\n"
	"  -T, --no-table        do not print the table on exit\n"
	"  -p, --no-promisc      do not put the interface in promiscuous mode\n"
	"  -c, --count N         exit after N printed lines\n"
	"  -t, --time SECONDS    exit after SECONDS\n"
	"  -m, --memberships     print the groups this host has joined and exit\n"
	"  -v, --verbose         log dropped frames and their reasons (stderr)\n"
	"  -V, --version         print the version and exit\n"
	"  -h, --help            this text\n"
	"\n"
	"Capturing needs root or CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode).\n"
	"Exit status: 0 done, 1 capture failed, 2 usage error.\n";

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void count_event(struct mon *m)
{
	if (m->o.count && ++m->events >= (uint64_t)m->o.count && m->loop)
		sc_loop_stop(m->loop);
}

static bool count_reached(const struct mon *m)
{
	return m->o.count && m->events >= (uint64_t)m->o.count;
}

static void on_change(void *arg, enum mld_change c, const struct mld_entry *e)
{
	struct mon *m = arg;

	if (!m->o.changes)
		return;
	/* Expiry happens at the tick (or frame) that noticed it; the others
	 * at the frame being applied. */
	mon_print_change(&m->out, c, e, c == MLD_CHANGE_EXPIRE ? m->last_expire_ms : m->last_ms);
	count_event(m);
}

static void expire(struct mon *m, uint64_t now_ms)
{
	m->last_expire_ms = now_ms;
	mld_table_expire(m->table, now_ms);
}

static void on_msg(void *arg, const struct mld_msg *msg, uint64_t ts_us)
{
	struct mon *m = arg;
	uint64_t ms = ts_us / 1000u;

	if (count_reached(m))
		return;
	m->last_ms = ms;
	/* Table time is the capture's, so a file replays its own timeline. */
	if (ms >= m->last_expire_ms + 1000)
		expire(m, ms);
	if (!m->o.changes && !(m->o.no_queries && msg->kind == MLD_KIND_QUERY)) {
		mon_print_msg(&m->out, msg, ts_us);
		count_event(m);
	}
	if (mld_table_apply(m->table, msg, ms) == -ENOSPC && !m->warned_full) {
		sc_log(LOG_WARNING, "table full (%u memberships): new ones are not tracked",
		       MLD_TABLE_MAX_ENTRIES);
		m->warned_full = true;
	}
}

static void print_table(struct mon *m, uint64_t now_ms)
{
	struct mld_cap_stats st;

	mld_cap_stats_get(m->cap, &st);
	mon_print_table(&m->out, m->table, &st, now_ms);
}

static void on_signal(void *arg, int signo)
{
	struct mon *m = arg;

	if (signo == SIGUSR1)
		print_table(m, wall_ms());
	else
		sc_loop_stop(m->loop);
}

static void on_readable(void *arg, int fd, uint32_t events)
{
	struct mon *m = arg;

	(void)fd;
	if (mld_cap_dispatch(m->cap) < 0 || (events & SC_LOOP_ERR)) {
		m->exit_code = 1;
		sc_loop_stop(m->loop);
	}
}

/* Once a second: expire what the hosts stopped refreshing. */
static void on_tick(void *arg)
{
	struct mon *m = arg;

	expire(m, wall_ms());
	sc_timer_arm(m->tick, SC_NS_PER_S);
}

static void on_deadline(void *arg)
{
	sc_loop_stop(((struct mon *)arg)->loop);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },  { "read", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },         { "changes", no_argument, NULL, 'C' },
		{ "no-queries", no_argument, NULL, 'Q' },   { "no-table", no_argument, NULL, 'T' },
		{ "no-promisc", no_argument, NULL, 'p' },   { "count", required_argument, NULL, 'c' },
		{ "time", required_argument, NULL, 't' },   { "memberships", no_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },      { "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "i:r:jCQTpc:t:mvVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'r': o->file = optarg; break;
		case 'j': o->json = true; break;
		case 'C': o->changes = true; break;
		case 'Q': o->no_queries = true; break;
		case 'T': o->no_table = true; break;
		case 'p': o->no_promisc = true; break;
		case 'm': o->memberships = true; break;
		case 'v': o->verbosity++; break;
		case 'c':
			o->count = strtol(optarg, &end, 10);
			if (*end || o->count < 1) {
				fprintf(stderr, "sixcast-mldmon: --count %s: not a positive number\n", optarg);
				return -EINVAL;
			}
			break;
		case 't':
			o->seconds = strtod(optarg, &end);
			if (*end || !(o->seconds > 0)) {
				fprintf(stderr, "sixcast-mldmon: --time %s: not a positive number\n", optarg);
				return -EINVAL;
			}
			break;
		case 'V': printf("sixcast-mldmon %s\n", mld_version()); exit(0);
		case 'h': fputs(usage_text, stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sixcast-mldmon: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->memberships && !o->iface == !o->file) {
		fprintf(stderr, "sixcast-mldmon: give one of -i IFACE or -r FILE\n");
		return -EINVAL;
	}
	return 0;
}

static int show_memberships(const struct opts *o, const struct mld_log *log)
{
	struct mld_memberships ms;
	struct mon_out out = { stdout, o->json, o->iface ? o->iface : "all" };
	int rc = mld_memberships_get(AF_UNSPEC, o->iface, &ms, log);

	if (rc < 0)
		return 1;
	mon_print_memberships(&out, &ms);
	mld_memberships_clear(&ms);
	return 0;
}

/* Live capture: the event loop with the capture, signals and timers. */
static int run_live(struct mon *m)
{
	sc_timer *deadline = NULL;
	int rc;

	m->loop = sc_loop_new(sc_clock_system());
	if (!m->loop)
		return 1;
	rc = sc_loop_add_fd(m->loop, mld_cap_fd(m->cap), SC_LOOP_IN, on_readable, m);
	if (rc == 0)
		rc = sc_loop_add_signal(m->loop, SIGINT, on_signal, m);
	if (rc == 0)
		rc = sc_loop_add_signal(m->loop, SIGTERM, on_signal, m);
	if (rc == 0)
		rc = sc_loop_add_signal(m->loop, SIGUSR1, on_signal, m);
	m->tick = sc_timer_new(m->loop, on_tick, m);
	if (m->o.seconds > 0)
		deadline = sc_timer_new(m->loop, on_deadline, m);
	if (rc < 0 || !m->tick || (m->o.seconds > 0 && !deadline)) {
		sc_log(LOG_ERR, "event loop: %s", strerror(rc < 0 ? -rc : ENOMEM));
		sc_loop_free(m->loop);
		return 1;
	}
	sc_timer_arm(m->tick, SC_NS_PER_S);
	if (deadline)
		sc_timer_arm(deadline, (uint64_t)(m->o.seconds * 1e9));
	sc_log(LOG_NOTICE, "listening on %s", m->o.iface);
	rc = sc_loop_run(m->loop);
	if (rc < 0) {
		sc_log(LOG_ERR, "event loop: %s", strerror(-rc));
		m->exit_code = 1;
	}
	sc_loop_free(m->loop); /* frees the timers too */
	m->loop = NULL;
	return m->exit_code;
}

int main(int argc, char **argv)
{
	struct mon m;
	struct mld_log log = { sc_log_sink, NULL, LOG_NOTICE };
	struct mld_cap_cfg cc = { 0 };
	int rc;

	memset(&m, 0, sizeof(m));
	sc_log_open("sixcast-mldmon", SC_LOG_STDERR, LOG_NOTICE);
	if (parse_opts(argc, argv, &m.o) < 0) {
		fputs("Try 'sixcast-mldmon --help'.\n", stderr);
		return 2;
	}
	if (m.o.verbosity) {
		sc_log_set_level(LOG_DEBUG);
		log.max_level = LOG_DEBUG;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (m.o.memberships)
		return show_memberships(&m.o, &log);

	m.out = (struct mon_out){ stdout, m.o.json, m.o.iface ? m.o.iface : m.o.file };
	m.table = mld_table_new(on_change, &m);
	if (!m.table)
		return 1;
	cc.iface = m.o.iface;
	cc.file = m.o.file;
	cc.no_promisc = m.o.no_promisc;
	rc = mld_cap_open(&cc, on_msg, &m, &log, &m.cap);
	if (rc < 0) {
		mld_table_free(m.table);
		return 1;
	}
	if (m.o.file) {
		while ((rc = mld_cap_dispatch(m.cap)) > 0 && !count_reached(&m))
			;
		m.exit_code = rc < 0 ? 1 : 0;
	} else {
		m.exit_code = run_live(&m);
	}
	/* A file's table is as of its last frame. */
	if (!m.o.no_table)
		print_table(&m, m.o.file ? m.last_ms : wall_ms());
	mld_cap_free(m.cap);
	mld_table_free(m.table);
	return m.exit_code;
}
