/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level TCP tests: closing. Every closing arrow of the RFC 9293 state
 * diagram, TIME_WAIT (RFC 1337, RFC 6191 reuse), abort and close with
 * unread data (RFC 2525 2.17), FIN retransmission and the orphaned
 * FIN_WAIT_2 timeout.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "tcp/tcp.h"
#include "tcp/isn.h"
#include "tcp_helpers.h"

#define S  (1000000ull)
#define MS (1000ull)

static struct dtcp_tw *
tw_of(struct tt *t)
{
	struct dtcp_flow_key key = {
		.local_addr = OUR_IP,
		.remote_addr = PEER_IP,
		.local_port = rte_cpu_to_be_16(t->lport),
		.remote_port = rte_cpu_to_be_16(t->rport),
	};

	return tcp_tw_lookup(t->lc, &key);
}

/* Our FIN (ACK set), then the sequence number it took. */
static void
expect_fin(struct tt *t)
{
	struct dtcp_tcp_repr w = tt_want(t, DTCP_TCP_ACK | DTCP_TCP_FIN);

	tt_expect(t, &w, NULL, 0);
	t->snd_nxt++;
}

/* The peer's FIN (with ACK of whatever t->snd_nxt says), then the number it took. */
static void
peer_fin(struct tt *t, uint64_t us)
{
	struct dtcp_tcp_repr fin = tt_seg(t, DTCP_TCP_ACK | DTCP_TCP_FIN);

	tt_input(t, &fin, us);
	t->rcv_nxt++;
}

static void
peer_ack(struct tt *t, uint64_t us)
{
	struct dtcp_tcp_repr ack = tt_seg(t, DTCP_TCP_ACK);

	tt_input(t, &ack, us);
}

/* No connection is left (listeners and TIME_WAIT entries aside). */
static void
check_no_conns(struct tt *t)
{
	for (unsigned int s = 0; s < DTCP_TCP_STATE__MAX; s++)
		if (s != DTCP_TCP_LISTEN && s != DTCP_TCP_TIME_WAIT)
			CHECK_EQ(t->lc->tcp.state_count[s], 0);
}

/* ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT -> CLOSED after time_wait_s (60 s). */
static void
test_active_close(void)
{
	struct tt t;
	uint64_t t1;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_shutdown(t.c), 0);
	CHECK_EQ(tt_state(&t), DTCP_TCP_FIN_WAIT_1);
	CHECK_EQ(dtcp_write(t.c, "x", 1), -EPIPE);
	expect_fin(&t);
	tt_expect_none(&t);
	peer_ack(&t, 10 * MS);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_FIN_WAIT_2);
	tt_expect_no_events(&t);
	/* The application holds the handle: FIN_WAIT_2 lasts as long as the peer wants. */
	tt_poll(&t, 600 * S);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_FIN_WAIT_2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_FIN_WAIT2_TIMEOUTS), 0);
	/* The peer's FIN is acknowledged at once. */
	peer_fin(&t, 10 * MS);
	t1 = t.h.now_us;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_PEER_CLOSED, DTCP_EV_CLOSED);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSED); /* the handle; the tuple lives on in TIME_WAIT */
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_TIME_WAIT], 1);
	CHECK(tw_of(&t) != NULL);
	dtcp_close(t.c);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 60 * S - 1);
	tt_expect_none(&t);
	CHECK(tw_of(&t) != NULL);
	tt_poll_until(&t, t1 + 60 * S);
	tt_expect_none(&t);
	CHECK(tw_of(&t) == NULL);
	check_no_conns(&t);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_TIME_WAIT], 0);
	CHECK_EQ(harness_drops(&t.h), 0);
	/* Gone: a segment of the old connection now meets the listener, which resets it. */
	peer_ack(&t, 0);
	{
		struct dtcp_tcp_repr rst = tt_want_rst(&t, DTCP_TCP_RST);

		tt_expect(&t, &rst, NULL, 0);
	}
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* In TIME_WAIT: a retransmitted FIN is acknowledged and restarts 2*MSL; a RST is ignored. */
static void
test_time_wait_fin_and_rst(void)
{
	struct tt t;
	struct dtcp_tcp_repr seg;
	uint64_t t1;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	dtcp_close(t.c);
	expect_fin(&t);
	peer_fin(&t, 10 * MS); /* FIN + ACK of ours together: FIN_WAIT_1 -> TIME_WAIT */
	t1 = t.h.now_us;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_no_events(&t); /* released: no events */
	CHECK(tw_of(&t) != NULL);
	check_no_conns(&t);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_TIME_WAIT], 1);
	/* The peer did not get our ACK and sends its FIN again at t1 + 30 s. */
	tt_poll_until(&t, t1 + 30 * S);
	t.rcv_nxt--;
	peer_fin(&t, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_TIME_WAIT), 1);
	/* RFC 1337: a RST, even an exact one, does not cut TIME_WAIT short. */
	seg = tt_seg(&t, DTCP_TCP_RST);
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_TIME_WAIT), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 0);
	/* Restarted at t1 + 30 s: still there at t1 + 90 s - 1 us, gone at t1 + 90 s. */
	tt_poll_until(&t, t1 + 60 * S);
	CHECK(tw_of(&t) != NULL);
	tt_poll_until(&t, t1 + 90 * S - 1);
	CHECK(tw_of(&t) != NULL);
	tt_poll_until(&t, t1 + 90 * S);
	CHECK(tw_of(&t) == NULL);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_TIME_WAIT], 0);
	tt_expect_none(&t);
	CHECK_EQ(harness_drops(&t.h), 2);
