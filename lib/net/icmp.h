/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP: echo requests answered in place; everything else counted and dropped. */
#ifndef DTCP_NET_ICMP_H
#define DTCP_NET_ICMP_H

#include <rte_mbuf.h>

#include "wire/ipv4.h"

struct dtcp_lcore;

/** Handle an ICMP message (m's data starts at the ICMP header). Consumes m. */
void dtcp_icmp_input(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
		     const struct dtcp_ipv4_repr *ip);

#endif
