/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level test harness: the real stack on a net_ring port, driven one
 * dtcp_lcore_poll() at a time with a virtual clock.
 *
 * The test enqueues frames on a queue's RX ring, polls the owning lcore and
 * takes what the stack put on the TX ring; harness_expect() compares exact
 * bytes, harness_expect_none() proves nothing else was sent. harness_down()
 * fails the test if any frame is left unread or any mbuf of either pool (the
 * test's and the stack's) is still in use: no leaks, no forgotten output.
 */
#ifndef DTCP_PKT_HARNESS_H
#define DTCP_PKT_HARNESS_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <dtcp/dtcp.h>

#define HARNESS_MAX_QUEUES 2

/* Addresses used by every test (all in 198.18.0.0/15). */
#define STACK_MAC                                                                                  \
	{                                                                                          \
		{                                                                                  \
			0x02, 0x00, 0x00, 0x00, 0x00, 0x02                                         \
		}                                                                                  \
	}
#define PEER_MAC                                                                                   \
	{                                                                                          \
		{                                                                                  \
			0x02, 0x00, 0x00, 0x00, 0x00, 0x01                                         \
		}                                                                                  \
	}
#define STACK_ADDR "198.18.0.2/24"

struct harness {
	struct dtcp_stack *stack;
	struct dtcp_config cfg;
	uint16_t port_id;
	unsigned int nb_queues;
	struct rte_ring *rx[HARNESS_MAX_QUEUES]; /* test -> stack */
	struct rte_ring *tx[HARNESS_MAX_QUEUES]; /* stack -> test */
	struct rte_mempool *pool;		 /* mbufs of injected frames */
	uint64_t now_us;
};

/** Initialise the EAL for an in-process test (no hugepages, no PCI, in memory). */
void harness_eal_init(const char *prog, const char *lcores);

/** Default config with port 0 at STACK_ADDR; tweak before harness_up(). */
void harness_default_config(struct dtcp_config *cfg);

/**
 * Create a ring port with one queue per lcore (TX rings of @p tx_ring_size),
 * give it STACK_MAC and start the stack on it with @p cfg (NULL = default).
 * Returns 0 or fails the test.
 */
int harness_up(struct harness *h, const struct dtcp_config *cfg, unsigned int tx_ring_size);

/** Check nothing is left unread and no mbuf leaked, then destroy everything. */
void harness_down(struct harness *h);

/** Queue a frame (copied into a fresh mbuf, with @p ol_flags) on RX queue @p q. */
void harness_inject_flags(struct harness *h, unsigned int q, const void *frame, size_t len,
			  uint64_t ol_flags);
#define harness_inject(h, q, f, l) harness_inject_flags(h, q, f, l, 0)

/** Advance the virtual clock by @p advance_us and run one iteration of lcore @p q. */
unsigned int harness_poll(struct harness *h, unsigned int q, uint64_t advance_us);

/** Take the next frame the stack sent on queue @p q, or NULL. Caller frees. */
struct rte_mbuf *harness_take(struct harness *h, unsigned int q);

/** Take the next frame on @p q and check its bytes are exactly @p want. */
void harness_expect_at(struct harness *h, unsigned int q, const void *want, size_t len,
		       const char *file, int line);
#define harness_expect(h, q, want, len) harness_expect_at(h, q, want, len, __FILE__, __LINE__)

/** Check the stack sent nothing (more) on @p q. */
void harness_expect_none_at(struct harness *h, unsigned int q, const char *file, int line);
#define harness_expect_none(h, q) harness_expect_none_at(h, q, __FILE__, __LINE__)

/** A counter summed over lcores. */
uint64_t harness_counter(struct harness *h, enum dtcp_counter c);

/** Sum of every drop_ counter. */
uint64_t harness_drops(struct harness *h);

#endif
