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

/** True if the Internet checksum over @p len bytes at @p buf (checksum field included) verifies. */
static inline bool
dtcp_cksum_ok(const void *buf, size_t len)
{
	return rte_raw_cksum(buf, len) == 0xffff;
}

/** Internet checksum over @p len bytes, ready to store in the header (field must be 0). */
static inline uint16_t
dtcp_cksum(const void *buf, size_t len)
{
	return (uint16_t)~rte_raw_cksum(buf, len);
}

#endif /* DTCP_WIRE_H */
