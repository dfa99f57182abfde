/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cost of one SYN on the cookie path, in process: the stack on a
 * net_ring port in [tcp] syncookies = always, a listener on port 80, and N
 * SYNs from random spoofed sources (Linux's option set: MSS, SACK-permitted,
 * timestamps, window scale) fed through the real poll loop, 32 per burst.
 * Every SYN must come back as a SYN-ACK in its own mbuf.
 *
 * Building and injecting the SYNs and draining the replies happen outside
 * syncookie_bench_loop(), which only runs the stack's poll (RX burst,
 * Ethernet, IPv4, TCP lookup, cookie, in-place SYN-ACK, TX flush). Under
 *   valgrind --tool=callgrind --toggle-collect=syncookie_bench_loop \
 *       dtcp-bench-syncookie --syns N
 * the instructions collected divided by N are the instructions per SYN: a
 * figure that does not move with the machine's noise (tools/bench/synflood
 * reports it). Without valgrind it prints the wall-clock rate as a sanity
 * check, not as a claim.
 *
 *   dtcp-bench-syncookie [--syns N]        (EAL options are built in)
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <dtcp/dtcp.h>

#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define BURST	   32
#define FRAME_LEN  74 /* Ethernet 14 + IPv4 20 + TCP 40 (Linux's SYN options) */
#define SERVER_IP  "198.18.0.2/24"
#define SPOOF_BASE 0xc6130000u /* 198.19.0.0/16 */

static const struct rte_ether_addr stack_mac = {{0x02, 0, 0, 0, 0, 0x02}};
static const struct rte_ether_addr peer_mac = {{0x02, 0, 0, 0, 0, 0x01}};

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One SYN from a random source in 198.19.0.0/16 to 198.18.0.2:80. */
static void
build_syn(uint8_t *frame, uint64_t *seed)
{
	uint64_t r = xorshift(seed);
	struct dtcp_eth_repr eth = {
		.dst = stack_mac, .src = peer_mac, .ethertype = RTE_ETHER_TYPE_IPV4};
	struct dtcp_ipv4_repr ip = {
		.src = rte_cpu_to_be_32(SPOOF_BASE | (uint32_t)(1 + (r & 0xfffd))),
		.dst = rte_cpu_to_be_32(0xc6120002u),
		.proto = IPPROTO_TCP,
		.ttl = 64,
		.dont_fragment = true,
		.payload_len = FRAME_LEN - 34,
	};
	struct dtcp_tcp_repr th = {
		.src_port = (uint16_t)(1024 + ((r >> 16) % 64000)),
		.dst_port = 80,
		.seq = (uint32_t)(r >> 32),
		.flags = DTCP_TCP_SYN,
		.window = 64240,
		.has_mss = true,
		.mss = 1460,
		.sack_permitted = true,
		.has_ts = true,
		.ts_val = (uint32_t)xorshift(seed),
		.has_wscale = true,
		.wscale = 7,
	};

	dtcp_eth_emit(&eth, frame);
	dtcp_ipv4_emit(&ip, frame + 14, true);
	if (dtcp_tcp_emit(&th, frame + 34, FRAME_LEN - 34, ip.src, ip.dst, DTCP_TCP_CKSUM_FULL) !=
	    FRAME_LEN - 34)
		abort();
}

/* What callgrind measures: one pass of the stack's poll loop. */
__attribute__((noinline)) unsigned int syncookie_bench_loop(struct dtcp_lcore *lc, uint64_t now_us);

__attribute__((noinline)) unsigned int
syncookie_bench_loop(struct dtcp_lcore *lc, uint64_t now_us)
{
	return dtcp_lcore_poll(lc, now_us);
}

