/* sixcast-client: the set-top box daemon. Reads its configuration, starts
 * the box, and runs until SIGTERM (leaving its channel and telling the
 * management server); SIGHUP reloads the file.
 *
 *   sixcast-client [-c FILE] [--check-config] [--log-level L] [--syslog] [--play] */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_log.h"
#include "sc_loop.h"
#include "sc_notify.h"
#include "stb.h"

#define DEFAULT_CONFIG SYSCONFDIR "/sixcast/client.conf"
#define LEAVE_WAIT_MS 1000
/* How often freed heap memory is handed back to the kernel. */
#define TRIM_NS (10 * SC_NS_PER_S)

struct opts {
	const char *config;
	bool check, syslog, play;
	int level; /* -1: the file's */
};

struct daemon {
	struct opts o;
	sc_loop *loop;
	stb *box;
	sc_timer *trim;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sixcast-client [-c FILE] [--check-config] [--log-level LEVEL] [--syslog] [--play]\n"
		   "  -c, --config FILE   configuration (default %s)\n"
		   "      --check-config  check the file, report the first problem with its line, exit\n"
		   "      --log-level L   error, warning, notice, info or debug (overrides the file)\n"
		   "      --syslog        log to syslog instead of stderr\n"
		   "      --play          play on this box's screen (outputs.play = true)\n"
		   "  -V, --version       print the version\n", DEFAULT_CONFIG);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' }, { "check-config", no_argument, NULL, 'C' },
		{ "log-level", required_argument, NULL, 'l' }, { "syslog", no_argument, NULL, 's' },
		{ "play", no_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ DEFAULT_CONFIG, false, false, false, -1 };
	while ((c = getopt_long(argc, argv, "c:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'C': o->check = true; break;
		case 's': o->syslog = true; break;
		case 'p': o->play = true; break;
		case 'l':
			o->level = sc_log_level_parse(optarg);
			if (o->level < 0) {
				fprintf(stderr, "--log-level %s: use error, warning, notice, info or debug\n", optarg);
				return -EINVAL;
			}
			break;
		case 'V': printf("sixcast-client %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static void on_reload(void *arg, int signo)
{
	struct daemon *d = arg;
	struct stb_cfg cfg;
	struct sc_cfg_err err;
	char status[200];

	(void)signo;
	sc_notify_reloading();
	if (stb_cfg_load(d->o.config, &cfg, &err) < 0) {
		sc_log(LOG_ERR, "reload refused, keeping the running configuration: %s", err.msg);
	} else {
		if (d->o.level < 0)
			sc_log_set_level(cfg.log_level);
		cfg.play |= d->o.play;
		stb_reconfigure(d->box, &cfg);
	}
	stb_status_line(d->box, status, sizeof(status));
	sc_notify_ready(status);
}

static void on_stop(void *arg, int signo)
{
	struct daemon *d = arg;

	sc_log(LOG_NOTICE, "%s: stopping", strsignal(signo));
	sc_notify_stopping();
	sc_loop_stop(d->loop);
}

/* Memory (issue 7: at most 8 MB of RSS on the box). glibc's defaults suit
 * a server: the daemon has one thread that allocates (a lookup thread of
 * the HTTP client may come and go), so one arena; its big buffers (the raw
 * buffer, the HTTP output's rings) are mmap'd and go back to the kernel
 * when freed, rather than stay in a heap the threshold grew for them; and
 * what the heap frees (the line-up and tune answers, start-up's parsing)
 * is handed back now and then instead of staying resident. */
static void tune_malloc(void)
{
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 64 << 10);
	mallopt(M_TRIM_THRESHOLD, 64 << 10);
}

static void on_trim(void *arg)
{
	struct daemon *d = arg;

	malloc_trim(0);
	sc_timer_arm(d->trim, TRIM_NS);
}

static int run(struct daemon *d, const struct stb_cfg *cfg)
{
	char status[200];
	int rc;

	d->loop = sc_loop_new(sc_clock_system());
	if (!d->loop)
		return -ENOMEM;
	if ((rc = sc_loop_add_signal(d->loop, SIGHUP, on_reload, d)) < 0 ||
	    (rc = sc_loop_add_signal(d->loop, SIGTERM, on_stop, d)) < 0 ||
	    (rc = sc_loop_add_signal(d->loop, SIGINT, on_stop, d)) < 0 ||
	    (rc = stb_new(d->loop, cfg, &d->box)) < 0)
		goto out;
	if ((d->trim = sc_timer_new(d->loop, on_trim, d)))
		sc_timer_arm(d->trim, TRIM_NS);
	stb_status_line(d->box, status, sizeof(status));
	sc_log(LOG_NOTICE, "sixcast-client %s: device %s on %s, management server %s", PACKAGE_VERSION,
	       cfg->device_id, cfg->iface, cfg->mgmt_url);
	sc_notify_ready(status);
	rc = sc_loop_run(d->loop);
out:
	stb_free(d->box, LEAVE_WAIT_MS);
	sc_timer_free(d->trim);
	sc_loop_free(d->loop);
	return rc;
}

int main(int argc, char **argv)
{
	struct daemon d = { 0 };
	struct stb_cfg cfg;
	struct sc_cfg_err err;
	int rc;

	if (parse_opts(argc, argv, &d.o) < 0)
		return 2;
	sc_log_open("sixcast-client", d.o.syslog ? SC_LOG_SYSLOG : SC_LOG_STDERR,
		    d.o.level >= 0 ? d.o.level : LOG_INFO);
	rc = stb_cfg_load(d.o.config, &cfg, &err);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (d.o.check) {
		printf("%s: OK\n", d.o.config);
		return 0;
	}
	cfg.play |= d.o.play;
	tune_malloc();
	if (d.o.level < 0)
		sc_log_set_level(cfg.log_level);
	signal(SIGPIPE, SIG_IGN);
	rc = run(&d, &cfg);
	if (rc < 0)
		sc_log(LOG_ERR, "%s", strerror(-rc));
	sc_log_close();
	return rc < 0 ? 1 : 0;
}
