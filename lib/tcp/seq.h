/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sequence number arithmetic (RFC 9293 section 3.4): sequence numbers are
 * 32-bit and wrap, so every comparison is modulo 2^32. "a before b" means
 * that counting forward from a reaches b in fewer than 2^31 steps, i.e. the
 * signed 32-bit distance a - b is negative.
 *
 * The 2^31 bound: this only orders values less than 2^31 apart. TCP keeps
 * everything it compares within that: windows are at most 2^30 (RFC 7323
 * section 2.3 caps the shift at 14 for exactly this reason), and PAWS
 * (RFC 7323 section 5) rejects old duplicates that have wrapped. At exactly
 * 2^31 apart there is no right answer and each value compares as before
 * (and after) the other: dtcp_seq_lt(a, b) and dtcp_seq_lt(b, a) are then both
 * true. Identities that hold for all inputs: gt(a, b) == lt(b, a),
 * geq(a, b) == leq(b, a), leq(a, b) == (lt(a, b) || a == b). The negation
 * lt(a, b) == !geq(a, b) holds only within the bound.
 *
 * Window tests (dtcp_seq_in_window, dtcp_seq_between) measure from a fixed
 * start with unsigned arithmetic and so work for any length below 2^32.
 */
#ifndef DTCP_TCP_SEQ_H
#define DTCP_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/**
 * Signed distance from @p b to @p a (a - b), exact when they are less than
 * 2^31 apart; INT32_MIN when exactly 2^31 apart.
 */
static inline int32_t
dtcp_seq_diff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	/*
	 * Two's complement reinterpretation spelt out, because converting an
	 * out-of-range value to int32_t is implementation-defined in C11.
	 * Compilers reduce this to a plain move.
	 */
	return d <= INT32_MAX ? (int32_t)d : -(int32_t)(UINT32_MAX - d) - 1;
}

/** @p a is before @p b (RFC 9293 "<"). */
static inline bool
dtcp_seq_lt(uint32_t a, uint32_t b)
{
	return dtcp_seq_diff(a, b) < 0;
}

/** @p a is before or equal to @p b ("=<"). */
static inline bool
dtcp_seq_leq(uint32_t a, uint32_t b)
{
	return dtcp_seq_diff(a, b) <= 0;
}

/** @p a is after @p b. */
static inline bool
dtcp_seq_gt(uint32_t a, uint32_t b)
{
	return dtcp_seq_lt(b, a);
}

/** @p a is after or equal to @p b. */
static inline bool
dtcp_seq_geq(uint32_t a, uint32_t b)
{
	return dtcp_seq_leq(b, a);
}

/** The later of @p a and @p b. */
static inline uint32_t
dtcp_seq_max(uint32_t a, uint32_t b)
{
	return dtcp_seq_lt(a, b) ? b : a;
}

/** The earlier of @p a and @p b. */
static inline uint32_t
dtcp_seq_min(uint32_t a, uint32_t b)
{
	return dtcp_seq_lt(a, b) ? a : b;
}

/**
 * @p seq lies in the @p len numbers starting at @p lo: lo =< seq < lo + len.
 * Always false for @p len 0 (RFC 9293's zero-window cases are the caller's).
 * For example the acceptable-ACK test SND.UNA < SEG.ACK =< SND.NXT is
 * dtcp_seq_in_window(seg_ack, snd_una + 1, snd_nxt - snd_una), correctly
 * empty when nothing is outstanding.
 */
static inline bool
dtcp_seq_in_window(uint32_t seq, uint32_t lo, uint32_t len)
{
	return (uint32_t)(seq - lo) < len;
}

/**
 * lo =< seq =< hi, both ends included, for @p hi not before @p lo (if it is,
 * the range wraps the whole space). For example the window-update condition
 * SND.UNA =< SEG.ACK =< SND.NXT is dtcp_seq_between(snd_una, seg_ack, snd_nxt).
 */
static inline bool
dtcp_seq_between(uint32_t lo, uint32_t seq, uint32_t hi)
{
	return (uint32_t)(seq - lo) <= (uint32_t)(hi - lo);
}

#endif /* DTCP_TCP_SEQ_H */
