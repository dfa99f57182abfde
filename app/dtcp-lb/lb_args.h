/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dtcp-lb's command line and the [lb] section of its INI file.
 *
 *   dtcp-lb [EAL options] -- --addr VIP/N --listen PORT --backend IP:PORT[,IP:PORT...]
 *           [--policy maglev|roundrobin] [--health-interval MS] [--health-rise N]
 *           [--health-fall N] [--health-timeout MS] [--connect-retries N]
 *           [--idle-timeout S] [--gateway A.B.C.D] [--config FILE]
 *
 * Precedence: defaults, then the file ([stack], [tcp], [portN] for the stack,
 * [lb] for us, same names as the options: listen, backends, policy,
 * health_interval_ms, health_rise, health_fall, health_timeout_ms,
 * connect_retries, idle_timeout_s), then the command line. Every error names
 * what is wrong: "--option: why" or "lb:key: why".
 *
 * Pure: no DPDK state is touched (the stack's part goes through
 * dtcp_config_load_app() and dtcp_config_set()), so tests/unit/test_lb_args.c
 * runs it without an EAL.
 */
#ifndef DTCP_LB_ARGS_H
#define DTCP_LB_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dtcp/dtcp_config.h>

/** Most backends (--backend entries). */
#define LB_MAX_BACKENDS 256
/** Room for an error message. */
#define LB_ERR_LEN 320

/** How a new connection's backend is chosen among those up. */
enum lb_policy {
	LB_POLICY_MAGLEV = 0, /**< Maglev consistent hashing over the client address and port */
	LB_POLICY_ROUNDROBIN, /**< each lcore takes the next backend up in turn */
};

/** One backend. */
struct lb_backend_addr {
	uint32_t addr; /**< IPv4, network byte order */
	uint16_t port; /**< host byte order */
};

/** dtcp-lb's own settings (the stack's are in struct dtcp_config). */
struct lb_options {
	uint16_t listen_port; /**< host byte order */
	unsigned int nb_backends;
	struct lb_backend_addr backends[LB_MAX_BACKENDS];
	enum lb_policy policy;
	uint32_t health_interval_ms; /**< between two checks of a backend */
	uint32_t health_timeout_ms;  /**< a check not CONNECTED by then failed; <= interval */
	uint16_t health_rise;	     /**< consecutive good checks to go up */
	uint16_t health_fall;	     /**< consecutive failed checks to go down */
	uint32_t connect_retries;    /**< other backends tried after a failed connect */
	uint32_t idle_timeout_s;     /**< pairs idle this long are reset; 0 = never */
};

/** Defaults: policy maglev, interval 1000 ms, rise 2, fall 2, timeout = interval, 1 retry, 300 s.
 */
void lb_options_init(struct lb_options *opt);

/**
 * Parse the arguments after the EAL's ("--" already consumed; argv[0] is the
 * program name) into @p cfg (the stack's, initialised by the caller with
 * dtcp_config_init()) and @p opt, and validate both.
 *
 * @param argc count.
 * @param argv arguments; getopt_long() permutes nothing (options only).
 * @param cfg stack configuration, updated.
 * @param opt our options, filled (lb_options_init() first is not needed).
 * @param err receives the reason on failure.
 * @param err_len size of @p err.
 * @return 0; 1 when --help was asked (usage is in @p err); -EINVAL bad or
 *   missing value; -ENOENT unknown key in the file; -EIO unreadable file.
 */
int lb_args_parse(int argc, char **argv, struct dtcp_config *cfg, struct lb_options *opt, char *err,
		  size_t err_len);

/**
 * Parse "IP:PORT[,IP:PORT...]" (distinct, at most LB_MAX_BACKENDS).
 *
 * @param s the text.
 * @param opt receives backends and nb_backends.
 * @param why receives the reason on failure (no prefix).
 * @param why_len its size.
 * @return 0 or -EINVAL.
 */
int lb_parse_backends(const char *s, struct lb_options *opt, char *why, size_t why_len);

/** Usage text. */
const char *lb_usage(void);

/** "maglev" or "roundrobin". */
const char *lb_policy_name(enum lb_policy p);

#endif
