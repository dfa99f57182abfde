/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two lcores, two queues: what one lcore learns from ARP reaches the other
 * over the neighbour rings, because replies land on whichever queue the NIC
 * picks; every TCP segment is processed by the lcore owning its flow (the
 * steer layer: net_ring has no RSS, so ownership is the software Toeplitz
 * hash), whichever queue it came in on. Both lcores are polled from this
 * thread in turn (deterministic).
 */
#include <string.h>

#include <rte_thash.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "dtcp_test.h"
#include "golden_frames.h"
#include "harness.h"
#include "frames.h"
#include "tcp_helpers.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

/*
 * Owner of the flow whose segments from the peer carry these addresses and
 * ports, worked out independently of the stack's code: rte_softrss with our
 * key, and the software RETA's round-robin rule (entry e -> lcore e % 2).
 */
static unsigned int
softrss_owner(uint32_t src_be, uint32_t dst_be, uint16_t sport, uint16_t dport)
{
	struct rte_ipv4_tuple tup = {.src_addr = rte_be_to_cpu_32(src_be),
				     .dst_addr = rte_be_to_cpu_32(dst_be)};

	tup.sport = sport;
	tup.dport = dport;
	return (rte_softrss((uint32_t *)&tup, RTE_THASH_V4_L4_LEN, dtcp_rss_key) &
		(DTCP_STEER_SW_RETA_SIZE - 1)) %
	       2;
}

static void
test_arp_reply_on_other_queue_resolves(void)
{
	struct harness h;
	const uint64_t *c0, *c1;

	if (harness_up(&h, NULL, 64) != 0)
		return;
	CHECK_EQ(h.nb_queues, 2);
	/* Only lcore 0 announces. */
	harness_poll(&h, 0, 0);
	harness_expect(&h, 0, garp_out, sizeof(garp_out));
	harness_poll(&h, 1, 0);
	harness_expect_none(&h, 1);

	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	/* The reply arrives on queue 1: lcore 1 learns it and tells lcore 0. */
	harness_inject(&h, 1, arp_reply_from_peer_in, sizeof(arp_reply_from_peer_in));
	harness_poll(&h, 1, 1);
	harness_expect_none(&h, 1);
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);

	c0 = dtcp_lcore_counters(dtcp_stack_lcore(h.stack, 0));
	c1 = dtcp_lcore_counters(dtcp_stack_lcore(h.stack, 1));
	CHECK_EQ(c1[DTCP_CTR_ARP_RX_REPLIES], 1);
	CHECK_EQ(c0[DTCP_CTR_ARP_SHARED_IN], 1);
	CHECK_EQ(c1[DTCP_CTR_ARP_SHARED_IN], 0);
	CHECK_EQ(c0[DTCP_CTR_ICMP_TX_ECHO_REPLIES], 1);
	harness_down(&h);
}

static void
test_arp_request_on_one_queue_teaches_all(void)
{
	struct harness h;

	if (harness_up(&h, NULL, 64) != 0)
		return;
	harness_poll(&h, 0, 0);
	harness_expect(&h, 0, garp_out, sizeof(garp_out));
	/* Request on queue 1 is answered there... */
	harness_inject(&h, 1, arp_request_in, sizeof(arp_request_in));
	harness_poll(&h, 1, 1);
	harness_expect(&h, 1, arp_reply_out, sizeof(arp_reply_out));
	/* ...and lcore 0 answers pings without asking ARP itself. */
	harness_poll(&h, 0, 1);
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);
	harness_expect_none(&h, 1);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_TX_REQUESTS), 0);
	harness_down(&h);
}

/*
 * lcore 1 opens a connection; the SYN-ACK arrives on queue 0 (the NIC's
 * choice). The reply's hash names lcore 1, so lcore 0 passes it over the
 * steer ring instead of answering with a RST.
 */
