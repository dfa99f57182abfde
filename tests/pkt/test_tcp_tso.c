/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level TCP tests: large frames. On receive, a TCP frame of many
 * MSS in a chain of mbufs (what a vhost-user peer's uncut TSO or LRO
 * delivers) is checksummed over the chain or trusted as the PMD says, and
 * queued byte-exact without copying: as one chain in order, as one piece
 * per mbuf in reassembly. Chains that are not TCP, or whose headers do not
 * fit the first mbuf, are dropped (drop_rx_multiseg). On send, with TSO
 * granted (faked in the port's caps: net_ring has none), one frame carries
 * what would be many MSS segments, with the mbuf fields the PMD needs; and
 * the same send without TSO gives MSS-sized segments.
 *
 * Offsets are relative to the first sequence number the peer sends after
 * the handshake (BASE).
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "tcp_helpers.h"
#include "wire/eth.h"
#include "wire/ipv4.h"

#define ETH_L4 (DTCP_ETH_HDR_LEN + DTCP_IPV4_HDR_LEN)
#define MS     (1000ull)
#define BASE   (TT_PEER_ISS + 1)
#define BIG    (40 * 1448) /* payload of a large frame: 40 segments of the peer's MSS */

static uint8_t frame_buf[ETH_L4 + 60 + UINT16_MAX];
static uint8_t chain_proto; /* not 0: inject_chain() puts this IP protocol in instead */

/* Our raw window field (shift 3) with @p queued bytes unread. */
static uint16_t
win(const struct tt *t, uint32_t queued)
{
	return (uint16_t)((t->rcv_buf - queued) >> t->rcv_ws);
}

/*
 * Inject the peer's segment carrying data[off, off + len) at BASE + off as
 * a chain: mbufs of cuts[0], cuts[1], ... bytes of the frame, the last one
 * the rest. @p ol_flags and @p tso_segsz go on the head; @p bad_cksum
 * replaces the TCP checksum with a wrong value first.
 */
static void
inject_chain(struct tt *t, const uint8_t *data, uint32_t off, uint32_t len, uint8_t flags,
	     const uint16_t *cuts, unsigned int nb_cuts, uint64_t ol_flags, uint16_t tso_segsz,
	     bool bad_cksum)
{
	struct dtcp_tcp_repr th = tt_seg(t, DTCP_TCP_ACK | flags);
	struct rte_mbuf *head = NULL;
	size_t frame_len, pos = 0;
	unsigned int i = 0;

	th.seq = BASE + off;
	th.payload = data + off;
	th.payload_len = (uint16_t)len;
	frame_len = tt_frame(frame_buf, &th, true);
	if (bad_cksum)
		frame_buf[ETH_L4 + 16] ^= 0x5a;
	if (chain_proto != 0) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame_buf + DTCP_ETH_HDR_LEN);

		ip->next_proto_id = chain_proto;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = dtcp_cksum(ip, DTCP_IPV4_HDR_LEN);
	}
	while (pos < frame_len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(t->h.pool);
		size_t n = i < nb_cuts ? cuts[i] : frame_len - pos;

		n = RTE_MIN(n, frame_len - pos);
		n = RTE_MIN(n, (size_t)rte_pktmbuf_tailroom(m));
		CHECK(m != NULL);
		if (m == NULL)
			break;
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), frame_buf + pos, n);
		pos += n;
		i++;
		if (head == NULL)
			head = m;
		else
			CHECK_EQ(rte_pktmbuf_chain(head, m), 0);
	}
	head->ol_flags = ol_flags;
	head->tso_segsz = tso_segsz;
	CHECK_EQ(rte_ring_enqueue(t->h.rx[0], head), 0);
}

/* Everything queued for the application is exactly @p want; returns its mbuf count. */
static unsigned int
expect_recv_at(struct tt *t, const uint8_t *want, uint32_t len, const char *file, int line)
{
	static uint8_t buf[1 << 17];
	struct rte_mbuf *m = dtcp_recv(t->c);
	unsigned int n;

	if (m == NULL) {
		fprintf(stderr, "%s:%d: nothing to receive, want %u bytes\n", file, line, len);
		dtcp_test_failures++;
		return 0;
	}
	n = m->nb_segs;
	if (m->pkt_len != len) {
		fprintf(stderr, "%s:%d: received %u bytes, want %u\n", file, line, m->pkt_len, len);
		dtcp_test_failures++;
	} else {
		const void *p = rte_pktmbuf_read(m, 0, len, buf);

		CHECK(p != NULL);
		if (p != NULL && memcmp(p, want, len) != 0) {
			fprintf(stderr, "%s:%d: received bytes differ\n", file, line);
			CHECK_BYTES(p, want, len);
		}
	}
	rte_pktmbuf_free(m);
	return n;
}
#define expect_recv(t, want, len) expect_recv_at(t, want, len, __FILE__, __LINE__)

