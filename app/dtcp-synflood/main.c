/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-synflood: a SYN-flood generator with legitimate clients alongside, to
 * measure what a flood does to a TCP server (dtcp-server, Linux, a proxy):
 * how many SYNs it answers and how long real clients wait to get in.
 *
 *   dtcp-synflood [EAL options] -- --addr A.B.C.D/N --target IP:PORT
 *       --rate PPS|max --duration S --spoof PREFIX/LEN [--legit-rate N] ...
 *
 * Ports (sf_args_mode): with two, port 0 is the dtcp stack's (--addr, the
 * legitimate clients, ARP for --addr) and port 1 the raw flood port, which
 * this program configures itself (the stack leaves ports without a [portN]
 * section alone); with one, the flood runs on port 0 without a stack and
 * answers ARP for --addr itself. The raw port learns the next hop's MAC by
 * ARP (sender --addr) unless --target-mac is given.
 *
 * Threads: with a stack, dtcp_stack_run() runs the loop on every lcore and
 * the application poll hook drives the flood on the last lcore and the
 * legitimate clients on lcore 0 (the same lcore when there is one). Without
 * a stack, main() polls the flood itself. A control thread prints the
 * progress line from the published snapshots (sf_run.h) and stops the loops
 * once the flood has ended, the clients have drained and a short linger has
 * passed. SIGINT/SIGTERM end the flood early (a second one stops at once).
 *
 * Exit status: 0 the run completed (whatever it measured), 1 runtime error,
 * 2 usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <dtcp/dtcp.h>

#include "sf_args.h"
#include "sf_flood.h"
#include "sf_legit.h"
#include "sf_report.h"
#include "sf_run.h"

#define EXIT_USAGE 2
/** After the flood (and the clients) ended, keep counting answers this long. */
#define SF_LINGER_MS 500
/** Stop the loops regardless this long after the last deadline. */
#define SF_STOP_SLACK_S 10
/** ARP for the next hop: tries, and the wait for a reply after each. */
#define SF_ARP_TRIES	   10
#define SF_ARP_INTERVAL_MS 300

/* Everything the control thread and the signal handler reach. */
struct sf_control {
	struct sf_ctx *ctx;
	struct dtcp_stack *stack; /**< NULL in a flood-only run */
	int quit_loop;		  /**< flood-only: main()'s loop ends (atomic) */
	int quit;		  /**< the control thread ends (atomic) */
	unsigned int printed;	  /**< progress lines printed */
	bool tty;		  /**< stderr is a terminal: redraw one line */
	int hard_stop;		  /**< a second signal arrived */
};

static struct sf_control *volatile signal_target;

static void
stop_loops(struct sf_control *c)
{
	if (c->stack != NULL)
		dtcp_stack_stop(c->stack);
	__atomic_store_n(&c->quit_loop, 1, __ATOMIC_RELEASE);
}

