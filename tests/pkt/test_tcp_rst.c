/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level TCP tests: resets and the checks that guard a synchronized
 * connection. RSTs for segments nobody wants (RFC 9293 3.10.7.1, golden
 * bytes from scapy), RFC 5961 (exact RST resets, in-window RST and any SYN
 * get a rate-limited challenge ACK, out-of-window RST is ignored, old ACKs),
 * RFC 7323 PAWS, and the other unacceptable segments.
 */
#include <errno.h>
#include <string.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "golden_tcp.h"
#include "tcp_helpers.h"

#define S  (1000000ull)
#define MS (1000ull)

/* A segment from the peer to a port nobody listens on. */
static void
inject_to_closed(struct tt *t, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t len)
{
	static const uint8_t data[16] = "0123456789abcdef";
	struct dtcp_tcp_repr th = {
		.src_port = TT_RPORT,
		.dst_port = 81,
		.seq = seq,
		.ack = ack,
		.flags = flags,
		.window = 65535,
		.payload = data,
		.payload_len = len,
	};

	tt_input(t, &th, 0);
}

/* RFC 9293 3.10.7.1, byte for byte; never a RST for a RST. */
static void
test_closed_port_rst(void)
{
	struct tt t;

	if (tt_up(&t, NULL) != 0)
		return;
	/* A listener elsewhere changes nothing for port 81. */
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	/* No ACK bit: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, the SYN counting one. */
	inject_to_closed(&t, DTCP_TCP_SYN, 1000000, 0, 0);
	harness_expect(&t.h, 0, golden_rst_for_syn, sizeof(golden_rst_for_syn));
	tt_expect_none(&t);
	inject_to_closed(&t, DTCP_TCP_SYN, 1000000, 0, 10);
	harness_expect(&t.h, 0, golden_rst_for_syn_data, sizeof(golden_rst_for_syn_data));
	tt_expect_none(&t);
	/* ACK bit: <SEQ=SEG.ACK><CTL=RST>. */
	inject_to_closed(&t, DTCP_TCP_ACK, 1000000, 5000, 0);
	harness_expect(&t.h, 0, golden_rst_for_ack, sizeof(golden_rst_for_ack));
	tt_expect_none(&t);
	/* With ACK, data and FIN the answer is the same. */
	inject_to_closed(&t, DTCP_TCP_ACK | DTCP_TCP_PSH | DTCP_TCP_FIN, 1000000, 5000, 16);
	harness_expect(&t.h, 0, golden_rst_for_ack, sizeof(golden_rst_for_ack));
	tt_expect_none(&t);
	/* Data and FIN without ACK: ACK = SEQ + 16 + 1. */
	inject_to_closed(&t, DTCP_TCP_PSH | DTCP_TCP_FIN, 7, 0, 16);
	t.lport = 81;
	t.rport = TT_RPORT;
	t.snd_nxt = 0;
	t.rcv_nxt = 7 + 16 + 1;
	{
		struct dtcp_tcp_repr w = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);

		tt_expect(&t, &w, NULL, 0);
	}
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST), 5);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_NO_CONN), 5);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST_REPLY), 5);
	/* RST, with or without ACK: dropped, never answered. */
	inject_to_closed(&t, DTCP_TCP_RST, 1000000, 0, 0);
	inject_to_closed(&t, DTCP_TCP_RST | DTCP_TCP_ACK, 1000000, 5000, 0);
	inject_to_closed(&t, DTCP_TCP_RST | DTCP_TCP_SYN, 1000000, 0, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_RST_NO_CONN), 3);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST), 5);
	CHECK_EQ(harness_drops(&t.h), 8);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 0);
	tt_down(&t);
}

/* RFC 5961 3.2: a RST at exactly RCV.NXT resets the connection (ECONNRESET). */
static void
test_exact_rst_resets(void)
{
	struct tt t;
	struct dtcp_tcp_repr rst;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	rst = tt_seg(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_input(&t, &rst, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ECONNRESET, DTCP_EV_ERROR);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSED);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 1);
	CHECK_EQ(harness_drops(&t.h), 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_ESTABLISHED], 0);
	CHECK_EQ(dtcp_write(t.c, "x", 1), -EPIPE);
	dtcp_close(t.c);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_CLOSED], 0);
	/* A RST without ACK works as well (RFC 9293 does not require the bit). */
	t.c = NULL;
	t.rport = TT_RPORT + 1;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	rst = tt_seg(&t, DTCP_TCP_RST);
	tt_input(&t, &rst, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ECONNRESET, DTCP_EV_ERROR);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 2);
	dtcp_close(t.c);
	tt_poll(&t, 100 * S);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* RFC 5961 3.2: a RST elsewhere in the window gets a challenge ACK and resets nothing. */
