/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The raw flood port: set-up (one RX and one TX queue, mempools of its own,
 * checksum offload where the device grants it), ARP for the next hop, SYN
 * generation paced by a TSC token bucket, and counting what comes back.
 *
 * One lcore owns it (sf_ctx.flood_lcore); it is driven by sf_flood_poll(),
 * called from the stack's application poll hook or, without a stack, from
 * main()'s own loop. The pure parts (frame bytes, checksums, ISNs,
 * classification) are in sf_wire.c.
 */
#ifndef SF_FLOOD_H
#define SF_FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "sf_args.h"
#include "sf_run.h"
#include "sf_wire.h"

/** Frames per rx/tx burst. */
#define SF_BURST 32

struct sf_flood {
	struct sf_ctx *ctx;
	const struct sf_args *args;
	uint16_t port_id;
	bool port_started;
	struct rte_mempool *rx_pool;
	struct rte_mempool *tx_pool;
	struct rte_ether_addr mac;
	uint64_t ol_flags; /**< checksum offload flags for every SYN, 0 when in software */
	bool answer_arp;   /**< no stack: we answer ARP for --addr ourselves */

	struct sf_syn_tmpl tmpl;
	struct sf_rx_filter filter;
	struct sf_isn_key isn_key;
	struct sf_answered answered;
	uint64_t rng; /**< xorshift64* state */

	/* Pacing: credit in packets * tsc_hz, so no division per packet. */
	uint64_t credit;
	uint64_t credit_max;
	uint64_t min_batch; /**< wait for this many packets' credit (at most 100 us worth) */
	uint64_t last_tsc;
	uint64_t generated; /**< SYNs numbered, sent or refused */
	bool done;

	/* Counters, this lcore only; published through snapshots. */
	uint64_t syn_sent;
	uint64_t tx_dropped;
	uint64_t synack_rx;
	uint64_t synack_unique;
	uint64_t rst_rx;
	uint64_t other_rx;
	uint64_t rx_frames;
	uint64_t alloc_failed; /**< bursts skipped: the TX pool was empty */
	uint64_t credit_lost;  /**< pacing credit dropped after stalls, in packets * tsc_hz */
	uint64_t arp_replies;  /**< answered for --addr (no stack) */

	uint32_t pub;	       /**< intervals published */
	uint64_t next_pub_tsc; /**< end of the current interval */
};

/**
 * Configure and start @p port_id as the raw port.
 *
 * @param answer_arp answer ARP requests for --addr (flood-only runs).
 * @param err a one-line reason on failure.
 * @return 0, or a negative errno.
 */
int sf_flood_port_init(struct sf_flood *f, uint16_t port_id, const struct sf_args *a,
		       bool answer_arp, char *err, size_t err_len);

/**
 * Learn @p ip's MAC: an ARP request from the raw port (sender --addr) every
 * @p interval_ms, at most @p tries times, until a reply (or a request from
 * @p ip) arrives.
 *
 * @return 0, or -ETIMEDOUT.
 */
int sf_flood_resolve(struct sf_flood *f, uint32_t ip, unsigned int tries, unsigned int interval_ms,
		     struct rte_ether_addr *mac);

/**
 * Build the SYN template for @p dst_mac and the answer bitmap.
 *
 * @return 0, or -ENOMEM.
 */
int sf_flood_prepare(struct sf_flood *f, struct sf_ctx *ctx, const struct rte_ether_addr *dst_mac);

/** Start the clock (ctx->start_tsc is set). */
void sf_flood_start(struct sf_flood *f);

/** One iteration: receive and count, send what the bucket allows, publish intervals. */
void sf_flood_poll(struct sf_flood *f, uint64_t now);

/** The loops have ended: end the flood if it still runs and publish the last interval. */
void sf_flood_finish(struct sf_flood *f, uint64_t now);

/** The counters now (owning lcore, or once the loops have ended). */
void sf_flood_totals(const struct sf_flood *f, struct sf_flood_snap *s);

/** Stop and close the port, free the pools and the bitmap. */
void sf_flood_fini(struct sf_flood *f);

#endif
