/* rec: TS recordings. See rec.h. */
#include "config.h"

#include "rec.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct rec {
	FILE *f;
	char path[PATH_MAX];
	uint64_t bytes;
	struct ts_start_out tso; /* waiting for the first start, then streaming */
	int error;
};

int rec_start(const char *dir, const char *path, uint32_t channel, int64_t now_s, rec **out)
{
	rec *r = calloc(1, sizeof(*r));
	char when[32];
	time_t now = (time_t)now_s;
	struct tm tm;
	int rc;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	if (path) {
		snprintf(r->path, sizeof(r->path), "%s", path);
	} else {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			rc = -errno;
			free(r);
			return rc;
		}
		localtime_r(&now, &tm);
		strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
		snprintf(r->path, sizeof(r->path), "%s/ch%u-%s.ts", dir, channel, when);
	}
	r->f = fopen(r->path, "wbx");
	if (!r->f) {
		rc = -errno;
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void emit(void *arg, const uint8_t *ts, size_t len)
{
	rec *r = arg;

	if (r->error)
		return;
	if (fwrite(ts, 1, len, r->f) != len) {
		r->error = errno ? errno : EIO;
		return;
	}
	r->bytes += len;
}

int rec_write(rec *r, const ts_start *st)
{
	if (r->error)
		return -r->error;
	ts_start_out(st, &r->tso, emit, r);
	return r->error ? -r->error : 0;
}

void rec_stop(rec *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r);
}

const char *rec_path(const rec *r)
{
	return r->path;
}

uint64_t rec_bytes(const rec *r)
{
	return r->bytes;
}

int rec_error(const rec *r)
{
	return r->error;
}
