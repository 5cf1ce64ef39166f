/* sixcast-mgmt-server: the management server daemon. Reads its config,
 * opens the store, loads the model, serves the API, and runs the timers
 * (write-behind, timeouts, silent metros, series) on one event loop.
 * SIGHUP reloads the config, SIGTERM stops cleanly, systemd is told
 * (Type=notify). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_api.h"
#include "mg_auth.h"
#include "mg_cfg.h"
#include "mg_http.h"
#include "mg_state.h"
#include "mg_store.h"
#include "sc_log.h"
#include "sc_loop.h"
#include "sc_notify.h"

#ifndef SC_SYSCONFDIR
#define SC_SYSCONFDIR "/etc"
#endif
#ifndef SC_CONSOLEDIR
#define SC_CONSOLEDIR "/usr/share/sixcast/console"
#endif

struct daemon {
	const char *path;
	struct mg_config *cfg;
	sc_loop *loop;
	mg_store *store;
	struct mg_state *st;
	struct mg_metrics metrics;
	struct mg_api *api;
	mg_http *http;
	sc_timer *flush, *sweep, *sample;
	int log_override; /* -l given: wins over the file */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sixcast-mgmt-server [options]\n"
		   "  -c, --config FILE       config file (default %s/sixcast/mgmt-server.conf)\n"
		   "      --check-config FILE check FILE and exit (0: good, 1: the problem on stderr)\n"
		   "  -l, --log-level LEVEL   err, warning, notice, info, debug (overrides the file)\n"
		   "      --syslog            log to syslog instead of stderr\n"
		   "      --console DIR       NOC console files (default %s)\n"
		   "  -V, --version\n"
		   "  -h, --help\n",
		   SC_SYSCONFDIR, SC_CONSOLEDIR);
}

