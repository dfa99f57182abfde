/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log-linear latency histogram (the HdrHistogram layout): values below
 * PERF_HIST_SUB are counted exactly; above, every power of two [2^k, 2^k+1)
 * is split into PERF_HIST_SUB / 2 equal buckets, so a bucket is never wider
 * than 1/64 of the values it holds. Recording is a count-leading-zeros, a
 * shift and an increment: no allocation, no floating point, no search. The
 * unit is the caller's (dtcp-perf records TSC cycles and converts when it
 * reports).
 */
#ifndef PERF_HIST_H
#define PERF_HIST_H

#include <stdint.h>

/** log2 of the number of exact buckets; also sets the relative precision. */
#define PERF_HIST_SUB_BITS 7
#define PERF_HIST_SUB	   (1u << PERF_HIST_SUB_BITS)
#define PERF_HIST_HALF	   (PERF_HIST_SUB / 2)
/** Enough buckets for any uint64_t value. */
#define PERF_HIST_BUCKETS (PERF_HIST_SUB + (64 - PERF_HIST_SUB_BITS) * PERF_HIST_HALF)

struct perf_hist {
	uint64_t count;
	uint64_t sum; /**< for the mean; wraps only past 2^64 units in total */
	uint64_t min; /**< UINT64_MAX while empty */
	uint64_t max;
	uint64_t bucket[PERF_HIST_BUCKETS];
};

/** Bucket holding @p v. */
static inline unsigned int
perf_hist_index(uint64_t v)
{
	unsigned int shift;

	if (v < PERF_HIST_SUB)
		return (unsigned int)v;
	/* v >> shift lands in [HALF, SUB): the top PERF_HIST_SUB_BITS bits of v. */
	shift = 63u - (unsigned int)__builtin_clzll(v) - (PERF_HIST_SUB_BITS - 1);
	return shift * PERF_HIST_HALF + (unsigned int)(v >> shift);
}

/** Count one value. */
static inline void
perf_hist_record(struct perf_hist *h, uint64_t v)
{
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->bucket[perf_hist_index(v)]++;
}

/** Empty the histogram. */
void perf_hist_init(struct perf_hist *h);

/** Smallest value that falls in bucket @p i. */
uint64_t perf_hist_bucket_lo(unsigned int i);

/** Largest value that falls in bucket @p i. */
uint64_t perf_hist_bucket_hi(unsigned int i);

/** Add @p src's samples to @p dst. */
void perf_hist_merge(struct perf_hist *dst, const struct perf_hist *src);

/**
 * Value at quantile @p q (0 < q <= 1): the upper bound of the bucket holding
 * the ceil(q * count)-th smallest sample, clamped to [min, max], so the result
 * is at most 1/64 above the true quantile and q = 1 gives max exactly.
 *
 * @return the value, 0 when the histogram is empty.
 */
uint64_t perf_hist_quantile(const struct perf_hist *h, double q);

#endif
