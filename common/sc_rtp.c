/* sc_rtp: RTP header parsing with every length checked against the datagram
 * before it is used. See sc_rtp.h for the header diagram. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sc_rtp.h"

int sc_rtp_parse(const uint8_t *buf, size_t len, struct sc_rtp *out)
{
	size_t off = SC_RTP_HDR_MIN, end = len;
	int rc = SC_RTP_ETRUNC;

	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < SC_RTP_HDR_MIN)
		goto fail;
	out->version = buf[0] >> 6;
	if (out->version != SC_RTP_VERSION) {
		rc = SC_RTP_EVERSION;
		goto fail;
	}
	out->padding = (buf[0] >> 5) & 1;
	out->extension = (buf[0] >> 4) & 1;
	out->csrc_count = buf[0] & 0x0f;
	out->marker = buf[1] >> 7;
	out->payload_type = buf[1] & 0x7f;
	out->seq = sc_get_be16(buf + 2);
	out->timestamp = sc_get_be32(buf + 4);
	out->ssrc = sc_get_be32(buf + 8);

	if (len - off < (size_t)out->csrc_count * 4)
		goto fail;
	out->csrc = buf + off;
	off += (size_t)out->csrc_count * 4;

	if (out->extension) {
		if (len - off < 4)
			goto fail;
		out->ext_profile = sc_get_be16(buf + off);
		out->ext_len = (size_t)sc_get_be16(buf + off + 2) * 4;
		off += 4;
		if (len - off < out->ext_len)
			goto fail;
		out->ext_data = buf + off;
		off += out->ext_len;
	}
	out->header_len = off;

	if (out->padding) {
		/* The last byte counts the padding, itself included. */
		uint8_t pad = buf[len - 1];

		if (pad == 0 || pad > len - off) {
			rc = SC_RTP_EPADDING;
			goto fail;
		}
		out->pad_len = pad;
		end = len - pad;
	}
	out->payload = buf + off;
	out->payload_len = end - off;
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return rc;
}

int sc_rtp_write(uint8_t *buf, size_t cap, const struct sc_rtp_fields *f)
{
	if (!buf || !f || cap < SC_RTP_HDR_MIN)
		return -ENOSPC;
	buf[0] = SC_RTP_VERSION << 6;
	buf[1] = (uint8_t)((f->marker ? 0x80 : 0) | (f->payload_type & 0x7f));
	sc_put_be16(buf + 2, f->seq);
	sc_put_be32(buf + 4, f->timestamp);
	sc_put_be32(buf + 8, f->ssrc);
	return SC_RTP_HDR_MIN;
}
