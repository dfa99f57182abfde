/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN-cookie arithmetic (lib/tcp/syncookie.c): every MSS index and every
 * option combination survives the round trip; the previous period's
 * cookies are accepted and older ones are not; forged, bit-flipped and
 * mis-bound cookies are refused. (SipHash itself: test_siphash.c.)
 */
#include <string.h>

#include <rte_common.h>

#include "dtcp_test.h"
#include "tcp/syncookie.h"

#define PERIOD_S  64
#define PERIOD_US (PERIOD_S * 1000000ull)

/* A clock value inside period @p p, @p frac of the way through it (0..99). */
static uint64_t
at(uint32_t p, unsigned int frac)
{
	return (uint64_t)p * PERIOD_US + PERIOD_US / 100 * frac;
}

static const struct dtcp_syncookie_flow base_flow = {
	.local_addr = 0x020012c6,  /* 198.18.0.2 as on the wire (little-endian host) */
	.remote_addr = 0x010013c6, /* 198.19.0.1 */
	.local_port = 0x5000,	   /* 80 */
	.remote_port = 0x409c,	   /* 40000 */
	.peer_isn = 0x12345678,
};

/* xorshift64: reproducible flows without libc rand(). */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static struct dtcp_syncookie_flow
random_flow(uint64_t *s)
{
	uint64_t a = next_rand(s), b = next_rand(s);

	return (struct dtcp_syncookie_flow){
		.local_addr = (uint32_t)a,
		.remote_addr = (uint32_t)(a >> 32),
		.local_port = (uint16_t)b,
		.remote_port = (uint16_t)(b >> 16),
		.peer_isn = (uint32_t)(b >> 32),
	};
}

static void
test_mss_table(void)
{
	static const struct {
		uint16_t peer_mss;
		uint8_t index;
		uint16_t mss;
	} cases[] = {
		{0, 0, 536},	  {1, 0, 536},	   {535, 0, 536},   {536, 0, 536},
		{1199, 0, 536},	  {1200, 1, 1200}, {1359, 1, 1200}, {1360, 2, 1360},
		{1400, 3, 1400},  {1440, 4, 1440}, {1452, 5, 1452}, {1459, 5, 1452},
		{1460, 6, 1460},  {1461, 6, 1460}, {8959, 6, 1460}, {8960, 7, 8960},
		{65535, 7, 8960},
	};

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		CHECK_EQ(dtcp_syncookie_mss_index(cases[i].peer_mss), cases[i].index);
		CHECK_EQ(dtcp_syncookie_mss(cases[i].index), cases[i].mss);
	}
	/* The table is increasing and every entry maps back to its own index. */
	for (uint8_t i = 0; i < DTCP_SYNCOOKIE_MSS_COUNT; i++) {
		CHECK_EQ(dtcp_syncookie_mss_index(dtcp_syncookie_mss(i)), i);
		if (i > 0)
			CHECK(dtcp_syncookie_mss(i) > dtcp_syncookie_mss((uint8_t)(i - 1)));
	}
}

/* Every MSS index, many flows, both halves of a period and the next period. */
static void
test_round_trip_every_mss(void)
{
	struct dtcp_syncookie_jar jar;
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	dtcp_syncookie_jar_init(&jar, PERIOD_S);
	for (uint8_t idx = 0; idx < DTCP_SYNCOOKIE_MSS_COUNT; idx++) {
		for (unsigned int n = 0; n < 200; n++) {
			struct dtcp_syncookie_flow f = random_flow(&seed);
			uint32_t p = 1000 + n % 7;
			uint32_t cookie = dtcp_syncookie_make(&jar, at(p, n % 100), &f, idx, NULL);
			uint8_t got = 0xff;

			CHECK_EQ(cookie & 7, idx);
			CHECK_EQ(dtcp_syncookie_check(&jar, at(p, 99), &f, cookie, &got, NULL),
				 DTCP_SYNCOOKIE_VALID);
			CHECK_EQ(got, idx);
			got = 0xff;
			CHECK_EQ(dtcp_syncookie_check(&jar, at(p + 1, 50), &f, cookie, &got, NULL),
				 DTCP_SYNCOOKIE_VALID);
			CHECK_EQ(got, idx);
		}
	}
}

