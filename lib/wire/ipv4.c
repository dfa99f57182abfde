/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "wire/ipv4.h"

enum dtcp_wire_status
dtcp_ipv4_parse(const void *buf, size_t len, bool verify_cksum, struct dtcp_ipv4_repr *out)
{
	const struct rte_ipv4_hdr *h = buf;
	size_t hdr_len, total_len;
	uint16_t frag;

	if (len < DTCP_IPV4_HDR_LEN)
		return DTCP_WIRE_TRUNCATED;
	if ((h->version_ihl >> 4) != 4)
		return DTCP_WIRE_BAD_VERSION;
	hdr_len = (size_t)(h->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	if (hdr_len < DTCP_IPV4_HDR_LEN)
		return DTCP_WIRE_BAD_HDR_LEN;
	if (hdr_len > len)
		return DTCP_WIRE_TRUNCATED;
	total_len = rte_be_to_cpu_16(h->total_length);
	if (total_len < hdr_len)
		return DTCP_WIRE_BAD_TOTAL_LEN;
	if (total_len > len)
		return DTCP_WIRE_TRUNCATED;
	if (verify_cksum && !dtcp_cksum_ok(h, hdr_len))
		return DTCP_WIRE_BAD_CHECKSUM;
	frag = rte_be_to_cpu_16(h->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return DTCP_WIRE_FRAGMENT;
	if (hdr_len > DTCP_IPV4_HDR_LEN)
		return DTCP_WIRE_OPTIONS;

	out->src = h->src_addr;
	out->dst = h->dst_addr;
	out->proto = h->next_proto_id;
	out->ttl = h->time_to_live;
	out->tos = h->type_of_service;
	out->dont_fragment = (frag & RTE_IPV4_HDR_DF_FLAG) != 0;
	out->ident = rte_be_to_cpu_16(h->packet_id);
	out->hdr_len = (uint16_t)hdr_len;
	out->payload_len = (uint16_t)(total_len - hdr_len);
	return DTCP_WIRE_OK;
}

void
dtcp_ipv4_emit(const struct dtcp_ipv4_repr *r, void *buf, bool fill_cksum)
{
	struct rte_ipv4_hdr *h = buf;

	h->version_ihl = RTE_IPV4_VHL_DEF;
	h->type_of_service = r->tos;
	h->total_length = rte_cpu_to_be_16((uint16_t)(DTCP_IPV4_HDR_LEN + r->payload_len));
	h->packet_id = rte_cpu_to_be_16(r->ident);
	h->fragment_offset = r->dont_fragment ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	h->time_to_live = r->ttl;
	h->next_proto_id = r->proto;
	h->hdr_checksum = 0;
	h->src_addr = r->src;
	h->dst_addr = r->dst;
	if (fill_cksum)
		h->hdr_checksum = dtcp_cksum(h, DTCP_IPV4_HDR_LEN);
}
