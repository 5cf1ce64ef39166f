/* libFuzzer target: the parsers of /proc/net/igmp, igmp6, mcfilter and
 * mcfilter6 (the memberships fallback). The first byte picks the parser,
 * the rest is the text (NUL-terminated copy). Beyond "no crash": the
 * callbacks get a named interface and addresses of the file's family.
 * Built only with
 * --enable-fuzzers; see fuzz_mld_decode.c for how to run. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mld_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) ((x) ? (void)0 : abort())

/* What the callbacks get is a named interface and addresses of the file's
 * family (arg: AF_INET6 for igmp6 and mcfilter6, else AF_INET). */
static int on_group(void *arg, unsigned ifindex, const char *ifname, const struct mld_addr *g,
		    unsigned users)
{
	(void)ifindex, (void)users;
	CHECK(ifname && ifname[0] && g->family == *(const int *)arg);
	return ifname[0] == '!';
}

static int on_source(void *arg, unsigned ifindex, const char *ifname, const struct mld_addr *g,
		     const struct mld_addr *s, unsigned inc, unsigned exc)
{
	(void)ifindex, (void)inc, (void)exc;
	CHECK(ifname && ifname[0] && g->family == *(const int *)arg && s->family == *(const int *)arg);
	return ifname[0] == '!';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int v6 = AF_INET6, v4 = AF_INET;
	char *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] & 3) {
	case 0: mldi_proc_igmp6(text, on_group, &v6); break;
	case 1: mldi_proc_igmp(text, on_group, &v4); break;
	case 2: mldi_proc_mcfilter6(text, on_source, &v6); break;
	default: mldi_proc_mcfilter(text, on_source, &v4); break;
	}
	free(text);
	return 0;
}
