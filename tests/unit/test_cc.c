/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control (lib/tcp/tcp_cc*.c) driven through the hooks the TCP
 * code calls, on a bare struct dtcp_conn whose lcore is a zeroed struct
 * dtcp_lcore (only now_us and the stack's config are read) — no EAL.
 *
 * NewReno is checked byte for byte. CUBIC's K and W_cubic(t) are checked
 * against RFC 9438's formulas evaluated here in double precision, within
 * the error the integer implementation documents: K within one tick
 * (1/4096 s) and W_cubic within 2 bytes plus the slope of the curve times
 * one tick (what K's truncation can move it by).
 */
#include <math.h>
#include <string.h>

#include <dtcp/dtcp_config.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "dtcp_test.h"
#include "tcp/tcp.h"

#define MSS  1448u
#define T0   1000000000ull /* the lcore clock at the start, us */
#define TICK (1.0 / 4096)  /* CUBIC's time unit, s */

/* RFC 9438 constants, written here from the RFC rather than taken from the code. */
static const double C = 0.4, BETA = 0.7;

static struct dtcp_stack stack;
static struct dtcp_lcore lcore;
static struct dtcp_conn conn;

/* An established connection with nothing in flight, [tcp] as in @p cfg_iw / @p algo. */
static struct dtcp_conn *
setup(enum dtcp_cc_algo algo, uint16_t mss, uint16_t iw)
{
	memset(&stack, 0, sizeof(stack));
	dtcp_config_init(&stack.cfg);
	stack.cfg.tcp_congestion_control = algo;
	stack.cfg.tcp_initial_window = iw;
	memset(&lcore, 0, sizeof(lcore));
	lcore.stack = &stack;
	lcore.now_us = T0;
	memset(&conn, 0, sizeof(conn));
	conn.lc = &lcore;
	conn.snd_mss = mss;
	conn.max_snd_wnd = 1u << 30; /* the peer's window never binds unless a test says so */
	conn.snd_una = conn.snd_nxt = conn.snd_max = 0x7ffff000u; /* wraps during the tests */
	tcp_cc_init(&conn);
	return &conn;
}

/* Put @p bytes in flight. */
static void
send_bytes(struct dtcp_conn *c, uint32_t bytes)
{
	c->snd_max += bytes;
	c->snd_nxt = c->snd_max;
}

/* The peer acknowledges @p bytes (new data, outside recovery). */
static void
ack_bytes(struct dtcp_conn *c, uint32_t bytes)
{
	tcp_cc_ack(c, bytes);
	c->snd_una += bytes;
}

/*
 * One round trip: the window's worth of data is sent, then acknowledged in
 * ACKs of @p per_ack bytes spread evenly over @p rtt_us. Returns cwnd after.
 */
static uint32_t
round_trip(struct dtcp_conn *c, uint32_t per_ack, uint64_t rtt_us)
{
	uint32_t w = c->cwnd, n = (w + per_ack - 1) / per_ack;
	uint64_t start = c->lc->now_us;

	send_bytes(c, w);
	for (uint32_t i = 0; i < n; i++) {
		c->lc->now_us = start + rtt_us * (i + 1) / n;
		ack_bytes(c, RTE_MIN(per_ack, w - i * per_ack));
	}
	return c->cwnd;
}

/* Set cwnd with that much in flight, then signal a loss by duplicate ACKs. */
static void
loss_at(struct dtcp_conn *c, uint32_t cwnd)
{
	c->cwnd = cwnd;
	c->snd_una = c->snd_max - cwnd;
	tcp_cc_enter_recovery(c);
}

/* Recovery ended with everything acknowledged; the next ACK starts a stage at now. */
static void
recover(struct dtcp_conn *c)
{
	tcp_cc_exit_recovery(c);
	c->snd_una = c->snd_max;
}

/* ---------------------------------------------------------------- shared */

static uint32_t
iw_of(uint16_t mss, uint16_t n)
{
	return setup(DTCP_CC_NEWRENO, mss, n)->cwnd;
}

/* RFC 6928 for [tcp] initial_window = 10, and the generalisation for other N. */
static void
test_initial_window(void)
{
	struct dtcp_conn *c;

	CHECK_EQ(iw_of(1448, 10), 14480);
	CHECK_EQ(iw_of(1460, 10), 14600);
	CHECK_EQ(iw_of(536, 10), 5360);	  /* 10 segments */
	CHECK_EQ(iw_of(1500, 10), 14600); /* 14600 bytes: 9.7 segments */
	CHECK_EQ(iw_of(8960, 10), 17920); /* jumbo: 2 segments */
	CHECK_EQ(iw_of(1448, 1), 1448);
	CHECK_EQ(iw_of(1448, 2), 2896);
	CHECK_EQ(iw_of(1460, 3), 4380); /* RFC 3390 */
	CHECK_EQ(iw_of(1460, 4), 5840);
	CHECK_EQ(iw_of(1448, 64), 64 * 1448);
	CHECK_EQ(iw_of(1500, 64), 64 * 1460);
	/* Either algorithm; ssthresh starts arbitrarily high (RFC 5681 section 3.1). */
	c = setup(DTCP_CC_CUBIC, MSS, 10);
	CHECK(c->cc_ops == &tcp_cc_cubic_ops);
	CHECK_EQ(c->cwnd, 14480);
	CHECK_EQ(c->ssthresh, UINT32_MAX);
	c = setup(DTCP_CC_NEWRENO, MSS, 10);
	CHECK(c->cc_ops == &tcp_cc_newreno_ops);
	/* An algorithm chosen before the handshake survives tcp_cc_init(). */
	memset(&conn, 0, sizeof(conn));
	conn.lc = &lcore;
	conn.snd_mss = MSS;
	tcp_cc_set_ops(&conn, &tcp_cc_cubic_ops);
	tcp_cc_init(&conn);
	CHECK(conn.cc_ops == &tcp_cc_cubic_ops);
	CHECK_EQ(conn.cwnd, 14480);
	CHECK(tcp_cc_ops_by_name("cubic") == &tcp_cc_cubic_ops);
	CHECK(tcp_cc_ops_by_name("newreno") == &tcp_cc_newreno_ops);
	CHECK(tcp_cc_ops_by_name("reno") == NULL);
	CHECK(tcp_cc_ops_of((enum dtcp_cc_algo)7) == NULL);
}

/* RFC 3465 with L = 1 SMSS: an ACK grows cwnd by what it acknowledges, at most one SMSS. */
static void
test_slow_start(void)
{
	for (int a = 0; a < 2; a++) {
		struct dtcp_conn *c = setup(a ? DTCP_CC_CUBIC : DTCP_CC_NEWRENO, MSS, 10);

		send_bytes(c, 14480);
		ack_bytes(c, MSS);
		CHECK_EQ(c->cwnd, 14480 + MSS);
		ack_bytes(c, 2 * MSS); /* a delayed ACK for two segments */
		CHECK_EQ(c->cwnd, 14480 + 2 * MSS);
		ack_bytes(c, 500);
		CHECK_EQ(c->cwnd, 14480 + 2 * MSS + 500);
		/* One full round of per-segment ACKs doubles the window. */
		c->cwnd = 10 * MSS;
		CHECK_EQ(round_trip(c, MSS, 1000), 20 * MSS);
		CHECK_EQ(c->ssthresh, UINT32_MAX);
	}
}

/* Growth stops at twice the larger of the peer's largest window and 10 SMSS. */
static void
test_growth_cap(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_NEWRENO, MSS, 10);

	c->max_snd_wnd = 10000; /* below 10 SMSS: the 10 SMSS bound applies */
	for (int i = 0; i < 5; i++)
		round_trip(c, MSS, 1000);
	CHECK_EQ(c->cwnd, 2 * 10 * MSS);
	c = setup(DTCP_CC_CUBIC, MSS, 10);
	c->max_snd_wnd = 65535;
	for (int i = 0; i < 5; i++)
		round_trip(c, MSS, 1000);
	CHECK_EQ(c->cwnd, 2 * 65535);
}

/* Restart after idle: min(cwnd, IW), the same IW as at the start. */
static void
test_after_idle(void)
{
	for (int a = 0; a < 2; a++) {
		enum dtcp_cc_algo algo = a ? DTCP_CC_CUBIC : DTCP_CC_NEWRENO;
		struct dtcp_conn *c = setup(algo, MSS, 10);

		c->cwnd = 50 * MSS;
		tcp_cc_after_idle(c);
		CHECK_EQ(c->cwnd, 10 * MSS);
		c->cwnd = 5 * MSS;
		tcp_cc_after_idle(c);
		CHECK_EQ(c->cwnd, 5 * MSS);
		c = setup(algo, MSS, 4);
		c->cwnd = 50 * MSS;
		tcp_cc_after_idle(c);
		CHECK_EQ(c->cwnd, 4 * MSS);
	}
}

/* DTCP_OPT_CONGESTION's effect: the new algorithm starts from the same cwnd and ssthresh. */
static void
test_switch_keeps_window(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_NEWRENO, MSS, 10);

	send_bytes(c, 40 * MSS);
	loss_at(c, 40 * MSS);
	recover(c);
	round_trip(c, MSS, 10000);
	CHECK_EQ(c->cwnd, 21 * MSS);
	tcp_cc_set_ops(c, &tcp_cc_cubic_ops);
	CHECK_EQ(c->cwnd, 21 * MSS);
	CHECK_EQ(c->ssthresh, 20 * MSS);
	/* CUBIC's first stage then starts at cwnd with nothing above it: K = 0, W_max = cwnd. */
	send_bytes(c, MSS);
	ack_bytes(c, MSS);
	CHECK(c->cc.cubic.in_epoch);
	CHECK_EQ(c->cc.cubic.k, 0);
	CHECK_EQ(c->cc.cubic.w_max, 21 * MSS);
	CHECK(c->cwnd >= 21 * MSS);
	tcp_cc_set_ops(c, &tcp_cc_newreno_ops);
	CHECK_EQ(c->cc.newreno.bytes_acked, 0);
}

