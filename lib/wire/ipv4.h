/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 header (RFC 791) parse/emit. */
#ifndef DTCP_WIRE_IPV4_H
#define DTCP_WIRE_IPV4_H

#include "wire/wire.h"

#define DTCP_IPV4_HDR_LEN 20
#define DTCP_IPV4_TTL	  64

struct dtcp_ipv4_repr {
	uint32_t src;  /**< network order */
	uint32_t dst;  /**< network order */
	uint8_t proto; /**< IPPROTO_* */
	uint8_t ttl;
	uint8_t tos;
	bool dont_fragment;
	uint16_t ident;	      /**< host order */
	uint16_t hdr_len;     /**< bytes, 20 when emitted */
	uint16_t payload_len; /**< bytes after the header */
};

/**
 * Parse and validate an IPv4 header, in this order: TRUNCATED (len < 20),
 * BAD_VERSION, BAD_HDR_LEN (IHL < 5), TRUNCATED (IHL beyond @p len),
 * BAD_TOTAL_LEN (total length < IHL), TRUNCATED (total length beyond @p len),
 * BAD_CHECKSUM (only if @p verify_cksum), FRAGMENT (MF or offset set),
 * OPTIONS (IHL > 5). Bytes after total length (Ethernet padding) are ignored.
 */
enum dtcp_wire_status dtcp_ipv4_parse(const void *buf, size_t len, bool verify_cksum,
				      struct dtcp_ipv4_repr *out);

/**
 * Write a 20-byte header (no options). The checksum is computed when
 * @p fill_cksum, else left 0 for the NIC (RTE_MBUF_F_TX_IP_CKSUM).
 */
void dtcp_ipv4_emit(const struct dtcp_ipv4_repr *r, void *buf, bool fill_cksum);

#endif
