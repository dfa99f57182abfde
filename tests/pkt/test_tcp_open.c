/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level TCP tests: opening connections. Passive, active and
 * simultaneous opens (RFC 9293 figures 6 to 8), SYN and SYN-ACK
 * retransmission on the virtual clock, option negotiation, resets while
 * opening, and the limits on half-open and unaccepted connections.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "golden_tcp.h"
#include "tcp_helpers.h"
#include "wire/eth.h"
#include "wire/ipv4.h"

#define S      (1000000ull) /* one second of virtual time */
#define ETH_L4 (DTCP_ETH_HDR_LEN + DTCP_IPV4_HDR_LEN)

static void
check_info(const struct tt *t, uint16_t mss, bool ws, bool sack, bool ts, uint8_t snd_ws,
	   uint8_t rcv_ws)
{
	struct dtcp_conn_info info;

	dtcp_conn_info(t->c, &info);
	CHECK_EQ(info.mss, mss);
	CHECK_EQ(info.wscale_ok, ws);
	CHECK_EQ(info.sack_ok, sack);
	CHECK_EQ(info.ts_ok, ts);
	CHECK_EQ(info.snd_wscale, snd_ws);
	CHECK_EQ(info.rcv_wscale, rcv_ws);
}

/* LISTEN -> SYN_RECEIVED -> ESTABLISHED, no options but MSS. */
static void
test_passive_open(void)
{
	struct tt t;
	struct dtcp_conn_info info;

	if (tt_up(&t, NULL) != 0)
		return;
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	CHECK(t.l != NULL);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_LISTEN], 1);
	tt_passive_syn(&t, &tt_plain);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 1);
	CHECK_EQ(t.l->nb_half_open, 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_ESTABLISHED), 0);
	/* Not accepted yet: no handle, no event. */
	tt_expect_no_events(&t);
	{
		struct dtcp_tcp_repr ack = tt_seg(&t, DTCP_TCP_ACK);

		tt_input(&t, &ack, 10000);
	}
	tt_expect_none(&t);
	CHECK_EQ(t.l->nb_half_open, 0);
	CHECK_EQ(t.l->nb_accept, 1);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.c = dtcp_accept(t.l, &t);
	CHECK(t.c != NULL);
	if (t.c == NULL)
		goto out;
	CHECK(dtcp_accept(t.l, &t) == NULL);
	CHECK_EQ(t.l->nb_accept, 0);
	dtcp_conn_info(t.c, &info);
	CHECK_EQ(info.state, DTCP_TCP_ESTABLISHED);
	CHECK_EQ(info.local_addr, OUR_IP);
	CHECK_EQ(info.remote_addr, PEER_IP);
	CHECK_EQ(info.local_port, TT_LPORT);
	CHECK_EQ(info.remote_port, TT_RPORT);
	CHECK_EQ(info.snd_queued, 0);
	CHECK_EQ(info.rcv_queued, 0);
	check_info(&t, 1460, false, false, false, 0, 0);
	CHECK_EQ(t.c->snd_wnd, 65535);
	CHECK_EQ(t.c->snd_una, t.iss + 1);
	CHECK_EQ(t.c->snd_nxt, t.iss + 1);
	CHECK_EQ(t.c->rcv_nxt, TT_PEER_ISS + 1);
	/* RTT 10 ms: SRTT 10 ms, RTTVAR 5 ms, RTO = max(rto_min 200 ms, 10 + 4 * 5 ms). */
	CHECK_EQ(t.c->rto_us, 200000);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_ESTABLISHED], 1);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_ESTABLISHED), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_SEGMENTS), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_SEGMENTS), 1);
	CHECK_EQ(harness_drops(&t.h), 0);
	/* The SYN-ACK timer is gone: nothing more, ever. */
	tt_poll(&t, 100 * S);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
out:
	tt_down(&t);
}

