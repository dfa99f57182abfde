/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-lb's Maglev consistent hashing (app/dtcp-lb/maglev.c), compiled on its
 * own: the table is full whenever a backend is usable and empty
 * otherwise; each backend owns floor(M/N) or ceil(M/N) entries; taking a
 * backend out moves all of its entries and few of the others', and putting it
 * back restores the table exactly; the table depends on the names, not their
 * order; the flow hash spreads ports evenly.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dtcp_test.h"
#include "maglev.h"

#define MAX_BACKENDS 16

/* Backend names as dtcp-lb would give them: "198.18.0.<11+i>:8080". */
static char name_buf[MAX_BACKENDS][32];
static const char *names[MAX_BACKENDS];

static void
make_names(void)
{
	for (unsigned int i = 0; i < MAX_BACKENDS; i++) {
		snprintf(name_buf[i], sizeof(name_buf[i]), "198.18.0.%u:8080", 11 + i);
		names[i] = name_buf[i];
	}
}

/* Entries owned by each backend; returns how many entries are -1. */
static uint32_t
count_owners(const struct lb_maglev *m, uint32_t *owned, unsigned int n)
{
	uint32_t empty = 0;

	memset(owned, 0, sizeof(*owned) * n);
	for (uint32_t s = 0; s < m->size; s++) {
		int32_t e = m->entry[s];

		if (e < 0)
			empty++;
		else if ((unsigned int)e < n)
			owned[e]++;
		else
			CHECK(e < (int32_t)n); /* out of range: report once per entry */
	}
	return empty;
}

static void
test_init_rejects(void)
{
	struct lb_maglev m;

	CHECK_EQ(lb_maglev_init(&m, 65536, 3), -EINVAL); /* not a prime */
	CHECK_EQ(lb_maglev_init(&m, 65535, 3), -EINVAL); /* odd, not a prime (3 * 5 * 17 * 257) */
	CHECK_EQ(lb_maglev_init(&m, 1, 0), -EINVAL);
	CHECK_EQ(lb_maglev_init(&m, 0, 0), -EINVAL);
	CHECK_EQ(lb_maglev_init(&m, 9, 3), -EINVAL); /* 3 * 3 */
	CHECK_EQ(lb_maglev_init(&m, 7, 7), -EINVAL); /* prime, but size <= max_backends */
	CHECK_EQ(lb_maglev_init(&m, 7, 8), -EINVAL);
	CHECK_EQ(lb_maglev_init(&m, 7, 0), -EINVAL);	       /* no backends at all */
	CHECK_EQ(lb_maglev_init(&m, 4294967291u, 3), -EINVAL); /* prime > INT32_MAX */
	lb_maglev_free(&m); /* freeing after a failed init is safe */

	CHECK_EQ(lb_maglev_init(&m, 7, 6), 0);
	CHECK_EQ(m.size, 7);
	for (uint32_t s = 0; s < 7; s++)
		CHECK_EQ(m.entry[s], -1); /* nothing built yet: no backend */
	lb_maglev_free(&m);
	CHECK(m.entry == NULL);
	lb_maglev_free(&m); /* twice is safe */

	CHECK_EQ(lb_maglev_init(&m, LB_MAGLEV_SIZE, MAX_BACKENDS), 0);
	CHECK_EQ(m.size, 65537);
	lb_maglev_free(&m);

	CHECK(lb_maglev_is_prime(2));
	CHECK(lb_maglev_is_prime(3));
	CHECK(lb_maglev_is_prime(65537));
	CHECK(lb_maglev_is_prime(4294967291u));
	CHECK(!lb_maglev_is_prime(4294967295u));
	CHECK(!lb_maglev_is_prime(65521u * 65519u)); /* product of two large primes */
	CHECK(!lb_maglev_is_prime(1));
	CHECK(!lb_maglev_is_prime(4));
}

