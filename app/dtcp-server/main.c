/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-server: the stack on every EAL lcore, answering ARP and ping (TCP
 * services arrive with the TCP layer).
 *
 *   dtcp-server [EAL options] -- --addr A.B.C.D/N [--gateway A.B.C.D] [--config FILE]
 *
 * Prints "dtcp-server: ready" once the ports are up; SIGINT/SIGTERM stop it
 * cleanly, print the counters and exit 0.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <dtcp/dtcp.h>

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
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- --addr A.B.C.D/N [--gateway A.B.C.D] [--config FILE]\n"
		"  --addr      address and prefix of port 0 (overrides [port0] address)\n"
		"  --gateway   default gateway of port 0 (overrides [port0] gateway)\n"
		"  --config    INI file, see config/dtcp.ini\n",
		prog);
}

static int
parse_args(int argc, char **argv, struct dtcp_config *cfg)
{
	static const struct option opts[] = {
		{"addr", required_argument, NULL, 'a'},
		{"gateway", required_argument, NULL, 'g'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *addr = NULL, *gateway = NULL, *config = NULL;
	char err[DTCP_CONFIG_ERR_LEN];
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'g':
			gateway = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dtcp-server: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	/* The file first, so the command line overrides it. */
	if ((config != NULL && dtcp_config_load(cfg, config, err, sizeof(err)) != 0) ||
	    (addr != NULL &&
	     dtcp_config_set(cfg, "port0", "address", addr, err, sizeof(err)) != 0) ||
	    (gateway != NULL &&
	     dtcp_config_set(cfg, "port0", "gateway", gateway, err, sizeof(err)) != 0) ||
	    dtcp_config_validate(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "dtcp-server: %s\n", err);
		return -1;
	}
	return 0;
}

static void
print_counters(const struct dtcp_stack *s)
{
	uint64_t ctr[DTCP_CTR__MAX];

	dtcp_stack_counters(s, ctr);
	printf("dtcp-server: final counters\n");
	for (unsigned int c = 0; c < DTCP_CTR__MAX; c++)
		if (ctr[c] != 0)
			printf("  %-28s %20llu\n", dtcp_counter_name(c),
			       (unsigned long long)ctr[c]);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct dtcp_config cfg;
	struct dtcp_stack *s;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dtcp-server: EAL init failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argv[n] = argv[0];
	dtcp_config_init(&cfg);
	if (parse_args(argc - n, argv + n, &cfg) != 0) {
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	s = dtcp_stack_create(&cfg);
	if (s == NULL) {
		fprintf(stderr, "dtcp-server: cannot start: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	running_stack = s;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	printf("dtcp-server: ready\n");
	fflush(stdout);
	n = dtcp_stack_run(s);
	running_stack = NULL;

	print_counters(s);
	dtcp_stack_destroy(s);
	rte_eal_cleanup();
	return n == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