/* The SYN-ACK byte for byte (scapy), with the ISN computed independently (RFC 6528). */
static void
test_passive_open_golden_synack(void)
{
	struct tt t;
	struct dtcp_tcp_repr syn;

	if (tt_up(&t, NULL) != 0)
		return;
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	t.lport = TT_LPORT;
	t.rport = TT_RPORT;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &syn, &(struct tt_opts){.mss = 1460, .ws = 7, .sack = true});
	CHECK_EQ(t.h.now_us, 2000000);
	tt_input(&t, &syn, 0);
	harness_expect(&t.h, 0, golden_synack, sizeof(golden_synack));
	tt_expect_none(&t);
	CHECK_EQ(tt_isn(&t, TT_LPORT, TT_RPORT), GOLDEN_SYNACK_ISS);
	/* Final ACK with window 100 and the peer's shift 7: SND.WND = 100 << 7. */
	t.iss = GOLDEN_SYNACK_ISS;
	t.snd_nxt = t.iss + 1;
	t.rcv_nxt = TT_PEER_ISS + 1;
	t.peer_win = 100;
	syn = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &syn, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.c = dtcp_accept(t.l, &t);
	CHECK(t.c != NULL);
	if (t.c != NULL) {
		CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
		check_info(&t, 1460, true, true, false, 7, 3);
		CHECK_EQ(t.c->snd_wnd, 12800);
	}
	tt_down(&t);
}

/* CLOSED -> SYN_SENT -> ESTABLISHED with every option. */
static void
test_active_open(void)
{
	struct tt t;
	struct dtcp_conn_info info;
	struct dtcp_tcp_repr ack;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_active_open(&t, &tt_full, 20000);
	if (t.c == NULL)
		goto out;
	dtcp_conn_info(t.c, &info);
	/* An ephemeral port (RFC 6056: the search starts at a random point of the range). */
	CHECK(info.local_port >= 32768 && info.local_port <= 60999);
	CHECK_EQ(info.remote_port, TT_SRV_PORT);
	CHECK_EQ(info.local_addr, OUR_IP);
	CHECK_EQ(info.remote_addr, PEER_IP);
	/* MSS 1460 less 12 bytes of timestamps in every segment. */
	check_info(&t, 1448, true, true, true, 7, 3);
	/* The window of a SYN-ACK is never scaled (RFC 7323 2.2)... */
	CHECK_EQ(t.c->snd_wnd, 65535);
	/* ...every later one is. */
	t.peer_win = 100;
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.c->snd_wnd, 12800);
	/* RTT 20 ms from the SYN (not retransmitted): RTO = max(200 ms, 20 + 4 * 10 ms). */
	CHECK_EQ(t.c->rto_us, 200000);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_ACTIVE_OPENS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_ESTABLISHED), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_SEGMENTS), 2);
	CHECK_EQ(harness_drops(&t.h), 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_ESTABLISHED], 1);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_SENT], 0);
	tt_poll(&t, 200 * S);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
out:
	tt_down(&t);
}

/* Send @p len bytes with dtcp_write() and check the segment (we have nothing else in flight). */
static void
write_and_expect(struct tt *t, unsigned int len)
{
	uint8_t data[64];
	struct dtcp_tcp_repr w;

	tt_pattern(data, len, len);
	CHECK_EQ(dtcp_write(t->c, data, len), (ssize_t)len);
	tt_poll(t, 0);
	w = tt_want(t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	tt_expect(t, &w, data, (uint16_t)len);
	tt_expect_none(t);
	t->snd_nxt += len;
}

/* Figure 8 of RFC 9293: SYN_SENT -> SYN_RECEIVED on a SYN, ESTABLISHED on the peer's SYN-ACK. */
static void
test_simultaneous_open(void)
{
	struct tt t;
	struct dtcp_tcp_repr syn, synack, ack;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_active_open(&t, NULL, 0);
	if (t.c == NULL)
		goto out;
	/* Line 3: the peer's SYN crosses ours. It offers MSS 1000 only. */
	t.rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &syn, &(struct tt_opts){.mss = 1000, .ws = -1});
	tt_input(&t, &syn, 5000);
	CHECK_EQ(tt_state(&t), DTCP_TCP_SYN_RECEIVED);
	/* Line 5: SYN-ACK with the same ISS, offering back only what the peer offered. */
	t.rcv_nxt = TT_PEER_ISS + 1;
	t.snd_nxt = t.iss;
	synack = tt_want(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	synack.window = TT_SYN_WIN;
	synack.has_mss = true;
	synack.mss = TT_OUR_MSS;
	tt_expect(&t, &synack, NULL, 0);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	check_info(&t, 1000, false, false, false, 0, 0);
	/* Line 6: the peer's SYN-ACK (its SYN again, acknowledging ours). */
	t.snd_nxt = t.iss + 1;
	t.rcv_nxt = TT_PEER_ISS;
	synack = tt_seg(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	tt_add_opts(&t, &synack, &(struct tt_opts){.mss = 1000, .ws = -1});
	t.peer_win = 5000;
	synack.window = 5000;
	tt_input(&t, &synack, 5000);
	t.rcv_nxt = TT_PEER_ISS + 1;
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_CONNECTED);
	CHECK_EQ(t.c->snd_wnd, 5000);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_ESTABLISHED), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_UNACCEPTABLE), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_SYN_IN_WINDOW), 0);
	/* Data starts right after our SYN. */
	t.our_win = 65535;
	write_and_expect(&t, 5);
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 0);
	tt_expect_none(&t);
	/* No retransmission of anything. */
	tt_poll(&t, 100 * S);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* Simultaneous open where the peer's SYN-ACK was lost: its ACK of our SYN-ACK establishes. */
