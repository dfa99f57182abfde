/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-bench-timers: the dtcp timer wheel (lib/core/timer_wheel.c) against
 * DPDK's rte_timer, in one process, on one lcore, with the same workload.
 *
 *   dtcp-bench-timers [EAL options] -- [--timers N] [--runs R] [--tick-us T]
 *                     [--rte-window-ms W] [--polls P] [--seed S] [--only wheel|rte]
 *
 * Each run, for each implementation (order alternating between runs):
 *   arm     N timers (default 1,000,000), expiries uniform in (0, 60 s]
 *   cancel  N/2 of them, in random order
 *   re-arm  N/4 of the N/2 still armed (moves them), new expiries in (0, 60 s]
 *   expire  the N/2 left: all due, one run()/rte_timer_manage() call fires them
 *   poll    P calls that find nothing due (one timer armed far ahead): the
 *           cost the lcore loop pays on every iteration
 * and for the wheel also "expire, stepped": the same arm/cancel/re-arm, then
 * the clock advanced one tick per run() call for 60 s, as the lcore loop does.
 * Each phase is timed as a whole (CLOCK_MONOTONIC) and divided by its number
 * of operations; the table reports the median of the runs and the ratio
 * wheel / rte_timer.
 *
 * Making it fair. rte_timer reads the TSC itself (rte_timer_reset() takes a
 * delay relative to "now", rte_timer_manage() fires what the TSC says is
 * due); the wheel is handed virtual time. So:
 *  - the relative expiries are drawn once and fed to both, in the same order;
 *  - the wheel gets absolute times (t0 + delay) with a 1 ms tick (TCP's
 *    granularity), so it really crosses 60,000 ticks and cascades ~234 level-1
 *    slots while expiring;
 *  - rte_timer gets the same delays as TSC ticks over the same real 60 s
 *    (--rte-window-ms, default 60000), so each run waits about a minute for
 *    its timers to fall due. Compressing them into a shorter window is
 *    possible for quick looks but flatters rte_timer: its skiplist compares
 *    expiries only, and once the window is shorter than the arm phase
 *    (about 1.5 s here) the TSC advancing during the arms makes later
 *    timers sort after earlier ones, so inserts land near the recently
 *    touched tail and hit the cache (1 s window: arm about 1.2 us instead
 *    of 1.5-2.3 us). With 60 s the drift is ~2% of the spread and the order
 *    is essentially the random one the wheel sees;
 *  - before rte_timer's expire phase the program sleeps until every timer is
 *    due, then times the single rte_timer_manage() call that fires them:
 *    the same "everything due, fire it" work the wheel's one run() does;
 *  - rte_timer_reset()'s own TSC read (one per call) is left in: it is part
 *    of that API's cost, as handing in absolute time is part of ours;
 *  - both run on the EAL main lcore, single-threaded; rte_timer's per-lcore
 *    spinlock and status atomics are uncontended but paid, as in production;
 *  - the callbacks do the same work (count the firing);
 *  - both timer arrays are plain malloc() memory, initialised (touched) just
 *    before that implementation's arm phase.
 * Instruction counts: run under valgrind --tool=callgrind with a smaller N;
 * each phase is its own non-inlined function (wheel_arm, rte_arm, ...) whose
 * inclusive count callgrind_annotate reports (see docs/performance.md).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_timer.h>

#include "core/timer_wheel.h"

#define SPAN_US UINT64_C(60000000) /* expiries in (0, 60 s] */

enum phase {
	PH_ARM,
	PH_CANCEL,
	PH_REARM,
	PH_EXPIRE,
	PH_POLL,
	PH_EXPIRE_STEPPED, /* wheel only */
	PH__MAX,
};

static const char *const phase_names[PH__MAX] = {
	[PH_ARM] = "arm",
	[PH_CANCEL] = "cancel",
	[PH_REARM] = "re-arm (move)",
	[PH_EXPIRE] = "expire (all due, one call)",
	[PH_POLL] = "poll, nothing due",
	[PH_EXPIRE_STEPPED] = "expire, 1 run per tick",
};

enum impl {
	IMPL_WHEEL,
	IMPL_RTE,
	IMPL__MAX,
};

struct opts {
	unsigned int n;
	unsigned int runs;
	uint64_t tick_us;
	uint64_t rte_window_ms;
	unsigned int polls;
	uint64_t seed;
	int only; /* -1: both */
};

