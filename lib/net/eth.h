/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet input (filter and demux) and output (header + TX buffer). */
#ifndef DTCP_NET_ETH_H
#define DTCP_NET_ETH_H

#include <rte_ether.h>
#include <rte_mbuf.h>

struct dtcp_lcore;

/** Handle one received frame. Consumes m. */
void dtcp_eth_input(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m);

/**
 * Prepend an Ethernet header (our MAC to @p dst) and queue for TX.
 * Consumes m; a missing headroom is a counted drop.
 */
void dtcp_eth_output(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
		     const struct rte_ether_addr *dst, uint16_t ethertype);

/** Queue a complete frame for TX on the lcore's queue of the port. Consumes m. */
void dtcp_eth_tx(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m);

#endif
