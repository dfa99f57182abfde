/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control, the minimum RFC 5681 asks of every TCP: an initial
 * window (RFC 6928), slow start with appropriate byte counting (RFC 3465,
 * L = 1 SMSS), congestion avoidance, and the response to a retransmission
 * timeout. Fast retransmit/recovery, SACK-based recovery and the pluggable
 * NewReno/CUBIC ops arrive with the data-transfer work; until then loss is
 * repaired by the RTO, and this keeps a sender from bursting a whole peer
 * window into the NIC at once.
 */
#include <rte_common.h>

#include "tcp/tcp.h"

void
tcp_cc_init(struct dtcp_conn *c)
{
	uint32_t mss = c->snd_mss, floor = RTE_MAX(2 * mss, 14600u);

	/* RFC 6928: min(10 * MSS, max(2 * MSS, 14600)). */
	c->cwnd = RTE_MIN(10 * mss, floor);
	c->ssthresh = UINT32_MAX;
}

void
tcp_cc_ack(struct dtcp_conn *c, uint32_t acked)
{
	uint32_t mss = c->snd_mss;

	if (c->cwnd < c->ssthresh)
		c->cwnd += RTE_MIN(acked, mss); /* slow start */
	else
		c->cwnd += RTE_MAX(1u, (uint32_t)((uint64_t)mss * mss / c->cwnd));
	/* Growing far past what the peer lets us send buys nothing. */
	uint32_t cap = RTE_MAX(c->max_snd_wnd, 10 * mss);

	c->cwnd = RTE_MIN(c->cwnd, 2 * cap);
}

void
tcp_cc_timeout(struct dtcp_conn *c, bool first)
{
	uint32_t flight = c->snd_max - c->snd_una;

	/*
	 * RFC 5681 (4): on the first timeout of a segment, half the flight size
	 * (at least two segments); on every timeout, restart from one segment.
	 */
	if (first)
		c->ssthresh = RTE_MAX(flight / 2, 2u * c->snd_mss);
	c->cwnd = c->snd_mss;
}

void
tcp_cc_enter_recovery(struct dtcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una;

	/* RFC 5681 (4) and section 3.2 step 2. */
	c->ssthresh = RTE_MAX(flight / 2, 2u * c->snd_mss);
	c->cwnd = c->ssthresh;
}

void
tcp_cc_exit_recovery(struct dtcp_conn *c)
{
	c->cwnd = c->ssthresh;
}

void
tcp_cc_after_idle(struct dtcp_conn *c)
{
	uint32_t mss = c->snd_mss, floor = RTE_MAX(2 * mss, 14600u);
	uint32_t iw = RTE_MIN(10 * mss, floor);

	/* RFC 5681 section 4.1: restart from no more than the initial window. */
	c->cwnd = RTE_MIN(c->cwnd, iw);
}
