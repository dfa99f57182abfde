/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry commands and the final JSON report (lb_telemetry.h). One
 * function gathers a backend's figures so that both say the same thing.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "lb_telemetry.h"

/* Written by attach/detach only (see lb_telemetry.h). */
static const struct lb_proxy *telemetry_px;

/* One backend's figures, in report order. */
struct backend_view {
	const char *state;
	uint64_t ctr[LB_BCTR__MAX];
	uint64_t checks_ok, checks_failed;
};

static void
backend_view(const struct lb_proxy *px, unsigned int i, struct backend_view *v)
{
	const struct lb_backends *be = lb_proxy_backends(px);

	v->state = lb_backend_is_up(be, i) ? "up" : "down";
	lb_proxy_backend_counters(px, i, v->ctr);
	v->checks_ok = be->health[i].checks_ok;
	v->checks_failed = be->health[i].checks_failed;
}

static void
addr_string(const struct lb_backends *be, unsigned int i, char *buf, size_t len)
{
	const uint8_t *a = (const uint8_t *)&be->addr[i].addr; /* network order */

	snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static int
cmd_stats(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	const struct lb_proxy *px = telemetry_px;
	uint64_t ctr[LB_CTR__MAX];

	if (px == NULL)
		return -ENODEV;
	lb_proxy_counters(px, ctr);
	rte_tel_data_start_dict(d);
	for (unsigned int c = 0; c < LB_CTR__MAX; c++)
		rte_tel_data_add_dict_u64(d, lb_counter_name(c), ctr[c]);
	return 0;
}

static int
cmd_backends(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	const struct lb_proxy *px = telemetry_px;
	const struct lb_backends *be;

	if (px == NULL)
		return -ENODEV;
	be = lb_proxy_backends(px);
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < be->n && i < RTE_TEL_MAX_DICT_ENTRIES; i++) {
		struct rte_tel_data *e = rte_tel_data_alloc();
		char key[32], ip[16];
		struct backend_view v;

		if (e == NULL)
			return -ENOMEM;
		backend_view(px, i, &v);
		addr_string(be, i, ip, sizeof(ip));
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "addr", ip);
		rte_tel_data_add_dict_int(e, "port", be->addr[i].port);
		rte_tel_data_add_dict_string(e, "state", v.state);
		for (unsigned int c = 0; c < LB_BCTR__MAX; c++)
			rte_tel_data_add_dict_u64(e, lb_backend_counter_name(c), v.ctr[c]);
		rte_tel_data_add_dict_u64(e, "checks_ok", v.checks_ok);
		rte_tel_data_add_dict_u64(e, "checks_failed", v.checks_failed);
		snprintf(key, sizeof(key), "backend%u", i);
		if (rte_tel_data_add_dict_container(d, key, e, 0) != 0)
			rte_tel_data_free(e);
	}
	return 0;
}

int
lb_telemetry_attach(const struct lb_proxy *px)
{
	static bool registered;
	int rc;

	telemetry_px = px;
	if (registered)
		return 0;
	rc = rte_telemetry_register_cmd("/dtcp_lb/stats", cmd_stats,
					"dtcp-lb counters summed over lcores. No parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd(
			"/dtcp_lb/backends", cmd_backends,
			"dtcp-lb backends: address, state, counters, health checks. No parameters");
	registered = rc == 0;
	return rc;
}

void
lb_telemetry_detach(void)
{
	telemetry_px = NULL;
}

void
lb_report_json(FILE *f, const struct lb_proxy *px)
{
	const struct lb_backends *be = lb_proxy_backends(px);
	uint64_t ctr[LB_CTR__MAX];

	lb_proxy_counters(px, ctr);
	fprintf(f, "{\"lb\": {");
	for (unsigned int c = 0; c < LB_CTR__MAX; c++)
		fprintf(f, "%s\"%s\": %llu", c == 0 ? "" : ", ", lb_counter_name(c),
			(unsigned long long)ctr[c]);
	fprintf(f, "}, \"backends\": [");
	for (unsigned int i = 0; i < be->n; i++) {
		struct backend_view v;
		char ip[16];

		backend_view(px, i, &v);
		addr_string(be, i, ip, sizeof(ip));
		fprintf(f, "%s{\"addr\": \"%s\", \"port\": %u, \"state\": \"%s\"",
			i == 0 ? "" : ", ", ip, be->addr[i].port, v.state);
		for (unsigned int c = 0; c < LB_BCTR__MAX; c++)
			fprintf(f, ", \"%s\": %llu", lb_backend_counter_name(c),
				(unsigned long long)v.ctr[c]);
		fprintf(f, ", \"checks_ok\": %llu, \"checks_failed\": %llu}",
			(unsigned long long)v.checks_ok, (unsigned long long)v.checks_failed);
	}
	fprintf(f, "]}\n");
	fflush(f);
}