out:
	tt_down(&t);
}

/*
 * RFC 6191 / RFC 1122 4.2.2.13: a new SYN for a TIME_WAIT tuple reopens it
 * if it is unambiguously newer (timestamp, or sequence number without
 * timestamps); the new ISS is above anything the old incarnation used.
 */
static void
reuse_case(const struct tt_opts *o)
{
	struct tt t;
	struct dtcp_tcp_repr syn, synack, ack;
	uint32_t old_snd_nxt, old_rcv_nxt;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, o, 10 * MS);
	if (t.c == NULL)
		goto out;
	dtcp_close(t.c);
	expect_fin(&t);
	peer_fin(&t, 10 * MS);
	tt_expect_ack(&t);
	CHECK(tw_of(&t) != NULL);
	old_snd_nxt = t.snd_nxt;
	old_rcv_nxt = t.rcv_nxt;
	tt_poll(&t, 5 * S);
	/* Not newer (sequence number and timestamp both old): answered with the TIME_WAIT ACK. */
	t.rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &syn, o);
	tt_input(&t, &syn, 0);
	t.rcv_nxt = old_rcv_nxt;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TIME_WAIT_REUSED), 0);
	/* Newer: with timestamps a later TSval (the sequence number may even be lower). */
	if (o->ts) {
		t.peer_ts += 5000;
		t.rcv_nxt = TT_PEER_ISS - 100000;
	} else {
		t.rcv_nxt = old_rcv_nxt + 100000;
	}
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &syn, o);
	t.ts_offset = dtcp_ts_offset(&t.lc->tcp.secret, OUR_IP, PEER_IP);
	tt_input(&t, &syn, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TIME_WAIT_REUSED), 1);
	CHECK(tw_of(&t) == NULL);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 1);
	t.iss = old_snd_nxt + 65537;
	t.snd_nxt = t.iss;
	t.rcv_nxt = syn.seq + 1;
	t.our_win = TT_SYN_WIN;
	synack = tt_want(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	synack.has_mss = true;
	synack.mss = TT_OUR_MSS;
	synack.has_wscale = o->ws >= 0;
	synack.wscale = o->ws >= 0 ? TT_WS : 0;
	synack.sack_permitted = o->sack;
	tt_expect(&t, &synack, NULL, 0);
	tt_expect_none(&t);
	t.snd_nxt = t.iss + 1;
	t.our_win = o->ws >= 0 ? TT_WIN_WS : 65535;
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.c = dtcp_accept(t.l, &t);
	CHECK(t.c != NULL);
	if (t.c != NULL) {
		CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
		CHECK_EQ(t.c->iss, old_snd_nxt + 65537);
	}
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 2);
out:
	tt_down(&t);
}

static void
test_time_wait_reuse_by_seq(void)
{
	reuse_case(&tt_plain);
}

static void
test_time_wait_reuse_by_timestamp(void)
{
	reuse_case(&tt_full);
}

