/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level TCP tests: the receive side. Out-of-order segments queued
 * and reassembled (tcp_reass.c) with exact SACK blocks in the duplicate ACKs
 * (RFC 2018: the range holding the latest arrival first, then the most
 * recently reported; 3 blocks beside timestamps, 4 without) and D-SACK
 * blocks for duplicates (RFC 2883); overlapping segments trimmed and every
 * byte delivered once, in order; a FIN beyond a hole; the window's right
 * edge and the buffer budget; delayed ACKs (RFC 5681 4.2, [tcp] delack_ms);
 * the window update after the application reads a full buffer.
 *
 * Offsets in these tests are relative to the first sequence number the peer
 * sends after the handshake (base = TT_PEER_ISS + 1).
 */
#include <string.h>

#include <rte_errno.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "tcp_helpers.h"

#define MS   (1000ull)
#define BASE (TT_PEER_ISS + 1)

/* Our raw window field with window scaling (shift 3) and @p queued bytes unread. */
static uint16_t
win(const struct tt *t, uint32_t queued)
{
	return (uint16_t)((t->rcv_buf - queued) >> t->rcv_ws);
}

/* The peer's segment carrying data[off, off + len) at BASE + off. */
static struct dtcp_tcp_repr
seg_at(const struct tt *t, const uint8_t *data, uint32_t off, uint16_t len, uint8_t flags)
{
	struct dtcp_tcp_repr th = tt_seg(t, DTCP_TCP_ACK | flags);

	th.seq = BASE + off;
	th.payload = data + off;
	th.payload_len = len;
	return th;
}

/* Send it and poll once. */
static void
send_at(struct tt *t, const uint8_t *data, uint32_t off, uint16_t len, uint8_t flags)
{
	struct dtcp_tcp_repr th = seg_at(t, data, off, len, flags);

	tt_input(t, &th, 0);
}

/* Queue it for the next poll. */
static void
inject_at(struct tt *t, const uint8_t *data, uint32_t off, uint16_t len, uint8_t flags)
{
	struct dtcp_tcp_repr th = seg_at(t, data, off, len, flags);

	tt_inject(t, &th);
}

/* A bare ACK of t->rcv_nxt carrying @p n SACK blocks, given as offset pairs from BASE. */
static void
expect_sack_at(struct tt *t, const uint32_t *edges, unsigned int n, const char *file, int line)
{
	struct dtcp_tcp_repr w = tt_want(t, DTCP_TCP_ACK);

	w.sack_count = (uint8_t)n;
	for (unsigned int i = 0; i < n; i++) {
		w.sack[i].left = BASE + edges[2 * i];
		w.sack[i].right = BASE + edges[2 * i + 1];
	}
	tt_expect_at(t, &w, NULL, 0, file, line);
}
#define expect_sack(t, n, ...)                                                                     \
	expect_sack_at(t, (const uint32_t[]){__VA_ARGS__}, n, __FILE__, __LINE__)

/* Everything queued for the application is exactly @p want. */
static void
expect_recv_at(struct tt *t, const uint8_t *want, uint32_t len, const char *file, int line)
{
	static uint8_t buf[1 << 16];
	struct rte_mbuf *m = dtcp_recv(t->c);

	if (m == NULL) {
		fprintf(stderr, "%s:%d: nothing to receive, want %u bytes\n", file, line, len);
		dtcp_test_failures++;
		return;
	}
	if (m->pkt_len != len) {
		fprintf(stderr, "%s:%d: received %u bytes, want %u\n", file, line, m->pkt_len, len);
		dtcp_test_failures++;
	} else if (len <= sizeof(buf)) {
		const void *p = rte_pktmbuf_read(m, 0, len, buf);

		CHECK(p != NULL);
		if (p != NULL && memcmp(p, want, len) != 0) {
			fprintf(stderr, "%s:%d: received bytes differ\n", file, line);
			CHECK_BYTES(p, want, len);
		}
	}
	rte_pktmbuf_free(m);
}
#define expect_recv(t, want, len) expect_recv_at(t, want, len, __FILE__, __LINE__)

/* A connection with SACK and timestamps (3 SACK blocks fit), 256 KiB buffer. */
static bool
open_full(struct tt *t, const struct dtcp_config *cfg)
{
	if (tt_up(t, cfg) != 0)
		return false;
	tt_passive_open(t, &tt_full, 10 * MS);
	return t->c != NULL;
}

