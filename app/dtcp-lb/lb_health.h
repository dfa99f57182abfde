/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A backend's health as HAProxy models it: the backend starts up; @c fall
 * consecutive failed checks take it down, @c rise consecutive successful
 * checks bring it back. A result of the other kind breaks the run.
 *
 * Pure C (no DPDK, no clock): the caller runs the checks and records each
 * result; tests/unit/test_lb_health.c drives it directly.
 */
#ifndef DTCP_LB_HEALTH_H
#define DTCP_LB_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

/** One backend's health state and check counters. */
struct lb_health {
	bool up;	     /**< current state; starts up (as HAProxy does) */
	uint16_t rise, fall; /**< consecutive successes to go up, failures to go down (>= 1) */
	uint16_t ok_run, fail_run; /**< current runs (saturate at UINT16_MAX) */
	uint64_t checks_ok, checks_failed, transitions;
};

/**
 * Start in the up state with no runs and zero counters.
 *
 * @param h state to initialise.
 * @param rise consecutive successes needed to go up; 0 is taken as 1.
 * @param fall consecutive failures needed to go down; 0 is taken as 1.
 */
void lb_health_init(struct lb_health *h, uint16_t rise, uint16_t fall);

/**
 * Record one check result.
 *
 * @param h state from lb_health_init().
 * @param ok whether the check succeeded.
 * @return true when the state changed (h->up is then the new state), false otherwise.
 */
bool lb_health_record(struct lb_health *h, bool ok);

#endif
