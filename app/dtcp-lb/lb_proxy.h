/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dtcp-lb's full proxy, run as the stack's application on every lcore.
 *
 * Each lcore listens on the service port, accepts, picks a backend
 * (lb_backend.h) and connects to it from the same lcore; the two connections
 * form a pair and carry one tag (dtcp_conn_set_tag()). Data is spliced both
 * ways without a copy: the mbufs dtcp_recv() hands over go to dtcp_send() of
 * the other connection as they are. Whatever dtcp_send() leaves is kept as
 * that direction's pending chain and its source is not read until
 * DTCP_EV_WRITABLE drains it, so a slow receiver closes the sender's window.
 * A FIN is passed on (dtcp_shutdown()) once everything before it has been
 * handed over, a reset (DTCP_EV_ERROR) becomes dtcp_abort() of the other
 * side, a failed backend connect is retried on another backend, and a pair
 * idle for the idle timeout is reset both ways.
 *
 * State is per lcore (pairs table, LRU list, counters); nothing is shared on
 * the data path. Counters are plain per-lcore arrays summed by readers.
 */
#ifndef DTCP_LB_PROXY_H
#define DTCP_LB_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include <dtcp/dtcp.h>

#include "lb_backend.h"

/** Global counters: X(enum suffix, "name", "description"). */
#define LB_COUNTER_LIST(X)                                                                         \
	X(ACCEPTED, "accepted", "client connections accepted")                                     \
	X(PROXIED, "proxied", "pairs established (backend connected)")                             \
	X(ACTIVE_PAIRS, "active_pairs", "pairs now open (gauge)")                                  \
	X(PAIRS_CLOSED, "pairs_closed", "pairs ended, whatever the reason")                        \
	X(TABLE_FULL, "table_full", "clients reset: the lcore's pairs table was full")             \
	X(NO_BACKEND, "no_backend", "clients reset: no backend was up")                            \
	X(BACKEND_CONNECT_FAILED, "backend_connect_failed",                                        \
	  "backend connects that failed (refused, timed out, no port or table room)")              \
	X(CONNECT_RETRIES, "connect_retries", "connects retried on another backend")               \
	X(CONNECT_GAVE_UP, "connect_gave_up",                                                      \
	  "clients reset: every connect allowed (--connect-retries) failed")                       \
	X(CLIENT_RESETS_PROPAGATED, "client_resets_propagated",                                    \
	  "client connection reset or timed out: backend side aborted")                            \
	X(BACKEND_RESETS_PROPAGATED, "backend_resets_propagated",                                  \
	  "backend connection reset or timed out: client side aborted")                            \
	X(IDLE_TIMEOUTS, "idle_timeouts", "pairs reset both ways after --idle-timeout")            \
	X(HALF_CLOSES, "half_closes", "FINs passed on (dtcp_shutdown of the other side)")          \
	X(PAYLOAD_COPIES, "payload_copies",                                                        \
	  "payload bytes copied by dtcp_read()/dtcp_write() (the stack's app_bytes_copied_in "     \
	  "+ _out): 0, the proxy splices mbufs")                                                   \
	X(BYTES_TO_BACKEND, "bytes_to_backend", "client bytes taken by backend connections")       \
	X(BYTES_TO_CLIENT, "bytes_to_client", "backend bytes taken by client connections")

/** Global counter identifiers. */
enum lb_counter {
#define LB_CTR_ENUM(id, name, desc) LB_CTR_##id,
	LB_COUNTER_LIST(LB_CTR_ENUM)
#undef LB_CTR_ENUM
		LB_CTR__MAX
};

/** What the proxy needs to know. */
struct lb_proxy_options {
	uint16_t listen_port;	  /**< host order */
	uint32_t max_pairs;	  /**< per lcore; each pair uses two of [tcp] max_conns */
	uint32_t connect_retries; /**< other backends tried after a failed connect */
	uint64_t idle_us;	  /**< idle timeout, 0 = none */
	void (*ready)(void);	  /**< called once, by the last lcore to listen; may be NULL */
};

struct lb_proxy;
struct rte_mbuf;

/**
 * Allocate the per-lcore states (pairs tables on each lcore's socket) and
 * register the proxy as the stack's application. Call between
 * dtcp_stack_create() and dtcp_stack_run().
 *
 * @param stack the stack.
 * @param opt options (copied).
 * @param be backends, shared with the other lcores (kept, not copied).
 * @return the proxy, or NULL after printing why to stderr.
 */
struct lb_proxy *lb_proxy_create(struct dtcp_stack *stack, const struct lb_proxy_options *opt,
				 struct lb_backends *be);

/** Free everything; NULL is a no-op. Call after the lcores stopped. */
void lb_proxy_destroy(struct lb_proxy *px);

/**
 * The per-lcore callbacks lb_proxy_create() registers (for tests that drive
 * dtcp_lcore_poll() themselves and so must call the init and fini).
 * @p arg is the struct lb_proxy.
 */
int lb_proxy_lcore_init(struct dtcp_lcore *lc, void *arg);
/** See lb_proxy_lcore_init(). */
void lb_proxy_lcore_poll(struct dtcp_lcore *lc, void *arg);
/** See lb_proxy_lcore_init(). */
void lb_proxy_lcore_fini(struct dtcp_lcore *lc, void *arg);

/** Whether an lcore failed to start (listen or allocation). */
bool lb_proxy_failed(const struct lb_proxy *px);

/**
 * Sum of the global counters over lcores (any thread: 64-bit loads).
 *
 * @param px the proxy.
 * @param out LB_CTR__MAX entries, overwritten.
 */
void lb_proxy_counters(const struct lb_proxy *px, uint64_t out[LB_CTR__MAX]);

/**
 * Sum of one backend's counters over lcores (any thread).
 *
 * @param px the proxy.
 * @param backend index.
 * @param out LB_BCTR__MAX entries, overwritten.
 */
void lb_proxy_backend_counters(const struct lb_proxy *px, unsigned int backend,
			       uint64_t out[LB_BCTR__MAX]);

/** Name of a global counter, NULL if out of range. */
const char *lb_counter_name(enum lb_counter c);

/** Name of a per-backend counter, NULL if out of range. */
const char *lb_backend_counter_name(enum lb_backend_counter c);

/** The backends the proxy was created with. */
struct lb_backends *lb_proxy_backends(const struct lb_proxy *px);

#endif
