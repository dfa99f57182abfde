/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level TCP tests: data. Delivery to dtcp_recv()/dtcp_read(), one ACK
 * per burst, an out-of-order segment queued (more in test_tcp_reass.c), segmentation at the MSS
 * with exact payloads (chained zero-copy and copied), the peer's window, zero-window probes (RFC
 * 9293 3.8.6.1), Nagle (RFC 9293 3.7.4) and NODELAY, retransmission on RTO (RFC 6298) and giving
 * up, window updates after the application reads (RFC 1122 4.2.3.3), and the send buffer.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "golden_frames.h"
#include "tcp_helpers.h"

#define S  (1000000ull)
#define MS (1000ull)

static void
peer_ack(struct tt *t, uint64_t us)
{
	struct dtcp_tcp_repr ack = tt_seg(t, DTCP_TCP_ACK);

	tt_input(t, &ack, us);
}

/* The next data segment from the stack carries @p len bytes of @p data; snd_nxt moves on. */
static void
expect_data_at(struct tt *t, const uint8_t *data, uint16_t len, bool psh, const char *file,
	       int line)
{
	struct dtcp_tcp_repr w = tt_want(t, DTCP_TCP_ACK | (psh ? DTCP_TCP_PSH : 0));

	tt_expect_at(t, &w, data, len, file, line);
	t->snd_nxt += len;
}
#define expect_data(t, data, len, psh) expect_data_at(t, data, len, psh, __FILE__, __LINE__)

/* Read everything queued and compare it with @p want. */
static void
expect_recv(struct tt *t, const uint8_t *want, uint32_t len)
{
	struct rte_mbuf *m = dtcp_recv(t->c);
	uint8_t buf[8192];

	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK_EQ(m->pkt_len, len);
	if (m->pkt_len == len && len <= sizeof(buf)) {
		const void *p = rte_pktmbuf_read(m, 0, len, buf);

		CHECK(p != NULL);
		if (p != NULL)
			CHECK_BYTES(p, want, len);
	}
	rte_pktmbuf_free(m);
}

/* In-order segments are queued as one chain with exactly the bytes sent. */
static void
test_in_order_delivery(void)
{
	struct tt t;
	uint8_t data[3000];
	char part[10];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 11);
	tt_peer_data(&t, data, 1000);
	tt_poll(&t, 0);
	tt_expect_ack(&t); /* window min(256 KiB - 1000, 64 KiB - 1) */
	tt_peer_data(&t, data + 1000, 1460);
	tt_poll(&t, 0);
	tt_expect_ack(&t);
	tt_peer_data(&t, data + 2460, 540);
	tt_poll(&t, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE); /* once, however many segments */
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DATA_SEGMENTS), 3);
	{
		struct dtcp_conn_info info;

		dtcp_conn_info(t.c, &info);
		CHECK_EQ(info.rcv_queued, 3000);
	}
	expect_recv(&t, data, 3000);
	CHECK(dtcp_recv(t.c) == NULL);
	CHECK_EQ(rte_errno, EAGAIN);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_APP_BYTES_COPIED_OUT), 0); /* dtcp_recv() copies nothing */
	/* Without window scaling 64 KiB - 1 was advertised all along: no update to send. */
	tt_expect_none(&t);
	/* dtcp_read() copies, across segments and in pieces. */
	tt_peer_data(&t, "hello ", 6);
	tt_peer_data(&t, "world", 5);
	tt_poll(&t, 0);
	tt_expect_ack(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	CHECK_EQ(dtcp_read(t.c, part, 4), 4);
	CHECK_BYTES(part, "hell", 4);
	CHECK_EQ(dtcp_read(t.c, part, sizeof(part)), 7);
	CHECK_BYTES(part, "o world", 7);
	CHECK_EQ(dtcp_read(t.c, part, sizeof(part)), 0);
	CHECK_EQ(t.c->rcvq_len, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_APP_BYTES_COPIED_OUT), 11);
	tt_expect_none(&t);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/* Several data segments in one poll: one ACK for all of them. */