/* A hole: the segment after it is queued and answered at once with its SACK block. */
static void
test_hole_sack(void)
{
	struct tt t;
	uint8_t data[2000];

	if (!open_full(&t, NULL))
		goto out;
	tt_pattern(data, sizeof(data), 21);
	send_at(&t, data, 1000, 1000, 0);
	expect_sack(&t, 1, 1000, 2000); /* ACK = the hole's start */
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	CHECK_EQ(t.c->rcvq_len, 0);
	CHECK_EQ(t.c->reass.bytes, 1000);
	CHECK_EQ(t.c->reass.nb_segs, 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_OOO_SEGMENTS), 1);
	/* Filling the hole: one cumulative ACK for all, no SACK left, at once (RFC 5681 4.2). */
	send_at(&t, data, 0, 1000, 0);
	t.rcv_nxt = BASE + 2000;
	t.our_win = win(&t, 2000);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 2000);
	CHECK_EQ(t.c->reass.nb_segs, 0);
	CHECK_EQ(t.c->reass.truesize, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DATA_SEGMENTS), 1);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/*
 * Several holes: the block holding the latest arrival first, then the
 * others most recently reported first; three fit beside timestamps. A
 * segment that extends a range moves it to the front.
 */
static void
test_holes_sack_order(void)
{
	struct tt t;
	uint8_t data[4100];

	if (!open_full(&t, NULL))
		goto out;
	tt_pattern(data, sizeof(data), 22);
	send_at(&t, data, 1000, 500, 0);
	expect_sack(&t, 1, 1000, 1500);
	send_at(&t, data, 2000, 500, 0);
	expect_sack(&t, 2, 2000, 2500, 1000, 1500);
	send_at(&t, data, 1500, 300, 0); /* extends the older range: it goes first */
	expect_sack(&t, 2, 1000, 1800, 2000, 2500);
	send_at(&t, data, 3000, 100, 0);
	expect_sack(&t, 3, 3000, 3100, 1000, 1800, 2000, 2500);
	send_at(&t, data, 4000, 100, 0); /* four ranges, three blocks fit */
	expect_sack(&t, 3, 4000, 4100, 3000, 3100, 1000, 1800);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	/* The first hole filled: that range is delivered, the rest still reported. */
	send_at(&t, data, 0, 1000, 0);
	t.rcv_nxt = BASE + 1800;
	t.our_win = win(&t, 1800);
	expect_sack(&t, 3, 4000, 4100, 3000, 3100, 2000, 2500);
	/* The remaining holes in one burst: one ACK for everything. */
	inject_at(&t, data, 1800, 200, 0);
	inject_at(&t, data, 2500, 500, 0);
	inject_at(&t, data, 3100, 900, 0);
	tt_poll(&t, 0);
	t.rcv_nxt = BASE + 4100;
	t.our_win = win(&t, 4100);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 4100);
	t.our_win = win(&t, 0); /* more than 2 x MSS opened: a window update */
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_OOO_SEGMENTS), 5);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DATA_SEGMENTS), 4);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/* Without timestamps four SACK blocks fit (4 + 4 x 8 = 36 option bytes). */
static void
test_four_sack_blocks(void)
{
	struct tt t;
	uint8_t data[1000];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &(struct tt_opts){.mss = 1460, .ws = 7, .sack = true}, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 23);
	send_at(&t, data, 100, 50, 0);
	expect_sack(&t, 1, 100, 150);
	send_at(&t, data, 300, 50, 0);
	expect_sack(&t, 2, 300, 350, 100, 150);
	send_at(&t, data, 500, 50, 0);
	expect_sack(&t, 3, 500, 550, 300, 350, 100, 150);
	send_at(&t, data, 700, 50, 0);
	expect_sack(&t, 4, 700, 750, 500, 550, 300, 350, 100, 150);
	send_at(&t, data, 900, 50, 0); /* five ranges, four blocks fit */
	expect_sack(&t, 4, 900, 950, 700, 750, 500, 550, 300, 350);
	tt_expect_none(&t);
	/* Fill every hole at once; everything delivered exactly once. */
	inject_at(&t, data, 0, 100, 0);
	for (uint32_t k = 0; k < 4; k++)
		inject_at(&t, data, 150 + 200 * k, 150, 0);
	inject_at(&t, data, 950, 50, 0);
	tt_poll(&t, 0);
	t.rcv_nxt = BASE + 1000;
	t.our_win = win(&t, 1000);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 1000);