/* The workload, drawn once, used by both implementations. */
struct workload {
	unsigned int n;
	uint64_t *arm_us;   /**< [n] delay of each first arm */
	uint64_t *rearm_us; /**< [n/4] delay of each move */
	uint64_t *arm_cyc;  /**< the same, as rte_timer ticks in its window */
	uint64_t *rearm_cyc;
	uint64_t max_cyc;
	uint32_t *cancel; /**< [n/2] timers to cancel */
	uint32_t *rearm;  /**< [n/4] armed timers to move */
};

struct bench {
	struct opts o;
	struct workload wl;
	struct dtcp_timer *wt; /**< [n] */
	struct rte_timer *rt;  /**< [n] */
	struct rte_timer far;  /**< keeps rte_timer's list non-empty while polling */
	struct dtcp_timer wfar;
	uint64_t fired;
	unsigned int lcore;
	/* ns/op per run, [impl][phase][run] */
	double *res[IMPL__MAX][PH__MAX];
	struct dtcp_timer_wheel wheel; /* last: 8 KiB */
};

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * UINT64_C(2685821657736338717);
}

static uint64_t
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "dtcp-bench-timers: %s\n", what);
	exit(1);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

static void
workload_init(struct workload *wl, const struct opts *o)
{
	struct rng r = {.s = o->seed};
	unsigned int n = o->n;
	uint32_t *perm = xcalloc(n, sizeof(*perm));
	/* rte_timer ticks per microsecond of the workload, window-compressed. */
	double cyc_per_us = (double)rte_get_timer_hz() / 1e6 * (double)o->rte_window_ms * 1000.0 /
			    (double)SPAN_US;

	wl->n = n;
	wl->arm_us = xcalloc(n, sizeof(*wl->arm_us));
	wl->arm_cyc = xcalloc(n, sizeof(*wl->arm_cyc));
	wl->rearm_us = xcalloc(n / 4, sizeof(*wl->rearm_us));
	wl->rearm_cyc = xcalloc(n / 4, sizeof(*wl->rearm_cyc));
	wl->cancel = xcalloc(n / 2, sizeof(*wl->cancel));
	wl->rearm = xcalloc(n / 4, sizeof(*wl->rearm));
	for (unsigned int i = 0; i < n; i++) {
		wl->arm_us[i] = 1 + rng_next(&r) % SPAN_US;
		wl->arm_cyc[i] = (uint64_t)((double)wl->arm_us[i] * cyc_per_us);
		wl->max_cyc = RTE_MAX(wl->max_cyc, wl->arm_cyc[i]);
	}
	for (unsigned int i = 0; i < n; i++)
		perm[i] = i;
	for (unsigned int i = n - 1; i > 0; i--) {
		unsigned int j = (unsigned int)(rng_next(&r) % (i + 1));
		uint32_t tmp = perm[i];

		perm[i] = perm[j];
		perm[j] = tmp;
	}
	memcpy(wl->cancel, perm, (n / 2) * sizeof(*perm));
	memcpy(wl->rearm, perm + n / 2, (n / 4) * sizeof(*perm));
	for (unsigned int i = 0; i < n / 4; i++) {
		wl->rearm_us[i] = 1 + rng_next(&r) % SPAN_US;
		wl->rearm_cyc[i] = (uint64_t)((double)wl->rearm_us[i] * cyc_per_us);
		wl->max_cyc = RTE_MAX(wl->max_cyc, wl->rearm_cyc[i]);
	}
	free(perm);
}

/* ---- the wheel ---- */

static void
wheel_cb(struct dtcp_timer_wheel *w, struct dtcp_timer *t, uint64_t now_us)
{
	RTE_SET_USED(t);
	RTE_SET_USED(now_us);
	container_of(w, struct bench, wheel)->fired++;
}

static void
wheel_setup(struct bench *b, uint64_t t0)
{
	if (dtcp_timer_wheel_init(&b->wheel, t0, b->o.tick_us) != 0)
		die("dtcp_timer_wheel_init failed");
	for (unsigned int i = 0; i < b->o.n; i++)
		dtcp_timer_init(&b->wt[i], wheel_cb);
	b->fired = 0;
}

