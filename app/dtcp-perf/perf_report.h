/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The result of a run and its two renderings: text for people, one JSON
 * object for scripts. Pure (no EAL); unit-tested.
 */
#ifndef PERF_REPORT_H
#define PERF_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "perf_args.h"
#include "perf_hist.h"

/**
 * errno values are counted in an array this long; slot 0 collects anything
 * out of range. Besides the stack's own codes (DTCP_EV_ERROR, dtcp_connect,
 * dtcp_send), dtcp-perf reports EBADMSG (data did not match the pattern),
 * EPROTO (malformed or unexpected response) and ECONNABORTED (the peer closed
 * before the transaction completed).
 */
#define PERF_ERRNO_MAX 160

struct perf_result {
	enum perf_test test;
	uint32_t server_addr; /**< network order */
	uint16_t server_port;
	unsigned int lcores;
	uint32_t concurrency;
	uint32_t size;
	const char *http_path; /**< NULL unless --http */
	double elapsed_s;      /**< measured interval */
	bool interrupted;      /**< stopped by a signal before the end */
	uint64_t transactions;
	uint64_t connections; /**< connections established */
	uint64_t bytes_sent;  /**< stream: acknowledged by the peer */
	uint64_t bytes_received;
	uint64_t errors[PERF_ERRNO_MAX];
	const struct perf_hist *latency; /**< in ticks, see ticks_per_us */
	double ticks_per_us;
};

/** Total of errors[]. */
uint64_t perf_result_errors(const struct perf_result *r);

/**
 * Symbolic name of an errno value: "ECONNREFUSED", ...; "EUNKNOWN" for 0
 * (the out-of-range slot), "E<number>" for a value without a name.
 *
 * @param buf room for the "E<number>" form (16 bytes are enough).
 * @return a static string or @p buf.
 */
const char *perf_errno_name(int e, char *buf, size_t len);

/** Human-readable report. */
void perf_report_text(FILE *f, const struct perf_result *r);

/** One JSON object and a newline. */
void perf_report_json(FILE *f, const struct perf_result *r);

#endif
