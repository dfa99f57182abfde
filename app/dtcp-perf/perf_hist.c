/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <string.h>

#include "perf_hist.h"

void
perf_hist_init(struct perf_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

/* Width of bucket i is 2^shift: 1 for the exact buckets. */
static unsigned int
bucket_shift(unsigned int i)
{
	return i < PERF_HIST_SUB ? 0 : i / PERF_HIST_HALF - 1;
}

uint64_t
perf_hist_bucket_lo(unsigned int i)
{
	if (i < PERF_HIST_SUB)
		return i;
	return (uint64_t)(i % PERF_HIST_HALF + PERF_HIST_HALF) << bucket_shift(i);
}

uint64_t
perf_hist_bucket_hi(unsigned int i)
{
	/* lo + (width - 1): the last bucket ends at UINT64_MAX without overflowing. */
	return perf_hist_bucket_lo(i) + ((UINT64_C(1) << bucket_shift(i)) - 1);
}

void
perf_hist_merge(struct perf_hist *dst, const struct perf_hist *src)
{
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (unsigned int i = 0; i < PERF_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t
perf_hist_quantile(const struct perf_hist *h, double q)
{
	uint64_t rank, seen = 0, v;

	if (h->count == 0)
		return 0;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (unsigned int i = 0; i < PERF_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			v = perf_hist_bucket_hi(i);
			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max; /* not reached while count matches the buckets */
}
