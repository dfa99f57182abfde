/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level TCP tests: congestion window (RFC 5681 slow start with
 * RFC 3465 byte counting, RFC 6928 initial window, the RTO response of
 * NewReno and CUBIC, [tcp] initial_window / congestion_control and
 * DTCP_OPT_CONGESTION on a live connection),
 * checksums of segments whose payload starts at odd offsets of the send
 * queue's mbufs, and the send buffer's bound on pinned mbufs.
 */
#include <errno.h>
#include <string.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "tcp_helpers.h"

#define MS (1000ull)

static void
peer_ack(struct tt *t, uint64_t us)
{
	struct dtcp_tcp_repr ack = tt_seg(t, DTCP_TCP_ACK);

	tt_input(t, &ack, us);
}

/* Take every frame the stack sent; count the data segments and check them in order. */
static unsigned int
take_data(struct tt *t, const uint8_t *data, uint32_t base_seq)
{
	unsigned int n = 0;

	while (rte_ring_count(t->h.tx[0]) > 0 && tt_take(t)) {
		if (t->got.payload_len == 0)
			continue;
		CHECK_BYTES(t->got.payload, data + (t->got.seq - base_seq), t->got.payload_len);
		t->snd_nxt = t->got.seq + t->got.payload_len;
		n++;
	}
	return n;
}

static void
test_initial_window_then_slow_start(void)
{
	static uint8_t data[64 * 1024];
	struct tt t;
	uint32_t base;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 5);
	base = t.snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), (long)sizeof(data));
	tt_poll(&t, 0);
	/* MSS 1448 (1460 less timestamps): min(10 * 1448, max(2 * 1448, 14600)) = 10 segments. */
	CHECK_EQ(take_data(&t, data, base), 10);
	CHECK_EQ(t.c->cwnd, 14480);
	/* One cumulative ACK for all ten grows the window by one MSS only (RFC 3465, L = 1). */
	peer_ack(&t, 10 * MS);
	CHECK_EQ(t.c->cwnd, 14480 + 1448);
	CHECK_EQ(take_data(&t, data, base), 11);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t); /* the RST */
out:
	tt_down(&t);
}

/*
 * The RTO response of each algorithm: one segment resent, cwnd = 1 SMSS, and
 * ssthresh from the flight size: half of it for NewReno (RFC 5681 (4)),
 * beta_cubic = 0.7 of it for CUBIC (RFC 9438 sections 4.6 and 4.8).
 */
static void
timeout_collapses_window(enum dtcp_cc_algo algo, uint32_t num, uint32_t den)
{
	static uint8_t data[32 * 1024];
	struct dtcp_conn_info info;
	struct tt t;
	uint32_t base, flight;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_CONGESTION, algo), 0);
	tt_pattern(data, sizeof(data), 9);
	base = t.snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), (long)sizeof(data));
	tt_poll(&t, 0);
	CHECK_EQ(take_data(&t, data, base), 10);
	flight = t.c->snd_max - t.c->snd_una;
	/* No ACK: the RTO resends one segment only. */
	tt_poll(&t, t.c->rto_us);
	CHECK(tt_take(&t));
	CHECK_EQ(t.got.seq, base);
	CHECK_EQ(t.got.payload_len, 1448);
	tt_expect_none(&t);
	CHECK_EQ(t.c->cwnd, 1448);
	CHECK_EQ(t.c->ssthresh, (uint64_t)flight * num / den);
	dtcp_conn_info(t.c, &info);
	CHECK_EQ(info.cc_algo, algo);
	CHECK_EQ(info.cwnd, 1448);
	CHECK_EQ(info.ssthresh, t.c->ssthresh);
	/* Its ACK: slow start from one segment, so two go out. */
	t.snd_nxt = base + 1448;
	peer_ack(&t, 1 * MS);
	CHECK_EQ(t.c->cwnd, 2 * 1448);
	CHECK_EQ(take_data(&t, data, base), 2);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t);
out:
	tt_down(&t);
}

static void
test_timeout_collapses_window_newreno(void)
{
	timeout_collapses_window(DTCP_CC_NEWRENO, 1, 2); /* 7240 */
}

static void
test_timeout_collapses_window_cubic(void)
{
	timeout_collapses_window(DTCP_CC_CUBIC, 7, 10); /* 10136 */
}

/*
 * [tcp] initial_window and congestion_control reach new connections: with
 * 4 segments the first flight is min(4 * 1448, max(2 * 1448, 4 * 1460)) =
 * 5792 bytes, and the algorithm is the configured one; DTCP_OPT_CONGESTION
 * rejects what is not an enum dtcp_cc_algo and switches an open connection.
 */
