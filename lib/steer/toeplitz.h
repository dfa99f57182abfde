/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software Toeplitz hash over the IPv4/TCP 4-tuple, bit for bit what a NIC
 * computes for RTE_ETH_RSS_NONFRAG_IPV4_TCP (Microsoft's RSS specification):
 * the input is src address, dst address, src port, dst port, 12 bytes in
 * packet order, and every set input bit k XORs in the 32 key bits starting
 * at key bit k.
 *
 * The hash is linear over GF(2): hash(a ^ b) = hash(a) ^ hash(b). So the
 * contribution of input byte i holding value v depends on (i, v) only, and
 * twelve tables of 256 words, built once per key, turn the hash into twelve
 * loads and XORs with no branch. rte_softrss() walks the set bits instead:
 * about 48 iterations of bsf, two byte swaps and shifts per packet, with a
 * data-dependent trip count the branch predictor cannot learn. The steer
 * layer hashes every segment that the NIC did not hash for us (af_packet,
 * tap, virtio without RSS, a queue count below the lcore count), so the
 * table costs 12 KiB of cache but keeps that per-packet cost flat.
 *
 * Linearity also gives RSS-aware source ports for free: the local port of
 * a reply occupies input bytes 10 and 11, so the hash for any port p is
 * base ^ t[10][p >> 8] ^ t[11][p & 0xff], base being the hash with port 0.
 */
#ifndef DTCP_STEER_TOEPLITZ_H
#define DTCP_STEER_TOEPLITZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** Bytes of Toeplitz input for IPv4 with TCP ports. */
#define DTCP_TOEPLITZ_V4_LEN 12

/** Per-byte-position contributions of one key (12 KiB). */
struct dtcp_toeplitz {
	uint32_t t[DTCP_TOEPLITZ_V4_LEN][256];
};

/**
 * Build the tables for @p key.
 *
 * @return 0, or -EINVAL if the key is shorter than the 16 bytes + 1 that a
 *   12-byte input reaches into (RSS keys are 40 or 52 bytes).
 */
int dtcp_toeplitz_init(struct dtcp_toeplitz *tz, const uint8_t *key, size_t key_len);

/**
 * Hash of a received IPv4/TCP segment: addresses and ports in network order,
 * exactly as they sit in the headers.
 */
static inline uint32_t
dtcp_toeplitz_v4(const struct dtcp_toeplitz *tz, uint32_t src_be, uint32_t dst_be,
		 uint16_t sport_be, uint16_t dport_be)
{
	uint8_t in[DTCP_TOEPLITZ_V4_LEN];
	uint32_t h = 0;

	memcpy(in, &src_be, 4);
	memcpy(in + 4, &dst_be, 4);
	memcpy(in + 8, &sport_be, 2);
	memcpy(in + 10, &dport_be, 2);
	for (unsigned int i = 0; i < DTCP_TOEPLITZ_V4_LEN; i++)
		h ^= tz->t[i][in[i]];
	return h;
}

/** What destination port @p dport (host order) adds to a hash computed with port 0. */
static inline uint32_t
dtcp_toeplitz_dport(const struct dtcp_toeplitz *tz, uint16_t dport)
{
	return tz->t[10][dport >> 8] ^ tz->t[11][dport & 0xff];
}

#endif