static void
test_simultaneous_open_ack(void)
{
	struct tt t;
	struct dtcp_tcp_repr syn, ack;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_active_open(&t, NULL, 0);
	if (t.c == NULL)
		goto out;
	t.rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &syn, &tt_full);
	tt_input(&t, &syn, 0);
	t.rcv_nxt = TT_PEER_ISS + 1;
	t.snd_nxt = t.iss;
	t.ts = true;
	t.our_win = TT_SYN_WIN;
	syn = tt_want(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	syn.has_mss = true;
	syn.mss = TT_OUR_MSS;
	syn.has_wscale = true;
	syn.wscale = TT_WS;
	syn.sack_permitted = true;
	tt_expect(&t, &syn, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_SYN_RECEIVED);
	t.snd_nxt = t.iss + 1;
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 0);
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_CONNECTED);
	check_info(&t, 1448, true, true, true, 7, 3);
	t.our_win = TT_WIN_WS;
	write_and_expect(&t, 7);
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 0);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* SYN at 0, then 1, 3, 7, 15, 31, 63 s (syn_retries = 6), ETIMEDOUT at 127 s. */
static void
test_syn_retransmission_timing(void)
{
	static const unsigned int at_s[] = {1, 3, 7, 15, 31, 63};
	struct tt t;
	struct dtcp_tcp_repr syn;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_active_open(&t, NULL, 0);
	if (t.c == NULL)
		goto out;
	for (unsigned int i = 0; i < RTE_DIM(at_s); i++) {
		tt_poll_until(&t, TT_T0 + at_s[i] * S - 1);
		tt_expect_none(&t);
		CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_SYN_RETRANSMITS), i);
		/* On the wheel's 1 ms tick; these deadlines fall on tick boundaries. */
		tt_poll_until(&t, TT_T0 + at_s[i] * S);
		syn = tt_want_syn(&t);
		tt_expect(&t, &syn, NULL, 0);
		tt_expect_none(&t);
		CHECK_EQ(tt_state(&t), DTCP_TCP_SYN_SENT);
	}
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_SYN_RETRANSMITS), 6);
	tt_expect_no_events(&t);
	tt_poll_until(&t, TT_T0 + 127 * S - 1);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	tt_poll_until(&t, TT_T0 + 127 * S);
	tt_expect_none(&t); /* no RST from SYN_SENT */
	tt_expect_events(&t, ETIMEDOUT, DTCP_EV_ERROR);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSED);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TIMEOUTS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_SEGMENTS), 7);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_CLOSED], 1);
	dtcp_close(t.c);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_CLOSED], 0);
	tt_poll(&t, 1000 * S);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* A lost SYN: after the retransmission the connection sends from ISS + 1 (and no RTT sample). */
