/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Stack lifecycle and the per-lcore run loop.
 *
 * Run model: the application initialises the EAL, creates one stack with
 * dtcp_stack_create() (which configures and starts every DPDK port given a
 * [portN] section, one RX/TX queue pair per EAL lcore) and calls
 * dtcp_stack_run() on the main
 * lcore. Every EAL lcore, the main one included, then runs the poll loop of
 * its own struct dtcp_lcore until dtcp_stack_stop() is called. Each lcore
 * owns its queues, neighbour table, mempool cache and counters: nothing on
 * the data path is shared or locked.
 *
 * Tests and embedders that want to drive the loop themselves call
 * dtcp_lcore_poll() with a clock of their choosing instead of
 * dtcp_stack_run(); the protocol code never reads a clock itself.
 *
 * Thread safety: dtcp_stack_stop() and the read-only queries
 * (dtcp_stack_counters(), dtcp_stack_port_caps()) may be called from any
 * thread; everything else from the main lcore while the loops are stopped,
 * except dtcp_lcore_poll(), which only the lcore owning the context calls.
 */
#ifndef DTCP_STACK_H
#define DTCP_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include <dtcp/dtcp_config.h>
#include <dtcp/dtcp_counters.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dtcp_stack;
struct dtcp_lcore;

/**
 * What a port's PMD granted out of what dtcp asked for. The TX path reads it
 * to decide between checksum offload and software checksums; the RX path to
 * decide whether to trust the mbuf's checksum flags.
 */
struct dtcp_port_caps {
	bool rx_ipv4_cksum; /**< PMD reports IPv4 header checksum status */
	bool rx_tcp_cksum;  /**< PMD reports TCP checksum status */
	bool tx_ipv4_cksum; /**< PMD fills the IPv4 header checksum */
	bool tx_tcp_cksum;  /**< PMD fills the TCP checksum */
	bool tx_multi_segs; /**< PMD sends mbuf chains */
	/**
	 * PMD cuts TCP frames of up to 64 KiB into MSS-sized segments
	 * (RTE_ETH_TX_OFFLOAD_TCP_TSO, with TCP checksum and multi-segment TX
	 * granted too, and not switched off by [portN] tso = off).
	 */
	bool tx_tso;
	uint16_t tx_max_segs;	  /**< mbufs per frame the PMD takes (tx_desc_lim.nb_seg_max) */
	uint16_t tx_max_mtu_segs; /**< mbufs per MTU-sized packet (tx_desc_lim.nb_mtu_seg_max) */
	bool rss;		  /**< hardware RSS spreads flows over the queues */
	uint64_t rss_hf;	  /**< RSS hash types in use (RTE_ETH_RSS_*) */
	bool rx_rss_hash;	  /**< PMD delivers its RSS hash in each mbuf */
	uint16_t nb_queues;	  /**< RX/TX queue pairs, one per lcore */
	uint16_t mtu;		  /**< IP MTU in force */
};

/**
 * Create the stack: mempools, per-lcore contexts, ports configured and started,
 * telemetry commands registered, packet capture (rte_pdump) enabled.
 *
 * Must be called once, after rte_eal_init(), from the main lcore. Ports are
 * matched to [portN] sections by DPDK port id. A port without one is left to
 * the application (a traffic generator's raw port, a management port): the
 * stack neither configures nor polls it.
 *
 * @param cfg validated configuration (copied).
 * @return the stack, or NULL with rte_errno set:
 *   EINVAL configuration rejected by dtcp_config_validate(), a port
 *          without a MAC, or an mbuf pool
 *          too small to fill every RX/TX ring;
 *   ENODEV no DPDK port with a [portN] section;
 *   ENOTSUP a port cannot give one queue pair per lcore or the MTU;
 *   ENOMEM mempool or table allocation failed;
 *   EEXIST a stack already exists in this process;
 *   other  errors from rte_eth_dev_configure()/rte_eth_dev_start().
 */
struct dtcp_stack *dtcp_stack_create(const struct dtcp_config *cfg);

