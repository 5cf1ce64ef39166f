/* bench_mld_decode: decoder throughput, in packets per second.
 *
 * Decodes a mix of frames over and over for a fixed time: the MLDv2,
 * IGMPv3, MLDv1 and IGMPv2 frames captured in the lab (mld_captured.h) and
 * hand-built large reports (20 records of 4 sources), then the same with
 * every record and source walked and applied to a membership table, as
 * sixcast-mldmon does. With --pcap FILE N it also writes the mix, N frames,
 * as a pcap file and reads it back through mld_cap (libpcap file reading +
 * decoding), so that tests/bench/mld_decode.sh can time tcpdump on the same
 * file as the reference.
 *
 *   build/tests/bench/bench_mld_decode [SECONDS] [--pcap FILE N]
 *
 * Not run by make check: timings belong here, not in unit tests. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "mld.h"
#include "mld_captured.h"
#include "mld_testpkt.h"

struct frame {
	const char *what;
	uint8_t *p;
	size_t n;
};

static struct frame frames[32];
static size_t nframes;

static void add(const char *what, const uint8_t *p, size_t n)
{
	frames[nframes].what = what;
	frames[nframes].p = malloc(n);
	memcpy(frames[nframes].p, p, n);
	frames[nframes].n = n;
	nframes++;
}

/* An Ethernet header in front of an IP packet built by mld_testpkt.h. */
static void add_eth(const char *what, const uint8_t *ip, size_t n)
{
	uint8_t f[8192];

	memcpy(f, "\x33\x33\x00\x00\x00\x16\x02\x00\x00\x00\x00\x01", 12);
	f[12] = (ip[0] >> 4) == 6 ? 0x86 : 0x08;
	f[13] = (ip[0] >> 4) == 6 ? 0xdd : 0x00;
	memcpy(f + 14, ip, n);
	add(what, f, n + 14);
}

static void build_mix(void)
{
	static uint8_t ip[70000];
	struct tp_rec recs[20];
	char groups[20][32];

	add("MLDv2 report, captured", cap_22, sizeof(cap_22));
	add("MLDv2 report 3 records, captured", cap_25, sizeof(cap_25));
	add("MLDv2 query, captured", cap_18, sizeof(cap_18));
	add("IGMPv3 report, captured", cap_36, sizeof(cap_36));
	add("IGMPv3 query, captured", cap_17, sizeof(cap_17));
	add("MLDv1 report, captured", cap_50, sizeof(cap_50));
	add("IGMPv2 leave, captured", cap_56, sizeof(cap_56));
	for (int i = 0; i < 20; i++) {
		snprintf(groups[i], sizeof(groups[i]), "ff3e::8000:%d", i + 1);
		recs[i] = (struct tp_rec){ MLD_REC_IS_IN, groups[i],
					   { "2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4" } };
	}
	add_eth("MLDv2 report 20x4, built", ip, tp_report(ip, "fe80::1", recs, 20));
	for (int i = 0; i < 20; i++) {
		snprintf(groups[i], sizeof(groups[i]), "232.1.0.%d", i + 1);
		recs[i] = (struct tp_rec){ MLD_REC_IS_IN, groups[i],
					   { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4" } };
	}
	add_eth("IGMPv3 report 20x4, built", ip, tp_report(ip, "10.1.0.1", recs, 20));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile uint64_t sink;

/* Decode frames[from..to) round robin for secs; returns packets/s. */
static double run(size_t from, size_t to, double secs, bool walk, mld_table *t)
{
	struct mld_msg m;
	struct mld_record r;
	struct mld_addr a;
	uint64_t n = 0;
	double start = now_s(), el;

	do {
		for (int k = 0; k < 1000; k++) {
			const struct frame *f = &frames[from + (n % (to - from))];

			if (mld_decode_frame(MLD_LINK_ETHERNET, f->p, f->n, &m) == 0) {
				size_t pos = 0;

				sink += m.n_records;
				if (walk)
					while (mld_msg_next_record(&m, &pos, &r))
						for (size_t i = 0; i < r.n_sources; i++) {
							mld_record_source(&r, i, &a);
							sink += a.bytes[15];
						}
				if (t)
					mld_table_apply(t, &m, n / 1000);
			}
			n++;
		}
	} while ((el = now_s() - start) < secs);
	return (double)n / el;
}

static void on_msg(void *arg, const struct mld_msg *m, uint64_t ts)
{
	(void)ts;
	*(uint64_t *)arg += m->n_records;
}

static int pcap_roundtrip(const char *path, long count)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	struct pcap_pkthdr h;
	struct mld_cap_cfg cc = { .file = path };
	struct mld_cap_stats st;
	uint64_t recs = 0;
	mld_cap *c;
	double t0;

	if (!d) {
		fprintf(stderr, "%s: %s\n", path, pcap_geterr(dead));
		return 1;
	}
	for (long i = 0; i < count; i++) {
		const struct frame *f = &frames[i % nframes];

		h.ts.tv_sec = 1700000000 + i / 1000;
		h.ts.tv_usec = (i % 1000) * 1000;
		h.caplen = h.len = (bpf_u_int32)f->n;
		pcap_dump((u_char *)d, &h, f->p);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	if (mld_cap_open(&cc, on_msg, &recs, NULL, &c) < 0)
		return 1;
	t0 = now_s();
	while (mld_cap_dispatch(c) > 0)
		;
	t0 = now_s() - t0;
	mld_cap_stats_get(c, &st);
	printf("%-44s %12.0f pkt/s  (%llu frames, %llu decoded, %.3f s)\n",
	       "mld_cap reading the pcap file", (double)st.pkt.frames / t0,
	       (unsigned long long)st.pkt.frames, (unsigned long long)st.pkt.decoded, t0);
	mld_cap_free(c);
	return st.pkt.decoded == (uint64_t)count ? 0 : 1;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 && argv[1][0] != '-' ? atof(argv[1]) : 2.0;
	mld_table *t;

	if (secs <= 0)
		secs = 2.0;
	build_mix();
	printf("decoder throughput, %.1f s per line, one core:\n", secs);
	for (size_t i = 0; i < nframes; i++)
		printf("%-44s %12.0f pkt/s  (%zu bytes)\n", frames[i].what, run(i, i + 1, secs / 4, false, NULL),
		       frames[i].n);
	printf("%-44s %12.0f pkt/s\n", "mix, decode only", run(0, nframes, secs, false, NULL));
	printf("%-44s %12.0f pkt/s\n", "mix, decode + walk every source", run(0, nframes, secs, true, NULL));
	t = mld_table_new(NULL, NULL);
	printf("%-44s %12.0f pkt/s\n", "mix, decode + walk + table (as mldmon)", run(0, nframes, secs, true, t));
	mld_table_free(t);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--pcap") == 0 && i + 2 < argc)
			return pcap_roundtrip(argv[i + 1], atol(argv[i + 2]));
	return 0;
}