static void
test_misdelivered_segment_is_steered_to_owner(void)
{
	static const struct rte_ether_addr peer_mac = PEER_MAC;
	struct harness h;
	struct dtcp_conn *c;
	struct dtcp_conn_info info;
	struct rte_mbuf *syn;
	struct dtcp_tcp_repr th, synack = {0};
	uint8_t frame[128];
	struct dtcp_ipv4_repr ip;
	const uint64_t *c0, *c1;
	size_t len;

	if (harness_up(&h, NULL, 64) != 0)
		return;
	harness_poll(&h, 0, 0);
	harness_expect(&h, 0, garp_out, sizeof(garp_out));
	/* Both lcores know the peer (ARP request on queue 1, shared to lcore 0). */
	harness_inject(&h, 1, arp_request_in, sizeof(arp_request_in));
	harness_poll(&h, 1, 1);
	harness_expect(&h, 1, arp_reply_out, sizeof(arp_reply_out));
	harness_poll(&h, 0, 1);

	c = dtcp_connect(dtcp_stack_lcore(h.stack, 1), PEER_IP, 80, 0, NULL);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	harness_poll(&h, 1, 1);
	syn = harness_take(&h, 1);
	CHECK(syn != NULL);
	if (syn == NULL)
		return;
	CHECK_EQ(dtcp_ipv4_parse(rte_pktmbuf_mtod_offset(syn, void *, DTCP_ETH_HDR_LEN),
				 syn->pkt_len - DTCP_ETH_HDR_LEN, true, &ip),
		 DTCP_WIRE_OK);
	CHECK_EQ(dtcp_tcp_parse(rte_pktmbuf_mtod_offset(syn, void *, DTCP_ETH_HDR_LEN + 20),
				ip.payload_len, ip.src, ip.dst, true, &th),
		 DTCP_WIRE_OK);
	rte_pktmbuf_free(syn);
	/* The port was picked so that the reply's hash names lcore 1. */
	CHECK_EQ(softrss_owner(PEER_IP, OUR_IP, 80, th.src_port), 1);

	/* The SYN-ACK, on the other queue. */
	len = frame_echo_request(frame, &peer_mac, PEER_IP, OUR_IP, 0, 0); /* Ethernet + IP */
	ip.src = PEER_IP;
	ip.dst = OUR_IP;
	ip.proto = 6;
	ip.ttl = 64;
	ip.payload_len = 20;
	dtcp_ipv4_emit(&ip, frame + DTCP_ETH_HDR_LEN, true);
	synack.src_port = 80;
	synack.dst_port = th.src_port;
	synack.seq = 1000;
	synack.ack = th.seq + 1;
	synack.flags = DTCP_TCP_SYN | DTCP_TCP_ACK;
	synack.window = 8192;
	CHECK_EQ(dtcp_tcp_emit(&synack, frame + DTCP_ETH_HDR_LEN + 20, 20, PEER_IP, OUR_IP,
			       DTCP_TCP_CKSUM_FULL),
		 20);
	len = DTCP_ETH_HDR_LEN + 40;
	harness_inject(&h, 0, frame, len);
	harness_poll(&h, 0, 1);
	harness_expect_none(&h, 0); /* no RST from the wrong lcore */
	harness_poll(&h, 1, 1);
	dtcp_conn_info(c, &info);
	CHECK_EQ(info.state, DTCP_TCP_ESTABLISHED);
	syn = harness_take(&h, 1); /* the ACK of the handshake, from the owner */
	CHECK(syn != NULL && syn->pkt_len == DTCP_ETH_HDR_LEN + 40);
	rte_pktmbuf_free(syn);
	c0 = dtcp_lcore_counters(dtcp_stack_lcore(h.stack, 0));
	c1 = dtcp_lcore_counters(dtcp_stack_lcore(h.stack, 1));
	CHECK_EQ(c0[DTCP_CTR_TCP_STEERED_OUT], 1);
	CHECK_EQ(c1[DTCP_CTR_TCP_STEERED_IN], 1);
	CHECK_EQ(c0[DTCP_CTR_TCP_TX_RST], 0);
	dtcp_abort(c);
	harness_poll(&h, 1, 1);
	syn = harness_take(&h, 1); /* the RST */
	CHECK(syn != NULL);
	rte_pktmbuf_free(syn);
	harness_down(&h);
}

/*
 * Active opens: whichever lcore connects, the port it picks makes the reply
 * tuple its own (checked with rte_softrss), and no two lcores share a tuple.
 */
