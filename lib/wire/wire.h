/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire layer: stateless parse and emit of protocol headers.
 *
 * Each protocol has a "repr" struct holding the header's fields in a
 * convenient form. parse() checks lengths and consistency once and fills the
 * repr; emit() writes a repr back as bytes. Neither allocates, keeps state or
 * knows about mbufs, so they are tested against golden bytes in isolation.
 * Checksum verification/filling is a parameter: the caller knows whether the
 * NIC already did it.
 */
#ifndef DTCP_WIRE_H
#define DTCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>

/** Why a parser rejected its input. */
enum dtcp_wire_status {
	DTCP_WIRE_OK = 0,
	DTCP_WIRE_TRUNCATED,	 /**< buffer shorter than the header or the stated length */
	DTCP_WIRE_BAD_VERSION,	 /**< version field not the one parsed */
	DTCP_WIRE_BAD_HDR_LEN,	 /**< header length field below the minimum */
	DTCP_WIRE_BAD_TOTAL_LEN, /**< total length field below the header length */
	DTCP_WIRE_BAD_CHECKSUM,	 /**< checksum does not verify */
	DTCP_WIRE_BAD_OPTION,	 /**< option with an illegal length (TCP) */
	DTCP_WIRE_FRAGMENT,	 /**< IPv4 fragment */
	DTCP_WIRE_OPTIONS,	 /**< IPv4 options present */
	DTCP_WIRE_UNSUPPORTED,	 /**< valid but not a variant we handle */
	DTCP_WIRE_BAD_OP,	 /**< opcode/type field out of range */
};

/** Printable name of a wire status. */
const char *dtcp_wire_status_str(enum dtcp_wire_status st);

/**
 * One's-complement sum (RFC 1071) of @p len bytes at @p buf added to @p sum:
 * a running 64-bit accumulator, seeded with 0 or with another call's result.
 * Fold it with dtcp_cksum_fold().
 *
 * The same value as rte_raw_cksum() once folded, for fewer instructions: it
 * adds 32-bit words into 64 bits (each add at most 2^32, so no carry is lost
 * before 2^32 words) where rte_raw_cksum() adds 16-bit ones, which halves the
 * adds on the 20 to 60 byte headers every packet pays for. Words are read in
 * host order, as RFC 1071 section 2(B) allows: the folded sum comes out in
 * the same order, ready to store. No alignment is needed.
 */
static inline uint64_t
dtcp_cksum_add(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;
	uint32_t w;

	for (; len >= 16; p += 16, len -= 16) {
		uint32_t a, b, c, d;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		memcpy(&c, p + 8, 4);
		memcpy(&d, p + 12, 4);
		sum += (uint64_t)a + b + c + d;
	}
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, 4);
		sum += w;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		uint16_t h = 0;

		/* The odd byte is the high-order byte of a zero-padded word (RFC 1071 4.1). */
		memcpy(&h, p, 1);
		sum += h;
	}
	return sum;
}

/** Fold a dtcp_cksum_add() accumulator to the 16-bit sum (not complemented). */
static inline uint16_t
dtcp_cksum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32); /* at most 2^33 - 2 */
	sum = (sum & 0xffffffffu) + (sum >> 32); /* at most 2^32 */
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

/** True if the Internet checksum over @p len bytes at @p buf (checksum field included) verifies. */
static inline bool
dtcp_cksum_ok(const void *buf, size_t len)
{
	return dtcp_cksum_fold(dtcp_cksum_add(buf, len, 0)) == 0xffff;
}

/** Internet checksum over @p len bytes, ready to store in the header (field must be 0). */
static inline uint16_t
dtcp_cksum(const void *buf, size_t len)
{
	return (uint16_t)~dtcp_cksum_fold(dtcp_cksum_add(buf, len, 0));
}

#endif /* DTCP_WIRE_H */