static void
on_signal(int sig)
{
	static volatile sig_atomic_t signals;
	struct sf_control *c = signal_target;

	(void)sig;
	if (c == NULL)
		return;
	if (signals++ == 0) {
		__atomic_store_n(&c->ctx->stop_req, 1, __ATOMIC_RELAXED);
	} else {
		c->hard_stop = 1;
		stop_loops(c);
	}
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static double
tsc_s(const struct sf_ctx *ctx, uint64_t ticks)
{
	return (double)ticks / (double)ctx->hz;
}

/*
 * Timeline entry @p k from the snapshots: counts are differences of
 * cumulative snapshots. @p nf / @p nl are how many each side published; a
 * side that published fewer (it stopped just before a boundary the other
 * crossed) contributes its last snapshot, i.e. nothing more.
 */
static void
timeline_entry(const struct sf_ctx *ctx, unsigned int k, uint32_t nf, uint32_t nl, double t,
	       double len_s, struct sf_tl *e)
{
	static const struct sf_flood_snap fzero;
	static const struct sf_legit_snap lzero = {.p99_us = -1};
	const struct sf_flood_snap *f = nf == 0 ? &fzero : &ctx->fsnap[RTE_MIN(k, nf - 1)];
	const struct sf_flood_snap *fp =
		k == 0 || nf == 0 ? &fzero : &ctx->fsnap[RTE_MIN(k - 1, nf - 1)];
	const struct sf_legit_snap *l = &lzero, *lp = &lzero;

	if (ctx->lsnap != NULL && nl != 0) {
		l = &ctx->lsnap[RTE_MIN(k, nl - 1)];
		lp = k == 0 ? &lzero : &ctx->lsnap[RTE_MIN(k - 1, nl - 1)];
	}
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->len_s = len_s;
	e->syn_sent = f->syn_sent - fp->syn_sent;
	e->synack_rx = f->synack_rx - fp->synack_rx;
	e->synack_unique = f->synack_unique - fp->synack_unique;
	e->rst_rx = f->rst_rx - fp->rst_rx;
	e->rx_frames = f->rx_frames - fp->rx_frames;
	e->legit_ok = l->ok - lp->ok;
	e->legit_failed = l->failed - lp->failed;
	e->connect_p99_us = k < nl ? l->p99_us : -1;
}

/*
 * The whole timeline once the loops have ended: full intervals, then the
 * last, partial one up to @p end_tsc, folded into its predecessor when it is
 * a sliver (the loops stopped just after a boundary). calloc'ed; NULL when
 * out of memory.
 */
static struct sf_tl *
build_timeline(const struct sf_ctx *ctx, uint64_t end_tsc, unsigned int *count)
{
	uint32_t nf = ctx->fpub, nl = ctx->legit != NULL ? ctx->lpub : ctx->fpub;
	unsigned int n = RTE_MAX(nf, nl);
	const double len = tsc_s(ctx, ctx->interval_tsc),
		     end = tsc_s(ctx, end_tsc - ctx->start_tsc);
	struct sf_tl *tl = calloc(n + 1, sizeof(*tl));

	if (tl == NULL)
		return NULL;
	for (unsigned int k = 0; k < n; k++) {
		double t = k + 1 == n ? end : len * (k + 1);

		timeline_entry(ctx, k, nf, nl, t, t - len * k, &tl[k]);
	}
	if (n >= 2 && tl[n - 1].len_s < len / 20) {
		struct sf_tl *p = &tl[n - 2], *q = &tl[n - 1];

		p->t = q->t;
		p->len_s += q->len_s;
		p->syn_sent += q->syn_sent;
		p->synack_rx += q->synack_rx;
		p->synack_unique += q->synack_unique;
		p->rst_rx += q->rst_rx;
		p->rx_frames += q->rx_frames;
		p->legit_ok += q->legit_ok;
		p->legit_failed += q->legit_failed;
		if (q->connect_p99_us > p->connect_p99_us)
			p->connect_p99_us = q->connect_p99_us; /* the sliver's few connects */
		n--;
	}
	*count = n;
	return tl;
}

static void
print_progress(struct sf_control *c, const struct sf_tl *e, unsigned int k, uint32_t nl)
{
	const struct sf_ctx *ctx = c->ctx;
	const struct sf_legit_snap *l =
		ctx->lsnap != NULL && nl != 0 ? &ctx->lsnap[RTE_MIN(k, nl - 1)] : NULL;
	char line[256];

	sf_progress_format(line, sizeof(line), e, ctx->legit != NULL, l ? l->ok : 0,
			   l ? l->failed : 0);
	fprintf(stderr, c->tty ? "\r%s\033[K" : "%s\n", line);
	fflush(stderr);
}

/* Print the progress lines of every interval both sides have finished. */
static void
progress(struct sf_control *c)
{
	const struct sf_ctx *ctx = c->ctx;
	const double len = tsc_s(ctx, ctx->interval_tsc);
	uint32_t nf = __atomic_load_n(&ctx->fpub, __ATOMIC_ACQUIRE);
	uint32_t nl = ctx->legit != NULL ? __atomic_load_n(&ctx->lpub, __ATOMIC_ACQUIRE) : nf;
	struct sf_tl e;

	for (; c->printed < RTE_MIN(nf, nl); c->printed++) {
		timeline_entry(ctx, c->printed, nf, nl, len * (c->printed + 1), len, &e);
		print_progress(c, &e, c->printed, nl);
	}
}

static void *
control_main(void *arg)
{
	struct sf_control *c = arg;
	struct sf_ctx *ctx = c->ctx;
	const uint64_t linger = ctx->hz * SF_LINGER_MS / 1000;
	const uint64_t hard =
		ctx->deadline_tsc +
		ctx->hz * ((ctx->legit != NULL ? ctx->args->legit_timeout_s : 0) + SF_STOP_SLACK_S);

	while (!__atomic_load_n(&c->quit, __ATOMIC_ACQUIRE)) {
		uint64_t now;

		sleep_ms(10);
		now = rte_get_tsc_cycles();
		progress(c);
		if (__atomic_load_n(&ctx->flood_done, __ATOMIC_ACQUIRE) != 0 &&
		    (ctx->legit == NULL ||
		     __atomic_load_n(&ctx->legit_done, __ATOMIC_ACQUIRE) != 0) &&
		    now >= ctx->flood_end_tsc + linger) {
			stop_loops(c);
			break;
		}
		if (now >= hard) {
			fprintf(stderr,
				"%sdtcp-synflood: the run did not wind down in time: stopping\n",
				c->tty ? "\n" : "");
			stop_loops(c);
			break;
		}
	}
	return NULL;
}

/* Stack-mode application hooks: the flood on ctx->flood_lcore, the clients on lcore 0. */
static void
app_poll(struct dtcp_lcore *lc, void *arg)
{
	struct sf_ctx *ctx = arg;
	unsigned int i = dtcp_lcore_index(lc);
	uint64_t now = rte_get_tsc_cycles();

	if (i == ctx->flood_lcore)
		sf_flood_poll(ctx->flood, now);
	if (i == 0 && ctx->legit != NULL)
		sf_legit_poll(ctx->legit, lc, now);
}

static void
app_fini(struct dtcp_lcore *lc, void *arg)
{
	struct sf_ctx *ctx = arg;
	unsigned int i = dtcp_lcore_index(lc);
	uint64_t now = rte_get_tsc_cycles();

	if (i == ctx->flood_lcore)
		sf_flood_finish(ctx->flood, now);
	if (i == 0 && ctx->legit != NULL)
		sf_legit_finish(ctx->legit, now);
}

/* Stack configuration: defaults, the --config file, then the command line. */
static int
configure(const struct sf_args *a, struct dtcp_config *cfg)
{
	char err[DTCP_CONFIG_ERR_LEN];

	dtcp_config_init(cfg);
	if ((a->config != NULL && dtcp_config_load(cfg, a->config, err, sizeof(err)) != 0) ||
	    /* The flood runs inside the loop: a nap of the loop would stall it. */
	    dtcp_config_set(cfg, "stack", "idle_sleep_us", "0", err, sizeof(err)) != 0 ||
	    dtcp_config_set(cfg, "port0", "address", a->addr_str, err, sizeof(err)) != 0 ||
	    (a->gateway_str != NULL &&
	     dtcp_config_set(cfg, "port0", "gateway", a->gateway_str, err, sizeof(err)) != 0) ||
	    dtcp_config_validate(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "dtcp-synflood: %s\n", err);
		return -1;
	}
	return 0;
}

/* Learn (or take from --target-mac) the MAC the SYNs go to. */
static int
next_hop_mac(const struct sf_args *a, struct sf_flood *f, struct rte_ether_addr *mac)
{
	char ip[INET_ADDRSTRLEN];
	struct in_addr in = {.s_addr = sf_args_next_hop(a)};

	if (a->have_target_mac) {
		memcpy(mac->addr_bytes, a->target_mac, 6);
		return 0;
	}
	inet_ntop(AF_INET, &in, ip, sizeof(ip));
	if (sf_flood_resolve(f, in.s_addr, SF_ARP_TRIES, SF_ARP_INTERVAL_MS, mac) != 0) {
		fprintf(stderr,
			"dtcp-synflood: no ARP reply from %s on the raw port after %u tries "
			"(%u ms apart): check the path, or give --target-mac\n",
			ip, SF_ARP_TRIES, SF_ARP_INTERVAL_MS);
		return -1;
	}
	fprintf(stderr, "dtcp-synflood: %s is at " RTE_ETHER_ADDR_PRT_FMT "\n", ip,
		RTE_ETHER_ADDR_BYTES(mac));
	return 0;
}

static int
ctx_init(struct sf_ctx *ctx, const struct sf_args *a)
{
	uint64_t span_s = (uint64_t)a->duration_s + (a->legit_rate ? a->legit_timeout_s : 0) +
			  SF_STOP_SLACK_S + 2;

	memset(ctx, 0, sizeof(*ctx));
	ctx->args = a;
	ctx->hz = rte_get_tsc_hz();
	ctx->interval_tsc = ctx->hz * a->progress_ms / 1000;
	ctx->nb_snap = (uint32_t)(span_s * 1000 / a->progress_ms + 4);
	ctx->fsnap = calloc(ctx->nb_snap, sizeof(*ctx->fsnap));
	if (ctx->fsnap == NULL)
		return -ENOMEM;
	if (a->legit_rate != 0) {
		ctx->lsnap = calloc(ctx->nb_snap, sizeof(*ctx->lsnap));
		ctx->legit = sf_legit_create(ctx);
		if (ctx->lsnap == NULL || ctx->legit == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
ctx_fini(struct sf_ctx *ctx)
{
	sf_legit_free(ctx->legit);
	free(ctx->fsnap);
	free(ctx->lsnap);
}

/* Assemble the result from the snapshots and counters (loops ended). */
static int
report(const struct sf_args *a, struct sf_ctx *ctx, uint64_t end_tsc, bool interrupted)
{
	struct sf_result r;
	struct sf_flood_snap fs;
	struct sf_tl *tl;
	unsigned int n;
	int status = 0;

	tl = build_timeline(ctx, end_tsc, &n);
	if (tl == NULL) {
		fprintf(stderr, "dtcp-synflood: out of memory\n");
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.target = a->target_str;
	r.rate_max = a->rate_max;
	r.rate_pps = a->rate_pps;
	r.duration_s = tsc_s(ctx, ctx->flood_end_tsc - ctx->start_tsc);
	r.legit = ctx->legit != NULL;
	r.interrupted = interrupted;
	sf_flood_totals(ctx->flood, &fs);
	r.tot.syn_sent = fs.syn_sent;
	r.tot.tx_dropped = fs.tx_dropped;
	r.tot.synack_rx = fs.synack_rx;
	r.tot.synack_unique = fs.synack_unique;
	r.tot.rst_rx = fs.rst_rx;
	r.tot.other_rx = fs.other_rx;
	r.tot.rx_frames = fs.rx_frames;
	if (ctx->legit != NULL) {
		sf_legit_totals(ctx->legit, &r.tot);
		r.connect_us = sf_legit_hist(ctx->legit);
	}
	r.timeline = tl;
	r.nb_timeline = n;

	sf_report_text(stdout, &r);
	if (ctx->flood->alloc_failed != 0)
		printf("  (TX pool empty %llu times: the device holds on to sent mbufs)\n",
		       (unsigned long long)ctx->flood->alloc_failed);
	if (ctx->flood->credit_lost / ctx->hz != 0)
		printf("  (%llu SYNs not offered: the loop stalled for more than 10 ms at a time; "
		       "is "
		       "the core shared?)\n",
		       (unsigned long long)(ctx->flood->credit_lost / ctx->hz));
	if (ctx->flood->arp_replies != 0)
		printf("  (answered %llu ARP requests for --addr)\n",
		       (unsigned long long)ctx->flood->arp_replies);
	fflush(stdout);
	if (a->json_path != NULL) {
		FILE *f = fopen(a->json_path, "w");

		if (f != NULL)
			sf_report_json(f, &r);
		if (f == NULL || ferror(f) || fclose(f) != 0) {
			fprintf(stderr, "dtcp-synflood: cannot write %s: %s\n", a->json_path,
				strerror(errno));
			status = -1;
		}
	}
	free(tl);
	return status;
}

/* Run the flood (and the clients) to the end; report. Returns the exit status. */
static int
run(const struct sf_args *a, struct sf_ctx *ctx, struct dtcp_stack *s)
{
	struct sf_control c = {.ctx = ctx, .stack = s, .tty = isatty(STDERR_FILENO) != 0};
	struct sigaction sa = {.sa_handler = on_signal};
	struct dtcp_app app = {.poll = app_poll, .fini = app_fini, .arg = ctx};
	struct sf_tl *tl;
	unsigned int n;
	pthread_t tid;
	uint64_t end_tsc;
	int rc, status = EXIT_SUCCESS;

	if (s != NULL)
		dtcp_stack_set_app(s, &app);
	signal_target = &c;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ctx->start_tsc = rte_get_tsc_cycles();
	ctx->deadline_tsc = ctx->start_tsc + ctx->hz * a->duration_s;
	sf_flood_start(ctx->flood);
	if (ctx->legit != NULL)
		sf_legit_start(ctx->legit);
	rc = rte_ctrl_thread_create(&tid, "sf-ctl", NULL, control_main, &c);
	if (rc != 0) {
		fprintf(stderr, "dtcp-synflood: cannot start the control thread: %s\n",
			strerror(-rc));
		signal_target = NULL;
		return EXIT_FAILURE;
	}
	if (s != NULL) {
		rc = dtcp_stack_run(s);
	} else {
		while (!__atomic_load_n(&c.quit_loop, __ATOMIC_ACQUIRE))
			sf_flood_poll(ctx->flood, rte_get_tsc_cycles());
		sf_flood_finish(ctx->flood, rte_get_tsc_cycles());
		rc = 0;
	}
	end_tsc = rte_get_tsc_cycles();
	__atomic_store_n(&c.quit, 1, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);
	signal_target = NULL;

	/* The intervals the control thread had not printed yet, the last partial one included. */
	tl = build_timeline(ctx, end_tsc, &n);
	for (; tl != NULL && c.printed < n; c.printed++)
		print_progress(&c, &tl[c.printed], c.printed, ctx->lpub);
	if (c.tty)
		fputc('\n', stderr);
	free(tl);
	if (rc != 0) {
		fprintf(stderr, "dtcp-synflood: the stack loop failed (%d)\n", rc);
		status = EXIT_FAILURE;
	}
	if (report(a, ctx, end_tsc, ctx->stop_req != 0) != 0)
		status = EXIT_FAILURE;
	if (s != NULL)
		dtcp_stack_set_app(s, NULL);
	return status;
}

static void
announce(const struct sf_args *a, enum sf_mode mode, uint16_t raw_port)
{
	char net[INET_ADDRSTRLEN], rate[32];
	struct in_addr in = {.s_addr = a->spoof_net};

	inet_ntop(AF_INET, &in, net, sizeof(net));
	if (a->rate_max)
		snprintf(rate, sizeof(rate), "max");
	else
		snprintf(rate, sizeof(rate), "%llu/s", (unsigned long long)a->rate_pps);
	fprintf(stderr, "dtcp-synflood: SYNs to %s from %s/%u at %s for %u s on port %u",
		a->target_str, net, a->spoof_len, rate, a->duration_s, raw_port);
	if (mode == SF_MODE_FLOOD_ONLY)
		fprintf(stderr, " (flood only, no stack)\n");
	else
		fprintf(stderr, "; %u legitimate connections/s through the stack on port 0\n",
			a->legit_rate);
}

/* Which ports: the stack's (or none) and the raw one, by DPDK port id. */
static int
pick_ports(enum sf_mode mode, uint16_t *raw)
{
	uint16_t ids[2], n = 0, p;

	RTE_ETH_FOREACH_DEV(p)
	{
		if (n < 2)
			ids[n] = p;
		n++;
	}
	/* [port0] names DPDK port id 0: the stack's port must be it. */
	if (mode == SF_MODE_STACK && ids[0] != 0) {
		fprintf(stderr, "dtcp-synflood: the first DPDK port has id %u, expected 0\n",
			ids[0]);
		return -1;
	}
	*raw = mode == SF_MODE_STACK ? ids[1] : ids[0];
	return 0;
}

/* Can port 0 and the raw port share the work (sf_args_check_ports)? */
static int
check_ports(uint16_t raw_port, char *err, size_t err_len)
{
	struct rte_eth_dev_info i0, i1;
	struct rte_ether_addr m0, m1;

	if (rte_eth_dev_info_get(0, &i0) != 0 || rte_eth_dev_info_get(raw_port, &i1) != 0 ||
	    rte_eth_macaddr_get(0, &m0) != 0 || rte_eth_macaddr_get(raw_port, &m1) != 0)
		return 0; /* port set-up will say what is wrong */
	if (sf_args_check_ports(i0.driver_name, m0.addr_bytes, i1.driver_name, m1.addr_bytes, err,
				err_len) == 0)
		return 0;
	fprintf(stderr, "dtcp-synflood: %s\n", err);
	return -1;
}

int
main(int argc, char **argv)
{
	char err[512];
	struct sf_args args;
	struct sf_ctx ctx;
	struct sf_flood flood;
	struct dtcp_config cfg;
	struct dtcp_stack *s = NULL;
	struct rte_ether_addr dst_mac;
	enum sf_mode mode;
	uint16_t raw_port;
	int n, status = EXIT_FAILURE;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dtcp-synflood: EAL init failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argv[n] = argv[0];
	switch (sf_args_parse(argc - n, argv + n, &args, err, sizeof(err))) {
	case SF_ARGS_OK:
		break;
	case SF_ARGS_HELP:
		sf_args_usage(stdout, argv[0]);
		rte_eal_cleanup();
		return EXIT_SUCCESS;
	default:
		fprintf(stderr, "dtcp-synflood: %s (--help for usage)\n", err);
		rte_eal_cleanup();
		return EXIT_USAGE;
	}
	mode = sf_args_mode(&args, rte_eth_dev_count_avail(), err, sizeof(err));
	if (mode == SF_MODE_ERROR) {
		fprintf(stderr, "dtcp-synflood: %s\n", err);
		rte_eal_cleanup();
		return EXIT_USAGE;
	}
	if (pick_ports(mode, &raw_port) != 0 ||
	    (mode == SF_MODE_STACK && check_ports(raw_port, err, sizeof(err)) != 0)) {
		rte_eal_cleanup();
		return EXIT_USAGE;
	}
	if (mode == SF_MODE_FLOOD_ONLY && rte_lcore_count() > 1)
		fprintf(stderr, "dtcp-synflood: flood-only run: only the main lcore works\n");

	memset(&flood, 0, sizeof(flood));
	memset(&ctx, 0, sizeof(ctx));
	if (mode == SF_MODE_STACK) {
		if (configure(&args, &cfg) != 0) {
			rte_eal_cleanup();
			return EXIT_USAGE;
		}
		s = dtcp_stack_create(&cfg);
		if (s == NULL) {
			fprintf(stderr, "dtcp-synflood: cannot start the stack: %s\n",
				rte_strerror(rte_errno));
			goto out;
		}
	}
	if (sf_flood_port_init(&flood, raw_port, &args, mode == SF_MODE_FLOOD_ONLY, err,
			       sizeof(err)) != 0) {
		fprintf(stderr, "dtcp-synflood: %s\n", err);
		goto out;
	}
	if (next_hop_mac(&args, &flood, &dst_mac) != 0)
		goto out;
	if (ctx_init(&ctx, &args) != 0 || sf_flood_prepare(&flood, &ctx, &dst_mac) != 0) {
		fprintf(stderr, "dtcp-synflood: out of memory\n");
		goto out;
	}
	ctx.flood = &flood;
	ctx.flood_lcore = s != NULL ? dtcp_stack_lcore_count(s) - 1 : 0;
	announce(&args, mode, raw_port);
	status = run(&args, &ctx, s);
out:
	sf_flood_fini(&flood);
	dtcp_stack_destroy(s);
	ctx_fini(&ctx);
	rte_eal_cleanup();
	return status;
}
