/* SPDX-License-Identifier: BSD-3-Clause */
/* Backend health state machine; see lb_health.h. */
#include <string.h>

#include "lb_health.h"

void
lb_health_init(struct lb_health *h, uint16_t rise, uint16_t fall)
{
	memset(h, 0, sizeof(*h));
	h->up = true;
	h->rise = rise == 0 ? 1 : rise;
	h->fall = fall == 0 ? 1 : fall;
}

bool
lb_health_record(struct lb_health *h, bool ok)
{
	/*
	 * Runs are kept whatever the state (saturating, so a long run never
	 * wraps to 0); the state only looks at the run that could change it.
	 */
	if (ok) {
		h->checks_ok++;
		h->fail_run = 0;
		if (h->ok_run < UINT16_MAX)
			h->ok_run++;
		if (!h->up && h->ok_run >= h->rise) {
			h->up = true;
			h->transitions++;
			return true;
		}
	} else {
		h->checks_failed++;
		h->ok_run = 0;
		if (h->fail_run < UINT16_MAX)
			h->fail_run++;
		if (h->up && h->fail_run >= h->fall) {
			h->up = false;
			h->transitions++;
			return true;
		}
	}
	return false;
}
