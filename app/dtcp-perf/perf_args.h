/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-perf command line (what follows the EAL options and "--"). Pure: no
 * EAL, no stack; unit-tested in tests/unit/test_perf.c.
 */
#ifndef PERF_ARGS_H
#define PERF_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Longest --http PATH accepted. */
#define PERF_HTTP_PATH_MAX 1024
/** Largest --size: request, response or stream write, in bytes. */
#define PERF_SIZE_MAX (64u << 20)
/** Largest --concurrency (connections in flight over all lcores). */
#define PERF_CONCURRENCY_MAX 1000000u
/** Largest --duration, seconds. */
#define PERF_DURATION_MAX 86400u
/** Size used when --size is not given (netperf's defaults). */
#define PERF_SIZE_DEFAULT_RR	 1u
#define PERF_SIZE_DEFAULT_STREAM 16384u

enum perf_test {
	PERF_TEST_CONNECT = 0, /**< handshake, close */
	PERF_TEST_CRR,	       /**< connect, request, response, close */
	PERF_TEST_RR,	       /**< request/response on long-lived connections */
	PERF_TEST_STREAM,      /**< bulk send */
	PERF_TEST__MAX
};

struct perf_args {
	/* Stack configuration, applied by main() over the --config file. */
	const char *addr;    /**< --addr, or NULL */
	const char *gateway; /**< --gateway, or NULL */
	const char *config;  /**< --config, or NULL */

	uint32_t server_addr; /**< network byte order, inside 198.18.0.0/15 */
	uint16_t server_port; /**< host byte order */
	enum perf_test test;
	uint32_t duration_s;   /**< 1..PERF_DURATION_MAX, default 10 */
	uint32_t concurrency;  /**< connections in flight, 1..PERF_CONCURRENCY_MAX, default 1 */
	uint32_t size;	       /**< bytes per request / per stream write */
	uint64_t count;	       /**< --count: stop after this many transactions; 0 = no limit */
	bool json;	       /**< --json: one JSON object on stdout */
	bool verify;	       /**< --verify: the peer echoes; check every byte */
	bool stats;	       /**< --stats: the stack's counters on stderr at the end */
	const char *http_path; /**< --http PATH (crr only), or NULL */
	/** PATH is /bytes/N: the body must be N bytes of the i mod 251 pattern. */
	bool http_pattern;
	uint64_t http_pattern_len; /**< that N */
};

/** What perf_args_parse() decided. */
enum perf_args_result {
	PERF_ARGS_OK = 0,
	PERF_ARGS_HELP,	 /**< --help: print the usage, exit 0 */
	PERF_ARGS_ERROR, /**< usage error described in err: exit 2 */
};

/**
 * Parse the application arguments. argv[0] is the program name; getopt state
 * is reset first, so this can be called repeatedly.
 *
 * @param a filled in (defaults first).
 * @param err receives a one-line reason on PERF_ARGS_ERROR.
 */
enum perf_args_result perf_args_parse(int argc, char **argv, struct perf_args *a, char *err,
				      size_t err_len);

/** Print the usage text. */
void perf_args_usage(FILE *f, const char *prog);

/** "connect", "crr", "rr", "stream". */
const char *perf_test_name(enum perf_test t);

/** True if @p addr (network order) is inside 198.18.0.0/15 (RFC 2544 benchmarking). */
bool perf_addr_is_test_net(uint32_t addr);

#endif
