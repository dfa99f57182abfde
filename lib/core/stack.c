/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stack lifecycle: build the per-lcore contexts, pools and ports, run the
 * loops, tear everything down in reverse.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_pdump.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "ctl/log.h"

/* Neighbour updates in flight between two lcores. */
#define ARP_RING_SIZE 256
/* Misdelivered TCP segments in flight between two lcores. */
#define STEER_RING_SIZE 1024

static struct rte_mempool *
stack_pool(struct dtcp_stack *s, int socket, uint16_t max_mtu)
{
	unsigned int idx = socket < 0 ? 0 : (unsigned int)socket;
	/* One mbuf holds a whole frame up to the MTU, so RX never chains. */
	uint32_t room = RTE_PKTMBUF_HEADROOM + RTE_ETHER_HDR_LEN + max_mtu + RTE_ETHER_CRC_LEN;
	char name[RTE_MEMPOOL_NAMESIZE];

	if (room < RTE_MBUF_DEFAULT_BUF_SIZE)
		room = RTE_MBUF_DEFAULT_BUF_SIZE;
	if (s->pools[idx] == NULL) {
		snprintf(name, sizeof(name), "dtcp_mbuf_s%u", idx);
		s->pools[idx] =
			rte_pktmbuf_pool_create(name, s->cfg.mbuf_pool_size, s->cfg.mbuf_cache_size,
						0, (uint16_t)room, socket);
		if (s->pools[idx] == NULL)
			DTCP_LOG(ERR, stack, "mbuf pool %s (%u mbufs of %u bytes): %s", name,
				 s->cfg.mbuf_pool_size, room, rte_strerror(rte_errno));
	}
	return s->pools[idx];
}

static int
lcore_init(struct dtcp_stack *s, struct dtcp_lcore *lc, unsigned int index, unsigned int lcore_id)
{
	int socket = (int)rte_lcore_to_socket_id(lcore_id);
	char name[RTE_HASH_NAMESIZE];
	int rc;

	lc->stack = s;
	lc->index = index;
	lc->lcore_id = lcore_id;
	lc->queue_id = (uint16_t)index;
	lc->burst_size = s->cfg.burst_size;
	lc->nb_ports = s->nb_ports;
	lc->announce_pending = index == 0;
	for (uint16_t p = 0; p < s->nb_ports; p++) {
		lc->ports[p].lc = lc;
		lc->ports[p].port = &s->ports[p];
	}
	snprintf(name, sizeof(name), "dtcp_arp_%u", index);
	rc = dtcp_arp_table_init(&lc->arp, name, &s->cfg, socket);
	if (rc != 0) {
		DTCP_LOG(ERR, stack, "lcore %u: neighbour table: %s", lcore_id, rte_strerror(-rc));
		return rc;
	}
	return dtcp_tcp_lcore_init(lc);
}

static void
lcore_free(struct dtcp_lcore *lc)
{
	dtcp_tx_free(lc);
	dtcp_tcp_lcore_free(lc);
	dtcp_arp_table_free(&lc->arp);
	rte_free(lc->arp_in);
	rte_free(lc->arp_out);
	rte_free(lc->steer_in);
	rte_free(lc->steer_out);
	rte_free(lc);
}

/*
 * One SP/SC ring per ordered lcore pair for neighbour updates, and one for
 * TCP segments that arrived on an lcore other than their flow's owner
 * (steer/steer.h, tcp_steer() in tcp_input.c).
 */