out:
	tt_down(&t);
}

/*
 * Overlaps: a segment overlapping a held one on its left or right is trimmed
 * to the new bytes; one covering held pieces replaces them; one spanning a
 * hole between two held pieces keeps only the hole. Every byte is delivered
 * once, in order.
 */
static void
test_overlaps_trimmed(void)
{
	struct tt t;
	uint8_t data[3700];

	if (!open_full(&t, NULL))
		goto out;
	tt_pattern(data, sizeof(data), 24);
	send_at(&t, data, 1000, 1000, 0);
	expect_sack(&t, 1, 1000, 2000);
	send_at(&t, data, 500, 700, 0); /* overlaps on the left: keeps [500, 1000) */
	expect_sack(&t, 1, 500, 2000);
	CHECK_EQ(t.c->reass.bytes, 1500);
	send_at(&t, data, 1800, 700, 0); /* overlaps on the right: keeps [2000, 2500) */
	expect_sack(&t, 1, 500, 2500);
	CHECK_EQ(t.c->reass.bytes, 2000);
	CHECK_EQ(t.c->reass.nb_segs, 3);
	send_at(&t, data, 3000, 200, 0);
	expect_sack(&t, 2, 3000, 3200, 500, 2500);
	send_at(&t, data, 3400, 200, 0);
	expect_sack(&t, 3, 3400, 3600, 3000, 3200, 500, 2500);
	send_at(&t, data, 2900, 800, 0); /* covers both: they give way to it */
	expect_sack(&t, 2, 2900, 3700, 500, 2500);
	CHECK_EQ(t.c->reass.nb_segs, 4);
	CHECK_EQ(t.c->reass.bytes, 2800);
	send_at(&t, data, 2400, 600, 0); /* spans the hole [2500, 2900): only that is kept */
	expect_sack(&t, 1, 500, 3700);
	CHECK_EQ(t.c->reass.nb_segs, 5);
	CHECK_EQ(t.c->reass.bytes, 3200);
	tt_expect_none(&t);
	tt_expect_no_events(&t);
	send_at(&t, data, 0, 600, 0); /* the first hole, overlapping [500, 600) too */
	t.rcv_nxt = BASE + 3700;
	t.our_win = win(&t, 3700);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 3700);
	t.our_win = win(&t, 0); /* more than 2 x MSS opened: a window update */
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(t.c->reass.nb_segs, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DUP_SEGMENTS), 0);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/*
 * Duplicates (RFC 2883): of held data (exact, a part, across two pieces) the
 * D-SACK block comes first and the range holding it second; of data below
 * RCV.NXT the D-SACK block, then the ranges still held. Each reported once.
 */
static void
test_duplicates_dsack(void)
{
	struct tt t;
	uint8_t data[3100];

	if (!open_full(&t, NULL))
		goto out;
	tt_pattern(data, sizeof(data), 25);
	send_at(&t, data, 1000, 1000, 0);
	expect_sack(&t, 1, 1000, 2000);
	send_at(&t, data, 1000, 1000, 0); /* exact duplicate */
	expect_sack(&t, 2, 1000, 2000, 1000, 2000);
	send_at(&t, data, 1200, 300, 0); /* inside */
	expect_sack(&t, 2, 1200, 1500, 1000, 2000);
	send_at(&t, data, 2000, 500, 0);
	expect_sack(&t, 1, 1000, 2500);	 /* no D-SACK: reported once only */
	send_at(&t, data, 1500, 700, 0); /* across two held pieces */
	expect_sack(&t, 2, 1500, 2200, 1000, 2500);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DUP_SEGMENTS), 3);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_DUPLICATE), 3);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_DSACKS), 3);
	CHECK_EQ(t.c->reass.bytes, 1500);
	send_at(&t, data, 3000, 100, 0);
	expect_sack(&t, 2, 3000, 3100, 1000, 2500);
	send_at(&t, data, 0, 1000, 0);
	t.rcv_nxt = BASE + 2500;
	t.our_win = win(&t, 2500);
	expect_sack(&t, 1, 3000, 3100);
	/* Old data again: not acceptable (RFC 9293), ACKed with its D-SACK block. */
	send_at(&t, data, 0, 1000, 0);
	expect_sack(&t, 2, 0, 1000, 3000, 3100);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DUP_SEGMENTS), 4);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_UNACCEPTABLE), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_DSACKS), 4);
	send_at(&t, data, 2500, 500, 0);
	t.rcv_nxt = BASE + 3100;
	t.our_win = win(&t, 3100);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 3100);
	t.our_win = win(&t, 0); /* more than 2 x MSS opened: a window update */
	tt_expect_ack(&t);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/* A FIN beyond a hole: remembered, taken (CLOSE_WAIT) only once the data before it is in. */
