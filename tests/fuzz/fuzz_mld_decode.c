/* libFuzzer target: the MLD/IGMP decoders and the membership table.
 *
 * The first input byte picks the link layer (Ethernet, raw IP, Linux
 * cooked v1/v2), the rest is the frame. A decoded message is walked
 * completely (records, sources, query sources) and fed to a table that
 * lives across inputs, so that long sequences of reports exercise its set
 * operations, growth and expiry too. Beyond "no crash": a decoder returns
 * one of its documented errors, and every record and source a decoded
 * message announces can be walked. Built only with --enable-fuzzers:
 *   CC=clang ../configure --enable-fuzzers && make tests/fuzz/fuzz_mld_decode
 *   tests/fuzz/fuzz_mld_decode -max_total_time=600 corpus-dir ../tests/fuzz/corpus/fuzz_mld_decode */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "mld.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[4] = { MLD_LINK_ETHERNET, MLD_LINK_RAW, MLD_LINK_SLL, MLD_LINK_SLL2 };
static mld_table *table;
static uint64_t now_ms, inputs;

#define CHECK(x) ((x) ? (void)0 : abort())

/* Every record and source the message announces can be walked, and each
 * source is an address of the message's family. */
static void walk(const struct mld_msg *m)
{
	struct mld_record r;
	struct mld_addr a;
	size_t pos = 0, n = 0;

	CHECK(m->family == AF_INET6 || m->family == AF_INET);
	for (size_t i = 0; i < m->n_sources; i++) {
		mld_msg_query_source(m, i, &a);
		CHECK(a.family == m->family);
	}
	while (mld_msg_next_record(m, &pos, &r)) {
		n++;
		for (size_t i = 0; i < r.n_sources; i++) {
			mld_record_source(&r, i, &a);
			CHECK(a.family == m->family);
		}
	}
	CHECK(n == m->n_records);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mld_msg m;
	struct mld_pkt_stats st = { 0 };
	int rc;

	if (size < 1)
		return 0;
	if (!table || ++inputs % 10000 == 0) {
		mld_table_free(table); /* bounded memory over a long run */
		table = mld_table_new(NULL, NULL);
	}
	rc = mld_decode_frame(links[data[0] & 3], data + 1, size - 1, &m);
	CHECK(rc == 0 || rc == -ENOMSG || rc == -ENODATA || rc == -EBADMSG || rc == -EPROTONOSUPPORT ||
	      rc == -EPROTO);
	mld_pkt_stats_count(&st, rc, &m);
	if (rc != 0)
		return 0;
	walk(&m);
	now_ms += data[0] >> 2;
	if (table) {
		mld_table_apply(table, &m, now_ms);
		if ((data[0] & 0xc0) == 0xc0)
			mld_table_expire(table, now_ms);
	}
	return 0;
}
