/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost_stream_sink: the receiving end of the vhost-user stream test
 * (test_vhost_stream.sh), a dtcp application that checks every byte it reads.
 *
 *   vhost_stream_sink [EAL options] -- --addr A.B.C.D/N --listen PORT --bytes N
 *                     [--config FILE]
 *   vhost_stream_sink [EAL options, --vdev net_vhost0,...] -- --probe-offloads
 *                     [--attach virtio_user0,path=...]
 *
 * Stream mode: the stack (libdtcp, one port) listens on PORT and takes one
 * connection at a time. Everything read with dtcp_recv() is compared with
 * what dtcp-perf --test stream sends: byte i of the connection's stream is
 * i mod 251. The pattern is written out here from that definition, not taken
 * from dtcp-perf. Lines on stdout (flushed, for the script to wait on):
 *   vhost_stream_sink: ready
 *   vhost_stream_sink: reached N bytes, verified, S s after the first byte
 *   vhost_stream_sink: FIN after T bytes
 *   vhost_stream_sink: MISMATCH at stream offset O: got 0xXX, want 0xYY
 * SIGINT/SIGTERM stop the stack; then the summary ("sink_NAME VALUE" lines)
 * and the stack's non-zero counters ("  NAME VALUE") are printed. Exits 0
 * unless a byte was wrong, an extra connection came, or the stack failed:
 * how much arrived and how it ended are for the script to judge.
 *
 * A period of 251 cannot tell a stream from itself shifted by a multiple of
 * 251 bytes; the script's byte counts (sender against receiver) cover that.
 *
 * Probe mode: no stack. Start the ports EAL probed (a net_vhost creates its
 * socket when started), attach --attach (a virtio_user on that socket, which
 * negotiates virtio features with the net_vhost of this same process), and
 * print for every port its driver, its RX/TX offload capabilities and whether
 * TCP segmentation offload (TX TCP_TSO) and large receive offload (RX
 * TCP_LRO) are offered. Exits 0 if every port answered.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <dtcp/dtcp.h>
#include <dtcp/dtcp_tcp.h>

#define SINK "vhost_stream_sink"

/* The stream: byte i is i mod PERIOD. */
#define PERIOD 251u
/* Bytes compared per memcmp() against the table. */
#define CHUNK	    2048u
#define EVENT_BURST 64

struct sink_opts {
	const char *addr;
	const char *config;
	uint16_t port;
	uint64_t bytes; /* the "reached" line once this many were verified */
	bool probe;
	const char *attach; /* probe mode: devargs hot-plugged after the ports started */
};

/* Touched by the one lcore while the stack runs, read by main() after it stopped. */
struct sink {
	const struct sink_opts *o;
	struct dtcp_listener *listener;
	struct dtcp_conn *conn; /* the stream being read, NULL between streams */
	uint64_t off;		/* bytes of the current stream verified */
	uint64_t total;		/* bytes verified over every stream */
	uint64_t tsc_first;	/* first byte of the current stream */
	uint64_t connections;
	uint64_t extra_connections; /* refused: one stream at a time */
	uint64_t fins;		    /* streams that ended with FIN after their data */
	uint64_t errors;	    /* streams that ended with DTCP_EV_ERROR */
	uint64_t mismatches;	    /* streams cut off by a wrong byte */
	bool reached;
	bool listen_failed;
	uint8_t table[PERIOD + CHUNK];
};

static struct dtcp_stack *volatile running_stack;

static void
on_signal(int sig)
{
	struct dtcp_stack *s = running_stack;

	(void)sig;
	if (s != NULL)
		dtcp_stack_stop(s);
}

/* ---- offloads ---------------------------------------------------------------------------- */

static void
print_capa(uint16_t port, const char *dir, uint64_t capa, const char *(*name)(uint64_t))
{
	printf(SINK ": port %u %s offload capa 0x%" PRIx64 ":", port, dir, capa);
	if (capa == 0)
		printf(" none");
	for (uint64_t bit = 1; bit != 0; bit <<= 1)
		if (capa & bit)
			printf(" %s", name(bit));
	printf("\n");
}