static int
peer_rings_init(struct dtcp_stack *s)
{
	unsigned int n = s->nb_lcores;

	if (n == 1)
		return 0;
	s->arp_rings = rte_zmalloc("dtcp_arp_rings", sizeof(s->arp_rings[0]) * n * n, 0);
	s->steer_rings = rte_zmalloc("dtcp_steer_rings", sizeof(s->steer_rings[0]) * n * n, 0);
	if (s->arp_rings == NULL || s->steer_rings == NULL)
		return -ENOMEM;
	for (unsigned int from = 0; from < n; from++) {
		struct dtcp_lcore *lc = s->lcores[from];

		lc->arp_out = rte_zmalloc("dtcp_arp_out", sizeof(lc->arp_out[0]) * (n - 1), 0);
		lc->arp_in = rte_zmalloc("dtcp_arp_in", sizeof(lc->arp_in[0]) * (n - 1), 0);
		lc->steer_out = rte_zmalloc("dtcp_steer_out", sizeof(lc->steer_out[0]) * n, 0);
		lc->steer_in = rte_zmalloc("dtcp_steer_in", sizeof(lc->steer_in[0]) * n, 0);
		if (lc->arp_out == NULL || lc->arp_in == NULL || lc->steer_out == NULL ||
		    lc->steer_in == NULL)
			return -ENOMEM;
		lc->nb_peers = n - 1;
	}
	for (unsigned int from = 0; from < n; from++) {
		for (unsigned int to = 0; to < n; to++) {
			char name[RTE_RING_NAMESIZE];
			struct rte_ring *r;

			if (from == to)
				continue;
			snprintf(name, sizeof(name), "dtcp_arp_%u_%u", (uint16_t)from,
				 (uint16_t)to);
			r = rte_ring_create_elem(
				name, sizeof(struct dtcp_arp_msg), ARP_RING_SIZE,
				(int)rte_lcore_to_socket_id(s->lcores[to]->lcore_id),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL)
				return -rte_errno;
			s->arp_rings[from * n + to] = r;
			/* Peer slots skip ourselves: peer k of lcore i is lcore k, or k+1 when k >=
			 * i. */
			s->lcores[from]->arp_out[to < from ? to : to - 1] = r;
			s->lcores[to]->arp_in[from < to ? from : from - 1] = r;

			snprintf(name, sizeof(name), "dtcp_steer_%u_%u", (uint16_t)from,
				 (uint16_t)to);
			r = rte_ring_create(name, STEER_RING_SIZE,
					    (int)rte_lcore_to_socket_id(s->lcores[to]->lcore_id),
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL)
				return -rte_errno;
			s->steer_rings[from * n + to] = r;
			s->lcores[from]->steer_out[to] = r;
			s->lcores[to]->steer_in[from] = r;
		}
	}
	return 0;
}

/*
 * Every RX descriptor holds an mbuf and a full TX ring holds as many again;
 * each lcore's cache and one burst in flight come on top. A pool smaller than
 * that starves RX silently, so refuse it at start-up instead.
 */
static int
check_pool_size(const struct dtcp_stack *s, uint16_t nb_ports)
{
	const struct dtcp_config *c = &s->cfg;
	uint64_t need = (uint64_t)nb_ports * s->nb_lcores * (c->rx_desc + c->tx_desc) +
			(uint64_t)s->nb_lcores * (c->mbuf_cache_size + c->burst_size);

	if (need <= c->mbuf_pool_size)
		return 0;
	DTCP_LOG(ERR, stack,
		 "stack:mbuf_pool_size: %u mbufs cannot fill %u port(s) x %u lcore(s) x "
		 "(rx_desc %u + tx_desc %u) plus caches: need at least %" PRIu64,
		 c->mbuf_pool_size, nb_ports, s->nb_lcores, c->rx_desc, c->tx_desc, need);
	return -EINVAL;
}

static bool
stack_drives_port(const struct dtcp_stack *s, uint16_t port_id)
{
	return port_id < DTCP_MAX_PORTS && s->cfg.port[port_id].configured;
}

