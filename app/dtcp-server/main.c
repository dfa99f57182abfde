/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-server: the stack on every EAL lcore, answering ARP and ping, and with
 * --listen serving TCP (echo, discard or HTTP, see modes.h) on every lcore.
 *
 *   dtcp-server [EAL options] -- --addr A.B.C.D/N [--gateway A.B.C.D] [--config FILE]
 *               [--listen PORT[,PORT...] [--mode echo|discard|http]]
 *
 * Prints "dtcp-server: ready" once the ports are up (and, with --listen, every
 * lcore listens); SIGINT/SIGTERM stop it cleanly, print the counters and exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <dtcp/dtcp.h>

#include "modes.h"

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
		"           [--listen PORT[,PORT...] [--mode echo|discard|http]]\n"
		"  --addr      address and prefix of port 0 (overrides [port0] address)\n"
		"  --gateway   default gateway of port 0 (overrides [port0] gateway)\n"
		"  --config    INI file, see config/dtcp.ini\n"
		"  --listen    TCP ports to serve on every lcore (at most %u); without it the\n"
		"              server only answers ARP and ping\n"
		"  --mode      echo     send everything received back (default)\n"
		"              discard  read and drop everything\n"
		"              http     HTTP/1.1 (GET, HEAD, keep-alive, pipelining):\n"
		"                       /bytes/N answers N bytes, byte i = i mod 251;\n"
		"                       any other path answers \"dtcp\\n\"\n",
		prog, SRV_MAX_LISTEN);
}

/* "80,8080": distinct ports 1..65535. */
static int
parse_ports(const char *arg, struct srv_options *opt)
{
	const char *p = arg;

	opt->nb_ports = 0;
	for (;;) {
		unsigned long v;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno != 0 || v == 0 || v > UINT16_MAX)
			goto bad;
		for (unsigned int i = 0; i < opt->nb_ports; i++)
			if (opt->ports[i] == v)
				goto bad;
		if (opt->nb_ports == SRV_MAX_LISTEN)
			goto bad;
		opt->ports[opt->nb_ports++] = (uint16_t)v;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	fprintf(stderr,
		"dtcp-server: --listen: '%s' is not a list of up to %u distinct ports 1..65535 "
		"such as 80,8080\n",
		arg, SRV_MAX_LISTEN);
	return -1;
}

static int
parse_args(int argc, char **argv, struct dtcp_config *cfg, struct srv_options *srv)
{
	static const struct option opts[] = {
		{"addr", required_argument, NULL, 'a'},
		{"gateway", required_argument, NULL, 'g'},
		{"config", required_argument, NULL, 'c'},
		{"listen", required_argument, NULL, 'l'},
		{"mode", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *addr = NULL, *gateway = NULL, *config = NULL, *mode = NULL;
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
		case 'l':
			if (parse_ports(optarg, srv) != 0)
				return -1;
			break;
		case 'm':
			mode = optarg;
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
	if (mode != NULL && srv_mode_parse(mode, &srv->mode) != 0) {
		fprintf(stderr, "dtcp-server: --mode: '%s' is not echo, discard or http\n", mode);
		return -1;
	}
	if (mode != NULL && srv->nb_ports == 0) {
		fprintf(stderr, "dtcp-server: --mode needs --listen\n");
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
print_counters(const struct dtcp_stack *s, const struct srv_app *app, enum srv_mode mode)
{
	uint64_t ctr[DTCP_CTR__MAX];
	uint64_t app_ctr[SRV_CTR__MAX];

	dtcp_stack_counters(s, ctr);
	printf("dtcp-server: final counters\n");
	for (unsigned int c = 0; c < DTCP_CTR__MAX; c++)
		if (ctr[c] != 0)
			printf("  %-28s %20llu\n", dtcp_counter_name(c),
			       (unsigned long long)ctr[c]);
	if (app == NULL)
		return;
	/* All of them, zeros included: scripts grep for e.g. http_requests. */
	srv_app_counters(app, app_ctr);
	printf("dtcp-server: %s counters\n", srv_mode_name(mode));
	for (unsigned int c = 0; c < SRV_CTR__MAX; c++)
		printf("  %-28s %20llu\n", srv_counter_name(c), (unsigned long long)app_ctr[c]);
}

static void
print_ready(void)
{
	printf("dtcp-server: ready\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct srv_options srv = {.mode = SRV_MODE_ECHO, .ready = print_ready};
	struct srv_app *app = NULL;
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
	if (parse_args(argc - n, argv + n, &cfg, &srv) != 0) {
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	s = dtcp_stack_create(&cfg);
	if (s == NULL) {
		fprintf(stderr, "dtcp-server: cannot start: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	if (srv.nb_ports != 0) {
		srv.max_conns = cfg.tcp_max_conns;
		srv.snd_buf = cfg.tcp_snd_buf;
		app = srv_app_create(s, &srv);
		if (app == NULL) {
			dtcp_stack_destroy(s);
			rte_eal_cleanup();
			return EXIT_FAILURE;
		}
	}
	running_stack = s;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* With listeners the last lcore to open them says it (srv_init). */
	if (app == NULL)
		print_ready();
	n = dtcp_stack_run(s);
	running_stack = NULL;

	print_counters(s, app, srv.mode);
	dtcp_stack_destroy(s);
	if (srv_app_failed(app))
		n = -1;
	srv_app_destroy(app);
	rte_eal_cleanup();
	return n == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
