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
	bool started; /* a PAT has been written */
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

int rec_write(rec *r, const uint8_t *ts, size_t len)
{
	size_t off = 0;

	if (r->error)
		return -r->error;
	if (!r->started) {
		/* Begin at a PAT so the file plays from its first byte. */
		while (off + 188 <= len && !(ts[off] == 0x47 && (ts[off + 1] & 0x40) &&
					     (ts[off + 1] & 0x1f) == 0 && ts[off + 2] == 0))
			off += 188;
		if (off >= len)
			return 0;
		r->started = true;
	}
	if (fwrite(ts + off, 1, len - off, r->f) != len - off) {
		r->error = errno ? errno : EIO;
		return -r->error;
	}
	r->bytes += len - off;
	return 0;
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
