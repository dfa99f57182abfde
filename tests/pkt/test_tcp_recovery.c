/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level TCP tests: loss recovery before the retransmission timer.
 * Fast retransmit on the third duplicate ACK and NewReno's partial ACKs
 * (RFC 5681, RFC 6582), limited transmit (RFC 3042), SACK-based recovery
 * resending exactly the missing ranges (RFC 6675), and no recovery for a
 * peer whose window is shut. Every segment the stack sends is checked:
 * sequence number, length and payload bytes.
 */
#include <string.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "tcp_helpers.h"

#define MS	(1000ull)
#define NB_SEGS 16

struct sent {
	uint32_t off; /* from the first data byte */
	uint32_t len;
};

/*
 * Take every frame the stack sent: data segments are checked against @p data
 * (at their offset from @p base) and recorded; pure ACKs are skipped.
 */
static unsigned int
take_segs(struct tt *t, const uint8_t *data, uint32_t base, struct sent *out, unsigned int max)
{
	unsigned int n = 0;

	tt_flush(t);
	while (rte_ring_count(t->h.tx[0]) > 0 && tt_take(t)) {
		uint32_t off = t->got.seq - base;

		if (t->got.payload_len == 0)
			continue;
		CHECK_BYTES(t->got.payload, data + off, t->got.payload_len);
		if (n < max)
			out[n] = (struct sent){off, t->got.payload_len};
		n++;
	}
	return n;
}

/* The peer's ACK of @p ack, with SACK blocks, echoing @p ecr. */
static void
peer_ack_sack_ecr(struct tt *t, uint32_t ack, uint32_t base, const uint32_t (*blocks)[2],
		  unsigned int nb, uint32_t ecr)
{
	struct dtcp_tcp_repr th = tt_seg(t, DTCP_TCP_ACK);

	th.ack = ack;
	th.ts_ecr = ecr;
	for (unsigned int i = 0; i < nb; i++) {
		th.sack[i].left = base + blocks[i][0];
		th.sack[i].right = base + blocks[i][1];
	}
	th.sack_count = (uint8_t)nb;
	tt_input(t, &th, 0);
}

/* The peer acknowledges @p ack (absolute), optionally with SACK blocks (offsets from @p base). */
static void
peer_ack_sack(struct tt *t, uint32_t ack, uint32_t base, const uint32_t (*blocks)[2],
	      unsigned int nb)
{
	peer_ack_sack_ecr(t, ack, base, blocks, nb, tt_ts_now(t));
}

/* Exactly one data segment, at @p off, of @p len bytes. */
#define CHECK_ONE(t, data, base, off_, len_)                                                       \
	do {                                                                                       \
		struct sent s_[4];                                                                 \
		CHECK_EQ(take_segs(t, data, base, s_, 4), 1);                                      \
		CHECK_EQ(s_[0].off, (off_));                                                       \
		CHECK_EQ(s_[0].len, (len_));                                                       \
	} while (0)

#define CHECK_NONE(t, data, base)                                                                  \
	do {                                                                                       \
		struct sent s_[4];                                                                 \
		CHECK_EQ(take_segs(t, data, base, s_, 4), 0);                                      \
	} while (0)

/*
 * NewReno without SACK: segments 0 and 2 of a 12-segment flight are lost.
 * Duplicate ACKs 1 and 2 each let one new segment out (limited transmit);
 * the third resends segment 0 and sets cwnd = ssthresh + 3 MSS; further
 * duplicates inflate cwnd by one MSS each until new data fits; the partial
 * ACK for segment 2 resends it at once; the full ACK ends recovery without
 * a burst.
 */
