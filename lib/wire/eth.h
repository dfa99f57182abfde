/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet II header parse/emit (no VLAN tags). */
#ifndef DTCP_WIRE_ETH_H
#define DTCP_WIRE_ETH_H

#include <rte_ether.h>

#include "wire/wire.h"

#define DTCP_ETH_HDR_LEN 14

struct dtcp_eth_repr {
	struct rte_ether_addr dst;
	struct rte_ether_addr src;
	uint16_t ethertype; /**< host byte order */
};

/** Parse an Ethernet II header; TRUNCATED if @p len < 14. */
enum dtcp_wire_status dtcp_eth_parse(const void *buf, size_t len, struct dtcp_eth_repr *out);

/** Write the 14-byte header at @p buf. */
void dtcp_eth_emit(const struct dtcp_eth_repr *r, void *buf);

#endif
