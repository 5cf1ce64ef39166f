/* sixcast-stb: the set-top box's command line, over the daemon's local
 * control API (JSON over HTTP, on loopback by default).
 *
 *   sixcast-stb [-c ADDR] [-C FILE] [--token-file FILE] [--json]
 *               status | channels | tune ID | up | down |
 *               stats | record start [PATH] | record stop
 *
 * The bearer token, when the box wants one, comes from --token-file, else
 * SIXCAST_STB_TOKEN, else the client's config (client.control_token or
 * client.control_token_file; readable by root and the sixcast group only),
 * which also gives the address when -c does not. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_addr.h"
#include "sc_listen.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG SYSCONFDIR "/sixcast/client.conf"

struct opts {
	const char *base, *config, *token_file;
	bool config_given, as_json;
	bool base_exact; /* -c: this address only */
	char base_buf[SC_ADDR_STRLEN];
	char token[300]; /* "" : none */
};

struct answer {
	char *data;
	size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	char *d = realloc(a->data, a->len + size * n + 1);

	if (!d)
		return 0;
	memcpy(d + a->len, p, size * n);
	a->data = d;
	a->len += size * n;
	d[a->len] = '\0';
	return size * n;
}

/* The answer's error, in words. */
static void print_error(json_t *j, long status)
{
	json_t *e = json_object_get(j, "error");

	if (status == 401)
		fprintf(stderr, "sixcast-stb: the box wants its control token: give it with --token-file, "
				"SIXCAST_STB_TOKEN, or a client config (-C) that holds it\n");
	else
		fprintf(stderr, "sixcast-stb: %s\n", json_is_string(e) ? json_string_value(e) : "refused");
}

/* One request to the box at base; the answer's body into *a. */
static CURLcode perform(const struct opts *o, const char *base, const char *method, const char *path,
			const char *body, struct answer *a, long *status)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	char url[512], auth[340];
	CURLcode rc;

	if (o->token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->token);
		h = curl_slist_append(h, auth);
	}
	snprintf(url, sizeof(url), "http://%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

/* Call the API; returns the parsed answer or NULL (message printed). A box
 * on loopback that could not be reached is tried on the other loopback
 * (unless -c named the address): its default listens on [::1], or on
 * 127.0.0.1 where the host has no IPv6, and a wildcard in its config is
 * reached on either. */
static json_t *call(const struct opts *o, const char *method, const char *path, const char *body)
{
	char other[SC_ADDR_STRLEN] = "";
	struct answer a = { NULL, 0 };
	struct sc_sockaddr at, alt;
	long status = 0;
	json_error_t jerr;
	json_t *j = NULL;
	CURLcode rc;

	rc = perform(o, o->base, method, path, body, &a, &status);
	if (rc == CURLE_COULDNT_CONNECT && !o->base_exact && sc_addr_parse(o->base, 8091, &at) == 0 &&
	    sc_addr_other_loopback(&at, &alt) == 0 && sc_addr_format(&alt, true, other, sizeof(other)) == 0)
		rc = perform(o, other, method, path, body, &a, &status);
	if (rc != CURLE_OK) {
		fprintf(stderr, "sixcast-stb: cannot reach the box at %s%s%s: %s (is sixcast-client running?)\n",
			o->base, other[0] ? " nor at " : "", other, curl_easy_strerror(rc));
	} else if (!(j = json_loads(a.data ? a.data : "", 0, &jerr))) {
		fprintf(stderr, "sixcast-stb: the box answered %ld with something that is not JSON\n", status);
	} else if (status >= 400) {
		print_error(j, status);
		json_decref(j);
		j = NULL;
	}
	free(a.data);
	return j;
}

static void print_channels(json_t *j)
{
	size_t i;
	json_t *ch;

	printf("%-3s %-6s %s\n", "", "ID", "NAME");
	json_array_foreach(j, i, ch)
		printf("%-3s %-6lld %s\n", json_is_true(json_object_get(ch, "current")) ? "*" : "",
		       (long long)json_integer_value(json_object_get(ch, "id")),
		       json_string_value(json_object_get(ch, "name")) ?: "");
}

/* Objects print as "key: value" lines, nested ones indented. */
static void print_object(json_t *o, int indent)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		if (json_is_object(v)) {
			printf("%*s%s:\n", indent, "", k);
			print_object(v, indent + 2);
		} else if (json_is_real(v)) {
			printf("%*s%-22s %.1f\n", indent, "", k, json_real_value(v));
		} else if (json_is_string(v)) {
			printf("%*s%-22s %s\n", indent, "", k, json_string_value(v));
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

			printf("%*s%-22s %s\n", indent, "", k, s ? s : "?");
			free(s);
		}
	}
}

static void usage(FILE *f)
{
	fputs("usage: sixcast-stb [-c ADDR] [-C FILE] [--token-file FILE] [--json] COMMAND\n"
	      "  status             what the box does now\n"
	      "  channels           the line-up (* = watching)\n"
	      "  tune ID            change channel\n"
	      "  up | down          next / previous channel\n"
	      "  stats              reception and repair counters\n"
	      "  record start [PATH] | record stop\n"
	      "  -c ADDR            the box's control API (default: the client config's, else [::1]:8091,\n"
	      "                     then 127.0.0.1:8091)\n"
	      "  -C FILE            the client config, for the address and the token\n"
	      "                     (default " DEFAULT_CONFIG " when readable)\n"
	      "  --token-file FILE  the control token (also SIXCAST_STB_TOKEN)\n", f);
}

/* The first line of a file, without its line end. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* Where a client listening on text is reached from this host: its own
 * address, or loopback for a wildcard one. */
