/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-perf: a netperf-like load generator on dtcp (connect, crr, rr, stream).
 *
 *   dtcp-perf [EAL options] -- --addr A.B.C.D/N [--gateway G] [--config FILE]
 *       --server IP:PORT --test connect|crr|rr|stream [--duration S]
 *       [--concurrency C] [--size B] [--count N] [--http PATH] [--verify] [--json]
 *       [--stats]
 *
 * The load runs inside the stack loop on every lcore (perf_run.c). A control
 * thread prints a progress line per second on stderr and stops the stack once
 * every lcore has finished. Prints "dtcp-perf: ready" when the ports are up
 * (on stderr with --json, so that stdout is exactly one JSON object), the
 * report at the end, and exits 0 with no errors, 1 with errors or nothing
 * measured, 2 on a usage error. SIGINT/SIGTERM end the run early (a second
 * one stops the stack at once).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <dtcp/dtcp.h>
#include <dtcp/dtcp_tcp.h>

#include "perf_args.h"
#include "perf_report.h"
#include "perf_run.h"

#define EXIT_USAGE 2
/** Time the lcores get after they finished to send their FINs before the stack stops. */
#define PERF_LINGER_MS 200
/** Stop the stack anyway if the lcores have not finished this long after the deadline. */
#define PERF_STOP_SLACK_S 10

/* The control thread's view of the run. */
struct perf_control {
	struct dtcp_stack *stack;
	struct perf_ctx *ctx;
	int quit; /**< set by main() once dtcp_stack_run() returned */
};

/* The signal handler's only way to reach the run. */
static struct perf_control *volatile signal_target;

