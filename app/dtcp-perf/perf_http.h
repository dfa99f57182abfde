/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental HTTP/1.x response-head parser for crr --http: fed the response
 * in whatever pieces the connection delivers, it keeps only the current line
 * (truncated to PERF_HTTP_LINE_MAX, enough for a status line or a
 * Content-Length header), so each connection carries a fixed, small state.
 * The body is the caller's: it counts it in @c body and checks its bytes.
 */
#ifndef PERF_HTTP_H
#define PERF_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERF_HTTP_LINE_MAX   96
#define PERF_HTTP_HEADER_MAX 16384 /**< a longer response head is refused */

enum perf_http_state {
	PERF_HTTP_STATUS = 0, /**< reading the status line */
	PERF_HTTP_HEADERS,    /**< reading header fields */
	PERF_HTTP_BODY,	      /**< head complete: everything else is body */
	PERF_HTTP_BAD,	      /**< malformed head: see @c why */
};

struct perf_http {
	uint8_t state;		/**< enum perf_http_state */
	bool truncated;		/**< the current line overflowed @c line */
	uint16_t line_len;	/**< bytes in @c line */
	uint32_t head_len;	/**< bytes of head so far */
	int status;		/**< status code, 0 before the status line */
	int64_t content_length; /**< -1 when absent */
	uint64_t body;		/**< body bytes seen (kept by the caller) */
	const char *why;	/**< static reason once PERF_HTTP_BAD */
	char line[PERF_HTTP_LINE_MAX];
};

/** Prepare for a new response. */
void perf_http_init(struct perf_http *h);

/**
 * Feed the next @p n bytes of the response.
 *
 * @return how many of them belong to the head; once @c state is
 *   PERF_HTTP_BODY the remaining p[ret..n) are body. In PERF_HTTP_BAD
 *   everything is swallowed (returns @p n).
 */
size_t perf_http_parse(struct perf_http *h, const uint8_t *p, size_t n);

/**
 * Judge a response the server has finished (closed).
 *
 * @return NULL if it is a complete 2xx response whose body is exactly
 *   Content-Length bytes, else a static reason.
 */
const char *perf_http_check(const struct perf_http *h);

#endif
