/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_byteorder.h>

#include "wire/eth.h"

const char *
dtcp_wire_status_str(enum dtcp_wire_status st)
{
	static const char *const names[] = {
		[DTCP_WIRE_OK] = "ok",
		[DTCP_WIRE_TRUNCATED] = "truncated",
		[DTCP_WIRE_BAD_VERSION] = "bad version",
		[DTCP_WIRE_BAD_HDR_LEN] = "bad header length",
		[DTCP_WIRE_BAD_TOTAL_LEN] = "bad total length",
		[DTCP_WIRE_BAD_CHECKSUM] = "bad checksum",
		[DTCP_WIRE_BAD_OPTION] = "bad option",
		[DTCP_WIRE_FRAGMENT] = "fragment",
		[DTCP_WIRE_OPTIONS] = "options",
		[DTCP_WIRE_UNSUPPORTED] = "unsupported",
		[DTCP_WIRE_BAD_OP] = "bad opcode",
	};
	if ((size_t)st >= RTE_DIM(names))
		return "unknown";
	return names[st];
}

enum dtcp_wire_status
dtcp_eth_parse(const void *buf, size_t len, struct dtcp_eth_repr *out)
{
	const struct rte_ether_hdr *h = buf;

	if (len < DTCP_ETH_HDR_LEN)
		return DTCP_WIRE_TRUNCATED;
	out->dst = h->dst_addr;
	out->src = h->src_addr;
	out->ethertype = rte_be_to_cpu_16(h->ether_type);
	return DTCP_WIRE_OK;
}

void
dtcp_eth_emit(const struct dtcp_eth_repr *r, void *buf)
{
	struct rte_ether_hdr *h = buf;

	h->dst_addr = r->dst;
	h->src_addr = r->src;
	h->ether_type = rte_cpu_to_be_16(r->ethertype);
}
