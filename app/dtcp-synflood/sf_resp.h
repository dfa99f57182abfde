/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Judging a legitimate client's HTTP response: status 200 and a body of
 * exactly Content-Length bytes, and for a /bytes/N request N bytes of
 * dtcp-server's i mod 251 pattern. Fed in whatever pieces the connection
 * delivers; the head is parsed by dtcp-perf's incremental parser
 * (perf_http.c) and the body compared with its pattern table, so the two
 * clients judge responses the same way. Pure; unit-tested.
 */
#ifndef SF_RESP_H
#define SF_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perf_http.h"
#include "perf_pattern.h"

/** What the response must be. */
struct sf_resp_expect {
	bool pattern; /**< the body is pattern_len bytes of i mod 251 */
	uint64_t pattern_len;
	const uint8_t *tab; /**< PERF_PATTERN_TABLE bytes from perf_pattern_init() */
};

/** One response in progress. */
struct sf_resp {
	struct perf_http http;
	const char *why; /**< set once the response is known to be bad */
};

/** Start a new response. */
void sf_resp_init(struct sf_resp *r);

/**
 * Feed the next @p n bytes.
 *
 * @return 0, or -1 once the response is known to be bad (see @c why): a
 *   malformed head, a status other than 200, a body byte off the pattern or
 *   more body than announced.
 */
int sf_resp_feed(struct sf_resp *r, const struct sf_resp_expect *e, const uint8_t *p, size_t n);

/**
 * Judge the response once the server has closed the connection.
 *
 * @return NULL if it was complete and right, else a static reason.
 */
const char *sf_resp_finish(const struct sf_resp *r, const struct sf_resp_expect *e);

#endif