static void
test_ooo_fin(void)
{
	struct tt t;
	uint8_t data[1000];

	if (!open_full(&t, NULL))
		goto out;
	tt_pattern(data, sizeof(data), 26);
	send_at(&t, data, 500, 500, DTCP_TCP_FIN);
	expect_sack(&t, 1, 500, 1000);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	tt_expect_no_events(&t);
	send_at(&t, data, 0, 500, 0);
	t.rcv_nxt = BASE + 1001;
	t.our_win = win(&t, 1000);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSE_WAIT);
	tt_expect_events(&t, 0, DTCP_EV_READABLE, DTCP_EV_PEER_CLOSED);
	expect_recv(&t, data, 1000);
out:
	tt_down(&t);
}

/* The FIN comes on a retransmission of data already held: the FIN is kept all the same. */
static void
test_ooo_fin_on_duplicate(void)
{
	struct tt t;
	uint8_t data[1000];

	if (!open_full(&t, NULL))
		goto out;
	tt_pattern(data, sizeof(data), 34);
	send_at(&t, data, 500, 500, 0);
	expect_sack(&t, 1, 500, 1000);
	send_at(&t, data, 500, 500, DTCP_TCP_FIN);
	expect_sack(&t, 2, 500, 1000, 500, 1000);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_DUPLICATE), 1);
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	send_at(&t, data, 0, 500, 0);
	t.rcv_nxt = BASE + 1001;
	t.our_win = win(&t, 1000);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSE_WAIT);
	tt_expect_events(&t, 0, DTCP_EV_READABLE, DTCP_EV_PEER_CLOSED);
	expect_recv(&t, data, 1000);
out:
	tt_down(&t);
}

/* A bare FIN beyond a hole, then data beyond the FIN (cut), then the data before it. */
static void
test_ooo_bare_fin(void)
{
	struct tt t;
	uint8_t data[1200];
	struct dtcp_tcp_repr fin;

	if (!open_full(&t, NULL))
		goto out;
	tt_pattern(data, sizeof(data), 27);
	fin = tt_seg(&t, DTCP_TCP_ACK | DTCP_TCP_FIN);
	fin.seq = BASE + 1000;
	tt_input(&t, &fin, 0);
	tt_expect_ack(&t); /* nothing held: no SACK block */
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	send_at(&t, data, 900, 300, 0); /* runs past the FIN: cut at it */
	expect_sack(&t, 1, 900, 1000);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_WINDOW_TRIMMED), 1);
	CHECK_EQ(t.c->reass.bytes, 100);
	tt_expect_no_events(&t);
	send_at(&t, data, 0, 900, 0);
	t.rcv_nxt = BASE + 1001;
	t.our_win = win(&t, 1000);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_CLOSE_WAIT);
	tt_expect_events(&t, 0, DTCP_EV_READABLE, DTCP_EV_PEER_CLOSED);
	expect_recv(&t, data, 1000);
out:
	tt_down(&t);
}

/*
 * A 4 KiB buffer (no scaling): out-of-order data past the window's right
 * edge is cut there; filled, the window is 0; read, a window update
 * announces the whole buffer again.
 */
