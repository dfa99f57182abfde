/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level tests of ARP, IPv4 and ICMP on one lcore: inject frames,
 * assert the exact frames that come out and nothing else, assert counters,
 * and (in harness_down) that no mbuf leaked.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_mbuf.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "golden_frames.h"
#include "harness.h"
#include "wire/eth.h"
#include "wire/ipv4.h"

static const struct rte_ether_addr peer_mac = PEER_MAC;

#define ETH_IP (DTCP_ETH_HDR_LEN)
#define ETH_L4 (DTCP_ETH_HDR_LEN + DTCP_IPV4_HDR_LEN)

/* Bring the stack up and consume the gratuitous ARP of its first poll. */
static int
up(struct harness *h, const struct dtcp_config *cfg, unsigned int tx_ring_size)
{
	if (harness_up(h, cfg, tx_ring_size) != 0)
		return -1;
	harness_poll(h, 0, 0);
	harness_expect(h, 0, garp_out, sizeof(garp_out));
	harness_expect_none(h, 0);
	return 0;
}

/* Teach the stack the peer's MAC through an ARP request, consuming the reply. */
static void
learn_peer(struct harness *h)
{
	harness_inject(h, 0, arp_request_in, sizeof(arp_request_in));
	harness_poll(h, 0, 1);
	harness_expect(h, 0, arp_reply_out, sizeof(arp_reply_out));
}

static void
test_gratuitous_arp_at_start(void)
{
	struct harness h;

	if (up(&h, NULL, 64) != 0)
		return;
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_TX_GRATUITOUS), 1);
	/* Only once. */
	harness_poll(&h, 0, 5000000);
	harness_expect_none(&h, 0);
	harness_down(&h);
}

static void
test_arp_request_gets_reply(void)
{
	struct harness h;

	if (up(&h, NULL, 64) != 0)
		return;
	/* A 60-byte padded request; the reply is exactly 42 bytes, built in the same mbuf. */
	learn_peer(&h);
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_RX_REQUESTS), 1);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_TX_REPLIES), 1);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_LEARNED), 1);
	CHECK_EQ(harness_drops(&h), 0);
	/* What telemetry's /dtcp/arp shows. */
	{
		struct dtcp_arp_entry snap[4];
		unsigned int n = dtcp_arp_snapshot(&dtcp_stack_lcore(h.stack, 0)->arp, snap, 4);

		CHECK_EQ(n, 1);
		CHECK_EQ(snap[0].ip, PEER_IP);
		CHECK_EQ(snap[0].state, DTCP_ARP_REACHABLE);
		CHECK_BYTES(&snap[0].mac, &peer_mac, 6);
	}
	/* The requester was learned: an echo request is answered without asking ARP. */
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);
	harness_down(&h);
}

static void
test_echo_reply_waits_for_arp(void)
{
	struct harness h;

	if (up(&h, NULL, 64) != 0)
		return;
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	harness_expect_none(&h, 0);
	harness_inject(&h, 0, arp_reply_from_peer_in, sizeof(arp_reply_from_peer_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ICMP_RX_ECHO_REQUESTS), 1);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ICMP_TX_ECHO_REPLIES), 1);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_TX_REQUESTS), 1);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_RX_REPLIES), 1);
	CHECK_EQ(harness_drops(&h), 0);
	harness_down(&h);
}

static void
test_arp_retries_then_gives_up(void)
{
	struct harness h;

	if (up(&h, NULL, 64) != 0)
		return;
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	/* arp_retry_ms = 1000: nothing before the deadline, a retry within one tick after. */
	harness_poll(&h, 0, 999000);
	harness_expect_none(&h, 0);
	harness_poll(&h, 0, DTCP_TICK_US);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	harness_poll(&h, 0, 1000000);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_TX_REQUESTS), 3);
	/* arp_retries = 3 requests: the next deadline gives up and drops the waiting reply. */
	harness_poll(&h, 0, 1000000);
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_ARP_UNRESOLVED), 1);
	CHECK_EQ(harness_drops(&h), 1);
	harness_poll(&h, 0, 5000000);
	harness_expect_none(&h, 0);
	harness_down(&h);
}

