/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-lb's backend health state machine (app/dtcp-lb/lb_health.c), compiled
 * on its own: starts up, goes down after exactly `fall` consecutive failures
 * and up after exactly `rise` consecutive successes, a result of the other
 * kind breaks a run, and the counters are exact.
 */
#include <string.h>

#include "dtcp_test.h"
#include "lb_health.h"

static void
test_health_starts_up(void)
{
	struct lb_health h;

	memset(&h, 0xa5, sizeof(h));
	lb_health_init(&h, 3, 2);
	CHECK(h.up);
	CHECK_EQ(h.rise, 3);
	CHECK_EQ(h.fall, 2);
	CHECK_EQ(h.ok_run, 0);
	CHECK_EQ(h.fail_run, 0);
	CHECK_EQ(h.checks_ok, 0);
	CHECK_EQ(h.checks_failed, 0);
	CHECK_EQ(h.transitions, 0);

	/* Successes while up change nothing. */
	for (int i = 0; i < 5; i++)
		CHECK(!lb_health_record(&h, true));
	CHECK(h.up);
	CHECK_EQ(h.transitions, 0);

	/* rise/fall 0 are taken as 1: one failure takes it down, one success brings it up. */
	lb_health_init(&h, 0, 0);
	CHECK_EQ(h.rise, 1);
	CHECK_EQ(h.fall, 1);
	CHECK(lb_health_record(&h, false));
	CHECK(!h.up);
	CHECK(lb_health_record(&h, true));
	CHECK(h.up);
}

static void
test_health_fall_rise(void)
{
	struct lb_health h;

	lb_health_init(&h, 3, 2);

	/* fall = 2: the first failure keeps it up, the second takes it down (true once). */
	CHECK(!lb_health_record(&h, false));
	CHECK(h.up);
	CHECK_EQ(h.fail_run, 1);
	CHECK(lb_health_record(&h, false));
	CHECK(!h.up);
	CHECK(!lb_health_record(&h, false)); /* already down */
	CHECK(!h.up);
	CHECK_EQ(h.fail_run, 3);

	/* rise = 3 while down: two successes are not enough, a failure restarts the run. */
	CHECK(!lb_health_record(&h, true));
	CHECK(!lb_health_record(&h, true));
	CHECK(!h.up);
	CHECK_EQ(h.ok_run, 2);
	CHECK(!lb_health_record(&h, false));
	CHECK_EQ(h.ok_run, 0);
	CHECK(!lb_health_record(&h, true));
	CHECK(!lb_health_record(&h, true));
	CHECK(!h.up);
	CHECK(lb_health_record(&h, true)); /* third in a row */
	CHECK(h.up);
	CHECK(!lb_health_record(&h, true));

	/* Up again: a success between two failures resets the failure run. */
	CHECK(!lb_health_record(&h, false));
	CHECK(!lb_health_record(&h, true));
	CHECK_EQ(h.fail_run, 0);
	CHECK(!lb_health_record(&h, false));
	CHECK(h.up);
	CHECK(lb_health_record(&h, false));
	CHECK(!h.up);

	/* Exact counters. ok: 2 + 3 + 1 (after up) + 1 (between) = 7; failed: 3 + 1 + 1 + 2 = 7. */
	CHECK_EQ(h.checks_ok, 7);
	CHECK_EQ(h.checks_failed, 7);
	CHECK_EQ(h.transitions, 3);

	/* Long runs saturate instead of wrapping back to 0. */
	for (unsigned int i = 0; i < 70000; i++)
		lb_health_record(&h, false);
	CHECK_EQ(h.fail_run, UINT16_MAX);
	CHECK(!h.up);
	CHECK_EQ(h.checks_failed, 70007);
	CHECK_EQ(h.transitions, 3);
}

int
main(void)
{
	RUN_TEST(test_health_starts_up);
	RUN_TEST(test_health_fall_rise);
	return TEST_EXIT();
}