/* FIN_WAIT_1 -> CLOSING -> TIME_WAIT: the FINs cross. */
static void
test_simultaneous_close(void)
{
	struct tt t;
	struct dtcp_tcp_repr fin;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_shutdown(t.c), 0);
	expect_fin(&t);
	/* The peer's FIN does not acknowledge ours yet. */
	t.snd_nxt--;
	fin = tt_seg(&t, DTCP_TCP_ACK | DTCP_TCP_FIN);
	t.snd_nxt++;
	tt_input(&t, &fin, 5 * MS);
	t.rcv_nxt++;
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSING);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_PEER_CLOSED);
	peer_ack(&t, 5 * MS);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_CLOSED);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSED);
	CHECK(tw_of(&t) != NULL);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_TIME_WAIT], 1);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_CLOSING], 0);
	dtcp_close(t.c);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* FIN_WAIT_1 -> TIME_WAIT: the peer's FIN acknowledges ours in the same segment. */
static void
test_fin_wait_1_fin_ack_together(void)
{
	struct tt t;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_active_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_shutdown(t.c), 0);
	expect_fin(&t);
	peer_fin(&t, 5 * MS);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_PEER_CLOSED, DTCP_EV_CLOSED);
	CHECK(tw_of(&t) != NULL);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_FIN_WAIT_2], 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_TIME_WAIT], 1);
	/* The ephemeral port is not handed out while its tuple is in TIME_WAIT... */
	dtcp_close(t.c);
	t.lc->tcp.next_port = t.lport;
	t.c = dtcp_connect(t.lc, PEER_IP, TT_SRV_PORT, 0, NULL);
	CHECK(t.c != NULL);
	if (t.c != NULL) {
		struct dtcp_conn_info info;

		dtcp_conn_info(t.c, &info);
		CHECK_EQ(info.local_port, t.lport + 1);
		dtcp_abort(t.c); /* SYN_SENT: no RST */
	}
	tt_poll(&t, 0);
	CHECK(tt_take(&t)); /* that connection's SYN */
	CHECK_EQ(t.got.flags, DTCP_TCP_SYN);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED; data may still go out in CLOSE_WAIT. */
static void
test_passive_close(void)
{
	struct tt t;
	struct dtcp_tcp_repr w;
	uint8_t data[3] = {'b', 'y', 'e'};

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	peer_fin(&t, 10 * MS);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSE_WAIT);
	tt_expect_events(&t, 0, DTCP_EV_PEER_CLOSED);
	CHECK(dtcp_recv(t.c) == NULL);
	CHECK_EQ(rte_errno, EAGAIN);
	CHECK_EQ(dtcp_write(t.c, data, 3), 3);
	tt_poll(&t, 0);
	w = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	tt_expect(&t, &w, data, 3);
	t.snd_nxt += 3;
	CHECK_EQ(dtcp_shutdown(t.c), 0);
	CHECK_EQ(tt_state(&t), DTCP_TCP_LAST_ACK);
	tt_poll(&t, 0);
	/* Nagle does not hold a FIN back behind unacknowledged data. */
	expect_fin(&t);
	tt_expect_none(&t);
	/* Acknowledging the data only: still LAST_ACK. */
	t.snd_nxt--;
	peer_ack(&t, 5 * MS);
	t.snd_nxt++;
	CHECK_EQ(tt_state(&t), DTCP_TCP_LAST_ACK);
	tt_expect_none(&t);
	peer_ack(&t, 5 * MS);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSED);
	tt_expect_events(&t, 0, DTCP_EV_CLOSED);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_TIME_WAIT], 0);
	CHECK(tw_of(&t) == NULL);
	dtcp_close(t.c);
	check_no_conns(&t);
	/* No timer left behind. */
	tt_poll(&t, 300 * S);
	tt_expect_none(&t);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/* dtcp_close() in CLOSE_WAIT: FIN, LAST_ACK, freed on the ACK without any event. */
static void
test_close_in_close_wait(void)
{
	struct tt t;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	peer_fin(&t, 0);
	tt_expect_ack(&t);
	tt_expect_events(&t, 0, DTCP_EV_PEER_CLOSED);
	dtcp_close(t.c);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_LAST_ACK], 1);
	expect_fin(&t);
	tt_expect_none(&t);
	/* A RST at RCV.NXT in LAST_ACK closes it too, without error. */
	{
		struct dtcp_tcp_repr rst = tt_seg(&t, DTCP_TCP_RST);

		tt_input(&t, &rst, 0);
	}
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	check_no_conns(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_RST), 1);
out:
	tt_down(&t);
}

/* dtcp_abort(): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, no options, and the connection is gone. */
static void
test_abort_sends_rst(void)
{
	struct tt t;
	struct dtcp_tcp_repr rst;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	dtcp_abort(t.c);
	rst = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &rst, NULL, 0);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	check_no_conns(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST), 1);
	CHECK(tw_of(&t) == NULL);
	/* Aborting in SYN_SENT sends nothing. */
	tt_active_open(&t, NULL, 0);
	dtcp_abort(t.c);
	tt_poll(&t, 10 * S);
	tt_expect_none(&t);
	check_no_conns(&t);