static int
ports_init(struct dtcp_stack *s)
{
	struct rte_mempool *queue_pools[RTE_MAX_LCORE];
	uint16_t port_id, max_mtu = 0, nb_ports = 0;
	int rc;

	RTE_ETH_FOREACH_DEV(port_id)
	{
		/*
		 * A port without a [portN] section is the application's (a raw
		 * generator, a management port): the stack leaves it alone.
		 */
		if (!stack_drives_port(s, port_id)) {
			DTCP_LOG(INFO, stack,
				 "port %u has no [port%u] section: left to the application",
				 port_id, port_id);
			continue;
		}
		if (s->cfg.port[port_id].mtu > max_mtu)
			max_mtu = s->cfg.port[port_id].mtu;
		nb_ports++;
	}
	if (nb_ports == 0) {
		DTCP_LOG(ERR, stack,
			 "no port to drive: pass one with --vdev or -a and give it an address "
			 "([port0] address or --addr)");
		return -ENODEV;
	}
	rc = check_pool_size(s, nb_ports);
	if (rc != 0)
		return rc;
	for (unsigned int i = 0; i < s->nb_lcores; i++) {
		struct dtcp_lcore *lc = s->lcores[i];

		lc->pool = stack_pool(s, (int)rte_lcore_to_socket_id(lc->lcore_id), max_mtu);
		if (lc->pool == NULL)
			return -ENOMEM;
		queue_pools[i] = lc->pool;
	}
	/* nb_ports counts configured ports only, so a failure closes just those. */
	RTE_ETH_FOREACH_DEV(port_id)
	{
		if (!stack_drives_port(s, port_id))
			continue;
		rc = dtcp_port_configure(&s->ports[s->nb_ports], port_id, &s->cfg.port[port_id],
					 &s->cfg, (uint16_t)s->nb_lcores, queue_pools);
		if (rc != 0)
			return rc;
		s->nb_ports++;
	}
	return 0;
}