static void
test_ack_coalescing(void)
{
	struct tt t;
	uint8_t data[600];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 5);
	for (int i = 0; i < 4; i++)
		tt_peer_data(&t, data + 100 * i, 100);
	tt_poll(&t, 0);
	t.our_win = (262144 - 400) >> 3;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DATA_SEGMENTS), 4);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_SEGMENTS), 2); /* SYN-ACK and this ACK */
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 400);
	tt_expect_none(&t); /* 400 bytes more room is no reason for a window update */
	/* One segment half old, half new, and the next one, in one burst: one ACK. */
	t.rcv_nxt -= 50;
	tt_peer_data(&t, data + 350, 100);
	tt_peer_data(&t, data + 450, 100);
	tt_poll(&t, 0);
	t.our_win = (262144 - 150) >> 3;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data + 400, 150);
	CHECK_EQ(harness_drops(&t.h), 0);
	/*
	 * Whole duplicates are not acceptable segments: each gets its ACK at once
	 * (RFC 9293 3.10.7.4), with a D-SACK block for it (RFC 2883: SACK is on).
	 */
	t.rcv_nxt -= 100;
	tt_peer_data(&t, data + 450, 100);
	t.rcv_nxt -= 100;
	tt_peer_data(&t, data + 450, 100);
	tt_poll(&t, 0);
	t.our_win = 32768;
	for (int i = 0; i < 2; i++) {
		struct dtcp_tcp_repr w = tt_want(&t, DTCP_TCP_ACK);

		w.sack_count = 1;
		w.sack[0].left = t.rcv_nxt - 100;
		w.sack[0].right = t.rcv_nxt;
		tt_expect(&t, &w, NULL, 0);
	}
	tt_expect_none(&t);
	CHECK_EQ(t.c->rcvq_len, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_UNACCEPTABLE), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_DSACKS), 2);
	tt_expect_no_events(&t);
out:
	tt_down(&t);
}

/*
 * A segment after a hole is queued (tcp_reass.c) and answered at once with
 * a duplicate ACK, without SACK blocks when SACK was not negotiated; the
 * segment filling the hole delivers both, in order (test_tcp_reass.c has
 * the rest).
 */
static void
test_out_of_order_dup_ack(void)
{
	struct tt t;
	uint8_t data[300];
	struct dtcp_tcp_repr seg;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 9);
	seg = tt_seg(&t, DTCP_TCP_ACK);
	seg.seq += 100;
	seg.payload = data + 100;
	seg.payload_len = 100;
	tt_input(&t, &seg, 0);
	tt_expect_ack(&t); /* ACK = RCV.NXT, the start of the hole */
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_OOO_SEGMENTS), 1);
	tt_expect_no_events(&t);
	CHECK_EQ(t.c->rcvq_len, 0);
	/* In one burst: the first 100 bytes (fill the hole) then 200..300 (now in order). */
	tt_peer_data(&t, data, 100);
	seg = tt_seg(&t, DTCP_TCP_ACK);
	seg.seq += 100;
	seg.payload = data + 200;
	seg.payload_len = 100;
	tt_inject(&t, &seg);
	tt_poll(&t, 0);
	t.rcv_nxt += 200;
	tt_expect_ack(&t); /* one ACK for all 300 bytes */
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_OOO_SEGMENTS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DATA_SEGMENTS), 2);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 300);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/*
 * dtcp_send(): mbufs of 700, 700 and 1100 bytes to a peer with MSS 1000 go
 * out as 1000 + 1000 bytes at once (no PSH), the last 500 held by Nagle
 * until the ACK, then sent with PSH. @p chain: payload as indirect mbufs
 * chained to the header (the port's MULTI_SEGS), else copied.
 */
