/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include "frames.h"
#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

size_t
frame_echo_request(uint8_t *buf, const struct rte_ether_addr *src_mac, uint32_t src_ip,
		   uint32_t dst_ip, uint16_t seq, size_t payload_len)
{
	struct dtcp_eth_repr eth = {
		.dst = STACK_MAC_INIT, .src = *src_mac, .ethertype = RTE_ETHER_TYPE_IPV4};
	struct dtcp_ipv4_repr ip = {.src = src_ip,
				    .dst = dst_ip,
				    .proto = IPPROTO_ICMP,
				    .ttl = 64,
				    .ident = 0x1234,
				    .dont_fragment = true,
				    .payload_len = (uint16_t)(DTCP_ICMP_HDR_LEN + payload_len)};
	struct dtcp_icmp_repr icmp = {.type = DTCP_ICMP_ECHO_REQUEST,
				      .ident = 0x77,
				      .seq = seq,
				      .payload_len = payload_len};
	uint8_t *l4 = buf + DTCP_ETH_HDR_LEN + DTCP_IPV4_HDR_LEN;

	dtcp_eth_emit(&eth, buf);
	dtcp_ipv4_emit(&ip, buf + DTCP_ETH_HDR_LEN, true);
	for (size_t i = 0; i < payload_len; i++)
		l4[DTCP_ICMP_HDR_LEN + i] = (uint8_t)i;
	dtcp_icmp_emit(&icmp, l4);
	return DTCP_ETH_HDR_LEN + DTCP_IPV4_HDR_LEN + DTCP_ICMP_HDR_LEN + payload_len;
}

size_t
frame_arp(uint8_t *buf, uint16_t op, const struct rte_ether_addr *sha, uint32_t spa,
	  const struct rte_ether_addr *tha, uint32_t tpa)
{
	struct dtcp_eth_repr eth = {.src = *sha, .ethertype = RTE_ETHER_TYPE_ARP};
	struct dtcp_arp_repr arp = {.op = op, .sha = *sha, .spa = spa, .tpa = tpa};

	if (op == DTCP_ARP_OP_REQUEST)
		memset(&eth.dst, 0xff, sizeof(eth.dst));
	else
		eth.dst = arp.tha = *tha;
	dtcp_eth_emit(&eth, buf);
	dtcp_arp_emit(&arp, buf + DTCP_ETH_HDR_LEN);
	return DTCP_ETH_HDR_LEN + DTCP_ARP_LEN;
}

void
frame_fix_ipv4_cksum(uint8_t *frame)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + DTCP_ETH_HDR_LEN);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = dtcp_cksum(ip, rte_ipv4_hdr_len(ip));
}
