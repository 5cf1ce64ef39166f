/* ctl_run: sixcastctl's front: global options, where the server and the
 * token come from, finding the command (with singular nouns and common
 * verb aliases) and the help texts. ctl_main() is main() without exit, so
 * that the unit test drives it. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_run.h"

static const char *const noun_alias[][2] = {
	{ "channel", "channels" }, { "metro", "metros" },   { "client", "clients" },
	{ "box", "clients" },      { "boxes", "clients" },  { "group", "groups" },
	{ "edge", "edges" },       { "event", "events" },   { "summaries", "summary" },
	{ "log", "events" },       { NULL, NULL },
};

static const char *const verb_alias[][2] = {
	{ "ls", "list" },    { "get", "show" },  { "info", "show" }, { "create", "add" },
	{ "new", "add" },    { "update", "set" }, { "change", "set" }, { "remove", "rm" },
	{ "delete", "rm" },  { "del", "rm" },    { NULL, NULL },
};

static const char *alias(const char *const (*tab)[2], const char *w)
{
	for (size_t i = 0; w && tab[i][0]; i++)
		if (strcmp(tab[i][0], w) == 0)
			return tab[i][1];
	return w;
}

static const struct ctl_cmd *const tables[] = { ctl_cmds, ctl_cmds_more, NULL };

static const struct ctl_cmd *find(const char *noun, const char *verb)
{
	for (size_t t = 0; tables[t]; t++)
		for (const struct ctl_cmd *c = tables[t]; c->noun; c++)
			if (strcmp(c->noun, noun) == 0 &&
			    (verb ? c->verb && strcmp(c->verb, verb) == 0 : !c->verb))
				return c;
	return NULL;
}

static bool noun_known(const char *noun)
{
	for (size_t t = 0; tables[t]; t++)
		for (const struct ctl_cmd *c = tables[t]; c->noun; c++)
			if (strcmp(c->noun, noun) == 0)
				return true;
	return false;
}

const struct ctl_cmd *ctl_find(int argc, char *const *argv, int *used)
{
	const char *noun, *verb;
	const struct ctl_cmd *c;

	*used = 0;
	if (argc < 1)
		return NULL;
	noun = alias(noun_alias, argv[0]);
	verb = argc > 1 ? alias(verb_alias, argv[1]) : NULL;
	if (verb && (c = find(noun, verb))) {
		*used = 2;
		return c;
	}
	if ((c = find(noun, NULL))) {
		*used = 1;
		return c;
	}
	/* A noun alone (or followed by options) lists. */
	if ((!verb || verb[0] == '-') && (c = find(noun, "list"))) {
		*used = 1;
		return c;
	}
	return NULL;
}

static void usage_line(const struct ctl_cmd *c, const char *prog, FILE *f)
{
	char words[64];

	snprintf(words, sizeof(words), "%s%s%s", c->noun, c->verb ? " " : "", c->verb ? c->verb : "");
	fprintf(f, "  %-17s %-30s %s\n", words, c->usage, c->help);
	(void)prog;
}

static void help_all(const char *prog, const char *noun, FILE *f)
{
	if (!noun)
		fprintf(f,
			"Usage: %s [options] COMMAND [arguments]\n"
			"Operate a sixcast management server through its API (docs/sixcastctl.md).\n\n"
			"Options:\n"
			"  -u, --url URL         the server (SIXCAST_URL; default " CTL_DEFAULT_URL ")\n"
			"  -t, --token TOKEN     the admin token (SIXCAST_TOKEN)\n"
			"      --token-file FILE read the admin token from FILE\n"
			"  -c, --config FILE     settings file (SIXCAST_CONFIG; default ~/.config/sixcast/sixcastctl.conf,\n"
			"                        then /etc/sixcast/sixcastctl.conf)\n"
			"  -k, --insecure        do not check the server's TLS certificate\n"
			"      --cacert FILE     CA certificate(s) for the server's TLS certificate\n"
			"      --timeout S       give up on a request after S seconds (default 30)\n"
			"  -j, --json            print the server's JSON instead of tables\n"
			"  -h, --help            this help; COMMAND --help for a command's\n"
			"  -V, --version         the version\n\n"
			"Exit status: 0 done, 1 the server refused (its message is printed) or could not be\n"
			"reached, 2 a usage error.\n\nCommands:\n",
			prog);
	else
		fprintf(f, "Usage: %s [options] %s COMMAND [arguments]\n\nCommands:\n", prog, noun);
	for (size_t t = 0; tables[t]; t++)
		for (const struct ctl_cmd *c = tables[t]; c->noun; c++)
			if (!noun || strcmp(noun, c->noun) == 0)
				usage_line(c, prog, f);
}

