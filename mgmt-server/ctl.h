/* ctl: sixcastctl's commands and its HTTP client (libcurl easy; one
 * blocking request at a time is what a command-line tool needs).
 *
 * Every command returns the exit code: CTL_OK, CTL_EAPI (the server
 * refused, or could not be reached: the message is printed), CTL_EUSAGE. */
#ifndef CTL_H
#define CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "ctl_opts.h"

enum { CTL_OK = 0, CTL_EAPI = 1, CTL_EUSAGE = 2 };

struct ctl {
	struct ctl_conn conn;
	bool json;      /* raw JSON out */
	void *curl;     /* CURL *, made on first use */
	const char *prog;
};

/* One request to /api/v1<path> (path already escaped). body: a JSON value
 * sent as the request's body, or NULL. On a 2xx answer returns CTL_OK and
 * *out (may be NULL when the caller does not want it) owns the parsed
 * answer. Otherwise prints the server's message (or why no answer came)
 * to stderr and returns CTL_EAPI. */
int ctl_call(struct ctl *c, const char *method, const char *path, json_t *body, json_t **out);
void ctl_close(struct ctl *c);
/* s escaped for a URL query; the caller frees it with free(). */
char *ctl_escape(struct ctl *c, const char *s);

/* A command: "channels list", "status", ... argv are the arguments after
 * the command's words. */
struct ctl_cmd {
	const char *noun, *verb; /* verb NULL: a one-word command */
	const char *usage;       /* the arguments, for the help */
	const char *help;        /* one line */
	const struct ctl_opt *opts;
	int (*run)(struct ctl *c, const struct ctl_cmd *cmd, const struct ctl_args *a);
	unsigned npos_min, npos_max;
};

/* The command table, ended by a NULL noun. */
extern const struct ctl_cmd ctl_cmds[];
extern const struct ctl_cmd ctl_cmds_more[];

/* Print the answer as JSON (--json). Returns CTL_OK. */
int ctl_print_json(const json_t *j);
/* Print an object as "key  value" lines (nested objects as "a.b"), skipping
 * the keys in skip (NULL-terminated, may be NULL). */
void ctl_print_kv(const json_t *obj, const char *const *skip);
/* The milliseconds of the wall clock now. */
long long ctl_now_ms(void);
/* A positional id argument; prints a usage error and returns -1 if bad. */
long long ctl_pos_id(const struct ctl *c, const struct ctl_args *a, unsigned i, const char *what);
/* A metro given by id or name (looked up through GET /metros): its id, or
 * 0 after printing why (CTL_EAPI/CTL_EUSAGE in *rc). */
unsigned long long ctl_metro_id(struct ctl *c, const char *s, int *rc);

/* Help for a command (its usage and options). */
void ctl_cmd_help(const struct ctl *c, const struct ctl_cmd *cmd, FILE *f);

#endif