static void
test_config_reaches_connection(void)
{
	static uint8_t data[16 * 1024];
	struct dtcp_config cfg;
	struct dtcp_conn_info info;
	struct tt t;
	uint32_t base;

	tt_config(&cfg);
	cfg.tcp_initial_window = 4;
	cfg.tcp_congestion_control = DTCP_CC_NEWRENO;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	dtcp_conn_info(t.c, &info);
	CHECK_EQ(info.cc_algo, DTCP_CC_NEWRENO);
	CHECK_EQ(info.cwnd, 4 * 1448);
	CHECK_EQ(info.ssthresh, UINT32_MAX);
	tt_pattern(data, sizeof(data), 3);
	base = t.snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), (long)sizeof(data));
	tt_poll(&t, 0);
	CHECK_EQ(take_data(&t, data, base), 4);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_CONGESTION, 2), -EINVAL);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_CONGESTION, UINT32_MAX), -EINVAL);
	dtcp_conn_info(t.c, &info);
	CHECK_EQ(info.cc_algo, DTCP_CC_NEWRENO);
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_CONGESTION, DTCP_CC_CUBIC), 0);
	dtcp_conn_info(t.c, &info);
	CHECK_EQ(info.cc_algo, DTCP_CC_CUBIC);
	CHECK_EQ(info.cwnd, 4 * 1448); /* kept across the switch */
	CHECK_EQ(info.ssthresh, UINT32_MAX);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t);
out:
	tt_down(&t);
}

/*
 * Payload pieces that start at odd offsets (7 + 1001 + 501 bytes cut at an
 * MSS of 1000) must still carry correct checksums when summed in software.
 * Whether a wrong odd-offset sum shows depends on the bytes (a carry has to
 * be lost), so 64 different patterns go through.
 */
static void
test_checksum_of_odd_offset_pieces(void)
{
	static const uint16_t sizes[] = {7, 1001, 501};
	struct tt t;
	uint8_t data[1509];

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &(struct tt_opts){.mss = 1000, .ws = -1}, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK(!t.h.stack->ports[0].caps.tx_tcp_cksum); /* software checksum path */
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_NODELAY, 1), 0);
	for (unsigned int seed = 0; seed < 64; seed++) {
		struct rte_mbuf *head = NULL;
		size_t off = 0;
		uint32_t base = t.snd_nxt;

		tt_pattern(data, sizeof(data), seed * 7919);
		for (unsigned int i = 0; i < RTE_DIM(sizes); i++) {
			struct rte_mbuf *m = dtcp_alloc_mbuf(t.lc);

			memcpy(rte_pktmbuf_append(m, sizes[i]), data + off, sizes[i]);
			off += sizes[i];
			if (head == NULL)
				head = m;
			else
				CHECK_EQ(rte_pktmbuf_chain(head, m), 0);
		}
		CHECK_EQ(dtcp_send(t.c, &head), 1509);
		tt_poll(&t, 0);
		/* tt_take() verifies the IPv4 and TCP checksums of every frame. */
		CHECK_EQ(take_data(&t, data, base), 2);
		CHECK_EQ(t.got.seq, base + 1000);
		CHECK_EQ(t.got_nb_segs, 3); /* header, 494 bytes from an odd offset, 501 */
		peer_ack(&t, 1 * MS);
		tt_expect_none(&t);
	}
out:
	tt_down(&t);
}

/* Tiny zero-copy writes pin whole mbufs: the send buffer bounds those too. */
static void
test_send_buffer_bounds_pinned_mbufs(void)
{
	struct tt t;
	struct rte_mbuf *head = NULL;

	if (tt_up(&t, NULL) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_SNDBUF, 4096), 0);
	for (int i = 0; i < 5; i++) {
		struct rte_mbuf *m = dtcp_alloc_mbuf(t.lc);

		memset(rte_pktmbuf_append(m, 10), 'a' + i, 10);
		if (head == NULL)
			head = m;
		else
			CHECK_EQ(rte_pktmbuf_chain(head, m), 0);
	}
	/* 4096 bytes of data would fit, but 2 x 4096 of buffers holds three 2176-byte mbufs. */
	CHECK_EQ(dtcp_send(t.c, &head), 30);
	CHECK(head != NULL);
	if (head != NULL) {
		CHECK_EQ(head->nb_segs, 2);
		CHECK_EQ(head->pkt_len, 20);
		CHECK_EQ(*rte_pktmbuf_mtod(head, char *), 'd');
		rte_pktmbuf_free(head);
	}
	dtcp_abort(t.c);
	t.c = NULL;
	tt_poll(&t, 0); /* flush the data segment and the RST */
	while (rte_ring_count(t.h.tx[0]) > 0 && tt_take(&t))
		;
out:
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_initial_window_then_slow_start);
	RUN_TEST(test_timeout_collapses_window_newreno);
	RUN_TEST(test_timeout_collapses_window_cubic);
	RUN_TEST(test_config_reaches_connection);
	RUN_TEST(test_checksum_of_odd_offset_pieces);
	RUN_TEST(test_send_buffer_bounds_pinned_mbufs);
	rte_eal_cleanup();
	return TEST_EXIT();
}
