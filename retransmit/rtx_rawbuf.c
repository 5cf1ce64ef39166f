/* rtx_rawbuf: the raw packet store. See rtx_rawbuf.h. */
#include "config.h"

#include "rtx_rawbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rtx_rawbuf *rtx_rawbuf_new(size_t max_bytes, size_t max_packet, uint64_t window_ns)
{
	struct rtx_rawbuf *rb;
	size_t cap;

	if (max_packet == 0 || max_packet > 65535)
		return NULL;
	cap = max_bytes / (max_packet + sizeof(struct rtx_slot));
	if (cap < 2)
		cap = 2;
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return NULL;
	rb->cap = cap;
	rb->max_packet = max_packet;
	rb->window_ns = window_ns;
	rb->slots = calloc(cap, sizeof(*rb->slots));
	rb->data = malloc(cap * max_packet);
	if (!rb->slots || !rb->data) {
		rtx_rawbuf_free(rb);
		return NULL;
	}
	return rb;
}

void rtx_rawbuf_free(struct rtx_rawbuf *rb)
{
	if (!rb)
		return;
	free(rb->slots);
	free(rb->data);
	free(rb);
}

void rtx_rawbuf_clear(struct rtx_rawbuf *rb)
{
	memset(rb->slots, 0, rb->cap * sizeof(*rb->slots));
	rb->highest = 0;
}

int rtx_rawbuf_put(struct rtx_rawbuf *rb, uint64_t ext, const uint8_t *pkt, size_t len,
		   uint64_t now_ns, uint64_t due_ns, unsigned flags)
{
	size_t i = (size_t)(ext % rb->cap);
	struct rtx_slot *sl = &rb->slots[i];

	if (len > rb->max_packet)
		return -EMSGSIZE;
	if (ext == 0 || (rb->highest >= rb->cap && ext <= rb->highest - rb->cap))
		return -ERANGE;
	if (sl->ext == ext)
		return -EEXIST;
	if (sl->ext > ext)
		return -ERANGE;
	memcpy(rb->data + i * rb->max_packet, pkt, len);
	sl->ext = ext;
	sl->arrival_ns = now_ns;
	sl->due_ns = due_ns;
	sl->served_ns = 0;
	sl->served_to = 0;
	sl->len = (uint16_t)len;
	sl->flags = (uint16_t)flags;
	if (ext > rb->highest)
		rb->highest = ext;
	return 0;
}

const uint8_t *rtx_rawbuf_data(const struct rtx_rawbuf *rb, uint64_t ext, size_t *len)
{
	size_t i = (size_t)(ext % rb->cap);

	if (ext == 0 || rb->slots[i].ext != ext)
		return NULL;
	*len = rb->slots[i].len;
	return rb->data + i * rb->max_packet;
}

const uint8_t *rtx_rawbuf_get(const struct rtx_rawbuf *rb, uint64_t ext, uint64_t now_ns,
			      size_t *len)
{
	size_t i = (size_t)(ext % rb->cap);
	const struct rtx_slot *sl = &rb->slots[i];

	if (ext == 0 || sl->ext != ext)
		return NULL;
	if (now_ns > sl->arrival_ns && now_ns - sl->arrival_ns > rb->window_ns)
		return NULL;
	*len = sl->len;
	return rb->data + i * rb->max_packet;
}