static void
test_in_window_rst_challenged(void)
{
	struct tt t;
	struct dtcp_tcp_repr rst;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS); /* window 32768 << 3 = 256 KiB */
	if (t.c == NULL)
		goto out;
	rst = tt_seg(&t, DTCP_TCP_RST);
	rst.seq += 1;
	tt_input(&t, &rst, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	/* The last sequence number of the window. */
	rst.seq = t.rcv_nxt + 262143;
	tt_input(&t, &rst, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_CHALLENGE_ACKS), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_RST_IN_WINDOW), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 0);
	/* The peer answers the challenge with the right RST: now it resets. */
	rst.seq = t.rcv_nxt;
	tt_input(&t, &rst, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ECONNRESET, DTCP_EV_ERROR);
	dtcp_close(t.c);
out:
	tt_down(&t);
}

/* A RST outside the window is dropped without a word. */
static void
test_out_of_window_rst_ignored(void)
{
	struct tt t;
	struct dtcp_tcp_repr rst;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	rst = tt_seg(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	rst.seq = t.rcv_nxt + 262144;
	tt_input(&t, &rst, 0);
	rst.seq = t.rcv_nxt - 1;
	tt_input(&t, &rst, 0);
	rst.seq = t.rcv_nxt + 0x80000000u;
	tt_input(&t, &rst, 0);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_UNACCEPTABLE), 3);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_CHALLENGE_ACKS), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 0);
out:
	tt_down(&t);
}

/* RFC 5961 4.2: a SYN on a synchronized connection, in the window or not, gets an ACK only. */
static void
test_syn_in_established_challenged(void)
{
	struct tt t;
	struct dtcp_tcp_repr syn;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	/* In the window: a challenge ACK. */
	syn = tt_seg(&t, DTCP_TCP_SYN);
	syn.seq += 10;
	tt_add_opts(&t, &syn, &tt_plain);
	tt_input(&t, &syn, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_CHALLENGE_ACKS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_SYN_IN_WINDOW), 1);
	/* SYN-ACK at RCV.NXT: the same. */
	syn = tt_seg(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	tt_input(&t, &syn, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_CHALLENGE_ACKS), 2);
	/* The handshake's SYN again (before the window): an ACK as for any old segment. */
	syn = tt_seg(&t, DTCP_TCP_SYN);
	syn.seq = TT_PEER_ISS;
	tt_input(&t, &syn, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_UNACCEPTABLE), 1);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 1);
out:
	tt_down(&t);
}

/* RFC 5961 7: [tcp] challenge_ack_limit challenge ACKs per second and lcore, RSTs and SYNs alike.
 */
static void
test_challenge_ack_rate_limit(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr rst, syn;
	uint64_t t1;

	tt_config(&cfg);
	cfg.tcp_challenge_ack_limit = 2;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	rst = tt_seg(&t, DTCP_TCP_RST);
	rst.seq += 100;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	syn.seq += 100;
	t1 = t.h.now_us;
	tt_input(&t, &rst, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	/* Two more in one burst 500 ms later: one challenged, one not. */
	tt_inject(&t, &syn);
	tt_inject(&t, &rst);
	tt_poll_until(&t, t1 + 500 * MS);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_CHALLENGE_ACKS), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_CHALLENGE_ACKS_LIMITED), 1);
	tt_inject(&t, &rst);
	tt_poll_until(&t, t1 + S - 1);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_CHALLENGE_ACKS_LIMITED), 2);
	/* A new second, a new budget. */
	tt_inject(&t, &rst);
	tt_poll_until(&t, t1 + S);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_CHALLENGE_ACKS), 3);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_RST_IN_WINDOW), 4);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_SYN_IN_WINDOW), 1);
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	tt_expect_no_events(&t);
out:
	tt_down(&t);
}

/* RFC 7323 5 (PAWS): an older TSval is dropped with an ACK; a RST is exempt. */
static void
test_paws(void)
{
	struct tt t;
	struct dtcp_tcp_repr seg;
	uint8_t data[4] = {1, 2, 3, 4};

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	seg = tt_seg(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	seg.ts_val = t.peer_ts - 1;
	seg.payload = data;
	seg.payload_len = 4;
	tt_input(&t, &seg, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_PAWS), 1);
	CHECK_EQ(t.c->rcvq_len, 0);
	/* A RST with an old TSval still resets (RFC 7323 5.2 exempts RSTs). */
	seg = tt_seg(&t, DTCP_TCP_RST);
	seg.ts_val = t.peer_ts - 1000;
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ECONNRESET, DTCP_EV_ERROR);
	dtcp_close(t.c);
out:
	tt_down(&t);
}

/*
 * A pure ACK that the path reordered behind a later one carries an older
 * TSval: it is taken (its SACK blocks count), without a reply of its own and without
 * moving TS.Recent back. An old pure ACK from further back than one RTO is
 * dropped by PAWS, still without a reply (a duplicate ACK to a sending peer
 * would look like loss); old data is dropped with an ACK, as test_paws checks.
 */