/* -------------------------------------------------------------- NewReno */

/* Congestion avoidance: exactly one SMSS per window acknowledged, however it is acked. */
static void
test_newreno_congestion_avoidance(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_NEWRENO, MSS, 10);

	c->cwnd = c->ssthresh = 20 * MSS;
	send_bytes(c, 20 * MSS);
	for (int i = 0; i < 19; i++) {
		ack_bytes(c, MSS);
		CHECK_EQ(c->cwnd, 20 * MSS); /* not before a whole window is acknowledged */
	}
	ack_bytes(c, MSS);
	CHECK_EQ(c->cwnd, 21 * MSS);
	/* Ten more rounds: per-segment ACKs, then delayed ACKs, then odd-sized ones. */
	for (int i = 0; i < 4; i++)
		round_trip(c, MSS, 10000);
	CHECK_EQ(c->cwnd, 25 * MSS);
	for (int i = 0; i < 3; i++)
		round_trip(c, 2 * MSS, 10000);
	CHECK_EQ(c->cwnd, 28 * MSS);
	for (int i = 0; i < 3; i++)
		round_trip(c, 1000, 10000);
	CHECK_EQ(c->cwnd, 31 * MSS);
	/* A stretch ACK for three windows is still one step. */
	send_bytes(c, 3 * c->cwnd);
	ack_bytes(c, 3 * 31 * MSS);
	CHECK_EQ(c->cwnd, 32 * MSS);
	CHECK(c->cc.newreno.bytes_acked < c->cwnd);
}