static void
test_syn_retransmitted_then_established(void)
{
	struct tt t;
	struct dtcp_tcp_repr syn, synack, w;
	uint8_t data[5] = {1, 2, 3, 4, 5};

	if (tt_up(&t, NULL) != 0)
		return;
	tt_active_open(&t, NULL, 0);
	if (t.c == NULL)
		goto out;
	tt_poll_until(&t, TT_T0 + S);
	syn = tt_want_syn(&t);
	tt_expect(&t, &syn, NULL, 0);
	t.rcv_nxt = TT_PEER_ISS;
	synack = tt_seg(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	tt_add_opts(&t, &synack, &tt_plain);
	tt_input(&t, &synack, 50000);
	t.rcv_nxt = TT_PEER_ISS + 1;
	t.our_win = 65535;
	tt_expect_ack(&t); /* seq ISS + 1, not ISS */
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_CONNECTED);
	/* Karn: the SYN was sent twice, so no sample; RTO is still the initial 1 s. */
	CHECK_EQ(t.c->rto_us, 1000000);
	/* RFC 6928 section 2: after a lost SYN the initial window is one segment. */
	CHECK_EQ(t.c->cwnd, 1460);
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), 5);
	tt_poll(&t, 0);
	w = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	tt_expect(&t, &w, data, 5);
	tt_expect_none(&t);
	CHECK_EQ(t.c->snd_nxt, t.iss + 6);
	/* Unacknowledged: sent again after exactly the initial RTO. */
	tt_poll(&t, S - 1);
	tt_expect_none(&t);
	tt_poll(&t, 1);
	tt_expect(&t, &w, data, 5);
	t.snd_nxt += 5;
	syn = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &syn, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 1);
out:
	tt_down(&t);
}

/* SYN-ACK at 0, then 1, 3, 7, 15, 31 s (synack_retries = 5); dropped silently at 63 s. */
static void
test_synack_retransmission_timing(void)
{
	static const unsigned int at_s[] = {1, 3, 7, 15, 31};
	struct tt t;
	struct dtcp_tcp_repr synack, seg;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_syn(&t, &tt_full);
	t.snd_nxt = t.iss;
	t.our_win = TT_SYN_WIN;
	for (unsigned int i = 0; i < RTE_DIM(at_s); i++) {
		tt_poll_until(&t, TT_T0 + at_s[i] * S - 1);
		tt_expect_none(&t);
		tt_poll_until(&t, TT_T0 + at_s[i] * S);
		synack = tt_want(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
		synack.has_mss = true;
		synack.mss = TT_OUR_MSS;
		synack.has_wscale = true;
		synack.wscale = TT_WS;
		synack.sack_permitted = true;
		tt_expect(&t, &synack, NULL, 0);
		tt_expect_none(&t);
	}
	/* The peer sends its SYN again: answered at once with the same SYN-ACK. */
	t.rcv_nxt = TT_PEER_ISS;
	seg = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &seg, &tt_full);
	tt_input(&t, &seg, 0);
	tt_expect(&t, &synack, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_UNACCEPTABLE), 1);
	t.rcv_nxt = TT_PEER_ISS + 1;
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_SYN_RETRANSMITS), 5);
	tt_poll_until(&t, TT_T0 + 63 * S - 1);
	tt_expect_none(&t);
	CHECK_EQ(t.l->nb_half_open, 1);
	tt_poll_until(&t, TT_T0 + 63 * S);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TIMEOUTS), 1);
	CHECK_EQ(t.l->nb_half_open, 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_CLOSED], 0);
	/* The peer's late ACK meets the listener: <SEQ=SEG.ACK><CTL=RST>. */
	t.snd_nxt = t.iss + 1;
	seg = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &seg, 0);
	seg = tt_want_rst(&t, DTCP_TCP_RST);
	tt_expect(&t, &seg, NULL, 0);
	tt_expect_none(&t);
	tt_down(&t);
}

/* A SYN-ACK retransmission, then the ACK: data starts at ISS + 1, from a one-segment window. */
static void
test_synack_retransmitted_then_established(void)
{
	struct tt t;
	struct dtcp_tcp_repr synack, ack;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_syn(&t, &tt_plain);
	t.snd_nxt = t.iss;
	t.our_win = TT_SYN_WIN;
	tt_poll_until(&t, TT_T0 + S);
	synack = tt_want(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	synack.has_mss = true;
	synack.mss = TT_OUR_MSS;
	tt_expect(&t, &synack, NULL, 0);
	t.snd_nxt = t.iss + 1;
	t.our_win = 65535;
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 10000);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.c = dtcp_accept(t.l, &t);
	CHECK(t.c != NULL);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(t.c->snd_nxt, t.iss + 1);
	/* The SYN-ACK went twice: no RTT sample (Karn), one-segment initial window (RFC 6928). */
	CHECK_EQ(t.c->rto_us, 1000000);
	CHECK_EQ(t.c->cwnd, 1460);
	write_and_expect(&t, 9);
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.c->snd_una, t.iss + 10);
out:
	tt_down(&t);
}