static void
test_newreno_fast_retransmit_and_partial_ack(void)
{
	static uint8_t data[NB_SEGS * 1460];
	const uint32_t mss = 1460;
	struct sent s[NB_SEGS];
	uint32_t base, flight, ssthresh;
	struct dtcp_config cfg;
	struct tt t;

	/* The arithmetic below is NewReno's halving; CUBIC's is tests/unit/test_cc.c's. */
	tt_config(&cfg);
	cfg.tcp_congestion_control = DTCP_CC_NEWRENO;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 11);
	base = t.snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, sizeof(data)), (long)sizeof(data));
	tt_poll(&t, 0);
	CHECK_EQ(take_segs(&t, data, base, s, NB_SEGS), 10); /* the initial window */
	CHECK_EQ(s[9].off, 9 * mss);

	/* Segment 0 lost: every ACK repeats SND.UNA. Limited transmit for the first two. */
	peer_ack_sack(&t, base, base, NULL, 0);
	CHECK_ONE(&t, data, base, 10 * mss, mss);
	peer_ack_sack(&t, base, base, NULL, 0);
	CHECK_ONE(&t, data, base, 11 * mss, mss);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES), 0);
	/* The third: fast retransmit of segment 0, and nothing else. */
	flight = 12 * mss;
	ssthresh = flight / 2;
	peer_ack_sack(&t, base, base, NULL, 0);
	CHECK_ONE(&t, data, base, 0, mss);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_FAST_RETRANSMITS), 1);
	CHECK_EQ(t.c->ssthresh, ssthresh);
	CHECK_EQ(t.c->cwnd, ssthresh + 3 * mss);
	/* Duplicates 4..6 inflate cwnd; still less than the flight. */
	for (unsigned int i = 4; i <= 6; i++) {
		peer_ack_sack(&t, base, base, NULL, 0);
		CHECK_NONE(&t, data, base);
		CHECK_EQ(t.c->cwnd, ssthresh + i * mss);
	}
	/* The seventh: cwnd = flight + 1 MSS, one new segment goes. */
	peer_ack_sack(&t, base, base, NULL, 0);
	CHECK_ONE(&t, data, base, 12 * mss, mss);

	/*
	 * Segment 0 arrived, 2 did not: a partial ACK. Segment 2 goes at once;
	 * cwnd deflates by the 2 MSS acknowledged and gains 1, which with 11
	 * segments in flight lets one new segment (13) out.
	 */
	peer_ack_sack(&t, base + 2 * mss, base, NULL, 0);
	CHECK_EQ(take_segs(&t, data, base, s, NB_SEGS), 2);
	CHECK_EQ(s[0].off, 2 * mss);
	CHECK_EQ(s[0].len, mss);
	CHECK_EQ(s[1].off, 13 * mss);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_FAST_RETRANSMITS), 2);
	CHECK_EQ(t.c->cwnd, ssthresh + 7 * mss - 2 * mss + mss);
	CHECK(t.c->in_recovery);

	/* Everything sent (14 segments) acknowledged: recovery ends, without a burst. */
	peer_ack_sack(&t, base + 14 * mss, base, NULL, 0);
	CHECK(!t.c->in_recovery);
	/* cwnd = min(ssthresh, max(flight, MSS) + MSS) = 2 MSS: segments 14 and 15. */
	CHECK_EQ(t.c->cwnd, 2 * mss);
	CHECK_EQ(take_segs(&t, data, base, s, NB_SEGS), 2);
	CHECK_EQ(s[0].off, 14 * mss);
	CHECK_EQ(s[1].off, 15 * mss);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RTO_EXPIRED), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 2);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t); /* the RST */
out:
	tt_down(&t);
}

/*
 * SACK (RFC 6675): segments 0 and 3 of the initial window are lost. SACK
 * blocks show it; once more than two segments are SACKed above segment 0
 * it is lost and goes again; a partial ACK then brings the retransmission
 * of segment 3 and, as the pipe allows, new data. SACKed segments are never
 * sent twice.
 */
