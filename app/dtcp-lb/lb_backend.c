/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Backend choice and health checks (see lb_backend.h for who writes what).
 *
 *   lb_picker_refresh (every lcore, every poll)  gen moved? copy up[], rebuild Maglev
 *   lb_pick / lb_pick_other (on accept, on a failed connect)
 *   lb_check_poll (lcore 0, every poll)  start due checks, time out late ones
 *   lb_check_event (lcore 0)             CONNECTED = good, ERROR = bad
 *     -> check_done -> lb_health_record -> on a transition: publish, print
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "lb_backend.h"

void
lb_backends_init(struct lb_backends *be, const struct lb_options *opt, uint64_t flow_seed,
		 bool checking)
{
	memset(be, 0, sizeof(*be));
	be->n = opt->nb_backends;
	be->policy = opt->policy;
	be->flow_seed = flow_seed;
	be->checking = checking;
	be->interval_us = (uint64_t)opt->health_interval_ms * 1000;
	be->timeout_us = (uint64_t)opt->health_timeout_ms * 1000;
	for (unsigned int i = 0; i < be->n; i++) {
		char ip[INET_ADDRSTRLEN];

		be->addr[i] = opt->backends[i];
		inet_ntop(AF_INET, &be->addr[i].addr, ip, sizeof(ip));
		snprintf(be->name[i], sizeof(be->name[i]), "%s:%u", ip, be->addr[i].port);
		be->name_ptr[i] = be->name[i];
		lb_health_init(&be->health[i], opt->health_rise, opt->health_fall);
		be->check[i].kind = LB_OBJ_CHECK;
		be->check[i].backend = i;
		atomic_init(&be->up[i], true); /* as lb_health starts: up until checks say not */
	}
	atomic_init(&be->gen, 0);
}

bool
lb_backend_is_up(const struct lb_backends *be, unsigned int i)
{
	return atomic_load_explicit(&be->up[i], memory_order_relaxed);
}

void
lb_backend_publish(struct lb_backends *be, unsigned int i, bool up)
{
	atomic_store_explicit(&be->up[i], up, memory_order_relaxed);
	/* Release: a reader that sees the new gen also sees up[i] (one writer: no RMW needed). */
	atomic_store_explicit(&be->gen, atomic_load_explicit(&be->gen, memory_order_relaxed) + 1,
			      memory_order_release);
}

/* --- per-lcore choice ------------------------------------------------------------------- */

static void
picker_rebuild(struct lb_picker *p)
{
	const struct lb_backends *be = p->be;

	p->nb_up = 0;
	for (unsigned int i = 0; i < be->n; i++) {
		p->up[i] = atomic_load_explicit(&be->up[i], memory_order_relaxed);
		p->nb_up += p->up[i];
	}
	if (be->policy == LB_POLICY_MAGLEV)
		lb_maglev_build(&p->maglev, be->name_ptr, p->up, be->n);
}

int
lb_picker_init(struct lb_picker *p, struct lb_backends *be)
{
	memset(p, 0, sizeof(*p));
	p->be = be;
	if (be->policy == LB_POLICY_MAGLEV &&
	    lb_maglev_init(&p->maglev, LB_MAGLEV_SIZE, RTE_MAX(be->n, 1u)) != 0)
		return -ENOMEM;
	p->gen = atomic_load_explicit(&be->gen, memory_order_acquire);
	picker_rebuild(p);
	return 0;
}

void
lb_picker_free(struct lb_picker *p)
{
	if (p->be != NULL && p->be->policy == LB_POLICY_MAGLEV)
		lb_maglev_free(&p->maglev);
}

bool
lb_picker_refresh(struct lb_picker *p)
{
	uint32_t gen = atomic_load_explicit(&p->be->gen, memory_order_acquire);

	if (gen == p->gen)
		return false;
	p->gen = gen;
	picker_rebuild(p);
	return true;
}