static int check_config(const char *path)
{
	struct sc_cfg_err err = { "" };
	struct mg_config *cfg = NULL;

	if (mg_cfg_load(path, &cfg, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("%s: OK (%zu listen addresses, %zu metros, %zu channels, line-up mode %s)\n", path,
	       cfg->http.nlisten, cfg->lineup.nmetro, cfg->lineup.nchan,
	       cfg->lineup.mode == MG_LINEUP_FILE ? "file" : "seed");
	mg_cfg_free(cfg);
	return 0;
}

/* Many boxes keep a connection open each. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void on_flush(void *arg)
{
	struct daemon *d = arg;

	mg_state_flush(d->st, false);
	sc_timer_arm(d->flush, MG_FLUSH_TICK_MS * SC_NS_PER_MS);
}

static void on_sweep(void *arg)
{
	struct daemon *d = arg;

	mg_state_sweep(d->st);
	sc_timer_arm(d->sweep, 100 * SC_NS_PER_MS);
}

static void on_sample(void *arg)
{
	struct daemon *d = arg;

	mg_state_sample(d->st);
	sc_timer_arm(d->sample, SC_NS_PER_S);
}

static void on_store(void *arg, int fd, uint32_t events)
{
	struct daemon *d = arg;

	(void)fd;
	(void)events;
	mg_store_dispatch(d->store);
}

static bool same_listen(const struct mg_config *a, const struct mg_config *b)
{
	if (a->http.nlisten != b->http.nlisten || a->http.listen_dflt != b->http.listen_dflt ||
	    strcmp(a->http.tls_cert, b->http.tls_cert) ||
	    strcmp(a->http.tls_key, b->http.tls_key))
		return false;
	for (size_t i = 0; i < a->http.nlisten; i++)
		if (!sc_addr_equal(&a->http.listen[i], &b->http.listen[i]))
			return false;
	return true;
}

static int reload(void *arg, char *why, size_t len)
{
	struct daemon *d = arg;
	struct sc_cfg_err err = { "" };
	struct mg_config *cfg = NULL, *old = d->cfg;
	int rc;

	sc_notify_reloading();
	if ((rc = mg_cfg_load(d->path, &cfg, &err)) < 0) {
		snprintf(why, len, "%s", err.msg);
		sc_log(LOG_ERR, "reload: %s; keeping the running config", err.msg);
		sc_notify_ready("reload failed, old config kept");
		return rc;
	}
	if (!same_listen(old, cfg) || strcmp(old->store.path, cfg->store.path))
		sc_log(LOG_WARNING, "reload: listen addresses, TLS files and the store path change "
		       "only with a restart");
	if ((rc = mg_state_reconfigure(d->st, cfg, why, len)) < 0) {
		sc_log(LOG_ERR, "reload: %s", why);
		mg_state_reconfigure(d->st, old, NULL, 0);
		mg_cfg_free(cfg);
		sc_notify_ready("reload failed, old config kept");
		return rc;
	}
	mg_api_reconfigure(d->api, cfg);
	mg_http_reconfigure(d->http, cfg);
	if (!d->log_override)
		sc_log_set_level(cfg->log_level);
	d->cfg = cfg;
	mg_cfg_free(old);
	sc_log(LOG_NOTICE, "config reloaded from %s", d->path);
	sc_notify_ready("config reloaded");
	return 0;
}

static void on_signal(void *arg, int signo)
{
	struct daemon *d = arg;
	char why[512];

	if (signo == SIGHUP) {
		if (reload(d, why, sizeof(why)) == 0)
			mg_state_event(d->st, NULL, "config", "config.reload", "config", NULL);
		return;
	}
	sc_log(LOG_NOTICE, "signal %d: stopping", signo);
	sc_loop_stop(d->loop);
}

static int start(struct daemon *d, const char *console)
{
	char why[512] = "";
	struct sc_logger lg = { sc_log_sink, NULL, LOG_DEBUG };
	struct stat sb;
	int rc;

	/* Signals first: they must be blocked before the store's writer
	 * thread starts, or the kernel may deliver them to it. */
	if (sc_loop_add_signal(d->loop, SIGTERM, on_signal, d) < 0 ||
	    sc_loop_add_signal(d->loop, SIGINT, on_signal, d) < 0 ||
	    sc_loop_add_signal(d->loop, SIGHUP, on_signal, d) < 0)
		return -EIO;
	if ((rc = mg_store_open(d->cfg->store.path, d->cfg->store.sync_full, &lg, &d->store, why,
				sizeof(why))) < 0 ||
	    (rc = mg_store_start(d->store)) < 0 ||
	    (rc = mg_state_new(d->cfg, sc_loop_clock(d->loop), d->store, &d->st)) < 0 ||
	    (rc = mg_state_load(d->st, why, sizeof(why))) < 0) {
		sc_log(LOG_ERR, "store %s: %s", d->cfg->store.path, why[0] ? why : strerror(-rc));
		return rc;
	}
	d->api = mg_api_new(d->st, &d->metrics, d->loop);
	if (!d->api)
		return -ENOMEM;
	if (console && stat(console, &sb) == 0 && S_ISDIR(sb.st_mode))
		mg_api_set_console(d->api, console);
	mg_api_set_reload(d->api, reload, d);
	if ((rc = mg_http_start(d->cfg, d->loop, mg_api_handle, mg_api_done, d->api, &d->http, why,
				sizeof(why))) < 0) {
		sc_log(LOG_ERR, "http: %s", why);
		return rc;
	}
	mg_api_set_http(d->api, d->http);
	d->flush = sc_timer_new(d->loop, on_flush, d);
	d->sweep = sc_timer_new(d->loop, on_sweep, d);
	d->sample = sc_timer_new(d->loop, on_sample, d);
	if (!d->flush || !d->sweep || !d->sample ||
	    sc_loop_add_fd(d->loop, mg_store_fd(d->store), SC_LOOP_IN, on_store, d) < 0)
		return -ENOMEM;
	on_flush(d);
	on_sweep(d);
	on_sample(d);
	return 0;
}

/* Commit and answer what is in flight, answer the long polls, then close. */
static void stop(struct daemon *d)
{
	sc_notify_stopping();
	if (d->st && d->store) {
		mg_state_flush(d->st, true);
		mg_store_drain(d->store);
	}
	if (d->api)
		mg_api_release_waiters(d->api);
	for (int i = 0; i < 5 && d->http; i++)
		sc_loop_run_once(d->loop, 10);
	mg_http_stop(d->http);
	if (d->st)
		mg_state_flush(d->st, true);
	mg_api_free(d->api);
	mg_store_close(d->store); /* commits the last flush */
	mg_state_free(d->st);
	sc_timer_free(d->flush);
	sc_timer_free(d->sweep);
	sc_timer_free(d->sample);
}

struct args {
	const char *console;
	enum sc_log_target target;
	int level;
};

/* Options into d and a. Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct daemon *d, struct args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, 'C' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "console", required_argument, NULL, 'W' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:l:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': d->path = optarg; break;
		case 'C': return check_config(optarg);
		case 'l':
			a->level = sc_log_level_parse(optarg);
			if (a->level < 0) {
				fprintf(stderr, "unknown log level %s\n", optarg);
				return 2;
			}
			break;
		case 'S': a->target = SC_LOG_SYSLOG; break;
		case 'W': a->console = optarg; break;
		case 'V': printf("sixcast-mgmt-server %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct daemon d = { .path = SC_SYSCONFDIR "/sixcast/mgmt-server.conf" };
	struct args a = { SC_CONSOLEDIR, SC_LOG_STDERR, -1 };
	struct sc_cfg_err err = { "" };
	int rc = parse_args(argc, argv, &d, &a), level;

	if (rc >= 0)
		return rc;
	rc = 1;
	level = a.level;
	sc_log_open("sixcast-mgmt-server", a.target, level >= 0 ? level : LOG_INFO);
	if (mg_cfg_load(d.path, &d.cfg, &err) < 0) {
		sc_log(LOG_ERR, "%s", err.msg);
		return 1;
	}
	d.log_override = level >= 0;
	if (level < 0)
		sc_log_set_level(d.cfg->log_level);
	if (mg_auth_init() < 0) {
		sc_log(LOG_ERR, "libsodium would not initialise");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	d.loop = sc_loop_new(sc_clock_system());
	if (!d.loop || start(&d, a.console) < 0)
		goto out;
	sc_notify_ready("serving");
	sc_log(LOG_NOTICE, "sixcast-mgmt-server %s ready: %zu boxes, %zu live", PACKAGE_VERSION,
	       mg_client_count(d.st), mg_state_live(d.st));
	rc = sc_loop_run(d.loop) < 0;
out:
	stop(&d);
	sc_loop_free(d.loop);
	mg_cfg_free(d.cfg);
	sc_log_close();
	return rc;
}
