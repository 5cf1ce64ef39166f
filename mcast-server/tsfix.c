/* tsfix: continuity counters and PCR discontinuity flags across input
 * seams. See tsfix.h. */
#include "config.h"

#include "tsfix.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ts.h"
#include "ts_cc.h"

struct tsfix {
	struct ts_cc cc;  /* continuity counters across seams */
	bool pcr_pending; /* the next PCR follows a seam */
};

tsfix *tsfix_new(void)
{
	tsfix *f = calloc(1, sizeof(*f));

	if (f)
		ts_cc_init(&f->cc);
	return f;
}

void tsfix_free(tsfix *f)
{
	free(f);
}

void tsfix_seam(tsfix *f)
{
	ts_cc_seam(&f->cc);
	f->pcr_pending = true;
}

void tsfix_packet(tsfix *f, uint8_t *p)
{
	uint64_t pcr;

	if (ts_pid(p) == TS_PID_NULL)
		return;
	ts_cc_apply(&f->cc, p);
	if (f->pcr_pending && ts_pcr(p, &pcr)) {
		p[5] |= 0x80; /* discontinuity_indicator */
		f->pcr_pending = false;
	}
}
