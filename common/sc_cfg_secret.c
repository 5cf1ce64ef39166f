/* sc_cfg_secret: secrets in config files, inline or in a file of their own,
 * and the one check every daemon applies to them. See sc_cfg.h.
 *
 * Packages used to ship "CHANGE-ME-..." values that the daemons accepted,
 * so a forgotten one left a metro network open to anyone who read the
 * package. A daemon now refuses to start on any secret that is a known
 * placeholder, short, or made of a handful of characters. The thresholds
 * are set so that random secrets never trip them: 24 random hex
 * characters use fewer than 6 different ones about once in 10^8 draws, and
 * 8 equal characters in a row appear in 64 random hex ones about once in
 * 5 * 10^6, where a run of 6 would refuse one in 18,000. */
#include "config.h"

#include "sc_cfg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DISTINCT_MIN 6 /* fewer different characters: "xxxx", "0000", "abab" */
#define RUN_MAX 8      /* this many equal characters in a row: typed, not drawn */
#define FILE_MAX 1024  /* the largest secret file read */

/* Compared with the value's letters and digits alone, lower-cased, so that
 * "CHANGE-ME", "change_me" and "ChangeMe" are one. None is likely to turn up
 * in a random hex or base64 string (the shortest, 6 letters out of 36, once
 * in 10^8 strings of 64). */
static const char *const placeholders[] = {
	"changeme", "replaceme", "placeholder", "password", "passw0rd", "secret",
	"example",  "123456789", "abcdefgh",    "qwerty",   NULL,
};

static int say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Whether word (lower-case letters and digits) starts at v, skipping
 * anything in v that is neither. */
static bool word_at(const char *v, const char *word)
{
	for (; *word; v++) {
		if (!*v)
			return false;
		if (!isalnum((unsigned char)*v))
			continue;
		if (tolower((unsigned char)*v) != *word++)
			return false;
	}
	return true;
}

static const char *placeholder_in(const char *v)
{
	for (; *v; v++)
		for (int i = 0; isalnum((unsigned char)*v) && placeholders[i]; i++)
			if (word_at(v, placeholders[i]))
				return placeholders[i];
	return NULL;
}

/* How many different characters v has, and its longest run of one. */
static void variety(const char *v, unsigned *distinct, unsigned *run)
{
	bool seen[256] = { false };
	unsigned r = 0;

	*distinct = 0;
	*run = 0;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!seen[c])
			(*distinct)++;
		seen[c] = true;
		r = p > v && p[-1] == *p ? r + 1 : 1;
		if (r > *run)
			*run = r;
	}
}