static void
test_window_edge_and_update(void)
{
	struct dtcp_config cfg;
	struct tt t;
	uint8_t data[4500];

	tt_config(&cfg);
	cfg.tcp_rcv_buf = 4096;
	if (!open_full(&t, &cfg))
		goto out;
	CHECK_EQ(t.our_win, 4096);
	tt_pattern(data, sizeof(data), 28);
	send_at(&t, data, 1000, 1000, 0);
	expect_sack(&t, 1, 1000, 2000);
	send_at(&t, data, 3500, 1000, 0); /* [3500, 4500): cut at 4096 */
	expect_sack(&t, 2, 3500, 4096, 1000, 2000);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_WINDOW_TRIMMED), 1);
	CHECK_EQ(t.c->reass.bytes, 1596);
	CHECK(t.c->rcvq_len + t.c->reass.bytes <= 4096);
	inject_at(&t, data, 0, 1000, 0);
	inject_at(&t, data, 2000, 1448, 0);
	inject_at(&t, data, 3448, 52, 0);
	tt_poll(&t, 0);
	t.rcv_nxt = BASE + 4096;
	t.our_win = 0;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	/* The application takes everything: the window opens by a whole buffer. */
	expect_recv(&t, data, 4096);
	t.our_win = 4096;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_WINDOW_UPDATES), 1);
	/* The rest goes in now. */
	send_at(&t, data, 4096, 404, DTCP_TCP_PSH);
	t.rcv_nxt = BASE + 4500;
	t.our_win = 4096 - 404;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data + 4096, 404);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/*
 * The buffer budget: out-of-order mbufs may pin at most twice rcv_buf (three
 * 2176-byte buffers for a 4 KiB buffer), so one-byte segments cannot drain
 * the pool. The fourth is refused and counted, held data is kept (never
 * reneged), a segment replacing held pieces fits, data in order is never
 * refused, and nothing is delivered twice.
 */
static void
test_buffer_budget(void)
{
	struct dtcp_config cfg;
	struct tt t;
	uint8_t data[600];

	tt_config(&cfg);
	cfg.tcp_rcv_buf = 4096;
	if (!open_full(&t, &cfg))
		goto out;
	tt_pattern(data, sizeof(data), 29);
	send_at(&t, data, 100, 1, 0);
	expect_sack(&t, 1, 100, 101);
	send_at(&t, data, 200, 1, 0);
	expect_sack(&t, 2, 200, 201, 100, 101);
	send_at(&t, data, 300, 1, 0);
	expect_sack(&t, 3, 300, 301, 200, 201, 100, 101);
	CHECK_EQ(t.c->reass.nb_segs, 3);
	send_at(&t, data, 400, 1, 0); /* over the budget */
	expect_sack(&t, 3, 300, 301, 200, 201, 100, 101);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_OOO_FULL), 1);
	CHECK_EQ(t.c->reass.nb_segs, 3);
	send_at(&t, data, 150, 200, 0); /* [150, 350) replaces two pieces: fits */
	expect_sack(&t, 2, 150, 350, 100, 101);
	CHECK_EQ(t.c->reass.nb_segs, 2);
	send_at(&t, data, 400, 1, 0);
	expect_sack(&t, 3, 400, 401, 150, 350, 100, 101);
	CHECK_EQ(t.c->reass.nb_segs, 3);
	send_at(&t, data, 500, 1, 0); /* full again */
	expect_sack(&t, 3, 400, 401, 150, 350, 100, 101);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_OOO_FULL), 2);
	/* In order: taken although the budget is used up. */
	send_at(&t, data, 0, 120, 0);
	t.rcv_nxt = BASE + 120;
	t.our_win = 4096 - 120;
	expect_sack(&t, 2, 400, 401, 150, 350);
	send_at(&t, data, 120, 480, 0); /* the rest, overlapping all that is held */
	t.rcv_nxt = BASE + 600;
	t.our_win = 4096 - 600;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 600);
	CHECK_EQ(t.c->reass.nb_segs, 0);
	CHECK_EQ(t.c->reass.truesize, 0);
	CHECK_EQ(harness_drops(&t.h), 2);
out:
	tt_down(&t);
}

/* Out-of-order data still held when the connection is reset: freed (tt_down checks the pools). */
static void
test_teardown_frees(void)
{
	struct tt t;
	uint8_t data[300];
	struct dtcp_tcp_repr rst;

	if (!open_full(&t, NULL))
		goto out;
	tt_pattern(data, sizeof(data), 30);
	send_at(&t, data, 100, 100, 0);
	expect_sack(&t, 1, 100, 200);
	send_at(&t, data, 250, 50, DTCP_TCP_FIN);
	expect_sack(&t, 2, 250, 300, 100, 200);
	rst = tt_seg(&t, DTCP_TCP_RST);
	tt_input(&t, &rst, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, ECONNRESET, DTCP_EV_ERROR);
	CHECK_EQ(t.c->reass.nb_segs, 0);
	dtcp_close(t.c);
out:
	tt_down(&t);
}