void ctl_cmd_help(const struct ctl *c, const struct ctl_cmd *cmd, FILE *f)
{
	fprintf(f, "Usage: %s [options] %s%s%s %s\n%s.\n", c->prog, cmd->noun, cmd->verb ? " " : "",
		cmd->verb ? cmd->verb : "", cmd->usage, cmd->help);
	fprintf(f, "\nOptions:\n");
	for (size_t i = 0; cmd->opts && cmd->opts[i].name; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", cmd->opts[i].name, cmd->opts[i].arg ? " " : "",
			 cmd->opts[i].arg ? cmd->opts[i].arg : "");
		fprintf(f, "  %-28s %s\n", left, cmd->opts[i].help);
	}
	fprintf(f, "  %-28s %s\n  %-28s %s\n", "--json", "print the server's JSON", "-h, --help", "this help");
}

static char *read_file(const char *path, size_t max, int *err)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f) {
		*err = -errno;
		return NULL;
	}
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max, f) : 0;
	if (buf)
		buf[n] = '\0';
	*err = buf ? 0 : -ENOMEM;
	fclose(f);
	return buf;
}

/* The config file: explicit (must exist), else the first default found. */
static int load_config(struct ctl *c, const char *path)
{
	char def[600], err[600];
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	bool must = path != NULL, had_token;
	struct stat sb;
	char *text;
	int rc;

	if (!path && (path = getenv("SIXCAST_CONFIG")) && *path)
		must = true;
	if (!must) {
		if (xdg && *xdg)
			snprintf(def, sizeof(def), "%s/sixcast/sixcastctl.conf", xdg);
		else
			snprintf(def, sizeof(def), "%s/.config/sixcast/sixcastctl.conf", home ? home : "/");
		path = access(def, F_OK) == 0 ? def : SC_SYSCONFDIR "/sixcast/sixcastctl.conf";
	}
	text = read_file(path, 65536, &rc);
	if (!text) {
		if (!must && rc == -ENOENT)
			return 0;
		fprintf(stderr, "%s: %s: %s\n", c->prog, path, strerror(-rc));
		return -1;
	}
	had_token = c->conn.token[0] != '\0';
	rc = ctl_conn_from_config(&c->conn, text, path, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		return -1;
	}
	if (stat(path, &sb) == 0 && (sb.st_mode & 004) && !had_token && c->conn.token[0])
		fprintf(stderr, "%s: warning: %s holds a token and is readable by everyone (chmod 600 it)\n",
			c->prog, path);
	return 0;
}

static int set_str(char *dst, size_t len, const char *src, const char *what, const char *prog)
{
	if (strlen(src) >= len) {
		fprintf(stderr, "%s: %s is too long\n", prog, what);
		return -1;
	}
	snprintf(dst, len, "%s", src);
	return 0;
}

static int token_file(struct ctl *c, const char *path)
{
	int rc;
	char *t = read_file(path, sizeof(c->conn.token) - 1, &rc);

	if (!t) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, path, strerror(-rc));
		return -1;
	}
	t[strcspn(t, "\r\n")] = '\0';
	snprintf(c->conn.token, sizeof(c->conn.token), "%s", t);
	free(t);
	return 0;
}

