/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP telemetry:
 *   /dtcp/conns[,start]  listeners, connections and TIME_WAIT entries of every
 *                        lcore, at most DTCP_TEL_CONNS_PAGE per reply, keyed
 *                        "lcoreN/kind/slot", each with its owner "lcore"
 *                        (index); "next" gives the start of the
 *                        following page (0 when done). tools/dtcp-ss pages
 *                        through it and prints it like `ss -tan`.
 *   /dtcp/handshake      histograms of SYN-to-ESTABLISHED times, passive and
 *                        active, in log2 microsecond buckets.
 *
 * These run on the telemetry thread and read the lcores' tables without
 * stopping them: only scalar fields are read (never a pointer followed), so a
 * reply may mix two instants of a connection but cannot fault. That is the
 * usual contract of `ss` against a busy kernel, too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "ctl/telemetry.h"
#include "tcp/tcp.h"

/*
 * Records per reply. DPDK 22.11 truncates a reply at 16 KiB and silently
 * drops what does not fit; a record takes up to ~195 bytes of JSON, and ~225
 * with a tag (dtcp_conn_set_tag()).
 */
#define DTCP_TEL_CONNS_PAGE 68

struct conn_row {
	const char *kind; /* "listen", "conn", "tw" */
	uint8_t state;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint32_t recv_q, send_q;
	uint32_t rto_ms;
	uint64_t timer_ms; /* until the next timer, 0 if none */
	uint64_t tag;	   /* dtcp_conn_set_tag(), reported if not 0 */
};

static void
add_row(struct rte_tel_data *d, unsigned int lcore, int32_t slot, const struct conn_row *r)
{
	struct rte_tel_data *e = rte_tel_data_alloc();
	char key[RTE_TEL_MAX_STRING_LEN], la[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN];

	if (e == NULL)
		return;
	snprintf(key, sizeof(key), "lcore%u/%s/%d", lcore, r->kind, slot);
	inet_ntop(AF_INET, &r->laddr, la, sizeof(la));
	inet_ntop(AF_INET, &r->raddr, ra, sizeof(ra));
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_int(e, "lcore", (int)lcore); /* the owner (steer/steer.h) */
	rte_tel_data_add_dict_string(e, "state", dtcp_tcp_state_name(r->state));
	rte_tel_data_add_dict_string(e, "local_addr", la);
	rte_tel_data_add_dict_int(e, "local_port", r->lport);
	rte_tel_data_add_dict_string(e, "remote_addr", ra);
	rte_tel_data_add_dict_int(e, "remote_port", r->rport);
	rte_tel_data_add_dict_u64(e, "recv_q", r->recv_q);
	rte_tel_data_add_dict_u64(e, "send_q", r->send_q);
	rte_tel_data_add_dict_u64(e, "rto_ms", r->rto_ms);
	rte_tel_data_add_dict_u64(e, "timer_ms", r->timer_ms);
	if (r->tag != 0)
		rte_tel_data_add_dict_u64(e, "tag", r->tag);
	if (rte_tel_data_add_dict_container(d, key, e, 0) != 0)
		rte_tel_data_free(e);
}

static uint64_t
ms_until(const struct dtcp_lcore *lc, const struct dtcp_timer *t)
{
	uint64_t exp = t->expires_us, now = lc->now_us;

	if (!dtcp_timer_armed(t))
		return 0;
	return exp > now ? (exp - now + 999) / 1000 : 1;
}

/* Walk every object of every lcore; rows numbered from 0 in a stable order. */
static inline bool
row_on_page(const struct rte_tel_data *d, uint64_t row, uint64_t start, uint64_t shown)
{
	return d != NULL && row >= start && shown < DTCP_TEL_CONNS_PAGE;
}

/*
 * Rows, numbered from 0 in a stable order: each lcore's listeners,
 * connections, TIME_WAIT entries. Adds those of the page to @p d (none when
 * @p d is NULL) and returns how many rows there are.
 */