static void
test_sack_recovery_resends_only_holes(void)
{
	static uint8_t data[NB_SEGS * 1448];
	const uint32_t mss = 1448; /* 1460 less the timestamps */
	const uint32_t b12[][2] = {{1 * 1448, 3 * 1448}};
	const uint32_t b1[][2] = {{1 * 1448, 2 * 1448}};
	const uint32_t b_lost[][2] = {{4 * 1448, 5 * 1448}, {1 * 1448, 3 * 1448}};
	const uint32_t b_partial[][2] = {{4 * 1448, 8 * 1448}};
	struct sent s[NB_SEGS];
	uint32_t base;
	struct dtcp_config cfg;
	struct tt t;

	/* The arithmetic below is NewReno's halving; CUBIC's is tests/unit/test_cc.c's. */
	tt_config(&cfg);
	cfg.tcp_congestion_control = DTCP_CC_NEWRENO;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	CHECK(t.c->flags & TCPF_SACK_OK);
	tt_pattern(data, sizeof(data), 12);
	base = t.snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, 15 * mss), (long)(15 * mss));
	tt_poll(&t, 0);
	CHECK_EQ(take_segs(&t, data, base, s, NB_SEGS), 10);

	/* Segment 1 SACKed, then 1-2: duplicates with new SACK data, limited transmit. */
	peer_ack_sack(&t, base, base, b1, 1);
	CHECK_ONE(&t, data, base, 10 * mss, mss);
	peer_ack_sack(&t, base, base, b12, 1);
	CHECK_ONE(&t, data, base, 11 * mss, mss);
	/* 4 SACKed too: three segments above 0, so 0 is lost. Only 0 goes (pipe is full). */
	peer_ack_sack(&t, base, base, b_lost, 2);
	CHECK_ONE(&t, data, base, 0, mss);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES), 1);
	CHECK_EQ(t.c->ssthresh, 12 * mss / 2);
	CHECK_EQ(t.c->cwnd, 12 * mss / 2);
	CHECK_EQ(t.c->nb_sacked, 2);

	/*
	 * 0-2 arrived, 4-7 SACKed: the hole at 3 is lost. pipe = 4 segments
	 * (8-11), cwnd 6: segment 3 again, then one new segment (12).
	 */
	peer_ack_sack(&t, base + 3 * mss, base, b_partial, 1);
	CHECK_EQ(take_segs(&t, data, base, s, NB_SEGS), 2);
	CHECK_EQ(s[0].off, 3 * mss);
	CHECK_EQ(s[0].len, mss);
	CHECK_EQ(s[1].off, 12 * mss);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_FAST_RETRANSMITS), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 2); /* 0 and 3, nothing SACKed */

	/* All acknowledged: recovery over at cwnd = ssthresh; the last two segments go. */
	peer_ack_sack(&t, base + 13 * mss, base, NULL, 0);
	CHECK(!t.c->in_recovery);
	CHECK_EQ(t.c->nb_sacked, 0);
	CHECK_EQ(take_segs(&t, data, base, s, NB_SEGS), 2);
	CHECK_EQ(s[0].off, 13 * mss);
	CHECK_EQ(s[1].off, 14 * mss);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RTO_EXPIRED), 0);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t);
out:
	tt_down(&t);
}

/*
 * After one recovery, duplicate ACKs for data sent before it began do not
 * cut the window again (RFC 6582 "recover"); and an RTO during recovery
 * ends it and goes back to SND.UNA.
 */
static void
test_no_second_reduction_and_rto_ends_recovery(void)
{
	static uint8_t data[NB_SEGS * 1460];
	const uint32_t mss = 1460;
	struct sent s[NB_SEGS];
	uint32_t base, cwnd;
	struct dtcp_config cfg;
	struct tt t;

	/* The arithmetic below is NewReno's halving; CUBIC's is tests/unit/test_cc.c's. */
	tt_config(&cfg);
	cfg.tcp_congestion_control = DTCP_CC_NEWRENO;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_plain, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 13);
	base = t.snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, 10 * mss), (long)(10 * mss));
	tt_poll(&t, 0);
	CHECK_EQ(take_segs(&t, data, base, s, NB_SEGS), 10);
	for (unsigned int i = 0; i < 3; i++)
		peer_ack_sack(&t, base, base, NULL, 0);
	CHECK_ONE(&t, data, base, 0, mss);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES), 1);
	/* No timer yet: the RTO (200 ms after the retransmission) ends recovery, resends 0. */
	tt_poll(&t, 200 * MS);
	CHECK_ONE(&t, data, base, 0, mss);
	CHECK(!t.c->in_recovery);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RTO_EXPIRED), 1);
	CHECK_EQ(t.c->cwnd, mss);
	/* Stale duplicates of the old flight: no second recovery, nothing resent. */
	cwnd = t.c->cwnd;
	for (unsigned int i = 0; i < 3; i++)
		peer_ack_sack(&t, base, base, NULL, 0);
	CHECK_NONE(&t, data, base);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES), 1);
	CHECK_EQ(t.c->cwnd, cwnd);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t);
out:
	tt_down(&t);
}

/*
 * Reordering, not loss (RFC 3522 detection, RFC 4015 response): segment 0
 * of the initial window is late. Segments 1, 2 and 4 are SACKed, so 0 is
 * declared lost and resent 5 ms after it first went, and the window is cut.
 * Then the original arrives: the ACK echoes its TSval, older than the
 * retransmission's, so the recovery was spurious: cwnd, ssthresh come back
 * and recovery ends. DupThresh is now 6 (data 5 segments past the hole had
 * arrived), so the next hole (3) with five segments SACKed beyond it is not
 * resent; when it fills on its own, that is counted as reordering too.
 * With @p echo_retransmission the ACK echoes the resend's TSval instead:
 * a real loss, nothing is undone.
 */