out:
	tt_down(&t);
}

/* RFC 2525 2.17: closing with unread data resets instead of a FIN. */
static void
test_close_with_unread_data_resets(void)
{
	struct tt t;
	struct dtcp_tcp_repr rst;
	uint8_t data[10];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 1);
	tt_peer_data(&t, data, sizeof(data));
	tt_poll(&t, 0);
	tt_expect_ack(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	dtcp_close(t.c);
	rst = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &rst, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RST_UNREAD_DATA), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST), 1);
	check_no_conns(&t);
out:
	tt_down(&t); /* the unread mbuf was freed */
}

/* Our FIN is retransmitted on the RTO like data, with backoff. */
static void
test_fin_retransmission(void)
{
	struct tt t;
	struct dtcp_tcp_repr fin;
	uint64_t t1;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS); /* RTO 200 ms */
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_shutdown(t.c), 0);
	t1 = t.h.now_us;
	fin = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_FIN);
	tt_expect(&t, &fin, NULL, 0);
	tt_poll_until(&t, t1 + 200 * MS - 1);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 200 * MS);
	tt_expect(&t, &fin, NULL, 0);
	tt_poll_until(&t, t1 + 600 * MS - 1);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 600 * MS);
	tt_expect(&t, &fin, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 2);
	t.snd_nxt++;
	peer_ack(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_FIN_WAIT_2);
	tt_poll(&t, 10 * S);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* dtcp_close() then the peer's ACK: FIN_WAIT_2 without a handle ends after fin_wait2_s. */
static void
test_orphan_fin_wait_2_times_out(void)
{
	struct dtcp_config cfg;
	struct tt t;
	uint64_t t1;

	tt_config(&cfg);
	cfg.tcp_fin_wait2_s = 30;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	dtcp_close(t.c);
	expect_fin(&t);
	peer_ack(&t, 10 * MS);
	t1 = t.h.now_us;
	tt_expect_none(&t);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_FIN_WAIT_2], 1);
	tt_poll_until(&t, t1 + 30 * S - 1);
	tt_expect_none(&t);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_FIN_WAIT_2], 1);
	tt_poll_until(&t, t1 + 30 * S);
	tt_expect_none(&t); /* gone quietly */
	check_no_conns(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_FIN_WAIT2_TIMEOUTS), 1);
	tt_expect_no_events(&t);
	/* The peer's FIN comes too late: the listener resets it. */
	peer_fin(&t, 0);
	{
		struct dtcp_tcp_repr rst = tt_want_rst(&t, DTCP_TCP_RST);

		tt_expect(&t, &rst, NULL, 0);
	}
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* dtcp_close() once already in FIN_WAIT_2 (after dtcp_shutdown()) arms the same timeout. */
static void
test_close_in_fin_wait_2_times_out(void)
{
	struct tt t;
	uint64_t t1;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_shutdown(t.c), 0);
	expect_fin(&t);
	peer_ack(&t, 10 * MS);
	CHECK_EQ(tt_state(&t), DTCP_TCP_FIN_WAIT_2);
	tt_poll(&t, 100 * S);
	dtcp_close(t.c);
	t1 = t.h.now_us;
	tt_poll_until(&t, t1 + 60 * S - 1);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_FIN_WAIT_2], 1);
	tt_poll_until(&t, t1 + 60 * S);
	check_no_conns(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_FIN_WAIT2_TIMEOUTS), 1);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_active_close);
	RUN_TEST(test_time_wait_fin_and_rst);
	RUN_TEST(test_time_wait_reuse_by_seq);
	RUN_TEST(test_time_wait_reuse_by_timestamp);
	RUN_TEST(test_simultaneous_close);
	RUN_TEST(test_fin_wait_1_fin_ack_together);
	RUN_TEST(test_passive_close);
	RUN_TEST(test_close_in_close_wait);
	RUN_TEST(test_abort_sends_rst);
	RUN_TEST(test_close_with_unread_data_resets);
	RUN_TEST(test_fin_retransmission);
	RUN_TEST(test_orphan_fin_wait_2_times_out);
	RUN_TEST(test_close_in_fin_wait_2_times_out);
	rte_eal_cleanup();
	return TEST_EXIT();
}
