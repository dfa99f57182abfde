/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUBIC (RFC 9438), with C = 0.4 and beta_cubic = 0.7, fast convergence on.
 *
 * Outside slow start the window follows (section 4.2)
 *
 *	W_cubic(t) = C * (t - K)^3 + W_max		(segments, t in seconds)
 *	K = cbrt((W_max - cwnd_epoch) / C)
 *
 * where t runs from the start of the congestion avoidance stage (the first
 * ACK with cwnd >= ssthresh after a reduction) and cwnd_epoch is cwnd then.
 * Per ACK:
 *  - W_est, the window Reno would have, grows by alpha_cubic * acked / cwnd
 *    segments, alpha_cubic = 3 * (1 - beta) / (1 + beta) = 9/17, or 1 once
 *    W_est reaches cwnd_prior (section 4.3);
 *  - if W_cubic(t) < W_est the stage is in the Reno-friendly region and cwnd
 *    follows W_est (never shrinking on an ACK);
 *  - otherwise (concave and convex regions, sections 4.4 and 4.5) cwnd grows
 *    by (target - cwnd) / cwnd per SMSS acknowledged, with target =
 *    W_cubic(t + RTT) clamped to [cwnd, 1.5 * cwnd], so by at most half a
 *    window per round trip.
 * On loss (section 4.6) ssthresh = max(FlightSize * 0.7, 2 SMSS) and
 * cwnd = ssthresh; W_max becomes cwnd before the reduction, or 0.85 of it
 * when that is below the previous W_max (fast convergence, section 4.7).
 * After a timeout (section 4.8) ssthresh is set the same way, cwnd = 1 SMSS,
 * and the next congestion avoidance stage starts with K = 0 and W_max =
 * W_est = cwnd at its start. The same start is taken whenever a stage would
 * start at or above W_max (a connection switched to CUBIC, or back from
 * idle), where the cube root would otherwise be of a negative number.
 * Spurious-loss undo (section 4.9) and HyStart++ are not implemented.
 *
 * Integer arithmetic only. Windows are bytes, so "C segments" is C * SMSS
 * bytes. Time is in ticks of 1/4096 s (244 us), converted from the lcore's
 * microsecond clock and from srtt_us; t - K is bounded to +-(2^21 - 1)
 * ticks (512 s) so (t - K)^3 fits 63 bits. Precision:
 *  - K: floor of an exact integer cube root of (W_max - cwnd_epoch) /
 *    (C * SMSS) expressed in ticks^3, so within one tick below the real K
 *    (also capped at 512 s);
 *  - W_cubic(t) for a given tick: within 1 byte (the cube is divided down
 *    in two integer steps, each truncating less than half a byte);
 *  - t itself is truncated to the tick, which moves W_cubic by at most
 *    3 * C * SMSS * (t - K)^2 / 4096 bytes: ~17 bytes at |t - K| = 5 s and
 *    an SMSS of 1448;
 *  - W_est keeps 10 fractional bits, cwnd growth carries its remainder to
 *    the next ACK, so no growth is lost to rounding however small each step.
 */
#include <rte_common.h>

#include "core/lcore.h"
#include "tcp/tcp.h"

#define CUBIC_HZ_SHIFT	12 /* ticks per second = 2^12 */
#define CUBIC_MAX_TICKS ((1u << 21) - 1)
/* C = 0.4 = 2/5; beta_cubic = 0.7 = 7/10; (1 + beta) / 2 = 17/20; alpha = 9/17. */
#define CUBIC_C_NUM	  2u
#define CUBIC_C_DEN	  5u
#define CUBIC_BETA_NUM	  7u
#define CUBIC_BETA_DEN	  10u
#define CUBIC_FC_NUM	  17u
#define CUBIC_FC_DEN	  20u
#define CUBIC_ALPHA_NUM	  9u
#define CUBIC_ALPHA_DEN	  17u
#define CUBIC_W_EST_SHIFT 10

/*
 * floor(cbrt(x)), exactly: the binary digit-by-digit method, one result bit
 * per 3 bits of x (22 rounds for 64 bits). With y the root so far, the next
 * bit is set when (2y + 1)^3 - (2y)^3 = 3 * 2y * (2y + 1) + 1, scaled to the
 * current position, still fits in what is left of x.
 */