static void
check_recovery_undo(bool echo_retransmission)
{
	static uint8_t data[NB_SEGS * 1448];
	const uint32_t mss = 1448;
	const uint32_t b1[][2] = {{1 * 1448, 2 * 1448}};
	const uint32_t b12[][2] = {{1 * 1448, 3 * 1448}};
	const uint32_t b_lost[][2] = {{4 * 1448, 5 * 1448}, {1 * 1448, 3 * 1448}};
	const uint32_t b_after[][2] = {{4 * 1448, 5 * 1448}};
	struct sent s[NB_SEGS];
	uint32_t base, ts_orig, ts_rxt;
	struct dtcp_config cfg;
	struct tt t;

	tt_config(&cfg);
	cfg.tcp_congestion_control = DTCP_CC_NEWRENO;
	if (tt_up(&t, &cfg) != 0)
		return;
	tt_passive_open(&t, &tt_full, 10 * MS);
	if (t.c == NULL)
		goto out;
	tt_pattern(data, sizeof(data), 14);
	base = t.snd_nxt;
	CHECK_EQ(dtcp_write(t.c, data, NB_SEGS * mss), (long)(NB_SEGS * mss));
	tt_poll(&t, 0);
	ts_orig = tt_ts_now(&t);
	CHECK_EQ(take_segs(&t, data, base, s, NB_SEGS), 10);
	CHECK_EQ(t.c->cwnd, 10 * mss);

	tt_poll(&t, 5 * MS);
	peer_ack_sack_ecr(&t, base, base, b1, 1, ts_orig);
	CHECK_ONE(&t, data, base, 10 * mss, mss); /* limited transmit */
	peer_ack_sack_ecr(&t, base, base, b12, 1, ts_orig);
	CHECK_ONE(&t, data, base, 11 * mss, mss);
	ts_rxt = tt_ts_now(&t);
	CHECK_EQ(ts_rxt, ts_orig + 5);
	peer_ack_sack_ecr(&t, base, base, b_lost, 2, ts_orig);
	CHECK_ONE(&t, data, base, 0, mss);
	CHECK(t.c->in_recovery);
	CHECK_EQ(t.c->cwnd, 6 * mss);

	/* Segments 0-2 acknowledged, 4 SACKed: which copy of 0 filled the hole? */
	peer_ack_sack_ecr(&t, base + 3 * mss, base, b_after, 1,
			  echo_retransmission ? ts_rxt : ts_orig);
	if (echo_retransmission) {
		CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES_UNDONE), 0);
		CHECK(t.c->in_recovery); /* a partial ACK: segment 3 goes next */
		CHECK_EQ(t.c->ssthresh, 6 * mss);
		CHECK_EQ(t.c->reordering, 0);
		goto done;
	}
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES_UNDONE), 1);
	CHECK(!t.c->in_recovery);
	CHECK_EQ(t.c->ssthresh, UINT32_MAX);
	CHECK_EQ(t.c->reordering, 6);
	/* cwnd back at 10 MSS (plus the 3 MSS just acknowledged, in slow start). */
	CHECK_EQ(t.c->cwnd, 10 * mss + mss);
	/* The hole at 3 with 4..8 SACKed (five segments): not lost at DupThresh 6. */
	for (unsigned int i = 6; i <= 9; i++) {
		const uint32_t b[][2] = {{4 * 1448, i * 1448}};

		peer_ack_sack_ecr(&t, base + 3 * mss, base, b, 1, ts_orig);
	}
	tt_flush(&t);
	while (rte_ring_count(t.h.tx[0]) > 0 && tt_take(&t))
		CHECK(t.got.seq != base + 3 * mss || t.got.payload_len == 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RECOVERIES), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_REORDERING_SEEN), 1);
	/* Segment 3 arrives after all: reordering seen again, DupThresh stays. */
	peer_ack_sack_ecr(&t, base + 9 * mss, base, NULL, 0, ts_orig);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_REORDERING_SEEN), 2);
	CHECK_EQ(t.c->reordering, 7);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 1);
done:
	tt_flush(&t);
	while (rte_ring_count(t.h.tx[0]) > 0 && tt_take(&t))
		;
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t);
out:
	tt_down(&t);
}

static void
test_spurious_recovery_undone(void)
{
	check_recovery_undo(false);
}

static void
test_real_loss_not_undone(void)
{
	check_recovery_undo(true);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_newreno_fast_retransmit_and_partial_ack);
	RUN_TEST(test_sack_recovery_resends_only_holes);
	RUN_TEST(test_no_second_reduction_and_rto_ends_recovery);
	RUN_TEST(test_spurious_recovery_undone);
	RUN_TEST(test_real_loss_not_undone);
	rte_eal_cleanup();
	return TEST_EXIT();
}
