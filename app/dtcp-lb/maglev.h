/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, section 3.4), written from the
 * paper's description: a lookup table of M entries (M prime) maps a flow hash
 * to a backend index.
 *
 * Each backend has a permutation of the M table slots derived from its name
 * alone: offset = h1(name) mod M, skip = h2(name) mod (M - 1) + 1, and its
 * j-th preference is (offset + j * skip) mod M. The table is filled in rounds;
 * in each round every usable backend takes its most preferred slot that is
 * still free. Consequences the unit tests check:
 *  - balance: every backend takes exactly one slot per round and the fill
 *    stops when the table is full, so each of the N usable backends owns
 *    floor(M/N) or ceil(M/N) entries;
 *  - minimal disruption: when a backend leaves, its entries go to the others
 *    and only a small fraction of the others' entries move;
 *  - the table depends only on the set of usable names: the rounds visit
 *    backends in name order, not index order, so reordering the backend list
 *    gives every flow the same backend (by name), and taking a backend out and
 *    putting it back restores the original table exactly.
 *
 * Pure C, no DPDK: tests/unit/test_maglev.c compiles maglev.c on its own.
 * lb_maglev_init() and lb_maglev_build() allocate and take O(M log M) time;
 * they run at start-up and when a backend's health changes, never per packet.
 * Lookup is one modulo and one load.
 */
#ifndef DTCP_LB_MAGLEV_H
#define DTCP_LB_MAGLEV_H

#include <stdbool.h>
#include <stdint.h>

/** Default table size M: a prime, much larger than any backend count we expect (M >> 100 N). */
#define LB_MAGLEV_SIZE 65537u

/** One backend's build scratch: its permutation and how far along it it is. */
struct lb_maglev_perm {
	const char *name; /**< identity; the sort key for the fill order */
	uint32_t idx;	  /**< index in the caller's arrays, what the table stores */
	uint32_t offset;  /**< first preference, in [0, M) */
	uint32_t skip;	  /**< step between preferences, in [1, M) so coprime to prime M */
	uint32_t next;	  /**< how many preferences have been tried */
};

/** A lookup table mapping a flow hash to a backend index. */
struct lb_maglev {
	uint32_t size;		   /**< table size M, a prime (LB_MAGLEV_SIZE by default) */
	int32_t *entry;		   /**< M entries: backend index, or -1 when no backend is usable */
	unsigned int max_backends; /**< capacity given to lb_maglev_init() */
	struct lb_maglev_perm *perm; /**< build scratch, max_backends entries */
};

/**
 * Allocate a table of @p size entries for up to @p max_backends backends.
 * Every entry starts at -1 (no backend) until lb_maglev_build().
 *
 * @param m table to initialise (its previous contents are ignored).
 * @param size table size M: must be a prime greater than @p max_backends,
 *   so that every skip in [1, M) is coprime to M and each permutation
 *   visits every slot.
 * @param max_backends most backends lb_maglev_build() will be given (>= 1).
 * @return 0; -EINVAL if @p size is not a prime, @p size <= @p max_backends,
 *   @p max_backends is 0 or @p size exceeds INT32_MAX; -ENOMEM if allocation
 *   fails (then @p m holds nothing to free).
 */
int lb_maglev_init(struct lb_maglev *m, uint32_t size, unsigned int max_backends);

/**
 * Release what lb_maglev_init() allocated. Safe on a zeroed or already freed
 * table.
 *
 * @param m table to free.
 */
void lb_maglev_free(struct lb_maglev *m);

/**
 * (Re)build the table. @p names gives a stable identity per backend (e.g.
 * "198.18.0.11:8080"); two independent hashes of it give the backend's
 * permutation (offset, skip), so a backend's preferences do not depend on its
 * index or on the other backends. Backends are visited in strcmp() order of
 * their names (ties, i.e. duplicate names, by index), so the result depends
 * only on the set of usable names; names should be unique.
 *
 * @param m table from lb_maglev_init().
 * @param names @p n backend names; a NULL name counts as not usable.
 * @param usable @p n flags; false leaves backend i out (health check down).
 *   NULL means all usable.
 * @param n number of backends; those at index >= max_backends are ignored.
 * @return number of usable backends that were placed; 0 means every entry is -1.
 */
unsigned int lb_maglev_build(struct lb_maglev *m, const char *const *names, const bool *usable,
			     unsigned int n);

/**
 * Backend for a flow.
 *
 * @param m built table.
 * @param flow_hash from lb_flow_hash().
 * @return index of the backend in the arrays given to lb_maglev_build(), or -1
 *   when no backend is usable.
 */
static inline int32_t
lb_maglev_lookup(const struct lb_maglev *m, uint64_t flow_hash)
{
	return m->entry[flow_hash % m->size];
}

/**
 * Hash of a client's address and port for lb_maglev_lookup(): a 64-bit mix
 * in which every input bit affects every output bit, keyed by @p seed (pick
 * it at random at start-up so clients cannot predict which backend a port
 * lands on). Not a cryptographic PRF.
 *
 * @param addr_be client IPv4 address, network byte order.
 * @param port_be client port, network byte order.
 * @param seed key.
 * @return the hash; any bits of it are usable (the table takes it mod M).
 */
uint64_t lb_flow_hash(uint32_t addr_be, uint16_t port_be, uint64_t seed);

/**
 * Hash of a backend name as used for its permutation (exposed for tests and
 * diagnostics): FNV-1a over the bytes from a seed-derived basis, then a
 * 64-bit finaliser.
 *
 * @param name NUL-terminated string.
 * @param seed selects one of a family of independent-looking hashes.
 * @return the hash.
 */
uint64_t lb_maglev_name_hash(const char *name, uint64_t seed);

/**
 * Whether @p n is a prime (trial division; for configuration checks).
 *
 * @param n number to test.
 * @return true if @p n is a prime.
 */
bool lb_maglev_is_prime(uint32_t n);

#endif