static void
segmentation_case(bool chain)
{
	static const uint16_t sizes[] = {700, 700, 1100};
	struct tt t;
	uint8_t data[2500];
	struct rte_mbuf *head = NULL;
	size_t off = 0;
	int rc;

	if (tt_up(&t, NULL) != 0)
		return;
	t.h.stack->ports[0].caps.tx_multi_segs = chain;
	tt_passive_open(&t, &(struct tt_opts){.mss = 1000, .ws = -1}, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 77);
	for (unsigned int i = 0; i < RTE_DIM(sizes); i++) {
		struct rte_mbuf *m = dtcp_alloc_mbuf(t.lc);

		CHECK(m != NULL);
		if (m == NULL)
			goto out;
		memcpy(rte_pktmbuf_append(m, sizes[i]), data + off, sizes[i]);
		off += sizes[i];
		if (head == NULL)
			head = m;
		else
			CHECK_EQ(rte_pktmbuf_chain(head, m), 0);
	}
	rc = dtcp_send(t.c, &head);
	CHECK_EQ(rc, 2500);
	CHECK(head == NULL);
	tt_poll(&t, 0);
	/* Header mbuf + 700 + 300 from two send mbufs, or one flat frame. */
	expect_data(&t, data, 1000, false);
	CHECK_EQ(t.got_nb_segs, chain ? 3 : 1);
	/* Header + the last 400 of the second + 600 of the third. */
	expect_data(&t, data + 1000, 1000, false);
	CHECK_EQ(t.got_nb_segs, chain ? 3 : 1);
	tt_expect_none(&t);
	CHECK_EQ(t.c->sndq_len, 2500);
	peer_ack(&t, 10 * MS);
	expect_data(&t, data + 2000, 500, true);
	CHECK_EQ(t.got_nb_segs, chain ? 2 : 1);
	tt_expect_none(&t);
	peer_ack(&t, 10 * MS);
	tt_expect_none(&t);
	CHECK_EQ(t.c->sndq_len, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 0);
	/* Nothing in flight: no timer left. */
	tt_poll(&t, 10 * S);
	tt_expect_none(&t);
out:
	tt_down(&t); /* every send mbuf and indirect mbuf is back in the pool */
}

static void
test_send_segmentation_chained(void)
{
	segmentation_case(true);
}

static void
test_send_segmentation_copied(void)
{
	segmentation_case(false);
}

/* The peer's window limits what is in flight, scaled by its shift. */
static void
test_send_window_respected(void)
{
	struct tt t;
	uint8_t data[3000];

	if (tt_up(&t, NULL) != 0)
		return;
	t.peer_win = 250; /* << 2 = 1000 bytes */
	tt_passive_open(&t, &(struct tt_opts){.mss = 1460, .ws = 2}, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(t.c->snd_wnd, 1000);
	tt_pattern(data, sizeof(data), 1);
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), 3000);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_APP_BYTES_COPIED_IN), 3000);
	tt_poll(&t, 0);
	expect_data(&t, data, 1000, false);
	tt_expect_none(&t);
	/* Half acknowledged, same window: 500 more. */
	t.snd_nxt -= 500;
	peer_ack(&t, 0);
	t.snd_nxt += 500;
	expect_data(&t, data + 1000, 500, false);
	tt_expect_none(&t);
	/* All acknowledged and the window opens to 2000: a full segment; Nagle holds the last 40.
	 */
	t.peer_win = 500;
	peer_ack(&t, 0);
	expect_data(&t, data + 1500, 1460, false);
	tt_expect_none(&t);
	peer_ack(&t, 0);
	expect_data(&t, data + 2960, 40, true);
	tt_expect_none(&t);
	peer_ack(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.c->sndq_len, 0);
out:
	tt_down(&t);
}

/* Wait for the probes at @p next, doubling from @p rto, each answered (or not); returns the next
 * deadline. */