/* One row of the negotiation table. */
struct nego_case {
	const char *what;
	struct tt_opts peer;
	uint16_t mss;
	bool ws, sack, ts;
	uint8_t snd_ws, rcv_ws;
};

static void
test_option_negotiation(void)
{
	const struct nego_case cases[] = {
		{"no options: MSS 536", {.ws = -1}, 536, false, false, false, 0, 0},
		{"MSS 1400", {.mss = 1400, .ws = -1}, 1400, false, false, false, 0, 0},
		{"MSS 9000: ours", {.mss = 9000, .ws = -1}, 1460, false, false, false, 0, 0},
		{"WS 7 alone", {.ws = 7}, 536, true, false, false, 7, 3},
		{"WS 0", {.mss = 1460, .ws = 0}, 1460, true, false, false, 0, 3},
		{"WS 14", {.mss = 1460, .ws = 14}, 1460, true, false, false, 14, 3},
		{"SACK-Permitted alone", {.ws = -1, .sack = true}, 536, false, true, false, 0, 0},
		{"timestamps alone", {.ws = -1, .ts = true}, 524, false, false, true, 0, 0},
		{"everything (MSS 1460, WS 7, SACK-P, TS)", tt_full, 1448, true, true, true, 7, 3},
	};

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		const struct nego_case *k = &cases[i];
		unsigned int before = dtcp_test_failures;
		uint8_t byte = 0x5a;
		struct dtcp_tcp_repr ack;
		struct rte_mbuf *m;
		struct tt t;

		if (tt_up(&t, NULL) != 0)
			return;
		/* tt_passive_syn() checks the SYN-ACK carries exactly what the peer offered. */
		tt_passive_syn(&t, &k->peer);
		t.peer_win = 100;
		ack = tt_seg(&t, DTCP_TCP_ACK);
		tt_input(&t, &ack, 0);
		tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
		t.c = dtcp_accept(t.l, &t);
		CHECK(t.c != NULL);
		if (t.c == NULL) {
			tt_down(&t);
			continue;
		}
		check_info(&t, k->mss, k->ws, k->sack, k->ts, k->snd_ws, k->rcv_ws);
		CHECK_EQ(t.c->snd_wnd, 100u << k->snd_ws);
		/* Our ACK of one byte: window scaled by our shift, or 64 KiB - 1 without. */
		tt_peer_data(&t, &byte, 1);
		tt_poll(&t, 0);
		t.our_win = k->ws ? (262144 - 1) >> TT_WS : 65535;
		tt_expect_ack(&t);
		tt_expect_none(&t);
		m = dtcp_recv(t.c);
		CHECK(m != NULL && m->pkt_len == 1 && *rte_pktmbuf_mtod(m, uint8_t *) == byte);
		rte_pktmbuf_free(m);
		tt_expect_none(&t);
		tt_down(&t);
		if (dtcp_test_failures != before)
			fprintf(stderr, "  (in case \"%s\")\n", k->what);
	}
}

/* Recompute the TCP checksum of a frame built by tt_frame() after editing it. */
static void
fix_tcp_cksum(uint8_t *frame)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + DTCP_ETH_HDR_LEN);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(frame + ETH_L4);

	tcp->cksum = 0;
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
}

