/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The result of a run and its renderings: the live progress line, the text
 * summary and the JSON report, whose key names other tools parse (see
 * sf_report_json()). Pure (no EAL); unit-tested byte for byte.
 */
#ifndef SF_REPORT_H
#define SF_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "perf_hist.h"

/** Why a legitimate connection failed. */
enum sf_fail {
	SF_FAIL_TIMEOUT = 0,  /**< --legit-timeout passed, or the stack gave up (ETIMEDOUT) */
	SF_FAIL_RESET,	      /**< ECONNRESET */
	SF_FAIL_REFUSED,      /**< ECONNREFUSED */
	SF_FAIL_BAD_RESPONSE, /**< not 200, wrong length or body, closed early */
	SF_FAIL_ERROR,	      /**< local: dtcp_connect()/dtcp_write() failed */
	SF_FAIL__MAX
};

/** "timeout", "reset", "refused", "bad_response", "error". */
const char *sf_fail_name(enum sf_fail f);

/** Whole-run counters. */
struct sf_totals {
	uint64_t syn_sent;   /**< SYNs the raw port's TX accepted */
	uint64_t tx_dropped; /**< SYNs it refused (freed, not sent) */
	uint64_t synack_rx;  /**< SYN-ACK frames to spoofed addresses, retransmissions included */
	uint64_t synack_unique; /**< SYNs answered by a SYN-ACK, each counted once */
	uint64_t rst_rx;	/**< RSTs to spoofed addresses */
	uint64_t other_rx;	/**< other frames to spoofed addresses, or SYNs sent back */
	uint64_t rx_frames;	/**< every frame received on the raw port but our own */
	uint64_t legit_attempted;
	uint64_t legit_ok;
	uint64_t legit_failed;
	uint64_t legit_fail[SF_FAIL__MAX];
};

/** One progress interval: counts within it. */
struct sf_tl {
	double t;     /**< seconds from the start to the interval's end */
	double len_s; /**< its length (the last one may be shorter) */
	uint64_t syn_sent;
	uint64_t synack_rx;
	uint64_t synack_unique;
	uint64_t rst_rx;
	uint64_t rx_frames;
	uint64_t legit_ok;
	uint64_t legit_failed;
	int64_t connect_p99_us; /**< of connects completed in it; -1 when none */
};

/** The run. */
struct sf_result {
	const char *target; /**< "IP:PORT" */
	bool rate_max;	    /**< --rate max */
	uint64_t rate_pps;  /**< else the rate asked for */
	double duration_s;  /**< the flood's actual length */
	bool legit;	    /**< legitimate clients ran (--legit-rate > 0) */
	bool interrupted;   /**< ended early by a signal */
	struct sf_totals tot;
	const struct perf_hist *connect_us; /**< connect times in microseconds; may be NULL */
	const struct sf_tl *timeline;
	unsigned int nb_timeline;
};

/**
 * Percentage of SYNs answered: each SYN-ACKed SYN once, plus RSTs (a refusal
 * is an answer too), over the SYNs sent; 0 when none were sent.
 */
double sf_answered_pct(uint64_t syn_sent, uint64_t synack_unique, uint64_t rst_rx);

/**
 * The one-line progress display (without line ending):
 * elapsed, offered SYN/s, SYN-ACK/s, answered %, legit ok/failed (totals so
 * far) and the legit connect p99 of the interval.
 *
 * @return the length written (as snprintf).
 */
int sf_progress_format(char *buf, size_t len, const struct sf_tl *e, bool legit,
		       uint64_t legit_ok_total, uint64_t legit_failed_total);

/** Human-readable summary. */
void sf_report_text(FILE *f, const struct sf_result *r);

/**
 * The JSON report:
 *
 *   {"target": "IP:PORT", "rate_requested": N|"max", "duration_s": F,
 *    "totals": {"syn_sent", "tx_dropped", "synack_rx", "synack_unique", "rst_rx",
 *               "other_rx", "rx_frames", "legit_attempted", "legit_ok",
 *               "legit_failed", "legit_fail_reasons": {"timeout", "reset",
 *               "refused", "bad_response", "error"}},
 *    "rates": {"syn_per_s", "synack_per_s", "rx_frames_per_s", "answered_pct"},
 *    "legit": {"success_pct": F|null, "connect_us": {"p50", "p90", "p99", "max", "count"}},
 *    "timeline": [{"t", "syn_sent", "synack_rx", "rst_rx", "rx_frames", "legit_ok",
 *                  "legit_failed", "connect_p99_us": N|null}, ...]}
 *
 * Rates are over duration_s; connect_us values are 0 while count is 0.
 */
void sf_report_json(FILE *f, const struct sf_result *r);

#endif