static uint64_t
probes(struct tt *t, uint64_t next, uint64_t rto, unsigned int n, const uint8_t *byte, bool answer)
{
	struct dtcp_tcp_repr probe = tt_want(t, DTCP_TCP_ACK);

	for (unsigned int k = 1; k <= n; k++) {
		tt_poll_until(t, next - 1);
		tt_expect_none(t);
		tt_poll_until(t, next);
		/* One byte beyond the shut window, at SND.UNA. */
		tt_expect(t, &probe, byte, 1);
		tt_expect_none(t);
		if (answer) {
			peer_ack(t, 0);
			tt_expect_none(t);
		}
		CHECK_EQ(tt_state(t), DTCP_TCP_ESTABLISHED);
		next += RTE_MIN(rto << k, 120 * S);
	}
	return next;
}

/*
 * Zero window (RFC 9293 3.8.6.1): after an RTO a one-byte probe, backing
 * off. The peer may keep its window shut indefinitely as long as it answers
 * (RFC 1122 4.2.2.17); [tcp] retries unanswered probes end the connection.
 * Probes are no RTT samples, and when the window opens without the probe's
 * byte having been taken it goes again at once.
 */
static void
test_zero_window_probes(void)
{
	struct dtcp_config cfg;
	struct tt t;
	uint8_t data[100];
	uint64_t next, rto = 200 * MS;
	struct dtcp_tcp_repr rst;
	uint32_t srtt;

	tt_config(&cfg);
	cfg.tcp_retries = 3;
	if (tt_up(&t, &cfg) != 0)
		return;
	t.peer_win = 0;
	tt_passive_open(&t, &tt_plain, 10 * MS); /* RTO 200 ms */
	if (t.c == NULL)
		goto out;
	CHECK_EQ(t.c->snd_wnd, 0);
	tt_pattern(data, sizeof(data), 42);
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), 100);
	tt_expect_none(&t);
	/* Eight probes (more than [tcp] retries), each answered with the window still shut. */
	next = probes(&t, t.h.now_us + rto, rto, 8, data, true);
	tt_expect_no_events(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TIMEOUTS), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 7); /* the first probe was new data */
	/* The window opens and the probe's byte was taken: the other 99 bytes follow. */
	t.snd_nxt += 1;
	t.peer_win = 1000;
	peer_ack(&t, 0);
	expect_data(&t, data + 1, 99, true);
	tt_expect_none(&t);
	CHECK_EQ(t.c->rto_us, 200 * MS); /* not a sample spanning the wait */
	peer_ack(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.c->sndq_len, 0);
	CHECK_EQ(t.c->rto_us, 200 * MS);
	/*
	 * Shut again; one probe; the window opens without the probe's byte taken:
	 * all 10 bytes go at once, under a fresh RTO rather than the persist
	 * backoff, and (Karn) their ACK is no RTT sample: the first byte went twice.
	 */
	t.peer_win = 0;
	peer_ack(&t, 0);
	CHECK_EQ(dtcp_write(t.c, data, 10), 10);
	tt_expect_none(&t);
	probes(&t, t.h.now_us + rto, rto, 1, data, true);
	tt_poll(&t, 50 * MS);
	t.peer_win = 1000;
	peer_ack(&t, 0);
	expect_data(&t, data, 10, true);
	tt_expect_none(&t);
	CHECK_EQ(t.c->rtx_timer.expires_us, t.h.now_us + rto);
	srtt = t.c->srtt_us;
	peer_ack(&t, 10 * MS);
	tt_expect_none(&t);
	CHECK_EQ(t.c->srtt_us, srtt);
	/* Shut again, and this time the peer goes silent: three probes, then RST. */
	t.peer_win = 0;
	peer_ack(&t, 0);
	CHECK_EQ(dtcp_write(t.c, data, 10), 10);
	tt_expect_none(&t);
	next = probes(&t, t.h.now_us + rto, rto, 3, data, false);
	tt_poll_until(&t, next - 1);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	tt_poll_until(&t, next);
	t.snd_nxt += 1;
	rst = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &rst, NULL, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ETIMEDOUT, DTCP_EV_ERROR);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TIMEOUTS), 1);
	dtcp_close(t.c);
out:
	tt_down(&t);
}

