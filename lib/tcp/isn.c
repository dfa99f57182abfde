/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "tcp/isn.h"

uint32_t
dtcp_isn(const struct dtcp_siphash_key *key, uint32_t local_addr, uint16_t local_port,
	 uint32_t remote_addr, uint16_t remote_port, uint64_t now_us)
{
	uint8_t tuple[12];

	memcpy(tuple, &local_addr, 4);
	memcpy(tuple + 4, &remote_addr, 4);
	memcpy(tuple + 8, &local_port, 2);
	memcpy(tuple + 10, &remote_port, 2);
	return (uint32_t)(now_us / DTCP_ISN_TICK_US) +
	       (uint32_t)dtcp_siphash24(key, tuple, sizeof(tuple));
}

uint32_t
dtcp_ts_offset(const struct dtcp_siphash_key *key, uint32_t local_addr, uint32_t remote_addr)
{
	uint32_t pair[2] = {local_addr, remote_addr};

	/* The high half, independent of the ISN's low half for the same secret. */
	return (uint32_t)(dtcp_siphash24(key, pair, sizeof(pair)) >> 32);
}