static __rte_noinline void
wheel_arm(struct bench *b, uint64_t t0)
{
	for (unsigned int i = 0; i < b->wl.n; i++)
		dtcp_timer_arm(&b->wheel, &b->wt[i], t0 + b->wl.arm_us[i]);
}

static __rte_noinline void
wheel_cancel(struct bench *b)
{
	for (unsigned int i = 0; i < b->wl.n / 2; i++)
		dtcp_timer_cancel(&b->wheel, &b->wt[b->wl.cancel[i]]);
}

static __rte_noinline void
wheel_rearm(struct bench *b, uint64_t t0)
{
	for (unsigned int i = 0; i < b->wl.n / 4; i++)
		dtcp_timer_arm(&b->wheel, &b->wt[b->wl.rearm[i]], t0 + b->wl.rearm_us[i]);
}

static __rte_noinline void
wheel_expire(struct bench *b, uint64_t t0)
{
	dtcp_timer_wheel_run(&b->wheel, t0 + SPAN_US + b->o.tick_us, UINT_MAX);
}

static __rte_noinline void
wheel_expire_stepped(struct bench *b, uint64_t t0)
{
	for (uint64_t now = t0 + b->o.tick_us; now <= t0 + SPAN_US + b->o.tick_us;
	     now += b->o.tick_us)
		dtcp_timer_wheel_run(&b->wheel, now, UINT_MAX);
}

/* The clock moves 1 us per call, as an lcore loop's would: a tick is crossed every tick_us calls.
 */
static __rte_noinline void
wheel_poll(struct bench *b, uint64_t t0)
{
	for (unsigned int i = 0; i < b->o.polls; i++)
		dtcp_timer_wheel_run(&b->wheel, t0 + i, UINT_MAX);
}

static void
check_fired(struct bench *b, const char *who, uint64_t want)
{
	if (b->fired != want) {
		fprintf(stderr, "%s: %" PRIu64 " timers fired, expected %" PRIu64 "\n", who,
			b->fired, want);
		die("wrong number of expiries");
	}
}

/* One run of the wheel; stores ns/op for run r. */
static void
bench_wheel(struct bench *b, unsigned int r)
{
	const uint64_t t0 = 1000000; /* any multiple of the tick */
	const unsigned int n = b->o.n;
	double **res = b->res[IMPL_WHEEL];
	uint64_t a, z;

	wheel_setup(b, t0);
	a = ns_now();
	wheel_arm(b, t0);
	z = ns_now();
	res[PH_ARM][r] = (double)(z - a) / n;
	a = ns_now();
	wheel_cancel(b);
	z = ns_now();
	res[PH_CANCEL][r] = (double)(z - a) / (n / 2);
	a = ns_now();
	wheel_rearm(b, t0);
	z = ns_now();
	res[PH_REARM][r] = (double)(z - a) / (n / 4);
	if (dtcp_timer_wheel_count(&b->wheel) != n - n / 2)
		die("wheel: wrong number of armed timers");
	a = ns_now();
	wheel_expire(b, t0);
	z = ns_now();
	res[PH_EXPIRE][r] = (double)(z - a) / (n - n / 2);
	check_fired(b, "wheel", n - n / 2);

	/* The same again, expired one tick at a time. */
	wheel_setup(b, t0);
	wheel_arm(b, t0);
	wheel_cancel(b);
	wheel_rearm(b, t0);
	a = ns_now();
	wheel_expire_stepped(b, t0);
	z = ns_now();
	res[PH_EXPIRE_STEPPED][r] = (double)(z - a) / (n - n / 2);
	check_fired(b, "wheel (stepped)", n - n / 2);

	dtcp_timer_init(&b->wfar, wheel_cb);
	dtcp_timer_arm(&b->wheel, &b->wfar, t0 + 3600 * UINT64_C(1000000));
	a = ns_now();
	wheel_poll(b, t0 + SPAN_US + b->o.tick_us);
	z = ns_now();
	res[PH_POLL][r] = (double)(z - a) / b->o.polls;
	check_fired(b, "wheel (poll)", n - n / 2);
	dtcp_timer_wheel_free(&b->wheel);
}

/* ---- rte_timer ---- */

static void
rte_cb(struct rte_timer *t, void *arg)
{
	RTE_SET_USED(t);
	((struct bench *)arg)->fired++;
}

