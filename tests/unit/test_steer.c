/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steer layer: the table-driven Toeplitz hash against DPDK's rte_softrss and
 * rte_softrss_be and Microsoft's published RSS verification vectors, the
 * symmetry of dtcp_rss_key, and RSS-aware port selection (the port chosen
 * for an lcore always hashes, by an independent computation, to that lcore).
 */
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_thash.h>

#include "dtcp_test.h"
#include "port/port.h"
#include "steer/steer.h"
#include "steer/toeplitz.h"

/* The key of Microsoft's "Verifying the RSS Hash Calculation" (also in the 82599 datasheet). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* Its "IPv4 with TCP" table: source, destination, ports, expected hash. */
static const struct {
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
	uint32_t hash;
} ms_vectors[] = {
	{{66, 9, 149, 187}, {161, 142, 100, 80}, 2794, 1766, 0x51ccc178},
	{{199, 92, 111, 2}, {65, 69, 140, 83}, 14230, 4739, 0xc626b0ea},
	{{24, 19, 198, 95}, {12, 22, 207, 184}, 12898, 38024, 0x5c2b394a},
	{{38, 27, 205, 30}, {209, 142, 163, 6}, 48228, 2217, 0xafc7327f},
	{{153, 39, 163, 191}, {202, 188, 127, 2}, 44251, 1303, 0x10e828a2},
};

static struct dtcp_toeplitz tz_ms, tz_dtcp;
static struct dtcp_steer steer;

/* xorshift64*: reproducible without the EAL. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* DPDK's reference: host-order tuple, bit-serial over the original key. */
static uint32_t
softrss(const uint8_t *key, uint32_t src_be, uint32_t dst_be, uint16_t sport_be, uint16_t dport_be)
{
	struct rte_ipv4_tuple t = {
		.src_addr = rte_be_to_cpu_32(src_be),
		.dst_addr = rte_be_to_cpu_32(dst_be),
	};

	t.sport = rte_be_to_cpu_16(sport_be);
	t.dport = rte_be_to_cpu_16(dport_be);
	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, key);
}

/* The same with rte_softrss_be() and the key converted for it. */
static uint32_t
softrss_be(const uint8_t *key, uint32_t src_be, uint32_t dst_be, uint16_t sport_be,
	   uint16_t dport_be)
{
	uint32_t conv[10];
	struct rte_ipv4_tuple t = {
		.src_addr = rte_be_to_cpu_32(src_be),
		.dst_addr = rte_be_to_cpu_32(dst_be),
	};

	rte_convert_rss_key((const uint32_t *)(const void *)key, conv, 40);
	t.sport = rte_be_to_cpu_16(sport_be);
	t.dport = rte_be_to_cpu_16(dport_be);
	return rte_softrss_be((uint32_t *)&t, RTE_THASH_V4_L4_LEN, (const uint8_t *)conv);
}

static void
test_microsoft_vectors(void)
{
	for (unsigned int i = 0; i < RTE_DIM(ms_vectors); i++) {
		uint32_t src, dst;
		uint16_t sp = rte_cpu_to_be_16(ms_vectors[i].sport);
		uint16_t dp = rte_cpu_to_be_16(ms_vectors[i].dport);

		memcpy(&src, ms_vectors[i].src, 4);
		memcpy(&dst, ms_vectors[i].dst, 4);
		CHECK_EQ(dtcp_toeplitz_v4(&tz_ms, src, dst, sp, dp), ms_vectors[i].hash);
		CHECK_EQ(softrss(ms_key, src, dst, sp, dp), ms_vectors[i].hash);
		CHECK_EQ(softrss_be(ms_key, src, dst, sp, dp), ms_vectors[i].hash);
	}
}

static void
test_random_tuples_match_softrss(void)
{
	for (unsigned int i = 0; i < 100000; i++) {
		uint32_t src = (uint32_t)rng(), dst = (uint32_t)rng();
		uint16_t sp = (uint16_t)rng(), dp = (uint16_t)rng();
		uint32_t want_ms = softrss(ms_key, src, dst, sp, dp);
		uint32_t want = softrss(dtcp_rss_key, src, dst, sp, dp);

		CHECK_EQ(dtcp_toeplitz_v4(&tz_ms, src, dst, sp, dp), want_ms);
		CHECK_EQ(dtcp_toeplitz_v4(&tz_dtcp, src, dst, sp, dp), want);
		CHECK_EQ(softrss_be(dtcp_rss_key, src, dst, sp, dp), want);
		if (dtcp_test_failures != 0)
			return; /* one report, not 100,000 */
	}
}

/* dtcp_rss_key hashes both directions of a flow alike; the Microsoft key does not. */
static void
test_dtcp_key_is_symmetric(void)
{
	unsigned int asym_ms = 0;

	for (unsigned int i = 0; i < 10000; i++) {
		uint32_t a = (uint32_t)rng(), b = (uint32_t)rng();
		uint16_t p = (uint16_t)rng(), q = (uint16_t)rng();

		CHECK_EQ(dtcp_toeplitz_v4(&tz_dtcp, a, b, p, q),
			 dtcp_toeplitz_v4(&tz_dtcp, b, a, q, p));
		asym_ms += dtcp_toeplitz_v4(&tz_ms, a, b, p, q) !=
			   dtcp_toeplitz_v4(&tz_ms, b, a, q, p);
	}
	CHECK(asym_ms > 9900); /* the check above can fail */
}

