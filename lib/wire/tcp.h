/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP header (RFC 9293 section 3.1) and options parse/emit.
 *
 * Options understood: EOL, NOP, MSS (RFC 9293 3.2), Window Scale and
 * Timestamps (RFC 7323), SACK-Permitted and SACK (RFC 2018). Everything else
 * with a well-formed length is skipped. The wire layer does not judge whether
 * an option makes sense on a given segment (MSS or WS outside a SYN, TS
 * without having been negotiated, SACK edges outside the send window): that
 * needs connection state and is the TCP layer's job.
 */
#ifndef DTCP_WIRE_TCP_H
#define DTCP_WIRE_TCP_H

#include "wire/wire.h"

#define DTCP_TCP_HDR_LEN     20 /**< header without options */
#define DTCP_TCP_HDR_MAX_LEN 60 /**< data offset 15 */
#define DTCP_TCP_OPT_MAX_LEN (DTCP_TCP_HDR_MAX_LEN - DTCP_TCP_HDR_LEN)
#define DTCP_TCP_MAX_SACK    4	/**< SACK blocks that fit in 40 option bytes */
#define DTCP_TCP_MAX_WSCALE  14 /**< RFC 7323 section 2.3 */

/* Control bits, as in header byte 13. */
#define DTCP_TCP_FIN 0x01
#define DTCP_TCP_SYN 0x02
#define DTCP_TCP_RST 0x04
#define DTCP_TCP_PSH 0x08
#define DTCP_TCP_ACK 0x10
#define DTCP_TCP_URG 0x20
#define DTCP_TCP_ECE 0x40
#define DTCP_TCP_CWR 0x80

/* Option kinds (IANA "TCP Option Kind Numbers") and their fixed lengths. */
#define DTCP_TCP_OPT_EOL	    0
#define DTCP_TCP_OPT_NOP	    1
#define DTCP_TCP_OPT_MSS	    2
#define DTCP_TCP_OPT_WSCALE	    3
#define DTCP_TCP_OPT_SACK_PERM	    4
#define DTCP_TCP_OPT_SACK	    5
#define DTCP_TCP_OPT_TS		    8
#define DTCP_TCP_OPT_MSS_LEN	    4
#define DTCP_TCP_OPT_WSCALE_LEN	    3
#define DTCP_TCP_OPT_SACK_PERM_LEN  2
#define DTCP_TCP_OPT_TS_LEN	    10
#define DTCP_TCP_OPT_SACK_BASE_LEN  2 /**< kind + length; each block adds 8 */
#define DTCP_TCP_OPT_SACK_BLOCK_LEN 8

/** One SACK block: the range [left, right) of sequence space, host order. */
struct dtcp_tcp_sack_block {
	uint32_t left;
	uint32_t right;
};

/**
 * A TCP header with its options.
 *
 * Emit ignores @c hdr_len and @c payload (it derives the former from the
 * options present) and uses @c payload_len only for the checksum.
 */
struct dtcp_tcp_repr {
	uint16_t src_port; /**< host order */
	uint16_t dst_port; /**< host order */
	uint32_t seq;	   /**< host order */
	uint32_t ack;	   /**< host order; meaningful only with DTCP_TCP_ACK */
	uint8_t flags;	   /**< DTCP_TCP_FIN ... DTCP_TCP_CWR */
	uint16_t window;   /**< raw field, host order, not scaled */
	uint16_t urgent;   /**< urgent pointer, host order */
	uint16_t hdr_len;  /**< parse: data offset in bytes (20..60) */

	const uint8_t *payload; /**< parse only: first byte after the header */
	uint16_t payload_len;	/**< bytes after the header */

	bool has_mss;
	uint16_t mss;
	bool has_wscale;
	uint8_t wscale; /**< shift count, at most DTCP_TCP_MAX_WSCALE */
	bool sack_permitted;
	bool has_ts;
	uint32_t ts_val;
	uint32_t ts_ecr;
	uint8_t sack_count; /**< valid entries in @c sack */
	struct dtcp_tcp_sack_block sack[DTCP_TCP_MAX_SACK];
};

/**
 * Add the TCP pseudo-header (RFC 9293 section 3.1: source and destination
 * address, zero, protocol 6, TCP length) to a dtcp_cksum_add() accumulator.
 * Folded alone, it is what a NIC wants in the checksum field with
 * RTE_MBUF_F_TX_TCP_CKSUM (rte_ipv4_phdr_cksum(ip, 0)).
 */
static inline uint64_t
dtcp_tcp_phdr_add(uint32_t src_ip_be, uint32_t dst_ip_be, uint16_t seg_len, uint64_t sum)
{
	/* The third word's bytes are {0, 6, length}: that big-endian word, read back in host order.
	 */
	return sum + src_ip_be + dst_ip_be +
	       rte_cpu_to_be_32((uint32_t)IPPROTO_TCP << 16 | seg_len);
}

