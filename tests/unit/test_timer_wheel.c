/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer wheel tests, all in virtual time. The firing rule under test (see
 * lib/core/timer_wheel.h): with due(e) = ceil(e / tick) * tick, a timer armed
 * for e fires in the first run() whose now >= due(e), or, if due(e) had
 * already passed when it was armed, in the next run() after the arm. Every
 * callback checks that rule against the test's own record of the arm; the
 * randomised test also checks completeness and order against a reference
 * model (a binary heap of (tick, generation) with lazy deletion).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include <rte_common.h>

#include "core/timer_wheel.h"
#include "dtcp_test.h"

#define US_PER_S   UINT64_C(1000000)
#define US_PER_MIN (60 * US_PER_S)
#define US_PER_H   (60 * US_PER_MIN)
#define US_PER_DAY (24 * US_PER_H)

/* xorshift64*: fixed seeds make every run identical. */
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

/* Uniform enough in [0, n) for tests (n > 0). */
static uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

static uint64_t
due_time(uint64_t expires, uint64_t tick)
{
	return (expires / tick + (expires % tick != 0)) * tick;
}

struct tctx;

/* A test object with an embedded timer and what the test expects of it. */
struct ttimer {
	struct dtcp_timer tm;
	struct tctx *ctx;
	unsigned int id;
	uint64_t expires;	/**< as armed */
	uint64_t armed_clock;	/**< wheel clock when armed */
	unsigned int armed_run; /**< runs completed when armed */
	bool armed_in_cb;	/**< armed by a callback (rule checked by the test itself) */
	unsigned int fires;
	uint64_t fired_at;
	/* Behaviour when fired. */
	uint64_t period;	     /**< re-arm at expires + period */
	struct ttimer *cancel_other; /**< cancel this one */
	struct ttimer *arm_other;    /**< arm this one at arm_other_at */
	uint64_t arm_other_at;
	bool self_rearm_cancel; /**< re-arm itself then cancel itself */
};

struct tctx {
	struct dtcp_timer_wheel *w;
	uint64_t tick;
	uint64_t clock;	   /**< largest now passed so far (the wheel's clock) */
	unsigned int runs; /**< runs completed */
	bool in_run;
	bool strict;	   /**< check the firing rule in every callback */
	unsigned int *log; /**< ids in firing order */
	uint64_t *log_at;  /**< now of each firing */
	unsigned int nlog, maxlog;
};

static void
ctx_init(struct tctx *c, uint64_t now, uint64_t tick, unsigned int maxlog)
{
	memset(c, 0, sizeof(*c));
	c->w = malloc(sizeof(*c->w));
	CHECK(c->w != NULL);
	CHECK_EQ(dtcp_timer_wheel_init(c->w, now, tick), 0);
	c->tick = tick;
	c->clock = now;
	c->strict = true;
	c->maxlog = maxlog;
	c->log = calloc(maxlog, sizeof(*c->log));
	c->log_at = calloc(maxlog, sizeof(*c->log_at));
}

/* Before freeing the timers: the wheel may still link some of them. */
static void
ctx_fini(struct tctx *c)
{
	dtcp_timer_wheel_free(c->w);
	free(c->w);
	free(c->log);
	free(c->log_at);
}

static void tt_cb(struct dtcp_timer_wheel *w, struct dtcp_timer *tm, uint64_t now);

static struct ttimer *
tt_new(struct tctx *c, unsigned int n)
{
	struct ttimer *t = calloc(n, sizeof(*t));

	for (unsigned int i = 0; i < n; i++) {
		dtcp_timer_init(&t[i].tm, tt_cb);
		t[i].ctx = c;
		t[i].id = i;
	}
	return t;
}

static void
tt_arm(struct tctx *c, struct ttimer *t, uint64_t expires)
{
	t->expires = expires;
	t->armed_clock = c->clock;
	t->armed_run = c->runs;
	t->armed_in_cb = c->in_run;
	dtcp_timer_arm(c->w, &t->tm, expires);
	CHECK(dtcp_timer_armed(&t->tm));
	CHECK_EQ(t->tm.expires_us, expires);
}

static unsigned int
tt_run_max(struct tctx *c, uint64_t now, unsigned int max)
{
	unsigned int n;

	c->in_run = true;
	n = dtcp_timer_wheel_run(c->w, now, max);
	c->in_run = false;
	c->clock = RTE_MAX(c->clock, now);
	c->runs++;
	return n;
}

static unsigned int
tt_run(struct tctx *c, uint64_t now)
{
	return tt_run_max(c, now, UINT_MAX);
}

