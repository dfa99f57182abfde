/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (the idea of RFC 4987 section 3.6): under a SYN flood a
 * listener answers each SYN with a SYN-ACK whose sequence number encodes
 * everything needed to build the connection later, and keeps nothing. A
 * peer that really sent the SYN returns the number plus one in its ACK; a
 * flood of spoofed SYNs costs one SipHash and one reply each.
 *
 * The cookie (our ISS, 32 bits):
 *
 *    31                                            5 4   3 2     0
 *   +-----------------------------------------------+-----+-------+
 *   |  MAC: low 27 bits of SipHash-2-4              | per | mss   |
 *   +-----------------------------------------------+-----+-------+
 *
 *   mss  index into mss_table[] (below) of the MSS we will send with;
 *   per  the period number modulo 4: which secret made it;
 *   MAC  SipHash-2-4 under that period's secret of (local address, remote
 *        address, local port, remote port, the peer's ISN, the full 32-bit
 *        period number, the MSS index).
 *
 * The period is now / [tcp] syncookie_period_s. Each period has its own
 * 128-bit secret, drawn from getrandom(2) when the period first needs one,
 * so secrets rotate on the clock and never serve two periods. A cookie is
 * valid in the period that made it and the next: it lives between one and
 * two periods. The four-slot ring keeps the two secrets before those, so a
 * cookie from two or three periods ago is recognised and counted as stale
 * rather than forged; four or more periods old, its secret is gone and it
 * counts as a bad MAC.
 *
 * When the SYN carried timestamps, our SYN-ACK's TSval carries its other
 * options in the low DTCP_SYNCOOKIE_TS_BITS bits, and the peer echoes it in
 * every TSecr:
 *
 *    5     4     3       0
 *   +-----+-----+---------+
 *   | ecn | sack| wscale  |   wscale 0..14, 15 = no Window Scale option;
 *   +-----+-----+---------+   sack = SACK-Permitted; ecn always 0 (no ECN).
 *
 * The bits are not under the MAC: whoever can return a valid cookie chooses
 * the options of that one connection anyway. The rest of our TSval is the
 * clock plus a per-connection offset (RFC 7323 section 5.4), which is the
 * high 32 bits of the cookie's own SipHash: one SipHash per SYN and per ACK
 * for both. Those bits are disjoint from the MAC's low 27, and the outputs of
 * a PRF tell nothing about each other, so showing the offset in every TSval
 * gives away nothing about the MAC. Without timestamps nothing
 * survives but the MSS, so the cookie SYN-ACK then offers no window scale or
 * SACK either (both sides agree they are off).
 *
 * Forgery arithmetic. To open a connection without receiving our SYN-ACK
 * (for instance from a spoofed address), an attacker must send an ACK whose
 * number minus one has the right 27-bit MAC for its own tuple and chosen
 * ISN, under a secret it cannot learn: SipHash is a PRF, so every guess
 * succeeds with probability 2^-27, whatever it has seen before. The period
 * and MSS bits add no work for it (any of the two live periods and any
 * index will do, and the MAC covers them), so that is the whole margin: at
 * 1 million forged ACKs per second, one connection every 2^27 / 10^6 = 134 s
 * on average, each a connection in ESTABLISHED from an address that never
 * receives our segments, which a full accept queue or table bounds like any
 * other. Checking costs one SipHash of 24 bytes per ACK, no lookup.
 */
#include <string.h>

#include "tcp/syncookie.h"

#define COOKIE_MSS_BITS	   3
#define COOKIE_PERIOD_BITS 2
#define COOKIE_MAC_SHIFT   (COOKIE_MSS_BITS + COOKIE_PERIOD_BITS)
#define COOKIE_MSS_MASK	   ((1u << COOKIE_MSS_BITS) - 1)
#define COOKIE_PERIOD_MASK ((1u << COOKIE_PERIOD_BITS) - 1)