/*
 * Delayed ACK (RFC 5681 4.2): one full-sized segment is acknowledged
 * [tcp] delack_ms (40) later, a second one at once; PSH at once; a segment
 * we send meanwhile carries the ACK and the timer is off.
 */
static void
test_delayed_ack(void)
{
	struct tt t;
	uint8_t data[6000];
	uint64_t t1;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 31);
	t.our_win = 65535;
	/* One full segment: no ACK until exactly 40 ms later. */
	t1 = t.h.now_us;
	send_at(&t, data, 0, 1460, 0);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 40 * MS - 1);
	tt_expect_none(&t);
	tt_poll_until(&t, t1 + 40 * MS);
	t.rcv_nxt = BASE + 1460;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_DELAYED_ACKS), 1);
	/* Two full segments, one poll each: the second is ACKed at once, the timer is off. */
	send_at(&t, data, 1460, 1460, 0);
	tt_expect_none(&t);
	tt_poll(&t, 10 * MS);
	send_at(&t, data, 2920, 1460, 0);
	t.rcv_nxt = BASE + 4380;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_poll(&t, 100 * MS);
	tt_expect_none(&t);
	/* PSH: at once. */
	send_at(&t, data, 4380, 100, DTCP_TCP_PSH);
	t.rcv_nxt = BASE + 4480;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	/* A small segment waits too; our data segment carries its ACK, nothing else follows. */
	send_at(&t, data, 4480, 100, 0);
	tt_expect_none(&t);
	t.rcv_nxt = BASE + 4580;
	CHECK_EQ(dtcp_write(t.c, "reply", 5), 5);
	{
		struct dtcp_tcp_repr w = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);

		tt_expect(&t, &w, "reply", 5);
		t.snd_nxt += 5;
	}
	tt_poll(&t, 40 * MS);
	tt_expect_none(&t);
	{
		struct dtcp_tcp_repr ack = tt_seg(&t, DTCP_TCP_ACK);

		tt_input(&t, &ack, 0);
	}
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_DELAYED_ACKS), 1);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 4580);
out:
	tt_down(&t);
}

/* Two full segments in one burst: one ACK, at the end of it. */
static void
test_delayed_ack_burst(void)
{
	struct tt t;
	uint8_t data[2920];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 32);
	t.our_win = 65535;
	inject_at(&t, data, 0, 1460, 0);
	inject_at(&t, data, 1460, 1460, 0);
	tt_poll(&t, 0);
	t.rcv_nxt = BASE + 2920;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_poll(&t, 100 * MS);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 2920);
out:
	tt_down(&t);
}

/* [tcp] delack_ms = 0: every segment is acknowledged at once. */
static void
test_delack_off(void)
{
	struct dtcp_config cfg;
	struct tt t;
	uint8_t data[1560];

	tt_config(&cfg);
	cfg.tcp_delack_ms = 0;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 33);
	t.our_win = 65535;
	send_at(&t, data, 0, 1460, 0);
	t.rcv_nxt = BASE + 1460;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	send_at(&t, data, 1460, 100, 0);
	t.rcv_nxt = BASE + 1560;
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_poll(&t, 100 * MS);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_DELAYED_ACKS), 0);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	expect_recv(&t, data, 1560);
out:
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_hole_sack);
	RUN_TEST(test_holes_sack_order);
	RUN_TEST(test_four_sack_blocks);
	RUN_TEST(test_overlaps_trimmed);
	RUN_TEST(test_duplicates_dsack);
	RUN_TEST(test_ooo_fin);
	RUN_TEST(test_ooo_fin_on_duplicate);
	RUN_TEST(test_ooo_bare_fin);
	RUN_TEST(test_window_edge_and_update);
	RUN_TEST(test_buffer_budget);
	RUN_TEST(test_teardown_frees);
	RUN_TEST(test_delayed_ack);
	RUN_TEST(test_delayed_ack_burst);
	RUN_TEST(test_delack_off);
	rte_eal_cleanup();
	return TEST_EXIT();
}