static __rte_noinline void
rte_arm(struct bench *b)
{
	for (unsigned int i = 0; i < b->wl.n; i++)
		rte_timer_reset(&b->rt[i], b->wl.arm_cyc[i], SINGLE, b->lcore, rte_cb, b);
}

static __rte_noinline void
rte_cancel(struct bench *b)
{
	for (unsigned int i = 0; i < b->wl.n / 2; i++)
		rte_timer_stop(&b->rt[b->wl.cancel[i]]);
}

static __rte_noinline void
rte_rearm(struct bench *b)
{
	for (unsigned int i = 0; i < b->wl.n / 4; i++)
		rte_timer_reset(&b->rt[b->wl.rearm[i]], b->wl.rearm_cyc[i], SINGLE, b->lcore,
				rte_cb, b);
}

static __rte_noinline void
rte_expire(struct bench *b)
{
	RTE_SET_USED(b);
	rte_timer_manage();
}

static __rte_noinline void
rte_poll(struct bench *b)
{
	for (unsigned int i = 0; i < b->o.polls; i++)
		rte_timer_manage();
}

static void
bench_rte(struct bench *b, unsigned int r)
{
	const unsigned int n = b->o.n;
	double **res = b->res[IMPL_RTE];
	uint64_t a, z, all_due;

	for (unsigned int i = 0; i < n; i++)
		rte_timer_init(&b->rt[i]);
	b->fired = 0;
	a = ns_now();
	rte_arm(b);
	z = ns_now();
	res[PH_ARM][r] = (double)(z - a) / n;
	a = ns_now();
	rte_cancel(b);
	z = ns_now();
	res[PH_CANCEL][r] = (double)(z - a) / (n / 2);
	a = ns_now();
	rte_rearm(b);
	z = ns_now();
	res[PH_REARM][r] = (double)(z - a) / (n / 4);
	/* Every expiry is at most max_cyc after the last reset: wait for that. */
	all_due = rte_get_timer_cycles() + b->wl.max_cyc + 1;
	while (rte_get_timer_cycles() <= all_due)
		rte_delay_us_sleep(1000);
	a = ns_now();
	rte_expire(b);
	z = ns_now();
	res[PH_EXPIRE][r] = (double)(z - a) / (n - n / 2);
	check_fired(b, "rte_timer", n - n / 2);

	rte_timer_init(&b->far);
	rte_timer_reset(&b->far, rte_get_timer_hz() * 3600, SINGLE, b->lcore, rte_cb, b);
	a = ns_now();
	rte_poll(b);
	z = ns_now();
	res[PH_POLL][r] = (double)(z - a) / b->o.polls;
	rte_timer_stop(&b->far);
	check_fired(b, "rte_timer (poll)", n - n / 2);
}

