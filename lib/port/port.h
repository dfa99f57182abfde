/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port layer: ethdev configuration with offload negotiation.
 *
 * dtcp asks every port for IPv4/TCP checksum offload on RX and TX, multi-
 * segment TX, TCP segmentation offload (where TCP checksum and multi-segment
 * TX were granted, unless [portN] tso = off) and RSS over IPv4/TCP with a
 * symmetric Toeplitz key; each request
 * is masked by what the device reports, every downgrade is logged, and the
 * outcome is kept in struct dtcp_port_caps, which the data path reads.
 */
#ifndef DTCP_PORT_H
#define DTCP_PORT_H

#include <rte_ether.h>
#include <rte_mempool.h>

#include <dtcp/dtcp_stack.h>

/** One port as the data path sees it: read-only once the stack is created. */
struct dtcp_port {
	uint16_t port_id;
	struct rte_ether_addr mac;
	uint32_t addr;	  /**< our address, network order */
	uint32_t netmask; /**< network order */
	uint32_t gateway; /**< network order, 0 when none */
	uint8_t prefix_len;
	struct dtcp_port_caps caps;
};

/**
 * Configure a port: @p nb_queues RX/TX queue pairs fed from @p pools
 * (queue i uses pools[i]), offloads negotiated, MTU set. Does not start it.
 *
 * @return 0, or a negative errno (the reason is logged).
 */
int dtcp_port_configure(struct dtcp_port *p, uint16_t port_id, const struct dtcp_port_config *pc,
			const struct dtcp_config *cfg, uint16_t nb_queues,
			struct rte_mempool *const *pools);

/** Start the port. @return 0 or a negative errno. */
int dtcp_port_start(struct dtcp_port *p);

/** Stop and close the port (errors are logged, not returned). */
void dtcp_port_close(struct dtcp_port *p);

/** The symmetric Toeplitz key dtcp programs (both directions of a flow hash alike). */
extern const uint8_t dtcp_rss_key[40];

#endif
