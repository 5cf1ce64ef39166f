/* ctl_opts: sixcastctl's argument handling, apart from any I/O so that it is
 * unit-tested: a command's options against its spec ("--name V",
 * "--name=V", flags, repeatable options, "--" ends options), values turned
 * into typed JSON fields ("none" is null, "a,b" a list), the client's
 * settings merged from options, environment and config file. */
#ifndef CTL_OPTS_H
#define CTL_OPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum ctl_kind {
	CTL_FLAG,  /* --json */
	CTL_VALUE, /* --name NAME */
	CTL_MULTI, /* --prefix P, repeatable */
};

/* How a value becomes a JSON field (ctl_opts_to_json). */
enum ctl_jtype {
	CTL_J_NONE,     /* not a body field */
	CTL_J_STR,      /* a string */
	CTL_J_STR_NULL, /* a string, or null for "none"/"null"/"" */
	CTL_J_UINT,     /* 0 .. 2^32-1 */
	CTL_J_BOOL,     /* yes/no, true/false, on/off, 1/0 */
	CTL_J_LIST,     /* repeated and/or comma-separated strings; "" is [] */
};

struct ctl_opt {
	const char *name;  /* without the dashes */
	enum ctl_kind kind;
	const char *field; /* JSON field name (CTL_J_NONE: not sent) */
	enum ctl_jtype jtype;
	const char *arg;   /* the value's name in the help, NULL for flags */
	const char *help;
};

#define CTL_MAX_OPTS 24
#define CTL_MAX_VALUES 64
#define CTL_MAX_POS 8

/* The outcome of parsing one command's arguments. Strings point into argv. */
struct ctl_args {
	const char *val[CTL_MAX_OPTS];  /* last value of each option, NULL if absent */
	unsigned count[CTL_MAX_OPTS];   /* times given */
	const char *multi[CTL_MAX_VALUES]; /* values of CTL_MULTI options, in order */
	unsigned multi_of[CTL_MAX_VALUES]; /* ... and the option index of each */
	unsigned nmulti;
	const char *pos[CTL_MAX_POS];
	unsigned npos;
	bool help; /* -h or --help was given */
	bool json; /* --json was given (accepted by every command) */
};

/* Parse argv[0..argc) against spec (ended by a NULL name; at most
 * CTL_MAX_OPTS). Options and positional arguments may mix. Returns 0, or
 * -EINVAL with a message in err (unknown option, missing value, value given
 * to a flag, too many arguments). */
int ctl_args_parse(const struct ctl_opt *spec, int argc, char *const *argv, struct ctl_args *out,
		   char *err, size_t errlen);

/* The index of option name in spec, or -1. */
int ctl_opt_index(const struct ctl_opt *spec, const char *name);
/* The last value of option name, or NULL when absent. */
const char *ctl_arg(const struct ctl_opt *spec, const struct ctl_args *a, const char *name);
/* Whether option name was given (flags too). */
bool ctl_has(const struct ctl_opt *spec, const struct ctl_args *a, const char *name);

/* Parse an id or count: decimal, 0 .. max. Returns 0 or -EINVAL. */
int ctl_parse_uint(const char *s, unsigned long long max, unsigned long long *out);
/* yes/no, true/false, on/off, 1/0 (any case). Returns 0 or -EINVAL. */
int ctl_parse_bool(const char *s, bool *out);

/* Turn the given options that have a JSON field into fields of obj, typed
 * by their jtype. Returns the number of fields set, or -EINVAL with err
 * naming the option and the problem. */
int ctl_opts_to_json(const struct ctl_opt *spec, const struct ctl_args *a, json_t *obj, char *err,
		     size_t errlen);

/* Where sixcastctl talks to: each setting from the first of the command
 * line, the environment (SIXCAST_URL, SIXCAST_TOKEN), the config file. */
struct ctl_conn {
	char url[512];     /* base URL without the trailing slash and /api/v1 */
	char token[512];
	char cacert[512];  /* "" = system CAs */
	bool insecure;     /* no TLS certificate check */
	unsigned timeout_s;
};

#define CTL_DEFAULT_URL "http://localhost:8080"

/* Apply a config file's text (libconfig: url, token, cacert, insecure,
 * timeout_s) to conn, where conn does not have the setting yet (empty).
 * name stands for the file in messages. Returns 0, or -EINVAL with
 * "file:line: message" in err. */
int ctl_conn_from_config(struct ctl_conn *conn, const char *text, const char *name, char *err,
			 size_t errlen);

/* Normalise a base URL: strip trailing slashes and a trailing "/api/v1";
 * add "http://" when no scheme is given. Returns 0 or -EINVAL (empty, too
 * long, a scheme other than http/https). */
int ctl_url_normalise(const char *in, char *out, size_t outlen);

#endif