static void
test_fill(void)
{
	struct lb_maglev m;
	bool usable[MAX_BACKENDS];
	uint32_t owned[MAX_BACKENDS];

	make_names();
	CHECK_EQ(lb_maglev_init(&m, LB_MAGLEV_SIZE, MAX_BACKENDS), 0);

	/* 1..16 usable backends: every entry is one of them. */
	for (unsigned int n = 1; n <= MAX_BACKENDS; n++) {
		CHECK_EQ(lb_maglev_build(&m, names, NULL, n), n);
		CHECK_EQ(count_owners(&m, owned, n), 0);
		for (unsigned int i = 0; i < n; i++)
			CHECK(owned[i] > 0);
	}

	/* Only odd indices usable: none of the others appears, the count says how many. */
	for (unsigned int i = 0; i < MAX_BACKENDS; i++)
		usable[i] = i % 2 == 1;
	CHECK_EQ(lb_maglev_build(&m, names, usable, MAX_BACKENDS), MAX_BACKENDS / 2);
	CHECK_EQ(count_owners(&m, owned, MAX_BACKENDS), 0);
	for (unsigned int i = 0; i < MAX_BACKENDS; i++)
		CHECK(usable[i] ? owned[i] > 0 : owned[i] == 0);

	/* One usable: it owns the whole table. */
	memset(usable, 0, sizeof(usable));
	usable[7] = true;
	CHECK_EQ(lb_maglev_build(&m, names, usable, MAX_BACKENDS), 1);
	CHECK_EQ(count_owners(&m, owned, MAX_BACKENDS), 0);
	CHECK_EQ(owned[7], LB_MAGLEV_SIZE);

	/* None usable (after a full build, so stale entries would show): all -1. */
	CHECK_EQ(lb_maglev_build(&m, names, NULL, 5), 5);
	memset(usable, 0, sizeof(usable));
	CHECK_EQ(lb_maglev_build(&m, names, usable, MAX_BACKENDS), 0);
	CHECK_EQ(count_owners(&m, owned, MAX_BACKENDS), LB_MAGLEV_SIZE);
	CHECK_EQ(lb_maglev_lookup(&m, 12345), -1);

	/* No backends, and a NULL name counts as not usable. */
	CHECK_EQ(lb_maglev_build(&m, names, NULL, 0), 0);
	CHECK_EQ(count_owners(&m, owned, MAX_BACKENDS), LB_MAGLEV_SIZE);
	{
		const char *with_null[3] = {names[0], NULL, names[2]};

		CHECK_EQ(lb_maglev_build(&m, with_null, NULL, 3), 2);
		CHECK_EQ(count_owners(&m, owned, 3), 0);
		CHECK_EQ(owned[1], 0);
	}
	lb_maglev_free(&m);

	/* More backends than max_backends: the extra ones are ignored. */
	CHECK_EQ(lb_maglev_init(&m, 257, 4), 0);
	CHECK_EQ(lb_maglev_build(&m, names, NULL, 6), 4);
	CHECK_EQ(count_owners(&m, owned, 6), 0);
	CHECK_EQ(owned[4] + owned[5], 0);
	lb_maglev_free(&m);
}

/*
 * Balance. Each round of the fill gives every usable backend exactly one
 * entry (its permutation covers the table, so it always finds a free slot
 * while one remains) and the fill stops when the table is full: each backend
 * owns floor(M/N) or ceil(M/N) entries. That is what we assert; it is far
 * inside 1% of M/N whenever M/N >= 100 (M/N >= 4096 for M = 65537 here, so
 * one entry is under 0.03%).
 */
static void
check_balance(uint32_t size, unsigned int n)
{
	struct lb_maglev m;
	uint32_t owned[MAX_BACKENDS], lo = size / n, hi = (size + n - 1) / n, min = UINT32_MAX,
				      max = 0;

	CHECK_EQ(lb_maglev_init(&m, size, MAX_BACKENDS), 0);
	CHECK_EQ(lb_maglev_build(&m, names, NULL, n), n);
	CHECK_EQ(count_owners(&m, owned, n), 0);
	for (unsigned int i = 0; i < n; i++) {
		CHECK(owned[i] == lo || owned[i] == hi);
		/* Within 1% of M/N, implied by the above once M/N >= 100. */
		if (size / n >= 100)
			CHECK(owned[i] * 100ull * n >= 99ull * size &&
			      owned[i] * 100ull * n <= 101ull * size);
		min = owned[i] < min ? owned[i] : min;
		max = owned[i] > max ? owned[i] : max;
	}
	printf("  balance M=%u N=%u: entries per backend %u..%u (M/N = %.1f)\n", size, n, min, max,
	       (double)size / n);
	lb_maglev_free(&m);
}

static void
test_balance(void)
{
	make_names();
	check_balance(LB_MAGLEV_SIZE, 3);
	check_balance(LB_MAGLEV_SIZE, 5);
	check_balance(LB_MAGLEV_SIZE, 10);
	check_balance(LB_MAGLEV_SIZE, 16);
	check_balance(251, 7); /* a small table: same floor/ceil rule */
}

/*
 * Minimal disruption. With backend r out, all of r's entries must move (to
 * other backends: the table stays full) and the others' entries should mostly
 * stay. Maglev is not perfectly minimal (paper, section 3.4 and fig. 12): a
 * departure changes which slots are still free when the others reach them,
 * so a few of the others' entries change hands too.
 *
 * Bounds, from measurement: over 400 random name sets (19,200 removals, N = 3,
 * 5, 10, 20, 50, M = 65537) the share of the others' entries that moved was
 * 0.05% to 0.46% on average per N and 2.77% at worst. The names here
 * measure 0.01% (N=3), 0.09% (N=5), 0.29% (N=10) at worst (printed as the
 * test runs). We assert at most 3% for any single removal (above the worst
 * seen on any name set) and at most 1% on average over the N removals.
 * Putting r back must give the original table entry for entry (the build is
 * deterministic).
 */