/* Fast retransmit: ssthresh = max(FlightSize / 2, 2 SMSS), cwnd = ssthresh, also after. */
static void
test_newreno_recovery_halves(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_NEWRENO, MSS, 10);

	send_bytes(c, 30 * MSS);
	loss_at(c, 30 * MSS);
	CHECK_EQ(c->ssthresh, 15 * MSS);
	CHECK_EQ(c->cwnd, 15 * MSS);
	c->cwnd += 3 * MSS; /* the recovery code's inflation */
	recover(c);
	CHECK_EQ(c->cwnd, 15 * MSS);
	/* FlightSize, not cwnd: an application-limited sender halves what it had out. */
	c->cwnd = 40 * MSS;
	send_bytes(c, 10 * MSS);
	tcp_cc_enter_recovery(c);
	CHECK_EQ(c->ssthresh, 5 * MSS);
	CHECK_EQ(c->cwnd, 5 * MSS);
	recover(c);
	/* The floor: two segments. */
	send_bytes(c, 3 * MSS);
	tcp_cc_enter_recovery(c);
	CHECK_EQ(c->ssthresh, 2 * MSS);
	CHECK_EQ(c->cwnd, 2 * MSS);
}

/* RTO: cwnd = 1 SMSS; ssthresh = max(FlightSize / 2, 2 SMSS) on the first timeout only. */
static void
test_newreno_timeout(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_NEWRENO, MSS, 10);

	c->cwnd = 40 * MSS;
	send_bytes(c, 40 * MSS);
	tcp_cc_timeout(c, true);
	CHECK_EQ(c->cwnd, MSS);
	CHECK_EQ(c->ssthresh, 20 * MSS);
	tcp_cc_timeout(c, false); /* the retransmission timed out too */
	CHECK_EQ(c->cwnd, MSS);
	CHECK_EQ(c->ssthresh, 20 * MSS);
	/* Slow start again: 1, 2, 4, ... segments, then linear from ssthresh. */
	c->snd_una = c->snd_max;
	CHECK_EQ(round_trip(c, MSS, 10000), 2 * MSS);
	CHECK_EQ(round_trip(c, MSS, 10000), 4 * MSS);
	CHECK_EQ(round_trip(c, MSS, 10000), 8 * MSS);
	CHECK_EQ(round_trip(c, MSS, 10000), 16 * MSS);
	CHECK_EQ(round_trip(c, MSS, 10000), 20 * MSS); /* 16 + 4 to ssthresh, then CA */
	CHECK_EQ(round_trip(c, MSS, 10000), 21 * MSS);
}

