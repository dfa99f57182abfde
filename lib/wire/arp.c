/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_arp.h>
#include <rte_byteorder.h>

#include "wire/arp.h"

enum dtcp_wire_status
dtcp_arp_parse(const void *buf, size_t len, struct dtcp_arp_repr *out)
{
	const struct rte_arp_hdr *h = buf;
	uint16_t op;

	if (len < DTCP_ARP_LEN)
		return DTCP_WIRE_TRUNCATED;
	if (h->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    h->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    h->arp_hlen != RTE_ETHER_ADDR_LEN || h->arp_plen != sizeof(uint32_t))
		return DTCP_WIRE_UNSUPPORTED;
	op = rte_be_to_cpu_16(h->arp_opcode);
	if (op != DTCP_ARP_OP_REQUEST && op != DTCP_ARP_OP_REPLY)
		return DTCP_WIRE_BAD_OP;
	out->op = op;
	out->sha = h->arp_data.arp_sha;
	out->spa = h->arp_data.arp_sip;
	out->tha = h->arp_data.arp_tha;
	out->tpa = h->arp_data.arp_tip;
	return DTCP_WIRE_OK;
}

void
dtcp_arp_emit(const struct dtcp_arp_repr *r, void *buf)
{
	struct rte_arp_hdr *h = buf;

	h->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	h->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	h->arp_hlen = RTE_ETHER_ADDR_LEN;
	h->arp_plen = sizeof(uint32_t);
	h->arp_opcode = rte_cpu_to_be_16(r->op);
	h->arp_data.arp_sha = r->sha;
	h->arp_data.arp_sip = r->spa;
	h->arp_data.arp_tha = r->tha;
	h->arp_data.arp_tip = r->tpa;
}