#define DISRUPTION_MAX_PERMILLE	     30
#define DISRUPTION_MEAN_MAX_PERMILLE 10

static void
check_disruption(unsigned int n)
{
	struct lb_maglev m;
	bool usable[MAX_BACKENDS];
	int32_t *orig;
	uint32_t worst = 0, worst_of = 0;
	uint64_t sum_moved = 0, sum_others = 0;

	CHECK_EQ(lb_maglev_init(&m, LB_MAGLEV_SIZE, MAX_BACKENDS), 0);
	orig = malloc(sizeof(*orig) * m.size);
	CHECK(orig != NULL);
	if (orig == NULL)
		return;
	CHECK_EQ(lb_maglev_build(&m, names, NULL, n), n);
	memcpy(orig, m.entry, sizeof(*orig) * m.size);

	for (unsigned int r = 0; r < n; r++) {
		uint32_t of_r = 0, moved_r = 0, others = 0, moved_others = 0;

		for (unsigned int i = 0; i < n; i++)
			usable[i] = i != r;
		CHECK_EQ(lb_maglev_build(&m, names, usable, n), n - 1);
		for (uint32_t s = 0; s < m.size; s++) {
			CHECK(m.entry[s] >= 0 && m.entry[s] != (int32_t)r);
			if (orig[s] == (int32_t)r) {
				of_r++;
				moved_r += m.entry[s] != (int32_t)r;
			} else {
				others++;
				moved_others += m.entry[s] != orig[s];
			}
		}
		CHECK_EQ(moved_r, of_r);
		CHECK(moved_others * 1000ull <= (uint64_t)DISRUPTION_MAX_PERMILLE * others);
		sum_moved += moved_others;
		sum_others += others;
		if ((uint64_t)moved_others * worst_of > (uint64_t)worst * others || worst_of == 0) {
			worst = moved_others;
			worst_of = others;
		}

		/* Back in: exactly the original table. */
		usable[r] = true;
		CHECK_EQ(lb_maglev_build(&m, names, usable, n), n);
		CHECK(memcmp(m.entry, orig, sizeof(*orig) * m.size) == 0);
	}
	CHECK(sum_moved * 1000 <= (uint64_t)DISRUPTION_MEAN_MAX_PERMILLE * sum_others);
	printf("  disruption N=%u: mean %.2f%%; worst removal moved %u of %u other entries "
	       "(%.2f%%)\n",
	       n, 100.0 * (double)sum_moved / (double)sum_others, worst, worst_of,
	       100.0 * worst / worst_of);
	free(orig);
	lb_maglev_free(&m);
}

static void
test_disruption(void)
{
	make_names();
	check_disruption(3);
	check_disruption(5);
	check_disruption(10);
}

/*
 * The permutation comes from the name, not the index: the same names in
 * another order must send every flow (table slot) to the same name.
 */
static void
test_order_independent(void)
{
	struct lb_maglev a, b;
	const char *shuffled[10];
	bool usable_a[10], usable_b[10];
	/* A fixed permutation of 0..9 with no fixed point. */
	static const unsigned int perm[10] = {7, 3, 9, 0, 5, 8, 1, 4, 2, 6};
	unsigned int same = 0;

	make_names();
	CHECK_EQ(lb_maglev_init(&a, LB_MAGLEV_SIZE, 10), 0);
	CHECK_EQ(lb_maglev_init(&b, LB_MAGLEV_SIZE, 10), 0);
	for (unsigned int i = 0; i < 10; i++) {
		shuffled[i] = names[perm[i]];
		usable_a[i] = true;
		usable_b[i] = true;
	}

	CHECK_EQ(lb_maglev_build(&a, names, NULL, 10), 10);
	CHECK_EQ(lb_maglev_build(&b, shuffled, NULL, 10), 10);
	for (uint32_t s = 0; s < a.size; s++)
		same += strcmp(names[a.entry[s]], shuffled[b.entry[s]]) == 0;
	CHECK_EQ(same, a.size);
	/* And the indices do differ, or the check above proves nothing. */
	CHECK(memcmp(a.entry, b.entry, sizeof(*a.entry) * a.size) != 0);

	/* The same with one backend out (name 198.18.0.14: index 3 in a, 1 in b). */
	usable_a[3] = false;
	usable_b[1] = false;
	CHECK(shuffled[1] == names[3]);
	CHECK_EQ(lb_maglev_build(&a, names, usable_a, 10), 9);
	CHECK_EQ(lb_maglev_build(&b, shuffled, usable_b, 10), 9);
	same = 0;
	for (uint32_t s = 0; s < a.size; s++)
		same += strcmp(names[a.entry[s]], shuffled[b.entry[s]]) == 0;
	CHECK_EQ(same, a.size);

	/* Renaming one backend changes where it sits: the name, not the slot, is hashed. */
	{
		const char *renamed[3] = {names[0], names[1], "198.18.0.99:8080"};
		uint32_t kept = 0;

		CHECK_EQ(lb_maglev_build(&a, names, NULL, 3), 3);
		CHECK_EQ(lb_maglev_build(&b, renamed, NULL, 3), 3);
		for (uint32_t s = 0; s < a.size; s++)
			kept += a.entry[s] == 2 && b.entry[s] == 2;
		/* Independent permutations share about 1/3 of backend 2's ~M/3 slots. */
		CHECK(kept < a.size / 3 * 2 / 3);
	}
	lb_maglev_free(&a);
	lb_maglev_free(&b);
}

