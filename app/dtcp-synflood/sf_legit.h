/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Legitimate clients through the dtcp stack: --legit-rate new connections a
 * second, open loop (a connection is opened when it is due, whatever the
 * others are doing, so a flood that stalls handshakes cannot slow the
 * arrivals down and hide its own damage). Each one connects, sends
 * "GET <path> HTTP/1.1", reads the whole response until the server closes,
 * checks it (sf_resp.c) and closes. The connect time (dtcp_connect() to
 * DTCP_EV_CONNECTED, SYN retransmissions included) goes into a histogram in
 * microseconds; failures are counted by reason (enum sf_fail).
 *
 * Runs on stack lcore 0, from the stack's application poll hook.
 */
#ifndef SF_LEGIT_H
#define SF_LEGIT_H

#include <stdint.h>

#include <dtcp/dtcp.h>

#include "perf_hist.h"
#include "sf_report.h"
#include "sf_run.h"

struct sf_legit;

/**
 * Allocate the clients' state: slots for every connection that can be in
 * flight (rate x (timeout + 2) + a margin), the request, the histograms.
 *
 * @return the state, or NULL when out of memory.
 */
struct sf_legit *sf_legit_create(struct sf_ctx *ctx);

/** Free it (loops ended). NULL is a no-op. */
void sf_legit_free(struct sf_legit *l);

/** Start the clock (ctx->start_tsc is set). */
void sf_legit_start(struct sf_legit *l);

/** One iteration on the owning lcore: events, timeouts, new connections, intervals. */
void sf_legit_poll(struct sf_legit *l, struct dtcp_lcore *lc, uint64_t now);

/**
 * The loop has ended (on the owning lcore): connections still in flight are
 * aborted and count as timed out; the last interval is published.
 */
void sf_legit_finish(struct sf_legit *l, uint64_t now);

/** Add the totals to @p t (loops ended). */
void sf_legit_totals(const struct sf_legit *l, struct sf_totals *t);

/** The whole run's connect times, microseconds. */
const struct perf_hist *sf_legit_hist(const struct sf_legit *l);

#endif
