/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dtcp_test.h"
#include "harness.h"

/* Frames the test builds at once, at most. */
#define HARNESS_POOL_SIZE 2047

void
harness_eal_init(const char *prog, const char *lcores)
{
	char *argv[] = {
		(char *)prog,	 "--lcores", (char *)lcores, "--no-huge",      "-m",
		"128",		 "--no-pci", "--no-shconf",  "--no-telemetry", "--log-level",
		"lib.eal:error", NULL};

	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(1);
	}
}

void
harness_default_config(struct dtcp_config *cfg)
{
	dtcp_config_init(cfg);
	cfg->mbuf_pool_size = 2047;
	cfg->mbuf_cache_size = 32;
	cfg->rx_desc = 256;
	cfg->tx_desc = 256;
	cfg->idle_sleep_us = 0;
	/* 65536 per lcore by default: tables of that size only slow every test down. */
	cfg->tcp_max_conns = 1024;
	cfg->tcp_max_time_wait = 1024;
}

int
harness_up(struct harness *h, const struct dtcp_config *cfg, unsigned int tx_ring_size)
{
	static unsigned int instance;
	struct rte_ether_addr mac = STACK_MAC;
	char name[RTE_RING_NAMESIZE], err[DTCP_CONFIG_ERR_LEN];
	int rc;

	memset(h, 0, sizeof(*h));
	instance++;
	h->now_us = 1000000; /* any origin; timers must not care */
	h->nb_queues = rte_lcore_count();
	if (h->nb_queues > HARNESS_MAX_QUEUES)
		abort();
	for (unsigned int q = 0; q < h->nb_queues; q++) {
		snprintf(name, sizeof(name), "h%u_rx%u", instance, q);
		h->rx[q] =
			rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "h%u_tx%u", instance, q);
		h->tx[q] = rte_ring_create(name, tx_ring_size, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		CHECK(h->rx[q] != NULL && h->tx[q] != NULL);
	}
	snprintf(name, sizeof(name), "h%u_pool", instance);
	h->pool = rte_pktmbuf_pool_create(name, HARNESS_POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	CHECK(h->pool != NULL);
	snprintf(name, sizeof(name), "net_ring_h%u", instance);
	rc = rte_eth_from_rings(name, h->rx, h->nb_queues, h->tx, h->nb_queues, SOCKET_ID_ANY);
	CHECK(rc >= 0);
	if (rc < 0)
		return -1;
	h->port_id = (uint16_t)rc;

	if (cfg != NULL)
		h->cfg = *cfg;
	else
		harness_default_config(&h->cfg);
	if (!h->cfg.port[h->port_id].configured)
		CHECK_EQ(dtcp_config_set(&h->cfg, "port0", "address", STACK_ADDR, err, sizeof(err)),
			 0);
	/* net_ring has no MAC of its own. */
	h->cfg.port[0].has_mac = true;
	memcpy(h->cfg.port[0].mac, mac.addr_bytes, sizeof(mac.addr_bytes));
	if (h->port_id != 0) {
		h->cfg.port[h->port_id] = h->cfg.port[0];
		h->cfg.port[0].configured = false;
	}
	h->stack = dtcp_stack_create(&h->cfg);
	CHECK(h->stack != NULL);
	return h->stack != NULL ? 0 : -1;
}

void
harness_down(struct harness *h)
{
	for (unsigned int q = 0; q < h->nb_queues; q++) {
		harness_expect_none(h, q);
		CHECK_EQ(rte_ring_count(h->rx[q]), 0);
	}
	/* Every mbuf the stack or the test allocated is back in its pool. */
	CHECK_EQ(rte_mempool_in_use_count(h->pool), 0);
	if (h->stack != NULL) {
		struct rte_mempool *sp = rte_mempool_lookup("dtcp_mbuf_s0");

		CHECK(sp != NULL);
		if (sp != NULL)
			CHECK_EQ(rte_mempool_in_use_count(sp), 0);
	}
	dtcp_stack_destroy(h->stack);
	rte_mempool_free(h->pool);
	for (unsigned int q = 0; q < h->nb_queues; q++) {
		rte_ring_free(h->rx[q]);
		rte_ring_free(h->tx[q]);
	}
	memset(h, 0, sizeof(*h));
}

void
harness_inject_flags(struct harness *h, unsigned int q, const void *frame, size_t len,
		     uint64_t ol_flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
	void *data;

	CHECK(m != NULL);
	if (m == NULL)
		return;
	data = rte_pktmbuf_append(m, (uint16_t)len);
	CHECK(data != NULL);
	memcpy(data, frame, len);
	m->ol_flags = ol_flags;
	CHECK_EQ(rte_ring_enqueue(h->rx[q], m), 0);
}

unsigned int
harness_poll(struct harness *h, unsigned int q, uint64_t advance_us)
{
	h->now_us += advance_us;
	return dtcp_lcore_poll(dtcp_stack_lcore(h->stack, q), h->now_us);
}

struct rte_mbuf *
harness_take(struct harness *h, unsigned int q)
{
	void *m;

	return rte_ring_dequeue(h->tx[q], &m) == 0 ? m : NULL;
}

void
harness_expect_at(struct harness *h, unsigned int q, const void *want, size_t len, const char *file,
		  int line)
{
	struct rte_mbuf *m = harness_take(h, q);

	if (m == NULL) {
		fprintf(stderr, "%s:%d: expected a %zu-byte frame, got none\n", file, line, len);
		dtcp_test_failures++;
		return;
	}
	if (m->pkt_len != len || m->nb_segs != 1) {
		fprintf(stderr, "%s:%d: expected a %zu-byte frame, got %u bytes in %u segment(s)\n",
			file, line, len, m->pkt_len, m->nb_segs);
		dtcp_test_failures++;
	} else {
		const uint8_t *got = rte_pktmbuf_mtod(m, const uint8_t *), *w = want;

		for (size_t i = 0; i < len; i++) {
			if (got[i] != w[i]) {
				fprintf(stderr, "%s:%d: byte %zu: got 0x%02x, want 0x%02x\n", file,
					line, i, got[i], w[i]);
				dtcp_test_failures++;
				break;
			}
		}
	}
	rte_pktmbuf_free(m);
}

void
harness_expect_none_at(struct harness *h, unsigned int q, const char *file, int line)
{
	struct rte_mbuf *m;

	while ((m = harness_take(h, q)) != NULL) {
		fprintf(stderr, "%s:%d: unexpected %u-byte frame on queue %u\n", file, line,
			m->pkt_len, q);
		dtcp_test_failures++;
		rte_pktmbuf_free(m);
	}
}

uint64_t
harness_counter(struct harness *h, enum dtcp_counter c)
{
	uint64_t ctr[DTCP_CTR__MAX];

	dtcp_stack_counters(h->stack, ctr);
	return ctr[c];
}

uint64_t
harness_drops(struct harness *h)
{
	uint64_t ctr[DTCP_CTR__MAX], sum = 0;

	dtcp_stack_counters(h->stack, ctr);
	for (unsigned int c = 0; c < DTCP_CTR__MAX; c++)
		if (strncmp(dtcp_counter_name(c), "drop_", 5) == 0)
			sum += ctr[c];
	return sum;
}