int sc_cfg_secret_check(const char *value, char *why, size_t len)
{
	size_t n = value ? strlen(value) : 0;
	unsigned distinct, run;
	const char *w;

	if (n == 0)
		return say(why, len, "is empty");
	if ((w = placeholder_in(value)))
		return say(why, len, "is a placeholder (it contains \"%s\")", w);
	if (n < SC_SECRET_MIN)
		return say(why, len, "is too short (%zu characters; at least %d are needed)", n, SC_SECRET_MIN);
	for (const char *p = value; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return say(why, len, "must be printable ASCII without spaces");
	variety(value, &distinct, &run);
	if (distinct < DISTINCT_MIN)
		return say(why, len, "is not random (only %u different characters)", distinct);
	if (run >= RUN_MAX)
		return say(why, len, "is not random (one character %u times in a row)", run);
	return 0;
}

/* "auth.admins[0].token": where a setting is, for messages. */
static void path_of(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *up = config_setting_parent(s);
	const char *name = config_setting_name(s);
	size_t n;

	buf[0] = '\0';
	if (!up)
		return;
	path_of(up, buf, len);
	n = strlen(buf);
	if (name)
		snprintf(buf + n, len - n, "%s%s", n ? "." : "", name);
	else
		snprintf(buf + n, len - n, "[%d]", config_setting_index(s));
}

/* A relative path is taken from the folder of the file that names it, as
 * libconfig does for @include; a config read from a string has none. */
static void resolve(const config_setting_t *s, const char *path, char *out, size_t len)
{
	const char *file = config_setting_source_file(s);
	char *copy;

	if (path[0] == '/' || !file || !(copy = strdup(file))) {
		snprintf(out, len, "%s", path);
		return;
	}
	snprintf(out, len, "%s/%s", dirname(copy), path);
	free(copy);
}

/* The one line of a secret file into dst. Returns 0 (dst "" for an empty
 * file), -errno when it cannot be read, -EFBIG when too long for dst,
 * -EINVAL when it holds more than one line, -ENODEV when it is no regular
 * file (reading a FIFO or a device could block the daemon). */
static int read_line(const char *path, char *dst, size_t len)
{
	char buf[FILE_MAX + 1];
	struct stat st;
	ssize_t got;
	size_t n = 0;
	int fd, rc = 0;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = -ENODEV;
	while (rc == 0 && n < sizeof(buf) && (got = read(fd, buf + n, sizeof(buf) - n)) != 0) {
		if (got < 0)
			rc = errno == EINTR ? 0 : -errno;
		else
			n += (size_t)got;
	}
	close(fd);
	if (rc == 0 && n == sizeof(buf))
		rc = -EFBIG;
	while (rc == 0 && n && strchr(" \t\r\n", buf[n - 1]))
		n--;
	if (rc == 0 && memchr(buf, '\n', n))
		rc = -EINVAL;
	else if (rc == 0 && n >= len)
		rc = -EFBIG;
	if (rc == 0) {
		memcpy(dst, buf, n);
		dst[n] = '\0';
	}
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/* The file form: name_file = "path". */
static int from_file(const config_setting_t *f, bool required, const char *hint, char *dst, size_t len,
		     struct sc_cfg_err *err)
{
	char at[160], path[512], why[160];
	const char *p;
	int rc;

	path_of(f, at, sizeof(at));
	if (config_setting_type(f) != CONFIG_TYPE_STRING || !*(p = config_setting_get_string(f)))
		return sc_cfg_fail(f, err, "'%s' must be a file name in double quotes", at);
	resolve(f, p, path, sizeof(path));
	rc = read_line(path, dst, len);
	if ((rc == -ENOENT || (rc == 0 && !dst[0])) && !required)
		return 0;
	if (rc == -ENODEV)
		return sc_cfg_fail(f, err, "'%s': %s is not a regular file", at, path);
	if (rc == -EFBIG)
		return sc_cfg_fail(f, err, "'%s': %s is longer than %zu characters", at, path, len - 1);
	if (rc == -EINVAL)
		return sc_cfg_fail(f, err, "'%s': %s must hold the secret alone, on one line", at, path);
	if (rc < 0)
		return sc_cfg_fail(f, err, "'%s': cannot read %s (%s); %s", at, path, strerror(-rc), hint);
	if (!dst[0])
		return sc_cfg_fail(f, err, "'%s': %s is empty; %s", at, path, hint);
	if (sc_cfg_secret_check(dst, why, sizeof(why)) < 0) {
		explicit_bzero(dst, len);
		return sc_cfg_fail(f, err, "'%s': the secret in %s %s; %s", at, path, why, hint);
	}
	return 0;
}

/* The inline form: name = "value". */
static int from_value(const config_setting_t *v, const char *hint, char *dst, size_t len,
		      struct sc_cfg_err *err)
{
	char at[160], why[160];
	const char *s;

	path_of(v, at, sizeof(at));
	if (config_setting_type(v) != CONFIG_TYPE_STRING)
		return sc_cfg_fail(v, err, "'%s' must be a string in double quotes", at);
	s = config_setting_get_string(v);
	if (strlen(s) >= len)
		return sc_cfg_fail(v, err, "'%s' is longer than %zu characters", at, len - 1);
	if (sc_cfg_secret_check(s, why, sizeof(why)) < 0)
		return sc_cfg_fail(v, err, "'%s' %s; %s", at, why, hint);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

int sc_cfg_get_secret(const config_setting_t *grp, const char *name, bool required,
		      const char *hint, char *dst, size_t len, struct sc_cfg_err *err)
{
	config_setting_t *v = grp ? config_setting_get_member(grp, name) : NULL, *f;
	char fname[96], at[160];

	if (!len)
		return -EINVAL;
	dst[0] = '\0';
	hint = hint ? hint : SC_SECRET_ADVICE;
	snprintf(fname, sizeof(fname), "%s_file", name);
	f = grp ? config_setting_get_member(grp, fname) : NULL;
	if (v && f)
		return sc_cfg_fail(f, err, "'%s' and '%s' both give the secret: keep one", name, fname);
	if (v)
		return from_value(v, hint, dst, len, err);
	if (f)
		return from_file(f, required, hint, dst, len, err);
	if (!required)
		return 0;
	if (grp)
		path_of(grp, at, sizeof(at));
	sc_cfg_fail(grp, err, "%s%s'%s_file' (or '%s') is required; %s", grp && at[0] ? at : "",
		    grp && at[0] ? ": " : "", name, name, hint);
	return -ENOENT;
}
