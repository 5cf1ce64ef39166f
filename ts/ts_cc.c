/* ts_cc: continuity counters across seams. See ts_cc.h. */
#include "config.h"

#include "ts_cc.h"

#include <string.h>

#include "ts.h"

#define UNSEEN 0xff

void ts_cc_init(struct ts_cc *c)
{
	memset(c->last, UNSEEN, sizeof(c->last));
	memset(c->off, 0, sizeof(c->off));
	memset(c->relink, 0, sizeof(c->relink));
}

void ts_cc_seam(struct ts_cc *c)
{
	memset(c->relink, 1, sizeof(c->relink));
}

void ts_cc_apply(struct ts_cc *c, uint8_t *p)
{
	uint16_t pid = ts_pid(p);
	uint8_t out;

	if (pid == TS_PID_NULL)
		return;
	if (c->relink[pid] && c->last[pid] != UNSEEN) {
		/* Continue from the last counter sent: +1 with a payload. */
		uint8_t want = (uint8_t)((c->last[pid] + (ts_has_payload(p) ? 1 : 0)) & 0xf);

		c->off[pid] = (uint8_t)((want - ts_cc(p)) & 0xf);
	}
	c->relink[pid] = 0;
	out = (uint8_t)((ts_cc(p) + c->off[pid]) & 0xf);
	p[3] = (uint8_t)((p[3] & 0xf0) | out);
	c->last[pid] = out;
}

void ts_cc_insert(struct ts_cc *c, uint8_t *p)
{
	uint16_t pid = ts_pid(p);
	uint8_t cc = c->last[pid] == UNSEEN ? 0 : (uint8_t)((c->last[pid] + 1) & 0xf);

	p[3] = (uint8_t)((p[3] & 0xf0) | cc);
	c->last[pid] = cc;
}
