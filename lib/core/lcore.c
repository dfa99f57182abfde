/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore poll loop (as in DPDK's l3fwd): receive a burst on every
 * port, run each frame to completion through the protocol layers, run the
 * housekeeping tick, flush the TX buffers. When bursts keep coming back
 * empty the loop naps so that an idle stack leaves the core to others.
 */
#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "net/arp.h"
#include "net/eth.h"
#include "tcp/tcp.h"

uint64_t
dtcp_time_us(void)
{
	uint64_t tsc = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();

	/* Split to avoid overflowing tsc * 1e6. */
	return tsc / hz * US_PER_S + tsc % hz * US_PER_S / hz;
}

unsigned int
dtcp_lcore_poll(struct dtcp_lcore *lc, uint64_t now_us)
{
	struct rte_mbuf *pkts[DTCP_MAX_BURST];
	unsigned int nb_rx = 0;

	lc->now_us = now_us;
	if (lc->nb_peers != 0) {
		dtcp_arp_drain_shared(lc);
		dtcp_tcp_drain_steered(lc);
	}
	/*
	 * Tried on the first poll, then every tick until each port's link is up and
	 * its device took the frame: one sent before that reaches nobody (net_vhost,
	 * e.g., refuses frames until the guest has posted receive buffers).
	 */
	if (unlikely(lc->announce_pending) && now_us >= lc->next_tick_us) {
		lc->announce_pending = false;
		for (unsigned int p = 0; p < lc->nb_ports; p++) {
			if (!lc->ports[p].announced)
				lc->ports[p].announced = dtcp_arp_announce(lc, p);
			lc->announce_pending |= !lc->ports[p].announced;
		}
	}

	for (unsigned int p = 0; p < lc->nb_ports; p++) {
		uint16_t n = rte_eth_rx_burst(lc->ports[p].port->port_id, lc->queue_id, pkts,
					      lc->burst_size);

		nb_rx += n;
		lc->ctr[DTCP_CTR_RX_PACKETS] += n;
		for (uint16_t i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			lc->ctr[DTCP_CTR_RX_BYTES] += pkts[i]->pkt_len;
			dtcp_eth_input(lc, p, pkts[i]);
		}
		/* TCP segments of the burst were staged: one bulk table lookup for all. */
		dtcp_tcp_input_burst(lc);
	}
	dtcp_timer_wheel_run(&lc->tcp.wheel, now_us, UINT32_MAX);

	if (now_us >= lc->next_tick_us) {
		lc->next_tick_us = now_us + DTCP_TICK_US;
		dtcp_arp_tick(lc);
	}

	if (lc->stack->app.poll != NULL)
		lc->stack->app.poll(lc, lc->stack->app.arg);

	dtcp_tx_flush(lc);
	/* Senders that stopped for a full backlog go on where it has room again. */
	dtcp_tcp_tx_resume(lc);
	return nb_rx;
}

int
dtcp_lcore_run(struct dtcp_lcore *lc)
{
	const struct dtcp_stack *s = lc->stack;
	const uint32_t nap_us = s->cfg.idle_sleep_us, idle_polls = s->cfg.idle_polls;
	uint32_t idle = 0;

	while (!s->stop) {
		if (dtcp_lcore_poll(lc, dtcp_time_us()) != 0) {
			idle = 0;
		} else if (nap_us != 0 && ++idle >= idle_polls) {
			/* Sleep, not spin: the point is to hand the core back to the OS. */
			rte_delay_us_sleep(nap_us);
		}
	}
	return 0;
}

uint64_t
dtcp_lcore_now_us(const struct dtcp_lcore *lc)
{
	return lc->now_us;
}

int
dtcp_lcore_socket_id(const struct dtcp_lcore *lc)
{
	return (int)rte_lcore_to_socket_id(lc->lcore_id);
}

const uint64_t *
dtcp_lcore_counters(const struct dtcp_lcore *lc)
{
	return lc->ctr;
}