static void
test_arp_pending_queue_is_bounded(void)
{
	struct harness h;
	uint8_t frame[128];
	size_t len;

	if (up(&h, NULL, 64) != 0)
		return;
	/* arp_pending_max = 8: ten replies wait for ARP, two are dropped. */
	for (uint16_t seq = 1; seq <= 10; seq++) {
		len = frame_echo_request(frame, &peer_mac, PEER_IP, OUR_IP, seq, 56);
		harness_inject(&h, 0, frame, len);
	}
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_ARP_PENDING_FULL), 2);
	harness_inject(&h, 0, arp_reply_from_peer_in, sizeof(arp_reply_from_peer_in));
	harness_poll(&h, 0, 1);
	for (uint16_t seq = 1; seq <= 8; seq++) {
		struct rte_mbuf *m = harness_take(&h, 0);
		const struct rte_icmp_hdr *icmp;

		CHECK(m != NULL);
		if (m == NULL)
			break;
		icmp = rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, ETH_L4);
		CHECK_EQ(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
		CHECK_EQ(rte_be_to_cpu_16(icmp->icmp_seq_nb), seq); /* in order */
		rte_pktmbuf_free(m);
	}
	harness_expect_none(&h, 0);
	harness_down(&h);
}

static void
test_arp_entry_expires(void)
{
	struct harness h;
	struct dtcp_config cfg;

	harness_default_config(&cfg);
	cfg.arp_timeout_s = 5;
	if (up(&h, &cfg, 64) != 0)
		return;
	learn_peer(&h);
	harness_poll(&h, 0, 4990000);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_EXPIRED), 0);
	harness_poll(&h, 0, 20000);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ARP_EXPIRED), 1);
	/* Forgotten: the next reply asks again. */
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	harness_inject(&h, 0, arp_reply_from_peer_in, sizeof(arp_reply_from_peer_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_down(&h);
}

static void
test_off_link_goes_via_gateway(void)
{
	static const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0, 0, 0xfe}};
	const uint32_t remote = IP_BE(198, 19, 5, 5), gw = IP_BE(198, 18, 0, 254);
	struct harness h;
	struct dtcp_config cfg;
	struct rte_mbuf *m;
	uint8_t frame[128], arp[64];
	size_t len;
	char err[DTCP_CONFIG_ERR_LEN];

	harness_default_config(&cfg);
	CHECK_EQ(dtcp_config_set(&cfg, "port0", "address", STACK_ADDR, err, sizeof(err)), 0);
	CHECK_EQ(dtcp_config_set(&cfg, "port0", "gateway", "198.18.0.254", err, sizeof(err)), 0);
	if (up(&h, &cfg, 64) != 0)
		return;
	len = frame_echo_request(frame, &gw_mac, remote, OUR_IP, 7, 32);
	harness_inject(&h, 0, frame, len);
	harness_poll(&h, 0, 1);
	/* ARP asks for the gateway, not the remote host. */
	m = harness_take(&h, 0);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_EQ(m->pkt_len, 42);
		CHECK_BYTES(rte_pktmbuf_mtod_offset(m, uint8_t *, 38), &gw, 4);
		rte_pktmbuf_free(m);
	}
	len = frame_arp(arp, 2, &gw_mac, gw, &(struct rte_ether_addr)STACK_MAC, OUR_IP);
	harness_inject(&h, 0, arp, len);
	harness_poll(&h, 0, 1);
	m = harness_take(&h, 0);
	CHECK(m != NULL);
	if (m != NULL) {
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, ETH_IP);

		CHECK_BYTES(rte_pktmbuf_mtod(m, uint8_t *), &gw_mac, 6);
		CHECK_EQ(ip->dst_addr, remote);
		CHECK(dtcp_cksum_ok(ip, DTCP_IPV4_HDR_LEN));
		rte_pktmbuf_free(m);
	}
	harness_expect_none(&h, 0);
	harness_down(&h);

	/* Without a gateway the off-link reply has no route: counted, nothing sent. */
	if (up(&h, NULL, 64) != 0)
		return;
	harness_inject(&h, 0, frame,
		       len = frame_echo_request(frame, &gw_mac, remote, OUR_IP, 7, 32));
	harness_poll(&h, 0, 1);
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_IPV4_NO_ROUTE), 1);
	harness_down(&h);
}

