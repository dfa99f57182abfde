/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ethdev.h>

#include "core/lcore.h"
#include "net/arp.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "wire/eth.h"

void
dtcp_eth_input(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m)
{
	const struct dtcp_port *port = lc->ports[port_idx].port;
	struct dtcp_eth_repr eth;

	/*
	 * Frames up to the MTU fit one mbuf (the pool's data room is sized for
	 * it); chains are large TCP frames (a peer's TSO over vhost-user, LRO),
	 * which IPv4 and TCP take as long as their headers are in the first
	 * segment. Anything else in a chain is dropped there (drop_rx_multiseg).
	 */
	if (unlikely(dtcp_eth_parse(rte_pktmbuf_mtod(m, void *), m->data_len, &eth) !=
		     DTCP_WIRE_OK)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_ETH_TRUNCATED);
		return;
	}
	if (unlikely(!rte_is_same_ether_addr(&eth.dst, &port->mac) &&
		     !rte_is_broadcast_ether_addr(&eth.dst))) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_ETH_NOT_OURS);
		return;
	}

	rte_pktmbuf_adj(m, DTCP_ETH_HDR_LEN);
	switch (eth.ethertype) {
	case RTE_ETHER_TYPE_IPV4:
		dtcp_ipv4_input(lc, port_idx, m);
		break;
	case RTE_ETHER_TYPE_ARP:
		if (unlikely(m->nb_segs != 1)) {
			dtcp_drop(lc, m, DTCP_CTR_DROP_RX_MULTISEG);
			break;
		}
		dtcp_arp_input(lc, port_idx, m);
		break;
	default:
		dtcp_drop(lc, m, DTCP_CTR_DROP_ETH_UNKNOWN_TYPE);
	}
}

void
dtcp_eth_tx(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m)
{
	dtcp_tx_enqueue(lc, port_idx, m);
}

void
dtcp_eth_output(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
		const struct rte_ether_addr *dst, uint16_t ethertype)
{
	const struct dtcp_port *port = lc->ports[port_idx].port;
	struct dtcp_eth_repr eth = {.dst = *dst, .src = port->mac, .ethertype = ethertype};
	void *hdr = rte_pktmbuf_prepend(m, DTCP_ETH_HDR_LEN);

	if (unlikely(hdr == NULL)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_NO_MBUF);
		return;
	}
	dtcp_eth_emit(&eth, hdr);
	m->l2_len = DTCP_ETH_HDR_LEN;
	dtcp_eth_tx(lc, port_idx, m);
}