static void
on_signal(int sig)
{
	static volatile sig_atomic_t signals;
	struct perf_control *pc = signal_target;

	(void)sig;
	if (pc == NULL)
		return;
	/* First: wind down and report. Second: stop now. */
	if (signals++ == 0)
		perf_ctx_request_stop(pc->ctx);
	else
		dtcp_stack_stop(pc->stack);
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
print_progress(const struct perf_ctx *ctx, struct perf_progress *last, unsigned int sec)
{
	struct perf_progress p;

	perf_ctx_progress(ctx, &p);
	fprintf(stderr,
		"dtcp-perf: %4us %10llu trans/s %10.3f Mbit/s out %10.3f Mbit/s in %8llu in "
		"flight %llu errors\n",
		sec, (unsigned long long)(p.transactions - last->transactions),
		(double)(p.bytes_sent - last->bytes_sent) * 8 / 1e6,
		(double)(p.bytes_received - last->bytes_received) * 8 / 1e6,
		(unsigned long long)p.inflight, (unsigned long long)p.errors);
	*last = p;
}

/*
 * Progress once a second; stop the stack when every lcore has drained (after
 * a short linger so the last FINs and ACKs are exchanged), or, should that
 * never happen, some time after the deadline.
 */
static void *
control_main(void *arg)
{
	struct perf_control *pc = arg;
	struct perf_ctx *ctx = pc->ctx;
	const uint64_t hz = ctx->tsc_hz;
	uint64_t next = ctx->start_tsc + hz, all_done = 0;
	struct perf_progress last, now_p;
	unsigned int sec = 0;

	memset(&last, 0, sizeof(last));
	while (!__atomic_load_n(&pc->quit, __ATOMIC_ACQUIRE)) {
		uint64_t now = rte_get_tsc_cycles();

		sleep_ms(10);
		if (now >= next) {
			print_progress(ctx, &last, ++sec);
			next += hz;
		}
		perf_ctx_progress(ctx, &now_p);
		if (now_p.lcores_done == ctx->nb_lcores && all_done == 0)
			all_done = now;
		if ((all_done != 0 && now >= all_done + hz * PERF_LINGER_MS / 1000) ||
		    now >= ctx->deadline_tsc + hz * PERF_STOP_SLACK_S) {
			dtcp_stack_stop(pc->stack);
			break;
		}
	}
	return NULL;
}

static void
print_counters(const struct dtcp_stack *s)
{
	uint64_t ctr[DTCP_CTR__MAX];

	dtcp_stack_counters(s, ctr);
	fprintf(stderr, "dtcp-perf: stack counters\n");
	for (unsigned int c = 0; c < DTCP_CTR__MAX; c++)
		if (ctr[c] != 0)
			fprintf(stderr, "  %-28s %20llu\n", dtcp_counter_name(c),
				(unsigned long long)ctr[c]);
}

/* Stack configuration: perf defaults, then the file, then --addr / --gateway. */
static int
configure(const struct perf_args *a, struct dtcp_config *cfg)
{
	char err[DTCP_CONFIG_ERR_LEN];

	dtcp_config_init(cfg);
	/* Busy-poll: a nap of the loop would show up in every latency measured. */
	if (dtcp_config_set(cfg, "stack", "idle_sleep_us", "0", err, sizeof(err)) != 0 ||
	    (a->config != NULL && dtcp_config_load(cfg, a->config, err, sizeof(err)) != 0) ||
	    (a->addr != NULL &&
	     dtcp_config_set(cfg, "port0", "address", a->addr, err, sizeof(err)) != 0) ||
	    (a->gateway != NULL &&
	     dtcp_config_set(cfg, "port0", "gateway", a->gateway, err, sizeof(err)) != 0) ||
	    dtcp_config_validate(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "dtcp-perf: %s\n", err);
		return -1;
	}
	return 0;
}

static int
run(const struct perf_args *a, struct dtcp_stack *s)
{
	struct perf_control pc = {.stack = s};
	struct perf_result r;
	struct perf_ctx *ctx;
	struct perf_hist *hist;
	struct dtcp_app app;
	struct sigaction sa = {.sa_handler = on_signal};
	pthread_t tid;
	int rc, status;

	ctx = calloc(1, sizeof(*ctx));
	hist = malloc(sizeof(*hist));
	if (ctx == NULL || hist == NULL || perf_ctx_init(ctx, a, dtcp_stack_lcore_count(s)) != 0) {
		fprintf(stderr, "dtcp-perf: out of memory\n");
		free(ctx);
		free(hist);
		return EXIT_FAILURE;
	}
	pc.ctx = ctx;
	perf_app(ctx, &app);
	dtcp_stack_set_app(s, &app);

	signal_target = &pc;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fprintf(a->json ? stderr : stdout, "dtcp-perf: ready\n");
	fflush(a->json ? stderr : stdout);

	perf_ctx_start(ctx);
	rc = rte_ctrl_thread_create(&tid, "dtcp-perf-ctl", NULL, control_main, &pc);
	if (rc != 0) {
		fprintf(stderr, "dtcp-perf: cannot start the control thread: %s\n", strerror(-rc));
		perf_ctx_fini(ctx);
		free(ctx);
		free(hist);
		return EXIT_FAILURE;
	}
	rc = dtcp_stack_run(s);
	__atomic_store_n(&pc.quit, 1, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);
	signal_target = NULL;

	if (a->stats)
		print_counters(s);
	perf_ctx_result(ctx, &r, hist);
	if (a->json)
		perf_report_json(stdout, &r);
	else
		perf_report_text(stdout, &r);
	fflush(stdout);

	status = EXIT_SUCCESS;
	if (rc != 0) {
		fprintf(stderr, "dtcp-perf: the stack loop failed (%d)\n", rc);
		status = EXIT_FAILURE;
	} else if (perf_result_errors(&r) != 0) {
		status = EXIT_FAILURE;
	} else if (a->test == PERF_TEST_STREAM ? r.bytes_sent == 0 : r.transactions == 0) {
		fprintf(stderr, "dtcp-perf: nothing measured\n");
		status = EXIT_FAILURE;
	}
	dtcp_stack_set_app(s, NULL);
	perf_ctx_fini(ctx);
	free(ctx);
	free(hist);
	return status;
}

int
main(int argc, char **argv)
{
	char err[256];
	struct perf_args args;
	struct dtcp_config cfg;
	struct dtcp_stack *s;
	int n, status;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dtcp-perf: EAL init failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argv[n] = argv[0];
	switch (perf_args_parse(argc - n, argv + n, &args, err, sizeof(err))) {
	case PERF_ARGS_OK:
		break;
	case PERF_ARGS_HELP:
		perf_args_usage(stdout, argv[0]);
		rte_eal_cleanup();
		return EXIT_SUCCESS;
	default:
		fprintf(stderr, "dtcp-perf: %s (--help for usage)\n", err);
		rte_eal_cleanup();
		return EXIT_USAGE;
	}
	if (configure(&args, &cfg) != 0) {
		rte_eal_cleanup();
		return EXIT_USAGE;
	}
	s = dtcp_stack_create(&cfg);
	if (s == NULL) {
		fprintf(stderr, "dtcp-perf: cannot start: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	status = run(&args, s);
	dtcp_stack_destroy(s);
	rte_eal_cleanup();
	return status;
}