int
main(int argc, char **argv)
{
	char *eal_argv[] = {
		argv[0],	 "-l",	     "0",	    "--no-huge",      "-m",
		"256",		 "--no-pci", "--no-shconf", "--no-telemetry", "--log-level",
		"lib.eal:error", NULL};
	uint64_t nb_syns = 100000, answered = 0, bad = 0, seed = 0x5eed5eed5eedull;
	char err[DTCP_CONFIG_ERR_LEN];
	struct rte_ring *rx, *tx;
	struct rte_mempool *pool;
	struct dtcp_config cfg;
	struct dtcp_stack *stack;
	struct dtcp_lcore *lc;
	uint64_t now_us = 1000000, t0, t1;
	uint8_t frame[FRAME_LEN];
	int port;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--syns") == 0 && i + 1 < argc) {
			char *end;

			nb_syns = strtoull(argv[++i], &end, 10);
			if (*end != '\0' || nb_syns == 0 || nb_syns > 100000000) {
				fprintf(stderr, "--syns: '%s' is not in [1, 100000000]\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: %s [--syns N]\n", argv[0]);
			return 2;
		}
	}
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	rx = rte_ring_create("bench_rx", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx = rte_ring_create("bench_tx", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	pool = rte_pktmbuf_pool_create("bench_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (rx == NULL || tx == NULL || pool == NULL) {
		fprintf(stderr, "rings or pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	port = rte_eth_from_rings("net_ring_bench", &rx, 1, &tx, 1, SOCKET_ID_ANY);
	if (port != 0) {
		fprintf(stderr, "net_ring port: %d\n", port);
		return 1;
	}
	dtcp_config_init(&cfg);
	cfg.mbuf_pool_size = 8191;
	cfg.rx_desc = cfg.tx_desc = 512;
	cfg.idle_sleep_us = 0;
	cfg.tcp_max_conns = 1024;
	cfg.tcp_max_time_wait = 1024;
	if (dtcp_config_set(&cfg, "port0", "address", SERVER_IP, err, sizeof(err)) != 0 ||
	    dtcp_config_set(&cfg, "port0", "mac", "02:00:00:00:00:02", err, sizeof(err)) != 0 ||
	    dtcp_config_set(&cfg, "tcp", "syncookies", "always", err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	stack = dtcp_stack_create(&cfg);
	if (stack == NULL) {
		fprintf(stderr, "stack: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	lc = dtcp_stack_lcore(stack, 0);
	if (dtcp_listen(lc, 0, 80, 1024, NULL) == NULL) {
		fprintf(stderr, "listen: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* Settle: the gratuitous ARP goes out and is thrown away. */
	syncookie_bench_loop(lc, now_us);
	{
		struct rte_mbuf *m = NULL;

		while (rte_ring_dequeue(tx, (void **)&m) == 0)
			rte_pktmbuf_free(m);
	}

	t0 = rte_get_tsc_cycles();
	for (uint64_t done = 0; done < nb_syns;) {
		struct rte_mbuf *pkts[BURST];
		unsigned int n = (unsigned int)RTE_MIN((uint64_t)BURST, nb_syns - done), got;

		if (rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0) {
			fprintf(stderr, "bench pool empty\n");
			return 1;
		}
		for (unsigned int i = 0; i < n; i++) {
			build_syn(frame, &seed);
			memcpy(rte_pktmbuf_append(pkts[i], FRAME_LEN), frame, FRAME_LEN);
		}
		if (rte_ring_enqueue_bulk(rx, (void **)pkts, n, NULL) != n)
			abort();
		now_us += 10;
		syncookie_bench_loop(lc, now_us);
		got = rte_ring_dequeue_burst(tx, (void **)pkts, BURST, NULL);
		for (unsigned int i = 0; i < got; i++) {
			const uint8_t *f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);

			/* A SYN-ACK (flags byte 0x12) from port 80. */
			if (pkts[i]->pkt_len >= 54 && f[34 + 13] == 0x12 && f[34] == 0 &&
			    f[35] == 80)
				answered++;
			else
				bad++;
			rte_pktmbuf_free(pkts[i]);
		}
		done += n;
	}
	t1 = rte_get_tsc_cycles();
	printf("syns %" PRIu64 " synacks %" PRIu64 " other %" PRIu64
	       " cycles_per_syn_incl_generation %.0f\n",
	       nb_syns, answered, bad, (double)(t1 - t0) / (double)nb_syns);
	dtcp_stack_destroy(stack);
	rte_eal_cleanup();
	return answered == nb_syns && bad == 0 ? 0 : 1;
}
