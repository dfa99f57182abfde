/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>

#include "core/lcore.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "wire/icmp.h"

void
dtcp_icmp_input(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
		const struct dtcp_ipv4_repr *ip)
{
	struct dtcp_icmp_repr icmp;
	enum dtcp_wire_status st;

	/* No NIC offloads ICMP checksums: always verify. */
	st = dtcp_icmp_parse(rte_pktmbuf_mtod(m, void *), m->data_len, true, &icmp);
	if (unlikely(st != DTCP_WIRE_OK)) {
		dtcp_drop(lc, m,
			  st == DTCP_WIRE_BAD_CHECKSUM ? DTCP_CTR_DROP_ICMP_BAD_CHECKSUM
						       : DTCP_CTR_DROP_ICMP_TRUNCATED);
		return;
	}
	if (icmp.type != DTCP_ICMP_ECHO_REQUEST || icmp.code != 0) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_ICMP_UNSUPPORTED);
		return;
	}
	dtcp_count(lc, DTCP_CTR_ICMP_RX_ECHO_REQUESTS);

	/* The reply is the request turned around in its own mbuf: no allocation, no copy. */
	icmp.type = DTCP_ICMP_ECHO_REPLY;
	dtcp_icmp_emit(&icmp, rte_pktmbuf_mtod(m, void *));
	dtcp_count(lc, DTCP_CTR_ICMP_TX_ECHO_REPLIES);
	dtcp_ipv4_output(lc, port_idx, m, ip->src, IPPROTO_ICMP);
}
