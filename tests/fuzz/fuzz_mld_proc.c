/* libFuzzer target: the parsers of /proc/net/igmp, igmp6, mcfilter and
 * mcfilter6 (the memberships fallback). The first byte picks the parser,
 * the rest is the text (NUL-terminated copy). Built only with
 * --enable-fuzzers; see fuzz_mld_decode.c for how to run. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mld_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_group(void *arg, unsigned ifindex, const char *ifname, const struct mld_addr *g,
		    unsigned users)
{
	(void)arg, (void)ifindex, (void)users;
	return ifname[0] == '!' || g->family == 0;
}

static int on_source(void *arg, unsigned ifindex, const char *ifname, const struct mld_addr *g,
		     const struct mld_addr *s, unsigned inc, unsigned exc)
{
	(void)arg, (void)ifindex, (void)g, (void)inc, (void)exc;
	return ifname[0] == '!' || s->family == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] & 3) {
	case 0: mldi_proc_igmp6(text, on_group, NULL); break;
	case 1: mldi_proc_igmp(text, on_group, NULL); break;
	case 2: mldi_proc_mcfilter6(text, on_source, NULL); break;
	default: mldi_proc_mcfilter(text, on_source, NULL); break;
	}
	free(text);
	return 0;
}
