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
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_RX_LARGE_FRAMES), 1);
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

/* ---- send --------------------------------------------------------------------------- */

static uint8_t got_buf[ETH_L4 + 60 + UINT16_MAX];
static uint8_t want_buf[ETH_L4 + 60 + UINT16_MAX];

/*
 * Up with TSO granted as far as the stack can tell (net_ring has none: the
 * caps are faked, which is all the stack reads), an initial window of 64
 * segments, and a passive open with MSS 1460 and timestamps: snd_mss 1448.
 */
static bool
open_tso(struct tt *t, bool tso)
{
	struct dtcp_config cfg;

	tt_config(&cfg);
	cfg.tcp_initial_window = 64;
	if (tt_up(t, &cfg) != 0)
		return false;
	if (tso) {
		struct dtcp_port_caps *caps = &t->h.stack->ports[0].caps;

		/*
		 * A real port has TCP checksum offload too (port.c asks for TSO
		 * only then); left off here, ordinary segments keep a full
		 * checksum that tt_expect() can verify.
		 */
		caps->tx_tso = caps->tx_multi_segs = true;
		caps->tx_max_segs = caps->tx_max_mtu_segs = UINT16_MAX;
	}
	tt_passive_open(t, &tt_full, 10 * MS);
	return t->c != NULL;
}

/* The application sends data[0, len) in mbufs of @p piece bytes. */
static void
app_send(struct tt *t, const uint8_t *data, uint32_t len, uint16_t piece)
{
	struct rte_mbuf *head = NULL;

	for (uint32_t off = 0; off < len; off += piece) {
		struct rte_mbuf *m = dtcp_alloc_mbuf(t->lc);
		uint16_t n = (uint16_t)RTE_MIN((uint32_t)piece, len - off);

		CHECK(m != NULL);
		if (m == NULL)
			return;
		memcpy(rte_pktmbuf_append(m, n), data + off, n);
		if (head == NULL)
			head = m;
		else
			CHECK_EQ(rte_pktmbuf_chain(head, m), 0);
	}
	CHECK_EQ(dtcp_send(t->c, &head), (int)len);
	CHECK(head == NULL);
}

/*
 * The next frame is one TSO frame carrying data[0, len) at snd_nxt with
 * @p flags (ACK always): TX_TCP_SEG with tso_segsz = snd_mss, the header
 * lengths set, the TCP checksum field holding the pseudo-header sum
 * without the length (what rte_ipv4_phdr_cksum() gives for TSO), the IP
 * total length that of the whole frame, every other byte as a frame built
 * from the expectation. Returns the frame's mbuf count.
 */
static unsigned int
expect_tso_at(struct tt *t, const uint8_t *data, uint32_t len, uint8_t flags, const char *file,
	      int line)
{
	struct dtcp_tcp_repr w = tt_want(t, DTCP_TCP_ACK | flags);
	struct rte_mbuf *m;
	size_t want_len;
	uint16_t phdr;
	unsigned int nb = 0, before = dtcp_test_failures;

	tt_flush(t);
	m = harness_take(&t->h, 0);
	if (m == NULL) {
		fprintf(stderr, "%s:%d: expected a TSO frame, got nothing\n", file, line);
		dtcp_test_failures++;
		return 0;
	}
	w.payload = data;
	w.payload_len = (uint16_t)len;
	want_len = tt_frame(want_buf, &w, false);
	phdr = rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)(want_buf + DTCP_ETH_HDR_LEN),
				   RTE_MBUF_F_TX_TCP_SEG);
	nb = m->nb_segs;
	CHECK(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	CHECK(m->ol_flags & RTE_MBUF_F_TX_IPV4);
	CHECK_EQ(m->tso_segsz, t->c->snd_mss);
	CHECK_EQ(m->l2_len, DTCP_ETH_HDR_LEN);
	CHECK_EQ(m->l3_len, DTCP_IPV4_HDR_LEN);
	CHECK_EQ(m->l4_len, DTCP_TCP_HDR_LEN + 12);
	CHECK_EQ(m->pkt_len, want_len);
	if (m->pkt_len == want_len && rte_pktmbuf_read(m, 0, want_len, got_buf) != NULL) {
		const uint8_t *got = rte_pktmbuf_read(m, 0, want_len, got_buf);
		uint16_t cksum;

		memcpy(&cksum, got + ETH_L4 + 16, 2);
		CHECK_EQ(cksum, phdr);
		memcpy(want_buf + ETH_L4 + 16, &cksum, 2);
		CHECK_BYTES(got, want_buf, want_len);
	}
	if (dtcp_test_failures != before)
		fprintf(stderr, "%s:%d: TSO frame mismatch above\n", file, line);
	rte_pktmbuf_free(m);
	t->snd_nxt += len;
	return nb;
}
#define expect_tso(t, data, len, flags) expect_tso_at(t, data, len, flags, __FILE__, __LINE__)

