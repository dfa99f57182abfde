/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno's window arithmetic (RFC 5681 sections 3.1 and 3.2, RFC 6582).
 *
 * Congestion avoidance counts bytes (RFC 3465 section 2.1, the second method
 * of RFC 5681 section 3.1): once a whole cwnd of data has been acknowledged,
 * cwnd grows by one SMSS, so exactly one SMSS per round trip however the peer
 * spaces its ACKs. On loss, ssthresh = max(FlightSize / 2, 2 SMSS) (RFC 5681
 * equation (4)); window inflation during fast recovery (RFC 6582 section 3.2)
 * is the recovery code's, not this file's.
 */
#include <rte_common.h>

#include "tcp/tcp.h"

static void
newreno_init(struct dtcp_conn *c)
{
	c->cc.newreno.bytes_acked = 0;
}

static void
newreno_cong_avoid(struct dtcp_conn *c, uint32_t acked)
{
	struct tcp_cc_newreno *nr = &c->cc.newreno;
	uint64_t total = (uint64_t)nr->bytes_acked + acked;

	if (total >= c->cwnd) {
		total -= c->cwnd;
		c->cwnd += c->snd_mss;
	}
	/* One step per ACK: a stretch ACK leaves less than one more for later. */
	nr->bytes_acked = (uint32_t)RTE_MIN(total, (uint64_t)c->cwnd - 1);
}

static uint32_t
newreno_half_flight(const struct dtcp_conn *c)
{
	return tcp_cc_ssthresh_floor(c, (c->snd_max - c->snd_una) / 2);
}

static void
newreno_congestion(struct dtcp_conn *c)
{
	/* RFC 5681 (4) and section 3.2 step 2 (the inflation by 3 SMSS is the caller's). */
	c->ssthresh = newreno_half_flight(c);
	c->cwnd = c->ssthresh;
	c->cc.newreno.bytes_acked = 0;
}

static void
newreno_exit_recovery(struct dtcp_conn *c)
{
	/* RFC 6582 section 3.2 step 3, option (2): deflate to ssthresh. */
	c->cwnd = c->ssthresh;
	c->cc.newreno.bytes_acked = 0;
}

static void
newreno_timeout(struct dtcp_conn *c, bool first)
{
	/*
	 * RFC 5681 (4): on the first timeout of a segment, half the flight size
	 * (at least two segments); on every timeout, restart from one segment
	 * (the loss window). RFC 3465 section 2.3: the byte count starts over.
	 */
	if (first)
		c->ssthresh = newreno_half_flight(c);
	c->cwnd = c->snd_mss;
	c->cc.newreno.bytes_acked = 0;
}

static void
newreno_after_idle(struct dtcp_conn *c)
{
	RTE_SET_USED(c);
}

const struct tcp_cc_ops tcp_cc_newreno_ops = {
	.name = "newreno",
	.algo = DTCP_CC_NEWRENO,
	.init = newreno_init,
	.cong_avoid = newreno_cong_avoid,
	.congestion = newreno_congestion,
	.exit_recovery = newreno_exit_recovery,
	.timeout = newreno_timeout,
	.after_idle = newreno_after_idle,
};
