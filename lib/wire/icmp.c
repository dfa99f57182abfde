/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_byteorder.h>
#include <rte_icmp.h>

#include "wire/icmp.h"

enum dtcp_wire_status
dtcp_icmp_parse(const void *buf, size_t len, bool verify_cksum, struct dtcp_icmp_repr *out)
{
	const struct rte_icmp_hdr *h = buf;

	if (len < DTCP_ICMP_HDR_LEN)
		return DTCP_WIRE_TRUNCATED;
	if (verify_cksum && !dtcp_cksum_ok(buf, len))
		return DTCP_WIRE_BAD_CHECKSUM;
	out->type = h->icmp_type;
	out->code = h->icmp_code;
	out->ident = rte_be_to_cpu_16(h->icmp_ident);
	out->seq = rte_be_to_cpu_16(h->icmp_seq_nb);
	out->payload = (const uint8_t *)buf + DTCP_ICMP_HDR_LEN;
	out->payload_len = len - DTCP_ICMP_HDR_LEN;
	return DTCP_WIRE_OK;
}

void
dtcp_icmp_emit(const struct dtcp_icmp_repr *r, void *buf)
{
	struct rte_icmp_hdr *h = buf;

	h->icmp_type = r->type;
	h->icmp_code = r->code;
	h->icmp_cksum = 0;
	h->icmp_ident = rte_cpu_to_be_16(r->ident);
	h->icmp_seq_nb = rte_cpu_to_be_16(r->seq);
	h->icmp_cksum = dtcp_cksum(buf, DTCP_ICMP_HDR_LEN + r->payload_len);
}
