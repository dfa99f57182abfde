/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steer layer: which lcore owns a TCP flow.
 *
 * owner(flow) = reta[hash(flow) & (reta_size - 1)], where hash is the
 * Toeplitz hash of the flow's received segments (src, dst, sport, dport of
 * the peer's packets) with dtcp_rss_key, and reta is the port's indirection
 * table mapping entries to lcore indexes (= queue ids). The key is
 * symmetric, so the hash of a flow is the same in both directions.
 *
 * Every lcore computes the same owner for a flow, whichever queue a segment
 * arrived on:
 *  - hardware RSS we can trust (our key read back from the device, TCP ports
 *    in the hash types, the RSS hash delivered in the mbuf, a power-of-two
 *    RETA we programmed and read back): reta is the device's own table and
 *    the NIC already delivered the segment to its owner; the check costs one
 *    lookup of m->hash.rss and no software hash.
 *  - anything else (af_packet fanout, tap, virtio without RSS, one queue or
 *    a queue count the device spreads by its own rule): reta is a software
 *    table of DTCP_STEER_SW_RETA_SIZE entries dealt round-robin, the hash is
 *    computed in software (toeplitz.h) and a segment that landed elsewhere
 *    goes to its owner over the SP/SC steer ring of the lcore pair.
 *
 * Active opens choose the ephemeral port so that owner(reply) is the calling
 * lcore (dtcp_steer_reply_owner()), which makes them need no steering on
 * trusted hardware and keeps every lcore's choices disjoint everywhere.
 */
#ifndef DTCP_STEER_H
#define DTCP_STEER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include <dtcp/dtcp_config.h>

#include "steer/toeplitz.h"

struct dtcp_port;

/** Largest RETA we mirror (ice PF: 2048; most devices 64..512). */
#define DTCP_STEER_RETA_MAX 2048
/** Entries of the software RETA, as an 82599's: 128. */
#define DTCP_STEER_SW_RETA_SIZE 128

/** One port's indirection table: hash -> lcore index. */
struct dtcp_steer_reta {
	uint16_t mask; /**< size - 1 (the size is a power of two) */
	bool hw;       /**< the device hashes with our key into this very table */
	uint16_t lcore[DTCP_STEER_RETA_MAX];
};

/** Stack-wide steering state: read-only once the ports are up. */
struct dtcp_steer {
	unsigned int nb_lcores;
	struct dtcp_toeplitz tz;		     /**< tables for dtcp_rss_key */
	struct dtcp_steer_reta reta[DTCP_MAX_PORTS]; /**< by port index (stack->ports[i]) */
};

/** Fill @p r as a software table of @p size entries dealt round-robin over @p nb_lcores. */
void dtcp_steer_reta_sw(struct dtcp_steer_reta *r, unsigned int size, unsigned int nb_lcores);

/** Key tables built, every port on a software RETA. @return 0 or -EINVAL. */
int dtcp_steer_init(struct dtcp_steer *st, unsigned int nb_lcores);

/**
 * After the port started: with hardware RSS, program its RETA to spread the
 * entries over the lcores' queues, read back table and key, and trust the
 * hardware hash if everything matches; otherwise keep the software RETA.
 * Logs the outcome and why.
 */
void dtcp_steer_port_setup(struct dtcp_steer *st, unsigned int port_idx,
			   const struct dtcp_port *port);

/** The lcore an indirection table gives a hash. */
static inline unsigned int
dtcp_steer_owner(const struct dtcp_steer_reta *r, uint32_t hash)
{
	return r->lcore[hash & r->mask];
}

/**
 * Owner of a received TCP segment (addresses and ports in network order, as
 * in the headers): the NIC's hash when the port's hardware RSS is trusted
 * and the mbuf carries it, the software hash otherwise.
 */
static inline unsigned int
dtcp_steer_rx_owner(const struct dtcp_steer *st, unsigned int port_idx, const struct rte_mbuf *m,
		    uint32_t src_be, uint32_t dst_be, uint16_t sport_be, uint16_t dport_be)
{
	const struct dtcp_steer_reta *r = &st->reta[port_idx];
	uint32_t hash;

	if (r->hw && (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH))
		hash = m->hash.rss;
	else
		hash = dtcp_toeplitz_v4(&st->tz, src_be, dst_be, sport_be, dport_be);
	return dtcp_steer_owner(r, hash);
}

/** A reply tuple with its local port left open (active opens). */
struct dtcp_steer_reply {
	const struct dtcp_toeplitz *tz;
	const struct dtcp_steer_reta *reta;
	uint32_t base; /**< hash of the reply with local port 0 */
};

/**
 * Prepare to try local ports for a connection from @p local_be to
 * @p remote_be : @p rport_be on port @p port_idx (network order).
 */
static inline void
dtcp_steer_reply_init(struct dtcp_steer_reply *q, const struct dtcp_steer *st,
		      unsigned int port_idx, uint32_t local_be, uint32_t remote_be,
		      uint16_t rport_be)
{
	q->tz = &st->tz;
	q->reta = &st->reta[port_idx];
	/* The peer's segments: src = remote, dst = local, dport = our port. */
	q->base = dtcp_toeplitz_v4(&st->tz, remote_be, local_be, rport_be, 0);
}

/** The lcore owning the reply tuple with local port @p lport (host order): two loads. */
static inline unsigned int
dtcp_steer_reply_owner(const struct dtcp_steer_reply *q, uint16_t lport)
{
	return dtcp_steer_owner(q->reta, q->base ^ dtcp_toeplitz_dport(q->tz, lport));
}

#endif