static void
test_reply_over_mtu_is_dropped(void)
{
	struct harness h;
	struct dtcp_config cfg;
	struct rte_mbuf *m;
	uint8_t frame[700];
	size_t len;

	/* MTU 576: a 548-byte echo payload makes a 576-byte reply, 549 one byte too many. */
	harness_default_config(&cfg);
	cfg.port[0].mtu = 576;
	if (up(&h, &cfg, 64) != 0)
		return;
	learn_peer(&h);
	len = frame_echo_request(frame, &peer_mac, PEER_IP, OUR_IP, 1, 548);
	harness_inject(&h, 0, frame, len);
	harness_poll(&h, 0, 1);
	m = harness_take(&h, 0);
	CHECK(m != NULL && m->pkt_len == DTCP_ETH_HDR_LEN + 576);
	rte_pktmbuf_free(m);
	len = frame_echo_request(frame, &peer_mac, PEER_IP, OUR_IP, 2, 549);
	harness_inject(&h, 0, frame, len);
	harness_poll(&h, 0, 1);
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_IPV4_TOO_BIG), 1);
	harness_down(&h);
}

/* One malformed frame and the only counter it may move. */
struct bad_frame {
	const char *what;
	uint8_t frame[128];
	size_t len;
	enum dtcp_counter counter;
};

static void
make_bad_frames(struct bad_frame *b, size_t *n)
{
	struct rte_ipv4_hdr *ip;
	size_t k = 0, len;

#define NEXT(desc, ctr)                                                                            \
	(b[k].what = (desc), b[k].counter = (ctr), b[k].len = len,                                 \
	 memcpy(b[k].frame, echo_request_in, sizeof(echo_request_in)),                             \
	 ip = (struct rte_ipv4_hdr *)(b[k].frame + ETH_IP), &b[k++])
	len = sizeof(echo_request_in);

	NEXT("runt frame", DTCP_CTR_DROP_ETH_TRUNCATED)->len = 10;
	NEXT("other MAC", DTCP_CTR_DROP_ETH_NOT_OURS)->frame[5] = 0x99;
	NEXT("IPv6 ethertype", DTCP_CTR_DROP_ETH_UNKNOWN_TYPE)->frame[12] = 0x86;
	b[k - 1].frame[13] = 0xdd;
	NEXT("IP version 6", DTCP_CTR_DROP_IPV4_BAD_VERSION);
	ip->version_ihl = 0x65;
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("IHL 4", DTCP_CTR_DROP_IPV4_BAD_HDR_LEN);
	ip->version_ihl = 0x44;
	NEXT("IHL 0", DTCP_CTR_DROP_IPV4_BAD_HDR_LEN);
	ip->version_ihl = 0x40;
	NEXT("IHL 15 beyond the frame", DTCP_CTR_DROP_IPV4_TRUNCATED)->len = ETH_IP + 40;
	ip->version_ihl = 0x4f;
	NEXT("total length 10", DTCP_CTR_DROP_IPV4_BAD_TOTAL_LEN);
	ip->total_length = rte_cpu_to_be_16(10);
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("total length beyond the frame", DTCP_CTR_DROP_IPV4_TRUNCATED)->len = ETH_IP + 50;
	NEXT("header cut short", DTCP_CTR_DROP_IPV4_TRUNCATED)->len = ETH_IP + 12;
	NEXT("bad header checksum", DTCP_CTR_DROP_IPV4_BAD_CHECKSUM);
	ip->hdr_checksum ^= 0x0100;
	NEXT("more fragments", DTCP_CTR_DROP_IPV4_FRAGMENT);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("fragment offset", DTCP_CTR_DROP_IPV4_FRAGMENT);
	ip->fragment_offset = rte_cpu_to_be_16(185);
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("IP options", DTCP_CTR_DROP_IPV4_OPTIONS);
	ip->version_ihl = 0x46;
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("not our address", DTCP_CTR_DROP_IPV4_NOT_OURS);
	ip->dst_addr = IP_BE(198, 18, 0, 3);
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("multicast source", DTCP_CTR_DROP_IPV4_BAD_SOURCE);
	ip->src_addr = IP_BE(224, 0, 0, 1);
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("our own source", DTCP_CTR_DROP_IPV4_BAD_SOURCE);
	ip->src_addr = OUR_IP;
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("UDP", DTCP_CTR_DROP_IPV4_UNKNOWN_PROTO);
	ip->next_proto_id = IPPROTO_UDP;
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("ICMP checksum", DTCP_CTR_DROP_ICMP_BAD_CHECKSUM)->frame[ETH_L4 + 20] ^= 0xff;
	NEXT("ICMP 4 bytes", DTCP_CTR_DROP_ICMP_TRUNCATED)->len = ETH_L4 + 4;
	ip->total_length = rte_cpu_to_be_16(24);
	frame_fix_ipv4_cksum(b[k - 1].frame);
	NEXT("ICMP timestamp", DTCP_CTR_DROP_ICMP_UNSUPPORTED)->frame[ETH_L4] = 13;
	b[k - 1].frame[ETH_L4 + 2] = b[k - 1].frame[ETH_L4 + 3] = 0;
	{
		uint16_t c = dtcp_cksum(b[k - 1].frame + ETH_L4, len - ETH_L4);

		memcpy(b[k - 1].frame + ETH_L4 + 2, &c, 2);
	}

	len = sizeof(arp_request_in);
	NEXT("ARP cut short", DTCP_CTR_DROP_ARP_TRUNCATED)->len = DTCP_ETH_HDR_LEN + 20;
	memcpy(b[k - 1].frame, arp_request_in, len);
	NEXT("ARP hardware type 6", DTCP_CTR_DROP_ARP_UNSUPPORTED);
	memcpy(b[k - 1].frame, arp_request_in, len);
	b[k - 1].frame[15] = 6;
	NEXT("ARP opcode 3", DTCP_CTR_DROP_ARP_BAD_OP);
	memcpy(b[k - 1].frame, arp_request_in, len);
	b[k - 1].frame[21] = 3;
	NEXT("ARP for another host", DTCP_CTR_DROP_ARP_NOT_FOR_US);
	memcpy(b[k - 1].frame, arp_request_in, len);
	b[k - 1].frame[41] = 3;
#undef NEXT
	(void)ip;
	*n = k;
}

