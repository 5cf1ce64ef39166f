/* sixcast-mcast-server: the edge server daemon. Reads its configuration,
 * starts the channels, and runs until SIGTERM; SIGHUP reloads the file.
 *
 *   sixcast-mcast-server [-c FILE] [--check-config] [--log-level L] [--syslog] */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <gst/gst.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "edge.h"
#include "edge_ident.h"
#include "sc_log.h"
#include "sc_loop.h"
#include "sc_notify.h"

#define DEFAULT_CONFIG SYSCONFDIR "/sixcast/mcast-server.conf"

struct opts {
	const char *config;
	bool check, syslog;
	int level; /* -1: the file's */
};

struct daemon {
	struct opts o;
	sc_loop *loop;
	edge *edge;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sixcast-mcast-server [-c FILE] [--check-config] [--log-level LEVEL] [--syslog]\n"
		   "       sixcast-mcast-server --new-ca-key FILE\n"
		   "  -c, --config FILE   configuration (default %s)\n"
		   "      --check-config  check the file, report the first problem with its line, exit\n"
		   "      --new-ca-key F  write a new CA key for a standalone edge (trust.ca_key_file) to F\n"
		   "                      (mode 0600, never overwriting), print its public key, exit\n"
		   "      --log-level L   error, warning, notice, info or debug (overrides the file)\n"
		   "      --syslog        log to syslog instead of stderr\n"
		   "  -V, --version       print the version\n", DEFAULT_CONFIG);
}

static int new_ca_key(const char *path)
{
	char pub[2 * RTX_CA_PUB_BYTES + 1];
	int rc = edge_ident_new_ca_key(path, pub);

	if (rc < 0) {
		fprintf(stderr, "sixcast-mcast-server: %s: %s\n", path, strerror(-rc));
		return 1;
	}
	printf("%s\n", pub);
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' }, { "check-config", no_argument, NULL, 'C' },
		{ "log-level", required_argument, NULL, 'l' }, { "syslog", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ "new-ca-key", required_argument, NULL, 'K' }, { NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ DEFAULT_CONFIG, false, false, -1 };
	while ((c = getopt_long(argc, argv, "c:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'C': o->check = true; break;
		case 's': o->syslog = true; break;
		case 'l':
			o->level = sc_log_level_parse(optarg);
			if (o->level < 0) {
				fprintf(stderr, "--log-level %s: use error, warning, notice, info or debug\n", optarg);
				return -EINVAL;
			}
			break;
		case 'V': printf("sixcast-mcast-server %s\n", PACKAGE_VERSION); exit(0);
		case 'K': exit(new_ca_key(optarg));
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
	struct edge_cfg cfg;
	struct sc_cfg_err err;
	char status[200];

	(void)signo;
	sc_notify_reloading();
	if (edge_cfg_load(d->o.config, true, &cfg, &err) < 0) {
		sc_log(LOG_ERR, "reload refused, keeping the running configuration: %s", err.msg);
	} else {
		if (d->o.level < 0)
			sc_log_set_level(cfg.log_level);
		edge_reconfigure(d->edge, &cfg);
	}
	edge_status(d->edge, status, sizeof(status));
	sc_notify_ready(status);
}

static void on_stop(void *arg, int signo)
{
	struct daemon *d = arg;

	sc_log(LOG_NOTICE, "%s: stopping", strsignal(signo));
	sc_notify_stopping();
	sc_loop_stop(d->loop);
}

static int run(struct daemon *d, struct edge_cfg *cfg)
{
	char status[200];
	int rc;

	d->loop = sc_loop_new(sc_clock_system());
	if (!d->loop)
		return -ENOMEM;
	if ((rc = sc_loop_add_signal(d->loop, SIGHUP, on_reload, d)) < 0 ||
	    (rc = sc_loop_add_signal(d->loop, SIGTERM, on_stop, d)) < 0 ||
	    (rc = sc_loop_add_signal(d->loop, SIGINT, on_stop, d)) < 0 ||
	    (rc = edge_new(d->loop, cfg, &d->edge)) < 0)
		goto out;
	edge_status(d->edge, status, sizeof(status));
	sc_log(LOG_NOTICE, "sixcast-mcast-server %s: %s", PACKAGE_VERSION, status);
	sc_notify_ready(status);
	rc = sc_loop_run(d->loop);
out:
	edge_free(d->edge);
	sc_loop_free(d->loop);
	return rc;
}

int main(int argc, char **argv)
{
	struct daemon d = { 0 };
	struct edge_cfg cfg;
	struct sc_cfg_err err;
	int rc;

	if (parse_opts(argc, argv, &d.o) < 0)
		return 2;
	sc_log_open("sixcast-mcast-server", d.o.syslog ? SC_LOG_SYSLOG : SC_LOG_STDERR,
		    d.o.level >= 0 ? d.o.level : LOG_INFO);
	gst_init(NULL, NULL);
	rc = edge_cfg_load(d.o.config, true, &cfg, &err);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (d.o.check) {
		printf("%s: OK, %zu channel(s)\n", d.o.config, cfg.nchans);
		edge_cfg_free(&cfg);
		return 0;
	}
	if (d.o.level < 0)
		sc_log_set_level(cfg.log_level);
	signal(SIGPIPE, SIG_IGN);
	/* Pacing wants wake-ups to the microsecond, not the default 50 us slack. */
	prctl(PR_SET_TIMERSLACK, 1000UL);
	rc = run(&d, &cfg);
	if (rc < 0)
		sc_log(LOG_ERR, "%s", strerror(-rc));
	sc_log_close();
	return rc < 0 ? 1 : 0;
}