static int
print_port_offloads(uint16_t port)
{
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(port, &info);

	if (rc != 0) {
		fprintf(stderr, SINK ": port %u: dev_info: %s\n", port, rte_strerror(-rc));
		return -1;
	}
	printf(SINK ": port %u driver %s\n", port, info.driver_name);
	print_capa(port, "rx", info.rx_offload_capa, rte_eth_dev_rx_offload_name);
	print_capa(port, "tx", info.tx_offload_capa, rte_eth_dev_tx_offload_name);
	printf(SINK ": port %u (%s) TSO offered: %s; LRO offered: %s\n", port, info.driver_name,
	       (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO) ? "yes" : "no",
	       (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO) ? "yes" : "no");
	return 0;
}

/* Configure and start @p port with one queue pair and no offload: net_vhost creates its socket
 * here. */
static int
start_port(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		fprintf(stderr, SINK ": port %u setup: %s\n", port, rte_strerror(-rc));
	return rc;
}

/*
 * Start the ports EAL probed (a net_vhost), then attach @p attach (a
 * virtio_user on the net_vhost's socket: it negotiates with the net_vhost of
 * this same process) and print what every port offers.
 */
static int
probe_offloads(const char *attach)
{
	struct rte_mempool *pool;
	uint16_t port;
	int rc = 0, n = 0;

	pool = rte_pktmbuf_pool_create(SINK "_probe", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, SINK ": mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	RTE_ETH_FOREACH_DEV(port)
	{
		if (start_port(port, pool) != 0)
			return -1;
	}
	if (attach != NULL) {
		rc = rte_dev_probe(attach);
		if (rc != 0) {
			fprintf(stderr, SINK ": attach %s: %s\n", attach, rte_strerror(-rc));
			return -1;
		}
	}
	RTE_ETH_FOREACH_DEV(port)
	{
		n++;
		if (print_port_offloads(port) != 0)
			rc = -1;
	}
	printf(SINK ": %d port(s) probed\n", n);
	/* The attached virtio_user first, while its backend still answers. */
	for (int p = RTE_MAX_ETHPORTS - 1; p >= 0; p--) {
		if (!rte_eth_dev_is_valid_port((uint16_t)p))
			continue;
		rte_eth_dev_stop((uint16_t)p);
		rte_eth_dev_close((uint16_t)p);
	}
	return n == 0 ? -1 : rc;
}

/* ---- the stream ------------------------------------------------------------------------- */

/*
 * Check @p len bytes at stream offset s->off. Returns 0, or -1 after printing
 * the first wrong byte.
 */
static int
verify(struct sink *s, const uint8_t *p, uint32_t len)
{
	while (len > 0) {
		uint32_t n = len < CHUNK ? len : CHUNK;
		const uint8_t *want = s->table + s->off % PERIOD;

		if (memcmp(p, want, n) != 0) {
			uint32_t i = 0;

			while (p[i] == want[i])
				i++;
			printf(SINK ": MISMATCH at stream offset %" PRIu64 ": got 0x%02x, want "
				    "0x%02x\n",
			       s->off + i, p[i], want[i]);
			fflush(stdout);
			s->off += i;
			s->total += i;
			return -1;
		}
		s->off += n;
		s->total += n;
		p += n;
		len -= n;
	}
	return 0;
}

static void
stream_end(struct sink *s, bool reset)
{
	if (reset)
		dtcp_abort(s->conn);
	else
		dtcp_close(s->conn);
	s->conn = NULL;
}

/* Read and check everything queued. Returns 0, or -1 if the stream was cut off. */
static int
stream_read(struct sink *s)
{
	struct rte_mbuf *chain;

	while ((chain = dtcp_recv(s->conn)) != NULL) {
		int rc = 0;

		if (s->off == 0)
			s->tsc_first = rte_get_tsc_cycles();
		for (struct rte_mbuf *m = chain; m != NULL && rc == 0; m = m->next)
			rc = verify(s, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		rte_pktmbuf_free(chain);
		if (rc != 0) {
			s->mismatches++;
			stream_end(s, true);
			return -1;
		}
		if (!s->reached && s->o->bytes != 0 && s->off >= s->o->bytes) {
			s->reached = true;
			printf(SINK ": reached %" PRIu64 " bytes, verified, %.3f s after the "
				    "first byte\n",
			       s->o->bytes,
			       (double)(rte_get_tsc_cycles() - s->tsc_first) /
				       (double)rte_get_tsc_hz());
			fflush(stdout);
		}
	}
	return 0;
}

static void
accept_all(struct sink *s)
{
	struct dtcp_conn *c;

	while ((c = dtcp_accept(s->listener, s)) != NULL) {
		if (s->conn != NULL) {
			s->extra_connections++;
			dtcp_abort(c);
			continue;
		}
		s->conn = c;
		s->off = 0;
		s->connections++;
	}
}

static void
on_event(struct sink *s, const struct dtcp_event *ev)
{
	if (ev->type == DTCP_EV_ACCEPT) {
		accept_all(s);
		return;
	}
	if (s->conn == NULL || ev->conn != s->conn)
		return; /* a stream already ended */
	switch (ev->type) {
	case DTCP_EV_READABLE:
		stream_read(s);
		break;
	case DTCP_EV_PEER_CLOSED:
	case DTCP_EV_CLOSED:
		/* What is still queued came before the FIN. */
		if (stream_read(s) != 0)
			break;
		s->fins++;
		printf(SINK ": FIN after %" PRIu64 " bytes\n", s->off);
		fflush(stdout);
		stream_end(s, false);
		break;
	case DTCP_EV_ERROR:
		s->errors++;
		printf(SINK ": connection error %s after %" PRIu64 " bytes\n", strerror(ev->error),
		       s->off);
		fflush(stdout);
		stream_end(s, false);
		break;
	default:
		break;
	}
}

static int
sink_init(struct dtcp_lcore *lc, void *arg)
{
	struct sink *s = arg;

	s->listener = dtcp_listen(lc, 0, s->o->port, 16, s);
	if (s->listener == NULL) {
		fprintf(stderr, SINK ": listen on %u: %s\n", s->o->port, rte_strerror(rte_errno));
		s->listen_failed = true;
		return -1;
	}
	printf(SINK ": ready\n");
	fflush(stdout);
	return 0;
}

static void
sink_poll(struct dtcp_lcore *lc, void *arg)
{
	struct sink *s = arg;
	struct dtcp_event ev[EVENT_BURST];
	unsigned int n;

	do {
		n = dtcp_events(lc, ev, EVENT_BURST);
		for (unsigned int i = 0; i < n; i++)
			on_event(s, &ev[i]);
	} while (n == EVENT_BURST);
}

static void
sink_fini(struct dtcp_lcore *lc, void *arg)
{
	struct sink *s = arg;

	(void)lc;
	if (s->conn != NULL)
		stream_end(s, true);
	if (s->listener != NULL)
		dtcp_unlisten(s->listener);
	s->listener = NULL;
}

static void
print_summary(const struct sink *s, const struct dtcp_stack *stack)
{
	uint64_t ctr[DTCP_CTR__MAX];

	printf(SINK ": summary\n");
	printf("sink_bytes_verified %" PRIu64 "\n", s->total);
	printf("sink_connections %" PRIu64 "\n", s->connections);
	printf("sink_extra_connections %" PRIu64 "\n", s->extra_connections);
	printf("sink_fins %" PRIu64 "\n", s->fins);
	printf("sink_errors %" PRIu64 "\n", s->errors);
	printf("sink_mismatches %" PRIu64 "\n", s->mismatches);
	dtcp_stack_counters(stack, ctr);
	printf(SINK ": stack counters\n");
	for (unsigned int c = 0; c < DTCP_CTR__MAX; c++)
		if (ctr[c] != 0)
			printf("  %-28s %20" PRIu64 "\n", dtcp_counter_name(c), ctr[c]);
}

static int
run_stream(const struct sink_opts *o)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct dtcp_config cfg;
	struct dtcp_stack *stack;
	struct dtcp_app app;
	struct sink *s;
	char err[DTCP_CONFIG_ERR_LEN];
	int rc;

	dtcp_config_init(&cfg);
	if (dtcp_config_set(&cfg, "stack", "idle_sleep_us", "0", err, sizeof(err)) != 0 ||
	    (o->config != NULL && dtcp_config_load(&cfg, o->config, err, sizeof(err)) != 0) ||
	    dtcp_config_set(&cfg, "port0", "address", o->addr, err, sizeof(err)) != 0 ||
	    dtcp_config_validate(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, SINK ": %s\n", err);
		return -1;
	}
	stack = dtcp_stack_create(&cfg);
	if (stack == NULL) {
		fprintf(stderr, SINK ": cannot start: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if (dtcp_stack_lcore_count(stack) != 1) {
		fprintf(stderr, SINK ": run it on one lcore (-l N)\n");
		dtcp_stack_destroy(stack);
		return -1;
	}
	/* What this port's PMD offers; the stack logs what it asked for and got. */
	print_port_offloads(0);
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		dtcp_stack_destroy(stack);
		return -1;
	}
	s->o = o;
	for (unsigned int i = 0; i < sizeof(s->table); i++)
		s->table[i] = (uint8_t)(i % PERIOD);
	memset(&app, 0, sizeof(app));
	app.init = sink_init;
	app.poll = sink_poll;
	app.fini = sink_fini;
	app.arg = s;
	dtcp_stack_set_app(stack, &app);

	running_stack = stack;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = dtcp_stack_run(stack);
	running_stack = NULL;
	dtcp_stack_set_app(stack, NULL);

	print_summary(s, stack);
	if (rc != 0 || s->listen_failed || s->mismatches != 0 || s->extra_connections != 0)
		rc = -1;
	free(s);
	dtcp_stack_destroy(stack);
	return rc;
}

/* ---- arguments -------------------------------------------------------------------------- */

static int
parse_args(int argc, char **argv, struct sink_opts *o)
{
	static const struct option longopts[] = {
		{"addr", required_argument, NULL, 'a'},
		{"listen", required_argument, NULL, 'l'},
		{"bytes", required_argument, NULL, 'b'},
		{"config", required_argument, NULL, 'c'},
		{"probe-offloads", no_argument, NULL, 'p'},
		{"attach", required_argument, NULL, 'A'},
		{NULL, 0, NULL, 0},
	};
	unsigned long long v;
	char *end;
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			o->addr = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'p':
			o->probe = true;
			break;
		case 'A':
			o->attach = optarg;
			break;
		case 'l':
		case 'b':
			errno = 0;
			v = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || optarg[0] == '-' ||
			    (opt == 'l' && (v == 0 || v > UINT16_MAX))) {
				fprintf(stderr, SINK ": bad value '%s'\n", optarg);
				return -1;
			}
			if (opt == 'l')
				o->port = (uint16_t)v;
			else
				o->bytes = v;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || (!o->probe && (o->addr == NULL || o->port == 0)))
		goto usage;
	return 0;
usage:
	fprintf(stderr, "usage: " SINK " [EAL options] -- --addr A.B.C.D/N --listen PORT "
			"[--bytes N] [--config FILE]\n"
			"       " SINK " [EAL options] -- --probe-offloads [--attach DEVARGS]\n");
	return -1;
}

int
main(int argc, char **argv)
{
	struct sink_opts o;
	int n, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, SINK ": EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	if (parse_args(argc - n, argv + n, &o) != 0) {
		rte_eal_cleanup();
		return 2;
	}
	rc = o.probe ? probe_offloads(o.attach) : run_stream(&o);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