/** What dtcp_tcp_emit() puts in the checksum field. */
enum dtcp_tcp_cksum_mode {
	/** The complete checksum, computed in software. */
	DTCP_TCP_CKSUM_FULL,
	/**
	 * The non-complemented pseudo-header sum the NIC expects with
	 * RTE_MBUF_F_TX_TCP_CKSUM (as rte_ipv4_phdr_cksum(ip, 0) returns). Not
	 * the TSO variant, which leaves the length out of the pseudo-header.
	 */
	DTCP_TCP_CKSUM_PHDR,
	/** Zero: the caller fills the field later. */
	DTCP_TCP_CKSUM_NONE,
};

/**
 * Parse and validate a TCP segment of exactly @p len bytes (the IP payload).
 *
 * Checks, in this order:
 *  - BAD_TOTAL_LEN: @p len above 65535, which the 16-bit TCP length of the
 *    pseudo-header cannot describe (an IPv4 payload never is);
 *  - TRUNCATED: @p len < 20;
 *  - BAD_HDR_LEN: data offset < 5;
 *  - TRUNCATED: data offset beyond @p len;
 *  - BAD_CHECKSUM: only if @p verify_cksum; over the pseudo-header
 *    (@p src_ip_be, @p dst_ip_be, network order) and the whole segment;
 *  - BAD_OPTION: an option whose length field is illegal (see below).
 *
 * RFC 9293 section 3.1 requires ignoring options we do not implement, as
 * long as they have a length field, and (MUST-7, RFC 1122 4.2.2.5) being
 * prepared for an illegal option length. So:
 *  - rejected (BAD_OPTION): a multi-byte option whose length is 0 or 1, or
 *    that runs past the header (this includes a kind byte in the last header
 *    byte with no room for its length); MSS, WS, SACK-Permitted or TS whose
 *    length differs from its fixed size; SACK whose length is not 2 + 8n.
 *    Once a length is wrong nothing after it can be located, and for a known
 *    kind a wrong length means the sender and we disagree on the format, so
 *    any value read would be guesswork. Whether to drop the segment or reset
 *    is the caller's choice (RFC 9293 suggests a reset; Linux ignores a known
 *    option with a wrong length instead, and stops parsing at a bad length).
 *  - ignored: unknown kinds (skipped by their length); everything after EOL
 *    (RFC 9293 says it must be zero padding; we do not insist); a SACK option
 *    with no blocks (length 2: well formed and empty).
 *  - adjusted: a window scale shift above 14 is reported as 14, as RFC 7323
 *    section 2.3 requires ("MUST use 14 instead of the specified value").
 *    The RFC's SHOULD-log is not followed here: a peer could make us log
 *    at will.
 *  - repeated options: the last occurrence wins.
 *
 * Reserved header bits (byte 12, low nibble) are ignored, per RFC 9293 3.1.
 * On success @p out holds every field, options absent are false/0 and
 * @c payload points into @p seg. On error @p out is unspecified.
 */
enum dtcp_wire_status dtcp_tcp_parse(const void *seg, size_t len, uint32_t src_ip_be,
				     uint32_t dst_ip_be, bool verify_cksum,
				     struct dtcp_tcp_repr *out);

/**
 * Bytes of options dtcp_tcp_emit() writes for @p r, a multiple of 4.
 *
 * Layout (the one Linux uses, so captures of both stacks look alike):
 *   MSS                    02 04 mm mm
 *   SACK-Perm + TS         04 02 08 0a vv vv vv vv ee ee ee ee
 *   TS alone               01 01 08 0a vv vv vv vv ee ee ee ee
 *   SACK-Perm alone        01 01 04 02
 *   WS                     01 03 03 ss
 *   SACK, n blocks         01 01 05 (2+8n) then n left/right pairs
 * in this order, each present only if set in @p r. Every item is a multiple
 * of 4 bytes, its NOPs placed in front so the 32-bit fields of TS and SACK
 * are aligned, and no trailing padding is ever needed.
 *
 * The result may exceed DTCP_TCP_OPT_MAX_LEN (e.g. TS with 3 SACK blocks);
 * dtcp_tcp_emit() then refuses the repr, so a caller building a segment
 * should trim SACK blocks until it fits.
 */
size_t dtcp_tcp_options_len(const struct dtcp_tcp_repr *r);

/**
 * Write the TCP header and options at @p buf and fill the checksum as @p mode
 * says. The payload, r->payload_len bytes, must already be in place at
 * @p buf + 20 + dtcp_tcp_options_len(@p r): it is not copied, only summed.
 * Reserved bits are written as zero.
 *
 * @p src_ip_be and @p dst_ip_be (network order) form the pseudo-header with
 * protocol 6 and the segment length; they are unused with
 * DTCP_TCP_CKSUM_NONE.
 *
 * @return
 *   The header length written (20..60) on success, or
 *   - -EINVAL: more than DTCP_TCP_MAX_SACK SACK blocks, a window scale shift
 *     above DTCP_TCP_MAX_WSCALE, options longer than DTCP_TCP_OPT_MAX_LEN, or
 *     header plus payload above 65535 bytes;
 *   - -ENOSPC: @p buf_len is smaller than header plus payload.
 *   Nothing is written on error.
 */
int dtcp_tcp_emit(const struct dtcp_tcp_repr *r, void *buf, size_t buf_len, uint32_t src_ip_be,
		  uint32_t dst_ip_be, enum dtcp_tcp_cksum_mode mode);

#endif