/* Nagle holds a small segment while data is unacknowledged; NODELAY does not. */
static void
test_nagle_and_nodelay(void)
{
	struct tt t;
	uint8_t data[100];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 8);
	CHECK_EQ(dtcp_write(t.c, data, 10), 10);
	tt_poll(&t, 0);
	expect_data(&t, data, 10, true); /* nothing in flight: goes at once */
	CHECK_EQ(dtcp_write(t.c, data + 10, 10), 10);
	CHECK_EQ(dtcp_write(t.c, data + 20, 10), 10);
	tt_poll(&t, 0);
	tt_expect_none(&t); /* held: small, and 10 bytes unacknowledged */
	peer_ack(&t, 0);
	expect_data(&t, data + 10, 20, true); /* the ACK releases both writes as one segment */
	tt_expect_none(&t);
	/* NODELAY set while a small write waits: it goes at once. */
	CHECK_EQ(dtcp_write(t.c, data + 30, 5), 5);
	tt_expect_none(&t);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_NODELAY, 1), 0);
	expect_data(&t, data + 30, 5, true);
	CHECK_EQ(dtcp_write(t.c, data + 35, 5), 5);
	expect_data(&t, data + 35, 5, true);
	tt_expect_none(&t);
	/* And back. */
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_NODELAY, 0), 0);
	CHECK_EQ(dtcp_write(t.c, data + 40, 5), 5);
	tt_expect_none(&t);
	peer_ack(&t, 0);
	expect_data(&t, data + 40, 5, true);
	peer_ack(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_NODELAY, 2), -EINVAL);
out:
	tt_down(&t);
}

/*
 * Sender-side silly window avoidance (RFC 9293 3.8.6.2.1), with Nagle off
 * so that only it can hold data back: a segment cut short by the peer's
 * window waits while it is under both the MSS and half the largest window
 * offered; with nothing in flight the retransmission timer sends it anyway
 * (the override), which is no loss: no backoff, no window collapse.
 */
/*
 * The device falls behind: its TX ring (256) and the stack's backlog are
 * full of ping replies. Data written then is not built into frames the
 * backlog would drop: it stays in the send queue, unsent (SND.NXT does not
 * move), and goes, in order and complete, once the device drains.
 */
static void
test_data_waits_for_tx_room(void)
{
	const unsigned int pings = 256 + DTCP_TX_BACKLOG;
	static uint8_t data[10 * 1460];
	unsigned int taken = 0;
	struct tt t;
	uint32_t snd_nxt;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	for (unsigned int i = 0; i < pings; i += 32) {
		for (unsigned int j = 0; j < 32; j++)
			harness_inject(&t.h, 0, echo_request_in, sizeof(echo_request_in));
		tt_poll(&t, 0);
	}
	CHECK_EQ(t.lc->ports[0].tx.len, DTCP_TX_BACKLOG);
	tt_pattern(data, sizeof(data), 22);
	snd_nxt = t.c->snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), (long)sizeof(data));
	tt_poll(&t, 0);
	CHECK_EQ(t.c->snd_nxt, snd_nxt);
	CHECK(t.c->flags & TCPF_TX_WAIT);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TX_FULL), 0);
	/* The device drains: every reply first, then the data, in order. */
	for (unsigned int polls = 0; taken < pings && polls < 64; polls++) {
		struct rte_mbuf *m = NULL;

		while (taken < pings && rte_ring_dequeue(t.h.tx[0], (void **)&m) == 0) {
			CHECK_EQ(m->pkt_len, sizeof(echo_reply_out));
			rte_pktmbuf_free(m);
			taken++;
		}
		if (taken < pings)
			tt_poll(&t, 0);
	}
	CHECK_EQ(taken, pings);
	tt_poll(&t, 0);
	for (unsigned int i = 0; i < 10; i++)
		expect_data(&t, data + i * 1460, 1460, i == 9);
	tt_expect_none(&t);
	CHECK(!(t.c->flags & TCPF_TX_WAIT));
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TX_FULL), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 0);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t);
out:
	tt_down(&t);
}