/* ---------------------------------------------------------------- CUBIC */

/* K = cbrt((W_max - cwnd_epoch) / C), in seconds, windows in segments (RFC 9438 4.2). */
static double
rfc_k(double w_max_seg, double epoch_seg)
{
	return cbrt((w_max_seg - epoch_seg) / C);
}

/* W_cubic(t) in segments (RFC 9438 figure 1). */
static double
rfc_w(double t, double k, double w_max_seg)
{
	return C * (t - k) * (t - k) * (t - k) + w_max_seg;
}

/* Bytes W_cubic can move by when t moves by one tick around @p t. */
static double
one_tick_slope(double t, double k, uint32_t mss)
{
	double d = fabs(t - k) + TICK;

	return 3 * C * d * d * TICK * mss;
}

/* Multiplicative decrease: beta_cubic = 0.7 of FlightSize, W_max = cwnd before the cut. */
static void
test_cubic_reduction(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_CUBIC, MSS, 10);

	send_bytes(c, 100 * MSS);
	loss_at(c, 100 * MSS);
	CHECK_EQ(c->ssthresh, (uint32_t)(100 * MSS * BETA + 0.5));
	CHECK_EQ(c->ssthresh, 70 * MSS);
	CHECK_EQ(c->cwnd, 70 * MSS);
	CHECK_EQ(c->cc.cubic.w_max, 100 * MSS);
	CHECK_EQ(c->cc.cubic.cwnd_prior, 100 * MSS);
	recover(c);
	CHECK_EQ(c->cwnd, 70 * MSS);
	/* FlightSize below cwnd: ssthresh from the flight, W_max still from cwnd. */
	c = setup(DTCP_CC_CUBIC, MSS, 10);
	c->cwnd = 100 * MSS;
	send_bytes(c, 50 * MSS);
	tcp_cc_enter_recovery(c);
	CHECK_EQ(c->ssthresh, 35 * MSS);
	CHECK_EQ(c->cwnd, 35 * MSS);
	CHECK_EQ(c->cc.cubic.w_max, 100 * MSS);
	/* At least two segments. */
	c = setup(DTCP_CC_CUBIC, MSS, 10);
	send_bytes(c, 2 * MSS);
	loss_at(c, 2 * MSS);
	CHECK_EQ(c->ssthresh, 2 * MSS);
	CHECK_EQ(c->cwnd, 2 * MSS);
	/* Odd sizes round down: 0.7 * 10007 = 7004.9. */
	c = setup(DTCP_CC_CUBIC, MSS, 10);
	send_bytes(c, 10007);
	loss_at(c, 10007);
	CHECK_EQ(c->ssthresh, 7004);
}

/* Fast convergence (4.7): a loss below the previous W_max remembers (1 + beta) / 2 of cwnd. */
static void
test_cubic_fast_convergence(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_CUBIC, MSS, 10);

	send_bytes(c, 200 * MSS);
	loss_at(c, 100 * MSS);
	CHECK_EQ(c->cc.cubic.w_max, 100 * MSS);
	recover(c);
	send_bytes(c, 80 * MSS);
	loss_at(c, 80 * MSS);		    /* short of W_max: another flow took bandwidth */
	CHECK_EQ(c->cc.cubic.w_max, 98464); /* 115840 * (1 + 0.7) / 2 */
	CHECK_EQ(c->ssthresh, 56 * MSS);
	recover(c);
	send_bytes(c, 120 * MSS);
	loss_at(c, 120 * MSS); /* past it: W_max is cwnd */
	CHECK_EQ(c->cc.cubic.w_max, 120 * MSS);
	CHECK_EQ(c->ssthresh, 84 * MSS);
}

