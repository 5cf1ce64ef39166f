/* tsfix: continuity counters and PCR discontinuity flags across input
 * seams. See tsfix.h. */
#include "config.h"

#include "tsfix.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ts.h"

#define UNSEEN 0xff

struct tsfix {
	uint8_t last_out[8192]; /* last CC sent per PID, UNSEEN before any */
	uint8_t offset[8192];   /* added to the input CC, mod 16 */
	uint8_t relink[8192];   /* the PID's next packet follows a seam */
	bool pcr_pending;       /* the next PCR follows a seam */
};

tsfix *tsfix_new(void)
{
	tsfix *f = calloc(1, sizeof(*f));

	if (f)
		memset(f->last_out, UNSEEN, sizeof(f->last_out));
	return f;
}

void tsfix_free(tsfix *f)
{
	free(f);
}

void tsfix_seam(tsfix *f)
{
	memset(f->relink, 1, sizeof(f->relink));
	f->pcr_pending = true;
}

void tsfix_packet(tsfix *f, uint8_t *p)
{
	uint16_t pid = ts_pid(p);
	uint8_t out;
	uint64_t pcr;

	if (pid == TS_PID_NULL)
		return;
	if (f->relink[pid] && f->last_out[pid] != UNSEEN) {
		/* Continue from the last counter sent: +1 with a payload. */
		uint8_t want = (uint8_t)((f->last_out[pid] + (ts_has_payload(p) ? 1 : 0)) & 0xf);

		f->offset[pid] = (uint8_t)((want - ts_cc(p)) & 0xf);
	}
	f->relink[pid] = 0;
	out = (uint8_t)((ts_cc(p) + f->offset[pid]) & 0xf);
	p[3] = (uint8_t)((p[3] & 0xf0) | out);
	f->last_out[pid] = out;
	if (f->pcr_pending && ts_pcr(p, &pcr)) {
		p[5] |= 0x80; /* discontinuity_indicator */
		f->pcr_pending = false;
	}
}
