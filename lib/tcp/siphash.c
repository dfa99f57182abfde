/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4, written from the paper's specification: four 64-bit state
 * words initialised from the key and four constants ("somepseudorandomly
 * generatedbytes"), two SipRounds per 8-byte message word (compression), a
 * final word carrying the length in its top byte, then 0xff into v2 and four
 * SipRounds (finalisation).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "tcp/siphash.h"

static inline uint64_t
rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return rte_le_to_cpu_64(v);
}

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline void
sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

static inline void
sip_compress(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

struct dtcp_siphash_key
dtcp_siphash_key_from_bytes(const uint8_t bytes[16])
{
	return (struct dtcp_siphash_key){.k0 = load_le64(bytes), .k1 = load_le64(bytes + 8)};
}

int
dtcp_siphash_key_random(struct dtcp_siphash_key *key)
{
	uint8_t bytes[16];
	ssize_t n = getrandom(bytes, sizeof(bytes), 0);

	if (n != (ssize_t)sizeof(bytes))
		return n < 0 ? -errno : -EIO;
	*key = dtcp_siphash_key_from_bytes(bytes);
	return 0;
}

uint64_t
dtcp_siphash24(const struct dtcp_siphash_key *key, const void *data, size_t len)
{
	struct sip_state s = {
		.v0 = key->k0 ^ UINT64_C(0x736f6d6570736575),
		.v1 = key->k1 ^ UINT64_C(0x646f72616e646f6d),
		.v2 = key->k0 ^ UINT64_C(0x6c7967656e657261),
		.v3 = key->k1 ^ UINT64_C(0x7465646279746573),
	};
	const uint8_t *p = data;
	size_t full = len & ~(size_t)7;
	uint8_t tail[8] = {0};

	for (size_t i = 0; i < full; i += 8)
		sip_compress(&s, load_le64(p + i));
	/* Last word: the 0..7 remaining bytes, and the length mod 256 in the top byte. */
	if (len > full)
		memcpy(tail, p + full, len - full);
	tail[7] = (uint8_t)len;
	sip_compress(&s, load_le64(tail));

	s.v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
