/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-synflood's pure parts: the SYN frame against golden bytes built with
 * scapy (Ether/IP(DF, TTL 64)/TCP(S, window 64240, options MSS 1460,
 * SAckOK, Timestamp, NOP, WScale 7), checksums computed by scapy and
 * re-verified after re-parsing), the fast checksum path against an
 * independent full checksum over random fields, the ISN bijection, the answer
 * bitmap, spoofed sources, receive classification, ARP frames (scapy again),
 * argument parsing with its exact messages (198.18.0.0/15, rate, duration,
 * combinations, port counts), the HTTP response check and the JSON report.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtcp_test.h"
#include "sf_args.h"
#include "sf_report.h"
#include "sf_resp.h"
#include "sf_wire.h"

/* ---- golden frames (scapy 2.5, see the file comment) ---- */

static const uint8_t mac_target[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t mac_ours[6] = {0x02, 0, 0, 0, 0, 0x01};

/* 198.19.1.2:40000 -> 198.18.0.2:80, IP ID 0x1234, seq 0x12345678, TSval 0xdeadbeef. */
static const uint8_t syn_sw[74] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45,
	0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x9b, 0x5e, 0xc6, 0x13, 0x01, 0x02,
	0xc6, 0x12, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00,
	0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x1d, 0x0b, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
	0x08, 0x0a, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* The same with both checksums offloaded: IPv4 0, TCP the pseudo-header sum. */
static const uint8_t syn_offload[74] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45,
	0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0xc6, 0x13, 0x01, 0x02,
	0xc6, 0x12, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00,
	0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x8d, 0x58, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
	0x08, 0x0a, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* Its answer: 198.18.0.2:80 -> 198.19.1.2:40000 SYN+ACK, ack 0x12345679. */
static const uint8_t synack[54] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0xed, 0xa5, 0xc6, 0x12,
	0x00, 0x02, 0xc6, 0x13, 0x01, 0x02, 0x00, 0x50, 0x9c, 0x40, 0x00, 0x00, 0x00, 0x01,
	0x12, 0x34, 0x56, 0x79, 0x50, 0x12, 0x20, 0x00, 0xfd, 0x69, 0x00, 0x00,
};

