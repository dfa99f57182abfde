/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>

#include <rte_ip.h>

#include "core/lcore.h"
#include "net/arp.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/mbuf_chain.h"
#include "wire/ipv4.h"

static enum dtcp_counter
ipv4_drop_reason(enum dtcp_wire_status st)
{
	switch (st) {
	case DTCP_WIRE_BAD_VERSION:
		return DTCP_CTR_DROP_IPV4_BAD_VERSION;
	case DTCP_WIRE_BAD_HDR_LEN:
		return DTCP_CTR_DROP_IPV4_BAD_HDR_LEN;
	case DTCP_WIRE_BAD_TOTAL_LEN:
		return DTCP_CTR_DROP_IPV4_BAD_TOTAL_LEN;
	case DTCP_WIRE_BAD_CHECKSUM:
		return DTCP_CTR_DROP_IPV4_BAD_CHECKSUM;
	case DTCP_WIRE_FRAGMENT:
		return DTCP_CTR_DROP_IPV4_FRAGMENT;
	case DTCP_WIRE_OPTIONS:
		return DTCP_CTR_DROP_IPV4_OPTIONS;
	default:
		return DTCP_CTR_DROP_IPV4_TRUNCATED;
	}
}

/* Sources no host may use: 0.0.0.0, limited broadcast, multicast, class E, loopback. */
static bool
ipv4_source_invalid(uint32_t src_be, uint32_t our_addr)
{
	uint32_t src = rte_be_to_cpu_32(src_be);

	return src == 0 || src >= 0xe0000000u || (src >> 24) == 127 || src_be == our_addr;
}

void
dtcp_ipv4_input(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m)
{
	const struct dtcp_port *port = lc->ports[port_idx].port;
	uint64_t rx_ip_cksum = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	struct dtcp_ipv4_repr ip;
	enum dtcp_wire_status st;
	uint32_t len = m->data_len;

	/*
	 * A chain (a large TCP frame): the header must be in the first segment,
	 * the datagram's length is checked against the whole chain.
	 */
	if (unlikely(m->nb_segs != 1)) {
		const uint8_t *vhl = rte_pktmbuf_mtod(m, const uint8_t *);

		if (m->data_len < DTCP_IPV4_HDR_LEN ||
		    (size_t)(*vhl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER >
			    m->data_len) {
			dtcp_drop(lc, m, DTCP_CTR_DROP_RX_MULTISEG);
			return;
		}
		len = m->pkt_len;
	}
	/* Trust the PMD's verdict when it gave one; verify in software when it did not. */
	if (unlikely(rx_ip_cksum == RTE_MBUF_F_RX_IP_CKSUM_BAD)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_IPV4_BAD_CHECKSUM);
		return;
	}
	st = dtcp_ipv4_parse(rte_pktmbuf_mtod(m, void *), len,
			     rx_ip_cksum == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, &ip);
	if (unlikely(st != DTCP_WIRE_OK)) {
		dtcp_drop(lc, m, ipv4_drop_reason(st));
		return;
	}
	if (unlikely(ip.dst != port->addr)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_IPV4_NOT_OURS);
		return;
	}
	if (unlikely(ipv4_source_invalid(ip.src, port->addr))) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_IPV4_BAD_SOURCE);
		return;
	}

	/* Only TCP takes chains (tcp_input.c says why); nothing else is ever that large. */
	if (unlikely(m->nb_segs != 1 && ip.proto != IPPROTO_TCP)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_RX_MULTISEG);
		return;
	}
	/* Drop the Ethernet padding after the datagram, then the header. */
	if (likely(m->nb_segs == 1))
		rte_pktmbuf_trim(m, m->data_len - ip.hdr_len - ip.payload_len);
	else
		dtcp_mbuf_chain_keep(m, (uint32_t)ip.hdr_len + ip.payload_len);
	rte_pktmbuf_adj(m, ip.hdr_len);
	dtcp_count(lc, DTCP_CTR_IPV4_RX);

	switch (ip.proto) {
	case IPPROTO_ICMP:
		dtcp_icmp_input(lc, port_idx, m, &ip);
		break;
	case IPPROTO_TCP:
		dtcp_tcp_stage(lc, port_idx, m, &ip);
		break;
	default:
		dtcp_drop(lc, m, DTCP_CTR_DROP_IPV4_UNKNOWN_PROTO);
	}
}

void
dtcp_ipv4_output(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m, uint32_t dst,
		 uint8_t proto)
{
	const struct dtcp_port *port = lc->ports[port_idx].port;
	struct dtcp_ipv4_repr ip = {
		.src = port->addr,
		.dst = dst,
		.proto = proto,
		.ttl = DTCP_IPV4_TTL,
		/* Atomic datagrams (DF set): RFC 6864 lets the ID be anything; 0 leaks nothing. */
		.dont_fragment = true,
		.ident = 0,
		.payload_len = (uint16_t)m->pkt_len,
	};
	uint32_t next_hop = dst;
	void *hdr;

	if ((dst & port->netmask) != (port->addr & port->netmask)) {
		if (port->gateway == 0) {
			dtcp_drop(lc, m, DTCP_CTR_DROP_IPV4_NO_ROUTE);
			return;
		}
		next_hop = port->gateway;
	}
	/*
	 * We send atomic datagrams only (DF, no fragmentation): what exceeds the
	 * MTU cannot go. A TSO frame (TX_TCP_SEG) is cut to the MTU by the
	 * device; tcp_output.c keeps it within the 16-bit total length.
	 */
	if (unlikely(DTCP_IPV4_HDR_LEN + m->pkt_len > port->caps.mtu) &&
	    !(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_IPV4_TOO_BIG);
		return;
	}
	hdr = rte_pktmbuf_prepend(m, DTCP_IPV4_HDR_LEN);
	if (unlikely(hdr == NULL)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_NO_MBUF);
		return;
	}

	/*
	 * A reused RX mbuf still carries RX flags; keep the buffer kind and L4
	 * offload bits. The total length of a TSO frame is its own (as Linux
	 * sends it): a device that cuts it rewrites it per segment, and a
	 * vhost-user peer that does not (it passes the frame on whole) needs
	 * it right. Its header checksum is ours when the device does not
	 * offer IPv4 checksums (virtio); DPDK's TSO recipe asks for
	 * TX_IP_CKSUM, but only devices that have it can honour it.
	 */
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_TX_L4_MASK |
		       RTE_MBUF_F_TX_TCP_SEG;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = DTCP_IPV4_HDR_LEN;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	if (port->caps.tx_ipv4_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	dtcp_ipv4_emit(&ip, hdr, !port->caps.tx_ipv4_cksum);
	dtcp_count(lc, DTCP_CTR_IPV4_TX);
	dtcp_arp_output(lc, port_idx, m, next_hop);
}
