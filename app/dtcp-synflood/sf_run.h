/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the flood, the legitimate clients and the control thread share.
 *
 * Two writers, each on its own lcore (the same one with a single lcore): the
 * flood (sf_flood.c) and the legitimate clients (sf_legit.c). Neither locks:
 * each keeps plain counters in its own struct and, when the clock crosses a
 * progress-interval boundary, copies them into its own array of cumulative
 * snapshots and then publishes the number of finished intervals with a
 * release store. The control thread (main.c) reads snapshots only below the
 * published count (acquire), so the progress line and the JSON timeline come
 * from the same numbers, and the interval's connect p99 is computed by the
 * lcore that owns the histogram.
 *
 * End of a run: the flood stops at --duration, --max-syns or a signal and sets
 * flood_done; the legitimate clients then stop opening connections, wait up to
 * --legit-timeout for those in flight and set legit_done; the control thread
 * stops the loops a short linger later (late SYN-ACKs still count).
 */
#ifndef SF_RUN_H
#define SF_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "sf_args.h"

/** Cumulative flood counters at the end of an interval. */
struct sf_flood_snap {
	uint64_t syn_sent;
	uint64_t tx_dropped;
	uint64_t synack_rx;
	uint64_t synack_unique;
	uint64_t rst_rx;
	uint64_t other_rx;
	uint64_t rx_frames;
};

/** Cumulative legit counters at the end of an interval, and its connect p99. */
struct sf_legit_snap {
	uint64_t attempted;
	uint64_t ok;
	uint64_t failed;
	int64_t p99_us; /**< of connects completed in the interval; -1 when none */
};

struct sf_flood;
struct sf_legit;

struct sf_ctx {
	const struct sf_args *args;
	uint64_t hz;	       /**< TSC ticks per second */
	uint64_t start_tsc;    /**< the run's origin */
	uint64_t interval_tsc; /**< --progress-interval */
	uint64_t deadline_tsc; /**< start + --duration */
	uint32_t nb_snap;      /**< room in the snapshot arrays */
	struct sf_flood_snap *fsnap;
	struct sf_legit_snap *lsnap; /**< NULL without legitimate clients */
	uint32_t fpub;		     /**< intervals the flood published (atomic) */
	uint32_t lpub;		     /**< intervals the clients published (atomic) */

	int stop_req;		/**< a signal asked to end the flood now (atomic) */
	int flood_done;		/**< the flood is over (release after flood_end_tsc) */
	uint64_t flood_end_tsc; /**< when it ended */
	int legit_done;		/**< the clients have drained (atomic) */

	unsigned int flood_lcore; /**< stack lcore index running the flood */
	struct sf_flood *flood;
	struct sf_legit *legit; /**< NULL without legitimate clients */
};

#endif
