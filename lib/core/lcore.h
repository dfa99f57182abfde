/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore context. Everything the data path writes lives here and is
 * touched only by the owning lcore; the rest of the stack (ports, config) is
 * read-only while the loops run.
 */
#ifndef DTCP_CORE_LCORE_H
#define DTCP_CORE_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <dtcp/dtcp_counters.h>

#include "core/tx.h"
#include "net/arp.h"
#include "port/port.h"
#include "tcp/tcp.h"

/** How often the housekeeping tick (ARP retries and ageing) runs. */
#define DTCP_TICK_US 10000
/** Upper bound of [stack] burst_size. */
#define DTCP_MAX_BURST 512

/** This lcore's view of one port. */
struct dtcp_lcore_port {
	struct dtcp_lcore *lc;	      /**< the lcore this belongs to */
	const struct dtcp_port *port; /**< shared, read-only */
	bool announced;		      /**< the device took our gratuitous ARP */
	uint16_t tx_refused;	      /**< frames left in tx by a flush the ring cut short */
	struct dtcp_tx_backlog tx;    /**< frames for the device (core/tx.h) */
};

struct dtcp_lcore {
	/* Read mostly. */
	struct dtcp_stack *stack;
	struct rte_mempool *pool; /**< mbufs for packets we build (per-socket pool) */
	unsigned int index;	  /**< 0 .. nb_lcores-1, also the queue id */
	unsigned int lcore_id;	  /**< EAL lcore id */
	uint16_t queue_id;
	uint16_t burst_size;
	uint16_t nb_ports;
	bool announce_pending;	     /**< a port still to announce on (lcore 0 only) */
	unsigned int nb_peers;	     /**< other lcores (rings below) */
	struct rte_ring **arp_out;   /**< [nb_peers] we produce, peer consumes */
	struct rte_ring **arp_in;    /**< [nb_peers] peer produces, we consume */
	struct rte_ring **steer_out; /**< [nb_lcores] segments for lcore i; NULL for us */
	struct rte_ring **steer_in;  /**< [nb_lcores] segments from lcore i; NULL for us */

	/* Time, advanced by dtcp_lcore_poll(). */
	uint64_t now_us;
	uint64_t next_tick_us;

	struct dtcp_lcore_port ports[DTCP_MAX_PORTS];
	struct dtcp_arp_table arp;
	struct dtcp_tcp_lcore tcp;

	/* Plain per-lcore counters, summed by readers. */
	uint64_t ctr[DTCP_CTR__MAX] __rte_cache_aligned;
} __rte_cache_aligned;

/** Count one event. */
static inline void
dtcp_count(struct dtcp_lcore *lc, enum dtcp_counter c)
{
	lc->ctr[c]++;
}

/** Count a dropped packet and free it. */
static inline void
dtcp_drop(struct dtcp_lcore *lc, struct rte_mbuf *m, enum dtcp_counter reason)
{
	lc->ctr[reason]++;
	rte_pktmbuf_free(m);
}

/** The loop dtcp_stack_run() runs on every lcore; returns when the stack is stopped. */
int dtcp_lcore_run(struct dtcp_lcore *lc);

#endif
