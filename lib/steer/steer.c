/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering set-up: the key tables and each port's indirection table, taken
 * from the device when its RSS can be trusted, dealt in software otherwise.
 * The per-packet parts are inline in steer.h.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ctl/log.h"
#include "port/port.h"
#include "steer/steer.h"

void
dtcp_steer_reta_sw(struct dtcp_steer_reta *r, unsigned int size, unsigned int nb_lcores)
{
	r->hw = false;
	r->mask = (uint16_t)(size - 1);
	for (unsigned int i = 0; i < size; i++)
		r->lcore[i] = (uint16_t)(i % nb_lcores);
}

int
dtcp_steer_init(struct dtcp_steer *st, unsigned int nb_lcores)
{
	int rc = dtcp_toeplitz_init(&st->tz, dtcp_rss_key, sizeof(dtcp_rss_key));

	st->nb_lcores = nb_lcores;
	for (unsigned int p = 0; p < DTCP_MAX_PORTS; p++)
		dtcp_steer_reta_sw(&st->reta[p], DTCP_STEER_SW_RETA_SIZE, nb_lcores);
	return rc;
}

/*
 * Entry i -> queue i % nb_lcores, then read back what the device holds (a
 * PMD that refuses the update may still have a usable default). Returns NULL
 * with @p r filled from the device, or why the table cannot be used.
 */
static const char *
reta_program(struct dtcp_steer_reta *r, uint16_t port_id, uint16_t size, unsigned int nb_lcores)
{
	struct rte_eth_rss_reta_entry64 conf[DTCP_STEER_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	unsigned int groups = (size + RTE_ETH_RETA_GROUP_SIZE - 1) / RTE_ETH_RETA_GROUP_SIZE;
	bool seen[RTE_MAX_LCORE] = {false};
	int rc;

	memset(conf, 0, sizeof(conf));
	for (unsigned int i = 0; i < size; i++) {
		conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |= UINT64_C(1)
							  << (i % RTE_ETH_RETA_GROUP_SIZE);
		conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)(i % nb_lcores);
	}
	rc = rte_eth_dev_rss_reta_update(port_id, conf, size);
	if (rc != 0)
		DTCP_LOG(WARNING, port,
			 "port %u: RETA update refused (%s): reading the device's own", port_id,
			 rte_strerror(-rc));
	for (unsigned int g = 0; g < groups; g++) {
		uint64_t mask = UINT64_MAX;

		if (g == groups - 1 && size % RTE_ETH_RETA_GROUP_SIZE != 0)
			mask = (UINT64_C(1) << (size % RTE_ETH_RETA_GROUP_SIZE)) - 1;
		memset(&conf[g], 0, sizeof(conf[g]));
		conf[g].mask = mask;
	}
	rc = rte_eth_dev_rss_reta_query(port_id, conf, size);
	if (rc != 0)
		return "the RETA cannot be read back";
	for (unsigned int i = 0; i < size; i++) {
		uint16_t q = conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];

		if (q >= nb_lcores)
			return "the RETA names a queue no lcore polls";
		r->lcore[i] = q;
		seen[q] = true;
	}
	for (unsigned int l = 0; l < nb_lcores; l++)
		if (!seen[l])
			return "the RETA leaves an lcore without entries";
	r->mask = (uint16_t)(size - 1);
	return NULL;
}

/* The key and hash types the device really uses: NULL if they are ours. */
static const char *
key_check(uint16_t port_id)
{
	uint8_t key[64];
	struct rte_eth_rss_conf rss = {.rss_key = key, .rss_key_len = sizeof(dtcp_rss_key)};

	memset(key, 0, sizeof(key));
	if (rte_eth_dev_rss_hash_conf_get(port_id, &rss) != 0)
		return "the RSS key cannot be read back";
	if (memcmp(key, dtcp_rss_key, sizeof(dtcp_rss_key)) != 0)
		return "the device hashes with another key";
	if (!(rss.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP))
		return "the device does not hash TCP ports";
	return NULL;
}

/* Why the device's hash cannot stand for ours, or NULL (and @p r is the device's table). */
static const char *
hw_setup(struct dtcp_steer_reta *r, const struct dtcp_port *port, unsigned int nb_lcores)
{
	struct rte_eth_dev_info info;
	const char *why;

	if (!port->caps.rss)
		return port->caps.nb_queues > 1 ? "no hardware RSS" : "one queue";
	if (!(port->caps.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP))
		return "the device cannot hash TCP ports";
	if (!port->caps.rx_rss_hash)
		return "the device does not deliver its hash in the mbuf";
	if (rte_eth_dev_info_get(port->port_id, &info) != 0)
		return "no device info";
	/*
	 * net_tap's RSS is an eBPF program it loads into the kernel, and it
	 * reports RSS granted even when the kernel refused that program (no
	 * multiq qdisc, flow support disabled): the queue is then the tap
	 * driver's choice and the hash in the mbuf is not our Toeplitz. Seen
	 * as connections reset by the wrong lcore in the two-lcore tap test.
	 */
	if (strcmp(info.driver_name, "net_tap") == 0)
		return "net_tap's RSS depends on an eBPF program the kernel may not run";
	if (info.reta_size == 0 || info.reta_size > DTCP_STEER_RETA_MAX ||
	    (info.reta_size & (info.reta_size - 1)) != 0)
		return "its RETA size is not a power of two we can mirror";
	why = key_check(port->port_id);
	if (why == NULL)
		why = reta_program(r, port->port_id, info.reta_size, nb_lcores);
	return why;
}

void
dtcp_steer_port_setup(struct dtcp_steer *st, unsigned int port_idx, const struct dtcp_port *port)
{
	struct dtcp_steer_reta *r = &st->reta[port_idx];
	const char *why;

	if (st->nb_lcores == 1) {
		dtcp_steer_reta_sw(r, 1, 1);
		return;
	}
	why = hw_setup(r, port, st->nb_lcores);
	if (why == NULL) {
		r->hw = true;
		DTCP_LOG(INFO, port,
			 "port %u: steering by hardware RSS, %u-entry RETA over %u lcores",
			 port->port_id, r->mask + 1u, st->nb_lcores);
		return;
	}
	dtcp_steer_reta_sw(r, DTCP_STEER_SW_RETA_SIZE, st->nb_lcores);
	DTCP_LOG(INFO, port,
		 "port %u: steering in software (%s): Toeplitz hash per segment, %u-entry "
		 "RETA over %u lcores, misdelivered segments forwarded",
		 port->port_id, why, DTCP_STEER_SW_RETA_SIZE, st->nb_lcores);
}
