/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The load generator that runs inside the stack loop on every lcore.
 *
 * Each lcore owns a share of the connection slots (C / nb_lcores, the first
 * C % nb_lcores lcores one more) and of --count, and keeps every slot busy:
 * when a transaction or connection ends, the slot is reopened at the end of
 * the same poll. Everything an lcore writes lives in its struct perf_lcore;
 * the control thread only reads the plain counters for the progress line and
 * the done flag, and main() reads the rest after the loops have ended.
 */
#ifndef PERF_RUN_H
#define PERF_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include <dtcp/dtcp.h>
#include <dtcp/dtcp_tcp.h>

#include "perf_args.h"
#include "perf_hist.h"
#include "perf_report.h"

struct perf_lcore;

/** The run: read-only on the data path except @c stop. */
struct perf_ctx {
	const struct perf_args *args;
	unsigned int nb_lcores;
	uint64_t tsc_hz;
	uint64_t start_tsc;    /**< set by perf_ctx_start() */
	uint64_t deadline_tsc; /**< start + --duration */
	/** Non-zero asks every lcore to stop measuring and close its connections. */
	int stop;
	char *http_req; /**< --http: the request, else NULL */
	uint32_t http_req_len;
	struct perf_lcore *lc[RTE_MAX_LCORE]; /**< by dtcp_lcore_index() */
};

/** Sums of the live counters, for the progress line. */
struct perf_progress {
	uint64_t transactions;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t errors;
	uint64_t inflight;
	unsigned int lcores_done;
};

/**
 * Allocate the per-lcore state on each lcore's NUMA socket and split the
 * slots and --count between the lcores.
 *
 * @return 0, or -ENOMEM.
 */
int perf_ctx_init(struct perf_ctx *ctx, const struct perf_args *args, unsigned int nb_lcores);

/** Free what perf_ctx_init() allocated (loops stopped). */
void perf_ctx_fini(struct perf_ctx *ctx);

/** Callbacks for dtcp_stack_set_app(), arg = the ctx. */
void perf_app(struct perf_ctx *ctx, struct dtcp_app *app);

/** Start the clock: call right before dtcp_stack_run(). */
void perf_ctx_start(struct perf_ctx *ctx);

/** Ask the lcores to wind down (async-signal-safe). */
void perf_ctx_request_stop(struct perf_ctx *ctx);

/** Read the live counters (any thread). */
void perf_ctx_progress(const struct perf_ctx *ctx, struct perf_progress *p);

/**
 * Merge every lcore's results (loops stopped).
 *
 * @param hist receives the merged latency histogram; r->latency points to it.
 */
void perf_ctx_result(const struct perf_ctx *ctx, struct perf_result *r, struct perf_hist *hist);

#endif
