/* pcapgaps: pacing quality of multicast flows in a capture.
 *
 *   pcapgaps FILE.pcap [PORT]
 *
 * For every UDP flow to PORT (default 5000), keyed by destination group:
 * inter-packet gaps, their deviation from the flow's median gap, and the
 * largest number of packets of one flow inside any 1 ms window. Prints one
 * summary line over all flows (p50/p99/max deviation in microseconds, the
 * largest 1 ms burst, packets, bytes, seconds, Mb/s). Needs a capture with
 * nanosecond timestamps (tcpdump --time-stamp-precision=nano). */
#include "config.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_bytes.h"

#define MAX_FLOWS 512

struct flow {
	uint8_t key[16];
	uint64_t *t;
	size_t n, cap;
	uint64_t bytes;
};

static struct flow flows[MAX_FLOWS];
static size_t nflows;

static struct flow *flow_of(const uint8_t *key)
{
	for (size_t i = 0; i < nflows; i++)
		if (memcmp(flows[i].key, key, 16) == 0)
			return &flows[i];
	if (nflows == MAX_FLOWS)
		return NULL;
	memcpy(flows[nflows].key, key, 16);
	return &flows[nflows++];
}

/* Destination address and port of an Ethernet/IPv6 or IPv4 UDP frame. */
static int parse(const uint8_t *p, size_t n, uint8_t key[16], uint16_t *dport, size_t *udp_len)
{
	uint16_t et;
	size_t off = 14;

	if (n < 14)
		return -1;
	et = sc_get_be16(p + 12);
	memset(key, 0, 16);
	if (et == 0x86dd && n >= off + 40 + 8 && p[off + 6] == 17) {
		memcpy(key, p + off + 24, 16);
		off += 40;
	} else if (et == 0x0800 && n >= off + 20 + 8 && p[off + 9] == 17) {
		memcpy(key, p + off + 16, 4);
		off += (size_t)(p[off] & 0xf) * 4;
	} else {
		return -1;
	}
	if (n < off + 8)
		return -1;
	*dport = sc_get_be16(p + off + 2);
	*udp_len = sc_get_be16(p + off + 4);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const uint8_t *data;
	uint16_t port = argc > 2 ? (uint16_t)atoi(argv[2]) : 5000;
	uint64_t first = 0, last = 0, packets = 0, bytes = 0, *dev = NULL;
	size_t ndev = 0, maxburst = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: pcapgaps FILE.pcap [PORT]\n");
		return 2;
	}
	pc = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pc) {
		fprintf(stderr, "pcapgaps: %s\n", err);
		return 2;
	}
	while (pcap_next_ex(pc, &h, &data) == 1) {
		uint8_t key[16];
		uint16_t dport;
		size_t ulen;
		struct flow *f;
		uint64_t t = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;

		if (parse(data, h->caplen, key, &dport, &ulen) < 0 || dport != port || !(f = flow_of(key)))
			continue;
		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 4096;
			f->t = realloc(f->t, f->cap * sizeof(*f->t));
		}
		f->t[f->n++] = t;
		f->bytes += ulen - 8;
		if (!packets)
			first = t;
		last = t;
		packets++;
		bytes += ulen - 8;
	}
	pcap_close(pc);
	for (size_t i = 0; i < nflows; i++) {
		struct flow *f = &flows[i];
		uint64_t *g, med;
		size_t w = 0;

		if (f->n < 3)
			continue;
		g = malloc((f->n - 1) * sizeof(*g));
		for (size_t k = 1; k < f->n; k++)
			g[k - 1] = f->t[k] - f->t[k - 1];
		qsort(g, f->n - 1, sizeof(*g), cmp_u64);
		med = g[(f->n - 1) / 2];
		dev = realloc(dev, (ndev + f->n - 1) * sizeof(*dev));
		for (size_t k = 1; k < f->n; k++) {
			uint64_t d = f->t[k] - f->t[k - 1];

			dev[ndev++] = d > med ? d - med : med - d;
		}
		/* Largest number of packets inside any 1 ms window. */
		for (size_t k = 0; k < f->n; k++) {
			while (f->t[k] - f->t[w] >= 1000000)
				w++;
			if (k - w + 1 > maxburst)
				maxburst = k - w + 1;
		}
		free(g);
	}
	if (!ndev) {
		printf("flows=0\n");
		return 1;
	}
	qsort(dev, ndev, sizeof(*dev), cmp_u64);
	printf("flows=%zu packets=%llu bytes=%llu seconds=%.3f mbps=%.1f dev_p50_us=%.1f dev_p99_us=%.1f "
	       "dev_max_us=%.1f burst_1ms=%zu\n",
	       nflows, (unsigned long long)packets, (unsigned long long)bytes, (double)(last - first) / 1e9,
	       last > first ? (double)bytes * 8 / ((double)(last - first) / 1e9) / 1e6 : 0.0,
	       (double)dev[ndev / 2] / 1e3, (double)dev[ndev * 99 / 100] / 1e3, (double)dev[ndev - 1] / 1e3,
	       maxburst);
	free(dev);
	return 0;
}
