/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Byte-level operations on mbuf chains that rte_mbuf.h only offers for one
 * segment: rte_pktmbuf_adj() and rte_pktmbuf_trim() refuse to cross a
 * segment boundary, and rte_raw_cksum_mbuf() (22.11) loses carries when a
 * segment starts at an odd offset. Chains reach the stack as large TCP
 * frames (a peer's TSO over vhost-user, LRO) and leave it as header mbufs
 * chained to send-queue data.
 */
#ifndef DTCP_NET_MBUF_CHAIN_H
#define DTCP_NET_MBUF_CHAIN_H

#include <stdint.h>

#include <rte_mbuf.h>

/**
 * One's-complement sum (RFC 1071) of every byte of the chain @p m, folded to
 * 16 bits, not complemented. Segments of any length and parity.
 */
uint16_t dtcp_mbuf_chain_sum(const struct rte_mbuf *m);

/**
 * Remove the first @p len bytes of the chain @p m (at most m->pkt_len).
 * Segments emptied on the way are freed, so the chain may start further on:
 * use the returned head, never @p m again. The head's nb_segs and pkt_len
 * are kept right.
 *
 * @return the new head (m itself when the first segment survives).
 */
struct rte_mbuf *dtcp_mbuf_chain_adj(struct rte_mbuf *m, uint32_t len);

/**
 * Cut the chain @p m to its first @p len bytes (at most m->pkt_len),
 * freeing the segments beyond.
 */
void dtcp_mbuf_chain_keep(struct rte_mbuf *m, uint32_t len);

#endif
