/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 input (validation, local delivery) and output (header, next hop). */
#ifndef DTCP_NET_IPV4_H
#define DTCP_NET_IPV4_H

#include <stdint.h>

#include <rte_mbuf.h>

struct dtcp_lcore;

/** Handle a datagram (m's data starts at the IP header). Consumes m. */
void dtcp_ipv4_input(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m);

/**
 * Send the transport payload in @p m (data starts at the L4 header) to @p dst
 * from the port's address: prepends the IP header, picks the next hop
 * (on-link or the port's gateway) and hands it to ARP. Consumes m.
 */
void dtcp_ipv4_output(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
		      uint32_t dst, uint8_t proto);

#endif