static void reach(struct opts *o, const char *text)
{
	struct sc_sockaddr a;

	if (sc_addr_parse(text, 8091, &a) < 0)
		return;
	if (sc_addr_family(&a) == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&a.u.in6.sin6_addr))
		a.u.in6.sin6_addr = in6addr_loopback;
	else if (sc_addr_family(&a) == AF_INET && a.u.in4.sin_addr.s_addr == htonl(INADDR_ANY))
		a.u.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sc_addr_format(&a, true, o->base_buf, sizeof(o->base_buf)) == 0)
		o->base = o->base_buf;
}

/* Address and token from the client config. Returns 0, or -1 (message
 * printed) when a config named with -C cannot be read. */
static int from_config(struct opts *o, bool want_addr, bool want_token)
{
	const char *s;
	config_t cfg;
	int rc = 0;

	if (!want_addr && !want_token)
		return 0;
	config_init(&cfg);
	if (!config_read_file(&cfg, o->config)) {
		if (o->config_given) {
			fprintf(stderr, "sixcast-stb: cannot read %s: %s\n", o->config,
				config_error_type(&cfg) == CONFIG_ERR_FILE_IO ? strerror(errno) : config_error_text(&cfg));
			rc = -1;
		}
		config_destroy(&cfg);
		return rc;
	}
	if (want_addr && config_lookup_string(&cfg, "client.control", &s) && *s)
		reach(o, s);
	if (want_token && config_lookup_string(&cfg, "client.control_token", &s))
		snprintf(o->token, sizeof(o->token), "%s", s);
	else if (want_token && config_lookup_string(&cfg, "client.control_token_file", &s) && *s &&
		 read_line(s, o->token, sizeof(o->token)) < 0)
		fprintf(stderr, "sixcast-stb: cannot read the token file %s: %s\n", s, strerror(errno));
	config_destroy(&cfg);
	return 0;
}

/* The token from --token-file, SIXCAST_STB_TOKEN or the config. */
static int find_token(struct opts *o, bool have_addr)
{
	const char *env = getenv("SIXCAST_STB_TOKEN");
	int rc;

	if (o->token_file) {
		if ((rc = read_line(o->token_file, o->token, sizeof(o->token))) < 0) {
			fprintf(stderr, "sixcast-stb: cannot read %s: %s\n", o->token_file, strerror(-rc));
			return -1;
		}
	} else if (env && *env) {
		snprintf(o->token, sizeof(o->token), "%s", env);
	}
	return from_config(o, !have_addr, !o->token[0]);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = { { "control", required_argument, NULL, 'c' },
					    { "config", required_argument, NULL, 'C' },
					    { "token-file", required_argument, NULL, 't' },
					    { "json", no_argument, NULL, 'j' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	bool have_addr = false;
	int c;

	o->base = "[::1]:8091";
	o->config = DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "c:C:jh", lo, NULL)) != -1) {
		if (c == 'c') {
			o->base = optarg;
			o->base_exact = have_addr = true;
		} else if (c == 'C') {
			o->config = optarg;
			o->config_given = true;
		} else if (c == 't') {
			o->token_file = optarg;
		} else if (c == 'j') {
			o->as_json = true;
		} else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc)
		return usage(stderr), 2;
	return find_token(o, have_addr) < 0 ? 2 : -1;
}

static json_t *run(const struct opts *o, int argc, char **argv, const char *cmd)
{
	char body[600];
	json_t *j = NULL;

	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "stats") == 0 || strcmp(cmd, "channels") == 0) {
		snprintf(body, sizeof(body), "/api/%s", cmd);
		j = call(o, "GET", body, NULL);
	} else if (strcmp(cmd, "tune") == 0 && optind + 1 < argc) {
		snprintf(body, sizeof(body), "{\"channel\": %ld}", strtol(argv[optind + 1], NULL, 10));
		j = call(o, "POST", "/api/tune", body);
	} else if (strcmp(cmd, "up") == 0 || strcmp(cmd, "down") == 0) {
		snprintf(body, sizeof(body), "/api/%s", cmd);
		j = call(o, "POST", body, "{}");
	} else if (strcmp(cmd, "record") == 0 && optind + 1 < argc &&
		   (strcmp(argv[optind + 1], "start") == 0 || strcmp(argv[optind + 1], "stop") == 0)) {
		json_t *req = json_pack("{s:s}", "action", argv[optind + 1]);
		char *text;

		if (optind + 2 < argc)
			json_object_set_new(req, "path", json_string(argv[optind + 2]));
		text = json_dumps(req, JSON_COMPACT);
		j = call(o, "POST", "/api/record", text);
		free(text);
		json_decref(req);
	}
	return j;
}

static bool known(const char *cmd)
{
	static const char *const cmds[] = { "status", "stats", "channels", "tune", "up", "down", "record", NULL };

	for (int i = 0; cmds[i]; i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *cmd;
	json_t *j;
	int rc = parse_opts(argc, argv, &o);

	if (rc >= 0)
		return rc;
	cmd = argv[optind];
	if (!known(cmd) || ((!strcmp(cmd, "tune") || !strcmp(cmd, "record")) && optind + 1 >= argc)) {
		usage(stderr);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	j = run(&o, argc, argv, cmd);
	if (!j)
		return 1;
	if (o.as_json) {
		char *s = json_dumps(j, JSON_INDENT(2));

		puts(s ? s : "null");
		free(s);
	} else if (strcmp(cmd, "channels") == 0) {
		print_channels(j);
	} else {
		print_object(j, 0);
	}
	json_decref(j);
	return 0;
}