struct dtcp_stack *
dtcp_stack_create(const struct dtcp_config *cfg)
{
	char err[DTCP_CONFIG_ERR_LEN];
	struct dtcp_stack *s;
	unsigned int lcore_id;
	int rc;

	if (dtcp_config_validate(cfg, err, sizeof(err)) != 0) {
		DTCP_LOG(ERR, stack, "%s", err);
		rte_errno = EINVAL;
		return NULL;
	}
	s = rte_zmalloc("dtcp_stack", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->cfg = *cfg;
	s->nb_lcores = rte_lcore_count();
	s->lcores = rte_zmalloc("dtcp_lcores", sizeof(s->lcores[0]) * s->nb_lcores, 0);
	rc = s->lcores == NULL ? -ENOMEM : 0;
	RTE_LCORE_FOREACH(lcore_id)
	{
		int index = rte_lcore_index((int)lcore_id);

		if (rc != 0)
			break;
		s->lcores[index] = rte_zmalloc_socket("dtcp_lcore", sizeof(struct dtcp_lcore),
						      RTE_CACHE_LINE_SIZE,
						      (int)rte_lcore_to_socket_id(lcore_id));
		if (s->lcores[index] == NULL)
			rc = -ENOMEM;
		else
			s->lcores[index]->lcore_id = lcore_id;
	}
	if (rc == 0)
		rc = dtcp_steer_init(&s->steer, s->nb_lcores);
	if (rc == 0)
		rc = ports_init(s);
	for (unsigned int i = 0; rc == 0 && i < s->nb_lcores; i++)
		rc = lcore_init(s, s->lcores[i], i, s->lcores[i]->lcore_id);
	if (rc == 0)
		rc = peer_rings_init(s);
	for (uint16_t p = 0; rc == 0 && p < s->nb_ports; p++) {
		rc = dtcp_port_start(&s->ports[p]);
		/* The RETA is programmed on a started port (some PMDs ignore it before). */
		if (rc == 0)
			dtcp_steer_port_setup(&s->steer, p, &s->ports[p]);
	}
	if (rc == 0)
		rc = dtcp_telemetry_attach(s);
	if (rc != 0) {
		dtcp_stack_destroy(s);
		rte_errno = -rc;
		return NULL;
	}
	/* Capture is a convenience: without multi-process support it is off, the stack still runs.
	 */
	if (rte_pdump_init() == 0)
		s->pdump_enabled = true;
	else
		DTCP_LOG(NOTICE, stack, "packet capture unavailable: %s", rte_strerror(rte_errno));
	DTCP_LOG(INFO, stack, "stack up: %u lcore(s), %u port(s)", s->nb_lcores, s->nb_ports);
	return s;
}

static int
lcore_entry(void *arg)
{
	struct dtcp_stack *s = arg;
	struct dtcp_lcore *lc = s->lcores[rte_lcore_index((int)rte_lcore_id())];
	int rc = 0;

	lc->now_us = dtcp_time_us();
	if (s->app.init != NULL && (rc = s->app.init(lc, s->app.arg)) != 0) {
		DTCP_LOG(ERR, stack, "lcore %u: application init failed (%d): stopping",
			 lc->lcore_id, rc);
		dtcp_stack_stop(s);
		return rc;
	}
	rc = dtcp_lcore_run(lc);
	if (s->app.fini != NULL)
		s->app.fini(lc, s->app.arg);
	return rc;
}

int
dtcp_stack_run(struct dtcp_stack *s)
{
	if (rte_eal_mp_remote_launch(lcore_entry, s, CALL_MAIN) != 0)
		return -EBUSY;
	rte_eal_mp_wait_lcore();
	return 0;
}

void
dtcp_stack_stop(struct dtcp_stack *s)
{
	s->stop = 1;
}

void
dtcp_stack_destroy(struct dtcp_stack *s)
{
	if (s == NULL)
		return;
	dtcp_telemetry_detach(s);
	if (s->pdump_enabled)
		rte_pdump_uninit();
	for (uint16_t p = 0; p < s->nb_ports; p++)
		dtcp_port_close(&s->ports[p]);
	for (unsigned int i = 0; s->lcores != NULL && i < s->nb_lcores; i++)
		if (s->lcores[i] != NULL)
			lcore_free(s->lcores[i]);
	for (unsigned int i = 0; s->arp_rings != NULL && i < s->nb_lcores * s->nb_lcores; i++)
		rte_ring_free(s->arp_rings[i]);
	for (unsigned int i = 0; s->steer_rings != NULL && i < s->nb_lcores * s->nb_lcores; i++) {
		struct rte_mbuf *m;

		if (s->steer_rings[i] == NULL)
			continue; /* no ring from an lcore to itself */
		while (rte_ring_dequeue(s->steer_rings[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(s->steer_rings[i]);
	}
	rte_free(s->arp_rings);
	rte_free(s->steer_rings);
	rte_free(s->lcores);
	for (unsigned int i = 0; i < RTE_MAX_NUMA_NODES; i++)
		rte_mempool_free(s->pools[i]);
	rte_free(s);
}

unsigned int
dtcp_stack_lcore_count(const struct dtcp_stack *s)
{
	return s->nb_lcores;
}

struct dtcp_lcore *
dtcp_stack_lcore(struct dtcp_stack *s, unsigned int index)
{
	return index < s->nb_lcores ? s->lcores[index] : NULL;
}

void
dtcp_stack_counters(const struct dtcp_stack *s, uint64_t out[DTCP_CTR__MAX])
{
	memset(out, 0, sizeof(uint64_t) * DTCP_CTR__MAX);
	for (unsigned int i = 0; i < s->nb_lcores; i++)
		for (unsigned int c = 0; c < DTCP_CTR__MAX; c++)
			out[c] += s->lcores[i]->ctr[c];
}

const struct dtcp_port_caps *
dtcp_stack_port_caps(const struct dtcp_stack *s, uint16_t port_id)
{
	for (uint16_t p = 0; p < s->nb_ports; p++)
		if (s->ports[p].port_id == port_id)
			return &s->ports[p].caps;
	return NULL;
}