/* An option whose length is illegal: dropped, counted, nothing sent, nothing created. */
static void
test_malformed_options_dropped(void)
{
	struct tt t;
	struct dtcp_tcp_repr syn, seg;
	uint8_t frame[256], byte = 7;
	size_t len;

	if (tt_up(&t, NULL) != 0)
		return;
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	t.lport = TT_LPORT;
	t.rport = TT_RPORT;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &syn, &tt_plain);
	len = tt_frame(frame, &syn, true);
	CHECK_EQ(frame[ETH_L4 + 20], DTCP_TCP_OPT_MSS);
	frame[ETH_L4 + 21] = 3; /* MSS with length 3 */
	fix_tcp_cksum(frame);
	harness_inject(&t.h, 0, frame, len);
	tt_poll(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_BAD_OPTION), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 0);
	/* Length 1 on an unknown kind, and an option running past the header. */
	frame[ETH_L4 + 20] = 30;
	frame[ETH_L4 + 21] = 1;
	fix_tcp_cksum(frame);
	harness_inject(&t.h, 0, frame, len);
	frame[ETH_L4 + 20] = DTCP_TCP_OPT_MSS;
	frame[ETH_L4 + 21] = 8;
	fix_tcp_cksum(frame);
	harness_inject(&t.h, 0, frame, len);
	tt_poll(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_BAD_OPTION), 3);
	CHECK_EQ(harness_drops(&t.h), 3);
	/* The same on an established connection: the data is not taken. */
	tt_passive_open(&t, &tt_plain, 0);
	if (t.c == NULL)
		goto out;
	seg = tt_seg(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	seg.has_ts = true; /* 01 01 08 0a ...: make the TS length 9 */
	seg.payload = &byte;
	seg.payload_len = 1;
	len = tt_frame(frame, &seg, true);
	CHECK_EQ(frame[ETH_L4 + 22], DTCP_TCP_OPT_TS);
	frame[ETH_L4 + 23] = 9;
	fix_tcp_cksum(frame);
	harness_inject(&t.h, 0, frame, len);
	tt_poll(&t, 0);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_BAD_OPTION), 4);
	CHECK_EQ(t.c->rcv_nxt, TT_PEER_ISS + 1);
	CHECK_EQ(t.c->rcvq_len, 0);
	/* A bad checksum is its own drop. */
	frame[len - 1] ^= 0xff;
	harness_inject(&t.h, 0, frame, len);
	tt_poll(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_BAD_CHECKSUM), 1);
out:
	tt_down(&t);
}

/* LISTEN: an ACK gets <SEQ=SEG.ACK><CTL=RST>; a RST or a bare FIN is dropped silently. */
static void
test_listen_ack_gets_rst(void)
{
	struct tt t;
	struct dtcp_tcp_repr seg, rst;

	if (tt_up(&t, NULL) != 0)
		return;
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	t.lport = TT_LPORT;
	t.rport = TT_RPORT;
	t.snd_nxt = 777777;
	seg = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &seg, 0);
	rst = tt_want_rst(&t, DTCP_TCP_RST);
	rst.seq = 777777;
	tt_expect(&t, &rst, NULL, 0);
	tt_expect_none(&t);
	/* SYN-ACK to a listener: ACK bit set, same answer. */
	t.snd_nxt = 4242;
	seg = tt_seg(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	tt_input(&t, &seg, 0);
	rst.seq = 4242;
	tt_expect(&t, &rst, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST), 2);
	seg = tt_seg(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_RST_NO_CONN), 1);
	seg = tt_seg(&t, DTCP_TCP_FIN);
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_NO_CONN), 3);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 0);
	tt_expect_no_events(&t);
	tt_down(&t);
}

/* SYN_RECEIVED -> CLOSED (back to LISTEN) on a RST; an in-window RST only challenges. */
static void
test_syn_received_rst(void)
{
	struct tt t;
	struct dtcp_tcp_repr rst;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_syn(&t, &tt_plain);
	/* RFC 5961: a RST not at RCV.NXT gets a challenge ACK and changes nothing. */
	rst = tt_seg(&t, DTCP_TCP_RST);
	rst.seq += 1000;
	tt_input(&t, &rst, 0);
	t.our_win = 65535;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_CHALLENGE_ACKS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_RST_IN_WINDOW), 1);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 1);
	rst = tt_seg(&t, DTCP_TCP_RST);
	tt_input(&t, &rst, 0);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 1);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_CLOSED], 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_LISTEN], 1);
	CHECK_EQ(t.l->nb_half_open, 0);
	/* No SYN-ACK retransmission. */
	tt_poll(&t, 10 * S);
	tt_expect_none(&t);
	/* Still listening: the same peer can connect again. */
	tt_passive_open(&t, &tt_plain, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 2);
	tt_down(&t);
}