#define TS_WSCALE_MASK 0x0fu
#define TS_WSCALE_NONE 0x0fu
#define TS_SACK	       0x10u
#define TS_ECN	       0x20u
#define TS_MASK	       ((1u << DTCP_SYNCOOKIE_TS_BITS) - 1)

/*
 * MSS values seen most: the IPv4 minimum every host must take (RFC 9293
 * 3.7.1; also what a SYN without the option or with a smaller one gets),
 * tunnels and VPNs, PPPoE (1452), Ethernet (1460) and jumbo frames.
 */
static const uint16_t mss_table[DTCP_SYNCOOKIE_MSS_COUNT] = {536,  1200, 1360, 1400,
							     1440, 1452, 1460, 8960};

_Static_assert(DTCP_SYNCOOKIE_MSS_COUNT == 1u << COOKIE_MSS_BITS, "MSS index bits");
_Static_assert(DTCP_SYNCOOKIE_KEYS == 1u << COOKIE_PERIOD_BITS, "one key per period value");

void
dtcp_syncookie_jar_init(struct dtcp_syncookie_jar *jar, uint32_t period_s)
{
	memset(jar, 0, sizeof(*jar));
	jar->period_us = (uint64_t)(period_s > 0 ? period_s : 1) * 1000000u;
}

void
dtcp_syncookie_set_key(struct dtcp_syncookie_jar *jar, uint32_t period,
		       const struct dtcp_siphash_key *key)
{
	unsigned int slot = period & COOKIE_PERIOD_MASK;

	jar->key[slot] = *key;
	jar->key_period[slot] = period;
	jar->key_set[slot] = true;
}

uint32_t
dtcp_syncookie_period(const struct dtcp_syncookie_jar *jar, uint64_t now_us)
{
	return (uint32_t)(now_us / jar->period_us);
}

uint8_t
dtcp_syncookie_mss_index(uint16_t peer_mss)
{
	uint8_t i = DTCP_SYNCOOKIE_MSS_COUNT - 1;

	while (i > 0 && mss_table[i] > peer_mss)
		i--;
	return i;
}

uint16_t
dtcp_syncookie_mss(uint8_t index)
{
	return mss_table[index & COOKIE_MSS_MASK];
}

/* The key for @p period, or NULL if the jar has none for it. */
static const struct dtcp_siphash_key *
jar_key(const struct dtcp_syncookie_jar *jar, uint32_t period)
{
	unsigned int slot = period & COOKIE_PERIOD_MASK;

	if (!jar->key_set[slot] || jar->key_period[slot] != period)
		return NULL;
	return &jar->key[slot];
}

/* A fresh secret for @p period, replacing the one four periods older. */
static const struct dtcp_siphash_key *
jar_rotate(struct dtcp_syncookie_jar *jar, uint32_t period)
{
	unsigned int slot = period & COOKIE_PERIOD_MASK;
	struct dtcp_siphash_key key;

	if (dtcp_siphash_key_random(&key) != 0) {
		/*
		 * No entropy now (getrandom failing is all but impossible once
		 * the stack started): derive from the slot's old key and the
		 * period, which still changes the secret and cannot be undone.
		 */
		uint32_t in[2] = {period, 0x636b6965}; /* "ckie" */

		key.k0 = dtcp_siphash24(&jar->key[slot], in, sizeof(in));
		in[1]++;
		key.k1 = dtcp_siphash24(&jar->key[slot], in, sizeof(in));
		jar->random_failures++;
	}
	dtcp_syncookie_set_key(jar, period, &key);
	jar->rotations++;
	return &jar->key[slot];
}

/* The whole SipHash: the MAC is its low 27 bits, the timestamp offset its high 32. */
static uint64_t
cookie_mac(const struct dtcp_siphash_key *key, const struct dtcp_syncookie_flow *flow,
	   uint32_t period, uint8_t mss_index)
{
	uint32_t in[6] = {flow->local_addr,
			  flow->remote_addr,
			  (uint32_t)flow->local_port | (uint32_t)flow->remote_port << 16,
			  flow->peer_isn,
			  period,
			  mss_index};

	return dtcp_siphash24(key, in, sizeof(in));
}