/* Reading that much opened the window by more than two segments: the stack says so. */
static void
expect_window_update(struct tt *t)
{
	t->our_win = win(t, 0);
	tt_expect_ack(t);
	tt_expect_none(t);
}

static bool
open_full(struct tt *t)
{
	if (tt_up(t, NULL) != 0)
		return false;
	tt_passive_open(t, &tt_full, 10 * MS);
	return t->c != NULL;
}

/*
 * In order: a 40-segment frame in a chain whose first mbuf holds only the
 * headers (its payload starts in the second), odd-sized mbufs in the middle
 * (the software checksum must get the byte lanes right), checksum status
 * unknown: verified over the chain, queued as it came, ACKed at once (PSH).
 */
static void
test_rx_chain_in_order(void)
{
	static uint8_t data[BIG];
	const uint16_t cuts[] = {ETH_L4 + 32, 1001, 777, 1999, 3};
	struct tt t;
	unsigned int nb;

	if (!open_full(&t))
		goto out;
	tt_pattern(data, sizeof(data), 7);
	inject_chain(&t, data, 0, BIG, DTCP_TCP_PSH, cuts, RTE_DIM(cuts),
		     RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, 0, false);
	tt_poll(&t, 0);
	t.rcv_nxt = BASE + BIG;
	t.our_win = win(&t, BIG);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	CHECK_EQ(t.c->rcvq_len, BIG);
	CHECK_EQ(t.c->rcv_mss, BIG); /* no LRO mark: the frame's own size */
	nb = expect_recv(&t, data, BIG);
	expect_window_update(&t);
	/* Not copied: the header-only mbuf is gone, every other one is still there. */
	CHECK(nb >= 4 + (BIG - 1001 - 777 - 1999 - 3) / 2048);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_DATA_SEGMENTS), 1);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/* A wrong checksum anywhere in the chain is found when the PMD gave no verdict. */
static void
test_rx_chain_bad_cksum(void)
{
	static uint8_t data[BIG];
	const uint16_t cuts[] = {1000, 1001};
	struct tt t;

	if (!open_full(&t))
		goto out;
	tt_pattern(data, sizeof(data), 8);
	inject_chain(&t, data, 0, BIG, DTCP_TCP_PSH, cuts, RTE_DIM(cuts),
		     RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, 0, true);
	tt_poll(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_BAD_CHECKSUM), 1);
	CHECK_EQ(t.c->rcvq_len, 0);
	/* Also a BAD verdict from the PMD. */
	inject_chain(&t, data, 0, BIG, DTCP_TCP_PSH, cuts, RTE_DIM(cuts),
		     RTE_MBUF_F_RX_L4_CKSUM_BAD, 0, false);
	tt_poll(&t, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_BAD_CHECKSUM), 2);
	CHECK_EQ(harness_drops(&t.h), 2);
out:
	tt_down(&t);
}

/*
 * What vhost-user hands over for a peer's TSO frame: RX_LRO, tso_segsz and
 * L4_CKSUM_NONE with only a partial checksum in the field. Taken as intact;
 * the peer's segment size (not the frame's) is what delayed ACKs count in.
 */