static uint32_t
cubic_cbrt(uint64_t x)
{
	uint64_t y = 0;

	for (int s = 63; s >= 0; s -= 3) {
		uint64_t b;

		y <<= 1;
		b = 3 * y * (y + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return (uint32_t)y;
}

/* Microseconds to ticks, saturating at CUBIC_MAX_TICKS. */
static uint32_t
cubic_ticks(uint64_t us)
{
	if (us >= ((uint64_t)CUBIC_MAX_TICKS * 1000000) >> CUBIC_HZ_SHIFT)
		return CUBIC_MAX_TICKS;
	return (uint32_t)((us << CUBIC_HZ_SHIFT) / 1000000);
}

/* K = cbrt((W_max - cwnd_epoch) / (C * SMSS)) seconds, in ticks. */
static uint32_t
cubic_k(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss)
{
	uint64_t d, q28;

	if (w_max <= cwnd_epoch)
		return 0;
	d = w_max - cwnd_epoch; /* < 2^32 */
	/* d / (C * mss) in units of 2^-28 s^3 (d * 5 < 2^35, so the shift fits). */
	q28 = ((d * CUBIC_C_DEN) << 28) / (CUBIC_C_NUM * (uint64_t)mss);
	/* In ticks^3 (2^-36 s^3) that is q28 << 8, which must stay below 2^63. */
	if (q28 >= 1ull << 55)
		return CUBIC_MAX_TICKS;
	return RTE_MIN(cubic_cbrt(q28 << 8), (uint32_t)CUBIC_MAX_TICKS);
}

/* W_cubic(t) in bytes, t in ticks since the epoch. */
static uint32_t
cubic_w(const struct tcp_cc_cubic *cu, uint32_t t, uint32_t mss)
{
	int64_t d = (int64_t)t - (int64_t)cu->k;
	uint64_t ad = d < 0 ? (uint64_t)-d : (uint64_t)d;
	uint64_t cube, delta, w;

	if (ad > CUBIC_MAX_TICKS)
		ad = CUBIC_MAX_TICKS;
	cube = ad * ad * ad; /* ticks^3 = 2^-36 s^3, < 2^63 */
	/* C * mss * cube / 2^36 bytes, as (cube / 2^20) * C * mss / 2^16. */
	delta = ((cube >> 20) * CUBIC_C_NUM * mss) / ((uint64_t)CUBIC_C_DEN << 16);
	if (d < 0)
		return delta < cu->w_max ? cu->w_max - (uint32_t)delta : 0;
	w = cu->w_max + delta;
	return w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
}

static void
cubic_init(struct dtcp_conn *c)
{
	c->cc.cubic = (struct tcp_cc_cubic){0};
}

/* A congestion avoidance stage starts with this ACK (section 4.2, 4.3 and 4.8). */
static void
cubic_start_epoch(struct dtcp_conn *c)
{
	struct tcp_cc_cubic *cu = &c->cc.cubic;

	cu->in_epoch = true;
	cu->epoch_us = c->lc->now_us;
	cu->grow_acc = 0;
	cu->w_est_q10 = (uint64_t)c->cwnd << CUBIC_W_EST_SHIFT;
	if (cu->after_rto || c->cwnd >= cu->w_max) {
		cu->w_max = c->cwnd;
		cu->k = 0;
		cu->after_rto = false;
	} else {
		cu->k = cubic_k(cu->w_max, c->cwnd, c->snd_mss);
	}
}

static void
cubic_cong_avoid(struct dtcp_conn *c, uint32_t acked)
{
	struct tcp_cc_cubic *cu = &c->cc.cubic;
	uint32_t mss = c->snd_mss, cwnd = c->cwnd, t, w_t, w_est, target, alpha;
	uint64_t inc, max_target = (uint64_t)cwnd + cwnd / 2, w_est_max;

	if (!cu->in_epoch)
		cubic_start_epoch(c);
	/* What one ACK can stand for: a stretch ACK grows the window by one window's worth. */
	acked = RTE_MIN(acked, cwnd);
	t = c->lc->now_us > cu->epoch_us ? cubic_ticks(c->lc->now_us - cu->epoch_us) : 0;

	/* Section 4.3: the Reno-friendly estimate. */
	alpha = (cu->w_est_q10 >> CUBIC_W_EST_SHIFT) >= cu->cwnd_prior ? CUBIC_ALPHA_DEN
								       : CUBIC_ALPHA_NUM;
	cu->w_est_q10 += (((uint64_t)acked * mss * alpha) << CUBIC_W_EST_SHIFT) /
			 ((uint64_t)CUBIC_ALPHA_DEN * cwnd);
	/*
	 * Not more than half a window ahead of cwnd: while something else holds
	 * cwnd down (the peer's window, see tcp_cc_ack()) W_est must not run
	 * away and later lift cwnd in one jump.
	 */
	w_est_max = RTE_MIN(max_target, (uint64_t)UINT32_MAX) << CUBIC_W_EST_SHIFT;
	if (cu->w_est_q10 > w_est_max)
		cu->w_est_q10 = w_est_max;
	w_est = (uint32_t)(cu->w_est_q10 >> CUBIC_W_EST_SHIFT);

	w_t = cubic_w(cu, t, mss);
	if (w_t < w_est) {
		if (w_est > cwnd)
			c->cwnd = w_est;
		return;
	}

	/* Sections 4.4 and 4.5: towards W_cubic(t + RTT), by at most half a window per RTT. */
	target = cubic_w(cu, t + cubic_ticks(c->srtt_us), mss);
	if (target < cwnd)
		target = cwnd;
	else if (target > max_target)
		target = (uint32_t)max_target;
	cu->grow_acc += (uint64_t)(target - cwnd) * acked;
	inc = cu->grow_acc / cwnd;
	cu->grow_acc -= inc * cwnd;
	c->cwnd = (uint32_t)RTE_MIN((uint64_t)cwnd + inc, (uint64_t)UINT32_MAX);
}

/* Section 4.6: ssthresh = max(FlightSize * beta_cubic, 2 SMSS). */
static void
cubic_reduce_ssthresh(struct dtcp_conn *c)
{
	uint64_t flight = c->snd_max - c->snd_una;

	c->cc.cubic.cwnd_prior = c->cwnd;
	c->ssthresh = tcp_cc_ssthresh_floor(c, flight * CUBIC_BETA_NUM / CUBIC_BETA_DEN);
}

static void
cubic_congestion(struct dtcp_conn *c)
{
	struct tcp_cc_cubic *cu = &c->cc.cubic;

	/* Section 4.7: a window that stopped short of the last W_max gives way. */
	if (c->cwnd < cu->w_max)
		cu->w_max = (uint32_t)((uint64_t)c->cwnd * CUBIC_FC_NUM / CUBIC_FC_DEN);
	else
		cu->w_max = c->cwnd;
	cubic_reduce_ssthresh(c);
	c->cwnd = c->ssthresh;
	cu->in_epoch = false;
	cu->after_rto = false;
}

static void
cubic_exit_recovery(struct dtcp_conn *c)
{
	c->cwnd = c->ssthresh;
	c->cc.cubic.in_epoch = false; /* the next ACK starts the stage */
}

static void
cubic_timeout(struct dtcp_conn *c, bool first)
{
	struct tcp_cc_cubic *cu = &c->cc.cubic;

	if (first)
		cubic_reduce_ssthresh(c);
	c->cwnd = c->snd_mss;
	cu->in_epoch = false;
	cu->after_rto = true; /* W_max and K are set when congestion avoidance resumes */
}

static void
cubic_after_idle(struct dtcp_conn *c)
{
	/* The idle time is not part of t: a new stage starts with the next ACK. */
	c->cc.cubic.in_epoch = false;
}

const struct tcp_cc_ops tcp_cc_cubic_ops = {
	.name = "cubic",
	.algo = DTCP_CC_CUBIC,
	.init = cubic_init,
	.cong_avoid = cubic_cong_avoid,
	.congestion = cubic_congestion,
	.exit_recovery = cubic_exit_recovery,
	.timeout = cubic_timeout,
	.after_idle = cubic_after_idle,
};
