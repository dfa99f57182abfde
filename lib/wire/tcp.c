/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "wire/tcp.h"

/* Largest segment the 16-bit TCP length of the pseudo-header can describe. */
#define TCP_SEG_MAX_LEN UINT16_MAX

/* IPv4 pseudo-header (RFC 9293 section 3.1), all fields in network order. */
/* Options are at arbitrary byte offsets, so they are read and written byte by byte. */
static inline uint16_t
load_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint8_t *
store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *
store4(uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	p[0] = a;
	p[1] = b;
	p[2] = c;
	p[3] = d;
	return p + 4;
}

/* Non-complemented sum over pseudo-header and segment (0xffff if a received checksum is right). */
static inline uint16_t
tcp_sum(const void *seg, size_t len, uint32_t src_ip_be, uint32_t dst_ip_be)
{
	return dtcp_cksum_fold(dtcp_cksum_add(
		seg, len, dtcp_tcp_phdr_add(src_ip_be, dst_ip_be, (uint16_t)len, 0)));
}

/* Walk the option bytes; see dtcp_tcp_parse() in tcp.h for what is rejected and why. */
static enum dtcp_wire_status
tcp_parse_options(const uint8_t *opt, size_t len, struct dtcp_tcp_repr *out)
{
	size_t i = 0;

	while (i < len) {
		const uint8_t kind = opt[i];
		const uint8_t *val;
		size_t olen, n;

		if (kind == DTCP_TCP_OPT_EOL)
			break;
		if (kind == DTCP_TCP_OPT_NOP) {
			i++;
			continue;
		}
		/* Every other kind, known or not, has a length byte covering kind and length. */
		if (len - i < 2)
			return DTCP_WIRE_BAD_OPTION;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return DTCP_WIRE_BAD_OPTION;
		val = opt + i + 2;

		switch (kind) {
		case DTCP_TCP_OPT_MSS:
			if (olen != DTCP_TCP_OPT_MSS_LEN)
				return DTCP_WIRE_BAD_OPTION;
			out->has_mss = true;
			out->mss = load_be16(val);
			break;
		case DTCP_TCP_OPT_WSCALE:
			if (olen != DTCP_TCP_OPT_WSCALE_LEN)
				return DTCP_WIRE_BAD_OPTION;
			out->has_wscale = true;
			out->wscale = RTE_MIN(val[0], DTCP_TCP_MAX_WSCALE); /* RFC 7323 2.3 */
			break;
		case DTCP_TCP_OPT_SACK_PERM:
			if (olen != DTCP_TCP_OPT_SACK_PERM_LEN)
				return DTCP_WIRE_BAD_OPTION;
			out->sack_permitted = true;
			break;
		case DTCP_TCP_OPT_TS:
			if (olen != DTCP_TCP_OPT_TS_LEN)
				return DTCP_WIRE_BAD_OPTION;
			out->has_ts = true;
			out->ts_val = load_be32(val);
			out->ts_ecr = load_be32(val + 4);
			break;
		case DTCP_TCP_OPT_SACK:
			if ((olen - DTCP_TCP_OPT_SACK_BASE_LEN) % DTCP_TCP_OPT_SACK_BLOCK_LEN != 0)
				return DTCP_WIRE_BAD_OPTION;
			n = (olen - DTCP_TCP_OPT_SACK_BASE_LEN) / DTCP_TCP_OPT_SACK_BLOCK_LEN;
			/*
			 * 40 option bytes hold at most 4 blocks, so this cannot fire today; it
			 * keeps the array write safe whatever the length checks above become.
			 */
			if (n > DTCP_TCP_MAX_SACK)
				return DTCP_WIRE_BAD_OPTION;
			for (size_t k = 0; k < n; k++) {
				out->sack[k].left =
					load_be32(val + k * DTCP_TCP_OPT_SACK_BLOCK_LEN);
				out->sack[k].right =
					load_be32(val + k * DTCP_TCP_OPT_SACK_BLOCK_LEN + 4);
			}
			out->sack_count = (uint8_t)n;
			break;
		default:
			/* Not ours: skip it by its length (RFC 9293 MUST-6). */
			break;
		}
		i += olen;
	}
	return DTCP_WIRE_OK;
}

enum dtcp_wire_status
dtcp_tcp_parse(const void *seg, size_t len, uint32_t src_ip_be, uint32_t dst_ip_be,
	       bool verify_cksum, struct dtcp_tcp_repr *out)
{
	const struct rte_tcp_hdr *h = seg;
	enum dtcp_wire_status st;
	size_t hdr_len;

	if (len > TCP_SEG_MAX_LEN)
		return DTCP_WIRE_BAD_TOTAL_LEN;
	if (len < DTCP_TCP_HDR_LEN)
		return DTCP_WIRE_TRUNCATED;
	hdr_len = (size_t)(h->data_off >> 4) * 4;
	if (hdr_len < DTCP_TCP_HDR_LEN)
		return DTCP_WIRE_BAD_HDR_LEN;
	if (hdr_len > len)
		return DTCP_WIRE_TRUNCATED;
	if (verify_cksum && tcp_sum(seg, len, src_ip_be, dst_ip_be) != 0xffff)
		return DTCP_WIRE_BAD_CHECKSUM;

	out->has_mss = false;
	out->mss = 0;
	out->has_wscale = false;
	out->wscale = 0;
	out->sack_permitted = false;
	out->has_ts = false;
	out->ts_val = 0;
	out->ts_ecr = 0;
	out->sack_count = 0;
	st = tcp_parse_options((const uint8_t *)seg + DTCP_TCP_HDR_LEN, hdr_len - DTCP_TCP_HDR_LEN,
			       out);
	if (st != DTCP_WIRE_OK)
		return st;

	out->src_port = rte_be_to_cpu_16(h->src_port);
	out->dst_port = rte_be_to_cpu_16(h->dst_port);
	out->seq = rte_be_to_cpu_32(h->sent_seq);
	out->ack = rte_be_to_cpu_32(h->recv_ack);
	out->flags = h->tcp_flags;
	out->window = rte_be_to_cpu_16(h->rx_win);
	out->urgent = rte_be_to_cpu_16(h->tcp_urp);
	out->hdr_len = (uint16_t)hdr_len;
	out->payload = (const uint8_t *)seg + hdr_len;
	out->payload_len = (uint16_t)(len - hdr_len);
	return DTCP_WIRE_OK;
}