static void
test_sender_silly_window_avoidance(void)
{
	static uint8_t data[20000];
	struct tt t;
	uint32_t cwnd;

	if (tt_up(&t, NULL) != 0)
		return;
	t.peer_win = 10000;
	tt_passive_open(&t, &tt_plain, 10 * MS); /* RTO 200 ms */
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_NODELAY, 1), 0);
	tt_pattern(data, sizeof(data), 21);
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), (long)sizeof(data));
	tt_poll(&t, 0);
	/* Six full segments fill 8,760 of the 10,000 bytes; the last 1,240 would be silly. */
	for (unsigned int i = 0; i < 6; i++)
		expect_data(&t, data + i * 1460, 1460, false);
	tt_expect_none(&t);
	/* All acknowledged, but the window is now 600 bytes: under half of 10,000, held. */
	t.peer_win = 600;
	peer_ack(&t, 0);
	tt_expect_none(&t);
	cwnd = t.c->cwnd;
	/* The override: one RTO later the 600 bytes go, without backoff or a window cut. */
	tt_poll(&t, 200 * MS - 1);
	tt_expect_none(&t);
	tt_poll(&t, 1);
	expect_data(&t, data + 8760, 600, false);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RTO_EXPIRED), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 0);
	CHECK_EQ(t.c->cwnd, cwnd);
	/* The window opens again: full segments at once. */
	t.peer_win = 10000;
	peer_ack(&t, 0);
	for (unsigned int i = 0; i < 6; i++)
		expect_data(&t, data + 9360 + i * 1460, 1460, false);
	tt_expect_none(&t);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t);
out:
	tt_down(&t);
}

/* RFC 6298: retransmission after the RTO, doubled each time, reset by new ACKs. */
static void
test_data_retransmission(void)
{
	struct tt t;
	struct dtcp_tcp_repr w;
	uint8_t data[100];
	uint64_t t1;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 100 * MS);
	if (t.c == NULL)
		goto out;
	/* RTT 100 ms: SRTT 100, RTTVAR 50, RTO = 100 + 4 * 50 = 300 ms. */
	CHECK_EQ(t.c->rto_us, 300 * MS);
	tt_pattern(data, sizeof(data), 4);
	CHECK_EQ(dtcp_write(t.c, data, 100), 100);
	t1 = t.h.now_us;
	w = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	tt_expect(&t, &w, data, 100);
	tt_poll_until(&t, t1 + 300 * MS - 1);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 300 * MS);
	tt_expect(&t, &w, data, 100);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 900 * MS - 1);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 900 * MS);
	tt_expect(&t, &w, data, 100);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 2);
	t.snd_nxt += 100;
	peer_ack(&t, 50 * MS);
	tt_expect_none(&t);
	/* Karn: no sample from a retransmitted segment; the backoff is gone. */
	CHECK_EQ(t.c->rto_us, 300 * MS);
	CHECK_EQ(t.c->nb_rtx, 0);
	CHECK_EQ(dtcp_write(t.c, data, 50), 50);
	t1 = t.h.now_us;
	w = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	tt_expect(&t, &w, data, 50);
	tt_poll_until(&t, t1 + 300 * MS);
	tt_expect(&t, &w, data, 50);
	t.snd_nxt += 50;
	peer_ack(&t, 0);
	tt_poll(&t, 100 * S);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 3);
	CHECK_EQ(t.c->sndq_len, 0);
	tt_expect_no_events(&t);
out:
	tt_down(&t);
}

