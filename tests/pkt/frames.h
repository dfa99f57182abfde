/* SPDX-License-Identifier: BSD-3-Clause */
/* Input frames for packet-level tests, built field by field. */
#ifndef DTCP_PKT_FRAMES_H
#define DTCP_PKT_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>

#define STACK_MAC_INIT                                                                             \
	{                                                                                          \
		{                                                                                  \
			0x02, 0x00, 0x00, 0x00, 0x00, 0x02                                         \
		}                                                                                  \
	}
/* Not RTE_IPV4(): it shifts an int into the sign bit, which UBSan rightly flags. */
#define IP_BE(a, b, c, d)                                                                          \
	rte_cpu_to_be_32((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 |          \
			 (uint32_t)(d))
#define PEER_IP IP_BE(198, 18, 0, 1)
#define OUR_IP	IP_BE(198, 18, 0, 2)

/* Ethernet + IPv4 + ICMP echo request with payload bytes 0, 1, 2, ... Returns the frame length. */
size_t frame_echo_request(uint8_t *buf, const struct rte_ether_addr *src_mac, uint32_t src_ip,
			  uint32_t dst_ip, uint16_t seq, size_t payload_len);

/* Ethernet + ARP; dst MAC broadcast for requests, @p tha for replies. Returns 42. */
size_t frame_arp(uint8_t *buf, uint16_t op, const struct rte_ether_addr *sha, uint32_t spa,
		 const struct rte_ether_addr *tha, uint32_t tpa);

/* Recompute the IPv4 header checksum of a frame (after a test edits the header). */
void frame_fix_ipv4_cksum(uint8_t *frame);

#endif