/* SYN_SENT -> CLOSED on an acceptable RST: ECONNREFUSED. Unacceptable ones are ignored. */
static void
test_syn_sent_rst_refused(void)
{
	struct tt t;
	struct dtcp_tcp_repr seg, rst;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_active_open(&t, NULL, 0);
	if (t.c == NULL)
		goto out;
	t.rcv_nxt = 0;
	/* No ACK bit: dropped (RFC 9293 3.10.7.3). */
	seg = tt_seg(&t, DTCP_TCP_RST);
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_RST_NO_CONN), 1);
	/* ACK of something we did not send, with RST: dropped, never answered. */
	seg = tt_seg(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	seg.ack = t.iss;
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_RST_NO_CONN), 2);
	/* ...without RST: <SEQ=SEG.ACK><CTL=RST>, and we keep waiting. */
	seg = tt_seg(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	seg.ack = t.iss + 2;
	tt_input(&t, &seg, 0);
	rst = tt_want_rst(&t, DTCP_TCP_RST);
	rst.seq = t.iss + 2;
	tt_expect(&t, &rst, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_SYN_SENT);
	/* An ACK without SYN or RST: dropped. */
	seg = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_NO_SYN), 1);
	tt_expect_no_events(&t);
	/* The connection refused. */
	seg = tt_seg(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ECONNREFUSED, DTCP_EV_ERROR);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSED);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST), 1);
	/* Timer gone: no SYN retransmission. */
	tt_poll(&t, 10 * S);
	tt_expect_none(&t);
	CHECK_EQ(dtcp_write(t.c, "x", 1), -EPIPE);
	dtcp_close(t.c);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_CLOSED], 0);
out:
	tt_down(&t);
}

/*
 * [tcp] max_conns = 16: the 17th SYN finds the table full. With syncookies =
 * never it is dropped (auto answers it with a cookie: test_tcp_syncookie.c).
 */
static void
test_table_full(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr syn;

	tt_config(&cfg);
	cfg.tcp_max_conns = 16;
	cfg.tcp_syncookies = DTCP_SYNCOOKIE_NEVER;
	if (tt_up(&t, &cfg) != 0)
		return;
	for (uint16_t i = 0; i < 16; i++) {
		t.rport = (uint16_t)(TT_RPORT + i);
		tt_passive_syn(&t, &tt_plain);
	}
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 16);
	t.rport = TT_RPORT + 16;
	t.rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &syn, &tt_plain);
	tt_input(&t, &syn, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_TABLE_FULL), 1);
	CHECK_EQ(harness_drops(&t.h), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 16);
	/* dtcp_connect() too. */
	CHECK(dtcp_connect(t.lc, PEER_IP, TT_SRV_PORT, 0, NULL) == NULL);
	CHECK_EQ(rte_errno, ENOSPC);
	/* Unlisten resets the 16 half-open connections, freeing the table. */
	dtcp_unlisten(t.l);
	t.l = NULL;
	tt_poll(&t, 0);
	{
		uint32_t seen = 0;

		for (uint16_t i = 0; i < 16; i++) {
			const struct dtcp_tcp_repr *rst = &t.got;
			uint16_t p;

			if (!tt_take(&t))
				break;
			p = (uint16_t)(rst->dst_port - TT_RPORT);
			CHECK(p < 16);
			seen |= 1u << (p & 31);
			CHECK_EQ(rst->flags, DTCP_TCP_RST | DTCP_TCP_ACK);
			CHECK_EQ(rst->src_port, TT_LPORT);
			CHECK_EQ(rst->seq, tt_isn(&t, TT_LPORT, rst->dst_port) + 1);
			CHECK_EQ(rst->ack, TT_PEER_ISS + 1);
			CHECK_EQ(rst->window, 0);
			CHECK(!rst->has_ts && rst->payload_len == 0);
		}
		CHECK_EQ(seen, 0xffff);
	}
	tt_expect_none(&t);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 0);
	/* Room again. */
	t.rport = TT_RPORT + 16;
	tt_passive_open(&t, &tt_plain, 0);
	tt_down(&t);
}

/* [tcp] syn_backlog = 2 half-open connections per listener; syncookies = never drops the third. */
static void
test_syn_backlog(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr syn, ack;

	tt_config(&cfg);
	cfg.tcp_syn_backlog = 2;
	cfg.tcp_syncookies = DTCP_SYNCOOKIE_NEVER;
	if (tt_up(&t, &cfg) != 0)
		return;
	t.rport = TT_RPORT;
	tt_passive_syn(&t, &tt_plain);
	ack = tt_seg(&t, DTCP_TCP_ACK); /* kept for later */
	t.rport = TT_RPORT + 1;
	tt_passive_syn(&t, &tt_plain);
	CHECK_EQ(t.l->nb_half_open, 2);
	t.rport = TT_RPORT + 2;
	t.rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_input(&t, &syn, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_SYN_BACKLOG), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYN_QUEUE_OVERFLOWS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_SENT), 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 2);
	/* One handshake completes: room for another half-open connection. */
	tt_input(&t, &ack, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.l->nb_half_open, 1);
	CHECK_EQ(t.l->nb_accept, 1);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.rport = TT_RPORT + 2;
	tt_passive_syn(&t, &tt_plain);
	CHECK_EQ(t.l->nb_half_open, 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_SYN_BACKLOG), 1);
	tt_down(&t);
}