static void
test_malformed_frames_are_counted_drops(void)
{
	static struct bad_frame bad[40];
	struct harness h;
	size_t n;

	make_bad_frames(bad, &n);
	if (up(&h, NULL, 64) != 0)
		return;
	learn_peer(&h);
	for (size_t i = 0; i < n; i++) {
		uint64_t before = harness_counter(&h, bad[i].counter), drops = harness_drops(&h);

		harness_inject(&h, 0, bad[i].frame, bad[i].len);
		harness_poll(&h, 0, 1);
		harness_expect_none(&h, 0);
		if (harness_counter(&h, bad[i].counter) != before + 1 ||
		    harness_drops(&h) != drops + 1) {
			fprintf(stderr, "%s: expected exactly one %s\n", bad[i].what,
				dtcp_counter_name(bad[i].counter));
			dtcp_test_failures++;
		}
	}
	/* Still alive and answering. */
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_down(&h);
}

static void
test_multi_segment_frame_dropped(void)
{
	struct harness h;
	struct rte_mbuf *head, *tail;

	if (up(&h, NULL, 64) != 0)
		return;
	head = rte_pktmbuf_alloc(h.pool);
	tail = rte_pktmbuf_alloc(h.pool);
	memcpy(rte_pktmbuf_append(head, 50), echo_request_in, 50);
	memcpy(rte_pktmbuf_append(tail, sizeof(echo_request_in) - 50), echo_request_in + 50,
	       sizeof(echo_request_in) - 50);
	CHECK_EQ(rte_pktmbuf_chain(head, tail), 0);
	CHECK_EQ(rte_ring_enqueue(h.rx[0], head), 0);
	harness_poll(&h, 0, 1);
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_RX_MULTISEG), 1);
	harness_down(&h);
}