/* Every window scale (or none) with and without SACK-permitted, at awkward clock values. */
static void
test_ts_round_trip_every_option(void)
{
	static const uint32_t clocks[] = {0,   1,	   63,	       64,	   65,
					  127, 0x12345678, 0xffffffc0, 0xffffffff, 0x8000003f};

	for (int ws = -1; ws <= 14; ws++) {
		for (int sack = 0; sack <= 1; sack++) {
			for (size_t i = 0; i < RTE_DIM(clocks); i++) {
				struct dtcp_syncookie_opts in = {
					.wscale_ok = ws >= 0,
					.wscale = ws >= 0 ? (uint8_t)ws : 0,
					.sack_ok = sack != 0,
				};
				struct dtcp_syncookie_opts out;
				uint32_t ts = dtcp_syncookie_ts_encode(clocks[i], &in);

				/* Never ahead of the clock, never more than 63 ms behind. */
				CHECK((int32_t)(clocks[i] - ts) >= 0);
				CHECK(clocks[i] - ts < 64);
				memset(&out, 0xa5, sizeof(out));
				CHECK(dtcp_syncookie_ts_decode(ts, &out));
				CHECK_EQ(out.wscale_ok, in.wscale_ok);
				CHECK_EQ(out.wscale, in.wscale);
				CHECK_EQ(out.sack_ok, in.sack_ok);
			}
		}
	}
	/* The ECN bit is never ours. */
	{
		struct dtcp_syncookie_opts out;

		CHECK(!dtcp_syncookie_ts_decode(0x20, &out));
		CHECK(!dtcp_syncookie_ts_decode(0x1234567f, &out));
	}
}

/* Period p's cookie: valid in p and p + 1, stale in p + 2 and p + 3, unknown after. */
static void
test_rotation(void)
{
	struct dtcp_syncookie_jar jar;
	uint8_t idx;
	uint32_t cookie, other;

	dtcp_syncookie_jar_init(&jar, PERIOD_S);
	cookie = dtcp_syncookie_make(&jar, at(500, 10), &base_flow, 6, NULL);
	CHECK_EQ(jar.rotations, 1);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(500, 99), &base_flow, cookie, &idx, NULL),
		 DTCP_SYNCOOKIE_VALID);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(501, 99), &base_flow, cookie, &idx, NULL),
		 DTCP_SYNCOOKIE_VALID);
	/* Two rotations later (a key made in 501 and one in 502): stale, not forged. */
	other = dtcp_syncookie_make(&jar, at(501, 0), &base_flow, 6, NULL);
	(void)dtcp_syncookie_make(&jar, at(502, 0), &base_flow, 6, NULL);
	CHECK_EQ(jar.rotations, 3);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(502, 1), &base_flow, cookie, &idx, NULL),
		 DTCP_SYNCOOKIE_STALE);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(502, 1), &base_flow, other, &idx, NULL),
		 DTCP_SYNCOOKIE_VALID);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(503, 1), &base_flow, cookie, &idx, NULL),
		 DTCP_SYNCOOKIE_STALE);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(503, 1), &base_flow, other, &idx, NULL),
		 DTCP_SYNCOOKIE_STALE);
	/* Four periods on, the slot's key is for another period: not ours any more. */
	(void)dtcp_syncookie_make(&jar, at(504, 0), &base_flow, 6, NULL);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(504, 1), &base_flow, cookie, &idx, NULL),
		 DTCP_SYNCOOKIE_BAD_MAC);
	/* Also without any cookie made since: the key for the period is simply absent. */
	CHECK_EQ(dtcp_syncookie_check(&jar, at(509, 1), &base_flow, other, &idx, NULL),
		 DTCP_SYNCOOKIE_BAD_MAC);
	/* A fresh key each period, not the same one again. */
	CHECK(memcmp(&jar.key[500 & 3], &jar.key[501 & 3], sizeof(jar.key[0])) != 0);
	CHECK(memcmp(&jar.key[501 & 3], &jar.key[502 & 3], sizeof(jar.key[0])) != 0);
}