static void
tt_cb(struct dtcp_timer_wheel *w, struct dtcp_timer *tm, uint64_t now)
{
	struct ttimer *t = container_of(tm, struct ttimer, tm);
	struct tctx *c = t->ctx;

	CHECK(w == c->w);
	CHECK(c->in_run);
	CHECK(!dtcp_timer_armed(tm));
	/* Never early, and the callback's now is the run's (monotonic) clock. */
	CHECK(now >= t->expires);
	CHECK_EQ(now, RTE_MAX(c->clock, now));
	if (c->strict && !t->armed_in_cb) {
		uint64_t due = due_time(t->expires, c->tick);

		if (due > t->armed_clock) {
			/* The first run that reached the due tick: at most one tick late. */
			CHECK(now >= due);
			CHECK(c->clock < due);
		} else {
			/* Armed in the past: the next run. */
			CHECK_EQ(c->runs, t->armed_run);
		}
	}
	t->fires++;
	t->fired_at = now;
	if (c->nlog < c->maxlog) {
		c->log[c->nlog] = t->id;
		c->log_at[c->nlog] = now;
		c->nlog++;
	}
	if (t->cancel_other != NULL)
		dtcp_timer_cancel(w, &t->cancel_other->tm);
	if (t->arm_other != NULL)
		tt_arm(c, t->arm_other, t->arm_other_at);
	if (t->self_rearm_cancel) {
		tt_arm(c, t, now + 1000 * c->tick);
		dtcp_timer_cancel(w, tm);
		dtcp_timer_cancel(w, tm);
		CHECK(!dtcp_timer_armed(tm));
	}
	if (t->period != 0)
		tt_arm(c, t, t->expires + t->period);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_init_errors(void)
{
	struct dtcp_timer_wheel *w = malloc(sizeof(*w));

	CHECK_EQ(dtcp_timer_wheel_init(NULL, 0, 1000), -EINVAL);
	CHECK_EQ(dtcp_timer_wheel_init(w, 0, 0), -EINVAL);
	CHECK_EQ(dtcp_timer_wheel_init(w, 123456, 1000), 0);
	CHECK_EQ(dtcp_timer_wheel_count(w), 0);
	CHECK_EQ(dtcp_timer_wheel_run(w, 999999999, UINT_MAX), 0);
	dtcp_timer_wheel_free(w);
	dtcp_timer_wheel_free(NULL);
	free(w);
}

/*
 * Each timer fires at exactly due(e): run at due(e) - 1 (must not fire) and at
 * due(e) (must fire), for expiries around every level boundary, with ticks
 * of 1 us, 7 us (not a power of two) and 1 ms.
 */
static void
test_fire_exact(void)
{
	static const uint64_t ticks[] = {1, 7, 1000};

	for (unsigned int k = 0; k < RTE_DIM(ticks); k++) {
		uint64_t tick = ticks[k];
		const uint64_t mult[] = {1,	  2,	   255,	    256,	   257,	  511,
					 512,	  1000,	   65535,   65536,	   65537, 70000,
					 1 << 20, 1 << 24, 1 << 25, (1u << 24) + 3};
		const uint64_t off[] = {0, 1, tick / 2, tick - 1, tick, tick + 1};
		unsigned int n = RTE_DIM(mult) * RTE_DIM(off);
		uint64_t *points = calloc(2 * n, sizeof(*points));
		struct tctx c;
		struct ttimer *t;
		unsigned int i = 0, fired = 0;

		ctx_init(&c, 0, tick, 0);
		t = tt_new(&c, n);
		for (unsigned int a = 0; a < RTE_DIM(mult); a++) {
			for (unsigned int b = 0; b < RTE_DIM(off); b++, i++) {
				uint64_t e = (mult[a] + 2) * tick - off[b];

				tt_arm(&c, &t[i], e);
				points[2 * i] = due_time(e, tick) - 1;
				points[2 * i + 1] = due_time(e, tick);
			}
		}
		CHECK_EQ(dtcp_timer_wheel_count(c.w), n);
		qsort(points, 2 * n, sizeof(*points), cmp_u64);
		for (i = 0; i < 2 * n; i++)
			fired += tt_run(&c, points[i]);
		CHECK_EQ(fired, n);
		for (i = 0; i < n; i++) {
			CHECK_EQ(t[i].fires, 1);
			CHECK_EQ(t[i].fired_at, due_time(t[i].expires, tick));
			CHECK(t[i].fired_at - t[i].expires < tick);
			CHECK(!dtcp_timer_armed(&t[i].tm));
		}
		CHECK_EQ(dtcp_timer_wheel_count(c.w), 0);
		free(points);
		ctx_fini(&c);
		free(t);
	}
}

/*
 * One timer alone in the wheel at a time, so that nothing else hides a
 * mistake in how the wheel finds its next event: deltas just below each
 * level's span (which land in the slot of the current digit, one lap ahead)
 * next to a timer in level 0's next revolution, then log-uniform random
 * deltas from random starting points, with tick 1 and 1000.
 */
static void
test_isolated(void)
{
	struct rng r = {.s = 0x150147ed};

	for (unsigned int iter = 0; iter < 3000; iter++) {
		uint64_t tick = iter % 2 ? 1000 : 1;
		uint64_t start = rng_below(&r, UINT64_C(1) << 40);
		uint64_t w_next, delta, e, due, now;
		unsigned int fired = 0, n = 1;
		struct tctx c;
		struct ttimer *t;

		if (iter < 96) {
			/* Level k = 1..3 (16 each per tick): delta = 256^(k+1) - 1 - j. */
			unsigned int k = 1 + (iter / 2) % 3;

			delta = (UINT64_C(1) << (8 * (k + 1))) - 1 - (iter / 6) * 13;
			/* Start mid-revolution (next tick 200 mod 256). */
			start = ((start / tick) | 255) - 56 - 1;
			start *= tick;
			n = 2;
		} else {
			delta = rng_below(&r, UINT64_C(1) << rng_below(&r, 40));
		}
		w_next = start / tick + 1;
		e = (w_next + delta) * tick - rng_below(&r, tick);
		due = due_time(e, tick);
		ctx_init(&c, start, tick, 0);
		t = tt_new(&c, n);
		tt_arm(&c, &t[0], e);
		if (n == 2) {
			/* Level 0, slot 5: below the current one. */
			uint64_t e1 = ((w_next | 255) + 1 + 5) * tick;

			tt_arm(&c, &t[1], e1);
			CHECK_EQ(tt_run(&c, e1 - 1), 0);
			CHECK_EQ(tt_run(&c, e1), 1);
			n = 1;
		}
		/* A few runs on the way, then just before and at the due time. */
		for (now = c.clock; now < due - 1;) {
			now += 1 + rng_below(&r, (due - now) / 2 + 1);
			now = RTE_MIN(now, due - 1);
			fired += tt_run(&c, now);
		}
		fired += tt_run(&c, due - 1);
		CHECK_EQ(fired, 0);
		CHECK_EQ(tt_run(&c, due), 1);
		CHECK_EQ(t[0].fired_at, due);
		ctx_fini(&c);
		free(t);
	}
}

/* Ticks fire in order, within one run that crosses every level and across stepped runs. */
static void
test_order(void)
{
	enum { N = 4000 };

	for (int stepped = 0; stepped <= 1; stepped++) {
		struct rng r = {.s = 0x5eed0001 + (uint64_t)stepped};
		struct tctx c;
		struct ttimer *t;
		uint64_t max_e = 0, last = 0;

		ctx_init(&c, 1000, 1000, N);
		t = tt_new(&c, N);
		for (unsigned int i = 0; i < N; i++) {
			/* Log-uniform spread: 1 ms .. ~1.5 days. */
			uint64_t e = 1000 + rng_below(&r, UINT64_C(1) << (10 + rng_below(&r, 27)));

			tt_arm(&c, &t[i], e);
			max_e = RTE_MAX(max_e, e);
		}
		if (stepped) {
			for (uint64_t now = 1000; now < max_e + 1000;)
				tt_run(&c, now += 1 + rng_below(&r, 1 << (rng_below(&r, 28))));
		} else {
			CHECK_EQ(tt_run(&c, max_e + 1000), N);
		}
		CHECK_EQ(c.nlog, N);
		for (unsigned int i = 0; i < c.nlog; i++) {
			uint64_t due = due_time(t[c.log[i]].expires, 1000);

			CHECK(due >= last);
			last = due;
			CHECK_EQ(t[c.log[i]].fires, 1);
		}
		ctx_fini(&c);
		free(t);
	}
}

static void
test_cancel(void)
{
	struct tctx c;
	struct ttimer *t;

	ctx_init(&c, 0, 1000, 16);
	t = tt_new(&c, 4);
	tt_arm(&c, &t[0], 5000);
	tt_arm(&c, &t[1], 5000);
	tt_arm(&c, &t[3], 9 * US_PER_H); /* upper level */
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 3);
	dtcp_timer_cancel(c.w, &t[0].tm);
	CHECK(!dtcp_timer_armed(&t[0].tm));
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 2);
	dtcp_timer_cancel(c.w, &t[0].tm); /* idempotent */
	dtcp_timer_cancel(c.w, &t[2].tm); /* never armed */
	dtcp_timer_cancel(c.w, &t[3].tm);
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 1);
	CHECK_EQ(tt_run(&c, 4999), 0);
	CHECK_EQ(tt_run(&c, 5000), 1);
	CHECK_EQ(t[0].fires, 0);
	CHECK_EQ(t[1].fires, 1);
	dtcp_timer_cancel(c.w, &t[1].tm); /* fired: no-op */
	CHECK_EQ(tt_run(&c, 10 * US_PER_H), 0);
	CHECK_EQ(t[3].fires, 0);
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 0);
	ctx_fini(&c);
	free(t);
}

