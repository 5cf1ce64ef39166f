/* rec: recording the watched channel to an MPEG-TS file, started and
 * stopped through the control API. The file holds the released transport
 * stream byte for byte (repaired packets included) from a clean start
 * (ts_start.h): a random access point with PAT and PMT first, so that it
 * plays from its first byte. A recording ends at a channel change. */
#ifndef REC_H
#define REC_H

#include <stddef.h>
#include <stdint.h>

#include "ts_start.h"

typedef struct rec rec;

/* Start recording into dir (created if missing) as
 * "<dir>/ch<ID>-<YYYYmmdd-HHMMSS>.ts" (now_s, seconds since 1970, in local
 * time), or into path when path is not NULL. Returns 0 and *out, or a
 * negative errno. */
int rec_start(const char *dir, const char *path, uint32_t channel, int64_t now_s, rec **out);
/* Write the recording's part of the packets st was last fed
 * (ts_start_out). Returns 0, or a negative errno (disk full: the recording
 * stops by itself; rec_error says why). */
int rec_write(rec *r, const ts_start *st);
/* Stop and close; NULL is ignored. */
void rec_stop(rec *r);

const char *rec_path(const rec *r);
uint64_t rec_bytes(const rec *r);
/* The errno that stopped writing, or 0. */
int rec_error(const rec *r);

#endif