/* K against the RFC's formula for a spread of windows and segment sizes. */
static void
test_cubic_k(void)
{
	static const struct {
		uint32_t cwnd;
		uint16_t mss;
	} cases[] = {
		{100 * 1448, 1448},   {10 * 1448, 1448},     {1000 * 1448, 1448},
		{20 * 536, 536},      {5000 * 536, 536},     {64 * 8960, 8960},
		{3000000, 1448},      {4000000000u, 536},    {4000000000u, 1460},
		{2 * 1448 + 3, 1448}, {100000 * 1448, 1448}, {7 * 65535, 65535},
	};

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct dtcp_conn *c = setup(DTCP_CC_CUBIC, cases[i].mss, 10);
		double k, got;
		uint32_t epoch;

		send_bytes(c, cases[i].cwnd);
		loss_at(c, cases[i].cwnd);
		recover(c);
		epoch = c->cwnd;
		send_bytes(c, cases[i].mss);
		ack_bytes(c, cases[i].mss); /* starts the stage */
		CHECK(c->cc.cubic.in_epoch);
		CHECK_EQ(c->cc.cubic.w_max, cases[i].cwnd);
		k = rfc_k((double)cases[i].cwnd / cases[i].mss, (double)epoch / cases[i].mss);
		got = c->cc.cubic.k * TICK;
		/* Truncated to the tick below. */
		if (!(got <= k + 1e-9 && got > k - TICK - 1e-6)) {
			fprintf(stderr, "case %zu: K %.6f s, want %.6f s\n", i, got, k);
			CHECK(0);
		}
	}
}

/*
 * W_cubic(t): after a loss at 100 segments, with an RTT of 1/8 s, an ACK for
 * a whole window at time t moves cwnd to W_cubic(t + RTT) when that lies in
 * [cwnd, 1.5 cwnd] (the concave region below K, the plateau at K, the convex
 * region beyond), and to 1.5 cwnd when W_cubic is above that.
 */
static void
w_of_t(uint16_t mss)
{
	struct dtcp_conn *c = setup(DTCP_CC_CUBIC, mss, 10);
	/* Whole ticks (multiples of 1/8 s), so only K's truncation and rounding are in play. */
	static const double probes[] = {0.25,  0.5, 1.0,   1.5,	 2.0, 2.5, 3.0,	 3.5,
					3.875, 4.0, 4.125, 4.25, 4.5, 5.0, 5.5,	 6.0,
					6.5,   7.0, 7.5,   8.0,	 8.5, 9.0, 10.0, 12.0};
	const double rtt = 0.125;
	double k, w_max = 100;
	int clamped = 0;

	c->srtt_us = 125000;
	send_bytes(c, 100 * mss);
	loss_at(c, 100 * mss);
	recover(c);
	k = rfc_k(w_max, 70);
	send_bytes(c, mss);
	ack_bytes(c, mss); /* the stage starts at T0 */
	for (size_t i = 0; i < RTE_DIM(probes); i++) {
		double t = probes[i], want = rfc_w(t + rtt, k, w_max) * mss;
		double lo = c->cwnd, hi = (double)c->cwnd + c->cwnd / 2;
		double tol = 2 + one_tick_slope(t + rtt, k, mss);
		double w_est = (double)(c->cc.cubic.w_est_q10 >> 10);

		/* The Reno-friendly estimate stays below the curve here. */
		CHECK(w_est < rfc_w(t, k, w_max) * mss);
		if (want < lo)
			want = lo;
		if (want > hi) {
			want = hi;
			tol = 0.5; /* the clamp is exact */
			clamped++;
		}
		c->lc->now_us = T0 + (uint64_t)(t * 1e6);
		send_bytes(c, c->cwnd);
		ack_bytes(c, c->cwnd);
		if (fabs(c->cwnd - want) > tol) {
			fprintf(stderr, "mss %u t %.3f s: cwnd %u, want %.1f +- %.1f\n", mss, t,
				c->cwnd, want, tol);
			CHECK(0);
		}
	}
	/* The last probes, far into the convex region, were held to 1.5 cwnd. */
	CHECK(clamped >= 1);
}