static void
test_rearm(void)
{
	struct tctx c;
	struct ttimer *t;

	ctx_init(&c, 0, 1000, 16);
	t = tt_new(&c, 3);
	tt_arm(&c, &t[0], 5000);
	tt_arm(&c, &t[0], 2000); /* earlier */
	tt_arm(&c, &t[1], 2000);
	tt_arm(&c, &t[1], 9000); /* later */
	tt_arm(&c, &t[2], 3 * US_PER_H);
	tt_arm(&c, &t[2], 3500); /* from level 2 to level 0 */
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 3);
	CHECK_EQ(tt_run(&c, 1999), 0);
	CHECK_EQ(tt_run(&c, 2000), 1);
	CHECK_EQ(t[0].fired_at, 2000);
	CHECK_EQ(tt_run(&c, 3999), 0);
	CHECK_EQ(tt_run(&c, 4000), 1);
	CHECK_EQ(t[2].fired_at, 4000);
	CHECK_EQ(tt_run(&c, 8999), 0);
	CHECK_EQ(tt_run(&c, 9000), 1);
	CHECK_EQ(t[1].fired_at, 9000);
	CHECK_EQ(tt_run(&c, 4 * US_PER_H), 0);
	CHECK_EQ(t[0].fires + t[1].fires + t[2].fires, 3);
	/* Re-arm after firing arms again. */
	tt_arm(&c, &t[0], 4 * US_PER_H + 1);
	CHECK_EQ(tt_run(&c, 4 * US_PER_H + 1000), 1);
	CHECK_EQ(t[0].fires, 2);
	ctx_fini(&c);
	free(t);
}