/* [tcp] retries unanswered retransmissions: RST and ETIMEDOUT. */
static void
test_retransmission_gives_up(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr w;
	uint8_t data[100];
	uint64_t t1;

	tt_config(&cfg);
	cfg.tcp_retries = 2;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 100 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 6);
	CHECK_EQ(dtcp_write(t.c, data, 100), 100);
	t1 = t.h.now_us;
	w = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	tt_expect(&t, &w, data, 100);
	tt_poll_until(&t, t1 + 300 * MS);
	tt_expect(&t, &w, data, 100);
	tt_poll_until(&t, t1 + 900 * MS);
	tt_expect(&t, &w, data, 100);
	tt_poll_until(&t, t1 + 2100 * MS - 1);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	tt_poll_until(&t, t1 + 2100 * MS);
	t.snd_nxt += 100;
	w = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &w, NULL, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ETIMEDOUT, DTCP_EV_ERROR);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSED);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TIMEOUTS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST_TIMEOUT), 1);
	CHECK_EQ(t.c->sndq_len, 0);
	dtcp_close(t.c);
out:
	tt_down(&t);
}

/*
 * A 4 KiB receive buffer filled up: window 0, data beyond it refused; as
 * the application reads, a window update goes out once the window can grow
 * by min(buffer / 2, 2 * MSS) (receiver SWS avoidance, RFC 1122 4.2.3.3).
 */
static void
test_window_update_after_read(void)
{
	struct dtcp_config cfg;
	struct tt t;
	uint8_t data[4097], buf[4096];
	struct rte_mbuf *m;

	tt_config(&cfg);
	cfg.tcp_rcv_buf = 4096;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(t.our_win, 4096);
	tt_pattern(data, sizeof(data), 2);
	tt_peer_data(&t, data, 1460);
	tt_peer_data(&t, data + 1460, 1460);
	tt_peer_data(&t, data + 2920, 1176);
	tt_poll(&t, 0);
	t.our_win = 0;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	/* The window is shut: one more byte is not taken, and re-ACKed. */
	tt_peer_data(&t, data + 4096, 1);
	t.rcv_nxt -= 1;
	tt_poll(&t, 0);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_UNACCEPTABLE), 1);
	CHECK_EQ(t.c->rcvq_len, 4096);
	/* 1000 bytes read: 1000 < min(2048, 2920), no update yet. */
	CHECK_EQ(dtcp_read(t.c, buf, 1000), 1000);
	CHECK_BYTES(buf, data, 1000);
	tt_expect_none(&t);
	/* 2100 free: an update. */
	CHECK_EQ(dtcp_read(t.c, buf, 1100), 1100);
	CHECK_BYTES(buf, data + 1000, 1100);
	t.our_win = 2100;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	/* The rest: 1996 more is again too little to announce. */
	m = dtcp_recv(t.c);
	CHECK(m != NULL && m->pkt_len == 1996);
	if (m != NULL) {
		CHECK_BYTES(rte_pktmbuf_read(m, 0, 1996, buf), data + 2100, 1996);
		rte_pktmbuf_free(m);
	}
	tt_expect_none(&t);
	/* The peer may send into the 2100 bytes announced, and the ACK shows all 4096 free again.
	 */
	tt_peer_data(&t, data + 4096, 1);
	tt_poll(&t, 0);
	t.our_win = 4095;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	m = dtcp_recv(t.c);
	rte_pktmbuf_free(m);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* A send buffer of 4 KiB: dtcp_write() falls short, WRITABLE once ACKs make room. */
static void
test_send_buffer_and_writable(void)
{
	struct tt t;
	uint8_t data[5000];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_SNDBUF, 4096), 0);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_SNDBUF, 4095), -EINVAL);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_RCVBUF, 8192), -EISCONN);
	tt_pattern(data, sizeof(data), 99);
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), 4096);
	CHECK_EQ(dtcp_write(t.c, data + 4096, 904), 0);
	expect_data(&t, data, 1460, false);
	expect_data(&t, data + 1460, 1460, false);
	tt_expect_none(&t); /* 1176 held by Nagle */
	tt_expect_no_events(&t);
	peer_ack(&t, 0);
	expect_data(&t, data + 2920, 1176, true);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_WRITABLE);
	CHECK_EQ(dtcp_write(t.c, data + 4096, 904), 904);
	tt_expect_none(&t); /* Nagle again */
	peer_ack(&t, 0);
	expect_data(&t, data + 4096, 904, true);
	peer_ack(&t, 0);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	CHECK_EQ(t.c->sndq_len, 0);
