/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dtcp-lb's backends: the table, the choice of a backend for a new
 * connection (Maglev or round robin, among those up), and health checks.
 *
 * Sharing. One struct lb_backends per process. Its addresses and names are
 * written before the lcores start and only read afterwards. Health is
 * checked by lcore 0 alone (TCP connect every interval, lb_health.h decides
 * up/down), which publishes each backend's state in @c up[] and then bumps
 * @c gen with a release store. Every lcore keeps its own struct lb_picker
 * (its own Maglev table, round-robin cursor and copy of the states): once per
 * poll it loads @c gen with acquire and, when it moved, copies @c up[] and
 * rebuilds. One writer, any number of readers, nothing on the per-packet
 * path: the atomics are one load per poll and a few stores per transition.
 * A reader that sees a new @c up[i] before the @c gen that announces it
 * rebuilds again when it sees that @c gen, so every lcore converges on the
 * writer's last state within a poll of it.
 */
#ifndef DTCP_LB_BACKEND_H
#define DTCP_LB_BACKEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <dtcp/dtcp.h>

#include "lb_args.h"
#include "lb_health.h"
#include "maglev.h"

/** What a dtcp user pointer of ours points at (its first byte). */
enum lb_obj_kind {
	LB_OBJ_HALF = 1, /**< struct lb_half (lb_proxy.c) */
	LB_OBJ_CHECK,	 /**< struct lb_check (health check in flight) */
};

/** A backend's per-lcore counters: X(enum suffix, "name", "description"). */
#define LB_BACKEND_COUNTER_LIST(X)                                                                 \
	X(ACTIVE, "active", "pairs now connected to this backend")                                 \
	X(TOTAL, "total", "pairs that connected to this backend")                                  \
	X(BYTES_TO_BACKEND, "bytes_to_backend", "client bytes handed to its connections")          \
	X(BYTES_TO_CLIENT, "bytes_to_client", "its bytes handed to client connections")            \
	X(CONNECT_FAILED, "connect_failed", "connects to it that failed (refused, timeout, error)")

/** Per-backend counter identifiers. */
enum lb_backend_counter {
#define LB_BCTR_ENUM(id, name, desc) LB_BCTR_##id,
	LB_BACKEND_COUNTER_LIST(LB_BCTR_ENUM)
#undef LB_BCTR_ENUM
		LB_BCTR__MAX
};

/** A health check connection in flight (lcore 0). */
struct lb_check {
	uint8_t kind;		/**< LB_OBJ_CHECK */
	unsigned int backend;	/**< index */
	struct dtcp_conn *conn; /**< NULL when none is in flight */
	uint64_t deadline_us;	/**< fails if not CONNECTED by then */
	uint64_t next_us;	/**< when the next check starts */
};

/** Backends, their published health and the checker's state. */
struct lb_backends {
	unsigned int n;
	struct lb_backend_addr addr[LB_MAX_BACKENDS];
	char name[LB_MAX_BACKENDS][24];	       /**< "A.B.C.D:PORT" */
	const char *name_ptr[LB_MAX_BACKENDS]; /**< into name[], for lb_maglev_build() */
	enum lb_policy policy;
	uint64_t flow_seed; /**< lb_flow_hash() key, the same on every lcore */
	/* Published by lcore 0 (see the file comment). */
	_Atomic uint32_t gen;
	_Atomic bool up[LB_MAX_BACKENDS];
	/* The checker's own (lcore 0); telemetry reads the 64-bit counters in @c health. */
	bool checking; /**< health checks enabled */
	uint64_t interval_us, timeout_us;
	struct lb_health health[LB_MAX_BACKENDS];
	struct lb_check check[LB_MAX_BACKENDS];
};

/**
 * Fill @p be from the options: every backend up, generation 0.
 *
 * @param be the table (plain memory, e.g. rte_zmalloc()).
 * @param opt validated options.
 * @param flow_seed key for lb_flow_hash().
 * @param checking whether lcore 0 runs health checks.
 */
void lb_backends_init(struct lb_backends *be, const struct lb_options *opt, uint64_t flow_seed,
		      bool checking);

/**
 * Whether backend @p i is up as last published (any thread).
 *
 * @param be the table.
 * @param i index.
 * @return its state.
 */
bool lb_backend_is_up(const struct lb_backends *be, unsigned int i);

/**
 * Publish a state (lcore 0, or a test standing in for the checker).
 *
 * @param be the table.
 * @param i index.
 * @param up new state.
 */
void lb_backend_publish(struct lb_backends *be, unsigned int i, bool up);

/** One lcore's view of the backends. */
struct lb_picker {
	struct lb_backends *be;
	uint32_t gen;		  /**< of the states below */
	bool up[LB_MAX_BACKENDS]; /**< copied from be->up at @c gen */
	unsigned int nb_up;
	unsigned int rr_next;	 /**< round robin cursor */
	struct lb_maglev maglev; /**< Maglev policy only */
};

/**
 * Set up an lcore's picker (allocates the Maglev table) and build it.
 *
 * @param p the picker.
 * @param be shared table.
 * @return 0, or -ENOMEM.
 */
int lb_picker_init(struct lb_picker *p, struct lb_backends *be);

/**
 * Free the Maglev table. Safe on a zeroed picker.
 *
 * @param p the picker.
 */
void lb_picker_free(struct lb_picker *p);

/**
 * Once per poll: take the published states if they changed, rebuild.
 *
 * @param p the picker.
 * @return true if the view changed.
 */
bool lb_picker_refresh(struct lb_picker *p);

/**
 * A backend up for a new connection from a client.
 *
 * @param p the picker.
 * @param addr_be client address, network order.
 * @param port_be client port, network order.
 * @return backend index, or -1 when none is up.
 */
int lb_pick(struct lb_picker *p, uint32_t addr_be, uint16_t port_be);

/**
 * Another backend up, after a connect to @p failed failed: the next one up
 * after it in index order.
 *
 * @param p the picker.
 * @param failed index that failed.
 * @return backend index other than @p failed, or -1 when there is none.
 */
int lb_pick_other(struct lb_picker *p, unsigned int failed);

/**
 * Health checks, lcore 0, every poll: start the checks that are due, fail
 * those past their timeout.
 *
 * @param be the table.
 * @param lc lcore 0's context.
 * @param now_us dtcp_lcore_now_us().
 */
void lb_check_poll(struct lb_backends *be, struct dtcp_lcore *lc, uint64_t now_us);

/**
 * An event whose user pointer is a struct lb_check.
 *
 * @param be the table.
 * @param ev the event.
 */
void lb_check_event(struct lb_backends *be, const struct dtcp_event *ev);

/**
 * Abort checks in flight (lcore 0, at the end).
 *
 * @param be the table.
 */
void lb_check_stop(struct lb_backends *be);

#endif