/* A clock that jumps several periods between two cookies still rotates. */
static void
test_idle_jump(void)
{
	struct dtcp_syncookie_jar jar;
	uint8_t idx;
	uint32_t c1, c2;

	dtcp_syncookie_jar_init(&jar, PERIOD_S);
	c1 = dtcp_syncookie_make(&jar, at(100, 0), &base_flow, 2, NULL);
	c2 = dtcp_syncookie_make(&jar, at(104, 0), &base_flow, 2, NULL); /* same slot, new key */
	CHECK_EQ(jar.rotations, 2);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(104, 5), &base_flow, c2, &idx, NULL),
		 DTCP_SYNCOOKIE_VALID);
	CHECK_EQ(dtcp_syncookie_check(&jar, at(104, 5), &base_flow, c1, &idx, NULL),
		 DTCP_SYNCOOKIE_BAD_MAC);
}

/* Every single-bit change of the cookie or of what it is bound to is refused. */
static void
test_bit_flips(void)
{
	struct dtcp_syncookie_jar jar;
	uint64_t now = at(777, 40);
	uint8_t idx;
	uint32_t cookie;

	dtcp_syncookie_jar_init(&jar, PERIOD_S);
	(void)dtcp_syncookie_make(&jar, at(776, 40), &base_flow, 0, NULL); /* previous key too */
	cookie = dtcp_syncookie_make(&jar, now, &base_flow, 6, NULL);
	for (unsigned int bit = 0; bit < 32; bit++)
		CHECK(dtcp_syncookie_check(&jar, now, &base_flow, cookie ^ (1u << bit), &idx,
					   NULL) != DTCP_SYNCOOKIE_VALID);
	for (unsigned int bit = 0; bit < 32; bit++) {
		struct dtcp_syncookie_flow f;

		f = base_flow;
		f.local_addr ^= 1u << bit;
		CHECK(dtcp_syncookie_check(&jar, now, &f, cookie, &idx, NULL) !=
		      DTCP_SYNCOOKIE_VALID);
		f = base_flow;
		f.remote_addr ^= 1u << bit;
		CHECK(dtcp_syncookie_check(&jar, now, &f, cookie, &idx, NULL) !=
		      DTCP_SYNCOOKIE_VALID);
		f = base_flow;
		f.peer_isn ^= 1u << bit;
		CHECK(dtcp_syncookie_check(&jar, now, &f, cookie, &idx, NULL) !=
		      DTCP_SYNCOOKIE_VALID);
		if (bit < 16) {
			f = base_flow;
			f.local_port ^= (uint16_t)(1u << bit);
			CHECK(dtcp_syncookie_check(&jar, now, &f, cookie, &idx, NULL) !=
			      DTCP_SYNCOOKIE_VALID);
			f = base_flow;
			f.remote_port ^= (uint16_t)(1u << bit);
			CHECK(dtcp_syncookie_check(&jar, now, &f, cookie, &idx, NULL) !=
			      DTCP_SYNCOOKIE_VALID);
		}
	}
	/* Unchanged, it still checks out. */
	CHECK_EQ(dtcp_syncookie_check(&jar, now, &base_flow, cookie, &idx, NULL),
		 DTCP_SYNCOOKIE_VALID);
}

/*
 * Blind guesses: 2^20 random cookies for one flow. Each is valid with
 * probability 2^-27 at most (syncookie.c), so even one pass would have had
 * a chance below 1%: it would mean the MAC is weaker than claimed. (With
 * fixed keys and a fixed seed the outcome is the same on every run.)
 * Another jar's cookies (another secret) never pass either.
 */