/**
 * Run the poll loop on every EAL lcore, the calling main lcore included,
 * until dtcp_stack_stop(). Returns once every loop has ended.
 *
 * @param stack the stack.
 * @return 0 when stopped normally; -EBUSY if a worker lcore was not idle.
 */
int dtcp_stack_run(struct dtcp_stack *stack);

/**
 * Ask every loop to end after its current iteration. Async-signal-safe.
 *
 * @param stack the stack.
 */
void dtcp_stack_stop(struct dtcp_stack *stack);

/**
 * Stop and close the ports, free every resource. NULL is a no-op.
 *
 * @param stack the stack (loops must have ended).
 */
void dtcp_stack_destroy(struct dtcp_stack *stack);

/**
 * Number of per-lcore contexts (one per EAL lcore).
 *
 * @param stack the stack.
 * @return the count, at least 1.
 */
unsigned int dtcp_stack_lcore_count(const struct dtcp_stack *stack);

/**
 * Per-lcore context by index (0 .. dtcp_stack_lcore_count() - 1); index i
 * uses queue i on every port and belongs to the i-th EAL lcore
 * (rte_lcore_index()).
 *
 * @param stack the stack.
 * @param index context index.
 * @return the context, or NULL if @p index is out of range.
 */
struct dtcp_lcore *dtcp_stack_lcore(struct dtcp_stack *stack, unsigned int index);

/**
 * Run one iteration of an lcore's loop: drain messages from other lcores,
 * receive one burst per port and process it, run expired timers, flush TX.
 *
 * @param lc the context; only its owning thread may call this.
 * @param now_us current time in microseconds on any monotonic clock; it must
 *        not go backwards between calls.
 * @return number of frames received in this iteration (0 means idle).
 */
unsigned int dtcp_lcore_poll(struct dtcp_lcore *lc, uint64_t now_us);

/**
 * The lcore's current time: the @p now_us its loop passed to the running or
 * last dtcp_lcore_poll() (the TSC under dtcp_stack_run(), a test's virtual
 * clock otherwise). Applications time their own work with it (idle timeouts,
 * health checks) so that it follows the same clock as the stack's timers.
 * Call on the lcore's own thread (its callbacks).
 *
 * @param lc the context.
 * @return microseconds, on the clock given to dtcp_lcore_poll(); the value
 *   set before the application's init callback runs until the first poll.
 */
uint64_t dtcp_lcore_now_us(const struct dtcp_lcore *lc);

/**
 * NUMA socket of the EAL lcore that runs a context: where an application
 * allocates its own per-lcore state (rte_zmalloc_socket()). Callable from
 * any thread once the stack is created.
 *
 * @param lc the context (dtcp_stack_lcore()).
 * @return the socket id; 0 on a machine without NUMA information.
 */
int dtcp_lcore_socket_id(const struct dtcp_lcore *lc);

/**
 * Sum every lcore's counters.
 *
 * @param stack the stack.
 * @param out array of DTCP_CTR__MAX entries, overwritten.
 */
void dtcp_stack_counters(const struct dtcp_stack *stack, uint64_t out[DTCP_CTR__MAX]);

/**
 * One lcore's counters (a live view; read-only).
 *
 * @param lc the context.
 * @return pointer to DTCP_CTR__MAX counters.
 */
const uint64_t *dtcp_lcore_counters(const struct dtcp_lcore *lc);

/**
 * The offloads a port was granted.
 *
 * @param stack the stack.
 * @param port_id DPDK port id.
 * @return the capabilities, or NULL if the stack does not drive @p port_id.
 */
const struct dtcp_port_caps *dtcp_stack_port_caps(const struct dtcp_stack *stack, uint16_t port_id);

/**
 * Current time in microseconds from the TSC, as dtcp_stack_run() passes it to
 * dtcp_lcore_poll().
 *
 * @return microseconds since an arbitrary origin.
 */
uint64_t dtcp_time_us(void);

#ifdef __cplusplus
}
#endif

#endif /* DTCP_STACK_H */