static void
test_active_open_ports_owned_by_caller(void)
{
	enum { PER_LCORE = 200 };
	struct harness h;
	struct dtcp_conn *c[2][PER_LCORE];
	uint8_t used[65536 / 8] = {0};
	struct rte_mbuf *m;

	if (harness_up(&h, NULL, 1024) != 0)
		return;
	/* Both lcores know the peer, so SYNs and RSTs leave at once. */
	harness_poll(&h, 0, 0);
	harness_expect(&h, 0, garp_out, sizeof(garp_out));
	harness_inject(&h, 0, arp_request_in, sizeof(arp_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, arp_reply_out, sizeof(arp_reply_out));
	harness_poll(&h, 1, 1);
	for (unsigned int l = 0; l < 2; l++) {
		for (unsigned int i = 0; i < PER_LCORE; i++) {
			struct dtcp_conn_info info;

			c[l][i] = dtcp_connect(dtcp_stack_lcore(h.stack, l), PEER_IP, 443, 0, NULL);
			CHECK(c[l][i] != NULL);
			if (c[l][i] == NULL)
				return;
			dtcp_conn_info(c[l][i], &info);
			CHECK_EQ(softrss_owner(PEER_IP, OUR_IP, 443, info.local_port), l);
			CHECK(!(used[info.local_port / 8] & (1u << info.local_port % 8)));
			used[info.local_port / 8] |= (uint8_t)(1u << info.local_port % 8);
		}
	}
	for (unsigned int l = 0; l < 2; l++)
		for (unsigned int i = 0; i < PER_LCORE; i++)
			dtcp_abort(c[l][i]);
	/* A SYN per connection, each on its lcore's queue (no RST from SYN_SENT). */
	for (unsigned int l = 0; l < 2; l++) {
		unsigned int frames = 0;

		harness_poll(&h, l, 1);
		while ((m = harness_take(&h, l)) != NULL) {
			frames++;
			rte_pktmbuf_free(m);
		}
		CHECK_EQ(frames, PER_LCORE);
	}
	CHECK_EQ(harness_counter(&h, DTCP_CTR_TCP_ACTIVE_OPENS), 2 * PER_LCORE);
	harness_down(&h);
}

/* The peer's first port from TT_RPORT up whose flow to TT_LPORT lcore @p owner owns. */
static uint16_t
rport_owned_by(const struct harness *h, unsigned int owner)
{
	const struct dtcp_steer *st = &h->stack->steer;

	for (uint16_t p = TT_RPORT;; p++) {
		uint32_t hash = dtcp_toeplitz_v4(&st->tz, PEER_IP, OUR_IP, rte_cpu_to_be_16(p),
						 rte_cpu_to_be_16(TT_LPORT));

		if (dtcp_steer_owner(&st->reta[0], hash) == owner)
			return p;
	}
}

/*
 * A passive open whose segments alternate between the two queues, the SYN
 * on the wrong one: everything is processed once, by the owner, in order.
 * The owner sends every reply; the other lcore forwards and does nothing
 * else: no state, no segment processed, nothing sent.
 */
static void
test_flow_alternating_queues_processed_by_owner(void)
{
	struct tt t;
	struct dtcp_listener *l0;
	struct dtcp_lcore *lc0;
	const uint64_t *c0, *c1;
	uint8_t data[600], got[600];
	const unsigned int nb_data = 6;

	if (tt_up(&t, NULL) != 0)
		return;
	lc0 = dtcp_stack_lcore(t.h.stack, 0);
	/* Listeners on both lcores, as applications do (dtcp_listen()). */
	l0 = dtcp_listen(lc0, 0, TT_LPORT, 16, NULL);
	CHECK(l0 != NULL);
	t.q = 1;
	t.lc = dtcp_stack_lcore(t.h.stack, 1);
	harness_poll(&t.h, 1, 0); /* lcore 1 takes the peer's MAC from lcore 0 */
	harness_expect_none(&t.h, 1);
	t.rport = rport_owned_by(&t.h, 1);
	CHECK_EQ(softrss_owner(PEER_IP, OUR_IP, t.rport, TT_LPORT), 1);

	/* SYN and the handshake's ACK on queue 0. */
	t.rx_q = 0;
	tt_passive_open(&t, &tt_full, 1000);
	if (t.c == NULL)
		return; /* failed above */
	harness_expect_none(&t.h, 0);
	c0 = dtcp_lcore_counters(lc0);
	c1 = dtcp_lcore_counters(t.lc);
	CHECK_EQ(c0[DTCP_CTR_TCP_STEERED_OUT], 2);
	CHECK_EQ(c1[DTCP_CTR_TCP_STEERED_IN], 2);

	/* Data alternating between the queues, polled as a NIC would deliver it. */
	tt_pattern(data, sizeof(data), 7);
	for (unsigned int i = 0; i < nb_data; i++) {
		t.rx_q = i % 2;
		tt_peer_data(&t, data + 100 * i, 100);
		tt_poll(&t, 1);
		t.our_win = (uint16_t)((262144 - 100 * (i + 1)) >> TT_WS);
		tt_expect_ack(&t);
		tt_expect_none(&t);
		harness_expect_none(&t.h, 0);
	}
	tt_expect_events(&t, 0, DTCP_EV_READABLE);
	CHECK_EQ(dtcp_read(t.c, got, sizeof(got)), (ssize_t)sizeof(got));
	CHECK_BYTES(got, data, sizeof(data));

	CHECK_EQ(c0[DTCP_CTR_TCP_STEERED_OUT], 2 + nb_data / 2);
	CHECK_EQ(c1[DTCP_CTR_TCP_STEERED_IN], 2 + nb_data / 2);
	CHECK_EQ(c1[DTCP_CTR_TCP_STEERED_OUT], 0);
	CHECK_EQ(c0[DTCP_CTR_TCP_STEERED_IN], 0);
	/* Every segment processed exactly once, all of them on the owner. */
	CHECK_EQ(c0[DTCP_CTR_TCP_RX_SEGMENTS], 0);
	CHECK_EQ(c1[DTCP_CTR_TCP_RX_SEGMENTS], 2 + nb_data);
	CHECK_EQ(c1[DTCP_CTR_TCP_RX_DATA_SEGMENTS], nb_data);
	CHECK_EQ(c0[DTCP_CTR_TCP_TX_SEGMENTS], 0);
	/* IP counted once, where the frame came in. */
	CHECK_EQ(c0[DTCP_CTR_IPV4_RX] + c1[DTCP_CTR_IPV4_RX], 2 + nb_data);
	CHECK_EQ(harness_drops(&t.h), 0);
	/* State on the owner only. */
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_ESTABLISHED], 1);
	CHECK_EQ(lc0->tcp.state_count[DTCP_TCP_ESTABLISHED], 0);
	CHECK_EQ(lc0->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 0);
	CHECK_EQ(dtcp_accept(l0, NULL), NULL);

	dtcp_abort(t.c);
	tt_poll(&t, 1);
	CHECK(tt_take(&t) && (t.got.flags & DTCP_TCP_RST));
	harness_expect_none(&t.h, 0);
	tt_down(&t);
}

