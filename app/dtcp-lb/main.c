/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-lb: a full-proxy L4 load balancer on the stack's every lcore.
 *
 *   dtcp-lb [EAL options] -- --addr VIP/N --listen PORT --backend IP:PORT[,IP:PORT...]
 *           [--policy maglev|roundrobin] [--health-interval MS] [--health-rise N]
 *           [--health-fall N] [--health-timeout MS] [--connect-retries N]
 *           [--idle-timeout S] [--gateway A.B.C.D] [--config FILE]
 *
 * Prints "dtcp-lb: ready" once the ports are up and every lcore listens, a
 * line per backend health transition, and on SIGINT/SIGTERM stops, prints
 * the stack's counters and then one line of JSON with its own, and exits 0.
 * lb_args.h (options), lb_proxy.h (the proxy), lb_backend.h (choice, health),
 * lb_telemetry.h (telemetry, the JSON line).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include <dtcp/dtcp.h>

#include "lb_args.h"
#include "lb_backend.h"
#include "lb_proxy.h"
#include "lb_telemetry.h"

/* The signal handler's only way to reach the stack. */
static struct dtcp_stack *volatile running_stack;

static void
on_signal(int sig)
{
	struct dtcp_stack *s = running_stack;

	(void)sig;
	if (s != NULL)
		dtcp_stack_stop(s);
}

static void
print_ready(void)
{
	printf("dtcp-lb: ready\n");
	fflush(stdout);
}

static void
print_counters(const struct dtcp_stack *s)
{
	uint64_t ctr[DTCP_CTR__MAX];

	dtcp_stack_counters(s, ctr);
	printf("dtcp-lb: final counters\n");
	for (unsigned int c = 0; c < DTCP_CTR__MAX; c++)
		if (ctr[c] != 0)
			printf("  %-28s %20llu\n", dtcp_counter_name(c),
			       (unsigned long long)ctr[c]);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct lb_backends *be = NULL;
	struct lb_proxy *px = NULL;
	struct lb_options opt;
	struct dtcp_config cfg;
	struct dtcp_stack *s;
	char err[LB_ERR_LEN];
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dtcp-lb: EAL init failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argv[n] = argv[0];
	dtcp_config_init(&cfg);
	rc = lb_args_parse(argc - n, argv + n, &cfg, &opt, err, sizeof(err));
	if (rc != 0) {
		if (rc > 0)
			fputs(err, stdout);
		else
			fprintf(stderr, "dtcp-lb: %s\n", err);
		rte_eal_cleanup();
		return rc > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	s = dtcp_stack_create(&cfg);
	if (s == NULL) {
		fprintf(stderr, "dtcp-lb: cannot start: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	be = rte_zmalloc("lb_backends", sizeof(*be), RTE_CACHE_LINE_SIZE);
	if (be != NULL) {
		/* Random: clients cannot aim at one backend by choosing their ports. */
		lb_backends_init(be, &opt, rte_rand(), true);
		px = lb_proxy_create(s,
				     &(struct lb_proxy_options){
					     .listen_port = opt.listen_port,
					     .max_pairs = cfg.tcp_max_conns / 2,
					     .connect_retries = opt.connect_retries,
					     .idle_us = (uint64_t)opt.idle_timeout_s * 1000000,
					     .ready = print_ready,
				     },
				     be);
	} else {
		fprintf(stderr, "dtcp-lb: backend table: out of memory\n");
	}
	if (px == NULL) {
		rte_free(be);
		dtcp_stack_destroy(s);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	if (lb_telemetry_attach(px) != 0)
		fprintf(stderr, "dtcp-lb: telemetry commands not registered (telemetry off?)\n");
	running_stack = s;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	n = dtcp_stack_run(s);
	running_stack = NULL;
	lb_telemetry_detach();

	print_counters(s);
	lb_report_json(stdout, px);
	dtcp_stack_destroy(s);
	if (lb_proxy_failed(px))
		n = -1;
	lb_proxy_destroy(px);
	rte_free(be);
	rte_eal_cleanup();
	return n == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
