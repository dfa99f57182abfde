/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore, per-port transmit backlog (tx.c).
 *
 * Frames go out in bursts at the end of each poll, or as soon as a burst's
 * worth is waiting. When the device's ring is full, what it refused stays
 * here, in order, for the next flush: the device (a NIC, or the vhost
 * peer's core) drains the ring meanwhile, and a dropped TCP segment would
 * cost a retransmission, often a timeout. The backlog is bounded; TCP stops
 * producing data while it is nearly full (dtcp_tx_room()) and waits on the
 * lcore's TX-wait list for room, so only control frames can overflow it,
 * and those are counted drops (drop_tx_full).
 */
#ifndef DTCP_CORE_TX_H
#define DTCP_CORE_TX_H

#include <stdint.h>

#include <rte_mbuf.h>

struct dtcp_lcore;

/** Frames a backlog holds: a few bursts, a fraction of the mbuf pool. */
#define DTCP_TX_BACKLOG 1024

/** Frames one port's backlog holds for one lcore (a ring, oldest at head). */
struct dtcp_tx_backlog {
	struct rte_mbuf *pkts[DTCP_TX_BACKLOG];
	uint16_t head;
	uint16_t len;
};

/** Queue @p m on port @p port_idx; flushes at a burst's worth. Consumes @p m. */
void dtcp_tx_enqueue(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m);

/** Hand every port's backlog to its device, keeping what a full ring refuses. */
void dtcp_tx_flush(struct dtcp_lcore *lc);

/** Free whatever is still queued (teardown). */
void dtcp_tx_free(struct dtcp_lcore *lc);

/**
 * Frames that may still be queued on @p port_idx before data senders must
 * wait: the backlog's free slots less one burst kept for ACKs and control.
 */
uint32_t dtcp_tx_room(const struct dtcp_lcore *lc, unsigned int port_idx);

#endif