int
lb_pick(struct lb_picker *p, uint32_t addr_be, uint16_t port_be)
{
	const unsigned int n = p->be->n;

	if (p->nb_up == 0)
		return -1;
	if (p->be->policy == LB_POLICY_MAGLEV)
		return lb_maglev_lookup(&p->maglev,
					lb_flow_hash(addr_be, port_be, p->be->flow_seed));
	for (unsigned int k = 0; k < n; k++) {
		unsigned int i = p->rr_next;

		p->rr_next = i + 1 < n ? i + 1 : 0;
		if (p->up[i])
			return (int)i;
	}
	return -1; /* not reached: nb_up > 0 */
}

int
lb_pick_other(struct lb_picker *p, unsigned int failed)
{
	const unsigned int n = p->be->n;

	for (unsigned int k = 1; k < n; k++) {
		unsigned int i = (failed + k) % n;

		if (p->up[i])
			return (int)i;
	}
	return -1;
}

/* --- health checks (lcore 0) ------------------------------------------------------------ */

static void
check_done(struct lb_backends *be, struct lb_check *ck, bool ok, const char *reason)
{
	struct lb_health *h = &be->health[ck->backend];

	ck->conn = NULL;
	if (!lb_health_record(h, ok))
		return;
	lb_backend_publish(be, ck->backend, h->up);
	/* A transition, not a packet: printing here is off the data path. */
	if (h->up)
		printf("dtcp-lb: backend %u %s up\n", ck->backend, be->name[ck->backend]);
	else
		printf("dtcp-lb: backend %u %s down (%s)\n", ck->backend, be->name[ck->backend],
		       reason);
	fflush(stdout);
}

void
lb_check_poll(struct lb_backends *be, struct dtcp_lcore *lc, uint64_t now_us)
{
	if (!be->checking)
		return;
	for (unsigned int i = 0; i < be->n; i++) {
		struct lb_check *ck = &be->check[i];

		if (ck->next_us == 0) /* first poll: spread the backends over one interval */
			ck->next_us = now_us + be->interval_us * i / be->n;
		if (ck->conn != NULL) {
			if (now_us >= ck->deadline_us) {
				dtcp_abort(ck->conn);
				check_done(be, ck, false, "timeout");
			}
			continue;
		}
		if (now_us < ck->next_us)
			continue;
		ck->next_us = now_us + be->interval_us;
		ck->deadline_us = now_us + be->timeout_us;
		ck->conn = dtcp_connect(lc, be->addr[i].addr, be->addr[i].port, 0, ck);
		if (ck->conn == NULL)
			check_done(be, ck, false, rte_strerror(rte_errno));
	}
}

void
lb_check_event(struct lb_backends *be, const struct dtcp_event *ev)
{
	struct lb_check *ck = ev->user;

	if (ck->conn == NULL || ck->conn != ev->conn)
		return; /* a check already finished (timed out) */
	switch (ev->type) {
	case DTCP_EV_CONNECTED:
		/* Closed politely: the backend sees a connection without a request. */
		dtcp_close(ck->conn);
		check_done(be, ck, true, NULL);
		break;
	case DTCP_EV_ERROR:
		dtcp_close(ck->conn);
		check_done(be, ck, false,
			   ev->error == ECONNREFUSED ? "connection refused"
			   : ev->error == ETIMEDOUT  ? "timeout"
						     : strerror(ev->error));
		break;
	case DTCP_EV_CLOSED: /* not reached before CONNECTED; treat as a failure */
		dtcp_close(ck->conn);
		check_done(be, ck, false, "closed");
		break;
	default:
		break;
	}
}

void
lb_check_stop(struct lb_backends *be)
{
	for (unsigned int i = 0; i < be->n; i++) {
		if (be->check[i].conn != NULL)
			dtcp_abort(be->check[i].conn);
		be->check[i].conn = NULL;
	}
}