static void
test_short_key_rejected(void)
{
	struct dtcp_toeplitz tz;

	CHECK_EQ(dtcp_toeplitz_init(&tz, ms_key, 16), -EINVAL);
	CHECK_EQ(dtcp_toeplitz_init(&tz, ms_key, 17), 0);
}

/*
 * What pick_port() does, on the steer primitives: from a random cursor, the
 * first port of [min, max] whose reply this lcore owns. The result is checked
 * against rte_softrss over the reply as the peer sends it, and a RETA entry
 * computed independently (round-robin: entry e belongs to lcore e % n).
 */
static void
test_port_selection_lands_on_lcore(void)
{
	static const unsigned int reta_sizes[] = {64, 128, 512}, lcores[] = {2, 3, 8};
	const uint16_t min = 32768, max = 60999;

	for (unsigned int ri = 0; ri < RTE_DIM(reta_sizes); ri++) {
		for (unsigned int li = 0; li < RTE_DIM(lcores); li++) {
			unsigned int size = reta_sizes[ri], n = lcores[li];
			uint64_t total_tries = 0;
			unsigned int found = 0;

			CHECK_EQ(dtcp_steer_init(&steer, n), 0);
			dtcp_steer_reta_sw(&steer.reta[1], size, n);
			for (unsigned int i = 0; i < 10000; i++) {
				uint32_t laddr = (uint32_t)rng(), raddr = (uint32_t)rng();
				uint16_t rport = (uint16_t)rng();
				unsigned int me = (unsigned int)(rng() % n);
				uint16_t port = (uint16_t)(min + rng() % (max - min + 1u));
				struct dtcp_steer_reply q;
				uint32_t tries, h;

				dtcp_steer_reply_init(&q, &steer, 1, laddr, raddr, rport);
				for (tries = 1; tries <= max - min + 1u; tries++) {
					if (dtcp_steer_reply_owner(&q, port) == me)
						break;
					port = port == max ? min : port + 1;
				}
				total_tries += tries;
				h = softrss(dtcp_rss_key, raddr, laddr, rport,
					    rte_cpu_to_be_16(port));
				CHECK_EQ((h & (size - 1)) % n, me);
				/* The connection's own direction hashes alike (symmetric key). */
				CHECK_EQ(softrss(dtcp_rss_key, laddr, raddr, rte_cpu_to_be_16(port),
						 rport),
					 h);
				found += (h & (size - 1)) % n == me;
				if (dtcp_test_failures != 0) {
					fprintf(stderr, "reta %u, %u lcores, tuple %u\n", size, n,
						i);
					return;
				}
			}
			CHECK_EQ(found, 10000);
			/* About one port in n qualifies. */
			printf("  reta %3u, %u lcores: %.2f ports tried per pick\n", size, n,
			       (double)total_tries / 10000);
			CHECK(total_tries < 10000ull * n * 2);
		}
	}
}

/* A trusted device's hash is used as is; without the mbuf flag, or untrusted, the software's. */
static void
test_rx_owner_uses_hw_hash_only_when_trusted(void)
{
	struct rte_mbuf m;
	uint32_t src = rte_cpu_to_be_32(0xc6120001), dst = rte_cpu_to_be_32(0xc6120002);
	uint16_t sp = rte_cpu_to_be_16(40000), dp = rte_cpu_to_be_16(80);
	uint32_t sw = dtcp_toeplitz_v4(&tz_dtcp, src, dst, sp, dp);

	CHECK_EQ(dtcp_steer_init(&steer, 2), 0);
	memset(&m, 0, sizeof(m));
	m.hash.rss = sw ^ 1; /* owned by the other lcore of two */
	CHECK_EQ(dtcp_steer_rx_owner(&steer, 0, &m, src, dst, sp, dp), (sw & 127) % 2);
	m.ol_flags = RTE_MBUF_F_RX_RSS_HASH;
	CHECK_EQ(dtcp_steer_rx_owner(&steer, 0, &m, src, dst, sp, dp), (sw & 127) % 2);
	steer.reta[0].hw = true;
	CHECK_EQ(dtcp_steer_rx_owner(&steer, 0, &m, src, dst, sp, dp), ((sw ^ 1) & 127) % 2);
	m.ol_flags = 0;
	CHECK_EQ(dtcp_steer_rx_owner(&steer, 0, &m, src, dst, sp, dp), (sw & 127) % 2);
}

int
main(void)
{
	CHECK_EQ(dtcp_toeplitz_init(&tz_ms, ms_key, sizeof(ms_key)), 0);
	CHECK_EQ(dtcp_toeplitz_init(&tz_dtcp, dtcp_rss_key, sizeof(dtcp_rss_key)), 0);
	RUN_TEST(test_microsoft_vectors);
	RUN_TEST(test_random_tuples_match_softrss);
	RUN_TEST(test_dtcp_key_is_symmetric);
	RUN_TEST(test_short_key_rejected);
	RUN_TEST(test_port_selection_lands_on_lcore);
	RUN_TEST(test_rx_owner_uses_hw_hash_only_when_trusted);
	return TEST_EXIT();
}