/* who-has 198.18.0.2 tell 198.18.0.3 from 02:00:00:00:00:01, padded to 60. */
static const uint8_t arp_req[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00,
	0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc6, 0x12,
	0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x12, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* who-has 198.18.0.3 tell 198.18.0.2 (the server asking for its gateway), and our reply. */
static const uint8_t arp_from_server[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00,
	0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc6, 0x12,
	0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t arp_our_reply[60] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00,
	0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc6, 0x12,
	0x00, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static uint32_t
ip4(const char *s)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		abort();
	return in.s_addr;
}

static const struct sf_syn_fields golden_fields = {
	.src_port = 40000,
	.ip_id = 0x1234,
	.isn = 0x12345678,
	.tsval = 0xdeadbeef,
};

/* ---- SYN frames ---- */

static void
test_syn_golden(void)
{
	struct sf_syn_tmpl t;
	struct sf_syn_fields v = golden_fields;
	uint8_t f[SF_SYN_LEN + 4];

	v.src_addr = ip4("198.19.1.2");
	memset(f, 0xaa, sizeof(f));
	sf_syn_tmpl_init(&t, mac_target, mac_ours, ip4("198.18.0.2"), 80, false, false);
	sf_syn_fill(&t, f, &v);
	CHECK_BYTES(f, syn_sw, sizeof(syn_sw));
	CHECK_EQ(f[SF_SYN_LEN], 0xaa); /* nothing written past the frame */
	CHECK_EQ(SF_SYN_LEN, 74);

	sf_syn_tmpl_init(&t, mac_target, mac_ours, ip4("198.18.0.2"), 80, true, true);
	sf_syn_fill(&t, f, &v);
	CHECK_BYTES(f, syn_offload, sizeof(syn_offload));

	/* One offloaded, the other not: each field follows its own flag. */
	sf_syn_tmpl_init(&t, mac_target, mac_ours, ip4("198.18.0.2"), 80, false, true);
	sf_syn_fill(&t, f, &v);
	CHECK_BYTES(f + SF_OFF_IP_CSUM, syn_sw + SF_OFF_IP_CSUM, 2);
	CHECK_BYTES(f + SF_OFF_TCP_CSUM, syn_offload + SF_OFF_TCP_CSUM, 2);
}

/* The obvious RFC 1071 checksum, written independently of sf_wire.c. */
static uint16_t
ref_cksum(const uint8_t *pseudo, size_t plen, const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < plen; i += 2)
		sum += (uint64_t)pseudo[i] << 8 | pseudo[i + 1];
	for (size_t i = 0; i < len; i += 2)
		sum += (uint64_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
test_syn_random_checksums(void)
{
	uint8_t opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7};
	struct sf_syn_tmpl t;
	uint8_t f[SF_SYN_LEN], ph[12];
	unsigned int bad_ip = 0, bad_tcp = 0, bad_fields = 0;

	sf_syn_tmpl_init(&t, mac_target, mac_ours, ip4("198.18.200.9"), 443, false, false);
	for (unsigned int i = 0; i < 100000; i++) {
		uint64_t r = rnd(), r2 = rnd();
		struct sf_syn_fields v = {
			.src_addr = (uint32_t)r,
			.src_port = (uint16_t)(r >> 32),
			.ip_id = (uint16_t)(r >> 48),
			.isn = (uint32_t)r2,
			.tsval = (uint32_t)(r2 >> 32),
		};

		/* Edge values now and then: all-ones fields stress the folding. */
		if (i % 97 == 0)
			v = (struct sf_syn_fields){0xffffffffu, 0xffff, 0xffff, 0xffffffffu,
						   0xffffffffu};
		sf_syn_fill(&t, f, &v);
		bad_ip += ref_cksum(NULL, 0, f + SF_ETH_LEN, SF_IP_LEN) != 0;
		memcpy(ph, f + SF_OFF_IP_SRC, 8);
		ph[8] = 0, ph[9] = 6, ph[10] = 0, ph[11] = SF_TCP_LEN;
		bad_tcp += ref_cksum(ph, sizeof(ph), f + SF_OFF_TCP, SF_TCP_LEN) != 0;
		bad_fields += memcmp(f + SF_OFF_IP_SRC, &v.src_addr, 4) != 0 ||
			      sf_get16(f + SF_OFF_TCP_SPORT) != v.src_port ||
			      sf_get32(f + SF_OFF_TCP_SEQ) != v.isn ||
			      sf_get32(f + SF_OFF_TCP_TSVAL) != v.tsval ||
			      sf_get16(f + SF_OFF_IP_ID) != v.ip_id;
		sf_put32(opts + 8, v.tsval); /* TSecr stays 0 */
		bad_fields += memcmp(f + SF_OFF_TCP + 20, opts, sizeof(opts)) != 0;
	}
	CHECK_EQ(bad_ip, 0);
	CHECK_EQ(bad_tcp, 0);
	CHECK_EQ(bad_fields, 0);
}

static void
test_sum_bytes(void)
{
	static const uint8_t odd[3] = {0x12, 0x34, 0x56};

	CHECK_EQ(sf_sum_bytes(0, odd, 3), 0x1234 + 0x5600);
	CHECK_EQ(sf_fold(0x1fffe), 0xffff);
	CHECK_EQ(sf_fold(0xffffffffu), 0xffff);
	CHECK_EQ(sf_fold(0x10000), 1);
}

/* ---- sources, ISNs, answers ---- */

static void
test_spoof(void)
{
	uint32_t net = ntohl(ip4("198.19.0.0"));
	unsigned int outside = 0;

	for (unsigned int i = 0; i < 10000; i++) {
		uint32_t a = ntohl(sf_spoof_addr(net, 16, (uint32_t)rnd()));

		outside += (a & 0xffff0000u) != net || (a & 0xffff) == 0 || (a & 0xffff) == 0xffff;
	}
	CHECK_EQ(outside, 0);
	CHECK_EQ(ntohl(sf_spoof_addr(net, 16, 0)), net | 1);
	CHECK_EQ(ntohl(sf_spoof_addr(net, 16, 0xffff)), net | 0xfffe);
	CHECK_EQ(ntohl(sf_spoof_addr(net, 16, 0x12345678)), net | 0x5678);
	CHECK_EQ(ntohl(sf_spoof_addr(net | 7, 32, 0xffffffffu)), net | 7);
	/* /31: both addresses are hosts (RFC 3021). */
	CHECK_EQ(ntohl(sf_spoof_addr(net, 31, 0)), net);
	CHECK_EQ(ntohl(sf_spoof_addr(net, 31, 1)), net | 1);
	CHECK_EQ(sf_spoof_port(0), 1024);
	CHECK_EQ(sf_spoof_port(0xffff), 65535);
	CHECK_EQ(sf_spoof_port(0x8000), 1024 + 32256);
}

static void
test_isn(void)
{
	struct sf_isn_key k = {0xdeadbeef, 0x01234567};
	unsigned int bad = 0, same = 0;

	CHECK_EQ((uint32_t)(SF_ISN_MUL1 * SF_ISN_MUL1_INV), 1);
	CHECK_EQ((uint32_t)(SF_ISN_MUL2 * SF_ISN_MUL2_INV), 1);
	for (unsigned int i = 0; i < 200000; i++) {
		uint32_t x = i < 100000 ? i : (uint32_t)rnd();

		k.k1 = i % 1000 == 0 ? (uint32_t)rnd() : k.k1;
		bad += sf_isn_to_index(&k, sf_isn_from_index(&k, x)) != x;
		same += sf_isn_from_index(&k, x) == x;
	}
	CHECK_EQ(bad, 0);
	CHECK(same < 5); /* not the identity */
	/* Consecutive SYNs get unrelated ISNs. */
	CHECK(sf_isn_from_index(&k, 1) - sf_isn_from_index(&k, 0) != 1);
}

static void
test_answered(void)
{
	static uint64_t words[1u << 10]; /* 2^16 bits */
	struct sf_answered a = {.words = words, .nb_bits = 1u << 16};
	uint64_t gen = 0;

	memset(words, 0xff, sizeof(words)); /* garbage: sending must clear it */
	for (; gen < 1000; gen++)
		sf_answered_on_send(&a, gen);
	CHECK(sf_answered_mark(&a, 5, gen));
	CHECK(!sf_answered_mark(&a, 5, gen)); /* a retransmitted SYN-ACK */
	CHECK(sf_answered_mark(&a, 999, gen));
	CHECK(!sf_answered_mark(&a, 1000, gen));	/* not sent yet */
	CHECK(!sf_answered_mark(&a, 0xfffffff0u, gen)); /* "before" the first */
	/* Slide the window past the first answers: they become too old to tell. */
	for (; gen < (1u << 16) + 100; gen++)
		sf_answered_on_send(&a, gen);
	CHECK(!sf_answered_mark(&a, 5, gen));
	CHECK(sf_answered_mark(&a, (uint32_t)(gen - 100), gen));
	/* The slot of SYN 5 was reused by SYN 5 + 2^16 and is clear for it. */
	CHECK(sf_answered_mark(&a, 5 + (1u << 16), gen));
	/* Across the 32-bit wrap of the ISN index. */
	gen = (UINT64_C(1) << 32) + 10;
	for (uint64_t g = gen - 1000; g < gen; g++)
		sf_answered_on_send(&a, g);
	CHECK(sf_answered_mark(&a, 0xfffffffeu, gen)); /* SYN 2^32 - 2 */
	CHECK(sf_answered_mark(&a, 3, gen));	       /* SYN 2^32 + 3 */
	CHECK(!sf_answered_mark(&a, 10, gen));
}

/* ---- receive side ---- */

static void
test_classify(void)
{
	struct sf_rx_filter flt = {
		.spoof_net = ntohl(ip4("198.19.0.0")),
		.spoof_mask = 0xffff0000u,
		.legit_addr = ip4("198.18.0.3"),
	};
	uint8_t f[128];
	uint32_t ack = 0;

	memcpy(flt.own_mac, mac_ours, 6);
	CHECK_EQ(sf_rx_classify(&flt, synack, sizeof(synack), &ack), SF_RX_SYNACK);
	CHECK_EQ(ack, 0x12345679);
	memcpy(f, synack, sizeof(synack));
	f[SF_OFF_TCP + 13] = 0x14; /* RST+ACK */
	CHECK_EQ(sf_rx_classify(&flt, f, sizeof(synack), &ack), SF_RX_RST);
	f[SF_OFF_TCP + 13] = 0x10; /* a bare ACK */
	CHECK_EQ(sf_rx_classify(&flt, f, sizeof(synack), &ack), SF_RX_OTHER);
	f[SF_ETH_LEN + 9] = 1; /* ICMP */
	CHECK_EQ(sf_rx_classify(&flt, f, sizeof(synack), &ack), SF_RX_OTHER);
	/* For the legitimate clients: never an answer. */
	memcpy(f, synack, sizeof(synack));
	memcpy(f + SF_ETH_LEN + 16, &flt.legit_addr, 4);
	CHECK_EQ(sf_rx_classify(&flt, f, sizeof(synack), &ack), SF_RX_LEGIT);
	/* Addressed elsewhere. */
	memcpy(f, synack, sizeof(synack));
	f[SF_ETH_LEN + 17] = 0x20; /* 198.32.x.x */
	CHECK_EQ(sf_rx_classify(&flt, f, sizeof(synack), &ack), SF_RX_UNRELATED);
	/* One of our SYNs sent back by a macswap forwarder. */
	memcpy(f, syn_sw, sizeof(syn_sw));
	memcpy(f, mac_ours, 6);
	memcpy(f + 6, mac_target, 6);
	CHECK_EQ(sf_rx_classify(&flt, f, sizeof(syn_sw), &ack), SF_RX_OTHER);
	/* Our own SYN seen by a tap on the same interface. */
	CHECK_EQ(sf_rx_classify(&flt, syn_sw, sizeof(syn_sw), &ack), SF_RX_OWN);
	CHECK_EQ(sf_rx_classify(&flt, arp_from_server, sizeof(arp_from_server), &ack), SF_RX_ARP);
	/* Truncated or odd. */
	CHECK_EQ(sf_rx_classify(&flt, synack, 10, &ack), SF_RX_UNRELATED);
	CHECK_EQ(sf_rx_classify(&flt, synack, 40, &ack), SF_RX_OTHER); /* IP ok, TCP cut */
	memcpy(f, synack, sizeof(synack));
	f[SF_ETH_LEN] = 0x46; /* IHL 6 but no room for it */
	CHECK_EQ(sf_rx_classify(&flt, f, SF_ETH_LEN + 22, &ack), SF_RX_UNRELATED);
	memcpy(f, synack, sizeof(synack));
	f[SF_ETH_LEN + 6] = 0x00, f[SF_ETH_LEN + 7] = 0x10; /* a later fragment */
	CHECK_EQ(sf_rx_classify(&flt, f, sizeof(synack), &ack), SF_RX_OTHER);
	memcpy(f, synack, sizeof(synack));
	f[12] = 0x86, f[13] = 0xdd; /* IPv6 */
	CHECK_EQ(sf_rx_classify(&flt, f, sizeof(synack), &ack), SF_RX_UNRELATED);
}

static void
test_arp(void)
{
	struct sf_arp a;
	uint8_t f[SF_ARP_PAD_LEN];

	memset(f, 0xaa, sizeof(f));
	CHECK_EQ(sf_arp_request(f, mac_ours, ip4("198.18.0.3"), ip4("198.18.0.2")), 60);
	CHECK_BYTES(f, arp_req, sizeof(arp_req));

	CHECK_EQ(sf_arp_parse(arp_from_server, sizeof(arp_from_server), &a), 0);
	CHECK_EQ(a.op, 1);
	CHECK(a.spa == ip4("198.18.0.2"));
	CHECK(a.tpa == ip4("198.18.0.3"));
	CHECK_BYTES(a.sha, mac_target, 6);
	memcpy(f, arp_from_server, sizeof(f));
	sf_arp_reply_in_place(f, &a, mac_ours, ip4("198.18.0.3"));
	CHECK_BYTES(f, arp_our_reply, sizeof(arp_our_reply));

	CHECK_EQ(sf_arp_parse(arp_from_server, 41, &a), -1);
	CHECK_EQ(sf_arp_parse(syn_sw, sizeof(syn_sw), &a), -1);
	memcpy(f, arp_from_server, sizeof(f));
	f[SF_ETH_LEN + 5] = 16; /* plen 16: not IPv4 */
	CHECK_EQ(sf_arp_parse(f, sizeof(f), &a), -1);
}

/* ---- arguments ---- */

static struct sf_args args;
static char err[512];

#define BASE "--addr", "198.18.0.3/24", "--target", "198.18.0.2:80", "--rate", "1000"

static enum sf_args_result
parse_v(const char *const *in)
{
	char *argv[40];
	int argc = 0;

	argv[argc++] = (char *)"dtcp-synflood";
	while (*in != NULL && argc < 39)
		argv[argc++] = (char *)*in++;
	argv[argc] = NULL;
	err[0] = '\0';
	return sf_args_parse(argc, argv, &args, err, sizeof(err));
}

#define PARSE(...) parse_v((const char *const[]){__VA_ARGS__, NULL})

/* Expect a usage error with exactly @p msg. */
#define CHECK_ERR(msg, ...)                                                                        \
	do {                                                                                       \
		CHECK_EQ(PARSE(__VA_ARGS__), SF_ARGS_ERROR);                                       \
		if (strcmp(err, (msg)) != 0) {                                                     \
			fprintf(stderr, "%s:%d: got \"%s\"\n  want \"%s\"\n", __FILE__, __LINE__,  \
				err, (msg));                                                       \
			dtcp_test_failures++;                                                      \
		}                                                                                  \
	} while (0)

static void
test_args_ok(void)
{
	CHECK_EQ(PARSE(BASE, "--duration", "5", "--spoof", "198.19.0.0/16"), SF_ARGS_OK);
	CHECK(args.addr == ip4("198.18.0.3"));
	CHECK_EQ(args.prefix_len, 24);
	CHECK(args.target_addr == ip4("198.18.0.2"));
	CHECK_EQ(args.target_port, 80);
	CHECK(strcmp(args.target_str, "198.18.0.2:80") == 0);
	CHECK(!args.rate_max);
	CHECK_EQ(args.rate_pps, 1000);
	CHECK_EQ(args.duration_s, 5);
	CHECK(args.spoof_net == ip4("198.19.0.0"));
	CHECK_EQ(args.spoof_len, 16);
	/* Defaults. */
	CHECK_EQ(args.legit_rate, 0);
	CHECK(strcmp(args.legit_path, "/bytes/64") == 0);
	CHECK(args.legit_pattern);
	CHECK_EQ(args.legit_pattern_len, 64);
	CHECK_EQ(args.legit_timeout_s, 10);
	CHECK_EQ(args.progress_ms, 1000);
	CHECK_EQ(args.max_syns, 0);
	CHECK(args.json_path == NULL && args.gateway == 0 && !args.have_target_mac);
	CHECK(sf_args_next_hop(&args) == ip4("198.18.0.2"));

	CHECK_EQ(PARSE("--addr", "198.18.0.3/24", "--target", "198.19.255.7:8080", "--rate", "max",
		       "--duration", "3600", "--spoof", "198.19.0.0/17", "--gateway", "198.18.0.1",
		       "--legit-rate", "20", "--legit-path", "/", "--legit-timeout", "3", "--json",
		       "/tmp/x.json", "--max-syns", "1000000", "--progress-interval", "250",
		       "--target-mac", "0a:Bc:00:11:22:33"),
		 SF_ARGS_OK);
	CHECK(args.rate_max);
	CHECK_EQ(args.duration_s, 3600);
	CHECK(args.gateway == ip4("198.18.0.1"));
	CHECK(sf_args_next_hop(&args) == ip4("198.18.0.1")); /* off-link target */
	CHECK_EQ(args.legit_rate, 20);
	CHECK(!args.legit_pattern);
	CHECK_EQ(args.legit_timeout_s, 3);
	CHECK(strcmp(args.json_path, "/tmp/x.json") == 0);
	CHECK_EQ(args.max_syns, 1000000);
	CHECK_EQ(args.progress_ms, 250);
	CHECK(args.have_target_mac);
	CHECK_EQ(args.target_mac[0], 0x0a);
	CHECK_EQ(args.target_mac[1], 0xbc);
	CHECK_EQ(args.target_mac[5], 0x33);
	CHECK(sf_in_spoof(&args, ip4("198.19.127.255")));
	CHECK(!sf_in_spoof(&args, ip4("198.19.128.0")));

	/* Off-link target with --target-mac and no gateway: nothing to ARP for. */
	CHECK_EQ(PARSE(BASE, "--duration", "1", "--spoof", "198.19.0.0/16", "--target",
		       "198.18.9.9:80", "--target-mac", "02:00:00:00:00:09"),
		 SF_ARGS_OK);
	CHECK(sf_args_next_hop(&args) == 0);
	/* /bytes/N with a query string is still the pattern. */
	CHECK_EQ(PARSE(BASE, "--duration", "1", "--spoof", "198.19.0.0/16", "--legit-path",
		       "/bytes/1000?x=1"),
		 SF_ARGS_OK);
	CHECK(args.legit_pattern);
	CHECK_EQ(args.legit_pattern_len, 1000);
	CHECK_EQ(PARSE("--help"), SF_ARGS_HELP);
}

static void
test_args_safety(void)
{
	CHECK_ERR("--addr '10.0.0.1/24' refused: dtcp-synflood only uses 198.18.0.0/15 (RFC 2544 "
		  "benchmarking addresses)",
		  "--addr", "10.0.0.1/24");
	CHECK_ERR("--addr '198.20.0.1/24' refused: dtcp-synflood only uses 198.18.0.0/15 (RFC "
		  "2544 benchmarking addresses)",
		  "--addr", "198.20.0.1/24");
	CHECK_ERR("--target '192.168.1.1:80' refused: dtcp-synflood only targets 198.18.0.0/15 "
		  "(RFC 2544 benchmarking addresses)",
		  "--target", "192.168.1.1:80");
	CHECK_ERR("--gateway '198.17.255.255' refused: dtcp-synflood only uses 198.18.0.0/15 "
		  "(RFC 2544 benchmarking addresses)",
		  "--gateway", "198.17.255.255");
	CHECK_ERR("--spoof '10.0.0.0/8' refused: the prefix must lie inside 198.18.0.0/15 (RFC "
		  "2544 benchmarking addresses)",
		  "--spoof", "10.0.0.0/8");
	/* A prefix that starts inside but reaches outside. */
	CHECK_ERR("--spoof '198.18.0.0/14' refused: the prefix must lie inside 198.18.0.0/15 (RFC "
		  "2544 benchmarking addresses)",
		  "--spoof", "198.18.0.0/14");
	CHECK_EQ(PARSE(BASE, "--duration", "1", "--spoof", "198.18.0.0/15", "--addr",
		       "198.19.0.1/24", "--target", "198.19.0.2:80"),
		 SF_ARGS_ERROR); /* /15 itself is allowed: this fails on containing --addr */
	CHECK(strstr(err, "contains --addr's address") != NULL);
	CHECK_ERR("--rate '0': expected SYNs per second, 1..100000000, or max", "--rate", "0");
	CHECK_ERR("--rate '100000001': expected SYNs per second, 1..100000000, or max", "--rate",
		  "100000001");
	CHECK_ERR("--rate '-5': expected SYNs per second, 1..100000000, or max", "--rate", "-5");
	CHECK_ERR("--rate 'MAX': expected SYNs per second, 1..100000000, or max", "--rate", "MAX");
	CHECK_ERR("--duration '0': expected seconds, 1..3600", "--duration", "0");
	CHECK_ERR("--duration '3601': expected seconds, 1..3600", "--duration", "3601");
	CHECK_ERR("--duration '1.5': expected seconds, 1..3600", "--duration", "1.5");
}

static void
test_args_errors(void)
{
	CHECK_ERR("--addr A.B.C.D/N is required", "--target", "198.18.0.2:80");
	CHECK_ERR("--target IP:PORT is required", "--addr", "198.18.0.3/24");
	CHECK_ERR("--rate PPS|max is required", "--addr", "198.18.0.3/24", "--target",
		  "198.18.0.2:80");
	CHECK_ERR("--duration S is required", BASE);
	CHECK_ERR("--spoof PREFIX/LEN is required", BASE, "--duration", "1");
	CHECK_ERR("--addr '198.18.0.3': expected A.B.C.D/N", "--addr", "198.18.0.3");
	CHECK_ERR("--addr '198.18.0.3/33': expected A.B.C.D/N", "--addr", "198.18.0.3/33");
	CHECK_ERR("--target '198.18.0.2': expected A.B.C.D:PORT", "--target", "198.18.0.2");
	CHECK_ERR("--target '198.18.0.2:0': expected A.B.C.D:PORT", "--target", "198.18.0.2:0");
	CHECK_ERR("--spoof '198.19.0.0': expected A.B.C.D/LEN", "--spoof", "198.19.0.0");
	CHECK_ERR("--gateway 'x': expected A.B.C.D", "--gateway", "x");
	CHECK_ERR("--target-mac '02:00:00:00:00': expected XX:XX:XX:XX:XX:XX", "--target-mac",
		  "02:00:00:00:00");
	CHECK_ERR("--target-mac '01:00:5e:00:00:01': expected a unicast address", "--target-mac",
		  "01:00:5e:00:00:01");
	CHECK_ERR("--legit-rate '10001': expected connections per second, 0..10000", "--legit-rate",
		  "10001");
	CHECK_ERR("--legit-path 'bytes/64': expected a path starting with '/', visible ASCII, at "
		  "most 1024 bytes",
		  "--legit-path", "bytes/64");
	CHECK_ERR("--legit-timeout '0': expected seconds, 1..600", "--legit-timeout", "0");
	CHECK_ERR("--max-syns '0': expected a positive integer", "--max-syns", "0");
	CHECK_ERR("--progress-interval '99': expected milliseconds, 100..60000",
		  "--progress-interval", "99");
	CHECK_ERR("unknown option '--bogus'", "--bogus");
	CHECK_ERR("option '--rate' needs a value", "--rate");
	CHECK_ERR("unexpected argument 'extra'", BASE, "extra");

	/* Combinations. */
	CHECK_ERR("--spoof 198.19.0.1/16: host bits set (the prefix is 198.19.0.0/16)", BASE,
		  "--duration", "1", "--spoof", "198.19.0.1/16");
	CHECK_ERR("--spoof 198.18.0.0/16 contains --addr's address 198.18.0.3: its traffic would "
		  "be counted as the flood's",
		  BASE, "--duration", "1", "--spoof", "198.18.0.0/16");
	CHECK_ERR("--spoof 198.18.0.2/32 contains the target 198.18.0.2", BASE, "--duration", "1",
		  "--spoof", "198.18.0.2/32");
	CHECK_ERR("--spoof 198.18.0.0/31 contains the gateway 198.18.0.1", BASE, "--duration", "1",
		  "--spoof", "198.18.0.0/31", "--gateway", "198.18.0.1");
	CHECK_ERR("--target 198.18.0.3:80 is --addr's own address", BASE, "--duration", "1",
		  "--spoof", "198.19.0.0/16", "--target", "198.18.0.3:80");
	CHECK_ERR("--gateway 198.18.1.1 is not on --addr's subnet 198.18.0.3/24", BASE,
		  "--duration", "1", "--spoof", "198.19.0.0/16", "--gateway", "198.18.1.1");
	CHECK_ERR("--gateway 198.18.0.3 is --addr's own address", BASE, "--duration", "1",
		  "--spoof", "198.19.0.0/16", "--gateway", "198.18.0.3");
	CHECK_ERR("--target 198.18.5.2:80 is not on --addr's subnet 198.18.0.3/24: give "
		  "--gateway or --target-mac",
		  BASE, "--duration", "1", "--spoof", "198.19.0.0/16", "--target", "198.18.5.2:80");
}

static void
test_args_mode(void)
{
	static const uint8_t m1[6] = {2, 0, 0, 0, 0, 1}, m2[6] = {2, 0, 0, 0, 0, 2};

	CHECK_EQ(PARSE(BASE, "--duration", "1", "--spoof", "198.19.0.0/16"), SF_ARGS_OK);
	CHECK_EQ(sf_args_mode(&args, 1, err, sizeof(err)), SF_MODE_FLOOD_ONLY);
	CHECK_EQ(sf_args_mode(&args, 2, err, sizeof(err)), SF_MODE_STACK);
	CHECK_EQ(sf_args_mode(&args, 0, err, sizeof(err)), SF_MODE_ERROR);
	CHECK(strcmp(err, "no DPDK port: give one (flood only) or two (stack + raw flood) with "
			  "--vdev, and --no-pci") == 0);
	CHECK_EQ(sf_args_mode(&args, 3, err, sizeof(err)), SF_MODE_ERROR);
	CHECK(strcmp(err, "3 DPDK ports: expected one (flood only) or two (port 0 the stack, port "
			  "1 the raw flood)") == 0);
	CHECK_EQ(PARSE(BASE, "--duration", "1", "--spoof", "198.19.0.0/16", "--legit-rate", "20"),
		 SF_ARGS_OK);
	CHECK_EQ(sf_args_mode(&args, 2, err, sizeof(err)), SF_MODE_STACK);
	CHECK_EQ(sf_args_mode(&args, 1, err, sizeof(err)), SF_MODE_ERROR);
	CHECK(strcmp(err, "--legit-rate 20 needs two ports (port 0 for the stack's clients, port 1 "
			  "for the raw flood) but only one was given: add a second --vdev or use "
			  "--legit-rate 0 for a flood-only run") == 0);
	CHECK_EQ(PARSE(BASE, "--duration", "1", "--spoof", "198.19.0.0/16", "--config", "x.ini"),
		 SF_ARGS_OK);
	CHECK_EQ(sf_args_mode(&args, 1, err, sizeof(err)), SF_MODE_ERROR);
	CHECK(strstr(err, "--config configures the stack") == err);

	/* Two af_packet ports on one interface share a fanout group: refused. */
	CHECK_EQ(sf_args_check_ports("net_af_packet", m1, "net_af_packet", m1, err, sizeof(err)),
		 -1);
	CHECK(strstr(err, "ports 0 and 1 are both net_af_packet on one interface") == err);
	CHECK_EQ(sf_args_check_ports("net_af_packet", m1, "net_af_packet", m2, err, sizeof(err)),
		 0);
	CHECK_EQ(sf_args_check_ports("net_pcap", m1, "net_af_packet", m1, err, sizeof(err)), 0);
	CHECK_EQ(
		sf_args_check_ports("net_virtio_user", m1, "net_virtio_user", m1, err, sizeof(err)),
		0);
}

/* ---- HTTP response check ---- */

static uint8_t pattern[PERF_PATTERN_TABLE];

/* Feed @p head then @p body_len bytes of the pattern (one byte mangled if @p bad_at >= 0), in
 * pieces of @p piece bytes, and judge the result. */
static const char *
judge(const char *head, uint64_t body_len, long bad_at, size_t piece, bool expect_pattern,
      uint64_t expect_len)
{
	struct sf_resp_expect e = {
		.pattern = expect_pattern, .pattern_len = expect_len, .tab = pattern};
	struct sf_resp r;
	size_t hlen = strlen(head), total = hlen + body_len;
	uint8_t *buf = malloc(total + 1);

	memcpy(buf, head, hlen);
	perf_pattern_fill(pattern, 0, buf + hlen, body_len);
	if (bad_at >= 0)
		buf[hlen + (size_t)bad_at] ^= 0x55;
	sf_resp_init(&r);
	for (size_t off = 0; off < total; off += piece) {
		size_t n = total - off < piece ? total - off : piece;

		if (sf_resp_feed(&r, &e, buf + off, n) != 0)
			break;
	}
	free(buf);
	return sf_resp_finish(&r, &e);
}

static bool
same(const char *got, const char *want)
{
	if (got == NULL || want == NULL)
		return got == want;
	return strcmp(got, want) == 0;
}

static void
test_resp(void)
{
	static const char ok64[] = "HTTP/1.1 200 OK\r\nServer: dtcp\r\nContent-Type: "
				   "application/octet-stream\r\nContent-Length: 64\r\nConnection: "
				   "close\r\n\r\n";

	perf_pattern_init(pattern);
	CHECK(same(judge(ok64, 64, -1, 1, true, 64), NULL)); /* byte by byte */
	CHECK(same(judge(ok64, 64, -1, 7, true, 64), NULL));
	CHECK(same(judge(ok64, 64, -1, 4096, true, 64), NULL));
	CHECK(same(judge(ok64, 64, 63, 5, true, 64), "body does not match the /bytes/N pattern"));
	CHECK(same(judge(ok64, 63, -1, 5, true, 64), "body shorter than Content-Length"));
	CHECK(same(judge(ok64, 65, -1, 5, true, 64), "body longer than Content-Length"));
	CHECK(same(judge(ok64, 64, -1, 5, true, 65), "Content-Length is not the N of /bytes/N"));
	CHECK(same(judge("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, -1, 3, false, 0),
		   "status not 200"));
	CHECK(same(judge("HTTP/1.1 204 No Content\r\n\r\n", 0, -1, 3, false, 0), "status not 200"));
	CHECK(same(judge("HTTP/1.1 200 OK\r\n\r\n", 0, -1, 3, false, 0), "no Content-Length"));
	CHECK(same(judge("HTTP/1.1 200 OK\r\nContent-Len", 0, -1, 3, false, 0),
		   "connection closed inside the response head"));
	CHECK(same(judge("SSH-2.0-OpenSSH\r\n", 0, -1, 3, false, 0), "malformed status line"));
	/* Any other path: "dtcp\n", only the length is known. */
	CHECK(same(judge("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ndtcp\n", 0, -1, 2, false, 0),
		   NULL));
	CHECK(same(judge("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, -1, 2, true, 0),
		   NULL)); /* /bytes/0 */
	/* A large body across many pieces, wrong deep inside. */
	CHECK(same(judge("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", 100000, -1, 1460,
			 true, 100000),
		   NULL));
	CHECK(same(judge("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", 100000, 77777, 1460,
			 true, 100000),
		   "body does not match the /bytes/N pattern"));
}

/* ---- report ---- */

static char *
render_json(const struct sf_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sf_report_json(f, r);
	fclose(f);
	return buf;
}

static void
test_report(void)
{
	static struct perf_hist h;
	struct sf_tl tl[2] = {
		{.t = 1.0,
		 .len_s = 1.0,
		 .syn_sent = 1000,
		 .synack_rx = 400,
		 .synack_unique = 390,
		 .rst_rx = 10,
		 .rx_frames = 420,
		 .legit_ok = 20,
		 .legit_failed = 0,
		 .connect_p99_us = 1003000},
		{.t = 1.5,
		 .len_s = 0.5,
		 .syn_sent = 0,
		 .synack_rx = 3,
		 .rx_frames = 3,
		 .legit_ok = 0,
		 .legit_failed = 2,
		 .connect_p99_us = -1},
	};
	struct sf_result r = {
		.target = "198.18.0.2:80",
		.rate_pps = 1000,
		.duration_s = 1.0,
		.legit = true,
		.tot = {.syn_sent = 1000,
			.tx_dropped = 7,
			.synack_rx = 403,
			.synack_unique = 390,
			.rst_rx = 10,
			.other_rx = 1,
			.rx_frames = 423,
			.legit_attempted = 22,
			.legit_ok = 20,
			.legit_failed = 2,
			.legit_fail = {[SF_FAIL_TIMEOUT] = 1, [SF_FAIL_REFUSED] = 1}},
		.connect_us = &h,
		.timeline = tl,
		.nb_timeline = 2,
	};
	static const char want[] =
		"{\"target\": \"198.18.0.2:80\", \"rate_requested\": 1000, \"duration_s\": 1.000,\n"
		" \"totals\": {\"syn_sent\": 1000, \"tx_dropped\": 7, \"synack_rx\": 403, "
		"\"synack_unique\": 390, \"rst_rx\": 10, \"other_rx\": 1, \"rx_frames\": 423,\n"
		"            \"legit_attempted\": 22, \"legit_ok\": 20, \"legit_failed\": 2, "
		"\"legit_fail_reasons\": {\"timeout\": 1, \"reset\": 0, \"refused\": 1, "
		"\"bad_response\": 0, \"error\": 0}},\n"
		" \"rates\": {\"syn_per_s\": 1000.0, \"synack_per_s\": 403.0, \"rx_frames_per_s\": "
		"423.0, \"answered_pct\": 40.00},\n"
		" \"legit\": {\"success_pct\": 90.91, \"connect_us\": {\"p50\": 100, \"p90\": 100, "
		"\"p99\": 1000, \"max\": 1000, \"count\": 20}},\n"
		" \"timeline\": [\n"
		"  {\"t\": 1.000, \"syn_sent\": 1000, \"synack_rx\": 400, \"rst_rx\": 10, "
		"\"rx_frames\": 420, \"legit_ok\": 20, \"legit_failed\": 0, \"connect_p99_us\": "
		"1003000},\n"
		"  {\"t\": 1.500, \"syn_sent\": 0, \"synack_rx\": 3, \"rst_rx\": 0, \"rx_frames\": "
		"3, "
		"\"legit_ok\": 0, \"legit_failed\": 2, \"connect_p99_us\": null}\n"
		" ]}\n";
	char line[256], *json;

	perf_hist_init(&h);
	for (int i = 0; i < 19; i++)
		perf_hist_record(&h, 100);
	perf_hist_record(&h, 1000);
	json = render_json(&r);
	if (strcmp(json, want) != 0) {
		fprintf(stderr, "JSON differs:\n%s\nwant:\n%s\n", json, want);
		dtcp_test_failures++;
	}
	free(json);

	/* No legit clients, rate max, empty run: nulls and zeros, an empty timeline. */
	memset(&r, 0, sizeof(r));
	r.target = "198.18.0.2:80";
	r.rate_max = true;
	json = render_json(&r);
	CHECK(strstr(json, "\"rate_requested\": \"max\", \"duration_s\": 0.000,") != NULL);
	CHECK(strstr(json, "\"answered_pct\": 0.00}") != NULL);
	CHECK(strstr(json, "\"success_pct\": null, \"connect_us\": {\"p50\": 0, \"p90\": 0, "
			   "\"p99\": 0, \"max\": 0, \"count\": 0}}") != NULL);
	CHECK(strstr(json, "\"timeline\": []}\n") != NULL);
	free(json);

	CHECK_EQ(sf_progress_format(line, sizeof(line), &tl[0], true, 20, 0) > 0, 1);
	CHECK(strcmp(line, "    1.0s  offered      1000 SYN/s  SYN-ACK       400/s  answered  "
			   "40.00%  legit ok 20 failed 0  connect p99 1003.0 ms") == 0);
	sf_progress_format(line, sizeof(line), &tl[1], true, 20, 2);
	CHECK(strcmp(line, "    1.5s  offered         0 SYN/s  SYN-ACK         6/s  answered   "
			   "0.00%  legit ok 20 failed 2  connect p99 -") == 0);
	sf_progress_format(line, sizeof(line), &tl[0], false, 0, 0);
	CHECK(strcmp(line, "    1.0s  offered      1000 SYN/s  SYN-ACK       400/s  answered  "
			   "40.00%") == 0);
	CHECK(strcmp(sf_fail_name(SF_FAIL_BAD_RESPONSE), "bad_response") == 0);
	CHECK(strcmp(sf_fail_name(SF_FAIL__MAX), "unknown") == 0);
}

int
main(void)
{
	RUN_TEST(test_syn_golden);
	RUN_TEST(test_syn_random_checksums);
	RUN_TEST(test_sum_bytes);
	RUN_TEST(test_spoof);
	RUN_TEST(test_isn);
	RUN_TEST(test_answered);
	RUN_TEST(test_classify);
	RUN_TEST(test_arp);
	RUN_TEST(test_args_ok);
	RUN_TEST(test_args_safety);
	RUN_TEST(test_args_errors);
	RUN_TEST(test_args_mode);
	RUN_TEST(test_resp);
	RUN_TEST(test_report);
	return TEST_EXIT();
}