static void
test_cubic_w_of_t(void)
{
	w_of_t(1448);
	w_of_t(536);
	w_of_t(9000);
}

/*
 * However far the curve runs ahead (convex region, seconds after K), cwnd
 * grows by at most half of itself per round trip, whatever the ACK pattern.
 */
static void
test_cubic_growth_bounded(void)
{
	static const uint32_t per_ack[] = {MSS, 2 * MSS, 1000, 64 * 1024};

	for (size_t p = 0; p < RTE_DIM(per_ack); p++) {
		struct dtcp_conn *c = setup(DTCP_CC_CUBIC, MSS, 10);

		c->srtt_us = 20000;
		send_bytes(c, 100 * MSS);
		loss_at(c, 100 * MSS);
		recover(c);
		send_bytes(c, MSS);
		ack_bytes(c, MSS);
		c->lc->now_us += 30 * 1000000ull; /* W_cubic: ~6,600 segments above W_max */
		for (int r = 0; r < 8; r++) {
			uint32_t before = c->cwnd, after = round_trip(c, per_ack[p], 20000);

			CHECK(after <= before + before / 2);
			CHECK(after >= before + before / 2 - before / 20); /* and it does run */
		}
	}
}

/*
 * While the peer's window holds cwnd down (to twice its largest window), the
 * Reno-friendly estimate does not run away: when the window opens, cwnd
 * grows by about half a window in the next round trip, not by everything
 * W_est would have accumulated in 200 capped ones.
 */
static void
test_cubic_capped_no_jump(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_CUBIC, MSS, 10);
	uint32_t before;

	c->srtt_us = 1000;
	send_bytes(c, 60 * MSS);
	loss_at(c, 60 * MSS);
	recover(c);
	c->max_snd_wnd = 25 * MSS;
	for (int r = 0; r < 200; r++)
		round_trip(c, MSS, 1000);
	CHECK_EQ(c->cwnd, 50 * MSS);
	CHECK((c->cc.cubic.w_est_q10 >> 10) <= 75 * MSS);
	c->max_snd_wnd = 1u << 30;
	before = c->cwnd;
	round_trip(c, MSS, 1000);
	CHECK(c->cwnd <= before + before / 2 + MSS);
}

/*
 * Short RTT and a small window: the cubic curve hardly moves in a few
 * milliseconds, so the Reno-friendly region governs: cwnd follows W_est,
 * alpha_cubic = 9/17 segment per RTT until W_est reaches cwnd_prior, 1 after.
 */
static void
test_cubic_reno_friendly(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_CUBIC, MSS, 10);
	uint32_t start, w;
	double k = rfc_k(20, 14), t;

	c->srtt_us = 1000;
	send_bytes(c, 20 * MSS);
	loss_at(c, 20 * MSS);
	recover(c);
	CHECK_EQ(c->cwnd, 14 * MSS);
	/* Reno-friendly from the first round: 9/17 segment per round trip. */
	start = c->cwnd;
	for (int r = 0; r < 10; r++)
		round_trip(c, MSS, 1000);
	w = c->cwnd;
	CHECK(fabs((double)(w - start) - 10 * MSS * 9.0 / 17) <= MSS / 4);
	t = (double)(c->lc->now_us - T0) / 1e6;
	CHECK(w > rfc_w(t, k, 20) * MSS + 4 * MSS); /* well above the cubic curve */
	CHECK_EQ(c->cwnd, (uint32_t)(c->cc.cubic.w_est_q10 >> 10));
	/* Until W_est reaches cwnd_prior (20 segments)... */
	while (c->cwnd < 20 * MSS)
		round_trip(c, MSS, 1000);
	/* ...then Reno's one segment per round trip. */
	start = c->cwnd;
	for (int r = 0; r < 20; r++)
		round_trip(c, MSS, 1000);
	CHECK(fabs((double)(c->cwnd - start) - 20.0 * MSS) <= MSS / 2);
	t = (double)(c->lc->now_us - T0) / 1e6;
	CHECK(t < 0.1);
	CHECK(c->cwnd > rfc_w(t, k, 20) * MSS + 20 * MSS);
}

/*
 * Timeout (4.8): ssthresh = 0.7 FlightSize on the first, cwnd = 1 SMSS, slow
 * start; the next stage starts with K = 0 and W_max = W_est = cwnd (not the
 * W_max of the loss before), so it follows cwnd_epoch + C * t^3.
 */