static uint16_t
be16(uint16_t v)
{
	const uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	uint16_t r;

	memcpy(&r, b, sizeof(r));
	return r;
}

/*
 * 10,000 ports of one client over 3 backends: each should get 1/3. The
 * binomial standard deviation is sqrt(10000 * 1/3 * 2/3) = 47 ports (0.47%),
 * so 30%..37% is about 7 sigma: a fair hash never fails it, a hash that
 * ignored the port (or its high byte) would.
 */
static void
test_flow_hash_spread(void)
{
	static const uint64_t seeds[] = {0, 1, UINT64_C(0xdeadbeefcafef00d)};
	struct lb_maglev m;
	uint32_t addr_be;

	make_names();
	CHECK_EQ(lb_maglev_init(&m, LB_MAGLEV_SIZE, 3), 0);
	CHECK_EQ(lb_maglev_build(&m, names, NULL, 3), 3);
	memcpy(&addr_be, (const uint8_t[4]){192, 0, 2, 1}, sizeof(addr_be));

	for (unsigned int k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		unsigned int got[3] = {0, 0, 0};

		/* Ephemeral-range ports, consecutive as a Linux client hands them out. */
		for (unsigned int p = 0; p < 10000; p++) {
			int32_t b = lb_maglev_lookup(
				&m, lb_flow_hash(addr_be, be16((uint16_t)(32768 + p)), seeds[k]));

			CHECK(b >= 0 && b < 3);
			if (b >= 0 && b < 3)
				got[b]++;
		}
		printf("  flow hash seed %u: %u / %u / %u of 10000\n", k, got[0], got[1], got[2]);
		for (unsigned int i = 0; i < 3; i++)
			CHECK(got[i] >= 3000 && got[i] <= 3700);
	}

	/* Keyed: another seed sends a good share of flows elsewhere. */
	{
		unsigned int differ = 0;

		for (unsigned int p = 0; p < 10000; p++)
			differ +=
				lb_maglev_lookup(&m, lb_flow_hash(addr_be, be16((uint16_t)p), 1)) !=
				lb_maglev_lookup(&m, lb_flow_hash(addr_be, be16((uint16_t)p), 2));
		CHECK(differ > 5000 && differ < 8000); /* 2/3 expected */
	}

	/* Avalanche: flipping any one of the 48 input bits flips about half the 64 output bits. */
	for (unsigned int bit = 0; bit < 48; bit++) {
		unsigned int flips = 0;
		const unsigned int trials = 200;

		for (unsigned int t = 0; t < trials; t++) {
			uint32_t a = 0x0a000000u + t * 2654435761u;
			uint16_t p = (uint16_t)(t * 40503u);
			uint64_t h0 = lb_flow_hash(a, p, 42), h1;

			if (bit < 32)
				h1 = lb_flow_hash(a ^ (1u << bit), p, 42);
			else
				h1 = lb_flow_hash(a, (uint16_t)(p ^ (1u << (bit - 32))), 42);
			flips += (unsigned int)__builtin_popcountll(h0 ^ h1);
		}
		/* Mean 32 per trial; 28..36 is many standard errors (sd 4 / sqrt(200) = 0.28). */
		CHECK(flips >= 28 * trials && flips <= 36 * trials);
	}
	lb_maglev_free(&m);
}

int
main(void)
{
	RUN_TEST(test_init_rejects);
	RUN_TEST(test_fill);
	RUN_TEST(test_balance);
	RUN_TEST(test_disruption);
	RUN_TEST(test_order_independent);
	RUN_TEST(test_flow_hash_spread);
	return TEST_EXIT();
}