/* An expiry in the past fires on the next run, even one with the same now. */
static void
test_arm_past(void)
{
	struct tctx c;
	struct ttimer *t;

	ctx_init(&c, 10500, 1000, 16); /* ticks <= 10 have passed */
	t = tt_new(&c, 5);
	tt_arm(&c, &t[0], 3000);
	tt_arm(&c, &t[1], 10000); /* due(e) = 10000 <= 10500 */
	tt_arm(&c, &t[2], 10500); /* due(e) = 11000: not yet */
	tt_arm(&c, &t[3], 0);
	CHECK_EQ(tt_run(&c, 10500), 3);
	CHECK_EQ(t[0].fired_at, 10500);
	CHECK_EQ(t[2].fires, 0);
	CHECK_EQ(tt_run(&c, 10999), 0);
	tt_arm(&c, &t[4], 1); /* past again, after a run */
	CHECK_EQ(tt_run(&c, 10999), 1);
	CHECK_EQ(t[4].fired_at, 10999);
	CHECK_EQ(tt_run(&c, 11000), 1);
	CHECK_EQ(t[2].fired_at, 11000);
	ctx_fini(&c);
	free(t);
}

/*
 * Hours and days ahead, through every cascade and beyond the 2^32-tick span
 * (49.7 days at 1 ms, 71.6 minutes at 1 us), among noise timers that cascade
 * alongside. Time advances in large random jumps plus a run just before and
 * at each target's due time.
 */
static void
test_far_future(void)
{
	static const uint64_t ticks[] = {1, 1000};

	for (unsigned int k = 0; k < RTE_DIM(ticks); k++) {
		uint64_t tick = ticks[k];
		const uint64_t span = tick << 32;
		const uint64_t targets[] = {
			US_PER_H,
			5 * US_PER_H,
			(tick << 24) - 1,
			tick << 24,
			(tick << 24) + 1,
			span - tick,
			span,
			span + 1,
			span + tick,
			2 * span + 17,
			30 * US_PER_DAY,
			60 * US_PER_DAY,
			400 * US_PER_DAY + 3,
			3 * US_PER_H + 1,
		};
		enum { NOISE = 2000 };
		unsigned int nt = RTE_DIM(targets), n = nt + NOISE;
		struct rng r = {.s = 0xfa4f0000 + tick};
		uint64_t *points = calloc(2 * nt + 400, sizeof(*points));
		unsigned int np = 0, fired = 0;
		uint64_t start = 777;
		struct tctx c;
		struct ttimer *t;

		ctx_init(&c, start, tick, 0);
		t = tt_new(&c, n);
		for (unsigned int i = 0; i < nt; i++) {
			tt_arm(&c, &t[i], start + targets[i]);
			points[np++] = due_time(start + targets[i], tick) - 1;
			points[np++] = due_time(start + targets[i], tick);
		}
		for (unsigned int i = nt; i < n; i++)
			tt_arm(&c, &t[i], start + rng_below(&r, 400 * US_PER_DAY));
		for (unsigned int i = 0; i < 400; i++)
			points[np++] = start + rng_below(&r, 401 * US_PER_DAY);
		qsort(points, np, sizeof(*points), cmp_u64);
		for (unsigned int i = 0; i < np; i++)
			fired += tt_run(&c, points[i]);
		fired += tt_run(&c, start + 401 * US_PER_DAY);
		CHECK_EQ(fired, n);
		for (unsigned int i = 0; i < n; i++)
			CHECK_EQ(t[i].fires, 1);
		for (unsigned int i = 0; i < nt; i++)
			CHECK_EQ(t[i].fired_at, due_time(start + targets[i], tick));
		free(points);
		ctx_fini(&c);
		free(t);
	}
}

