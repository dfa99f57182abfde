/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP for IPv4 over Ethernet (RFC 826) parse/emit. */
#ifndef DTCP_WIRE_ARP_H
#define DTCP_WIRE_ARP_H

#include <rte_ether.h>

#include "wire/wire.h"

#define DTCP_ARP_LEN	    28
#define DTCP_ARP_OP_REQUEST 1
#define DTCP_ARP_OP_REPLY   2

struct dtcp_arp_repr {
	uint16_t op;		   /**< DTCP_ARP_OP_*, host order */
	struct rte_ether_addr sha; /**< sender hardware address */
	uint32_t spa;		   /**< sender protocol address, network order */
	struct rte_ether_addr tha; /**< target hardware address */
	uint32_t tpa;		   /**< target protocol address, network order */
};

/**
 * Parse an ARP packet. TRUNCATED below 28 bytes; UNSUPPORTED unless
 * Ethernet/IPv4 with lengths 6/4; BAD_OP unless request or reply.
 */
enum dtcp_wire_status dtcp_arp_parse(const void *buf, size_t len, struct dtcp_arp_repr *out);

/** Write the 28-byte packet at @p buf. */
void dtcp_arp_emit(const struct dtcp_arp_repr *r, void *buf);

#endif