/*
 * Segments of one flow that come in on two queues reach the owner by two
 * paths, and the longer one can deliver a segment after the connection has
 * ended. The tun driver does this: it sends a handshake's last ACK to the
 * queue it hashed the SYN to (the kernel answers our SYN-ACK before tun
 * learns the flow's queue from it) and every later segment to the owner's.
 * Here the other lcore holds that ACK (it is not polled) while data, FIN and
 * the ACK of our FIN come in on the owner's queue. The stale ACK, handed
 * over at last, finds no connection: RST <SEQ=SEG.ACK>, as for any segment
 * of a closed connection, counted as a handed-over segment that found none.
 */
static void
test_stale_handshake_ack_after_close(void)
{
	struct tt t;
	struct dtcp_tcp_repr ack, fin, want;
	struct dtcp_lcore *lc0;
	const uint64_t *c0, *c1;
	uint8_t data[100], got[100];

	if (tt_up(&t, NULL) != 0)
		return;
	lc0 = dtcp_stack_lcore(t.h.stack, 0);
	CHECK(dtcp_listen(lc0, 0, TT_LPORT, 16, NULL) != NULL);
	t.q = 1;
	t.lc = dtcp_stack_lcore(t.h.stack, 1);
	harness_poll(&t.h, 1, 0);
	harness_expect_none(&t.h, 1);
	t.rport = rport_owned_by(&t.h, 1);
	c0 = dtcp_lcore_counters(lc0);
	c1 = dtcp_lcore_counters(t.lc);

	t.rx_q = 0; /* the SYN on the other lcore's queue, handed over */
	tt_passive_syn(&t, &tt_plain);
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_inject(&t, &ack); /* queue 0, which is not polled until the end */

	t.rx_q = 1; /* everything after it on the owner's queue */
	tt_pattern(data, sizeof(data), 3);
	tt_peer_data(&t, data, sizeof(data));
	tt_poll(&t, 1);
	tt_expect_ack(&t);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.c = dtcp_accept(t.l, &t);
	if (t.c == NULL) {
		CHECK(t.c != NULL);
		goto out;
	}
	CHECK_EQ(dtcp_read(t.c, got, sizeof(got)), (ssize_t)sizeof(got));
	CHECK_BYTES(got, data, sizeof(data));
	fin = tt_seg(&t, DTCP_TCP_FIN | DTCP_TCP_ACK);
	tt_input(&t, &fin, 1);
	t.rcv_nxt++;
	tt_expect_ack(&t);
	dtcp_close(t.c);
	want = tt_want(&t, DTCP_TCP_FIN | DTCP_TCP_ACK);
	tt_expect(&t, &want, NULL, 0);
	t.snd_nxt++;
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 1);
	tt_expect_none(&t);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_LAST_ACK], 0);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_ESTABLISHED], 0);
	CHECK_EQ(c1[DTCP_CTR_TCP_STEERED_NO_CONN], 0);

	/* The other lcore runs again: the handshake's ACK (SEG.ACK = ISS + 1) arrives. */
	harness_poll(&t.h, 0, 1);
	harness_expect_none(&t.h, 0);
	tt_poll(&t, 1);
	t.snd_nxt = t.iss + 1;
	want = tt_want_rst(&t, DTCP_TCP_RST);
	tt_expect(&t, &want, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(c0[DTCP_CTR_TCP_STEERED_OUT], 2);
	CHECK_EQ(c1[DTCP_CTR_TCP_STEERED_IN], 2);
	CHECK_EQ(c1[DTCP_CTR_TCP_STEERED_NO_CONN], 1);
	CHECK_EQ(c1[DTCP_CTR_DROP_TCP_NO_CONN], 1);
	CHECK_EQ(c1[DTCP_CTR_TCP_TX_RST_REPLY], 1);
	CHECK_EQ(c0[DTCP_CTR_TCP_RX_SEGMENTS], 0);
out:
	tt_down(&t);
}