/* A callback that re-arms itself: drift-free periods, and no livelock below a tick. */
static void
test_periodic(void)
{
	struct tctx c;
	struct ttimer *t;
	unsigned int n = 0;

	ctx_init(&c, 0, 1000, 64);
	t = tt_new(&c, 1);
	t->period = 2500;
	tt_arm(&c, t, 2500);
	for (uint64_t now = 100; now <= 100000; now += 100)
		n += tt_run(&c, now);
	CHECK_EQ(n, 40);
	CHECK_EQ(c.nlog, 40);
	for (unsigned int i = 0; i < c.nlog; i++)
		CHECK_EQ(c.log_at[i], due_time(2500 * (uint64_t)(i + 1), 1000));
	CHECK(dtcp_timer_armed(&t->tm));
	CHECK_EQ(t->tm.expires_us, 41 * 2500);

	/* A period below the tick fires once per run, whatever the jump. */
	t->period = 300;
	tt_arm(&c, t, 100300);
	CHECK_EQ(tt_run(&c, 101000), 1);
	CHECK_EQ(tt_run(&c, 101000), 1); /* re-armed for 100600: already due */
	/*
	 * Jumping ahead: once from the due list (re-armed for 101200, tick 102,
	 * which this run has still to process), once more at tick 102, where it
	 * re-arms for 101500: a processed tick, so the next run.
	 */
	CHECK_EQ(tt_run(&c, 150000), 2);
	CHECK_EQ(tt_run(&c, 150000), 1);
	dtcp_timer_cancel(c.w, &t->tm);
	CHECK_EQ(tt_run(&c, 150000), 0);
	ctx_fini(&c);
	free(t);
}

/* Callbacks that cancel, arm and re-arm other timers due in the same run. */
static void
test_callback_changes(void)
{
	struct tctx c;
	struct ttimer *t;

	ctx_init(&c, 0, 1000, 64);
	t = tt_new(&c, 12);
	/* 0 and 1 share a tick and cancel each other: exactly one fires. */
	t[0].cancel_other = &t[1];
	t[1].cancel_other = &t[0];
	tt_arm(&c, &t[0], 5000);
	tt_arm(&c, &t[1], 4500);
	CHECK_EQ(tt_run(&c, 5000), 1);
	CHECK_EQ(t[0].fires + t[1].fires, 1);
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 0);

	/* 2 cancels 3, due later in the same (jumping) run. */
	t[2].cancel_other = &t[3];
	tt_arm(&c, &t[2], 7000);
	tt_arm(&c, &t[3], 9000);
	/* 4 arms 5 for later in this run and 6 in the past (next run). */
	t[4].arm_other = &t[5];
	t[4].arm_other_at = 12000;
	tt_arm(&c, &t[4], 8000);
	t[7].arm_other = &t[6];
	t[7].arm_other_at = 1000;
	tt_arm(&c, &t[7], 8000);
	/* 8 re-arms itself then cancels itself. */
	t[8].self_rearm_cancel = true;
	tt_arm(&c, &t[8], 6000);
	CHECK_EQ(tt_run(&c, 20000), 5); /* 8, 2, 4 and 7, then 5 */
	CHECK_EQ(t[3].fires, 0);
	CHECK_EQ(t[5].fires, 1);
	CHECK_EQ(t[5].fired_at, 20000);
	CHECK_EQ(t[6].fires, 0);
	CHECK(dtcp_timer_armed(&t[6].tm));
	CHECK(!dtcp_timer_armed(&t[8].tm));
	CHECK_EQ(tt_run(&c, 20000), 1);
	CHECK_EQ(t[6].fires, 1);
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 0);

	/* 9 moves 10 (same tick, maybe already fired) to a later tick. */
	t[9].arm_other = &t[10];
	t[9].arm_other_at = 30000;
	tt_arm(&c, &t[9], 25000);
	tt_arm(&c, &t[10], 25000);
	CHECK_EQ(tt_run(&c, 25000), 1 + t[10].fires);
	CHECK(dtcp_timer_armed(&t[10].tm));
	CHECK_EQ(tt_run(&c, 29999), 0);
	CHECK_EQ(tt_run(&c, 30000), 1);
	CHECK_EQ(t[10].fired_at, 30000);
	ctx_fini(&c);
	free(t);
}

/* max_expiries: the earliest fire first, the rest on the next runs. */
static void
test_budget(void)
{
	struct tctx c;
	struct ttimer *t;
	unsigned int by_tick[11] = {0};

	ctx_init(&c, 0, 1000, 128);
	c.strict = false; /* the budget makes some fire runs later than the rule */
	t = tt_new(&c, 101);
	for (unsigned int i = 0; i < 100; i++)
		tt_arm(&c, &t[i], 1000 * (1 + i / 10) - i % 10); /* 10 per tick, ticks 1..10 */
	CHECK_EQ(tt_run_max(&c, 10000, 0), 0);
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 100);
	CHECK_EQ(tt_run_max(&c, 10000, 25), 25);
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 75);
	for (unsigned int i = 0; i < c.nlog; i++)
		by_tick[due_time(t[c.log[i]].expires, 1000) / 1000]++;
	CHECK_EQ(by_tick[1], 10);
	CHECK_EQ(by_tick[2], 10);
	CHECK_EQ(by_tick[3], 5);
	CHECK_EQ(tt_run_max(&c, 10000, 30), 30);
	/* Past: due like the 5 the budget left, all before the wheel's ticks 7..10. */
	tt_arm(&c, &t[100], 500);
	CHECK_EQ(tt_run_max(&c, 10000, 45), 45);
	CHECK_EQ(t[100].fires, 1);
	CHECK_EQ(tt_run_max(&c, 10000, 45), 1);
	for (unsigned int i = 1, prev = c.log[0]; i < c.nlog; i++) {
		if (c.log[i] == 100)
			continue;
		CHECK(due_time(t[c.log[i]].expires, 1000) >= due_time(t[prev].expires, 1000));
		prev = c.log[i];
	}
	for (unsigned int i = 0; i < 101; i++)
		CHECK_EQ(t[i].fires, 1);
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 0);
	ctx_fini(&c);
	free(t);
}

