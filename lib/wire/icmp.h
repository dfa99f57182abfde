/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMPv4 (RFC 792) parse/emit; echo request/reply are the only types emitted. */
#ifndef DTCP_WIRE_ICMP_H
#define DTCP_WIRE_ICMP_H

#include "wire/wire.h"

#define DTCP_ICMP_HDR_LEN      8
#define DTCP_ICMP_ECHO_REPLY   0
#define DTCP_ICMP_ECHO_REQUEST 8

struct dtcp_icmp_repr {
	uint8_t type;
	uint8_t code;
	uint16_t ident;		/**< echo identifier, host order */
	uint16_t seq;		/**< echo sequence number, host order */
	const uint8_t *payload; /**< parse only: data after the 8-byte header */
	size_t payload_len;	/**< bytes of data after the header */
};

/**
 * Parse an ICMP message of exactly @p len bytes (the IP payload).
 * TRUNCATED below 8 bytes; BAD_CHECKSUM if @p verify_cksum and the checksum
 * over the whole message fails. ident/seq are filled for every type.
 */
enum dtcp_wire_status dtcp_icmp_parse(const void *buf, size_t len, bool verify_cksum,
				      struct dtcp_icmp_repr *out);

/**
 * Write the 8-byte header at @p buf and the checksum over it and the
 * r->payload_len bytes that already follow it (payload is not copied, so an
 * echo request turns into its reply in place).
 */
void dtcp_icmp_emit(const struct dtcp_icmp_repr *r, void *buf);

#endif