/* Global options; returns the index of the command, or -1 (exit *code). */
static int parse_global(struct ctl *c, int argc, char **argv, const char **config, int *code)
{
	static const struct option lo[] = {
		{ "url", required_argument, NULL, 'u' },     { "token", required_argument, NULL, 't' },
		{ "token-file", required_argument, NULL, 'T' }, { "config", required_argument, NULL, 'c' },
		{ "insecure", no_argument, NULL, 'k' },      { "cacert", required_argument, NULL, 'A' },
		{ "timeout", required_argument, NULL, 'O' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int o, bad = 0;

	optind = 0; /* glibc: a full reset, ctl_main may run again */
	opterr = 1;
	while ((o = getopt_long(argc, argv, "+u:t:c:kjhV", lo, NULL)) != -1) {
		switch (o) {
		case 'u':
			if (ctl_url_normalise(optarg, c->conn.url, sizeof(c->conn.url)) < 0) {
				fprintf(stderr, "%s: --url must be http(s)://host[:port], not \"%s\"\n", c->prog, optarg);
				bad = 1;
			}
			break;
		case 't': bad |= set_str(c->conn.token, sizeof(c->conn.token), optarg, "--token", c->prog) < 0; break;
		case 'T': bad |= token_file(c, optarg) < 0; break;
		case 'c': *config = optarg; break;
		case 'k': c->conn.insecure = true; break;
		case 'A': bad |= set_str(c->conn.cacert, sizeof(c->conn.cacert), optarg, "--cacert", c->prog) < 0; break;
		case 'O':
			if (ctl_parse_uint(optarg, 3600, &v) < 0 || !v) {
				fprintf(stderr, "%s: --timeout must be 1..3600 seconds\n", c->prog);
				bad = 1;
			}
			c->conn.timeout_s = (unsigned)v;
			break;
		case 'j': c->json = true; break;
		case 'h': help_all(c->prog, NULL, stdout); *code = CTL_OK; return -1;
		case 'V': printf("sixcastctl %s\n", PACKAGE_VERSION); *code = CTL_OK; return -1;
		default: bad = 1; break;
		}
	}
	if (bad) {
		*code = CTL_EUSAGE;
		return -1;
	}
	return optind;
}

/* Environment, then config file, then defaults, under the options. */
static int settle_conn(struct ctl *c, const char *config)
{
	const char *env;

	if (!c->conn.url[0] && (env = getenv("SIXCAST_URL")) && *env &&
	    ctl_url_normalise(env, c->conn.url, sizeof(c->conn.url)) < 0) {
		fprintf(stderr, "%s: SIXCAST_URL must be http(s)://host[:port], not \"%s\"\n", c->prog, env);
		return -1;
	}
	if (!c->conn.token[0] && (env = getenv("SIXCAST_TOKEN")) && *env &&
	    set_str(c->conn.token, sizeof(c->conn.token), env, "SIXCAST_TOKEN", c->prog) < 0)
		return -1;
	if (load_config(c, config) < 0)
		return -1;
	if (!c->conn.url[0])
		snprintf(c->conn.url, sizeof(c->conn.url), "%s", CTL_DEFAULT_URL);
	return 0;
}

static int run_cmd(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv, const char *config)
{
	struct ctl_args a;
	char err[256];

	if (ctl_args_parse(cmd->opts, argc, argv, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s %s: %s\n", c->prog, cmd->noun, cmd->verb ? cmd->verb : "", err);
		fprintf(stderr, "Try '%s %s%s%s --help'.\n", c->prog, cmd->noun, cmd->verb ? " " : "",
			cmd->verb ? cmd->verb : "");
		return CTL_EUSAGE;
	}
	if (a.help) {
		ctl_cmd_help(c, cmd, stdout);
		return CTL_OK;
	}
	if (a.npos < cmd->npos_min || a.npos > cmd->npos_max) {
		fprintf(stderr, "%s: usage: %s %s%s%s %s\n", c->prog, c->prog, cmd->noun, cmd->verb ? " " : "",
			cmd->verb ? cmd->verb : "", cmd->usage);
		return CTL_EUSAGE;
	}
	c->json = c->json || a.json;
	if (settle_conn(c, config) < 0)
		return CTL_EUSAGE;
	return cmd->run(c, cmd, &a);
}

int ctl_main(int argc, char **argv)
{
	struct ctl c;
	const struct ctl_cmd *cmd;
	const char *config = NULL;
	int first, used, code = CTL_EUSAGE;

	memset(&c, 0, sizeof(c));
	c.prog = "sixcastctl";
	first = parse_global(&c, argc, argv, &config, &code);
	if (first < 0)
		return code;
	if (first >= argc) {
		help_all(c.prog, NULL, stderr);
		return CTL_EUSAGE;
	}
	cmd = ctl_find(argc - first, argv + first, &used);
	if (!cmd) {
		const char *noun = alias(noun_alias, argv[first]);

		if (noun_known(noun)) {
			bool asked = first + 1 < argc && (strcmp(argv[first + 1], "--help") == 0 ||
							 strcmp(argv[first + 1], "-h") == 0);

			if (!asked)
				fprintf(stderr, "%s: %s: unknown command \"%s\"\n", c.prog, noun,
					first + 1 < argc ? argv[first + 1] : "");
			help_all(c.prog, noun, asked ? stdout : stderr);
			return asked ? CTL_OK : CTL_EUSAGE;
		}
		fprintf(stderr, "%s: unknown command \"%s\"; try %s --help\n", c.prog, argv[first], c.prog);
		return CTL_EUSAGE;
	}
	code = run_cmd(&c, cmd, argc - first - used, argv + first + used, config);
	ctl_close(&c);
	return code;
}