/* An MSS-sized (or shorter) ordinary segment of data[0, len). */
static void
expect_seg_at(struct tt *t, const uint8_t *data, uint16_t len, uint8_t flags, const char *file,
	      int line)
{
	struct dtcp_tcp_repr w = tt_want(t, DTCP_TCP_ACK | flags);

	tt_expect_at(t, &w, data, len, file, line);
	t->snd_nxt += len;
}
#define expect_seg(t, data, len, flags) expect_seg_at(t, data, len, flags, __FILE__, __LINE__)

static void
peer_ack(struct tt *t)
{
	struct dtcp_tcp_repr ack = tt_seg(t, DTCP_TCP_ACK);

	tt_input(t, &ack, 10 * MS);
}

#define TX_LEN	 100000
#define MSS	 1448
#define TSO_MAX	 (45 * MSS) /* (65535 - 20 - 32) / 1448 = 45 segments per frame */
#define IW_BYTES (64 * MSS)

/*
 * 100000 bytes with a 64-segment window: a frame of 45 segments (the most
 * an IPv4 datagram holds), one of the 19 the window has left; after the
 * ACK the 5 whole segments of what remains as a frame, the 88-byte rest
 * held by Nagle until the next ACK, then sent alone with PSH.
 */
static void
test_tx_tso_frames(void)
{
	static uint8_t data[TX_LEN];
	const uint32_t rest = TX_LEN - IW_BYTES, tail = rest % MSS;
	struct tt t;

	if (!open_tso(&t, true))
		goto out;
	tt_pattern(data, sizeof(data), 3);
	app_send(&t, data, TX_LEN, 2000);
	tt_poll(&t, 0);
	CHECK(expect_tso(&t, data, TSO_MAX, 0) > 30); /* header + the send queue's mbufs */
	expect_tso(&t, data + TSO_MAX, IW_BYTES - TSO_MAX, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_TSO_FRAMES), 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_TSO_SEGMENTS), 64);
	peer_ack(&t);
	expect_tso(&t, data + IW_BYTES, rest - tail, 0);
	tt_expect_none(&t);
	peer_ack(&t);
	expect_seg(&t, data + TX_LEN - tail, (uint16_t)tail, DTCP_TCP_PSH);
	tt_expect_none(&t);
	peer_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(t.c->sndq_len, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_TSO_FRAMES), 3);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_TSO_SEGMENTS), 69);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_RETRANSMITS), 0);
	CHECK_EQ(harness_drops(&t.h), 0);
out:
	tt_down(&t);
}

/* The same send without TSO: 64 segments of snd_mss, no TSO frame. */
static void
test_tx_no_tso_mss_segments(void)
{
	static uint8_t data[TX_LEN];
	struct tt t;
	uint64_t segs0;

	if (!open_tso(&t, false))
		goto out;
	segs0 = tt_ctr(&t, DTCP_CTR_TCP_TX_SEGMENTS);
	tt_pattern(data, sizeof(data), 3);
	app_send(&t, data, TX_LEN, 2000);
	tt_poll(&t, 0);
	for (uint32_t off = 0; off < IW_BYTES; off += MSS)
		expect_seg(&t, data + off, MSS, 0);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_SEGMENTS) - segs0, 64);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_TSO_FRAMES), 0);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t); /* the RST */
out:
	tt_down(&t);
}

