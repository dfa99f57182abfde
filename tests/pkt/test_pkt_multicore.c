/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two lcores, two queues: what one lcore learns from ARP reaches the other
 * over the neighbour rings, because replies land on whichever queue the NIC
 * picks. Both lcores are polled from this thread in turn (deterministic).
 */
#include <string.h>

#include "core/lcore.h"
#include "dtcp_test.h"
#include "golden_frames.h"
#include "harness.h"
#include "frames.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

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
 * choice). lcore 0 has no such connection and the port is lcore 1's, so the
 * segment goes over the steer ring instead of being answered with a RST.
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
	CHECK_EQ(th.src_port % 2, 1); /* the port says which lcore owns the flow */

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

int
main(int argc, char **argv)
{
	(void)argc;
	/* Two lcores on one CPU: the test drives both loops from the main thread. */
	harness_eal_init(argv[0], "0@0,1@0");
	RUN_TEST(test_arp_reply_on_other_queue_resolves);
	RUN_TEST(test_arp_request_on_one_queue_teaches_all);
	RUN_TEST(test_misdelivered_segment_is_steered_to_owner);
	rte_eal_cleanup();
	return TEST_EXIT();
}
