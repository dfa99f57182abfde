/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test data: byte i of a connection's stream is i mod 251 (a prime, so
 * the pattern does not line up with any power-of-two segment or buffer size
 * and a dropped, repeated or reordered segment shows). Filling and checking
 * are memcpy/memcmp against a table holding the pattern from every phase.
 */
#ifndef PERF_PATTERN_H
#define PERF_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PERF_PATTERN_MOD   251
#define PERF_PATTERN_CHUNK 2048 /**< bytes copied or compared per step */
#define PERF_PATTERN_TABLE (PERF_PATTERN_MOD + PERF_PATTERN_CHUNK)

/** Build the table (PERF_PATTERN_TABLE bytes). */
static inline void
perf_pattern_init(uint8_t *tab)
{
	for (size_t i = 0; i < PERF_PATTERN_TABLE; i++)
		tab[i] = (uint8_t)(i % PERF_PATTERN_MOD);
}

/** Write stream bytes [off, off + len) to @p dst. */
static inline void
perf_pattern_fill(const uint8_t *tab, uint64_t off, uint8_t *dst, size_t len)
{
	while (len > 0) {
		size_t n = len < PERF_PATTERN_CHUNK ? len : PERF_PATTERN_CHUNK;

		memcpy(dst, tab + off % PERF_PATTERN_MOD, n);
		dst += n;
		off += n;
		len -= n;
	}
}

/**
 * Compare @p p with stream bytes [off, off + len).
 *
 * @return @p len if they match, else the index of the first wrong byte.
 */
static inline size_t
perf_pattern_check(const uint8_t *tab, uint64_t off, const uint8_t *p, size_t len)
{
	for (size_t done = 0; done < len;) {
		size_t n = len - done < PERF_PATTERN_CHUNK ? len - done : PERF_PATTERN_CHUNK;
		const uint8_t *want = tab + (off + done) % PERF_PATTERN_MOD;

		if (memcmp(p + done, want, n) != 0) {
			for (size_t i = 0;; i++)
				if (p[done + i] != want[i])
					return done + i;
		}
		done += n;
	}
	return len;
}

#endif
