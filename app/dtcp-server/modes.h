/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dtcp-server's TCP services: echo, discard and HTTP, run as the stack's
 * application (dtcp_stack_set_app()) on every lcore.
 *
 * Each lcore has its own struct srv_lcore (listeners, a pool of
 * per-connection states, counters), reached from the callbacks through the
 * dtcp_app argument and dtcp_lcore_index(); nothing is shared between
 * lcores on the data path. A connection's state is attached to it as the
 * dtcp user pointer and returned to the pool when the connection is released.
 */
#ifndef DTCP_SERVER_MODES_H
#define DTCP_SERVER_MODES_H

#include <stdbool.h>
#include <stdint.h>

#include <dtcp/dtcp.h>

/** Most ports given to --listen. */
#define SRV_MAX_LISTEN 16

/** What the server does with its connections. */
enum srv_mode {
	SRV_MODE_ECHO = 0, /**< send everything back */
	SRV_MODE_DISCARD,  /**< read and drop everything */
	SRV_MODE_HTTP,	   /**< HTTP/1.1 subset, see http.h */
};

/** The application's counters: X(enum suffix, "name", "description"). */
#define SRV_COUNTER_LIST(X)                                                                        \
	X(CONNS_ACCEPTED, "conns_accepted", "connections accepted")                                \
	X(CONNS_REFUSED, "conns_refused", "connections aborted: no per-connection state left")     \
	X(CONNS_RELEASED, "conns_released", "connections released (dtcp_close)")                   \
	X(CONNS_ERROR, "conns_error", "connections that ended in an error (reset, timeout)")       \
	X(BYTES_RECEIVED, "bytes_received", "payload bytes received")                              \
	X(BYTES_SENT, "bytes_sent", "payload bytes taken by dtcp_send()")                          \
	X(SEND_ERRORS, "send_errors", "dtcp_send() refused: connection closed under us")           \
	X(NO_MBUF, "no_mbuf", "dtcp_alloc_mbuf() found the pool empty")                            \
	X(HTTP_REQUESTS, "http_requests", "HTTP requests answered (any status)")                   \
	X(HTTP_BAD_REQUESTS, "http_bad_requests",                                                  \
	  "malformed HTTP requests (answered, then closed)")                                       \
	X(HTTP_ERRORS, "http_errors", "HTTP responses with a 4xx or 5xx status")

/** Counter identifiers. */
enum srv_counter {
#define SRV_COUNTER_ENUM(id, name, desc) SRV_CTR_##id,
	SRV_COUNTER_LIST(SRV_COUNTER_ENUM)
#undef SRV_COUNTER_ENUM
		SRV_CTR__MAX /**< number of counters */
};

/** Options from the command line and the stack configuration. */
struct srv_options {
	enum srv_mode mode;
	uint16_t ports[SRV_MAX_LISTEN]; /**< host byte order */
	unsigned int nb_ports;
	uint32_t max_conns; /**< per lcore: [tcp] max_conns */
	uint32_t snd_buf;   /**< per connection: [tcp] snd_buf */
	/** Called once, on the last lcore to open its listeners. */
	void (*ready)(void);
};

struct srv_app;

/**
 * Allocate the per-lcore states (on each lcore's NUMA socket) and register
 * the application with the stack. Call between dtcp_stack_create() and
 * dtcp_stack_run().
 *
 * @param stack the stack.
 * @param opt options (copied).
 * @return the application, or NULL after printing why to stderr.
 */
struct srv_app *srv_app_create(struct dtcp_stack *stack, const struct srv_options *opt);

/**
 * Whether an lcore failed to start (a listener could not be opened).
 *
 * @param app the application.
 * @return true if dtcp_stack_run() was stopped by the application.
 */
bool srv_app_failed(const struct srv_app *app);

/**
 * Sum every lcore's counters (call after dtcp_stack_run() returned).
 *
 * @param app the application.
 * @param out SRV_CTR__MAX entries, overwritten.
 */
void srv_app_counters(const struct srv_app *app, uint64_t out[SRV_CTR__MAX]);

/**
 * Name of a counter.
 *
 * @param id the counter.
 * @return a static string, NULL if out of range.
 */
const char *srv_counter_name(enum srv_counter id);

/**
 * Free the application (after dtcp_stack_run() returned). NULL is a no-op.
 *
 * @param app the application.
 */
void srv_app_destroy(struct srv_app *app);

/**
 * Parse a mode name.
 *
 * @param s "echo", "discard" or "http".
 * @param mode set on success.
 * @return 0, or -EINVAL for an unknown name.
 */
int srv_mode_parse(const char *s, enum srv_mode *mode);

/**
 * Name of a mode.
 *
 * @param mode the mode.
 * @return "echo", "discard", "http" (or "?").
 */
const char *srv_mode_name(enum srv_mode mode);

#endif /* DTCP_SERVER_MODES_H */