static void
test_rx_checksum_flags_are_trusted(void)
{
	struct harness h;
	uint8_t frame[sizeof(echo_request_in)];

	if (up(&h, NULL, 64) != 0)
		return;
	learn_peer(&h);
	/* PMD said BAD: dropped although the checksum is right. */
	harness_inject_flags(&h, 0, echo_request_in, sizeof(echo_request_in),
			     RTE_MBUF_F_RX_IP_CKSUM_BAD);
	harness_poll(&h, 0, 1);
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_IPV4_BAD_CHECKSUM), 1);
	/* PMD said GOOD: not verified again, so a wrong checksum passes. */
	memcpy(frame, echo_request_in, sizeof(frame));
	frame[ETH_IP + 10] ^= 0xff;
	harness_inject_flags(&h, 0, frame, sizeof(frame), RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	/* No flag: verified in software. */
	harness_inject(&h, 0, frame, sizeof(frame));
	harness_poll(&h, 0, 1);
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_IPV4_BAD_CHECKSUM), 2);
	harness_down(&h);
}

static void
test_tx_checksum_offload_when_granted(void)
{
	struct harness h;
	struct rte_mbuf *m;

	if (up(&h, NULL, 64) != 0)
		return;
	learn_peer(&h);
	/* Pretend the PMD granted IPv4 checksum offload: the header goes out with 0 and flags. */
	h.stack->ports[0].caps.tx_ipv4_cksum = true;
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	m = harness_take(&h, 0);
	CHECK(m != NULL);
	if (m != NULL) {
		const uint8_t *got = rte_pktmbuf_mtod(m, const uint8_t *);

		CHECK_EQ(m->pkt_len, sizeof(echo_reply_out));
		CHECK_BYTES(got, echo_reply_out, ETH_IP + 10);
		CHECK_EQ(got[ETH_IP + 10], 0);
		CHECK_EQ(got[ETH_IP + 11], 0);
		CHECK_BYTES(got + ETH_IP + 12, echo_reply_out + ETH_IP + 12,
			    sizeof(echo_reply_out) - ETH_IP - 12);
		CHECK_EQ(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM),
			 RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
		CHECK_EQ(m->l2_len, DTCP_ETH_HDR_LEN);
		CHECK_EQ(m->l3_len, DTCP_IPV4_HDR_LEN);
		rte_pktmbuf_free(m);
	}
	harness_down(&h);
}

static void
test_full_tx_ring_holds_frames(void)
{
	struct harness h;
	uint64_t tx0;

	/*
	 * A TX ring of 4: of ten replies in one burst the "NIC" takes four. The
	 * other six wait in the backlog, in order, and go as the ring drains;
	 * nothing is dropped.
	 */
	if (up(&h, NULL, 4) != 0)
		return;
	learn_peer(&h);
	tx0 = harness_counter(&h, DTCP_CTR_TX_PACKETS); /* the ARP exchange */
	for (int i = 0; i < 10; i++)
		harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	for (int i = 0; i < 4; i++)
		harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_TX_PACKETS) - tx0, 4);
	harness_poll(&h, 0, 1);
	for (int i = 0; i < 4; i++)
		harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);
	harness_poll(&h, 0, 1);
	for (int i = 0; i < 2; i++)
		harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_TX_PACKETS) - tx0, 10);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_TX_RETRIED), 6);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_TX_FULL), 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ICMP_TX_ECHO_REPLIES), 10);
	harness_down(&h);
}

static void
test_full_tx_backlog_is_counted(void)
{
	const unsigned int rounds = DTCP_TX_BACKLOG / 16 + 8, per_round = 32;
	const uint64_t total = (uint64_t)rounds * per_round;
	struct harness h;
	uint64_t tx0;

	/*
	 * A device that never drains (ring of 4, nobody reads it): the backlog
	 * fills to its bound, then each further frame is a counted drop and the
	 * stack goes on.
	 */
	if (up(&h, NULL, 4) != 0)
		return;
	learn_peer(&h);
	tx0 = harness_counter(&h, DTCP_CTR_TX_PACKETS); /* the ARP exchange */
	for (unsigned int r = 0; r < rounds; r++) {
		for (unsigned int i = 0; i < per_round; i++)
			harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
		harness_poll(&h, 0, 1);
	}
	CHECK_EQ(harness_counter(&h, DTCP_CTR_ICMP_TX_ECHO_REPLIES), total);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_TX_PACKETS) - tx0, 4);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_TX_FULL), total - 4 - DTCP_TX_BACKLOG);
	/* The device wakes up: every held frame still goes, in a bounded number of polls. */
	for (unsigned int polls = 0, taken = 0; taken < 4 + DTCP_TX_BACKLOG; polls++) {
		for (int i = 0; i < 4; i++)
			harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
		taken += 4;
		if (polls > DTCP_TX_BACKLOG) {
			CHECK(!"backlog never drained");
			break;
		}
		harness_poll(&h, 0, 1);
	}
	CHECK_EQ(harness_counter(&h, DTCP_CTR_TX_PACKETS) - tx0, 4 + DTCP_TX_BACKLOG);
	harness_down(&h);
}