static void
test_paws_disordered_ack(void)
{
	static uint8_t data[4 * 1448];
	struct dtcp_tcp_repr seg;
	uint32_t base, newest;
	struct tt t;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 7);
	base = t.snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), (long)sizeof(data));
	tt_poll(&t, 0);
	for (unsigned int i = 0; i < 4; i++)
		CHECK(tt_take(&t) && t.got.payload_len == 1448);
	/* The newer ACK (segments 2-3 SACKed) first, with the peer's clock 10 ms on. */
	t.snd_nxt = base;
	newest = t.peer_ts + 10;
	seg = tt_seg(&t, DTCP_TCP_ACK);
	seg.ts_val = newest;
	seg.sack[0].left = base + 2 * 1448;
	seg.sack[0].right = base + 4 * 1448;
	seg.sack_count = 1;
	tt_input(&t, &seg, 1 * MS);
	CHECK_EQ(t.c->ts_recent, newest);
	CHECK_EQ(t.c->nb_sacked, 1);
	/*
	 * Then the one sent 5 ms before it, reporting segment 1: taken, not
	 * answered. Its SACK block counts: with 1-3 SACKed, segment 0 is lost
	 * (RFC 6675 IsLost), and its retransmission is the only frame sent.
	 */
	seg.ts_val = newest - 5;
	seg.sack[0].left = base + 1 * 1448;
	seg.sack[0].right = base + 2 * 1448;
	tt_input(&t, &seg, 0);
	CHECK(tt_take(&t) && t.got.seq == base && t.got.payload_len == 1448);
	CHECK_BYTES(t.got.payload, data, 1448);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DISORDERED_ACKS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_PAWS), 0);
	CHECK_EQ(t.c->ts_recent, newest);
	CHECK_EQ(t.c->nb_sacked, 1);
	CHECK_EQ(t.c->sacked[0].start, base + 1 * 1448);
	CHECK_EQ(t.c->sacked[0].end, base + 4 * 1448);
	/* A pure ACK from further back than the RTO (the initial 1 s): PAWS drops it, silently. */
	seg.ts_val = newest - (t.c->rto_us / 1000 + 1);
	tt_input(&t, &seg, 0);
	tt_flush(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_PAWS), 1);
	/* One with a new window is not a disordered ACK either: it would move the window. */
	seg.ts_val = newest - 1;
	seg.window = (uint16_t)(t.peer_win - 1);
	tt_input(&t, &seg, 0);
	tt_flush(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_PAWS), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DISORDERED_ACKS), 1);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t); /* the RST */
out:
	tt_down(&t);
}

/* ACKs the connection cannot accept: for data not sent, and (RFC 5961 5.2) too old. */
static void
test_bad_acks(void)
{
	struct tt t;
	struct dtcp_tcp_repr seg;

	if (tt_up(&t, NULL) != 0)
		return;
	t.peer_win = 1000;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	seg = tt_seg(&t, DTCP_TCP_ACK);
	seg.ack = t.snd_nxt + 1;
	tt_input(&t, &seg, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_BAD_ACK), 1);
	/* SND.UNA - MAX.SND.WND (1000) is still fine, one before is not. */
	seg.ack = t.snd_nxt - 1000;
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	seg.ack = t.snd_nxt - 1001;
	tt_input(&t, &seg, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_BAD_ACK), 2);
	/* A segment without ACK on a synchronized connection. */
	seg = tt_seg(&t, DTCP_TCP_PSH);
	seg.payload = (const uint8_t *)"abc";
	seg.payload_len = 3;
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_NO_ACK), 1);
	CHECK_EQ(t.c->rcvq_len, 0);
	CHECK_EQ(harness_drops(&t.h), 3);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
out:
	tt_down(&t);
}

/* Data entirely outside the window: an ACK (with a D-SACK for old data), nothing queued. */
static void
test_data_outside_window(void)
{
	struct tt t;
	struct dtcp_tcp_repr seg;
	uint8_t data[100];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 3);
	seg = tt_seg(&t, DTCP_TCP_ACK);
	seg.payload = data;
	seg.payload_len = sizeof(data);
	seg.seq = t.rcv_nxt + 262144; /* first byte just past the window */
	tt_input(&t, &seg, 0);
	tt_expect_ack(&t);
	seg.seq = t.rcv_nxt - 100; /* all of it already received: a D-SACK says so (RFC 2883) */
	tt_input(&t, &seg, 0);
	{
		struct dtcp_tcp_repr w = tt_want(&t, DTCP_TCP_ACK);

		w.sack_count = 1;
		w.sack[0].left = t.rcv_nxt - 100;
		w.sack[0].right = t.rcv_nxt;
		tt_expect(&t, &w, NULL, 0);
	}
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_UNACCEPTABLE), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DUP_SEGMENTS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_DSACKS), 1);
	CHECK_EQ(t.c->rcvq_len, 0);
	tt_expect_no_events(&t);
out:
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_closed_port_rst);
	RUN_TEST(test_exact_rst_resets);
	RUN_TEST(test_in_window_rst_challenged);
	RUN_TEST(test_out_of_window_rst_ignored);
	RUN_TEST(test_syn_in_established_challenged);
	RUN_TEST(test_challenge_ack_rate_limit);
	RUN_TEST(test_paws);
	RUN_TEST(test_paws_disordered_ack);
	RUN_TEST(test_bad_acks);
	RUN_TEST(test_data_outside_window);
	rte_eal_cleanup();
	return TEST_EXIT();
}