static void
test_rx_lro_cksum_none(void)
{
	static uint8_t data[BIG];
	const uint16_t cuts[] = {2048, 2048};
	struct tt t;

	if (!open_full(&t))
		goto out;
	tt_pattern(data, sizeof(data), 9);
	inject_chain(&t, data, 0, BIG, 0, cuts, RTE_DIM(cuts),
		     RTE_MBUF_F_RX_L4_CKSUM_NONE | RTE_MBUF_F_RX_LRO, 1448, true);
	tt_poll(&t, 0);
	t.rcv_nxt = BASE + BIG;
	t.our_win = win(&t, BIG);
	tt_expect_ack(&t); /* 40 segments' worth: at once, no PSH needed */
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	CHECK_EQ(t.c->rcv_mss, 1448);
	expect_recv(&t, data, BIG);
	expect_window_update(&t);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/*
 * Out of order: a chain beyond a hole goes into reassembly as one piece per
 * mbuf (SACKed as one range); a second chain overlapping it and the hole's
 * end is trimmed piece by piece; the hole filled, everything is delivered
 * once, in order, byte-exact.
 */
static void
test_rx_chain_out_of_order(void)
{
	static uint8_t data[3000 + BIG + 5000];
	const uint16_t cuts[] = {ETH_L4 + 32 + 100, 1500, 1501};
	const uint32_t total = sizeof(data);
	struct dtcp_tcp_repr w;
	uint32_t dup_end;
	struct tt t;

	if (!open_full(&t))
		goto out;
	tt_pattern(data, sizeof(data), 10);
	/* [3000, 3000 + BIG) in a chain of 3 + n mbufs. */
	inject_chain(&t, data, 3000, BIG, 0, cuts, RTE_DIM(cuts), RTE_MBUF_F_RX_L4_CKSUM_GOOD, 0,
		     false);
	tt_poll(&t, 0);
	w = tt_want(&t, DTCP_TCP_ACK);
	w.sack_count = 1;
	w.sack[0].left = BASE + 3000;
	w.sack[0].right = BASE + 3000 + BIG;
	tt_expect(&t, &w, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.c->reass.bytes, BIG);
	CHECK(t.c->reass.nb_segs > 3); /* one piece per mbuf */
	for (struct rte_mbuf *m = t.c->reass.head; m != NULL; m = m->next)
		CHECK(m->data_len > 0);
	/*
	 * [2000, 3000 + BIG + 5000): overlaps all of it; only the two ends are
	 * new. Its mbufs wholly held already (from the third, at 3600, to the
	 * last 2048-byte one that ends inside the held range) are reported in
	 * one D-SACK block (RFC 2883); the others are trimmed and kept.
	 */
	inject_chain(&t, data, 2000, total - 2000, 0, cuts, RTE_DIM(cuts),
		     RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, 0, false);
	tt_poll(&t, 0);
	dup_end = 3600 + 1501;
	while (dup_end + 2048 <= 3000 + BIG)
		dup_end += 2048;
	w = tt_want(&t, DTCP_TCP_ACK);
	w.sack_count = 2;
	w.sack[0].left = BASE + 3600;
	w.sack[0].right = BASE + dup_end;
	w.sack[1].left = BASE + 2000;
	w.sack[1].right = BASE + total;
	tt_expect(&t, &w, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.c->reass.bytes, total - 2000);
	/* The hole: [0, 2000) in two ordinary segments; the first only SACKs the rest. */
	for (uint32_t off = 0; off < 2000; off += 1000) {
		struct dtcp_tcp_repr th = tt_seg(&t, DTCP_TCP_ACK);

		th.seq = BASE + off;
		th.payload = data + off;
		th.payload_len = 1000;
		tt_input(&t, &th, 0);
		if (off == 0) {
			t.rcv_nxt = BASE + 1000;
			t.our_win = win(&t, 1000);
			w = tt_want(&t, DTCP_TCP_ACK);
			w.sack_count = 1;
			w.sack[0].left = BASE + 2000;
			w.sack[0].right = BASE + total;
			tt_expect(&t, &w, NULL, 0);
		}
	}
	t.rcv_nxt = BASE + total;
	t.our_win = win(&t, total);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	CHECK_EQ(t.c->reass.nb_segs, 0);
	CHECK_EQ(t.c->reass.truesize, 0);
	expect_recv(&t, data, total);
	expect_window_update(&t);
	/* The overlapping pieces were duplicates, not drops of data: nothing else dropped. */
	CHECK_EQ(harness_drops(&t.h), tt_ctr(&t, DTCP_CTR_DROP_TCP_DUPLICATE));
out:
	tt_down(&t);
}

/* Chains that are not TCP, or whose headers run past the first mbuf: drop_rx_multiseg. */
static void
test_rx_chain_refused(void)
{
	static uint8_t data[4000];
	const uint16_t split_tcp[] = {ETH_L4 + 10}; /* TCP header cut in two */
	const uint16_t split_ip[] = {DTCP_ETH_HDR_LEN + 8};
	struct tt t;

	if (!open_full(&t))
		goto out;
	tt_pattern(data, sizeof(data), 11);
	inject_chain(&t, data, 0, 4000, 0, split_tcp, 1, 0, 0, false);
	inject_chain(&t, data, 0, 4000, 0, split_ip, 1, 0, 0, false);
	tt_poll(&t, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_RX_MULTISEG), 2);
	/* A UDP datagram in a chain (the same bytes, protocol changed, IP checksum fixed). */
	chain_proto = IPPROTO_UDP;
	inject_chain(&t, data, 0, 4000, 0, NULL, 0, 0, 0, false);
	chain_proto = 0;
	tt_poll(&t, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_RX_MULTISEG), 3);
	CHECK_EQ(harness_drops(&t.h), 3);
	tt_expect_none(&t);
	CHECK_EQ(t.c->rcvq_len, 0);
out:
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_rx_chain_in_order);
	RUN_TEST(test_rx_chain_bad_cksum);
	RUN_TEST(test_rx_lro_cksum_none);
	RUN_TEST(test_rx_chain_out_of_order);
	RUN_TEST(test_rx_chain_refused);
	rte_eal_cleanup();
	return TEST_EXIT();
}