static void
test_mbuf_pool_exhaustion(void)
{
	static struct rte_mbuf *hoard[4096];
	struct harness h;
	struct rte_mempool *sp;
	unsigned int n = 0;

	if (up(&h, NULL, 64) != 0)
		return;
	sp = rte_mempool_lookup("dtcp_mbuf_s0");
	while (n < RTE_DIM(hoard) && (hoard[n] = rte_pktmbuf_alloc(sp)) != NULL)
		n++;
	CHECK_EQ(rte_mempool_avail_count(sp), 0);
	/* The ARP request cannot be built: counted; the reply waits for the retry. */
	harness_inject(&h, 0, echo_request_in, sizeof(echo_request_in));
	harness_poll(&h, 0, 1);
	harness_expect_none(&h, 0);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_NO_MBUF), 1);
	rte_pktmbuf_free_bulk(hoard, n);
	harness_poll(&h, 0, 1000000 + DTCP_TICK_US);
	harness_expect(&h, 0, arp_who_has_peer_out, sizeof(arp_who_has_peer_out));
	harness_inject(&h, 0, arp_reply_from_peer_in, sizeof(arp_reply_from_peer_in));
	harness_poll(&h, 0, 1);
	harness_expect(&h, 0, echo_reply_out, sizeof(echo_reply_out));
	harness_down(&h);
}

static void
test_arp_table_full(void)
{
	struct harness h;
	struct dtcp_config cfg;
	uint8_t frame[128];
	unsigned int requests = 0;
	struct rte_mbuf *m;

	harness_default_config(&cfg);
	cfg.arp_table_size = 16;
	if (up(&h, &cfg, 256) != 0)
		return;
	for (uint8_t host = 10; host < 27; host++) {
		size_t len = frame_echo_request(frame, &peer_mac, IP_BE(198, 18, 0, host), OUR_IP,
						host, 8);

		harness_inject(&h, 0, frame, len);
	}
	harness_poll(&h, 0, 1);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_ARP_TABLE_FULL), 1);
	/* Let every entry run out of retries; all waiting replies are released. */
	for (int i = 0; i < 5; i++)
		harness_poll(&h, 0, 1000000);
	while ((m = harness_take(&h, 0)) != NULL) {
		requests += m->pkt_len == 42;
		rte_pktmbuf_free(m);
	}
	CHECK_EQ(requests, 16 * 3);
	CHECK_EQ(harness_counter(&h, DTCP_CTR_DROP_ARP_UNRESOLVED), 16);
	harness_down(&h);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_gratuitous_arp_at_start);
	RUN_TEST(test_arp_request_gets_reply);
	RUN_TEST(test_echo_reply_waits_for_arp);
	RUN_TEST(test_arp_retries_then_gives_up);
	RUN_TEST(test_arp_pending_queue_is_bounded);
	RUN_TEST(test_arp_entry_expires);
	RUN_TEST(test_off_link_goes_via_gateway);
	RUN_TEST(test_reply_over_mtu_is_dropped);
	RUN_TEST(test_malformed_frames_are_counted_drops);
	RUN_TEST(test_multi_segment_frame_dropped);
	RUN_TEST(test_rx_checksum_flags_are_trusted);
	RUN_TEST(test_tx_checksum_offload_when_granted);
	RUN_TEST(test_full_tx_ring_holds_frames);
	RUN_TEST(test_full_tx_backlog_is_counted);
	RUN_TEST(test_mbuf_pool_exhaustion);
	RUN_TEST(test_arp_table_full);
	rte_eal_cleanup();
	return TEST_EXIT();
}