/* The ring to the owner is bounded: what does not fit is dropped and counted. */
static void
test_steer_ring_full_counted(void)
{
	struct tt t;
	struct dtcp_tcp_repr syn;
	unsigned int n;

	if (tt_up(&t, NULL) != 0)
		return;
	t.rport = rport_owned_by(&t.h, 1);
	t.lport = TT_LPORT;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	/* lcore 1 never polls: its ring (1024 deep) fills up from lcore 0. */
	for (n = 0; n < 1100; n += 25) {
		for (unsigned int i = 0; i < 25; i++)
			tt_inject(&t, &syn);
		harness_poll(&t.h, 0, 1);
	}
	CHECK_EQ(harness_counter(&t.h, DTCP_CTR_TCP_STEERED_OUT), 1023);
	CHECK_EQ(harness_counter(&t.h, DTCP_CTR_DROP_STEER_FULL), 1100 - 1023);
	harness_expect_none(&t.h, 0);
	/* The owner, with no listener, answers each one it gets with a RST. */
	t.q = 1;
	t.lc = dtcp_stack_lcore(t.h.stack, 1);
	for (unsigned int i = 0; i < 1024 / 32 + 1; i++) {
		struct rte_mbuf *m;

		harness_poll(&t.h, 1, 1);
		while ((m = harness_take(&t.h, 1)) != NULL)
			rte_pktmbuf_free(m);
	}
	CHECK_EQ(harness_counter(&t.h, DTCP_CTR_TCP_TX_RST), 1023);
	CHECK_EQ(harness_counter(&t.h, DTCP_CTR_TCP_STEERED_IN), 1023);
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	/* Two lcores on one CPU: the test drives both loops from the main thread. */
	harness_eal_init(argv[0], "0@0,1@0");
	RUN_TEST(test_arp_reply_on_other_queue_resolves);
	RUN_TEST(test_arp_request_on_one_queue_teaches_all);
	RUN_TEST(test_misdelivered_segment_is_steered_to_owner);
	RUN_TEST(test_active_open_ports_owned_by_caller);
	RUN_TEST(test_flow_alternating_queues_processed_by_owner);
	RUN_TEST(test_steer_ring_full_counted);
	RUN_TEST(test_stale_handshake_ack_after_close);
	rte_eal_cleanup();
	return TEST_EXIT();
}