static uint64_t
walk_conns(const struct dtcp_stack *s, struct rte_tel_data *d, uint64_t start, uint64_t *shown)
{
	uint64_t row = 0;

	for (unsigned int i = 0; i < s->nb_lcores; i++) {
		const struct dtcp_lcore *lc = s->lcores[i];
		const struct dtcp_tcp_lcore *t = &lc->tcp;

		for (uint32_t j = 0; j < lc->stack->cfg.tcp_max_listeners; j++) {
			const struct dtcp_listener *l = &t->listeners[j];
			struct conn_row r = {.kind = "listen", .state = DTCP_TCP_LISTEN};

			if (l->lc == NULL)
				continue;
			if (!row_on_page(d, row++, start, *shown))
				continue;
			r.laddr = l->addr;
			r.lport = l->port;
			r.recv_q = l->nb_accept; /* as ss: the accept queue */
			r.send_q = l->backlog;
			add_row(d, i, (int32_t)j, &r);
			(*shown)++;
		}
		for (uint32_t j = 0; j < t->max_conns; j++) {
			const struct dtcp_conn *c = &t->conns[j];
			struct conn_row r = {.kind = "conn"};

			if (c->lc == NULL || c->state == DTCP_TCP_CLOSED)
				continue;
			if (!row_on_page(d, row++, start, *shown))
				continue;
			r.state = c->state;
			r.laddr = c->key.local_addr;
			r.raddr = c->key.remote_addr;
			r.lport = rte_be_to_cpu_16(c->key.local_port);
			r.rport = rte_be_to_cpu_16(c->key.remote_port);
			r.recv_q = c->rcvq_len;
			r.send_q = c->sndq_len;
			r.rto_ms = c->rto_us / 1000;
			r.timer_ms = ms_until(lc, &c->rtx_timer);
			r.tag = c->tag;
			add_row(d, i, (int32_t)j, &r);
			(*shown)++;
		}
		for (uint32_t j = 0; j < lc->stack->cfg.tcp_max_time_wait; j++) {
			const struct dtcp_tw *tw = &t->tws[j];
			struct conn_row r = {.kind = "tw", .state = DTCP_TCP_TIME_WAIT};

			if (!dtcp_timer_armed(&tw->timer))
				continue;
			if (!row_on_page(d, row++, start, *shown))
				continue;
			r.laddr = tw->key.local_addr;
			r.raddr = tw->key.remote_addr;
			r.lport = rte_be_to_cpu_16(tw->key.local_port);
			r.rport = rte_be_to_cpu_16(tw->key.remote_port);
			r.timer_ms = ms_until(lc, &tw->timer);
			add_row(d, i, (int32_t)j, &r);
			(*shown)++;
		}
	}
	return row;
}

/*
 * One page of rows. "total" and "next" come first so that they survive
 * whatever happens to the end of the reply; a reader checks that it got
 * "total" rows in all (they may change between pages: the lcores run on).
 */
static int
cmd_conns(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	const struct dtcp_stack *s = dtcp_telemetry_stack();
	uint64_t start = 0, total, shown = 0, counted = 0;

	if (s == NULL)
		return -ENODEV;
	if (params != NULL && *params != '\0') {
		char *end;

		start = strtoull(params, &end, 10);
		if (*end != '\0')
			return -EINVAL;
	}
	total = walk_conns(s, NULL, 0, &counted);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(
		d, "next", start + DTCP_TEL_CONNS_PAGE < total ? start + DTCP_TEL_CONNS_PAGE : 0);
	walk_conns(s, d, start, &shown);
	return 0;
}

static int
cmd_handshake(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	const struct dtcp_stack *s = dtcp_telemetry_stack();
	static const char *const dir[2] = {"passive", "active"};
	struct rte_tel_data *bounds;

	if (s == NULL)
		return -ENODEV;
	rte_tel_data_start_dict(d);
	for (unsigned int k = 0; k < 2; k++) {
		struct rte_tel_data *a = rte_tel_data_alloc();

		if (a == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
		for (unsigned int b = 0; b < TCP_HANDSHAKE_BUCKETS; b++) {
			uint64_t sum = 0;

			for (unsigned int i = 0; i < s->nb_lcores; i++)
				sum += s->lcores[i]->tcp.handshake_us[k][b];
			rte_tel_data_add_array_u64(a, sum);
		}
		if (rte_tel_data_add_dict_container(d, dir[k], a, 0) != 0)
			rte_tel_data_free(a);
	}
	/* Bucket b counts times t with 2^(b-1) <= t < 2^b microseconds (bucket 0: t = 0). */
	bounds = rte_tel_data_alloc();
	if (bounds == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(bounds, RTE_TEL_U64_VAL);
	for (unsigned int b = 0; b < TCP_HANDSHAKE_BUCKETS; b++)
		rte_tel_data_add_array_u64(
			bounds, b == TCP_HANDSHAKE_BUCKETS - 1 ? UINT64_MAX : UINT64_C(1) << b);
	if (rte_tel_data_add_dict_container(d, "bucket_below_us", bounds, 0) != 0)
		rte_tel_data_free(bounds);
	return 0;
}

void
dtcp_telemetry_tcp_register(void)
{
	rte_telemetry_register_cmd("/dtcp/conns", cmd_conns,
				   "dtcp listeners, connections, TIME_WAIT. Param: first row");
	rte_telemetry_register_cmd("/dtcp/handshake", cmd_handshake,
				   "dtcp SYN-to-ESTABLISHED histograms (log2 us). No params");
}