/* Time going backwards changes nothing. */
static void
test_time_backwards(void)
{
	struct tctx c;
	struct ttimer *t;

	ctx_init(&c, 0, 1000, 16);
	t = tt_new(&c, 2);
	tt_arm(&c, &t[0], 8000);
	CHECK_EQ(tt_run(&c, 10000), 1);
	tt_arm(&c, &t[1], 12000);
	CHECK_EQ(tt_run(&c, 5000), 0);
	CHECK_EQ(tt_run(&c, 11999), 0);
	CHECK_EQ(tt_run(&c, 0), 0);
	CHECK_EQ(tt_run(&c, 12000), 1);
	CHECK_EQ(t[1].fired_at, 12000);
	/* Armed in the past while time runs backwards: fires, with the wheel's clock. */
	tt_arm(&c, &t[0], 11000);
	CHECK_EQ(tt_run(&c, 3000), 1);
	CHECK_EQ(t[0].fired_at, 12000);
	ctx_fini(&c);
	free(t);
}

static void
test_free_disarms(void)
{
	struct tctx c;
	struct ttimer *t;

	ctx_init(&c, 5000, 1000, 16);
	t = tt_new(&c, 6);
	tt_arm(&c, &t[0], 1000);	      /* due list */
	tt_arm(&c, &t[1], 7000);	      /* level 0 */
	tt_arm(&c, &t[2], 700000);	      /* level 1 */
	tt_arm(&c, &t[3], 5 * US_PER_H);      /* level 2 */
	tt_arm(&c, &t[4], 30 * US_PER_DAY);   /* level 3 */
	tt_arm(&c, &t[5], 3000 * US_PER_DAY); /* beyond the span */
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 6);
	dtcp_timer_wheel_free(c.w);
	CHECK_EQ(dtcp_timer_wheel_count(c.w), 0);
	for (unsigned int i = 0; i < 6; i++)
		CHECK(!dtcp_timer_armed(&t[i].tm));
	CHECK_EQ(dtcp_timer_wheel_run(c.w, UINT64_MAX, UINT_MAX), 0);
	/* Reusable after free + init. */
	CHECK_EQ(dtcp_timer_wheel_init(c.w, 0, 1000), 0);
	c.clock = 0;
	tt_arm(&c, &t[1], 2000);
	CHECK_EQ(tt_run(&c, 2000), 1);
	ctx_fini(&c);
	free(t);
}

/*
 * Randomised differential test against a reference model. The model knows,
 * for each timer, whether it is armed and its tick T; armed timers sit in a
 * binary min-heap of (T, generation), stale entries skipped on pop. Timers
 * armed for a tick already passed are "past": they must fire in the next
 * run (the one after that when armed by a callback). After each run every
 * heap entry with T <= floor(clock / tick) and every past timer due in that
 * run must have fired, and every callback must have been expected. Within a
 * run, past timers fire first, then the others in tick order.
 */
struct model_ent {
	uint64_t tick;
	uint32_t id;
	uint32_t gen;
};

struct model {
	struct tctx c;
	struct ttimer *t;
	struct rng r;
	unsigned int n;
	/* Per timer. */
	bool *armed;
	uint64_t *T;
	uint32_t *gen;
	bool *past; /**< armed for a passed tick: fires at run expect_run */
	unsigned int *expect_run;
	/* Heap. */
	struct model_ent *heap;
	unsigned int heap_len, heap_cap;
	/* Past timers to check after runs. */
	uint32_t *past_ids;
	unsigned int nb_past, past_cap;
	uint64_t nb_armed;
	/* During a run. */
	uint64_t target;   /**< floor(clock / tick) for this run */
	uint64_t w_before; /**< the wheel's next tick before the run */
	uint64_t last_T;
	bool seen_wheel;
	uint64_t fired;
};

