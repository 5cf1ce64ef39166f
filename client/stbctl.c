/* sixcast-stb: the set-top box's command line, over the daemon's local
 * control API (JSON over HTTP on loopback).
 *
 *   sixcast-stb [-c ADDR] [--json] status | channels | tune ID | up | down |
 *               stats | record start [PATH] | record stop */
#include "config.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Call the API; returns the parsed answer or NULL (message printed). */
static json_t *call(const char *base, const char *method, const char *path, const char *body)
{
	struct answer a = { NULL, 0 };
	char url[512];
	long status = 0;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	json_error_t jerr;
	json_t *j = NULL;
	CURLcode rc;

	snprintf(url, sizeof(url), "http://%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		fprintf(stderr, "sixcast-stb: cannot reach the box at %s: %s (is sixcast-client running?)\n", base,
			curl_easy_strerror(rc));
	} else if (!(j = json_loads(a.data ? a.data : "", 0, &jerr))) {
		fprintf(stderr, "sixcast-stb: the box answered %ld with something that is not JSON\n", status);
	} else if (status >= 400) {
		json_t *e = json_object_get(j, "error");

		fprintf(stderr, "sixcast-stb: %s\n", json_is_string(e) ? json_string_value(e) : "refused");
		json_decref(j);
		j = NULL;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
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
	fputs("usage: sixcast-stb [-c ADDR] [--json] COMMAND\n"
	      "  status             what the box does now\n"
	      "  channels           the line-up (* = watching)\n"
	      "  tune ID            change channel\n"
	      "  up | down          next / previous channel\n"
	      "  stats              reception and repair counters\n"
	      "  record start [PATH] | record stop\n"
	      "  -c ADDR            the box's control API (default [::1]:8091)\n", f);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = { { "control", required_argument, NULL, 'c' },
					    { "json", no_argument, NULL, 'j' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	const char *base = "[::1]:8091", *cmd;
	char body[600];
	bool as_json = false;
	json_t *j = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "c:jh", lo, NULL)) != -1) {
		if (c == 'c')
			base = optarg;
		else if (c == 'j')
			as_json = true;
		else
			return usage(c == 'h' ? stdout : stderr), c == 'h' ? 0 : 2;
	}
	if (optind >= argc)
		return usage(stderr), 2;
	cmd = argv[optind];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "stats") == 0 || strcmp(cmd, "channels") == 0) {
		snprintf(body, sizeof(body), "/api/%s", cmd);
		j = call(base, "GET", body, NULL);
	} else if (strcmp(cmd, "tune") == 0 && optind + 1 < argc) {
		snprintf(body, sizeof(body), "{\"channel\": %ld}", strtol(argv[optind + 1], NULL, 10));
		j = call(base, "POST", "/api/tune", body);
	} else if (strcmp(cmd, "up") == 0 || strcmp(cmd, "down") == 0) {
		snprintf(body, sizeof(body), "/api/%s", cmd);
		j = call(base, "POST", body, "{}");
	} else if (strcmp(cmd, "record") == 0 && optind + 1 < argc &&
		   (strcmp(argv[optind + 1], "start") == 0 || strcmp(argv[optind + 1], "stop") == 0)) {
		json_t *req = json_pack("{s:s}", "action", argv[optind + 1]);
		char *text;

		if (optind + 2 < argc)
			json_object_set_new(req, "path", json_string(argv[optind + 2]));
		text = json_dumps(req, JSON_COMPACT);
		j = call(base, "POST", "/api/record", text);
		free(text);
		json_decref(req);
	} else {
		usage(stderr);
		return 2;
	}
	if (!j)
		return 1;
	if (as_json) {
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