/*
 * A FIN never rides a TSO frame (a device may copy it into every segment).
 * The window is filled first, so that the data and the FIN wait together:
 * then 7 whole segments go as a frame of 6 and the 7th with FIN and PSH on
 * its own. With Nagle off, 10000 bytes (a short last segment, which Nagle
 * would otherwise hold back anyway): 6 segments in a frame, the last 1312
 * bytes with the FIN.
 */
static void
fin_case(bool nodelay, uint32_t len)
{
	static uint8_t fill[IW_BYTES], data[7 * MSS]; /* 10136: room for both cases */
	struct tt t;

	if (!open_tso(&t, true))
		goto out;
	if (nodelay)
		CHECK_EQ(dtcp_conn_set_opt(t.c, DTCP_OPT_NODELAY, 1), 0);
	tt_pattern(fill, sizeof(fill), 6);
	tt_pattern(data, sizeof(data), 4);
	app_send(&t, fill, IW_BYTES, 2000);
	app_send(&t, data, len, 2000);
	CHECK_EQ(dtcp_shutdown(t.c), 0);
	tt_poll(&t, 0);
	expect_tso(&t, fill, TSO_MAX, 0);
	/* Sent by dtcp_send(), when nothing followed it yet: PSH. */
	expect_tso(&t, fill + TSO_MAX, IW_BYTES - TSO_MAX, DTCP_TCP_PSH);
	tt_expect_none(&t);
	peer_ack(&t);
	expect_tso(&t, data, 6 * MSS, 0);
	expect_seg(&t, data + 6 * MSS, (uint16_t)(len - 6 * MSS), DTCP_TCP_PSH | DTCP_TCP_FIN);
	t.snd_nxt++; /* the FIN */
	tt_expect_none(&t);
	peer_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(tt_state(&t), DTCP_TCP_FIN_WAIT_2);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_take(&t); /* the RST */
out:
	tt_down(&t);
}

static void
test_tx_tso_fin_alone(void)
{
	fin_case(false, 7 * MSS);
	fin_case(true, 10000);
}

/*
 * The device's mbuf limits: at most 5 mbufs per frame (header and 4 send
 * mbufs of 2000 bytes, 8000 bytes) gives frames of 5 whole segments; at
 * most 2 per segment the device cuts (header and one piece) cannot be met
 * by 2000-byte mbufs and 1448-byte segments: plain segments instead.
 */
static void
test_tx_tso_mbuf_limits(void)
{
	static uint8_t data[20000];
	struct tt t;
	unsigned int nb;

	if (!open_tso(&t, true))
		goto out;
	t.h.stack->ports[0].caps.tx_max_segs = 5;
	tt_pattern(data, sizeof(data), 5);
	app_send(&t, data, 8000, 2000);
	tt_poll(&t, 0);
	nb = expect_tso(&t, data, 5 * MSS, 0);
	CHECK(nb <= 5);
	peer_ack(&t);
	expect_seg(&t, data + 5 * MSS, 8000 - 5 * MSS, DTCP_TCP_PSH);
	tt_expect_none(&t);
	peer_ack(&t);
	t.h.stack->ports[0].caps.tx_max_segs = UINT16_MAX;
	t.h.stack->ports[0].caps.tx_max_mtu_segs = 2;
	app_send(&t, data + 8000, 4000, 2000);
	tt_poll(&t, 0);
	expect_seg(&t, data + 8000, MSS, 0);
	expect_seg(&t, data + 8000 + MSS, MSS, 0);
	tt_expect_none(&t); /* the 1104-byte rest: Nagle */
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_TX_TSO_FRAMES), 1);
	peer_ack(&t);
	expect_seg(&t, data + 8000 + 2 * MSS, 4000 - 2 * MSS, DTCP_TCP_PSH);
	peer_ack(&t);
	tt_expect_none(&t);
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
	RUN_TEST(test_tx_tso_frames);
	RUN_TEST(test_tx_no_tso_mss_segments);
	RUN_TEST(test_tx_tso_fin_alone);
	RUN_TEST(test_tx_tso_mbuf_limits);
	rte_eal_cleanup();
	return TEST_EXIT();
}