static void
heap_push(struct model *m, uint64_t tick, uint32_t id, uint32_t gen)
{
	unsigned int i;

	if (m->heap_len == m->heap_cap) {
		m->heap_cap *= 2;
		m->heap = realloc(m->heap, m->heap_cap * sizeof(*m->heap));
	}
	i = m->heap_len++;
	while (i > 0 && m->heap[(i - 1) / 2].tick > tick) {
		m->heap[i] = m->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	m->heap[i] = (struct model_ent){.tick = tick, .id = id, .gen = gen};
}

static struct model_ent
heap_pop(struct model *m)
{
	struct model_ent top = m->heap[0], last = m->heap[--m->heap_len];
	unsigned int i = 0;

	for (;;) {
		unsigned int ch = 2 * i + 1;

		if (ch >= m->heap_len)
			break;
		if (ch + 1 < m->heap_len && m->heap[ch + 1].tick < m->heap[ch].tick)
			ch++;
		if (m->heap[ch].tick >= last.tick)
			break;
		m->heap[i] = m->heap[ch];
		i = ch;
	}
	if (m->heap_len > 0)
		m->heap[i] = last;
	return top;
}

static void model_cb(struct dtcp_timer_wheel *w, struct dtcp_timer *tm, uint64_t now);

/* Arm timer id in both; w_next is the wheel's next tick at that moment. */
static void
model_arm(struct model *m, unsigned int id, uint64_t expires, uint64_t w_next, bool in_run)
{
	uint64_t tick = m->c.tick;
	uint64_t T = expires / tick + (expires % tick != 0);

	dtcp_timer_arm(m->c.w, &m->t[id].tm, expires);
	m->t[id].expires = expires;
	if (!m->armed[id])
		m->nb_armed++;
	m->armed[id] = true;
	m->T[id] = T;
	m->gen[id]++;
	m->past[id] = T < w_next;
	if (m->past[id]) {
		m->expect_run[id] = m->c.runs + (in_run ? 1 : 0);
		if (m->nb_past == m->past_cap) {
			m->past_cap *= 2;
			m->past_ids = realloc(m->past_ids, m->past_cap * sizeof(*m->past_ids));
		}
		m->past_ids[m->nb_past++] = id;
	} else {
		heap_push(m, T, id, m->gen[id]);
	}
}

static void
model_cancel(struct model *m, unsigned int id)
{
	dtcp_timer_cancel(m->c.w, &m->t[id].tm);
	if (m->armed[id])
		m->nb_armed--;
	m->armed[id] = false;
	m->gen[id]++;
}

/* A random expiry relative to the clock, across all levels, the past and beyond the span. */
static uint64_t
model_expiry(struct model *m)
{
	uint64_t tick = m->c.tick, clock = m->c.clock;
	unsigned int cls = (unsigned int)rng_below(&m->r, 100);

	if (cls < 5)
		return clock - rng_below(&m->r, RTE_MIN(clock, 50 * tick) + 1);
	if (cls < 45)
		return clock + rng_below(&m->r, 256 * tick);
	if (cls < 75)
		return clock + rng_below(&m->r, 65536 * tick);
	if (cls < 90)
		return clock + rng_below(&m->r, (tick << 24));
	if (cls < 97)
		return clock + rng_below(&m->r, (tick << 33));
	return clock + rng_below(&m->r, (tick << 40));
}

static void
model_cb(struct dtcp_timer_wheel *w, struct dtcp_timer *tm, uint64_t now)
{
	struct ttimer *t = container_of(tm, struct ttimer, tm);
	struct model *m = container_of(t->ctx, struct model, c);
	unsigned int id = t->id;
	uint64_t w_next;

	CHECK(w == m->c.w);
	CHECK(now >= t->expires);
	if (!m->armed[id]) {
		fprintf(stderr, "model: timer %u fired but is not armed\n", id);
		dtcp_test_failures++;
		return;
	}
	if (m->past[id]) {
		CHECK_EQ(m->expect_run[id], m->c.runs);
		CHECK(!m->seen_wheel);
		w_next = m->w_before;
	} else {
		CHECK(m->T[id] <= m->target);
		CHECK(m->T[id] >= m->last_T);
		m->last_T = m->T[id];
		m->seen_wheel = true;
		w_next = m->T[id] + 1;
	}
	m->armed[id] = false;
	m->gen[id]++;
	m->nb_armed--;
	m->fired++;
	t->fires++;

	/* Sometimes change the wheel from inside the callback. */
	switch (rng_below(&m->r, 20)) {
	case 0: /* re-arm self */
		model_arm(m, id, now + rng_below(&m->r, 300 * m->c.tick) - m->c.tick, w_next, true);
		break;
	case 1: /* arm or move another */
		model_arm(m, (unsigned int)rng_below(&m->r, m->n), model_expiry(m), w_next, true);
		break;
	case 2: /* cancel another (maybe due in this run) */
		model_cancel(m, (unsigned int)rng_below(&m->r, m->n));
		break;
	default:
		break;
	}
}

static void
model_check_run(struct model *m, unsigned int run)
{
	unsigned int keep = 0;

	while (m->heap_len > 0 && m->heap[0].tick <= m->target) {
		struct model_ent e = heap_pop(m);

		if (e.gen != m->gen[e.id])
			continue; /* cancelled, re-armed or fired since */
		fprintf(stderr,
			"model: timer %u (tick %" PRIu64 ") due by tick %" PRIu64 " did not fire\n",
			e.id, e.tick, m->target);
		dtcp_test_failures++;
		m->gen[e.id]++;
	}
	for (unsigned int i = 0; i < m->nb_past; i++) {
		uint32_t id = m->past_ids[i];

		if (!m->armed[id] || !m->past[id])
			continue;
		if (m->expect_run[id] <= run) {
			fprintf(stderr, "model: past timer %u did not fire in run %u\n", id, run);
			dtcp_test_failures++;
			continue;
		}
		m->past_ids[keep++] = id;
	}
	m->nb_past = keep;
}

static void
model_test(uint64_t seed, uint64_t tick, unsigned int n, unsigned int nb_ops)
{
	struct model *m = calloc(1, sizeof(*m));
	unsigned int failures_before = dtcp_test_failures;
	uint64_t runs_fired = 0;

	ctx_init(&m->c, 1000000007, tick, 0);
	m->r.s = seed;
	m->n = n;
	m->t = calloc(n, sizeof(*m->t));
	for (unsigned int i = 0; i < n; i++) {
		dtcp_timer_init(&m->t[i].tm, model_cb);
		m->t[i].ctx = &m->c;
		m->t[i].id = i;
	}
	m->armed = calloc(n, sizeof(*m->armed));
	m->T = calloc(n, sizeof(*m->T));
	m->gen = calloc(n, sizeof(*m->gen));
	m->past = calloc(n, sizeof(*m->past));
	m->expect_run = calloc(n, sizeof(*m->expect_run));
	m->heap_cap = 1024;
	m->heap = malloc(m->heap_cap * sizeof(*m->heap));
	m->past_cap = 1024;
	m->past_ids = malloc(m->past_cap * sizeof(*m->past_ids));

	/* First every timer armed, then a random mix. */
	for (unsigned int op = 0; op < n + nb_ops; op++) {
		unsigned int kind = op < n ? 0 : (unsigned int)rng_below(&m->r, 100);

		if (kind < 55) {
			unsigned int id = op < n ? op : (unsigned int)rng_below(&m->r, n);

			model_arm(m, id, model_expiry(m), m->c.clock / tick + 1, false);
		} else if (kind < 75) {
			model_cancel(m, (unsigned int)rng_below(&m->r, n));
		} else {
			unsigned int cls = (unsigned int)rng_below(&m->r, 100);
			uint64_t now = m->c.clock, fired;

			if (cls < 60)
				now += rng_below(&m->r, 2 * tick + 1);
			else if (cls < 88)
				now += rng_below(&m->r, 300 * tick);
			else if (cls < 95)
				now += rng_below(&m->r, 70000 * tick);
			else if (cls < 97)
				now += rng_below(&m->r, tick << 26);
			else
				now -= rng_below(&m->r, 10 * tick); /* backwards */
			m->target = RTE_MAX(now, m->c.clock) / tick;
			m->w_before = m->c.clock / tick + 1;
			m->last_T = 0;
			m->seen_wheel = false;
			m->fired = 0;
			fired = tt_run(&m->c, now);
			CHECK_EQ(fired, m->fired);
			runs_fired += fired;
			model_check_run(m, m->c.runs - 1);
			CHECK_EQ(dtcp_timer_wheel_count(m->c.w), m->nb_armed);
		}
		if (dtcp_test_failures - failures_before > 20)
			break; /* enough output */
	}
	/* Spot-check armed() for every timer at the end. */
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(dtcp_timer_armed(&m->t[i].tm), m->armed[i]);
	printf("     model tick=%" PRIu64 ": %u timers, %u ops, %u runs, %" PRIu64
	       " fired, %" PRIu64 " still armed\n",
	       tick, n, nb_ops, m->c.runs, runs_fired, m->nb_armed);

	free(m->armed);
	free(m->T);
	free(m->gen);
	free(m->past);
	free(m->expect_run);
	free(m->heap);
	free(m->past_ids);
	ctx_fini(&m->c);
	free(m->t);
	free(m);
}

static void
test_random_vs_model(void)
{
	model_test(0x7157eed, 1000, 100000, 400000);
	model_test(0x7157eee, 1, 20000, 100000);
	model_test(0x7157eef, 7, 20000, 100000);
}

int
main(void)
{
	RUN_TEST(test_init_errors);
	RUN_TEST(test_fire_exact);
	RUN_TEST(test_isolated);
	RUN_TEST(test_order);
	RUN_TEST(test_cancel);
	RUN_TEST(test_rearm);
	RUN_TEST(test_arm_past);
	RUN_TEST(test_far_future);
	RUN_TEST(test_periodic);
	RUN_TEST(test_callback_changes);
	RUN_TEST(test_budget);
	RUN_TEST(test_time_backwards);
	RUN_TEST(test_free_disarms);
	RUN_TEST(test_random_vs_model);
	return TEST_EXIT();
}
