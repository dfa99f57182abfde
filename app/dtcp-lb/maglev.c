/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev consistent hashing; see maglev.h for the algorithm and its
 * guarantees. Allocation (malloc/free) is fine here: init and build run at
 * start-up and when a backend's health changes, off the data path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maglev.h"

/* Seeds of the two name hashes (arbitrary odd constants; only their difference matters). */
#define MAGLEV_SEED_OFFSET UINT64_C(0x6d61676c65762d6f) /* "maglev-o" */
#define MAGLEV_SEED_SKIP   UINT64_C(0x6d61676c65762d73) /* "maglev-s" */

#define FNV64_PRIME  UINT64_C(0x100000001b3)
#define GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)

/*
 * SplitMix64's finaliser (Stafford's "Mix13"): a bijection on 64 bits with
 * full avalanche, so each input bit flips each output bit with probability
 * about 1/2, low bits included (the table index is taken mod M).
 */
static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

uint64_t
lb_maglev_name_hash(const char *name, uint64_t seed)
{
	/*
	 * FNV-1a alone mixes its last bytes poorly and two FNV-1a runs from
	 * different bases stay correlated; starting from mix64(seed) and
	 * finishing with mix64() makes the two seeds give independent-looking
	 * offset and skip.
	 */
	uint64_t h = mix64(seed + GOLDEN_GAMMA);

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * FNV64_PRIME;
	return mix64(h ^ seed);
}

uint64_t
lb_flow_hash(uint32_t addr_be, uint16_t port_be, uint64_t seed)
{
	/* 48 bits of input, keyed by adding a mixed seed; two rounds so the key is spread too. */
	uint64_t x = ((uint64_t)addr_be << 16) | port_be;

	return mix64(mix64(x ^ seed) + mix64(seed ^ GOLDEN_GAMMA));
}

bool
lb_maglev_is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (uint32_t d = 3; (uint64_t)d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

int
lb_maglev_init(struct lb_maglev *m, uint32_t size, unsigned int max_backends)
{
	memset(m, 0, sizeof(*m));
	/* entry[] holds int32_t indices: the backend count must fit, hence size <= INT32_MAX. */
	if (max_backends == 0 || size > INT32_MAX || size <= max_backends ||
	    !lb_maglev_is_prime(size))
		return -EINVAL;
	m->entry = malloc(sizeof(*m->entry) * size);
	m->perm = malloc(sizeof(*m->perm) * max_backends);
	if (m->entry == NULL || m->perm == NULL) {
		lb_maglev_free(m);
		return -ENOMEM;
	}
	m->size = size;
	m->max_backends = max_backends;
	for (uint32_t i = 0; i < size; i++)
		m->entry[i] = -1;
	return 0;
}

void
lb_maglev_free(struct lb_maglev *m)
{
	free(m->entry);
	free(m->perm);
	memset(m, 0, sizeof(*m));
}

/* Fill order: by name, so that the table depends on the set of names and not on their indices. */
static int
perm_cmp(const void *a, const void *b)
{
	const struct lb_maglev_perm *pa = a, *pb = b;
	int c = strcmp(pa->name, pb->name);

	if (c != 0)
		return c;
	return pa->idx < pb->idx ? -1 : pa->idx > pb->idx;
}

unsigned int
lb_maglev_build(struct lb_maglev *m, const char *const *names, const bool *usable, unsigned int n)
{
	const uint32_t size = m->size;
	unsigned int k = 0;
	uint32_t filled = 0;

	if (n > m->max_backends)
		n = m->max_backends;
	for (uint32_t i = 0; i < size; i++)
		m->entry[i] = -1;

	for (unsigned int i = 0; i < n; i++) {
		struct lb_maglev_perm *p = &m->perm[k];

		if (names[i] == NULL || (usable != NULL && !usable[i]))
			continue;
		p->name = names[i];
		p->idx = i;
		/*
		 * offset in [0, M), skip in [1, M): M is prime, so skip is
		 * coprime to M and offset + j * skip (j = 0..M-1) visits every
		 * slot exactly once. That is why M must be prime: with a
		 * composite M, a skip sharing a factor with M would cycle
		 * through a fraction of the table and the fill could stall.
		 */
		p->offset = (uint32_t)(lb_maglev_name_hash(names[i], MAGLEV_SEED_OFFSET) % size);
		p->skip = (uint32_t)(lb_maglev_name_hash(names[i], MAGLEV_SEED_SKIP) % (size - 1)) +
			  1;
		p->next = 0;
		k++;
	}
	if (k == 0)
		return 0;
	qsort(m->perm, k, sizeof(*m->perm), perm_cmp);

	/*
	 * Rounds: each backend takes its next preferred slot that is still free.
	 * Its permutation covers the table, so while the table is not full it
	 * always finds one: every backend gains exactly one entry per round,
	 * which is the floor/ceil(M/N) balance. Expected work is O(M log M)
	 * (coupon collector over the skipped, already taken slots).
	 */
	for (;;) {
		for (unsigned int b = 0; b < k; b++) {
			struct lb_maglev_perm *p = &m->perm[b];
			uint32_t c;

			do {
				c = (uint32_t)(((uint64_t)p->offset + (uint64_t)p->next * p->skip) %
					       size);
				p->next++;
			} while (m->entry[c] >= 0);
			m->entry[c] = (int32_t)p->idx;
			if (++filled == size)
				return k;
		}
	}
}