uint32_t
dtcp_syncookie_make(struct dtcp_syncookie_jar *jar, uint64_t now_us,
		    const struct dtcp_syncookie_flow *flow, uint8_t mss_index, uint32_t *ts_offset)
{
	uint32_t period = dtcp_syncookie_period(jar, now_us);
	const struct dtcp_siphash_key *key = jar_key(jar, period);
	uint64_t mac;

	if (key == NULL)
		key = jar_rotate(jar, period);
	jar->sent_any = true;
	jar->last_sent_period = period;
	mss_index &= COOKIE_MSS_MASK;
	mac = cookie_mac(key, flow, period, mss_index);
	if (ts_offset != NULL)
		*ts_offset = (uint32_t)(mac >> 32);
	return (uint32_t)mac << COOKIE_MAC_SHIFT |
	       (period & COOKIE_PERIOD_MASK) << COOKIE_MSS_BITS | mss_index;
}

enum dtcp_syncookie_verdict
dtcp_syncookie_check(const struct dtcp_syncookie_jar *jar, uint64_t now_us,
		     const struct dtcp_syncookie_flow *flow, uint32_t cookie, uint8_t *mss_index,
		     uint32_t *ts_offset)
{
	uint32_t now = dtcp_syncookie_period(jar, now_us);
	/* The latest period not after now whose low bits are the cookie's. */
	uint32_t age = (now - (cookie >> COOKIE_MSS_BITS)) & COOKIE_PERIOD_MASK;
	uint32_t period = now - age;
	uint8_t index = cookie & COOKIE_MSS_MASK;
	const struct dtcp_siphash_key *key = jar_key(jar, period);
	uint32_t mac_mask = UINT32_MAX >> COOKIE_MAC_SHIFT;
	uint64_t mac;

	if (key == NULL)
		return DTCP_SYNCOOKIE_BAD_MAC;
	mac = cookie_mac(key, flow, period, index);
	if (((cookie >> COOKIE_MAC_SHIFT) ^ ((uint32_t)mac & mac_mask)) != 0)
		return DTCP_SYNCOOKIE_BAD_MAC;
	if (age > 1)
		return DTCP_SYNCOOKIE_STALE;
	*mss_index = index;
	if (ts_offset != NULL)
		*ts_offset = (uint32_t)(mac >> 32);
	return DTCP_SYNCOOKIE_VALID;
}

bool
dtcp_syncookie_recent(const struct dtcp_syncookie_jar *jar, uint64_t now_us)
{
	return jar->sent_any && dtcp_syncookie_period(jar, now_us) - jar->last_sent_period <= 1;
}

uint32_t
dtcp_syncookie_ts_encode(uint32_t ts_now, const struct dtcp_syncookie_opts *opts)
{
	uint32_t bits = opts->wscale_ok ? (opts->wscale & TS_WSCALE_MASK) : TS_WSCALE_NONE;
	uint32_t ts;

	if (opts->sack_ok)
		bits |= TS_SACK;
	ts = (ts_now & ~TS_MASK) | bits;
	/* Never ahead of the clock, or our next segments would look older to PAWS. */
	if ((int32_t)(ts - ts_now) > 0)
		ts -= 1u << DTCP_SYNCOOKIE_TS_BITS;
	return ts;
}

bool
dtcp_syncookie_ts_decode(uint32_t ts_ecr, struct dtcp_syncookie_opts *opts)
{
	uint32_t ws = ts_ecr & TS_WSCALE_MASK;

	/* Every wscale value decodes (0..14, or 15 for none); the ECN bit we never set. */
	if (ts_ecr & TS_ECN)
		return false;
	opts->wscale_ok = ws != TS_WSCALE_NONE;
	opts->wscale = opts->wscale_ok ? (uint8_t)ws : 0;
	opts->sack_ok = (ts_ecr & TS_SACK) != 0;
	return true;
}