size_t
dtcp_tcp_options_len(const struct dtcp_tcp_repr *r)
{
	size_t n = 0;

	if (r->has_mss)
		n += 4;
	if (r->has_ts)
		n += 12; /* with SACK-Perm in front of it, or two NOPs */
	else if (r->sack_permitted)
		n += 4;
	if (r->has_wscale)
		n += 4;
	if (r->sack_count > 0)
		n += 4 + (size_t)r->sack_count * DTCP_TCP_OPT_SACK_BLOCK_LEN;
	return n;
}

/* Write the options in the layout documented at dtcp_tcp_options_len(). */
static void
tcp_emit_options(const struct dtcp_tcp_repr *r, uint8_t *p)
{
	if (r->has_mss)
		p = store4(p, DTCP_TCP_OPT_MSS, DTCP_TCP_OPT_MSS_LEN, (uint8_t)(r->mss >> 8),
			   (uint8_t)r->mss);
	if (r->has_ts) {
		if (r->sack_permitted)
			p = store4(p, DTCP_TCP_OPT_SACK_PERM, DTCP_TCP_OPT_SACK_PERM_LEN,
				   DTCP_TCP_OPT_TS, DTCP_TCP_OPT_TS_LEN);
		else
			p = store4(p, DTCP_TCP_OPT_NOP, DTCP_TCP_OPT_NOP, DTCP_TCP_OPT_TS,
				   DTCP_TCP_OPT_TS_LEN);
		p = store_be32(p, r->ts_val);
		p = store_be32(p, r->ts_ecr);
	} else if (r->sack_permitted) {
		p = store4(p, DTCP_TCP_OPT_NOP, DTCP_TCP_OPT_NOP, DTCP_TCP_OPT_SACK_PERM,
			   DTCP_TCP_OPT_SACK_PERM_LEN);
	}
	if (r->has_wscale)
		p = store4(p, DTCP_TCP_OPT_NOP, DTCP_TCP_OPT_WSCALE, DTCP_TCP_OPT_WSCALE_LEN,
			   r->wscale);
	if (r->sack_count > 0) {
		p = store4(p, DTCP_TCP_OPT_NOP, DTCP_TCP_OPT_NOP, DTCP_TCP_OPT_SACK,
			   (uint8_t)(DTCP_TCP_OPT_SACK_BASE_LEN +
				     r->sack_count * DTCP_TCP_OPT_SACK_BLOCK_LEN));
		for (unsigned int k = 0; k < r->sack_count; k++) {
			p = store_be32(p, r->sack[k].left);
			p = store_be32(p, r->sack[k].right);
		}
	}
}

int
dtcp_tcp_emit(const struct dtcp_tcp_repr *r, void *buf, size_t buf_len, uint32_t src_ip_be,
	      uint32_t dst_ip_be, enum dtcp_tcp_cksum_mode mode)
{
	struct rte_tcp_hdr *h = buf;
	size_t opt_len, hdr_len, seg_len;

	if (r->sack_count > DTCP_TCP_MAX_SACK || (r->has_wscale && r->wscale > DTCP_TCP_MAX_WSCALE))
		return -EINVAL;
	opt_len = dtcp_tcp_options_len(r);
	if (opt_len > DTCP_TCP_OPT_MAX_LEN)
		return -EINVAL;
	hdr_len = DTCP_TCP_HDR_LEN + opt_len;
	seg_len = hdr_len + r->payload_len;
	if (seg_len > TCP_SEG_MAX_LEN)
		return -EINVAL;
	if (seg_len > buf_len)
		return -ENOSPC;

	h->src_port = rte_cpu_to_be_16(r->src_port);
	h->dst_port = rte_cpu_to_be_16(r->dst_port);
	h->sent_seq = rte_cpu_to_be_32(r->seq);
	h->recv_ack = rte_cpu_to_be_32(r->ack);
	h->data_off = (uint8_t)(hdr_len / 4 << 4); /* reserved bits zero */
	h->tcp_flags = r->flags;
	h->rx_win = rte_cpu_to_be_16(r->window);
	h->cksum = 0;
	h->tcp_urp = rte_cpu_to_be_16(r->urgent);
	tcp_emit_options(r, (uint8_t *)buf + DTCP_TCP_HDR_LEN);

	switch (mode) {
	case DTCP_TCP_CKSUM_FULL:
		h->cksum = (uint16_t)~tcp_sum(buf, seg_len, src_ip_be, dst_ip_be);
		break;
	case DTCP_TCP_CKSUM_PHDR:
		h->cksum = dtcp_cksum_fold(
			dtcp_tcp_phdr_add(src_ip_be, dst_ip_be, (uint16_t)seg_len, 0));
		break;
	case DTCP_TCP_CKSUM_NONE:
		break;
	}
	return (int)hdr_len;
}
