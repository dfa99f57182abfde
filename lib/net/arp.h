/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP: answers requests for our addresses, resolves next hops.
 *
 * Each lcore has its own neighbour table (rte_hash from IPv4 address to a
 * slot in an entry array). An unresolved next hop holds a bounded queue of
 * packets waiting for the reply; requests are retried every arp_retry_ms and
 * after arp_retries the waiting packets are dropped (drop_arp_unresolved).
 * Resolved entries live arp_timeout_s, then are re-resolved on demand.
 *
 * ARP replies land on whatever queue the NIC picks, so an lcore that learns
 * or changes a neighbour passes the (ip, mac) pair to every other lcore over
 * single-producer/single-consumer rings; they apply it on their next poll.
 *
 * Telemetry reads the entry array from its own thread; writers bracket every
 * change in the table's rte_seqcount so readers retry torn reads.
 */
#ifndef DTCP_NET_ARP_H
#define DTCP_NET_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_seqcount.h>

#include <dtcp/dtcp_config.h>

struct dtcp_lcore;

enum dtcp_arp_state {
	DTCP_ARP_FREE = 0,
	DTCP_ARP_INCOMPLETE, /**< request sent, packets may be waiting */
	DTCP_ARP_REACHABLE,  /**< MAC known until deadline */
};

struct dtcp_arp_entry {
	uint32_t ip;	  /**< network order */
	uint8_t state;	  /**< enum dtcp_arp_state */
	uint8_t port_idx; /**< index of the port the neighbour is on */
	uint8_t tries;	  /**< requests sent while INCOMPLETE */
	uint8_t nb_pending;
	struct rte_ether_addr mac;
	uint64_t deadline_us; /**< INCOMPLETE: next retry; REACHABLE: expiry */
	struct rte_mbuf *pending[DTCP_ARP_PENDING_LIMIT];
};

struct dtcp_arp_table {
	struct rte_hash *hash;		/**< ip -> slot in entries */
	struct dtcp_arp_entry *entries; /**< size slots */
	uint32_t size;
	uint16_t pending_max;
	uint16_t max_tries;
	uint32_t retry_us;
	uint64_t timeout_us;
	rte_seqcount_t seq; /**< bracket writes for telemetry readers */
};

/** Neighbour update passed between lcores (12 bytes, an rte_ring element). */
struct dtcp_arp_msg {
	uint32_t ip;
	struct rte_ether_addr mac;
	uint8_t port_idx;
	uint8_t pad;
};

/** Create an lcore's table. @return 0 or -ENOMEM / -EEXIST (name in use). */
int dtcp_arp_table_init(struct dtcp_arp_table *t, const char *name, const struct dtcp_config *cfg,
			int socket);

/** Free the table and every packet still waiting in it. */
void dtcp_arp_table_free(struct dtcp_arp_table *t);

/** Handle a received ARP packet (m's data starts at the ARP header). Consumes m. */
void dtcp_arp_input(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m);

/** Apply neighbour updates other lcores sent us. */
void dtcp_arp_drain_shared(struct dtcp_lcore *lc);

/**
 * Send @p m (data starts at the IP header, room for an Ethernet header in
 * front) to @p next_hop on @p port_idx: at once if resolved, else queued
 * behind an ARP request. Consumes m.
 */
void dtcp_arp_output(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
		     uint32_t next_hop);

/** Retries, give-ups and expiry; call every few milliseconds. */
void dtcp_arp_tick(struct dtcp_lcore *lc);

/**
 * Broadcast a gratuitous ARP for the port's address, straight to the device.
 *
 * @return true if sent; false if the link is down, no mbuf was free or the
 *         device refused the frame (call again later).
 */
bool dtcp_arp_announce(struct dtcp_lcore *lc, unsigned int port_idx);

/**
 * Copy the table's entries for a reader on another thread.
 *
 * @param out receives up to @p max in-use entries (pending pointers not valid).
 * @return number of entries copied.
 */
unsigned int dtcp_arp_snapshot(const struct dtcp_arp_table *t, struct dtcp_arp_entry *out,
			       unsigned int max);

#endif
