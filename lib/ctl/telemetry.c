/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry commands, read with DPDK's dpdk-telemetry.py:
 *   /dtcp/stats [lcore]  counters summed over lcores, or one lcore's
 *   /dtcp/arp            neighbour entries of every lcore, keyed "lcoreN/index"
 *   /dtcp/ports          addresses and the offloads each port was granted, keyed "portN"
 *
 * DPDK 22.11 telemetry nests dicts only inside dicts (arrays hold scalars), so
 * lists of records are dicts keyed by what identifies each record; keys may
 * hold only letters, digits, '_' and '/'.
 *
 * Handlers run on the telemetry thread. rte_telemetry callbacks take no user
 * pointer in DPDK 22.11, hence the one process-wide stack pointer below; it is
 * written only at create/destroy, never on the data path.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_malloc.h>
#include <rte_telemetry.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "ctl/log.h"
#include "ctl/telemetry.h"

static struct dtcp_stack *telemetry_stack;
static bool telemetry_registered;

const struct dtcp_stack *
dtcp_telemetry_stack(void)
{
	return telemetry_stack;
}

static int
cmd_stats(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	const struct dtcp_stack *s = telemetry_stack;
	uint64_t sum[DTCP_CTR__MAX];
	const uint64_t *ctr = sum;
	long lcore = -1;

	if (s == NULL)
		return -ENODEV;
	if (params != NULL && *params != '\0') {
		char *end;
		unsigned long idx = strtoul(params, &end, 10);

		if (*end != '\0' || idx >= s->nb_lcores)
			return -EINVAL;
		ctr = s->lcores[idx]->ctr;
		lcore = (long)idx;
	} else {
		dtcp_stack_counters(s, sum);
	}
	rte_tel_data_start_dict(d);
	for (unsigned int c = 0; c < DTCP_CTR__MAX; c++)
		rte_tel_data_add_dict_u64(d, dtcp_counter_name(c), ctr[c]);
	/* Gauges: objects per TCP state now ("tcp_state_estab", "tcp_state_time_wait", ...). */
	for (unsigned int st = DTCP_TCP_LISTEN; st < DTCP_TCP_STATE__MAX; st++) {
		char key[32], *k;
		uint64_t n = 0;

		for (unsigned int i = 0; i < s->nb_lcores; i++)
			if (lcore < 0 || (unsigned int)lcore == i)
				n += s->lcores[i]->tcp.state_count[st];
		snprintf(key, sizeof(key), "tcp_state_%s", dtcp_tcp_state_name(st));
		for (k = key; *k != '\0'; k++)
			*k = *k == '-' ? '_' : (char)tolower((unsigned char)*k);
		rte_tel_data_add_dict_u64(d, key, n);
	}
	return 0;
}

static const char *
arp_state_name(uint8_t state)
{
	return state == DTCP_ARP_REACHABLE ? "reachable" : "incomplete";
}

static int
cmd_arp(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	const struct dtcp_stack *s = telemetry_stack;
	struct dtcp_arp_entry *snap;
	unsigned int shown = 0;

	if (s == NULL)
		return -ENODEV;
	snap = malloc(sizeof(*snap) * RTE_TEL_MAX_DICT_ENTRIES);
	if (snap == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < s->nb_lcores; i++) {
		const struct dtcp_lcore *lc = s->lcores[i];
		unsigned int n =
			dtcp_arp_snapshot(&lc->arp, snap, RTE_TEL_MAX_DICT_ENTRIES - shown);

		for (unsigned int j = 0; j < n; j++, shown++) {
			struct rte_tel_data *e = rte_tel_data_alloc();
			char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];
			char key[RTE_TEL_MAX_STRING_LEN];

			if (e == NULL)
				break;
			inet_ntop(AF_INET, &snap[j].ip, ip, sizeof(ip));
			snprintf(key, sizeof(key), "lcore%u/%u", i, j);
			rte_ether_format_addr(mac, sizeof(mac), &snap[j].mac);
			rte_tel_data_start_dict(e);
			rte_tel_data_add_dict_string(e, "ip", ip);
			rte_tel_data_add_dict_int(e, "port", s->ports[snap[j].port_idx].port_id);
			rte_tel_data_add_dict_string(e, "mac", mac);
			rte_tel_data_add_dict_string(e, "state", arp_state_name(snap[j].state));
			rte_tel_data_add_dict_int(e, "pending", snap[j].nb_pending);
			if (rte_tel_data_add_dict_container(d, key, e, 0) != 0)
				rte_tel_data_free(e);
		}
	}
	free(snap);
	return 0;
}

static int
cmd_ports(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	const struct dtcp_stack *s = telemetry_stack;

	if (s == NULL)
		return -ENODEV;
	rte_tel_data_start_dict(d);
	for (uint16_t p = 0; p < s->nb_ports; p++) {
		const struct dtcp_port *port = &s->ports[p];
		struct rte_tel_data *e = rte_tel_data_alloc();
		char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE], key[16];

		if (e == NULL)
			break;
		snprintf(key, sizeof(key), "port%u", port->port_id);
		inet_ntop(AF_INET, &port->addr, ip, sizeof(ip));
		rte_ether_format_addr(mac, sizeof(mac), &port->mac);
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "mac", mac);
		rte_tel_data_add_dict_string(e, "address", ip);
		rte_tel_data_add_dict_int(e, "prefix_len", port->prefix_len);
		rte_tel_data_add_dict_int(e, "mtu", port->caps.mtu);
		rte_tel_data_add_dict_int(e, "queues", port->caps.nb_queues);
		rte_tel_data_add_dict_int(e, "rx_ipv4_cksum", port->caps.rx_ipv4_cksum);
		rte_tel_data_add_dict_int(e, "rx_tcp_cksum", port->caps.rx_tcp_cksum);
		rte_tel_data_add_dict_int(e, "tx_ipv4_cksum", port->caps.tx_ipv4_cksum);
		rte_tel_data_add_dict_int(e, "tx_tcp_cksum", port->caps.tx_tcp_cksum);
		rte_tel_data_add_dict_int(e, "tx_multi_segs", port->caps.tx_multi_segs);
		rte_tel_data_add_dict_int(e, "rss", port->caps.rss);
		if (rte_tel_data_add_dict_container(d, key, e, 0) != 0)
			rte_tel_data_free(e);
	}
	return 0;
}

int
dtcp_telemetry_attach(struct dtcp_stack *stack)
{
	if (telemetry_stack != NULL) {
		DTCP_LOG(ERR, stack, "a stack already exists in this process");
		return -EEXIST;
	}
	if (!telemetry_registered) {
		rte_telemetry_register_cmd(
			"/dtcp/stats", cmd_stats,
			"dtcp counters, summed or of one lcore. Param: lcore index");
		rte_telemetry_register_cmd("/dtcp/arp", cmd_arp,
					   "dtcp neighbour table of every lcore. No params");
		rte_telemetry_register_cmd("/dtcp/ports", cmd_ports,
					   "dtcp ports: addresses and granted offloads. No params");
		dtcp_telemetry_tcp_register();
		dtcp_telemetry_steer_register();
		telemetry_registered = true;
	}
	telemetry_stack = stack;
	return 0;
}

void
dtcp_telemetry_detach(struct dtcp_stack *stack)
{
	if (telemetry_stack == stack)
		telemetry_stack = NULL;
}