out:
	tt_down(&t);
}

/* Data and FIN in one segment: both taken, one ACK for both. */
static void
test_data_with_fin(void)
{
	struct tt t;
	struct dtcp_tcp_repr seg;
	uint8_t data[200];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 13);
	seg = tt_seg(&t, DTCP_TCP_ACK | DTCP_TCP_PSH | DTCP_TCP_FIN);
	seg.payload = data;
	seg.payload_len = 200;
	tt_input(&t, &seg, 0);
	t.rcv_nxt += 201;
	t.our_win = (262144 - 200) >> 3;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSE_WAIT);
	tt_expect_events(&t, 0, DTCP_EV_READABLE, DTCP_EV_PEER_CLOSED);
	expect_recv(&t, data, 200);
	/* Data after the FIN (the peer misbehaving) is ignored. */
	seg = tt_seg(&t, DTCP_TCP_ACK);
	seg.payload = data;
	seg.payload_len = 10;
	tt_input(&t, &seg, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.c->rcvq_len, 0);
out:
	tt_down(&t);
}

/*
 * Keepalive (RFC 1122 4.2.3.6): after KEEPIDLE idle seconds a probe with
 * SEG.SEQ = SND.NXT - 1 and no data; an answer proves the peer alive and
 * resets the count; KEEPCNT unanswered probes, KEEPINTVL apart, end the
 * connection with a RST and ETIMEDOUT.
 */
static void
test_keepalive(void)
{
	struct tt t;
	struct dtcp_tcp_repr probe;
	uint64_t t1;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_KEEPIDLE_S, 10), 0);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_KEEPINTVL_S, 2), 0);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_KEEPCNT, 3), 0);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_KEEPALIVE, 1), 0);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_KEEPCNT, 0), -EINVAL);
	t1 = t.h.now_us;
	probe = tt_want(&t, DTCP_TCP_ACK);
	probe.seq = t.snd_nxt - 1;
	tt_poll_until(&t, t1 + 10 * S - 1 * MS);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 10 * S);
	tt_expect(&t, &probe, NULL, 0);
	/* Answered: alive; the next probe after another idle period, the count reset. */
	peer_ack(&t, 1 * MS);
	tt_expect_none(&t);
	t1 = t.h.now_us;
	tt_poll_until(&t, t1 + 10 * S);
	tt_expect(&t, &probe, NULL, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_KEEPALIVES), 2);
	/* Silence: two more probes 2 s apart, then the end. */
	tt_poll_until(&t, t1 + 12 * S);
	tt_expect(&t, &probe, NULL, 0);
	tt_poll_until(&t, t1 + 14 * S);
	tt_expect(&t, &probe, NULL, 0);
	tt_expect_no_events(&t);
	tt_poll_until(&t, t1 + 16 * S);
	probe = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &probe, NULL, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ETIMEDOUT, DTCP_EV_ERROR);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_KEEPALIVES), 4);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST_TIMEOUT), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RST_ABORT), 0);
	dtcp_close(t.c);
out:
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_in_order_delivery);
	RUN_TEST(test_ack_coalescing);
	RUN_TEST(test_out_of_order_dup_ack);
	RUN_TEST(test_send_segmentation_chained);
	RUN_TEST(test_send_segmentation_copied);
	RUN_TEST(test_send_window_respected);
	RUN_TEST(test_zero_window_probes);
	RUN_TEST(test_nagle_and_nodelay);
	RUN_TEST(test_sender_silly_window_avoidance);
	RUN_TEST(test_data_waits_for_tx_room);
	RUN_TEST(test_data_retransmission);
	RUN_TEST(test_retransmission_gives_up);
	RUN_TEST(test_window_update_after_read);
	RUN_TEST(test_send_buffer_and_writable);
	RUN_TEST(test_data_with_fin);
	RUN_TEST(test_keepalive);
	rte_eal_cleanup();
	return TEST_EXIT();
}
