/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control interface (tcp_cc.c).
 *
 * The loss-recovery code (tcp_recovery.c, tcp_input.c) decides *when* the
 * window changes: new data acknowledged, loss detected by duplicate ACKs or
 * SACK (entering fast recovery), recovery over, a retransmission timeout,
 * the connection coming back from idle. The algorithm decides *by how much*,
 * through the hooks below, with its own per-connection state in struct
 * tcp_cc_state. Algorithms: NewReno (RFC 5681, RFC 6582; tcp_cc_newreno.c)
 * and CUBIC (RFC 9438, the default; tcp_cc_cubic.c), chosen per connection
 * ([tcp] congestion_control, and DTCP_OPT_CONGESTION with
 * dtcp_conn_set_opt()).
 *
 * tcp_cc.c holds what every algorithm shares (the initial and restart
 * windows, slow start, the cap on growth past the peer's window) and
 * dispatches through c->cc_ops, a struct tcp_cc_ops. An algorithm keeps its
 * state in its member of the union in struct tcp_cc_state and reads cwnd,
 * ssthresh, snd_mss, the flight size (snd_max - snd_una), srtt_us and the
 * lcore's clock (c->lc->now_us); it never sends or arms timers.
 */
#ifndef DTCP_TCP_CC_H
#define DTCP_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

#include <dtcp/dtcp_config.h>

struct dtcp_conn;

/* NewReno: bytes acknowledged towards the next congestion avoidance step (RFC 3465). */
struct tcp_cc_newreno {
	uint32_t bytes_acked;
};

/*
 * CUBIC (RFC 9438). Windows in bytes; times in CUBIC ticks of 1/4096 s
 * (TCP_CUBIC_HZ), see tcp_cc_cubic.c for the arithmetic and its precision.
 */
struct tcp_cc_cubic {
	uint64_t epoch_us;   /* start of the current congestion avoidance stage */
	uint64_t w_est_q10;  /* Reno-friendly estimate W_est, bytes << 10 (section 4.3) */
	uint64_t grow_acc;   /* carry of (target - cwnd) * acked not yet a whole byte */
	uint32_t w_max;	     /* window before the last reduction, bytes (sections 4.6, 4.7) */
	uint32_t cwnd_prior; /* cwnd when ssthresh was last set (section 4.3's alpha switch) */
	uint32_t k;	     /* K in ticks (section 4.2) */
	bool in_epoch;	     /* epoch_us, k, w_est_q10 are set for this stage */
	bool after_rto;	     /* next stage starts with K = 0, W_max = cwnd (section 4.8) */
};

/** Per-connection state of whichever algorithm the connection uses. */
struct tcp_cc_state {
	union {
		struct tcp_cc_newreno newreno;
		struct tcp_cc_cubic cubic;
	};
};

/**
 * An algorithm. Every hook is mandatory; the dispatchers below do the shared
 * parts (see each) and call these for the rest.
 */
struct tcp_cc_ops {
	const char *name; /* as in [tcp] congestion_control */
	enum dtcp_cc_algo algo;
	/* Reset the algorithm's state only; cwnd and ssthresh are kept. */
	void (*init)(struct dtcp_conn *c);
	/* New data acknowledged outside recovery, cwnd >= ssthresh (slow start is shared). */
	void (*cong_avoid)(struct dtcp_conn *c, uint32_t acked);
	/* Loss detected (fast retransmit): set ssthresh, and cwnd = ssthresh. */
	void (*congestion)(struct dtcp_conn *c);
	/* Fast recovery over: the window to continue with. */
	void (*exit_recovery)(struct dtcp_conn *c);
	/* Retransmission timeout; @p first on the first for this data. Sets cwnd = 1 SMSS. */
	void (*timeout)(struct dtcp_conn *c, bool first);
	/* After the restart window was applied (the algorithm's clock state). */
	void (*after_idle)(struct dtcp_conn *c);
};

extern const struct tcp_cc_ops tcp_cc_newreno_ops;
extern const struct tcp_cc_ops tcp_cc_cubic_ops;

/** The ops of @p algo; NULL if it is not one of enum dtcp_cc_algo. */
const struct tcp_cc_ops *tcp_cc_ops_of(enum dtcp_cc_algo algo);

/** The ops named @p name ("newreno", "cubic"); NULL if none. */
const struct tcp_cc_ops *tcp_cc_ops_by_name(const char *name);

/**
 * Switch @p c to @p ops now: the new algorithm starts from the current cwnd
 * and ssthresh with fresh state. Before the handshake completes this only
 * picks the algorithm tcp_cc_init() will start.
 */
void tcp_cc_set_ops(struct dtcp_conn *c, const struct tcp_cc_ops *ops);

/**
 * The initial window (RFC 6928 generalised to [tcp] initial_window = N
 * segments): min(N * SMSS, max(2 * SMSS, N * 1460)) bytes.
 */
uint32_t tcp_cc_initial_window(const struct dtcp_conn *c);

/**
 * Initialise cwnd to the initial window, ssthresh to "arbitrarily high"
 * (RFC 5681 section 3.1) and the algorithm's state (connection established).
 * The algorithm is c->cc_ops if one was chosen already (DTCP_OPT_CONGESTION
 * before the handshake), else [tcp] congestion_control.
 */
void tcp_cc_init(struct dtcp_conn *c);

/**
 * @p acked new bytes acknowledged outside fast recovery: slow start (RFC 5681
 * with RFC 3465 byte counting, L = 1 SMSS) below ssthresh, the algorithm's
 * congestion avoidance at or above it. cwnd then never exceeds twice the
 * larger of the peer's largest window and 10 SMSS.
 */
void tcp_cc_ack(struct dtcp_conn *c, uint32_t acked);

/**
 * Loss found by duplicate ACKs or SACK: set ssthresh and cwnd = ssthresh
 * (NewReno: max(FlightSize / 2, 2 SMSS); CUBIC: max(FlightSize * 0.7,
 * 2 SMSS)), with FlightSize = snd_max - snd_una at the call. The recovery
 * code inflates the window (RFC 6582) and sends what it allows.
 */
void tcp_cc_enter_recovery(struct dtcp_conn *c);

/** Fast recovery is over (the recovery point was acknowledged): cwnd = ssthresh. */
void tcp_cc_exit_recovery(struct dtcp_conn *c);

/**
 * A retransmission timeout; @p first is true on the first one for this data
 * (only that one lowers ssthresh). cwnd becomes 1 SMSS (the loss window).
 */
void tcp_cc_timeout(struct dtcp_conn *c, bool first);

/**
 * Sending again after an idle period longer than the RTO (RFC 5681 section
 * 4.1): cwnd = min(cwnd, initial window).
 */
void tcp_cc_after_idle(struct dtcp_conn *c);

/* Shared by the algorithms (tcp_cc.c). */

/** max(@p bytes, 2 SMSS): the floor of ssthresh after a loss. */
uint32_t tcp_cc_ssthresh_floor(const struct dtcp_conn *c, uint64_t bytes);

#endif