static void
test_forgeries(void)
{
	struct dtcp_syncookie_jar jar, other;
	uint64_t now = at(3000, 50), seed = 12345;
	unsigned int passed = 0;
	uint8_t idx;

	/* Fixed keys: the outcome must not depend on the run's random secrets. */
	dtcp_syncookie_jar_init(&jar, PERIOD_S);
	dtcp_syncookie_jar_init(&other, PERIOD_S);
	dtcp_syncookie_set_key(&jar, 2999, &(struct dtcp_siphash_key){1, 2});
	dtcp_syncookie_set_key(&jar, 3000, &(struct dtcp_siphash_key){3, 4});
	dtcp_syncookie_set_key(&other, 3000, &(struct dtcp_siphash_key){5, 6});
	for (unsigned int i = 0; i < (1u << 20); i++)
		passed += dtcp_syncookie_check(&jar, now, &base_flow, (uint32_t)next_rand(&seed),
					       &idx, NULL) == DTCP_SYNCOOKIE_VALID;
	CHECK_EQ(passed, 0);
	for (unsigned int i = 0; i < 1000; i++) {
		struct dtcp_syncookie_flow f = random_flow(&seed);
		uint32_t c = dtcp_syncookie_make(&other, now, &f, (uint8_t)(i & 7), NULL);

		CHECK(dtcp_syncookie_check(&jar, now, &f, c, &idx, NULL) != DTCP_SYNCOOKIE_VALID);
	}
}

/* A known key gives known cookies (what the packet tests rely on). */
static void
test_set_key(void)
{
	static const uint8_t bytes[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	struct dtcp_siphash_key key = dtcp_siphash_key_from_bytes(bytes);
	struct dtcp_syncookie_jar a, b;
	uint8_t idx;
	uint32_t ca, cb;

	dtcp_syncookie_jar_init(&a, PERIOD_S);
	dtcp_syncookie_jar_init(&b, PERIOD_S);
	dtcp_syncookie_set_key(&a, 42, &key);
	dtcp_syncookie_set_key(&b, 42, &key);
	ca = dtcp_syncookie_make(&a, at(42, 1), &base_flow, 6, NULL);
	cb = dtcp_syncookie_make(&b, at(42, 90), &base_flow, 6, NULL);
	CHECK_EQ(ca, cb);
	CHECK_EQ(a.rotations, 0); /* the installed key was used */
	CHECK_EQ((ca >> 3) & 3, 42 & 3);
	CHECK_EQ(dtcp_syncookie_check(&b, at(43, 0), &base_flow, ca, &idx, NULL),
		 DTCP_SYNCOOKIE_VALID);
}

/* auto mode checks ACKs as cookies only while cookies are out. */
static void
test_recent(void)
{
	struct dtcp_syncookie_jar jar;

	dtcp_syncookie_jar_init(&jar, PERIOD_S);
	CHECK(!dtcp_syncookie_recent(&jar, at(10, 0)));
	(void)dtcp_syncookie_make(&jar, at(10, 99), &base_flow, 0, NULL);
	CHECK(dtcp_syncookie_recent(&jar, at(10, 99)));
	CHECK(dtcp_syncookie_recent(&jar, at(11, 99)));
	CHECK(!dtcp_syncookie_recent(&jar, at(12, 0)));
}

int
main(void)
{
	RUN_TEST(test_mss_table);
	RUN_TEST(test_round_trip_every_mss);
	RUN_TEST(test_ts_round_trip_every_option);
	RUN_TEST(test_rotation);
	RUN_TEST(test_idle_jump);
	RUN_TEST(test_bit_flips);
	RUN_TEST(test_forgeries);
	RUN_TEST(test_set_key);
	RUN_TEST(test_recent);
	return TEST_EXIT();
}
