/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a keyed 64-bit MAC, fast on the short inputs TCP hashes (a 4-tuple
 * plus a counter). dtcp uses it for RFC 6528 initial sequence numbers and
 * for SYN-cookie MACs. DPDK has no keyed PRF (its hashes are for tables, not
 * secrets), hence this file.
 */
#ifndef DTCP_TCP_SIPHASH_H
#define DTCP_TCP_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/** A 128-bit SipHash key as two little-endian 64-bit halves. */
struct dtcp_siphash_key {
	uint64_t k0; /**< key bytes 0..7, little-endian */
	uint64_t k1; /**< key bytes 8..15, little-endian */
};

/**
 * Build a key from 16 bytes, as the SipHash paper does.
 *
 * @param bytes 16 key bytes.
 * @return the key.
 */
struct dtcp_siphash_key dtcp_siphash_key_from_bytes(const uint8_t bytes[16]);

/**
 * Fill a key from the kernel's CSPRNG (getrandom(2)).
 *
 * @param key key to fill.
 * @return 0, or -errno from getrandom (the key is then unusable).
 */
int dtcp_siphash_key_random(struct dtcp_siphash_key *key);

/**
 * SipHash-2-4 of @p len bytes at @p data.
 *
 * @param key the secret key.
 * @param data input; may be NULL when @p len is 0.
 * @param len input length in bytes.
 * @return the 64-bit MAC (its little-endian bytes are the paper's output bytes).
 */
uint64_t dtcp_siphash24(const struct dtcp_siphash_key *key, const void *data, size_t len);

#endif
