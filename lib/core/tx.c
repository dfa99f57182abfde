/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ethdev.h>

#include "core/lcore.h"
#include "core/tx.h"

#define BACKLOG_MASK (DTCP_TX_BACKLOG - 1)
_Static_assert((DTCP_TX_BACKLOG & BACKLOG_MASK) == 0, "DTCP_TX_BACKLOG: a power of two");
_Static_assert(DTCP_TX_BACKLOG >= 2 * DTCP_MAX_BURST, "DTCP_TX_BACKLOG: room for two bursts");

/* One port: send from the head until the device refuses or the backlog is empty. */
static void
backlog_flush(struct dtcp_lcore *lc, struct dtcp_lcore_port *lp)
{
	struct dtcp_tx_backlog *b = &lp->tx;
	bool held = false;

	while (b->len > 0) {
		/* The contiguous part from head: the ring may wrap. */
		uint16_t n = (uint16_t)RTE_MIN((unsigned int)b->len,
					       (unsigned int)(DTCP_TX_BACKLOG - b->head));
		uint16_t sent =
			rte_eth_tx_burst(lp->port->port_id, lc->queue_id, &b->pkts[b->head], n);

		lc->ctr[DTCP_CTR_TX_PACKETS] += sent;
		if (lp->tx_refused > 0) {
			/* Frames refused before, taken now. */
			uint16_t again = RTE_MIN(sent, lp->tx_refused);

			lc->ctr[DTCP_CTR_TX_RETRIED] += again;
			lp->tx_refused = (uint16_t)(lp->tx_refused - again);
		}
		b->head = (uint16_t)((b->head + sent) & BACKLOG_MASK);
		b->len = (uint16_t)(b->len - sent);
		if (sent < n) {
			held = true;
			break;
		}
	}
	if (held)
		lp->tx_refused = b->len;
}

void
dtcp_tx_enqueue(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m)
{
	struct dtcp_lcore_port *lp = &lc->ports[port_idx];
	struct dtcp_tx_backlog *b = &lp->tx;

	if (unlikely(b->len == DTCP_TX_BACKLOG)) {
		backlog_flush(lc, lp);
		if (b->len == DTCP_TX_BACKLOG) {
			dtcp_drop(lc, m, DTCP_CTR_DROP_TX_FULL);
			return;
		}
	}
	lc->ctr[DTCP_CTR_TX_BYTES] += m->pkt_len;
	b->pkts[(b->head + b->len) & BACKLOG_MASK] = m;
	b->len++;
	/* A burst's worth beyond what the ring already refused: try now. */
	if (b->len - lp->tx_refused >= lc->burst_size)
		backlog_flush(lc, lp);
}

void
dtcp_tx_flush(struct dtcp_lcore *lc)
{
	for (unsigned int p = 0; p < lc->nb_ports; p++)
		if (lc->ports[p].tx.len > 0)
			backlog_flush(lc, &lc->ports[p]);
}

void
dtcp_tx_free(struct dtcp_lcore *lc)
{
	for (unsigned int p = 0; p < lc->nb_ports; p++) {
		struct dtcp_tx_backlog *b = &lc->ports[p].tx;

		for (; b->len > 0; b->len--, b->head = (uint16_t)((b->head + 1) & BACKLOG_MASK))
			rte_pktmbuf_free(b->pkts[b->head]);
	}
}

uint32_t
dtcp_tx_room(const struct dtcp_lcore *lc, unsigned int port_idx)
{
	uint32_t used = lc->ports[port_idx].tx.len + lc->burst_size;

	return used < DTCP_TX_BACKLOG ? DTCP_TX_BACKLOG - used : 0;
}
