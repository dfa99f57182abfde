/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control interface (tcp_cc.c).
 *
 * The loss-recovery code (tcp_recovery.c, tcp_input.c) decides *when* the
 * window changes: new data acknowledged, loss detected by duplicate ACKs or
 * SACK (entering fast recovery), recovery over, a retransmission timeout,
 * the connection coming back from idle. The algorithm decides *by how much*,
 * through the hooks below, with its own per-connection state in struct
 * tcp_cc_state. Algorithms: NewReno (RFC 5681, RFC 6582) and CUBIC
 * (RFC 9438, the default), chosen per connection ([tcp] congestion_control
 * and dtcp_conn_set_cc()).
 */
#ifndef DTCP_TCP_CC_H
#define DTCP_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

struct dtcp_conn;

/** Per-connection state of whichever algorithm the connection uses. */
struct tcp_cc_state {
	uint64_t reserved[6]; /* filled in by the algorithms */
};

/** Initialise cwnd/ssthresh and the algorithm's state (connection established). */
void tcp_cc_init(struct dtcp_conn *c);

/** @p acked new bytes acknowledged outside fast recovery. */
void tcp_cc_ack(struct dtcp_conn *c, uint32_t acked);

/**
 * Loss found by duplicate ACKs or SACK: set ssthresh (and cwnd) for fast
 * recovery. The recovery code sends what the new window allows.
 */
void tcp_cc_enter_recovery(struct dtcp_conn *c);

/** Fast recovery is over (the recovery point was acknowledged). */
void tcp_cc_exit_recovery(struct dtcp_conn *c);

/** A retransmission timeout; @p first is true on the first one for this data. */
void tcp_cc_timeout(struct dtcp_conn *c, bool first);

/** Sending again after an idle period longer than the RTO (RFC 5681 section 4.1). */
void tcp_cc_after_idle(struct dtcp_conn *c);

#endif
