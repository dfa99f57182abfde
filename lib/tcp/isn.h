/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Initial sequence numbers per RFC 6528: ISN = M + F(4-tuple, secret), where
 * M is a clock ticking every 4 microseconds (RFC 9293 section 3.4.1) and F
 * is SipHash-2-4 of the connection's 4-tuple under a secret key, truncated
 * to 32 bits. Each 4-tuple gets its own, unguessable sequence space that
 * still advances with time, so a new incarnation of a connection starts
 * above the old one's sequence numbers.
 */
#ifndef DTCP_TCP_ISN_H
#define DTCP_TCP_ISN_H

#include <stdint.h>

#include "tcp/siphash.h"

/** The clock M: one tick per 4 microseconds. */
#define DTCP_ISN_TICK_US 4

/**
 * ISN for a connection. Addresses and ports in network byte order, as they
 * are on the wire; the same tuple always maps to the same offset F.
 *
 * @param key secret (dtcp_siphash_key_random() at start-up).
 * @param local_addr our IPv4 address.
 * @param local_port our port.
 * @param remote_addr the peer's IPv4 address.
 * @param remote_port the peer's port.
 * @param now_us current time in microseconds.
 * @return the initial sequence number.
 */
uint32_t dtcp_isn(const struct dtcp_siphash_key *key, uint32_t local_addr, uint16_t local_port,
		  uint32_t remote_addr, uint16_t remote_port, uint64_t now_us);

/**
 * Offset added to our timestamp clock (RFC 7323 section 7.1), per address
 * pair rather than per connection: a peer then sees one monotonic TSval
 * clock from us, so a new connection reusing a 4-tuple it holds in TIME_WAIT
 * passes its PAWS check (RFC 6191), as with Linux.
 *
 * @param key the secret of dtcp_isn().
 * @param local_addr our address, network order.
 * @param remote_addr the peer's address, network order.
 * @return the offset.
 */
uint32_t dtcp_ts_offset(const struct dtcp_siphash_key *key, uint32_t local_addr,
			uint32_t remote_addr);

#endif
