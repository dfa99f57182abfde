/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control: what every algorithm shares, and the dispatch to the
 * connection's algorithm (struct tcp_cc_ops; NewReno in tcp_cc_newreno.c,
 * CUBIC in tcp_cc_cubic.c).
 *
 * Shared here:
 *  - the initial window (RFC 6928) and the restart window after idle
 *    (RFC 5681 section 4.1);
 *  - slow start with appropriate byte counting (RFC 3465, L = 1 SMSS): an
 *    ACK grows cwnd by what it acknowledges, at most one SMSS, while
 *    cwnd < ssthresh. Both algorithms use it (RFC 9438 section 4.10);
 *  - a bound on growth while the peer's window, not cwnd, limits the sender:
 *    cwnd never exceeds twice the larger of the largest window the peer
 *    offered and 10 SMSS, so a later burst cannot rest on a window that was
 *    never used.
 */
#include <string.h>

#include <rte_common.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "tcp/tcp.h"

/* RFC 6928 section 2: 14600 bytes for 10 segments, i.e. 1460 per segment. */
#define TCP_IW_BYTES_PER_SEGMENT 1460u

const struct tcp_cc_ops *
tcp_cc_ops_of(enum dtcp_cc_algo algo)
{
	switch (algo) {
	case DTCP_CC_NEWRENO:
		return &tcp_cc_newreno_ops;
	case DTCP_CC_CUBIC:
		return &tcp_cc_cubic_ops;
	}
	return NULL;
}

const struct tcp_cc_ops *
tcp_cc_ops_by_name(const char *name)
{
	static const struct tcp_cc_ops *const all[] = {&tcp_cc_newreno_ops, &tcp_cc_cubic_ops};

	for (size_t i = 0; i < RTE_DIM(all); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

/* The connection's algorithm; the configured one if none was chosen yet. */
static const struct tcp_cc_ops *
cc_ops(struct dtcp_conn *c)
{
	if (unlikely(c->cc_ops == NULL)) {
		c->cc_ops = tcp_cc_ops_of(c->lc->stack->cfg.tcp_congestion_control);
		if (c->cc_ops == NULL)
			c->cc_ops = &tcp_cc_cubic_ops;
		c->cc_ops->init(c);
	}
	return c->cc_ops;
}

void
tcp_cc_set_ops(struct dtcp_conn *c, const struct tcp_cc_ops *ops)
{
	c->cc_ops = ops;
	ops->init(c);
}

uint32_t
tcp_cc_initial_window(const struct dtcp_conn *c)
{
	uint64_t n = c->lc->stack->cfg.tcp_initial_window, mss = c->snd_mss;
	uint64_t floor = RTE_MAX(2 * mss, n * TCP_IW_BYTES_PER_SEGMENT);

	/*
	 * RFC 6928: min(10 * MSS, max(2 * MSS, 14600)) for N = 10. The same
	 * shape for other N: N segments, but no more than N * 1460 bytes unless
	 * that is under two segments. N = 1 and 2 give 1 and 2 segments; N = 3
	 * gives RFC 3390's window (4380 bytes) at an MSS of 1460.
	 */
	return (uint32_t)RTE_MIN(n * mss, floor);
}

uint32_t
tcp_cc_ssthresh_floor(const struct dtcp_conn *c, uint64_t bytes)
{
	uint64_t floor = 2 * (uint64_t)c->snd_mss;
	uint64_t v = RTE_MAX(bytes, floor);

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

void
tcp_cc_init(struct dtcp_conn *c)
{
	c->cwnd = tcp_cc_initial_window(c);
	c->ssthresh = UINT32_MAX; /* RFC 5681 section 3.1: arbitrarily high */
	if (c->cc_ops != NULL)
		c->cc_ops->init(c); /* chosen before the handshake */
	else
		cc_ops(c);
}

void
tcp_cc_ack(struct dtcp_conn *c, uint32_t acked)
{
	const struct tcp_cc_ops *ops = cc_ops(c);
	uint64_t cap = RTE_MAX((uint64_t)c->max_snd_wnd, 10 * (uint64_t)c->snd_mss);

	if (c->cwnd < c->ssthresh)
		c->cwnd += RTE_MIN(acked, (uint32_t)c->snd_mss); /* slow start, L = 1 SMSS */
	else
		ops->cong_avoid(c, acked);
	/* Growing far past what the peer lets us send buys nothing. */
	if (c->cwnd > 2 * cap)
		c->cwnd = (uint32_t)(2 * cap);
}

void
tcp_cc_enter_recovery(struct dtcp_conn *c)
{
	cc_ops(c)->congestion(c);
}

void
tcp_cc_exit_recovery(struct dtcp_conn *c)
{
	cc_ops(c)->exit_recovery(c);
}

void
tcp_cc_timeout(struct dtcp_conn *c, bool first)
{
	cc_ops(c)->timeout(c, first);
}

void
tcp_cc_after_idle(struct dtcp_conn *c)
{
	const struct tcp_cc_ops *ops = cc_ops(c);

	/* RFC 5681 section 4.1 (and RFC 6928 section 2): restart from no more than IW. */
	c->cwnd = RTE_MIN(c->cwnd, tcp_cc_initial_window(c));
	ops->after_idle(c);
}
