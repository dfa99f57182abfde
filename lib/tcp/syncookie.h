/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN-cookie arithmetic: making and checking the 32-bit cookie that stands
 * for a SYN_RECEIVED entry, and carrying the SYN's options in our TSval.
 * Pure functions over a per-lcore jar of secrets, no packets: the packet
 * side (the SYN-ACK written in place, the final ACK turned into a
 * connection) is tcp_syncookie.c. The bit layout and the forgery arithmetic
 * are at the top of syncookie.c.
 */
#ifndef DTCP_TCP_SYNCOOKIE_H
#define DTCP_TCP_SYNCOOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp/siphash.h"

/** MSS values a cookie can name (3 bits of index). */
#define DTCP_SYNCOOKIE_MSS_COUNT 8
/** Secrets kept: the current and previous period's, and two older ones to tell stale from forged.
 */
#define DTCP_SYNCOOKIE_KEYS 4
/** Low bits of our TSval that carry the SYN's window scale and SACK-permitted. */
#define DTCP_SYNCOOKIE_TS_BITS 6

/** The connection a cookie is bound to: the 4-tuple as on the wire and the peer's ISN. */
struct dtcp_syncookie_flow {
	uint32_t local_addr;  /**< network order */
	uint32_t remote_addr; /**< network order */
	uint16_t local_port;  /**< network order */
	uint16_t remote_port; /**< network order */
	uint32_t peer_isn;    /**< the SYN's sequence number, host order */
};

/** What the SYN offered beyond the MSS, as far as the TSval bits carry it. */
struct dtcp_syncookie_opts {
	bool wscale_ok; /**< the peer sent Window Scale */
	uint8_t wscale; /**< its shift, 0..14 */
	bool sack_ok;	/**< the peer sent SACK-Permitted */
};

/** One lcore's cookie secrets, rotated every period. */
struct dtcp_syncookie_jar {
	uint64_t period_us;				  /**< secret lifetime */
	struct dtcp_siphash_key key[DTCP_SYNCOOKIE_KEYS]; /**< slot = period % 4 */
	uint32_t key_period[DTCP_SYNCOOKIE_KEYS];	  /**< period each slot's key is for */
	bool key_set[DTCP_SYNCOOKIE_KEYS];
	bool sent_any;		   /**< a cookie was ever made */
	uint32_t last_sent_period; /**< period of the last cookie made */
	uint64_t rotations;	   /**< keys made so far */
	uint64_t random_failures;  /**< rotations that fell back to a derived key */
};

/** Outcome of dtcp_syncookie_check(). */
enum dtcp_syncookie_verdict {
	DTCP_SYNCOOKIE_VALID,	/**< made by us, this period or the previous one */
	DTCP_SYNCOOKIE_STALE,	/**< made by us, two or three periods ago */
	DTCP_SYNCOOKIE_BAD_MAC, /**< not made by us (or too old to tell) */
};

/**
 * Empty jar: keys are made lazily, the first time a period needs one.
 *
 * @param jar jar to initialise.
 * @param period_s secret lifetime in seconds, at least 1.
 */
void dtcp_syncookie_jar_init(struct dtcp_syncookie_jar *jar, uint32_t period_s);

/**
 * Install a known key for @p period (tests and benchmarks that need exact bytes).
 *
 * @param jar the jar.
 * @param period the period number (dtcp_syncookie_period()).
 * @param key the key to use for it.
 */
void dtcp_syncookie_set_key(struct dtcp_syncookie_jar *jar, uint32_t period,
			    const struct dtcp_siphash_key *key);

/**
 * The period number at @p now_us.
 *
 * @param jar the jar (for its period length).
 * @param now_us a monotonic clock in microseconds.
 * @return now_us / period, truncated to 32 bits.
 */
uint32_t dtcp_syncookie_period(const struct dtcp_syncookie_jar *jar, uint64_t now_us);

/**
 * Index of the largest table MSS not above @p peer_mss (index 0, 536, below that).
 *
 * @param peer_mss the MSS the SYN offered (536 when it had no option).
 * @return an index in [0, DTCP_SYNCOOKIE_MSS_COUNT).
 */
uint8_t dtcp_syncookie_mss_index(uint16_t peer_mss);

/**
 * The MSS an index names.
 *
 * @param index in [0, DTCP_SYNCOOKIE_MSS_COUNT); other values are masked.
 * @return the MSS in bytes.
 */
uint16_t dtcp_syncookie_mss(uint8_t index);

/**
 * Make the cookie (our ISS) for a SYN. Rotates the secret if the period
 * changed since the last cookie.
 *
 * @param jar the lcore's jar.
 * @param now_us the lcore's clock.
 * @param flow the 4-tuple and the SYN's sequence number.
 * @param mss_index dtcp_syncookie_mss_index() of what we will use.
 * @param[out] ts_offset if not NULL, the connection's timestamp offset: 32
 *             more bits of the same SipHash, so dtcp_syncookie_check() of the
 *             returned cookie gives the same offset at no extra cost.
 * @return the cookie.
 */
uint32_t dtcp_syncookie_make(struct dtcp_syncookie_jar *jar, uint64_t now_us,
			     const struct dtcp_syncookie_flow *flow, uint8_t mss_index,
			     uint32_t *ts_offset);

/**
 * Check a cookie returned in an ACK (the ACK number minus one).
 *
 * @param jar the lcore's jar.
 * @param now_us the lcore's clock.
 * @param flow the 4-tuple and the peer's ISN (the ACK's sequence number minus one).
 * @param cookie the cookie to check.
 * @param[out] mss_index the MSS index it carries, set only when VALID.
 * @param[out] ts_offset if not NULL, the timestamp offset dtcp_syncookie_make()
 *             gave with this cookie; set only when VALID.
 * @return the verdict; one SipHash in every case.
 */
enum dtcp_syncookie_verdict dtcp_syncookie_check(const struct dtcp_syncookie_jar *jar,
						 uint64_t now_us,
						 const struct dtcp_syncookie_flow *flow,
						 uint32_t cookie, uint8_t *mss_index,
						 uint32_t *ts_offset);

/**
 * True if a cookie was made this period or the previous one: an ACK for a
 * listener is then worth checking as a cookie (otherwise it is simply reset).
 *
 * @param jar the lcore's jar.
 * @param now_us the lcore's clock.
 */
bool dtcp_syncookie_recent(const struct dtcp_syncookie_jar *jar, uint64_t now_us);

/**
 * Our TSval for a cookie SYN-ACK: @p ts_now with its low bits replaced by
 * @p opts, never ahead of @p ts_now (so the TSvals that follow never go back).
 *
 * @param ts_now the TSval we would send now.
 * @param opts the SYN's options.
 * @return the TSval to send.
 */
uint32_t dtcp_syncookie_ts_encode(uint32_t ts_now, const struct dtcp_syncookie_opts *opts);

/**
 * Recover the options from the TSecr of the final ACK.
 *
 * @param ts_ecr the ACK's TSecr (our SYN-ACK's TSval).
 * @param[out] opts the options.
 * @return false if the bits are not a value we send (a forged or corrupted echo).
 */
bool dtcp_syncookie_ts_decode(uint32_t ts_ecr, struct dtcp_syncookie_opts *opts);

#endif