static void
test_cubic_timeout(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_CUBIC, MSS, 10);
	uint32_t epoch, before;
	double want;

	c->srtt_us = 125000;
	send_bytes(c, 150 * MSS); /* an earlier loss left W_max at 150 segments */
	loss_at(c, 150 * MSS);
	recover(c);
	CHECK_EQ(c->cc.cubic.w_max, 150 * MSS);
	c->cwnd = 100 * MSS;
	send_bytes(c, 100 * MSS);
	tcp_cc_timeout(c, true);
	CHECK_EQ(c->cwnd, MSS);
	CHECK_EQ(c->ssthresh, 70 * MSS);
	CHECK_EQ(c->cc.cubic.cwnd_prior, 100 * MSS);
	tcp_cc_timeout(c, false);
	CHECK_EQ(c->cwnd, MSS);
	CHECK_EQ(c->ssthresh, 70 * MSS);
	c->snd_una = c->snd_max;
	while (c->cwnd < c->ssthresh) {
		send_bytes(c, MSS);
		ack_bytes(c, MSS);
	}
	CHECK_EQ(c->cwnd, 70 * MSS);
	CHECK(!c->cc.cubic.in_epoch);
	epoch = c->cwnd;
	c->lc->now_us = T0;
	send_bytes(c, MSS);
	ack_bytes(c, MSS);
	CHECK_EQ(c->cc.cubic.k, 0);
	CHECK_EQ(c->cc.cubic.w_max, epoch);
	CHECK_EQ(c->cc.cubic.w_est_q10 >> 10, epoch + (uint32_t)(MSS * 9.0 / 17 * MSS / epoch));
	/* Two seconds on: W_cubic(2 + RTT) = 70 + 0.4 * 2.125^3 = 73.84 segments. */
	before = c->cwnd;
	c->lc->now_us = T0 + 2000000;
	send_bytes(c, before);
	ack_bytes(c, before);
	want = rfc_w(2.125, 0, (double)epoch / MSS) * MSS;
	CHECK(fabs(c->cwnd - want) <= 2 + one_tick_slope(2.125, 0, MSS));
}

/* Back from idle: the restart window, and a new stage (idle time is not part of t). */
static void
test_cubic_after_idle(void)
{
	struct dtcp_conn *c = setup(DTCP_CC_CUBIC, MSS, 10);
	uint32_t before;

	c->srtt_us = 125000;
	send_bytes(c, 12 * MSS);
	loss_at(c, 12 * MSS);
	recover(c);
	send_bytes(c, MSS);
	ack_bytes(c, MSS);
	CHECK(c->cc.cubic.in_epoch);
	CHECK_EQ(c->cc.cubic.epoch_us, T0);
	c->lc->now_us = T0 + 100 * 1000000ull; /* idle for 100 s */
	tcp_cc_after_idle(c);
	CHECK(c->cwnd <= 10 * MSS);
	CHECK(!c->cc.cubic.in_epoch);
	/* cwnd (8.4 segments) >= ssthresh: congestion avoidance, a stage starting now. */
	CHECK(c->cwnd >= c->ssthresh);
	before = c->cwnd;
	send_bytes(c, before);
	ack_bytes(c, before);
	CHECK_EQ(c->cc.cubic.epoch_us, T0 + 100 * 1000000ull);
	CHECK(c->cwnd < before + before / 4); /* not the 1.5x a 100 s old epoch would give */
}

int
main(void)
{
	RUN_TEST(test_initial_window);
	RUN_TEST(test_slow_start);
	RUN_TEST(test_growth_cap);
	RUN_TEST(test_after_idle);
	RUN_TEST(test_switch_keeps_window);
	RUN_TEST(test_newreno_congestion_avoidance);
	RUN_TEST(test_newreno_recovery_halves);
	RUN_TEST(test_newreno_timeout);
	RUN_TEST(test_cubic_reduction);
	RUN_TEST(test_cubic_fast_convergence);
	RUN_TEST(test_cubic_k);
	RUN_TEST(test_cubic_w_of_t);
	RUN_TEST(test_cubic_growth_bounded);
	RUN_TEST(test_cubic_reno_friendly);
	RUN_TEST(test_cubic_capped_no_jump);
	RUN_TEST(test_cubic_timeout);
	RUN_TEST(test_cubic_after_idle);
	return TEST_EXIT();
}