/*
 * A SYN and its duplicate in one RX burst (a retransmission that caught up,
 * or a duplicating path): the table lookup for the whole burst happens
 * before either is handled, so the second must see the connection the first
 * created. One SYN_RECEIVED entry, one half-open slot used, and every reply
 * carries the same ISS.
 */
static void
test_duplicate_syn_in_one_burst(void)
{
	struct dtcp_config cfg;
	struct dtcp_tcp_repr syn;
	unsigned int replies = 0;
	struct tt t;

	tt_config(&cfg);
	cfg.tcp_syncookies = DTCP_SYNCOOKIE_NEVER;
	if (tt_up(&t, &cfg) != 0)
		return;
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	CHECK(t.l != NULL);
	t.lport = TT_LPORT;
	t.rport = TT_RPORT;
	t.rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_inject(&t, &syn);
	tt_inject(&t, &syn);
	tt_poll(&t, 0);
	CHECK_EQ(rte_hash_count(t.lc->tcp.conn_hash), 1);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 1);
	CHECK_EQ(t.l->nb_half_open, 1);
	t.iss = tt_isn(&t, t.lport, t.rport);
	tt_flush(&t);
	while (rte_ring_count(t.h.tx[0]) > 0 && tt_take(&t)) {
		CHECK_EQ(t.got.seq, t.iss);
		CHECK(t.got.flags & DTCP_TCP_ACK);
		CHECK_EQ(t.got.ack, TT_PEER_ISS + 1);
		replies++;
	}
	CHECK(replies >= 1);
	tt_down(&t);
}

/* dtcp_listen(backlog = 1): a SYN while one connection waits for dtcp_accept() is dropped. */
static void
test_accept_backlog(void)
{
	struct tt t;
	struct dtcp_tcp_repr syn;
	struct dtcp_conn *first;

	if (tt_up(&t, NULL) != 0)
		return;
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 1, &t);
	CHECK(t.l != NULL);
	t.rport = TT_RPORT;
	tt_passive_syn(&t, &tt_plain);
	syn = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &syn, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	CHECK_EQ(t.l->nb_accept, 1);
	t.rport = TT_RPORT + 1;
	t.rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_input(&t, &syn, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_ACCEPT_FULL), 1);
	CHECK_EQ(t.l->nb_half_open, 0);
	first = dtcp_accept(t.l, NULL);
	CHECK(first != NULL);
	if (first != NULL)
		CHECK_EQ(rte_be_to_cpu_16(first->key.remote_port), TT_RPORT);
	/* Accepted: the retried SYN gets in. */
	t.rport = TT_RPORT + 1;
	tt_passive_open(&t, &tt_plain, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_ACCEPT_FULL), 1);
	CHECK(dtcp_listen(t.lc, 0, TT_LPORT, 1, NULL) == NULL);
	CHECK_EQ(rte_errno, EADDRINUSE);
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_passive_open);
	RUN_TEST(test_passive_open_golden_synack);
	RUN_TEST(test_active_open);
	RUN_TEST(test_simultaneous_open);
	RUN_TEST(test_simultaneous_open_ack);
	RUN_TEST(test_syn_retransmission_timing);
	RUN_TEST(test_syn_retransmitted_then_established);
	RUN_TEST(test_synack_retransmission_timing);
	RUN_TEST(test_synack_retransmitted_then_established);
	RUN_TEST(test_option_negotiation);
	RUN_TEST(test_malformed_options_dropped);
	RUN_TEST(test_listen_ack_gets_rst);
	RUN_TEST(test_syn_received_rst);
	RUN_TEST(test_syn_sent_rst_refused);
	RUN_TEST(test_table_full);
	RUN_TEST(test_syn_backlog);
	RUN_TEST(test_duplicate_syn_in_one_burst);
	RUN_TEST(test_accept_backlog);
	rte_eal_cleanup();
	return TEST_EXIT();
}