/* ---- report ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, unsigned int n)
{
	double *s = xcalloc(n, sizeof(*s));
	double m;

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

static void
report(const struct bench *b)
{
	const unsigned int runs = b->o.runs;

	printf("\nmedian ns/op of %u runs (N = %u, tick %" PRIu64 " us, rte_timer window %" PRIu64
	       " ms):\n\n",
	       runs, b->o.n, b->o.tick_us, b->o.rte_window_ms);
	printf("| operation | dtcp wheel | rte_timer | wheel / rte_timer |\n");
	printf("|---|---:|---:|---:|\n");
	for (unsigned int p = 0; p < PH__MAX; p++) {
		bool has_w = b->o.only != IMPL_RTE,
		     has_r = b->o.only != IMPL_WHEEL && p != PH_EXPIRE_STEPPED;
		double w = has_w ? median(b->res[IMPL_WHEEL][p], runs) : 0;
		double r = has_r ? median(b->res[IMPL_RTE][p], runs) : 0;
		char ws[32] = "-", rs[32] = "-", ratio[32] = "-";

		if (has_w)
			snprintf(ws, sizeof(ws), "%.1f", w);
		if (has_r)
			snprintf(rs, sizeof(rs), "%.1f", r);
		if (has_w && has_r)
			snprintf(ratio, sizeof(ratio), "%.3f", w / r);
		printf("| %s | %s | %s | %s |\n", phase_names[p], ws, rs, ratio);
	}
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: dtcp-bench-timers [EAL options] -- [--timers N] [--runs R] [--tick-us T]\n"
		"       [--rte-window-ms W] [--polls P] [--seed S] [--only wheel|rte]\n");
	exit(2);
}

static uint64_t
parse_u64(const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		usage();
	return v;
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"timers", required_argument, NULL, 'n'},
		{"runs", required_argument, NULL, 'r'},
		{"tick-us", required_argument, NULL, 't'},
		{"rte-window-ms", required_argument, NULL, 'w'},
		{"polls", required_argument, NULL, 'p'},
		{"seed", required_argument, NULL, 's'},
		{"only", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct opts){
		.n = 1000000,
		.runs = 5,
		.tick_us = 1000,
		.rte_window_ms = 60000,
		.polls = 1000000,
		.seed = 0x7133e75eed,
		.only = -1,
	};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->n = (unsigned int)parse_u64(optarg, 4, 100000000);
			break;
		case 'r':
			o->runs = (unsigned int)parse_u64(optarg, 1, 1000);
			break;
		case 't':
			o->tick_us = parse_u64(optarg, 1, SPAN_US);
			break;
		case 'w':
			o->rte_window_ms = parse_u64(optarg, 1, 3600000);
			break;
		case 'p':
			o->polls = (unsigned int)parse_u64(optarg, 1, 1000000000);
			break;
		case 's':
			o->seed = parse_u64(optarg, 1, UINT64_MAX);
			break;
		case 'o':
			if (strcmp(optarg, "wheel") == 0)
				o->only = IMPL_WHEEL;
			else if (strcmp(optarg, "rte") == 0)
				o->only = IMPL_RTE;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

int
main(int argc, char **argv)
{
	struct bench *b;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		die("rte_eal_init failed");
	argc -= ret;
	argv += ret;
	b = xcalloc(1, sizeof(*b));
	parse_opts(&b->o, argc, argv);
	ret = rte_timer_subsystem_init();
	if (ret < 0 && ret != -EALREADY)
		die("rte_timer_subsystem_init failed");
	b->lcore = rte_lcore_id();
	workload_init(&b->wl, &b->o);
	b->wt = xcalloc(b->o.n, sizeof(*b->wt));
	b->rt = xcalloc(b->o.n, sizeof(*b->rt));
	for (unsigned int i = 0; i < IMPL__MAX; i++)
		for (unsigned int p = 0; p < PH__MAX; p++)
			b->res[i][p] = xcalloc(b->o.runs, sizeof(double));

	printf("dtcp-bench-timers: %u timers, expiries uniform in (0, 60 s]; cancel %u, re-arm %u, "
	       "expire %u; tick %" PRIu64 " us; rte_timer window %" PRIu64 " ms; TSC %" PRIu64
	       " Hz; lcore %u\n",
	       b->o.n, b->o.n / 2, b->o.n / 4, b->o.n - b->o.n / 2, b->o.tick_us,
	       b->o.rte_window_ms, rte_get_timer_hz(), b->lcore);
	printf("timer size: dtcp %zu bytes, rte_timer %zu bytes\n", sizeof(struct dtcp_timer),
	       sizeof(struct rte_timer));
	for (unsigned int r = 0; r < b->o.runs; r++) {
		/* Alternate which goes first, so neither always gets the colder machine. */
		for (unsigned int k = 0; k < 2; k++) {
			unsigned int impl = (r + k) % 2;

			if (b->o.only >= 0 && (unsigned int)b->o.only != impl)
				continue;
			if (impl == IMPL_WHEEL)
				bench_wheel(b, r);
			else
				bench_rte(b, r);
		}
		printf("run %u:", r + 1);
		for (unsigned int p = 0; p < PH__MAX; p++) {
			printf(" %s", phase_names[p]);
			if (b->o.only != IMPL_RTE)
				printf(" %.1f", b->res[IMPL_WHEEL][p][r]);
			if (b->o.only != IMPL_WHEEL && p != PH_EXPIRE_STEPPED)
				printf("/%.1f", b->res[IMPL_RTE][p][r]);
			printf(p + 1 < PH__MAX ? ";" : " ns (wheel/rte_timer)\n");
		}
		fflush(stdout);
	}
	report(b);

	rte_timer_subsystem_finalize();
	rte_eal_cleanup();
	return 0;
}
